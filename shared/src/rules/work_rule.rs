//! Working time, widened (issue 11): a moment counts when its local day is a working day, is not
//! a holiday of the pulse's calendars, and its local time of day is inside the working hours.
//! With no hours and no holidays this is exactly `working_time` (a property test checks it).

use super::working_time::{DaySpan, LocalDays};
use crate::model::{Hours, WorkingDays};
use chrono::{DateTime, NaiveDate, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use std::collections::BTreeSet;

/// The holidays of the calendars a pulse follows: borrowed, so the monitor loads each calendar
/// once per run and every pulse looks into the same sets.
#[derive(Debug, Clone, Default)]
pub struct Holidays<'a>(Vec<&'a BTreeSet<NaiveDate>>);

impl<'a> Holidays<'a> {
    pub fn none() -> Self {
        Self(Vec::new())
    }

    pub fn of(sets: Vec<&'a BTreeSet<NaiveDate>>) -> Self {
        Self(sets)
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.0.iter().any(|set| set.contains(&day))
    }
}

/// Everything that decides whether a moment is working time.
#[derive(Debug, Clone)]
pub struct WorkRule<'a> {
    pub tz: Tz,
    pub days: WorkingDays,
    pub hours: Option<Hours>,
    pub holidays: Holidays<'a>,
}

impl WorkRule<'_> {
    /// Whether local `day` is a working day (in the week, not a holiday).
    pub fn works_on(&self, day: NaiveDate) -> bool {
        use chrono::Datelike as _;
        self.days.contains(day.weekday()) && !self.holidays.contains(day)
    }

    /// The working parts of time from `from` on, in order, as `[start, end)` instants.
    fn spans(&self, from: DateTime<Utc>) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        LocalDays::starting_at(from, self.tz)
            .filter(|day| self.works_on(day.date))
            .flat_map(|day| self.within_hours(day))
    }

    /// The part of one local day inside the working hours. The day is cut where its UTC offset
    /// changes, and in each piece "local time in [start, end)" is one UTC interval, so a day the
    /// clocks go back in can hold an hour more of working time (and one they go forward, less).
    fn within_hours(&self, day: DaySpan) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let Some(hours) = self.hours else {
            return vec![(day.start, day.end)];
        };
        let midnight = day.date.and_time(chrono::NaiveTime::MIN).and_utc();
        let mut out = Vec::new();
        for (a, b, offset) in offset_pieces(day.start, day.end, self.tz) {
            let local_midnight = midnight - TimeDelta::seconds(i64::from(offset));
            let start = (local_midnight + TimeDelta::seconds(hours.start_seconds())).max(a);
            let end = (local_midnight + TimeDelta::seconds(hours.end_seconds())).min(b);
            if start < end {
                out.push((start, end));
            }
        }
        out
    }
}

/// Seconds east of UTC in force at `at`.
fn offset_at(at: DateTime<Utc>, tz: Tz) -> i32 {
    tz.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc()
}

/// `[a, b)` cut into pieces of constant UTC offset. A day holds at most a transition or two, each
/// found by bisection to the millisecond (transitions fall on whole seconds).
fn offset_pieces(a: DateTime<Utc>, b: DateTime<Utc>, tz: Tz) -> Vec<(DateTime<Utc>, DateTime<Utc>, i32)> {
    let mut pieces = Vec::new();
    let mut start = a;
    while start < b {
        let offset = offset_at(start, tz);
        let last = b - TimeDelta::milliseconds(1);
        if last <= start || offset_at(last, tz) == offset {
            pieces.push((start, b, offset));
            break;
        }
        // Invariant: offset at `lo` is `offset`, at `hi` it differs.
        let (mut lo, mut hi) = (start, last);
        while hi - lo > TimeDelta::milliseconds(1) {
            let mid = lo + (hi - lo) / 2;
            if offset_at(mid, tz) == offset {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        pieces.push((start, hi, offset));
        start = hi;
    }
    pieces
}

/// Working time in `[from, to)`; zero when `to <= from` (clock skew).
pub fn working_time(from: DateTime<Utc>, to: DateTime<Utc>, rule: &WorkRule<'_>) -> TimeDelta {
    if to <= from || rule.days.is_empty() {
        return TimeDelta::zero();
    }
    rule.spans(from)
        .take_while(|(start, _)| *start < to)
        .map(|(start, end)| end.min(to) - start)
        .sum()
}

/// The instant after which working time since `last` exceeds `threshold`: late at `t` exactly
/// when `t > result`. `None` when no moment can ever count (no working day).
pub fn becomes_exceeded_at(last: DateTime<Utc>, threshold: TimeDelta, rule: &WorkRule<'_>) -> Option<DateTime<Utc>> {
    if rule.days.is_empty() {
        return None;
    }
    if threshold < TimeDelta::zero() {
        return Some(DateTime::<Utc>::MIN_UTC);
    }
    let mut remaining = threshold;
    for (start, end) in rule.spans(last) {
        // Strictly greater, as in the original rule: used up exactly as a span ends, the pulse
        // turns late only when the next span starts.
        if end - start > remaining {
            return Some(start.checked_add_signed(remaining).unwrap_or(end));
        }
        remaining -= end - start;
    }
    Some(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests;
