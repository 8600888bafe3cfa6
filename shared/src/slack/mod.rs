//! Telling Slack about stale pulses: the messages the monitor sends (alert, reminder, recovery) and the
//! notifiers that deliver them (an incoming webhook, or the log when no webhook is configured).

mod escape;
mod message;
mod notifier;
mod webhook;

pub use escape::escape;
pub use message::{MAX_LINES, PulseLine, SlackMessage, alert_message, recovery_message, reminder_message};
pub use notifier::{LogNotifier, Notifier, NotifyError};
pub use webhook::{WebhookConfigError, WebhookNotifier, parse_url as parse_webhook_url};
