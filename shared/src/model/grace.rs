//! How long a scheduled run may be late before its slot counts as missed.

use super::{FieldError, Threshold};
use chrono::TimeDelta;
use std::fmt;

const FIELD: &str = "grace";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grace(Threshold);

impl Grace {
    /// The spec's default: one hour.
    pub fn default_hours() -> Self {
        Self(Threshold::from_hours(1.0).expect("1 h is a valid span"))
    }

    /// Hours as a plain decimal (`0.5`, `2`), more than 0 and at most a year, like a threshold.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Threshold::parse(raw).map(Self).map_err(|e| {
            let problem = e.problem.replace("24 or 0.5", "1 or 0.5");
            FieldError::new(FIELD, problem)
        })
    }

    pub fn duration(self) -> TimeDelta {
        self.0.duration()
    }
}

impl fmt::Display for Grace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        assert_eq!(Grace::parse("0.5").unwrap().duration(), TimeDelta::minutes(30));
        assert_eq!(Grace::default_hours().duration(), TimeDelta::hours(1));
        assert_eq!(Grace::parse("2").unwrap().to_string(), "2");
        for bad in ["", "0", "-1", "half", "9000"] {
            let err = Grace::parse(bad).unwrap_err();
            assert_eq!(err.field, "grace", "{bad}");
        }
    }
}
