//! What a channel is told, independent of any provider: one occasion (alert, reminder, recovery or a
//! test) and the pulses it is about, each with its incident kind, since when, a detail line and links.
//! Renderers turn this into each provider's format; nothing here knows HTTP. A failed or overrun
//! job's own words (exit code, duration, message, log) come as main's [`RunReport`], which every
//! renderer escapes for its markup.

use crate::model::Zone;
use crate::report::{CHAT_LOG_CHARS, CHAT_LOG_LINES, RunReport, log_tail_lines};
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
    /// `late`, `failed` or `overrun` (`rules/signals.rs`).
    pub incident: String,
    /// When the incident started (the instant the pulse became overdue, or its last pulse).
    pub since: DateTime<Utc>,
    /// A sentence for people, e.g. "3 h 30 min of working time over its 1 d threshold".
    pub detail: String,
    /// The pulse's page, when the service knows its public address and the dashboard secret.
    pub pulse_url: Option<String>,
    /// Where to snooze it (the pulse's page, at its settings).
    pub snooze_url: Option<String>,
    /// What a failed or overrun job reported; `None` for a late pulse and in recoveries.
    #[serde(skip)]
    pub report: Option<RunReport>,
}

impl Incident {
    /// `host / category / type / name`, the way the dashboard names a pulse.
    pub fn title(&self) -> String {
        format!("{} / {} / {} / {}", self.host, self.category, self.kind, self.name)
    }

    /// The job's message, on one line; `None` when it said nothing.
    pub fn message(&self) -> Option<String> {
        let message = self.report.as_ref()?.message.as_deref()?;
        (!message.trim().is_empty()).then(|| super::text::one_line(message.trim()))
    }

    /// The end of the job's log as chat messages quote it (its last lines; control characters other
    /// than line breaks as spaces, so a terminal escape or a bell never reaches a provider).
    pub fn log_tail(&self) -> Option<String> {
        let log = self.report.as_ref()?.log.as_deref()?;
        let tail: String = log_tail_lines(log, CHAT_LOG_LINES, CHAT_LOG_CHARS)
            .chars()
            .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
            .collect();
        (!tail.trim().is_empty()).then_some(tail)
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
    /// The one zone every time a person reads in the message is in: the pulse's own when the message
    /// is about one pulse, `DEFAULT_TIMEZONE` when it covers several (or none).
    pub zone: Zone,
}

impl Digest {
    /// `at` as the message says it: in the message's zone, naming it, as `words::moment` puts it.
    pub fn time(&self, at: DateTime<Utc>) -> String {
        crate::words::moment(at, self.at, self.zone.tz())
    }

    /// A plain-text title, without any provider's markup, naming the kind of trouble when all the
    /// incidents share it (the Slack message's headers say the same).
    pub fn title(&self) -> String {
        let count = self.incidents.len();
        let one = count == 1;
        let all = |kind: &str| self.incidents.iter().all(|i| i.incident == kind);
        let reminder = self.occasion == Occasion::Reminder;
        match self.occasion {
            Occasion::Test => "Test message from heartbeat: this channel works".to_owned(),
            Occasion::Recovery if one => "1 pulse recovered".to_owned(),
            Occasion::Recovery => format!("{count} pulses recovered"),
            _ if all("late") => match (reminder, one) {
                (false, true) => "1 pulse exceeded its threshold".to_owned(),
                (false, false) => format!("{count} pulses exceeded their threshold"),
                (true, true) => "1 pulse is still over its threshold".to_owned(),
                (true, false) => format!("{count} pulses are still over their threshold"),
            },
            _ if all("failed") => match (reminder, one) {
                (false, true) => "1 job failed".to_owned(),
                (false, false) => format!("{count} jobs failed"),
                (true, true) => "1 job is still failing".to_owned(),
                (true, false) => format!("{count} jobs are still failing"),
            },
            _ if all("overrun") => match (reminder, one) {
                (false, true) => "1 job is running past its max runtime".to_owned(),
                (false, false) => format!("{count} jobs are running past their max runtime"),
                (true, true) => "1 job is still running past its max runtime".to_owned(),
                (true, false) => format!("{count} jobs are still running past their max runtime"),
            },
            _ if reminder => format!("{count} pulses still need attention (late, failed or overrun)"),
            _ => format!("{count} pulses need attention (late, failed or overrun)"),
        }
    }

    /// A harmless message for "Send a test message", its time in `zone` (`DEFAULT_TIMEZONE`).
    pub fn test(at: DateTime<Utc>, zone: Zone, dashboard_url: Option<String>) -> Self {
        Self {
            occasion: Occasion::Test,
            incidents: Vec::new(),
            dashboard_url,
            at,
            zone,
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
            report: None,
        }
    }

    /// A log written to break out of every markup a provider uses, ending in the line that matters.
    pub const HOSTILE_LOG: &str = "starting backup\n</pre><script>alert(1)</script>\n```\n<!channel> @everyone [x](https://evil) *bold*\n\u{1b}[31mred\u{1b}[0m & \"quoted\" \u{7}\nFATAL: disk full";

    /// A failed job with a hostile message and log (exit code 3 after 2 min).
    pub fn failed(n: usize) -> Incident {
        use crate::rules::signals::IncidentKind;
        Incident {
            incident: "failed".into(),
            detail: "failed with exit code 3 after 2 min".into(),
            report: Some(RunReport {
                incident: IncidentKind::Failed,
                exit_code: Some(3),
                duration: Some(chrono::TimeDelta::minutes(2)),
                message: Some("<b>pg_dump</b> & `rm -rf` @here\nsecond line".into()),
                log: Some(format!("{}\n{HOSTILE_LOG}", "noise\n".repeat(40))),
            }),
            ..hostile(n)
        }
    }

    pub fn failed_digest(occasion: Occasion, count: usize) -> Digest {
        Digest {
            incidents: (0..count).map(failed).collect(),
            ..digest(occasion, 0)
        }
    }

    pub fn digest(occasion: Occasion, count: usize) -> Digest {
        Digest {
            occasion,
            incidents: (0..count).map(hostile).collect(),
            dashboard_url: Some("https://hb.example/Prod/heartbeat/dashboard?secret=s".into()),
            at: Utc.with_ymd_and_hms(2026, 11, 19, 10, 0, 0).unwrap(),
            zone: Zone::UTC,
        }
    }
}
