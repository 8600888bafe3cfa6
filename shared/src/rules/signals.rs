//! What a pulse's signals mean at a given moment: running, overrun, failed, which incident is open,
//! how long the last run took, and the one-word state. Plain functions, time passed in.

use super::due;
use super::status::Status;
use crate::model::{Alert, Pulse, RunState, SignalKind, format_stamp, parse_stamp};
use chrono::{DateTime, TimeDelta, Utc};
use std::time::Duration;

/// The kinds of incident, by the names alerts and the API use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentKind {
    Late,
    Failed,
    Overrun,
}

impl IncidentKind {
    pub fn name(self) -> &'static str {
        match self {
            IncidentKind::Late => "late",
            IncidentKind::Failed => "failed",
            IncidentKind::Overrun => "overrun",
        }
    }
}

/// One incident of a pulse, named by the instant that opened it. The id is what `alertFor` stores:
/// a `late` incident's id is the pulse's `timestampF` itself (as before signals existed, so items
/// alerted by earlier versions read the same), the others carry their kind in front.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub kind: IncidentKind,
    pub id: String,
}

impl Incident {
    fn late(pulse: &Pulse) -> Self {
        Incident {
            kind: IncidentKind::Late,
            id: pulse.stamp.clone(),
        }
    }

    fn at(kind: IncidentKind, at: DateTime<Utc>) -> Self {
        Incident {
            kind,
            id: format!("{}@{}", kind.name(), format_stamp(at)),
        }
    }

    /// Reads an `alertFor` value back.
    pub fn parse(id: &str) -> Self {
        let kind = match id.split_once('@') {
            Some(("failed", _)) => IncidentKind::Failed,
            Some(("overrun", _)) => IncidentKind::Overrun,
            _ => IncidentKind::Late,
        };
        Incident {
            kind,
            id: id.to_owned(),
        }
    }

    /// The instant that names a `failed` or `overrun` incident (for a `late` one, the pulse's stamp).
    pub fn instant(&self) -> Option<DateTime<Utc>> {
        match self.kind {
            IncidentKind::Late => parse_stamp(&self.id),
            _ => self.id.split_once('@').and_then(|(_, at)| parse_stamp(at)),
        }
    }
}

/// Started, and neither succeeded nor failed since.
pub fn is_running(run: &RunState) -> bool {
    run.started_at
        .is_some_and(|started| run.last_finish.is_none_or(|finish| started > finish))
}

/// When a running job with a max runtime becomes overrun (overrun strictly after this instant).
pub fn overrun_at(run: &RunState) -> Option<DateTime<Utc>> {
    if !is_running(run) {
        return None;
    }
    Some(run.started_at? + run.max_runtime?.duration())
}

pub fn is_overrun(run: &RunState, now: DateTime<Utc>) -> bool {
    overrun_at(run).is_some_and(|at| now > at)
}

/// The incident a pulse is in now, the worst first: `failed` > `overrun` > `late`.
pub fn current(pulse: &Pulse, status: &Status, now: DateTime<Utc>) -> Option<Incident> {
    if let Some(since) = pulse.run.failing_since {
        return Some(Incident::at(IncidentKind::Failed, since));
    }
    if is_overrun(&pulse.run, now) {
        return Some(Incident::at(IncidentKind::Overrun, pulse.run.started_at?));
    }
    status.exceeded.then(|| Incident::late(pulse))
}

/// Whether an alerted incident is over, and if so whether the job itself ended it (it pulsed,
/// succeeded or finished the run) rather than an edit of its settings.
pub fn closed(pulse: &Pulse, status: &Status, now: DateTime<Utc>, alerted: &Incident) -> Option<bool> {
    match alerted.kind {
        IncidentKind::Late if alerted.id != pulse.stamp => Some(true),
        IncidentKind::Late if !status.exceeded => Some(false),
        IncidentKind::Failed if pulse.run.failing_since != alerted.instant() => Some(true),
        IncidentKind::Overrun if pulse.run.started_at != alerted.instant() || !is_running(&pulse.run) => Some(true),
        IncidentKind::Overrun if !is_overrun(&pulse.run, now) => Some(false),
        _ => None,
    }
}

