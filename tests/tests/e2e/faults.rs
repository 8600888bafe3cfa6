//! Faults end to end: the table unreachable (dynalite killed, then restarted under the same runtime),
//! Slack failing in each way it can, and DynamoDB throttling (a scripted fake, since dynalite never
//! throttles). Nothing may hang, nothing may be marked delivered that Slack did not accept, and the
//! service must come back by itself.

use crate::common::bare_runtime::{BareRuntime, CLIENT_TIMEOUT};
use crate::common::fake_dynamo::{Answer, FakeDynamo, THROTTLING, THROUGHPUT_EXCEEDED};
use crate::common::stale::stale_pulse;
use crate::common::{bare_runtime, fake_dynamo};
use heartbeat_e2e::{
    AttributeValue, Behaviour, Dynalite, LocalRuntime, RecordedRequest, SlackRecorder, assert_summary, header,
    original_id, s_attr, summary_count,
};
use heartbeat_shared::store::DynamoStore;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::net::{TcpSocket, TcpStream};
use tokio::task::JoinHandle;

const WAIT: Duration = Duration::from_secs(5);
/// A request answered while the table is unreachable must fail within this: the SDK makes 3
/// attempts with at most 1 s + 2 s of jittered backoff between them.
const FAIL_BOUND: Duration = Duration::from_secs(5);
const PULSE: [(&str, &str); 4] = [
    ("host", "web-1"),
    ("category", "backup"),
    ("type", "cron"),
    ("name", "nightly-db"),
];

/// A directory for an on-disk dynalite, removed when dropped (declare it before the dynalite, so the
/// dynalite is dropped, and killed, first).
struct StoreDir(PathBuf);

impl StoreDir {
    fn new(test: &str) -> Self {
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("faults-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        Self(path)
    }
}

impl Drop for StoreDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A client that waits longer than any answer can take, so a slow failure is measured, not cut short.
fn patient_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(CLIENT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a reqwest client")
}

async fn get(http: &reqwest::Client, url: impl reqwest::IntoUrl) -> (StatusCode, HeaderMap, String, Duration) {
    let started = Instant::now();
    let response = http
        .get(url)
        .send()
        .await
        .expect("an answer before the client's timeout");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.text().await.expect("a body");
    (status, headers, body, started.elapsed())
}

fn assert_retry_after(headers: &HeaderMap) {
    let retry_after = header(headers, "retry-after");
    assert!(
        retry_after.parse::<u64>().is_ok_and(|seconds| seconds > 0),
        "Retry-After is {retry_after:?} in {headers:?}"
    );
}

/// 503, a complete HTML page with the contract's security headers, saying what happened and nothing
/// more (no secret, no endpoint, no SDK error).
fn assert_unavailable_page(status: StatusCode, headers: &HeaderMap, html: &str, secret: &str) {
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{html}");
    assert!(header(headers, "content-type").starts_with("text/html"), "{headers:?}");
    let csp = header(headers, "content-security-policy");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "CSP: {csp:?}"
    );
    assert_eq!(header(headers, "x-frame-options"), "DENY");
    assert_eq!(header(headers, "referrer-policy"), "no-referrer");
    assert_eq!(header(headers, "cache-control"), "no-store");
    assert_retry_after(headers);
    assert!(
        html.contains("<html") && html.contains("</html>"),
        "not a complete page: {html}"
    );
    assert!(html.contains("Temporarily unavailable"), "{html}");
    assert!(html.contains("cannot be reached right now"), "{html}");
    for leak in [secret, "127.0.0.1", "dispatch", "Dispatch", "connection", "Error {"] {
        assert!(!html.contains(leak), "the error page shows {leak:?}: {html}");
    }
}

fn assert_unavailable_text(status: StatusCode, headers: &HeaderMap, body: &str) {
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(header(headers, "content-type").starts_with("text/plain"), "{headers:?}");
    assert_retry_after(headers);
    assert!(body.contains("cannot be reached right now"), "{body}");
    assert!(body.contains("try again"), "{body}");
    assert!(!body.contains("127.0.0.1") && !body.contains("ispatch"), "{body}");
}

fn durations(took: &[Duration]) -> String {
    let mut sorted = took.to_vec();
    sorted.sort();
    format!(
        "min {:?}, median {:?}, max {:?} over {}",
        sorted[0],
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1],
        sorted.len()
    )
}

/// The runtime's table through the product's store, to write pulses as a client long ago did.
fn store_of(rt: &LocalRuntime) -> DynamoStore {
    DynamoStore::new(rt.client().clone(), rt.table())
}

