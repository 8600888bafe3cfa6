//! The widened expectation settings of a pulse (`docs/WORKING-TIME.md`). Every one is optional:
//! all absent means exactly the original rule (Mon–Fri or Mon–Sat by `saturday`, the whole day).

use super::{CalendarNames, Grace, Hours, Schedule, WorkingDays};

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
}

impl Expectation {
    pub fn grace_or_default(&self) -> Grace {
        self.grace.unwrap_or_else(Grace::default_hours)
    }
}
