//! Sample views for the page tests, filled the way the handlers fill them (through `local_time`
//! and `relative_time`), including hostile user data.

use super::{
    DashboardRow, DashboardView, EditErrors, EditForm, EditView, ErrorView, LastSignals, When, full_time, local_time,
    page_time, relative_time,
};
use crate::rules::state::{self, State};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// The zone the sample dashboard's times are in.
const PAGE_ZONE: Tz = chrono_tz::Europe::Berlin;

pub(crate) const XSS_NAME: &str = "<script>alert(1)</script>";
pub(crate) const XSS_HOST: &str = "\"&'<>";

pub(crate) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 20, 15, 0).unwrap()
}

struct Spec {
    host: &'static str,
    category: &'static str,
    kind: &'static str,
    name: &'static str,
    minutes_ago: i64,
    hours_since: f64,
    threshold: f64,
    saturday: bool,
}

fn row(spec: Spec) -> DashboardRow<'static> {
    let at = now() - TimeDelta::minutes(spec.minutes_ago);
    let cron = spec.kind == "cron";
    DashboardRow {
        host: spec.host,
        category: spec.category,
        kind: spec.kind,
        name: spec.name,
        last_pulse_local: page_time(at, PAGE_ZONE, now()),
        last_pulse_offset_s: -spec.minutes_ago * 60,
        last_pulse_relative: relative_time(at, now()),
        hours_since: spec.hours_since,
        delta: spec.hours_since - spec.threshold,
        threshold: spec.threshold.to_string(),
        threshold_text: crate::words::hours(spec.threshold),
        saturday: spec.saturday,
        // Ids the key does not give (the samples' keys are made up): the page carries them.
        id_unless_key: Some(format!("{:064x}", spec.minutes_ago)),
        state: if spec.hours_since > spec.threshold {
            State::Late
        } else {
            State::Ok
        },
        due_in: if spec.hours_since > spec.threshold {
            "late for 2 h".into()
        } else {
            "in 3 h".into()
        },
        due_offset_s: Some(3 * 3600),
        // The cron jobs report their runs (through the heartbeat client), the others only pulse.
        last_duration: if cron { "12 s".into() } else { String::new() },
        last_duration_ms: cron.then_some(12_500),
        last_exit: cron.then_some(3),
    }
}

/// Eight rows in the default order (delta descending), two exceeded, one with a hostile name.
pub(crate) fn dashboard() -> DashboardView<'static> {
    let specs = [
        Spec {
            host: "db-1.internal",
            category: "backup",
            kind: "cron",
            name: "nightly-dump",
            minutes_ago: 3 * 24 * 60 + 125,
            hours_since: 26.5,
            threshold: 24.0,
            saturday: false,
        },
        Spec {
            host: "web-2",
            category: "reports",
            kind: "cron",
            name: "invoice-mail",
            minutes_ago: 26 * 60 + 5,
            hours_since: 26.1,
            threshold: 25.5,
            saturday: true,
        },
        Spec {
            host: XSS_HOST,
            category: "etl",
            kind: "lambda",
            name: XSS_NAME,
            minutes_ago: 20 * 60,
            hours_since: 20.0,
            threshold: 24.0,
            saturday: false,
        },
        Spec {
            host: "batch-7",
            category: "etl",
            kind: "k8s-cronjob",
            name: "orders-sync",
            minutes_ago: 185,
            hours_since: 3.1,
            threshold: 6.0,
            saturday: true,
        },
        Spec {
            host: "mumbai-1",
            category: "billing",
            kind: "cron",
            name: "gst-export",
            minutes_ago: 300,
            hours_since: 5.0,
            threshold: 48.0,
            saturday: false,
        },
        Spec {
            host: "web-1",
            category: "cache",
            kind: "systemd-timer",
            name: "warm-cdn",
            minutes_ago: 7,
            hours_since: 0.1,
            threshold: 0.25,
            saturday: false,
        },
        Spec {
            host: "db-2.internal",
            category: "backup",
            kind: "cron",
            name: "wal-archive",
            minutes_ago: 62,
            hours_since: 1.0,
            threshold: 24.0,
            saturday: false,
        },
        Spec {
            host: "ops",
            category: "housekeeping",
            kind: "cron",
            name: "rotate-logs-and-a-rather-long-job-name",
            minutes_ago: 0,
            hours_since: 0.0,
            threshold: 168.0,
            saturday: true,
        },
    ];
    let mut rows: Vec<DashboardRow<'static>> = specs.into_iter().map(row).collect();
    rows.sort_by(|a, b| a.state.cmp(&b.state).then(b.delta.total_cmp(&a.delta)));
    let late = rows.iter().filter(|r| r.state == State::Late).count();
    DashboardView {
        total: rows.len(),
        counts: vec![(State::Late, late), (State::Ok, rows.len() - late)],
        attention: late,
        rows,
        unreadable: 1,
        generated_at: "2026-11-23T20:15:00.000Z".to_string(),
        generated_local: full_time(now(), PAGE_ZONE),
        zone: PAGE_ZONE.name(),
        status_names: &state::NAMES,
        maintenance_href: "maintenance?secret=s".into(),
        channels_href: "channels?secret=s".into(),
        calendars_href: "calendars?secret=s".into(),
        secret_query: "secret=s%26cret".into(),
        paging: super::Paging::new(1, 8),
    }
}

