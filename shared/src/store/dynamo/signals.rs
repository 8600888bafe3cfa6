//! The start and failure writes (a success is the pulse write, `pulses.rs`). Each is one UpdateItem,
//! no read; a start makes a second, conditional write only when the pulse has a max runtime that
//! needs an earlier look than the one already due.

use super::{DynamoStore, millis};
use crate::model::{MaxRuntime, PulseId, Signal, format_stamp};
use crate::store::due_index::shard_of;
use crate::store::expr::Expr;
use crate::store::item::{self, Item, s, saturday_flag};
use crate::store::run_item::{self, NO_STAMP, duration_millis};
use crate::store::{PulseReceipt, StoreError};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

/// The sets that create the item on first sight, as a pulse would (the item's own values win).
pub(super) fn creation_sets(e: &mut Expr, receipt: &PulseReceipt, signal: &Signal) -> Vec<String> {
    let stamp = format_stamp(receipt.at);
    let mut sets = vec![
        e.set(item::HOST, s(&receipt.key.host)),
        e.set(item::CATEGORY, s(&receipt.key.category)),
        e.set(item::TYPE, s(&receipt.key.kind)),
        e.set(item::NAME, s(&receipt.key.name)),
        // A start or a failure is no success, but a new item needs a time to count from: its first sight.
        e.if_not_exists(item::TIMESTAMP, s(&stamp)),
        e.if_not_exists(item::THRESHOLD, s(receipt.threshold.to_string())),
        e.if_not_exists(item::SATURDAY, s(saturday_flag(receipt.saturday))),
        e.if_not_exists(item::TZ, s(receipt.tz.name())),
        e.if_not_exists(item::FIRST_SEEN, s(&stamp)),
        e.if_not_exists(item::DUE_SHARD, s(shard_of(&receipt.key.id()))),
    ];
    sets.extend(expectation_sets(e, receipt));
    if let Some(max) = signal.max_runtime {
        sets.push(e.if_not_exists(run_item::MAX_RUNTIME, s(max.to_string())));
    }
    if let Some(message) = &receipt.message {
        sets.push(e.set(item::LAST_MESSAGE, s(message)));
    }
    if let Some(metadata) = &receipt.metadata {
        sets.push(e.set(item::LAST_METADATA, s(metadata)));
    }
    sets
}

/// Workdays, calendars, hours, schedule and grace sent with a signal: kept only where the item has
/// none of its own (edits win, as for the threshold).
pub(super) fn expectation_sets(e: &mut Expr, receipt: &PulseReceipt) -> Vec<String> {
    item::expectation_attributes(&receipt.expect)
        .into_iter()
        .filter_map(|(name, value)| value.map(|value| e.if_not_exists(name, value)))
        .collect()
}

/// What a finish (success or failure) writes about its run, and what it removes. Both read the
/// item's values before this write, so `prevFinish` is the finish before and `runStart` the start
/// this finish ends (when it is newer than `prevFinish`: `rules::signals::last_duration`).
pub(super) fn finish_parts(e: &mut Expr, at: DateTime<Utc>, signal: &Signal) -> (Vec<String>, Vec<String>) {
    let finish = e.name(run_item::LAST_FINISH);
    let none = e.value(s(NO_STAMP));
    let mut sets = vec![
        format!("{} = if_not_exists({finish}, {none})", e.name(run_item::PREV_FINISH)),
        format!(
            "{} = if_not_exists({}, {none})",
            e.name(run_item::RUN_START),
            e.name(run_item::STARTED_AT)
        ),
        format!("{finish} = {}", e.value(s(format_stamp(at)))),
    ];
    let mut removes = Vec::new();
    let mut optional = |name: &str, value: Option<AttributeValue>, e: &mut Expr| match value {
        Some(value) => sets.push(e.set(name, value)),
        None => removes.push(e.name(name)),
    };
    optional(run_item::SENT_DURATION, signal.duration.map(duration_millis), e);
    optional(run_item::LAST_EXIT, signal.exit.map(|code| item::n(i64::from(code))), e);
    optional(run_item::FINISH_RID, signal.rid.as_ref().map(s), e);
    (sets, removes)
}

/// `attribute_not_exists(lastFinish) OR lastFinish <= :at`: finishes only move forward, so a retry
/// or a slow request from before the latest finish changes nothing.
pub(super) fn newest_finish(e: &mut Expr, at: DateTime<Utc>) -> String {
    let finish = e.name(run_item::LAST_FINISH);
    format!(
        "(attribute_not_exists({finish}) OR {finish} <= {})",
        e.value(s(format_stamp(at)))
    )
}

fn update_text(sets: &[String], removes: &[String]) -> String {
    let mut text = format!("SET {}", sets.join(", "));
    if !removes.is_empty() {
        text += &format!(" REMOVE {}", removes.join(", "));
    }
    text
}

