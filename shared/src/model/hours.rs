//! A pulse's working hours: the part of each working day, in local time, that counts.

use super::FieldError;
use std::fmt;

const FIELD: &str = "hours";
const DAY_MINUTES: u16 = 24 * 60;

/// `[start, end)` in minutes after local midnight; `start < end`, `end` may be 24:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    start: u16,
    end: u16,
}

impl Hours {
    /// Parses `HH:MM-HH:MM` (`08:00-18:00`, `22:00-24:00`).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let text = raw.trim();
        let wrong = || {
            FieldError::new(
                FIELD,
                format!(
                    "“{}” is not a span of hours; use HH:MM-HH:MM such as 08:00-18:00 (24:00 allowed as the end)",
                    text.chars().take(40).collect::<String>()
                ),
            )
        };
        let (start, end) = text.split_once('-').ok_or_else(wrong)?;
        let (start, end) = (minutes(start).ok_or_else(wrong)?, minutes(end).ok_or_else(wrong)?);
        if start >= DAY_MINUTES {
            return Err(wrong());
        }
        if start >= end {
            return Err(FieldError::new(
                FIELD,
                format!("“{text}” ends before it starts; the start must be earlier than the end, within one day"),
            ));
        }
        Ok(Self { start, end })
    }

    /// Seconds after local midnight where the hours begin.
    pub fn start_seconds(self) -> i64 {
        i64::from(self.start) * 60
    }

    /// Seconds after local midnight where the hours end (86 400 for 24:00).
    pub fn end_seconds(self) -> i64 {
        i64::from(self.end) * 60
    }
}

/// `HH:MM` as minutes after midnight, up to 24:00.
fn minutes(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    let digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    let total = h * 60 + m;
    (m < 60 && total <= DAY_MINUTES).then_some(total)
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        write!(f, "{}-{}", hm(self.start), hm(self.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted() {
        for (raw, shown, start, end) in [
            ("08:00-18:00", "08:00-18:00", 8 * 3600, 18 * 3600),
            (" 00:00-24:00 ", "00:00-24:00", 0, 86_400),
            ("22:30-24:00", "22:30-24:00", 22 * 3600 + 1800, 86_400),
            ("01:00-05:00", "01:00-05:00", 3600, 5 * 3600),
        ] {
            let hours = Hours::parse(raw).unwrap();
            assert_eq!(hours.to_string(), shown);
            assert_eq!((hours.start_seconds(), hours.end_seconds()), (start, end), "{raw}");
        }
    }

    #[test]
    fn refused_with_the_field_named() {
        for raw in [
            "",
            "8-18",
            "08:00",
            "8:00-18:00",
            "08:00-18:60",
            "24:00-24:00",
            "25:00-26:00",
            "08:00–18:00",
        ] {
            let err = Hours::parse(raw).unwrap_err();
            assert_eq!(err.field, "hours");
            assert!(err.problem.contains("HH:MM-HH:MM"), "{raw}: {}", err.problem);
        }
        for raw in ["18:00-08:00", "08:00-08:00"] {
            let err = Hours::parse(raw).unwrap_err();
            assert!(err.problem.contains("ends before it starts"), "{raw}: {}", err.problem);
        }
    }
}
