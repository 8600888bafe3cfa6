//! Handler CPU with the in-memory store, so only heartbeat's own work is timed: no network, no
//! DynamoDB. `cargo bench -p heartbeat-shared --bench handlers` (part of `make bench`); the figures
//! and what they mean are in docs/PERFORMANCE.md.
//!
//! - `pulse/get`: a `GET /heartbeat/pulse?host=…&category=…&type=…&name=…` built as a `lambda_http`
//!   request (as the local runtime hands it over), then the handler, over 1,000 existing pulses.
//! - `pulse/apigw_event`: the same pulse as the Lambda gets it: the API Gateway proxy event's JSON
//!   decoded by `lambda_http`, then the handler.
//! - `pulse/post_json`: a POST with a JSON body carrying a message and a metadata object.
//! - `dashboard/render_10000`: the dashboard of 10,000 pulses, the whole handler: the in-memory
//!   store's listing (a copy of every pulse, where DynamoDB's path decodes items instead), then the HTML.
//! - `dashboard/page_10000`: the server render alone, from a listing already read to the HTML
//!   (`dashboard_view` and `render_dashboard`).

use chrono::{DateTime, TimeDelta, TimeZone as _, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use heartbeat_shared::config::Config;
use heartbeat_shared::handlers;
use heartbeat_shared::model::{PulseKey, Signal, Threshold, Zone};
use heartbeat_shared::pages::render_dashboard;
use heartbeat_shared::rules::calendar_book::CalendarBook;
use heartbeat_shared::store::{MemoryStore, PulseReader, PulseReceipt, PulseRecorder};
use lambda_http::http::Method;
use lambda_http::{Body, Request};
use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

const SECRET: &str = "bench-dashboard-secret";
const IDS: usize = 1_000;
const DASHBOARD_PULSES: usize = 10_000;

/// Monday 2026-11-23 09:00 UTC: a working hour, so thresholds count.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn config() -> Config {
    let vars = HashMap::from([("DASHBOARD_SECRET".to_owned(), SECRET.to_owned())]);
    Config::from_vars(&vars).expect("a valid configuration")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime")
}

/// host, category and name of pulse `i`; its type is always `cron`.
fn fields(i: usize) -> (String, &'static str, String) {
    let category = ["backup", "etl", "reports", "billing", "cleanup"][i % 5];
    (format!("host-{:02}", i % 50), category, format!("job-{i:05}"))
}

fn receipt(i: usize, at: DateTime<Utc>) -> PulseReceipt {
    let (host, category, name) = fields(i);
    PulseReceipt {
        key: PulseKey::parse(Some(&host), Some(category), Some("cron"), Some(&name)).expect("a valid key"),
        at,
        threshold: Threshold::parse(["24", "1", "168", "26"][i % 4]).expect("a valid threshold"),
        saturday: i % 7 == 0,
        tz: if i % 3 == 0 {
            Zone::parse("Europe/Berlin").expect("a known timezone")
        } else {
            Zone::UTC
        },
        message: (i % 10 == 0).then(|| format!("run {i} finished: 42 rows")),
        metadata: None,
        expect: Default::default(),
    }
}

/// `n` pulses whose last pulse lies between now and 3 days back, so some are exceeded; with `runs`,
/// every second one reports its run (a duration and exit code 0), as the dashboard bench's do.
fn store_with(n: usize, runs: bool, rt: &tokio::runtime::Runtime) -> MemoryStore {
    let store = MemoryStore::new();
    rt.block_on(async {
        for i in 0..n {
            let at = now() - TimeDelta::minutes(((i * 37) % (72 * 60)) as i64);
            let signal = if runs && i % 2 == 0 {
                Signal {
                    exit: Some(0),
                    duration: Some(TimeDelta::milliseconds(((i * 7_919) % 10_000_000 + 1_000) as i64)),
                    ..Signal::success()
                }
            } else {
                Signal::success()
            };
            store
                .record_signal(&receipt(i, at), &signal)
                .await
                .expect("the memory store records");
        }
    });
    store
}

fn pulse_uri(i: usize) -> String {
    let (host, category, name) = fields(i);
    format!("/heartbeat/pulse?host={host}&category={category}&type=cron&name={name}")
}

fn get(uri: &str) -> Request {
    lambda_http::http::Request::builder()
        .method(Method::GET)
        .uri(uri)
        .body(Body::Empty)
        .expect("a valid request")
}

/// A POST pulse with a JSON body: the four fields, a message and a metadata object.
fn post_json(i: usize) -> Request {
    let (host, category, name) = fields(i);
    let body = serde_json::json!({
        "host": host, "category": category, "type": "cron", "name": name, "message": "42 rows exported",
        "metadata": { "rows": 42, "seconds": 12.5, "target": "s3://bucket/export.csv" }
    });
    lambda_http::http::Request::builder()
        .method(Method::POST)
        .uri("/heartbeat/pulse")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("a valid request")
}

