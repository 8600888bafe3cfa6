//! What one call to the service says: the signal, and what the job told us about its run.

use std::time::Duration;

/// The service keeps at most this much of a message.
pub const MESSAGE_LIMIT: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// A run began: `/pulse/start`.
    Start,
    /// The job succeeded: `/pulse`, the route every existing client uses.
    Success,
    /// The job failed: `/pulse/fail`.
    Failure,
}

impl Signal {
    /// The route under the service's base URL.
    pub fn route(self) -> &'static str {
        match self {
            Self::Start => "pulse/start",
            Self::Success => "pulse",
            Self::Failure => "pulse/fail",
        }
    }

    /// How a warning names the report.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Success => "success",
            Self::Failure => "failure",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub signal: Signal,
    pub exit: Option<u8>,
    pub duration: Option<Duration>,
    pub message: Option<String>,
    /// The run's id, the same on its start and its ending, so that the service can tell a start
    /// that arrives after its own ending from a new run.
    pub rid: Option<String>,
    /// Sent as the `text/plain` body.
    pub log: Option<String>,
}

impl Report {
    pub fn new(signal: Signal) -> Self {
        Self {
            signal,
            exit: None,
            duration: None,
            message: None,
            rid: None,
            log: None,
        }
    }

    /// The report's own query parameters (the pulse's identity is added by the target).
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if let Some(exit) = self.exit {
            params.push(("exit", exit.to_string()));
        }
        if let Some(duration) = self.duration {
            params.push(("duration", seconds(duration)));
        }
        if let Some(rid) = self.rid.as_deref().filter(|r| !r.is_empty()) {
            params.push(("rid", rid.to_owned()));
        }
        if let Some(message) = self.message.as_deref().filter(|m| !m.is_empty()) {
            params.push(("message", crate::tail::first_bytes(message, MESSAGE_LIMIT).to_owned()));
        }
        params
    }
}

/// A new run id: 16 hex digits from the standard library's per-process random hash keys.
pub fn new_rid() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::hash::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos()),
    );
    format!("{:016x}", hasher.finish())
}

/// Seconds with millisecond precision, as the `duration` parameter takes them: "12.345".
pub fn seconds(duration: Duration) -> String {
    format!("{}.{:03}", duration.as_secs(), duration.subsec_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_table() {
        assert_eq!(Signal::Start.route(), "pulse/start");
        assert_eq!(Signal::Success.route(), "pulse");
        assert_eq!(Signal::Failure.route(), "pulse/fail");
    }

    #[test]
    fn run_ids_are_16_hex_digits_and_differ() {
        let (a, b) = (new_rid(), new_rid());
        assert_eq!(a.len(), 16);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn seconds_table() {
        for (duration, text) in [
            (Duration::ZERO, "0.000"),
            (Duration::from_millis(7), "0.007"),
            (Duration::from_millis(12_345), "12.345"),
            (Duration::from_secs(7200), "7200.000"),
            (Duration::from_nanos(1_999_999), "0.001"),
        ] {
            assert_eq!(seconds(duration), text);
        }
    }

    #[test]
    fn params_carry_only_what_was_said_and_cut_long_messages() {
        assert!(Report::new(Signal::Start).params().is_empty());
        let report = Report {
            exit: Some(3),
            duration: Some(Duration::from_millis(1500)),
            message: Some("é".repeat(600)),
            rid: Some("0a1b".into()),
            ..Report::new(Signal::Failure)
        };
        let params = report.params();
        assert_eq!(params[0], ("exit", "3".to_owned()));
        assert_eq!(params[1], ("duration", "1.500".to_owned()));
        assert_eq!(params[2], ("rid", "0a1b".to_owned()));
        assert_eq!(params[3].0, "message");
        assert_eq!(params[3].1, "é".repeat(512));
        let empty = Report {
            message: Some(String::new()),
            ..Report::new(Signal::Success)
        };
        assert!(empty.params().is_empty());
    }
}
