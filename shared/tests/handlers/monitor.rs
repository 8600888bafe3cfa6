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
        "rescheduled": 0, "backfilled": 0, "remaining": 0
    });
    for (name, value) in given {
        assert!(all.get(*name).is_some(), "no summary field {name}");
        all[*name] = json!(value);
    }
    all
}

/// A proxy response: its status, headers and body (parsed as JSON).
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

fn dashboard_link(base: &str) -> String {
    format!("<{base}/heartbeat/dashboard?secret={SECRET_IN_URL}|Open the dashboard>")
}

// ---------------------------------------------------------------------------------------------
// How the monitor is invoked

#[test]
fn an_api_gateway_rest_event_is_by_url_with_its_secret_method_and_base() {
    assert_eq!(
        classify(&rest_event("GET", Some("S"))),
        Invocation::ByUrl(UrlRun {
            secret: Some("S".into()),
            method: Some("GET".into()),
            base_url: Some(format!("https://{DOMAIN}/Prod")),
            ..UrlRun::default()
        })
    );
    assert_eq!(
        classify(&rest_event("GET", None)),
        Invocation::ByUrl(UrlRun {
            secret: None,
            method: Some("GET".into()),
            base_url: Some(format!("https://{DOMAIN}/Prod")),
            ..UrlRun::default()
        })
    );
}

#[test]
fn an_http_api_event_is_by_url_too() {
    let event = json!({
        "version": "2.0",
        "routeKey": "GET /heartbeat/monitor",
        "rawPath": "/heartbeat/monitor",
        "rawQueryString": "secret=S",
        "queryStringParameters": { "secret": "S" },
        "requestContext": { "domainName": DOMAIN, "stage": "$default", "http": { "method": "GET", "path": "/heartbeat/monitor" } },
        "isBase64Encoded": false
    });
    assert_eq!(
        classify(&event),
        Invocation::ByUrl(UrlRun {
            secret: Some("S".into()),
            method: Some("GET".into()),
            base_url: Some(format!("https://{DOMAIN}")),
            ..UrlRun::default()
        })
    );
}

#[tokio::test]
async fn an_http_api_request_gets_a_payload_2_answer() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    let query = format!("secret={SECRET_IN_URL}");
    let response = monitor_event(http_api_event("GET", &query), &world.deps(), now(), "r")
        .await
        .unwrap();
    assert_eq!(response["cookies"], json!([]), "the 2.0 response form: {response}");
    let (status, headers, body) = proxy(&response);
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], json!("application/json"));
    assert_eq!(body["newly_exceeded"], json!(1));
    assert_eq!(world.slack.delivered().len(), 1);

    let refused = monitor_event(http_api_event("POST", &query), &world.deps(), now(), "r")
        .await
        .unwrap();
    assert_eq!(refused["cookies"], json!([]));
    assert_eq!(proxy(&refused).0, 405);
    let wrong = monitor_event(http_api_event("GET", "secret=wrong"), &world.deps(), now(), "r")
        .await
        .unwrap();
    assert_eq!(proxy(&wrong).0, 403);
}

#[test]
fn the_rest_and_constant_input_shapes_decode_to_their_types() {
    let event = MonitorEvent::from(rest_event("GET", Some("S")));
    assert!(matches!(event, MonitorEvent::RestApi(_)), "{event:?}");
    assert!(matches!(
        MonitorEvent::from(constant_input("S")),
        MonitorEvent::ConstantInput(_)
    ));
}

#[test]
fn an_eventbridge_event_of_another_kind_is_unknown() {
    let mut event = scheduled_event();
    event["source"] = json!("aws.ec2");
    event["detail-type"] = json!("EC2 Instance State-change Notification");
    assert_eq!(classify(&event), Invocation::Unknown);
}

#[test]
fn a_sunday_schedule_or_an_asked_one_backfills() {
    let mut sunday = scheduled_event();
    sunday["time"] = json!("2026-11-22T06:00:00Z");
    assert_eq!(classify(&sunday), Invocation::Scheduled { backfill: true });
    let mut asked = scheduled_event();
    asked["detail"] = json!({ "backfill": true });
    assert_eq!(classify(&asked), Invocation::Scheduled { backfill: true });
}

