//! Durations as a person says them: `12 s`, `3 min`, `2 h 15 min`, `1 d 4 h`; and instants in
//! messages and history texts: `01:49 CET`, `Tue 8 Dec 02:52 CET`. Pages and messages show these; the
//! exact numbers stay in machine-readable places (data attributes, JSON).

use chrono::{DateTime, Datelike as _, TimeDelta, Utc};
use chrono_tz::Tz;
use std::fmt::Write as _;

/// `at` in `tz` as a person says it to someone reading at `now`: the time alone on `now`'s day
/// (`01:49 CET`), the weekday and date on another (`Mon 7 Dec 23:10 CET`), and the year when it is
/// not `now`'s (`Fri 1 Jan 2027 09:00 CET`). The zone is always named (CET tells winter from summer).
pub fn moment(at: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    let today = now.with_timezone(&tz).date_naive();
    let format = if local.date_naive() == today {
        "%H:%M %Z"
    } else if local.year() == today.year() {
        "%a %-d %b %H:%M %Z"
    } else {
        "%a %-d %b %Y %H:%M %Z"
    };
    local.format(format).to_string()
}

/// The magnitude of `span` in at most two units, the larger one first, each part floored so that
/// the text never claims more time than has passed: 119 s is `1 min`, not `2 min`.
/// A span under a second but not zero is `under 1 s`, so that a tiny overrun never reads as `0 s`.
pub fn duration(span: TimeDelta) -> String {
    let mut text = String::new();
    write_duration(&mut text, span);
    text
}

/// [`duration`], appended to `out`: the dashboard writes tens of thousands of these into one page.
pub fn write_duration(out: &mut String, span: TimeDelta) {
    const MINUTE: u64 = 60;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    let millis = span.num_milliseconds().unsigned_abs();
    let seconds = millis / 1000;
    if seconds == 0 {
        out.push_str(if millis == 0 { "0 s" } else { "under 1 s" });
        return;
    }
    let (big, big_unit, small, small_unit) = if seconds < MINUTE {
        (seconds, "s", 0, "")
    } else if seconds < HOUR {
        (seconds / MINUTE, "min", 0, "")
    } else if seconds < DAY {
        (seconds / HOUR, "h", seconds % HOUR / MINUTE, "min")
    } else {
        (seconds / DAY, "d", seconds % DAY / HOUR, "h")
    };
    // Writing to a String cannot fail.
    let _ = write!(out, "{big} {big_unit}");
    if small != 0 {
        let _ = write!(out, " {small} {small_unit}");
    }
}

/// [`duration`] of a number of hours (the unit thresholds and working time are kept in).
/// Not-a-number and infinities, which no rule produces, read as `0 s` rather than panicking.
pub fn hours(value: f64) -> String {
    let mut text = String::new();
    write_hours(&mut text, value);
    text
}

/// [`hours`], appended to `out`.
pub fn write_hours(out: &mut String, value: f64) {
    let millis = value * 3_600_000.0;
    if !millis.is_finite() {
        out.push_str("0 s");
        return;
    }
    write_duration(
        out,
        TimeDelta::milliseconds(millis.round().clamp(i64::MIN as f64 / 2.0, i64::MAX as f64 / 2.0) as i64),
    )
}

/// Where a pulse stands against its threshold, from `delta` = working time since minus threshold:
/// `3 min left` before it, `2 h 15 min over` after. Exactly on the threshold is not late yet (a pulse
/// is late only when strictly past it), so zero reads `0 s left`.
pub fn left_or_over(delta: TimeDelta) -> String {
    if delta > TimeDelta::zero() {
        format!("{} over", duration(delta))
    } else {
        format!("{} left", duration(delta))
    }
}

/// [`left_or_over`] of a number of hours.
pub fn hours_left_or_over(value: f64) -> String {
    let mut text = String::new();
    write_hours_left_or_over(&mut text, value);
    text
}

