//! The run attributes of a pulse item (signals: starts, failures, exit codes, durations) and their
//! mapping to `RunState`. All optional: items that never got a signal have none of them.

use super::item::{Item, n};
use crate::model::{MaxRuntime, RunState, parse_stamp};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, TimeDelta, Utc};

pub const STARTED_AT: &str = "startedAt";
/// The `rid` the latest start carried.
pub const START_RID: &str = "startRid";
pub const LAST_FINISH: &str = "lastFinish";
pub const PREV_FINISH: &str = "prevFinish";
pub const RUN_START: &str = "runStart";
/// The `rid` the latest finish carried: a start with it arrived after its own run ended.
pub const FINISH_RID: &str = "finishRid";
/// Milliseconds, a number.
pub const SENT_DURATION: &str = "sentDuration";
pub const LAST_EXIT: &str = "lastExit";
pub const FAILING_SINCE: &str = "failingSince";
pub const LAST_FAILURE: &str = "lastFailure";
pub const FAILURE_LOG: &str = "failureLog";
/// Hours as decimal text, like `thresholdF`.
pub const MAX_RUNTIME: &str = "maxRuntime";

/// What `if_not_exists(startedAt, …)` copies when there was no start: read back as "none".
pub const NO_STAMP: &str = "1970-01-01T00:00:00.000Z";

pub fn run_state(item: &Item) -> RunState {
    RunState {
        started_at: stamp(item, STARTED_AT),
        last_finish: stamp(item, LAST_FINISH),
        prev_finish: stamp(item, PREV_FINISH),
        run_start: stamp(item, RUN_START),
        sent_duration: number(item, SENT_DURATION).map(TimeDelta::milliseconds),
        exit_code: number(item, LAST_EXIT).and_then(|n| u8::try_from(n).ok()),
        failing_since: stamp(item, FAILING_SINCE),
        last_failure: stamp(item, LAST_FAILURE),
        failure_log: match item.get(FAILURE_LOG) {
            Some(AttributeValue::S(log)) => Some(log.clone()),
            _ => None,
        },
        finish_rid: match item.get(FINISH_RID) {
            Some(AttributeValue::S(rid)) => Some(rid.clone()),
            _ => None,
        },
        max_runtime: match item.get(MAX_RUNTIME) {
            Some(AttributeValue::S(raw) | AttributeValue::N(raw)) => MaxRuntime::parse(raw).ok(),
            _ => None,
        },
    }
}

pub fn duration_millis(duration: TimeDelta) -> AttributeValue {
    n(duration.num_milliseconds())
}

fn stamp(item: &Item, name: &str) -> Option<DateTime<Utc>> {
    match item.get(name)? {
        AttributeValue::S(raw) if raw != NO_STAMP => parse_stamp(raw),
        _ => None,
    }
}

fn number(item: &Item, name: &str) -> Option<i64> {
    match item.get(name)? {
        AttributeValue::N(raw) => raw.parse::<f64>().ok().map(|f| f as i64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::item::s;

    #[test]
    fn run_attributes_are_read_and_the_no_start_marker_is_none() {
        let item: Item = [
            (STARTED_AT, s("2026-11-23T09:00:00.000Z")),
            (RUN_START, s(NO_STAMP)),
            (SENT_DURATION, n(1500)),
            (LAST_EXIT, n(3)),
            (FAILING_SINCE, s("2026-11-23T09:05:00.000Z")),
            (FAILURE_LOG, s("boom")),
            (MAX_RUNTIME, s("2")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let run = run_state(&item);
        assert!(run.started_at.is_some());
        assert_eq!(run.run_start, None);
        assert_eq!(run.sent_duration, Some(TimeDelta::milliseconds(1500)));
        assert_eq!(run.exit_code, Some(3));
        assert!(run.failing_since.is_some());
        assert_eq!(run.failure_log.as_deref(), Some("boom"));
        assert_eq!(run.max_runtime.map(|m| m.to_string()).as_deref(), Some("2"));
        assert_eq!(run_state(&Item::new()), RunState::default());
    }
}
