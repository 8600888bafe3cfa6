//! Pulse history (`EventsTable`, `EVENTS_TABLE_NAME`): key `pulse` (hash, the pulse's id) + `at`
//! (range: the instant as RFC 3339 with nanoseconds, `#` and a random suffix, so two events of the
//! same instant never overwrite each other and the key sorts by time). Items expire by DynamoDB's
//! TTL on `expires` (epoch seconds); dynalite has none, so the local runtime trims (`local_trim`).

mod dynamo;
mod item;
pub(in crate::store) mod local_trim;
mod memory;

use crate::model::{Event, PulseId};
use crate::store::StoreError;
use crate::store::schema::SchemaError;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType};
use chrono::{DateTime, SecondsFormat, Utc};

pub const PULSE: &str = "pulse";
pub const AT: &str = "at";
pub const EXPIRES: &str = "expires";

/// A pulse keeps at most its newest this many events.
pub const MAX_EVENTS: usize = 1000;

/// An event as stored, with its key: the cursor of a page points at one.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub key: String,
    pub event: Event,
}

/// Newest first; `next` is the key of the last event given when more may follow.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventPage {
    pub events: Vec<StoredEvent>,
    pub next: Option<String>,
}

#[async_trait]
pub trait EventLog: Send + Sync {
    /// One PutItem, never conditional: history is append-only and its keys never collide.
    async fn append(&self, event: &Event) -> Result<(), StoreError>;
    /// Up to `limit` events of `pulse` older than the key `before` (from the newest when `None`),
    /// newest first, those past their expiry left out (TTL deletes lazily, up to days late).
    async fn events(
        &self,
        pulse: &PulseId,
        before: Option<&str>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<EventPage, StoreError>;
    /// Deletes the events past their expiry and all but the newest `keep`; returns how many went.
    async fn trim(&self, pulse: &PulseId, now: DateTime<Utc>, keep: usize) -> Result<usize, StoreError>;
}

/// Writes one step to a pulse's history, when the store keeps one and `days` is not 0. History is a
/// record beside the change it tells of: a failed write is logged, and the change stands.
pub async fn note(history: Option<&dyn EventLog>, days: u32, event: impl FnOnce(u32) -> Event) {
    let Some(history) = history.filter(|_| days > 0) else {
        return;
    };
    let event = event(days);
    if let Err(err) = history.append(&event).await {
        tracing::warn!(id = %event.pulse, kind = event.kind.name(), error = %err, "a history event was not written");
    }
}

/// The sort key of an event at `at`: fixed-width nanoseconds, so keys sort as instants do.
pub fn event_key(at: DateTime<Utc>) -> String {
    format!(
        "{}#{:08x}",
        at.to_rfc3339_opts(SecondsFormat::Nanos, true),
        rand::random::<u32>()
    )
}

/// The instant a key names (`None` for a key this service did not write).
pub fn key_instant(key: &str) -> Option<DateTime<Utc>> {
    let (at, _) = key.split_once('#')?;
    crate::model::parse_stamp(at)
}

/// Creates the events table where it is missing (dynalite, the local runtime) and waits for it.
/// `template.yaml` declares the same keys and the TTL for AWS (`EventsTable`).
pub async fn ensure_events_table(client: &Client, table: &str) -> Result<(), SchemaError> {
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
    };
    let key = |name: &str, kind| KeySchemaElement::builder().attribute_name(name).key_type(kind).build();
    let definition = (|| {
        Ok::<_, aws_sdk_dynamodb::error::BuildError>(
            client
                .create_table()
                .table_name(table)
                .billing_mode(BillingMode::PayPerRequest)
                .attribute_definitions(attribute(PULSE)?)
                .attribute_definitions(attribute(AT)?)
                .key_schema(key(PULSE, KeyType::Hash)?)
                .key_schema(key(AT, KeyType::Range)?),
        )
    })()
    .map_err(|source| SchemaError::Definition {
        table: table.to_owned(),
        source,
    })?;
    crate::store::schema::create_and_wait(client, table, definition).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn keys_sort_as_instants_and_name_them() {
        let a = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let b = a + chrono::TimeDelta::nanoseconds(1);
        let c = a + chrono::TimeDelta::seconds(10);
        let keys = [event_key(a), event_key(b), event_key(c)];
        assert!(keys[0] < keys[1] && keys[1] < keys[2], "{keys:?}");
        assert_eq!(key_instant(&keys[1]), Some(b));
        assert_ne!(event_key(a), event_key(a), "the same instant twice makes two keys");
        assert_eq!(key_instant("no-hash"), None);
    }
}
