//! The dashboard function: the table of all pulses, behind the secret (its route: `routes::ROUTES`).

use heartbeat_shared::{app::PagesApp, handlers, lambda_main, routes::Function, telemetry};

// One invocation at a time: one thread, without the wake-ups between worker threads.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init();
    let app = &PagesApp::from_env().await?;
    lambda_main::serve(Function::Dashboard, |req, now| {
        handlers::dashboard(req, &app.store, &app.config, now)
    })
    .await
}
