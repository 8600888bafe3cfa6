//! A DynamoDB client for a local endpoint, with timeouts short enough that a dead server fails a test
//! in seconds instead of hanging it.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use std::time::Duration;

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(5);

/// Static test credentials and region: dynalite checks that a request is signed, not by whom.
pub fn dynamo_client(endpoint: &str) -> Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "test",
            "test",
            None,
            None,
            "heartbeat-e2e",
        ))
        .endpoint_url(endpoint)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        )
        .build();
    Client::from_conf(config)
}
