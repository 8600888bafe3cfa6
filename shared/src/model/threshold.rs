//! A pulse's threshold: how many working hours may pass before it counts as exceeded.

use super::FieldError;
use chrono::TimeDelta;
use std::fmt;

/// At most a year, as the contract says; anything longer is almost certainly a typo.
const MAX_HOURS: f64 = 8760.0;
const MS_PER_HOUR: f64 = 3_600_000.0;

/// Held in whole milliseconds so that comparisons are exact and the text form round-trips.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Threshold {
    millis: i64,
}

impl Threshold {
    /// Parses hours as a plain decimal (`24`, `0.25`, `1.5`): > 0 and ≤ 8760.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(FieldError::new(
                "threshold",
                "is required: enter a number of hours such as 24 or 0.5",
            ));
        }
        let plain_decimal = !text.is_empty()
            && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && text.bytes().filter(|b| *b == b'.').count() <= 1
            && text != ".";
        if !plain_decimal {
            return Err(FieldError::new(
                "threshold",
                format!(
                    "“{}” is not a number of hours; use a decimal such as 24 or 0.5",
                    shorten(raw)
                ),
            ));
        }
        let hours: f64 = text
            .parse()
            .map_err(|_| FieldError::new("threshold", "is not a number of hours; use a decimal such as 24 or 0.5"))?;
        Self::from_hours(hours)
    }

    pub fn from_hours(hours: f64) -> Result<Self, FieldError> {
        if !hours.is_finite() || hours <= 0.0 {
            return Err(FieldError::new("threshold", "must be more than 0 hours"));
        }
        if hours > MAX_HOURS {
            return Err(FieldError::new(
                "threshold",
                format!("must be at most {MAX_HOURS} hours (a year)"),
            ));
        }
        let millis = (hours * MS_PER_HOUR).round() as i64;
        if millis == 0 {
            return Err(FieldError::new("threshold", "must be at least one millisecond"));
        }
        Ok(Self { millis })
    }

    pub fn duration(self) -> TimeDelta {
        TimeDelta::milliseconds(self.millis)
    }

    pub fn hours(self) -> f64 {
        self.millis as f64 / MS_PER_HOUR
    }
}

/// The decimal text stored in `thresholdF` and shown in forms: `24`, `0.25`, never `24.0`.
impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Whole hours, as most thresholds are, without formatting a float (the dashboard writes 10,000).
        const MS_IN_HOUR: i64 = MS_PER_HOUR as i64;
        if self.millis % MS_IN_HOUR == 0 {
            return write!(f, "{}", self.millis / MS_IN_HOUR);
        }
        // Nine decimals are within 2 µs of any millisecond, so the text always parses back to the same
        // threshold; trailing zeros go, so what people type (24, 0.25) shows as typed.
        let text = format!("{:.9}", self.hours());
        let text = text.trim_end_matches('0').trim_end_matches('.');
        f.write_str(text)
    }
}

fn shorten(raw: &str) -> String {
    let mut s: String = raw.chars().take(40).collect();
    if raw.chars().count() > 40 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted() {
        for (raw, shown, ms) in [
            ("24", "24", 86_400_000),
            ("0.25", "0.25", 900_000),
            ("1.5", "1.5", 5_400_000),
            ("8760", "8760", 31_536_000_000),
            (" 48 ", "48", 172_800_000),
            ("200", "200", 720_000_000),
            (".5", "0.5", 1_800_000),
            ("24.000", "24", 86_400_000),
        ] {
            let t = Threshold::parse(raw).unwrap_or_else(|e| panic!("{raw:?}: {e}"));
            assert_eq!(t.to_string(), shown, "{raw:?}");
            assert_eq!(t.duration().num_milliseconds(), ms, "{raw:?}");
        }
    }

    #[test]
    fn rejected() {
        for raw in [
            "",
            "0",
            "0.0",
            "-1",
            "8760.5",
            "9999",
            "abc",
            "1e3",
            "NaN",
            "inf",
            "1,5",
            "24h",
            ".",
            "1.2.3",
            "0.0000000001",
        ] {
            assert!(Threshold::parse(raw).is_err(), "{raw:?} should be rejected");
        }
    }

    #[test]
    fn errors_name_the_field() {
        let e = Threshold::parse("-1").unwrap_err();
        assert_eq!(e.field, "threshold");
        assert!(e.to_string().contains("decimal"), "{e}");
    }
}