/// [`hours_left_or_over`], appended to `out`.
pub fn write_hours_left_or_over(out: &mut String, value: f64) {
    let start = out.len();
    write_hours(out, value);
    let over = value > 0.0 && &out[start..] != "0 s";
    out.push_str(if over { " over" } else { " left" });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_name_their_zone_and_only_the_date_parts_needed() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        let now = at("2026-12-08T01:50:00Z");
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let cases = [
            (at("2026-12-08T00:48:00Z"), berlin, "01:48 CET"),
            (at("2026-12-08T01:52:43.826Z"), berlin, "02:52 CET"),
            (at("2026-12-07T22:10:00Z"), berlin, "Mon 7 Dec 23:10 CET"),
            (at("2026-12-07T22:10:00Z"), Tz::UTC, "Mon 7 Dec 22:10 UTC"),
            (at("2026-07-01T10:00:00Z"), berlin, "Wed 1 Jul 12:00 CEST"),
            (at("2027-01-01T08:00:00Z"), berlin, "Fri 1 Jan 2027 09:00 CET"),
            // The day is the reader's day in the zone: 23:30 UTC on the 7th is already the 8th in Berlin.
            (at("2026-12-07T23:30:00Z"), berlin, "00:30 CET"),
        ];
        for (when, tz, expected) in cases {
            assert_eq!(moment(when, now, tz), expected, "{when} in {tz}");
        }
    }

    #[test]
    fn durations_read_as_a_person_says_them() {
        let cases: [(i64, &str); 16] = [
            (0, "0 s"),
            (1, "under 1 s"),
            (999, "under 1 s"),
            (1_000, "1 s"),
            (12_000, "12 s"),
            (59_999, "59 s"),
            (60_000, "1 min"),
            (119_000, "1 min"),
            (3 * 60_000 + 20_000, "3 min"),
            (3_600_000, "1 h"),
            (2 * 3_600_000 + 15 * 60_000 + 59_000, "2 h 15 min"),
            (23 * 3_600_000 + 59 * 60_000, "23 h 59 min"),
            (86_400_000, "1 d"),
            (86_400_000 + 4 * 3_600_000 + 59 * 60_000, "1 d 4 h"),
            (365 * 86_400_000, "365 d"),
            (-(3 * 60_000), "3 min"),
        ];
        for (millis, expected) in cases {
            assert_eq!(duration(TimeDelta::milliseconds(millis)), expected, "{millis} ms");
        }
    }

    #[test]
    fn deltas_say_left_or_over() {
        let cases: [(i64, &str); 8] = [
            (-(21 * 3_600_000 + 30 * 60_000), "21 h 30 min left"),
            (-(3 * 60_000), "3 min left"),
            (-1, "under 1 s left"),
            (0, "0 s left"),
            (1, "under 1 s over"),
            (12_000, "12 s over"),
            (2 * 3_600_000 + 15 * 60_000, "2 h 15 min over"),
            (30 * 86_400_000, "30 d over"),
        ];
        for (millis, expected) in cases {
            assert_eq!(left_or_over(TimeDelta::milliseconds(millis)), expected, "{millis} ms");
            assert_eq!(
                hours_left_or_over(millis as f64 / 3_600_000.0),
                expected,
                "{millis} ms as hours"
            );
        }
        // The `-0.0` that a tiny negative delta used to print.
        assert_eq!(hours_left_or_over(-0.0), "0 s left");
        assert_eq!(hours_left_or_over(f64::NAN), "0 s left");
    }

    #[test]
    fn hours_become_durations() {
        for (value, expected) in [
            (0.0, "0 s"),
            (-0.0, "0 s"),
            (0.001, "3 s"),
            (0.5, "30 min"),
            (2.25, "2 h 15 min"),
            (24.0, "1 d"),
            (28.0, "1 d 4 h"),
            (8760.0, "365 d"),
            (-1.5, "1 h 30 min"),
            (f64::NAN, "0 s"),
            (f64::INFINITY, "0 s"),
        ] {
            assert_eq!(hours(value), expected, "{value}");
        }
    }
}
