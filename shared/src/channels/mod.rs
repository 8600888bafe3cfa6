//! Notification channels beyond the default Slack webhook: what a channel is (`channel`), the
//! channel-neutral summary of a run's incidents (`digest`), one renderer per provider (`render`),
//! and delivery over HTTPS or SES with the outcome classified for retries (`deliver`).

pub mod channel;
pub mod deliver;
pub mod digest;
pub mod own;
pub mod render;
pub mod routing;
mod text;

pub use channel::{Channel, ChannelConfig, ChannelError, ChannelName, DEFAULT_CHANNEL};
pub use deliver::{ChannelTransport, Outcome, Transports};
pub use digest::{Digest, Incident, Occasion};
pub use routing::{Route, RouteTarget, Routes, channels_for};

#[cfg(test)]
mod payload_tests;
