//! An event ↔ its DynamoDB item, written once. Attribute names are constants; unknown kinds and
//! unreadable keys are left out when read (logged), like the pulse items.

use super::{AT, EXPIRES, PULSE, StoredEvent, key_instant};
use crate::model::{Event, EventKind, PulseId};
use crate::store::item::{Item, n, s};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, TimeDelta, Utc};

const KIND: &str = "kind";
const EXIT: &str = "exit";
const DURATION_MS: &str = "durationMs";
const MESSAGE: &str = "message";
const LOG: &str = "log";
const LOG_BYTES: &str = "logBytes";
const INCIDENT: &str = "incident";

pub fn to_item(key: &str, event: &Event) -> Item {
    let mut item = Item::from([
        (PULSE.to_owned(), s(event.pulse.as_str())),
        (AT.to_owned(), s(key)),
        (KIND.to_owned(), s(event.kind.name())),
        (EXPIRES.to_owned(), n(event.expires.timestamp())),
    ]);
    let mut put = |name: &str, value: Option<AttributeValue>| {
        if let Some(value) = value {
            item.insert(name.to_owned(), value);
        }
    };
    put(EXIT, event.exit.map(|e| n(i64::from(e))));
    put(DURATION_MS, event.duration.map(|d| n(d.num_milliseconds())));
    put(MESSAGE, event.message.clone().filter(|m| !m.is_empty()).map(s));
    put(INCIDENT, event.incident.clone().map(s));
    if let Some(log) = event.log.as_deref().filter(|l| !l.is_empty()) {
        put(LOG_BYTES, Some(n(log.len() as i64)));
        put(LOG, Some(s(log)));
    }
    item
}

pub fn from_item(item: &Item) -> Option<StoredEvent> {
    let text = |name: &str| match item.get(name) {
        Some(AttributeValue::S(v)) => Some(v.clone()),
        _ => None,
    };
    let number = |name: &str| match item.get(name) {
        Some(AttributeValue::N(v)) => v.parse::<i64>().ok(),
        _ => None,
    };
    let stored = (|| {
        let key = text(AT)?;
        let at = key_instant(&key)?;
        Some(StoredEvent {
            event: Event {
                pulse: PulseId::from_stored(text(PULSE)?),
                at,
                kind: EventKind::parse(&text(KIND)?)?,
                exit: number(EXIT).and_then(|e| u8::try_from(e).ok()),
                duration: number(DURATION_MS).map(TimeDelta::milliseconds),
                message: text(MESSAGE),
                log: text(LOG),
                incident: text(INCIDENT),
                expires: number(EXPIRES)
                    .and_then(|secs| DateTime::<Utc>::from_timestamp(secs, 0))
                    .unwrap_or(DateTime::<Utc>::MAX_UTC),
            },
            key,
        })
    })();
    if stored.is_none() {
        tracing::warn!(key = ?text(AT), "skipping an unreadable event");
    }
    stored
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PulseKey, Signal, SignalKind};
    use chrono::TimeZone as _;

    #[test]
    fn items_round_trip_and_odd_ones_are_left_out() {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let id = PulseKey::parse(Some("h"), Some("c"), Some("t"), Some("n"))
            .unwrap()
            .id();
        let signal = Signal {
            kind: SignalKind::Failure,
            exit: Some(3),
            duration: Some(TimeDelta::milliseconds(1250)),
            log: Some("boom <b>".into()),
            ..Signal::success()
        };
        let event = Event::of_signal(id, at, &signal, Some("nightly"), 90);
        let key = super::super::event_key(at);
        let mut item = to_item(&key, &event);
        assert_eq!(item.get(LOG_BYTES), Some(&n(8)));
        assert_eq!(item.get(EXPIRES), Some(&n((at + TimeDelta::days(90)).timestamp())));
        assert_eq!(from_item(&item), Some(StoredEvent { key, event }));
        item.insert(KIND.into(), s("exploded"));
        assert_eq!(from_item(&item), None);
    }
}
