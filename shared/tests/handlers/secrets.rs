//! The secrets stay secret: a whole pulse → dashboard → edit → monitor flow, failure paths included
//! (Slack rejecting, hanging, unreachable; the table down), runs under a subscriber that captures
//! every log line, which must carry neither the dashboard secret nor the Slack webhook's path; and
//! `Secret::matches` answers right for near misses.

use crate::support::{FORM, config, get, now, request};
use chrono::TimeDelta;
use heartbeat_shared::config::{Config, Secret};
use heartbeat_shared::handlers::{self, MonitorDeps, monitor_event};
use heartbeat_shared::slack::{LogNotifier, WebhookNotifier};
use heartbeat_shared::store::MemoryStore;
use heartbeat_shared::testing::{Behaviour, Recorder, RecordingNotifier, Reply};
use lambda_http::http::Method;
use lambda_http::{Body, Response};
use serde_json::{Value, json};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

/// `&` and `/` make the URL-encoded form in links differ from the plain one; both must stay hidden.
const SECRET: &str = "dash&S3cret/4b1e";
const SECRET_IN_URL: &str = "dash%26S3cret%2F4b1e";
/// The part of a Slack webhook URL that is the credential.
const WEBHOOK_PATH: &str = "/services/T0SECRET/B0SECRET/hook-token-31c9";
const WEBHOOK_TOKEN: &str = "hook-token-31c9";
const BASE_URL: &str = "https://hb.example/Prod";

fn status(res: &Response<Body>) -> u16 {
    res.status().as_u16()
}

/// A monitor invocation as API Gateway sends it for `GET /heartbeat/monitor?secret=…`.
fn by_url(secret: Option<&str>) -> Value {
    json!({
        "httpMethod": "GET",
        "path": "/heartbeat/monitor",
        "queryStringParameters": secret.map(|s| json!({ "secret": s })),
        "requestContext": { "stage": "$default" },
    })
}

fn scheduled() -> Value {
    json!({
        "version": "0",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "time": "2026-11-23T12:00:00Z",
        "detail": {},
    })
}

/// The JSON summary of a by-URL monitor answer.
fn summary(answer: &Value) -> Value {
    let body = answer["body"].as_str().expect("a proxy response body");
    serde_json::from_str(body).expect("a JSON body")
}

// ---- Log capture -------------------------------------------------------------------------------

/// Everything written by the subscriber, plain and JSON (as on Lambda) alike.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

struct CapturedWriter(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = CapturedWriter;

    fn make_writer(&'a self) -> Self::Writer {
        CapturedWriter(self.0.clone())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }
}

/// Captures every event at every level on this thread (where `#[tokio::test]` runs the handlers and
/// the HTTP client's tasks) until the guard is dropped.
fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::filter::LevelFilter::TRACE)
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(captured.clone())
                .with_ansi(false),
        )
        .with(tracing_subscriber::fmt::layer().json().with_writer(captured.clone()));
    let guard = tracing::subscriber::set_default(subscriber);
    (captured, guard)
}

#[track_caller]
fn assert_no_secret_in(log: &str) {
    for hidden in [
        SECRET,
        SECRET_IN_URL,
        WEBHOOK_PATH,
        WEBHOOK_TOKEN,
        "T0SECRET",
        "B0SECRET",
    ] {
        let lines: Vec<&str> = log.lines().filter(|line| line.contains(hidden)).collect();
        assert!(lines.is_empty(), "the log carries {hidden:?}:\n{}", lines.join("\n"));
    }
}

// ---- The flow ----------------------------------------------------------------------------------

