//! The text the pages show for instants and hours: wall-clock time in the pulse's own timezone,
//! a short relative age, and durations as a person says them (`words`).

#[cfg(test)]
use super::DashboardRow;
use super::EditView;
use crate::words;
use chrono::{DateTime, Datelike as _, Timelike as _, Utc};
use chrono_tz::Tz;
use std::fmt::Write as _;

/// `2026-11-21 18:03 CET`: the abbreviation tells CET from CEST, which the bare time cannot.
pub fn local_time(at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    let day = local.naive_local();
    if !(0..=9999).contains(&day.year()) {
        return local.format("%Y-%m-%d %H:%M %Z").to_string();
    }
    // What the format above gives, without parsing it each time: the dashboard shows 10,000 of these.
    let mut text = String::with_capacity(24);
    // Writing to a String cannot fail; the offset's Display is its abbreviation, as `%Z` writes it.
    let _ = write!(
        text,
        "{:04}-{:02}-{:02} {:02}:{:02} {}",
        day.year(),
        day.month(),
        day.day(),
        day.hour(),
        day.minute(),
        local.offset()
    );
    text
}

/// An instant on a page that covers many pulses, all in one zone the page names once, as a person
/// says it: `14:05` today, `Fri 14:05` in the week before, `tomorrow 14:05`, `20 Nov 14:05` this
/// year, else `20 Nov 2025 14:05`. A weekday always lies in the past, so it is never ambiguous. Written without chrono's format parser: the dashboard shows 10,000 of these.
pub fn page_time(at: DateTime<Utc>, tz: Tz, now: DateTime<Utc>) -> String {
    PageClock::new(tz, now).time(at)
}

/// The page's zone and its day at the page's time, worked out once a page, not once a row.
#[derive(Debug, Clone, Copy)]
pub struct PageClock {
    tz: Tz,
    today: chrono::NaiveDate,
}

impl PageClock {
    pub fn new(tz: Tz, now: DateTime<Utc>) -> Self {
        Self {
            tz,
            today: now.with_timezone(&tz).date_naive(),
        }
    }

    /// [`page_time`] of `at`.
    pub fn time(&self, at: DateTime<Utc>) -> String {
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let local = at.with_timezone(&self.tz).naive_local();
        let today = self.today;
        let day = local.date();
        let mut text = String::with_capacity(18);
        let ahead = (day - today).num_days();
        // Writing to a String cannot fail.
        let _ = if ahead == 0 {
            Ok(())
        } else if ahead == 1 {
            write!(text, "tomorrow ")
        } else if (-6..0).contains(&ahead) {
            write!(text, "{} ", DAYS[day.weekday().num_days_from_monday() as usize])
        } else if day.year() == today.year() {
            write!(text, "{} {} ", day.day(), MONTHS[day.month0() as usize])
        } else {
            write!(text, "{} {} {} ", day.day(), MONTHS[day.month0() as usize], day.year())
        };
        let _ = write!(text, "{:02}:{:02}", local.hour(), local.minute());
        text
    }
}

/// `Mon 23 Nov 2026 21:15 CET`: one instant in full, with the zone's abbreviation.
pub fn full_time(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%a %-d %b %Y %H:%M %Z").to_string()
}

/// `just now`, `5 min ago`, `3 h ago`, `2 d ago`; `in 5 min` when `at` lies ahead (clock skew).
/// Hours run up to two days because "1 d ago" would hide up to 23 hours of difference.
pub fn relative_time(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    const MINUTE: u64 = 60;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    let seconds = (now - at).num_seconds();
    let span = seconds.unsigned_abs();
    let (amount, unit) = if span < MINUTE {
        return "just now".to_string();
    } else if span < HOUR {
        (span / MINUTE, "min")
    } else if span < 2 * DAY {
        (span / HOUR, "h")
    } else {
        (span / DAY, "d")
    };
    if seconds > 0 {
        format!("{amount} {unit} ago")
    } else {
        format!("in {amount} {unit}")
    }
}

/// What the rows' cells say (`dashboard_rows` writes them without these strings), for the tests.
#[cfg(test)]
impl DashboardRow<'_> {
    pub(crate) fn hours_text(&self) -> String {
        words::hours(self.hours_since)
    }

    pub(crate) fn delta_text(&self) -> String {
        words::hours_left_or_over(self.delta)
    }
}

impl EditView {
    pub(crate) fn hours_text(&self) -> String {
        words::hours(self.hours_since)
    }

