//! Structured requests (method, path, query, headers, body) sent to all four HTTP handlers: pulse,
//! dashboard, edit (GET) and edit (POST), each against a fresh in-memory store holding one pulse and a
//! configuration with a dashboard secret. None may panic or answer a 5xx, and each must answer one of
//! the statuses it is documented to use.

#![no_main]

use arbitrary::Arbitrary;
use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::TZ_VARIANTS;
use heartbeat_fuzz::{NAMES, PULSE_STATUSES, block_on, config};
use heartbeat_shared::config::Config;
use heartbeat_shared::handlers;
use heartbeat_shared::http::params::MAX_BODY_BYTES;
use heartbeat_shared::model::{Alert, Pulse, PulseKey, Threshold, Zone, format_stamp};
use heartbeat_shared::store::MemoryStore;
use lambda_http::http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue};
use lambda_http::http::{Method, Response};
use lambda_http::{Body, Request, RequestExt};
use libfuzzer_sys::fuzz_target;
use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};
use std::collections::HashMap;
use std::sync::OnceLock;

/// `&` in the secret makes the percent-encoding of links matter.
const SECRET: &str = "s3cr&t";
const PULSE_KEY: &str = "k3y";
const SEED: [&str; 4] = ["web-1", "backup", "db", "nightly"];

/// What `http` refuses in a URI; everything else of a raw value (`%`, `&`, `=`, `+`) goes in as is.
const URI_UNSAFE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

