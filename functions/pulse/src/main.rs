//! The pulse function: a job says "I ran", "I started" or "I failed" (its routes: `routes::ROUTES`).

use heartbeat_shared::{app::PulseApp, handlers, lambda_main, routes::Function, telemetry};

// One invocation at a time: one thread, without the wake-ups between worker threads.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init();
    let app = &PulseApp::from_env().await?;
    lambda_main::serve(Function::Pulse, |req, now| {
        handlers::pulse(req, &app.store, &app.config, now)
    })
    .await
}
