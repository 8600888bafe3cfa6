//! A stand-in for a Slack incoming webhook: the shared recording server, at a path shaped like Slack's.

pub use heartbeat_shared::testing::{Behaviour, RecordedRequest, Recorder, Reply};
use std::ops::Deref;

pub struct SlackRecorder(Recorder);

impl SlackRecorder {
    pub async fn start(behaviour: Behaviour) -> Self {
        Self(Recorder::start(behaviour).await)
    }

    /// A webhook URL shaped like Slack's.
    pub fn url(&self) -> String {
        self.0.url_for("/services/T000/B000/XXXX")
    }
}

/// Everything else (`requests`, `wait_for`, `set_behaviour`, `port`) is the recorder's own.
impl Deref for SlackRecorder {
    type Target = Recorder;

    fn deref(&self) -> &Recorder {
        &self.0
    }
}
