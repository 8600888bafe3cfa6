//! "Due in": when a pulse becomes late if it stays quiet, as a person says it.

use crate::words::duration;
use chrono::{DateTime, Utc};

pub fn due_in(due: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match due {
        None => "never".to_string(),
        Some(at) if at > now => format!("in {}", duration(at - now)),
        Some(at) => format!("late for {}", duration(now - at)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn table() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z").unwrap().to_utc();
        assert_eq!(due_in(None, now), "never");
        assert_eq!(due_in(Some(now + TimeDelta::minutes(135)), now), "in 2 h 15 min");
        assert_eq!(due_in(Some(now - TimeDelta::hours(28)), now), "late for 1 d 4 h");
        assert_eq!(due_in(Some(now), now), "late for 0 s");
    }
}
