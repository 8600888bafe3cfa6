//! The dates of a holiday calendar from what people have at hand: pasted `YYYY-MM-DD` dates, or an
//! iCalendar (`.ics`) file whose all-day events (with yearly repeats) are the holidays.

use super::FieldError;
use chrono::{Datelike, NaiveDate};
use icalendar::{Calendar, CalendarComponent, Component, DatePerhapsTime};
use std::collections::BTreeSet;

const FIELD: &str = "dates";
/// Enough for decades of public holidays; keeps a calendar item far below DynamoDB's 400 KB, and
/// the JSON of that many dates (14 bytes each) within the 64 KB a request body may have.
pub const MAX_DATES: usize = 4000;

/// Dates separated by commas, spaces or new lines; `#` starts a comment to the end of the line.
pub fn parse_dates(text: &str) -> Result<BTreeSet<NaiveDate>, FieldError> {
    let mut dates = BTreeSet::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default();
        for word in line
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
        {
            dates.insert(parse_date(word)?);
        }
    }
    check_size(dates)
}

pub fn parse_date(word: &str) -> Result<NaiveDate, FieldError> {
    let well_formed = word.len() == 10 && word.as_bytes()[4] == b'-' && word.as_bytes()[7] == b'-';
    well_formed
        .then(|| NaiveDate::parse_from_str(word, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| {
            FieldError::new(
                FIELD,
                format!(
                    "“{}” is not a date; write dates as YYYY-MM-DD, such as 2026-12-25",
                    word.chars().take(30).collect::<String>()
                ),
            )
        })
}

fn check_size(dates: BTreeSet<NaiveDate>) -> Result<BTreeSet<NaiveDate>, FieldError> {
    if dates.len() > MAX_DATES {
        return Err(FieldError::new(
            FIELD,
            format!("has {} dates; a calendar holds at most {MAX_DATES}", dates.len()),
        ));
    }
    Ok(dates)
}

/// The all-day events of an .ics file as dates. An event from DTSTART to DTEND (exclusive, as the
/// standard says) gives every day in between; `RRULE:FREQ=YEARLY` (with INTERVAL, COUNT or UNTIL)
/// repeats it on the same month and day up to `until_year`. Timed events are not holidays and are
/// skipped; a repeat rule we cannot read is refused, naming the event, rather than silently dropped.
pub fn import_ics(text: &str, until_year: i32) -> Result<BTreeSet<NaiveDate>, FieldError> {
    let calendar: Calendar = text.parse().map_err(|e: String| {
        FieldError::new(
            FIELD,
            format!(
                "is not an iCalendar file ({}); export the calendar as .ics and upload that",
                e.chars().take(120).collect::<String>()
            ),
        )
    })?;
    let mut dates = BTreeSet::new();
    for component in &calendar.components {
        let CalendarComponent::Event(event) = component else {
            continue;
        };
        let Some(DatePerhapsTime::Date(start)) = event.get_start() else {
            continue;
        };
        let end = match event.get_end() {
            Some(DatePerhapsTime::Date(end)) if end > start => end,
            _ => start.succ_opt().unwrap_or(start),
        };
        let days = (end - start).num_days().min(366);
        let name = event.get_summary().unwrap_or("an event").to_owned();
        let firsts = match event.property_value("RRULE") {
            None => vec![start],
            Some(rule) => yearly(start, rule, until_year)
                .map_err(|why| FieldError::new(FIELD, format!("the repeat rule of “{name}” ({rule}) {why}")))?,
        };
        for first in firsts {
            dates.extend(first.iter_days().take(days as usize));
        }
    }
    check_size(dates)
}

/// The start of each yearly repeat up to `until_year`.
fn yearly(start: NaiveDate, rule: &str, until_year: i32) -> Result<Vec<NaiveDate>, String> {
    let (mut interval, mut count, mut until) = (1_i32, None::<usize>, None::<NaiveDate>);
    let mut yearly = false;
    for part in rule.split(';').filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').ok_or("is not KEY=VALUE parts")?;
        match key.to_ascii_uppercase().as_str() {
            "FREQ" if value.eq_ignore_ascii_case("YEARLY") => yearly = true,
            "FREQ" => return Err("repeats other than yearly; only FREQ=YEARLY holidays are read".into()),
            "INTERVAL" => interval = value.parse().ok().filter(|i| *i > 0).ok_or("has a bad INTERVAL")?,
            "COUNT" => count = Some(value.parse().map_err(|_| "has a bad COUNT")?),
            "UNTIL" => {
                until = Some(
                    NaiveDate::parse_from_str(value.get(..8).unwrap_or(value), "%Y%m%d")
                        .map_err(|_| "has a bad UNTIL")?,
                )
            }
            // Parts that only restate the start date change nothing.
            "BYMONTH" if value.parse() == Ok(start.month()) => {}
            "BYMONTHDAY" if value.parse() == Ok(start.day()) => {}
            "WKST" => {}
            _ => {
                return Err(format!(
                    "uses {key}, which cannot be read as the same day every year; list those dates instead"
                ));
            }
        }
    }
    if !yearly {
        return Err("has no FREQ".into());
    }
    let mut out = Vec::new();
    let mut year = start.year();
    while year <= until_year && count.is_none_or(|c| out.len() < c) {
        // 29 February repeats only in leap years, as calendar programs do.
        if let Some(day) = NaiveDate::from_ymd_opt(year, start.month(), start.day()) {
            if until.is_some_and(|u| day > u) {
                break;
            }
            out.push(day);
        }
        year += interval;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn pasted_dates() {
        let dates = parse_dates("2026-12-25, 2026-12-26\n2027-01-01 # new year\n\n2026-12-25").unwrap();
        assert_eq!(
            dates,
            BTreeSet::from([d("2026-12-25"), d("2026-12-26"), d("2027-01-01")])
        );
        for bad in ["2026-13-01", "25.12.2026", "2026-2-1", "tomorrow"] {
            let err = parse_dates(bad).unwrap_err();
            assert_eq!(err.field, "dates");
            assert!(err.problem.contains("YYYY-MM-DD"), "{bad}: {}", err.problem);
        }
        assert!(parse_dates("").unwrap().is_empty());
    }

    const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Christmas\r\nDTSTART;VALUE=DATE:20261225\r\nDTEND;VALUE=DATE:20261227\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:2\r\nSUMMARY:Easter Monday\r\nDTSTART;VALUE=DATE:20270329\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:3\r\nSUMMARY:Meeting\r\nDTSTART:20270105T100000Z\r\nDTEND:20270105T110000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:4\r\nSUMMARY:Founders day\r\nDTSTART;VALUE=DATE:20260301\r\nRRULE:FREQ=YEARLY;INTERVAL=2;COUNT=2\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

    #[test]
    fn ics_all_day_events_and_yearly_repeats() {
        let dates = import_ics(ICS, 2028).unwrap();
        let expected = [
            "2026-03-01",
            "2026-12-25",
            "2026-12-26",
            "2027-12-25",
            "2027-12-26",
            "2028-03-01",
            "2028-12-25",
            "2028-12-26",
            "2027-03-29",
        ];
        assert_eq!(
            dates,
            expected.iter().map(|s| d(s)).collect::<BTreeSet<_>>(),
            "the timed meeting is no holiday"
        );
    }

    #[test]
    fn ics_problems_are_named() {
        let err = import_ics("hello", 2030).unwrap_err();
        assert!(err.problem.contains("not an iCalendar file"), "{}", err.problem);
        let thanksgiving = ICS.replace("RRULE:FREQ=YEARLY\r\n", "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH\r\n");
        let err = import_ics(&thanksgiving, 2030).unwrap_err();
        assert!(
            err.problem.contains("Christmas") && err.problem.contains("BYMONTH"),
            "{}",
            err.problem
        );
        let weekly = ICS.replace("RRULE:FREQ=YEARLY\r\n", "RRULE:FREQ=WEEKLY\r\n");
        assert!(
            import_ics(&weekly, 2030)
                .unwrap_err()
                .problem
                .contains("only FREQ=YEARLY")
        );
    }
}
