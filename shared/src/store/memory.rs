//! An in-memory store with the same semantics as the DynamoDB one, for handler and monitor tests.
//! It also counts requests, so tests can assert how much work an operation did.

use super::Reschedule;
use super::{
    Expectation, Found, IncidentLedger, Listing, PulseReader, PulseReceipt, PulseRecorder, SettingsWriter, StoreError,
};
use crate::model::{Alert, Claim, Pulse, PulseId, Settings, format_stamp, parse_stamp};
use crate::rules::due;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[derive(Default)]
pub struct MemoryStore {
    pulses: Mutex<BTreeMap<PulseId, Pulse>>,
    requests: AtomicUsize,
    /// When set, every request fails as if the table could not be reached.
    down: AtomicBool,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts a pulse as-is, e.g. one shaped like the original server's items.
    pub fn insert(&self, pulse: Pulse) {
        self.pulses.lock().unwrap().insert(pulse.id.clone(), pulse);
    }

    pub fn snapshot(&self, id: &PulseId) -> Option<Pulse> {
        self.pulses.lock().unwrap().get(id).cloned()
    }

    pub fn len(&self) -> usize {
        self.pulses.lock().unwrap().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// Counts a request and fails it while the store is "down".
    pub(super) fn enter(&self) -> Result<std::sync::MutexGuard<'_, BTreeMap<PulseId, Pulse>>, StoreError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("the in-memory store is switched off".into()));
        }
        Ok(self.pulses.lock().unwrap())
    }

    fn listing(&self, keep: impl Fn(&Pulse) -> bool) -> Result<Listing, StoreError> {
        let pulses = self.enter()?;
        let pulses = pulses.values().filter(|p| keep(p)).cloned().collect();
        Ok(Listing {
            pulses,
            unreadable: Vec::new(),
        })
    }
}

#[async_trait]
impl PulseRecorder for MemoryStore {
    async fn record_pulse(&self, receipt: &PulseReceipt) -> Result<(), StoreError> {
        let mut pulses = self.enter()?;
        let id = receipt.key.id();
        let stamp = format_stamp(receipt.at);
        match pulses.get_mut(&id) {
            Some(p) => {
                p.pulse_count = Some(p.pulse_count.unwrap_or(0) + 1);
                if p.stamp.as_str() > stamp.as_str() {
                    return Ok(());
                }
                // As in DynamoDB: a lower bound where the threshold is known, else due at once; an
                // alerted pulse is due at once for its recovery (a second write there).
                p.due_at = Some(match (&p.alert, p.due_at) {
                    (Some(_), _) => {
                        self.requests.fetch_add(1, Ordering::SeqCst);
                        receipt.at
                    }
                    (None, Some(_)) => due::lower_bound(receipt.at, p.threshold),
                    (None, None) => receipt.at,
                });
                p.key = receipt.key.clone();
                p.last_pulse = receipt.at;
                p.stamp = stamp.clone();
                p.first_seen = p.first_seen.or(Some(receipt.at));
                p.tz = p.tz.or(Some(receipt.tz));
                if receipt.message.is_some() {
                    p.last_message = receipt.message.clone();
                }
                if receipt.metadata.is_some() {
                    p.last_metadata = receipt.metadata.clone();
                }
            }
            None => {
                let pulse = Pulse {
                    id: id.clone(),
                    key: receipt.key.clone(),
                    last_pulse: parse_stamp(&stamp).expect("a formatted stamp parses"),
                    stamp,
                    threshold: receipt.threshold,
                    saturday: receipt.saturday,
                    tz: Some(receipt.tz),
                    pulse_count: Some(1),
                    first_seen: Some(receipt.at),
                    last_message: receipt.message.clone(),
                    last_metadata: receipt.metadata.clone(),
                    alert: None,
                    claim: None,
                    due_at: Some(receipt.at),
                };
                pulses.insert(id, pulse);
            }
        }
        Ok(())
    }
}

#[async_trait]
impl PulseReader for MemoryStore {
    async fn get(&self, id: &PulseId) -> Result<Option<Pulse>, StoreError> {
        Ok(self.enter()?.get(id).cloned())
    }

    async fn list(&self) -> Result<Listing, StoreError> {
        self.listing(|_| true)
    }
}

