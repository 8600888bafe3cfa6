//! What a channel is told, independent of any provider: one occasion (alert, reminder, recovery or a
//! test) and the pulses it is about, each with its incident kind, since when, a detail line and links.
//! Renderers turn this into each provider's format; nothing here knows HTTP.

use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Occasion {
    /// New incidents.
    Alert,
    /// Incidents still open after the reminder interval.
    Reminder,
    /// Incidents that are over.
    Recovery,
    /// "Send a test message": names no pulse.
    Test,
}

impl Occasion {
    /// Whether the occasion is bad news (providers get a higher priority or severity for it).
    pub fn is_trouble(self) -> bool {
        matches!(self, Self::Alert | Self::Reminder)
    }
}

/// One pulse's incident as every channel sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Incident {
    /// The pulse's `_id` (64 hex characters).
    pub pulse_id: String,
    pub host: String,
    pub category: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    /// `late` today; `failed` and `overrun` come with signals.
    pub incident: String,
    /// When the incident started (the instant the pulse became overdue, or its last pulse).
    pub since: DateTime<Utc>,
    /// A sentence for people, e.g. "3 h 30 min of working time over its 1 d threshold".
    pub detail: String,
    /// The pulse's page, when the service knows its public address and the dashboard secret.
    pub pulse_url: Option<String>,
    /// Where to snooze it (the pulse's page, at its settings).
    pub snooze_url: Option<String>,
}

impl Incident {
    /// `host / category / type / name`, the way the dashboard names a pulse.
    pub fn title(&self) -> String {
        format!("{} / {} / {} / {}", self.host, self.category, self.kind, self.name)
    }
}

/// A run's news for one channel: one occasion, the incidents it is about (possibly more than a
/// provider can show; renderers cut and count the rest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub occasion: Occasion,
    pub incidents: Vec<Incident>,
    pub dashboard_url: Option<String>,
    pub at: DateTime<Utc>,
}

impl Digest {
    /// A plain-text title, without any provider's markup.
    pub fn title(&self) -> String {
        let count = self.incidents.len();
        let one = count == 1;
        match self.occasion {
            Occasion::Alert if one => "1 pulse exceeded its threshold".to_owned(),
            Occasion::Alert => format!("{count} pulses exceeded their threshold"),
            Occasion::Reminder if one => "1 pulse is still over its threshold".to_owned(),
            Occasion::Reminder => format!("{count} pulses are still over their threshold"),
            Occasion::Recovery if one => "1 pulse recovered".to_owned(),
            Occasion::Recovery => format!("{count} pulses recovered"),
            Occasion::Test => "Test message from heartbeat: this channel works".to_owned(),
        }
    }

    /// A harmless message for "Send a test message".
    pub fn test(at: DateTime<Utc>, dashboard_url: Option<String>) -> Self {
        Self {
            occasion: Occasion::Test,
            incidents: Vec::new(),
            dashboard_url,
            at,
        }
    }
}

#[cfg(test)]
pub(crate) mod sample {
    use super::*;
    use chrono::TimeZone as _;

    /// A pulse whose every name is hostile to some markup.
    pub fn hostile(n: usize) -> Incident {
        Incident {
            pulse_id: format!("{n:064x}"),
            host: "<!channel> & @everyone".into(),
            category: "*bold* _it_ `code` [x](https://evil)".into(),
            kind: "<script>alert(1)</script>".into(),
            name: format!("job-{n} \"quoted\" 'single' \u{7}bell"),
            incident: "late".into(),
            since: Utc.with_ymd_and_hms(2026, 11, 19, 9, 0, 0).unwrap(),
            detail: "3 h 30 min of working time over its 1 d threshold".into(),
            pulse_url: Some(format!("https://hb.example/Prod/heartbeat/pulses/{n:064x}?secret=s")),
            snooze_url: Some(format!(
                "https://hb.example/Prod/heartbeat/pulses/{n:064x}?secret=s#snooze"
            )),
        }
    }

    pub fn digest(occasion: Occasion, count: usize) -> Digest {
        Digest {
            occasion,
            incidents: (0..count).map(hostile).collect(),
            dashboard_url: Some("https://hb.example/Prod/heartbeat/dashboard?secret=s".into()),
            at: Utc.with_ymd_and_hms(2026, 11, 19, 10, 0, 0).unwrap(),
        }
    }
}
