//! `/heartbeat/api/v1/…` (the JSON API, Bearer keys) and `GET /heartbeat/export.csv?secret=S`.

use chrono::Utc;
use heartbeat_shared::api::{self, ApiDeps};
use heartbeat_shared::{app::KeyedApp, config::Uses, telemetry};
use lambda_http::{Error, run, service_fn};
use std::convert::Infallible;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let app = &KeyedApp::from_env(Uses::Api).await?;
    let keys = &app.keys;
    let calendars = app.calendars();
    let deps = ApiDeps::new(&app.store, &app.config, keys).with_calendars(calendars.as_ref().map(|c| c as _));
    run(service_fn(|req| async {
        Ok::<_, Infallible>(api::serve(req, &deps, Utc::now()).await)
    }))
    .await
}
