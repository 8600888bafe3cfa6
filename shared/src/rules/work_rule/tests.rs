use super::*;
use crate::rules::working_time as original;
use chrono::Weekday;
use chrono_tz::TZ_VARIANTS;
use proptest::prelude::*;

fn utc(stamp: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(stamp).expect("valid RFC 3339").to_utc()
}

fn zone(name: &str) -> Tz {
    name.parse().expect("known IANA zone")
}

fn dates(list: &[&str]) -> BTreeSet<NaiveDate> {
    list.iter().map(|d| d.parse().expect("YYYY-MM-DD")).collect()
}

fn rule<'a>(tz: &str, days: &str, hours: Option<&str>, holidays: &'a BTreeSet<NaiveDate>) -> WorkRule<'a> {
    WorkRule {
        tz: zone(tz),
        days: WorkingDays::parse(days).unwrap(),
        hours: hours.map(|h| Hours::parse(h).unwrap()),
        holidays: Holidays::of(vec![holidays]),
    }
}

const SECOND: TimeDelta = TimeDelta::seconds(1);

/// "Exactly the threshold: not late; one second later: late", in all three views.
fn assert_boundary(label: &str, last: &str, threshold: TimeDelta, rule: &WorkRule<'_>, expected: &str) {
    let (last, expected) = (utc(last), utc(expected));
    assert_eq!(becomes_exceeded_at(last, threshold, rule), Some(expected), "{label}");
    assert_eq!(
        working_time(last, expected, rule),
        threshold,
        "{label}: working time at the boundary"
    );
    assert!(
        working_time(last, expected + SECOND, rule) > threshold,
        "{label}: one second later"
    );
}

#[test]
fn example_1_holiday_then_weekend() {
    // Berlin, Mon-Fri, 2026-12-25 a holiday, 24 h from Thu 24 Dec 18:00 CET: Thu 6 h, Fri holiday,
    // weekend off, 18 h on Monday: late after Mon 28 Dec 18:00 CET.
    let holidays = dates(&["2026-12-25"]);
    let rule = rule("Europe/Berlin", "Mon-Fri", None, &holidays);
    assert_boundary(
        "example 1",
        "2026-12-24T17:00:00Z",
        TimeDelta::hours(24),
        &rule,
        "2026-12-28T17:00:00Z",
    );
    assert_eq!(
        working_time(utc("2026-12-24T23:00:00Z"), utc("2026-12-25T23:00:00Z"), &rule),
        TimeDelta::zero(),
        "the holiday counts nothing"
    );
}

#[test]
fn example_2_business_hours() {
    // New York, Mon-Fri 08:00-18:00, 4 h from Fri 4 Dec 16:00 EST: 2 h Friday, 2 h Monday morning.
    let none = BTreeSet::new();
    let rule = rule("America/New_York", "Mon-Fri", Some("08:00-18:00"), &none);
    assert_boundary(
        "example 2",
        "2026-12-04T21:00:00Z",
        TimeDelta::hours(4),
        &rule,
        "2026-12-07T15:00:00Z",
    );
}

#[test]
fn example_3_sunday_to_thursday() {
    // Dubai, Sun-Thu, 24 h from Thu 24 Dec 20:00 +04: 4 h Thursday, 20 h Sunday.
    let none = BTreeSet::new();
    let rule = rule("Asia/Dubai", "Sun-Thu", None, &none);
    assert_boundary(
        "example 3",
        "2026-12-24T16:00:00Z",
        TimeDelta::hours(24),
        &rule,
        "2026-12-27T16:00:00Z",
    );
}

#[test]
fn example_4_hours_on_the_day_clocks_go_back() {
    // Berlin, every day 01:00-05:00; on Sun 25 Oct 2026 02:00-03:00 happens twice: 5 h, not 4.
    let none = BTreeSet::new();
    let rule = rule("Europe/Berlin", "all", Some("01:00-05:00"), &none);
    let (day_start, day_end) = (utc("2026-10-24T22:00:00Z"), utc("2026-10-25T23:00:00Z"));
    assert_eq!(working_time(day_start, day_end, &rule), TimeDelta::hours(5));
    // The day the clocks go forward (29 Mar 2026, 02:00 -> 03:00) holds 3 h.
    assert_eq!(
        working_time(utc("2026-03-28T23:00:00Z"), utc("2026-03-29T22:00:00Z"), &rule),
        TimeDelta::hours(3)
    );
    // An ordinary day holds 4 h (00:00Z-04:00Z in CET): used up as Tuesday's hours end, the pulse
    // is late only as Wednesday's begin.
    assert_boundary(
        "4 h of hours",
        "2026-11-10T00:00:00Z",
        TimeDelta::hours(4),
        &rule,
        "2026-11-11T00:00:00Z",
    );
}

#[test]
fn hours_ending_at_midnight_and_pulses_outside_hours() {
    let none = BTreeSet::new();
    let evening = rule("UTC", "Mon-Fri", Some("22:00-24:00"), &none);
    // Fri 23:00: one hour left on Friday, the next from Mon 22:00.
    assert_boundary(
        "22-24",
        "2026-11-20T23:00:00Z",
        TimeDelta::hours(2),
        &evening,
        "2026-11-23T23:00:00Z",
    );
    let office = rule("UTC", "Mon-Fri", Some("09:00-17:00"), &none);
    // A pulse at 03:00 counts nothing until 09:00; used up exactly at 17:00, late from 09:00 next day.
    assert_boundary(
        "night pulse",
        "2026-11-23T03:00:00Z",
        TimeDelta::hours(8),
        &office,
        "2026-11-24T09:00:00Z",
    );
}

