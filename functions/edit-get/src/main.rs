//! `GET /heartbeat/edit?secret=S&id=ID`: the edit form of one pulse.

use chrono::Utc;
use heartbeat_shared::{app::PagesApp, handlers, telemetry};
use lambda_http::{Error, run, service_fn};
use std::convert::Infallible;

// One invocation at a time: one thread, without the wake-ups between worker threads.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let app = &PagesApp::from_env().await?;
    let handle = move |req| async move {
        Ok::<_, Infallible>(handlers::edit_get(req, &app.store, &app.config, Utc::now()).await)
    };
    run(service_fn(handle)).await
}
