//! The HTTP edge: reading parameters from `lambda_http` requests and writing complete responses.
//! Handlers use these; nothing below the handlers sees an HTTP type.

pub mod error;
pub mod params;
pub mod response;

pub use error::HttpError;
pub use params::Params;
