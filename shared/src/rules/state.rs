//! A pulse's state by name, as the API, the pages, the badges and the CSV call it: the one ordered
//! list of names, and the one rule for which state a pulse is in at a given moment.

use super::calendar_book::CalendarBook;
use super::quiet::{Silence, silence};
use super::signals::{is_overrun, is_running};
use super::status::{Status, status_with};
use crate::model::{Pulse, Window, Zone};
use chrono::{DateTime, Utc};

/// A pulse's state. The variants are in the order a person reads them (`ALL`): those that need
/// attention first, the worst first; then those quiet on purpose; then the healthy ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    Failed,
    Overrun,
    Late,
    Paused,
    Snoozed,
    Maintenance,
    Running,
    Ok,
}

impl State {
    /// Every state, in the order of the enum: the dashboard's counts, rows and filter, the API's
    /// enum and the status filter all use this order.
    pub const ALL: [State; 8] = [
        State::Failed,
        State::Overrun,
        State::Late,
        State::Paused,
        State::Snoozed,
        State::Maintenance,
        State::Running,
        State::Ok,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            State::Failed => "failed",
            State::Overrun => "overrun",
            State::Late => "late",
            State::Paused => "paused",
            State::Snoozed => "snoozed",
            State::Maintenance => "maintenance",
            State::Running => "running",
            State::Ok => "ok",
        }
    }

    /// Something is wrong with the job and nobody chose to hear nothing about it.
    pub fn needs_attention(self) -> bool {
        matches!(self, State::Failed | State::Overrun | State::Late)
    }

    /// Silent because someone chose so: a pause, a snooze, a maintenance window.
    pub fn is_quiet(self) -> bool {
        matches!(self, State::Paused | State::Snoozed | State::Maintenance)
    }

    /// The position in `ALL`, the dashboard's sort key.
    pub fn rank(self) -> usize {
        self as usize
    }
}

/// Every name, in the order of `State::ALL`.
pub const NAMES: [&str; 8] = {
    let mut names = [""; 8];
    let mut i = 0;
    while i < names.len() {
        names[i] = State::ALL[i].name();
        i += 1;
    }
    names
};

/// The state of `pulse` at `now`, the one rule every page, badge, CSV and the API use. A silence
/// wins (someone chose it; `quiet::silence` says which: a pause, then the pulse's snooze, then a
/// window); then the worst of what its signals and its threshold say: `failed` > `overrun` >
/// `late` > `running` > `ok`.
pub fn of(pulse: &Pulse, status: &Status, windows: &[Window], now: DateTime<Utc>) -> State {
    match silence(&pulse.key, &pulse.quiet, windows, now) {
        Some(silence) => quiet(&silence),
        None => signalled(pulse, status, now),
    }
}

/// Where `pulse` stands at `now` and its state, judged with the holidays of its calendars and the
/// maintenance windows: what every page, badge, CSV and API answer shows for it.
pub fn judge(
    pulse: &Pulse,
    default_tz: Zone,
    now: DateTime<Utc>,
    windows: &[Window],
    book: &CalendarBook,
) -> (Status, State) {
    let status = status_with(pulse, now, default_tz, book);
    let state = of(pulse, &status, windows, now);
    (status, state)
}

/// The state a silence gives.
pub fn quiet(silence: &Silence) -> State {
    match silence {
        Silence::Paused => State::Paused,
        Silence::Snoozed { .. } => State::Snoozed,
        Silence::Maintenance { .. } => State::Maintenance,
    }
}

/// What the signals and the threshold say, the worst winning, silences aside.
pub fn signalled(pulse: &Pulse, status: &Status, now: DateTime<Utc>) -> State {
    if pulse.run.failing_since.is_some() {
        State::Failed
    } else if is_overrun(&pulse.run, now) {
        State::Overrun
    } else if status.exceeded {
        State::Late
    } else if is_running(&pulse.run) {
        State::Running
    } else {
        State::Ok
    }
}

