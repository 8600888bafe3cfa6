//! The one place where a table item becomes a `Pulse` and back. The original attributes keep the
//! names and string types the parcelLab server used; the newer ones are optional on read.

use crate::model::{
    Alert, CalendarNames, Claim, Expectation, Grace, Hours, Pulse, PulseChannels, PulseId, PulseKey, Quieting,
    Schedule, Threshold, WorkingDays, Zone, parse_stamp,
};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

pub const ID: &str = "_id";
pub const HOST: &str = "host";
pub const CATEGORY: &str = "category";
pub const TYPE: &str = "typeF";
pub const NAME: &str = "nameF";
pub const TIMESTAMP: &str = "timestampF";
pub const THRESHOLD: &str = "thresholdF";
pub const SATURDAY: &str = "saturday";
// Added by heartbeat; absent on items the original server wrote.
pub const TZ: &str = "tz";
pub const PULSE_COUNT: &str = "pulseCount";
pub const FIRST_SEEN: &str = "firstSeen";
pub const LAST_MESSAGE: &str = "lastMessage";
pub const LAST_METADATA: &str = "lastMetadata";
pub const ALERT_FOR: &str = "alertFor";
pub const ALERT_AT: &str = "alertAt";
pub const CLAIM_RUN: &str = "claimRun";
/// Epoch milliseconds, a number, so that "expired" is a plain `<` in a condition.
pub const CLAIM_UNTIL: &str = "claimUntil";
// The due index (see store/due_index.rs).
/// Epoch milliseconds at which the monitor should next look at the pulse: the index's sort key.
pub const DUE_AT: &str = "dueAt";
/// The index's partition key, one of a few shards so no single partition takes every write.
pub const DUE_SHARD: &str = "dueShard";
// Staying quiet on purpose (rules/quiet.rs).
/// ISO-8601 UTC in `timestampF`'s format, so a condition compares it as text with a stamp.
pub const SNOOZED_UNTIL: &str = "snoozedUntil";
/// `"1"` while paused; removed by the pulse's next signal.
pub const PAUSED: &str = "paused";

// The widened expectation (issue 11); absent means the original rule. `saturday` mirrors `workdays`.
/// Canonical text such as `Mon-Fri`, `Sun-Thu`, `all`.
pub const WORKDAYS: &str = "workdays";
/// A list of strings: an empty list is meaningful (no calendar, not even the defaults).
pub const CALENDARS: &str = "calendars";
/// `HH:MM-HH:MM`.
pub const HOURS: &str = "hours";
/// A 5-field cron expression.
pub const SCHEDULE: &str = "schedule";
/// Decimal hours, as text like `thresholdF`.
pub const GRACE: &str = "grace";
/// A string set of `<phase>|<channel>` markers: the channels a half-delivered message has reached.
/// The pulse's own channels, a list of names (absent: the routes apply).
pub const CHANNELS: &str = "channels";
pub const DELIVERED: &str = "deliveredTo";
// Earlier versions also wrote `thresholdMs` (a pulse added it to its time); nothing reads it now, and
// items that still carry it need no change.

/// The threshold of items that have none (the original's default).
const FALLBACK_THRESHOLD_HOURS: f64 = 24.0;

#[derive(Debug, thiserror::Error)]
#[error("item {id}: {problem}")]
pub struct ItemError {
    pub id: String,
    pub problem: String,
}

impl TryFrom<&Item> for Pulse {
    type Error = ItemError;

