//! Sending one request with a timeout per attempt and a bounded number of retries, so that the service
//! being slow or away delays a job by a known, small amount and never changes its outcome.

use crate::target::Request;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use std::error::Error as _;
use std::time::Duration;

/// The waits between attempts: 1 s, 2 s, then 4 s for every further retry.
const BACKOFF_START: Duration = Duration::from_secs(1);
const BACKOFF_CAP: Duration = Duration::from_secs(4);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Undelivered {
    /// The service answered and said no: sending it again would not help.
    #[error("the service refused it with {status}: {body}")]
    Refused { status: u16, body: String },
    #[error("the service could not be reached in {attempts} attempt(s): {last}")]
    Unreachable { attempts: u32, last: String },
}

/// What the service answered, and whether it took the report only without its log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub answer: String,
    pub without_log: bool,
}

pub struct Delivery {
    http: reqwest::Client,
    attempts: u32,
}

impl Delivery {
    /// `timeout` bounds each attempt (connecting included); `retries` attempts follow a failed one.
    pub fn new(timeout: Duration, retries: u32) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("heartbeat-client/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            attempts: retries.saturating_add(1),
        })
    }

    /// The longest `send` can take: every attempt timing out, plus the waits between them.
    pub fn worst_case(&self, timeout: Duration) -> Duration {
        let waits: Duration = (1..self.attempts).map(backoff).sum();
        timeout * self.attempts + waits
    }

    /// Sends `request` until the service answers 2xx, refuses it (4xx), or the attempts run out.
    /// A service that refuses the log's `text/plain` body (a deployment older than logs) gets the
    /// report once more without it: a success must still count as one.
    pub async fn send(&self, request: &Request) -> Result<Sent, Undelivered> {
        match self.send_as_is(request).await {
            Err(Undelivered::Refused { status: 415, .. }) if request.body.is_some() => {
                let bare = Request {
                    body: None,
                    ..request.clone()
                };
                self.send_as_is(&bare).await.map(|answer| Sent {
                    answer,
                    without_log: true,
                })
            }
            sent => sent.map(|answer| Sent {
                answer,
                without_log: false,
            }),
        }
    }

    async fn send_as_is(&self, request: &Request) -> Result<String, Undelivered> {
        let mut last = String::new();
        for attempt in 1..=self.attempts {
            if attempt > 1 {
                tokio::time::sleep(backoff(attempt - 1)).await;
            }
            match self.attempt(request).await {
                Ok(answer) => return Ok(answer),
                Err(Failure::Final(undelivered)) => return Err(undelivered),
                Err(Failure::Retry(reason)) => last = reason,
            }
        }
        Err(Undelivered::Unreachable {
            attempts: self.attempts,
            last,
        })
    }

    async fn attempt(&self, request: &Request) -> Result<String, Failure> {
        let mut builder = self.http.post(request.url.clone());
        if let Some(key) = &request.key {
            // A header rather than `key=` keeps the key out of access logs.
            builder = builder.header(AUTHORIZATION, format!("Bearer {key}"));
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, "text/plain; charset=utf-8")
                .body(body.clone());
        }
        let response = builder.send().await.map_err(|e| Failure::Retry(describe(e)))?;
        let status = response.status();
        let body = response.text().await.map_err(|e| Failure::Retry(describe(e)))?;
        let body = crate::tail::first_bytes(body.trim(), 300).to_owned();
        if status.is_success() {
            Ok(body)
        } else if retryable(status) {
            Err(Failure::Retry(format!("the service answered {status}: {body}")))
        } else {
            Err(Failure::Final(Undelivered::Refused {
                status: status.as_u16(),
                body,
            }))
        }
    }
}

enum Failure {
    Retry(String),
    Final(Undelivered),
}

/// The wait before retry `n` (1-based).
fn backoff(n: u32) -> Duration {
    BACKOFF_START
        .saturating_mul(2u32.saturating_pow(n.saturating_sub(1)))
        .min(BACKOFF_CAP)
}

/// Answers that may be different a moment later: the service overloaded, restarting or throttled.
fn retryable(status: StatusCode) -> bool {
    status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT || status == StatusCode::TOO_MANY_REQUESTS
}

/// reqwest's message with its causes ("… : connection refused"): the top line alone rarely says why.
fn describe(error: reqwest::Error) -> String {
    // The URL is in the warning's context already; its query would only repeat the pulse's names.
    let error = error.without_url();
    let mut text = if error.is_timeout() {
        "no answer within the timeout".to_owned()
    } else {
        error.to_string()
    };
    let mut source = error.source();
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

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let waits: Vec<u64> = (1..=5).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 4, 4]);
    }

    #[test]
    fn worst_case_is_every_attempt_timing_out_plus_the_waits() {
        let timeout = Duration::from_secs(10);
        let delivery = Delivery::new(timeout, 2).unwrap();
        assert_eq!(delivery.worst_case(timeout), Duration::from_secs(30 + 1 + 2));
        let once = Delivery::new(timeout, 0).unwrap();
        assert_eq!(once.worst_case(timeout), timeout);
    }

    #[test]
    fn only_answers_that_may_change_are_retried() {
        for (status, retry) in [
            (500, true),
            (502, true),
            (503, true),
            (408, true),
            (429, true),
            (400, false),
            (401, false),
            (404, false),
            (415, false),
        ] {
            assert_eq!(retryable(StatusCode::from_u16(status).unwrap()), retry, "{status}");
        }
    }
}
