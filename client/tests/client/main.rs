//! The built `heartbeat` binary against a local recording HTTP server standing in for the service:
//! what it sends (method, route, query, body), what the job's caller sees, and how it ends when the
//! service is away. One test binary, one module per theme.

mod common;

mod delivery;
mod order;
mod run;
mod signals;