#[derive(Arbitrary, Debug)]
enum MethodChoice {
    Get,
    Post,
    Head,
    Put,
    Delete,
    Options,
    Patch,
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum PathChoice {
    Pulse,
    Dashboard,
    Edit,
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum Name {
    Known(u8),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Value {
    /// Sent without percent-encoding (except what a URI cannot hold): malformed escapes included.
    Raw(String),
    /// Percent-encoded: arrives intact.
    Encoded(String),
    Secret,
    WrongSecret,
    PulseKey,
    SeededId,
    OtherId,
    SeededField(u8),
    /// Milliseconds, written as decimal hours; 0 and > 8760 h are refused.
    Threshold(u64),
    Tz(u16),
    Flag(bool),
    Empty,
}

#[derive(Arbitrary, Debug)]
struct Pair {
    name: Name,
    value: Value,
    /// `name` alone, without `=`.
    bare: bool,
}

#[derive(Arbitrary, Debug)]
enum HeaderChoice<'a> {
    BearerKey,
    Bearer(String),
    Authorization(&'a [u8]),
    ContentType(&'a [u8]),
    Other(String, &'a [u8]),
}

#[derive(Arbitrary, Debug)]
enum ContentType {
    Form,
    FormCharset,
    Json,
    JsonCharset,
    Text,
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum Json {
    Value(Value),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
    List(Vec<i32>),
    Object(Vec<(String, String)>),
    /// Written verbatim: often breaks the JSON.
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum BodyChoice<'a> {
    Empty,
    Form(Vec<Pair>),
    Json(Vec<(Name, Json)>),
    Text(String),
    Bytes(&'a [u8]),
    /// Just over the body limit.
    Oversized(u8),
}

#[derive(Arbitrary, Debug)]
struct Seeded {
    /// Seconds relative to now, kept within about two years.
    last_offset: i32,
    threshold_millis: u64,
    saturday: bool,
    tz: Option<u16>,
    message: Option<String>,
    metadata: Option<String>,
    alerted: bool,
}

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    method: MethodChoice,
    path: PathChoice,
    query: Vec<Pair>,
    /// The query handed over decoded, as API Gateway does, rather than left in the URI.
    api_gateway: bool,
    headers: Vec<HeaderChoice<'a>>,
    content_type: Option<ContentType>,
    body: BodyChoice<'a>,
    /// A PULSE_KEY is configured.
    keyed: bool,
    /// Seconds relative to Monday 2026-11-23 12:00 UTC, kept within about two years.
    now_offset: i32,
    seeded: Seeded,
}

fn configs() -> &'static [Config; 2] {
    static CONFIGS: OnceLock<[Config; 2]> = OnceLock::new();
    CONFIGS.get_or_init(|| {
        [
            config(&[("DASHBOARD_SECRET", SECRET)]),
            config(&[("DASHBOARD_SECRET", SECRET), ("PULSE_KEY", PULSE_KEY)]),
        ]
    })
}

fn seed_key() -> PulseKey {
    PulseKey::parse(Some(SEED[0]), Some(SEED[1]), Some(SEED[2]), Some(SEED[3])).expect("a valid key")
}

fn threshold_text(millis: u64) -> String {
    format!("{}", millis as f64 / 3_600_000.0)
}

impl Name {
    fn text(&self) -> String {
        match self {
            Name::Known(i) => NAMES[usize::from(*i) % NAMES.len()].to_owned(),
            Name::Raw(raw) => raw.clone(),
        }
    }

    fn encoded(&self) -> String {
        match self {
            Name::Known(_) => encode(&self.text()),
            Name::Raw(raw) => utf8_percent_encode(raw, URI_UNSAFE).to_string(),
        }
    }
}

impl Value {
    /// The value as the handler should see it after decoding.
    fn text(&self) -> String {
        match self {
            Value::Raw(text) | Value::Encoded(text) => text.clone(),
            Value::Secret => SECRET.to_owned(),
            Value::WrongSecret => "s3cr".to_owned(),
            Value::PulseKey => PULSE_KEY.to_owned(),
            Value::SeededId => seed_key().id().to_string(),
            Value::OtherId => "0".repeat(64),
            Value::SeededField(i) => SEED[usize::from(*i) % SEED.len()].to_owned(),
            Value::Threshold(millis) => threshold_text(*millis),
            Value::Tz(i) => TZ_VARIANTS[usize::from(*i) % TZ_VARIANTS.len()].name().to_owned(),
            Value::Flag(flag) => if *flag { "1" } else { "0" }.to_owned(),
            Value::Empty => String::new(),
        }
    }

    fn encoded(&self) -> String {
        match self {
            Value::Raw(raw) => utf8_percent_encode(raw, URI_UNSAFE).to_string(),
            other => encode(&other.text()),
        }
    }
}

fn encode(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

fn urlencoded(pairs: &[Pair]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .map(|p| {
            if p.bare {
                p.name.encoded()
            } else {
                format!("{}={}", p.name.encoded(), p.value.encoded())
            }
        })
        .collect();
    parts.join("&")
}

fn json_body(members: &[(Name, Json)]) -> String {
    let text = |s: &str| serde_json::Value::String(s.to_owned()).to_string();
    let members: Vec<String> = members
        .iter()
        .map(|(name, value)| {
            let value = match value {
                Json::Value(v) => text(&v.text()),
                Json::Int(n) => n.to_string(),
                Json::Float(f) => serde_json::Number::from_f64(*f).map_or("1e400".to_owned(), |n| n.to_string()),
                Json::Bool(b) => b.to_string(),
                Json::Null => "null".to_owned(),
                Json::List(items) => serde_json::json!(items).to_string(),
                Json::Object(pairs) => {
                    let inner: Vec<String> = pairs.iter().map(|(k, v)| format!("{}:{}", text(k), text(v))).collect();
                    format!("{{{}}}", inner.join(","))
                }
                Json::Raw(raw) => raw.clone(),
            };
            format!("{}:{value}", text(&name.text()))
        })
        .collect();
    format!("{{{}}}", members.join(","))
}

impl Input<'_> {
    fn now(&self) -> DateTime<Utc> {
        let base = DateTime::from_timestamp(1_795_435_200, 0).expect("2026-11-23T12:00:00Z");
        base + TimeDelta::seconds(i64::from(self.now_offset % 63_072_000))
    }

    fn store(&self) -> MemoryStore {
        let s = &self.seeded;
        let last = self.now()
            + TimeDelta::seconds(i64::from(s.last_offset % 63_072_000))
            + TimeDelta::milliseconds(i64::from(s.last_offset % 1000));
        let stamp = format_stamp(last);
        let key = seed_key();
        let store = MemoryStore::new();
        store.insert(Pulse {
            id: key.id(),
            key,
            last_pulse: last,
            stamp: stamp.clone(),
            threshold: Threshold::from_hours((s.threshold_millis % 31_536_000_000 + 1) as f64 / 3_600_000.0)
                .expect("a threshold in range"),
            saturday: s.saturday,
            tz: s
                .tz
                .map(|i| Zone::from(TZ_VARIANTS[usize::from(i) % TZ_VARIANTS.len()])),
            pulse_count: Some(3),
            first_seen: Some(last - TimeDelta::days(3)),
            last_message: s.message.clone(),
            last_metadata: s.metadata.clone(),
            alert: s.alerted.then_some(Alert {
                for_stamp: stamp,
                notified_at: last,
            }),
            claim: None,
            due_at: Some(last),
            quiet: Default::default(),
            run: Default::default(),
            expect: Default::default(),
        });
        store
    }

    /// The request, or `None` where `http` cannot represent it (then no handler could see it).
    fn request(&self) -> Option<Request> {
        let method = match &self.method {
            MethodChoice::Get => Method::GET,
            MethodChoice::Post => Method::POST,
            MethodChoice::Head => Method::HEAD,
            MethodChoice::Put => Method::PUT,
            MethodChoice::Delete => Method::DELETE,
            MethodChoice::Options => Method::OPTIONS,
            MethodChoice::Patch => Method::PATCH,
            MethodChoice::Other(name) => Method::from_bytes(name.as_bytes()).ok()?,
        };
        let path = match &self.path {
            PathChoice::Pulse => "/heartbeat/pulse".to_owned(),
            PathChoice::Dashboard => "/heartbeat/dashboard".to_owned(),
            PathChoice::Edit => "/heartbeat/edit".to_owned(),
            PathChoice::Other(raw) => format!("/{}", utf8_percent_encode(raw, URI_UNSAFE)),
        };
        let uri = if self.api_gateway || self.query.is_empty() {
            path
        } else {
            format!("{path}?{}", urlencoded(&self.query))
        };
        let mut builder = lambda_http::http::Request::builder().method(method).uri(uri);
        if let Some(content_type) = &self.content_type {
            let value = match content_type {
                ContentType::Form => "application/x-www-form-urlencoded",
                ContentType::FormCharset => "Application/X-WWW-Form-URLEncoded; charset=UTF-8",
                ContentType::Json => "application/json",
                ContentType::JsonCharset => "application/json; charset=utf-8",
                ContentType::Text => "text/plain",
                ContentType::Other(other) => other,
            };
            builder = builder.header(CONTENT_TYPE, HeaderValue::from_str(value).ok()?);
        }
        for header in &self.headers {
            let (name, value): (HeaderName, Vec<u8>) = match header {
                HeaderChoice::BearerKey => (AUTHORIZATION, format!("Bearer {PULSE_KEY}").into_bytes()),
                HeaderChoice::Bearer(token) => (AUTHORIZATION, format!("Bearer {token}").into_bytes()),
                HeaderChoice::Authorization(raw) => (AUTHORIZATION, raw.to_vec()),
                HeaderChoice::ContentType(raw) => (CONTENT_TYPE, raw.to_vec()),
                HeaderChoice::Other(name, raw) => (HeaderName::from_bytes(name.as_bytes()).ok()?, raw.to_vec()),
            };
            builder = builder.header(name, HeaderValue::from_bytes(&value).ok()?);
        }
        let body = match &self.body {
            BodyChoice::Empty => Body::Empty,
            BodyChoice::Form(pairs) => Body::Text(urlencoded(pairs)),
            BodyChoice::Json(members) => Body::Text(json_body(members)),
            BodyChoice::Text(text) => Body::Text(text.clone()),
            BodyChoice::Bytes(bytes) => Body::Binary(bytes.to_vec()),
            BodyChoice::Oversized(extra) => Body::Binary(vec![b'a'; MAX_BODY_BYTES + 1 + usize::from(*extra)]),
        };
        let req = builder.body(body).ok()?;
        if !self.api_gateway || self.query.is_empty() {
            return Some(req);
        }
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for pair in &self.query {
            let value = if pair.bare { String::new() } else { pair.value.text() };
            map.entry(pair.name.text()).or_default().push(value);
        }
        Some(req.with_query_string_parameters(map))
    }
}

#[track_caller]
fn check(handler: &str, res: &Response<Body>, allowed: &[u16], input: &Input<'_>) {
    let status = res.status().as_u16();
    if trace() {
        eprintln!("{handler}: {status} {:.300?}", res.body());
    }
    assert!(
        status < 500 && allowed.contains(&status),
        "{handler} answered {status} (allowed: {allowed:?}) to {input:#?}\nbody: {:?}",
        res.body()
    );
}

/// HEARTBEAT_FUZZ_TRACE=1 prints each handler's status (to see what a seed or a reproducer reaches).
fn trace() -> bool {
    static TRACE: OnceLock<bool> = OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("HEARTBEAT_FUZZ_TRACE").is_some_and(|v| v == "1"))
}

fn run(input: Input<'_>) {
    let Some(_) = input.request() else {
        return;
    };
    let config = &configs()[usize::from(input.keyed)];
    let now = input.now();
    let request = || input.request().expect("built once already");

    let store = input.store();
    let res = block_on(handlers::pulse(request(), &store, config, now));
    check("pulse", &res, PULSE_STATUSES, &input);

    let store = input.store();
    let res = block_on(handlers::dashboard(request(), &store, config, now));
    check("dashboard", &res, &[200, 400, 403, 405], &input);

    let store = input.store();
    let res = block_on(handlers::edit_get(request(), &store, config, now));
    check("edit_get", &res, &[200, 400, 403, 404, 405], &input);

    let store = input.store();
    let res = block_on(handlers::edit_post(request(), &store, &store, config, now));
    check("edit_post", &res, &[303, 400, 403, 404, 405, 413, 415], &input);
}

fuzz_target!(|input: Input<'_>| run(input));
