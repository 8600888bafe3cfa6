//! Smoke tests of the harness itself: if these fail, no other end-to-end result means anything.

use heartbeat_e2e::aws_sdk_dynamodb::error::SdkError;
use heartbeat_e2e::aws_sdk_dynamodb::types::{BillingMode, KeyType, TableStatus};
use heartbeat_e2e::{
    AttributeValue, Behaviour, Dynalite, KEY_ATTRIBUTE, RefusedPort, Reply, SlackRecorder, ensure_table,
};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(5);

fn item(id: &str, host: &str) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (KEY_ATTRIBUTE.to_owned(), AttributeValue::S(id.to_owned())),
        ("host".to_owned(), AttributeValue::S(host.to_owned())),
    ])
}

#[tokio::test]
async fn dynalite_round_trips_an_item_in_a_fresh_table() {
    let started = Instant::now();
    let dynalite = Dynalite::start().await;
    eprintln!("dynalite started in {:?}", started.elapsed());
    let table = dynalite.fresh_table().await;
    eprintln!("dynalite + fresh table in {:?}", started.elapsed());
    let client = dynalite.client();

    let written = item("abc123", "web-1");
    client
        .put_item()
        .table_name(&table)
        .set_item(Some(written.clone()))
        .send()
        .await
        .expect("PutItem");
    let read = client
        .get_item()
        .table_name(&table)
        .key(KEY_ATTRIBUTE, AttributeValue::S("abc123".to_owned()))
        .consistent_read(true)
        .send()
        .await
        .expect("GetItem");
    assert_eq!(read.item(), Some(&written));

    let description = client
        .describe_table()
        .table_name(&table)
        .send()
        .await
        .expect("DescribeTable");
    let description = description.table().expect("a table description");
    assert_eq!(description.table_status(), Some(&TableStatus::Active));
    assert_eq!(
        description
            .billing_mode_summary()
            .and_then(|summary| summary.billing_mode()),
        Some(&BillingMode::PayPerRequest)
    );
    let keys = description.key_schema();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].attribute_name(), KEY_ATTRIBUTE);
    assert_eq!(keys[0].key_type(), &KeyType::Hash);
}

#[tokio::test]
async fn ensure_table_is_idempotent() {
    // Its own dynalite: it lists every table, and needs dynalite's creation delay.
    let dynalite = Dynalite::start_own().await;
    let client = dynalite.client();
    // The second call meets a table that is still CREATING, the third an ACTIVE one.
    let (first, second) = tokio::join!(ensure_table(&client, "Heartbeat"), ensure_table(&client, "Heartbeat"));
    first.expect("first ensure_table");
    second.expect("concurrent ensure_table");
    ensure_table(&client, "Heartbeat")
        .await
        .expect("ensure_table on an existing table");
    let tables = client.list_tables().send().await.expect("ListTables");
    assert_eq!(tables.table_names(), ["Heartbeat"]);
}

#[tokio::test]
async fn dynalite_paginates_scans() {
    let dynalite = Dynalite::start().await;
    let table = dynalite.fresh_table().await;
    let client = dynalite.client();
    for n in 0..5 {
        client
            .put_item()
            .table_name(&table)
            .set_item(Some(item(&format!("id-{n}"), "host")))
            .send()
            .await
            .expect("PutItem");
    }

    let mut ids = Vec::new();
    let mut pages = 0;
    let mut start_key = None;
    loop {
        let page = client
            .scan()
            .table_name(&table)
            .limit(2)
            .set_exclusive_start_key(start_key)
            .send()
            .await
            .expect("Scan");
        pages += 1;
        assert!(page.items().len() <= 2, "a page over the limit: {page:?}");
        ids.extend(
            page.items()
                .iter()
                .map(|item| item[KEY_ATTRIBUTE].as_s().expect("an S key").clone()),
        );
        start_key = page.last_evaluated_key().cloned();
        if start_key.is_none() {
            break;
        }
        assert!(pages < 10, "Scan never stops paginating");
    }
    ids.sort();
    assert_eq!(ids, ["id-0", "id-1", "id-2", "id-3", "id-4"]);
    assert!(pages >= 3, "5 items with limit 2 came in {pages} page(s)");
}

#[tokio::test]
async fn stopped_dynalite_fails_fast_and_restarts_on_its_port() {
    let mut dynalite = Dynalite::start_own().await;
    let port = dynalite.port();
    let client = dynalite.client();
    dynalite.fresh_table().await;

    dynalite.stop();
    let asked = Instant::now();
    let result = client.list_tables().send().await;
    let took = asked.elapsed();
    eprintln!("a call to a stopped dynalite failed after {took:?}: {result:?}");
    let error = result.expect_err("a stopped dynalite answered");
    assert!(
        matches!(&error, SdkError::DispatchFailure(failure) if failure.is_io()),
        "not a connection failure: {error:?}"
    );
    assert!(took < WAIT, "a call to a stopped dynalite took {took:?}");

    dynalite.restart().await;
    assert_eq!(dynalite.port(), port);
    // In memory, the restart starts empty; the client made before the stop still works.
    let tables = client.list_tables().send().await.expect("ListTables after restart");
    assert!(tables.table_names().is_empty());
    dynalite.fresh_table().await;
}

