//! The real store: single-item DynamoDB requests, each change guarded by a condition expression where
//! two writers can race; every Scan, Query and BatchGetItem read to the end. It counts its requests
//! and the items it reads, so tests and benchmarks can hold it to its budget. One file per concern:
//! pulses (the pulse write and the reads), settings (edits and deletes), ledger (the monitor's side).

mod ledger;
mod pulses;
mod quiet;
mod settings;
mod signals;

use super::client::Dynamo;
use super::error::{Cause, classify, is_condition_failure};
use super::events::MAX_EVENTS;
use super::events::local_trim::LocalTrim;
use super::expr::Expr;
use super::item::{self, Item, n, s};
use super::{Held, Listing, StoreError};
use crate::model::{Pulse, PulseId};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, ReturnValue};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// BatchGetItem may leave keys unprocessed under load; this many tries with a doubling pause (25 ms
/// first) before the run gives up and leaves the rest due for the next run.
const BATCH_ATTEMPTS: u32 = 5;

/// Events a pulse may gather past its cap before the local runtime trims it again (a tenth of the
/// cap: about one key Query and a hundred deletes per hundred events written).
const LOCAL_TRIM_SLACK: usize = MAX_EVENTS / 10;

#[derive(Clone)]
pub struct DynamoStore {
    client: Dynamo,
    table: String,
    /// The service's config table (maintenance windows): `CONFIG_TABLE_NAME`.
    config_table: String,
    /// Pulse history: `EVENTS_TABLE_NAME`.
    events_table: String,
    /// Under the local runtime (dynalite has no TTL) the store trims each pulse's history itself.
    local_trim: Option<Arc<LocalTrim>>,
    stats: Arc<Counters>,
}

#[derive(Default)]
struct Counters {
    requests: AtomicUsize,
    items_read: AtomicUsize,
    items_swept: AtomicUsize,
    history_requests: AtomicUsize,
}

/// Requests sent and items read since the store was made; the sweep's Scan segments count apart,
/// so a test can hold the due reads and the sweep each to its own budget.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreStats {
    pub requests: usize,
    pub items_read: usize,
    /// Items the sweep segments scanned (read and billed, even those the filter dropped).
    pub items_swept: usize,
    /// Requests to the events table (pulse history), counted apart: they run beside the pulse's own
    /// write and never decide an answer.
    pub history_requests: usize,
}

impl DynamoStore {
    /// The config table defaults to `{table}-config`, as `CONFIG_TABLE_NAME` does, and the events
    /// table to `{table}-events`, as `EVENTS_TABLE_NAME` does.
    pub fn new(client: Dynamo, table: impl Into<String>) -> Self {
        let table = table.into();
        Self {
            client,
            config_table: format!("{table}-config"),
            events_table: format!("{table}-events"),
            local_trim: None,
            table,
            stats: Arc::default(),
        }
    }

    pub fn with_config_table(mut self, config_table: impl Into<String>) -> Self {
        self.config_table = config_table.into();
        self
    }

    pub fn with_events_table(mut self, events_table: impl Into<String>) -> Self {
        self.events_table = events_table.into();
        self
    }

    /// Trims each pulse's history to its newest `MAX_EVENTS` and drops expired events, as TTL does
    /// on AWS (for dynalite): see `events::local_trim` for when.
    pub fn trimming_locally(mut self) -> Self {
        self.local_trim = Some(Arc::new(LocalTrim::new(MAX_EVENTS, LOCAL_TRIM_SLACK)));
        self
    }

    pub fn events_table(&self) -> &str {
        &self.events_table
    }

    pub(in crate::store) fn local_trim(&self) -> Option<&LocalTrim> {
        self.local_trim.as_deref()
    }

    pub fn config_table(&self) -> &str {
        &self.config_table
    }

    /// The SDK's client (reads, listings, table setup).
    pub fn client(&self) -> &Client {
        self.client.sdk()
    }

    /// Both clients, to build another store on the same connections.
    pub fn dynamo(&self) -> &Dynamo {
        &self.client
    }

    pub fn stats(&self) -> StoreStats {
        StoreStats {
            requests: self.stats.requests.load(Ordering::Relaxed),
            items_read: self.stats.items_read.load(Ordering::Relaxed),
            items_swept: self.stats.items_swept.load(Ordering::Relaxed),
            history_requests: self.stats.history_requests.load(Ordering::Relaxed),
        }
    }

    pub(in crate::store) fn table(&self) -> &str {
        &self.table
    }

    pub(in crate::store) fn count(&self, items: usize) {
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        self.stats.items_read.fetch_add(items, Ordering::Relaxed);
    }

