//! Where a pulse stands at a given moment: working time since its last pulse and whether it is exceeded.

use super::working_time::{becomes_exceeded_at, working_time};
use crate::model::{Pulse, Zone};
use chrono::{DateTime, TimeDelta, Utc};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Status {
    /// Working time since the last pulse.
    pub working: TimeDelta,
    pub threshold: TimeDelta,
    pub exceeded: bool,
    /// When the pulse became (or will become) exceeded; `None` if it never can (no working days).
    pub exceeded_after: Option<DateTime<Utc>>,
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

pub fn status(pulse: &Pulse, now: DateTime<Utc>, default_tz: Zone) -> Status {
    let tz = pulse.timezone(default_tz).tz();
    let days = pulse.working_days();
    let threshold = pulse.threshold.duration();
    let exceeded_after = becomes_exceeded_at(pulse.last_pulse, threshold, tz, days);
    Status {
        working: working_time(pulse.last_pulse, now, tz, days),
        threshold,
        exceeded: exceeded_after.is_some_and(|at| now > at),
        exceeded_after,
    }
}

pub fn hours(span: TimeDelta) -> f64 {
    span.num_milliseconds() as f64 / 3_600_000.0
}
