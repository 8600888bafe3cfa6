//! The monitor: run by the schedule, by `GET /heartbeat/monitor?secret=S`, or with the constant input.

use chrono::Utc;
use heartbeat_shared::{app::MonitorApp, handlers::monitor, telemetry};
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::Value;

// One invocation at a time: one thread, without the wake-ups between worker threads.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let app = &MonitorApp::from_env().await?;
    let deps = &app.deps();
    let handle = move |event: LambdaEvent<Value>| async move {
        monitor::handle(event.payload, deps, Utc::now(), &monitor::new_run_id())
            .await
            .map_err(Error::from)
    };
    run(service_fn(handle)).await
}
