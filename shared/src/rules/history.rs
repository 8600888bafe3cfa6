//! What a pulse's history says: how long its runs take (last, average and p95 of the last 20), how
//! often it flipped (incidents opened and closed), and its uptime per day. Plain functions over the
//! events, oldest first, with the current time passed in.

use crate::model::{Event, EventKind};
use chrono::{DateTime, Duration, NaiveDate, TimeDelta, Utc};

/// Runs the average and p95 are taken over.
pub const RECENT_RUNS: usize = 20;

/// One finished run: when it finished, how long it took, whether it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub finished: DateTime<Utc>,
    pub took: TimeDelta,
    pub failed: bool,
}

/// Every finished run whose length is known, oldest first: the duration the job sent, else the time
/// since the start that came before it (a start followed by another start is a run never finished).
pub fn runs(events: &[Event]) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut started: Option<DateTime<Utc>> = None;
    for e in events {
        match e.kind {
            EventKind::Start => started = Some(e.at),
            EventKind::Success | EventKind::Failure => {
                let took = e.duration.or_else(|| started.map(|s| e.at - s));
                if let Some(took) = took.filter(|t| *t >= TimeDelta::zero()) {
                    runs.push(Run {
                        finished: e.at,
                        took,
                        failed: e.kind == EventKind::Failure,
                    });
                }
                started = None;
            }
            _ => {}
        }
    }
    runs
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Durations {
    pub last: Option<TimeDelta>,
    pub average: Option<TimeDelta>,
    pub p95: Option<TimeDelta>,
    /// How many runs the average and p95 are over (at most `RECENT_RUNS`).
    pub over: usize,
}

/// Last, average and 95th percentile (nearest rank) of the last `RECENT_RUNS` runs.
pub fn durations(runs: &[Run]) -> Durations {
    let recent = &runs[runs.len().saturating_sub(RECENT_RUNS)..];
    if recent.is_empty() {
        return Durations::default();
    }
    let total: i64 = recent.iter().map(|r| r.took.num_milliseconds()).sum();
    let mut sorted: Vec<TimeDelta> = recent.iter().map(|r| r.took).collect();
    sorted.sort();
    // Nearest rank: the smallest value with at least 95 % of the runs at or below it.
    let rank = (sorted.len() * 95).div_ceil(100).max(1);
    Durations {
        last: recent.last().map(|r| r.took),
        average: Some(TimeDelta::milliseconds(total / recent.len() as i64)),
        p95: Some(sorted[rank - 1]),
        over: recent.len(),
    }
}

/// Incidents opened plus incidents closed.
pub fn flips(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Opened | EventKind::Recovered))
        .count()
}

/// One UTC day: the share of the time the history covers that no incident was open, or `None`
/// when the history does not reach that day (before its first event, or after `now`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Day {
    pub date: NaiveDate,
    pub up: Option<f64>,
}

/// The last `days` UTC days up to `now`'s, oldest first. An incident is open from its `opened`
/// step to its `recovered` one (several may overlap); one still open runs to `now`.
pub fn uptime(events: &[Event], now: DateTime<Utc>, days: u32) -> Vec<Day> {
    let down = down_spans(events, now);
    let covered_from = events.first().map(|e| e.at);
    let today = now.date_naive();
    (0..i64::from(days))
        .rev()
        .map(|back| {
            let date = today - Duration::days(back);
            let start = date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
            let end = (start + TimeDelta::days(1)).min(now);
            let up = covered_from.and_then(|from| {
                let from = from.max(start);
                if from >= end {
                    return None;
                }
                let seen = (end - from).num_milliseconds() as f64;
                let lost: i64 = down
                    .iter()
                    .map(|(a, b)| ((*b).min(end) - (*a).max(from)).num_milliseconds().max(0))
                    .sum();
                Some((1.0 - lost as f64 / seen).clamp(0.0, 1.0))
            });
            Day { date, up }
        })
        .collect()
}

