//! The real store: single-item DynamoDB requests, each change guarded by a condition expression where
//! two writers can race; every Scan and Query paginated to the end. It counts its requests and the
//! items it reads, so tests and benchmarks can hold it to its budget.

use super::due_index::{self, INDEX_NAME, shard_of};
use super::error::{classify, is_condition_failure};
use super::expr::Expr;
use super::item::{self, Item, n, s, saturday_flag};
use super::{
    Expectation, Found, IncidentLedger, Listing, PulseReader, PulseReceipt, PulseRecorder, Reschedule, SettingsWriter,
    StoreError,
};
use crate::model::{Alert, Claim, Pulse, PulseId, Settings, format_stamp};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    stats: Arc<Counters>,
}

#[derive(Default)]
struct Counters {
    requests: AtomicUsize,
    items_read: AtomicUsize,
}

/// Requests sent and items read since the store was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreStats {
    pub requests: usize,
    pub items_read: usize,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            stats: Arc::default(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn stats(&self) -> StoreStats {
        StoreStats {
            requests: self.stats.requests.load(Ordering::Relaxed),
            items_read: self.stats.items_read.load(Ordering::Relaxed),
        }
    }

    pub(super) fn table(&self) -> &str {
        &self.table
    }

    pub(super) fn count(&self, items: usize) {
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        self.stats.items_read.fetch_add(items, Ordering::Relaxed);
    }

    fn key(id: &PulseId) -> HashMap<String, AttributeValue> {
        HashMap::from([(item::ID.to_owned(), s(id.as_str()))])
    }

    /// Runs a conditional update; `Ok(None)` when the condition did not hold, else the old item when
    /// `old` asked for it.
    async fn update(
        &self,
        id: &PulseId,
        update: &str,
        condition: &str,
        expr: Expr,
        old: bool,
    ) -> Result<Option<Item>, StoreError> {
        self.count(0);
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(id)))
            .update_expression(update)
            .condition_expression(condition)
            .set_expression_attribute_names(Some(expr.names))
            .set_expression_attribute_values((!expr.values.is_empty()).then_some(expr.values))
            .return_values(if old { ReturnValue::AllOld } else { ReturnValue::None })
            .send()
            .await;
        match result {
            Ok(out) => Ok(Some(out.attributes.unwrap_or_default())),
            Err(err) if is_condition_failure(&err) => Ok(None),
            Err(err) => Err(classify(err)),
        }
    }

    async fn conditional_update(
        &self,
        id: &PulseId,
        update: &str,
        condition: &str,
        expr: Expr,
    ) -> Result<bool, StoreError> {
        Ok(self.update(id, update, condition, expr, false).await?.is_some())
    }

    async fn scan(&self, unindexed_only: bool) -> Result<Listing, StoreError> {
        let mut listing = Listing::default();
        let mut request = self.client.scan().table_name(&self.table);
        if unindexed_only {
            request = request
                .filter_expression("attribute_not_exists(#shard)")
                .expression_attribute_names("#shard", item::DUE_SHARD);
        }
        let mut pages = request.into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(classify)?;
            // A filtered Scan still reads (and pays for) every item; count what it scanned.
            self.count(usize::try_from(page.scanned_count()).unwrap_or_default());
            page.items().iter().for_each(|raw| push_item(&mut listing, raw));
            if unindexed_only && listing.pulses.len() >= due_index::BACKFILL_BATCH {
                break;
            }
        }
        Ok(listing)
    }
}

/// A table the original server created has no due index until someone adds it (README: "Moving
/// from the Node.js server"). Until then every run reads the whole table, as the original did, and
/// says so: slower and dearer, but nothing is missed.
fn is_missing_index<E: aws_sdk_dynamodb::error::ProvideErrorMetadata, R>(
    err: &aws_sdk_dynamodb::error::SdkError<E, R>,
) -> bool {
    err.as_service_error()
        .is_some_and(|e| e.code() == Some("ValidationException") && e.message().is_some_and(|m| m.contains("index")))
}

