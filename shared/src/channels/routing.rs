//! Which channels hear about a pulse: its own `channels` setting if it has one, else every route
//! that matches it (by category, host, pulse id or `*`), else the default Slack webhook, so an
//! incident always reaches someone.

use super::channel::{ChannelError, ChannelName, DEFAULT_CHANNEL};
use serde::{Deserialize, Serialize};

pub const ROUTES_MAX: usize = 200;
const CHANNELS_PER_ROUTE_MAX: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RouteTarget {
    #[serde(rename = "*")]
    All,
    Category,
    Host,
    Pulse,
}

/// One route as the API takes it: `{"match": "category", "value": "backups", "channels": ["ops"]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    #[serde(rename = "match")]
    pub target: RouteTarget,
    /// The category, host or pulse id; absent for `*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    pub channels: Vec<ChannelName>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Routes {
    pub routes: Vec<Route>,
}

/// The fields of a pulse routing looks at.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub id: &'a str,
    pub host: &'a str,
    pub category: &'a str,
}

impl Routes {
    /// Checks the routes as a whole; `known` says whether a channel name exists.
    pub fn check(&self, known: impl Fn(&ChannelName) -> bool) -> Result<(), ChannelError> {
        if self.routes.len() > ROUTES_MAX {
            return Err(ChannelError::field("routes", format!("at most {ROUTES_MAX} routes")));
        }
        for (i, route) in self.routes.iter().enumerate() {
            match (&route.target, route.value.as_deref()) {
                (RouteTarget::All, None) => {}
                (RouteTarget::All, Some(_)) => {
                    return Err(ChannelError::field(
                        "routes",
                        format!("route {i}: a \"*\" route takes no value"),
                    ));
                }
                (_, None) | (_, Some("")) => {
                    return Err(ChannelError::field(
                        "routes",
                        format!("route {i}: give the category, host or pulse id to match as \"value\""),
                    ));
                }
                (RouteTarget::Pulse, Some(id)) if crate::model::PulseId::parse(id).is_err() => {
                    return Err(ChannelError::field(
                        "routes",
                        format!("route {i}: a pulse id is its 64 hexadecimal characters"),
                    ));
                }
                _ => {}
            }
            if route.channels.is_empty() || route.channels.len() > CHANNELS_PER_ROUTE_MAX {
                return Err(ChannelError::field(
                    "routes",
                    format!("route {i}: name 1 to {CHANNELS_PER_ROUTE_MAX} channels"),
                ));
            }
            if let Some(unknown) = route.channels.iter().find(|c| !c.is_default() && !known(c)) {
                return Err(ChannelError::field(
                    "routes",
                    format!("route {i}: there is no channel named {unknown:?}; add it first"),
                ));
            }
        }
        Ok(())
    }
}

/// The channels for one pulse, in a stable order, never empty.
pub fn channels_for(subject: Subject<'_>, own: Option<&[ChannelName]>, routes: &Routes) -> Vec<ChannelName> {
    let mut out: Vec<ChannelName> = Vec::new();
    let mut add = |name: &ChannelName| {
        if !out.contains(name) {
            out.push(name.clone());
        }
    };
    match own {
        Some(own) if !own.is_empty() => own.iter().for_each(&mut add),
        _ => {
            for route in &routes.routes {
                let value = route.value.as_deref();
                let hit = match route.target {
                    RouteTarget::All => true,
                    RouteTarget::Category => value == Some(subject.category),
                    RouteTarget::Host => value == Some(subject.host),
                    RouteTarget::Pulse => value == Some(subject.id),
                };
                if hit {
                    route.channels.iter().for_each(&mut add);
                }
            }
        }
    }
    if out.is_empty() {
        out.push(ChannelName::parse(DEFAULT_CHANNEL).expect("the default name is valid"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> ChannelName {
        ChannelName::parse(n).unwrap()
    }

    fn names(list: &[ChannelName]) -> Vec<&str> {
        list.iter().map(ChannelName::as_str).collect()
    }

    #[test]
    fn routing_table() {
        let routes: Routes = serde_json::from_str(
            r#"{"routes":[
                {"match":"category","value":"backups","channels":["ops","pager"]},
                {"match":"host","value":"db1","channels":["pager","dba"]},
                {"match":"*","channels":["audit"]}
            ]}"#,
        )
        .unwrap();
        let id = "a".repeat(64);
        let subject = |host, category| Subject {
            id: &id,
            host,
            category,
        };
        type Case<'a> = (Subject<'a>, Option<Vec<ChannelName>>, Vec<&'a str>);
        let cases: [Case; 4] = [
            (subject("web", "backups"), None, vec!["ops", "pager", "audit"]),
            (subject("db1", "backups"), None, vec!["ops", "pager", "dba", "audit"]),
            (subject("web", "reports"), None, vec!["audit"]),
            // The pulse's own setting replaces the routes.
            (subject("db1", "backups"), Some(vec![name("dba")]), vec!["dba"]),
        ];
        for (subject, own, want) in cases {
            assert_eq!(names(&channels_for(subject, own.as_deref(), &routes)), want);
        }
    }

    #[test]
    fn nothing_configured_means_the_default_webhook() {
        let id = "b".repeat(64);
        let subject = Subject {
            id: &id,
            host: "h",
            category: "c",
        };
        assert_eq!(names(&channels_for(subject, None, &Routes::default())), ["default"]);
        assert_eq!(
            names(&channels_for(subject, Some(&[]), &Routes::default())),
            ["default"]
        );
        let pulse_route: Routes = serde_json::from_str(&format!(
            r#"{{"routes":[{{"match":"pulse","value":"{id}","channels":["ops"]}}]}}"#
        ))
        .unwrap();
        assert_eq!(names(&channels_for(subject, None, &pulse_route)), ["ops"]);
    }

    #[test]
    fn bad_routes_are_refused_with_the_reason() {
        let known = |c: &ChannelName| c.as_str() == "ops";
        let cases = [
            (
                r#"{"routes":[{"match":"*","value":"x","channels":["ops"]}]}"#,
                "takes no value",
            ),
            (
                r#"{"routes":[{"match":"host","channels":["ops"]}]}"#,
                "give the category",
            ),
            (
                r#"{"routes":[{"match":"pulse","value":"xyz","channels":["ops"]}]}"#,
                "64 hexadecimal",
            ),
            (
                r#"{"routes":[{"match":"host","value":"h","channels":[]}]}"#,
                "name 1 to",
            ),
            (
                r#"{"routes":[{"match":"host","value":"h","channels":["nope"]}]}"#,
                "no channel named",
            ),
        ];
        for (json, want) in cases {
            let routes: Routes = serde_json::from_str(json).unwrap();
            let err = routes.check(known).unwrap_err().to_string();
            assert!(err.contains(want), "{json}: {err}");
        }
        let ok: Routes = serde_json::from_str(r#"{"routes":[{"match":"*","channels":["ops","default"]}]}"#).unwrap();
        assert!(ok.check(known).is_ok());
    }
}
