//! A lean DynamoDB client for the requests on a pulse's path (UpdateItem, PutItem): one signed HTTP
//! POST of DynamoDB's JSON over a pooled keep-alive connection. The SDK spends most of a pulse's CPU
//! in its per-request orchestration (interceptors, type-erased configuration, endpoint and identity
//! resolution: docs/PERFORMANCE.md), about ten times what the request itself needs. Everything else
//! (Scan, Query, BatchGetItem, table setup) stays on the SDK.
//!
//! It keeps the SDK's behaviour where it matters: the same attempts (`MAX_ATTEMPTS`), the same
//! timeouts (connect, per attempt, per call), jittered exponential backoff on throttling, the
//! service's 5xx and the network, and SigV4 signing by the SDK's own signer (`aws-sigv4`). Not kept:
//! the standard mode's client-wide retry quota, which only matters when a whole fleet retries at
//! once; a pulse makes at most three attempts within eight seconds either way.

mod credentials;
mod error;
pub mod json;

pub use credentials::Source;
pub use error::{WireError, is_transient_code};

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use bytes::Bytes;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};
use tokio::time::Instant;

/// How long and how often: the values the SDK clients are given too (`store/client.rs`).
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub attempts: u32,
    pub connect_timeout: Duration,
    pub attempt_timeout: Duration,
    pub call_timeout: Duration,
    /// The first backoff's ceiling; each retry doubles it (the SDK's standard mode: 1 s).
    pub initial_backoff: Duration,
}

#[derive(Clone)]
pub struct Wire {
    /// A client that could not be built (a bad endpoint URL) says why on every call instead of
    /// failing the function's start: the pulse then answers 503 and the log names the setting.
    inner: Arc<Result<Inner, String>>,
}

struct Inner {
    /// Built on the first call: building it reads the system's root certificates for TLS, which a
    /// function that never writes (the dashboard, the badges) should not pay for at every cold start.
    http: OnceLock<Result<reqwest::Client, String>>,
    url: reqwest::Url,
    region: String,
    credentials: Source,
    policy: Policy,
}

const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

/// The operations the wire client sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    UpdateItem,
    PutItem,
}

impl Op {
    fn target(self) -> &'static str {
        match self {
            Self::UpdateItem => "DynamoDB_20120810.UpdateItem",
            Self::PutItem => "DynamoDB_20120810.PutItem",
        }
    }
}

impl Wire {
    /// A client of the DynamoDB at `endpoint` (`https://dynamodb.<region>.amazonaws.com` on AWS).
    pub fn new(endpoint: &str, region: String, credentials: Source, policy: Policy) -> Self {
        Self {
            inner: Arc::new(Inner::new(endpoint, region, credentials, policy)),
        }
    }

