//! A channel: its name, its kind and the kind's configuration, parsed once (`Channel::parse`) so the
//! rest of the code trusts it. Secrets (webhook URLs with tokens, keys) are write-only: `masked`
//! is what pages and the API show.

use crate::slack::parse_webhook_url;
use serde::{Deserialize, Serialize};

/// The Slack webhook of `SLACK_WEBHOOK_URL`: routes may name it, and pulses no route names go to it.
pub const DEFAULT_CHANNEL: &str = "default";

/// What every masked secret shows instead of its value.
pub const MASK: &str = "••••••";

const NAME_MAX: usize = 64;
const RECIPIENTS_MAX: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ChannelName(String);

impl TryFrom<String> for ChannelName {
    type Error = ChannelError;
    fn try_from(raw: String) -> Result<Self, ChannelError> {
        Self::parse(&raw)
    }
}

impl From<ChannelName> for String {
    fn from(name: ChannelName) -> String {
        name.0
    }
}

impl ChannelName {
    /// 1 to 64 of `a-z 0-9 - _`; the URL path and the table key use it as is.
    pub fn parse(raw: &str) -> Result<Self, ChannelError> {
        let ok = !raw.is_empty()
            && raw.len() <= NAME_MAX
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ChannelError::field(
                "name",
                "a channel name is 1 to 64 characters of a-z, 0-9, - and _",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_default(&self) -> bool {
        self.0 == DEFAULT_CHANNEL
    }
}

impl std::fmt::Display for ChannelName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A bad channel, naming the field at fault and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem}")]
pub struct ChannelError {
    pub field: &'static str,
    pub problem: String,
}

impl ChannelError {
    pub fn field(field: &'static str, problem: impl Into<String>) -> Self {
        Self {
            field,
            problem: problem.into(),
        }
    }
}

/// Each kind's configuration, as the API takes it (`{"kind": "slack", "url": "…"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum ChannelConfig {
    Slack {
        url: String,
    },
    Webhook {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        secret: Option<String>,
    },
    Teams {
        url: String,
    },
    Discord {
        url: String,
    },
    Telegram {
        token: String,
        chat_id: String,
        /// The Bot API's address; a self-hosted Bot API server (or a test) sets its own.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        api_url: Option<String>,
    },
    Pagerduty {
        routing_key: String,
        /// The Events API v2 address; EU accounts use `https://events.eu.pagerduty.com/v2/enqueue`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        api_url: Option<String>,
    },
    Email {
        to: Vec<String>,
        from: String,
    },
    Ntfy {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
    },
}

pub const TELEGRAM_API: &str = "https://api.telegram.org";
pub const PAGERDUTY_API: &str = "https://events.pagerduty.com/v2/enqueue";

