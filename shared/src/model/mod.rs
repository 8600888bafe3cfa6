//! Plain domain types: what a pulse is, parsed once at the edge and trusted everywhere after.

mod calendars;
mod event;
mod expectation;
mod grace;
mod holiday_dates;
mod hours;
mod key;
mod pulse;
mod pulse_channels;
mod quiet;
mod run;
mod schedule;
mod settings;
mod threshold;
mod time;
mod timezone;
mod workdays;

pub use calendars::{CalendarName, CalendarNames};
pub use event::{Event, EventKind, edited_note, expiry};
pub use expectation::Expectation;
pub use grace::Grace;
pub use holiday_dates::{MAX_DATES, import_ics, parse_date, parse_dates};
pub use hours::Hours;
pub use key::{FieldError, PulseId, PulseKey};
pub use pulse::{Alert, Claim, Pulse, Settings};
pub use pulse_channels::{PULSE_CHANNELS_MAX, PulseChannels};
pub use quiet::{LONGEST, NOTE_LIMIT, Quieting, Scope, Window};
pub use run::{MAX_LOG_BYTES, MaxRuntime, RunState, Signal, SignalKind, log_tail};
pub use schedule::Schedule;
pub use settings::{SettingsInput, validate_input, validate_settings};
pub use threshold::Threshold;
pub use time::{format_stamp, parse_stamp};
pub use timezone::Zone;
pub use workdays::WorkingDays;
