//! The rules: plain functions over plain types, with the current time passed in.

pub mod calendar_book;
pub mod due;
pub mod history;
pub mod incident;
pub mod quiet;
pub mod schedule;
pub mod signals;
pub mod state;
pub mod status;
pub mod work_rule;
pub mod working_time;
