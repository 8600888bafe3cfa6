//! The end-to-end harness: each test starts what it needs (a dynalite on a free port, a recording Slack
//! webhook) and the values it gets back clean up after themselves on drop, so tests run in parallel.

pub mod capacity;
mod client;
mod dynalite;
mod items;
mod lambda;
mod moto;
mod ports;
mod repo;
mod runtime;
mod runtime_api;
mod slack;
mod summary;
mod template;
mod wire_count;

pub use client::dynamo_client;
pub use dynalite::Dynalite;
pub use items::{put_indexed_item, put_original_item};
pub use lambda::{FUNCTIONS, LambdaFunction, built_functions, lambda_command};
pub use moto::Moto;
pub use ports::RefusedPort;
pub use repo::repo_root;
pub use runtime::{HTTP_TIMEOUT, LocalRuntime, RawResponse, TEST_SECRET, header, original_id, s_attr, stamp_days_ago};
pub use runtime_api::{Outcome, RuntimeApi};
pub use slack::{Behaviour, RecordedRequest, Reply, SlackRecorder};
pub use summary::{assert_summary, summary_count};
pub use template::{ApiRoutes, ApiType, Integration, api_routes, condition_value, invoke_permissions};
pub use wire_count::{WireCounter, WireRequest};

/// What tests need of the SDK without naming it in their own dependencies.
pub use aws_sdk_dynamodb;
pub use aws_sdk_dynamodb::types::AttributeValue;
pub use heartbeat_shared::store::schema::{KEY_ATTRIBUTE, ensure_table};
