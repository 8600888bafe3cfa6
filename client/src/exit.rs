//! How a command ended, in the shell's terms: its exit code, or 128 + the signal that killed it.

use std::io;
use std::process::ExitStatus;

/// A command that could not be found, as shells report it.
pub const NOT_FOUND: u8 = 127;
/// A command that was found but could not be started (not executable, …).
pub const CANNOT_EXECUTE: u8 = 126;

/// How the command ended, as the job's owner needs to hear it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    Exited(u8),
    Killed(i32),
    NotStarted { code: u8, reason: String },
}

impl Ending {
    pub fn from_status(status: ExitStatus) -> Self {
        use std::os::unix::process::ExitStatusExt;
        match (status.code(), status.signal()) {
            // Unix exit codes are one byte; `code()` never leaves 0..=255 there.
            (Some(code), _) => Self::Exited(u8::try_from(code & 0xff).unwrap_or(u8::MAX)),
            (None, Some(signal)) => Self::Killed(signal),
            (None, None) => Self::Exited(u8::MAX),
        }
    }

    pub fn from_spawn_error(error: &io::Error) -> Self {
        let code = match error.kind() {
            io::ErrorKind::NotFound => NOT_FOUND,
            _ => CANNOT_EXECUTE,
        };
        Self::NotStarted {
            code,
            reason: format!("the command could not be started: {error}"),
        }
    }

    /// The exit code `heartbeat run` ends with, the one a shell would show for the command.
    pub fn code(&self) -> u8 {
        match self {
            Self::Exited(code) => *code,
            Self::Killed(signal) => u8::try_from(128 + signal.clamp(&0, &127)).unwrap_or(u8::MAX),
            Self::NotStarted { code, .. } => *code,
        }
    }

    pub fn succeeded(&self) -> bool {
        *self == Self::Exited(0)
    }

    /// One line for the failure report; `None` for a success.
    pub fn message(&self) -> Option<String> {
        match self {
            Self::Exited(0) => None,
            Self::Exited(code) => Some(format!("exited with {code}")),
            Self::Killed(signal) => Some(format!("killed by {}", signal_name(*signal))),
            Self::NotStarted { reason, .. } => Some(reason.clone()),
        }
    }
}

/// "SIGTERM (signal 15)": the name people know and the number `kill -l` shows.
pub fn signal_name(signal: i32) -> String {
    let name = match signal {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        24 => "SIGXCPU",
        25 => "SIGXFSZ",
        _ => return format!("signal {signal}"),
    };
    format!("{name} (signal {signal})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn endings_table() {
        // Wait statuses as the kernel reports them: exit code in the second byte, signal in the first.
        for (raw, code, message) in [
            (0, 0, None),
            (3 << 8, 3, Some("exited with 3")),
            (255 << 8, 255, Some("exited with 255")),
            (15, 143, Some("killed by SIGTERM (signal 15)")),
            (9, 137, Some("killed by SIGKILL (signal 9)")),
            (2, 130, Some("killed by SIGINT (signal 2)")),
            (34, 162, Some("killed by signal 34")),
        ] {
            let ending = Ending::from_status(ExitStatus::from_raw(raw));
            assert_eq!(ending.code(), code, "{ending:?}");
            assert_eq!(ending.message().as_deref(), message, "{ending:?}");
            assert_eq!(ending.succeeded(), code == 0);
        }
    }

    #[test]
    fn a_command_that_cannot_start_ends_as_a_shell_says() {
        let missing = Ending::from_spawn_error(&io::Error::from(io::ErrorKind::NotFound));
        assert_eq!(missing.code(), 127);
        assert!(
            missing
                .message()
                .unwrap()
                .starts_with("the command could not be started")
        );
        let denied = Ending::from_spawn_error(&io::Error::from(io::ErrorKind::PermissionDenied));
        assert_eq!(denied.code(), 126);
        assert!(!denied.succeeded());
    }
}
