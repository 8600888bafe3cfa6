//! The monitor end to end: stale pulses in dynalite, runs by URL and by schedule, and what reaches a
//! recording Slack webhook — once per incident, retried when Slack fails, never twice.

use heartbeat_e2e::{
    Behaviour, Dynalite, LocalRuntime, RecordedRequest, RefusedPort, Reply, SlackRecorder, assert_summary, header,
    original_id, s_attr, stamp_days_ago, summary_count,
};
use reqwest::StatusCode;
use serde_json::Value;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(5);
/// 0.72 s between reminders: long enough for the run right after an alert to come before it.
const REMIND_EVERY_HOURS: &str = "0.0002";
const REMIND_EVERY: Duration = Duration::from_millis(720);
/// How far the runtime's wall clock and this test's monotonic one may drift apart during a test.
const CLOCKS: Duration = Duration::from_millis(50);

/// A runtime whose Slack webhook is `slack`, plus extra variables.
async fn runtime(dynalite: &Dynalite, slack_url: &str, vars: &[(&str, &str)]) -> LocalRuntime {
    let mut all = vec![("SLACK_WEBHOOK_URL", slack_url)];
    all.extend_from_slice(vars);
    LocalRuntime::start(dynalite, &all).await
}

/// An item last pulsed 30 days ago (exceeded on any weekday), in the due index as heartbeat keeps it.
async fn stale(rt: &LocalRuntime, host: &str, name: &str) -> String {
    rt.put_indexed_item(host, "backup", "cron", name, &stamp_days_ago(30), "24", "0")
        .await
}

fn text(request: &RecordedRequest) -> &str {
    assert_eq!(request.method, "POST");
    assert!(
        request
            .header("content-type")
            .is_some_and(|v| v.starts_with("application/json")),
        "{request:?}"
    );
    request
        .json
        .as_ref()
        .and_then(|json| json.get("text"))
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("a Slack message without text: {request:?}"))
}

/// Asserts that the item is not marked notified and holds no lease.
async fn assert_unmarked(rt: &LocalRuntime, id: &str) {
    let item = rt.item(id).await.expect("the item");
    assert!(!item.contains_key("alertFor"), "marked notified: {item:?}");
    assert!(!item.contains_key("claimRun"), "still claimed: {item:?}");
}

