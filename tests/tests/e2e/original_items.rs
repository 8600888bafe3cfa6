//! Items written by the original parcelLab server (its eight string attributes, nothing else) work
//! unchanged: shown, edited, alerted and recovered, and a pulse refreshes the same item.

use heartbeat_e2e::aws_sdk_dynamodb::types::AttributeValue;
use heartbeat_e2e::{Behaviour, Dynalite, LocalRuntime, SlackRecorder, header, original_id, s_attr, stamp_days_ago};
use reqwest::StatusCode;
use std::time::Duration;

const ORIGINAL: [&str; 8] = [
    "_id",
    "host",
    "category",
    "typeF",
    "nameF",
    "timestampF",
    "thresholdF",
    "saturday",
];

/// The dashboard's row that shows `host` (`<tr data-k=…>` up to its line's end: end tags are left out).
fn row<'a>(html: &'a str, host: &str) -> &'a str {
    let cell = format!("><td>{host}<td>");
    html.split("\n<tr data-k=")
        .skip(1)
        .map(|rest| rest.split('\n').next().unwrap_or(rest))
        .find(|row| row.contains(&cell))
        .unwrap_or_else(|| panic!("no dashboard row for host {host}:\n{html}"))
}

/// A 30-days-old one (exceeded on any weekday) and one pulsed a minute ago with a 48 h threshold.
async fn original_pair(rt: &LocalRuntime) -> (String, String) {
    let stale = rt
        .put_original_item(
            "legacy-db",
            "backup",
            "cron",
            "nightly-dump",
            &stamp_days_ago(30),
            "24",
            "0",
        )
        .await;
    let recent = heartbeat_shared::model::format_stamp(chrono::Utc::now() - chrono::TimeDelta::minutes(1));
    let fresh = rt
        .put_original_item("legacy-web", "reports", "node", "daily-report", &recent, "48", "1")
        .await;
    (stale, fresh)
}

#[tokio::test]
async fn original_items_show_on_the_dashboard() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let (stale_id, fresh_id) = original_pair(&rt).await;

    let html = rt.dashboard().await;
    let stale = row(&html, "legacy-db");
    assert!(stale.contains("<td>nightly-dump<td>"), "{stale}");
    assert!(stale.contains(" 24 "), "the threshold's sort key: {stale}");
    assert!(stale.contains(" over<td>1 d<td>late<td>"), "{stale}");
    assert!(stale.contains(" data-status=late>"), "{stale}");
    // The original's ids are the hash of the key the row shows: the page's script links them.
    assert_eq!(stale_id, original_id("legacy-db", "backup", "cron", "nightly-dump"));
    assert!(!stale.contains("data-id"), "{stale}");
    let fresh = row(&html, "legacy-web");
    assert!(fresh.contains("<td>daily-report<td>"), "{fresh}");
    assert!(fresh.contains(" 48 "), "the threshold's sort key: {fresh}");
    assert!(fresh.contains("<td>2 d <i>· Sat ✓</i>"), "{fresh}");
    assert!(fresh.contains(" data-status=ok>"), "{fresh}");
    assert_eq!(fresh_id, original_id("legacy-web", "reports", "node", "daily-report"));
    assert!(!fresh.contains("data-id"), "{fresh}");
    assert!(html.contains("<strong id=\"count-total\">2</strong>"));
    assert!(!html.contains("id=\"unreadable\""), "an original item was unreadable");
}

