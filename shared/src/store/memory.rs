//! An in-memory store with the same semantics as the DynamoDB one, for handler and monitor tests.
//! It also counts requests, so tests can assert how much work an operation did.

use super::{
    Expectation, Held, IncidentLedger, Listing, PulseReader, PulseReceipt, PulseRecorder, QuietWriter, Reschedule,
    SettingsWriter, Slice, StoreError,
};
use crate::model::{Alert, Claim, Pulse, PulseId, Settings, Signal, SignalKind, format_stamp, parse_stamp};
use crate::rules::signals::still_in;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[derive(Default)]
pub struct MemoryStore {
    pulses: Mutex<BTreeMap<PulseId, Pulse>>,
    windows: Mutex<Vec<crate::model::Window>>,
    /// The holiday calendars, as the config table holds them.
    calendars: super::config::MemoryConfig,
    /// Each pulse's history, oldest first.
    events: Mutex<BTreeMap<PulseId, VecDeque<super::events::StoredEvent>>>,
    requests: AtomicUsize,
    /// Requests to the history, counted apart (they run beside the pulse's own write).
    history_requests: AtomicUsize,
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

    pub(super) fn windows_cell(&self) -> &Mutex<Vec<crate::model::Window>> {
        &self.windows
    }

    pub(super) fn calendars_cell(&self) -> &super::config::MemoryConfig {
        &self.calendars
    }

    pub fn history_requests(&self) -> usize {
        self.history_requests.load(Ordering::SeqCst)
    }

