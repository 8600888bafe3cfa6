//! `UpdateItem`'s answer with `ALL_OLD`, read only as far as a pulse needs it: how many attributes
//! the old item had (none: this write created it) and the values of the few attributes asked for
//! (was it alerted, paused, made by another writer, what was its due time). Every other value is
//! skipped as it is parsed, never built: an item's last log alone can be 10 KB, and building the
//! whole image into a map took more of a pulse's CPU than signing its request
//! (docs/PERFORMANCE.md).

use super::json::{Item, Value};
use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, de};
use std::borrow::Cow;
use std::fmt;

/// The old item, as far as it was asked for.
#[derive(Debug, Default)]
pub struct OldImage {
    attributes: usize,
    values: Item,
    asked: &'static [&'static str],
}

impl OldImage {
    /// Reads `answer`, UpdateItem's JSON, keeping the values of the attributes in `asked` only.
    pub fn read(answer: &[u8], asked: &'static [&'static str]) -> serde_json::Result<Self> {
        let mut reader = serde_json::Deserializer::from_slice(answer);
        let image = Reader {
            asked,
            in_attributes: false,
        }
        .deserialize(&mut reader)?;
        reader.end()?;
        Ok(image)
    }

    /// No old item: the write created it (or the answer carried no image).
    pub fn is_empty(&self) -> bool {
        self.attributes == 0
    }

    /// Whether the old item had `name`, one of the attributes asked for.
    pub fn contains_key(&self, name: &str) -> bool {
        debug_assert!(self.asked.contains(&name), "{name} was not asked for");
        self.values.contains_key(name)
    }

    /// The old value of `name`, one of the attributes asked for.
    pub fn get(&self, name: &str) -> Option<&AttributeValue> {
        debug_assert!(self.asked.contains(&name), "{name} was not asked for");
        self.values.get(name)
    }
}

/// Reads the answer's object, where `Attributes` is read and anything else (consumed capacity)
/// skipped, and then, as `in_attributes`, the old item's attributes: each one counted, the asked
/// ones' values kept.
struct Reader {
    asked: &'static [&'static str],
    in_attributes: bool,
}

impl<'de> DeserializeSeed<'de> for Reader {
    type Value = OldImage;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<OldImage, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Reader {
    type Value = OldImage;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(if self.in_attributes {
            "the old item's attributes, a JSON object"
        } else {
            "UpdateItem's answer, a JSON object"
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OldImage, A::Error> {
        let mut image = OldImage {
            asked: self.asked,
            ..OldImage::default()
        };
        while let Some(Name(name)) = map.next_key()? {
            if self.in_attributes {
                image.attributes += 1;
                if self.asked.contains(&name.as_ref()) {
                    let value: Value = map.next_value()?;
                    image.values.insert(name.into_owned(), value.into());
                    continue;
                }
            } else if name == "Attributes" {
                image = map.next_value_seed(Reader {
                    asked: self.asked,
                    in_attributes: true,
                })?;
                continue;
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(image)
    }
}

/// A key, borrowed from the answer unless it holds an escape: most names are never kept.
struct Name<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(NameVisitor)
    }
}

struct NameVisitor;

impl<'de> Visitor<'de> for NameVisitor {
    type Value = Name<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an attribute name")
    }
    fn visit_borrowed_str<E: de::Error>(self, name: &'de str) -> Result<Name<'de>, E> {
        Ok(Name(Cow::Borrowed(name)))
    }
    fn visit_str<E: de::Error>(self, name: &str) -> Result<Name<'de>, E> {
        Ok(Name(Cow::Owned(name.to_owned())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::wire::json::PutItem;
    use crate::store::wire::json::tests::every_kind;

    const ASKED: &[&str] = &["s", "m", "b", "missing"];

    fn answer(item: &Item) -> Vec<u8> {
        let put = serde_json::to_value(PutItem { table_name: "t", item }).expect("json");
        serde_json::to_vec(&serde_json::json!({
            "Attributes": put["Item"],
            "ConsumedCapacity": {"TableName": "t", "CapacityUnits": 1.0},
        }))
        .expect("json")
    }

    #[test]
    fn every_kind_of_value_comes_back_as_it_went() {
        let item = every_kind();
        let every_name = &["s", "n", "bool", "null", "b", "ss", "ns", "bs", "l", "m"];
        let image = OldImage::read(&answer(&item), every_name).expect("read");
        assert_eq!(image.values, item);
        assert_eq!(image.attributes, item.len());
    }

    #[test]
    fn the_asked_values_come_back_as_they_went_and_the_rest_are_only_counted() {
        let item = every_kind();
        let image = OldImage::read(&answer(&item), ASKED).expect("read");
        assert!(!image.is_empty());
        assert_eq!(image.attributes, item.len());
        for name in ["s", "m", "b"] {
            assert_eq!(image.get(name), item.get(name), "{name}");
            assert!(image.contains_key(name), "{name}");
        }
        assert!(!image.contains_key("missing"));
        assert_eq!(image.values.len(), 3, "only the asked values are built");
    }

    #[test]
    fn no_image_is_empty_and_an_escaped_name_is_still_found() {
        for empty in [
            &b"{}"[..],
            br#"{"Attributes":{}}"#,
            br#"{"ConsumedCapacity":{"CapacityUnits":1}}"#,
        ] {
            let image = OldImage::read(empty, ASKED).expect("read");
            assert!(image.is_empty(), "{}", String::from_utf8_lossy(empty));
        }
        let escaped = br#"{"Attributes":{"\u0073":{"S":"x"},"other":{"L":[{"S":"\"quoted\""}]}}}"#;
        let image = OldImage::read(escaped, ASKED).expect("read");
        assert_eq!(image.get("s"), Some(&AttributeValue::S("x".into())));
        assert_eq!(image.attributes, 2);
    }

    #[test]
    fn a_broken_answer_is_an_error_and_a_bad_skipped_value_is_not_read() {
        for broken in [
            &b""[..],
            b"[]",
            br#"{"Attributes":{"s":{"S":"x"}"#,
            br#"{"Attributes":{"s":{"X":"x"}}}"#,
            b"{} trailing",
        ] {
            assert!(
                OldImage::read(broken, ASKED).is_err(),
                "{}",
                String::from_utf8_lossy(broken)
            );
        }
        // An asked binary value must be base64; one not asked for is never decoded.
        assert!(OldImage::read(br#"{"Attributes":{"b":{"B":"not base64!"}}}"#, ASKED).is_err());
        let skipped = OldImage::read(br#"{"Attributes":{"other":{"B":"not base64!"}}}"#, ASKED).expect("read");
        assert_eq!(skipped.attributes, 1);
    }
}
