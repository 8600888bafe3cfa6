//! The real notifier: POSTs a message to a Slack incoming webhook. The webhook URL is a credential,
//! so it is kept out of logs, errors and `Debug`; only its host is ever shown.

use std::fmt;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use reqwest::{Client, Url, redirect};

use super::message::SlackMessage;
use super::notifier::{Notifier, NotifyError};

/// How much of a rejection's body is kept.
const BODY_CHARS: usize = 200;

/// Why a webhook notifier cannot be built from the configuration. Never contains the URL itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookConfigError {
    #[error("SLACK_WEBHOOK_URL is not usable: {0}")]
    InvalidUrl(String),
    #[error("the Slack request timeout must be greater than zero")]
    ZeroTimeout,
    #[error("the HTTP client for Slack could not be built: {0}")]
    Client(String),
}

/// Sends messages to one incoming webhook with one HTTP client, built once (at cold start).
pub struct WebhookNotifier {
    client: Client,
    url: Url,
    host: String,
}

impl WebhookNotifier {
    /// `url` must pass [`parse_url`]; `timeout` bounds each request as a whole, connection to last byte.
    pub fn new(url: String, timeout: Duration) -> Result<Self, WebhookConfigError> {
        let url = parse_url(&url).map_err(WebhookConfigError::InvalidUrl)?;
        let host = url.host_str().unwrap_or_default().to_owned();
        if timeout.is_zero() {
            return Err(WebhookConfigError::ZeroTimeout);
        }
        let client = Client::builder()
            .timeout(timeout)
            // Slack does not redirect; following one would hand the message to another address.
            .redirect(redirect::Policy::none())
            // A Lambda is frozen between runs, so a pooled connection is likely dead by the next one.
            .pool_max_idle_per_host(0)
            .user_agent(concat!("heartbeat/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| WebhookConfigError::Client(describe(&err.without_url())))?;
        Ok(Self { client, url, host })
    }

    /// The webhook's host, the only part of its URL that may be shown.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Keeps the URL (or its path, which holds the token) out of an error text, whatever produced it.
    fn redact(&self, text: String) -> String {
        let mut text = text.replace(self.url.as_str(), "[webhook URL]");
        let path = self.url.path();
        if path.len() > 1 {
            text = text.replace(path, "[webhook path]");
        }
        text
    }

    async fn post(&self, message: &SlackMessage) -> Result<(), NotifyError> {
        let response = self
            .client
            .post(self.url.clone())
            .json(message)
            .send()
            .await
            .map_err(|err| {
                if err.is_timeout() {
                    NotifyError::Timeout
                } else {
                    NotifyError::Unreachable(self.redact(describe(&err.without_url())))
                }
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = self.redact(body_start(response).await);
        Err(NotifyError::Rejected {
            status: status.as_u16(),
            body,
        })
    }
}

#[async_trait]
impl Notifier for WebhookNotifier {
    async fn send(&self, message: &SlackMessage) -> Result<(), NotifyError> {
        let started = Instant::now();
        let result = self.post(message).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match &result {
            Ok(()) => tracing::info!(host = %self.host, elapsed_ms, "Slack accepted the message"),
            Err(err) => {
                tracing::warn!(host = %self.host, elapsed_ms, error = %err, "Slack message not delivered")
            }
        }
        result
    }
}

impl fmt::Debug for WebhookNotifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookNotifier")
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

/// The one check of a webhook URL, made by the configuration at start and by the notifier: `https`
/// with a host (plain `http` only to a loopback address, for local runs and tests). The problem it
/// returns never contains the URL, which is a credential.
pub fn parse_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw.trim()).map_err(|err| format!("it is not a URL ({err})"))?;
    let host = url
        .host_str()
        .filter(|host| !host.is_empty())
        .ok_or_else(|| "it has no host".to_owned())?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(host) => Ok(url),
        "http" => Err(format!(
            "it must use https (plain http is only accepted for a loopback address, not {host})"
        )),
        other => Err(format!("it must use https, not {other}")),
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The first characters of a rejection's body, read no further than needed (it may be large or slow).
async fn body_start(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < BODY_CHARS * 4 {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    String::from_utf8_lossy(&bytes).chars().take(BODY_CHARS).collect()
}

/// An error and its causes on one line ("error sending request: client error (Connect): …").
fn describe(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Behaviour, Recorder, Reply};

    const SECRET_PATH: &str = "/services/T0000/B0000/XXXXsecretXXXX";

    fn message() -> SlackMessage {
        SlackMessage {
            text: ":rotating_light: 1 pulse exceeded its threshold\n• a / b / c / d".into(),
        }
    }

    async fn send_with_deadline(notifier: &WebhookNotifier) -> Result<(), NotifyError> {
        tokio::time::timeout(Duration::from_secs(5), notifier.send(&message()))
            .await
            .expect("send returned within its own timeout")
    }

    #[tokio::test]
    async fn accepted_message_is_posted_as_json_to_the_webhook_path() {
        let slack = Recorder::start(Behaviour::Respond(200)).await;
        let notifier = WebhookNotifier::new(slack.url_for(SECRET_PATH), Duration::from_secs(2)).unwrap();

        assert_eq!(send_with_deadline(&notifier).await, Ok(()));

        let requests = slack.requests();
        assert_eq!(requests.len(), 1, "{requests:#?}");
        let request = &requests[0];
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, SECRET_PATH);
        assert_eq!(request.header("content-type"), Some("application/json"));
        assert_eq!(request.json, Some(serde_json::json!({ "text": message().text })));
    }

    #[tokio::test]
    async fn any_2xx_is_accepted() {
        let slack = Recorder::start(Behaviour::Sequence(vec![Reply::text(204, "")])).await;
        let notifier = WebhookNotifier::new(slack.url_for("/hook"), Duration::from_secs(2)).unwrap();
        assert_eq!(send_with_deadline(&notifier).await, Ok(()));
    }

    #[tokio::test]
    async fn server_error_is_rejected_with_status_and_the_start_of_the_body() {
        let body = format!("internal_error {}", "x".repeat(500));
        let slack = Recorder::start(Behaviour::Sequence(vec![Reply::text(500, body.clone())])).await;
        let notifier = WebhookNotifier::new(slack.url_for(SECRET_PATH), Duration::from_secs(2)).unwrap();

        match send_with_deadline(&notifier).await {
            Err(NotifyError::Rejected { status, body: kept }) => {
                assert_eq!(status, 500);
                assert_eq!(kept, body.chars().take(200).collect::<String>());
            }
            other => panic!("expected Rejected, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn slack_refusal_is_rejected_with_its_reason() {
        let slack = Recorder::start(Behaviour::Sequence(vec![Reply::text(403, "invalid_token")])).await;
        let notifier = WebhookNotifier::new(slack.url_for("/hook"), Duration::from_secs(2)).unwrap();
        assert_eq!(
            send_with_deadline(&notifier).await,
            Err(NotifyError::Rejected {
                status: 403,
                body: "invalid_token".into()
            })
        );
    }

    #[tokio::test]
    async fn redirects_are_not_followed() {
        let slack = Recorder::start(Behaviour::Sequence(vec![Reply::redirect(
            302,
            "http://127.0.0.1:9/elsewhere",
        )]))
        .await;
        let notifier = WebhookNotifier::new(slack.url_for("/hook"), Duration::from_secs(2)).unwrap();
        match send_with_deadline(&notifier).await {
            Err(NotifyError::Rejected { status: 302, .. }) => {}
            other => panic!("expected Rejected 302, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn server_that_never_answers_times_out() {
        let slack = Recorder::start(Behaviour::Hang).await;
        let notifier = WebhookNotifier::new(slack.url_for("/hook"), Duration::from_millis(300)).unwrap();

        let started = Instant::now();
        assert_eq!(send_with_deadline(&notifier).await, Err(NotifyError::Timeout));
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_millis(250), "{elapsed:?}");
        assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
    }

    #[tokio::test]
    async fn closed_port_is_unreachable_and_the_error_hides_the_url() {
        let port = {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            listener.local_addr().unwrap().port()
        };
        let notifier =
            WebhookNotifier::new(format!("http://127.0.0.1:{port}{SECRET_PATH}"), Duration::from_secs(2)).unwrap();

        match send_with_deadline(&notifier).await {
            Err(err @ NotifyError::Unreachable(_)) => {
                let text = err.to_string();
                assert!(!text.contains("secret"), "{text}");
                assert!(!text.contains("services"), "{text}");
            }
            other => panic!("expected Unreachable, got {other:?}"),
        }
    }

    #[test]
    fn debug_shows_only_the_host() {
        let notifier =
            WebhookNotifier::new(format!("https://hooks.slack.com{SECRET_PATH}"), Duration::from_secs(3)).unwrap();
        assert_eq!(notifier.host(), "hooks.slack.com");
        let debug = format!("{notifier:?}");
        assert!(debug.contains("hooks.slack.com"), "{debug}");
        assert!(!debug.contains("secret"), "{debug}");
    }

    #[test]
    fn configuration_table() {
        let ok = [
            "https://hooks.slack.com/services/T/B/X",
            " https://hooks.slack.com/services/T/B/X\n",
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://[::1]:9000/hook",
        ];
        for url in ok {
            assert!(
                WebhookNotifier::new(url.into(), Duration::from_secs(3)).is_ok(),
                "{url}"
            );
        }
        let rejected = [
            "",
            "hooks.slack.com/services/T/B/X",
            "http://hooks.slack.com/services/T/B/X",
            "ftp://hooks.slack.com/services/T/B/X",
            "file:///etc/passwd",
            "mailto:ops@example.com",
        ];
        for url in rejected {
            match WebhookNotifier::new(url.into(), Duration::from_secs(3)) {
                Err(WebhookConfigError::InvalidUrl(reason)) => {
                    assert!(!reason.contains("/services/"), "{reason}");
                }
                other => panic!("{url}: expected InvalidUrl, got {other:?}"),
            }
        }
        assert_eq!(
            WebhookNotifier::new("https://hooks.slack.com/x".into(), Duration::ZERO).unwrap_err(),
            WebhookConfigError::ZeroTimeout
        );
    }
}
