//! DynamoDB requests per pulse, counted by `DynamoStore::stats()` against dynalite: the first pulse of
//! a job, the steady state, an alerted job that comes back, and a pulse that arrives out of order.

use crate::fixtures::{config, monday, receipt};
use chrono::TimeDelta;
use heartbeat_e2e::Dynalite;
use heartbeat_shared::monitor::{self, MonitorDeps};
use heartbeat_shared::slack::LogNotifier;
use heartbeat_shared::store::{DynamoStore, PulseRecorder, StoreStats};

pub struct Cost {
    pub what: &'static str,
    pub pulses: usize,
    pub requests: usize,
    pub items_read: usize,
}

const STEADY_IDS: usize = 100;

fn delta(before: StoreStats, after: StoreStats) -> (usize, usize) {
    (after.requests - before.requests, after.items_read - before.items_read)
}

pub async fn run() -> Result<Vec<Cost>, String> {
    let dynalite = Dynalite::start().await;
    let store = DynamoStore::new(dynalite.client(), dynalite.fresh_table_with_history().await);
    let config = config();
    let deps = MonitorDeps {
        ledger: &store,
        notifier: &LogNotifier,
        config: &config,
        calendars: None,
        channels: None,
    };
    let err = |e: heartbeat_shared::store::StoreError| e.to_string();
    let mut costs = Vec::new();

    // First sight of 100 jobs.
    let before = store.stats();
    for i in 0..STEADY_IDS {
        store.record_pulse(&receipt(i, monday())).await.map_err(err)?;
    }
    let (requests, items_read) = delta(before, store.stats());
    costs.push(Cost {
        what: "first pulse of a job (creates the item)",
        pulses: STEADY_IDS,
        requests,
        items_read,
    });

    // The monitor's first look gives each its exact due time; then the steady state.
    monitor::run(&deps, monday() + TimeDelta::minutes(1), None, "run-1", false)
        .await
        .map_err(err)?;
    let before = store.stats();
    for round in 1..=3 {
        for i in 0..STEADY_IDS {
            let at = monday() + TimeDelta::minutes(round);
            store.record_pulse(&receipt(i, at)).await.map_err(err)?;
        }
    }
    let (requests, items_read) = delta(before, store.stats());
    costs.push(Cost {
        what: "pulse of a known job (steady state)",
        pulses: 3 * STEADY_IDS,
        requests,
        items_read,
    });

    // Job 0 stops; a day later the monitor alerts it; then it comes back.
    for i in 1..STEADY_IDS {
        store
            .record_pulse(&receipt(i, monday() + TimeDelta::hours(23)))
            .await
            .map_err(err)?;
    }
    let summary = monitor::run(&deps, monday() + TimeDelta::hours(25), None, "run-2", false)
        .await
        .map_err(err)?;
    if summary.notified != 1 {
        return Err(format!("expected one alert, the monitor did {summary:?}"));
    }
    let before = store.stats();
    store
        .record_pulse(&receipt(0, monday() + TimeDelta::hours(26)))
        .await
        .map_err(err)?;
    let (requests, items_read) = delta(before, store.stats());
    costs.push(Cost {
        what: "pulse of an alerted job that comes back",
        pulses: 1,
        requests,
        items_read,
    });

    // A retried pulse older than the stored one: counted, the newer time kept.
    let before = store.stats();
    store
        .record_pulse(&receipt(5, monday() + TimeDelta::hours(1)))
        .await
        .map_err(err)?;
    let (requests, items_read) = delta(before, store.stats());
    costs.push(Cost {
        what: "pulse older than the stored one (out of order)",
        pulses: 1,
        requests,
        items_read,
    });
    Ok(costs)
}