async fn assert_unmarked(rt: &LocalRuntime, id: &str) {
    let item = rt.item(id).await.expect("the item");
    assert!(!item.contains_key("alertFor"), "marked notified: {item:?}");
    assert!(!item.contains_key("alertAt"), "marked notified: {item:?}");
    assert!(!item.contains_key("claimRun"), "still claimed: {item:?}");
}

// ---------------------------------------------------------------------------------------------
// The table unreachable: dynalite killed mid-test, then restarted on its port with its data.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn pulse_is_503_with_retry_after_within_seconds_while_dynamodb_is_down_and_200_after_restart() {
    let dir = StoreDir::new("pulse");
    let mut dynalite = Dynalite::start_on_disk(&dir.0).await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let id = original_id("web-1", "backup", "cron", "nightly-db");
    rt.pulse_ok("web-1", "backup", "cron", "nightly-db").await;
    let http = patient_client();

    dynalite.stop();
    let mut took = Vec::new();
    for _ in 0..5 {
        let (status, headers, body, elapsed) = get(&http, rt.url_with("pulse", &PULSE)).await;
        assert_unavailable_text(status, &headers, &body);
        took.push(elapsed);
    }
    eprintln!("FIGURE pulse 503 while dynalite is down: {}", durations(&took));
    let slowest = *took.iter().max().expect("samples");
    assert!(slowest < FAIL_BOUND, "a pulse took {slowest:?} to fail: {took:?}");

    // The same runtime, the same SDK client: no restart on our side.
    dynalite.restart().await;
    let started = Instant::now();
    rt.pulse_ok("web-1", "backup", "cron", "nightly-db").await;
    eprintln!("FIGURE first pulse after restart: {:?}", started.elapsed());
    let item = rt.item(&id).await.expect("the item survived the restart");
    // The five refused pulses left no trace.
    assert_eq!(item.get("pulseCount"), Some(&AttributeValue::N("2".into())), "{item:?}");
}

#[tokio::test]
async fn dashboard_and_edit_show_an_error_page_while_dynamodb_is_down_and_work_after_restart() {
    let dir = StoreDir::new("pages");
    let mut dynalite = Dynalite::start_on_disk(&dir.0).await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    rt.pulse_ok("web-1", "backup", "cron", "nightly-db").await;
    let id = original_id("web-1", "backup", "cron", "nightly-db");
    let http = patient_client();
    let dashboard = rt.url_with("dashboard", &[("secret", rt.secret())]);
    let edit = rt.url_with("edit", &[("secret", rt.secret()), ("id", &id)]);

    dynalite.stop();
    let (status, headers, html, took_dashboard) = get(&http, dashboard.clone()).await;
    assert_unavailable_page(status, &headers, &html, rt.secret());
    let (status, headers, html, took_edit) = get(&http, edit.clone()).await;
    assert_unavailable_page(status, &headers, &html, rt.secret());
    let started = Instant::now();
    let response = http
        .post(edit.clone())
        .header("content-type", "application/x-www-form-urlencoded")
        .body("threshold=36&tz=UTC")
        .send()
        .await
        .expect("an answer to the edit form");
    let (status, headers) = (response.status(), response.headers().clone());
    let html = response.text().await.expect("a body");
    let took_save = started.elapsed();
    assert_unavailable_page(status, &headers, &html, rt.secret());
    eprintln!(
        "FIGURE pages 503 while dynalite is down: dashboard {took_dashboard:?}, edit {took_edit:?}, save {took_save:?}"
    );
    for took in [took_dashboard, took_edit, took_save] {
        assert!(took < FAIL_BOUND, "a page took {took:?} to fail");
    }

    dynalite.restart().await;
    let html = rt.dashboard().await;
    assert!(html.contains("nightly-db"), "{html}");
    let (status, _, html, _) = get(&http, edit).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("value=\"24\""),
        "the save during the outage was applied: {html}"
    );
    assert_eq!(s_attr(&rt.item(&id).await.unwrap(), "thresholdF"), "24");
}

