//! The monitor's side: the due index's Query, the reads of due items, the sweep of items outside
//! the index, and the conditional writes that make claims and deliveries safe.

use super::{DynamoStore, millis};
use crate::model::{Alert, Claim, PulseId, format_stamp};
use crate::rules::signals::{Incident, IncidentKind};
use crate::store::due_index::{self, INDEX_NAME, shard_of};
use crate::store::error::classify;
use crate::store::expr::Expr;
use crate::store::item::{self, s};
use crate::store::run_item;
use crate::store::{Expectation, FETCH_BATCH, Held, IncidentLedger, Listing, Reschedule, Slice, StoreError};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

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
    async fn every_id(&self) -> Result<Vec<PulseId>, StoreError> {
        tracing::warn!(
            table = %self.table,
            index = INDEX_NAME,
            "the table has no due index: this run reads the whole table; add the index (README: moving from the Node.js server)"
        );
        let listing = self.scan(false, None, usize::MAX).await?;
        Ok(listing.pulses.into_iter().map(|p| p.id).collect())
    }
}

#[async_trait]
impl IncidentLedger for DynamoStore {
    fn history(&self) -> Option<&dyn crate::store::EventLog> {
        Some(self)
    }

    async fn maintenance_windows(&self) -> Result<Vec<crate::model::Window>, StoreError> {
        crate::store::MaintenanceStore::windows(self).await
    }

