//! The edit page's working-time fields: the same validation as the API's PATCH, errors next to
//! the field they concern, the input shown again, and `saturday` in step with `workdays`.

use super::edit::{edit_get, edit_post};
use crate::config::Config;
use crate::model::{Pulse, PulseKey};
use crate::store::MemoryStore;
use crate::testing::{FORM, get, original_pulse, post, text};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z").unwrap().to_utc()
}

fn setup() -> (MemoryStore, Config, Pulse) {
    let vars = HashMap::from([("DASHBOARD_SECRET".to_owned(), "s".to_owned())]);
    let config = Config::from_vars(&vars).unwrap();
    let store = MemoryStore::new();
    let key = PulseKey::parse(Some("web-1"), Some("jobs"), Some("cron"), Some("backup")).unwrap();
    let pulse = original_pulse(key, now(), "24", false);
    store.insert(pulse.clone());
    (store, config, pulse)
}

fn uri(pulse: &Pulse) -> String {
    format!("/heartbeat/edit?secret=s&id={}", pulse.id)
}

async fn save(store: &MemoryStore, config: &Config, pulse: &Pulse, body: &str) -> (u16, String) {
    let res = edit_post(post(&uri(pulse), FORM, body), store, store, config, now()).await;
    (res.status().as_u16(), text(&res))
}

