//! The DynamoDB client tests use: the one the local runtime uses, so tests see the same timeouts
//! and retries a user does.

pub fn dynamo_client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    heartbeat_shared::store::local_client(endpoint)
}
