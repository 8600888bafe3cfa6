//! Pulse history on dynalite: a signal is one table write and one history PutItem, made side by side;
//! without an events table (a stack from before it) pulses still succeed.

use chrono::Utc;
use heartbeat_e2e::Dynalite;
use heartbeat_shared::config::Config;
use heartbeat_shared::handlers;
use heartbeat_shared::model::PulseKey;
use heartbeat_shared::store::{DynamoStore, EventLog, PulseReader, ensure_events_table};
use heartbeat_shared::testing::get;
use std::collections::HashMap;

const PULSE: &str = "/heartbeat/pulse?host=web-1&category=backup&type=db&name=history";

fn config() -> Config {
    Config::from_vars(&HashMap::new()).expect("a valid configuration")
}

#[tokio::test]
async fn each_signal_is_one_table_write_and_one_history_put_on_dynalite() {
    let dynalite = Dynalite::start().await;
    let table = dynalite.fresh_table().await;
    ensure_events_table(&dynalite.client(), &format!("{table}-events"))
        .await
        .expect("the events table");
    let store = DynamoStore::new(dynalite.client(), table);
    let config = config();
    // The first pulse creates the item; the counted ones are the steady state.
    assert_eq!(
        handlers::pulse(get(PULSE), &store, &config, Utc::now()).await.status(),
        200
    );
    let mut counted = Vec::new();
    for (label, uri) in [
        ("success", PULSE.to_owned()),
        ("start", PULSE.replace("/pulse?", "/pulse/start?")),
        ("failure", format!("{PULSE}&exit=3&duration=2.5")),
    ] {
        let before = store.stats();
        assert_eq!(
            handlers::pulse(get(&uri), &store, &config, Utc::now()).await.status(),
            200
        );
        let after = store.stats();
        counted.push((
            label,
            after.requests - before.requests,
            after.history_requests - before.history_requests,
        ));
    }
    eprintln!("FIGURE dynalite requests per signal (table, history): {counted:?}");
    assert_eq!(counted, [("success", 1, 1), ("start", 1, 1), ("failure", 1, 1)]);

    let id = PulseKey::parse(Some("web-1"), Some("backup"), Some("db"), Some("history"))
        .unwrap()
        .id();
    let page = store.events(&id, None, 10, Utc::now()).await.unwrap();
    let kinds: Vec<&str> = page.events.iter().map(|e| e.event.kind.name()).collect();
    assert_eq!(kinds, ["failure", "start", "success", "success"]);
    assert_eq!(page.events[0].event.exit, Some(3));
}

#[tokio::test]
async fn without_an_events_table_a_pulse_still_succeeds() {
    let dynalite = Dynalite::start().await;
    let table = dynalite.fresh_table().await;
    let store = DynamoStore::new(dynalite.client(), table);
    let res = handlers::pulse(get(&format!("{PULSE}&exit=4")), &store, &config(), Utc::now()).await;
    assert_eq!(res.status(), 200);
    assert_eq!(store.stats().history_requests, 1, "the history write was tried");
    let id = PulseKey::parse(Some("web-1"), Some("backup"), Some("db"), Some("history"))
        .unwrap()
        .id();
    let pulse = store.get(&id).await.unwrap().expect("the pulse is recorded");
    assert_eq!(pulse.run.exit_code, Some(4));
    let page = store.events(&id, None, 10, Utc::now()).await.unwrap();
    assert!(page.events.is_empty(), "no table, no history, no error");
}
