//! The service's own configuration table (`ConfigTable`, `CONFIG_TABLE_NAME`): key `kind` (hash) +
//! `name` (range), one kind per file here. Listing a kind is one Query on `kind`. Holiday
//! calendars (kind `calendar`), maintenance windows (kind `maintenance`).

pub mod calendar;
mod calendar_roles;
pub mod contract;
mod maintenance;
mod memory;

pub use calendar::{CalendarStore, DynamoConfig, HolidayCalendar};
pub use calendar_roles::load_book;
pub use maintenance::{MaintenanceStore, new_window_id};
pub use memory::MemoryConfig;

use crate::store::schema::SchemaError;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType};

pub const KIND: &str = "kind";
pub const NAME: &str = "name";

/// Creates the config table where it is missing (dynalite, the local runtime) and waits for it.
/// `template.yaml` declares the same keys for AWS (`ConfigTable`).
pub async fn ensure_config_table(client: &Client, table: &str) -> Result<(), SchemaError> {
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
    };
    let key = |name: &str, kind| KeySchemaElement::builder().attribute_name(name).key_type(kind).build();
    let definition = (|| {
        Ok::<_, aws_sdk_dynamodb::error::BuildError>(
            client
                .create_table()
                .table_name(table)
                .billing_mode(BillingMode::PayPerRequest)
                .attribute_definitions(attribute(KIND)?)
                .attribute_definitions(attribute(NAME)?)
                .key_schema(key(KIND, KeyType::Hash)?)
                .key_schema(key(NAME, KeyType::Range)?),
        )
    })()
    .map_err(|source| SchemaError::Definition {
        table: table.to_owned(),
        source,
    })?;
    crate::store::schema::create_and_wait(client, table, definition).await
}

/// The config table is not there: a deployment from before it. Readers that alerting depends on
/// (windows, calendars) then see none rather than stopping the monitor.
pub(crate) fn is_missing_table<E: aws_sdk_dynamodb::error::ProvideErrorMetadata, R>(
    err: &aws_sdk_dynamodb::error::SdkError<E, R>,
) -> bool {
    err.as_service_error()
        .is_some_and(|e| e.code() == Some("ResourceNotFoundException"))
}
