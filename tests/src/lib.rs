//! The end-to-end harness: each test starts what it needs (a dynalite on a free port, a recording Slack
//! webhook) and the values it gets back clean up after themselves on drop, so tests run in parallel.

mod client;
mod dynalite;
mod moto;
mod ports;
mod repo;
mod runtime;
mod slack;
mod summary;

pub use client::dynamo_client;
pub use dynalite::Dynalite;
pub use moto::Moto;
pub use ports::RefusedPort;
pub use repo::repo_root;
pub use runtime::{HTTP_TIMEOUT, LocalRuntime, RawResponse, TEST_SECRET, header, original_id, s_attr, stamp_days_ago};
pub use slack::{Behaviour, RecordedRequest, Reply, SlackRecorder};
pub use summary::{assert_summary, summary_count};

/// What tests need of the SDK without naming it in their own dependencies.
pub use aws_sdk_dynamodb;
pub use aws_sdk_dynamodb::types::AttributeValue;
pub use heartbeat_shared::store::schema::{KEY_ATTRIBUTE, ensure_table};
