//! Where a pulse stands at a given moment: working time since its last pulse and whether it is exceeded.

use super::calendar_book::CalendarBook;
use super::schedule;
use super::work_rule::{self, Holidays, WorkRule};
use crate::model::{Expectation, Pulse, Threshold, WorkingDays, Zone};
use chrono::{DateTime, TimeDelta, Utc};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Status {
    /// Working time since the last pulse.
    pub working: TimeDelta,
    pub threshold: TimeDelta,
    pub exceeded: bool,
    /// When the pulse became (or will become) exceeded; `None` if it never can (no working days).
    pub exceeded_after: Option<DateTime<Utc>>,
    /// With a schedule, when late: the most recent slot that was missed (for the alert's words).
    pub missed_slot: Option<DateTime<Utc>>,
}

impl Status {
    pub fn hours_since(&self) -> f64 {
        hours(self.working)
    }

    /// Working hours since minus the threshold: negative is time left, positive is overdue.
    pub fn delta_hours(&self) -> f64 {
        hours(self.working - self.threshold)
    }
}

/// Where a pulse stands without holiday calendars (pages that have not loaded them).
pub fn status(pulse: &Pulse, now: DateTime<Utc>, default_tz: Zone) -> Status {
    status_with(pulse, now, default_tz, &CalendarBook::default())
}

/// Where a pulse stands, with the holidays of the calendars it follows.
pub fn status_with(pulse: &Pulse, now: DateTime<Utc>, default_tz: Zone, book: &CalendarBook) -> Status {
    let expecting = Expecting::of(pulse, default_tz);
    let holidays = book.holidays(pulse.expect.calendars.as_ref());
    let rule = expecting.rule(holidays);
    let exceeded_after = expecting.late_after_in(&rule);
    let exceeded = exceeded_after.is_some_and(|at| now > at);
    let missed_slot = match &pulse.expect.schedule {
        Some(cron) if exceeded => {
            let grace = pulse.expect.grace_or_default().duration();
            schedule::last_missed_slot(cron, grace, pulse.last_pulse, now, &rule)
        }
        _ => None,
    };
    Status {
        working: work_rule::working_time(pulse.last_pulse, now, &rule),
        threshold: expecting.threshold.duration(),
        exceeded,
        exceeded_after,
        missed_slot,
    }
}

/// What a pulse expects, apart from how it is stored.
pub struct Expecting<'a> {
    pub last: DateTime<Utc>,
    pub threshold: Threshold,
    pub days: WorkingDays,
    pub tz: Zone,
    pub expect: &'a Expectation,
}

impl<'a> Expecting<'a> {
    pub fn of(pulse: &'a Pulse, default_tz: Zone) -> Self {
        Self {
            last: pulse.last_pulse,
            threshold: pulse.threshold,
            days: pulse.working_days(),
            tz: pulse.timezone(default_tz),
            expect: &pulse.expect,
        }
    }

    pub fn rule<'h>(&self, holidays: Holidays<'h>) -> WorkRule<'h> {
        WorkRule {
            tz: self.tz.tz(),
            days: self.days,
            hours: self.expect.hours,
            holidays,
        }
    }

    /// The instant after which the pulse is late: the threshold's, or its first missed slot + grace.
    pub fn late_after(&self, holidays: &Holidays<'_>) -> Option<DateTime<Utc>> {
        self.late_after_in(&self.rule(holidays.clone()))
    }

    pub fn late_after_in(&self, rule: &WorkRule<'_>) -> Option<DateTime<Utc>> {
        match &self.expect.schedule {
            Some(cron) => schedule::becomes_late_at(cron, self.expect.grace_or_default().duration(), self.last, rule),
            None => work_rule::becomes_exceeded_at(self.last, self.threshold.duration(), rule),
        }
    }
}

pub fn hours(span: TimeDelta) -> f64 {
    span.num_milliseconds() as f64 / 3_600_000.0
}