#[tokio::test]
async fn a_stale_pulse_is_alerted_once_and_recovers_after_a_pulse() {
    let dynalite = Dynalite::start().await;
    let slack = SlackRecorder::start(Behaviour::Respond(200)).await;
    let rt = runtime(&dynalite, &slack.url(), &[]).await;
    let id = stale(&rt, "db-1", "nightly-dump").await;

    let (status, summary) = rt.monitor().await;
    assert_summary(
        status,
        &summary,
        &[
            ("checked", 1),
            ("exceeded", 1),
            ("newly_exceeded", 1),
            ("notified", 1),
            ("messages_sent", 1),
            ("delivery_failures", 0),
        ],
    );
    let requests = slack.wait_for(1, WAIT).await;
    assert_eq!(requests.len(), 1);
    let alert = text(&requests[0]);
    assert!(alert.contains("exceeded"), "{alert}");
    assert!(alert.contains("db-1"), "{alert}");
    assert!(alert.contains("nightly-dump"), "{alert}");
    assert!(
        alert.starts_with(":rotating_light: 1 pulse exceeded its threshold"),
        "{alert}"
    );
    assert!(alert.contains("of working time over its 1 d threshold"), "{alert}");
    let dashboard_link = format!("<{}?secret={}|Open the dashboard>", rt.url("dashboard"), rt.secret());
    assert!(alert.contains(&dashboard_link), "no {dashboard_link} in {alert}");
    let edit_link = format!("{}?secret={}&id={id}", rt.url("edit"), rt.secret());
    assert!(alert.contains(&edit_link), "no {edit_link} in {alert}");
    // The link opens the edit page.
    let page = rt.http().get(&edit_link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let item = rt.item(&id).await.unwrap();
    assert_eq!(item.get("alertFor"), item.get("timestampF"));
    assert!(!item.contains_key("claimRun"), "{item:?}");

    let (status, summary) = rt.monitor().await;
    assert_summary(
        status,
        &summary,
        // Alerted, it is next due at its reminder: this run does not even read it.
        &[("checked", 0), ("newly_exceeded", 0), ("messages_sent", 0)],
    );
    assert_eq!(slack.requests().len(), 1, "the incident was alerted twice");

    rt.pulse_ok("db-1", "backup", "cron", "nightly-dump").await;
    let (status, summary) = rt.monitor().await;
    assert_summary(
        status,
        &summary,
        &[
            ("exceeded", 0),
            ("recovered", 1),
            ("store_errors", 0),
            ("notified", 1),
            ("messages_sent", 1),
        ],
    );
    let requests = slack.wait_for(2, WAIT).await;
    assert_eq!(requests.len(), 2);
    let recovery = text(&requests[1]);
    assert!(
        recovery.starts_with(":white_check_mark: 1 pulse recovered"),
        "{recovery}"
    );
    assert!(
        recovery.contains("db-1") && recovery.contains("nightly-dump"),
        "{recovery}"
    );
    assert!(recovery.contains("pulsed again"), "{recovery}");
    let item = rt.item(&id).await.unwrap();
    assert!(!item.contains_key("alertFor"), "{item:?}");
    assert!(!item.contains_key("alertAt"), "{item:?}");
    assert_eq!(rt.scan_count().await, 1);

    let (status, summary) = rt.monitor().await;
    assert_summary(status, &summary, &[("messages_sent", 0)]);
    assert_eq!(slack.requests().len(), 2);
}

#[tokio::test]
async fn a_reminder_follows_after_the_interval_and_not_before() {
    let dynalite = Dynalite::start().await;
    let slack = SlackRecorder::start(Behaviour::Respond(200)).await;
    let rt = runtime(&dynalite, &slack.url(), &[("REMIND_EVERY_HOURS", REMIND_EVERY_HOURS)]).await;
    stale(&rt, "db-1", "nightly-dump").await;

    let before_alert = Instant::now();
    let (status, summary) = rt.monitor().await;
    assert_summary(status, &summary, &[("newly_exceeded", 1), ("notified", 1)]);
    let alerted = Instant::now();
    // Runs one after another until one reminds: every run that began once the interval had passed
    // since the alert reminds, and none that ended before it does.
    let mut quiet_runs = 0;
    let (status, summary, reminding) = loop {
        let asked = Instant::now();
        let (status, summary) = rt.monitor().await;
        if summary_count(&summary, "reminded") > 0 {
            assert!(
                before_alert.elapsed() + CLOCKS >= REMIND_EVERY,
                "a reminder {:?} after the alert: {summary}",
                before_alert.elapsed()
            );
            break (status, summary, asked);
        }
        assert_summary(status, &summary, &[("reminded", 0), ("messages_sent", 0)]);
        assert_eq!(slack.requests().len(), 1, "a reminder before the interval");
        assert!(
            asked < alerted + REMIND_EVERY + CLOCKS,
            "no reminder from a run that began {:?} after the alert",
            asked - alerted
        );
        quiet_runs += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // On a loaded machine even the first run may come after the interval; then only the time of
    // the reminder speaks for "not before".
    eprintln!("{quiet_runs} run(s) before the reminder");
    assert_summary(
        status,
        &summary,
        &[("newly_exceeded", 0), ("reminded", 1), ("messages_sent", 1)],
    );
    let requests = slack.wait_for(2, WAIT).await;
    assert_eq!(requests.len(), 2);
    let reminder = text(&requests[1]);
    assert!(
        reminder.starts_with(":bell: 1 pulse is still over its threshold"),
        "{reminder}"
    );
    assert!(reminder.contains("nightly-dump"), "{reminder}");

    // The next reminder comes an interval after this one, not at once.
    let (status, summary) = rt.monitor().await;
    if summary_count(&summary, "reminded") > 0 {
        assert!(
            reminding.elapsed() + CLOCKS >= REMIND_EVERY,
            "a second reminder {:?} after the first: {summary}",
            reminding.elapsed()
        );
    } else {
        assert_summary(status, &summary, &[("messages_sent", 0)]);
        assert_eq!(slack.requests().len(), 2, "a second reminder at once");
    }
}

#[tokio::test]
async fn a_failed_delivery_is_retried_on_the_next_run() {
    let dynalite = Dynalite::start().await;
    let slack = SlackRecorder::start(Behaviour::Sequence(vec![Reply::Status(500), Reply::Status(200)])).await;
    let rt = runtime(&dynalite, &slack.url(), &[]).await;
    let id = stale(&rt, "db-1", "nightly-dump").await;

    let (status, summary) = rt.monitor().await;
    assert_summary(
        status,
        &summary,
        &[
            ("newly_exceeded", 1),
            ("delivery_failures", 1),
            ("notified", 0),
            ("messages_sent", 0),
        ],
    );
    assert_eq!(slack.wait_for(1, WAIT).await.len(), 1);
    assert_unmarked(&rt, &id).await;

    let (status, summary) = rt.monitor().await;
    assert_summary(
        status,
        &summary,
        &[("newly_exceeded", 1), ("delivery_failures", 0), ("notified", 1)],
    );
    let requests = slack.wait_for(2, WAIT).await;
    assert_eq!(requests.len(), 2);
    assert_eq!(
        text(&requests[0]),
        text(&requests[1]),
        "the retry is not the same alert"
    );
    assert!(text(&requests[1]).contains("nightly-dump"));
    assert!(rt.item(&id).await.unwrap().contains_key("alertFor"));

    let (status, summary) = rt.monitor().await;
    assert_summary(status, &summary, &[("messages_sent", 0)]);
    assert_eq!(slack.requests().len(), 2);
}

#[tokio::test]
async fn a_hanging_slack_times_out_and_nothing_is_marked() {
    let dynalite = Dynalite::start().await;
    let slack = SlackRecorder::start(Behaviour::Hang).await;
    let rt = runtime(&dynalite, &slack.url(), &[("SLACK_TIMEOUT_SECONDS", "0.5")]).await;
    let id = stale(&rt, "db-1", "nightly-dump").await;

    let started = Instant::now();
    let (status, summary) = rt.monitor().await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "the run took {took:?}");
    assert_summary(status, &summary, &[("delivery_failures", 1), ("notified", 0)]);
    assert_eq!(slack.wait_for(1, WAIT).await.len(), 1);
    assert_unmarked(&rt, &id).await;

    slack.set_behaviour(Behaviour::Respond(200));
    let (status, summary) = rt.monitor().await;
    assert_summary(status, &summary, &[("delivery_failures", 0), ("notified", 1)]);
    assert_eq!(slack.wait_for(2, WAIT).await.len(), 2);
    let (_, summary) = rt.monitor().await;
    assert_eq!(summary_count(&summary, "messages_sent"), 0);
    assert_eq!(slack.requests().len(), 2, "exactly one alert was accepted");
}

#[tokio::test]
async fn a_refused_connection_is_a_failure_and_nothing_is_marked() {
    let dynalite = Dynalite::start().await;
    let refused = RefusedPort::new();
    let rt = runtime(&dynalite, &refused.url(), &[]).await;
    let id = stale(&rt, "db-1", "nightly-dump").await;

    let (status, summary) = rt.monitor().await;
    assert_summary(
        status,
        &summary,
        &[("newly_exceeded", 1), ("delivery_failures", 1), ("notified", 0)],
    );
    assert_unmarked(&rt, &id).await;
    // The schedule reports the failure as an error, so the Lambda's error alarm fires.
    let scheduled = rt.scheduled_run().await;
    assert!(scheduled.is_err(), "{scheduled:?}");
    assert_unmarked(&rt, &id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_overlapping_runs_by_url_send_one_alert() {
    let dynalite = Dynalite::start().await;
    let slack = SlackRecorder::start(Behaviour::Respond(200)).await;
    let rt = runtime(&dynalite, &slack.url(), &[]).await;
    let id = stale(&rt, "db-1", "nightly-dump").await;

    let ((s1, a), (s2, b)) = tokio::join!(rt.monitor(), rt.monitor());
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK), "{a} {b}");
    assert_eq!(
        summary_count(&a, "notified") + summary_count(&b, "notified"),
        1,
        "{a} / {b}"
    );
    assert_eq!(
        summary_count(&a, "delivery_failures") + summary_count(&b, "delivery_failures"),
        0
    );
    let (_, summary) = rt.monitor().await;
    assert_eq!(summary_count(&summary, "messages_sent"), 0);
    assert_eq!(slack.requests().len(), 1, "{:#?}", slack.requests());
    assert!(rt.item(&id).await.unwrap().contains_key("alertFor"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_run_overlapping_a_run_by_url_sends_one_alert() {
    let dynalite = Dynalite::start().await;
    let slack = SlackRecorder::start(Behaviour::Respond(200)).await;
    let rt = runtime(&dynalite, &slack.url(), &[]).await;
    let id = stale(&rt, "db-1", "nightly-dump").await;

    let (scheduled, (status, by_url)) = tokio::join!(rt.scheduled_run(), rt.monitor());
    let scheduled = scheduled.expect("the scheduled run succeeds");
    assert_eq!(status, StatusCode::OK, "{by_url}");
    assert_eq!(
        summary_count(&scheduled, "notified") + summary_count(&by_url, "notified"),
        1,
        "{scheduled} / {by_url}"
    );
    let (_, summary) = rt.monitor().await;
    assert_eq!(summary_count(&summary, "messages_sent"), 0);
    assert_eq!(slack.requests().len(), 1, "{:#?}", slack.requests());
    assert!(text(&slack.requests()[0]).contains("nightly-dump"));
    assert!(rt.item(&id).await.unwrap().contains_key("alertFor"));
}

#[tokio::test]
async fn a_wrong_secret_is_403_json_and_sends_nothing() {
    let dynalite = Dynalite::start().await;
    let slack = SlackRecorder::start(Behaviour::Respond(200)).await;
    let rt = runtime(&dynalite, &slack.url(), &[]).await;
    let id = stale(&rt, "db-1", "nightly-dump").await;

    let (status, body) = rt.monitor_with_secret("wrong").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body.get("status").and_then(Value::as_u64), Some(403));
    assert!(body.get("checked").is_none(), "{body}");
    let response = rt.http().get(rt.url("monitor")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(header(response.headers(), "content-type").starts_with("application/json"));
    assert!(slack.requests().is_empty());
    assert_unmarked(&rt, &id).await;
}

#[tokio::test]
async fn the_scheduled_run_needs_no_secret_and_alerts() {
    let dynalite = Dynalite::start().await;
    let slack = SlackRecorder::start(Behaviour::Respond(200)).await;
    let rt = runtime(&dynalite, &slack.url(), &[]).await;
    let id = stale(&rt, "db-1", "nightly-dump").await;

    let summary = rt.scheduled_run().await.expect("a successful scheduled run");
    assert_eq!(summary_count(&summary, "newly_exceeded"), 1, "{summary}");
    assert_eq!(summary_count(&summary, "notified"), 1, "{summary}");
    let requests = slack.wait_for(1, WAIT).await;
    assert_eq!(requests.len(), 1);
    let alert = text(&requests[0]);
    assert!(alert.contains("nightly-dump"), "{alert}");
    // BASE_URL makes the scheduled message's links absolute.
    assert!(
        alert.contains(&format!("{}?secret={}&id={id}", rt.url("edit"), rt.secret())),
        "{alert}"
    );
    let item = rt.item(&id).await.unwrap();
    assert_eq!(s_attr(&item, "alertFor"), s_attr(&item, "timestampF"));

    let again = rt.scheduled_run().await.expect("a second scheduled run");
    assert_eq!(summary_count(&again, "messages_sent"), 0, "{again}");
    assert_eq!(slack.requests().len(), 1);
}

#[tokio::test]
async fn sixty_stale_pulses_make_one_message_listing_fifty() {
    let dynalite = Dynalite::start().await;
    let slack = SlackRecorder::start(Behaviour::Respond(200)).await;
    let rt = runtime(&dynalite, &slack.url(), &[]).await;
    let stamp = stamp_days_ago(30);
    let mut ids = Vec::new();
    for n in 0..60 {
        let name = format!("job-{n:02}");
        ids.push(
            rt.put_indexed_item("db-1", "backup", "cron", &name, &stamp, "24", "0")
                .await,
        );
    }
    assert_eq!(ids[0], original_id("db-1", "backup", "cron", "job-00"));

    let (status, summary) = rt.monitor().await;
    assert_summary(
        status,
        &summary,
        &[
            ("checked", 60),
            ("newly_exceeded", 60),
            ("notified", 60),
            ("messages_sent", 1),
        ],
    );
    let requests = slack.wait_for(1, WAIT).await;
    assert_eq!(requests.len(), 1);
    let alert = text(&requests[0]);
    assert!(
        alert.starts_with(":rotating_light: 60 pulses exceeded their threshold"),
        "{alert}"
    );
    let listed = alert.lines().filter(|l| l.starts_with("• ")).count();
    assert_eq!(listed, 50, "{alert}");
    assert!(alert.contains("…and 10 more"), "{alert}");
    for id in &ids {
        let item = rt.item(id).await.unwrap();
        assert!(item.contains_key("alertFor"), "not marked: {item:?}");
    }
    let (_, summary) = rt.monitor().await;
    assert_eq!(summary_count(&summary, "messages_sent"), 0);
    assert_eq!(slack.requests().len(), 1);
}

#[tokio::test]
async fn raising_the_threshold_in_the_browser_closes_the_incident() {
    let dynalite = Dynalite::start().await;
    let slack = SlackRecorder::start(Behaviour::Respond(200)).await;
    let rt = runtime(&dynalite, &slack.url(), &[]).await;
    let id = stale(&rt, "db-1", "nightly-dump").await;
    let (status, summary) = rt.monitor().await;
    assert_summary(status, &summary, &[("newly_exceeded", 1), ("notified", 1)]);

    // 30 days are at most 23 working days (552 h): a year's threshold is not exceeded.
    let response = rt
        .http()
        .post(rt.url_with("edit", &[("secret", rt.secret()), ("id", &id)]))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("threshold=8760&tz=UTC")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let (status, summary) = rt.monitor().await;
    assert_summary(
        status,
        &summary,
        &[
            ("exceeded", 0),
            ("recovered", 1),
            ("store_errors", 0),
            ("notified", 1),
            ("messages_sent", 1),
        ],
    );
    let requests = slack.wait_for(2, WAIT).await;
    let recovery = text(&requests[1]);
    assert!(
        recovery.starts_with(":white_check_mark: 1 pulse recovered"),
        "{recovery}"
    );
    assert!(recovery.contains("after its settings changed"), "{recovery}");
    assert!(!rt.item(&id).await.unwrap().contains_key("alertFor"));
}
