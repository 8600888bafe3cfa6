//! The store: narrow traits the handlers ask for, a DynamoDB implementation and an in-memory one.
//! AWS types stop here; everything above sees `Pulse`, `PulseId` and `StoreError`.

mod client;
pub mod config;
#[cfg(any(test, feature = "testing"))]
pub mod contract;
#[cfg(any(test, feature = "testing"))]
pub mod contract_events;
#[cfg(any(test, feature = "testing"))]
pub mod contract_signals;
pub mod due_index;
mod dynamo;
mod error;
pub mod events;
mod expr;
pub mod item;
mod memory;
mod page;
pub mod run_item;
pub mod schema;
mod sdk_http;

pub use client::{Dynamo, MAX_ATTEMPTS, local_client, sdk_config};
pub use config::{MaintenanceStore, ensure_config_table, new_window_id};
pub use dynamo::{DynamoStore, StoreStats};
pub use error::{Cause, StoreError};
pub use events::{EventLog, EventPage, StoredEvent, ensure_events_table};
pub use memory::MemoryStore;
pub use page::{PulsePage, PulsePages};

use crate::model::{Alert, Claim, Pulse, PulseId, PulseKey, Settings, Signal, Threshold, Zone};

/// Ids per `fetch`: BatchGetItem's limit.
pub const FETCH_BATCH: usize = 100;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// One pulse as a client sent it, parsed.
#[derive(Debug, Clone)]
pub struct PulseReceipt {
    pub key: PulseKey,
    pub at: DateTime<Utc>,
    /// Applied only when the item is created: later edits in the browser win over clients.
    pub threshold: Threshold,
    pub saturday: bool,
    /// The client's `tz`, or the configured default: like the threshold, fixed when the item is created.
    /// Items the original server created have none; they take it from their first pulse here.
    pub tz: Zone,
    pub message: Option<String>,
    /// A JSON object, as text.
    pub metadata: Option<String>,
    /// Workdays, calendars, hours, schedule, grace from the first pulse; like the threshold, each
    /// is written only where the item has none.
    pub expect: crate::model::Expectation,
}

impl PulseReceipt {
    /// When a pulse created by this receipt first owes a decision: its exact late instant, counted
    /// without holidays (they only make it later, and the monitor moves it forward when it comes).
    pub fn first_due(&self) -> DateTime<Utc> {
        crate::rules::due::first_with(self.at, self.threshold, self.saturday, self.tz, &self.expect)
    }
}

/// Every readable pulse, and the ids of items that could not be read (logged, shown as a count).
#[derive(Debug, Default)]
pub struct Listing {
    pub pulses: Vec<Pulse>,
    pub unreadable: Vec<String>,
}

/// Whether a conditional write's condition held, so the write happened: for a settings write or a
/// delete, that the pulse exists; for the monitor's writes, that the pulse is still as the run saw it.
/// One type for every store method, so a `false` cannot mean "not found" in one place and "refused" in another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    Yes,
    No,
}

impl Held {
    pub fn held(self) -> bool {
        self == Held::Yes
    }
}

impl From<bool> for Held {
    fn from(held: bool) -> Self {
        if held { Held::Yes } else { Held::No }
    }
}

/// Which items outside the due index a run looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slice {
    /// Up to `due_index::BACKFILL_BATCH` of them, wherever they are (the Sunday runs, `?backfill=1`).
    All,
    /// One segment of a parallel Scan: every scheduled run reads one, so each item is seen within an
    /// hour at a bounded cost per run (docs/PERFORMANCE.md).
    Segment { segment: u32, total: u32 },
}

/// What a monitor run believed when it claimed a pulse; the claim succeeds only if it still holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expectation {
    /// A new incident: the pulse is still in the incident `stamp` names (`rules::signals::Incident`:
    /// for a late one, the pulse's stamp) and no alert went out for it.
    Alert { stamp: String },
    /// A reminder: still in the incident `stamp`, alerted for it, last notified at `notified_at`.
    Reminder { stamp: String, notified_at: DateTime<Utc> },
    /// A recovery: still alerted for `alerted_stamp` (the pulse has moved on, or its settings were
    /// relaxed); stamps only move forward, so this cannot be undone by a racing pulse.
    Recovery { alerted_stamp: String },
}

/// A new due time for a pulse the monitor looked at, valid only if the pulse is as it was seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Reschedule {
    pub stamp: String,
    pub seen_due: Option<DateTime<Utc>>,
    /// The latest start as seen: a start since may make the pulse due earlier (its max runtime).
    pub seen_start: Option<DateTime<Utc>>,
    pub next_due: DateTime<Utc>,
}

#[async_trait]
pub trait PulseRecorder: Send + Sync {
    /// Creates the item on first sight, refreshes it after; never moves the timestamp backwards.
    /// A new item is due at its exact first instant (`PulseReceipt::first_due`); after that a pulse
    /// leaves the due time alone (the monitor moves it when it comes: one index write per threshold
    /// period, not two per pulse), except that an alerted pulse coming back and an item another writer
    /// made are due at once.
    async fn record_pulse(&self, receipt: &PulseReceipt) -> Result<(), StoreError> {
        self.record_signal(receipt, &Signal::success()).await
    }

