//! The one validation of a pulse's settings, used by the first pulse, the edit page and the API
//! alike, so a value one refuses the others refuse too, with the same words.

use super::{
    CalendarNames, Expectation, FieldError, Grace, Hours, MaxRuntime, PulseChannels, Schedule, Settings, Threshold,
    WorkingDays, Zone,
};

/// What a request asks to change. `None` keeps the current value; for the optional settings
/// `Some(None)` clears it (back to the default) and `Some(Some(text))` sets it.
#[derive(Debug, Clone, Copy, Default)]
pub struct SettingsInput<'a> {
    pub threshold: Option<&'a str>,
    pub saturday: Option<bool>,
    pub tz: Option<&'a str>,
    pub workdays: Option<Option<&'a str>>,
    pub calendars: Option<Option<&'a str>>,
    pub hours: Option<Option<&'a str>>,
    pub schedule: Option<Option<&'a str>>,
    pub grace: Option<Option<&'a str>>,
    /// Hours a started run may take (signals).
    pub max_runtime: Option<Option<&'a str>>,
    /// Comma-separated channel names; empty text clears like `None` (the routes apply).
    pub channels: Option<Option<&'a str>>,
}

/// The new settings from the original three fields (threshold, saturday, tz).
pub fn validate_settings(
    current: &Settings,
    threshold: Option<&str>,
    saturday: Option<bool>,
    tz: Option<&str>,
) -> Result<Settings, Vec<FieldError>> {
    validate_input(
        current,
        &SettingsInput {
            threshold,
            saturday,
            tz,
            ..SettingsInput::default()
        },
    )
}

/// The new settings: each field given replaces the current one. Every field's problem is reported
/// at once, so the user fixes them in one go. `saturday` and `workdays` stay in step: writing
/// `workdays` sets `saturday` to whether Saturday is in it, and writing `saturday` alone on a pulse
/// with `workdays` adds or removes Saturday there.
pub fn validate_input(current: &Settings, input: &SettingsInput<'_>) -> Result<Settings, Vec<FieldError>> {
    let mut errors = Vec::new();
    let threshold = take(
        &mut errors,
        input.threshold.map_or(Ok(current.threshold), Threshold::parse),
        current.threshold,
    );
    let tz = take(&mut errors, input.tz.map_or(Ok(current.tz), Zone::parse), current.tz);
    let old = &current.expect;
    let workdays = take(
        &mut errors,
        optional(input.workdays, old.workdays, WorkingDays::parse),
        old.workdays,
    );
    let calendars = match input.calendars {
        None => old.calendars.clone(),
        Some(None) => None,
        Some(Some(text)) => CalendarNames::parse(text).map(Some).unwrap_or_else(|e| {
            errors.push(e);
            None
        }),
    };
    let hours = take(&mut errors, optional(input.hours, old.hours, Hours::parse), old.hours);
    let grace = take(&mut errors, optional(input.grace, old.grace, Grace::parse), old.grace);
    let max_runtime = take(
        &mut errors,
        optional(input.max_runtime, current.max_runtime, MaxRuntime::parse),
        current.max_runtime,
    );
    let schedule = match input.schedule {
        None => old.schedule.clone(),
        Some(None) => None,
        Some(Some(text)) => Schedule::parse(text).map(Some).unwrap_or_else(|e| {
            errors.push(e);
            None
        }),
    };
    let channels = match input.channels {
        None => old.channels.clone(),
        Some(None) => None,
        Some(Some(text)) => PulseChannels::parse(text).unwrap_or_else(|e| {
            errors.push(e);
            None
        }),
    };
    if !errors.is_empty() {
        errors.sort_by_key(|e| FIELD_ORDER.iter().position(|f| *f == e.field));
        return Err(errors);
    }
    let mut saturday = input.saturday.unwrap_or(current.saturday);
    let workdays = match (input.workdays, input.saturday, workdays) {
        (Some(Some(_)), _, Some(days)) => {
            saturday = days.saturday();
            Some(days)
        }
        (None, Some(sat), Some(days)) => Some(days.with_saturday(sat)),
        (_, _, days) => days,
    };
    Ok(Settings {
        threshold,
        saturday,
        tz,
        expect: Expectation {
            workdays,
            calendars,
            hours,
            schedule,
            grace,
            channels,
        },
        max_runtime,
    })
}

/// The order the edit form shows the fields in, so the first error is the first field.
const FIELD_ORDER: [&str; 10] = [
    "threshold",
    "saturday",
    "tz",
    "workdays",
    "calendars",
    "hours",
    "schedule",
    "grace",
    "maxRuntime",
    "channels",
];

fn optional<T: Copy>(
    given: Option<Option<&str>>,
    current: Option<T>,
    parse: impl Fn(&str) -> Result<T, FieldError>,
) -> Result<Option<T>, FieldError> {
    match given {
        None => Ok(current),
        Some(None) => Ok(None),
        Some(Some(text)) => parse(text).map(Some),
    }
}

