//! Test fixtures shared by the shared crate's tests, the end-to-end tests and the benchmarks, so that
//! none of them keeps its own copy: one recording HTTP server, requests built as API Gateway hands
//! them over, and a notifier that records. Compiled for this crate's tests and behind the `testing`
//! feature for the others; never part of a Lambda function.

mod items;
mod notifier;
pub mod recorder;
mod requests;

pub use items::{monday_at, original_pulse, pulse_running};
pub use notifier::RecordingNotifier;
pub use recorder::{Behaviour, RecordedRequest, Recorder, Reply};
pub use requests::{FORM, JSON, get, header, post, request, text};
