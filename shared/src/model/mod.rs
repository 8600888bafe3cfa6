//! Plain domain types: what a pulse is, parsed once at the edge and trusted everywhere after.

mod event;
mod key;
mod pulse;
mod quiet;
mod run;
mod settings;
mod threshold;
mod time;
mod timezone;
mod workdays;

pub use event::{Event, EventKind, edited_note, expiry};
pub use key::{FieldError, PulseId, PulseKey};
pub use pulse::{Alert, Claim, Pulse, Settings};
pub use quiet::{LONGEST, NOTE_LIMIT, Quieting, Scope, Window};
pub use run::{MAX_LOG_BYTES, MaxRuntime, RunState, Signal, SignalKind, log_tail};
pub use settings::validate_settings;
pub use threshold::Threshold;
pub use time::{format_stamp, parse_stamp};
pub use timezone::Zone;
pub use workdays::WorkingDays;
