//! A pulse's own channels (`ops,pager`): when it names any, they replace the routes for that pulse
//! (`channels::routing`); none is today's behaviour. `default` is the Slack webhook of
//! `SLACK_WEBHOOK_URL`.

use super::FieldError;
use crate::channels::ChannelName;
use std::fmt;

const FIELD: &str = "channels";
/// As many as a route may name: more is a mistake, not a need.
pub const PULSE_CHANNELS_MAX: usize = 20;

/// Never empty: an empty list is stored as no setting at all, so the routes apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulseChannels(Vec<ChannelName>);

impl PulseChannels {
    /// Comma-separated names; `None` for empty text (the routes apply). Duplicates are dropped.
    pub fn parse(raw: &str) -> Result<Option<Self>, FieldError> {
        Self::from_names(raw.split(',').map(str::trim).filter(|p| !p.is_empty()))
    }

    /// The names one by one (the API's JSON list, the item's list); `None` when there is none.
    pub fn from_names<'a>(raw: impl IntoIterator<Item = &'a str>) -> Result<Option<Self>, FieldError> {
        let mut names: Vec<ChannelName> = Vec::new();
        for part in raw {
            let name = ChannelName::parse(part).map_err(|_| {
                FieldError::new(
                    FIELD,
                    format!(
                        "“{}” is not a channel name; a channel name is 1 to 64 characters of a-z, 0-9, - and _ (such as ops)",
                        part.chars().take(40).collect::<String>()
                    ),
                )
            })?;
            if !names.contains(&name) {
                names.push(name);
            }
        }
        if names.len() > PULSE_CHANNELS_MAX {
            return Err(FieldError::new(
                FIELD,
                format!("name at most {PULSE_CHANNELS_MAX} channels"),
            ));
        }
        Ok((!names.is_empty()).then_some(Self(names)))
    }

    pub fn names(&self) -> &[ChannelName] {
        &self.0
    }
}

impl fmt::Display for PulseChannels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(ChannelName::as_str).collect();
        f.write_str(&names.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comma_separated_names_empty_is_none() {
        let set = PulseChannels::parse(" ops , pager,ops,default").unwrap().unwrap();
        assert_eq!(set.to_string(), "ops,pager,default");
        assert_eq!(PulseChannels::parse("").unwrap(), None);
        assert_eq!(PulseChannels::parse(" , ").unwrap(), None);
        assert_eq!(PulseChannels::from_names([]).unwrap(), None);
        for bad in ["Ops", "a b", "a/b", &"x".repeat(65)] {
            let err = PulseChannels::parse(bad).unwrap_err();
            assert_eq!(err.field, "channels");
            assert!(err.problem.contains("is not a channel name"), "{err:?}");
        }
        let many: Vec<String> = (0..=PULSE_CHANNELS_MAX).map(|i| format!("c{i}")).collect();
        assert!(PulseChannels::parse(&many.join(",")).is_err());
    }
}
