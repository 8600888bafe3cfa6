//! The rules: plain functions over plain types, with the current time passed in.

pub mod due;
pub mod history;
pub mod incident;
pub mod quiet;
pub mod signals;
pub mod state;
pub mod status;
pub mod working_time;
