//! What a measured process logged: a server that warns while measured (a write refused, a retry)
//! does more than the work being measured, so its figures would not be the pulse's.

use std::path::Path;

/// The first line of a log that warns or reports an error, in either of heartbeat's formats: plain
/// text (coloured or not, the local runtime) or JSON lines (on Lambda).
pub fn first_warning(log: &Path) -> Option<String> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.lines().find(|line| warns(line)).map(str::to_owned)
}

fn warns(line: &str) -> bool {
    line.contains(" WARN") || line.contains("ERROR") || line.contains(r#""level":"WARN""#)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_and_errors_are_caught_in_text_and_json_and_quiet_lines_are_not() {
        for quiet in [
            "\x1b[32m INFO\x1b[0m SLACK_WEBHOOK_URL is not set",
            "heartbeat is running.",
            r#"{"level":"INFO","fields":{"message":"pulse"}}"#,
        ] {
            assert!(!warns(quiet), "{quiet}");
        }
        for loud in [
            "2026-12-03T13:35:29Z \x1b[33m WARN\x1b[0m the signal's history event was not written",
            "2026-12-03T13:35:29Z  WARN the signal's history event was not written",
            "2026-12-03T13:35:29Z ERROR the table request failed",
            r#"{"level":"WARN","fields":{"message":"the signal's history event was not written"}}"#,
            r#"{"level":"ERROR","fields":{"message":"x"}}"#,
        ] {
            assert!(warns(loud), "{loud}");
        }
    }

    #[test]
    fn the_first_warning_of_a_log_file_is_returned() {
        let dir = std::env::temp_dir().join(format!("heartbeat-bench-logs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let log = dir.join("server.log");
        std::fs::write(&log, "started\nheartbeat is running.\n").expect("write");
        assert_eq!(first_warning(&log), None);
        std::fs::write(&log, "started\n WARN first\n WARN second\n").expect("write");
        assert_eq!(first_warning(&log).as_deref(), Some(" WARN first"));
        std::fs::remove_dir_all(&dir).expect("clean up");
        assert_eq!(first_warning(&log), None, "a missing log has no warning");
    }
}