impl DynamoStore {
    /// A failure: the pulse is due at once (its alert goes out at the next monitor run, whatever the
    /// threshold); `failingSince` names the incident and stays through further failures.
    pub(super) async fn record_failure(&self, receipt: &PulseReceipt, signal: &Signal) -> Result<(), StoreError> {
        let id = receipt.key.id();
        let stamp = format_stamp(receipt.at);
        let mut e = Expr::default();
        let mut sets = creation_sets(&mut e, receipt, signal);
        sets.push(e.set(item::DUE_AT, millis(receipt.at)));
        sets.push(e.if_not_exists(run_item::FAILING_SINCE, s(&stamp)));
        sets.push(e.set(run_item::LAST_FAILURE, s(&stamp)));
        let (finish_sets, mut removes) = finish_parts(&mut e, receipt.at, signal);
        sets.extend(finish_sets);
        match &signal.log {
            Some(log) => sets.push(e.set(run_item::FAILURE_LOG, s(log))),
            None => removes.push(e.name(run_item::FAILURE_LOG)),
        }
        // Any signal ends a pause; this one is due at once anyway.
        removes.push(e.name(item::PAUSED));
        let condition = newest_finish(&mut e, receipt.at);
        if self
            .update(&id, &update_text(&sets, &removes), &condition, e, false)
            .await?
            .is_none()
        {
            tracing::info!(%id, at = %stamp, "a failure older than the latest finish: kept out of the pulse");
        }
        Ok(())
    }

    /// A start. Refused (and only logged) when it is older than the latest start, or when it carries
    /// the run id of the latest finish: that run has ended already, its start just arrived late.
    pub(super) async fn record_start(&self, receipt: &PulseReceipt, signal: &Signal) -> Result<(), StoreError> {
        let id = receipt.key.id();
        let stamp = format_stamp(receipt.at);
        let mut e = Expr::default();
        let mut sets = creation_sets(&mut e, receipt, signal);
        let first_due = match signal.max_runtime {
            Some(max) => receipt.first_due().min(receipt.at + max.duration()),
            None => receipt.first_due(),
        };
        sets.push(e.if_not_exists(item::DUE_AT, millis(first_due)));
        sets.push(e.set(run_item::STARTED_AT, s(&stamp)));
        // Any signal ends a pause (the pulse is then due at once, below).
        let mut removes = vec![e.name(item::PAUSED)];
        match &signal.rid {
            Some(rid) => sets.push(e.set(run_item::START_RID, s(rid))),
            None => removes.push(e.name(run_item::START_RID)),
        }
        let started = e.name(run_item::STARTED_AT);
        let mut condition = format!(
            "(attribute_not_exists({started}) OR {started} <= {})",
            e.value(s(&stamp))
        );
        if let Some(rid) = &signal.rid {
            let finish_rid = e.name(run_item::FINISH_RID);
            condition += &format!(
                " AND (attribute_not_exists({finish_rid}) OR {finish_rid} <> {})",
                e.value(s(rid))
            );
        }
        let Some(old) = self
            .update(&id, &update_text(&sets, &removes), &condition, e, true)
            .await?
        else {
            tracing::info!(%id, at = %stamp, "a start older than the latest start, or of a run that has ended: ignored");
            return Ok(());
        };
        if old.is_empty() {
            return Ok(());
        }
        if !old.contains_key(item::DUE_SHARD) {
            // Another writer's item: the due time just written used this request's settings.
            return self.due_now_if_written(&id, receipt.at, first_due).await;
        }
        if old.contains_key(item::PAUSED) {
            // Paused until now, so out of the due index: due at once, the monitor computes the rest.
            return self.unpaused(&id, receipt.at).await;
        }
        let max = max_runtime(&old).or(signal.max_runtime);
        let old_due = match old.get(item::DUE_AT) {
            Some(AttributeValue::N(n)) => n.parse::<i64>().ok().and_then(DateTime::<Utc>::from_timestamp_millis),
            _ => None,
        };
        match max.map(|max| receipt.at + max.duration()) {
            Some(overrun) if old_due.is_none_or(|due| due > overrun) => self.due_by_start(&id, &stamp, overrun).await,
            _ => Ok(()),
        }
    }

    /// Moves the due time earlier, to a start's overrun instant, while that start is the latest.
    async fn due_by_start(&self, id: &PulseId, stamp: &str, overrun: DateTime<Utc>) -> Result<(), StoreError> {
        let mut e = Expr::default();
        let update = format!("SET {}", e.set(item::DUE_AT, millis(overrun)));
        let due = e.name(item::DUE_AT);
        let condition = format!(
            "{} = {} AND (attribute_not_exists({due}) OR {due} > {})",
            e.name(run_item::STARTED_AT),
            e.value(s(stamp)),
            e.value(millis(overrun))
        );
        self.conditional_update(id, &update, &condition, e).await.map(|_| ())
    }
}

fn max_runtime(old: &Item) -> Option<MaxRuntime> {
    match old.get(run_item::MAX_RUNTIME)? {
        AttributeValue::S(raw) | AttributeValue::N(raw) => MaxRuntime::parse(raw).ok(),
        _ => None,
    }
}