/// Whether the pulse is still in the incident `id` names: what a claim or an alert record checks
/// (the DynamoDB store writes the same as a condition, `store/dynamo/ledger.rs`).
pub fn still_in(pulse: &Pulse, id: &str) -> bool {
    let incident = Incident::parse(id);
    let run = &pulse.run;
    match incident.kind {
        IncidentKind::Late => pulse.stamp == id && run.failing_since.is_none(),
        IncidentKind::Failed => run.failing_since.is_some() && run.failing_since == incident.instant(),
        IncidentKind::Overrun => {
            let started = incident.instant();
            run.started_at.is_some()
                && run.started_at == started
                && run.last_finish.is_none_or(|f| Some(f) < started)
                && run.failing_since.is_none()
        }
    }
}

/// When the job last succeeded; `None` when it never has. A start or a failure that creates an item
/// gives it a time to count from (`timestampF`, its first sight) without a success: such an item has
/// no `pulseCount` and was first seen at that very time. Items of the original server (no
/// `firstSeen`) were made by successes.
pub fn last_success(pulse: &Pulse) -> Option<DateTime<Utc>> {
    let made_by_another_signal = pulse.pulse_count.is_none()
        && pulse
            .first_seen
            .is_some_and(|first| first.timestamp_millis() == pulse.last_pulse.timestamp_millis());
    (!made_by_another_signal).then_some(pulse.last_pulse)
}

/// The latest signal of any kind and when it came: a success, a start or a failure.
pub fn last_signal(pulse: &Pulse) -> (SignalKind, DateTime<Utc>) {
    let mut latest = match last_success(pulse) {
        Some(at) => (SignalKind::Success, at),
        // A start or failure made the item at its first sight; what came since is below.
        None => (SignalKind::Start, pulse.last_pulse),
    };
    for (kind, at) in [
        (SignalKind::Start, pulse.run.started_at),
        (SignalKind::Failure, pulse.run.last_failure),
    ] {
        if let Some(at) = at.filter(|at| *at >= latest.1) {
            latest = (kind, at);
        }
    }
    latest
}

/// How long the last finished run took: from its start when that start is newer than the finish
/// before, else what the job sent.
pub fn last_duration(run: &RunState) -> Option<TimeDelta> {
    if let (Some(start), Some(finish)) = (run.run_start, run.last_finish) {
        if run.prev_finish.is_none_or(|prev| start > prev) && start <= finish {
            return Some(finish - start);
        }
    }
    run.sent_duration
}

