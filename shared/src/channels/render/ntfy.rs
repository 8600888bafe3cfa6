//! ntfy, published as JSON to the server's root (`POST /` with `topic` in the body), which keeps
//! user text out of HTTP headers. Priority 4 ("high") for incidents, 3 ("default") for recoveries.
//! Limit (ntfy's publishing docs): a message above 4,096 bytes becomes an attachment, so the
//! message is cut to stay within it.

use super::super::digest::Digest;
use super::super::text::{Count, cut, cut_bytes, fit, one_line};
use reqwest::Url;
use serde_json::{Value, json};

const MESSAGE_MAX_BYTES: usize = 4_096;
const TITLE_MAX: usize = 200;

/// `https://ntfy.sh/my-topic` → (`https://ntfy.sh/`, `my-topic`).
pub fn split(topic_url: &Url) -> Result<(Url, String), String> {
    let topic = topic_url.path().trim_matches('/').to_owned();
    if topic.is_empty() || topic.contains('/') {
        return Err("the ntfy URL must be a topic's URL, e.g. https://ntfy.sh/my-cron-alerts".into());
    }
    let mut base = topic_url.clone();
    base.set_path("/");
    base.set_query(None);
    Ok((base, topic))
}

pub fn payload(digest: &Digest, topic: &str) -> Value {
    let mut lines = Vec::new();
    for incident in digest.incidents.iter().take(super::MAX_LISTED) {
        lines.push(format!(
            "• {} — {} since {} — {}",
            cut(&one_line(&incident.title()), 200),
            one_line(&incident.incident),
            digest.time(incident.since),
            cut(&one_line(&incident.detail), 200)
        ));
        // Plain text (markdown is off unless asked for): nothing to escape, only cut.
        if let Some(message) = incident.message() {
            lines.push(format!("  > {}", cut(&message, 200)));
        }
        if let Some(log) = incident.log_tail() {
            lines.push(fit(&log, 600, Count::Bytes, true, str::to_owned));
        }
    }
    let shown = digest.incidents.len().min(super::MAX_LISTED);
    if let Some(more) = super::more(digest.incidents.len(), shown) {
        lines.push(more);
    }
    let message = if lines.is_empty() {
        digest.title()
    } else {
        lines.join("\n")
    };
    let mut body = json!({
        "topic": topic,
        "title": cut(&digest.title(), TITLE_MAX),
        "message": cut_bytes(&message, MESSAGE_MAX_BYTES),
        "priority": if digest.occasion.is_trouble() { 4 } else { 3 },
        "tags": [if digest.occasion.is_trouble() { "rotating_light" } else { "white_check_mark" }],
    });
    if let Some(url) = digest
        .incidents
        .first()
        .filter(|_| digest.incidents.len() == 1)
        .and_then(|i| i.pulse_url.clone())
        .or_else(|| digest.dashboard_url.clone())
    {
        body["click"] = json!(url);
    }
    body
}
