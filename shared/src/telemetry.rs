//! Logging set-up shared by every function: JSON lines on Lambda (CloudWatch), plain text locally.
//!
//! `RUST_LOG` chooses what is logged (default `info`). When it is set, each span that it enables also
//! logs a line when it closes, with its time busy and idle: `RUST_LOG=info,heartbeat_shared::store=debug`
//! times every DynamoDB request with its table, operation and key (the store's spans are at debug,
//! so they cost nothing by default).

use tracing_subscriber::fmt::format::FmtSpan;

pub fn init() {
    let (filter, span_times) = match tracing_subscriber::EnvFilter::try_from_default_env() {
        Ok(filter) => (filter, FmtSpan::CLOSE),
        Err(_) => (tracing_subscriber::EnvFilter::new("info"), FmtSpan::NONE),
    };
    let on_lambda = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(span_times)
        .with_target(false);
    // try_init: the local runtime and tests may call this more than once.
    let _ = if on_lambda {
        builder.json().without_time().try_init()
    } else {
        builder.try_init()
    };
}
