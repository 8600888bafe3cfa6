//! The one definition of the table's keys and billing, and `ensure_table`, which creates the table
//! where it is missing (dynalite in tests, a fresh account) and waits until it is usable.

use super::due_index;
use super::item;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{BuildError, SdkError};
use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::operation::create_table::builders::CreateTableFluentBuilder;
use aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, TableStatus,
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
    create_and_wait(request, client, table).await
}

/// Sends a CreateTable (an existing table is fine) and waits until the table is ACTIVE; shared with
/// the configuration table (`store::config::schema`).
pub(crate) async fn create_and_wait(
    request: CreateTableFluentBuilder,
    client: &Client,
    table: &str,
) -> Result<(), SchemaError> {
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

/// Keys, the due index and billing of the table. `template.yaml` declares the same table for AWS; a
/// test (`template_declares_the_same_table`) keeps the two identical.
fn create_table_request(client: &Client, table: &str) -> Result<CreateTableFluentBuilder, BuildError> {
    let attribute = |name: &str, kind| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(kind)
            .build()
    };
    let key = |name: &str, kind| KeySchemaElement::builder().attribute_name(name).key_type(kind).build();
    // Keys only: a pulse changes no projected attribute, so a steady pulse writes nothing here.
    let projection = Projection::builder().projection_type(ProjectionType::KeysOnly);
    let due_index = GlobalSecondaryIndex::builder()
        .index_name(due_index::INDEX_NAME)
        .key_schema(key(item::DUE_SHARD, KeyType::Hash)?)
        .key_schema(key(item::DUE_AT, KeyType::Range)?)
        .projection(projection.build())
        .build()?;
    Ok(client
        .create_table()
        .table_name(table)
        .attribute_definitions(attribute(KEY_ATTRIBUTE, ScalarAttributeType::S)?)
        .attribute_definitions(attribute(item::DUE_SHARD, ScalarAttributeType::S)?)
        .attribute_definitions(attribute(item::DUE_AT, ScalarAttributeType::N)?)
        .key_schema(key(KEY_ATTRIBUTE, KeyType::Hash)?)
        .global_secondary_indexes(due_index)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use yaml_rust2::{Yaml, YamlLoader};

    type Keys = Vec<(String, String)>;
    /// Name, keys, projection type, projected attributes.
    type Index = (String, Keys, String, BTreeSet<String>);

    /// A table definition reduced to what both sources state: attribute types, keys, and each index
    /// with its keys and projection.
    #[derive(Debug, PartialEq)]
    struct Shape {
        attributes: BTreeSet<(String, String)>,
        keys: Keys,
        indexes: Vec<Index>,
    }

    fn from_code() -> Shape {
        let conf = aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .build();
        let request = create_table_request(&Client::from_conf(conf), "t").unwrap();
        let input = request.as_input();
        let keys = |k: &[KeySchemaElement]| {
            k.iter()
                .map(|e| (e.attribute_name().to_owned(), e.key_type().as_str().to_owned()))
                .collect::<Vec<_>>()
        };
        Shape {
            attributes: input
                .get_attribute_definitions()
                .iter()
                .flatten()
                .map(|a| (a.attribute_name().to_owned(), a.attribute_type().as_str().to_owned()))
                .collect(),
            keys: keys(input.get_key_schema().as_deref().unwrap_or_default()),
            indexes: input
                .get_global_secondary_indexes()
                .iter()
                .flatten()
                .map(|i| {
                    let projection = i.projection().unwrap();
                    (
                        i.index_name().to_owned(),
                        keys(i.key_schema()),
                        projection.projection_type().unwrap().as_str().to_owned(),
                        projection.non_key_attributes().iter().cloned().collect(),
                    )
                })
                .collect(),
        }
    }

    fn from_template() -> Shape {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");
        let text = std::fs::read_to_string(path).expect("template.yaml beside the workspace");
        let docs = YamlLoader::load_from_str(&text).expect("template.yaml is YAML");
        let table = &docs[0]["Resources"]["HeartbeatTable"]["Properties"];
        let text_of = |y: &Yaml| {
            y.as_str()
                .unwrap_or_else(|| panic!("expected text, found {y:?}"))
                .to_owned()
        };
        let keys = |y: &Yaml| {
            y.as_vec()
                .unwrap()
                .iter()
                .map(|k| (text_of(&k["AttributeName"]), text_of(&k["KeyType"])))
                .collect::<Vec<_>>()
        };
        Shape {
            attributes: table["AttributeDefinitions"]
                .as_vec()
                .unwrap()
                .iter()
                .map(|a| (text_of(&a["AttributeName"]), text_of(&a["AttributeType"])))
                .collect(),
            keys: keys(&table["KeySchema"]),
            indexes: table["GlobalSecondaryIndexes"]
                .as_vec()
                .unwrap()
                .iter()
                .map(|i| {
                    (
                        text_of(&i["IndexName"]),
                        keys(&i["KeySchema"]),
                        text_of(&i["Projection"]["ProjectionType"]),
                        i["Projection"]["NonKeyAttributes"]
                            .as_vec()
                            .map(|names| names.iter().map(text_of).collect())
                            .unwrap_or_default(),
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn template_declares_the_same_table() {
        let code = from_code();
        assert_eq!(code.indexes.len(), 1, "the due index is defined");
        assert_eq!(
            code.indexes[0].2, "KEYS_ONLY",
            "a pulse must change no projected attribute"
        );
        assert_eq!(from_template(), code);
        let billing = YamlLoader::load_from_str(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml")).unwrap(),
        )
        .unwrap()[0]["Resources"]["HeartbeatTable"]["Properties"]["BillingMode"]
            .as_str()
            .map(str::to_owned);
        assert_eq!(billing.as_deref(), Some("PAY_PER_REQUEST"));
    }
}
