//! Snoozing, pausing and maintenance windows as the pages and the API change them: what a request
//! asks for, parsed, and the store writes that move the due instants with it. No HTTP here.

use crate::model::{Event, EventKind, LONGEST, Pulse, Quieting, Window, Zone, parse_stamp};
use crate::rules::{due, quiet};
use crate::store::{FETCH_BATCH, Held, IncidentLedger, QuietWriter, Reschedule, StoreError};
use crate::words;
use chrono::{DateTime, Utc};

/// One change to a pulse's quiet settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Snooze(DateTime<Utc>),
    EndSnooze,
    Pause,
    EndPause,
}

/// The `for` a snooze link carries for "until the next working day".
pub const NEXT_WORKING_DAY: &str = "next-working-day";

/// The end of a snooze from exactly one of `until` (RFC 3339) and `for` (`1h`, `2d`,
/// `next-working-day`): in the future, at most a year away.
pub fn snooze_end(
    until: Option<&str>,
    length: Option<&str>,
    pulse: &Pulse,
    default_tz: Zone,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, String> {
    let end = match (until, length) {
        (Some(_), Some(_)) => return Err("give either until or for, not both".into()),
        (None, None) => {
            return Err("say how long: until (an RFC 3339 time) or for (such as 1h, 1d or next-working-day)".into());
        }
        (Some(raw), None) => parse_stamp(raw).ok_or_else(|| {
            let shown: String = raw.chars().take(40).collect();
            format!("until “{shown}” is not an RFC 3339 time such as 2026-12-24T15:00:00Z")
        })?,
        (None, Some(NEXT_WORKING_DAY)) => {
            quiet::next_working_day(now, pulse.timezone(default_tz), pulse.working_days())
        }
        (None, Some(raw)) => now + quiet::parse_for(raw)?,
    };
    if end <= now {
        return Err("until is not in the future; a snooze must end later than now".into());
    }
    if end - now > LONGEST {
        return Err("a snooze may last at most a year; pause the pulse instead".into());
    }
    Ok(end)
}

/// The pulse's quiet settings after `change`.
pub fn changed(current: &Quieting, change: Change) -> Quieting {
    let mut next = current.clone();
    match change {
        Change::Snooze(until) => next.snoozed_until = Some(until),
        Change::EndSnooze => next.snoozed_until = None,
        Change::Pause => next.paused = true,
        Change::EndPause => next.paused = false,
    }
    next
}

/// Writes `change` with the pulse's exact new due instant: when it next owes a message (at once if it
/// is alerted), held past the new snooze, or out of the index (`never`) while paused. Windows are not
/// looked at here: the monitor holds a pulse it reads inside a window to the window's end.
pub async fn apply(
    writer: &dyn QuietWriter,
    pulse: &Pulse,
    change: Change,
    default_tz: Zone,
    history_days: u32,
    now: DateTime<Utc>,
) -> Result<(Held, Quieting), StoreError> {
    let quieting = changed(&pulse.quiet, change);
    let due = quiet::hold(due::after_edit(pulse, now, default_tz), &pulse.key, &quieting, &[]);
    let held = match change {
        Change::Snooze(until) => writer.set_snooze(&pulse.id, Some(until), due).await?,
        Change::EndSnooze => writer.set_snooze(&pulse.id, None, due).await?,
        Change::Pause => writer.set_pause(&pulse.id, true, due).await?,
        Change::EndPause => writer.set_pause(&pulse.id, false, due).await?,
    };
    if held.held() {
        let (kind, what) = match change {
            Change::Snooze(until) => (
                EventKind::Snoozed,
                // In the pulse's zone, as its page shows it, not the stored instant.
                format!("until {}", words::moment(until, now, pulse.timezone(default_tz).tz())),
            ),
            Change::EndSnooze => (EventKind::Snoozed, "snooze ended".to_owned()),
            Change::Pause => (EventKind::Paused, "paused".to_owned()),
            Change::EndPause => (EventKind::Paused, "resumed".to_owned()),
        };
        crate::store::events::note(writer.history(), history_days, |days| {
            Event::step(pulse.id.clone(), now, kind, days).with_message(what)
        })
        .await;
    }
    Ok((held, quieting))
}

/// After a window is removed, the pulses the monitor held to its end are due at once, so what is late
/// is alerted at the next run. They are found in the due index (everything due by the window's end),
/// read in batches, and moved only if they still wait for exactly that end (a reschedule's condition,
/// so a pulse that changed meanwhile keeps the due time its writer gave it). Returns how many moved.
pub async fn redue_after_removal(
    ledger: &dyn IncidentLedger,
    window: &Window,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    if window.end <= now {
        return Ok(0);
    }
    let ids = ledger.due(window.end).await?;
    let mut moved = 0;
    for batch in ids.chunks(FETCH_BATCH) {
        for pulse in ledger.fetch(batch).await?.pulses {
            if pulse.due_at != Some(window.end) || !window.scope.covers(&pulse.key) {
                continue;
            }
            let plan = Reschedule {
                stamp: pulse.stamp.clone(),
                seen_due: pulse.due_at,
                seen_start: pulse.run.started_at,
                next_due: now,
            };
            moved += usize::from(ledger.reschedule(&pulse.id, &plan).await?.held());
        }
    }
    Ok(moved)
}

/// A new window from what a person sent (the page's fields or the API's members): each problem
/// names its field. `start` may be left out: the window starts now.
pub fn parse_window(
    start: Option<&str>,
    end: Option<&str>,
    scope: Option<&str>,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Window, (&'static str, String)> {
    let instant = |field: &'static str, raw: &str| {
        parse_stamp(raw).ok_or_else(|| {
            let shown: String = raw.chars().take(40).collect();
            (
                field,
                format!("{field} “{shown}” is not an RFC 3339 time such as 2026-12-24T22:00:00Z"),
            )
        })
    };
    let start = match start.filter(|s| !s.trim().is_empty()) {
        Some(raw) => instant("start", raw)?,
        None => now,
    };
    let end = match end.filter(|s| !s.trim().is_empty()) {
        Some(raw) => instant("end", raw)?,
        None => return Err(("end", "end is required: when the window is over".into())),
    };
    let scope = crate::model::Scope::parse(scope.unwrap_or("all")).map_err(|e| ("scope", e))?;
    let note = note.unwrap_or_default().trim().to_owned();
    Window::new(crate::store::new_window_id(start), start, end, scope, note, now).map_err(|e| {
        let field = if e.contains("note") { "note" } else { "end" };
        (field, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PulseKey, Scope};
    use chrono::TimeZone as _;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap()
    }

    fn pulse() -> Pulse {
        let key = PulseKey::parse(Some("h"), Some("c"), Some("t"), Some("n")).unwrap();
        crate::testing::original_pulse(key, at(1, 9), "24", false)
    }

    #[test]
    fn snooze_ends() {
        let now = at(1, 12);
        let end = |until, length| snooze_end(until, length, &pulse(), Zone::UTC, now);
        assert_eq!(end(None, Some("1h")), Ok(at(1, 13)));
        assert_eq!(end(Some("2026-12-01T15:00:00Z"), None), Ok(at(1, 15)));
        // Tuesday noon → Wednesday 00:00 (Mon–Fri).
        assert_eq!(end(None, Some(NEXT_WORKING_DAY)), Ok(at(2, 0)));
        for (until, length, problem) in [
            (None, None, "say how long"),
            (Some("2026-12-01T15:00:00Z"), Some("1h"), "not both"),
            (Some("tomorrow"), None, "RFC 3339"),
            (Some("2026-12-01T11:00:00Z"), None, "not in the future"),
            (Some("2028-12-01T11:00:00Z"), None, "a year"),
            (None, Some("soon"), "not a length"),
        ] {
            let err = end(until, length).unwrap_err();
            assert!(err.contains(problem), "{until:?} {length:?}: {err}");
        }
    }

    #[test]
    fn windows_from_fields() {
        let now = at(1, 12);
        let w = parse_window(
            Some("2026-12-01T22:00:00Z"),
            Some("2026-12-02T02:00:00Z"),
            Some("category=backup"),
            Some(" db "),
            now,
        )
        .unwrap();
        assert_eq!(
            (w.start, w.end, w.scope, w.note.as_str()),
            (at(1, 22), at(2, 2), Scope::Category("backup".into()), "db")
        );
        assert_eq!(
            parse_window(None, Some("2026-12-01T13:00:00Z"), None, None, now)
                .unwrap()
                .start,
            now
        );
        for (start, end, scope, field) in [
            (None, None, None, "end"),
            (Some("x"), Some("2026-12-02T02:00:00Z"), None, "start"),
            (None, Some("2026-12-01T11:00:00Z"), None, "end"),
            (None, Some("2026-12-02T02:00:00Z"), Some("hosts=a"), "scope"),
        ] {
            assert_eq!(parse_window(start, end, scope, None, now).unwrap_err().0, field);
        }
    }

    #[test]
    fn changes_keep_the_other_setting() {
        let snoozed = changed(&Quieting::default(), Change::Snooze(at(1, 15)));
        let both = changed(&snoozed, Change::Pause);
        assert_eq!((both.snoozed_until, both.paused), (Some(at(1, 15)), true));
        assert_eq!(changed(&both, Change::EndSnooze).snoozed_until, None);
        assert!(!changed(&both, Change::EndPause).paused);
    }
}
