//! When the monitor must next look at a pulse. The due index is sorted by this time, so a monitor run
//! reads only the pulses that owe a decision, whatever the size of the table.

use super::status::{Status, status};
use crate::model::{Alert, Pulse, Threshold, TimeZone};
use chrono::{DateTime, TimeDelta, TimeZone as _, Utc};
use std::time::Duration;

/// "Never": a pulse with no working day, or an alerted one when reminders are off. It still leaves
/// the index's due range as soon as it pulses again, because a pulse writes a new due time.
pub fn never() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 1, 1, 0, 0, 0)
        .single()
        .expect("a valid date")
}

/// What a pulse can write without reading its item: working time never exceeds wall time, so a pulse
/// is never exceeded before `last + threshold`. The monitor refines it the first time it looks.
pub fn lower_bound(last: DateTime<Utc>, threshold: Threshold) -> DateTime<Utc> {
    last + threshold.duration()
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
pub fn after_edit(edited: &Pulse, now: DateTime<Utc>, default_tz: TimeZone) -> DateTime<Utc> {
    if edited.alert.is_some() {
        return now;
    }
    next_look(&status(edited, now, default_tz), None, now, None)
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
    fn the_lower_bound_is_never_after_the_exact_time() {
        let threshold = Threshold::parse("24").unwrap();
        let friday = at(20, 18);
        let exact = crate::rules::working_time::becomes_exceeded_at(
            friday,
            threshold.duration(),
            chrono_tz::UTC,
            crate::model::WorkingDays::MON_FRI,
        )
        .unwrap();
        assert_eq!(lower_bound(friday, threshold), at(21, 18));
        assert!(lower_bound(friday, threshold) <= exact);
    }
}
