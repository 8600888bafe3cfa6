//! The local stand-in for the EventBridge rules: the monitor every so often.

use crate::Service;
use std::time::Duration;

pub async fn run_every(service: Service, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first run also indexes items an older server wrote into this table.
    let mut backfill = true;
    loop {
        ticks.tick().await;
        match service.scheduled_run(std::mem::take(&mut backfill)).await {
            Ok(summary) => tracing::debug!(%summary, "scheduled monitor run"),
            Err(err) => tracing::warn!(error = %err, "scheduled monitor run failed; the next one retries"),
        }
    }
}
