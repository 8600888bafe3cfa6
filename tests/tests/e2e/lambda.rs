//! The Lambda path end to end: the eight real function binaries, each run as Lambda runs a
//! bootstrap against a stand-in Runtime API and a dynalite, fed the events API Gateway sends —
//! REST proxy (payload 1.0, request bodies base64-encoded by the template's binary media types) and
//! HTTP API (payload 2.0) — routed through `template.yaml`'s own route table, plus the monitor's
//! EventBridge schedule and the original README's constant input. The events are the samples in
//! `infra/events`, so those stay what the functions really accept.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use heartbeat_e2e::aws_sdk_dynamodb::types::AttributeValue;
use heartbeat_e2e::{
    ApiRoutes, ApiType, Behaviour, Dynalite, FUNCTIONS, LambdaFunction, SlackRecorder, api_routes, condition_value,
    original_id, put_indexed_item, repo_root, s_attr, stamp_days_ago,
};
use heartbeat_shared::api::{PREFIX, openapi_document};
use heartbeat_shared::routes::{self, Function, ROUTES};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Read;
use std::time::Duration;

/// The dashboard secret every sample event carries (infra/events/README.md).
const SECRET: &str = "local-dashboard-secret-123";
/// The samples' API Gateway domain.
const DOMAIN: &str = "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com";
const OK_BODY: &str = "Successful Heartbeat Pulse";
const API_KEY: &str = "lambda-path-api-key-5f2e9c";
const BADGE_KEY: &str = "lambda-path-badge-key-81d3";
const SLACK_WAIT: Duration = Duration::from_secs(10);

