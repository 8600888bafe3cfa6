//! The monitor: the three ways it is invoked, and the incident lifecycle over the memory store —
//! one alert per incident, a recovery, reminders, Slack failures, overlapping runs and racing pulses.

use crate::support::*;
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use heartbeat_shared::config::Config;
use heartbeat_shared::handlers::invocation::MonitorEvent;
use heartbeat_shared::handlers::monitor::{Invocation, MonitorFailure, UrlRun, sunday_backfill};
use heartbeat_shared::handlers::{self, MonitorDeps, monitor_event};
use heartbeat_shared::model::{Alert, Claim, PulseId};
use heartbeat_shared::slack::{Notifier, NotifyError, SlackMessage};
use heartbeat_shared::store::{
    Expectation, Held, IncidentLedger, Listing, MemoryStore, PulseReceipt, PulseRecorder, Reschedule, Slice, StoreError,
};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::Notify;

const BASE_URL: &str = "https://hb.example/Prod";
const DOMAIN: &str = "abc123.execute-api.us-east-1.amazonaws.com";

/// Thursday 09:00: with the default 24 h threshold this pulse is exceeded from Friday 09:00 on.
fn thursday() -> DateTime<Utc> {
    at("2026-11-19T09:00:00Z")
}

fn minutes(m: i64) -> TimeDelta {
    TimeDelta::minutes(m)
}

fn scheduled_event() -> Value {
    json!({
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-11-23T12:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/heartbeat-monitor"],
        "detail": {}
    })
}

/// An API Gateway REST proxy event for `GET /heartbeat/monitor?secret=…` on the `Prod` stage.
fn rest_event(method: &str, secret: Option<&str>) -> Value {
    let query = secret.map(|s| json!({ "secret": s })).unwrap_or(Value::Null);
    let multi = secret.map(|s| json!({ "secret": [s] })).unwrap_or(Value::Null);
    json!({
        "resource": "/heartbeat/monitor",
        "path": "/heartbeat/monitor",
        "httpMethod": method,
        "headers": { "Accept": "*/*", "Host": DOMAIN, "User-Agent": "curl/8.5.0", "X-Forwarded-Proto": "https" },
        "multiValueHeaders": { "Accept": ["*/*"], "Host": [DOMAIN] },
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi,
        "pathParameters": null,
        "stageVariables": null,
        "requestContext": {
            "resourceId": "k2x9a1",
            "resourcePath": "/heartbeat/monitor",
            "httpMethod": method,
            "extendedRequestId": "Ab1CdEfGhIjKlM=",
            "requestTime": "23/Nov/2026:12:00:00 +0000",
            "path": "/Prod/heartbeat/monitor",
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": "Prod",
            "domainPrefix": "abc123",
            "requestTimeEpoch": 1_795_435_200_000_u64,
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": { "sourceIp": "203.0.113.7", "userAgent": "curl/8.5.0" },
            "domainName": DOMAIN,
            "apiId": "abc123"
        },
        "body": null,
        "isBase64Encoded": false
    })
}

/// An HTTP API (payload 2.0) event for `GET /heartbeat/monitor?…` on the `$default` stage.
fn http_api_event(method: &str, raw_query: &str) -> Value {
    json!({
        "version": "2.0",
        "routeKey": format!("{method} /heartbeat/monitor"),
        "rawPath": "/heartbeat/monitor",
        "rawQueryString": raw_query,
        "headers": { "accept": "*/*", "host": DOMAIN, "user-agent": "curl/8.5.0", "x-forwarded-proto": "https" },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": DOMAIN,
            "domainPrefix": "abc123",
            "http": { "method": method, "path": "/heartbeat/monitor", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "curl/8.5.0" },
            "requestId": "Ab1CdEfGhIjKlM=",
            "routeKey": format!("{method} /heartbeat/monitor"),
            "stage": "$default",
            "time": "23/Nov/2026:12:00:00 +0000",
            "timeEpoch": 1_795_435_200_000_u64
        },
        "isBase64Encoded": false
    })
}

/// How the handler reads an event's JSON.
fn classify(event: &Value) -> Invocation {
    handlers::monitor::classify(&MonitorEvent::from(event.clone()))
}

/// The original README's constant input for the schedule.
fn constant_input(secret: &str) -> Value {
    json!({ "queryStringParameters": { "secret": secret } })
}