    fn try_from(item: &Item) -> Result<Self, ItemError> {
        let id = text(item, ID).unwrap_or_default();
        let fail = |problem: String| ItemError {
            id: id.clone(),
            problem,
        };
        if id.is_empty() {
            return Err(fail(format!("has no {ID}")));
        }
        let stamp = text(item, TIMESTAMP).ok_or_else(|| fail(format!("has no {TIMESTAMP}")))?;
        let last_pulse =
            parse_stamp(&stamp).ok_or_else(|| fail(format!("{TIMESTAMP} “{stamp}” is not an ISO-8601 time")))?;
        // Lenient on the optional parts: one odd value must not hide the pulse from the dashboard.
        let threshold = text(item, THRESHOLD)
            .and_then(|t| Threshold::parse(&t).ok())
            .unwrap_or_else(|| Threshold::from_hours(FALLBACK_THRESHOLD_HOURS).expect("24 h is valid"));
        let alert = match (
            text(item, ALERT_FOR),
            text(item, ALERT_AT).as_deref().and_then(parse_stamp),
        ) {
            (Some(for_stamp), Some(notified_at)) => Some(Alert { for_stamp, notified_at }),
            _ => None,
        };
        let claim = match (
            text(item, CLAIM_RUN),
            number(item, CLAIM_UNTIL).and_then(DateTime::<Utc>::from_timestamp_millis),
        ) {
            (Some(run), Some(until)) => Some(Claim { run, until }),
            _ => None,
        };
        Ok(Pulse {
            id: PulseId::from_stored(id.clone()),
            key: PulseKey {
                host: text(item, HOST).unwrap_or_default(),
                category: text(item, CATEGORY).unwrap_or_default(),
                kind: text(item, TYPE).unwrap_or_default(),
                name: text(item, NAME).unwrap_or_default(),
            },
            last_pulse,
            stamp,
            threshold,
            saturday: text(item, SATURDAY).is_some_and(|s| s == "1"),
            tz: text(item, TZ).and_then(|t| Zone::parse(&t).ok()),
            pulse_count: number(item, PULSE_COUNT).and_then(|n| u64::try_from(n).ok()),
            first_seen: text(item, FIRST_SEEN).as_deref().and_then(parse_stamp),
            last_message: text(item, LAST_MESSAGE),
            last_metadata: text(item, LAST_METADATA),
            alert,
            claim,
            due_at: number(item, DUE_AT).and_then(DateTime::<Utc>::from_timestamp_millis),
            quiet: Quieting {
                snoozed_until: text(item, SNOOZED_UNTIL).as_deref().and_then(parse_stamp),
                paused: text(item, PAUSED).is_some_and(|p| p == "1"),
            },
            run: super::run_item::run_state(item),
            expect: expectation(item),
            delivered: match item.get(DELIVERED) {
                Some(AttributeValue::Ss(set)) => {
                    let mut markers = set.clone();
                    markers.sort();
                    markers
                }
                _ => Vec::new(),
            },
        })
    }
}

/// An item as the original server wrote it: its attributes only, none of heartbeat's. What another
/// writer (the original still running, a restore, a script) leaves in the table.
pub fn original_item(pulse: &Pulse) -> Item {
    [
        (ID, pulse.id.as_str().to_owned()),
        (HOST, pulse.key.host.clone()),
        (CATEGORY, pulse.key.category.clone()),
        (TYPE, pulse.key.kind.clone()),
        (NAME, pulse.key.name.clone()),
        (TIMESTAMP, pulse.stamp.clone()),
        (THRESHOLD, pulse.threshold.to_string()),
        (SATURDAY, saturday_flag(pulse.saturday).to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), s(v)))
    .collect()
}

/// The expectation settings; like the threshold, an unreadable one is ignored rather than hiding the pulse.
fn expectation(item: &Item) -> Expectation {
    let calendars = match item.get(CALENDARS) {
        Some(AttributeValue::L(list)) => {
            let names: Vec<&str> = list.iter().filter_map(|v| v.as_s().ok()).map(String::as_str).collect();
            CalendarNames::parse(&names.join(",")).ok()
        }
        Some(AttributeValue::S(text)) => CalendarNames::parse(text).ok(),
        _ => None,
    };
    let channels = match item.get(CHANNELS) {
        Some(AttributeValue::L(list)) => {
            PulseChannels::from_names(list.iter().filter_map(|v| v.as_s().ok()).map(String::as_str)).unwrap_or(None)
        }
        _ => None,
    };
    Expectation {
        workdays: text(item, WORKDAYS).and_then(|t| WorkingDays::parse(&t).ok()),
        calendars,
        hours: text(item, HOURS).and_then(|t| Hours::parse(&t).ok()),
        schedule: text(item, SCHEDULE).and_then(|t| Schedule::parse(&t).ok()),
        grace: text(item, GRACE).and_then(|t| Grace::parse(&t).ok()),
        channels,
    }
}

/// The expectation's attributes to write: `(name, Some(value))` to set, `(name, None)` to remove.
pub fn expectation_attributes(expect: &Expectation) -> Vec<(&'static str, Option<AttributeValue>)> {
    vec![
        (WORKDAYS, expect.workdays.map(|d| s(d.to_string()))),
        (
            CALENDARS,
            expect
                .calendars
                .as_ref()
                .map(|c| AttributeValue::L(c.names().iter().map(|n| s(n.as_str())).collect())),
        ),
        (HOURS, expect.hours.map(|h| s(h.to_string()))),
        (SCHEDULE, expect.schedule.as_ref().map(|c| s(c.as_str()))),
        (GRACE, expect.grace.map(|g| s(g.to_string()))),
        (
            CHANNELS,
            expect
                .channels
                .as_ref()
                .map(|c| AttributeValue::L(c.names().iter().map(|n| s(n.as_str())).collect())),
        ),
    ]
}

/// The text of an attribute; numbers are accepted too because hand-made items sometimes use them.
fn text(item: &Item, name: &str) -> Option<String> {
    match item.get(name)? {
        AttributeValue::S(s) => Some(s.clone()),
        AttributeValue::N(n) => Some(n.clone()),
        _ => None,
    }
}

