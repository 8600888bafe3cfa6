//! Discord webhook (Execute Webhook): `content` with the title, one embed per pulse.
//! Limits (Discord's message and embed reference): `content` at most 2,000 characters; at most 10
//! embeds; an embed title at most 256 characters and a description at most 4,096; all embeds of a
//! message together at most 6,000 characters. Mentions are switched off (`allowed_mentions`), so a
//! pulse called `@everyone` pings nobody; names are markdown-escaped as well.

use super::super::digest::Digest;
use super::super::text::{Count, cut, fit, markdown, one_line};
use serde_json::{Value, json};

const EMBEDS_MAX: usize = 10;
const CONTENT_MAX: usize = 2_000;
/// Discord allows 256; a pulse's name is cut shorter so its description has room for a failed job's
/// message and log: 10 × (100 + 480) = 5,800 ≤ 6,000.
const EMBED_TITLE_MAX: usize = 100;
const EMBED_DESCRIPTION_MAX: usize = 480;
const EMBEDS_TOTAL_MAX: usize = 6_000;
const _: () = assert!(EMBEDS_MAX * (EMBED_TITLE_MAX + EMBED_DESCRIPTION_MAX) <= EMBEDS_TOTAL_MAX);

pub fn payload(digest: &Digest) -> Value {
    let shown = digest.incidents.len().min(EMBEDS_MAX);
    let mut content = digest.title();
    if let Some(more) = super::more(digest.incidents.len(), shown) {
        content.push_str(&format!(" ({more})"));
    }
    if let Some(url) = &digest.dashboard_url {
        content.push_str(&format!("\n<{url}>"));
    }
    let colour = if digest.occasion.is_trouble() {
        0xD9_2D_20
    } else {
        0x2E_A0_43
    };
    let embeds: Vec<Value> = digest.incidents[..shown]
        .iter()
        .map(|incident| {
            let title = cut(&one_line(&incident.title()), EMBED_TITLE_MAX);
            let head = markdown(&format!(
                "{} since {} — {}",
                one_line(&incident.incident),
                digest.time(incident.since),
                one_line(&incident.detail)
            ));
            let mut description = cut(&head, EMBED_DESCRIPTION_MAX);
            // A failed job's message and the end of its log, in what is left of the description
            // (the head first: it says what happened).
            if let Some(message) = incident.message() {
                let room = EMBED_DESCRIPTION_MAX.saturating_sub(description.chars().count() + 3);
                let quoted = fit(&message, room.min(120), Count::Chars, false, markdown);
                if !quoted.is_empty() {
                    description.push_str(&format!("\n> {quoted}"));
                }
            }
            if let Some(log) = incident.log_tail() {
                let room = EMBED_DESCRIPTION_MAX.saturating_sub(description.chars().count() + 9);
                // Inside a code block nothing is formatted; only a backtick could end it early.
                let block = fit(&log, room, Count::Chars, true, |t| t.replace('`', "ˋ"));
                if block.chars().count() >= 20 {
                    description.push_str(&format!("\n```\n{block}\n```"));
                }
            }
            // The snooze link only when it fits whole: a cut link is a broken one.
            if let Some(snooze) = &incident.snooze_url {
                let link = format!("\n[Snooze]({snooze})");
                if description.chars().count() + link.chars().count() <= EMBED_DESCRIPTION_MAX {
                    description.push_str(&link);
                }
            }
            let mut embed = json!({
                // Escaping can lengthen the title; the cut after it keeps the limit.
                "title": cut(&markdown(&title), EMBED_TITLE_MAX),
                "description": description,
                "color": colour,
                "timestamp": incident.since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            });
            if let Some(url) = &incident.pulse_url {
                embed["url"] = json!(url);
            }
            embed
        })
        .collect();
    json!({
        "content": cut(&content, CONTENT_MAX),
        "embeds": embeds,
        "allowed_mentions": {"parse": []},
    })
}
