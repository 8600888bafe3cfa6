//! A capacity model: DynamoDB's documented billing rules applied to the item images around a write,
//! because dynalite reports only the table's units and none of an index's.
//!
//! The rules (DynamoDB Developer Guide: "Item sizes and formats", "Capacity unit consumption for
//! write operations", "Provisioned throughput considerations for global secondary indexes"):
//! - an item's size is the sum of its attribute names' and values' lengths: a string its UTF-8
//!   bytes, a number one byte per two significant digits plus one;
//! - a write costs one write unit per started KB of the larger of the item before and after it;
//! - an index entry is the index keys, the table key and the projected attributes, plus 100 bytes;
//! - in each global secondary index a write costs nothing when no index key and no projected
//!   attribute changes; one write (of the entry's size) when an entry is added, removed, or updated in
//!   place; two (a delete and a put) when an index key changes.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, ProjectionType};
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

const KB: usize = 1024;
const INDEX_ENTRY_OVERHEAD: usize = 100;

/// What an index holds of an item.
#[derive(Debug, Clone, PartialEq)]
pub enum Projected {
    KeysOnly,
    Include(Vec<String>),
    All,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndexDef {
    pub name: String,
    pub table_keys: Vec<String>,
    pub keys: Vec<String>,
    pub projected: Projected,
}

/// Write units of one write: the table's and all its indexes'.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Units {
    pub table: usize,
    pub index: usize,
}

impl std::ops::Add for Units {
    type Output = Units;
    fn add(self, other: Units) -> Units {
        Units {
            table: self.table + other.table,
            index: self.index + other.index,
        }
    }
}

/// The table's global secondary indexes as DynamoDB (here dynalite) describes them.
pub async fn describe(client: &Client, table: &str) -> Vec<IndexDef> {
    let out = client
        .describe_table()
        .table_name(table)
        .send()
        .await
        .expect("DescribeTable");
    let table = out.table().expect("a table description");
    let table_keys: Vec<String> = table
        .key_schema()
        .iter()
        .map(|k| k.attribute_name().to_owned())
        .collect();
    table
        .global_secondary_indexes()
        .iter()
        .map(|index| {
            let projection = index.projection().expect("a projection");
            let projected = match projection.projection_type() {
                Some(ProjectionType::KeysOnly) => Projected::KeysOnly,
                Some(ProjectionType::All) => Projected::All,
                _ => Projected::Include(projection.non_key_attributes().to_vec()),
            };
            IndexDef {
                name: index.index_name().unwrap_or_default().to_owned(),
                table_keys: table_keys.clone(),
                keys: index
                    .key_schema()
                    .iter()
                    .map(|k| k.attribute_name().to_owned())
                    .collect(),
                projected,
            }
        })
        .collect()
}

/// An item as the table holds it now (a strongly consistent GetItem), or `None`.
pub async fn image(client: &Client, table: &str, key: &Item) -> Option<Item> {
    client
        .get_item()
        .table_name(table)
        .set_key(Some(key.clone()))
        .consistent_read(true)
        .send()
        .await
        .expect("GetItem")
        .item
}

fn number_size(n: &str) -> usize {
    let digits: String = n.chars().filter(char::is_ascii_digit).collect();
    let significant = digits.trim_start_matches('0').trim_end_matches('0');
    significant.len().max(1).div_ceil(2) + 1
}

fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number_size(n),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::L(list) => 3 + list.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        AttributeValue::M(map) => 3 + map.iter().map(|(k, v)| 1 + k.len() + value_size(v)).sum::<usize>(),
        AttributeValue::Ss(set) => set.iter().map(String::len).sum(),
        AttributeValue::Ns(set) => set.iter().map(|n| number_size(n)).sum(),
        _ => 0,
    }
}

pub fn item_size(item: &Item) -> usize {
    item.iter().map(|(name, value)| name.len() + value_size(value)).sum()
}

fn units_of(bytes: usize) -> usize {
    bytes.div_ceil(KB).max(1)
}

impl IndexDef {
    fn holds(&self, item: &Item) -> bool {
        self.keys.iter().all(|k| item.contains_key(k))
    }

