//! The configuration table's definition, once (channels, routes and maintenance windows share it): `kind` (S, HASH) + `name` (S, RANGE), on demand.
//! `template.yaml` declares the same `ConfigTable` (a test keeps the two identical).

use super::{KIND, NAME};
use crate::store::schema::SchemaError;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::BuildError;
use aws_sdk_dynamodb::operation::create_table::builders::CreateTableFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType};

/// Creates the configuration table unless it exists, and waits until it is usable.
pub async fn ensure_config_table(client: &Client, table: &str) -> Result<(), SchemaError> {
    let request = create_request(client, table).map_err(|source| SchemaError::Definition {
        table: table.to_owned(),
        source,
    })?;
    crate::store::schema::create_and_wait(client, table, request).await
}

pub(crate) fn create_request(client: &Client, table: &str) -> Result<CreateTableFluentBuilder, BuildError> {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use yaml_rust2::YamlLoader;

    #[test]
    fn template_declares_the_same_config_table() {
        let conf = aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .build();
        let request = create_request(&Client::from_conf(conf), "t").unwrap();
        let input = request.as_input();
        let code: Vec<(String, String)> = input
            .get_key_schema()
            .iter()
            .flatten()
            .map(|k| (k.attribute_name().to_owned(), k.key_type().as_str().to_owned()))
            .collect();
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml")).unwrap();
        let docs = YamlLoader::load_from_str(&text).unwrap();
        let table = &docs[0]["Resources"]["ConfigTable"]["Properties"];
        let template: Vec<(String, String)> = table["KeySchema"]
            .as_vec()
            .expect("template.yaml declares ConfigTable with a KeySchema")
            .iter()
            .map(|k| {
                (
                    k["AttributeName"].as_str().unwrap().to_owned(),
                    k["KeyType"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(template, code);
        for a in table["AttributeDefinitions"].as_vec().unwrap() {
            assert_eq!(a["AttributeType"].as_str(), Some("S"));
        }
        assert_eq!(table["BillingMode"].as_str(), Some("PAY_PER_REQUEST"));
    }
}