/// Three pulses from ten days ago (so the monitor has work), one of them POSTed with a message.
async fn pulses(store: &MemoryStore, config: &Config) -> Vec<String> {
    let then = now() - TimeDelta::days(10);
    let mut ids = Vec::new();
    for name in ["nightly-dump", "hourly-sync"] {
        let uri = format!("/heartbeat/pulse?host=web-1&category=backup&type=cron&name={name}");
        let res = handlers::pulse(get(&uri), store, config, then).await;
        assert_eq!(status(&res), 200, "{res:?}");
        ids.push(sha256_id("web-1", "backup", "cron", name));
    }
    let body = r#"{"host":"db-1","category":"backup","type":"cron","name":"weekly","message":"done"}"#;
    let res = handlers::pulse(
        request(Method::POST, "/heartbeat/pulse", Some("application/json"), body),
        store,
        config,
        then,
    )
    .await;
    assert_eq!(status(&res), 200, "{res:?}");
    ids.push(sha256_id("db-1", "backup", "cron", "weekly"));
    ids
}

fn sha256_id(host: &str, category: &str, kind: &str, name: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(format!("{host}{category}{kind}{name}").as_bytes()))
}

/// The pages, right and wrong secrets, valid and invalid forms, an unknown id.
async fn pages(store: &MemoryStore, config: &Config, ids: &[String]) {
    let now = now();
    let res = handlers::dashboard(
        get(&format!("/heartbeat/dashboard?secret={SECRET_IN_URL}")),
        store,
        config,
        now,
    )
    .await;
    assert_eq!(status(&res), 200);
    for uri in ["/heartbeat/dashboard?secret=wrong", "/heartbeat/dashboard"] {
        assert_eq!(status(&handlers::dashboard(get(uri), store, config, now).await), 403);
    }
    let edit = format!("/heartbeat/edit?secret={SECRET_IN_URL}&id={}", ids[0]);
    assert_eq!(status(&handlers::edit_get(get(&edit), store, config, now).await), 200);
    let wrong = format!("/heartbeat/edit?secret=wrong&id={}", ids[0]);
    assert_eq!(status(&handlers::edit_get(get(&wrong), store, config, now).await), 403);
    for (body, want) in [("threshold=-1&tz=Mars", 400), ("threshold=36&tz=UTC&saturday=1", 303)] {
        let req = request(Method::POST, &edit, Some(FORM), body);
        let res = handlers::edit_post(req, store, store, config, now).await;
        assert_eq!(status(&res), want, "{body}");
    }
    let unknown = format!("/heartbeat/edit?secret={SECRET_IN_URL}&id={}", "0".repeat(64));
    let req = request(Method::POST, &unknown, Some(FORM), "delete=1");
    assert_eq!(status(&handlers::edit_post(req, store, store, config, now).await), 404);
}

/// Every handler and the monitor with the table down: 503s, and the cause logged.
async fn table_down(store: &MemoryStore, config: &Config, deps: &MonitorDeps<'_>, id: &str) {
    let now = now();
    store.set_down(true);
    let dashboard = format!("/heartbeat/dashboard?secret={SECRET_IN_URL}");
    assert_eq!(
        status(&handlers::dashboard(get(&dashboard), store, config, now).await),
        503
    );
    let edit = format!("/heartbeat/edit?secret={SECRET_IN_URL}&id={id}");
    assert_eq!(status(&handlers::edit_get(get(&edit), store, config, now).await), 503);
    let req = request(Method::POST, &edit, Some(FORM), "threshold=2&tz=UTC");
    assert_eq!(status(&handlers::edit_post(req, store, store, config, now).await), 503);
    let pulse = "/heartbeat/pulse?host=web-1&category=backup&type=cron&name=nightly-dump";
    assert_eq!(status(&handlers::pulse(get(pulse), store, config, now).await), 503);
    let answer = monitor_event(by_url(Some(SECRET)), deps, now, "run-down")
        .await
        .unwrap();
    assert_eq!(answer["statusCode"], 503, "{answer}");
    assert!(monitor_event(scheduled(), deps, now, "run-down-2").await.is_err());
    store.set_down(false);
}