fn take<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>, fallback: T) -> T {
    result.unwrap_or_else(|e| {
        errors.push(e);
        fallback
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current() -> Settings {
        Settings {
            threshold: Threshold::parse("24").unwrap(),
            saturday: true,
            tz: Zone::parse("Europe/Berlin").unwrap(),
            expect: Expectation::default(),
            max_runtime: None,
        }
    }

    #[test]
    fn max_runtime_is_set_kept_cleared_and_named_when_wrong() {
        let two_hours = SettingsInput {
            max_runtime: Some(Some("2")),
            ..SettingsInput::default()
        };
        let set = validate_input(&current(), &two_hours).unwrap();
        assert_eq!(set.max_runtime.map(|m| m.to_string()).as_deref(), Some("2"));
        let kept = validate_input(&set, &SettingsInput::default()).unwrap();
        assert_eq!(kept.max_runtime, set.max_runtime, "absent: kept");
        let clear = SettingsInput {
            max_runtime: Some(None),
            ..SettingsInput::default()
        };
        assert_eq!(validate_input(&set, &clear).unwrap().max_runtime, None);
        for wrong in ["0", "-1", "soon", "9000"] {
            let input = SettingsInput {
                max_runtime: Some(Some(wrong)),
                ..SettingsInput::default()
            };
            let errors = validate_input(&current(), &input).unwrap_err();
            assert_eq!(
                errors.iter().map(|e| e.field).collect::<Vec<_>>(),
                ["maxRuntime"],
                "{wrong}"
            );
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
        let input = SettingsInput {
            workdays: Some(Some("Mo-Fr")),
            hours: Some(Some("18:00-08:00")),
            schedule: Some(Some("0 2 * *")),
            grace: Some(Some("soon")),
            calendars: Some(Some("a b")),
            channels: Some(Some("Ops")),
            ..SettingsInput::default()
        };
        let fields: Vec<_> = validate_input(&current(), &input)
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["workdays", "calendars", "hours", "schedule", "grace", "channels"]
        );
    }

    #[test]
    fn saturday_follows_workdays() {
        let input = SettingsInput {
            workdays: Some(Some("Sun-Thu")),
            ..SettingsInput::default()
        };
        let sun_thu = validate_input(&current(), &input).unwrap();
        assert!(!sun_thu.saturday, "Sun-Thu has no Saturday");
        assert_eq!(sun_thu.expect.workdays.unwrap().to_string(), "Sun-Thu");
        // The original's field alone then adds Saturday to the set, and takes it away again.
        let with_sat = validate_settings(&sun_thu, None, Some(true), None).unwrap();
        assert_eq!(with_sat.expect.workdays.unwrap().to_string(), "Sat-Thu");
        assert!(with_sat.saturday);
        let without = validate_settings(&with_sat, None, Some(false), None).unwrap();
        assert_eq!(without.expect.workdays.unwrap().to_string(), "Sun-Thu");
        // Clearing workdays goes back to the flag.
        let cleared = validate_input(
            &with_sat,
            &SettingsInput {
                workdays: Some(None),
                ..SettingsInput::default()
            },
        )
        .unwrap();
        assert_eq!(cleared.expect.workdays, None);
        assert!(cleared.saturday);
    }

    #[test]
    fn optional_settings_set_and_clear() {
        let input = SettingsInput {
            calendars: Some(Some("de-BY,company")),
            hours: Some(Some("08:00-18:00")),
            schedule: Some(Some("0 2 * * 1-5")),
            grace: Some(Some("0.5")),
            ..SettingsInput::default()
        };
        let set = validate_input(&current(), &input).unwrap();
        assert_eq!(set.expect.calendars.as_ref().unwrap().to_string(), "de-BY,company");
        assert_eq!(set.expect.hours.unwrap().to_string(), "08:00-18:00");
        assert_eq!(set.expect.schedule.as_ref().unwrap().as_str(), "0 2 * * 1-5");
        assert_eq!(set.expect.grace.unwrap().to_string(), "0.5");
        let opt_out = SettingsInput {
            calendars: Some(Some("")),
            hours: Some(None),
            schedule: Some(None),
            ..SettingsInput::default()
        };
        let cleared = validate_input(&set, &opt_out).unwrap();
        assert!(cleared.expect.calendars.unwrap().is_empty(), "explicit empty list");
        assert_eq!((cleared.expect.hours, cleared.expect.schedule), (None, None));
        assert_eq!(cleared.expect.grace, set.expect.grace, "untouched");
    }

    #[test]
    fn channels_set_kept_and_cleared() {
        let set = SettingsInput {
            channels: Some(Some("ops, pager")),
            ..SettingsInput::default()
        };
        let with = validate_input(&current(), &set).unwrap();
        assert_eq!(with.expect.channels.as_ref().unwrap().to_string(), "ops,pager");
        let kept = validate_settings(&with, Some("2"), None, None).unwrap();
        assert_eq!(kept.expect.channels, with.expect.channels, "other edits keep them");
        for clear in [Some(None), Some(Some("")), Some(Some(" , "))] {
            let input = SettingsInput {
                channels: clear,
                ..SettingsInput::default()
            };
            assert_eq!(
                validate_input(&with, &input).unwrap().expect.channels,
                None,
                "{clear:?}"
            );
        }
        let bad = SettingsInput {
            channels: Some(Some("ops,Pager!")),
            ..SettingsInput::default()
        };
        let errors = validate_input(&with, &bad).unwrap_err();
        assert_eq!(errors[0].field, "channels");
        assert!(errors[0].problem.contains("Pager!"), "{errors:?}");
    }
}
