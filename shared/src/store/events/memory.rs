//! The events in memory, with the semantics of the DynamoDB store under the local runtime: every
//! append trims the pulse's history to what it may keep.

use super::{EventLog, EventPage, MAX_EVENTS, StoredEvent, event_key};
use crate::model::{Event, PulseId};
use crate::store::{MemoryStore, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
impl EventLog for MemoryStore {
    async fn append(&self, event: &Event) -> Result<(), StoreError> {
        self.enter_history()?;
        let stored = StoredEvent {
            key: event_key(event.at),
            event: event.clone(),
        };
        let mut events = self.events_cell().lock().unwrap();
        let history = events.entry(event.pulse.clone()).or_default();
        // Events nearly always arrive in order: at the back, without a search.
        if history.back().is_none_or(|last| last.key <= stored.key) {
            history.push_back(stored);
        } else {
            let at = history.partition_point(|e| e.key < stored.key);
            history.insert(at, stored);
        }
        // The oldest go first, as TTL and the cap take them; a full `trim` (which also finds an
        // expired event behind a newer one) is left to the `trim` call, so an append stays O(1).
        while history.len() > MAX_EVENTS || history.front().is_some_and(|e| e.event.expires <= event.at) {
            history.pop_front();
        }
        Ok(())
    }

    async fn events(
        &self,
        pulse: &PulseId,
        before: Option<&str>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<EventPage, StoreError> {
        self.enter_history()?;
        let events = self.events_cell().lock().unwrap();
        let older: Vec<&StoredEvent> = events
            .get(pulse)
            .map(|h| {
                h.iter()
                    .rev()
                    .filter(|e| before.is_none_or(|b| e.key.as_str() < b))
                    .collect()
            })
            .unwrap_or_default();
        let page: Vec<&StoredEvent> = older.iter().copied().take(limit).collect();
        // As a DynamoDB Query with a Limit: a full page says where it stopped.
        let next = (page.len() == limit)
            .then(|| page.last().map(|e| e.key.clone()))
            .flatten();
        Ok(EventPage {
            events: page.into_iter().filter(|e| e.event.expires > now).cloned().collect(),
            next,
        })
    }

    async fn trim(&self, pulse: &PulseId, now: DateTime<Utc>, keep: usize) -> Result<usize, StoreError> {
        self.enter_history()?;
        Ok(trim_now(self, pulse, now, keep))
    }
}

/// Drops the expired events and all but the newest `keep`; how many went.
fn trim_now(store: &MemoryStore, pulse: &PulseId, now: DateTime<Utc>, keep: usize) -> usize {
    let mut events = store.events_cell().lock().unwrap();
    let Some(history) = events.get_mut(pulse) else {
        return 0;
    };
    let before = history.len();
    history.retain(|e| e.event.expires > now);
    let excess = history.len().saturating_sub(keep);
    history.drain(..excess);
    before - history.len()
}