fn sample(name: &str) -> Value {
    let path = repo_root().join("infra/events").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every function, started as Lambda starts them, over one fresh table.
struct Stack {
    dynalite: Dynalite,
    table: String,
    slack: SlackRecorder,
    functions: HashMap<&'static str, LambdaFunction>,
}

impl Stack {
    async fn start() -> Self {
        let dynalite = Dynalite::start().await;
        let table = dynalite.fresh_table().await;
        let slack = SlackRecorder::start(Behaviour::Respond(200)).await;
        let endpoint = dynalite.endpoint();
        let slack_url = slack.url();
        let vars = [
            ("TABLE_NAME", table.as_str()),
            ("DASHBOARD_SECRET", SECRET),
            ("SLACK_WEBHOOK_URL", slack_url.as_str()),
            ("API_KEY", API_KEY),
            ("BADGE_KEY", BADGE_KEY),
        ];
        let mut functions = HashMap::new();
        for function in FUNCTIONS {
            functions.insert(function, LambdaFunction::start(function, &endpoint, &vars).await);
        }
        Self {
            dynalite,
            table,
            slack,
            functions,
        }
    }

    fn function(&self, binary: &str) -> &LambdaFunction {
        self.functions
            .get(binary)
            .unwrap_or_else(|| panic!("the template routes to {binary}, which is no function of the workspace"))
    }

    async fn item(&self, id: &str) -> HashMap<String, AttributeValue> {
        self.dynalite
            .client()
            .get_item()
            .table_name(&self.table)
            .key("_id", AttributeValue::S(id.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .expect("GetItem")
            .item
            .unwrap_or_else(|| panic!("no item {id}"))
    }
}

/// One API type: its routes from the template, and how its events and answers look.
struct Api {
    kind: ApiType,
    routes: ApiRoutes,
}

impl Api {
    fn of(kind: ApiType) -> Self {
        let routes = api_routes(kind);
        assert_eq!(
            condition_value(&routes.condition),
            kind.parameter(),
            "the {kind:?} API exists for ApiType={}",
            kind.parameter()
        );
        Self { kind, routes }
    }

    /// The sample event of `name` for this API type (`pulse-get` → `pulse-get.json` or
    /// `pulse-get-v2.json`).
    fn event(&self, name: &str) -> Value {
        match self.kind {
            ApiType::Rest => sample(&format!("{name}.json")),
            ApiType::Http => sample(&format!("{name}-v2.json")),
        }
    }

    /// A request for `path` on the template's `route` (whose `{name}` parts `params` fill), as this
    /// API type hands it over: the dashboard sample with its method, path and route replaced.
    fn request(&self, method: &str, route: &str, path: &str, params: &[(&str, &str)]) -> Value {
        let mut event = self.event("dashboard-get");
        let params: serde_json::Map<String, Value> = params.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
        event["pathParameters"] = if params.is_empty() {
            Value::Null
        } else {
            Value::Object(params)
        };
        match self.kind {
            ApiType::Rest => {
                event["resource"] = json!(route);
                event["path"] = json!(path);
                event["httpMethod"] = json!(method);
                event["requestContext"]["resourcePath"] = json!(route);
                event["requestContext"]["httpMethod"] = json!(method);
                event["requestContext"]["path"] = json!(format!("/Prod{path}"));
            }
            ApiType::Http => {
                let route_key = format!("{method} {route}");
                event["routeKey"] = json!(route_key);
                event["rawPath"] = json!(path);
                event["requestContext"]["routeKey"] = json!(route_key);
                event["requestContext"]["http"]["method"] = json!(method);
                event["requestContext"]["http"]["path"] = json!(path);
            }
        }
        set_query(&mut event, &[]);
        event
    }

    /// `(METHOD, path)` of an event of this API's payload version, checked against that version.
    fn route_of(&self, event: &Value) -> (String, String) {
        match self.kind {
            ApiType::Rest => {
                assert_eq!(event.get("version"), None, "a REST proxy event has no version");
                let context = &event["requestContext"];
                assert_eq!(context["stage"], json!("Prod"));
                let path = event["path"].as_str().expect("path");
                assert_eq!(
                    context["path"],
                    json!(format!("/Prod{path}")),
                    "the stage is a path prefix"
                );
                (str_of(&event["httpMethod"]), str_of(&event["resource"]))
            }
            ApiType::Http => {
                assert_eq!(event["version"], json!("2.0"));
                assert_eq!(event["requestContext"]["stage"], json!("$default"));
                let route_key = str_of(&event["routeKey"]);
                let (method, path) = route_key.split_once(' ').expect("METHOD /path");
                // The $default stage adds no prefix: the path is the route's, its parameters filled in.
                assert_eq!(event["rawPath"], event["requestContext"]["http"]["path"]);
                if !path.contains('{') {
                    assert_eq!(event["rawPath"], json!(path), "the $default stage adds no prefix");
                }
                assert_eq!(event["requestContext"]["http"]["method"], json!(method));
                (method.to_owned(), path.to_owned())
            }
        }
    }

    /// Sends `event` to the function the template routes it to, and checks the answer is in this
    /// API's response form.
    async fn send(&self, stack: &Stack, event: &Value) -> Answer {
        let (method, path) = self.route_of(event);
        let integration = self.routes.route(&method, &path);
        let route = ROUTES
            .iter()
            .find(|route| route.method == method && route.path == path)
            .unwrap_or_else(|| panic!("the route table (shared/src/routes.rs) has no {method} {path}"));
        assert_eq!(
            integration.binary,
            route.function.binary(),
            "template.yaml and the route table send {method} {path} to different functions"
        );
        match self.kind {
            ApiType::Rest => assert_eq!(integration.payload_format, "1.0", "{method} {path}"),
            ApiType::Http => {
                assert_eq!(integration.payload_format, "2.0", "{method} {path}");
                assert_eq!(integration.timeout_ms, Some(30_000), "{method} {path}");
            }
        }
        let answer = stack.function(&integration.binary).invoke(event).await;
        // Payload 2.0 answers carry `cookies`; the REST proxy form has no such field.
        assert_eq!(
            answer.get("cookies").is_some(),
            self.kind == ApiType::Http,
            "{method} {path} answered in the wrong form: {answer}"
        );
        Answer::from(answer)
    }

    /// A request body as this API hands it over: REST with binary media type */* base64-encodes
    /// every body; HTTP API passes JSON as text and base64-encodes forms.
    fn with_body(&self, mut event: Value, content_type: &str, body: &str) -> Value {
        let base64 = self.kind == ApiType::Rest || !content_type.starts_with("application/json");
        event["body"] = if base64 {
            json!(BASE64.encode(body))
        } else {
            json!(body)
        };
        event["isBase64Encoded"] = json!(base64);
        set_header(&mut event, "Content-Type", content_type);
        set_header(&mut event, "Content-Length", &body.len().to_string());
        event
    }
}

fn str_of(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
        .to_owned()
}

/// Sets a request header in both payload versions' places (v1 also keeps multiValueHeaders).
fn set_header(event: &mut Value, name: &str, value: &str) {
    let headers = event["headers"].as_object_mut().expect("headers");
    headers.retain(|k, _| !k.eq_ignore_ascii_case(name));
    if event.get("version").is_some() {
        event["headers"][name.to_lowercase()] = json!(value);
    } else {
        event["headers"][name] = json!(value);
        if let Some(multi) = event["multiValueHeaders"].as_object_mut() {
            multi.retain(|k, _| !k.eq_ignore_ascii_case(name));
            multi.insert(name.to_owned(), json!([value]));
        }
    }
}

/// Replaces the query string in both payload versions' places.
fn set_query(event: &mut Value, pairs: &[(&str, &str)]) {
    let single: serde_json::Map<String, Value> = pairs.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
    event["queryStringParameters"] = Value::Object(single);
    if event.get("version").is_some() {
        let raw: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", v.replace('%', "%25").replace('&', "%26").replace(' ', "%20")))
            .collect();
        event["rawQueryString"] = json!(raw.join("&"));
    } else {
        let multi: serde_json::Map<String, Value> = pairs.iter().map(|(k, v)| ((*k).to_owned(), json!([v]))).collect();
        event["multiValueQueryStringParameters"] = Value::Object(multi);
    }
}

/// A function's answer, the way API Gateway turns it into an HTTP response.
#[derive(Debug)]
struct Answer {
    status: u64,
    headers: serde_json::Map<String, Value>,
    /// The body as the client receives it (base64 decoded).
    body: Vec<u8>,
    raw: Value,
}

impl From<Value> for Answer {
    fn from(raw: Value) -> Self {
        let status = raw["statusCode"]
            .as_u64()
            .unwrap_or_else(|| panic!("no statusCode: {raw}"));
        // API Gateway merges `headers` and `multiValueHeaders` (lambda_http fills the latter for REST).
        let mut headers = raw["headers"].as_object().cloned().unwrap_or_default();
        for (name, values) in raw["multiValueHeaders"].as_object().into_iter().flatten() {
            let joined: Vec<&str> = values
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            headers.insert(name.clone(), json!(joined.join(", ")));
        }
        let text = raw["body"].as_str().unwrap_or_default();
        let body = if raw["isBase64Encoded"] == json!(true) {
            BASE64.decode(text).expect("a base64 body")
        } else {
            text.as_bytes().to_vec()
        };
        Self {
            status,
            headers,
            body,
            raw,
        }
    }
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("a UTF-8 body")
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.raw))
    }

    fn assert(&self, status: u64, content_type: &str) {
        assert_eq!(self.status, status, "{:?}", self.raw);
        assert!(
            self.header("content-type").starts_with(content_type),
            "content-type {:?}, not {content_type}: {:?}",
            self.header("content-type"),
            self.raw
        );
    }
}

fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .expect("a gzip body");
    text
}

/// Every route of one API type, in the order a user meets them: pulses (GET, form POST, JSON
/// POST, a refused one), the dashboard (plain and gzip), the edit form and its save, the monitor by
/// URL (an alert with links to where the API is reached, a wrong secret, a wrong method).
async fn every_route(kind: ApiType) {
    let api = Api::of(kind);
    let stack = Stack::start().await;
    let id = original_id("web-1", "backup", "db", "nightly");

    // POST, form body (base64, as API Gateway hands it over): the first pulse, so its threshold is
    // the item's.
    let form = api.event("pulse-post-form");
    assert_eq!(
        form["isBase64Encoded"],
        json!(true),
        "the sample is what API Gateway sends"
    );
    let answer = api.send(&stack, &form).await;
    answer.assert(200, "text/plain");
    assert_eq!(answer.text(), OK_BODY);
    let item = stack.item(&id).await;
    assert_eq!(s_attr(&item, "host"), "web-1");
    assert_eq!(s_attr(&item, "nameF"), "nightly");
    assert_eq!(s_attr(&item, "thresholdF"), "26", "the form's threshold was read");
    assert_eq!(s_attr(&item, "lastMessage"), "backup finished: 42 tables, 1.3 GB");
    let first = s_attr(&item, "timestampF").to_owned();

    // GET /heartbeat/pulse: the original client's call.
    let answer = api.send(&stack, &api.event("pulse-get")).await;
    answer.assert(200, "text/plain");
    assert_eq!(answer.text(), OK_BODY);
    let item = stack.item(&id).await;
    assert_eq!(item.get("pulseCount"), Some(&AttributeValue::N("2".into())), "{item:?}");
    assert!(s_attr(&item, "timestampF") >= first.as_str());

    // POST, JSON body.
    let answer = api.send(&stack, &api.event("pulse-post-json")).await;
    answer.assert(200, "text/plain");
    let item = stack.item(&id).await;
    assert_eq!(s_attr(&item, "lastMessage"), "backup finished");
    assert!(s_attr(&item, "lastMetadata").contains("1395864371"), "{item:?}");

    // A message with a comma in the query string: HTTP API also lists it in queryStringParameters,
    // where commas join repeated values; it must arrive whole.
    let mut comma = api.event("pulse-get");
    let message = "copied 3 files, 2 dirs";
    set_query(
        &mut comma,
        &[
            ("host", "web-1"),
            ("category", "backup"),
            ("type", "db"),
            ("name", "nightly"),
            ("message", message),
        ],
    );
    api.send(&stack, &comma).await.assert(200, "text/plain");
    assert_eq!(s_attr(&stack.item(&id).await, "lastMessage"), message);

    // A form without a name: refused, naming what is missing, nothing written.
    let refused = api.with_body(
        api.event("pulse-post-form"),
        "application/x-www-form-urlencoded",
        "host=web-1&category=backup&type=db",
    );
    let answer = api.send(&stack, &refused).await;
    answer.assert(400, "text/plain");
    assert!(answer.text().contains("name"), "{}", answer.text());
    let items = stack
        .dynalite
        .client()
        .scan()
        .table_name(&stack.table)
        .send()
        .await
        .expect("Scan")
        .count();
    assert_eq!(items, 1, "nothing written for the refused pulse");

    // The dashboard, plain and gzip-compressed.
    let answer = api.send(&stack, &api.event("dashboard-get")).await;
    answer.assert(200, "text/html");
    assert_eq!(answer.raw["isBase64Encoded"], json!(false));
    let page = answer.text();
    assert!(page.contains("<td>nightly<td>"), "the pulse is listed");
    // The page's script builds each row's links from its key (the id is its hash) and this query,
    // as relative links (pulses/…, edit?…), so they keep any stage prefix.
    let links_query = format!("data-secret=\"secret={SECRET}\"");
    assert!(page.contains(&links_query), "{page}");
    assert!(!page.contains(&id), "no id needed on a row whose id is its key's hash");
    let mut gzip = api.event("dashboard-get");
    set_header(&mut gzip, "Accept-Encoding", "gzip, deflate, br");
    let answer = api.send(&stack, &gzip).await;
    answer.assert(200, "text/html");
    assert_eq!(
        answer.raw["isBase64Encoded"],
        json!(true),
        "bytes reach API Gateway base64-encoded"
    );
    assert_eq!(answer.header("content-encoding"), "gzip");
    let unzipped = gunzip(&answer.body);
    assert!(unzipped.starts_with("<!doctype html>"), "the page, compressed");
    assert!(unzipped.contains(&links_query), "the same page, compressed");
    assert!(unzipped.contains("<td>nightly<td>"), "the same rows, compressed");
    if kind == ApiType::Rest {
        // REST passes a base64 answer on as bytes only for a binary media type matching it.
        assert!(
            api.routes.binary_media_types.iter().any(|t| t == "*/*"),
            "{:?}",
            api.routes
        );
    }

    // The edit form, then its save (a base64 form body): 303 back to the dashboard.
    let answer = api.send(&stack, &api.event("edit-get")).await;
    answer.assert(200, "text/html");
    assert!(answer.text().contains("value=\"26\""), "the current threshold is shown");
    let answer = api.send(&stack, &api.event("edit-post")).await;
    assert_eq!(answer.status, 303, "{:?}", answer.raw);
    assert_eq!(answer.header("location"), format!("dashboard?secret={SECRET}"));
    let item = stack.item(&id).await;
    assert_eq!(s_attr(&item, "thresholdF"), "36");
    assert_eq!(s_attr(&item, "saturday"), "1");
    assert_eq!(s_attr(&item, "tz"), "Europe/Berlin");

    // The monitor by URL: a job silent for 30 days is alerted, with links to the address the
    // request reached (REST: with the /Prod stage; HTTP API: none).
    put_indexed_item(
        &stack.dynalite.client(),
        &stack.table,
        ["db-1", "backup", "cron", "weekly", &stamp_days_ago(30), "24", "1"],
    )
    .await;
    let answer = api.send(&stack, &api.event("monitor-get")).await;
    answer.assert(200, "application/json");
    let summary = answer.json();
    assert_eq!(summary["newly_exceeded"], json!(1), "{summary}");
    assert_eq!(summary["messages_sent"], json!(1), "{summary}");
    let sent = stack.slack.wait_for(1, SLACK_WAIT).await;
    let text = sent[0].json.as_ref().expect("a JSON message")["text"]
        .as_str()
        .expect("text")
        .to_owned();
    let base = match kind {
        ApiType::Rest => format!("https://{DOMAIN}/Prod"),
        ApiType::Http => format!("https://{DOMAIN}"),
    };
    assert!(
        text.contains(&format!("<{base}/heartbeat/dashboard?secret={SECRET}|")),
        "{text}"
    );

    // The JSON API issue's routes: the detail page, the API (read and change), its CSV, a badge.
    let detail_path = format!("/heartbeat/pulses/{id}");
    let mut detail = api.request("GET", "/heartbeat/pulses/{id}", &detail_path, &[("id", &id)]);
    set_query(&mut detail, &[("secret", SECRET)]);
    let answer = api.send(&stack, &detail).await;
    answer.assert(200, "text/html");
    assert!(answer.text().contains("nightly"), "the detail page shows the pulse");

    let list_route = "/heartbeat/api/v1/{proxy+}";
    let mut list = api.request("GET", list_route, "/heartbeat/api/v1/pulses", &[("proxy", "pulses")]);
    set_query(&mut list, &[("host", "web-1")]);
    set_header(&mut list, "Authorization", &format!("Bearer {API_KEY}"));
    let answer = api.send(&stack, &list).await;
    answer.assert(200, "application/json");
    let listed = answer.json();
    let ids: Vec<&str> = listed["pulses"]
        .as_array()
        .expect("pulses")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(ids, [id.as_str()], "{listed}");

    let one = format!("/heartbeat/api/v1/pulses/{id}");
    let patch = api.request(
        "PATCH",
        list_route,
        &one,
        &[("proxy", &one["/heartbeat/api/v1/".len()..])],
    );
    let mut patch = api.with_body(patch, "application/json", r#"{"threshold": 12}"#);
    set_header(&mut patch, "Authorization", &format!("Bearer {API_KEY}"));
    let answer = api.send(&stack, &patch).await;
    answer.assert(200, "application/json");
    assert_eq!(s_attr(&stack.item(&id).await, "thresholdF"), "12", "the API changed it");

    let mut csv = api.request("GET", "/heartbeat/export.csv", "/heartbeat/export.csv", &[]);
    set_query(&mut csv, &[("secret", SECRET)]);
    let answer = api.send(&stack, &csv).await;
    answer.assert(200, "text/csv");
    assert!(answer.text().contains("nightly"), "{}", answer.text());

    let scope = format!("{id}.svg");
    let badge_path = format!("/heartbeat/badge/{BADGE_KEY}/{scope}");
    let badge = api.request(
        "GET",
        "/heartbeat/badge/{key}/{scope}",
        &badge_path,
        &[("key", BADGE_KEY), ("scope", &scope)],
    );
    let answer = api.send(&stack, &badge).await;
    answer.assert(200, "image/svg+xml");
    assert!(answer.text().starts_with("<svg"), "{}", answer.text());

    let mut wrong = api.event("monitor-get");
    set_query(&mut wrong, &[("secret", "not-the-secret")]);
    let answer = api.send(&stack, &wrong).await;
    answer.assert(403, "application/json");
    assert_eq!(answer.json()["status"], json!(403));
    assert_eq!(stack.slack.requests().len(), 1, "nothing more sent");

    // `curl -G --data-urlencode` for a pulse named `nightly+1` in `Etc/GMT+1` on a cron schedule: a
    // space is `+`, a plus `%2B`. The REST API hands the values over decoded (both as `+`), the HTTP
    // API as sent; either way `+` is a space but in the id's parts and `tz`.
    let answer = api.send(&stack, &api.event("pulse-get-plus")).await;
    answer.assert(200, "text/plain");
    assert_eq!(answer.text(), OK_BODY);
    let item = stack.item(&original_id("web-1", "backup", "db", "nightly+1")).await;
    assert_eq!(s_attr(&item, "nameF"), "nightly+1");
    assert_eq!(s_attr(&item, "tz"), "Etc/GMT+1");
    assert_eq!(s_attr(&item, "schedule"), "30 6 * * 1-5");
    assert_eq!(s_attr(&item, "lastMessage"), "dumped in 4 min");
}

#[tokio::test]
async fn every_route_answers_http_api_events() {
    every_route(ApiType::Http).await;
}

#[tokio::test]
async fn every_route_answers_rest_api_events() {
    every_route(ApiType::Rest).await;
}

/// The monitor's other two ways in: the EventBridge rule's scheduled event (its run summary, no
/// secret) and the original README's constant input (a proxy response); anything else is a 400.
#[tokio::test]
async fn the_monitor_answers_the_schedule_and_the_constant_input() {
    let stack = Stack::start().await;
    let monitor = stack.function("monitor");
    put_indexed_item(
        &stack.dynalite.client(),
        &stack.table,
        ["db-1", "backup", "cron", "weekly", &stamp_days_ago(30), "24", "1"],
    )
    .await;

    let summary = monitor.invoke(&sample("monitor-scheduled.json")).await;
    assert_eq!(
        summary.get("statusCode"),
        None,
        "a schedule gets the summary itself: {summary}"
    );
    assert_eq!(summary["checked"], json!(1), "{summary}");
    assert_eq!(summary["newly_exceeded"], json!(1), "{summary}");
    let sent = stack.slack.wait_for(1, SLACK_WAIT).await;
    assert!(
        sent[0].body.contains("weekly"),
        "the alert names the job: {}",
        sent[0].body
    );

    let answer = Answer::from(monitor.invoke(&sample("monitor-constant-input.json")).await);
    answer.assert(200, "application/json");
    assert_eq!(answer.raw.get("cookies"), None, "the REST proxy form");
    let again = answer.json();
    assert!(again.get("checked").is_some(), "the run's summary: {again}");
    assert_eq!(again["newly_exceeded"], json!(0), "alerted once: {again}");

    let answer = Answer::from(monitor.invoke(&json!({ "ping": true })).await);
    answer.assert(400, "application/json");
    assert!(
        answer.json()["error"]
            .as_str()
            .unwrap_or_default()
            .contains("scheduled event")
    );
    assert_eq!(stack.slack.requests().len(), 1, "one alert in all");
}

/// `template.yaml` routes, on both API types, exactly the route table's routes (shared/src/routes.rs)
/// to the table's functions; every operation of the API's own `openapi.json` reaches the api
/// function there and in the table; and API Gateway may invoke each function on its routes (the one
/// permission per function covers both types).
#[test]
fn both_api_types_route_the_tables_routes_and_every_api_operation_to_their_functions() {
    let mut table: Vec<(String, String, String)> = ROUTES
        .iter()
        .map(|route| {
            (
                route.method.to_owned(),
                route.path.to_owned(),
                route.function.binary().to_owned(),
            )
        })
        .collect();
    table.sort();
    let operations = openapi_operations();
    assert!(operations.len() >= 20, "openapi.json's operations: {operations:?}");
    let mut problems = Vec::new();
    for kind in [ApiType::Http, ApiType::Rest] {
        let api = api_routes(kind);
        for (method, path) in &operations {
            let request = format!("{PREFIX}{}", filled(path));
            let reached = api
                .routes
                .iter()
                .find(|((m, p), _)| m == method && routes::matches(p, &request))
                .map(|(_, integration)| integration.binary.as_str());
            if reached != Some(Function::Api.binary()) {
                problems.push(format!(
                    "openapi.json's {method} {path} reaches {reached:?} on the {kind:?} API, not the api function"
                ));
            }
            if routes::routes(method, &request).map(|route| route.function) != Some(Function::Api) {
                problems.push(format!(
                    "the route table sends openapi.json's {method} {path} elsewhere"
                ));
            }
        }
        let mut template: Vec<(String, String, String)> = api
            .routes
            .iter()
            .map(|((method, path), integration)| (method.clone(), path.clone(), integration.binary.clone()))
            .collect();
        template.sort();
        for route in table.iter().filter(|route| !template.contains(route)) {
            problems.push(format!("the {kind:?} API lacks the table's {route:?}"));
        }
        for route in template.iter().filter(|route| !table.contains(route)) {
            problems.push(format!("the {kind:?} API has {route:?}, which the table lacks"));
        }
        for ((method, path), integration) in &api.routes {
            for resource in ["HeartbeatHttpApi", "HeartbeatApi"] {
                let permitted = heartbeat_e2e::invoke_permissions(&integration.binary, resource);
                let allowed = permitted.iter().any(|arn| {
                    let (route_method, route_path) = arn.split_once('/').expect("METHOD/path");
                    (route_method == "*" || route_method == method) && permits(&format!("/{route_path}"), path)
                });
                if !allowed {
                    problems.push(format!(
                        "{resource} may not invoke {} for {method} {path}: {permitted:?}",
                        integration.binary
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "template.yaml:\n{}", problems.join("\n"));
    assert_ne!(
        api_routes(ApiType::Http).condition,
        api_routes(ApiType::Rest).condition,
        "never both"
    );
}

/// `(METHOD, path)` of every operation in the API's OpenAPI document, paths as written there.
fn openapi_operations() -> Vec<(String, String)> {
    let methods = ["get", "put", "post", "patch", "delete", "head", "options", "trace"];
    let paths = openapi_document()["paths"].as_object().expect("openapi.json has paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            let item = item.as_object().expect("a path item");
            methods
                .iter()
                .filter(|method| item.contains_key(**method))
                .map(|method| (method.to_uppercase(), path.clone()))
        })
        .collect()
}

/// A request path for an OpenAPI path: each `{name}` filled with a sample value.
fn filled(path: &str) -> String {
    path.split('/')
        .map(|part| if part.starts_with('{') { "sample" } else { part })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether a permission's path (`*` for any text) covers a route of the API's definition, whose
/// `{name}` and `{name+}` parts stand for any text a request puts there.
fn permits(pattern: &str, route: &str) -> bool {
    let sample: String = route
        .split('/')
        .map(|part| if part.starts_with('{') { "some-value/more" } else { part })
        .collect::<Vec<_>>()
        .join("/");
    glob(pattern.as_bytes(), sample.as_bytes())
}

fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|skip| glob(rest, &text[skip..])),
        Some((c, rest)) => text.first() == Some(c) && glob(rest, &text[1..]),
    }
}

#[test]
fn a_permission_path_covers_only_its_routes() {
    assert!(permits("/heartbeat/pulse", "/heartbeat/pulse"));
    assert!(!permits("/heartbeat/pulse", "/heartbeat/pulses/{id}"));
    assert!(permits("/heartbeat/pulses/*", "/heartbeat/pulses/{id}"));
    assert!(permits("/heartbeat/api/v1/*", "/heartbeat/api/v1/{proxy+}"));
    assert!(!permits("/heartbeat/api/v1/*", "/heartbeat/export.csv"));
}