#[tokio::test]
async fn the_monitor_fails_and_marks_nothing_while_dynamodb_is_down_and_alerts_after_restart() {
    let dir = StoreDir::new("monitor");
    let mut dynalite = Dynalite::start_on_disk(&dir.0).await;
    let slack = SlackRecorder::start(Behaviour::Respond(200)).await;
    let rt = LocalRuntime::start(&dynalite, &[("SLACK_WEBHOOK_URL", &slack.url())]).await;
    let id = stale_pulse(&store_of(&rt), "db-1", "nightly-dump").await;
    let http = patient_client();

    dynalite.stop();
    let (status, headers, body, took_by_url) = get(&http, rt.url_with("monitor", &[("secret", rt.secret())])).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        header(&headers, "content-type").starts_with("application/json"),
        "{headers:?}"
    );
    assert_retry_after(&headers);
    let json: Value = serde_json::from_str(&body).expect("a JSON answer");
    assert_eq!(json.get("status").and_then(Value::as_u64), Some(503), "{json}");
    assert!(
        json.get("error")
            .and_then(Value::as_str)
            .is_some_and(|e| e.contains("cannot be reached")),
        "{json}"
    );
    assert!(
        json.get("checked").is_none(),
        "a summary from a run that could not read: {json}"
    );
    let started = Instant::now();
    let scheduled = rt.scheduled_run().await;
    let took_scheduled = started.elapsed();
    assert!(scheduled.is_err(), "the scheduled run reported success: {scheduled:?}");
    eprintln!("FIGURE monitor failing while dynalite is down: by URL {took_by_url:?}, scheduled {took_scheduled:?}");
    assert!(took_by_url < FAIL_BOUND && took_scheduled < FAIL_BOUND);
    assert!(slack.requests().is_empty(), "{:#?}", slack.requests());

    dynalite.restart().await;
    assert_unmarked(&rt, &id).await;
    let (status, summary) = rt.monitor().await;
    assert_summary(
        status,
        &summary,
        &[
            ("newly_exceeded", 1),
            ("notified", 1),
            ("messages_sent", 1),
            ("store_errors", 0),
        ],
    );
    let requests = slack.wait_for(1, WAIT).await;
    assert!(message_text(&requests[0]).contains("nightly-dump"));
    let item = rt.item(&id).await.unwrap();
    assert_eq!(s_attr(&item, "alertFor"), s_attr(&item, "timestampF"));
    let (status, summary) = rt.monitor().await;
    assert_summary(status, &summary, &[("messages_sent", 0)]);
    assert_eq!(slack.requests().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Slack failing: nothing marked delivered; the next healthy run delivers exactly one alert.
// ---------------------------------------------------------------------------------------------

fn message_text(request: &RecordedRequest) -> &str {
    request
        .json
        .as_ref()
        .and_then(|json| json.get("text"))
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("a Slack message without text: {request:?}"))
}

/// Two stale pulses; two runs (by URL, then scheduled) while Slack fails. Each run must report the
/// failure and leave both items unmarked. Returns the ids.
async fn two_failing_runs(rt: &LocalRuntime, max_run: Duration) -> [String; 2] {
    let store = store_of(rt);
    let ids = [
        stale_pulse(&store, "db-1", "dump-a").await,
        stale_pulse(&store, "db-2", "dump-b").await,
    ];
    let started = Instant::now();
    let (status, summary) = rt.monitor().await;
    let took = started.elapsed();
    assert_summary(
        status,
        &summary,
        &[
            ("newly_exceeded", 2),
            ("delivery_failures", 1),
            ("notified", 0),
            ("messages_sent", 0),
        ],
    );
    assert!(took < max_run, "a run with a failing Slack took {took:?}");
    let by_url = took;
    for id in &ids {
        assert_unmarked(rt, id).await;
    }
    let started = Instant::now();
    let scheduled = rt.scheduled_run().await;
    let took = started.elapsed();
    assert!(
        scheduled.is_err(),
        "a failed delivery is an error of the scheduled run: {scheduled:?}"
    );
    assert!(took < max_run, "a scheduled run with a failing Slack took {took:?}");
    eprintln!("FIGURE failing Slack: run by URL {by_url:?}, scheduled run {took:?}");
    for id in &ids {
        assert_unmarked(rt, id).await;
    }
    ids
}