/// Every summary field, zero unless given.
fn summary(given: &[(&str, u64)]) -> Value {
    let mut all = json!({
        "checked": 0, "exceeded": 0, "newly_exceeded": 0, "recovered": 0, "reminded": 0, "notified": 0,
        "messages_sent": 0, "delivery_failures": 0, "skipped": 0, "store_errors": 0, "unreadable": 0,
        "rescheduled": 0, "backfilled": 0, "remaining": 0, "silenced": 0
    });
    for (name, value) in given {
        assert!(all.get(*name).is_some(), "no summary field {name}");
        all[*name] = json!(value);
    }
    all
}

/// A proxy response: its status, headers and body (parsed as JSON).
/// The summary of a run that found one pulse newly exceeded and sent its one alert.
fn one_new_alert() -> Value {
    summary(&[
        ("checked", 1),
        ("exceeded", 1),
        ("newly_exceeded", 1),
        ("notified", 1),
        ("messages_sent", 1),
    ])
}

fn proxy(response: &Value) -> (u64, &serde_json::Map<String, Value>, Value) {
    let status = response["statusCode"].as_u64().expect("statusCode");
    let headers = response["headers"].as_object().expect("headers");
    let body = serde_json::from_str(response["body"].as_str().expect("a body string")).expect("a JSON body");
    assert_eq!(response["isBase64Encoded"], json!(false));
    (status, headers, body)
}

/// One table, one Slack, one configuration.
struct World {
    store: MemoryStore,
    slack: RecordingNotifier,
    config: Config,
}

impl World {
    fn new(vars: &[(&str, &str)]) -> Self {
        Self {
            store: MemoryStore::new(),
            slack: RecordingNotifier::new(),
            config: config(vars),
        }
    }

    /// The secret, the public base URL and the default reminder interval.
    fn standard() -> Self {
        Self::new(&[("DASHBOARD_SECRET", SECRET), ("BASE_URL", "https://hb.example/Prod/")])
    }

    fn deps(&self) -> MonitorDeps<'_> {
        MonitorDeps {
            ledger: &self.store,
            notifier: &self.slack,
            config: &self.config,
            calendars: None,
            channels: None,
        }
    }

    /// A client pulse through the pulse handler.
    async fn pulse(&self, name: &str, when: DateTime<Utc>) {
        let uri = format!("/heartbeat/pulse?host=web-1&category=backup&type=db&name={name}");
        let res = handlers::pulse(get(&uri), &self.store, &self.config, when).await;
        assert_eq!(res.status().as_u16(), 200, "{}", text(&res));
    }

    async fn scheduled(&self, when: DateTime<Utc>) -> Result<Value, MonitorFailure> {
        monitor_event(
            scheduled_event(),
            &self.deps(),
            when,
            &format!("run-{}", when.timestamp()),
        )
        .await
    }

    /// A scheduled run that must succeed; its summary.
    async fn run(&self, when: DateTime<Utc>) -> Value {
        self.scheduled(when)
            .await
            .unwrap_or_else(|e| panic!("run at {when}: {e}"))
    }

    /// A run by URL with the right secret; the summary of its 200 answer.
    async fn run_by_url(&self, when: DateTime<Utc>) -> Value {
        let response = monitor_event(constant_input(SECRET), &self.deps(), when, "by-url")
            .await
            .expect("by URL is always Ok");
        let (status, headers, body) = proxy(&response);
        assert_eq!(status, 200, "{body}");
        assert_eq!(headers["content-type"], json!("application/json"));
        body
    }

    fn alert(&self, name: &str) -> Option<Alert> {
        self.store
            .snapshot(&id_of("web-1", "backup", "db", name))
            .expect("stored")
            .alert
    }

    fn claim(&self, name: &str) -> Option<Claim> {
        self.store
            .snapshot(&id_of("web-1", "backup", "db", name))
            .expect("stored")
            .claim
    }
}

fn edit_link(name: &str) -> String {
    format!(
        "<{BASE_URL}/heartbeat/edit?secret={SECRET_IN_URL}&id={}|edit>",
        id_of("web-1", "backup", "db", name)
    )
}

/// The alert's snooze links: each opens the confirming page with that choice.
fn snooze_links(name: &str) -> String {
    let page = |length: &str, label: &str| {
        format!(
            "<{BASE_URL}/heartbeat/quiet?secret={SECRET_IN_URL}&id={}&action=snooze&for={length}|{label}>",
            id_of("web-1", "backup", "db", name)
        )
    };
    format!(
        " · snooze {} · {} · {}",
        page("1h", "1 h"),
        page("1d", "1 day"),
        page("next-working-day", "until the next working day")
    )
}

fn dashboard_link(base: &str) -> String {
    format!("<{base}/heartbeat/dashboard?secret={SECRET_IN_URL}|Open the dashboard>")
}

mod channels;
mod delivery;
mod invocation;
mod lifecycle;
mod quiet;
mod races;
mod signals;
