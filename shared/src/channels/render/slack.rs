//! Slack incoming webhook with Block Kit: a header, one section per pulse (with its links), a context
//! line and a button to the dashboard; `text` is the notification's fallback.
//! Limits (Slack's Block Kit reference): at most 50 blocks per message; a header's plain text at most
//! 150 characters; a section's text at most 3,000; a button's text at most 75 and its URL 3,000.

use super::super::digest::{Digest, Incident};
use super::super::text::{Count, cut, fit, one_line};
use crate::slack::escape;
use serde_json::{Value, json};

const BLOCKS_MAX: usize = 50;
/// Header, "…and N more", the context line and the actions: the rest are pulse sections.
const SECTIONS_MAX: usize = BLOCKS_MAX - 4;
const FIELD_MAX: usize = 80;
const DETAIL_MAX: usize = 200;
const URL_MAX: usize = 3_000;
const SECTION_MAX: usize = 3_000;
const MESSAGE_MAX: usize = 300;

pub fn payload(digest: &Digest) -> Value {
    let title = digest.title();
    let shown = digest.incidents.len().min(SECTIONS_MAX).min(super::MAX_LISTED);
    let mut blocks = vec![json!({
        "type": "header",
        "text": {"type": "plain_text", "text": cut(&title, 150), "emoji": true},
    })];
    blocks.extend(digest.incidents[..shown].iter().map(|i| section(digest, i)));
    if let Some(more) = super::more(digest.incidents.len(), shown) {
        blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": more}]}));
    }
    blocks.push(json!({
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": format!("heartbeat · {}", digest.time(digest.at))}],
    }));
    if let Some(url) = digest.dashboard_url.as_deref().filter(|u| usable(u)) {
        blocks.push(json!({
            "type": "actions",
            "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Open the dashboard"}, "url": url}],
        }));
    }
    debug_assert!(blocks.len() <= BLOCKS_MAX);
    json!({"text": title, "blocks": blocks})
}

fn section(digest: &Digest, incident: &Incident) -> Value {
    let field = |text: &str| escape(&cut(&one_line(text), FIELD_MAX));
    let mut text = format!(
        "*{} / {} / {} / {}*\n{} since {} — {}",
        field(&incident.host),
        field(&incident.category),
        field(&incident.kind),
        field(&incident.name),
        field(&incident.incident),
        digest.time(incident.since),
        escape(&cut(&one_line(&incident.detail), DETAIL_MAX)),
    );
    let links: Vec<String> = [
        ("Open the pulse", &incident.pulse_url),
        ("Snooze", &incident.snooze_url),
    ]
    .into_iter()
    .filter_map(|(label, url)| url.as_deref().filter(|u| usable(u)).map(|u| format!("<{u}|{label}>")))
    .collect();
    if let Some(message) = incident.message() {
        text.push_str("\n> ");
        text.push_str(&fit(&message, MESSAGE_MAX, Count::Chars, false, escape));
    }
    let links = links.join(" · ");
    if let Some(log) = incident.log_tail() {
        // What is left of the section after the links, less the fences.
        let room = SECTION_MAX.saturating_sub(text.chars().count() + links.chars().count() + 10);
        let block = fit(&log, room, Count::Chars, true, code);
        if !block.is_empty() {
            text.push_str(&format!("\n```\n{block}\n```"));
        }
    }
    if !links.is_empty() {
        text.push('\n');
        text.push_str(&links);
    }
    json!({"type": "section", "text": {"type": "mrkdwn", "text": text}})
}

/// Log text in a code block: escaped (Slack reads `&`, `<` and `>` even there), and a backtick
/// cannot close the block early (a look-alike shows instead).
fn code(text: &str) -> String {
    escape(&text.replace('`', "ˋ"))
}

/// A link Slack's `<url|label>` syntax can carry unchanged; anything else is left out, not cut.
fn usable(url: &str) -> bool {
    url.len() <= URL_MAX && !url.chars().any(|c| c.is_whitespace() || matches!(c, '<' | '>' | '|'))
}
