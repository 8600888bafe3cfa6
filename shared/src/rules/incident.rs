//! What the monitor owes Slack about one pulse: an alert, a reminder, a recovery, or nothing.

use super::status::Status;
use crate::model::Pulse;
use chrono::{DateTime, Utc};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Quiet,
    /// Exceeded, and no alert has gone out for this incident yet.
    Alert,
    /// Still exceeded, alerted, and the reminder interval has passed.
    Remind,
    /// Alerted, and the pulse has since pulsed again or its settings were relaxed.
    Recover {
        pulsed_again: bool,
    },
}

pub fn decide(pulse: &Pulse, status: &Status, now: DateTime<Utc>, remind_every: Option<Duration>) -> Decision {
    match &pulse.alert {
        Some(alert) if alert.for_stamp != pulse.stamp => Decision::Recover { pulsed_again: true },
        Some(_) if !status.exceeded => Decision::Recover { pulsed_again: false },
        Some(alert) => {
            let due = remind_every
                .and_then(|every| chrono::TimeDelta::from_std(every).ok())
                .is_some_and(|every| now >= alert.notified_at + every);
            if due { Decision::Remind } else { Decision::Quiet }
        }
        None if status.exceeded => Decision::Alert,
        None => Decision::Quiet,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Alert, PulseKey, Threshold, Zone, format_stamp};
    use crate::rules::status::status;
    use chrono::TimeZone as _;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap()
    }

    fn pulse(last: DateTime<Utc>, alert: Option<(DateTime<Utc>, DateTime<Utc>)>) -> Pulse {
        let key = PulseKey::parse(Some("h"), Some("c"), Some("t"), Some("n")).unwrap();
        Pulse {
            id: key.id(),
            key,
            last_pulse: last,
            stamp: format_stamp(last),
            threshold: Threshold::parse("24").unwrap(),
            saturday: false,
            tz: None,
            pulse_count: None,
            first_seen: None,
            last_message: None,
            last_metadata: None,
            alert: alert.map(|(for_pulse, notified_at)| Alert {
                for_stamp: format_stamp(for_pulse),
                notified_at,
            }),
            claim: None,
            due_at: None,
            delivered: Vec::new(),
        }
    }

    fn decide_at(p: &Pulse, now: DateTime<Utc>, remind: Option<u64>) -> Decision {
        let s = status(p, now, Zone::UTC);
        decide(p, &s, now, remind.map(|h| Duration::from_secs(h * 3600)))
    }

    #[test]
    fn decision_table() {
        let wed = at(18, 9);
        // (pulse, now, remind hours, expected)
        let cases = [
            (pulse(wed, None), at(19, 9), Some(24), Decision::Quiet),
            (pulse(wed, None), at(19, 10), Some(24), Decision::Alert),
            (
                pulse(wed, Some((wed, at(19, 10)))),
                at(19, 11),
                Some(24),
                Decision::Quiet,
            ),
            (
                pulse(wed, Some((wed, at(19, 10)))),
                at(20, 10),
                Some(24),
                Decision::Remind,
            ),
            (pulse(wed, Some((wed, at(19, 10)))), at(20, 10), None, Decision::Quiet),
            (
                pulse(at(20, 8), Some((wed, at(19, 10)))),
                at(20, 9),
                Some(24),
                Decision::Recover { pulsed_again: true },
            ),
            // Recovered and stale again before the monitor looked: the old incident is closed first.
            (
                pulse(at(20, 8), Some((wed, at(19, 10)))),
                at(23, 20),
                Some(24),
                Decision::Recover { pulsed_again: true },
            ),
        ];
        for (i, (p, now, remind, want)) in cases.into_iter().enumerate() {
            assert_eq!(decide_at(&p, now, remind), want, "case {i}");
        }
    }

    #[test]
    fn raising_the_threshold_closes_the_incident() {
        let wed = at(18, 9);
        let mut p = pulse(wed, Some((wed, at(19, 10))));
        p.threshold = Threshold::parse("100").unwrap();
        assert_eq!(
            decide_at(&p, at(19, 11), Some(24)),
            Decision::Recover { pulsed_again: false }
        );
    }
}