/// On the one-minute schedule a Sunday has 1,440 runs: only the four at the original Sunday cron's
/// hours (and midnight) scan the whole table.
#[test]
fn only_four_sunday_runs_a_week_backfill() {
    let minutes = (0..7 * 24 * 60).map(|m| at("2026-11-16T00:00:00Z") + chrono::TimeDelta::minutes(m));
    let backfills: Vec<String> = minutes
        .filter(|t| sunday_backfill(*t))
        .map(|t| t.format("%a %H:%M").to_string())
        .collect();
    assert_eq!(backfills, ["Sun 00:00", "Sun 06:00", "Sun 12:00", "Sun 18:00"]);
    let mut sunday_minute = scheduled_event();
    sunday_minute["time"] = json!("2026-11-22T06:01:00Z");
    assert_eq!(classify(&sunday_minute), Invocation::Scheduled { backfill: false });
}

#[test]
fn an_eventbridge_schedule_is_scheduled() {
    assert_eq!(classify(&scheduled_event()), Invocation::Scheduled { backfill: false });
}

#[test]
fn the_readme_constant_input_is_by_url() {
    assert_eq!(
        classify(&constant_input("S")),
        Invocation::ByUrl(UrlRun {
            secret: Some("S".into()),
            method: None,
            base_url: None,
            ..UrlRun::default()
        })
    );
}

#[tokio::test]
async fn an_unknown_shape_is_a_400_proxy_response() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    for event in [
        json!({}),
        json!({"detail": {}}),
        json!({"secret": SECRET}),
        json!("ping"),
        json!(null),
        json!([1, 2]),
    ] {
        assert_eq!(classify(&event), Invocation::Unknown, "{event}");
        let response = monitor_event(event.clone(), &world.deps(), now(), "r")
            .await
            .expect("answered, not failed");
        let (status, headers, body) = proxy(&response);
        assert_eq!(status, 400, "{event}");
        assert_eq!(headers["content-type"], json!("application/json"));
        assert_eq!(body["status"], json!(400));
        assert!(body["error"].as_str().unwrap().contains("scheduled event"), "{body}");
    }
    assert_eq!(world.slack.attempts(), 0);
}

#[tokio::test]
async fn by_url_a_wrong_or_missing_secret_is_403_and_sends_nothing() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    let requests = world.store.requests();
    for event in [
        rest_event("GET", None),
        rest_event("GET", Some("wrong")),
        rest_event("GET", Some(SECRET_IN_URL)),
        rest_event("GET", Some("")),
        constant_input("wrong"),
        json!({ "queryStringParameters": null }),
        json!({ "queryStringParameters": { "secret": 42 } }),
    ] {
        let response = monitor_event(event.clone(), &world.deps(), now(), "r")
            .await
            .expect("answered");
        let (status, headers, body) = proxy(&response);
        assert_eq!(status, 403, "{event}");
        assert_eq!(headers["content-type"], json!("application/json"));
        assert_eq!(body, json!({ "error": "this link is not valid", "status": 403 }));
    }
    assert_eq!(world.slack.attempts(), 0, "nothing sent");
    assert_eq!(world.store.requests(), requests, "the table is not read");
    assert_eq!(world.alert("nightly"), None);
}

#[tokio::test]
async fn by_url_without_a_configured_secret_is_503() {
    let world = World::new(&[("BASE_URL", BASE_URL)]);
    world.pulse("nightly", thursday()).await;
    let response = monitor_event(constant_input("anything"), &world.deps(), now(), "r")
        .await
        .unwrap();
    let (status, _, body) = proxy(&response);
    assert_eq!(status, 503);
    assert!(body["error"].as_str().unwrap().contains("DASHBOARD_SECRET"), "{body}");
    assert_eq!(world.slack.attempts(), 0);
}

#[tokio::test]
async fn by_url_only_get_is_allowed() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    let response = monitor_event(rest_event("POST", Some(SECRET)), &world.deps(), now(), "r")
        .await
        .unwrap();
    let (status, headers, _) = proxy(&response);
    assert_eq!(status, 405);
    assert_eq!(headers["allow"], json!("GET"));
    assert_eq!(world.slack.attempts(), 0);
}

