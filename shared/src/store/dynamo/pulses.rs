//! The pulse write and the reads of the dashboard and edit pages.

use super::signals;
use super::{DynamoStore, millis};
use crate::model::{Pulse, PulseId, Signal, SignalKind, format_stamp};
use crate::store::due_index::shard_of;
use crate::store::error::{Cause, classify};
use crate::store::expr::Expr;
use crate::store::item::{self, n, s, saturday_flag};
use crate::store::run_item;
use crate::store::{Listing, PulseReader, PulseReceipt, PulseRecorder, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
impl PulseRecorder for DynamoStore {
    /// One UpdateItem, no read. It writes no index key of an item that has them (`if_not_exists`), and
    /// the index projects only its keys, so a steady pulse costs the table's write unit and nothing in
    /// the index. The old image (`ALL_OLD`, free) tells the rare cases that need a second write.
    async fn record_signal(&self, receipt: &PulseReceipt, signal: &Signal) -> Result<(), StoreError> {
        match signal.kind {
            SignalKind::Start => return self.record_start(receipt, signal).await,
            SignalKind::Failure => return self.record_failure(receipt, signal).await,
            SignalKind::Success => {}
        }
        let id = receipt.key.id();
        let stamp = format_stamp(receipt.at);
        let first_due = receipt.first_due();
        let mut e = Expr::default();
        let mut sets = vec![
            e.set(item::HOST, s(&receipt.key.host)),
            e.set(item::CATEGORY, s(&receipt.key.category)),
            e.set(item::TYPE, s(&receipt.key.kind)),
            e.set(item::NAME, s(&receipt.key.name)),
            e.set(item::TIMESTAMP, s(&stamp)),
            // The item's own threshold, days and zone win (edits, the original server's items).
            e.if_not_exists(item::THRESHOLD, s(receipt.threshold.to_string())),
            e.if_not_exists(item::SATURDAY, s(saturday_flag(receipt.saturday))),
            e.if_not_exists(item::TZ, s(receipt.tz.name())),
            e.if_not_exists(item::FIRST_SEEN, s(&stamp)),
            e.if_not_exists(item::DUE_SHARD, s(shard_of(&id))),
            e.if_not_exists(item::DUE_AT, millis(first_due)),
        ];
        sets.extend(signals::expectation_sets(&mut e, receipt));
        if let Some(message) = &receipt.message {
            sets.push(e.set(item::LAST_MESSAGE, s(message)));
        }
        if let Some(metadata) = &receipt.metadata {
            sets.push(e.set(item::LAST_METADATA, s(metadata)));
        }
        // The run this success ends; it also ends a failed incident (signals). Any signal ends a
        // pause (expectations: "until the pulse's next signal").
        let (finish_sets, mut removes) = signals::finish_parts(&mut e, receipt.at, signal);
        sets.extend(finish_sets);
        removes.extend([
            e.name(run_item::FAILING_SINCE),
            e.name(run_item::FAILURE_LOG),
            e.name(item::PAUSED),
        ]);
        let update = format!(
            "SET {} REMOVE {} ADD {} {}",
            sets.join(", "),
            removes.join(", "),
            e.name(item::PULSE_COUNT),
            e.value(n(1))
        );
        // Pulses can arrive out of order (retries, concurrent instances): the newest time wins, and
        // a success older than the latest failure does not end that failure.
        let ts = e.name(item::TIMESTAMP);
        let newest = signals::newest_finish(&mut e, receipt.at);
        let condition = format!(
            "(attribute_not_exists({ts}) OR {ts} <= {}) AND {newest}",
            e.value(s(&stamp))
        );
        // The old item says what else this pulse ends: an alert, another writer's item, a pause.
        match self.update(&id, &update, &condition, e, true).await? {
            // Alerted: due at once, so the next run sends the recovery.
            Some(old) if old.contains_key(item::ALERT_FOR) => self.due_now(&id, receipt.at, None).await,
            // Written by another writer (no index keys before this pulse): the `dueAt` just written
            // used this request's threshold, not the item's own `thresholdF`; due at once, so the
            // monitor computes the exact time from what the item says.
            Some(old) if !old.is_empty() && !old.contains_key(item::DUE_SHARD) => {
                self.due_now(&id, receipt.at, Some(first_due)).await
            }
            // Paused until now, so out of the due index: due at once, the monitor computes the rest.
            Some(old) if old.contains_key(item::PAUSED) => self.unpaused(&id, receipt.at).await,
            Some(_) => Ok(()),
            None => self.count_late_pulse(&id).await,
        }
    }
}

impl DynamoStore {
    /// Makes a pulse due at `at`: while it is alerted (`written: None`), or while its due time is still
    /// the one this pulse wrote (anyone who moved it since knew better).
    pub(super) async fn due_now_if_written(
        &self,
        id: &PulseId,
        at: DateTime<Utc>,
        written: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.due_now(id, at, Some(written)).await
    }

    async fn due_now(&self, id: &PulseId, at: DateTime<Utc>, written: Option<DateTime<Utc>>) -> Result<(), StoreError> {
        let mut e = Expr::default();
        let update = format!("SET {}", e.set(item::DUE_AT, millis(at)));
        let condition = match written {
            None => format!("attribute_exists({})", e.name(item::ALERT_FOR)),
            Some(written) => format!("{} = {}", e.name(item::DUE_AT), e.value(millis(written))),
        };
        self.conditional_update(id, &update, &condition, e).await.map(|_| ())
    }

    /// The pause this pulse ended: due at `at`, unless a new pause was written since (its due time stands).
    pub(super) async fn unpaused(&self, id: &PulseId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut e = Expr::default();
        let update = format!("SET {}", e.set(item::DUE_AT, millis(at)));
        let condition = format!("attribute_not_exists({})", e.name(item::PAUSED));
        self.conditional_update(id, &update, &condition, e).await.map(|_| ())
    }

    /// A pulse older than the stored one: count it, keep the newer time. Rare, so a second write.
    async fn count_late_pulse(&self, id: &PulseId) -> Result<(), StoreError> {
        let mut e = Expr::default();
        let update = format!("ADD {} {}", e.name(item::PULSE_COUNT), e.value(n(1)));
        let condition = format!("attribute_exists({})", e.name(item::ID));
        self.conditional_update(id, &update, &condition, e).await.map(|_| ())
    }
}

#[async_trait]
impl PulseReader for DynamoStore {
    #[tracing::instrument(level = "debug", skip_all, fields(table = %self.table, op = "GetItem", id = %id))]
    async fn get(&self, id: &PulseId) -> Result<Option<Pulse>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(classify)?;
        self.count(usize::from(out.item().is_some()));
        match out.item() {
            None => Ok(None),
            Some(raw) => Pulse::try_from(raw)
                .map(Some)
                .map_err(|e| StoreError::Failed(Cause::with_source("a stored item cannot be read", e))),
        }
    }

    async fn list(&self) -> Result<Listing, StoreError> {
        self.scan(false, None, usize::MAX).await
    }
}
