//! Sending a rendered digest to its provider and classifying the answer: delivered; worth retrying
//! at a later run (timeout, refused, 5xx, 408, 429, SES throttling); or a bad configuration (any
//! other 4xx, SES rejecting the sender), which retrying would not fix. Secrets never reach an
//! outcome's text: URLs are reduced to their host.

use super::channel::{Channel, mask_url};
use super::digest::Digest;
use super::render::{EmailMessage, HttpCall, Outbound, render};
use async_trait::async_trait;
use reqwest::{Client, redirect};
use std::time::Duration;

/// How much of a rejection's body is kept for the channels page and the run summary.
const BODY_CHARS: usize = 200;
/// Redirects followed, and only within the same host: a provider moving a path is fine, handing the
/// message (and its token) to another host is not.
const REDIRECTS_MAX: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Try again at a later run.
    Retry(String),
    /// The provider refused the configuration; shown on the channels page, not retried.
    Misconfigured(String),
}

impl Outcome {
    pub fn delivered(&self) -> bool {
        *self == Outcome::Delivered
    }
}

#[async_trait]
pub trait ChannelTransport: Send + Sync {
    async fn deliver(&self, channel: &Channel, digest: &Digest) -> Outcome;
}

/// The real transport: one HTTP client (built once, at cold start) and the SES client if email
/// channels can be used.
pub struct Transports {
    http: Client,
    ses: Option<aws_sdk_sesv2::Client>,
    /// One channel's whole delivery (PagerDuty's several events, SES's retries) stops after this.
    deadline: Duration,
}

impl Transports {
    /// `timeout` bounds each request, connection to last byte; keep it well under the monitor's.
    pub fn new(timeout: Duration, ses: Option<aws_sdk_sesv2::Client>) -> Result<Self, String> {
        let http = Client::builder()
            .timeout(timeout)
            .redirect(redirect::Policy::custom(|attempt| {
                let same_host = attempt
                    .previous()
                    .first()
                    .is_some_and(|first| first.host_str() == attempt.url().host_str());
                if same_host && attempt.previous().len() <= REDIRECTS_MAX {
                    attempt.follow()
                } else {
                    attempt.stop()
                }
            }))
            .pool_max_idle_per_host(0)
            .user_agent(concat!("heartbeat/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| format!("the HTTP client for channels could not be built: {err}"))?;
        Ok(Self {
            http,
            ses,
            deadline: timeout * 2,
        })
    }

    async fn post(&self, call: &HttpCall) -> Outcome {
        let host = mask_url(call.url.as_str());
        let mut request = self
            .http
            .post(call.url.clone())
            .header("content-type", "application/json")
            .body(call.body.clone());
        for (name, value) in &call.headers {
            request = request.header(name, value);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) if err.is_timeout() => return Outcome::Retry(format!("{host} did not answer in time")),
            Err(err) => {
                return Outcome::Retry(format!("{host} could not be reached: {}", describe(&err.without_url())));
            }
        };
        let status = response.status();
        if status.is_success() {
            return Outcome::Delivered;
        }
        let body = body_start(response).await;
        let text = format!("{host} answered HTTP {}: {body}", status.as_u16());
        // 3xx here is a redirect to another host, which a configuration change must fix.
        if status.is_server_error() || matches!(status.as_u16(), 408 | 425 | 429) {
            Outcome::Retry(text)
        } else {
            Outcome::Misconfigured(text)
        }
    }

    async fn email(&self, message: &EmailMessage) -> Outcome {
        let Some(ses) = &self.ses else {
            return Outcome::Misconfigured("email channels need SES: set SES_IDENTITY in the deployment".into());
        };
        use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
        let content = |text: &str| Content::builder().data(text).charset("UTF-8").build();
        let (Ok(subject), Ok(text), Ok(html)) = (
            content(&message.subject),
            content(&message.text),
            content(&message.html),
        ) else {
            return Outcome::Misconfigured("the email could not be built".into());
        };
        let result = ses
            .send_email()
            .from_email_address(&message.from)
            .destination(
                Destination::builder()
                    .set_to_addresses(Some(message.to.clone()))
                    .build(),
            )
            .content(
                EmailContent::builder()
                    .simple(
                        Message::builder()
                            .subject(subject)
                            .body(Body::builder().text(text).html(html).build())
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await;
        match result {
            Ok(_) => Outcome::Delivered,
            Err(err) => {
                use aws_sdk_sesv2::error::ProvideErrorMetadata;
                let code = err.code().unwrap_or("").to_owned();
                let text = format!(
                    "SES did not send the email: {}",
                    err.message().map(str::to_owned).unwrap_or_else(|| describe(&err))
                );
                // Throttling, quotas and transport trouble pass; a refused sender or address does not.
                if matches!(
                    code.as_str(),
                    "MessageRejected"
                        | "MailFromDomainNotVerifiedException"
                        | "NotFoundException"
                        | "BadRequestException"
                        | "AccountSuspendedException"
                        | "SendingPausedException"
                        | "AccessDeniedException"
                ) {
                    Outcome::Misconfigured(text)
                } else {
                    Outcome::Retry(text)
                }
            }
        }
    }
}

#[async_trait]
impl ChannelTransport for Transports {
    async fn deliver(&self, channel: &Channel, digest: &Digest) -> Outcome {
        let outbound = match render(&channel.config, digest) {
            Ok(outbound) => outbound,
            Err(problem) => return Outcome::Misconfigured(problem),
        };
        let send = async {
            match outbound {
                Outbound::Email(message) => self.email(&message).await,
                Outbound::Http(calls) => {
                    // A few at once (PagerDuty: one event per pulse); the first failure decides, and
                    // the whole digest is retried (PagerDuty folds repeats by dedup_key).
                    use futures_util::StreamExt;
                    type Post<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Outcome> + Send + 'a>>;
                    let posts: Vec<Post<'_>> = calls
                        .iter()
                        .map(|call| -> Post<'_> { Box::pin(self.post(call)) })
                        .collect();
                    let mut outcomes = futures_util::stream::iter(posts).buffered(4);
                    let mut outcome = Outcome::Delivered;
                    while let Some(next) = outcomes.next().await {
                        if !next.delivered() {
                            outcome = next;
                            break;
                        }
                    }
                    outcome
                }
            }
        };
        let outcome = tokio::time::timeout(self.deadline, send).await.unwrap_or_else(|_| {
            Outcome::Retry(format!("the {} channel did not finish in time", channel.config.kind()))
        });
        match &outcome {
            Outcome::Delivered => {
                tracing::info!(channel = %channel.name, kind = channel.config.kind(), "channel accepted the message")
            }
            Outcome::Retry(why) => {
                tracing::warn!(channel = %channel.name, kind = channel.config.kind(), why, "channel failed; a later run retries")
            }
            Outcome::Misconfigured(why) => {
                tracing::error!(channel = %channel.name, kind = channel.config.kind(), why, "channel refused its configuration")
            }
        }
        outcome
    }
}

fn describe(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The first characters of an answer's body, read no further than needed.
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