/// An API Gateway REST (v1) proxy event for a GET pulse, as the Lambda receives it.
fn apigw_event(i: usize) -> String {
    let (host, category, name) = fields(i);
    serde_json::json!({
        "resource": "/heartbeat/pulse",
        "path": "/heartbeat/pulse",
        "httpMethod": "GET",
        "headers": { "Accept": "*/*", "Host": "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com", "User-Agent": "curl/8.5.0" },
        "multiValueHeaders": { "Accept": ["*/*"], "Host": ["a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"], "User-Agent": ["curl/8.5.0"] },
        "queryStringParameters": { "host": host, "category": category, "type": "cron", "name": name },
        "multiValueQueryStringParameters": { "host": [host], "category": [category], "type": ["cron"], "name": [name] },
        "pathParameters": null,
        "stageVariables": null,
        "requestContext": {
            "accountId": "123456789012", "apiId": "a1b2c3d4e5", "httpMethod": "GET",
            "domainName": "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com",
            "identity": { "sourceIp": "203.0.113.10", "userAgent": "curl/8.5.0" },
            "path": "/Prod/heartbeat/pulse", "protocol": "HTTP/1.1", "requestId": "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e1",
            "requestTimeEpoch": 1795194189123_i64, "resourceId": "k3x9p1", "resourcePath": "/heartbeat/pulse", "stage": "Prod"
        },
        "body": null,
        "isBase64Encoded": false
    })
    .to_string()
}

fn pulse_benches(c: &mut Criterion) {
    let rt = runtime();
    let config = config();
    let store = store_with(IDS, false, &rt);
    let mut group = c.benchmark_group("pulse");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    let uris: Vec<String> = (0..IDS).map(pulse_uri).collect();
    let events: Vec<String> = (0..IDS).map(apigw_event).collect();
    // What is timed must be the successful path.
    rt.block_on(async {
        let res = handlers::pulse(get(&uris[1]), &store, &config, now()).await;
        assert_eq!(res.status(), 200, "{:?}", res.body());
        let req = lambda_http::request::from_str(&events[2]).expect("an API Gateway event");
        let res = handlers::pulse(req, &store, &config, now()).await;
        assert_eq!(res.status(), 200, "{:?}", res.body());
        let res = handlers::pulse(post_json(3), &store, &config, now()).await;
        assert_eq!(res.status(), 200, "{:?}", res.body());
    });
    // Each pulse a millisecond after the one before, as pulses arrive: at one fixed instant, the
    // in-memory history would sort every event in among its pulse's 1,000 of the same instant.
    let tick = std::cell::Cell::new(0_i64);
    let at = || {
        tick.set(tick.get() + 1);
        now() + chrono::TimeDelta::milliseconds(tick.get())
    };
    let mut i = 0;
    group.bench_function("get", |b| {
        b.to_async(&rt).iter(|| {
            i = (i + 1) % IDS;
            let req = get(&uris[i]);
            let (store, config, at) = (&store, &config, at());
            async move { black_box(handlers::pulse(req, store, config, at).await) }
        })
    });

    let mut i = 0;
    group.bench_function("apigw_event", |b| {
        b.to_async(&rt).iter(|| {
            i = (i + 1) % IDS;
            let req = lambda_http::request::from_str(&events[i]).expect("an API Gateway event");
            let (store, config, at) = (&store, &config, at());
            async move { black_box(handlers::pulse(req, store, config, at).await) }
        })
    });

    let mut i = 0;
    group.bench_function("post_json", |b| {
        b.to_async(&rt).iter_batched(
            || {
                i = (i + 1) % IDS;
                post_json(i)
            },
            |req| {
                let (store, config, at) = (&store, &config, at());
                async move { black_box(handlers::pulse(req, store, config, at).await) }
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
    assert_eq!(store.len(), IDS, "every pulse hit an existing item");
}

fn dashboard_benches(c: &mut Criterion) {
    let rt = runtime();
    let config = config();
    let store = store_with(DASHBOARD_PULSES, true, &rt);
    let uri = format!("/heartbeat/dashboard?secret={SECRET}");
    let mut group = c.benchmark_group("dashboard");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    group.bench_function("render_10000", |b| {
        b.to_async(&rt).iter(|| {
            let req = get(&uri);
            let (store, config) = (&store, &config);
            async move {
                let res = handlers::dashboard(req, store, config, now()).await;
                assert_eq!(res.status(), 200);
                black_box(res)
            }
        })
    });
    let listing = rt.block_on(store.list()).expect("the memory store lists");
    let book = CalendarBook::default();
    let secret = config.dashboard_secret.clone().expect("a dashboard secret");
    group.bench_function("page_10000", |b| {
        b.iter(|| {
            let view = handlers::dashboard_view(&listing, &[], &book, &config, &secret, now(), 1);
            black_box(render_dashboard(&view))
        })
    });
    group.finish();
}

criterion_group!(benches, pulse_benches, dashboard_benches);
criterion_main!(benches);