impl ChannelConfig {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Slack { .. } => "slack",
            Self::Webhook { .. } => "webhook",
            Self::Teams { .. } => "teams",
            Self::Discord { .. } => "discord",
            Self::Telegram { .. } => "telegram",
            Self::Pagerduty { .. } => "pagerduty",
            Self::Email { .. } => "email",
            Self::Ntfy { .. } => "ntfy",
        }
    }

    /// Checks every field; the problem names the field and never repeats a secret.
    pub fn check(&self) -> Result<(), ChannelError> {
        let url = |field: &'static str, raw: &str| {
            parse_webhook_url(raw)
                .map(|_| ())
                .map_err(|problem| ChannelError::field(field, format!("{field}: {problem}")))
        };
        let present = |field: &'static str, value: &str| {
            if value.trim().is_empty() || value.chars().any(char::is_control) {
                Err(ChannelError::field(
                    field,
                    format!("{field} must be given, on one line"),
                ))
            } else {
                Ok(())
            }
        };
        match self {
            Self::Slack { url: u } | Self::Teams { url: u } | Self::Discord { url: u } => url("url", u),
            Self::Webhook { url: u, secret } => {
                url("url", u)?;
                secret.as_deref().map_or(Ok(()), |s| present("secret", s))
            }
            Self::Telegram {
                token,
                chat_id,
                api_url,
            } => {
                present("token", token)?;
                // A bot token is `<bot id>:<secret>`; anything else would change the request's path.
                if !token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b':' || b == b'_' || b == b'-')
                {
                    return Err(ChannelError::field(
                        "token",
                        "token: a Telegram bot token looks like 123456:ABC-DEF (from @BotFather)",
                    ));
                }
                present("chat_id", chat_id)?;
                api_url.as_deref().map_or(Ok(()), |u| url("api_url", u))
            }
            Self::Pagerduty { routing_key, api_url } => {
                present("routing_key", routing_key)?;
                api_url.as_deref().map_or(Ok(()), |u| url("api_url", u))
            }
            Self::Email { to, from } => {
                if to.is_empty() || to.len() > RECIPIENTS_MAX {
                    return Err(ChannelError::field(
                        "to",
                        format!("to: give 1 to {RECIPIENTS_MAX} recipient addresses"),
                    ));
                }
                for address in to.iter().chain(std::iter::once(from)) {
                    if !looks_like_address(address) {
                        let field = if address == from { "from" } else { "to" };
                        return Err(ChannelError::field(
                            field,
                            format!("{field}: {address:?} is not an email address"),
                        ));
                    }
                }
                Ok(())
            }
            Self::Ntfy { url: u, token } => {
                let parsed = parse_webhook_url(u).map_err(|p| ChannelError::field("url", format!("url: {p}")))?;
                if parsed.path().trim_matches('/').is_empty() || parsed.path().trim_matches('/').contains('/') {
                    return Err(ChannelError::field(
                        "url",
                        "url: give the topic's URL, e.g. https://ntfy.sh/my-cron-alerts",
                    ));
                }
                token.as_deref().map_or(Ok(()), |t| present("token", t))
            }
        }
    }

    /// The configuration as pages and the API show it: every secret replaced by [`MASK`], URLs
    /// down to their scheme and host (their path holds the token).
    pub fn masked(&self) -> Self {
        let url = |u: &str| mask_url(u);
        let secret = |s: &Option<String>| s.as_ref().map(|_| MASK.to_owned());
        match self {
            Self::Slack { url: u } => Self::Slack { url: url(u) },
            Self::Webhook { url: u, secret: s } => Self::Webhook {
                url: url(u),
                secret: secret(s),
            },
            Self::Teams { url: u } => Self::Teams { url: url(u) },
            Self::Discord { url: u } => Self::Discord { url: url(u) },
            Self::Telegram { chat_id, api_url, .. } => Self::Telegram {
                token: MASK.into(),
                chat_id: chat_id.clone(),
                api_url: api_url.clone(),
            },
            Self::Pagerduty { api_url, .. } => Self::Pagerduty {
                routing_key: MASK.into(),
                api_url: api_url.clone(),
            },
            Self::Email { .. } => self.clone(),
            // The topic name is the ntfy secret when no token protects it.
            Self::Ntfy { url: u, token } => Self::Ntfy {
                url: url(u),
                token: secret(token),
            },
        }
    }

    /// For an edit that leaves a secret as shown (masked or empty): the stored secret stays.
    pub fn keep_secrets_from(self, old: &Self) -> Self {
        let keep = |new: String, old: &str| if is_unchanged(&new) { old.to_owned() } else { new };
        let keep_opt = |new: Option<String>, old: &Option<String>| match new {
            Some(n) if is_unchanged(&n) => old.clone(),
            other => other,
        };
        match (self, old) {
            (Self::Slack { url }, Self::Slack { url: o }) => Self::Slack { url: keep(url, o) },
            (Self::Teams { url }, Self::Teams { url: o }) => Self::Teams { url: keep(url, o) },
            (Self::Discord { url }, Self::Discord { url: o }) => Self::Discord { url: keep(url, o) },
            (Self::Webhook { url, secret }, Self::Webhook { url: o, secret: os }) => Self::Webhook {
                url: keep(url, o),
                secret: keep_opt(secret, os),
            },
            (
                Self::Telegram {
                    token,
                    chat_id,
                    api_url,
                },
                Self::Telegram { token: o, .. },
            ) => Self::Telegram {
                token: keep(token, o),
                chat_id,
                api_url,
            },
            (Self::Pagerduty { routing_key, api_url }, Self::Pagerduty { routing_key: o, .. }) => Self::Pagerduty {
                routing_key: keep(routing_key, o),
                api_url,
            },
            (Self::Ntfy { url, token }, Self::Ntfy { url: o, token: ot }) => Self::Ntfy {
                url: keep(url, o),
                token: keep_opt(token, ot),
            },
            (new, _) => new,
        }
    }
}

/// What an answer showed: the mask (a masked URL ends with it). Empty is not "unchanged": it is
/// refused like any missing setting, so a form cannot clear a secret by accident.
fn is_unchanged(value: &str) -> bool {
    value.ends_with(MASK)
}

/// `https://hooks.slack.com/…`: enough to recognise the provider, nothing of the token.
pub fn mask_url(raw: &str) -> String {
    match reqwest::Url::parse(raw) {
        Ok(url) => format!(
            "{}://{}{}/{MASK}",
            url.scheme(),
            url.host_str().unwrap_or_default(),
            url.port().map(|p| format!(":{p}")).unwrap_or_default()
        ),
        Err(_) => MASK.to_owned(),
    }
}

/// `local@domain.tld`, without spaces, angle brackets or line breaks (which would add recipients or headers).
fn looks_like_address(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    address.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !address
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'))
        && !domain.contains('@')
}

/// A named, checked channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub name: ChannelName,
    pub config: ChannelConfig,
}

