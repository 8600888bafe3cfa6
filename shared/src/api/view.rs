//! A pulse as the API shows it: its settings, its state by name and its times in RFC 3339 UTC.
//! Durations are seconds, thresholds hours, as the OpenAPI document says.

use super::pulses::DAY_NAMES;
use crate::model::{Pulse, Zone, format_stamp};
use crate::rules::state::State;
use crate::rules::status::status;
use chrono::{DateTime, Utc, Weekday};
use serde_json::{Value, json};

pub fn pulse_json(pulse: &Pulse, default_tz: Zone, now: DateTime<Utc>) -> Value {
    let status = status(pulse, now, default_tz);
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
    // Stored as text by whoever sent it; shown as JSON when it is JSON, else as the text it is.
    let metadata = pulse
        .last_metadata
        .as_deref()
        .map(|text| serde_json::from_str::<Value>(text).unwrap_or_else(|_| Value::String(text.to_owned())));
    let last = format_stamp(pulse.last_pulse);
    json!({
        "id": pulse.id.as_str(),
        "host": pulse.key.host,
        "category": pulse.key.category,
        "type": pulse.key.kind,
        "name": pulse.key.name,
        "status": State::of(&status).name(),
        "threshold": pulse.threshold.hours(),
        "saturday": pulse.saturday,
        "workdays": workdays,
        "tz": pulse.timezone(default_tz).name(),
        "calendars": calendars,
        "hours": expect.hours.map(|h| h.to_string()),
        "schedule": expect.schedule.as_ref().map(|s| s.as_str()),
        "grace": expect.grace.map(|g| g.duration().num_milliseconds() as f64 / 3_600_000.0),
        // Every signal today is a success; the signals issue tells them apart.
        "lastSignal": last,
        "lastSuccess": last,
        "dueAt": status.exceeded_after.map(format_stamp),
        "workingSeconds": status.working.num_milliseconds() as f64 / 1000.0,
        "pulseCount": pulse.pulse_count,
        "firstSeen": pulse.first_seen.map(format_stamp),
        "lastMessage": pulse.last_message,
        "lastMetadata": metadata,
    })
}
