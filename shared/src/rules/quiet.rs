//! When the monitor must stay quiet about a pulse (its snooze, its pause, a maintenance window), and
//! how far that moves the pulse's due instant. Plain functions; the time is passed in.

use super::due::never;
use crate::model::{PulseKey, Quieting, Window, WorkingDays, Zone};
use chrono::{DateTime, Datelike as _, TimeDelta, TimeZone as _, Utc};

/// Why a pulse is quiet right now, and until when (`None`: until its next signal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Silence {
    Paused,
    Snoozed { until: DateTime<Utc> },
    Maintenance { until: DateTime<Utc>, note: String },
}

impl Silence {
    pub fn until(&self) -> Option<DateTime<Utc>> {
        match self {
            Silence::Paused => None,
            Silence::Snoozed { until } | Silence::Maintenance { until, .. } => Some(*until),
        }
    }
}

/// The pulse's silence at `now`, if any. A pause outranks a snooze (it lasts longer), a snooze a
/// window (it is the pulse's own). A window's end is followed through windows that overlap it, so
/// "until" is when alerting really resumes.
pub fn silence(key: &PulseKey, quieting: &Quieting, windows: &[Window], now: DateTime<Utc>) -> Option<Silence> {
    if quieting.paused {
        return Some(Silence::Paused);
    }
    if let Some(until) = quieting.snoozed_until.filter(|until| *until > now) {
        return Some(Silence::Snoozed { until });
    }
    let covering = windows.iter().find(|w| w.covers(key, now))?;
    Some(Silence::Maintenance {
        until: past_windows(key, windows, now),
        note: covering.note.clone(),
    })
}

/// The first instant at or after `due` at which a message about the pulse may go out: `due` itself
/// unless a pause (never, until a signal re-dues the pulse), the snooze or a window in scope holds it
/// back. This is how every quiet setting moves the due instant exactly: the monitor reads a quiet
/// pulse no earlier than the moment it may speak again.
pub fn hold(due: DateTime<Utc>, key: &PulseKey, quieting: &Quieting, windows: &[Window]) -> DateTime<Utc> {
    if quieting.paused {
        return never();
    }
    let mut at = due;
    loop {
        let before = at;
        if let Some(until) = quieting.snoozed_until.filter(|until| *until > at) {
            at = until;
        }
        at = past_windows(key, windows, at);
        if at == before {
            return at;
        }
    }
}

/// `at`, or the end of the windows in scope that cover it, one after another.
fn past_windows(key: &PulseKey, windows: &[Window], mut at: DateTime<Utc>) -> DateTime<Utc> {
    // Each step moves to a later window end, so at most one step per window.
    for _ in 0..=windows.len() {
        match windows.iter().filter(|w| w.covers(key, at)).map(|w| w.end).max() {
            Some(end) => at = end,
            None => break,
        }
    }
    at
}

/// The start (local midnight) of the pulse's next working day after `now`: the "until the next
/// working day" snooze. A week without working days falls back to a day.
pub fn next_working_day(now: DateTime<Utc>, tz: Zone, days: WorkingDays) -> DateTime<Utc> {
    let tz = tz.tz();
    let today = now.with_timezone(&tz).date_naive();
    (1..=7)
        .filter_map(|n| today.checked_add_days(chrono::Days::new(n)))
        .find(|day| days.contains(day.weekday()))
        .and_then(|day| {
            // A skipped midnight (some zones change clocks at 00:00): the first hour that exists.
            (0..3).find_map(|h| {
                let local = day.and_hms_opt(h, 0, 0)?;
                tz.from_local_datetime(&local).earliest()
            })
        })
        .map_or(now + TimeDelta::days(1), |start| start.to_utc())
}

