//! The keys of the JSON API and of the status badges, read once at cold start. Each is optional:
//! without one its routes answer 503 (API) or 404 (badges) and say nothing else.

use crate::config::Secret;
use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
pub struct Keys {
    /// `API_KEY`: reads and writes.
    pub read_write: Option<Secret>,
    /// `API_READ_KEY`: reads only.
    pub read_only: Option<Secret>,
    /// `BADGE_KEY`: the path segment of the badge URLs, which end up in public READMEs.
    pub badge: Option<Secret>,
}

impl Keys {
    pub fn from_env() -> Self {
        Self::from_vars(&std::env::vars().collect())
    }

    pub fn from_vars(vars: &HashMap<String, String>) -> Self {
        let get = |name: &str| {
            vars.get(name)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(Secret::new)
        };
        Self {
            read_write: get("API_KEY"),
            read_only: get("API_READ_KEY"),
            badge: get("BADGE_KEY"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_keys_are_no_keys() {
        let vars = HashMap::from([
            ("API_KEY".to_owned(), "  ".to_owned()),
            ("API_READ_KEY".to_owned(), "r".to_owned()),
        ]);
        let keys = Keys::from_vars(&vars);
        assert!(keys.read_write.is_none());
        assert!(keys.read_only.as_ref().unwrap().matches("r"));
        assert!(keys.badge.is_none());
    }
}
