//! The cost targets of the due index against a real dynalite: one write per pulse, and a monitor run
//! that reads only what is due — counted in requests and items, not timed.

use chrono::{DateTime, TimeDelta, TimeZone as _, Utc};
use heartbeat_e2e::{AttributeValue, Dynalite};
use heartbeat_shared::config::Config;
use heartbeat_shared::model::{PulseKey, Settings, Threshold, TimeZone};
use heartbeat_shared::monitor::{self, MonitorDeps, Summary};
use heartbeat_shared::slack::LogNotifier;
use heartbeat_shared::store::{DynamoStore, PulseReader, PulseReceipt, PulseRecorder, SettingsWriter, due_index};
use std::collections::HashMap;

/// Monday 2026-11-23 09:00 UTC: every time below is a working hour, whatever day the tests run.
fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn config() -> Config {
    let vars = HashMap::from([("DASHBOARD_SECRET".to_owned(), "s3cret-s3cret-s3cret".to_owned())]);
    Config::from_vars(&vars).unwrap()
}

fn receipt(name: &str, at: DateTime<Utc>) -> PulseReceipt {
    PulseReceipt {
        key: PulseKey::parse(Some("web-1"), Some("jobs"), Some("cron"), Some(name)).unwrap(),
        at,
        threshold: Threshold::parse("24").unwrap(),
        saturday: false,
        tz: TimeZone::UTC,
        message: None,
        metadata: None,
    }
}

async fn store(dynalite: &Dynalite) -> DynamoStore {
    DynamoStore::new(dynalite.client(), dynalite.fresh_table().await)
}

async fn run(store: &DynamoStore, now: DateTime<Utc>, backfill: bool) -> Summary {
    let config = config();
    let deps = MonitorDeps {
        ledger: store,
        notifier: &LogNotifier,
        config: &config,
    };
    monitor::run(&deps, now, None, "run-1", backfill).await.unwrap()
}

#[tokio::test]
async fn a_pulse_is_one_write_and_no_read() {
    let dynalite = Dynalite::start().await;
    let store = store(&dynalite).await;
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    let before = store.stats();
    store
        .record_pulse(&receipt("nightly", monday() + TimeDelta::hours(1)))
        .await
        .unwrap();
    let after = store.stats();
    assert_eq!(after.requests - before.requests, 1, "one UpdateItem");
    assert_eq!(after.items_read, before.items_read, "no read");
    let first = store.stats();
    assert_eq!(first.requests, 2, "the first pulse was one request too");
}

#[tokio::test]
async fn a_regular_run_reads_only_the_due_pulses() {
    let dynalite = Dynalite::start().await;
    let store = store(&dynalite).await;
    for i in 0..300 {
        store
            .record_pulse(&receipt(&format!("job-{i:03}"), monday()))
            .await
            .unwrap();
    }
    // New pulses are due at once; the first run reads them and gives each its exact due time.
    let first = run(&store, monday() + TimeDelta::minutes(1), false).await;
    assert_eq!((first.checked, first.rescheduled, first.exceeded), (300, 300, 0));

    // A day later 297 have pulsed again; 3 have not, and are due (Tuesday 09:00).
    for i in 3..300 {
        store
            .record_pulse(&receipt(&format!("job-{i:03}"), monday() + TimeDelta::hours(23)))
            .await
            .unwrap();
    }
    let before = store.stats();
    let summary = run(&store, monday() + TimeDelta::hours(25), false).await;
    let cost = store.stats();
    assert_eq!(
        (summary.checked, summary.newly_exceeded, summary.notified),
        (3, 3, 3),
        "{summary:?}"
    );
    assert_eq!(cost.items_read - before.items_read, 3, "only the due pulses are read");
    let queries = due_index::SHARDS as usize;
    assert_eq!(
        cost.requests - before.requests,
        queries + 3 + 3,
        "a query per shard, a claim and a record per alert"
    );

    // Alerted pulses wait for their reminder: the next run reads nothing at all.
    let before = store.stats();
    let summary = run(&store, monday() + TimeDelta::hours(26), false).await;
    assert_eq!(summary.checked, 0, "{summary:?}");
    assert_eq!(store.stats().items_read - before.items_read, 0);
    assert_eq!(store.stats().requests - before.requests, queries);
}

#[tokio::test]
async fn an_alerted_pulse_that_comes_back_costs_one_more_write_and_is_due_at_once() {
    let dynalite = Dynalite::start().await;
    let store = store(&dynalite).await;
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    run(&store, monday() + TimeDelta::minutes(1), false).await;
    let alerted = run(&store, monday() + TimeDelta::hours(25), false).await;
    assert_eq!(alerted.notified, 1);

    let before = store.stats();
    let back = monday() + TimeDelta::hours(30);
    store.record_pulse(&receipt("nightly", back)).await.unwrap();
    assert_eq!(
        store.stats().requests - before.requests,
        2,
        "the pulse and its recovery mark"
    );
    let summary = run(&store, back + TimeDelta::minutes(1), false).await;
    assert_eq!(
        (summary.checked, summary.recovered, summary.notified),
        (1, 1, 1),
        "{summary:?}"
    );
    // And after the recovery, it is due by its new pulse: a day of working time later.
    let id = receipt("nightly", back).key.id();
    assert_eq!(
        store.get(&id).await.unwrap().unwrap().due_at,
        Some(back + TimeDelta::hours(24))
    );
}

