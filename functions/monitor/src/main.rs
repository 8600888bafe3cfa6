//! The monitor: run by the schedule, by `GET /heartbeat/monitor?secret=S`, or with the constant input.

use chrono::Utc;
use heartbeat_shared::handlers::{MonitorDeps, monitor};
use heartbeat_shared::{app::App, telemetry};
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let app = App::from_env().await?.leak();
    let deps: &'static MonitorDeps = Box::leak(Box::new(MonitorDeps {
        ledger: &app.store,
        notifier: app.notifier.as_ref(),
        config: &app.config,
    }));
    let handle = move |event: LambdaEvent<Value>| async move {
        monitor::handle(event.payload, deps, Utc::now(), &monitor::new_run_id())
            .await
            .map_err(Error::from)
    };
    run(service_fn(handle)).await
}
