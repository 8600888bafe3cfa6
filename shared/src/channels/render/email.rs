//! Email through Amazon SES v2 `SendEmail`: a subject, a text part and an HTML part (user text
//! HTML-escaped). Limits (SES quotas): at most 50 recipients per message (checked when the channel
//! is stored) and 10 MB per message, far above `MAX_LISTED` pulses.

use super::super::digest::Digest;
use super::super::text::{cut, html, one_line};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailMessage {
    pub to: Vec<String>,
    pub from: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub fn message(digest: &Digest, to: &[String], from: &str) -> EmailMessage {
    let title = digest.title();
    let shown = digest.incidents.len().min(super::MAX_LISTED);
    let mut text = format!("{title}\n");
    let mut body = format!("<h2>{}</h2>\n<ul>\n", html(&title));
    for incident in &digest.incidents[..shown] {
        let name = cut(&one_line(&incident.title()), 400);
        let rest = format!(
            "{} since {} — {}",
            one_line(&incident.incident),
            digest.time(incident.since),
            cut(&one_line(&incident.detail), 400)
        );
        text.push_str(&format!("\n• {name} — {rest}"));
        match &incident.pulse_url {
            Some(url) => {
                text.push_str(&format!("\n  {url}"));
                body.push_str(&format!(
                    "<li><a href=\"{}\">{}</a> — {}",
                    html(url),
                    html(&name),
                    html(&rest)
                ));
            }
            None => body.push_str(&format!("<li>{} — {}", html(&name), html(&rest))),
        }
        if let Some(message) = incident.message() {
            let message = cut(&message, 400);
            text.push_str(&format!("\n  > {message}"));
            body.push_str(&format!("<blockquote>{}</blockquote>\n", html(&message)));
        }
        if let Some(log) = incident.log_tail() {
            for line in log.lines() {
                text.push_str(&format!("\n  | {line}"));
            }
            body.push_str(&format!("<pre>{}</pre>\n", html(&log)));
        }
        body.push_str("</li>\n");
    }
    body.push_str("</ul>\n");
    if let Some(more) = super::more(digest.incidents.len(), shown) {
        text.push_str(&format!("\n{more}"));
        body.push_str(&format!("<p>{}</p>\n", html(&more)));
    }
    if let Some(url) = &digest.dashboard_url {
        text.push_str(&format!("\n\nDashboard: {url}\n"));
        body.push_str(&format!("<p><a href=\"{}\">Open the dashboard</a></p>\n", html(url)));
    }
    EmailMessage {
        to: to.to_vec(),
        from: from.to_owned(),
        // A subject is one line: a name cannot add headers.
        subject: format!("[heartbeat] {}", one_line(&title)),
        text,
        html: body,
    }
}
