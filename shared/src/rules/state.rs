//! A pulse's state by name, as the API, the dashboard, the badges and the CSV call it.

use super::status::Status;

/// A pulse's state by name; `rules::signals::state` says which one a pulse is in. Filters accept
/// every name of `NAMES`, so clients can be written against the full list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Ok,
    Late,
    Running,
    Overrun,
    Failed,
}

/// Every name a filter accepts, in the order a person reads them (worst last).
pub const NAMES: [&str; 8] = [
    "ok",
    "running",
    "snoozed",
    "paused",
    "maintenance",
    "overrun",
    "late",
    "failed",
];

/// The names the signals can give a pulse.
pub const CURRENT: [&str; 5] = ["ok", "running", "overrun", "late", "failed"];

/// What the dashboard's status filter offers: the signals' states and the quiet ones.
pub const ON_DASHBOARD: [&str; 8] = NAMES;

impl State {
    /// The state of a pulse from its threshold alone; `rules::signals::state` adds what its
    /// signals say.
    pub fn of(status: &Status) -> Self {
        if status.exceeded { State::Late } else { State::Ok }
    }

    pub fn name(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Late => "late",
            State::Running => "running",
            State::Overrun => "overrun",
            State::Failed => "failed",
        }
    }
}

/// The states a `status=late,failed` filter asks for; an unknown name is refused with the list.
pub fn parse_filter(raw: &str) -> Result<Vec<&'static str>, String> {
    let mut wanted = Vec::new();
    for part in raw.split(',') {
        match NAMES.iter().find(|n| **n == part) {
            Some(name) => wanted.push(*name),
            None => {
                let shown: String = part.chars().take(40).collect();
                return Err(format!(
                    "“{shown}” is not a status; use one or more of {}, separated by commas",
                    NAMES.join(", ")
                ));
            }
        }
    }
    Ok(wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters() {
        assert_eq!(parse_filter("late").unwrap(), vec!["late"]);
        assert_eq!(parse_filter("late,failed").unwrap(), vec!["late", "failed"]);
        for bad in ["", "LATE", "late,", "exceeded", " late", "late, ok"] {
            let err = parse_filter(bad).unwrap_err();
            assert!(err.contains("is not a status"), "{bad}: {err}");
        }
    }
}
