//! Microsoft Teams through a Workflows ("Post to a channel when a webhook request is received")
//! webhook: a message with one Adaptive Card attachment (schema 1.4, which Teams renders).
//! Limit (Teams' connector/webhook documentation): a message of at most 28 KB; pulses beyond
//! `SHOWN_MAX` are counted, which keeps the card well below it (≈ 600 bytes per pulse).

use super::super::digest::Digest;
use super::super::text::{cut, markdown, one_line};
use serde_json::{Value, json};

const SHOWN_MAX: usize = 25;
const FIELD_MAX: usize = 80;

pub fn payload(digest: &Digest) -> Value {
    let shown = digest.incidents.len().min(SHOWN_MAX);
    let field = |text: &str| markdown(&cut(&one_line(text), FIELD_MAX));
    let mut body = vec![json!({
        "type": "TextBlock",
        "size": "Large",
        "weight": "Bolder",
        "wrap": true,
        "text": digest.title(),
        "color": if digest.occasion.is_trouble() { "Attention" } else { "Good" },
    })];
    for incident in &digest.incidents[..shown] {
        body.push(json!({
            "type": "TextBlock",
            "wrap": true,
            "weight": "Bolder",
            "separator": true,
            "text": format!("{} / {} / {} / {}", field(&incident.host), field(&incident.category), field(&incident.kind), field(&incident.name)),
        }));
        body.push(json!({
            "type": "FactSet",
            "facts": [
                {"title": "Incident", "value": field(&incident.incident)},
                {"title": "Since", "value": incident.since.format("%Y-%m-%d %H:%M UTC").to_string()},
                {"title": "Detail", "value": markdown(&cut(&one_line(&incident.detail), 200))},
            ],
        }));
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
            body.push(json!({"type": "ActionSet", "actions": actions}));
        }
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
