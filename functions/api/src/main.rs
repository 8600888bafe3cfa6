//! `/heartbeat/api/v1/…` (the JSON API, Bearer keys) and `GET /heartbeat/export.csv?secret=S`.

use chrono::Utc;
use heartbeat_shared::api::{self, ApiDeps, Keys};
use heartbeat_shared::app::{ChannelApp, Clients, PagesApp, env_vars};
use heartbeat_shared::telemetry;
use lambda_http::{Error, run, service_fn};
use std::convert::Infallible;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let app = &PagesApp::from_env().await?;
    let keys = Keys::from_env();
    // Test messages get the monitor's default timeout (10 s): under API Gateway's 29 s.
    let channels = &ChannelApp::build(
        &env_vars(),
        &Clients::from_env().await.dynamo,
        std::time::Duration::from_secs(10),
    )
    .await?;
    let deps = ApiDeps::new(&app.store, &app.config, &keys).with_channels(channels.as_ref().map(ChannelApp::deps));
    run(service_fn(|req| async {
        Ok::<_, Infallible>(api::serve(req, &deps, Utc::now()).await)
    }))
    .await
}
