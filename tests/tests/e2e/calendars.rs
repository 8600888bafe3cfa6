//! Holiday calendars on the config table in a real dynalite: the calendar store's contract.

use heartbeat_e2e::Dynalite;
use heartbeat_shared::store::config::{DynamoConfig, ensure_config_table};
use std::sync::atomic::{AtomicUsize, Ordering};

async fn config_store() -> (Dynalite, DynamoConfig) {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dynalite = Dynalite::start().await;
    let table = format!(
        "heartbeat-config-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    ensure_config_table(&dynalite.client(), &table)
        .await
        .expect("the config table is created on dynalite");
    let store = DynamoConfig::new(dynalite.client(), table);
    (dynalite, store)
}

mod contract {
    heartbeat_shared::calendar_contract!(async { super::config_store().await });
}