/// Slack is healthy again: one message naming both, both marked, and nothing more on the next run.
/// `failed` requests reached the recorder before; exactly one more must have been accepted.
async fn one_alert_after_healing(rt: &LocalRuntime, slack: &SlackRecorder, failed: usize, ids: &[String; 2]) {
    let (status, summary) = rt.monitor().await;
    assert_summary(
        status,
        &summary,
        &[
            ("newly_exceeded", 2),
            ("delivery_failures", 0),
            ("notified", 2),
            ("messages_sent", 1),
        ],
    );
    for id in ids {
        let item = rt.item(id).await.unwrap();
        assert_eq!(s_attr(&item, "alertFor"), s_attr(&item, "timestampF"), "{item:?}");
    }
    let (status, summary) = rt.monitor().await;
    assert_summary(status, &summary, &[("messages_sent", 0), ("delivery_failures", 0)]);
    let scheduled = rt.scheduled_run().await.expect("a healthy scheduled run");
    assert_eq!(summary_count(&scheduled, "messages_sent"), 0, "{scheduled}");

    let requests = slack.wait_for(failed + 1, WAIT).await;
    let accepted = &requests[failed..];
    assert_eq!(accepted.len(), 1, "accepted alerts: {accepted:#?}");
    let text = message_text(&accepted[0]);
    assert!(text.contains("dump-a") && text.contains("dump-b"), "{text}");
}

#[tokio::test]
async fn slack_answering_500_marks_nothing_and_the_next_healthy_run_alerts_once() {
    let dynalite = Dynalite::start().await;
    let slack = SlackRecorder::start(Behaviour::Respond(500)).await;
    let rt = LocalRuntime::start(&dynalite, &[("SLACK_WEBHOOK_URL", &slack.url())]).await;

    let ids = two_failing_runs(&rt, WAIT).await;
    let failed = slack.wait_for(2, WAIT).await.len();
    assert_eq!(failed, 2, "one attempt per failing run");
    slack.set_behaviour(Behaviour::Respond(200));
    one_alert_after_healing(&rt, &slack, failed, &ids).await;
}

#[tokio::test]
async fn slack_hanging_past_the_timeout_marks_nothing_and_the_next_healthy_run_alerts_once() {
    let dynalite = Dynalite::start().await;
    let slack = SlackRecorder::start(Behaviour::Hang).await;
    let rt = LocalRuntime::start(
        &dynalite,
        &[("SLACK_WEBHOOK_URL", &slack.url()), ("SLACK_TIMEOUT_SECONDS", "0.5")],
    )
    .await;

    // Bounded by the 0.5 s Slack timeout plus the run's own table requests, not by the hanging webhook.
    let ids = two_failing_runs(&rt, Duration::from_secs(4)).await;
    let failed = slack.wait_for(2, WAIT).await.len();
    assert_eq!(failed, 2, "one attempt per failing run");
    slack.set_behaviour(Behaviour::Respond(200));
    one_alert_after_healing(&rt, &slack, failed, &ids).await;
}

/// A webhook port that refuses connections (bound, never listening) until `open_to` makes the very
/// same socket listen and forward each connection to a recorder: the runtime keeps one URL
/// throughout, as it would when Slack comes back.
struct RefusingPort {
    port: u16,
    socket: Option<TcpSocket>,
    forwarder: Option<JoinHandle<()>>,
}

impl RefusingPort {
    fn new() -> Self {
        let socket = TcpSocket::new_v4().expect("a TCP socket");
        socket
            .bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .expect("a loopback port");
        let port = socket.local_addr().expect("a bound socket has an address").port();
        Self {
            port,
            socket: Some(socket),
            forwarder: None,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/services/T000/B000/XXXX", self.port)
    }

    fn open_to(&mut self, target_port: u16) {
        let listener = self
            .socket
            .take()
            .expect("opened once")
            .listen(64)
            .expect("listen on the refusing port");
        self.forwarder = Some(tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    continue;
                };
                tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect((Ipv4Addr::LOCALHOST, target_port)).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }));
    }
}

impl Drop for RefusingPort {
    fn drop(&mut self) {
        if let Some(forwarder) = &self.forwarder {
            forwarder.abort();
        }
    }
}

#[tokio::test]
async fn slack_refusing_connections_marks_nothing_and_the_next_healthy_run_alerts_once() {
    let dynalite = Dynalite::start().await;
    let slack = SlackRecorder::start(Behaviour::Respond(200)).await;
    let mut port = RefusingPort::new();
    let rt = LocalRuntime::start(&dynalite, &[("SLACK_WEBHOOK_URL", &port.url())]).await;

    let ids = two_failing_runs(&rt, WAIT).await;
    assert!(slack.requests().is_empty());
    port.open_to(slack.port());
    one_alert_after_healing(&rt, &slack, 0, &ids).await;
}

// ---------------------------------------------------------------------------------------------
// Throttling: a fake DynamoDB answering ThrottlingException / ProvisionedThroughputExceededException.
// ---------------------------------------------------------------------------------------------

const UPDATE_ITEM: &str = "DynamoDB_20120810.UpdateItem";
const SCAN: &str = "DynamoDB_20120810.Scan";
/// The standard retry mode's `max_attempts` in `local_client` and `sdk_config`.
const ATTEMPTS: usize = 3;

