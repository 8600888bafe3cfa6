//! The one definition of the table's keys and billing, and `ensure_table`, which creates the table
//! where it is missing (dynalite in tests, a fresh account) and waits until it is usable.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{BuildError, SdkError};
use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::operation::create_table::builders::CreateTableFluentBuilder;
use aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType, TableStatus,
};
use std::time::Duration;
use tokio::time::{Instant, sleep};

/// The partition key: the original server's name, kept so its items work here unchanged.
pub const KEY_ATTRIBUTE: &str = "_id";

const POLL_INTERVAL: Duration = Duration::from_millis(100);
/// Real DynamoDB usually needs a few seconds for a new on-demand table; dynalite 0.5 s.
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("the definition of table `{table}` is incomplete (a bug in store/schema.rs)")]
    Definition {
        table: String,
        #[source]
        source: BuildError,
    },
    #[error(
        "could not create table `{table}`: check the endpoint, the region, the credentials and the \
         dynamodb:CreateTable permission"
    )]
    Create {
        table: String,
        #[source]
        source: Box<SdkError<CreateTableError>>,
    },
    #[error(
        "could not describe table `{table}` while waiting for it to become ACTIVE: check the \
         dynamodb:DescribeTable permission and that nobody deleted it meanwhile"
    )]
    Describe {
        table: String,
        #[source]
        source: Box<SdkError<DescribeTableError>>,
    },
    #[error(
        "table `{table}` is still {status} after {waited:?}; look at it in the console (or restart \
         dynalite) and try again"
    )]
    NotActive {
        table: String,
        status: String,
        waited: Duration,
    },
}

/// Creates `table` unless it exists, then waits until it is ACTIVE. Safe to call on every start and
/// from several processes at once.
pub async fn ensure_table(client: &Client, table: &str) -> Result<(), SchemaError> {
    let request = create_table_request(client, table).map_err(|source| SchemaError::Definition {
        table: table.to_owned(),
        source,
    })?;
    match request.send().await {
        Ok(_) => {}
        // It exists already, or another process is creating it right now: either way, wait.
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

/// Keys and billing of the table; the overdue index will be added here too.
fn create_table_request(client: &Client, table: &str) -> Result<CreateTableFluentBuilder, BuildError> {
    Ok(client
        .create_table()
        .table_name(table)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(KEY_ATTRIBUTE)
                .attribute_type(ScalarAttributeType::S)
                .build()?,
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(KEY_ATTRIBUTE)
                .key_type(KeyType::Hash)
                .build()?,
        )
        .billing_mode(BillingMode::PayPerRequest))
}

async fn wait_until_active(client: &Client, table: &str) -> Result<(), SchemaError> {
    let started = Instant::now();
    loop {
        let status = match client.describe_table().table_name(table).send().await {
            Ok(out) => out
                .table()
                .and_then(|t| t.table_status())
                .map_or_else(|| "UNKNOWN".to_owned(), |s| s.as_str().to_owned()),
            // DescribeTable is eventually consistent: a table created a moment ago may not show yet.
            Err(err) if is_service_error(&err, DescribeTableError::is_resource_not_found_exception) => {
                "NOT YET VISIBLE".to_owned()
            }
            Err(err) => {
                return Err(SchemaError::Describe {
                    table: table.to_owned(),
                    source: Box::new(err),
                });
            }
        };
        if status == TableStatus::Active.as_str() {
            return Ok(());
        }
        if started.elapsed() >= ACTIVE_TIMEOUT {
            return Err(SchemaError::NotActive {
                table: table.to_owned(),
                status,
                waited: started.elapsed(),
            });
        }
        sleep(POLL_INTERVAL).await;
    }
}

fn is_service_error<E>(err: &SdkError<E>, is: impl Fn(&E) -> bool) -> bool {
    err.as_service_error().is_some_and(is)
}
