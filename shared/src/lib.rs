//! heartbeat's common crate: the table model, the working-time rules, the store, Slack, the pages and
//! the request handlers that the eight Lambda functions (and the local runtime) share.

pub mod api;
pub mod app;
pub mod channels;
pub mod config;
pub mod export;
pub mod handlers;
pub mod http;
pub mod lambda_main;
pub mod links;
pub mod model;
pub mod monitor;
pub mod pages;
pub mod quieting;
pub mod report;
pub mod routes;
pub mod rules;
pub mod secrets;
pub mod slack;
pub mod store;
pub mod telemetry;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod words;

#[cfg(test)]
mod template_tests;