#[tokio::test]
async fn original_items_open_in_edit_and_can_be_edited() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let (_, id) = original_pair(&rt).await;
    let edit = rt.url_with("edit", &[("secret", rt.secret()), ("id", &id)]);

    let response = rt.http().get(edit.clone()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains("legacy-web") && html.contains("daily-report"), "{html}");
    assert!(html.contains("value=\"48\""), "{html}");
    // No timezone stored: the form shows the default.
    assert!(html.contains("value=\"UTC\""), "{html}");

    let response = rt
        .http()
        .post(edit)
        .header("content-type", "application/x-www-form-urlencoded")
        // As the page's form sends it with the Saturday box unticked.
        .body("threshold=12.5&checkboxes=saturday&tz=America%2FNew_York")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        header(response.headers(), "location"),
        format!("dashboard?secret={}", rt.secret())
    );

    let item = rt.item(&id).await.expect("the edited item");
    for name in ORIGINAL {
        assert!(
            matches!(item.get(name), Some(AttributeValue::S(_))),
            "{name} is no longer a string: {item:?}"
        );
    }
    assert_eq!(s_attr(&item, "thresholdF"), "12.5");
    assert_eq!(s_attr(&item, "saturday"), "0", "an unchecked box is a 0");
    assert_eq!(s_attr(&item, "tz"), "America/New_York");
    assert_eq!(s_attr(&item, "host"), "legacy-web");
    assert_eq!(s_attr(&item, "nameF"), "daily-report");
    assert_eq!(rt.scan_count().await, 2);
}

#[tokio::test]
async fn original_items_are_alerted_and_recover_after_a_pulse_on_the_same_item() {
    let dynalite = Dynalite::start().await;
    let slack = SlackRecorder::start(Behaviour::Respond(200)).await;
    let rt = LocalRuntime::start(&dynalite, &[("SLACK_WEBHOOK_URL", &slack.url())]).await;
    let (id, _) = original_pair(&rt).await;
    let original_stamp = s_attr(&rt.item(&id).await.unwrap(), "timestampF").to_owned();

    // Items the original server wrote are outside the due index: a regular run reads only what its
    // sweep finds (one sixtieth of the table, chosen by the clock's minute: neither, one or both)…
    let (status, first) = rt.monitor().await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        first["checked"], first["backfilled"],
        "only swept items are read: {first}"
    );
    // …and a backfill (the Sunday runs, or ?backfill=1) brings in the rest. Between them, both
    // items are judged once and the stale one is alerted once.
    let (status, second) = rt.monitor_backfill().await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let total = |key: &str| first[key].as_u64().unwrap() + second[key].as_u64().unwrap();
    assert_eq!(total("backfilled"), 2, "{first} {second}");
    assert_eq!(total("newly_exceeded"), 1, "{first} {second}");
    assert_eq!(total("notified"), 1, "{first} {second}");
    let requests = slack.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(requests.len(), 1);
    let alert = requests[0].json.as_ref().unwrap()["text"].as_str().unwrap();
    assert!(alert.contains("legacy-db") && alert.contains("nightly-dump"), "{alert}");
    assert!(!alert.contains("daily-report"), "the fresh one was alerted: {alert}");
    assert_eq!(s_attr(&rt.item(&id).await.unwrap(), "alertFor"), original_stamp);

    rt.pulse_ok("legacy-db", "backup", "cron", "nightly-dump").await;
    assert_eq!(original_id("legacy-db", "backup", "cron", "nightly-dump"), id);
    assert_eq!(rt.scan_count().await, 2, "the pulse made a new item");
    let item = rt.item(&id).await.unwrap();
    assert_ne!(s_attr(&item, "timestampF"), original_stamp);
    assert_eq!(s_attr(&item, "thresholdF"), "24");
    assert_eq!(item.get("pulseCount"), Some(&AttributeValue::N("1".into())));

    let (status, summary) = rt.monitor().await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["recovered"], 1, "{summary}");
    assert_eq!(summary["exceeded"], 0, "{summary}");
    assert_eq!(summary["store_errors"], 0, "{summary}");
    assert_eq!(summary["notified"], 1, "{summary}");
    let requests = slack.wait_for(2, Duration::from_secs(5)).await;
    assert_eq!(requests.len(), 2);
    let recovery = requests[1].json.as_ref().unwrap()["text"].as_str().unwrap();
    assert!(
        recovery.starts_with(":white_check_mark: 1 pulse recovered"),
        "{recovery}"
    );
    assert!(recovery.contains("nightly-dump"), "{recovery}");
    let item = rt.item(&id).await.unwrap();
    assert!(!item.contains_key("alertFor"), "{item:?}");
    let html = rt.dashboard().await;
    assert!(row(&html, "legacy-db").contains(" data-status=ok>"), "{html}");
}
