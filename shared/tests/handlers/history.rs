//! Pulse history over the memory store: one event a signal, written beside the pulse's own write; a
//! failed history write never fails the pulse; the events API reads it newest first, in pages.

use crate::support::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use heartbeat_shared::api::{self, ApiDeps, Keys};
use heartbeat_shared::config::Secret;
use heartbeat_shared::handlers;
use heartbeat_shared::model::{Event, PulseId, PulseKey, Signal};
use heartbeat_shared::store::{EventLog, EventPage, MemoryStore, PulseReceipt, PulseRecorder, StoreError};
use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};
use serde_json::Value;

const KEY: &str = "rw-key";
const PULSE: &str = "/heartbeat/pulse?host=web-1&category=backup&type=db&name=nightly";

fn id() -> PulseId {
    PulseKey::parse(Some("web-1"), Some("backup"), Some("db"), Some("nightly"))
        .unwrap()
        .id()
}

fn call(method: Method, path: &str, body: Option<&str>) -> Request {
    let mut req = request(
        method,
        &format!("/heartbeat/api/v1{path}"),
        body.map(|_| JSON),
        body.unwrap_or(""),
    );
    req.headers_mut()
        .insert("authorization", format!("Bearer {KEY}").parse().unwrap());
    req
}

async fn api_get(store: &MemoryStore, path: &str, when: DateTime<Utc>) -> (u16, Value) {
    let config = with_secret();
    let keys = Keys {
        read_write: Some(Secret::new(KEY)),
        ..Keys::default()
    };
    let deps = ApiDeps::new(store, &config, &keys);
    let res = api::api(call(Method::GET, path, None), &deps, when).await;
    (
        res.status().as_u16(),
        serde_json::from_str(&text(&res)).unwrap_or(Value::Null),
    )
}

fn events_path() -> String {
    format!("/pulses/{}/events", id())
}

#[track_caller]
fn assert_ok(res: &Response<Body>) {
    assert_eq!(res.status().as_u16(), 200, "{}", text(res));
}

#[tokio::test]
async fn a_signal_is_one_pulse_write_and_one_history_write_and_reads_back_through_the_api() {
    let store = MemoryStore::new();
    let config = config(&[]);
    let uri = format!("{PULSE}&exit=3&duration=12.5&message=disk%20full");
    let res = handlers::pulse(
        post(&uri, "text/plain", "line 1\n<b>boom</b>\n"),
        &store,
        &config,
        now(),
    )
    .await;
    assert_ok(&res);
    assert_eq!((store.requests(), store.history_requests()), (1, 1));

    let (status, page) = api_get(&store, &events_path(), now()).await;
    assert_eq!(status, 200, "{page}");
    let event = &page["events"][0];
    assert_eq!(event["kind"], "failure");
    assert_eq!(event["exit"], 3);
    assert_eq!(event["duration"], 12.5);
    assert_eq!(event["message"], "disk full");
    assert_eq!(event["log"], "line 1\n<b>boom</b>\n");
    assert_eq!(event["logBytes"], 19);
    assert_eq!(event["at"], "2026-11-23T12:00:00.000Z");
    assert_eq!(page["next"], Value::Null);
}

#[tokio::test]
async fn history_days_0_keeps_no_history() {
    let store = MemoryStore::new();
    let res = handlers::pulse(get(PULSE), &store, &config(&[("HISTORY_DAYS", "0")]), now()).await;
    assert_ok(&res);
    assert_eq!((store.requests(), store.history_requests()), (1, 0));
}