impl DynamoStore {
    async fn scan_without_index(&self) -> Result<Listing, StoreError> {
        tracing::warn!(
            table = %self.table,
            index = INDEX_NAME,
            "the table has no due index: this run reads the whole table; add the index (README: moving from the Node.js server)"
        );
        self.scan(false).await
    }
}

pub(super) fn push_item(listing: &mut Listing, raw: &Item) {
    match Pulse::try_from(raw) {
        Ok(pulse) => listing.pulses.push(pulse),
        Err(err) => {
            tracing::warn!(error = %err, "skipping an unreadable item");
            listing.unreadable.push(err.id);
        }
    }
}

fn millis(at: DateTime<Utc>) -> AttributeValue {
    n(at.timestamp_millis())
}

#[async_trait]
impl PulseRecorder for DynamoStore {
    /// One UpdateItem, no read. Its due time is `time + thresholdMs` — a lower bound, since working
    /// time never exceeds wall time — where the item already carries `thresholdMs`; otherwise (a new
    /// item, or one the original server wrote, whose threshold this request cannot know) it is due at
    /// once and the monitor computes the exact time when it first looks.
    async fn record_pulse(&self, receipt: &PulseReceipt) -> Result<(), StoreError> {
        let id = receipt.key.id();
        let stamp = format_stamp(receipt.at);
        let mut e = Expr::default();
        let mut sets = vec![
            e.set(item::HOST, s(&receipt.key.host)),
            e.set(item::CATEGORY, s(&receipt.key.category)),
            e.set(item::TYPE, s(&receipt.key.kind)),
            e.set(item::NAME, s(&receipt.key.name)),
            e.set(item::TIMESTAMP, s(&stamp)),
            e.if_not_exists(item::THRESHOLD, s(receipt.threshold.to_string())),
            e.if_not_exists(item::SATURDAY, s(saturday_flag(receipt.saturday))),
            e.if_not_exists(item::TZ, s(receipt.tz.name())),
            e.if_not_exists(item::FIRST_SEEN, s(&stamp)),
            e.if_not_exists(item::THRESHOLD_MS, n(receipt.threshold.duration().num_milliseconds())),
            e.set(item::DUE_SHARD, s(shard_of(&id))),
        ];
        let due = format!(
            "{} = if_not_exists({}, {}) + {}",
            e.name(item::DUE_AT),
            e.name(item::THRESHOLD_MS),
            e.value(n(0)),
            e.value(millis(receipt.at))
        );
        sets.push(due);
        if let Some(message) = &receipt.message {
            sets.push(e.set(item::LAST_MESSAGE, s(message)));
        }
        if let Some(metadata) = &receipt.metadata {
            sets.push(e.set(item::LAST_METADATA, s(metadata)));
        }
        let update = format!(
            "SET {} ADD {} {}",
            sets.join(", "),
            e.name(item::PULSE_COUNT),
            e.value(n(1))
        );
        // Pulses can arrive out of order (retries, concurrent instances): the newest time wins.
        let ts = e.name(item::TIMESTAMP);
        let condition = format!("attribute_not_exists({ts}) OR {ts} <= {}", e.value(s(&stamp)));
        match self.update(&id, &update, &condition, e, true).await? {
            Some(old) if old.contains_key(item::ALERT_FOR) => self.recovery_due(&id, receipt.at).await,
            Some(_) => Ok(()),
            None => self.count_late_pulse(&id).await,
        }
    }
}

impl DynamoStore {
    /// An alerted pulse came back: make it due now, so the next monitor run sends its recovery.
    async fn recovery_due(&self, id: &PulseId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut e = Expr::default();
        let update = format!(
            "SET {}, {}",
            e.set(item::DUE_AT, millis(at)),
            e.set(item::DUE_SHARD, s(shard_of(id)))
        );
        let condition = format!("attribute_exists({})", e.name(item::ALERT_FOR));
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
                .map_err(|e| StoreError::Failed(e.to_string())),
        }
    }

    async fn list(&self) -> Result<Listing, StoreError> {
        self.scan(false).await
    }
}

