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

/// A fresh table with its events table beside it, and the store over both (the dynalite must live
/// as long as the store).
async fn store_with_history() -> (Dynalite, DynamoStore) {
    let dynalite = Dynalite::start().await;
    let table = dynalite.fresh_table().await;
    ensure_events_table(&dynalite.client(), &format!("{table}-events"))
        .await
        .expect("the events table");
    let store = DynamoStore::new(dynalite.client(), table);
    (dynalite, store)
}

#[tokio::test]
async fn each_signal_is_one_table_write_and_one_history_put_on_dynalite() {
    let (_dynalite, store) = store_with_history().await;
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

/// Dynalite has no TTL: under the local runtime the store cuts a pulse's history back to its newest
/// 1,000 once it passes 1,100, so the table stays bounded and a trim comes once per 100 events.
#[tokio::test]
async fn the_local_runtime_keeps_a_pulse_history_to_its_newest_thousand_a_trim_per_hundred() {
    use heartbeat_shared::model::{Event, EventKind};
    use heartbeat_shared::store::events::MAX_EVENTS;

    let (_dynalite, store) = store_with_history().await;
    let store = store.trimming_locally();
    let id = PulseKey::parse(Some("web-1"), Some("backup"), Some("db"), Some("kept"))
        .unwrap()
        .id();
    let start = Utc::now() - chrono::TimeDelta::days(1);
    let at = |i: usize| start + chrono::TimeDelta::seconds(i as i64);
    let stored = || async {
        let page = store.events(&id, None, 5 * MAX_EVENTS, Utc::now()).await.unwrap();
        page.events.iter().map(|e| e.event.at).collect::<Vec<_>>()
    };
    for i in 0..MAX_EVENTS + MAX_EVENTS / 10 {
        store
            .append(&Event::step(id.clone(), at(i), EventKind::Start, 90))
            .await
            .unwrap();
    }
    assert_eq!(stored().await.len(), 1100, "up to 100 past the cap before a trim");

    let before = store.stats().history_requests;
    store
        .append(&Event::step(id.clone(), at(1100), EventKind::Start, 90))
        .await
        .unwrap();
    let trim_requests = store.stats().history_requests - before;
    let kept = stored().await;
    assert_eq!(kept.len(), MAX_EVENTS, "the 1,101st event cuts the history back");
    assert_eq!(kept.first(), Some(&at(1100)), "newest first");
    assert_eq!(kept.last(), Some(&at(101)), "the oldest 101 went");
    // The put, the keys' Query (one page: keys only) and a DeleteItem per event dropped.
    eprintln!("FIGURE local trim of 101 events: {trim_requests} history requests");
    assert_eq!(trim_requests, 1 + 1 + 101);

    let before = store.stats().history_requests;
    for i in 1101..1200 {
        store
            .append(&Event::step(id.clone(), at(i), EventKind::Start, 90))
            .await
            .unwrap();
    }
    assert_eq!(store.stats().history_requests - before, 99, "no trim within the slack");
    assert_eq!(stored().await.len(), 1099);
}