/// What the page's own form sends: every field, the checkbox list, unticked boxes left out.
fn form(fields: &[(&str, &str)]) -> String {
    let mut all: Vec<(&str, &str)> = vec![
        ("threshold", "24"),
        ("checkboxes", "saturday,no_calendars"),
        ("tz", "UTC"),
        ("workdays", ""),
        ("calendars", ""),
        ("hours", ""),
        ("schedule", ""),
        ("grace", ""),
    ];
    for (name, value) in fields {
        match all.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => all.push((name, value)),
        }
    }
    all.iter()
        .map(|(n, v)| format!("{n}={}", urlencoding(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn urlencoding(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn the_working_time_fields_are_saved_and_shown() {
    let (store, config, pulse) = setup();
    let body = form(&[
        ("workdays", "Sun-Thu"),
        ("calendars", "de-BY, company"),
        ("hours", "08:00-18:00"),
        ("schedule", "30 2 * * 1-5"),
        ("grace", "0.5"),
    ]);
    let (status, page) = save(&store, &config, &pulse, &body).await;
    assert_eq!(status, 303, "{page}");
    let stored = store.snapshot(&pulse.id).unwrap();
    assert_eq!(stored.expect.workdays.unwrap().to_string(), "Sun-Thu");
    assert_eq!(stored.expect.calendars.as_ref().unwrap().to_string(), "de-BY,company");
    assert_eq!(stored.expect.hours.unwrap().to_string(), "08:00-18:00");
    assert_eq!(stored.expect.schedule.as_ref().unwrap().as_str(), "30 2 * * 1-5");
    assert_eq!(stored.expect.grace.unwrap().to_string(), "0.5");
    assert!(!stored.saturday, "Sun-Thu has no Saturday");

    let html = text(&edit_get(get(&uri(&pulse)), &store, &config, now()).await);
    for shown in [
        "name=\"workdays\" autocomplete=\"off\" spellcheck=\"false\" placeholder=\"Mon-Fri\" value=\"Sun-Thu\"",
        "value=\"de-BY,company\"",
        "value=\"08:00-18:00\"",
        "value=\"30 2 * * 1-5\"",
        "value=\"0.5\"",
    ] {
        assert!(html.contains(shown), "{shown} missing");
    }

    // Empty fields go back to the defaults; the tick opts out of every calendar.
    let body = form(&[("no_calendars", "1")]);
    assert_eq!(save(&store, &config, &pulse, &body).await.0, 303);
    let stored = store.snapshot(&pulse.id).unwrap();
    assert_eq!(stored.expect.workdays, None);
    assert!(stored.expect.calendars.as_ref().unwrap().is_empty(), "explicitly none");
    assert_eq!((stored.expect.hours, stored.expect.grace), (None, None));
    assert!(stored.expect.schedule.is_none());
    let html = text(&edit_get(get(&uri(&pulse)), &store, &config, now()).await);
    assert!(html.contains("name=\"no_calendars\" value=\"1\" checked>"), "{html}");
    // Unticked with the names empty: back to the service's defaults.
    assert_eq!(save(&store, &config, &pulse, &form(&[])).await.0, 303);
    assert_eq!(store.snapshot(&pulse.id).unwrap().expect.calendars, None);
}

#[tokio::test]
async fn the_saturday_box_and_workdays_stay_in_step() {
    let (store, config, pulse) = setup();
    let body = form(&[("workdays", "Sun-Thu")]);
    assert_eq!(save(&store, &config, &pulse, &body).await.0, 303);
    // The page shows Sun-Thu and an unticked box; ticking it alone adds Saturday to the days.
    let body = form(&[("workdays", "Sun-Thu"), ("saturday", "1")]);
    assert_eq!(save(&store, &config, &pulse, &body).await.0, 303);
    let stored = store.snapshot(&pulse.id).unwrap();
    assert_eq!(stored.expect.workdays.unwrap().to_string(), "Sat-Thu");
    assert!(stored.saturday);
    // Changed days decide the box: Mon-Fri has no Saturday even with the box ticked.
    let body = form(&[("workdays", "Mon-Fri"), ("saturday", "1")]);
    assert_eq!(save(&store, &config, &pulse, &body).await.0, 303);
    let stored = store.snapshot(&pulse.id).unwrap();
    assert_eq!(stored.expect.workdays.unwrap().to_string(), "Mon-Fri");
    assert!(!stored.saturday);
}

#[tokio::test]
async fn every_bad_field_is_named_next_to_it_and_nothing_is_saved() {
    let (store, config, pulse) = setup();
    let body = form(&[
        ("workdays", "Mo-Fr"),
        ("calendars", "de BY"),
        ("hours", "18:00-08:00"),
        ("schedule", "0 2 * *"),
        ("grace", "soon"),
    ]);
    let (status, html) = save(&store, &config, &pulse, &body).await;
    assert_eq!(status, 400);
    assert_eq!(store.snapshot(&pulse.id).unwrap(), pulse, "nothing saved");
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing in {html}"))
    };
    let mut last = at("id=\"form-error\">Nothing was saved");
    for field in ["workdays", "calendars", "hours", "schedule", "grace"] {
        let input = at(&format!("id=\"{field}\" name=\"{field}\""));
        let error = at(&format!("<p class=\"error\" id=\"{field}-error\">"));
        assert!(
            last < input && input < error,
            "{field} after the previous field, its error after it"
        );
        assert!(html[input..error].contains("aria-invalid=\"true\""), "{field}");
        last = error;
    }
    // The input is shown again as typed.
    for typed in [
        "value=\"Mo-Fr\"",
        "value=\"de BY\"",
        "value=\"0 2 * *\"",
        "value=\"soon\"",
    ] {
        assert!(html.contains(typed), "{typed}");
    }
    assert!(html.contains("“de BY” is not a calendar name"));
    assert!(html.contains("<title>Error: Edit backup"));

    let body = form(&[("calendars", "de-BY"), ("no_calendars", "1")]);
    let (status, html) = save(&store, &config, &pulse, &body).await;
    assert_eq!(status, 400);
    assert!(
        html.contains("id=\"calendars-error\">either name calendars or tick"),
        "{html}"
    );
    assert_eq!(store.snapshot(&pulse.id).unwrap(), pulse);
}

#[tokio::test]
async fn a_script_sending_only_the_original_fields_keeps_the_rest() {
    let (store, config, pulse) = setup();
    let body = form(&[("workdays", "Sun-Thu"), ("hours", "08:00-18:00")]);
    assert_eq!(save(&store, &config, &pulse, &body).await.0, 303);
    assert_eq!(save(&store, &config, &pulse, "threshold=12").await.0, 303);
    let stored = store.snapshot(&pulse.id).unwrap();
    assert_eq!(stored.threshold.to_string(), "12");
    assert_eq!(stored.expect.workdays.unwrap().to_string(), "Sun-Thu");
    assert_eq!(stored.expect.hours.unwrap().to_string(), "08:00-18:00");
}

#[tokio::test]
async fn max_runtime_is_saved_shown_cleared_and_named_when_wrong() {
    let (store, config, pulse) = setup();
    let (status, page) = save(&store, &config, &pulse, &form(&[("maxRuntime", "1.5")])).await;
    assert_eq!(status, 303, "{page}");
    let stored = store.snapshot(&pulse.id).unwrap();
    assert_eq!(stored.run.max_runtime.map(|m| m.to_string()).as_deref(), Some("1.5"));
    let html = text(&edit_get(get(&uri(&pulse)), &store, &config, now()).await);
    assert!(html.contains("name=\"maxRuntime\""), "the field is on the page");
    assert!(html.contains("value=\"1.5\""), "and shows the stored value");

    let (status, page) = save(&store, &config, &pulse, &form(&[("maxRuntime", "soon")])).await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("soon"), "the input is shown again");
    assert_eq!(
        store
            .snapshot(&pulse.id)
            .unwrap()
            .run
            .max_runtime
            .map(|m| m.to_string())
            .as_deref(),
        Some("1.5"),
        "nothing saved"
    );

    let (status, _) = save(&store, &config, &pulse, &form(&[("maxRuntime", "")])).await;
    assert_eq!(status, 303);
    assert_eq!(
        store.snapshot(&pulse.id).unwrap().run.max_runtime,
        None,
        "empty: no limit"
    );
}
