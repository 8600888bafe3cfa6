//! Handler and monitor tests: each handler gets a request built as API Gateway or the local runtime
//! would hand it over, the in-memory store, a configuration and a fixed clock; the monitor gets a
//! notifier that records what Slack would have received.

#[path = "handlers/support.rs"]
mod support;

#[path = "handlers/dashboard.rs"]
mod dashboard;
#[path = "handlers/edit.rs"]
mod edit;
#[path = "handlers/monitor.rs"]
mod monitor;
#[path = "handlers/pulse.rs"]
mod pulse;
