//! End-to-end tests: the local runtime over a real dynalite, a recording Slack webhook and real HTTP.
//! One test binary (each links the whole AWS SDK), one module per theme; nextest still runs every
//! test in a process of its own.

mod common;

mod api;
mod badges;
mod boot;
mod calendars;
mod channels;
mod client;
mod detail;
mod due_index;
mod faults;
mod harness;
mod history;
mod hostile;
mod lambda;
mod load;
mod monitor;
mod original_items;
mod pages;
mod pulse;
mod quiet;
mod races;
mod readme;
mod signals;
mod wire_cost;
