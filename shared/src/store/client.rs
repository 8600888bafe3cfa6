//! DynamoDB clients: the Lambda's (credentials and region from the environment) and a local one for
//! dynalite. Both have short timeouts, so a request can never hang a function, and the standard retry
//! mode, which backs off on throttling before the caller answers 503. Each is a pair: the SDK's client
//! and the lean wire client of the pulse's writes (`store/wire`), built from the same settings.

use super::wire::{Policy, Source, Wire};
use aws_sdk_dynamodb::Client;
use std::ops::Deref;
use std::time::Duration;

/// Attempts per request, the first included.
pub const MAX_ATTEMPTS: u32 = 3;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);
const CALL_TIMEOUT: Duration = Duration::from_secs(8);

/// How the store talks to DynamoDB; built once per process, cheap to clone. It dereferences to the
/// SDK's client, which serves everything but the pulse's writes (reads, listings, table setup).
#[derive(Clone)]
pub struct Dynamo {
    sdk: Client,
    wire: Wire,
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
        let region = aws.region().map(ToString::to_string).unwrap_or_default();
        let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
            .ok()
            .or_else(|| aws.endpoint_url().map(str::to_owned))
            .unwrap_or_else(|| aws_endpoint(&region));
        let credentials = match aws.credentials_provider() {
            Some(provider) => Source::provider(provider),
            None => Source::Missing,
        };
        Self {
            sdk: Client::new(aws),
            wire: wire(&endpoint, region, credentials),
        }
    }

    pub fn sdk(&self) -> &Client {
        &self.sdk
    }

    pub(crate) fn wire(&self) -> &Wire {
        &self.wire
    }
}

pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(super::sdk_http::on_first_request())
        .timeout_config(timeouts())
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
        .load()
        .await
}

/// A client for a local DynamoDB stand-in (dynalite) at `endpoint`: dummy credentials and region.
pub fn local_client(endpoint: &str) -> Dynamo {
    use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
    let credentials = Credentials::new("local", "local", None, None, "heartbeat-local");
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(credentials.clone())
        .timeout_config(timeouts())
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
        .build();
    Dynamo {
        sdk: Client::from_conf(config),
        wire: wire(endpoint, "us-east-1".to_owned(), Source::fixed(credentials)),
    }
}

/// The public endpoint of a region (China's regions have their own domain).
fn aws_endpoint(region: &str) -> String {
    let domain = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("https://dynamodb.{region}.{domain}")
}

fn wire(endpoint: &str, region: String, credentials: Source) -> Wire {
    let policy = Policy {
        attempts: MAX_ATTEMPTS,
        connect_timeout: CONNECT_TIMEOUT,
        attempt_timeout: ATTEMPT_TIMEOUT,
        call_timeout: CALL_TIMEOUT,
        initial_backoff: Duration::from_secs(1),
    };
    Wire::new(endpoint, region, credentials, policy)
}

fn timeouts() -> aws_config::timeout::TimeoutConfig {
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(CALL_TIMEOUT)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_endpoint_follows_the_region() {
        assert_eq!(
            aws_endpoint("eu-central-1"),
            "https://dynamodb.eu-central-1.amazonaws.com"
        );
        assert_eq!(
            aws_endpoint("cn-north-1"),
            "https://dynamodb.cn-north-1.amazonaws.com.cn"
        );
    }
}