#[tokio::test]
async fn an_edit_moves_the_due_time_at_once() {
    let dynalite = Dynalite::start().await;
    let store = store(&dynalite).await;
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    run(&store, monday() + TimeDelta::minutes(1), false).await;
    let id = receipt("nightly", monday()).key.id();
    assert_eq!(
        store.get(&id).await.unwrap().unwrap().due_at,
        Some(monday() + TimeDelta::hours(24))
    );

    // Down to 2 h in the browser: due at 11:00, and a run at 11:30 alerts it.
    let settings = Settings {
        threshold: Threshold::parse("2").unwrap(),
        saturday: false,
        tz: TimeZone::UTC,
    };
    store
        .update_settings(&id, &settings, monday() + TimeDelta::hours(2))
        .await
        .unwrap();
    assert_eq!(
        store.get(&id).await.unwrap().unwrap().due_at,
        Some(monday() + TimeDelta::hours(2))
    );
    let summary = run(&store, monday() + TimeDelta::minutes(150), false).await;
    assert_eq!((summary.checked, summary.newly_exceeded), (1, 1), "{summary:?}");
}

/// Items the original server wrote carry no due attributes. A regular run does not see them; a
/// backfill run (Sundays, or `?backfill=1`) brings them into the index and alerts the stale ones.
#[tokio::test]
async fn original_items_enter_the_index_by_backfill() {
    let dynalite = Dynalite::start().await;
    let table = dynalite.fresh_table().await;
    let store = DynamoStore::new(dynalite.client(), table.clone());
    let table_client = dynalite.client();
    let stale = receipt("legacy-stale", monday());
    let fresh = receipt("legacy-fresh", monday());
    for (r, stamp, threshold) in [
        (&stale, "2026-10-01T09:00:00.000Z", "24"),
        (&fresh, "2026-11-23T08:00:00.000Z", "48"),
    ] {
        let item: HashMap<String, AttributeValue> = [
            ("_id", r.key.id().to_string()),
            ("host", r.key.host.clone()),
            ("category", r.key.category.clone()),
            ("typeF", r.key.kind.clone()),
            ("nameF", r.key.name.clone()),
            ("timestampF", stamp.to_owned()),
            ("thresholdF", threshold.to_owned()),
            ("saturday", "0".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), AttributeValue::S(v)))
        .collect();
        table_client
            .put_item()
            .table_name(&table)
            .set_item(Some(item))
            .send()
            .await
            .unwrap();
    }
    let now = monday() + TimeDelta::hours(1);
    assert_eq!(run(&store, now, false).await.checked, 0, "outside the index");
    let summary = run(&store, now, true).await;
    assert_eq!(
        (summary.backfilled, summary.checked, summary.newly_exceeded),
        (2, 2, 1),
        "{summary:?}"
    );
    // The fresh one got its exact due time from its stored threshold (48 h), not a default.
    let fresh_due = store.get(&fresh.key.id()).await.unwrap().unwrap().due_at;
    assert_eq!(fresh_due, Some(Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap()));
    // Both are in the index now: nothing left to backfill.
    assert_eq!(run(&store, now + TimeDelta::minutes(1), true).await.backfilled, 0);
}

/// A table made before the index existed (the original server's): the monitor reads the whole
/// table, as the original did, and alerts all the same, until the index is added (README).
#[tokio::test]
async fn a_table_without_the_index_still_works() {
    let dynalite = Dynalite::start().await;
    let client = dynalite.client();
    let table = "old-heartbeat";
    let key = |kind| {
        aws_sdk_dynamodb::types::KeySchemaElement::builder()
            .attribute_name("_id")
            .key_type(kind)
            .build()
            .unwrap()
    };
    client
        .create_table()
        .table_name(table)
        .attribute_definitions(
            aws_sdk_dynamodb::types::AttributeDefinition::builder()
                .attribute_name("_id")
                .attribute_type(aws_sdk_dynamodb::types::ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(key(aws_sdk_dynamodb::types::KeyType::Hash))
        .billing_mode(aws_sdk_dynamodb::types::BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
    // dynalite keeps a new table CREATING for half a second.
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let store = DynamoStore::new(client.clone(), table);
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    store
        .record_pulse(&receipt("hourly", monday() + TimeDelta::hours(24)))
        .await
        .unwrap();
    let summary = run(&store, monday() + TimeDelta::hours(25), false).await;
    assert_eq!(
        (summary.checked, summary.newly_exceeded),
        (2, 1),
        "a full scan without the index: {summary:?}"
    );
    assert_eq!(store.stats().items_read, 2);
}

/// The store contract (`heartbeat_shared::store::contract`), the same cases the in-memory store
/// passes, against DynamoDB on dynalite: one fresh dynalite and table per case.
mod contract {
    use heartbeat_e2e::Dynalite;
    use heartbeat_shared::store::DynamoStore;

    heartbeat_shared::store_contract!(async {
        let dynalite = Dynalite::start().await;
        let store = DynamoStore::new(dynalite.client(), dynalite.fresh_table().await);
        (dynalite, store)
    });
}
