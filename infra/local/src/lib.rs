//! The local runtime: the very handlers the Lambda functions run, served over plain HTTP on this
//! machine, with the monitor on a timer. Only the transport differs from AWS.

pub mod convert;
pub mod dynalite;
mod latin1;
pub mod lock;
pub mod options;
pub mod routes;
pub mod schedule;
pub mod secret;
pub mod server;

pub use routes::Service;
pub use server::{Server, ServerError};
