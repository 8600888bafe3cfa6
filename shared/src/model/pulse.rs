//! A pulse as the rest of the code sees it, independent of how the table stores it.

use super::{Expectation, MaxRuntime, PulseId, PulseKey, Quieting, RunState, Threshold, WorkingDays, Zone};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq)]
pub struct Pulse {
    pub id: PulseId,
    /// Read back from the table without validation: the original server stored whatever it was sent.
    pub key: PulseKey,
    pub last_pulse: DateTime<Utc>,
    /// `timestampF` exactly as stored. It identifies the incident: conditional writes compare it, so
    /// a pulse that lands while the monitor works changes it and makes the monitor's write fail.
    pub stamp: String,
    pub threshold: Threshold,
    pub saturday: bool,
    /// Absent on items the original server wrote: the configured default applies.
    pub tz: Option<Zone>,
    pub pulse_count: Option<u64>,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_message: Option<String>,
    /// A JSON object, as text.
    pub last_metadata: Option<String>,
    /// Present while an incident's alert has been delivered and the pulse has not been seen to recover.
    pub alert: Option<Alert>,
    /// A monitor run that is delivering a message about this pulse right now.
    pub claim: Option<Claim>,
    /// When the monitor should next look at this pulse (the due index); `None` for items that are not
    /// in the index yet (written by the original server and not pulsed since).
    pub due_at: Option<DateTime<Utc>>,
    /// Snooze and pause (`rules/quiet.rs`).
    pub quiet: Quieting,
    /// Starts, failures, exit codes and durations (signals); empty for plain pulses.
    pub run: RunState,
    /// Workdays, calendars, hours, schedule and grace (issue 11); all absent on older items.
    pub expect: Expectation,
    /// Channels that already have the current message (alert, reminder or recovery) while others
    /// still owe it: `<phase>|<channel>` markers (monitor/channels.rs), cleared when the message is
    /// recorded as delivered everywhere. Empty with the default Slack webhook alone.
    pub delivered: Vec<String>,
}

impl Pulse {
    /// The pulse as an edit leaves it: `settings` replace its own.
    pub fn with_settings(mut self, settings: &Settings) -> Self {
        self.threshold = settings.threshold;
        self.saturday = settings.saturday;
        self.tz = Some(settings.tz);
        self.expect = settings.expect.clone();
        self.run.max_runtime = settings.max_runtime;
        self
    }

    /// The settings an edit starts from: the item's own, its time zone or the default.
    pub fn settings(&self, default_tz: Zone) -> Settings {
        Settings {
            threshold: self.threshold,
            saturday: self.saturday,
            tz: self.timezone(default_tz),
            expect: self.expect.clone(),
            max_runtime: self.run.max_runtime,
        }
    }

    pub fn working_days(&self) -> WorkingDays {
        self.expect
            .workdays
            .unwrap_or_else(|| WorkingDays::from_saturday_flag(self.saturday))
    }

    pub fn timezone(&self, default: Zone) -> Zone {
        self.tz.unwrap_or(default)
    }
}

/// The delivered alert of an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// The `timestampF` the incident was about; when the stored stamp differs, the pulse has recovered.
    pub for_stamp: String,
    /// When the alert or its latest reminder went out.
    pub notified_at: DateTime<Utc>,
}

/// A lease that keeps overlapping monitor runs from sending the same message twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub run: String,
    pub until: DateTime<Utc>,
}

/// What the edit page changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub threshold: Threshold,
    pub saturday: bool,
    pub tz: Zone,
    pub expect: Expectation,
    /// Hours a started run may take before it is overrun (signals); `None`: no limit.
    pub max_runtime: Option<MaxRuntime>,
}
