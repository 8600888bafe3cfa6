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
