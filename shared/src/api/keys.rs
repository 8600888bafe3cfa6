//! The keys of the JSON API and of the status badges, read once at cold start. Each is optional:
//! without one its routes answer 503 (API) or 404 (badges) and say nothing else.

use crate::config::{Secret, Uses};
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
    pub fn from_vars(vars: &HashMap<String, String>) -> Self {
        Self::for_function(Uses::Everything, vars)
    }

    /// Only the keys `uses` reads (after `crate::secrets::resolve` put any from SSM into `vars`):
    /// the badge function never holds an API key, the API never the badge key.
    pub fn for_function(uses: Uses, vars: &HashMap<String, String>) -> Self {
        let get = |name: &str| {
            vars.get(name)
                .filter(|_| uses.secrets().contains(&name))
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

    #[test]
    fn each_function_holds_only_its_own_keys() {
        let vars = HashMap::from([
            ("API_KEY".to_owned(), "rw".to_owned()),
            ("API_READ_KEY".to_owned(), "r".to_owned()),
            ("BADGE_KEY".to_owned(), "b".to_owned()),
        ]);
        let badge = Keys::for_function(Uses::Badge, &vars);
        assert!(badge.read_write.is_none() && badge.read_only.is_none());
        assert!(badge.badge.unwrap().matches("b"));
        let api = Keys::for_function(Uses::Api, &vars);
        assert!(api.read_write.unwrap().matches("rw") && api.read_only.unwrap().matches("r"));
        assert!(api.badge.is_none());
        assert!(Keys::for_function(Uses::Pages, &vars).read_write.is_none());
    }
}
