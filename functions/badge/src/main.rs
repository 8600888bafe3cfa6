//! The badge function: status badges for READMEs, `.svg` or `.json` (its route: `routes::ROUTES`).

use heartbeat_shared::{app::KeyedApp, config::Uses, handlers, lambda_main, routes::Function, telemetry};

// One invocation at a time: one thread, without the wake-ups between worker threads.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init();
    let app = &KeyedApp::from_env(Uses::Badge).await?;
    lambda_main::serve(Function::Badge, |req, now| {
        handlers::badge(req, &app.store, &app.config, &app.keys, now)
    })
    .await
}
