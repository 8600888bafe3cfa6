//! The cost targets of the due index against a real dynalite: one write per pulse that touches no
//! index entry (counted with the capacity model), a monitor run that reads only what is due, a sweep
//! that finds items another writer made within an hour, a time budget for runs by URL — counted in
//! requests, items and write units, not timed.

use chrono::{DateTime, TimeDelta, TimeZone as _, Utc};
use heartbeat_e2e::capacity::{self, Units};
use heartbeat_e2e::{AttributeValue, Dynalite};
use heartbeat_shared::config::Config;
use heartbeat_shared::model::{PulseKey, Settings, Threshold, Zone};
use heartbeat_shared::monitor::{self, MonitorDeps, Summary};
use heartbeat_shared::slack::LogNotifier;
use heartbeat_shared::store::{
    DynamoStore, IncidentLedger, PulseReader, PulseReceipt, PulseRecorder, SettingsWriter, due_index,
};
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
        tz: Zone::UTC,
        message: None,
        metadata: None,
        expect: Default::default(),
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
        calendars: None,
        channels: None,
    };
    monitor::run(&deps, now, None, "run-1", backfill).await.unwrap()
}

fn key_of(r: &PulseReceipt) -> HashMap<String, AttributeValue> {
    HashMap::from([("_id".to_owned(), AttributeValue::S(r.key.id().to_string()))])
}

/// Write units of `write`, by the capacity model, from the item's images before and after it.
async fn units_of<F: Future<Output = ()>>(store: &DynamoStore, table: &str, r: &PulseReceipt, write: F) -> Units {
    let indexes = capacity::describe(store.client(), table).await;
    let before = capacity::image(store.client(), table, &key_of(r)).await;
    write.await;
    let after = capacity::image(store.client(), table, &key_of(r)).await;
    capacity::write_units(before.as_ref(), after.as_ref(), &indexes)
}

#[tokio::test]
async fn a_steady_pulse_is_one_table_write_unit_and_nothing_in_the_index() {
    let dynalite = Dynalite::start().await;
    let table = dynalite.fresh_table().await;
    let store = DynamoStore::new(dynalite.client(), table.clone());
    let first = receipt("nightly", monday());
    let units = units_of(&store, &table, &first, async {
        store.record_pulse(&first).await.unwrap()
    })
    .await;
    assert_eq!(
        units,
        Units { table: 1, index: 1 },
        "a new item: its index entry is added"
    );
    assert_eq!(store.stats().requests, 1, "one UpdateItem");

    let before = store.stats();
    for hour in 1..=5 {
        let steady = receipt("nightly", monday() + TimeDelta::hours(hour));
        let units = units_of(&store, &table, &steady, async {
            store.record_pulse(&steady).await.unwrap()
        })
        .await;
        assert_eq!(units, Units { table: 1, index: 0 }, "pulse {hour}");
    }
    let after = store.stats();
    assert_eq!(after.requests - before.requests, 5, "one UpdateItem each");
    assert_eq!(after.items_read, before.items_read, "no read");
    // Still due at the exact instant of the first pulse: the monitor moves it when it comes.
    let id = first.key.id();
    assert_eq!(
        store.get(&id).await.unwrap().unwrap().due_at,
        Some(monday() + TimeDelta::hours(24))
    );

    // Once per threshold period the monitor finds it fresh and moves its due time: 1 + 2 index units.
    let look = monday() + TimeDelta::hours(24);
    let units = units_of(&store, &table, &first, async {
        let summary = run(&store, look, false).await;
        assert_eq!((summary.checked, summary.rescheduled), (1, 1), "{summary:?}");
    })
    .await;
    assert_eq!(units, Units { table: 1, index: 2 });
    assert_eq!(
        store.get(&id).await.unwrap().unwrap().due_at,
        Some(monday() + TimeDelta::hours(29))
    );
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
    // New pulses are indexed at their exact due time (Tuesday 09:00): nothing to read before.
    let first = run(&store, monday() + TimeDelta::minutes(1), false).await;
    assert_eq!(
        (first.checked, first.rescheduled, first.exceeded),
        (0, 0, 0),
        "{first:?}"
    );

    // A day later 297 have pulsed again; 3 have not. At Tuesday 10:00 all 300 are due: 3 are
    // alerted, 297 are found fresh and moved to their exact time from the latest pulse.
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
        (
            summary.checked,
            summary.newly_exceeded,
            summary.notified,
            summary.rescheduled
        ),
        (300, 3, 3, 297),
        "{summary:?}"
    );
    assert_eq!(cost.items_read - before.items_read, 300, "only the due pulses are read");
    let queries = due_index::SHARDS as usize;
    let batch_gets = 3;
    let sweep = 1;
    assert_eq!(
        cost.requests - before.requests,
        queries + batch_gets + sweep + 297 + 3 + 3,
        "a Query per shard, BatchGetItem per 100, the sweep segment, a reschedule per fresh pulse, a claim and a record per alert"
    );

    // Alerted pulses wait for their reminder, the others for Wednesday: the next run reads nothing.
    let before = store.stats();
    let summary = run(&store, monday() + TimeDelta::hours(26), false).await;
    assert_eq!(summary.checked, 0, "{summary:?}");
    assert_eq!(store.stats().items_read - before.items_read, 0);
    assert_eq!(store.stats().requests - before.requests, queries + sweep);
}

