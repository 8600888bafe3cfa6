//! One entry of a pulse's history: a signal it got, or a step of one of its incidents. Written next
//! to the pulse (never in its item), read back newest first by the events API and the detail page.

use super::{PulseId, Settings, Signal, SignalKind};
use chrono::{DateTime, TimeDelta, Utc};

/// What happened. The names are the API's (`kind` in an event's JSON) and the stored attribute's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Success,
    Start,
    Failure,
    /// An incident began (the monitor found it; `incident` says which).
    Opened,
    /// Its first message went out.
    Alerted,
    Reminded,
    Recovered,
    /// Snoozed, or a snooze ended (`detail` says which).
    Snoozed,
    /// Paused, or resumed from the pages or the API (`detail` says which).
    Paused,
    /// Its settings changed.
    Edited,
}

impl EventKind {
    pub const ALL: [EventKind; 10] = [
        EventKind::Success,
        EventKind::Start,
        EventKind::Failure,
        EventKind::Opened,
        EventKind::Alerted,
        EventKind::Reminded,
        EventKind::Recovered,
        EventKind::Snoozed,
        EventKind::Paused,
        EventKind::Edited,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EventKind::Success => "success",
            EventKind::Start => "start",
            EventKind::Failure => "failure",
            EventKind::Opened => "opened",
            EventKind::Alerted => "alerted",
            EventKind::Reminded => "reminded",
            EventKind::Recovered => "recovered",
            EventKind::Snoozed => "snoozed",
            EventKind::Paused => "paused",
            EventKind::Edited => "edited",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == raw)
    }

    /// A job's own signal (as opposed to a step of an incident or a person's change).
    pub fn is_signal(self) -> bool {
        matches!(self, EventKind::Success | EventKind::Start | EventKind::Failure)
    }
}

impl From<SignalKind> for EventKind {
    fn from(kind: SignalKind) -> Self {
        match kind {
            SignalKind::Success => EventKind::Success,
            SignalKind::Start => EventKind::Start,
            SignalKind::Failure => EventKind::Failure,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub pulse: PulseId,
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub exit: Option<u8>,
    pub duration: Option<TimeDelta>,
    /// The pulse's message, or for a step what it was about (the incident's kind, "until …").
    pub message: Option<String>,
    /// The end of the job's output, as the signal carried it.
    pub log: Option<String>,
    /// For incident steps: `late`, `failed` or `overrun`.
    pub incident: Option<String>,
    /// When the history lets it go (DynamoDB's TTL on AWS; the service trims locally).
    pub expires: DateTime<Utc>,
}

impl Event {
    /// The event a job's signal makes, kept for `history_days`.
    pub fn of_signal(
        pulse: PulseId,
        at: DateTime<Utc>,
        signal: &Signal,
        message: Option<&str>,
        history_days: u32,
    ) -> Self {
        Event {
            pulse,
            at,
            kind: signal.kind.into(),
            exit: signal.exit,
            duration: signal.duration,
            message: message.map(str::to_owned),
            log: signal.log.clone(),
            incident: None,
            expires: expiry(at, history_days),
        }
    }

    /// A step of an incident, or a person's change.
    pub fn step(pulse: PulseId, at: DateTime<Utc>, kind: EventKind, history_days: u32) -> Self {
        Event {
            pulse,
            at,
            kind,
            exit: None,
            duration: None,
            message: None,
            log: None,
            incident: None,
            expires: expiry(at, history_days),
        }
    }

    pub fn with_incident(mut self, incident: &str) -> Self {
        self.incident = Some(incident.to_owned());
        self
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    pub fn log_bytes(&self) -> usize {
        self.log.as_deref().map_or(0, str::len)
    }
}

/// What an `edited` event says: the settings as they now are.
pub fn edited_note(settings: &Settings) -> String {
    let mut note = format!(
        "threshold {} h, Saturdays {}, time zone {}",
        settings.threshold,
        if settings.saturday { "count" } else { "do not count" },
        settings.tz
    );
    if let Some(max) = settings.max_runtime {
        note += &format!(", max runtime {max} h");
    }
    note
}

/// The instant an event made at `at` is let go: `history_days` later.
pub fn expiry(at: DateTime<Utc>, history_days: u32) -> DateTime<Utc> {
    at + TimeDelta::days(i64::from(history_days))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_by_name() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.name()), Some(kind));
        }
        assert_eq!(EventKind::parse("exploded"), None);
    }
}