/// The states a `status=late,failed` filter asks for; an unknown name is refused with the list.
pub fn parse_filter(raw: &str) -> Result<Vec<&'static str>, String> {
    let mut wanted = Vec::new();
    for part in raw.split(',') {
        match NAMES.iter().find(|n| **n == part) {
            Some(name) => wanted.push(*name),
            None => {
                let shown: String = part.chars().take(40).collect();
                return Err(format!(
                    "“{shown}” is not a status; use one or more of {}, separated by commas",
                    NAMES.join(", ")
                ));
            }
        }
    }
    Ok(wanted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MaxRuntime, Quieting, RunState, Scope, Zone};
    use crate::rules::status::status;
    use chrono::TimeDelta;

    use crate::testing::{monday_at as at, pulse_running as pulse};

    #[test]
    fn filters() {
        assert_eq!(parse_filter("late").unwrap(), vec!["late"]);
        assert_eq!(parse_filter("late,failed").unwrap(), vec!["late", "failed"]);
        for bad in ["", "LATE", "late,", "exceeded", " late", "late, ok"] {
            let err = parse_filter(bad).unwrap_err();
            assert!(err.contains("is not a status"), "{bad}: {err}");
        }
    }

    #[test]
    fn the_list_reads_attention_first_then_quiet_then_healthy() {
        assert_eq!(
            NAMES,
            [
                "failed",
                "overrun",
                "late",
                "paused",
                "snoozed",
                "maintenance",
                "running",
                "ok"
            ]
        );
        for (i, state) in State::ALL.iter().enumerate() {
            assert_eq!(state.rank(), i);
            assert!(!(state.needs_attention() && state.is_quiet()));
        }
        let attention: Vec<_> = State::ALL
            .iter()
            .filter(|s| s.needs_attention())
            .map(|s| s.name())
            .collect();
        assert_eq!(attention, ["failed", "overrun", "late"]);
    }

    #[test]
    fn states_with_the_worst_winning() {
        let now = at(12, 0);
        let two_hours = Some(MaxRuntime::parse("2").unwrap());
        let running = RunState {
            started_at: Some(at(11, 0)),
            last_finish: Some(at(8, 0)),
            max_runtime: two_hours,
            ..RunState::default()
        };
        let overrun = RunState {
            started_at: Some(at(9, 0)),
            ..running.clone()
        };
        let failed = RunState {
            failing_since: Some(at(9, 30)),
            ..overrun.clone()
        };
        let finished = RunState {
            started_at: Some(at(9, 0)),
            last_finish: Some(at(9, 10)),
            ..RunState::default()
        };
        let cases = [
            (RunState::default(), now, State::Ok),
            (finished, now, State::Ok),
            (running.clone(), now, State::Running),
            (overrun.clone(), now, State::Overrun),
            (failed, now, State::Failed),
            // Running (no max runtime) and late at once: late wins.
            (
                RunState {
                    max_runtime: None,
                    ..running
                },
                at(8, 0) + TimeDelta::hours(30),
                State::Late,
            ),
            // Overrun and late at once: overrun wins.
            (overrun, at(8, 0) + TimeDelta::hours(30), State::Overrun),
        ];
        for (i, (run, now, want)) in cases.into_iter().enumerate() {
            let p = pulse(run);
            assert_eq!(of(&p, &status(&p, now, Zone::UTC), &[], now), want, "case {i}");
        }
    }

    #[test]
    fn a_silence_wins_over_what_the_signals_say() {
        let now = at(12, 0);
        let mut p = pulse(RunState {
            failing_since: Some(at(9, 30)),
            ..RunState::default()
        });
        let window = Window {
            id: "w".into(),
            start: at(11, 0),
            end: at(13, 0),
            scope: Scope::parse("all").unwrap(),
            note: "upgrade".into(),
        };
        let judged = |p: &Pulse| of(p, &status(p, now, Zone::UTC), std::slice::from_ref(&window), now);
        assert_eq!(judged(&p), State::Maintenance);
        p.quiet = Quieting {
            snoozed_until: Some(at(14, 0)),
            paused: false,
        };
        assert_eq!(judged(&p), State::Snoozed);
        p.quiet.paused = true;
        assert_eq!(judged(&p), State::Paused);
    }
}
