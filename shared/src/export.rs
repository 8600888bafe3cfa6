//! Every pulse as CSV (RFC 4180, UTF-8, one header row), for spreadsheets. Cells that a spreadsheet
//! would run as a formula are neutralised, because host and name come from whoever sends pulses.

use crate::model::{Pulse, Window, Zone, format_stamp};
use crate::rules::calendar_book::CalendarBook;
use crate::rules::state;
use chrono::{DateTime, Utc};
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Response};

pub const CONTENT_TYPE: &str = "text/csv; charset=utf-8";
pub const FILE_NAME: &str = "heartbeat-pulses.csv";

const HEADER: [&str; 14] = [
    "id",
    "host",
    "category",
    "type",
    "name",
    "status",
    "threshold_hours",
    "saturday",
    "tz",
    "last_signal",
    "due_at",
    "pulse_count",
    "first_seen",
    "last_message",
];

/// The status column names the state as the API does: a silenced pulse says snoozed, paused or
/// maintenance, and holidays of its calendars count as no working time.
pub fn csv(pulses: &[Pulse], default_tz: Zone, now: DateTime<Utc>, windows: &[Window], book: &CalendarBook) -> String {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    let mut write = |record: &[String]| {
        // Writing into memory cannot fail; a record is either written whole or not at all.
        let _ = out.write_record(record.iter().map(|cell| neutralise(cell).into_owned()));
    };
    write(&HEADER.map(str::to_owned));
    for pulse in pulses {
        let (status, state) = state::judge(pulse, default_tz, now, windows, book);
        write(&[
            pulse.id.to_string(),
            pulse.key.host.clone(),
            pulse.key.category.clone(),
            pulse.key.kind.clone(),
            pulse.key.name.clone(),
            state.name().to_owned(),
            pulse.threshold.to_string(),
            pulse.saturday.to_string(),
            pulse.timezone(default_tz).name().to_owned(),
            format_stamp(pulse.last_pulse),
            status.exceeded_after.map(format_stamp).unwrap_or_default(),
            pulse.pulse_count.map(|n| n.to_string()).unwrap_or_default(),
            pulse.first_seen.map(format_stamp).unwrap_or_default(),
            pulse.last_message.clone().unwrap_or_default(),
        ]);
    }
    let bytes = out.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// A CSV download: never cached, since it lists every monitored job.
pub fn response(text: &str) -> Response<Body> {
    let mut res = crate::http::response::text(StatusCode::OK, text);
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    let disposition = format!("attachment; filename=\"{FILE_NAME}\"");
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    res
}

/// A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by
/// spreadsheets (CSV injection); a leading apostrophe makes it plain text, and shows the value unchanged.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PulseKey, Threshold};

    fn pulse(host: &str, name: &str, message: Option<&str>) -> Pulse {
        let key = PulseKey {
            host: host.into(),
            category: "backup".into(),
            kind: "nightly".into(),
            name: name.into(),
        };
        Pulse {
            id: key.id(),
            key,
            last_pulse: DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z").unwrap().to_utc(),
            stamp: "2026-11-23T10:00:00.000Z".into(),
            threshold: Threshold::parse("24").unwrap(),
            saturday: false,
            tz: None,
            pulse_count: Some(3),
            first_seen: None,
            last_message: message.map(str::to_owned),
            last_metadata: None,
            alert: None,
            claim: None,
            due_at: None,
            quiet: Default::default(),
            run: Default::default(),
            expect: Default::default(),
            delivered: Vec::new(),
        }
    }

    #[test]
    fn quoting_and_injection() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z").unwrap().to_utc();
        let text = csv(
            &[
                pulse("=cmd|' /C calc'!A0", "a,b", Some("line1\nline2 \"quoted\"")),
                pulse("@host", "-1+1", Some("\tx")),
                pulse("db-1", "é ✓", None),
            ],
            Zone::UTC,
            now,
            &[],
            &CalendarBook::default(),
        );
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], HEADER.join(","));
        assert!(text.contains(",'=cmd|' /C calc'!A0,"), "{text}");
        assert!(text.contains(",\"a,b\","), "{text}");
        assert!(text.contains("\"line1\nline2 \"\"quoted\"\"\""), "{text}");
        assert!(text.contains(",'@host,"), "{text}");
        assert!(text.contains(",'-1+1,"), "{text}");
        assert!(text.contains(",'\tx"), "{text}");
        assert!(
            text.contains(",db-1,backup,nightly,é ✓,ok,24,false,UTC,2026-11-23T10:00:00.000Z,"),
            "{text}"
        );
        assert!(text.ends_with("\r\n"));
        // Every record parses back with the same number of cells.
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(
            reader.records().map(|r| r.unwrap().len()).collect::<Vec<_>>(),
            [14, 14, 14]
        );
    }
}
