//! Items written straight into a table, as other writers leave them: the original parcelLab server,
//! or heartbeat itself at an earlier pulse.

use crate::runtime::original_id;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;

/// Writes an item exactly as the original parcelLab server did: only its eight attributes, all
/// strings. `fields`: host, category, type, name, timestamp, threshold, saturday. Returns the `_id`.
pub async fn put_original_item(client: &Client, table: &str, fields: [&str; 7]) -> String {
    let [host, category, kind, name, timestamp, threshold, saturday] = fields;
    let id = original_id(host, category, kind, name);
    let item = [
        ("_id", id.as_str()),
        ("host", host),
        ("category", category),
        ("typeF", kind),
        ("nameF", name),
        ("timestampF", timestamp),
        ("thresholdF", threshold),
        ("saturday", saturday),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), AttributeValue::S(v.to_owned())))
    .collect();
    client
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .send()
        .await
        .expect("PutItem");
    id
}

/// An item as heartbeat itself would have written it when the pulse last arrived: the original
/// attributes plus the due index's (due at once, as a first pulse leaves it).
pub async fn put_indexed_item(client: &Client, table: &str, fields: [&str; 7]) -> String {
    use heartbeat_shared::model::{PulseId, parse_stamp};
    use heartbeat_shared::store::{due_index, item};
    let id = put_original_item(client, table, fields).await;
    let due = parse_stamp(fields[4])
        .expect("an ISO-8601 timestamp")
        .timestamp_millis();
    client
        .update_item()
        .table_name(table)
        .key("_id", AttributeValue::S(id.clone()))
        .update_expression("SET #shard = :shard, #due = :due")
        .expression_attribute_names("#shard", item::DUE_SHARD)
        .expression_attribute_names("#due", item::DUE_AT)
        .expression_attribute_values(
            ":shard",
            AttributeValue::S(due_index::shard_of(&PulseId::from_stored(id.clone()))),
        )
        .expression_attribute_values(":due", AttributeValue::N(due.to_string()))
        .send()
        .await
        .expect("UpdateItem");
    id
}
