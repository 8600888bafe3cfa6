//! Handler and monitor tests: each handler gets a request built as API Gateway or the local runtime
//! would hand it over, the in-memory store, a configuration and a fixed clock; the monitor gets a
//! notifier that records what Slack would have received. One test binary for the whole crate: each
//! binary links the AWS SDK, so fewer binaries build faster.

mod support;

mod calendars_page;
mod channels_page;
mod dashboard;
mod edit;
mod history;
mod monitor;
mod parsing_props;
mod pulse;
mod quiet;
mod secrets;
mod status_model;
