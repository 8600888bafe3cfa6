//! A lean DynamoDB client for the requests on a pulse's path (UpdateItem, PutItem): one signed HTTP
//! POST of DynamoDB's JSON over a pooled keep-alive connection (`pool`, `http1`), written and read
//! inside the calling task, signed with a kept key (`sign`). The SDK spends most of a pulse's CPU in
//! its per-request orchestration (interceptors, type-erased configuration, endpoint and identity
//! resolution: docs/PERFORMANCE.md), about ten times what the request itself needs; a general HTTP
//! client (reqwest) then spent as much again. Everything else (Scan, Query, BatchGetItem, table
//! setup) stays on the SDK.
//!
//! It keeps the SDK's behaviour where it matters: the same attempts (`MAX_ATTEMPTS`), the same
//! timeouts (connect, per attempt, per call), jittered exponential backoff on throttling, the
//! service's 5xx and the network, and SigV4 signatures identical to the SDK's own signer's. Not kept:
//! the standard mode's client-wide retry quota, which only matters when a whole fleet retries at
//! once; a pulse makes at most three attempts within eight seconds either way.

mod credentials;
mod error;
mod http1;
pub mod json;
pub mod old_image;
mod pool;
mod sign;

pub use credentials::Source;
pub use error::{WireError, is_transient_code};

use aws_credential_types::Credentials;
use bytes::Bytes;
use pool::{Endpoint, ExchangeError, Pool};
use sign::{CONTENT_TYPE, Signer};
use std::sync::Arc;
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
    pool: Pool,
    signer: Signer,
    credentials: Source,
    policy: Policy,
}

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
            inner: Arc::new(
                Endpoint::parse(endpoint).and_then(|e| Inner::new(Pool::new(e), region, credentials, policy)),
            ),
        }
    }

    /// The same, trusting the certificate authorities `tls` trusts instead of the platform's.
    #[cfg(test)]
    fn with_tls(
        endpoint: &str,
        region: String,
        credentials: Source,
        policy: Policy,
        tls: Arc<tokio_rustls::rustls::ClientConfig>,
    ) -> Self {
        let inner =
            Endpoint::parse(endpoint).and_then(|e| Inner::new(Pool::with_tls(e, tls), region, credentials, policy));
        Self { inner: Arc::new(inner) }
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
    fn new(pool: Pool, region: String, credentials: Source, policy: Policy) -> Result<Self, String> {
        if region.is_empty() {
            return Err("no AWS region is configured for DynamoDB (set AWS_REGION)".into());
        }
        Ok(Self {
            pool,
            signer: Signer::new(region),
            credentials,
            policy,
        })
    }

    async fn attempt(&self, op: Op, body: Bytes) -> Result<Bytes, WireError> {
        let identity = self
            .credentials
            .identity(SystemTime::now())
            .await
            .map_err(WireError::Local)?;
        let credentials = identity
            .data::<Credentials>()
            .ok_or_else(|| WireError::Local("the AWS identity holds no access key to sign with".into()))?;
        let authority = &self.pool.endpoint().authority;
        let signed = self
            .signer
            .sign(credentials, authority, op.target(), &body, chrono::Utc::now());
        let mut headers = vec![
            ("content-type", CONTENT_TYPE),
            ("x-amz-target", op.target()),
            ("x-amz-date", signed.amz_date.as_str()),
            ("authorization", signed.authorization.as_str()),
        ];
        if let Some(token) = credentials.session_token() {
            headers.push(("x-amz-security-token", token.trim()));
        }
        let request = http1::request("/", authority, &headers, &body).map_err(WireError::Local)?;
        let answer = self
            .pool
            .exchange(&request, self.policy.connect_timeout)
            .await
            .map_err(transport)?;
        if answer.status == 200 {
            Ok(answer.body)
        } else {
            Err(WireError::from_answer(answer.status, &answer.body))
        }
    }
}

fn transport(err: ExchangeError) -> WireError {
    match err {
        ExchangeError::ConnectTimeout(_) => WireError::Timeout("connecting"),
        other => WireError::Transport(Box::new(other)),
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
#[cfg(test)]
mod tls_tests;
