//! `GET|POST /heartbeat/pulse`: records that a job ran.

use chrono::Utc;
use heartbeat_shared::{app::PulseApp, handlers, telemetry};
use lambda_http::{Error, run, service_fn};
use std::convert::Infallible;

// One invocation at a time: one thread, without the wake-ups between worker threads.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let app = &PulseApp::from_env().await?;
    let handle =
        move |req| async move { Ok::<_, Infallible>(handlers::pulse(req, &app.store, &app.config, Utc::now()).await) };
    run(service_fn(handle)).await
}