#[tokio::test]
async fn by_url_the_right_secret_runs_and_answers_the_summary() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    let response = monitor_event(rest_event("GET", Some(SECRET)), &world.deps(), now(), "r")
        .await
        .unwrap();
    let (status, headers, body) = proxy(&response);
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], json!("application/json"));
    assert_eq!(headers["cache-control"], json!("no-store"));
    assert_eq!(
        body,
        summary(&[
            ("checked", 1),
            ("exceeded", 1),
            ("newly_exceeded", 1),
            ("notified", 1),
            ("messages_sent", 1)
        ])
    );
    assert_eq!(world.slack.delivered().len(), 1);
}

#[tokio::test]
async fn a_scheduled_run_needs_no_secret() {
    // Secret configured, none sent.
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    let got = world.run(now()).await;
    assert_eq!(
        got,
        summary(&[
            ("checked", 1),
            ("exceeded", 1),
            ("newly_exceeded", 1),
            ("notified", 1),
            ("messages_sent", 1)
        ])
    );
    assert_eq!(world.slack.delivered().len(), 1);

    // Nothing configured at all: the alert still goes out, without links.
    let bare = World::new(&[]);
    bare.pulse("nightly", thursday()).await;
    bare.run(now()).await;
    let messages = bare.slack.delivered();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].text.contains("web-1 / backup / db / nightly"),
        "{}",
        messages[0].text
    );
    assert!(
        !messages[0].text.contains("<http"),
        "no links without a base URL and secret: {}",
        messages[0].text
    );
}

#[tokio::test]
async fn links_use_base_url_or_else_the_address_api_gateway_was_reached_at() {
    let derived = World::new(&[("DASHBOARD_SECRET", SECRET)]);
    derived.pulse("nightly", thursday()).await;
    monitor_event(rest_event("GET", Some(SECRET)), &derived.deps(), now(), "r")
        .await
        .unwrap();
    let text = &derived.slack.delivered()[0].text;
    assert!(
        text.ends_with(&dashboard_link(&format!("https://{DOMAIN}/Prod"))),
        "{text}"
    );

    let configured = World::standard();
    configured.pulse("nightly", thursday()).await;
    monitor_event(rest_event("GET", Some(SECRET)), &configured.deps(), now(), "r")
        .await
        .unwrap();
    let text = &configured.slack.delivered()[0].text;
    assert!(text.ends_with(&dashboard_link(BASE_URL)), "BASE_URL wins: {text}");
}

// ---------------------------------------------------------------------------------------------
// The incident lifecycle

#[tokio::test]
async fn a_stale_pulse_gets_one_alert_then_silence_then_one_recovery() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    world.pulse("hourly", now() - hours(1)).await;

    // Thursday 09:00 → Monday 12:00: 51 working hours, 27 over the 24 h threshold.
    let got = world.run(now()).await;
    // The healthy one was indexed at its exact due time (Tuesday) by its first pulse: not read.
    assert_eq!(
        got,
        summary(&[
            ("checked", 1),
            ("exceeded", 1),
            ("newly_exceeded", 1),
            ("notified", 1),
            ("messages_sent", 1)
        ])
    );
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0].text,
        format!(
            ":rotating_light: 1 pulse exceeded its threshold\n\
             • web-1 / backup / db / nightly — 1 d 3 h of working time over its 1 d threshold ({})\n{}",
            edit_link("nightly"),
            dashboard_link(BASE_URL)
        )
    );
    assert_eq!(
        world.alert("nightly"),
        Some(Alert {
            for_stamp: "2026-11-19T09:00:00.000Z".into(),
            notified_at: now()
        })
    );
    assert_eq!(world.claim("nightly"), None, "the lease is dropped");
    assert_eq!(world.alert("hourly"), None);

    // Still stale an hour later: already told, and nothing is due, so nothing is even read.
    let got = world.run_by_url(now() + hours(1)).await;
    assert_eq!(got, summary(&[]));
    assert!(world.slack.take().is_empty());

    // The job runs again; the next run says so, once.
    world.pulse("nightly", now() + hours(2)).await;
    let got = world.run(now() + hours(3)).await;
    assert_eq!(
        got,
        // Only the pulse that came back is due: its pulse made it due at once.
        summary(&[("checked", 1), ("recovered", 1), ("notified", 1), ("messages_sent", 1)])
    );
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0].text,
        format!(
            ":white_check_mark: 1 pulse recovered\n\
             • web-1 / backup / db / nightly — pulsed again at 2026-11-23 14:00 UTC ({})\n{}",
            edit_link("nightly"),
            dashboard_link(BASE_URL)
        )
    );
    assert_eq!(world.alert("nightly"), None, "the incident is over");

    let got = world.run(now() + hours(4)).await;
    assert_eq!(got, summary(&[]));
    assert!(world.slack.take().is_empty());
}

