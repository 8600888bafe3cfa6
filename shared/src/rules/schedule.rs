//! The schedule expectation: each time the cron expression fires on a working day is a slot; a
//! slot T is missed when no success arrived from T − 1 min by T + grace. Hours do not apply.
//!
//! The crate matches local wall-clock times (we hand it the local time on a UTC carrier, where no
//! clock ever jumps); turning a local time into an instant is ours, by the spec's DST rule: a
//! skipped local time fires at the first valid local time after it, a repeated one fires once.

use super::work_rule::WorkRule;
use super::working_time::earliest_instant;
use crate::model::Schedule;
use chrono::{DateTime, NaiveDateTime, NaiveTime, TimeDelta, Utc};

/// A success this long before a slot still counts for it (a job that starts a little early).
pub const EARLY: TimeDelta = TimeDelta::minutes(1);

/// How far the search looks for a slot on a working day before it says "never".
const HORIZON: TimeDelta = TimeDelta::days(3660);

/// The first slot strictly after `after`.
pub fn next_slot_after(schedule: &Schedule, after: DateTime<Utc>, rule: &WorkRule<'_>) -> Option<DateTime<Utc>> {
    let local_after = after.with_timezone(&rule.tz).naive_local();
    let limit = local_after.checked_add_signed(HORIZON)?;
    let mut cursor = local_after;
    let mut inclusive = false;
    loop {
        let next = schedule
            .cron()
            .find_next_occurrence(&cursor.and_utc(), inclusive)
            .ok()?
            .naive_utc();
        if next > limit {
            return None;
        }
        inclusive = false;
        if !rule.works_on(next.date()) {
            // A whole day off: jump to its end rather than walk through its every slot.
            cursor = next.date().succ_opt()?.and_time(NaiveTime::MIN);
            inclusive = true;
            continue;
        }
        let instant = earliest_instant(next, rule.tz)?;
        if instant > after {
            return Some(instant);
        }
        // Only inside a repeated hour: a local time later than `after`'s that first happened before it.
        cursor = next;
    }
}

/// The instant after which a pulse last successful at `last` is late: its first missed slot + grace.
pub fn becomes_late_at(
    schedule: &Schedule,
    grace: TimeDelta,
    last: DateTime<Utc>,
    rule: &WorkRule<'_>,
) -> Option<DateTime<Utc>> {
    next_slot_after(schedule, last + EARLY, rule).map(|slot| slot + grace)
}

/// The most recent missed slot at `now` (late when `now > slot + grace`), for the alert's words.
pub fn last_missed_slot(
    schedule: &Schedule,
    grace: TimeDelta,
    last: DateTime<Utc>,
    now: DateTime<Utc>,
    rule: &WorkRule<'_>,
) -> Option<DateTime<Utc>> {
    let deadline = now - grace;
    let mut cursor: NaiveDateTime = deadline.with_timezone(&rule.tz).naive_local();
    let floor = cursor.checked_sub_signed(HORIZON)?;
    let mut inclusive = true;
    loop {
        let previous = schedule
            .cron()
            .find_previous_occurrence(&cursor.and_utc(), inclusive)
            .ok()?
            .naive_utc();
        if previous < floor {
            return None;
        }
        inclusive = false;
        cursor = previous;
        if !rule.works_on(previous.date()) {
            cursor = previous.date().and_time(NaiveTime::MIN);
            continue;
        }
        let slot = earliest_instant(previous, rule.tz)?;
        if slot >= deadline {
            continue;
        }
        return (slot > last + EARLY).then_some(slot);
    }
}

#[cfg(test)]
mod tests;
