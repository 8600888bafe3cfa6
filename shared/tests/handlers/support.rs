//! What every handler test needs: a fixed clock, configurations, requests built the way API Gateway
//! or the local runtime hands them over, readers for responses, and a notifier that records.

use chrono::{DateTime, Utc};
use heartbeat_shared::config::Config;
use heartbeat_shared::model::{Pulse, PulseId, PulseKey, Zone};
pub use heartbeat_shared::testing::{FORM, JSON, RecordingNotifier, get, header, post, request, text};
use lambda_http::{Body, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The dashboard secret of most tests; `&` makes the percent-encoding of links visible.
pub const SECRET: &str = "s3cr&t";
/// `SECRET` as it appears in a URL.
pub const SECRET_IN_URL: &str = "s3cr%26t";

/// Monday 2026-11-23 12:00 UTC.
pub fn now() -> DateTime<Utc> {
    at("2026-11-23T12:00:00Z")
}

pub fn at(stamp: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(stamp)
        .expect("a test instant")
        .with_timezone(&Utc)
}

pub fn hours(h: i64) -> chrono::TimeDelta {
    chrono::TimeDelta::hours(h)
}

pub fn config(vars: &[(&str, &str)]) -> Config {
    let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Config::from_vars(&vars).expect("a valid test configuration")
}

/// The configuration of the pages: the secret is set.
pub fn with_secret() -> Config {
    config(&[("DASHBOARD_SECRET", SECRET)])
}

/// The headers every HTML page must carry, whatever its status.
#[track_caller]
pub fn assert_html_page(res: &Response<Body>, status: u16) {
    assert_eq!(res.status().as_u16(), status, "{}", text(res));
    let content_type = header(res, "content-type").unwrap_or_default();
    assert!(content_type.starts_with("text/html"), "content-type {content_type}");
    let csp = header(res, "content-security-policy").unwrap_or_default();
    assert!(csp.starts_with("default-src 'none'"), "CSP {csp:?}");
    assert!(csp.contains("frame-ancestors 'none'"), "CSP {csp:?}");
    assert_eq!(header(res, "x-frame-options"), Some("DENY"));
    assert_eq!(header(res, "referrer-policy"), Some("no-referrer"));
    assert_eq!(header(res, "cache-control"), Some("no-store"));
    let body = text(res);
    assert!(body.starts_with("<!doctype html>"), "a complete page: {body}");
    assert!(body.trim_end().ends_with("</html>"), "a complete page");
}

/// SHA-256 of the four fields concatenated, computed here independently of `PulseKey::id`.
pub fn sha256_id(host: &str, category: &str, kind: &str, name: &str) -> String {
    hex::encode(Sha256::digest(format!("{host}{category}{kind}{name}").as_bytes()))
}

pub fn key(host: &str, category: &str, kind: &str, name: &str) -> PulseKey {
    PulseKey::parse(Some(host), Some(category), Some(kind), Some(name)).expect("a valid key")
}

pub fn id_of(host: &str, category: &str, kind: &str, name: &str) -> PulseId {
    key(host, category, kind, name).id()
}

/// An item shaped like one the original Node server wrote: none of the new attributes.
pub fn original_pulse(name: &str, last: DateTime<Utc>, threshold: &str, saturday: bool) -> Pulse {
    heartbeat_shared::testing::original_pulse(key("legacy-host", "cron", "node", name), last, threshold, saturday)
}

/// A pulse as this project writes it, in a given timezone.
pub fn pulse_in(name: &str, last: DateTime<Utc>, threshold: &str, tz: &str) -> Pulse {
    Pulse {
        tz: Some(Zone::parse(tz).expect("a valid timezone")),
        pulse_count: Some(1),
        first_seen: Some(last),
        ..original_pulse(name, last, threshold, false)
    }
}