#[tokio::test]
async fn a_new_incident_after_a_recovery_alerts_again() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    world.run(now()).await;
    world.pulse("nightly", now() + hours(1)).await;
    world.run(now() + hours(2)).await;
    assert_eq!(world.slack.take().len(), 2, "alert and recovery");
    // Stale again by Tuesday 13:00 + ε.
    let got = world.run(now() + hours(26)).await;
    assert_eq!(
        got,
        summary(&[
            ("checked", 1),
            ("exceeded", 1),
            ("newly_exceeded", 1),
            ("notified", 1),
            ("messages_sent", 1)
        ])
    );
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0]
            .text
            .starts_with(":rotating_light: 1 pulse exceeded its threshold\n"),
        "{}",
        messages[0].text
    );
}

#[tokio::test]
async fn a_reminder_follows_after_remind_every_hours_and_not_before() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    world.run(now()).await;
    assert_eq!(world.slack.take().len(), 1, "the alert");

    for early in [now() + hours(1), now() + hours(23), now() + hours(24) - minutes(1)] {
        let got = world.run(early).await;
        // Alerted, the pulse is next due at its reminder: until then a run reads nothing.
        assert_eq!(got, summary(&[]), "at {early}");
        assert!(world.slack.take().is_empty(), "no reminder at {early}");
    }

    let due = now() + hours(24);
    let got = world.run(due).await;
    assert_eq!(
        got,
        summary(&[
            ("checked", 1),
            ("exceeded", 1),
            ("reminded", 1),
            ("notified", 1),
            ("messages_sent", 1)
        ])
    );
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0]
            .text
            .starts_with(":bell: 1 pulse is still over its threshold\n• web-1 / backup / db / nightly — "),
        "{}",
        messages[0].text
    );
    assert_eq!(
        world.alert("nightly"),
        Some(Alert {
            for_stamp: "2026-11-19T09:00:00.000Z".into(),
            notified_at: due
        })
    );

    // The next reminder counts from this one (and until it is due, nothing is read).
    assert_eq!(world.run(due + hours(23)).await, summary(&[]));
    assert!(world.slack.take().is_empty());
    world.run(due + hours(24)).await;
    assert_eq!(world.slack.take().len(), 1, "the second reminder");
}

#[tokio::test]
async fn remind_every_hours_sets_the_interval() {
    let world = World::new(&[("DASHBOARD_SECRET", SECRET), ("REMIND_EVERY_HOURS", "2")]);
    world.pulse("nightly", thursday()).await;
    world.run(now()).await;
    world.run(now() + hours(1)).await;
    assert_eq!(world.slack.take().len(), 1, "only the alert within 2 h");
    world.run(now() + hours(2)).await;
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].text.starts_with(":bell: "), "{}", messages[0].text);
}

#[tokio::test]
async fn remind_every_hours_zero_never_reminds() {
    let world = World::new(&[("DASHBOARD_SECRET", SECRET), ("REMIND_EVERY_HOURS", "0")]);
    world.pulse("nightly", thursday()).await;
    world.run(now()).await;
    for later in [hours(24), hours(48), hours(24 * 40)] {
        let got = world.run(now() + later).await;
        // No reminders: an alerted pulse is not due again until it pulses.
        assert_eq!(got, summary(&[]), "after {later}");
    }
    assert_eq!(world.slack.delivered().len(), 1, "the alert only");
}