pub(crate) fn empty_dashboard() -> DashboardView<'static> {
    DashboardView {
        rows: Vec::new(),
        total: 0,
        counts: Vec::new(),
        attention: 0,
        unreadable: 0,
        generated_at: "2026-11-23T20:15:00.000Z".to_string(),
        generated_local: full_time(now(), Tz::UTC),
        zone: "UTC",
        status_names: &state::NAMES,
        maintenance_href: "maintenance?secret=s".into(),
        channels_href: "channels?secret=s".into(),
        calendars_href: "calendars?secret=s".into(),
        secret_query: "secret=s%26cret".into(),
        paging: super::Paging::new(1, 0),
    }
}

/// The edit page as re-shown after a refused save: the user's input kept, errors by the fields.
pub(crate) fn edit_with_errors() -> EditView {
    let at = now() - TimeDelta::minutes(3 * 24 * 60 + 125);
    EditView {
        id: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".to_string(),
        host: "db-1.internal".to_string(),
        category: "backup".to_string(),
        kind: "cron".to_string(),
        name: XSS_NAME.to_string(),
        last: LastSignals {
            success: Some(When {
                local: local_time(at, chrono_tz::Europe::Berlin),
                relative: relative_time(at, now()),
            }),
            later: None,
        },
        hours_since: 26.5,
        delta: 2.5,
        threshold_text: "1 d".to_string(),
        status: "late",
        pulse_count: Some(412),
        first_seen: Some("2025-02-03 09:12 CET".to_string()),
        last_message: Some("dump ok: 1.2 GiB in 14 min\n<b>not bold</b>".to_string()),
        last_metadata: Some(r#"{"bytes":1288490188,"duration_s":840}"#.to_string()),
        form: EditForm {
            threshold: "twelve\"><b>".to_string(),
            saturday: true,
            tz: "Europe/Berlinn".to_string(),
            workdays: "Mon-Fri".to_string(),
            calendars: "de BY".to_string(),
            hours: "08:00-18:00".to_string(),
            ..EditForm::default()
        },
        errors: EditErrors {
            threshold: Some("must be a number of hours, e.g. 24 or 0.25".to_string()),
            saturday: None,
            tz: Some("“Europe/Berlinn” is not a known IANA timezone".to_string()),
            calendars: Some("“de BY” is not a calendar name".to_string()),
            form: Some("Nothing was saved; please correct the fields below.".to_string()),
            ..EditErrors::default()
        },
        action_href: "edit?secret=s%26cret&id=9f86d081".to_string(),
        dashboard_href: "dashboard?secret=s%26cret".to_string(),
        default_tz: "UTC".to_string(),
        quiet_href: "quiet?secret=s&id=x".into(),
    }
}

/// The edit page as first shown: stored values, no errors, details of an original-server item.
pub(crate) fn edit_clean() -> EditView {
    EditView {
        pulse_count: None,
        first_seen: None,
        last_message: None,
        last_metadata: None,
        status: "ok",
        hours_since: 3.2,
        delta: 3.2 - 24.0,
        threshold_text: "1 d".to_string(),
        form: EditForm {
            threshold: "24".to_string(),
            saturday: false,
            tz: "UTC".to_string(),
            ..EditForm::default()
        },
        errors: EditErrors::default(),
        name: "nightly-dump".to_string(),
        ..edit_with_errors()
    }
}

pub(crate) fn error() -> ErrorView {
    ErrorView {
        status: 404,
        title: "Not found".to_string(),
        message: "No pulse has the id <b>42</b>; it may have been deleted.".to_string(),
    }
}
