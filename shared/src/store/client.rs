//! DynamoDB clients: the Lambda's (credentials and region from the environment) and a local one for
//! dynalite. Both have short timeouts, so a request can never hang a function, and the standard retry
//! mode, which backs off on throttling, the service's 5xx and the network before the caller answers 503.

use aws_sdk_dynamodb::Client;
use std::ops::Deref;
use std::time::Duration;

/// Attempts per request, the first included.
pub const MAX_ATTEMPTS: u32 = 3;

/// How long and how often a request may try.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub connect: Duration,
    pub attempt: Duration,
    /// The whole call, retries and their pauses included.
    pub call: Duration,
    /// The first retry's pause is at most this, each next one at most twice the last.
    pub initial_backoff: Duration,
}

/// The service's: a pulse gets its answer (or a 503) within eight seconds, well inside the
/// function's timeout and API Gateway's 29 seconds.
const SERVICE: Limits = Limits {
    connect: Duration::from_secs(2),
    attempt: Duration::from_secs(3),
    call: Duration::from_secs(8),
    initial_backoff: Duration::from_secs(1),
};

/// How the store talks to DynamoDB; built once per process, cheap to clone. It dereferences to the
/// SDK's client.
#[derive(Clone)]
pub struct Dynamo {
    sdk: Client,
}

impl Deref for Dynamo {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.sdk
    }
}

impl From<Dynamo> for Client {
    fn from(dynamo: Dynamo) -> Self {
        dynamo.sdk
    }
}

impl Dynamo {
    /// Region, credentials and endpoint as the SDK finds them in the environment (on Lambda:
    /// `AWS_REGION` and the function's role; `AWS_ENDPOINT_URL_DYNAMODB` or `AWS_ENDPOINT_URL` when set).
    pub async fn from_env() -> Self {
        Self::from_config(&sdk_config().await)
    }

    pub fn from_config(aws: &aws_config::SdkConfig) -> Self {
        Self { sdk: Client::new(aws) }
    }

    pub fn sdk(&self) -> &Client {
        &self.sdk
    }
}

pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(super::sdk_http::on_first_request())
        .timeout_config(timeouts(SERVICE))
        .retry_config(retries(SERVICE))
        .load()
        .await
}

/// A client for a local DynamoDB stand-in (dynalite) at `endpoint`: dummy credentials and region.
pub fn local_client(endpoint: &str) -> Dynamo {
    local_client_within(endpoint, SERVICE)
}

/// The same, with other limits (tests that must see a timeout or a retry quickly).
pub(crate) fn local_client_within(endpoint: &str, limits: Limits) -> Dynamo {
    use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
    let credentials = Credentials::new("local", "local", None, None, "heartbeat-local");
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(credentials)
        .timeout_config(timeouts(limits))
        .retry_config(retries(limits))
        .build();
    Dynamo {
        sdk: Client::from_conf(config),
    }
}

fn timeouts(limits: Limits) -> aws_config::timeout::TimeoutConfig {
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(limits.connect)
        .operation_attempt_timeout(limits.attempt)
        .operation_timeout(limits.call)
        .build()
}

fn retries(limits: Limits) -> aws_config::retry::RetryConfig {
    aws_config::retry::RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_initial_backoff(limits.initial_backoff)
}