/// When the monitor must next look: at once while an incident waits for its alert, else the
/// earlier of the threshold's instant (or the next reminder) and a running job's overrun instant.
pub fn next_look(
    pulse: &Pulse,
    status: &Status,
    alert: Option<&Alert>,
    now: DateTime<Utc>,
    remind_every: Option<Duration>,
) -> DateTime<Utc> {
    let current = current(pulse, status, now);
    let alerted = alert.map(|a| Incident::parse(&a.for_stamp));
    if current.is_some() && current.as_ref().map(|c| &c.id) != alerted.as_ref().map(|a| &a.id) {
        return now;
    }
    let next = due::next_look(status, alert, now, remind_every);
    let worse_than_alerted = alerted.is_none_or(|a| a.kind == IncidentKind::Late);
    match overrun_at(&pulse.run) {
        Some(at) if at >= now && worse_than_alerted => next.min(at),
        _ => next,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MaxRuntime, Zone};
    use crate::rules::status::status;

    use crate::testing::{monday_at as at, pulse_running as pulse};

    fn two_hours() -> Option<MaxRuntime> {
        Some(MaxRuntime::parse("2").unwrap())
    }

    #[test]
    fn durations_count_from_a_start_newer_than_the_finish_before() {
        let sent = Some(TimeDelta::seconds(42));
        let cases = [
            // Start, then finish: measured.
            (
                Some(at(9, 0)),
                Some(at(9, 5)),
                Some(at(8, 0)),
                sent,
                Some(TimeDelta::minutes(5)),
            ),
            // The start belongs to an earlier run: what the job sent.
            (Some(at(7, 0)), Some(at(9, 5)), Some(at(8, 0)), sent, sent),
            // No start at all.
            (None, Some(at(9, 5)), None, sent, sent),
            (None, Some(at(9, 5)), None, None, None),
            // The first run: no finish before.
            (Some(at(9, 0)), Some(at(9, 1)), None, None, Some(TimeDelta::minutes(1))),
        ];
        for (i, (run_start, last_finish, prev_finish, sent_duration, want)) in cases.into_iter().enumerate() {
            let run = RunState {
                run_start,
                last_finish,
                prev_finish,
                sent_duration,
                ..RunState::default()
            };
            assert_eq!(last_duration(&run), want, "case {i}");
        }
    }

    #[test]
    fn incidents_are_named_by_kind_and_instant() {
        let failed = Incident::at(IncidentKind::Failed, at(9, 30));
        assert_eq!(failed.id, "failed@2026-11-23T09:30:00.000Z");
        assert_eq!(Incident::parse(&failed.id), failed);
        assert_eq!(Incident::parse(&failed.id).instant(), Some(at(9, 30)));
        let late = Incident::parse("2026-11-20T18:00:00.000Z");
        assert_eq!(late.kind, IncidentKind::Late);
    }

    #[test]
    fn a_failure_is_due_at_once_and_a_running_job_at_its_max_runtime() {
        let now = at(9, 0);
        let failed = pulse(RunState {
            failing_since: Some(at(8, 59)),
            ..RunState::default()
        });
        let s = status(&failed, now, Zone::UTC);
        assert_eq!(next_look(&failed, &s, None, now, None), now);
        let running = pulse(RunState {
            started_at: Some(at(8, 30)),
            max_runtime: two_hours(),
            ..RunState::default()
        });
        let s = status(&running, now, Zone::UTC);
        assert_eq!(next_look(&running, &s, None, now, None), at(10, 30));
        // Without a max runtime, only the threshold counts.
        let mut plain = running.clone();
        plain.run.max_runtime = None;
        assert_eq!(next_look(&plain, &s, None, now, None), s.exceeded_after.unwrap());
    }

    #[test]
    fn an_incident_holds_until_the_job_ends_it() {
        let now = at(12, 0);
        let mut p = pulse(RunState {
            failing_since: Some(at(9, 30)),
            ..RunState::default()
        });
        let s = status(&p, now, Zone::UTC);
        let incident = current(&p, &s, now).unwrap();
        assert!(still_in(&p, &incident.id));
        assert_eq!(closed(&p, &s, now, &incident), None);
        p.run.failing_since = None;
        assert!(!still_in(&p, &incident.id));
        assert_eq!(closed(&p, &s, now, &incident), Some(true));
    }

    #[test]
    fn a_pulse_made_by_a_failure_has_no_success() {
        let original = pulse(RunState::default());
        assert_eq!(last_success(&original), Some(at(8, 0)), "the original server's items");
        assert_eq!(last_signal(&original), (SignalKind::Success, at(8, 0)));
        // Created by a failure at 08:00: first seen then, never counted a success.
        let failed = RunState {
            failing_since: Some(at(8, 0)),
            last_failure: Some(at(8, 0)),
            last_finish: Some(at(8, 0)),
            ..RunState::default()
        };
        let made_by_failure = Pulse {
            first_seen: Some(at(8, 0)),
            pulse_count: None,
            ..pulse(failed.clone())
        };
        assert_eq!(last_success(&made_by_failure), None);
        assert_eq!(last_signal(&made_by_failure), (SignalKind::Failure, at(8, 0)));
        // Succeeded once, failed since: the success stands, the failure is the latest signal.
        let later = Pulse {
            first_seen: Some(at(7, 0)),
            pulse_count: Some(1),
            run: RunState {
                last_failure: Some(at(9, 0)),
                ..failed
            },
            ..made_by_failure.clone()
        };
        assert_eq!(last_success(&later), Some(at(8, 0)));
        assert_eq!(last_signal(&later), (SignalKind::Failure, at(9, 0)));
        // An original item a start touched later: first seen at the start, its success stands.
        let started = Pulse {
            first_seen: Some(at(10, 0)),
            run: RunState {
                started_at: Some(at(10, 0)),
                ..RunState::default()
            },
            ..pulse(RunState::default())
        };
        assert_eq!(last_success(&started), Some(at(8, 0)));
        assert_eq!(last_signal(&started), (SignalKind::Start, at(10, 0)));
    }
}
