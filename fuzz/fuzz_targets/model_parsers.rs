//! The model's parsers on arbitrary text: `Threshold`, `Zone`, `PulseKey`, `PulseId` and
//! `parse_stamp` never panic, and what they accept round-trips through its text form.
//!
//! The input is text, one candidate per line (so seeds stay readable): every line goes to every
//! parser, and the first four lines, where present, are a pulse key's host, category, type and name.

#![no_main]

use chrono::{Datelike, Timelike};
use heartbeat_shared::model::{PulseId, PulseKey, Threshold, Zone, format_stamp, parse_stamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.split('\n').collect();
    for line in lines.iter().copied().chain([text.as_ref()]) {
        threshold(line);
        timezone(line);
        pulse_id(line);
        stamp(line);
    }
    let field = |i: usize| lines.get(i).copied();
    if let Ok(key) = PulseKey::parse(field(0), field(1), field(2), field(3)) {
        for field in [&key.host, &key.category, &key.kind, &key.name] {
            assert!(!field.is_empty() && field.chars().count() <= 256, "{field:?}");
            assert!(!field.chars().any(char::is_control), "{field:?}");
        }
        let id = key.id();
        assert_eq!(PulseId::parse(id.as_str()).as_ref(), Ok(&id), "a key's id parses");
    }
});

fn threshold(text: &str) {
    let Ok(threshold) = Threshold::parse(text) else {
        return;
    };
    let hours = threshold.hours();
    assert!(hours > 0.0 && hours <= 8760.0, "{text:?} gave {hours} h");
    assert!(threshold.duration().num_milliseconds() >= 1, "{text:?}");
    // The text form must read back as the same threshold (it once had only 3.6 ms resolution:
    // artifacts/model_parsers/ holds the inputs that found it).
    let shown = threshold.to_string();
    let again = Threshold::parse(&shown);
    assert_eq!(again, Ok(threshold), "{text:?} shown as {shown:?}");
}

fn timezone(text: &str) {
    if let Ok(tz) = Zone::parse(text) {
        assert_eq!(Zone::parse(tz.name()), Ok(tz), "{text:?}");
        assert_eq!(tz.name(), text.trim(), "a zone is accepted only under its exact name");
    }
}

fn pulse_id(text: &str) {
    if let Ok(id) = PulseId::parse(text) {
        assert_eq!(id.as_str(), text);
    }
}

fn stamp(text: &str) {
    let Some(at) = parse_stamp(text) else {
        return;
    };
    let stamp = format_stamp(at);
    // The written form keeps milliseconds. RFC 3339 years are 0000–9999, and an offset can carry an
    // instant just outside that range once it is moved to UTC, where it is written in a form
    // RFC 3339 has no room for.
    match parse_stamp(&stamp) {
        Some(again) => {
            let millis = at.timestamp_subsec_nanos() / 1_000_000 * 1_000_000;
            assert_eq!(Some(again), at.with_nanosecond(millis), "{text:?} written as {stamp:?}");
        }
        None => assert!(
            !(0..=9999).contains(&at.year()),
            "{text:?} written as {stamp:?}, which does not parse"
        ),
    }
}
