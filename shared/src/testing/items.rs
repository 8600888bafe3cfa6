//! Pulses shaped like the items the original Node server wrote: the four names, the timestamp, the
//! threshold and the Saturday flag, and none of the attributes this project adds.

use crate::model::{Pulse, PulseKey, Threshold, format_stamp};
use chrono::{DateTime, Utc};

pub fn original_pulse(key: PulseKey, last: DateTime<Utc>, threshold: &str, saturday: bool) -> Pulse {
    Pulse {
        id: key.id(),
        key,
        last_pulse: last,
        stamp: format_stamp(last),
        threshold: Threshold::parse(threshold).expect("a valid threshold"),
        saturday,
        tz: None,
        pulse_count: None,
        first_seen: None,
        last_message: None,
        last_metadata: None,
        alert: None,
        claim: None,
        due_at: None,
        quiet: Default::default(),
        run: Default::default(),
        expect: Default::default(),
        delivered: Vec::new(),
    }
}

/// A fixed Monday (2026-11-23) at `h:m` UTC, so rule tests never depend on the day they run.
pub fn monday_at(h: u32, m: u32) -> DateTime<Utc> {
    use chrono::TimeZone as _;
    Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0).unwrap()
}

/// An original pulse `h/c/t/n` that last pulsed at [`monday_at`] 08:00 with a 24 h threshold, in `run`.
pub fn pulse_running(run: crate::model::RunState) -> Pulse {
    let key = PulseKey::parse(Some("h"), Some("c"), Some("t"), Some("n")).unwrap();
    Pulse {
        run,
        ..original_pulse(key, monday_at(8, 0), "24", false)
    }
}
