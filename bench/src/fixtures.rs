//! What several sections share: a fixed clock, a configuration, and pulses named by a number.

use chrono::{DateTime, TimeZone as _, Utc};
use heartbeat_shared::config::Config;
use heartbeat_shared::model::{PulseKey, Threshold, Zone};
use heartbeat_shared::store::PulseReceipt;
use std::collections::HashMap;

pub const SECRET: &str = "bench-dashboard-secret";

/// Monday 2026-11-23 09:00 UTC: a working hour, whatever day the benchmark runs.
pub fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

pub fn config() -> Config {
    let vars = HashMap::from([("DASHBOARD_SECRET".to_owned(), SECRET.to_owned())]);
    Config::from_vars(&vars).expect("a valid configuration")
}

/// The key of job `i`: 50 hosts, five categories.
pub fn key(i: usize) -> PulseKey {
    let category = ["backup", "etl", "reports", "billing", "cleanup"][i % 5];
    let host = format!("host-{:02}", i % 50);
    let name = format!("job-{i:06}");
    PulseKey::parse(Some(&host), Some(category), Some("cron"), Some(&name)).expect("a valid key")
}

/// A GET pulse of job `i` at `at`, with the default threshold of 24 hours.
pub fn receipt(i: usize, at: DateTime<Utc>) -> PulseReceipt {
    PulseReceipt {
        key: key(i),
        at,
        threshold: Threshold::parse("24").expect("a valid threshold"),
        saturday: false,
        tz: Zone::UTC,
        message: None,
        metadata: None,
        expect: Default::default(),
    }
}