#[async_trait]
impl SettingsWriter for DynamoStore {
    async fn update_settings(
        &self,
        id: &PulseId,
        settings: &Settings,
        due_at: DateTime<Utc>,
    ) -> Result<Found, StoreError> {
        let mut e = Expr::default();
        let sets = [
            e.set(item::THRESHOLD, s(settings.threshold.to_string())),
            e.set(item::THRESHOLD_MS, n(settings.threshold.duration().num_milliseconds())),
            e.set(item::SATURDAY, s(saturday_flag(settings.saturday))),
            e.set(item::TZ, s(settings.tz.name())),
            e.set(item::DUE_AT, millis(due_at)),
            e.set(item::DUE_SHARD, s(shard_of(id))),
        ];
        // Without this condition UpdateItem would create a phantom item (the original's bug).
        let condition = format!("attribute_exists({})", e.name(item::ID));
        let found = self
            .conditional_update(id, &format!("SET {}", sets.join(", ")), &condition, e)
            .await?;
        Ok(if found { Found::Yes } else { Found::No })
    }

    async fn delete(&self, id: &PulseId) -> Result<Found, StoreError> {
        self.count(0);
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(id)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(classify)?;
        Ok(if out.attributes().is_some_and(|a| !a.is_empty()) {
            Found::Yes
        } else {
            Found::No
        })
    }
}

