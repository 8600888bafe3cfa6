//! The working-time rule on arbitrary instants (1970–2200, millisecond resolution; `now` mostly within
//! four years of the last pulse, so that a run spends its time near boundaries), thresholds
//! (1 ms – 8760 h), every IANA zone and every non-empty set of working days:
//! no panic, working time never exceeds elapsed time, `exceeded(t) ⇔ t > becomes_exceeded_at`,
//! and the working time up to `becomes_exceeded_at` is exactly the threshold.

#![no_main]

use arbitrary::Arbitrary;
use chrono::{DateTime, TimeDelta, Utc, Weekday};
use chrono_tz::TZ_VARIANTS;
use heartbeat_shared::model::WorkingDays;
use heartbeat_shared::rules::working_time::{becomes_exceeded_at, is_exceeded, working_time};
use libfuzzer_sys::fuzz_target;

/// 2200-01-01T00:00:00Z in milliseconds.
const UNTIL_MS: i64 = 7_258_118_400_000;
const MAX_THRESHOLD_MS: i64 = 8760 * 3_600_000;
const FOUR_YEARS_MS: i64 = 4 * 365 * 86_400_000;
const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

#[derive(Arbitrary, Debug)]
struct Input {
    last: i64,
    /// Milliseconds after (or, negative, before) `last`, up to four years; with `far`, an instant
    /// anywhere in 1970–2200 instead (slow: every day in between is visited, so kept rare).
    now: i64,
    /// Milliseconds from the boundary, for a second instant right around it.
    near: i32,
    threshold: i64,
    tz: u16,
    days: u8,
    /// 15 mod 16 (about one input in 16): `now` is read as an instant anywhere in 1970–2200.
    far: u8,
}

fn instant(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms.rem_euclid(UNTIL_MS)).expect("1970..2200 is in range")
}

fuzz_target!(|input: Input| {
    let last = instant(input.last);
    let now = if input.far % 16 == 15 {
        instant(input.now)
    } else {
        instant((last.timestamp_millis() + input.now % FOUR_YEARS_MS).clamp(0, UNTIL_MS - 1))
    };
    let threshold = TimeDelta::milliseconds(1 + input.threshold.rem_euclid(MAX_THRESHOLD_MS));
    let tz = TZ_VARIANTS[usize::from(input.tz) % TZ_VARIANTS.len()];
    let bits = 1 + input.days % 127;
    let chosen: Vec<Weekday> = WEEK
        .into_iter()
        .filter(|d| bits & (1 << d.num_days_from_monday()) != 0)
        .collect();
    let days = WorkingDays::of(&chosen);
    let case = format!("last {last}, now {now}, threshold {threshold}, {tz}, days {chosen:?}");

    let worked = working_time(last, now, tz, days);
    assert!(worked >= TimeDelta::zero(), "negative working time: {case}");
    assert!(
        worked <= (now - last).max(TimeDelta::zero()),
        "more than elapsed: {worked} for {case}"
    );

    let at = becomes_exceeded_at(last, threshold, tz, days).expect("a non-empty week has a boundary");
    assert!(at >= last, "boundary {at} before the last pulse: {case}");
    assert!(at < DateTime::<Utc>::MAX_UTC, "calendar ran out: {case}");
    assert_eq!(
        working_time(last, at, tz, days),
        threshold,
        "working time at {at}: {case}"
    );
    assert!(!is_exceeded(last, at, threshold, tz, days), "exceeded at {at}: {case}");
    let just_after = at + TimeDelta::milliseconds(1);
    assert!(
        is_exceeded(last, just_after, threshold, tz, days),
        "not exceeded at {just_after}: {case}"
    );

    let exceeded = is_exceeded(last, now, threshold, tz, days);
    assert_eq!(exceeded, now > at, "exceeded at {now} vs boundary {at}: {case}");
    assert_eq!(
        exceeded,
        worked > threshold,
        "exceeded vs working time {worked}: {case}"
    );

    let near = at + TimeDelta::milliseconds(i64::from(input.near));
    let exceeded = is_exceeded(last, near, threshold, tz, days);
    assert_eq!(exceeded, near > at, "exceeded at {near} vs boundary {at}: {case}");
    assert_eq!(
        exceeded,
        working_time(last, near, tz, days) > threshold,
        "exceeded vs working time at {near}: {case}"
    );
});