#[tokio::test]
async fn when_slack_fails_nothing_is_marked_and_a_later_run_alerts_once() {
    let failures = [
        NotifyError::Rejected {
            status: 500,
            body: "internal_error".into(),
        },
        NotifyError::Rejected {
            status: 404,
            body: "no_service".into(),
        },
        NotifyError::Timeout,
        NotifyError::Unreachable("connection refused".into()),
    ];
    for failure in failures {
        let world = World::standard();
        world.pulse("nightly", thursday()).await;
        world.slack.fail_with(Some(failure.clone()));

        let got = world.run_by_url(now()).await;
        assert_eq!(
            got,
            summary(&[
                ("checked", 1),
                ("exceeded", 1),
                ("newly_exceeded", 1),
                ("delivery_failures", 1)
            ]),
            "{failure}"
        );
        assert_eq!(
            (world.alert("nightly"), world.claim("nightly")),
            (None, None),
            "{failure}: not marked, lease released"
        );
        let err = world
            .scheduled(now() + minutes(10))
            .await
            .expect_err("a scheduled run that could not deliver fails");
        assert!(err.to_string().contains("\"delivery_failures\":1"), "{failure}: {err}");
        assert_eq!(world.alert("nightly"), None);
        assert_eq!(world.slack.attempts(), 2);

        world.slack.fail_with(None);
        let got = world.run(now() + minutes(20)).await;
        assert_eq!(
            got,
            summary(&[
                ("checked", 1),
                ("exceeded", 1),
                ("newly_exceeded", 1),
                ("notified", 1),
                ("messages_sent", 1)
            ])
        );
        world.run(now() + minutes(30)).await;
        let delivered = world.slack.delivered();
        assert_eq!(delivered.len(), 1, "{failure}: exactly one alert in total");
        assert!(delivered[0].text.contains("web-1 / backup / db / nightly"));
        assert!(world.alert("nightly").is_some());
    }
}

#[tokio::test]
async fn when_slack_fails_a_recovery_is_sent_later() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    world.run(now()).await;
    world.pulse("nightly", now() + hours(1)).await;
    world.slack.fail_with(Some(NotifyError::Timeout));
    assert!(world.scheduled(now() + hours(2)).await.is_err());
    assert!(world.alert("nightly").is_some(), "the incident stays open");
    world.slack.fail_with(None);
    let got = world.run(now() + hours(3)).await;
    assert_eq!(
        got,
        summary(&[("checked", 1), ("recovered", 1), ("notified", 1), ("messages_sent", 1)])
    );
    let delivered = world.slack.delivered();
    assert_eq!(delivered.len(), 2);
    assert!(delivered[1].text.starts_with(":white_check_mark: 1 pulse recovered"));
    assert_eq!(world.alert("nightly"), None);
}

/// Holds the first message until told to deliver it.
struct GatedNotifier<'a> {
    inner: &'a RecordingNotifier,
    held: AtomicBool,
    entered: Notify,
    release: Notify,
}

#[async_trait]
impl Notifier for GatedNotifier<'_> {
    async fn send(&self, message: &SlackMessage) -> Result<(), NotifyError> {
        if !self.held.swap(true, Ordering::SeqCst) {
            self.entered.notify_one();
            self.release.notified().await;
        }
        self.inner.send(message).await
    }
}

#[tokio::test]
async fn overlapping_runs_deliver_one_alert() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    let gate = GatedNotifier {
        inner: &world.slack,
        held: AtomicBool::new(false),
        entered: Notify::new(),
        release: Notify::new(),
    };
    let deps = MonitorDeps {
        ledger: &world.store,
        notifier: &gate,
        config: &world.config,
    };

    let first = monitor_event(scheduled_event(), &deps, now(), "run-a");
    let second = async {
        // The first run has claimed the pulse and is waiting for Slack.
        gate.entered.notified().await;
        assert!(world.claim("nightly").is_some_and(|c| c.run == "run-a"));
        let summary = monitor_event(scheduled_event(), &deps, now() + minutes(1), "run-b").await;
        gate.release.notify_one();
        summary
    };
    let (first, second) =
        tokio::time::timeout(std::time::Duration::from_secs(5), async { tokio::join!(first, second) })
            .await
            .expect("neither run hangs");

    assert_eq!(
        first.unwrap(),
        summary(&[
            ("checked", 1),
            ("exceeded", 1),
            ("newly_exceeded", 1),
            ("notified", 1),
            ("messages_sent", 1)
        ])
    );
    assert_eq!(
        second.unwrap(),
        summary(&[("checked", 1), ("exceeded", 1), ("newly_exceeded", 1), ("skipped", 1)])
    );
    assert_eq!(world.slack.delivered().len(), 1, "one alert, not two");
    assert_eq!(world.alert("nightly").map(|a| a.notified_at), Some(now()));
    assert_eq!(world.claim("nightly"), None);
}

