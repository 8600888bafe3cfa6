//! The widened expectation (issue 11) on arbitrary settings and instants: any zone, any non-empty
//! week, working hours or none, a few holidays near the last pulse, one of a set of cron schedules
//! and a grace. Checks: no panic; working time never exceeds elapsed time and is additive; the
//! working time up to the late instant is exactly the threshold; a schedule's late instant is a
//! slot on a working day plus grace, and "late at now" agrees with the most recent missed slot.

#![no_main]

use arbitrary::Arbitrary;
use chrono::{DateTime, NaiveDate, TimeDelta};
use chrono_tz::TZ_VARIANTS;
use heartbeat_shared::model::{Hours, Schedule, WorkingDays};
use heartbeat_shared::rules::schedule::{EARLY, becomes_late_at, last_missed_slot, next_slot_after};
use heartbeat_shared::rules::work_rule::{Holidays, WorkRule, becomes_exceeded_at, working_time};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeSet;

/// 1990..2150, so the ten-year search horizons stay inside chrono-tz's tables.
const FROM_MS: i64 = 631_152_000_000;
const SPAN_MS: i64 = 160 * 365 * 86_400_000;
const YEAR_MS: i64 = 365 * 86_400_000;
const MAX_THRESHOLD_MS: i64 = 2000 * 3_600_000;
const SCHEDULES: [&str; 10] = [
    "0 2 * * 1-5",
    "30 2 * * *",
    "*/15 * * * *",
    "0 0 * * SUN",
    "15 9 * JAN,DEC MON-FRI",
    "0 */6 * * *",
    "59 23 L * *",
    "0 12 1,15 * *",
    "5 1-3 * * SAT,SUN",
    "0 0 29 2 *",
];

#[derive(Arbitrary, Debug)]
struct Input {
    last: i64,
    now: i64,
    split: u32,
    threshold: i64,
    tz: u16,
    days: u8,
    hours: Option<(u16, u16)>,
    holidays: Vec<u8>,
    schedule: u8,
    grace_minutes: u16,
}

fuzz_target!(|input: Input| {
    let last = DateTime::from_timestamp_millis(FROM_MS + input.last.rem_euclid(SPAN_MS)).unwrap();
    let now = last + TimeDelta::milliseconds(input.now % YEAR_MS);
    let mid = last + TimeDelta::milliseconds(i64::from(input.split) * 1000);
    let tz = TZ_VARIANTS[usize::from(input.tz) % TZ_VARIANTS.len()];
    let days = WorkingDays::parse(&week(1 + input.days % 127)).expect("a non-empty week");
    let hours = input.hours.and_then(|(a, b)| {
        let (a, b) = (a % 1440, 1 + b % 1440);
        (a < b).then(|| Hours::parse(&format!("{:02}:{:02}-{:02}:{:02}", a / 60, a % 60, b / 60, b % 60)).unwrap())
    });
    let first_day: NaiveDate = last.date_naive();
    let holidays: BTreeSet<NaiveDate> = input
        .holidays
        .iter()
        .take(20)
        .map(|d| first_day + TimeDelta::days(i64::from(*d % 40)))
        .collect();
    let rule = WorkRule {
        tz,
        days,
        hours,
        holidays: Holidays::of(vec![&holidays]),
    };
    let case = format!("last {last}, now {now}, {tz}, {days}, {hours:?}, holidays {holidays:?}");

    let worked = working_time(last, now, &rule);
    assert!(
        worked >= TimeDelta::zero() && worked <= (now - last).max(TimeDelta::zero()),
        "{case}"
    );
    if mid <= now {
        assert_eq!(
            worked,
            working_time(last, mid, &rule) + working_time(mid, now, &rule),
            "additive: {case}"
        );
    }
    let threshold = TimeDelta::milliseconds(1 + input.threshold.rem_euclid(MAX_THRESHOLD_MS));
    let at = becomes_exceeded_at(last, threshold, &rule).expect("a non-empty week");
    assert_eq!(
        working_time(last, at, &rule),
        threshold,
        "at {at}, threshold {threshold}: {case}"
    );
    assert!(
        working_time(last, at + TimeDelta::milliseconds(1), &rule) > threshold,
        "{case}"
    );

    let schedule = Schedule::parse(SCHEDULES[usize::from(input.schedule) % SCHEDULES.len()]).unwrap();
    let grace = TimeDelta::minutes(1 + i64::from(input.grace_minutes % 600));
    let late_from = becomes_late_at(&schedule, grace, last, &rule);
    if let Some(late_from) = late_from {
        let slot = late_from - grace;
        assert!(slot > last + EARLY, "slot {slot}: {schedule} {case}");
        assert!(
            rule.works_on(slot.with_timezone(&tz).date_naive()),
            "slot {slot} on a day off: {schedule} {case}"
        );
        assert_eq!(next_slot_after(&schedule, last + EARLY, &rule), Some(slot));
    }
    if now <= last + TimeDelta::days(365) {
        let missed = last_missed_slot(&schedule, grace, last, now, &rule);
        let late = late_from.is_some_and(|at| now > at);
        assert_eq!(
            missed.is_some(),
            late,
            "missed {missed:?}, late from {late_from:?}: {schedule} {case}"
        );
    }
});

fn week(bits: u8) -> String {
    let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let chosen: Vec<&str> = (0..7).filter(|i| bits & (1 << i) != 0).map(|i| names[i]).collect();
    chosen.join(",")
}