fn number(item: &Item, name: &str) -> Option<i64> {
    match item.get(name)? {
        AttributeValue::N(n) | AttributeValue::S(n) => n.parse::<f64>().ok().map(|f| f as i64),
        _ => None,
    }
}

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub fn saturday_flag(saturday: bool) -> &'static str {
    if saturday { "1" } else { "0" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn original_item() -> Item {
        // Exactly what the parcelLab server wrote: strings only, no new attributes.
        [
            (ID, "43bd163354250bda11229022fb5649706ca71b49d5e1e8510b5ee2115bcdff27"),
            (HOST, "host"),
            (CATEGORY, "cat"),
            (TYPE, "type"),
            (NAME, "name"),
            (TIMESTAMP, "2026-11-20T18:00:00.000Z"),
            (THRESHOLD, "24"),
            (SATURDAY, "0"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), s(v)))
        .collect()
    }

    #[test]
    fn original_items_load_unchanged() {
        let p = Pulse::try_from(&original_item()).unwrap();
        assert_eq!(p.key.kind, "type");
        assert_eq!(p.key.name, "name");
        assert_eq!(p.stamp, "2026-11-20T18:00:00.000Z");
        assert_eq!(p.threshold.to_string(), "24");
        assert!(!p.saturday);
        assert_eq!((p.tz, p.pulse_count, p.alert, p.claim), (None, None, None, None));
        assert_eq!(p.id, p.key.id(), "the stored id follows the original rule");
    }

    #[test]
    fn new_attributes_are_read() {
        let mut item = original_item();
        item.insert(TZ.into(), s("Europe/Berlin"));
        item.insert(SATURDAY.into(), s("1"));
        item.insert(PULSE_COUNT.into(), n(7));
        item.insert(ALERT_FOR.into(), s("2026-11-20T18:00:00.000Z"));
        item.insert(ALERT_AT.into(), s("2026-11-23T18:05:00.000Z"));
        item.insert(CLAIM_RUN.into(), s("run-1"));
        item.insert(CLAIM_UNTIL.into(), n(1_800_000_000_000));
        let p = Pulse::try_from(&item).unwrap();
        assert_eq!(p.tz.unwrap().name(), "Europe/Berlin");
        assert!(p.saturday);
        assert_eq!(p.pulse_count, Some(7));
        assert_eq!(p.alert.unwrap().for_stamp, "2026-11-20T18:00:00.000Z");
        assert_eq!(p.claim.unwrap().run, "run-1");
        assert_eq!(p.quiet, Quieting::default());
        item.insert(SNOOZED_UNTIL.into(), s("2026-11-24T15:00:00.000Z"));
        item.insert(PAUSED.into(), s("1"));
        let p = Pulse::try_from(&item).unwrap();
        assert_eq!(p.quiet.snoozed_until, parse_stamp("2026-11-24T15:00:00.000Z"));
        assert!(p.quiet.paused);
        assert_eq!(p.expect, Expectation::default(), "absent: the original rule");
    }

    #[test]
    fn expectation_round_trips() {
        let expect = Expectation {
            workdays: Some(WorkingDays::parse("Sun-Thu").unwrap()),
            calendars: Some(CalendarNames::parse("").unwrap()),
            hours: Some(Hours::parse("08:00-18:00").unwrap()),
            schedule: Some(Schedule::parse("30 2 * * 1-5").unwrap()),
            grace: Some(Grace::parse("0.5").unwrap()),
            channels: PulseChannels::parse("ops,default").unwrap(),
        };
        let mut item = original_item();
        for (name, value) in expectation_attributes(&expect) {
            item.insert(name.to_owned(), value.unwrap());
        }
        assert_eq!(item[CALENDARS], AttributeValue::L(vec![]), "an explicit empty list");
        assert_eq!(item[CHANNELS], AttributeValue::L(vec![s("ops"), s("default")]));
        assert_eq!(Pulse::try_from(&item).unwrap().expect, expect);
        item.insert(HOURS.into(), s("late"));
        assert_eq!(
            Pulse::try_from(&item).unwrap().expect.hours,
            None,
            "odd values are ignored"
        );
    }

    #[test]
    fn odd_values_fall_back_and_broken_items_are_named() {
        let mut item = original_item();
        item.insert(THRESHOLD.into(), s("soon"));
        item.insert(TZ.into(), s("Mars/Base"));
        let p = Pulse::try_from(&item).unwrap();
        assert_eq!(p.threshold.to_string(), "24");
        assert_eq!(p.tz, None);

        item.insert(TIMESTAMP.into(), s("yesterday"));
        let err = Pulse::try_from(&item).unwrap_err();
        assert!(err.to_string().contains("yesterday"), "{err}");
        item.remove(TIMESTAMP);
        assert!(Pulse::try_from(&item).is_err());
    }
}