#[test]
fn holidays_from_several_calendars() {
    let (a, b) = (dates(&["2026-11-23"]), dates(&["2026-11-24"]));
    let rule = WorkRule {
        tz: Tz::UTC,
        days: WorkingDays::MON_FRI,
        hours: None,
        holidays: Holidays::of(vec![&a, &b]),
    };
    // Fri 18:00, 24 h: Mon and Tue are holidays, so 18 h of Wednesday.
    assert_boundary(
        "two calendars",
        "2026-11-20T18:00:00Z",
        TimeDelta::hours(24),
        &rule,
        "2026-11-25T18:00:00Z",
    );
}

fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
    (946_684_800_000_i64..4_102_444_800_000).prop_map(|ms| DateTime::from_timestamp_millis(ms).unwrap())
}

fn any_zone() -> impl Strategy<Value = Tz> {
    proptest::sample::select(TZ_VARIANTS.as_slice())
}

fn any_days() -> impl Strategy<Value = WorkingDays> {
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

fn any_hours() -> impl Strategy<Value = Option<Hours>> {
    prop_oneof![
        Just(None),
        (0_u16..1440, 1_u16..=1440).prop_filter_map("start < end", |(a, b)| {
            (a < b).then(|| {
                Some(Hours::parse(&format!("{:02}:{:02}-{:02}:{:02}", a / 60, a % 60, b / 60, b % 60)).unwrap())
            })
        }),
    ]
}

/// Holidays near the instant, so they matter.
fn any_holidays(around: DateTime<Utc>) -> impl Strategy<Value = BTreeSet<NaiveDate>> {
    let day = around.date_naive();
    proptest::collection::btree_set(-3_i64..60, 0..12)
        .prop_map(move |offsets| offsets.into_iter().map(|o| day + TimeDelta::days(o)).collect())
}

fn any_span() -> impl Strategy<Value = TimeDelta> {
    prop_oneof![0_i64..3_600_000, 0_i64..10_368_000_000].prop_map(TimeDelta::milliseconds)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn laws_of_working_time(
        (last, holidays) in any_instant().prop_flat_map(|t| (Just(t), any_holidays(t))),
        tz in any_zone(), days in any_days(), hours in any_hours(),
        first in any_span(), second in any_span(),
    ) {
        let rule = WorkRule { tz, days, hours, holidays: Holidays::of(vec![&holidays]) };
        let (mid, end) = (last + first, last + first + second);
        let to_mid = working_time(last, mid, &rule);
        let to_end = working_time(last, end, &rule);
        // Monotonic, never more than real time, additive over adjacent intervals.
        prop_assert!(TimeDelta::zero() <= to_mid && to_mid <= to_end);
        prop_assert!(to_end <= end - last);
        prop_assert_eq!(to_end, to_mid + working_time(mid, end, &rule));
        // Zero on holidays and outside the hours.
        for day in &holidays {
            let start = day.and_time(chrono::NaiveTime::MIN).and_utc() - TimeDelta::days(1);
            for (a, b) in rule.spans(start).take_while(|(a, _)| *a < start + TimeDelta::days(3)) {
                let local = |t: DateTime<Utc>| t.with_timezone(&tz).naive_local();
                prop_assert!(local(a).date() != *day, "a span on holiday {day}");
                if let Some(h) = hours {
                    let secs = |t: DateTime<Utc>| i64::from(chrono::Timelike::num_seconds_from_midnight(&local(t).time()));
                    prop_assert!(secs(a) >= h.start_seconds() && secs(a) < h.end_seconds());
                    let before_end = b - TimeDelta::milliseconds(1);
                    prop_assert!(secs(before_end) >= h.start_seconds() && secs(before_end) < h.end_seconds());
                }
            }
        }
    }

    #[test]
    fn late_exactly_after_the_boundary(
        (last, holidays) in any_instant().prop_flat_map(|t| (Just(t), any_holidays(t))),
        tz in any_zone(), days in any_days(), hours in any_hours(),
        threshold in (1_i64..=2_000 * 3_600_000).prop_map(TimeDelta::milliseconds),
    ) {
        let rule = WorkRule { tz, days, hours, holidays: Holidays::of(vec![&holidays]) };
        let at = becomes_exceeded_at(last, threshold, &rule).unwrap();
        prop_assert!(at >= last);
        prop_assert_eq!(working_time(last, at, &rule), threshold);
        prop_assert!(working_time(last, at + TimeDelta::milliseconds(1), &rule) > threshold);
    }

    #[test]
    fn without_hours_or_holidays_it_is_the_original_rule(
        last in any_instant(), tz in any_zone(), days in any_days(), span in any_span(),
        threshold in (1_i64..=500 * 3_600_000).prop_map(TimeDelta::milliseconds),
    ) {
        let rule = WorkRule { tz, days, hours: None, holidays: Holidays::none() };
        prop_assert_eq!(working_time(last, last + span, &rule), original::working_time(last, last + span, tz, days));
        prop_assert_eq!(becomes_exceeded_at(last, threshold, &rule), original::becomes_exceeded_at(last, threshold, tz, days));
    }
}
