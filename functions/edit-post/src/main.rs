//! The edit-post function: saves or deletes a pulse, then back to the dashboard (its route:
//! `routes::ROUTES`).

use heartbeat_shared::store::config::DynamoConfig;
use heartbeat_shared::{app::PagesApp, handlers, lambda_main, routes::Function, telemetry};

// One invocation at a time: one thread, without the wake-ups between worker threads.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init();
    let app = &PagesApp::from_env().await?;
    // The channels a pulse names must exist: one GetItem each, only when the field is sent.
    let channels = &DynamoConfig::new(app.store.client().clone(), app.config.config_table_name.clone());
    let (store, config) = (&app.store, &app.config);
    lambda_main::serve(Function::EditPost, |req, now| {
        handlers::edit_post_checked(req, store, store, Some(channels), config, now)
    })
    .await
}
