//! The one validation of a pulse's settings, used by the edit page and the API alike, so a value
//! one refuses the other refuses too, with the same words.

use super::{FieldError, Settings, Threshold, Zone};

/// The new settings: each field given replaces the current one, each `None` keeps it. Every
/// field's problem is reported at once, so the user fixes them in one go.
pub fn validate_settings(
    current: &Settings,
    threshold: Option<&str>,
    saturday: Option<bool>,
    tz: Option<&str>,
) -> Result<Settings, Vec<FieldError>> {
    let threshold = threshold.map_or(Ok(current.threshold), Threshold::parse);
    let tz = tz.map_or(Ok(current.tz), Zone::parse);
    match (threshold, tz) {
        (Ok(threshold), Ok(tz)) => Ok(Settings {
            threshold,
            saturday: saturday.unwrap_or(current.saturday),
            tz,
        }),
        (threshold, tz) => Err([threshold.err(), tz.err()].into_iter().flatten().collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current() -> Settings {
        Settings {
            threshold: Threshold::parse("24").unwrap(),
            saturday: true,
            tz: Zone::parse("Europe/Berlin").unwrap(),
        }
    }

    #[test]
    fn absent_fields_keep_their_values() {
        assert_eq!(validate_settings(&current(), None, None, None).unwrap(), current());
        let changed = validate_settings(&current(), Some("0.5"), Some(false), Some("UTC")).unwrap();
        assert_eq!(changed.threshold.to_string(), "0.5");
        assert!(!changed.saturday);
        assert_eq!(changed.tz, Zone::UTC);
    }

    #[test]
    fn every_problem_at_once() {
        let errors = validate_settings(&current(), Some("twelve"), None, Some("Mars/Base")).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["threshold", "tz"]);
        assert!(errors[0].problem.contains("is not a number of hours"), "{errors:?}");
        let errors = validate_settings(&current(), Some(""), None, None).unwrap_err();
        assert!(errors[0].problem.starts_with("is required"), "{errors:?}");
    }
}