impl Channel {
    pub fn parse(name: &str, config: ChannelConfig) -> Result<Self, ChannelError> {
        let name = ChannelName::parse(name)?;
        if name.is_default() {
            return Err(ChannelError::field(
                "name",
                "\"default\" is the Slack webhook of SLACK_WEBHOOK_URL; choose another name",
            ));
        }
        config.check()?;
        Ok(Self { name, config })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Channel, String> {
        let config: ChannelConfig = serde_json::from_str(json).map_err(|e| e.to_string())?;
        Channel::parse("ops", config).map_err(|e| e.to_string())
    }

    #[test]
    fn accepted_and_rejected_configurations() {
        let accepted = [
            r#"{"kind":"slack","url":"https://hooks.slack.com/services/T/B/X"}"#,
            r#"{"kind":"webhook","url":"https://example.com/hook","secret":"s3cret"}"#,
            r#"{"kind":"webhook","url":"http://127.0.0.1:9/hook"}"#,
            r#"{"kind":"teams","url":"https://prod-1.westeurope.logic.azure.com/workflows/x"}"#,
            r#"{"kind":"discord","url":"https://discord.com/api/webhooks/1/abc"}"#,
            r#"{"kind":"telegram","token":"123456:ABC-DEF_x","chat_id":"-100123"}"#,
            r#"{"kind":"pagerduty","routing_key":"R0UT1NGKEY"}"#,
            r#"{"kind":"email","to":["ops@example.com"],"from":"heartbeat@example.com"}"#,
            r#"{"kind":"ntfy","url":"https://ntfy.sh/my-cron-alerts","token":"tk_x"}"#,
        ];
        for json in accepted {
            assert!(parse(json).is_ok(), "{json}: {:?}", parse(json));
        }
        let rejected = [
            (r#"{"kind":"slack","url":"http://hooks.slack.com/x"}"#, "https"),
            (r#"{"kind":"slack","url":"ftp://x/y"}"#, "https"),
            (r#"{"kind":"sms","url":"https://x"}"#, "unknown variant"),
            (r#"{"kind":"slack"}"#, "missing field"),
            (r#"{"kind":"telegram","token":"12/../x","chat_id":"1"}"#, "bot token"),
            (r#"{"kind":"telegram","token":"1:a","chat_id":""}"#, "chat_id"),
            (r#"{"kind":"pagerduty","routing_key":" "}"#, "routing_key"),
            (r#"{"kind":"email","to":[],"from":"a@b.c"}"#, "recipient"),
            (
                r#"{"kind":"email","to":["x@y.z\r\nBcc: all@evil.com"],"from":"a@b.c"}"#,
                "not an email",
            ),
            (r#"{"kind":"email","to":["x@y.z"],"from":"nobody"}"#, "from"),
            (r#"{"kind":"ntfy","url":"https://ntfy.sh/"}"#, "topic"),
            (r#"{"kind":"slack","url":"https://x/y","extra":1}"#, "unknown field"),
        ];
        for (json, want) in rejected {
            let err = parse(json).unwrap_err();
            assert!(err.contains(want), "{json}: {err}");
        }
    }

    #[test]
    fn names_are_checked_and_default_is_reserved() {
        assert!(ChannelName::parse("ops-team_2").is_ok());
        for bad in ["", "Ops", "a b", "a/b", &"x".repeat(65)] {
            assert!(ChannelName::parse(bad).is_err(), "{bad:?}");
        }
        let config = ChannelConfig::Slack {
            url: "https://hooks.slack.com/x".into(),
        };
        assert!(
            Channel::parse("default", config)
                .unwrap_err()
                .to_string()
                .contains("SLACK_WEBHOOK_URL")
        );
    }

    #[test]
    fn secrets_are_masked_and_kept_on_edit() {
        let stored = ChannelConfig::Webhook {
            url: "https://example.com:8443/hook/T0K3N".into(),
            secret: Some("s3cret".into()),
        };
        let shown = stored.masked();
        let text = serde_json::to_string(&shown).unwrap();
        assert!(!text.contains("T0K3N") && !text.contains("s3cret"), "{text}");
        assert!(text.contains("https://example.com:8443/"), "{text}");
        // Sent back as shown: nothing changes.
        assert_eq!(shown.clone().keep_secrets_from(&stored), stored);
        let telegram = ChannelConfig::Telegram {
            token: "1:secret".into(),
            chat_id: "42".into(),
            api_url: None,
        };
        assert!(!serde_json::to_string(&telegram.masked()).unwrap().contains("secret"));
        let edited = ChannelConfig::Telegram {
            token: MASK.into(),
            chat_id: "43".into(),
            api_url: None,
        };
        assert_eq!(
            edited.keep_secrets_from(&telegram),
            ChannelConfig::Telegram {
                token: "1:secret".into(),
                chat_id: "43".into(),
                api_url: None
            }
        );
    }
}