#[tokio::test]
async fn an_alerted_pulse_that_comes_back_costs_one_more_write_and_is_due_at_once() {
    let dynalite = Dynalite::start().await;
    let store = store(&dynalite).await;
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
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

/// Issue: an item the original server wrote (`thresholdF`, nothing of ours) keeps its own threshold
/// when a client that sends none pulses it, even twice before the monitor's first look: a 2 h job is
/// alerted two hours after its last pulse, not a day later.
#[tokio::test]
async fn a_migrated_item_keeps_its_threshold_through_pulses() {
    let dynalite = Dynalite::start().await;
    let table = dynalite.fresh_table().await;
    let store = DynamoStore::new(dynalite.client(), table.clone());
    let r = receipt("two-hourly", monday());
    put_original(&dynalite, &table, &r, "2026-11-23T06:00:00.000Z", "2").await;
    // The clients send no threshold: the request carries the default, 24 h.
    for at in [monday() - TimeDelta::hours(1), monday()] {
        store.record_pulse(&receipt("two-hourly", at)).await.unwrap();
    }
    let stored = store.get(&r.key.id()).await.unwrap().unwrap();
    assert_eq!(stored.threshold.to_string(), "2");
    // It stops. Not exceeded before 11:00; alerted by the first run after.
    let quiet = run(&store, monday() + TimeDelta::minutes(1), false).await;
    assert_eq!((quiet.checked, quiet.newly_exceeded), (1, 0), "{quiet:?}");
    let before = run(&store, monday() + TimeDelta::minutes(119), false).await;
    assert_eq!(before.newly_exceeded, 0, "{before:?}");
    let after = run(&store, monday() + TimeDelta::minutes(121), false).await;
    assert_eq!((after.newly_exceeded, after.notified), (1, 1), "{after:?}");
}

/// Issue: items another writer made (the original server running side by side, a restore, a
/// script) are judged within an hour by the scheduled runs alone, each reading one sweep segment:
/// over an hour of runs every item is scanned exactly once.
#[tokio::test]
async fn items_another_writer_made_are_judged_within_an_hour() {
    let dynalite = Dynalite::start().await;
    let table = dynalite.fresh_table().await;
    let store = DynamoStore::new(dynalite.client(), table.clone());
    for i in 0..118 {
        store
            .record_pulse(&receipt(&format!("job-{i:03}"), monday()))
            .await
            .unwrap();
    }
    let stale = receipt("legacy-stale", monday());
    let fresh = receipt("legacy-fresh", monday());
    put_original(&dynalite, &table, &stale, "2026-11-20T09:00:00.000Z", "24").await;
    put_original(&dynalite, &table, &fresh, "2026-11-23T08:00:00.000Z", "48").await;
    let start = monday() + TimeDelta::minutes(17);
    let before = store.stats();
    let (mut judged, mut alerted, mut most) = (0, 0, 0);
    for minute in 0..60 {
        let runs_before = store.stats();
        let summary = run(&store, start + TimeDelta::minutes(minute), false).await;
        judged += summary.backfilled;
        alerted += summary.notified;
        most = most.max(store.stats().items_swept - runs_before.items_swept);
    }
    let swept = store.stats().items_swept - before.items_swept;
    assert_eq!((judged, alerted), (2, 1), "both judged once, the stale one alerted");
    assert_eq!(swept, 120, "every item scanned exactly once in the hour");
    assert!(most <= 20, "one run scans one segment, not the table: {most}");
    let fresh_due = store.get(&fresh.key.id()).await.unwrap().unwrap().due_at;
    assert_eq!(
        fresh_due,
        Some(Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap()),
        "its own 48 h"
    );
}

/// Issue: a run by URL stops reading once its budget is spent, says what it left, and the next
/// run goes on: here with no budget at all, so each run does one batch of 100.
#[tokio::test]
async fn a_run_out_of_time_leaves_the_rest_for_the_next() {
    let dynalite = Dynalite::start().await;
    let store = store(&dynalite).await;
    for i in 0..250 {
        store
            .record_pulse(&receipt(&format!("job-{i:03}"), monday()))
            .await
            .unwrap();
    }
    let config = config();
    let deps = MonitorDeps {
        ledger: &store,
        notifier: &LogNotifier,
        config: &config,
        calendars: None,
        channels: None,
    };
    let late = monday() + TimeDelta::hours(30);
    let mut seen = Vec::new();
    for n in 0..3 {
        let budget = Some(std::time::Duration::ZERO);
        let summary = monitor::run_within(&deps, late + TimeDelta::minutes(n), None, "run", false, budget)
            .await
            .unwrap();
        seen.push((summary.checked, summary.notified, summary.remaining));
    }
    assert_eq!(seen, [(100, 100, 150), (100, 100, 50), (50, 50, 0)]);
    let json = serde_json::to_value(monitor::Summary {
        remaining: 150,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(json["remaining"], 150, "the answer says what is left");
}

async fn put_original(dynalite: &Dynalite, table: &str, r: &PulseReceipt, stamp: &str, threshold: &str) {
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
    dynalite
        .client()
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn an_edit_moves_the_due_time_at_once() {
    let dynalite = Dynalite::start().await;
    let store = store(&dynalite).await;
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    let id = receipt("nightly", monday()).key.id();
    assert_eq!(
        store.get(&id).await.unwrap().unwrap().due_at,
        Some(monday() + TimeDelta::hours(24))
    );

    // Down to 2 h in the browser: due at 11:00, and a run at 11:30 alerts it.
    let settings = Settings {
        threshold: Threshold::parse("2").unwrap(),
        saturday: false,
        tz: Zone::UTC,
        expect: Default::default(),
        max_runtime: None,
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

/// Items the original server wrote carry no due attributes: not in the index; a backfill run
/// (Sundays, or `?backfill=1`) brings them all in at once and alerts the stale ones.
#[tokio::test]
async fn original_items_enter_the_index_by_backfill() {
    let dynalite = Dynalite::start().await;
    let table = dynalite.fresh_table().await;
    let store = DynamoStore::new(dynalite.client(), table.clone());
    let stale = receipt("legacy-stale", monday());
    let fresh = receipt("legacy-fresh", monday());
    put_original(&dynalite, &table, &stale, "2026-10-01T09:00:00.000Z", "24").await;
    put_original(&dynalite, &table, &fresh, "2026-11-23T08:00:00.000Z", "48").await;
    let now = monday() + TimeDelta::hours(1);
    assert!(store.due(now).await.unwrap().is_empty(), "outside the index");
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
    // Unique: the dynalite is shared with other tests.
    let table = &Dynalite::unique_table_name();
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
    // Usable once ACTIVE (an own dynalite keeps a new table CREATING for half a second).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let described = client.describe_table().table_name(table).send().await.unwrap();
        let status = described.table().and_then(|t| t.table_status());
        if status == Some(&aws_sdk_dynamodb::types::TableStatus::Active) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{table} is still {status:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let store = DynamoStore::new(client.clone(), table);
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    store
        .record_pulse(&receipt("hourly", monday() + TimeDelta::hours(24)))
        .await
        .unwrap();
    let now = monday() + TimeDelta::hours(25);
    assert_eq!(store.due(now).await.unwrap().len(), 2, "every id, by a Scan");
    assert_eq!(store.stats().items_read, 2);
    let summary = run(&store, now, false).await;
    assert_eq!(
        (summary.checked, summary.newly_exceeded),
        (2, 1),
        "a full scan without the index: {summary:?}"
    );
}

/// The store contract (`heartbeat_shared::store::contract`), the same cases the in-memory store
/// passes, against DynamoDB on dynalite: one fresh dynalite and table per case.
mod contract {
    use heartbeat_e2e::Dynalite;
    use heartbeat_shared::store::DynamoStore;

    heartbeat_shared::store_contract!(async {
        let dynalite = Dynalite::start().await;
        let table = dynalite.fresh_table().await;
        // The config table too: the contract covers the maintenance windows.
        heartbeat_shared::store::ensure_config_table(&dynalite.client(), &format!("{table}-config"))
            .await
            .expect("the config table");
        heartbeat_shared::store::ensure_events_table(&dynalite.client(), &format!("{table}-events"))
            .await
            .expect("the events table");
        let store = DynamoStore::new(dynalite.client(), table);
        (dynalite, store)
    });
}