#[async_trait]
impl SettingsWriter for MemoryStore {
    async fn update_settings(
        &self,
        id: &PulseId,
        settings: &Settings,
        due_at: DateTime<Utc>,
    ) -> Result<Found, StoreError> {
        let mut pulses = self.enter()?;
        let Some(p) = pulses.get_mut(id) else {
            return Ok(Found::No);
        };
        p.threshold = settings.threshold;
        p.saturday = settings.saturday;
        p.tz = Some(settings.tz);
        p.due_at = Some(due_at);
        Ok(Found::Yes)
    }

    async fn delete(&self, id: &PulseId) -> Result<Found, StoreError> {
        Ok(if self.enter()?.remove(id).is_some() {
            Found::Yes
        } else {
            Found::No
        })
    }
}

#[async_trait]
impl IncidentLedger for MemoryStore {
    async fn candidates(&self, now: DateTime<Utc>) -> Result<Listing, StoreError> {
        self.listing(|p| p.due_at.is_some_and(|due| due <= now))
    }

    async fn unindexed(&self) -> Result<Listing, StoreError> {
        let mut listing = self.listing(|p| p.due_at.is_none())?;
        listing.pulses.truncate(super::due_index::BACKFILL_BATCH);
        Ok(listing)
    }

    async fn reschedule(&self, id: &PulseId, plan: &Reschedule) -> Result<bool, StoreError> {
        let mut pulses = self.enter()?;
        let Some(p) = pulses
            .get_mut(id)
            .filter(|p| p.stamp == plan.stamp && p.due_at == plan.seen_due)
        else {
            return Ok(false);
        };
        p.due_at = Some(plan.next_due);
        Ok(true)
    }

    async fn claim(
        &self,
        id: &PulseId,
        expect: &Expectation,
        claim: &Claim,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut pulses = self.enter()?;
        let Some(p) = pulses.get_mut(id) else { return Ok(false) };
        let free = p.claim.as_ref().is_none_or(|c| c.until < now);
        let alert_for = p.alert.as_ref().map(|a| a.for_stamp.as_str());
        let holds = match expect {
            Expectation::Alert { stamp } => p.stamp == *stamp && alert_for != Some(stamp.as_str()),
            Expectation::Reminder { stamp, notified_at } => {
                p.stamp == *stamp
                    && p.alert
                        .as_ref()
                        .is_some_and(|a| a.for_stamp == *stamp && a.notified_at == *notified_at)
            }
            Expectation::Recovery { alerted_stamp } => alert_for == Some(alerted_stamp.as_str()),
        };
        if free && holds {
            p.claim = Some(claim.clone());
        }
        Ok(free && holds)
    }

    async fn record_alert(
        &self,
        id: &PulseId,
        run: &str,
        alert: &Alert,
        next_due: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut pulses = self.enter()?;
        let Some(p) = pulses
            .get_mut(id)
            .filter(|p| p.claim.as_ref().is_some_and(|c| c.run == run))
        else {
            return Ok(false);
        };
        // Came back after the claim: due at once for the recovery (DynamoDB needs a second write here).
        p.due_at = Some(if p.stamp == alert.for_stamp {
            next_due
        } else {
            alert.notified_at
        });
        p.alert = Some(alert.clone());
        p.claim = None;
        Ok(true)
    }

    async fn record_recovery(
        &self,
        id: &PulseId,
        run: &str,
        alerted_stamp: &str,
        next_due: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut pulses = self.enter()?;
        let held = |p: &&mut Pulse| {
            p.claim.as_ref().is_some_and(|c| c.run == run)
                && p.alert.as_ref().is_some_and(|a| a.for_stamp == alerted_stamp)
        };
        let Some(p) = pulses.get_mut(id).filter(held) else {
            return Ok(false);
        };
        p.alert = None;
        p.claim = None;
        p.due_at = Some(next_due);
        Ok(true)
    }

    async fn release(&self, id: &PulseId, run: &str) -> Result<(), StoreError> {
        let mut pulses = self.enter()?;
        if let Some(p) = pulses
            .get_mut(id)
            .filter(|p| p.claim.as_ref().is_some_and(|c| c.run == run))
        {
            p.claim = None;
        }
        Ok(())
    }
}
