//! A pulse as the API shows it: its settings, its state by name and its times in RFC 3339 UTC.
//! Durations are seconds, thresholds hours, as the OpenAPI document says.

use super::pulses::DAY_NAMES;
use crate::model::{Pulse, Window, Zone, format_stamp};
use crate::rules::calendar_book::CalendarBook;
use crate::rules::quiet::{Silence, silence};
use crate::rules::signals;
use crate::rules::state;
use chrono::{DateTime, Utc, Weekday};
use serde_json::{Value, json};

/// The pulse judged with the holidays of its calendars (the API loads them once per request).
pub fn pulse_json_with(
    pulse: &Pulse,
    default_tz: Zone,
    now: DateTime<Utc>,
    windows: &[Window],
    book: &CalendarBook,
) -> Value {
    let (status, state) = state::judge(pulse, default_tz, now, windows, book);
    let silenced = silence(&pulse.key, &pulse.quiet, windows, now);
    let maintenance_until = match &silenced {
        Some(Silence::Maintenance { until, .. }) => Some(format_stamp(*until)),
        _ => None,
    };
    let week = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];
    let days = pulse.working_days();
    let workdays: Vec<&str> = week
        .iter()
        .zip(DAY_NAMES)
        .filter(|(d, _)| days.contains(**d))
        .map(|(_, name)| name)
        .collect();
    let expect = &pulse.expect;
    let calendars = expect
        .calendars
        .as_ref()
        .map(|c| c.names().iter().map(|n| n.as_str().to_owned()).collect::<Vec<_>>());
    let channels = expect
        .channels
        .as_ref()
        .map(|c| c.names().iter().map(|n| n.as_str().to_owned()).collect::<Vec<_>>());
    // Stored as text by whoever sent it; shown as JSON when it is JSON, else as the text it is.
    let metadata = pulse
        .last_metadata
        .as_deref()
        .map(|text| serde_json::from_str::<Value>(text).unwrap_or_else(|_| Value::String(text.to_owned())));
    json!({
        "id": pulse.id.as_str(),
        "host": pulse.key.host,
        "category": pulse.key.category,
        "type": pulse.key.kind,
        "name": pulse.key.name,
        "status": state.name(),
        "threshold": pulse.threshold.hours(),
        "saturday": pulse.saturday,
        "workdays": workdays,
        "tz": pulse.timezone(default_tz).name(),
        "calendars": calendars,
        "hours": expect.hours.map(|h| h.to_string()),
        "schedule": expect.schedule.as_ref().map(|s| s.as_str()),
        "grace": expect.grace.map(|g| g.duration().num_milliseconds() as f64 / 3_600_000.0),
        "channels": channels,
        "lastSignal": format_stamp(signals::last_signal(pulse).1),
        "lastSuccess": signals::last_success(pulse).map(format_stamp),
        "dueAt": status.exceeded_after.map(format_stamp),
        "workingSeconds": status.working.num_milliseconds() as f64 / 1000.0,
        "pulseCount": pulse.pulse_count,
        "firstSeen": pulse.first_seen.map(format_stamp),
        "lastMessage": pulse.last_message,
        "lastMetadata": metadata,
        "snoozedUntil": pulse.quiet.snoozed_until.filter(|until| *until > now).map(format_stamp),
        "paused": pulse.quiet.paused,
        "maintenanceUntil": maintenance_until,
        "lastExit": pulse.run.exit_code,
        "lastDuration": signals::last_duration(&pulse.run).map(|d| d.num_milliseconds() as f64 / 1000.0),
        "maxRuntime": pulse.run.max_runtime.map(|m| m.duration().num_milliseconds() as f64 / 3_600_000.0),
    })
}
