use super::*;
use crate::model::{Grace, WorkingDays};
use crate::rules::work_rule::Holidays;
use chrono::NaiveDate;
use chrono_tz::Tz;
use std::collections::BTreeSet;

fn utc(stamp: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(stamp).expect("valid RFC 3339").to_utc()
}

fn rule<'a>(tz: &str, days: &str, holidays: &'a BTreeSet<NaiveDate>) -> WorkRule<'a> {
    WorkRule {
        tz: tz.parse::<Tz>().unwrap(),
        days: WorkingDays::parse(days).unwrap(),
        hours: None,
        holidays: Holidays::of(vec![holidays]),
    }
}

fn dates(list: &[&str]) -> BTreeSet<NaiveDate> {
    list.iter().map(|d| d.parse().unwrap()).collect()
}

#[test]
fn example_5_london_weekday_night_run() {
    // London (BST in April), 0 2 * * 1-5, grace 0.5 h, Mon 2027-04-05 a holiday; last success
    // Thu 1 Apr 02:07. Friday's 02:00 slot is missed: late from Fri 02:30 BST (01:30Z).
    let schedule = Schedule::parse("0 2 * * 1-5").unwrap();
    let grace = Grace::parse("0.5").unwrap().duration();
    let holidays = dates(&["2027-04-05"]);
    let london = rule("Europe/London", "Mon-Fri", &holidays);
    let last = utc("2027-04-01T01:07:00Z");
    let late_from = becomes_late_at(&schedule, grace, last, &london);
    assert_eq!(late_from, Some(utc("2027-04-02T01:30:00Z")));
    let late_from = late_from.unwrap();
    assert_eq!(
        last_missed_slot(&schedule, grace, last, late_from, &london),
        None,
        "not late at 02:30 exactly"
    );
    let second_later = late_from + TimeDelta::seconds(1);
    assert_eq!(
        last_missed_slot(&schedule, grace, last, second_later, &london),
        Some(utc("2027-04-02T01:00:00Z"))
    );
    // Had Friday also been a holiday: the next slot is Tue 6 Apr 02:00, late only from 02:30.
    let easter = dates(&["2027-04-02", "2027-04-05"]);
    let london = rule("Europe/London", "Mon-Fri", &easter);
    assert_eq!(
        becomes_late_at(&schedule, grace, last, &london),
        Some(utc("2027-04-06T01:30:00Z"))
    );
    // ...and a success from Tue 01:59 (one minute early) covers Tuesday's slot.
    let early = utc("2027-04-06T00:59:00Z");
    assert_eq!(
        becomes_late_at(&schedule, grace, early, &london),
        Some(utc("2027-04-07T01:30:00Z"))
    );
    let too_early = utc("2027-04-06T00:58:59Z");
    assert_eq!(
        becomes_late_at(&schedule, grace, too_early, &london),
        Some(utc("2027-04-06T01:30:00Z"))
    );
}

#[test]
fn skipped_local_time_fires_at_the_first_valid_time_after_it() {
    // Berlin skips 02:00-03:00 on Sun 29 Mar 2026: a 02:30 slot fires at 03:00 CEST (01:00Z).
    let none = BTreeSet::new();
    let berlin = rule("Europe/Berlin", "all", &none);
    let schedule = Schedule::parse("30 2 * * *").unwrap();
    assert_eq!(
        next_slot_after(&schedule, utc("2026-03-28T12:00:00Z"), &berlin),
        Some(utc("2026-03-29T01:00:00Z"))
    );
    // The day after, 02:30 CEST again.
    assert_eq!(
        next_slot_after(&schedule, utc("2026-03-29T01:00:00Z"), &berlin),
        Some(utc("2026-03-30T00:30:00Z"))
    );
}

#[test]
fn repeated_local_time_fires_once() {
    // Berlin repeats 02:00-03:00 on Sun 25 Oct 2026: a 02:30 slot fires at the first 02:30 (00:30Z) only.
    let none = BTreeSet::new();
    let berlin = rule("Europe/Berlin", "all", &none);
    let schedule = Schedule::parse("30 2 * * *").unwrap();
    let first = next_slot_after(&schedule, utc("2026-10-24T12:00:00Z"), &berlin);
    assert_eq!(first, Some(utc("2026-10-25T00:30:00Z")));
    assert_eq!(
        next_slot_after(&schedule, first.unwrap(), &berlin),
        Some(utc("2026-10-26T01:30:00Z")),
        "the second 02:30 (01:30Z) is not a slot"
    );
}

#[test]
fn slots_on_days_off_expect_nothing_and_names_work() {
    let none = BTreeSet::new();
    let weekdays = rule("UTC", "Mon-Fri", &none);
    // Every day at 06:00, but only Mon-Fri count: from Fri 07:00 the next slot is Mon 06:00.
    let daily = Schedule::parse("0 6 * * *").unwrap();
    assert_eq!(
        next_slot_after(&daily, utc("2026-11-20T07:00:00Z"), &weekdays),
        Some(utc("2026-11-23T06:00:00Z"))
    );
    let named = Schedule::parse("15 9 * JAN,DEC MON-FRI").unwrap();
    assert_eq!(
        next_slot_after(&named, utc("2026-11-30T10:00:00Z"), &weekdays),
        Some(utc("2026-12-01T09:15:00Z"))
    );
    // A schedule that only fires on days off never makes the pulse late.
    let saturdays = Schedule::parse("0 2 * * SAT").unwrap();
    assert_eq!(
        next_slot_after(&saturdays, utc("2026-11-20T07:00:00Z"), &weekdays),
        None
    );
}
