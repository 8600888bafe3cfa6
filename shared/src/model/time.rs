//! The timestamp text of `timestampF`: ISO-8601 UTC with milliseconds and `Z`, as JavaScript's
//! `Date.prototype.toISOString` writes it (the original server's format).

use chrono::{DateTime, SecondsFormat, Utc};

pub fn format_stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Reads any RFC 3339 instant, so hand-edited or foreign items with other precisions still load.
pub fn parse_stamp(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn round_trip_in_the_original_format() {
        let t = Utc.with_ymd_and_hms(2026, 11, 21, 17, 3, 9).unwrap() + chrono::TimeDelta::milliseconds(123);
        assert_eq!(format_stamp(t), "2026-11-21T17:03:09.123Z");
        assert_eq!(parse_stamp("2026-11-21T17:03:09.123Z"), Some(t));
        assert!(parse_stamp("2026-11-21T18:03:09.123+01:00").is_some());
        assert_eq!(parse_stamp("yesterday"), None);
    }
}
