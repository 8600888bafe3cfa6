//! When the monitor must next look at a pulse. The due index is sorted by this time, so a monitor run
//! reads only the pulses that owe a decision, whatever the size of the table.

use super::calendar_book::CalendarBook;
use super::status::{Status, status_with};
use super::working_time::becomes_exceeded_at;
use crate::model::{Alert, Expectation, Pulse, Threshold, WorkingDays, Zone};
use chrono::{DateTime, TimeDelta, TimeZone as _, Utc};
use std::time::Duration;

/// "Never": a pulse with no working day, or an alerted one when reminders are off. An alerted pulse
/// still comes back into the due range when it pulses again: that pulse makes it due at once.
pub fn never() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 1, 1, 0, 0, 0)
        .single()
        .expect("a valid date")
}

/// A new pulse's first due time: the exact instant it becomes exceeded if it never pulses again.
/// Later pulses only make the true instant later, so a due time written once is never late; the
/// monitor moves it forward when it comes.
pub fn first(at: DateTime<Utc>, threshold: Threshold, saturday: bool, tz: Zone) -> DateTime<Utc> {
    becomes_exceeded_at(
        at,
        threshold.duration(),
        tz.tz(),
        WorkingDays::from_saturday_flag(saturday),
    )
    .unwrap_or_else(never)
}

/// `first` with the widened expectation (workdays, hours, schedule), counted without holidays:
/// holidays only make the late instant later, so this is never after it.
pub fn first_with(
    at: DateTime<Utc>,
    threshold: Threshold,
    saturday: bool,
    tz: Zone,
    expect: &Expectation,
) -> DateTime<Utc> {
    if *expect == Expectation::default() {
        return first(at, threshold, saturday, tz);
    }
    let pulse_like = super::status::Expecting {
        last: at,
        threshold,
        days: expect
            .workdays
            .unwrap_or_else(|| WorkingDays::from_saturday_flag(saturday)),
        tz,
        expect,
    };
    pulse_like
        .late_after(&CalendarBook::default().holidays(Some(&Default::default())))
        .unwrap_or_else(never)
}

/// A quiet pulse's next look, no later than the start of its next holiday: holidays only postpone
/// lateness, so adding dates to a calendar never makes a due time late, and a date taken out is
/// seen at the latest when it begins. Calendar edits therefore write nothing per pulse.
pub fn capped(
    next: DateTime<Utc>,
    pulse: &Pulse,
    now: DateTime<Utc>,
    default_tz: Zone,
    book: &CalendarBook,
) -> DateTime<Utc> {
    let tz = pulse.timezone(default_tz).tz();
    book.next_holiday_start(pulse.expect.calendars.as_ref(), tz, now)
        .map_or(next, |holiday| holiday.min(next))
}

/// After a decision that sent nothing (or after a delivered message), when to look again.
pub fn next_look(
    status: &Status,
    alert: Option<&Alert>,
    now: DateTime<Utc>,
    remind_every: Option<Duration>,
) -> DateTime<Utc> {
    match alert {
        // Alerted: the next reminder, if any. A recovery pulse moves the due time itself.
        Some(alert) => remind_every
            .and_then(|every| TimeDelta::from_std(every).ok())
            .map_or_else(never, |every| alert.notified_at + every),
        // Exceeded but not alerted (a failed or skipped delivery): keep it due.
        None if status.exceeded => now,
        None => status.exceeded_after.unwrap_or_else(never),
    }
}

/// After an edit of threshold, working days or timezone: the new exact time, or now for an alerted
/// pulse, so the monitor decides at once whether the edit ended the incident.
pub fn after_edit(edited: &Pulse, now: DateTime<Utc>, default_tz: Zone) -> DateTime<Utc> {
    after_edit_with(edited, now, default_tz, &CalendarBook::default())
}

/// `after_edit` with the holiday calendars loaded. Without them (the book empty) the time is never
/// later than the exact one, since holidays only postpone lateness.
pub fn after_edit_with(edited: &Pulse, now: DateTime<Utc>, default_tz: Zone, book: &CalendarBook) -> DateTime<Utc> {
    if edited.alert.is_some() {
        return now;
    }
    // The signals' look too: a running job with a max runtime is due when it would overrun.
    crate::rules::signals::next_look(edited, &status_with(edited, now, default_tz, book), None, now, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap()
    }

    fn status(exceeded: bool, after: Option<DateTime<Utc>>) -> Status {
        Status {
            working: TimeDelta::zero(),
            threshold: TimeDelta::hours(24),
            exceeded,
            exceeded_after: after,
            missed_slot: None,
        }
    }

    #[test]
    fn table() {
        let now = at(21, 12);
        let alert = Alert {
            for_stamp: "x".into(),
            notified_at: at(20, 10),
        };
        let day = Some(Duration::from_secs(86_400));
        assert_eq!(next_look(&status(false, Some(at(23, 18))), None, now, day), at(23, 18));
        assert_eq!(next_look(&status(false, None), None, now, day), never());
        assert_eq!(next_look(&status(true, Some(at(20, 9))), None, now, day), now);
        assert_eq!(
            next_look(&status(true, Some(at(20, 9))), Some(&alert), now, day),
            at(21, 10)
        );
        assert_eq!(
            next_look(&status(true, Some(at(20, 9))), Some(&alert), now, None),
            never()
        );
    }

    #[test]
    fn the_first_due_time_is_the_exact_instant() {
        let day = Threshold::parse("24").unwrap();
        // Friday 18:00 UTC, Saturday off: the weekend does not count, so Monday 18:00.
        assert_eq!(first(at(20, 18), day, false, Zone::UTC), at(23, 18));
        // Saturday on: Saturday 18:00.
        assert_eq!(first(at(20, 18), day, true, Zone::UTC), at(21, 18));
    }
}
