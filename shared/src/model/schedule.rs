//! A pulse's cron schedule: five fields in the pulse's timezone (`30 2 * * 1-5`).

use super::FieldError;
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use std::fmt;

const FIELD: &str = "schedule";

/// The text as the user wrote it (stored and shown) and the crate's parsed pattern.
#[derive(Clone)]
pub struct Schedule {
    text: String,
    cron: Cron,
}

impl Schedule {
    /// Five fields: minute, hour, day of month, month, day of week; names (`MON`, `JAN`), ranges,
    /// lists and steps.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let wrong = |why: String| {
            FieldError::new(
                FIELD,
                format!(
                    "“{}” is not a 5-field cron expression ({why}); use minute hour day-of-month month day-of-week, such as 30 2 * * 1-5",
                    text.chars().take(60).collect::<String>()
                ),
            )
        };
        // Nicknames (@daily) would hide the five fields the pages show; spelled out they are short.
        if text.split(' ').count() != 5 || text.contains('@') {
            return Err(wrong("it needs exactly five fields".to_owned()));
        }
        let parser = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build();
        let cron = parser.parse(&text).map_err(|e| wrong(e.to_string()))?;
        Ok(Self { text, cron })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn cron(&self) -> &Cron {
        &self.cron
    }
}

impl PartialEq for Schedule {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Schedule({:?})", self.text)
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted() {
        for raw in [
            "30 2 * * 1-5",
            "0 2 * * MON-FRI",
            "*/15 8-18 * JAN,DEC *",
            "0  9 1 * *",
            "0 0 * * sun",
        ] {
            let schedule = Schedule::parse(raw).unwrap_or_else(|e| panic!("{raw}: {}", e.problem));
            assert!(!schedule.as_str().contains("  "));
        }
    }

    #[test]
    fn refused_with_the_field_named() {
        for raw in [
            "",
            "0 2 * *",
            "0 0 2 * * 1-5",
            "@daily",
            "61 2 * * *",
            "0 25 * * *",
            "0 2 * * FOO",
            "x y z w v",
        ] {
            let err = Schedule::parse(raw).unwrap_err();
            assert_eq!(err.field, "schedule");
            assert!(
                err.problem.contains("5-field cron expression"),
                "{raw}: {}",
                err.problem
            );
        }
    }
}
