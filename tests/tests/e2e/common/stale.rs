//! Stale pulses made through the product's own write path (`DynamoStore::record_pulse` with a time in
//! the past), so they are exactly what a job that last ran long ago leaves behind.

use chrono::{DateTime, TimeDelta, Utc};
use heartbeat_shared::model::{PulseKey, Threshold, Zone};
use heartbeat_shared::store::{DynamoStore, PulseReceipt, PulseRecorder};

/// A pulse of `host` / backup / cron / `name` received at `at`, with the defaults (24 h, no Saturday, UTC).
pub fn receipt(host: &str, name: &str, at: DateTime<Utc>) -> PulseReceipt {
    PulseReceipt {
        key: PulseKey::parse(Some(host), Some("backup"), Some("cron"), Some(name)).expect("a valid key"),
        at,
        threshold: Threshold::from_hours(24.0).expect("24 h is a valid threshold"),
        saturday: false,
        tz: Zone::UTC,
        message: None,
        metadata: None,
        expect: Default::default(),
    }
}

/// Records a pulse 30 days ago (at least 20 working days: exceeded on any day) and returns its `_id`.
pub async fn stale_pulse(store: &DynamoStore, host: &str, name: &str) -> String {
    let receipt = receipt(host, name, Utc::now() - TimeDelta::days(30));
    store.record_pulse(&receipt).await.expect("record a stale pulse");
    receipt.key.id().as_str().to_owned()
}