    pub(crate) fn delta_text(&self) -> String {
        words::hours_left_or_over(self.delta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    #[test]
    fn local_time_shows_the_zone_abbreviation() {
        use chrono_tz::{America, Asia, Europe};
        let cases = [
            (utc(2026, 11, 21, 17, 3, 0), Tz::UTC, "2026-11-21 17:03 UTC"),
            (utc(2026, 11, 21, 17, 3, 59), Europe::Berlin, "2026-11-21 18:03 CET"),
            (utc(2026, 7, 1, 12, 0, 0), Europe::Berlin, "2026-07-01 14:00 CEST"),
            // The last minute of CET and the first of CEST on the spring-forward night.
            (utc(2026, 3, 29, 0, 59, 0), Europe::Berlin, "2026-03-29 01:59 CET"),
            (utc(2026, 3, 29, 1, 0, 0), Europe::Berlin, "2026-03-29 03:00 CEST"),
            // The repeated hour in autumn: same wall time, told apart by the abbreviation.
            (utc(2026, 10, 25, 0, 30, 0), Europe::Berlin, "2026-10-25 02:30 CEST"),
            (utc(2026, 10, 25, 1, 30, 0), Europe::Berlin, "2026-10-25 02:30 CET"),
            (utc(2026, 12, 31, 23, 30, 0), Europe::Berlin, "2027-01-01 00:30 CET"),
            (utc(2026, 11, 21, 17, 3, 0), Asia::Kolkata, "2026-11-21 22:33 IST"),
            (utc(2026, 11, 21, 17, 3, 0), America::New_York, "2026-11-21 12:03 EST"),
            // Zones without a lettered abbreviation, and a year that needs no padding rule.
            (
                utc(2026, 11, 21, 17, 3, 0),
                chrono_tz::America::Sao_Paulo,
                "2026-11-21 14:03 -03",
            ),
            (utc(2026, 11, 21, 17, 3, 0), Asia::Kathmandu, "2026-11-21 22:48 +0545"),
            (utc(999, 1, 2, 3, 4, 0), Tz::UTC, "0999-01-02 03:04 UTC"),
        ];
        for (at, tz, expected) in cases {
            assert_eq!(local_time(at, tz), expected, "{at} in {tz}");
        }
    }

    #[test]
    fn local_time_reads_as_chronos_format_through_the_year() {
        use chrono_tz::{America, Asia, Australia, Europe};
        let zones = [
            Tz::UTC,
            Europe::Berlin,
            Asia::Kolkata,
            America::Sao_Paulo,
            Asia::Kathmandu,
            Australia::Lord_Howe,
        ];
        let mut at = utc(2026, 1, 1, 0, 0, 0);
        while at < utc(2027, 1, 1, 0, 0, 0) {
            for tz in zones {
                let chrono = at.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string();
                assert_eq!(local_time(at, tz), chrono, "{at} in {tz}");
            }
            at += TimeDelta::minutes(7 * 60 + 13);
        }
    }

    #[test]
    fn page_times_read_as_a_person_says_them() {
        let berlin = chrono_tz::Europe::Berlin;
        // Monday 23 November 2026, 21:15 in Berlin.
        let now = utc(2026, 11, 23, 20, 15, 0);
        let cases = [
            (utc(2026, 11, 23, 6, 5, 0), "07:05"),
            // 23:30 UTC is already Tuesday in Berlin: a day ahead.
            (utc(2026, 11, 23, 23, 30, 0), "tomorrow 00:30"),
            (utc(2026, 11, 25, 8, 0, 0), "25 Nov 09:00"),
            (utc(2026, 11, 20, 18, 10, 0), "Fri 19:10"),
            (utc(2026, 11, 16, 23, 0, 0), "Tue 00:00"),
            (utc(2026, 11, 16, 12, 0, 0), "16 Nov 13:00"),
            (utc(2026, 7, 1, 12, 0, 0), "1 Jul 14:00"),
            (utc(2025, 12, 31, 12, 0, 0), "31 Dec 2025 13:00"),
        ];
        for (at, expected) in cases {
            assert_eq!(page_time(at, berlin, now), expected, "{at}");
        }
        assert_eq!(full_time(now, berlin), "Mon 23 Nov 2026 21:15 CET");
        assert_eq!(full_time(now, Tz::UTC), "Mon 23 Nov 2026 20:15 UTC");
    }

    #[test]
    fn relative_time_table() {
        let now = utc(2026, 11, 21, 18, 0, 0);
        let cases: [(i64, &str); 17] = [
            (0, "just now"),
            (59, "just now"),
            (60, "1 min ago"),
            (5 * 60 + 30, "5 min ago"),
            (59 * 60 + 59, "59 min ago"),
            (3600, "1 h ago"),
            (3 * 3600 + 1800, "3 h ago"),
            (47 * 3600 + 3599, "47 h ago"),
            (48 * 3600, "2 d ago"),
            (10 * 86400 + 3600, "10 d ago"),
            (400 * 86400, "400 d ago"),
            // Negative spans: the pulse lies ahead of `now` (a client with a fast clock).
            (-30, "just now"),
            (-60, "in 1 min"),
            (-5 * 60, "in 5 min"),
            (-3 * 3600, "in 3 h"),
            (-3 * 86400, "in 3 d"),
            (-59, "just now"),
        ];
        for (ago, expected) in cases {
            let at = now - TimeDelta::seconds(ago);
            assert_eq!(relative_time(at, now), expected, "{ago} s before now");
        }
    }
}
