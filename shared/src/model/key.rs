//! The four fields that name a pulse, and the `_id` the original server derived from them.

use sha2::{Digest, Sha256};
use std::fmt;

/// The longest value a name field may have, in characters (after URL-decoding).
pub const MAX_FIELD_CHARS: usize = 256;

/// Why a single request field was refused; `field` is the parameter name the caller used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct FieldError {
    pub field: &'static str,
    pub problem: String,
}

impl FieldError {
    pub fn new(field: &'static str, problem: impl Into<String>) -> Self {
        Self {
            field,
            problem: problem.into(),
        }
    }
}

/// host / category / type / name, each 1–256 characters with no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulseKey {
    pub host: String,
    pub category: String,
    pub kind: String,
    pub name: String,
}

impl PulseKey {
    /// Each argument is `Some(value)` when the parameter was present.
    pub fn parse(
        host: Option<&str>,
        category: Option<&str>,
        kind: Option<&str>,
        name: Option<&str>,
    ) -> Result<Self, FieldError> {
        Ok(Self {
            host: parse_field("host", host)?,
            category: parse_field("category", category)?,
            kind: parse_field("type", kind)?,
            name: parse_field("name", name)?,
        })
    }

    /// The original server's `_id`: SHA-256 of the four fields concatenated with no separator. Two
    /// different keys can collide (`ab`+`c` vs `a`+`bc`); kept because existing tables depend on it.
    pub fn id(&self) -> PulseId {
        let mut hash = Sha256::new();
        for part in [&self.host, &self.category, &self.kind, &self.name] {
            hash.update(part.as_bytes());
        }
        PulseId(hex::encode(hash.finalize()))
    }
}

fn parse_field(field: &'static str, value: Option<&str>) -> Result<String, FieldError> {
    let value = value.ok_or_else(|| FieldError::new(field, "is required"))?;
    if value.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    let chars = value.chars().count();
    if chars > MAX_FIELD_CHARS {
        return Err(FieldError::new(
            field,
            format!("is {chars} characters long; at most {MAX_FIELD_CHARS} are allowed"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "must not contain control characters (tabs, newlines, …)",
        ));
    }
    Ok(value.to_owned())
}

/// A pulse's table key: 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PulseId(String);

impl PulseId {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let ok = raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldError::new(
                "id",
                "is not a pulse id (64 lowercase hex digits); open the pulse from the dashboard",
            ))
        }
    }

    /// For ids read back from the table, which may predate any validation.
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PulseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(h: &str, c: &str, t: &str, n: &str) -> Result<PulseKey, FieldError> {
        PulseKey::parse(Some(h), Some(c), Some(t), Some(n))
    }

    #[test]
    fn id_is_sha256_of_the_concatenated_fields() {
        // echo -n "hostcattypename" | sha256sum
        let k = key("host", "cat", "type", "name").unwrap();
        assert_eq!(
            k.id().as_str(),
            "43bd163354250bda11229022fb5649706ca71b49d5e1e8510b5ee2115bcdff27"
        );
    }

    #[test]
    fn field_table() {
        let long = "x".repeat(257);
        let max = "é".repeat(256);
        let cases: &[(&str, Option<&str>)] = &[
            ("ok", None),
            ("", Some("host: must not be empty")),
            (
                "a\nb",
                Some("host: must not contain control characters (tabs, newlines, …)"),
            ),
            (
                "a\u{7f}b",
                Some("host: must not contain control characters (tabs, newlines, …)"),
            ),
            (&long, Some("host: is 257 characters long; at most 256 are allowed")),
            (&max, None),
            ("<script>alert(1)</script>", None),
            ("db/export: nightly", None),
        ];
        for (host, want) in cases {
            let got = key(host, "c", "t", "n").err().map(|e| e.to_string());
            assert_eq!(got.as_deref(), *want, "host {host:?}");
        }
    }

    #[test]
    fn missing_fields_are_named() {
        let err = PulseKey::parse(Some("h"), Some("c"), None, Some("n")).unwrap_err();
        assert_eq!(err.to_string(), "type: is required");
    }

    #[test]
    fn id_parse_table() {
        let good = "a".repeat(64);
        assert!(PulseId::parse(&good).is_ok());
        for bad in ["", "abc", &"A".repeat(64), &"g".repeat(64), &"a".repeat(65)] {
            assert!(PulseId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
