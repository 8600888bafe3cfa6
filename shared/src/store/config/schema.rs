//! The config table's keys and billing; `template.yaml` declares the same (`ConfigTable`).

use super::{KIND, NAME};
use crate::store::schema::{SchemaError, is_service_error, wait_until_active};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::types::{AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType};

/// Creates the config table unless it exists, then waits until it is ACTIVE.
pub async fn ensure_config_table(client: &Client, table: &str) -> Result<(), SchemaError> {
    let definition = |table: &str| -> Result<_, aws_sdk_dynamodb::error::BuildError> {
        let attribute = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
        };
        let key = |name: &str, kind| KeySchemaElement::builder().attribute_name(name).key_type(kind).build();
        Ok(client
            .create_table()
            .table_name(table)
            .attribute_definitions(attribute(KIND)?)
            .attribute_definitions(attribute(NAME)?)
            .key_schema(key(KIND, KeyType::Hash)?)
            .key_schema(key(NAME, KeyType::Range)?)
            .billing_mode(BillingMode::PayPerRequest))
    };
    let request = definition(table).map_err(|source| SchemaError::Definition {
        table: table.to_owned(),
        source,
    })?;
    match request.send().await {
        Ok(_) => {}
        Err(err) if is_service_error(&err, CreateTableError::is_resource_in_use_exception) => {}
        Err(err) => {
            return Err(SchemaError::Create {
                table: table.to_owned(),
                source: Box::new(err),
            });
        }
    }
    wait_until_active(client, table).await
}
