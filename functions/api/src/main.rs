//! The api function: the JSON API (Bearer keys), the CSV export and the pages behind the secret that
//! change settings (its routes: `routes::ROUTES`, dispatched by `api::serve`).

use heartbeat_shared::api::{self, ApiDeps};
use heartbeat_shared::app::{ChannelApp, KeyedApp, env_vars};
use heartbeat_shared::{config::Uses, lambda_main, routes::Function, telemetry};

// One invocation at a time: one thread, without the wake-ups between worker threads.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init();
    let app = &KeyedApp::from_env(Uses::Api).await?;
    let calendars = app.calendars();
    // Test messages get the monitor's default timeout (10 s): under API Gateway's 29 s.
    let timeout = std::time::Duration::from_secs(10);
    let channels = &ChannelApp::build(&app.config.config_table_name, &env_vars(), app.store.client(), timeout).await?;
    let deps = &ApiDeps::new(&app.store, &app.config, &app.keys)
        .with_calendars(calendars.as_ref().map(|c| c as _))
        .with_channels(Some(channels.deps()));
    lambda_main::serve(Function::Api, |req, now| api::serve(req, deps, now)).await
}
