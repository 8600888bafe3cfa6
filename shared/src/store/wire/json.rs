//! DynamoDB's JSON for the few requests the wire client sends: attribute values written straight
//! from the SDK's `AttributeValue` (no copy of the item), and values read back into one
//! (`old_image.rs` reads UpdateItem's answer with them).

use crate::store::expr::Expr;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::ser::{Error as _, SerializeMap, SerializeSeq};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

/// `UpdateItem`'s input, the fields heartbeat uses.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateItem<'a> {
    pub table_name: &'a str,
    #[serde(serialize_with = "values")]
    pub key: &'a Item,
    pub update_expression: &'a str,
    pub condition_expression: &'a str,
    /// Its `ExpressionAttributeNames` and `ExpressionAttributeValues`; DynamoDB refuses an empty
    /// map in either, so an empty one is left out.
    #[serde(flatten, serialize_with = "placeholders")]
    pub expression: &'a Expr,
    /// `ALL_OLD` or `NONE`.
    pub return_values: &'static str,
}

/// `PutItem`'s input, without a condition (history events: each has its own key).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutItem<'a> {
    pub table_name: &'a str,
    #[serde(serialize_with = "values")]
    pub item: &'a Item,
}

fn placeholders<S: Serializer>(expr: &&Expr, serializer: S) -> Result<S::Ok, S::Error> {
    let names = expr.names();
    let values = expr.values();
    let mut map = serializer.serialize_map(None)?;
    if names.len() > 0 {
        map.serialize_entry("ExpressionAttributeNames", &Entries(std::cell::Cell::new(Some(names))))?;
    }
    if values.len() > 0 {
        let values = values.map(|(k, v)| (k, Av(v)));
        map.serialize_entry(
            "ExpressionAttributeValues",
            &Entries(std::cell::Cell::new(Some(values))),
        )?;
    }
    map.end()
}

/// A map written once from an iterator of its entries.
struct Entries<I>(std::cell::Cell<Option<I>>);

impl<K: Serialize, V: Serialize, I: Iterator<Item = (K, V)>> Serialize for Entries<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let entries = self.0.take().ok_or_else(|| S::Error::custom("a map written twice"))?;
        serializer.collect_map(entries)
    }
}

fn values<S: Serializer>(item: &&Item, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_map(item.iter().map(|(k, v)| (k, Av(v))))
}

/// One attribute value as DynamoDB's JSON: `{"S": "…"}`, `{"M": {…}}` and so on.
struct Av<'a>(&'a AttributeValue);

impl Serialize for Av<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        match self.0 {
            AttributeValue::S(s) => map.serialize_entry("S", s)?,
            AttributeValue::N(n) => map.serialize_entry("N", n)?,
            AttributeValue::Bool(b) => map.serialize_entry("BOOL", b)?,
            AttributeValue::Null(b) => map.serialize_entry("NULL", b)?,
            AttributeValue::B(b) => map.serialize_entry("B", &STANDARD.encode(b.as_ref()))?,
            AttributeValue::Ss(v) => map.serialize_entry("SS", v)?,
            AttributeValue::Ns(v) => map.serialize_entry("NS", v)?,
            AttributeValue::Bs(v) => map.serialize_entry("BS", &Blobs(v))?,
            AttributeValue::L(v) => map.serialize_entry("L", &List(v))?,
            AttributeValue::M(m) => map.serialize_entry("M", &Map(m))?,
            other => {
                return Err(S::Error::custom(format!(
                    "an attribute value of an unknown type: {other:?}"
                )));
            }
        }
        map.end()
    }
}

struct Map<'a>(&'a Item);

impl Serialize for Map<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, Av(v))))
    }
}

struct List<'a>(&'a [AttributeValue]);

impl Serialize for List<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(Av))
    }
}

struct Blobs<'a>(&'a [Blob]);

impl Serialize for Blobs<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for blob in self.0 {
            seq.serialize_element(&STANDARD.encode(blob.as_ref()))?;
        }
        seq.end()
    }
}

/// An attribute value as DynamoDB writes it; its externally tagged form is DynamoDB's own.
#[derive(Deserialize)]
pub(super) enum Value {
    S(String),
    N(String),
    #[serde(rename = "BOOL")]
    Bool(bool),
    #[serde(rename = "NULL")]
    Null(bool),
    B(Base64),
    #[serde(rename = "SS")]
    Ss(Vec<String>),
    #[serde(rename = "NS")]
    Ns(Vec<String>),
    #[serde(rename = "BS")]
    Bs(Vec<Base64>),
    L(Vec<Value>),
    M(HashMap<String, Value>),
}

#[derive(Deserialize)]
#[serde(try_from = "String")]
pub(super) struct Base64(Vec<u8>);

