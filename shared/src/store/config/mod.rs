//! The service's own configuration table (`ConfigTable`, `CONFIG_TABLE_NAME`): key `kind` (hash) +
//! `name` (range), one kind per file here. Listing a kind is one Query on `kind`. Holiday calendars
//! (`kind = "calendar"`) and channels (`kind = "channel"`) with the routes (`kind = "routes"`,
//! `name = "routes"`) go through one [`DynamoConfig`] (or [`MemoryConfig`]) on the table;
//! maintenance windows (`kind = "maintenance"`) are read through the pulse store.

pub mod calendar;
#[cfg(any(test, feature = "testing"))]
pub mod calendar_contract;
mod calendar_memory;
mod calendar_roles;
mod channels;
#[cfg(any(test, feature = "testing"))]
pub mod contract;
mod dynamo;
mod maintenance;
mod memory;
pub mod schema;

pub use calendar::{CalendarStore, HolidayCalendar};
pub use calendar_roles::load_book;
pub use channels::{ChannelDirectory, Problem, StoredChannel};
pub use dynamo::DynamoConfig;
pub use maintenance::{MaintenanceStore, new_window_id};
pub use memory::MemoryConfig;
pub use schema::ensure_config_table;

/// The attribute names of every config item.
pub const KIND: &str = "kind";
pub const NAME: &str = "name";

/// A deployment from before the config table (or a local runtime told not to create tables): it has
/// no windows, calendars, channels or routes, and alerting must go on as before.
pub(crate) fn is_missing_table<E: aws_sdk_dynamodb::error::ProvideErrorMetadata, R>(
    err: &aws_sdk_dynamodb::error::SdkError<E, R>,
) -> bool {
    err.as_service_error()
        .is_some_and(|e| e.code() == Some("ResourceNotFoundException"))
}
