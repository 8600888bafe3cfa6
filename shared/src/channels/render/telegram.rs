//! Telegram Bot API `sendMessage` with `parse_mode: "HTML"`: every user text escaped (`& < > "`),
//! links as `<a href>`. Limit (Bot API reference): the text is 1–4,096 characters after entity
//! parsing, i.e. as shown; pulses are listed while the shown text stays within it.

use super::super::digest::Digest;
use super::super::text::{Count, cut, fit, html, one_line};
use serde_json::{Value, json};

const TEXT_MAX: usize = 4_096;
/// Room kept for the "…and N more" line and the dashboard link's label.
const RESERVE: usize = 96;
const FIELD_MAX: usize = 80;
const DETAIL_MAX: usize = 200;
/// A failed job's message and log tail, as shown.
const MESSAGE_MAX: usize = 200;
const LOG_MAX: usize = 600;

pub fn payload(digest: &Digest, chat_id: &str) -> Value {
    let title = digest.title();
    let mut shown_len = title.chars().count();
    let mut text = format!("<b>{}</b>", html(&title));
    let mut shown = 0;
    for incident in digest.incidents.iter().take(super::MAX_LISTED) {
        let field = |t: &str| cut(&one_line(t), FIELD_MAX);
        let name = format!(
            "{} / {} / {} / {}",
            field(&incident.host),
            field(&incident.category),
            field(&incident.kind),
            field(&incident.name)
        );
        let rest = format!(
            " — {} since {} — {}",
            field(&incident.incident),
            digest.time(incident.since),
            cut(&one_line(&incident.detail), DETAIL_MAX)
        );
        let message = incident.message().map(|m| cut(&m, MESSAGE_MAX));
        let log = incident
            .log_tail()
            .map(|l| fit(&l, LOG_MAX, Count::Chars, true, str::to_owned));
        // What Telegram counts: the text as shown, markup gone.
        let visible = 1
            + 2
            + name.chars().count()
            + rest.chars().count()
            + message.as_ref().map_or(0, |m| 1 + m.chars().count())
            + log.as_ref().map_or(0, |l| 1 + l.chars().count());
        if shown_len + visible > TEXT_MAX - RESERVE {
            break;
        }
        shown_len += visible;
        shown += 1;
        let name = match &incident.pulse_url {
            Some(url) => format!("<a href=\"{}\">{}</a>", html(url), html(&name)),
            None => html(&name),
        };
        text.push_str(&format!("\n• {name}{}", html(&rest)));
        if let Some(message) = message {
            text.push_str(&format!("\n<i>{}</i>", html(&message)));
        }
        if let Some(log) = log {
            text.push_str(&format!("\n<pre>{}</pre>", html(&log)));
        }
    }
    if let Some(more) = super::more(digest.incidents.len(), shown) {
        text.push_str(&format!("\n{more}"));
    }
    if let Some(url) = &digest.dashboard_url {
        text.push_str(&format!("\n<a href=\"{}\">Open the dashboard</a>", html(url)));
    }
    json!({
        "chat_id": chat_id,
        "text": text,
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": true},
    })
}
