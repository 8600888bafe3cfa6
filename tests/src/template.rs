//! What `template.yaml` tells API Gateway: for each API type, which function binary a route reaches
//! and how (payload version, timeout, binary media types), read from the APIs' OpenAPI definitions,
//! so that a test fed through this table proves the template's wiring as well as the functions.

use crate::repo::repo_root;
use std::collections::BTreeMap;
use yaml_rust2::{Yaml, YamlLoader};

/// `ApiType` in the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiType {
    Http,
    Rest,
}

impl ApiType {
    /// The API resource's logical id.
    fn resource(self) -> &'static str {
        match self {
            ApiType::Http => "HeartbeatHttpApi",
            ApiType::Rest => "HeartbeatApi",
        }
    }

    /// The value of the `ApiType` parameter that creates this API.
    pub fn parameter(self) -> &'static str {
        match self {
            ApiType::Http => "Http",
            ApiType::Rest => "Rest",
        }
    }
}

/// One route's integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integration {
    /// The function binary (the package folder of its `CodeUri`).
    pub binary: String,
    /// `payloadFormatVersion`; API Gateway's default for REST proxy integrations is 1.0.
    pub payload_format: String,
    pub timeout_ms: Option<i64>,
}

/// The routes of one API type and its settings.
#[derive(Debug, Clone)]
pub struct ApiRoutes {
    /// `(METHOD, path)` → integration.
    pub routes: BTreeMap<(String, String), Integration>,
    /// The API's binary media types as API Gateway gets them (SAM's `~1` escaping undone).
    pub binary_media_types: Vec<String>,
    /// The condition the API resource is created under.
    pub condition: String,
}

impl ApiRoutes {
    /// The integration of `method path`; panics naming the route when the API has none.
    pub fn route(&self, method: &str, path: &str) -> &Integration {
        self.routes
            .get(&(method.to_uppercase(), path.to_owned()))
            .unwrap_or_else(|| panic!("template.yaml routes no {method} {path}: {:?}", self.routes.keys()))
    }
}

fn load() -> Yaml {
    let path = repo_root().join("template.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    YamlLoader::load_from_str(&text)
        .expect("template.yaml is YAML")
        .remove(0)
}

fn text(yaml: &Yaml) -> Option<String> {
    match yaml {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        _ => None,
    }
}

/// The function logical id named in an integration URI: `!GetAtt F.Arn` or a `!Sub` with `${F.Arn}`.
fn function_of(uri: &Yaml) -> String {
    let raw = match uri {
        Yaml::Array(parts) => parts.first().and_then(text).unwrap_or_default(),
        other => text(other).unwrap_or_default(),
    };
    let before = raw.find(".Arn").map_or(raw.as_str(), |end| &raw[..end]);
    let start = before.rfind("${").map_or(0, |i| i + 2);
    before[start..].to_owned()
}

/// The routes `template.yaml` gives the API of `api`.
pub fn api_routes(api: ApiType) -> ApiRoutes {
    let template = load();
    let resources = &template["Resources"];
    let resource = &resources[api.resource()];
    assert!(!resource.is_badvalue(), "template.yaml has no {}", api.resource());
    let props = &resource["Properties"];
    let mut routes = BTreeMap::new();
    let paths = props["DefinitionBody"]["paths"]
        .as_hash()
        .unwrap_or_else(|| panic!("{} has no DefinitionBody paths", api.resource()));
    for (path, methods) in paths {
        let path = text(path).expect("a path");
        for (method, operation) in methods.as_hash().expect("methods") {
            let integration = &operation["x-amazon-apigateway-integration"];
            let function = function_of(&integration["uri"]);
            let binary = binary_of(&resources[function.as_str()])
                .unwrap_or_else(|| panic!("{function} (of {path}) has no CodeUri functions/<binary>"));
            routes.insert(
                (text(method).expect("a method").to_uppercase(), path.clone()),
                Integration {
                    binary,
                    payload_format: text(&integration["payloadFormatVersion"]).unwrap_or_else(|| "1.0".into()),
                    timeout_ms: integration["timeoutInMillis"].as_i64(),
                },
            );
        }
    }
    let binary_media_types = props["BinaryMediaTypes"]
        .as_vec()
        .map(|types| types.iter().filter_map(text).map(|t| t.replace("~1", "/")).collect())
        .unwrap_or_default();
    ApiRoutes {
        routes,
        binary_media_types,
        condition: text(&resource["Condition"]).unwrap_or_default(),
    }
}

/// The condition's `!Equals [!Ref ApiType, VALUE]` value.
pub fn condition_value(condition: &str) -> String {
    let template = load();
    let equals = &template["Conditions"][condition];
    match equals {
        Yaml::Array(pair) => pair.get(1).and_then(text).unwrap_or_default(),
        _ => String::new(),
    }
}

/// The routes (`METHOD/path` after the stage, as in an execute-api ARN) on which the API resource
/// `api` may invoke the function built as `binary`, from the template's `AWS::Lambda::Permission`s.
pub fn invoke_permissions(binary: &str, api: &str) -> Vec<String> {
    let template = load();
    let resources = template["Resources"].as_hash().expect("Resources");
    let function = resources
        .iter()
        .find(|(_, r)| binary_of(r).as_deref() == Some(binary))
        .and_then(|(id, _)| text(id))
        .unwrap_or_else(|| panic!("no function is built as {binary}"));
    let marker = format!("${{{api}}}/*/");
    let mut routes = Vec::new();
    for (_, resource) in resources {
        let props = &resource["Properties"];
        if text(&resource["Type"]).as_deref() != Some("AWS::Lambda::Permission")
            || text(&props["FunctionName"]).as_deref() != Some(function.as_str())
            || text(&props["Principal"]).as_deref() != Some("apigateway.amazonaws.com")
        {
            continue;
        }
        // A plain `!Sub`, or `!If [condition, !Sub …, !Sub …]`.
        let arns: Vec<String> = match &props["SourceArn"] {
            Yaml::Array(branches) => branches.iter().skip(1).filter_map(text).collect(),
            other => text(other).into_iter().collect(),
        };
        for arn in arns {
            if let Some((_, route)) = arn.split_once(&marker) {
                routes.push(route.to_owned());
            }
        }
    }
    routes
}

/// The binary a function resource builds: its package folder `functions/<binary>` (`CodeUri`), whose
/// package and binary share the name.
fn binary_of(resource: &Yaml) -> Option<String> {
    text(&resource["Properties"]["CodeUri"])?
        .strip_prefix("functions/")
        .map(|name| name.trim_end_matches('/').to_owned())
}
