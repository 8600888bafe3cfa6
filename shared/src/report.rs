//! What an alert says about a job's run, independent of the channel that shows it: the incident
//! kind, the exit code, the duration, the job's message and the end of its log. Each channel renders
//! it in its own format and escaping (Slack: `slack/message.rs`).

use crate::rules::signals::IncidentKind;
use chrono::TimeDelta;

/// In chat messages, a log is quoted by its last lines only.
pub const CHAT_LOG_LINES: usize = 10;
pub const CHAT_LOG_CHARS: usize = 1_500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    pub incident: IncidentKind,
    pub exit_code: Option<u8>,
    pub duration: Option<TimeDelta>,
    pub message: Option<String>,
    pub log: Option<String>,
}

/// The last `max_lines` lines of a log, and at most its last `max_chars` characters (a cut line loses
/// its beginning, the end being what tells why). Trailing blank lines do not count.
pub fn log_tail_lines(log: &str, max_lines: usize, max_chars: usize) -> String {
    let log = log.trim_end();
    let mut start = log.len();
    for (seen, (i, _)) in log.rmatch_indices('\n').enumerate() {
        if seen + 1 == max_lines {
            start = i + 1;
            break;
        }
        start = 0;
    }
    if log.matches('\n').count() < max_lines {
        start = 0;
    }
    let lines = &log[start..];
    let count = lines.chars().count();
    lines.chars().skip(count.saturating_sub(max_chars)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_lines_and_characters() {
        let log: String = (1..=30).map(|i| format!("line {i}\n")).collect();
        let tail = log_tail_lines(&log, 10, 1500);
        assert_eq!(tail.lines().count(), 10);
        assert!(tail.starts_with("line 21\n") && tail.ends_with("line 30"), "{tail}");
        assert_eq!(log_tail_lines("one\ntwo", 10, 1500), "one\ntwo");
        assert_eq!(log_tail_lines("abcdef", 10, 3), "def");
        let wide = "é".repeat(2_000);
        assert_eq!(log_tail_lines(&wide, 10, 1500).chars().count(), 1500);
        assert_eq!(log_tail_lines("", 10, 1500), "");
    }
}
