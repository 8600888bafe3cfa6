//! One renderer per provider, each from the channel-neutral [`Digest`] to the exact request(s) the
//! provider documents. Renderers are pure: the limits they keep are checked by tests on the bytes.

mod discord;
mod email;
mod ntfy;
mod pagerduty;
mod slack;
mod teams;
mod telegram;
mod webhook;

pub use email::EmailMessage;
pub use webhook::{SIGNATURE_HEADER, signature};

use super::channel::ChannelConfig;
use super::digest::Digest;
use reqwest::Url;

/// At most this many pulses are named in one message; the rest are counted ("…and N more"). Each
/// renderer may show fewer to keep within its provider's limit.
pub const MAX_LISTED: usize = 50;

/// One HTTPS POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpCall {
    pub url: Url,
    /// Besides `content-type: application/json`, which every call has.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What delivering a digest to one channel takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// Every call must succeed (PagerDuty sends one event per pulse; the others one message).
    Http(Vec<HttpCall>),
    Email(EmailMessage),
}

/// Builds the request(s) for `config`; the configuration was checked when it was stored, so a URL
/// that fails to parse here means the stored item was changed behind the service's back.
pub fn render(config: &ChannelConfig, digest: &Digest) -> Result<Outbound, String> {
    let url = |raw: &str| crate::slack::parse_webhook_url(raw);
    let call = |raw: &str, body: serde_json::Value| -> Result<Outbound, String> {
        Ok(Outbound::Http(vec![HttpCall {
            url: url(raw)?,
            headers: Vec::new(),
            body: body.to_string().into_bytes(),
        }]))
    };
    match config {
        ChannelConfig::Slack { url: u } => call(u, slack::payload(digest)),
        ChannelConfig::Teams { url: u } => call(u, teams::payload(digest)),
        ChannelConfig::Discord { url: u } => call(u, discord::payload(digest)),
        ChannelConfig::Webhook { url: u, secret } => {
            let body = webhook::payload(digest).to_string().into_bytes();
            let headers = secret
                .as_deref()
                .map(|s| vec![(SIGNATURE_HEADER.to_owned(), signature(s, &body))])
                .unwrap_or_default();
            Ok(Outbound::Http(vec![HttpCall {
                url: url(u)?,
                headers,
                body,
            }]))
        }
        ChannelConfig::Telegram {
            token,
            chat_id,
            api_url,
        } => {
            let base = api_url.as_deref().unwrap_or(super::channel::TELEGRAM_API);
            let endpoint = format!("{}/bot{token}/sendMessage", base.trim_end_matches('/'));
            call(&endpoint, telegram::payload(digest, chat_id))
        }
        ChannelConfig::Pagerduty { routing_key, api_url } => {
            let endpoint = url(api_url.as_deref().unwrap_or(super::channel::PAGERDUTY_API))?;
            let calls = pagerduty::events(digest, routing_key)
                .into_iter()
                .map(|event| HttpCall {
                    url: endpoint.clone(),
                    headers: Vec::new(),
                    body: event.to_string().into_bytes(),
                })
                .collect();
            Ok(Outbound::Http(calls))
        }
        ChannelConfig::Ntfy { url: u, token } => {
            let topic_url = url(u)?;
            let (base, topic) = ntfy::split(&topic_url)?;
            let headers = token
                .as_deref()
                .map(|t| vec![("authorization".to_owned(), format!("Bearer {t}"))])
                .unwrap_or_default();
            Ok(Outbound::Http(vec![HttpCall {
                url: base,
                headers,
                body: ntfy::payload(digest, &topic).to_string().into_bytes(),
            }]))
        }
        ChannelConfig::Email { to, from } => Ok(Outbound::Email(email::message(digest, to, from))),
    }
}

/// "…and N more" when the digest names more pulses than a message shows.
fn more(total: usize, shown: usize) -> Option<String> {
    (total > shown).then(|| format!("…and {} more", total - shown))
}
