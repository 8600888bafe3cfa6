//! Staying quiet on purpose: a pulse's own snooze and pause, and the service's maintenance windows.
//! Plain values, parsed once; the rules that use them are in `rules/quiet.rs`.

use super::PulseKey;
use chrono::{DateTime, TimeDelta, Utc};

/// A pulse's own quiet settings. Both absent on every item written before them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Quieting {
    /// No alert, reminder or recovery message before this instant.
    pub snoozed_until: Option<DateTime<Utc>>,
    /// No message until the pulse's next signal, which ends the pause.
    pub paused: bool,
}

/// Who a maintenance window silences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Host(String),
    Category(String),
}

impl Scope {
    /// `all`, `host=H` or `category=C`, exactly as the API and the page take it.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let named = |value: &str, what: &str| {
            if value.is_empty() {
                Err(format!("“{raw}” names no {what}; write {what}=NAME"))
            } else {
                Ok(value.to_owned())
            }
        };
        if raw == "all" {
            Ok(Scope::All)
        } else if let Some(host) = raw.strip_prefix("host=") {
            named(host, "host").map(Scope::Host)
        } else if let Some(category) = raw.strip_prefix("category=") {
            named(category, "category").map(Scope::Category)
        } else {
            let shown: String = raw.chars().take(40).collect();
            Err(format!("“{shown}” is not a scope; use all, host=NAME or category=NAME"))
        }
    }

    pub fn covers(&self, key: &PulseKey) -> bool {
        match self {
            Scope::All => true,
            Scope::Host(host) => key.host == *host,
            Scope::Category(category) => key.category == *category,
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scope::All => f.write_str("all"),
            Scope::Host(host) => write!(f, "host={host}"),
            Scope::Category(category) => write!(f, "category={category}"),
        }
    }
}

/// A one-off maintenance window: inside `[start, end)` nothing in scope is alerted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// The window's name in the config table, chosen by the service when the window is added.
    pub id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub scope: Scope,
    pub note: String,
}

/// The longest window or snooze accepted: a year. Longer is almost always a typo, and a pause says
/// "indefinitely" better.
pub const LONGEST: TimeDelta = TimeDelta::days(366);

/// A note is shown on the dashboard; a page's worth is plenty.
pub const NOTE_LIMIT: usize = 500;

impl Window {
    /// A window from what a person sent: the end after the start, not over, at most a year long.
    pub fn new(
        id: String,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: Scope,
        note: String,
        now: DateTime<Utc>,
    ) -> Result<Self, String> {
        if end <= start {
            return Err("the end must be after the start".into());
        }
        if end <= now {
            return Err("the window is already over; give an end in the future".into());
        }
        if end - start > LONGEST {
            return Err("a window may last at most a year; pause the pulses instead".into());
        }
        if note.chars().count() > NOTE_LIMIT {
            return Err(format!("the note is longer than {NOTE_LIMIT} characters"));
        }
        Ok(Window {
            id,
            start,
            end,
            scope,
            note,
        })
    }

    pub fn covers(&self, key: &PulseKey, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end && self.scope.covers(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn scopes() {
        assert_eq!(Scope::parse("all").unwrap(), Scope::All);
        assert_eq!(Scope::parse("host=db1").unwrap(), Scope::Host("db1".into()));
        assert_eq!(
            Scope::parse("category=backup").unwrap(),
            Scope::Category("backup".into())
        );
        assert_eq!(Scope::parse("category=backup").unwrap().to_string(), "category=backup");
        for bad in ["", "ALL", "host=", "category=", "name=x", "host"] {
            assert!(Scope::parse(bad).is_err(), "{bad}");
        }
        let key = PulseKey::parse(Some("db1"), Some("backup"), Some("t"), Some("n")).unwrap();
        assert!(Scope::Host("db1".into()).covers(&key));
        assert!(!Scope::Host("db2".into()).covers(&key));
        assert!(Scope::Category("backup".into()).covers(&key));
        assert!(!Scope::Category("etl".into()).covers(&key));
    }

    #[test]
    fn windows_are_checked() {
        let at = |h| Utc.with_ymd_and_hms(2026, 12, 1, h, 0, 0).unwrap();
        let make = |s, e, note: &str| Window::new("w".into(), s, e, Scope::All, note.into(), at(1));
        assert!(make(at(2), at(3), "").is_ok());
        assert!(make(at(3), at(2), "").unwrap_err().contains("after the start"));
        assert!(make(at(0), at(1), "").unwrap_err().contains("already over"));
        assert!(
            make(at(2), at(2) + TimeDelta::days(400), "")
                .unwrap_err()
                .contains("a year")
        );
        assert!(make(at(2), at(3), &"x".repeat(501)).unwrap_err().contains("note"));
        let w = make(at(2), at(3), "").unwrap();
        let key = PulseKey::parse(Some("h"), Some("c"), Some("t"), Some("n")).unwrap();
        assert!(!w.covers(&key, at(1)));
        assert!(w.covers(&key, at(2)));
        assert!(!w.covers(&key, at(3)), "the end is outside");
    }
}