#[tokio::test]
async fn on_disk_dynalite_keeps_its_tables_across_a_restart() {
    let store =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dynalite-on-disk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&store);
    let mut dynalite = Dynalite::start_on_disk(&store).await;
    let table = dynalite.fresh_table().await;
    let client = dynalite.client();
    client
        .put_item()
        .table_name(&table)
        .set_item(Some(item("kept", "disk")))
        .send()
        .await
        .expect("PutItem");

    dynalite.restart().await;
    let read = client
        .get_item()
        .table_name(&table)
        .key(KEY_ATTRIBUTE, AttributeValue::S("kept".to_owned()))
        .send()
        .await
        .expect("GetItem after restart");
    assert_eq!(read.item(), Some(&item("kept", "disk")));

    drop(dynalite);
    std::fs::remove_dir_all(&store).expect("remove the dynalite store");
}

#[test]
fn dynalite_dies_with_the_test_process() {
    let helper = std::process::Command::new(env!("CARGO_BIN_EXE_abort-with-dynalite"))
        .output()
        .expect("run the helper test");
    let stdout = String::from_utf8_lossy(&helper.stdout);
    let pid: u32 = stdout
        .lines()
        .find_map(|line| line.strip_prefix("DYNALITE_PID="))
        .unwrap_or_else(|| {
            panic!(
                "the helper printed no pid; stdout:\n{stdout}\nstderr:\n{}",
                String::from_utf8_lossy(&helper.stderr)
            )
        })
        .parse()
        .expect("a pid");
    assert!(!helper.status.success(), "the helper was meant to abort");

    let deadline = Instant::now() + WAIT;
    while process_alive(pid) {
        assert!(
            Instant::now() < deadline,
            "dynalite (pid {pid}) outlived its aborted test process"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A zombie counts as dead: it runs nothing and holds no port.
fn process_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            let state = stat.rsplit(')').next().unwrap_or("").trim_start();
            !state.starts_with('Z') && !state.starts_with('X')
        })
        .unwrap_or(false)
}

#[tokio::test]
async fn slack_recorder_records_a_json_post() {
    let slack = SlackRecorder::start(Behaviour::Respond(200)).await;
    let response = reqwest::Client::new()
        .post(slack.url())
        .json(&serde_json::json!({ "text": "web-1 is overdue" }))
        .send()
        .await
        .expect("POST to the recorder");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("a body"), "ok");

    let requests = slack.wait_for(1, WAIT).await;
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/services/T000/B000/XXXX");
    assert_eq!(request.header("Content-Type"), Some("application/json"));
    assert_eq!(request.json, Some(serde_json::json!({ "text": "web-1 is overdue" })));
}

#[tokio::test]
async fn slack_recorder_answers_a_script_in_order() {
    let slack = SlackRecorder::start(Behaviour::Sequence(vec![Reply::Status(500), Reply::Status(200)])).await;
    // One client, so the later requests reuse the kept-alive connection.
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for n in 0..3 {
        let response = client
            .post(slack.url())
            .body(format!("{{\"n\":{n}}}"))
            .send()
            .await
            .expect("POST to the recorder");
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [500, 200, 200]);

    slack.set_behaviour(Behaviour::Respond(404));
    let response = client.post(slack.url()).body("{}").send().await.expect("POST");
    assert_eq!(response.status(), 404);

    let bodies: Vec<_> = slack.requests().into_iter().map(|r| r.body).collect();
    assert_eq!(bodies, [r#"{"n":0}"#, r#"{"n":1}"#, r#"{"n":2}"#, "{}"]);
}

#[tokio::test]
async fn slack_recorder_can_hang() {
    let slack = SlackRecorder::start(Behaviour::Hang).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("a client");
    let asked = Instant::now();
    let error = client
        .post(slack.url())
        .body("{}")
        .send()
        .await
        .expect_err("a hanging webhook answered");
    assert!(error.is_timeout(), "not a timeout: {error:?}");
    assert!(asked.elapsed() < Duration::from_secs(2));
    // It was received before the recorder hung.
    assert_eq!(slack.wait_for(1, WAIT).await.len(), 1);
}

#[tokio::test]
async fn refused_port_refuses_at_once() {
    let refused = RefusedPort::new();
    let asked = Instant::now();
    let error = reqwest::Client::new()
        .post(refused.url())
        .body("{}")
        .send()
        .await
        .expect_err("something answered on the refused port");
    assert!(error.is_connect(), "not a connection error: {error:?}");
    assert!(asked.elapsed() < Duration::from_secs(1));
}
