//! `POST /heartbeat/edit?secret=S&id=ID`: saves or deletes a pulse, then back to the dashboard.

use chrono::Utc;
use heartbeat_shared::{app::PagesApp, handlers, telemetry};
use lambda_http::{Error, run, service_fn};
use std::convert::Infallible;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let app = &PagesApp::from_env().await?;
    let handle = move |req| async move {
        Ok::<_, Infallible>(handlers::edit_post(req, &app.store, &app.store, &app.config, Utc::now()).await)
    };
    run(service_fn(handle)).await
}