/// The spans during which at least one incident was open.
fn down_spans(events: &[Event], now: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut steps: Vec<(DateTime<Utc>, i32)> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Opened => Some((e.at, 1)),
            EventKind::Recovered => Some((e.at, -1)),
            _ => None,
        })
        .collect();
    steps.sort_by_key(|(at, delta)| (*at, -delta));
    let mut spans = Vec::new();
    let mut open = 0;
    let mut since = None;
    for (at, delta) in steps {
        // A recovery whose opening fell out of the history closes nothing.
        open = (open + delta).max(0);
        match (open, since) {
            (1.., None) => since = Some(at),
            (0, Some(from)) => {
                spans.push((from, at));
                since = None;
            }
            _ => {}
        }
    }
    if let Some(from) = since {
        spans.push((from, now.max(from)));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PulseId, PulseKey};
    use chrono::TimeZone as _;

    fn id() -> PulseId {
        PulseKey::parse(Some("h"), Some("c"), Some("t"), Some("n"))
            .unwrap()
            .id()
    }

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
    }

    fn event(kind: EventKind, when: DateTime<Utc>, seconds: Option<i64>) -> Event {
        Event {
            duration: seconds.map(TimeDelta::seconds),
            ..Event::step(id(), when, kind, 90)
        }
    }

    #[test]
    fn runs_take_the_sent_duration_else_the_time_since_their_start() {
        let events = [
            event(EventKind::Start, at(20, 1), None),
            event(EventKind::Success, at(20, 2), None),
            event(EventKind::Success, at(20, 3), Some(30)),
            event(EventKind::Start, at(20, 4), None),
            event(EventKind::Start, at(20, 5), None),
            event(EventKind::Failure, at(20, 7), None),
            event(EventKind::Success, at(20, 8), None),
        ];
        let took: Vec<i64> = runs(&events).iter().map(|r| r.took.num_seconds()).collect();
        assert_eq!(took, [3600, 30, 7200], "the last success has no start and no duration");
        assert!(runs(&events)[2].failed);
    }

    #[test]
    fn average_and_p95_are_over_the_last_20_runs() {
        assert_eq!(durations(&[]), Durations::default());
        // 25 runs of 1..=25 s: the last 20 are 6..=25 s.
        let runs: Vec<Run> = (1..=25)
            .map(|s| Run {
                finished: at(20, 0) + TimeDelta::minutes(s),
                took: TimeDelta::seconds(s),
                failed: false,
            })
            .collect();
        let d = durations(&runs);
        assert_eq!(d.last, Some(TimeDelta::seconds(25)));
        assert_eq!(d.average, Some(TimeDelta::milliseconds(15_500)));
        // Nearest rank of 95 % of 20 is the 19th: 24 s.
        assert_eq!(d.p95, Some(TimeDelta::seconds(24)));
        assert_eq!(d.over, 20);
        let one = durations(&runs[..1]);
        assert_eq!(
            (one.average, one.p95),
            (Some(TimeDelta::seconds(1)), Some(TimeDelta::seconds(1)))
        );
    }

    #[test]
    fn uptime_counts_open_incidents_per_day_and_nothing_before_the_history() {
        let events = [
            event(EventKind::Success, at(20, 12), None),
            // Down 6 h on the 21st.
            event(EventKind::Opened, at(21, 6), None),
            event(EventKind::Alerted, at(21, 7), None),
            event(EventKind::Recovered, at(21, 12), None),
            // Open from 18:00 on the 22nd, still open now (the 23rd, 12:00).
            event(EventKind::Opened, at(22, 18), None),
        ];
        let days = uptime(&events, at(23, 12), 5);
        let ups: Vec<Option<f64>> = days.iter().map(|d| d.up).collect();
        assert_eq!(ups, [None, Some(1.0), Some(0.75), Some(0.75), Some(0.0)]);
        assert_eq!(days[4].date, at(23, 0).date_naive());
        assert_eq!(flips(&events), 3);
        assert!(uptime(&[], at(23, 12), 3).iter().all(|d| d.up.is_none()));
    }

    #[test]
    fn overlapping_incidents_are_one_outage() {
        let events = [
            event(EventKind::Opened, at(22, 0), None),
            event(EventKind::Opened, at(22, 6), None),
            event(EventKind::Recovered, at(22, 12), None),
            event(EventKind::Recovered, at(22, 18), None),
        ];
        // Down from 00:00 to 18:00 on the 22nd; the 23rd has not begun at `now`.
        let days = uptime(&events, at(23, 0), 2);
        assert_eq!(days[0].up, Some(0.25));
        assert_eq!(days[1].up, None);
    }
}
