//! `GET /heartbeat/badge/{badgeKey}/{scope}.svg|.json`: status badges for READMEs.

use chrono::Utc;
use heartbeat_shared::{app::KeyedApp, config::Uses, handlers, telemetry};
use lambda_http::{Error, run, service_fn};
use std::convert::Infallible;

// One invocation at a time: one thread, without the wake-ups between worker threads.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let app = &KeyedApp::from_env(Uses::Badge).await?;
    let keys = &app.keys;
    let handle =
        |req| async { Ok::<_, Infallible>(handlers::badge(req, &app.store, &app.config, keys, Utc::now()).await) };
    run(service_fn(handle)).await
}