    /// Any signal. A success is the pulse above (and ends a failed incident). A failure does not
    /// refresh the last pulse: it opens (or keeps) a failed incident and makes the pulse due at once.
    /// A start records the run's start and, with a max runtime, makes the pulse due by its overrun
    /// instant. Finishes and starts only move forward; older ones change nothing.
    async fn record_signal(&self, receipt: &PulseReceipt, signal: &Signal) -> Result<(), StoreError>;
}

#[async_trait]
pub trait PulseReader: Send + Sync {
    async fn get(&self, id: &PulseId) -> Result<Option<Pulse>, StoreError>;
    async fn list(&self) -> Result<Listing, StoreError>;
}

#[async_trait]
pub trait SettingsWriter: Send + Sync {
    /// Where this store keeps pulse history; `None` for a store without one (test doubles).
    fn history(&self) -> Option<&dyn EventLog> {
        None
    }
    /// Changes an existing pulse, and moves its due time at once; never creates a pulse.
    async fn update_settings(
        &self,
        id: &PulseId,
        settings: &Settings,
        due_at: DateTime<Utc>,
    ) -> Result<Held, StoreError>;
    async fn delete(&self, id: &PulseId) -> Result<Held, StoreError>;
}

/// Snooze and pause (`rules/quiet.rs`). Each write moves the due time with it, so the monitor reads
/// the pulse exactly when it may speak again; neither ever creates a pulse.
#[async_trait]
pub trait QuietWriter: Send + Sync {
    /// Where this store keeps pulse history; `None` for a store without one (test doubles).
    fn history(&self) -> Option<&dyn EventLog> {
        None
    }
    /// `None` ends the snooze.
    async fn set_snooze(
        &self,
        id: &PulseId,
        until: Option<DateTime<Utc>>,
        due_at: DateTime<Utc>,
    ) -> Result<Held, StoreError>;
    /// A pause also ends with the pulse's next signal (`record_pulse` removes it and makes the pulse
    /// due at once).
    async fn set_pause(&self, id: &PulseId, paused: bool, due_at: DateTime<Utc>) -> Result<Held, StoreError>;
}

/// The monitor's bookkeeping. Every write is conditional, so racing pulses and overlapping runs
/// cannot produce a false or a duplicate message.
#[async_trait]
pub trait IncidentLedger: Send + Sync {
    /// Where this store keeps pulse history; `None` for a store without one (test doubles).
    fn history(&self) -> Option<&dyn EventLog> {
        None
    }
    /// The maintenance windows a run respects (one Query of the config table). A ledger without
    /// one (test doubles wrapping another) has none.
    async fn maintenance_windows(&self) -> Result<Vec<crate::model::Window>, StoreError> {
        Ok(Vec::new())
    }
    /// The ids of pulses due by `now`, in due order: only these owe a decision.
    async fn due(&self, now: DateTime<Utc>) -> Result<Vec<PulseId>, StoreError>;
    /// The pulses with these ids (at most `FETCH_BATCH`); ids no longer in the table are left out.
    async fn fetch(&self, ids: &[PulseId]) -> Result<Listing, StoreError>;
    /// Pulses not in the due index (written by another writer: the original server, a restore, a script).
    async fn unindexed(&self, slice: Slice) -> Result<Listing, StoreError>;
    /// Moves a pulse's due time after a look that sent nothing; `No` if the pulse changed meanwhile
    /// (its new due time, written by whoever changed it, stands).
    async fn reschedule(&self, id: &PulseId, plan: &Reschedule) -> Result<Held, StoreError>;
    /// Takes the lease on a pulse if `expect` still holds and no other run holds an unexpired lease.
    async fn claim(
        &self,
        id: &PulseId,
        expect: &Expectation,
        claim: &Claim,
        now: DateTime<Utc>,
    ) -> Result<Held, StoreError>;
    /// Slack accepted the alert or reminder: record it, drop the lease, look again at `next_due`. If the
    /// pulse came back while the message was on its way, it is due at once, for its recovery message.
    async fn record_alert(
        &self,
        id: &PulseId,
        run: &str,
        alert: &Alert,
        next_due: DateTime<Utc>,
    ) -> Result<Held, StoreError>;
    /// Slack accepted the recovery message: the incident is over.
    async fn record_recovery(
        &self,
        id: &PulseId,
        run: &str,
        alerted_stamp: &str,
        next_due: DateTime<Utc>,
    ) -> Result<Held, StoreError>;
    /// Delivery failed: drop the lease so a later run tries again.
    async fn release(&self, id: &PulseId, run: &str) -> Result<(), StoreError>;
    /// Some channels took the message and others did not: add their `markers` (so a later run sends
    /// only to the rest) and drop the lease; the pulse stays due. `record_alert` and
    /// `record_recovery` clear the markers. `No` if the lease was lost.
    async fn record_partial(&self, id: &PulseId, run: &str, markers: &[String]) -> Result<Held, StoreError>;
}
