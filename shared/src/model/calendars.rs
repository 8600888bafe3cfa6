//! The names of the holiday calendars a pulse follows (`de-BY,company`).

use super::FieldError;
use std::fmt;

const FIELD: &str = "calendars";
const MAX_NAME: usize = 64;

/// A calendar's name: 1 to 64 letters, digits, `-`, `_` or `.`, so it is safe in a URL path and
/// in a comma-separated list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarName(String);

impl CalendarName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::parse_as(FIELD, raw)
    }

    pub fn parse_as(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim();
        let ok = !name.is_empty()
            && name.len() <= MAX_NAME
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if ok {
            Ok(Self(name.to_owned()))
        } else {
            Err(FieldError::new(
                field,
                format!(
                    "“{}” is not a calendar name; use 1 to {MAX_NAME} letters, digits, -, _ or . (such as de-BY)",
                    name.chars().take(40).collect::<String>()
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CalendarName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A pulse's calendars. An empty list is meaningful: it opts out of `DEFAULT_CALENDARS`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CalendarNames(Vec<CalendarName>);

impl CalendarNames {
    /// Comma-separated names; empty text is the empty list. Duplicates are dropped.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let mut names: Vec<CalendarName> = Vec::new();
        for part in raw.split(',').filter(|p| !p.trim().is_empty()) {
            let name = CalendarName::parse(part)?;
            if !names.contains(&name) {
                names.push(name);
            }
        }
        Ok(Self(names))
    }

    pub fn names(&self) -> &[CalendarName] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for CalendarNames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(CalendarName::as_str).collect();
        f.write_str(&names.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists() {
        assert_eq!(
            CalendarNames::parse("de-BY,company").unwrap().to_string(),
            "de-BY,company"
        );
        assert_eq!(CalendarNames::parse(" de-BY , de-BY ").unwrap().to_string(), "de-BY");
        assert!(CalendarNames::parse("").unwrap().is_empty());
        for bad in ["de BY", "a/b", "x,ü", &"a".repeat(65)] {
            let err = CalendarNames::parse(bad).unwrap_err();
            assert_eq!(err.field, "calendars");
            assert!(err.problem.contains("not a calendar name"), "{bad}");
        }
    }
}
