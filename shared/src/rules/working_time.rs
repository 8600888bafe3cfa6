//! Working time: the real elapsed time that falls on a working day of the pulse's local calendar
//! (the rule and its worked examples: `docs/WORKING-TIME.md`).

use crate::model::WorkingDays;
use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveTime, Offset, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::{GapInfo, Tz};

/// Real elapsed time in `[from, to)` that falls on a working day of `tz`'s calendar; zero when
/// `to <= from` (clock skew).
pub fn working_time(from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz, days: WorkingDays) -> TimeDelta {
    if to <= from || days.is_empty() {
        return TimeDelta::zero();
    }
    LocalDays::starting_at(from, tz)
        .take_while(|day| day.start < to)
        .filter(|day| days.contains(day.weekday))
        .map(|day| day.end.min(to) - day.start)
        .sum()
}

/// The instant after which working time since `last` exceeds `threshold`: `exceeded(t) ⇔ t > result`.
/// `None` when no day is a working day (the pulse can never be exceeded).
pub fn becomes_exceeded_at(
    last: DateTime<Utc>,
    threshold: TimeDelta,
    tz: Tz,
    days: WorkingDays,
) -> Option<DateTime<Utc>> {
    if days.is_empty() {
        return None;
    }
    if threshold < TimeDelta::zero() {
        // Working time is never negative, so a negative threshold is exceeded at every instant.
        return Some(DateTime::<Utc>::MIN_UTC);
    }
    let mut remaining = threshold;
    for day in LocalDays::starting_at(last, tz).filter(|day| days.contains(day.weekday)) {
        let length = day.end - day.start;
        // Strictly greater: when the threshold is used up exactly at the end of a working day,
        // working time stays flat until the next working day starts, and that start is the latest
        // instant not yet exceeded (a Friday-evening pulse is not stale over the weekend).
        if length > remaining {
            return Some(day.start.checked_add_signed(remaining).unwrap_or(day.end));
        }
        remaining -= length;
    }
    // Only reachable when the calendar runs out (dates near chrono's limits): never exceeded.
    Some(DateTime::<Utc>::MAX_UTC)
}

/// `working_time(last, now) > threshold`.
pub fn is_exceeded(last: DateTime<Utc>, now: DateTime<Utc>, threshold: TimeDelta, tz: Tz, days: WorkingDays) -> bool {
    becomes_exceeded_at(last, threshold, tz, days).is_some_and(|at| now > at)
}

/// The part `[start, end)` of one local calendar day that lies at or after the starting instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct DaySpan {
    pub(super) date: NaiveDate,
    pub(super) weekday: Weekday,
    pub(super) start: DateTime<Utc>,
    pub(super) end: DateTime<Utc>,
}

/// Consecutive local days from an instant on, as adjacent UTC spans. Adjacency (each span starts
/// where the previous ended) is what keeps working time monotonic and never above elapsed time,
/// whatever the zone's transitions do to local midnights.
pub(super) struct LocalDays {
    tz: Tz,
    day: NaiveDate,
    cursor: DateTime<Utc>,
}

impl LocalDays {
    pub(super) fn starting_at(instant: DateTime<Utc>, tz: Tz) -> Self {
        LocalDays {
            tz,
            day: instant.with_timezone(&tz).date_naive(),
            cursor: instant,
        }
    }
}

impl Iterator for LocalDays {
    type Item = DaySpan;

    fn next(&mut self) -> Option<DaySpan> {
        let next_day = self.day.succ_opt()?;
        // A clock set back across midnight can start the next day before the cursor; the current
        // day is then empty rather than overlapping its successor.
        let end = day_start(next_day, self.tz)?.max(self.cursor);
        let span = DaySpan {
            date: self.day,
            weekday: self.day.weekday(),
            start: self.cursor,
            end,
        };
        self.day = next_day;
        self.cursor = end;
        Some(span)
    }
}

/// The UTC instant at which local day `day` begins: its midnight, the earlier one when midnight
/// happens twice, and the end of the gap when the clocks skip midnight (e.g. America/Santiago,
/// Africa/Cairo, or Pacific/Apia's skipped 2011-12-30, a day of zero length).
fn day_start(day: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
    earliest_instant(day.and_time(NaiveTime::MIN), tz)
}

/// `day_start` for the other rules.
pub(super) fn local_day_start(day: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
    day_start(day, tz)
}

