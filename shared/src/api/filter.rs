//! The listing filters (`status`, `host`, `category`), read from query parameters and applied to
//! pulses one by one, so a filtered listing is still one pass over the table.

use super::error::ApiError;
use crate::http::Params;
use crate::model::{Pulse, Window, Zone};
use crate::rules::calendar_book::CalendarBook;
use crate::rules::state;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Empty: every state.
    pub states: Vec<&'static str>,
    pub host: Option<String>,
    pub category: Option<String>,
    /// The maintenance windows, for the `maintenance` status; the caller fills them in.
    pub windows: Vec<Window>,
    /// The holiday calendars the statuses are judged with; the caller fills them in.
    pub book: CalendarBook,
}

impl Filter {
    pub fn from_params(params: &Params) -> Result<Self, ApiError> {
        let states = match params.single("status")? {
            None => Vec::new(),
            Some(raw) => state::parse_filter(raw).map_err(|e| ApiError::bad("status", e))?,
        };
        let text = |name: &str| -> Result<Option<String>, ApiError> {
            match params.single(name)? {
                Some("") => Err(ApiError::bad(
                    name,
                    format!("{name} is empty; leave it out to list every {name}"),
                )),
                other => Ok(other.map(str::to_owned)),
            }
        };
        Ok(Self {
            states,
            host: text("host")?,
            category: text("category")?,
            windows: Vec::new(),
            book: CalendarBook::default(),
        })
    }

    pub fn matches(&self, pulse: &Pulse, default_tz: Zone, now: DateTime<Utc>) -> bool {
        self.host.as_ref().is_none_or(|h| *h == pulse.key.host)
            && self.category.as_ref().is_none_or(|c| *c == pulse.key.category)
            && (self.states.is_empty() || {
                let (_, state) = state::judge(pulse, default_tz, now, &self.windows, &self.book);
                self.states.contains(&state.name())
            })
    }
}
