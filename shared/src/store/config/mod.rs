//! The service's own configuration table (`CONFIG_TABLE_NAME`): key `kind` (S) + `name` (S), one
//! file per kind. Listing a kind is one Query on `kind`. Holiday calendars live here (kind
//! `calendar`); channels and routes use the same table.

pub mod calendar;
pub mod contract;
mod memory;
mod schema;

pub use calendar::{CalendarStore, DynamoConfig, HolidayCalendar};
pub use memory::MemoryConfig;
pub use schema::ensure_config_table;

pub const KIND: &str = "kind";
pub const NAME: &str = "name";