/// A snooze length as people write it: `30m`, `1h`, `1 h 30 min`, `2d`; minutes, hours, days.
pub fn parse_for(raw: &str) -> Result<TimeDelta, String> {
    let shown: String = raw.chars().take(40).collect();
    let bad = || format!("“{shown}” is not a length; write it like 30m, 1h, 1h30m or 2d");
    let mut total = TimeDelta::zero();
    let mut rest = raw.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let number: i64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = rest[digits..].trim_start();
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == ' ')
            .unwrap_or(rest.len());
        let part = match &rest[..unit_len] {
            "m" | "min" | "mins" | "minutes" => TimeDelta::try_minutes(number),
            "h" | "hour" | "hours" => TimeDelta::try_hours(number),
            "d" | "day" | "days" => TimeDelta::try_days(number),
            _ => None,
        }
        .ok_or_else(bad)?;
        total += part;
        rest = rest[unit_len..].trim_start();
    }
    if total <= TimeDelta::zero() {
        return Err(format!("“{shown}” is no time at all; snooze for at least a minute"));
    }
    if total > crate::model::LONGEST {
        return Err("a snooze may last at most a year; pause the pulse instead".into());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Scope;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap()
    }

    fn key(category: &str) -> PulseKey {
        PulseKey::parse(Some("h"), Some(category), Some("t"), Some("n")).unwrap()
    }

    fn window(start: DateTime<Utc>, end: DateTime<Utc>, scope: &str) -> Window {
        Window {
            id: "w".into(),
            start,
            end,
            scope: Scope::parse(scope).unwrap(),
            note: "migration".into(),
        }
    }

    fn snoozed(until: DateTime<Utc>) -> Quieting {
        Quieting {
            snoozed_until: Some(until),
            paused: false,
        }
    }

    #[test]
    fn hold_moves_the_due_instant_exactly() {
        let none = Quieting::default();
        let backup = key("backup");
        let windows = [window(at(1, 22), at(2, 2), "category=backup")];
        // Example 7: due at 23:00 inside the window → its end; another category keeps 23:00.
        assert_eq!(hold(at(1, 23), &backup, &none, &windows), at(2, 2));
        assert_eq!(hold(at(1, 23), &key("etl"), &none, &windows), at(1, 23));
        assert_eq!(
            hold(at(1, 21), &backup, &none, &windows),
            at(1, 21),
            "before the window"
        );
        assert_eq!(hold(at(2, 2), &backup, &none, &windows), at(2, 2), "the end is outside");
        // Example 6: a snooze until 15:00 holds a 10:00 due time to 15:00, not a later one.
        assert_eq!(hold(at(1, 10), &backup, &snoozed(at(1, 15)), &[]), at(1, 15));
        assert_eq!(hold(at(1, 16), &backup, &snoozed(at(1, 15)), &[]), at(1, 16));
        // A snooze ending inside a window, and a window chain: followed to the very end.
        let chain = [
            window(at(1, 14), at(1, 18), "all"),
            window(at(1, 17), at(1, 20), "host=h"),
        ];
        assert_eq!(hold(at(1, 10), &backup, &snoozed(at(1, 15)), &chain), at(1, 20));
        let paused = Quieting {
            snoozed_until: None,
            paused: true,
        };
        assert_eq!(hold(at(1, 10), &backup, &paused, &[]), never());
    }

    #[test]
    fn silences() {
        let backup = key("backup");
        let windows = [window(at(1, 22), at(2, 2), "category=backup")];
        assert_eq!(silence(&backup, &Quieting::default(), &windows, at(1, 21)), None);
        assert_eq!(
            silence(&backup, &Quieting::default(), &windows, at(1, 23)),
            Some(Silence::Maintenance {
                until: at(2, 2),
                note: "migration".into()
            })
        );
        assert_eq!(silence(&key("etl"), &Quieting::default(), &windows, at(1, 23)), None);
        let s = silence(&backup, &snoozed(at(1, 15)), &windows, at(1, 14)).unwrap();
        assert_eq!(
            (super::super::state::quiet(&s).name(), s.until()),
            ("snoozed", Some(at(1, 15)))
        );
        assert_eq!(
            silence(&backup, &snoozed(at(1, 15)), &[], at(1, 15)),
            None,
            "over at its instant"
        );
        let paused = Quieting {
            snoozed_until: Some(at(1, 15)),
            paused: true,
        };
        assert_eq!(silence(&backup, &paused, &windows, at(1, 14)), Some(Silence::Paused));
    }

    #[test]
    fn the_next_working_day_starts_at_local_midnight() {
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        // Fri 2026-12-04 15:00 UTC → Mon 2026-12-07 00:00 Berlin = Sun 23:00 UTC.
        let friday = at(4, 15);
        assert_eq!(next_working_day(friday, berlin, WorkingDays::MON_FRI), at(6, 23));
        assert_eq!(next_working_day(friday, berlin, WorkingDays::MON_SAT), at(4, 23));
    }

    #[test]
    fn snooze_lengths() {
        for (raw, minutes) in [
            ("30m", 30),
            ("1h", 60),
            ("1h30m", 90),
            ("1 h 30 min", 90),
            ("2d", 2880),
            ("1 day", 1440),
        ] {
            assert_eq!(parse_for(raw).unwrap(), TimeDelta::minutes(minutes), "{raw}");
        }
        for bad in ["", "1", "h", "1y", "-1h", "0m", "1.5h", "400d", "99999999999999999999h"] {
            assert!(parse_for(bad).is_err(), "{bad}");
        }
    }
}