    pub(in crate::store) fn count_history(&self) {
        self.stats.history_requests.fetch_add(1, Ordering::Relaxed);
    }

    fn key(id: &PulseId) -> HashMap<String, AttributeValue> {
        HashMap::from([(item::ID.to_owned(), s(id.as_str()))])
    }

    /// Writes an item as it is, with no condition: what another writer does (tests, the contract suite).
    #[cfg(any(test, feature = "testing"))]
    pub async fn put_raw(&self, raw: Item) {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(raw))
            .send()
            .await
            .expect("a raw PutItem");
    }

    /// Runs a conditional update; `Ok(None)` when the condition did not hold, else the old item
    /// when `old` asks for it (return values cost no write units; an empty item: the write created
    /// it), or an empty one.
    #[tracing::instrument(level = "debug", skip_all, fields(table = %self.table, op = "UpdateItem", id = %id))]
    async fn update(
        &self,
        id: &PulseId,
        update: &str,
        condition: &str,
        expr: Expr,
        old: bool,
    ) -> Result<Option<Item>, StoreError> {
        self.count(0);
        let (names, values) = expr.into_maps();
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(id)))
            .update_expression(update)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .return_values(if old { ReturnValue::AllOld } else { ReturnValue::None });
        if !condition.is_empty() {
            request = request.condition_expression(condition);
        }
        match request.send().await {
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
    ) -> Result<Held, StoreError> {
        Ok(self.update(id, update, condition, expr, false).await?.is_some().into())
    }

    /// Reads whole items by id, up to 100 at a time (BatchGetItem's limit), retrying what DynamoDB
    /// leaves unprocessed. Eventually consistent (half the read units): every write the monitor makes
    /// after reading is conditional on what it read, so a stale item can only make a write fail, and
    /// the pulse stays due for the next run.
    #[tracing::instrument(level = "debug", skip_all, fields(table = %self.table, op = "BatchGetItem", ids = ids.len()))]
    async fn batch_get(&self, ids: &[PulseId]) -> Result<Listing, StoreError> {
        let mut listing = Listing::default();
        if ids.is_empty() {
            return Ok(listing);
        }
        let mut request = KeysAndAttributes::builder()
            .set_keys(Some(ids.iter().map(Self::key).collect()))
            .build()
            .map_err(|e| StoreError::Failed(Cause::with_source("a BatchGetItem request could not be built", e)))?;
        for attempt in 0..BATCH_ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(25 << attempt)).await;
            }
            let out = self
                .client
                .batch_get_item()
                .request_items(&self.table, request)
                .send()
                .await
                .map_err(classify)?;
            let items = out
                .responses
                .and_then(|mut r| r.remove(&self.table))
                .unwrap_or_default();
            self.count(items.len());
            items.iter().for_each(|raw| push_item(&mut listing, raw));
            match out.unprocessed_keys.and_then(|mut u| u.remove(&self.table)) {
                Some(rest) if !rest.keys().is_empty() => request = rest,
                _ => return Ok(listing),
            }
        }
        Err(StoreError::Unavailable(
            "BatchGetItem left keys unprocessed after every retry (the table is throttled)".into(),
        ))
    }

    /// Every item, or those matching `filter` (`attribute_not_exists(dueShard)`), optionally one
    /// segment of a parallel Scan; stops after `limit` matching items.
    #[tracing::instrument(level = "debug", skip_all, fields(table = %self.table, op = "Scan", segment = ?segment))]
    async fn scan(
        &self,
        unindexed_only: bool,
        segment: Option<(u32, u32)>,
        limit: usize,
    ) -> Result<Listing, StoreError> {
        let mut listing = Listing::default();
        let mut request = self.client.scan().table_name(&self.table);
        if unindexed_only {
            request = request
                .filter_expression("attribute_not_exists(#shard)")
                .expression_attribute_names("#shard", item::DUE_SHARD);
        }
        if let Some((segment, total)) = segment {
            request = request
                .segment(i32::try_from(segment).unwrap_or_default())
                .total_segments(i32::try_from(total).unwrap_or(1));
        }
        let mut pages = request.into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(classify)?;
            // A filtered Scan still reads (and pays for) every item; count what it scanned.
            let scanned = usize::try_from(page.scanned_count()).unwrap_or_default();
            if segment.is_some() {
                self.count(0);
                self.stats.items_swept.fetch_add(scanned, Ordering::Relaxed);
            } else {
                self.count(scanned);
            }
            page.items().iter().for_each(|raw| push_item(&mut listing, raw));
            if listing.pulses.len() >= limit {
                break;
            }
        }
        Ok(listing)
    }
}

pub(in crate::store) fn push_item(listing: &mut Listing, raw: &Item) {
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

#[cfg(test)]
mod faults_tests;