    /// Counts a history request and fails it while the store is "down".
    pub(super) fn enter_history(&self) -> Result<(), StoreError> {
        self.history_requests.fetch_add(1, Ordering::SeqCst);
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("the in-memory store is switched off".into()));
        }
        Ok(())
    }

    pub(super) fn events_cell(&self) -> &Mutex<BTreeMap<PulseId, VecDeque<super::events::StoredEvent>>> {
        &self.events
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

    /// Changes an existing pulse and moves its due time, as DynamoDB's conditional writes do (settings,
    /// snooze, pause); never creates one.
    fn change_existing(
        &self,
        id: &PulseId,
        due_at: DateTime<Utc>,
        change: impl FnOnce(&mut Pulse),
    ) -> Result<Held, StoreError> {
        let mut pulses = self.enter()?;
        let Some(p) = pulses.get_mut(id) else {
            return Ok(Held::No);
        };
        change(p);
        p.due_at = Some(due_at);
        Ok(Held::Yes)
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
    async fn record_signal(&self, receipt: &PulseReceipt, signal: &Signal) -> Result<(), StoreError> {
        let mut pulses = self.enter()?;
        let id = receipt.key.id();
        let stamp = format_stamp(receipt.at);
        let at = receipt.at;
        let Some(p) = pulses.get_mut(&id) else {
            let mut pulse = Pulse {
                id: id.clone(),
                key: receipt.key.clone(),
                last_pulse: parse_stamp(&stamp).expect("a formatted stamp parses"),
                stamp,
                threshold: receipt.threshold,
                saturday: receipt.saturday,
                tz: Some(receipt.tz),
                pulse_count: (signal.kind == SignalKind::Success).then_some(1),
                first_seen: Some(at),
                last_message: receipt.message.clone(),
                last_metadata: receipt.metadata.clone(),
                alert: None,
                claim: None,
                due_at: Some(receipt.first_due()),
                quiet: Default::default(),
                run: Default::default(),
                expect: receipt.expect.clone(),
                delivered: Vec::new(),
            };
            pulse.run.max_runtime = signal.max_runtime;
            match signal.kind {
                SignalKind::Success => finish(&mut pulse, at, signal),
                SignalKind::Failure => fail(&mut pulse, at, signal),
                SignalKind::Start => {
                    pulse.run.started_at = Some(at);
                    if let Some(max) = signal.max_runtime {
                        pulse.due_at = pulse.due_at.map(|due| due.min(at + max.duration()));
                    }
                }
            }
            pulses.insert(id, pulse);
            return Ok(());
        };
        let late_finish = p.run.last_finish.is_some_and(|last| last > at);
        match signal.kind {
            SignalKind::Success => {
                p.pulse_count = Some(p.pulse_count.unwrap_or(0) + 1);
                if p.stamp.as_str() > format_stamp(at).as_str() || late_finish {
                    // DynamoDB counts a late pulse with a second write.
                    self.requests.fetch_add(1, Ordering::SeqCst);
                    return Ok(());
                }
                // As in DynamoDB: the due time stays, except that an alerted pulse, and an item
                // another writer made, are due at once (a second write there).
                // A signal ends a pause: due at once too.
                match (&p.alert, p.due_at, p.quiet.paused) {
                    (None, Some(_), false) => {}
                    _ => {
                        self.requests.fetch_add(1, Ordering::SeqCst);
                        p.due_at = Some(at);
                    }
                }
                p.last_pulse = at;
                p.stamp = format_stamp(at);
                finish(p, at, signal);
            }
            SignalKind::Failure => {
                if late_finish {
                    return Ok(());
                }
                fail(p, at, signal);
            }
            SignalKind::Start => {
                let older = p.run.started_at.is_some_and(|started| started > at);
                let ended = signal.rid.is_some() && signal.rid == p.run.finish_rid;
                if older || ended {
                    return Ok(());
                }
                p.run.started_at = Some(at);
                // Another writer's item, or a pause this start ends: due at once.
                let foreign = p.due_at.is_none() || p.quiet.paused;
                let max = p.run.max_runtime.or(signal.max_runtime);
                if foreign {
                    self.requests.fetch_add(1, Ordering::SeqCst);
                    p.due_at = Some(at);
                } else if let Some(max) = max {
                    let overrun = at + max.duration();
                    if p.due_at.is_none_or(|due| due > overrun) {
                        // DynamoDB moves it with a second, conditional write.
                        self.requests.fetch_add(1, Ordering::SeqCst);
                        p.due_at = Some(overrun);
                    }
                }
            }
        }
        // Any signal ends a pause.
        p.quiet.paused = false;
        p.key = receipt.key.clone();
        p.first_seen = p.first_seen.or(Some(at));
        p.tz = p.tz.or(Some(receipt.tz));
        p.run.max_runtime = p.run.max_runtime.or(signal.max_runtime);
        // As DynamoDB's if_not_exists: a setting the item already has wins.
        let (own, sent) = (&mut p.expect, &receipt.expect);
        own.workdays = own.workdays.or(sent.workdays);
        own.calendars = own.calendars.take().or_else(|| sent.calendars.clone());
        own.hours = own.hours.or(sent.hours);
        own.schedule = own.schedule.take().or_else(|| sent.schedule.clone());
        own.grace = own.grace.or(sent.grace);
        if receipt.message.is_some() {
            p.last_message = receipt.message.clone();
        }
        if receipt.metadata.is_some() {
            p.last_metadata = receipt.metadata.clone();
        }
        Ok(())
    }
}

/// What a success or a failure writes about the run it ends (DynamoDB: `signals::finish_parts`).
fn finish(p: &mut Pulse, at: DateTime<Utc>, signal: &Signal) {
    let run = &mut p.run;
    run.prev_finish = run.last_finish;
    run.run_start = run.started_at;
    run.last_finish = Some(at);
    run.sent_duration = signal.duration;
    run.exit_code = signal.exit;
    run.finish_rid = signal.rid.clone();
    if signal.kind == SignalKind::Success {
        run.failing_since = None;
        run.failure_log = None;
    }
}

fn fail(p: &mut Pulse, at: DateTime<Utc>, signal: &Signal) {
    finish(p, at, signal);
    p.run.failing_since = p.run.failing_since.or(Some(at));
    p.run.last_failure = Some(at);
    p.run.failure_log = signal.log.clone();
    p.due_at = Some(at);
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
    fn history(&self) -> Option<&dyn crate::store::EventLog> {
        Some(self)
    }

    async fn update_settings(
        &self,
        id: &PulseId,
        settings: &Settings,
        due_at: DateTime<Utc>,
    ) -> Result<Held, StoreError> {
        self.change_existing(id, due_at, |p| {
            p.threshold = settings.threshold;
            p.saturday = settings.saturday;
            p.tz = Some(settings.tz);
            p.expect = settings.expect.clone();
            p.run.max_runtime = settings.max_runtime;
        })
    }

    async fn delete(&self, id: &PulseId) -> Result<Held, StoreError> {
        Ok(if self.enter()?.remove(id).is_some() {
            Held::Yes
        } else {
            Held::No
        })
    }
}

#[async_trait]
impl QuietWriter for MemoryStore {
    fn history(&self) -> Option<&dyn crate::store::EventLog> {
        Some(self)
    }

    async fn set_snooze(
        &self,
        id: &PulseId,
        until: Option<DateTime<Utc>>,
        due_at: DateTime<Utc>,
    ) -> Result<Held, StoreError> {
        self.change_existing(id, due_at, |p| p.quiet.snoozed_until = until)
    }

    async fn set_pause(&self, id: &PulseId, paused: bool, due_at: DateTime<Utc>) -> Result<Held, StoreError> {
        self.change_existing(id, due_at, |p| p.quiet.paused = paused)
    }
}

#[async_trait]
impl IncidentLedger for MemoryStore {
    fn history(&self) -> Option<&dyn crate::store::EventLog> {
        Some(self)
    }

    async fn maintenance_windows(&self) -> Result<Vec<crate::model::Window>, StoreError> {
        super::MaintenanceStore::windows(self).await
    }

    async fn due(&self, now: DateTime<Utc>) -> Result<Vec<PulseId>, StoreError> {
        let pulses = self.enter()?;
        let mut due: Vec<_> = pulses
            .values()
            .filter_map(|p| p.due_at.filter(|due| *due <= now).map(|due| (due, p.id.clone())))
            .collect();
        due.sort();
        Ok(due.into_iter().map(|(_, id)| id).collect())
    }

    async fn fetch(&self, ids: &[PulseId]) -> Result<Listing, StoreError> {
        let pulses = self.enter()?;
        Ok(Listing {
            pulses: ids.iter().filter_map(|id| pulses.get(id).cloned()).collect(),
            unreadable: Vec::new(),
        })
    }

    async fn unindexed(&self, slice: Slice) -> Result<Listing, StoreError> {
        let mut listing = self.listing(|p| {
            p.due_at.is_none()
                && match slice {
                    Slice::All => true,
                    // DynamoDB splits by its own hash of the key; any stable split of the ids will do.
                    Slice::Segment { segment, total } => segment_of(&p.id, total) == segment,
                }
        })?;
        if slice == Slice::All {
            listing.pulses.truncate(super::due_index::BACKFILL_BATCH);
        }
        Ok(listing)
    }

    async fn reschedule(&self, id: &PulseId, plan: &Reschedule) -> Result<Held, StoreError> {
        let mut pulses = self.enter()?;
        let Some(p) = pulses
            .get_mut(id)
            .filter(|p| p.stamp == plan.stamp && p.due_at == plan.seen_due && p.run.started_at == plan.seen_start)
        else {
            return Ok(Held::No);
        };
        p.due_at = Some(plan.next_due);
        Ok(Held::Yes)
    }

    async fn claim(
        &self,
        id: &PulseId,
        expect: &Expectation,
        claim: &Claim,
        now: DateTime<Utc>,
    ) -> Result<Held, StoreError> {
        let mut pulses = self.enter()?;
        let Some(p) = pulses.get_mut(id) else {
            return Ok(Held::No);
        };
        let free = p.claim.as_ref().is_none_or(|c| c.until < now);
        let alert_for = p.alert.as_ref().map(|a| a.for_stamp.as_str());
        let holds = match expect {
            Expectation::Alert { stamp } => still_in(p, stamp) && alert_for != Some(stamp.as_str()),
            Expectation::Reminder { stamp, notified_at } => {
                still_in(p, stamp)
                    && p.alert
                        .as_ref()
                        .is_some_and(|a| a.for_stamp == *stamp && a.notified_at == *notified_at)
            }
            Expectation::Recovery { alerted_stamp } => alert_for == Some(alerted_stamp.as_str()),
        };
        // As the DynamoDB condition: a snooze or pause written after the run's read wins.
        let now_stamp = format_stamp(now);
        let awake = !p.quiet.paused
            && p.quiet
                .snoozed_until
                .is_none_or(|until| format_stamp(until) <= now_stamp);
        let holds = holds && awake;
        if free && holds {
            p.claim = Some(claim.clone());
        }
        Ok((free && holds).into())
    }

    async fn record_alert(
        &self,
        id: &PulseId,
        run: &str,
        alert: &Alert,
        next_due: DateTime<Utc>,
    ) -> Result<Held, StoreError> {
        let mut pulses = self.enter()?;
        let Some(p) = pulses
            .get_mut(id)
            .filter(|p| p.claim.as_ref().is_some_and(|c| c.run == run))
        else {
            return Ok(Held::No);
        };
        // Came back after the claim: due at once for the recovery (DynamoDB needs a second write here).
        p.due_at = Some(if still_in(p, &alert.for_stamp) {
            next_due
        } else {
            alert.notified_at
        });
        p.alert = Some(alert.clone());
        p.claim = None;
        p.delivered.clear();
        Ok(Held::Yes)
    }

    async fn record_recovery(
        &self,
        id: &PulseId,
        run: &str,
        alerted_stamp: &str,
        next_due: DateTime<Utc>,
    ) -> Result<Held, StoreError> {
        let mut pulses = self.enter()?;
        let held = |p: &&mut Pulse| {
            p.claim.as_ref().is_some_and(|c| c.run == run)
                && p.alert.as_ref().is_some_and(|a| a.for_stamp == alerted_stamp)
        };
        let Some(p) = pulses.get_mut(id).filter(held) else {
            return Ok(Held::No);
        };
        p.alert = None;
        p.claim = None;
        p.due_at = Some(next_due);
        p.delivered.clear();
        Ok(Held::Yes)
    }

    async fn record_partial(&self, id: &PulseId, run: &str, markers: &[String]) -> Result<Held, StoreError> {
        let mut pulses = self.enter()?;
        let Some(p) = pulses
            .get_mut(id)
            .filter(|p| p.claim.as_ref().is_some_and(|c| c.run == run))
        else {
            return Ok(Held::No);
        };
        for marker in markers {
            if !p.delivered.contains(marker) {
                p.delivered.push(marker.clone());
            }
        }
        p.delivered.sort();
        p.claim = None;
        Ok(Held::Yes)
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

fn segment_of(id: &PulseId, total: u32) -> u32 {
    id.as_str()
        .bytes()
        .fold(7u32, |acc, b| acc.wrapping_mul(131).wrapping_add(u32::from(b)))
        % total.max(1)
}

#[cfg(test)]
mod contract {
    crate::store_contract!(async { ((), super::MemoryStore::new()) });
}
