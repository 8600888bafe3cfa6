//! One page of the table at a time, for listings that a client walks with a cursor (the JSON API):
//! each page is one Scan request, so a listing of any size never holds the whole table in memory.

use super::dynamo::push_item;
use super::{DynamoStore, Listing, MemoryStore, StoreError};
use crate::model::PulseId;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

/// The pulses of one page, and where the next page starts (`None`: this was the last one).
#[derive(Debug, Default)]
pub struct PulsePage {
    pub listing: Listing,
    pub next: Option<PulseId>,
}

#[async_trait]
pub trait PulsePages: Send + Sync {
    /// Up to `limit` items after `after` (exclusive), in the table's own order. `after` may be any
    /// item's id, including one that has been deleted since: the table's order does not depend on it.
    async fn page(&self, after: Option<&PulseId>, limit: usize) -> Result<PulsePage, StoreError>;
}

#[async_trait]
impl PulsePages for DynamoStore {
    #[tracing::instrument(level = "debug", skip_all, fields(table = self.table(), op = "Scan", after = after.map(PulseId::as_str)))]
    async fn page(&self, after: Option<&PulseId>, limit: usize) -> Result<PulsePage, StoreError> {
        let start =
            after.map(|id| HashMap::from([(super::item::ID.to_owned(), AttributeValue::S(id.as_str().to_owned()))]));
        let out = self
            .client()
            .scan()
            .table_name(self.table())
            .limit(i32::try_from(limit.max(1)).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(super::error::classify)?;
        self.count(usize::try_from(out.scanned_count()).unwrap_or_default());
        let mut listing = Listing::default();
        out.items().iter().for_each(|raw| push_item(&mut listing, raw));
        let next = match out.last_evaluated_key() {
            None => None,
            Some(key) => match key.get(super::item::ID) {
                Some(AttributeValue::S(id)) => Some(PulseId::from_stored(id.clone())),
                _ => return Err(StoreError::Failed("a scan stopped at a key without _id".into())),
            },
        };
        Ok(PulsePage { listing, next })
    }
}

#[async_trait]
impl PulsePages for MemoryStore {
    async fn page(&self, after: Option<&PulseId>, limit: usize) -> Result<PulsePage, StoreError> {
        let pulses = self.enter()?;
        let rest = pulses
            .iter()
            .filter(|(id, _)| after.is_none_or(|after| *id > after))
            .map(|(_, p)| p);
        let mut listing = Listing::default();
        listing.pulses.extend(rest.clone().take(limit.max(1)).cloned());
        // Like DynamoDB, a full page says "there may be more" even when nothing follows.
        let next = (listing.pulses.len() == limit.max(1))
            .then(|| listing.pulses.last().map(|p| p.id.clone()))
            .flatten();
        Ok(PulsePage { listing, next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Pulse, PulseKey};

    fn pulse(name: &str) -> Pulse {
        let key = PulseKey::parse(Some("h"), Some("c"), Some("t"), Some(name)).unwrap();
        crate::testing::original_pulse(key, chrono::DateTime::UNIX_EPOCH, "24", false)
    }

    #[tokio::test]
    async fn pages_walk_every_item_once() {
        let store = MemoryStore::new();
        for i in 0..7 {
            store.insert(pulse(&format!("p{i}")));
        }
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store.page(after.as_ref(), 3).await.unwrap();
            seen.extend(page.listing.pulses.iter().map(|p| p.id.clone()));
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(seen.len(), 7);
        assert_eq!(unique.len(), 7);
    }
}