#[async_trait]
impl IncidentLedger for DynamoStore {
    /// One Query per shard (more pages only when many pulses are due at once).
    async fn candidates(&self, now: DateTime<Utc>) -> Result<Listing, StoreError> {
        let mut listing = Listing::default();
        for shard in due_index::all_shards() {
            let mut pages = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(INDEX_NAME)
                .key_condition_expression("#shard = :shard AND #due <= :now")
                .expression_attribute_names("#shard", item::DUE_SHARD)
                .expression_attribute_names("#due", item::DUE_AT)
                .expression_attribute_values(":shard", s(shard))
                .expression_attribute_values(":now", millis(now))
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = match page {
                    Ok(page) => page,
                    Err(err) if is_missing_index(&err) => return self.scan_without_index().await,
                    Err(err) => return Err(classify(err)),
                };
                self.count(page.items().len());
                page.items().iter().for_each(|raw| push_item(&mut listing, raw));
            }
        }
        Ok(listing)
    }

    async fn unindexed(&self) -> Result<Listing, StoreError> {
        self.scan(true).await
    }

    async fn reschedule(&self, id: &PulseId, plan: &Reschedule) -> Result<bool, StoreError> {
        let mut e = Expr::default();
        let sets = [
            e.set(item::DUE_AT, millis(plan.next_due)),
            e.set(item::DUE_SHARD, s(shard_of(id))),
            e.set(item::THRESHOLD_MS, n(plan.threshold.duration().num_milliseconds())),
        ];
        let ts = e.name(item::TIMESTAMP);
        let due = e.name(item::DUE_AT);
        let seen = match plan.seen_due {
            Some(seen) => format!("{due} = {}", e.value(millis(seen))),
            None => format!("attribute_not_exists({due})"),
        };
        let condition = format!("{ts} = {} AND {seen}", e.value(s(&plan.stamp)));
        self.conditional_update(id, &format!("SET {}", sets.join(", ")), &condition, e)
            .await
    }

    async fn claim(
        &self,
        id: &PulseId,
        expect: &Expectation,
        claim: &Claim,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut e = Expr::default();
        let update = format!(
            "SET {}, {}",
            e.set(item::CLAIM_RUN, s(&claim.run)),
            e.set(item::CLAIM_UNTIL, millis(claim.until))
        );
        let until = e.name(item::CLAIM_UNTIL);
        let free = format!("(attribute_not_exists({until}) OR {until} < {})", e.value(millis(now)));
        // DynamoDB refuses placeholders an expression does not use, so each branch names its own.
        let alert_for = e.name(item::ALERT_FOR);
        let state = match expect {
            Expectation::Alert { stamp } => {
                let ts = e.name(item::TIMESTAMP);
                let stamp = e.value(s(stamp));
                format!("{ts} = {stamp} AND (attribute_not_exists({alert_for}) OR {alert_for} <> {stamp})")
            }
            Expectation::Reminder { stamp, notified_at } => {
                let ts = e.name(item::TIMESTAMP);
                let stamp = e.value(s(stamp));
                let alert_at = e.name(item::ALERT_AT);
                let notified = e.value(s(format_stamp(*notified_at)));
                format!("{ts} = {stamp} AND {alert_for} = {stamp} AND {alert_at} = {notified}")
            }
            Expectation::Recovery { alerted_stamp } => format!("{alert_for} = {}", e.value(s(alerted_stamp))),
        };
        self.conditional_update(id, &update, &format!("{free} AND {state}"), e)
            .await
    }

    async fn record_alert(
        &self,
        id: &PulseId,
        run: &str,
        alert: &Alert,
        next_due: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let record = |due: DateTime<Utc>, still_at_stamp: bool| {
            let mut e = Expr::default();
            let update = format!(
                "SET {}, {}, {}, {} REMOVE {}, {}",
                e.set(item::ALERT_FOR, s(&alert.for_stamp)),
                e.set(item::ALERT_AT, s(format_stamp(alert.notified_at))),
                e.set(item::DUE_AT, millis(due)),
                e.set(item::DUE_SHARD, s(shard_of(id))),
                e.name(item::CLAIM_RUN),
                e.name(item::CLAIM_UNTIL),
            );
            let mut condition = format!("{} = {}", e.name(item::CLAIM_RUN), e.value(s(run)));
            if still_at_stamp {
                condition += &format!(" AND {} = {}", e.name(item::TIMESTAMP), e.value(s(&alert.for_stamp)));
            }
            (update, condition, e)
        };
        let (update, condition, e) = record(next_due, true);
        if self.conditional_update(id, &update, &condition, e).await? {
            return Ok(true);
        }
        // The pulse came back after the claim (its own write saw no alert yet): due at once, so the
        // next run sends the recovery.
        let (update, condition, e) = record(alert.notified_at, false);
        self.conditional_update(id, &update, &condition, e).await
    }

    async fn record_recovery(
        &self,
        id: &PulseId,
        run: &str,
        alerted_stamp: &str,
        next_due: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut e = Expr::default();
        let alert_for = e.name(item::ALERT_FOR);
        let update = format!(
            "SET {}, {} REMOVE {alert_for}, {}, {}, {}",
            e.set(item::DUE_AT, millis(next_due)),
            e.set(item::DUE_SHARD, s(shard_of(id))),
            e.name(item::ALERT_AT),
            e.name(item::CLAIM_RUN),
            e.name(item::CLAIM_UNTIL),
        );
        let condition = format!(
            "{} = {} AND {alert_for} = {}",
            e.name(item::CLAIM_RUN),
            e.value(s(run)),
            e.value(s(alerted_stamp))
        );
        self.conditional_update(id, &update, &condition, e).await
    }

    async fn release(&self, id: &PulseId, run: &str) -> Result<(), StoreError> {
        let mut e = Expr::default();
        let update = format!("REMOVE {}, {}", e.name(item::CLAIM_RUN), e.name(item::CLAIM_UNTIL));
        let condition = format!("{} = {}", e.name(item::CLAIM_RUN), e.value(s(run)));
        self.conditional_update(id, &update, &condition, e).await.map(|_| ())
    }
}