#[tokio::test]
async fn the_whole_flow_logs_neither_the_secret_nor_the_webhook() {
    let slack = Recorder::start(Behaviour::Sequence(vec![Reply::text(
        500,
        "upstream failed for {path}",
    )]))
    .await;
    let config = config(&[
        ("DASHBOARD_SECRET", SECRET),
        ("SLACK_WEBHOOK_URL", &slack.url_for(WEBHOOK_PATH)),
        ("BASE_URL", BASE_URL),
        ("SLACK_TIMEOUT_SECONDS", "0.3"),
    ]);
    let webhook = WebhookNotifier::new(slack.url_for(WEBHOOK_PATH), config.slack_timeout).expect("a webhook notifier");
    let store = MemoryStore::new();
    let deps = MonitorDeps {
        ledger: &store,
        notifier: &webhook,
        config: &config,
        calendars: None,
        channels: None,
    };
    let (log, guard) = capture();
    tracing::info!("capture started");

    let ids = pulses(&store, &config).await;
    pages(&store, &config, &ids).await;

    // Slack rejects, echoing the webhook path in its error page.
    let answer = monitor_event(by_url(Some(SECRET)), &deps, now(), "run-1")
        .await
        .unwrap();
    assert_eq!(summary(&answer)["delivery_failures"], 1, "{answer}");
    assert!(
        slack.requests()[0].path.contains(WEBHOOK_PATH),
        "the fake Slack saw no request"
    );
    // Wrong and missing secrets on the monitor.
    for secret in [Some("wrong"), None] {
        let answer = monitor_event(by_url(secret), &deps, now(), "run-x").await.unwrap();
        assert_eq!(answer["statusCode"], 403, "{answer}");
    }
    // Slack hangs: the scheduled run reports the failure.
    slack.set_behaviour(Behaviour::Hang);
    let failure = monitor_event(scheduled(), &deps, now(), "run-2").await.unwrap_err();
    assert!(!failure.to_string().contains(WEBHOOK_TOKEN), "{failure}");
    // Slack cannot be reached at all.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let unreachable = WebhookNotifier::new(
        format!("http://127.0.0.1:{closed}{WEBHOOK_PATH}"),
        Duration::from_millis(300),
    )
    .unwrap();
    let unreachable_deps = MonitorDeps {
        notifier: &unreachable,
        ..deps
    };
    let answer = monitor_event(by_url(Some(SECRET)), &unreachable_deps, now(), "run-3")
        .await
        .unwrap();
    assert_eq!(summary(&answer)["delivery_failures"], 1, "{answer}");
    // Slack accepts.
    slack.set_behaviour(Behaviour::Respond(200));
    let answer = monitor_event(by_url(Some(SECRET)), &deps, now(), "run-4")
        .await
        .unwrap();
    assert_eq!(summary(&answer)["messages_sent"], 1, "{answer}");
    let delivered = slack.requests().pop().expect("the accepted message").body;
    assert!(
        delivered.contains(SECRET_IN_URL),
        "the message links to the dashboard with the secret: {delivered}"
    );

    table_down(&store, &config, &deps, &ids[0]).await;
    // Deleting, once the table is back.
    let delete = format!("/heartbeat/edit?secret={SECRET_IN_URL}&id={}", ids[1]);
    let req = request(Method::POST, &delete, Some(FORM), "delete=1");
    assert_eq!(
        status(&handlers::edit_post(req, &store, &store, &config, now()).await),
        303
    );
    drop(guard);

    let text = log.text();
    for expected in [
        "capture started",
        "Slack message not delivered",
        "HTTP 500",
        "[webhook path]",
        "Slack did not answer in time",
        "Slack could not be reached",
        "Slack accepted the message",
        "table unavailable",
    ] {
        assert!(
            text.contains(expected),
            "the log lacks {expected:?}, so a path was not run:\n{text}"
        );
    }
    eprintln!("captured {} log lines", text.lines().count());
    assert_no_secret_in(&text);
}

