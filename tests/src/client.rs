//! The DynamoDB client tests use: the one the local runtime uses, so tests see the same timeouts
//! and retries a user does.

pub fn dynamo_client(endpoint: &str) -> heartbeat_shared::store::Dynamo {
    heartbeat_shared::store::local_client(endpoint)
}
