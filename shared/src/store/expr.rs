//! Building update and condition expressions with placeholders.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

/// Placeholders for an expression: every attribute goes through `#nK` (some of ours are reserved
/// words, and `_id` is not a valid bare name), every value through `:vK`.
#[derive(Default)]
pub struct Expr {
    pub names: HashMap<String, String>,
    pub values: HashMap<String, AttributeValue>,
}

impl Expr {
    pub fn name(&mut self, attribute: &str) -> String {
        if let Some((placeholder, _)) = self.names.iter().find(|(_, a)| a.as_str() == attribute) {
            return placeholder.clone();
        }
        let placeholder = format!("#n{}", self.names.len());
        self.names.insert(placeholder.clone(), attribute.to_owned());
        placeholder
    }

    pub fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
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
}
