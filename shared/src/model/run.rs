//! What a job told us about its runs besides "I ran": starts, failures, exit codes and durations.
//! Read from the pulse's item; the rules in `rules::signals` decide what it means.

use super::{FieldError, Threshold};
use chrono::{DateTime, TimeDelta, Utc};
use std::fmt;

/// The kinds of signal a job sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalKind {
    Success,
    Start,
    Failure,
}

impl SignalKind {
    pub fn name(self) -> &'static str {
        match self {
            SignalKind::Success => "success",
            SignalKind::Start => "start",
            SignalKind::Failure => "failure",
        }
    }
}

/// One signal as a client sent it, parsed; the identification and creation settings travel in the
/// `PulseReceipt` next to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    pub kind: SignalKind,
    /// 0 for a success given as `exit=0`, 1–255 for a failure; `None` when the job sent none.
    pub exit: Option<u8>,
    /// The duration the job measured itself.
    pub duration: Option<TimeDelta>,
    /// The end of the job's output (at most `MAX_LOG_BYTES`).
    pub log: Option<String>,
    /// The client's id of this run, so a start arriving after its own finish is recognised.
    pub rid: Option<String>,
    /// Applied only when the item is created, like the threshold.
    pub max_runtime: Option<MaxRuntime>,
}

impl Signal {
    /// The original pulse: a success and nothing else.
    pub fn success() -> Self {
        Signal {
            kind: SignalKind::Success,
            exit: None,
            duration: None,
            log: None,
            rid: None,
            max_runtime: None,
        }
    }
}

/// Bytes of a log that are kept: the end of a log says why a job failed.
pub const MAX_LOG_BYTES: usize = 10_000;

/// The last `MAX_LOG_BYTES` of a log, cut at a character boundary from the front.
pub fn log_tail(log: &str) -> &str {
    if log.len() <= MAX_LOG_BYTES {
        return log;
    }
    let mut start = log.len() - MAX_LOG_BYTES;
    while !log.is_char_boundary(start) {
        start += 1;
    }
    &log[start..]
}

/// The per-pulse setting `maxRuntime`: hours a started run may take before it counts as overrun.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MaxRuntime(Threshold);

impl MaxRuntime {
    /// The same hours as a threshold (a decimal, > 0, at most a year), named as the setting.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Threshold::parse(raw).map(MaxRuntime).map_err(|err| {
            let problem = err.problem.replace(" such as 24 or 0.5", " such as 2 or 0.5");
            FieldError::new("maxRuntime", problem)
        })
    }

    pub fn duration(self) -> TimeDelta {
        self.0.duration()
    }
}

/// The decimal hours, as stored and shown in forms (`2`, `0.5`).
impl fmt::Display for MaxRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A pulse's runs as the table holds them. Every field is absent on items that never got a signal.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunState {
    /// The latest start.
    pub started_at: Option<DateTime<Utc>>,
    /// The latest success or failure.
    pub last_finish: Option<DateTime<Utc>>,
    /// The finish before the latest one: a start older than it belongs to an earlier run.
    pub prev_finish: Option<DateTime<Utc>>,
    /// The latest start as it was when the latest finish came.
    pub run_start: Option<DateTime<Utc>>,
    /// The duration the job sent with its latest finish.
    pub sent_duration: Option<TimeDelta>,
    pub exit_code: Option<u8>,
    /// The first failure since the last success: while set, a `failed` incident is open, and this
    /// instant names it (further failures keep it, so they open nothing new).
    pub failing_since: Option<DateTime<Utc>>,
    pub last_failure: Option<DateTime<Utc>>,
    /// The log sent with the latest failure (the alert quotes its end).
    pub failure_log: Option<String>,
    pub max_runtime: Option<MaxRuntime>,
    /// The run id the latest finish carried.
    pub finish_rid: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_keeps_its_end_at_a_character_boundary() {
        assert_eq!(log_tail("short"), "short");
        let long = format!("{}{}", "é".repeat(6_000), "the end");
        let tail = log_tail(&long);
        assert!(
            tail.len() <= MAX_LOG_BYTES && tail.len() >= MAX_LOG_BYTES - 1,
            "{}",
            tail.len()
        );
        assert!(tail.ends_with("the end"));
        assert!(tail.starts_with('é'));
    }

    #[test]
    fn max_runtime_is_named_in_its_errors() {
        assert_eq!(MaxRuntime::parse("2").unwrap().to_string(), "2");
        assert_eq!(MaxRuntime::parse("0.5").unwrap().duration(), TimeDelta::minutes(30));
        for bad in ["", "0", "-1", "two", "9000"] {
            let err = MaxRuntime::parse(bad).unwrap_err();
            assert_eq!(err.field, "maxRuntime", "{bad}");
        }
    }
}
