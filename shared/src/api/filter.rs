//! The listing filters (`status`, `host`, `category`), read from query parameters and applied to
//! pulses one by one, so a filtered listing is still one pass over the table.

use super::error::ApiError;
use crate::http::Params;
use crate::model::{Pulse, Zone};
use crate::rules::status::status;
use crate::rules::{signals, state};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Empty: every state.
    pub states: Vec<&'static str>,
    pub host: Option<String>,
    pub category: Option<String>,
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
        })
    }

    pub fn matches(&self, pulse: &Pulse, default_tz: Zone, now: DateTime<Utc>) -> bool {
        self.host.as_ref().is_none_or(|h| *h == pulse.key.host)
            && self.category.as_ref().is_none_or(|c| *c == pulse.key.category)
            && (self.states.is_empty() || {
                let name = signals::state(pulse, &status(pulse, now, default_tz), now).name();
                self.states.contains(&name)
            })
    }
}