    /// The entry the index keeps for `item`.
    fn entry(&self, item: &Item) -> Item {
        item.iter()
            .filter(|(name, _)| {
                self.keys.contains(name)
                    || self.table_keys.contains(name)
                    || match &self.projected {
                        Projected::KeysOnly => false,
                        Projected::All => true,
                        Projected::Include(names) => names.contains(name),
                    }
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    fn entry_units(&self, item: &Item) -> usize {
        units_of(item_size(&self.entry(item)) + INDEX_ENTRY_OVERHEAD)
    }

    /// This index's write units for a change from `before` to `after` (`None`: no item).
    pub fn write_units(&self, before: Option<&Item>, after: Option<&Item>) -> usize {
        let before = before.filter(|i| self.holds(i));
        let after = after.filter(|i| self.holds(i));
        match (before, after) {
            (None, None) => 0,
            (None, Some(added)) => self.entry_units(added),
            (Some(removed), None) => self.entry_units(removed),
            (Some(old), Some(new)) => {
                let key_moved = self.keys.iter().any(|k| old.get(k) != new.get(k));
                if key_moved {
                    self.entry_units(old) + self.entry_units(new)
                } else if self.entry(old) != self.entry(new) {
                    self.entry_units(old).max(self.entry_units(new))
                } else {
                    0
                }
            }
        }
    }
}

/// Write units of one successful write that turned `before` into `after`.
pub fn write_units(before: Option<&Item>, after: Option<&Item>, indexes: &[IndexDef]) -> Units {
    let size = before.map_or(0, item_size).max(after.map_or(0, item_size));
    Units {
        table: units_of(size),
        index: indexes.iter().map(|i| i.write_units(before, after)).sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.to_owned())
    }

    fn n(v: i64) -> AttributeValue {
        AttributeValue::N(v.to_string())
    }

    fn item(pairs: &[(&str, AttributeValue)]) -> Item {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
    }

    fn index(projected: Projected) -> IndexDef {
        IndexDef {
            name: "due-index".into(),
            table_keys: vec!["_id".into()],
            keys: vec!["dueShard".into(), "dueAt".into()],
            projected,
        }
    }

    #[test]
    fn sizes_follow_the_documented_rules() {
        // "_id" (3) + "abc" (3); "n" (1) + 123456 (3 digit pairs + 1); a number with zeros trimmed.
        assert_eq!(item_size(&item(&[("_id", s("abc")), ("n", n(123_456))])), 6 + 1 + 4);
        assert_eq!(number_size("1800000000000"), 2);
        assert_eq!(units_of(1024), 1);
        assert_eq!(units_of(1025), 2);
    }

    #[test]
    fn index_writes_follow_the_documented_rules() {
        let base = item(&[
            ("_id", s("x")),
            ("dueShard", s("s01")),
            ("dueAt", n(1000)),
            ("timestampF", s("t1")),
        ]);
        let mut pulsed = base.clone();
        pulsed.insert("timestampF".into(), s("t2"));
        let mut moved = pulsed.clone();
        moved.insert("dueAt".into(), n(2000));
        let keys_only = [index(Projected::KeysOnly)];
        let with_stamp = [index(Projected::Include(vec!["timestampF".into()]))];
        // Neither a key nor a projected attribute changes: nothing in the index.
        assert_eq!(
            write_units(Some(&base), Some(&pulsed), &keys_only),
            Units { table: 1, index: 0 }
        );
        // A projected attribute changes: updated in place.
        assert_eq!(
            write_units(Some(&base), Some(&pulsed), &with_stamp),
            Units { table: 1, index: 1 }
        );
        // A key changes: a delete and a put (the previous design's every pulse).
        assert_eq!(
            write_units(Some(&pulsed), Some(&moved), &with_stamp),
            Units { table: 1, index: 2 }
        );
        // Added or removed.
        assert_eq!(write_units(None, Some(&base), &keys_only), Units { table: 1, index: 1 });
        let outside = item(&[("_id", s("x")), ("timestampF", s("t1"))]);
        assert_eq!(
            write_units(Some(&outside), Some(&outside), &keys_only),
            Units { table: 1, index: 0 }
        );
        assert_eq!(
            write_units(Some(&base), Some(&outside), &keys_only),
            Units { table: 1, index: 1 }
        );
    }

    #[test]
    fn a_large_item_costs_a_unit_per_started_kilobyte() {
        let big = item(&[("_id", s("x")), ("lastMessage", s(&"m".repeat(1500)))]);
        assert_eq!(write_units(None, Some(&big), &[]), Units { table: 2, index: 0 });
    }
}
