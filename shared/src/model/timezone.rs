//! A pulse's timezone: an IANA name, which decides where its working days begin and end.

use super::FieldError;
use chrono_tz::Tz;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Tz);

impl Zone {
    pub const UTC: Zone = Zone(Tz::UTC);

    /// Accepts IANA names exactly (`Europe/Berlin`, `UTC`); case-insensitive matching would
    /// store a spelling that other tools reject.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(FieldError::new(
                "tz",
                "must not be empty; use an IANA name such as Europe/Berlin or UTC",
            ));
        }
        name.parse::<Tz>().map(Zone).map_err(|_| {
            let shown: String = name.chars().take(60).collect();
            FieldError::new(
                "tz",
                format!(
                    "“{shown}” is not a known IANA timezone; use a name such as Europe/Berlin, America/New_York or UTC"
                ),
            )
        })
    }

    pub fn tz(self) -> Tz {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl From<Tz> for Zone {
    fn from(tz: Tz) -> Self {
        Self(tz)
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        for ok in [
            "UTC",
            "Europe/Berlin",
            "Asia/Kolkata",
            "America/New_York",
            " Europe/Berlin ",
        ] {
            assert!(Zone::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Mars/Olympus", "Berlin", "<script>", "+02:00"] {
            assert!(Zone::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Zone::parse("Europe/Berlin").unwrap().name(), "Europe/Berlin");
    }
}