/// The first instant showing local time `midnight` (any local time): the earlier of two when the
/// clocks go back over it, the end of the gap when they skip it.
pub(super) fn earliest_instant(midnight: chrono::NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&midnight) {
        LocalResult::Single(start) => Some(start.to_utc()),
        LocalResult::Ambiguous(first, second) => Some(first.min(second).to_utc()),
        LocalResult::None => {
            // The gap's first skipped local time, read with the offset in force before the jump,
            // is exactly the transition instant, which is where the day's first valid time lies.
            let gap_begin = GapInfo::new(&midnight, &tz).and_then(|gap| gap.begin);
            let (local, offset) = match gap_begin {
                Some((local, offset)) => (local, offset.fix()),
                // Not expected with chrono-tz's tables; any nearby offset keeps us from panicking.
                None => (midnight, tz.offset_from_utc_datetime(&midnight).fix()),
            };
            local.checked_sub_offset(offset).map(|utc| utc.and_utc())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::TZ_VARIANTS;
    use proptest::prelude::*;

    fn utc(stamp: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(stamp)
            .expect("valid RFC 3339 stamp")
            .to_utc()
    }

    fn hours(h: i64) -> TimeDelta {
        TimeDelta::hours(h)
    }

    fn zone(name: &str) -> Tz {
        name.parse().expect("known IANA zone")
    }

    const MS: TimeDelta = TimeDelta::milliseconds(1);

    /// Checks the three views of one expected boundary against each other.
    fn assert_boundary(
        label: &str,
        last: DateTime<Utc>,
        threshold: TimeDelta,
        tz: Tz,
        days: WorkingDays,
        expected: DateTime<Utc>,
    ) {
        assert_eq!(
            becomes_exceeded_at(last, threshold, tz, days),
            Some(expected),
            "{label}"
        );
        assert_eq!(
            working_time(last, expected, tz, days),
            threshold,
            "{label}: working time"
        );
        assert!(
            !is_exceeded(last, expected, threshold, tz, days),
            "{label}: exceeded at boundary"
        );
        assert!(
            is_exceeded(last, expected + MS, threshold, tz, days),
            "{label}: not exceeded 1 ms later"
        );
    }

    #[test]
    fn worked_examples_from_the_spec() {
        let berlin = zone("Europe/Berlin");
        let (utc_zone, mon_fri, mon_sat) = (Tz::UTC, WorkingDays::MON_FRI, WorkingDays::MON_SAT);
        // The spec's table, row for row.
        #[rustfmt::skip]
        let rows = [
            // label                                     last pulse (UTC)       threshold  tz        days      becomes exceeded at (UTC)
            ("Fri 18:00, 24 h -> Mon 18:00",            "2026-11-20T18:00:00Z", hours(24), utc_zone, mon_fri, "2026-11-23T18:00:00Z"),
            ("Sat 10:00, 24 h -> Tue 00:00",            "2026-11-21T10:00:00Z", hours(24), utc_zone, mon_fri, "2026-11-24T00:00:00Z"),
            ("Wed 09:00, 48 h -> Fri 09:00",            "2026-11-18T09:00:00Z", hours(48), utc_zone, mon_fri, "2026-11-20T09:00:00Z"),
            ("Thu 12:00, 48 h -> Mon 12:00",            "2026-11-19T12:00:00Z", hours(48), utc_zone, mon_fri, "2026-11-23T12:00:00Z"),
            ("Fri 18:00, 24 h, Mon-Sat -> Sat 18:00",   "2026-11-20T18:00:00Z", hours(24), utc_zone, mon_sat, "2026-11-21T18:00:00Z"),
            ("Fri 00:00, 24 h -> Mon 00:00",            "2026-11-20T00:00:00Z", hours(24), utc_zone, mon_fri, "2026-11-23T00:00:00Z"),
            ("Berlin Fri 18:00 CET -> Mon 18:00 CEST",  "2026-03-27T17:00:00Z", hours(24), berlin,   mon_fri, "2026-03-30T16:00:00Z"),
            ("Berlin Fri 23:30 CET, 2 h -> Mon 01:30",  "2026-11-20T22:30:00Z", hours(2),  berlin,   mon_fri, "2026-11-23T00:30:00Z"),
        ];
        for (label, last, threshold, tz, days, expected) in rows {
            assert_boundary(label, utc(last), threshold, tz, days, utc(expected));
        }
    }

    #[test]
    fn pulse_exactly_at_local_midnight() {
        let berlin = zone("Europe/Berlin");
        // Monday 00:00 CET: the whole Monday counts, and Tuesday keeps counting right after.
        assert_boundary(
            "Berlin Mon 00:00",
            utc("2026-11-22T23:00:00Z"),
            hours(24),
            berlin,
            WorkingDays::MON_FRI,
            utc("2026-11-23T23:00:00Z"),
        );
        // Saturday 00:00 CET: nothing counts until Monday 00:00 CET.
        assert_boundary(
            "Berlin Sat 00:00",
            utc("2026-11-20T23:00:00Z"),
            hours(1),
            berlin,
            WorkingDays::MON_FRI,
            utc("2026-11-23T00:00:00Z"),
        );
    }

    #[test]
    fn quarter_hour_threshold() {
        let quarter = TimeDelta::minutes(15);
        assert_boundary(
            "Mon 10:00",
            utc("2026-11-23T10:00:00Z"),
            quarter,
            Tz::UTC,
            WorkingDays::MON_FRI,
            utc("2026-11-23T10:15:00Z"),
        );
        assert_boundary(
            "Fri 23:50",
            utc("2026-11-20T23:50:00Z"),
            quarter,
            Tz::UTC,
            WorkingDays::MON_FRI,
            utc("2026-11-23T00:05:00Z"),
        );
    }

    #[test]
    fn threshold_longer_than_a_week_spans_several_weekends() {
        // Fri 6 h + a full week 120 h + Mon, Tue, Wed 72 h = 198 h, then 2 h of Thursday.
        assert_boundary(
            "200 h Mon-Fri",
            utc("2026-11-20T18:00:00Z"),
            hours(200),
            Tz::UTC,
            WorkingDays::MON_FRI,
            utc("2026-12-03T02:00:00Z"),
        );
        // Eight whole Mondays are 192 h; the ninth Monday supplies the last 8 h.
        assert_boundary(
            "200 h Mondays only",
            utc("2026-11-02T00:00:00Z"),
            hours(200),
            Tz::UTC,
            WorkingDays::of(&[Weekday::Mon]),
            utc("2026-12-28T08:00:00Z"),
        );
    }

    #[test]
    fn now_before_last_pulse_is_zero_and_not_exceeded() {
        let last = utc("2026-11-23T10:00:00Z");
        let skewed = utc("2026-11-23T09:00:00Z");
        assert_eq!(
            working_time(last, skewed, Tz::UTC, WorkingDays::EVERY_DAY),
            TimeDelta::zero()
        );
        assert_eq!(
            working_time(last, last, Tz::UTC, WorkingDays::EVERY_DAY),
            TimeDelta::zero()
        );
        assert!(!is_exceeded(
            last,
            skewed,
            TimeDelta::minutes(15),
            Tz::UTC,
            WorkingDays::EVERY_DAY
        ));
    }

    #[test]
    fn half_hour_offset_kolkata() {
        let kolkata = zone("Asia/Kolkata");
        // Fri 17:30 IST: 6.5 h of Friday left, the other 17.5 h on Monday.
        assert_boundary(
            "Fri 17:30 IST",
            utc("2026-11-20T12:00:00Z"),
            hours(24),
            kolkata,
            WorkingDays::MON_FRI,
            utc("2026-11-23T12:00:00Z"),
        );
        // Fri 20:00 UTC is already Sat 01:30 IST, so nothing counts until Mon 00:00 IST.
        assert_boundary(
            "Sat 01:30 IST",
            utc("2026-11-20T20:00:00Z"),
            hours(1),
            kolkata,
            WorkingDays::MON_FRI,
            utc("2026-11-22T19:30:00Z"),
        );
    }

    #[test]
    fn dst_end_sunday_is_25_hours() {
        let berlin = zone("Europe/Berlin");
        let (sunday_start, monday_start) = (utc("2026-10-24T22:00:00Z"), utc("2026-10-25T23:00:00Z"));
        assert_eq!(
            working_time(sunday_start, monday_start, berlin, WorkingDays::EVERY_DAY),
            hours(25)
        );
        let sundays = WorkingDays::of(&[Weekday::Sun]);
        assert_eq!(
            working_time(
                utc("2026-10-23T00:00:00Z"),
                utc("2026-10-28T00:00:00Z"),
                berlin,
                sundays
            ),
            hours(25)
        );
        // Used up exactly at the end of Sunday: Monday is working, so Monday's start.
        assert_boundary(
            "Mon-Sun",
            sunday_start,
            hours(25),
            berlin,
            WorkingDays::EVERY_DAY,
            monday_start,
        );
        // Sundays only: the next Sunday's start (CET, 23:00 UTC).
        assert_boundary(
            "Sundays only",
            sunday_start,
            hours(25),
            berlin,
            sundays,
            utc("2026-10-31T23:00:00Z"),
        );
    }

    #[test]
    fn dst_start_sunday_is_23_hours() {
        let berlin = zone("Europe/Berlin");
        let (sunday_start, monday_start) = (utc("2026-03-28T23:00:00Z"), utc("2026-03-29T22:00:00Z"));
        assert_eq!(
            working_time(sunday_start, monday_start, berlin, WorkingDays::EVERY_DAY),
            hours(23)
        );
        assert_boundary(
            "Mon-Sun",
            sunday_start,
            hours(24),
            berlin,
            WorkingDays::EVERY_DAY,
            utc("2026-03-29T23:00:00Z"),
        );
    }

    #[test]
    fn empty_working_days_are_never_exceeded() {
        let none = WorkingDays::of(&[]);
        let last = utc("2026-11-20T18:00:00Z");
        assert_eq!(becomes_exceeded_at(last, hours(1), Tz::UTC, none), None);
        assert_eq!(
            working_time(last, utc("2036-11-20T18:00:00Z"), Tz::UTC, none),
            TimeDelta::zero()
        );
        assert!(!is_exceeded(last, utc("2199-12-31T23:59:59Z"), MS, Tz::UTC, none));
    }

    #[test]
    fn skipped_midnight_starts_the_day_at_the_first_valid_instant() {
        let santiago = zone("America/Santiago");
        let midnight = NaiveDate::from_ymd_opt(2026, 9, 6)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap();
        // Guard the premise: the bundled tzdata skips Sunday's midnight (00:00 -04 becomes 01:00 -03).
        assert_eq!(santiago.from_local_datetime(&midnight), LocalResult::None);
        assert_eq!(day_start(midnight.date(), santiago), Some(utc("2026-09-06T04:00:00Z")));
        let sundays = WorkingDays::of(&[Weekday::Sun]);
        assert_eq!(
            working_time(
                utc("2026-09-04T00:00:00Z"),
                utc("2026-09-09T00:00:00Z"),
                santiago,
                sundays
            ),
            hours(23)
        );
        assert_boundary(
            "Santiago Sun 01:00 -03",
            utc("2026-09-05T12:00:00Z"),
            hours(1),
            santiago,
            sundays,
            utc("2026-09-06T05:00:00Z"),
        );

        // Cairo skips Friday's midnight: Thursday is 24 h, Friday 23 h, then Monday 00:00 EEST.
        let cairo = zone("Africa/Cairo");
        assert_eq!(
            day_start(NaiveDate::from_ymd_opt(2026, 4, 24).unwrap(), cairo),
            Some(utc("2026-04-23T22:00:00Z"))
        );
        assert_boundary(
            "Cairo Thu 14:00, 33 h",
            utc("2026-04-23T12:00:00Z"),
            hours(33),
            cairo,
            WorkingDays::MON_FRI,
            utc("2026-04-26T21:00:00Z"),
        );
    }

    #[test]
    fn skipped_day_has_zero_length() {
        // Samoa jumped from Thu 2011-12-29 24:00 (-10) straight to Sat 2011-12-31 00:00 (+14).
        let apia = zone("Pacific/Apia");
        let (thursday, monday) = (utc("2011-12-29T10:00:00Z"), utc("2012-01-01T10:00:00Z"));
        assert_eq!(working_time(thursday, monday, apia, WorkingDays::MON_FRI), hours(24));
        assert_eq!(
            working_time(thursday, monday, apia, WorkingDays::of(&[Weekday::Fri])),
            TimeDelta::zero()
        );
        assert_boundary(
            "Apia Thu 12:00, 12 h",
            utc("2011-12-29T22:00:00Z"),
            hours(12),
            apia,
            WorkingDays::MON_FRI,
            monday,
        );
    }

    #[test]
    fn ambiguous_midnight_takes_the_earlier_instant() {
        // Havana sets 01:00 CDT back to 00:00 CST on Sunday 2026-11-01, so midnight happens twice.
        let havana = zone("America/Havana");
        let sunday = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert!(matches!(
            havana.from_local_datetime(&sunday.and_time(NaiveTime::MIN)),
            LocalResult::Ambiguous(..)
        ));
        assert_eq!(day_start(sunday, havana), Some(utc("2026-11-01T04:00:00Z")));
        let sundays = WorkingDays::of(&[Weekday::Sun]);
        assert_eq!(
            working_time(
                utc("2026-10-30T00:00:00Z"),
                utc("2026-11-04T00:00:00Z"),
                havana,
                sundays
            ),
            hours(25)
        );
    }

    #[test]
    fn longest_threshold_is_fast_and_exact() {
        let last = utc("2026-11-20T18:00:00Z");
        let at = becomes_exceeded_at(last, hours(8760), zone("Europe/Berlin"), WorkingDays::MON_FRI).unwrap();
        assert_eq!(
            working_time(last, at, zone("Europe/Berlin"), WorkingDays::MON_FRI),
            hours(8760)
        );
        // 365 working days of Mon-Fri are 73 weeks.
        assert!(
            at > last + TimeDelta::weeks(72) && at < last + TimeDelta::weeks(74),
            "{at}"
        );
    }

    #[test]
    fn every_zone_at_the_range_edges_does_not_panic() {
        let sundays = WorkingDays::of(&[Weekday::Sun]);
        for tz in TZ_VARIANTS {
            for last in ["1970-01-01T00:00:00Z", "2011-12-29T00:00:00Z", "2200-06-30T12:00:00Z"] {
                let last = utc(last);
                let at = becomes_exceeded_at(last, hours(1000), tz, sundays).unwrap();
                assert_eq!(working_time(last, at, tz, sundays), hours(1000), "{tz} from {last}");
            }
        }
    }

    fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
        // 2000-01-01 up to 2100-01-01, millisecond resolution.
        (946_684_800_000_i64..4_102_444_800_000).prop_map(|ms| DateTime::from_timestamp_millis(ms).unwrap())
    }

    fn any_zone() -> impl Strategy<Value = Tz> {
        proptest::sample::select(TZ_VARIANTS.as_slice())
    }

    fn any_working_days() -> impl Strategy<Value = WorkingDays> {
        (1_u8..128).prop_map(|bits| {
            let week = [
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
                Weekday::Sat,
                Weekday::Sun,
            ];
            let chosen: Vec<Weekday> = week
                .into_iter()
                .filter(|d| bits & (1 << d.num_days_from_monday()) != 0)
                .collect();
            WorkingDays::of(&chosen)
        })
    }

    fn any_threshold() -> impl Strategy<Value = TimeDelta> {
        (1_i64..=8760 * 3_600_000).prop_map(TimeDelta::milliseconds)
    }

    /// Up to 120 days, biased towards short spans where day edges matter most.
    fn any_span() -> impl Strategy<Value = TimeDelta> {
        prop_oneof![0_i64..3_600_000, 0_i64..10_368_000_000].prop_map(TimeDelta::milliseconds)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn working_time_is_monotonic_additive_and_bounded(
            last in any_instant(), tz in any_zone(), days in any_working_days(),
            first in any_span(), second in any_span(),
        ) {
            let (mid, end) = (last + first, last + first + second);
            let to_mid = working_time(last, mid, tz, days);
            let to_end = working_time(last, end, tz, days);
            prop_assert!(to_mid <= to_end);
            prop_assert!(to_end <= end - last);
            prop_assert!(to_mid >= TimeDelta::zero());
            prop_assert_eq!(to_end, to_mid + working_time(mid, end, tz, days));
        }

        #[test]
        fn exceeded_exactly_after_the_boundary(
            last in any_instant(), tz in any_zone(), days in any_working_days(),
            threshold in any_threshold(),
            offset in prop_oneof![-1_000_i64..=1_000, -5_184_000_000_i64..=5_184_000_000],
        ) {
            let at = becomes_exceeded_at(last, threshold, tz, days).unwrap();
            prop_assert!(at >= last);
            prop_assert_eq!(working_time(last, at, tz, days), threshold);
            prop_assert!(!is_exceeded(last, at, threshold, tz, days));
            prop_assert!(is_exceeded(last, at + MS, threshold, tz, days));
            let now = at + TimeDelta::milliseconds(offset);
            let exceeded = is_exceeded(last, now, threshold, tz, days);
            prop_assert_eq!(exceeded, working_time(last, now, tz, days) > threshold);
            prop_assert_eq!(exceeded, now > at);
        }
    }
}