    /// One Query per shard (more pages only when many pulses are due at once). The index holds only
    /// keys, so each due entry costs a few bytes here and one item read in `fetch`.
    #[tracing::instrument(level = "debug", skip_all, fields(table = %self.table, op = "Query", index = INDEX_NAME))]
    async fn due(&self, now: DateTime<Utc>) -> Result<Vec<PulseId>, StoreError> {
        let mut due = Vec::new();
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
                    Err(err) if is_missing_index(&err) => return self.every_id().await,
                    Err(err) => return Err(classify(err)),
                };
                self.count(0);
                for entry in page.items() {
                    let at = match entry.get(item::DUE_AT) {
                        Some(AttributeValue::N(n)) => n.parse::<i64>().unwrap_or_default(),
                        _ => 0,
                    };
                    if let Some(AttributeValue::S(id)) = entry.get(item::ID) {
                        due.push((at, PulseId::from_stored(id.clone())));
                    }
                }
            }
        }
        // Longest overdue first, so a run that runs out of time leaves the least urgent.
        due.sort();
        Ok(due.into_iter().map(|(_, id)| id).collect())
    }

    async fn fetch(&self, ids: &[PulseId]) -> Result<Listing, StoreError> {
        let mut listing = Listing::default();
        for chunk in ids.chunks(FETCH_BATCH) {
            let part = self.batch_get(chunk).await?;
            listing.pulses.extend(part.pulses);
            listing.unreadable.extend(part.unreadable);
        }
        // BatchGetItem answers in no particular order; keep the caller's.
        let order: std::collections::HashMap<&PulseId, usize> = ids.iter().enumerate().map(|(i, id)| (id, i)).collect();
        listing
            .pulses
            .sort_by_key(|p| order.get(&p.id).copied().unwrap_or(usize::MAX));
        Ok(listing)
    }

    async fn unindexed(&self, slice: Slice) -> Result<Listing, StoreError> {
        match slice {
            Slice::All => self.scan(true, None, due_index::BACKFILL_BATCH).await,
            Slice::Segment { segment, total } => self.scan(true, Some((segment, total)), usize::MAX).await,
        }
    }

    async fn reschedule(&self, id: &PulseId, plan: &Reschedule) -> Result<Held, StoreError> {
        let mut e = Expr::default();
        let sets = [
            e.set(item::DUE_AT, millis(plan.next_due)),
            // Brings an item another writer made into the index; the same value for every other.
            e.if_not_exists(item::DUE_SHARD, s(shard_of(id))),
        ];
        let ts = e.name(item::TIMESTAMP);
        let due = e.name(item::DUE_AT);
        let seen = match plan.seen_due {
            Some(seen) => format!("{due} = {}", e.value(millis(seen))),
            None => format!("attribute_not_exists({due})"),
        };
        let started = e.name(run_item::STARTED_AT);
        let seen_start = match plan.seen_start {
            Some(at) => format!("{started} = {}", e.value(s(format_stamp(at)))),
            None => format!("attribute_not_exists({started})"),
        };
        // A pulse since the look leaves the stamp changed; an edit or another run, the due time; a
        // start, the start (whose max runtime may need an earlier look).
        let condition = format!("{ts} = {} AND {seen} AND {seen_start}", e.value(s(&plan.stamp)));
        self.conditional_update(id, &format!("SET {}", sets.join(", ")), &condition, e)
            .await
    }

    async fn claim(
        &self,
        id: &PulseId,
        expect: &Expectation,
        claim: &Claim,
        now: DateTime<Utc>,
    ) -> Result<Held, StoreError> {
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
                let holds = still_in(&mut e, stamp);
                let id = e.value(s(stamp));
                format!("{holds} AND (attribute_not_exists({alert_for}) OR {alert_for} <> {id})")
            }
            Expectation::Reminder { stamp, notified_at } => {
                let holds = still_in(&mut e, stamp);
                let id = e.value(s(stamp));
                let alert_at = e.name(item::ALERT_AT);
                let notified = e.value(s(format_stamp(*notified_at)));
                format!("{holds} AND {alert_for} = {id} AND {alert_at} = {notified}")
            }
            Expectation::Recovery { alerted_stamp } => format!("{alert_for} = {}", e.value(s(alerted_stamp))),
        };
        // A snooze or pause written after the run read the pulse wins: the run sends nothing about it.
        let paused = e.name(item::PAUSED);
        let snoozed = e.name(item::SNOOZED_UNTIL);
        let awake = format!(
            "attribute_not_exists({paused}) AND (attribute_not_exists({snoozed}) OR {snoozed} <= {})",
            e.value(s(format_stamp(now)))
        );
        self.conditional_update(id, &update, &format!("{free} AND {state} AND {awake}"), e)
            .await
    }

    async fn record_alert(
        &self,
        id: &PulseId,
        run: &str,
        alert: &Alert,
        next_due: DateTime<Utc>,
    ) -> Result<Held, StoreError> {
        let record = |due: DateTime<Utc>, still_at_stamp: bool| {
            let mut e = Expr::default();
            let update = format!(
                "SET {}, {}, {}, {} REMOVE {}, {}, {}",
                e.set(item::ALERT_FOR, s(&alert.for_stamp)),
                e.set(item::ALERT_AT, s(format_stamp(alert.notified_at))),
                e.set(item::DUE_AT, millis(due)),
                e.set(item::DUE_SHARD, s(shard_of(id))),
                e.name(item::CLAIM_RUN),
                e.name(item::CLAIM_UNTIL),
                e.name(item::DELIVERED),
            );
            let mut condition = format!("{} = {}", e.name(item::CLAIM_RUN), e.value(s(run)));
            if still_at_stamp {
                condition += &format!(" AND {}", still_in(&mut e, &alert.for_stamp));
            }
            (update, condition, e)
        };
        let (update, condition, e) = record(next_due, true);
        if self.conditional_update(id, &update, &condition, e).await?.held() {
            return Ok(Held::Yes);
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
    ) -> Result<Held, StoreError> {
        let mut e = Expr::default();
        let alert_for = e.name(item::ALERT_FOR);
        let update = format!(
            "SET {}, {} REMOVE {alert_for}, {}, {}, {}, {}",
            e.set(item::DUE_AT, millis(next_due)),
            e.set(item::DUE_SHARD, s(shard_of(id))),
            e.name(item::ALERT_AT),
            e.name(item::CLAIM_RUN),
            e.name(item::CLAIM_UNTIL),
            e.name(item::DELIVERED),
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

    async fn record_partial(&self, id: &PulseId, run: &str, markers: &[String]) -> Result<Held, StoreError> {
        if markers.is_empty() {
            self.release(id, run).await?;
            return Ok(Held::Yes);
        }
        let mut e = Expr::default();
        let update = format!(
            "ADD {} {} REMOVE {}, {}",
            e.name(item::DELIVERED),
            e.value(AttributeValue::Ss(markers.to_vec())),
            e.name(item::CLAIM_RUN),
            e.name(item::CLAIM_UNTIL),
        );
        // Only the lease holder: another run may have taken over and delivered meanwhile.
        let condition = format!("{} = {}", e.name(item::CLAIM_RUN), e.value(s(run)));
        self.conditional_update(id, &update, &condition, e).await
    }
}

/// The condition that the pulse is still in the incident `id` names: `rules::signals::still_in`,
/// written for DynamoDB. A pulse, a failure or a finish landing after the monitor read the item
/// makes it false, so the monitor never alerts an incident that has just changed.
fn still_in(e: &mut Expr, id: &str) -> String {
    let incident = Incident::parse(id);
    let failing = e.name(run_item::FAILING_SINCE);
    match (incident.kind, incident.instant()) {
        (IncidentKind::Failed, Some(since)) => format!("{failing} = {}", e.value(s(format_stamp(since)))),
        (IncidentKind::Overrun, Some(started)) => {
            let started = e.value(s(format_stamp(started)));
            let finish = e.name(run_item::LAST_FINISH);
            format!(
                "{} = {started} AND (attribute_not_exists({finish}) OR {finish} < {started}) AND attribute_not_exists({failing})",
                e.name(run_item::STARTED_AT)
            )
        }
        // A late incident (or an id that reads as nothing else): still at that pulse, and no failure.
        _ => format!(
            "{} = {} AND attribute_not_exists({failing})",
            e.name(item::TIMESTAMP),
            e.value(s(id))
        ),
    }
}
