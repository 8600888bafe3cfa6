//! Logging set-up shared by every function: JSON lines on Lambda (CloudWatch), plain text locally.

pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let on_lambda = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some();
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    // try_init: the local runtime and tests may call this more than once.
    let _ = if on_lambda {
        builder.json().without_time().try_init()
    } else {
        builder.try_init()
    };
}
