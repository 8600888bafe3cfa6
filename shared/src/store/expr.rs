//! Building update and condition expressions with placeholders.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

/// Placeholders for an expression: every attribute goes through `#nK` (some of ours are reserved
/// words, and `_id` is not a valid bare name), every value through `:vK`, K being its place in the
/// list. Lists while building (a pulse's write has about twenty of each, and finding a name again
/// in a short list costs less than hashing every one); the request's maps are made once, at the end.
#[derive(Default)]
pub struct Expr {
    names: Vec<String>,
    values: Vec<AttributeValue>,
}

impl Expr {
    pub fn name(&mut self, attribute: &str) -> String {
        let index = match self.names.iter().position(|a| a == attribute) {
            Some(index) => index,
            None => {
                self.names.push(attribute.to_owned());
                self.names.len() - 1
            }
        };
        placeholder("#n", index)
    }

    pub fn value(&mut self, value: AttributeValue) -> String {
        self.values.push(value);
        placeholder(":v", self.values.len() - 1)
    }

    /// `name = if_not_exists(name, value)`: sets a value only where the item has none.
    pub fn if_not_exists(&mut self, attribute: &str, value: AttributeValue) -> String {
        let name = self.name(attribute);
        format!("{name} = if_not_exists({name}, {})", self.value(value))
    }

    /// `name = value`.
    pub fn set(&mut self, attribute: &str, value: AttributeValue) -> String {
        format!("{} = {}", self.name(attribute), self.value(value))
    }

    /// `ExpressionAttributeNames` and `ExpressionAttributeValues`, each `None` when empty:
    /// DynamoDB refuses an empty map in either.
    pub fn into_maps(self) -> (Option<NameMap>, Option<ValueMap>) {
        let names: HashMap<_, _> = self
            .names
            .into_iter()
            .enumerate()
            .map(|(i, attribute)| (placeholder("#n", i), attribute))
            .collect();
        let values: HashMap<_, _> = self
            .values
            .into_iter()
            .enumerate()
            .map(|(i, value)| (placeholder(":v", i), value))
            .collect();
        (
            (!names.is_empty()).then_some(names),
            (!values.is_empty()).then_some(values),
        )
    }
}

/// `#n0` → attribute name, as `ExpressionAttributeNames` takes it.
pub type NameMap = HashMap<String, String>;
/// `:v0` → value, as `ExpressionAttributeValues` takes it.
pub type ValueMap = HashMap<String, AttributeValue>;

fn placeholder(prefix: &str, index: usize) -> String {
    let mut out = String::with_capacity(prefix.len() + 3);
    out.push_str(prefix);
    if index >= 10 {
        push_number(&mut out, index / 10);
    }
    out.push(char::from(b'0' + (index % 10) as u8));
    out
}

fn push_number(out: &mut String, n: usize) {
    if n >= 10 {
        push_number(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_used_twice_keeps_its_placeholder_and_values_are_numbered_in_order() {
        let mut e = Expr::default();
        let placeholders: Vec<String> = (0..12).map(|i| e.value(AttributeValue::N(i.to_string()))).collect();
        assert_eq!(placeholders[0], ":v0");
        assert_eq!(placeholders[11], ":v11");
        assert_eq!(e.set("host", AttributeValue::S("h".into())), "#n0 = :v12");
        assert_eq!(
            e.if_not_exists("host", AttributeValue::S("x".into())),
            "#n0 = if_not_exists(#n0, :v13)"
        );
        assert_eq!(e.name("time"), "#n1");
        let (names, values) = e.into_maps();
        let names = names.expect("names");
        assert_eq!(names.len(), 2);
        assert_eq!((names["#n0"].as_str(), names["#n1"].as_str()), ("host", "time"));
        let values = values.expect("values");
        assert_eq!(values.len(), 14);
        assert_eq!(values[":v13"], AttributeValue::S("x".into()));
        assert_eq!(placeholder("#n", 123), "#n123");
    }

    #[test]
    fn an_expression_without_names_or_values_sends_neither_map() {
        // DynamoDB refuses an empty ExpressionAttributeValues.
        let mut e = Expr::default();
        let _ = e.name("a");
        let (names, values) = e.into_maps();
        assert_eq!(names.map(|n| n.len()), Some(1));
        assert!(values.is_none());
        assert_eq!(Expr::default().into_maps(), (None, None));
    }
}