#[tokio::test]
async fn the_events_api_pages_newest_first_and_names_what_is_wrong() {
    let store = MemoryStore::new();
    let config = config(&[]);
    for minute in 0..5 {
        let when = now() + chrono::TimeDelta::minutes(minute);
        let uri = format!("{PULSE}&exit=0&duration={minute}");
        assert_ok(&handlers::pulse(get(&uri), &store, &config, when).await);
    }
    let later = now() + hours(1);
    let (_, first) = api_get(&store, &format!("{}?limit=2", events_path()), later).await;
    let durations = |page: &Value| -> Vec<f64> {
        page["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["duration"].as_f64().unwrap())
            .collect()
    };
    assert_eq!(durations(&first), [4.0, 3.0]);
    let cursor = first["next"].as_str().expect("a next page");
    let (_, second) = api_get(&store, &format!("{}?limit=2&cursor={cursor}", events_path()), later).await;
    assert_eq!(durations(&second), [2.0, 1.0]);
    let cursor = second["next"].as_str().expect("a next page");
    let (_, last) = api_get(&store, &format!("{}?limit=2&cursor={cursor}", events_path()), later).await;
    assert_eq!(durations(&last), [0.0]);
    assert_eq!(last["next"], Value::Null);

    let unknown = format!("/pulses/{}/events", "0".repeat(64));
    assert_eq!(api_get(&store, &unknown, later).await.0, 404);
    let (status, err) = api_get(&store, &format!("{}?cursor=c1ab", events_path()), later).await;
    assert_eq!((status, err["field"].as_str()), (400, Some("cursor")), "{err}");
    let (status, err) = api_get(&store, &format!("{}?limit=0", events_path()), later).await;
    assert_eq!((status, err["field"].as_str()), (400, Some("limit")), "{err}");
    let (status, err) = api_get(&store, &format!("{}?since=1", events_path()), later).await;
    assert_eq!((status, err["field"].as_str()), (400, Some("since")), "{err}");
}

#[tokio::test]
async fn snoozes_and_edits_are_events() {
    let store = MemoryStore::new();
    assert_ok(&handlers::pulse(get(PULSE), &store, &config(&[]), now()).await);
    let config = with_secret();
    let keys = Keys {
        read_write: Some(Secret::new(KEY)),
        ..Keys::default()
    };
    let deps = ApiDeps::new(&store, &config, &keys);
    let path = format!("/pulses/{}", id());
    let res = api::api(
        call(Method::POST, &format!("{path}/snooze"), Some(r#"{"for": "1h"}"#)),
        &deps,
        now(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200, "{}", text(&res));
    let res = api::api(call(Method::PATCH, &path, Some(r#"{"threshold": 2}"#)), &deps, now()).await;
    assert_eq!(res.status().as_u16(), 200, "{}", text(&res));
    let (_, page) = api_get(&store, &events_path(), now()).await;
    let kinds: Vec<&str> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 3, "{page}");
    assert!(
        kinds.contains(&"snoozed") && kinds.contains(&"edited") && kinds.contains(&"success"),
        "{kinds:?}"
    );
    let edited = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "edited")
        .unwrap();
    assert!(
        edited["message"].as_str().unwrap().contains("threshold 2 h"),
        "{edited}"
    );
}

/// Records pulses in memory; its history always fails, as an unreachable events table would.
struct BrokenHistory(MemoryStore);

#[async_trait]
impl PulseRecorder for BrokenHistory {
    async fn record_signal(&self, receipt: &PulseReceipt, signal: &Signal) -> Result<(), StoreError> {
        self.0.record_signal(receipt, signal).await
    }
}

#[async_trait]
impl EventLog for BrokenHistory {
    async fn append(&self, _: &Event) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("the events table is throttled".into()))
    }
    async fn events(&self, _: &PulseId, _: Option<&str>, _: usize, _: DateTime<Utc>) -> Result<EventPage, StoreError> {
        Err(StoreError::Unavailable("the events table is throttled".into()))
    }
    async fn trim(&self, _: &PulseId, _: DateTime<Utc>, _: usize) -> Result<usize, StoreError> {
        Err(StoreError::Unavailable("the events table is throttled".into()))
    }
}

#[tokio::test]
async fn a_failed_history_write_never_fails_the_pulse() {
    let store = BrokenHistory(MemoryStore::new());
    let res = handlers::pulse(get(&format!("{PULSE}&exit=2")), &store, &config(&[]), now()).await;
    assert_eq!(res.status().as_u16(), 200, "{}", text(&res));
    assert_eq!(text(&res), "Successful Heartbeat Pulse");
    let pulse = store.0.snapshot(&id()).expect("the pulse is recorded");
    assert_eq!(pulse.run.exit_code, Some(2));
}

#[tokio::test]
async fn the_detail_page_draws_the_history_escaped_and_without_script() {
    let store = MemoryStore::new();
    let config = with_secret();
    for (minute, query) in [
        (0, "&duration=10"),
        (10, "&duration=20"),
        (20, "&exit=3&duration=40&message=%3Cb%3Eexport%3C%2Fb%3E"),
    ] {
        let when = now() - hours(2) + chrono::TimeDelta::minutes(minute);
        let req = post(&format!("{PULSE}{query}"), "text/plain", "tail <script>x</script>");
        assert_ok(&handlers::pulse(req, &store, &config, when).await);
    }
    let res = handlers::detail(
        get(&format!("/heartbeat/pulses/{}?secret={SECRET_IN_URL}", id())),
        &store,
        &config,
        now(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let html = text(&res);
    assert!(
        html.contains("Failed with exit code 3, took 40 s: &#60;b&#62;export&#60;/b&#62;"),
        "{html}"
    );
    assert!(html.contains("<pre class=\"log\">tail &#60;script&#62;x&#60;/script&#62;</pre>"));
    assert!(
        !html.contains("<script"),
        "readable without JavaScript, the log escaped"
    );
    assert!(html.contains("<dd id=\"last-duration\">40 s</dd>"), "{html}");
    assert!(html.contains("<dd id=\"average-duration\">23 s <span class=\"muted\">(last 3 runs)</span></dd>"));
    assert!(html.contains("<dd id=\"p95-duration\">40 s</dd>"));
    let chart = &html[html.find("id=\"durations-chart\"").unwrap()..];
    let chart = &chart[..chart.find("</svg>").unwrap()];
    assert_eq!(chart.matches("<title>").count(), 3, "one bar a run");
    let uptime = &html[html.find("id=\"uptime-30\"").unwrap()..];
    let uptime = &uptime[..uptime.find("</svg>").unwrap()];
    assert_eq!(uptime.matches("<rect").count(), 30, "one bar a day");
    assert!(!html.contains("no history yet"));
}