/// Reads the due pulses, then lets a pulse land before the monitor claims anything.
struct RacingLedger<'a> {
    inner: &'a MemoryStore,
    fresh: PulseReceipt,
}

#[async_trait]
impl IncidentLedger for RacingLedger<'_> {
    async fn due(&self, now: DateTime<Utc>) -> Result<Vec<PulseId>, StoreError> {
        self.inner.due(now).await
    }

    async fn fetch(&self, ids: &[PulseId]) -> Result<Listing, StoreError> {
        let listing = self.inner.fetch(ids).await?;
        self.inner.record_pulse(&self.fresh).await?;
        Ok(listing)
    }

    async fn claim(
        &self,
        id: &PulseId,
        expect: &Expectation,
        claim: &Claim,
        now: DateTime<Utc>,
    ) -> Result<Held, StoreError> {
        self.inner.claim(id, expect, claim, now).await
    }

    async fn unindexed(&self, slice: Slice) -> Result<Listing, StoreError> {
        self.inner.unindexed(slice).await
    }

    async fn reschedule(&self, id: &PulseId, plan: &Reschedule) -> Result<Held, StoreError> {
        self.inner.reschedule(id, plan).await
    }

    async fn record_alert(
        &self,
        id: &PulseId,
        run: &str,
        alert: &Alert,
        next_due: DateTime<Utc>,
    ) -> Result<Held, StoreError> {
        self.inner.record_alert(id, run, alert, next_due).await
    }

    async fn record_recovery(
        &self,
        id: &PulseId,
        run: &str,
        alerted_stamp: &str,
        next_due: DateTime<Utc>,
    ) -> Result<Held, StoreError> {
        self.inner.record_recovery(id, run, alerted_stamp, next_due).await
    }

    async fn release(&self, id: &PulseId, run: &str) -> Result<(), StoreError> {
        self.inner.release(id, run).await
    }
}

#[tokio::test]
async fn a_pulse_landing_between_reading_and_claiming_prevents_the_alert() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    let fresh = PulseReceipt {
        key: key("web-1", "backup", "db", "nightly"),
        at: now() - minutes(1),
        threshold: world.config.default_threshold,
        saturday: false,
        tz: world.config.default_timezone,
        message: None,
        metadata: None,
    };
    let racing = RacingLedger {
        inner: &world.store,
        fresh,
    };
    let deps = MonitorDeps {
        ledger: &racing,
        notifier: &world.slack,
        config: &world.config,
    };
    let got = monitor_event(scheduled_event(), &deps, now(), "run-a").await.unwrap();
    assert_eq!(
        got,
        summary(&[("checked", 1), ("exceeded", 1), ("newly_exceeded", 1), ("skipped", 1)])
    );
    assert!(world.slack.delivered().is_empty(), "no false alert");
    assert_eq!((world.alert("nightly"), world.claim("nightly")), (None, None));

    // A pulse leaves the due time alone, so the next run reads it once more, finds it fresh and
    // moves its due time from the fresh pulse; the run after that has nothing due.
    assert_eq!(
        world.run(now() + minutes(5)).await,
        summary(&[("checked", 1), ("rescheduled", 1)])
    );
    assert_eq!(world.run(now() + minutes(6)).await, summary(&[]));
    assert!(world.slack.delivered().is_empty());
}

