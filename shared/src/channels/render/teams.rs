//! Microsoft Teams through a Workflows ("Post to a channel when a webhook request is received")
//! webhook: a message with one Adaptive Card attachment (schema 1.4, which Teams renders).
//! Limit (Teams' connector/webhook documentation): a message of at most 28 KB. Pulses are listed
//! while the card's blocks stay within `BLOCKS_BUDGET` bytes (at most `SHOWN_MAX`); the rest are
//! counted (≈ 850 bytes per hostile late pulse, ≈ 1,200 with a failed job's message and log).

use super::super::digest::Digest;
use super::super::text::{Count, cut, fit, markdown, one_line};
use serde_json::{Value, json};

const SHOWN_MAX: usize = 25;
const FIELD_MAX: usize = 80;
/// The listed pulses' blocks, as JSON bytes: 4 KB under the limit for the title, the "…and N more"
/// line, the actions and the envelope.
const BLOCKS_BUDGET: usize = 24 * 1024;
/// A failed job's message and log tail, escaped, in bytes.
const MESSAGE_MAX_BYTES: usize = 200;
const LOG_MAX_BYTES: usize = 400;

pub fn payload(digest: &Digest) -> Value {
    let mut shown = 0;
    let mut used = 0;
    let field = |text: &str| markdown(&cut(&one_line(text), FIELD_MAX));
    let mut body = vec![json!({
        "type": "TextBlock",
        "size": "Large",
        "weight": "Bolder",
        "wrap": true,
        "text": digest.title(),
        "color": if digest.occasion.is_trouble() { "Attention" } else { "Good" },
    })];
    for incident in digest.incidents.iter().take(SHOWN_MAX) {
        let mut blocks = vec![json!({
            "type": "TextBlock",
            "wrap": true,
            "weight": "Bolder",
            "separator": true,
            "text": format!("{} / {} / {} / {}", field(&incident.host), field(&incident.category), field(&incident.kind), field(&incident.name)),
        })];
        let mut facts = vec![
            json!({"title": "Incident", "value": field(&incident.incident)}),
            json!({"title": "Since", "value": digest.time(incident.since)}),
            json!({"title": "Detail", "value": markdown(&cut(&one_line(&incident.detail), 200))}),
        ];
        if let Some(message) = incident.message() {
            let value = fit(&message, MESSAGE_MAX_BYTES, Count::Bytes, false, markdown);
            facts.push(json!({"title": "Message", "value": value}));
        }
        blocks.push(json!({"type": "FactSet", "facts": facts}));
        if let Some(log) = incident.log_tail() {
            blocks.push(json!({
                "type": "TextBlock",
                "wrap": true,
                "fontType": "Monospace",
                "size": "Small",
                "text": fit(&log, LOG_MAX_BYTES, Count::Bytes, true, markdown),
            }));
        }
        let actions: Vec<Value> = [
            ("Open the pulse", &incident.pulse_url),
            ("Snooze", &incident.snooze_url),
        ]
        .into_iter()
        .filter_map(|(title, url)| {
            url.as_deref()
                .map(|u| json!({"type": "Action.OpenUrl", "title": title, "url": u}))
        })
        .collect();
        if !actions.is_empty() {
            blocks.push(json!({"type": "ActionSet", "actions": actions}));
        }
        let size: usize = blocks.iter().map(|b| b.to_string().len() + 1).sum();
        if used + size > BLOCKS_BUDGET {
            break;
        }
        used += size;
        shown += 1;
        body.extend(blocks);
    }
    if let Some(more) = super::more(digest.incidents.len(), shown) {
        body.push(json!({"type": "TextBlock", "wrap": true, "isSubtle": true, "text": more}));
    }
    let mut card = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    });
    if let Some(url) = &digest.dashboard_url {
        card["actions"] = json!([{"type": "Action.OpenUrl", "title": "Open the dashboard", "url": url}]);
    }
    json!({
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": null, "content": card}],
    })
}
