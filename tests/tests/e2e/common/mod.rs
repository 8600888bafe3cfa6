//! Pieces some end-to-end tests share: the local runtime over any DynamoDB endpoint, a scripted
//! DynamoDB, and stale pulses written through the product's own path.

pub mod bare_runtime;
pub mod fake_dynamo;
pub mod stale;
