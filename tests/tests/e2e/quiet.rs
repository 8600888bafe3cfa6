//! Staying quiet on purpose against DynamoDB on dynalite: the spec's examples 6 (snooze) and 7
//! (maintenance window), and what a run reads with snoozes and windows in play — counted at the
//! store (requests and items read), not timed.

use chrono::{DateTime, TimeZone as _, Utc};
use heartbeat_e2e::Dynalite;
use heartbeat_shared::config::Config;
use heartbeat_shared::model::{Pulse, PulseKey, Scope, Threshold, Window, Zone};
use heartbeat_shared::monitor::{self, MonitorDeps, Summary};
use heartbeat_shared::quieting::{self, Change};
use heartbeat_shared::store::{
    DynamoStore, Held, MaintenanceStore, PulseReader, PulseReceipt, PulseRecorder, StoreStats, ensure_config_table,
};
use heartbeat_shared::testing::RecordingNotifier;
use std::collections::HashMap;

/// Friday 2026-11-20 at this UTC time (Thursday and Friday are working days).
fn friday(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0).unwrap()
}

fn thursday(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 19, h, 0, 0).unwrap()
}

fn receipt(category: &str, name: &str, at: DateTime<Utc>) -> PulseReceipt {
    PulseReceipt {
        key: PulseKey::parse(Some("web-1"), Some(category), Some("cron"), Some(name)).unwrap(),
        at,
        threshold: Threshold::parse("24").unwrap(),
        saturday: false,
        tz: Zone::UTC,
        message: None,
        metadata: None,
        expect: Default::default(),
    }
}

struct World {
    _dynalite: Dynalite,
    store: DynamoStore,
    slack: RecordingNotifier,
    config: Config,
}

impl World {
    async fn new() -> Self {
        let dynalite = Dynalite::start().await;
        let table = dynalite.fresh_table().await;
        ensure_config_table(&dynalite.client(), &format!("{table}-config"))
            .await
            .unwrap();
        let vars = HashMap::from([("DASHBOARD_SECRET".to_owned(), "s3cret".to_owned())]);
        Self {
            store: DynamoStore::new(dynalite.client(), table),
            _dynalite: dynalite,
            slack: RecordingNotifier::new(),
            config: Config::from_vars(&vars).unwrap(),
        }
    }

    /// A run and what it cost the store.
    async fn run(&self, now: DateTime<Utc>) -> (Summary, StoreStats) {
        let deps = MonitorDeps {
            ledger: &self.store,
            notifier: &self.slack,
            config: &self.config,
            calendars: None,
            channels: None,
        };
        let before = self.store.stats();
        let summary = monitor::run(&deps, now, None, "run-1", false).await.unwrap();
        let after = self.store.stats();
        let cost = StoreStats {
            requests: after.requests - before.requests,
            items_read: after.items_read - before.items_read,
            items_swept: after.items_swept - before.items_swept,
            history_requests: after.history_requests - before.history_requests,
        };
        (summary, cost)
    }

    async fn pulse(&self, r: &PulseReceipt) -> Pulse {
        self.store.record_pulse(r).await.unwrap();
        self.store.get(&r.key.id()).await.unwrap().unwrap()
    }

    async fn names_alerted(&self) -> Vec<String> {
        self.slack.take().into_iter().map(|m| m.text).collect()
    }
}

#[tokio::test]
async fn example_6_snoozed_on_dynalite_no_reads_until_the_snooze_ends_then_one_alert() {
    let world = World::new().await;
    let nightly = receipt("backup", "nightly", thursday(9));
    let pulse = world.pulse(&nightly).await;
    let (held, _) = quieting::apply(
        &world.store,
        &pulse,
        Change::Snooze(friday(15, 0)),
        Zone::UTC,
        90,
        friday(10, 0),
    )
    .await
    .unwrap();
    assert_eq!(held, Held::Yes);

    // Late since Friday 09:00, but snoozed: the runs before 15:00 read no item at all, and do not
    // even look at the maintenance windows (nothing to judge).
    for (h, m) in [(10, 0), (12, 0), (14, 59)] {
        let (summary, cost) = world.run(friday(h, m)).await;
        assert_eq!((summary.checked, summary.messages_sent), (0, 0), "{h}:{m}");
        assert_eq!(cost.items_read, 0, "{h}:{m}: {cost:?}");
    }
    let (summary, cost) = world.run(friday(15, 0)).await;
    assert_eq!(
        (summary.checked, summary.newly_exceeded, summary.messages_sent),
        (1, 1, 1)
    );
    assert_eq!(cost.items_read, 1, "the one pulse due, and no window exists: {cost:?}");
    let texts = world.names_alerted().await;
    assert_eq!(texts.len(), 1);
    assert!(texts[0].contains("nightly"));
}

#[tokio::test]
async fn example_6_a_snoozed_pulse_that_pulses_on_dynalite_gets_no_message() {
    let world = World::new().await;
    let pulse = world.pulse(&receipt("backup", "nightly", thursday(9))).await;
    quieting::apply(
        &world.store,
        &pulse,
        Change::Snooze(friday(15, 0)),
        Zone::UTC,
        90,
        friday(10, 0),
    )
    .await
    .unwrap();
    world.pulse(&receipt("backup", "nightly", friday(14, 0))).await;
    for (h, m) in [(14, 30), (15, 0), (15, 1)] {
        world.run(friday(h, m)).await;
    }
    assert!(world.names_alerted().await.is_empty(), "no alert and no recovery");
}

#[tokio::test]
async fn example_7_on_dynalite_a_window_holds_its_scope_and_a_run_inside_reads_nothing() {
    let world = World::new().await;
    world.pulse(&receipt("backup", "nightly", thursday(23))).await;
    world.pulse(&receipt("etl", "loader", thursday(23))).await;
    let saturday_2 = Utc.with_ymd_and_hms(2026, 11, 21, 2, 0, 0).unwrap();
    let window = Window::new(
        heartbeat_shared::store::new_window_id(friday(22, 0)),
        friday(22, 0),
        saturday_2,
        Scope::parse("category=backup").unwrap(),
        "db migration".into(),
        friday(21, 0),
    )
    .unwrap();
    assert_eq!(world.store.add_window(&window).await.unwrap(), Held::Yes);

    // Both late after 23:00; the window holds the backup pulse to 02:00, the other is alerted.
    let (summary, cost) = world.run(friday(23, 1)).await;
    assert_eq!((summary.checked, summary.silenced, summary.newly_exceeded), (2, 1, 1));
    assert_eq!(cost.items_read, 3, "two pulses due and one window: {cost:?}");
    let texts = world.names_alerted().await;
    assert_eq!(texts.len(), 1);
    assert!(
        texts[0].contains("loader") && !texts[0].contains("nightly"),
        "{}",
        texts[0]
    );

    // Inside the window: nothing due, nothing read.
    let (summary, cost) = world.run(Utc.with_ymd_and_hms(2026, 11, 21, 1, 0, 0).unwrap()).await;
    assert_eq!((summary.checked, cost.items_read), (0, 0), "{cost:?}");

    // From 02:00 the backup pulse, still late, is alerted.
    let (summary, _) = world.run(saturday_2).await;
    assert_eq!((summary.checked, summary.newly_exceeded), (1, 1));
    let texts = world.names_alerted().await;
    assert!(texts[0].contains("nightly"), "{}", texts[0]);
}