#[test]
fn the_clients_make_three_attempts() {
    assert_eq!(usize::try_from(heartbeat_shared::store::MAX_ATTEMPTS), Ok(ATTEMPTS));
}

fn gaps(arrivals: &[fake_dynamo::Arrival]) -> Vec<Duration> {
    arrivals.windows(2).map(|pair| pair[1].at - pair[0].at).collect()
}

/// Every request the fake gets is refused with `code`: the pulse answers 503 + Retry-After once the
/// SDK has made its three attempts, and the dashboard (a Scan) likewise.
async fn throttled_throughout(code: &'static str) {
    let fake = FakeDynamo::start(vec![Answer::Error(code)]).await;
    let rt = BareRuntime::start(&fake.endpoint(), "Heartbeat").await;
    let mut took = Vec::new();
    let url = reqwest::Url::parse_with_params(&rt.url("pulse"), &PULSE).expect("a URL");
    for _ in 0..3 {
        fake.reset(vec![Answer::Error(code)]);
        let (status, headers, body, elapsed) = get(rt.http(), url.clone()).await;
        assert_unavailable_text(status, &headers, &body);
        let arrivals = fake.arrivals();
        assert_eq!(
            arrivals.len(),
            ATTEMPTS,
            "{code}: the SDK made {} attempt(s): {arrivals:?}",
            arrivals.len()
        );
        assert!(arrivals.iter().all(|a| a.target == UPDATE_ITEM), "{arrivals:?}");
        assert!(elapsed > Duration::ZERO && elapsed < FAIL_BOUND, "{code}: {elapsed:?}");
        eprintln!(
            "FIGURE {code}: pulse 503 after {} attempts in {elapsed:?}; backoffs {:?}",
            arrivals.len(),
            gaps(&arrivals)
        );
        took.push(elapsed);
    }
    eprintln!("FIGURE {code}: pulse 503: {}", durations(&took));

    fake.reset(vec![Answer::Error(code)]);
    let dashboard =
        reqwest::Url::parse_with_params(&rt.url("dashboard"), &[("secret", bare_runtime::SECRET)]).expect("a URL");
    let (status, headers, html, elapsed) = get(rt.http(), dashboard).await;
    assert_unavailable_page(status, &headers, &html, bare_runtime::SECRET);
    let arrivals = fake.arrivals();
    assert_eq!(arrivals.len(), ATTEMPTS, "{arrivals:?}");
    assert!(arrivals.iter().all(|a| a.target == SCAN), "{arrivals:?}");
    eprintln!(
        "FIGURE {code}: dashboard 503 after {} attempts in {elapsed:?}",
        arrivals.len()
    );
}

#[tokio::test]
async fn throttling_exception_is_503_with_retry_after_after_three_attempts() {
    throttled_throughout(THROTTLING).await;
}

#[tokio::test]
async fn provisioned_throughput_exceeded_is_503_with_retry_after_after_three_attempts() {
    throttled_throughout(THROUGHPUT_EXCEEDED).await;
}

#[tokio::test]
async fn throttled_twice_then_accepted_the_pulse_succeeds_on_the_third_attempt() {
    let script = vec![Answer::Error(THROTTLING), Answer::Error(THROTTLING), Answer::EmptyOk];
    let fake = FakeDynamo::start(script.clone()).await;
    let rt = BareRuntime::start(&fake.endpoint(), "Heartbeat").await;
    let url = reqwest::Url::parse_with_params(&rt.url("pulse"), &PULSE).expect("a URL");
    let mut took = Vec::new();
    for _ in 0..3 {
        fake.reset(script.clone());
        let (status, headers, body, elapsed) = get(rt.http(), url.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(header(&headers, "content-type").starts_with("text/plain"));
        assert_eq!(body, "Successful Heartbeat Pulse");
        let arrivals = fake.arrivals();
        assert_eq!(arrivals.len(), ATTEMPTS, "{arrivals:?}");
        assert!(arrivals.iter().all(|a| a.target == UPDATE_ITEM), "{arrivals:?}");
        assert!(elapsed < FAIL_BOUND, "{elapsed:?}");
        eprintln!(
            "FIGURE throttled twice: pulse 200 in {elapsed:?}; backoffs {:?}",
            gaps(&arrivals)
        );
        took.push(elapsed);
    }
    eprintln!("FIGURE throttled twice then accepted: pulse 200: {}", durations(&took));
}
