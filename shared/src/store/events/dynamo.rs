//! The events on DynamoDB: one PutItem per event, one Query per page (newest first).

use super::item::{from_item, to_item};
use super::local_trim::{LocalTrim, Mark};
use super::{AT, EXPIRES, EventLog, EventPage, PULSE, event_key};
use crate::model::{Event, PulseId};
use crate::store::error::classify;
use crate::store::item::s;
use crate::store::{DynamoStore, StoreError};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

fn is_missing_table<E: aws_sdk_dynamodb::error::ProvideErrorMetadata, R>(
    err: &aws_sdk_dynamodb::error::SdkError<E, R>,
) -> bool {
    err.as_service_error()
        .is_some_and(|e| e.code() == Some("ResourceNotFoundException"))
}

#[async_trait]
impl EventLog for DynamoStore {
    #[tracing::instrument(level = "debug", skip_all, fields(table = self.events_table(), op = "PutItem", id = %event.pulse))]
    async fn append(&self, event: &Event) -> Result<(), StoreError> {
        self.count_history();
        self.client()
            .put_item()
            .table_name(self.events_table())
            .set_item(Some(to_item(&event_key(event.at), event)))
            .send()
            .await
            .map_err(classify)?;
        if let Some(local) = self.local_trim()
            && let Some(mark) = local.wrote(&event.pulse)
        {
            self.trim_locally(local, &event.pulse, event.at, mark).await;
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = self.events_table(), op = "Query", id = %pulse))]
    async fn events(
        &self,
        pulse: &PulseId,
        before: Option<&str>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<EventPage, StoreError> {
        let mut query = self
            .client()
            .query()
            .table_name(self.events_table())
            .expression_attribute_names("#pulse", PULSE)
            .expression_attribute_values(":pulse", s(pulse.as_str()))
            .scan_index_forward(false)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX));
        query = match before {
            Some(before) => query
                .key_condition_expression("#pulse = :pulse AND #at < :before")
                .expression_attribute_names("#at", AT)
                .expression_attribute_values(":before", s(before)),
            None => query.key_condition_expression("#pulse = :pulse"),
        };
        let out = match query.send().await {
            Ok(out) => out,
            // A deployment from before the events table: it has no history yet.
            Err(err) if is_missing_table(&err) => {
                tracing::warn!(
                    table = self.events_table(),
                    "the events table does not exist: no history"
                );
                return Ok(EventPage::default());
            }
            Err(err) => return Err(classify(err)),
        };
        self.count_history();
        let next = out.last_evaluated_key().and_then(|key| match key.get(AT) {
            Some(AttributeValue::S(at)) => Some(at.clone()),
            _ => None,
        });
        let events = out
            .items()
            .iter()
            .filter_map(from_item)
            .filter(|e| e.event.expires > now)
            .collect();
        Ok(EventPage { events, next })
    }

    async fn trim(&self, pulse: &PulseId, now: DateTime<Utc>, keep: usize) -> Result<usize, StoreError> {
        Ok(self.trim_keys(pulse, now, keep).await?.removed)
    }
}

/// What a trim did to one pulse's history.
struct Trimmed {
    removed: usize,
    kept: usize,
}

impl DynamoStore {
    /// The local runtime's trim (see `local_trim`): a failure is logged and the pulse's next write
    /// tries again; the event written stands.
    async fn trim_locally(&self, local: &LocalTrim, pulse: &PulseId, now: DateTime<Utc>, mark: Mark) {
        match self.trim_keys(pulse, now, local.keep()).await {
            Ok(trimmed) => local.trimmed(pulse, mark, trimmed.kept),
            Err(err) => tracing::warn!(id = %pulse, error = %err, "the pulse's history was not trimmed"),
        }
    }

    /// Reads every key of the pulse's history (keys and expiry only), deletes what must go one item
    /// at a time: the local runtime's stand-in for TTL, never on AWS's request path.
    #[tracing::instrument(level = "debug", skip_all, fields(table = self.events_table(), op = "Query", id = %pulse))]
    async fn trim_keys(&self, pulse: &PulseId, now: DateTime<Utc>, keep: usize) -> Result<Trimmed, StoreError> {
        let mut pages = self
            .client()
            .query()
            .table_name(self.events_table())
            .key_condition_expression("#pulse = :pulse")
            .projection_expression("#at, #expires")
            .expression_attribute_names("#pulse", PULSE)
            .expression_attribute_names("#at", AT)
            .expression_attribute_names("#expires", EXPIRES)
            .expression_attribute_values(":pulse", s(pulse.as_str()))
            .scan_index_forward(false)
            .into_paginator()
            .send();
        let mut doomed = Vec::new();
        let mut seen = 0;
        while let Some(page) = pages.next().await {
            let page = page.map_err(classify)?;
            self.count_history();
            for item in page.items() {
                let Some(AttributeValue::S(key)) = item.get(AT) else {
                    continue;
                };
                let expired = match item.get(EXPIRES) {
                    Some(AttributeValue::N(secs)) => secs.parse::<i64>().is_ok_and(|secs| secs <= now.timestamp()),
                    _ => false,
                };
                seen += 1;
                if expired || seen > keep {
                    doomed.push(key.clone());
                }
            }
        }
        for key in &doomed {
            self.count_history();
            self.client()
                .delete_item()
                .table_name(self.events_table())
                .key(PULSE, s(pulse.as_str()))
                .key(AT, s(key))
                .send()
                .await
                .map_err(classify)?;
        }
        Ok(Trimmed {
            removed: doomed.len(),
            kept: seen - doomed.len(),
        })
    }
}