impl TryFrom<String> for Base64 {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        STANDARD
            .decode(text)
            .map(Base64)
            .map_err(|e| format!("a binary attribute is not base64: {e}"))
    }
}

impl From<Value> for AttributeValue {
    fn from(value: Value) -> Self {
        match value {
            Value::S(s) => Self::S(s),
            Value::N(n) => Self::N(n),
            Value::Bool(b) => Self::Bool(b),
            Value::Null(b) => Self::Null(b),
            Value::B(b) => Self::B(Blob::new(b.0)),
            Value::Ss(v) => Self::Ss(v),
            Value::Ns(v) => Self::Ns(v),
            Value::Bs(v) => Self::Bs(v.into_iter().map(|b| Blob::new(b.0)).collect()),
            Value::L(v) => Self::L(v.into_iter().map(Into::into).collect()),
            Value::M(m) => Self::M(m.into_iter().map(|(k, v)| (k, v.into())).collect()),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::wire::old_image::OldImage;

    /// One attribute of each kind DynamoDB has.
    pub(crate) fn every_kind() -> Item {
        HashMap::from([
            ("s".to_owned(), AttributeValue::S("a \"quoted\" ünïcode\n".into())),
            ("n".to_owned(), AttributeValue::N("-12.5".into())),
            ("bool".to_owned(), AttributeValue::Bool(true)),
            ("null".to_owned(), AttributeValue::Null(true)),
            ("b".to_owned(), AttributeValue::B(Blob::new(vec![0, 159, 255]))),
            ("ss".to_owned(), AttributeValue::Ss(vec!["x".into(), "y".into()])),
            ("ns".to_owned(), AttributeValue::Ns(vec!["1".into()])),
            ("bs".to_owned(), AttributeValue::Bs(vec![Blob::new(vec![1])])),
            (
                "l".to_owned(),
                AttributeValue::L(vec![AttributeValue::S("x".into()), AttributeValue::N("2".into())]),
            ),
            (
                "m".to_owned(),
                AttributeValue::M(HashMap::from([("in".to_owned(), AttributeValue::Bool(false))])),
            ),
        ])
    }

    #[test]
    fn values_are_written_in_dynamodb_json() {
        let item = HashMap::from([
            ("b".to_owned(), AttributeValue::B(Blob::new(vec![0, 159, 255]))),
            (
                "m".to_owned(),
                AttributeValue::M(HashMap::from([(
                    "l".to_owned(),
                    AttributeValue::L(vec![AttributeValue::N("1".into()), AttributeValue::Null(true)]),
                )])),
            ),
        ]);
        let put = PutItem {
            table_name: "t",
            item: &item,
        };
        let json: serde_json::Value = serde_json::from_slice(&serde_json::to_vec(&put).unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"TableName": "t", "Item": {
                "b": {"B": "AJ//"},
                "m": {"M": {"l": {"L": [{"N": "1"}, {"NULL": true}]}}}
            }})
        );
    }

    #[test]
    fn an_update_names_its_placeholders_and_sends_no_empty_map() {
        // DynamoDB refuses an empty ExpressionAttributeValues.
        let key = every_kind();
        let mut expr = Expr::default();
        let remove = format!("REMOVE {}", expr.name("a"));
        let update = |expr: &Expr, condition: &str| {
            serde_json::to_value(UpdateItem {
                table_name: "t",
                key: &key,
                update_expression: &remove,
                condition_expression: condition,
                expression: expr,
                return_values: "NONE",
            })
            .unwrap()
        };
        let json = update(&expr, "attribute_exists(#n0)");
        assert!(json.get("ExpressionAttributeValues").is_none(), "{json}");
        assert_eq!(json["ExpressionAttributeNames"], serde_json::json!({"#n0": "a"}));
        assert_eq!(json["ReturnValues"], "NONE");
        assert_eq!(json["UpdateExpression"], "REMOVE #n0");
        let condition = format!("{} = {}", expr.name("b"), expr.value(AttributeValue::N("1".into())));
        let json = update(&expr, &condition);
        assert_eq!(
            json["ExpressionAttributeNames"],
            serde_json::json!({"#n0": "a", "#n1": "b"})
        );
        assert_eq!(
            json["ExpressionAttributeValues"],
            serde_json::json!({":v0": {"N": "1"}})
        );
        assert_eq!(json["ConditionExpression"], "#n1 = :v0");
        let empty = update(&Expr::default(), "");
        assert!(empty.get("ExpressionAttributeNames").is_none(), "{empty}");
    }

    #[test]
    fn a_bad_binary_value_is_an_error_not_a_panic() {
        let output = br#"{ "Attributes": {"b": {"B": "not base64!"}} }"#;
        let err = OldImage::read(output, &["b"]).expect_err("refused");
        assert!(err.to_string().contains("not base64"), "{err}");
    }
}
