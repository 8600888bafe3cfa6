//! `GET /heartbeat/badge/{badgeKey}/{scope}.svg|.json`: status badges for READMEs.

use chrono::Utc;
use heartbeat_shared::api::Keys;
use heartbeat_shared::{app::App, handlers, telemetry};
use lambda_http::{Error, run, service_fn};
use std::convert::Infallible;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let app = App::from_env().await?.leak();
    let keys: &'static Keys = Box::leak(Box::new(Keys::from_env()));
    run(service_fn(move |req| async move {
        Ok::<_, Infallible>(handlers::badge(req, &app.store, &app.config, keys, Utc::now()).await)
    }))
    .await
}