#[tokio::test]
async fn sixty_stale_pulses_make_one_message_listing_fifty() {
    let world = World::standard();
    for i in 0..60 {
        world.pulse(&format!("job{i:02}"), thursday()).await;
    }
    let got = world.run(now()).await;
    assert_eq!(
        got,
        summary(&[
            ("checked", 60),
            ("exceeded", 60),
            ("newly_exceeded", 60),
            ("notified", 60),
            ("messages_sent", 1)
        ])
    );
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    let lines: Vec<&str> = messages[0].text.lines().collect();
    assert_eq!(lines[0], ":rotating_light: 60 pulses exceeded their threshold");
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("• web-1 / backup / db / job"))
            .count(),
        50
    );
    assert_eq!(lines[51], "…and 10 more");
    assert_eq!(lines[52], dashboard_link(BASE_URL));
    assert_eq!(lines.len(), 53);
    for i in 0..60 {
        assert!(
            world.alert(&format!("job{i:02}")).is_some(),
            "job{i:02} is marked notified"
        );
    }
    // All 60 are next due at their reminder, a day later: this run reads none of them.
    assert_eq!(world.run(now() + hours(1)).await, summary(&[]));
    assert!(world.slack.take().is_empty());
}

#[tokio::test]
async fn an_unreachable_table_is_503_by_url_and_an_error_when_scheduled() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    world.store.set_down(true);

    let response = monitor_event(rest_event("GET", Some(SECRET)), &world.deps(), now(), "r")
        .await
        .expect("answered");
    let (status, headers, body) = proxy(&response);
    assert_eq!(status, 503);
    assert_eq!(headers["retry-after"], json!("30"));
    assert_eq!(headers["content-type"], json!("application/json"));
    assert_eq!(body["status"], json!(503));
    assert!(body["error"].as_str().unwrap().contains("cannot be reached"), "{body}");

    let err = world.scheduled(now()).await.expect_err("the scheduled run fails");
    assert!(err.to_string().contains("cannot be reached"), "{err}");
    assert_eq!(world.slack.attempts(), 0);
    world.store.set_down(false);
    assert_eq!(world.alert("nightly"), None);
}

#[tokio::test]
async fn relaxing_the_threshold_on_the_edit_page_closes_the_incident() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    world.run(now()).await;
    assert_eq!(world.slack.take().len(), 1, "the alert");

    let id = id_of("web-1", "backup", "db", "nightly");
    let uri = format!("/heartbeat/edit?secret={SECRET_IN_URL}&id={id}");
    let res = handlers::edit_post(
        post(&uri, FORM, "threshold=100&tz=UTC"),
        &world.store,
        &world.store,
        &world.config,
        now(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 303, "{}", text(&res));

    let got = world.run(now() + hours(1)).await;
    assert_eq!(
        got,
        summary(&[("checked", 1), ("recovered", 1), ("notified", 1), ("messages_sent", 1)])
    );
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].text.starts_with(
            ":white_check_mark: 1 pulse recovered\n• web-1 / backup / db / nightly — within its 4 d 4 h threshold again after its settings changed"
        ),
        "{}",
        messages[0].text
    );
    assert_eq!(world.alert("nightly"), None);
}

#[tokio::test]
async fn a_lease_left_by_a_crashed_run_holds_until_it_expires() {
    let world = World::standard();
    let mut pulse = pulse_in("nightly", thursday(), "24", "UTC");
    pulse.key = key("web-1", "backup", "db", "nightly");
    pulse.id = pulse.key.id();
    pulse.due_at = Some(thursday());
    // A run that claimed the pulse four minutes ago and died before telling Slack.
    pulse.claim = Some(Claim {
        run: "crashed".into(),
        until: now() + minutes(1),
    });
    world.store.insert(pulse);

    let got = world.run(now()).await;
    assert_eq!(
        got,
        summary(&[("checked", 1), ("exceeded", 1), ("newly_exceeded", 1), ("skipped", 1)])
    );
    assert!(world.slack.take().is_empty(), "the lease is still held");

    let got = world.run(now() + minutes(2)).await;
    assert_eq!(
        got,
        summary(&[
            ("checked", 1),
            ("exceeded", 1),
            ("newly_exceeded", 1),
            ("notified", 1),
            ("messages_sent", 1)
        ])
    );
    assert_eq!(world.slack.take().len(), 1, "the expired lease is taken over");
    assert_eq!(world.claim("nightly"), None);
}
