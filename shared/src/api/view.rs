//! A pulse as the API shows it: its settings, its state by name and its times in RFC 3339 UTC.
//! Durations are seconds, thresholds hours, as the OpenAPI document says.

use crate::model::{Pulse, Zone, format_stamp};
use crate::rules::signals;
use crate::rules::status::status;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

pub fn pulse_json(pulse: &Pulse, default_tz: Zone, now: DateTime<Utc>) -> Value {
    let status = status(pulse, now, default_tz);
    let workdays: &[&str] = if pulse.saturday {
        &["mon", "tue", "wed", "thu", "fri", "sat"]
    } else {
        &["mon", "tue", "wed", "thu", "fri"]
    };
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
        "status": signals::state(pulse, &status, now).name(),
        "threshold": pulse.threshold.hours(),
        "saturday": pulse.saturday,
        "workdays": workdays,
        "tz": pulse.timezone(default_tz).name(),
        // Every signal today is a success; the signals issue tells them apart.
        "lastSignal": last,
        "lastSuccess": last,
        "dueAt": status.exceeded_after.map(format_stamp),
        "workingSeconds": status.working.num_milliseconds() as f64 / 1000.0,
        "pulseCount": pulse.pulse_count,
        "firstSeen": pulse.first_seen.map(format_stamp),
        "lastMessage": pulse.last_message,
        "lastMetadata": metadata,
        "lastExit": pulse.run.exit_code,
        "lastDuration": signals::last_duration(&pulse.run).map(|d| d.num_milliseconds() as f64 / 1000.0),
        "maxRuntime": pulse.run.max_runtime.map(|m| m.duration().num_milliseconds() as f64 / 3_600_000.0),
    })
}
