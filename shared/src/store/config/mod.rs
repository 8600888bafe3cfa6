//! The service's own configuration table (`ConfigTable`, env `CONFIG_TABLE_NAME`): items keyed by
//! `kind` (the partition) and `name`, so listing a kind is one Query. This module holds the
//! channels (`kind = "channel"`) and the routes (`kind = "routes"`, `name = "routes"`), one file per
//! kind; the schema and `ensure_config_table` are in `schema.rs`.

mod channels;
#[cfg(any(test, feature = "testing"))]
pub mod contract;
mod dynamo;
mod memory;
pub mod schema;

pub use channels::{ChannelDirectory, Problem, StoredChannel};
pub use dynamo::DynamoConfig;
pub use memory::MemoryConfig;

/// The attribute names of every config item.
pub const KIND: &str = "kind";
pub const NAME: &str = "name";