    /// Sends `body` to `op` and returns the answer's body, retrying what is worth retrying within
    /// the call's time.
    pub async fn call(&self, op: Op, body: Vec<u8>) -> Result<Bytes, WireError> {
        let inner = self.inner.as_ref().as_ref().map_err(|e| WireError::Local(e.clone()))?;
        let policy = inner.policy;
        let body = Bytes::from(body);
        // One timer per attempt, ending at its own limit or the call's, whichever comes first: each
        // new timer makes the runtime wake its I/O driver, so two nested ones would cost twice.
        let deadline = Instant::now() + policy.call_timeout;
        let mut attempt = 1;
        loop {
            let until = deadline.min(Instant::now() + policy.attempt_timeout);
            let result = match tokio::time::timeout_at(until, inner.attempt(op, body.clone())).await {
                Ok(result) => result,
                Err(_) if until == deadline => return Err(WireError::Timeout(CALL_TIME)),
                Err(_) => Err(WireError::Timeout("an attempt's time")),
            };
            match result {
                Err(err) if err.is_retryable() && attempt < policy.attempts => {
                    let pause = backoff(policy.initial_backoff, attempt, rand::random::<f64>());
                    if Instant::now() + pause >= deadline {
                        tokio::time::sleep_until(deadline).await;
                        return Err(WireError::Timeout(CALL_TIME));
                    }
                    tokio::time::sleep(pause).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

/// What a call that ran out of time says.
const CALL_TIME: &str = "the call's time, retries included";

impl Inner {
    fn new(endpoint: &str, region: String, credentials: Source, policy: Policy) -> Result<Self, String> {
        if region.is_empty() {
            return Err("no AWS region is configured for DynamoDB (set AWS_REGION)".into());
        }
        let url = reqwest::Url::parse(endpoint)
            .map_err(|e| format!("the DynamoDB endpoint {endpoint:?} is not a URL (AWS_ENDPOINT_URL_DYNAMODB): {e}"))?;
        Ok(Self {
            http: OnceLock::new(),
            url,
            region,
            credentials,
            policy,
        })
    }

    fn http(&self) -> Result<&reqwest::Client, WireError> {
        self.http
            .get_or_init(|| http_client(&self.url, &self.policy))
            .as_ref()
            .map_err(|e| WireError::Local(e.clone()))
    }

    async fn attempt(&self, op: Op, body: Bytes) -> Result<Bytes, WireError> {
        let identity = self
            .credentials
            .identity(SystemTime::now())
            .await
            .map_err(WireError::Local)?;
        let unsigned =
            |e: &dyn std::fmt::Display| WireError::Local(format!("the DynamoDB request could not be signed: {e}"));
        let headers = [("content-type", CONTENT_TYPE), ("x-amz-target", op.target())];
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("dynamodb")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| unsigned(&e))?
            .into();
        let signable = SignableRequest::new(
            "POST",
            self.url.as_str(),
            headers.iter().copied(),
            SignableBody::Bytes(&body),
        )
        .map_err(|e| unsigned(&e))?;
        let (instructions, _) = sign(signable, &params).map_err(|e| unsigned(&e))?.into_parts();
        let mut request = self.http()?.post(self.url.clone());
        for (name, value) in headers.into_iter().chain(instructions.headers()) {
            request = request.header(name, value);
        }
        let answer = request.body(body).send().await.map_err(transport)?;
        let status = answer.status().as_u16();
        let bytes = answer.bytes().await.map_err(transport)?;
        if status == 200 {
            Ok(bytes)
        } else {
            Err(WireError::from_answer(status, &bytes))
        }
    }
}

fn http_client(url: &reqwest::Url, policy: &Policy) -> Result<reqwest::Client, String> {
    let mut http = reqwest::Client::builder();
    if url.scheme() == "http" {
        // A local stand-in (dynalite) has no TLS: no root certificates to trust, so none are read
        // from the system (several milliseconds otherwise).
        http = http.tls_certs_only([]);
    }
    // The attempt's time is kept by `Wire::call`, with the call's in one timer.
    http.connect_timeout(policy.connect_timeout)
        // Connections are kept for the next pulse, as the SDK keeps them; DynamoDB closes idle
        // ones after about a minute, so the pool lets them go a little before.
        .pool_idle_timeout(Duration::from_secs(50))
        .tcp_nodelay(true)
        // DynamoDB never redirects (a signed body must not follow one anyway), speaks HTTP/1.1
        // here, and is reached directly: without these, reqwest parses the URL again and looks
        // at the proxy settings on every request (the profile in docs/PERFORMANCE.md).
        .redirect(reqwest::redirect::Policy::none())
        .http1_only()
        .no_proxy()
        .build()
        .map_err(|e| format!("the DynamoDB HTTP client could not be built: {e}"))
}

fn transport(err: reqwest::Error) -> WireError {
    // The only timer left inside reqwest is the connect timeout.
    if err.is_timeout() {
        WireError::Timeout("connecting")
    } else {
        WireError::Transport(err)
    }
}

/// The pause before attempt `attempt + 1`: a random share (`unit`, 0 to 1) of a ceiling that
/// doubles with each attempt, so that many clients throttled together do not retry together.
fn backoff(initial: Duration, attempt: u32, unit: f64) -> Duration {
    let ceiling = initial
        .saturating_mul(1 << (attempt - 1).min(10))
        .min(Duration::from_secs(20));
    ceiling.mul_f64(unit.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests;
