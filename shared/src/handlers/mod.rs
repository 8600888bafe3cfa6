//! Request handlers: each takes the request, the narrow store it needs, the configuration and the
//! current time, and always returns a complete response (errors included), never a panic or an `Err`.

mod access;
pub mod badge;
mod calendars;
mod channels;
pub mod dashboard;
pub mod detail;
mod detail_history;
pub mod edit;
#[cfg(test)]
mod edit_channels_tests;
#[cfg(test)]
mod edit_tests;
pub mod export;
#[cfg(test)]
mod holiday_tests;
pub mod invocation;
mod maintenance;
pub mod monitor;
pub mod pulse;
mod quiet;
mod upload;
mod views;

pub use badge::badge;
pub use calendars::calendars_page;
pub use channels::channels_page;
pub use dashboard::dashboard;
pub use detail::detail;
pub use edit::{edit_get, edit_post, edit_post_checked};
pub use export::export_csv;
pub use maintenance::maintenance_page;
pub use monitor::{MonitorDeps, monitor_event};
pub use pulse::pulse;
pub use quiet::quiet_page;
/// For the render benchmark: the dashboard from a listing already read.
pub use views::dashboard_view;
