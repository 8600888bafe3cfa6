//! The widened expectation settings of a pulse (`docs/WORKING-TIME.md`). Every one is optional:
//! all absent means exactly the original rule (Mon–Fri or Mon–Sat by `saturday`, the whole day).

use super::{CalendarNames, Grace, Hours, PulseChannels, Schedule, WorkingDays};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Expectation {
    /// Written together with `saturday`, which then mirrors whether Saturday is in it.
    pub workdays: Option<WorkingDays>,
    /// `None`: the service's `DEFAULT_CALENDARS`; `Some(empty)`: no calendar at all.
    pub calendars: Option<CalendarNames>,
    pub hours: Option<Hours>,
    pub schedule: Option<Schedule>,
    /// Only meaningful with a schedule; `None` is the default hour.
    pub grace: Option<Grace>,
    /// Not about time, but set, stored and cleared exactly like the others (one validation, one
    /// attribute list): the pulse's own channels; `None` means the routes apply.
    pub channels: Option<PulseChannels>,
}

impl Expectation {
    pub fn grace_or_default(&self) -> Grace {
        self.grace.unwrap_or_else(Grace::default_hours)
    }
}