/// A notifier given to the monitor as a plain `Notifier` receives the links (secret included), and
/// nothing about them reaches the log.
#[tokio::test]
async fn a_recording_notifier_gets_the_links_and_the_log_does_not() {
    let config = config(&[("DASHBOARD_SECRET", SECRET), ("BASE_URL", BASE_URL)]);
    let store = MemoryStore::new();
    let notifier = RecordingNotifier::new();
    let deps = MonitorDeps {
        ledger: &store,
        notifier: &notifier,
        config: &config,
        calendars: None,
        channels: None,
    };
    let (log, guard) = capture();
    pulses(&store, &config).await;
    let answer = monitor_event(by_url(Some(SECRET)), &deps, now(), "run-1")
        .await
        .unwrap();
    assert_eq!(summary(&answer)["messages_sent"], 1, "{answer}");
    let scheduled = monitor_event(scheduled(), &deps, now(), "run-2").await;
    assert!(scheduled.is_ok(), "{scheduled:?}");
    drop(guard);
    let sent = notifier.delivered();
    assert!(sent[0].text.contains(SECRET_IN_URL), "{:?}", sent[0].text);
    assert!(log.text().contains("monitor run by URL"), "{}", log.text());
    assert_no_secret_in(&log.text());
}

/// Without a webhook, the monitor logs what it would have sent (the contract); the links in that
/// message carry the dashboard secret, which must not reach the log with them.
#[tokio::test]
async fn without_a_webhook_the_logged_message_keeps_the_secret_out() {
    let config = config(&[("DASHBOARD_SECRET", SECRET), ("BASE_URL", BASE_URL)]);
    let store = MemoryStore::new();
    let deps = MonitorDeps {
        ledger: &store,
        notifier: &LogNotifier,
        config: &config,
        calendars: None,
        channels: None,
    };
    let (log, guard) = capture();
    pulses(&store, &config).await;
    let answer = monitor_event(by_url(Some(SECRET)), &deps, now(), "run-1")
        .await
        .unwrap();
    assert_eq!(summary(&answer)["messages_sent"], 1, "{answer}");
    drop(guard);
    let text = log.text();
    assert!(text.contains("would send to Slack"), "{text}");
    assert!(
        text.contains("nightly-dump"),
        "the logged message lacks its pulses: {text}"
    );
    assert_no_secret_in(&text);
}

#[test]
fn secret_matches_only_the_exact_secret() {
    let long = "k".repeat(10_000);
    let cases: &[(&str, &str, bool)] = &[
        ("s3cret", "s3cret", true),
        ("s3cret", "s3cre", false),
        ("s3cret", "s", false),
        ("s3cret", "s3cret!", false),
        ("s3cret", "s3crets3cret", false),
        ("s3cret", "", false),
        ("s3cret", "S3CRET", false),
        ("s3cret", "s3creT", false),
        ("s3cret", " s3cret", false),
        ("s3cret", "s3cret ", false),
        ("s3cret", "s3cret\0", false),
        ("s3cret", "s3cret\n", false),
        ("s3cret", "s3crex", false),
        ("", "", true),
        ("", " ", false),
        ("", "\0", false),
        (SECRET, SECRET, true),
        (SECRET, SECRET_IN_URL, false),
        ("sécret-🔑", "sécret-🔑", true),
        ("sécret-🔑", "s\u{e9}cret-\u{1f511}", true),
        ("sécret-🔑", "se\u{301}cret-🔑", false),
        ("sécret-🔑", "sécret-", false),
        ("sécret-🔑", "sécret-🔑🔑", false),
        ("sécret-🔑", "secret-🔑", false),
        ("日本語", "日本", false),
        ("日本語", "日本語", true),
        (&long, &long, true),
        (&long, &long[1..], false),
        (&long, "k", false),
    ];
    for (secret, candidate, want) in cases {
        let got = Secret::new(*secret).matches(candidate);
        assert_eq!(
            got,
            *want,
            "Secret({:?}).matches({:?})",
            secret.chars().take(20).collect::<String>(),
            candidate.chars().take(20).collect::<String>()
        );
    }
    // The secret never prints.
    assert_eq!(format!("{:?}", Secret::new(SECRET)), "Secret(…)");
}
