//! `POST /heartbeat/edit?secret=S&id=ID`: saves or deletes a pulse, then back to the dashboard.

use chrono::Utc;
use heartbeat_shared::store::config::DynamoConfig;
use heartbeat_shared::{app::PagesApp, handlers, telemetry};
use lambda_http::{Error, run, service_fn};
use std::convert::Infallible;

// One invocation at a time: one thread, without the wake-ups between worker threads.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let app = &PagesApp::from_env().await?;
    // The channels a pulse names must exist: one GetItem each, only when the field is sent.
    let channels = &DynamoConfig::new(app.store.client().clone(), app.config.config_table_name.clone());
    let handle = move |req| async move {
        let response =
            handlers::edit_post_checked(req, &app.store, &app.store, Some(channels), &app.config, Utc::now()).await;
        Ok::<_, Infallible>(response)
    };
    run(service_fn(handle)).await
}
