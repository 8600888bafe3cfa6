//! Where messages go: the `Notifier` the monitor is given, its errors, and the fallback that only logs.

use async_trait::async_trait;

use super::message::SlackMessage;

/// Delivers a message; `Ok` means Slack accepted it (2xx), so the pulses it names may be marked notified.
#[async_trait]
pub trait Notifier: Send + Sync {
    async fn send(&self, message: &SlackMessage) -> Result<(), NotifyError>;
}

/// Why a message was not delivered. None of these carries the webhook URL, which is a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    /// Slack (or whatever answered) replied with a non-2xx status; `body` is its first 200 characters.
    #[error("Slack rejected the message: HTTP {status}: {body}")]
    Rejected { status: u16, body: String },
    /// No complete answer within the configured timeout.
    #[error("Slack did not answer in time")]
    Timeout,
    /// The request could not be sent or its answer could not be read (DNS, connection, TLS, reset).
    #[error("Slack could not be reached: {0}")]
    Unreachable(String),
}

/// Used when no webhook is configured: says what would have been sent, and succeeds.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogNotifier;

#[async_trait]
impl Notifier for LogNotifier {
    async fn send(&self, message: &SlackMessage) -> Result<(), NotifyError> {
        tracing::info!("would send to Slack: {}", redact_secrets(&message.text));
        Ok(())
    }
}

/// The message's links carry the dashboard secret, which must never reach a log: `secret=…` loses its
/// value (up to the next `&`, `|`, `>` or white space).
pub fn redact_secrets(text: &str) -> String {
    const KEY: &str = "secret=";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(KEY) {
        out.push_str(&rest[..at + KEY.len()]);
        out.push('…');
        rest = &rest[at + KEY.len()..];
        let end = rest
            .find(|c: char| matches!(c, '&' | '|' | '>') || c.is_whitespace())
            .unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_from_logged_text() {
        let text = "• a — b (<https://x/heartbeat/edit?secret=s3%20cret&id=ab|edit>)\n<https://x/heartbeat/dashboard?secret=s3cret|Open>";
        let logged = redact_secrets(text);
        assert!(!logged.contains("s3"), "{logged}");
        assert_eq!(
            logged,
            "• a — b (<https://x/heartbeat/edit?secret=…&id=ab|edit>)\n<https://x/heartbeat/dashboard?secret=…|Open>"
        );
        assert_eq!(redact_secrets("no links"), "no links");
        assert_eq!(redact_secrets("secret="), "secret=…");
    }

    #[tokio::test]
    async fn log_notifier_accepts_everything() {
        let message = SlackMessage { text: "hello".into() };
        assert_eq!(LogNotifier.send(&message).await, Ok(()));
        let notifier: &dyn Notifier = &LogNotifier;
        assert_eq!(notifier.send(&message).await, Ok(()));
    }

    #[test]
    fn errors_say_what_happened() {
        let rejected = NotifyError::Rejected {
            status: 404,
            body: "no_service".into(),
        };
        assert_eq!(rejected.to_string(), "Slack rejected the message: HTTP 404: no_service");
        assert_eq!(NotifyError::Timeout.to_string(), "Slack did not answer in time");
    }
}
