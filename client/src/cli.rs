//! The command line: `heartbeat run|pulse|start|fail`, each option also read from its `HEARTBEAT_…`
//! environment variable so that a crontab or a systemd unit can set them once.

use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::time::Duration;

const ABOUT: &str =
    "Tells heartbeat that a job started, succeeded or failed, with its exit code, duration and the end of its output.";

const EXAMPLES: &str = "\
Examples:
  Run a nightly backup from cron; a failure is reported at once with the exit code and the last
  10,000 bytes of output, and cron still sees the job's own exit code and output:

    HEARTBEAT_URL=https://abc123.execute-api.eu-west-1.amazonaws.com/Prod/heartbeat
    30 2 * * * heartbeat run --category backup --type cron --name nightly-db --threshold 24 -- /usr/local/bin/backup-db

  The same job as a systemd service, started by a nightly-db.timer (OnCalendar=*-*-* 02:30:00):

    [Service]
    Type=oneshot
    Environment=HEARTBEAT_URL=https://abc123.execute-api.eu-west-1.amazonaws.com/Prod/heartbeat
    Environment=HEARTBEAT_KEY=…
    ExecStart=/usr/local/bin/heartbeat run --category backup --type systemd --name nightly-db \\
        --max-runtime 2 -- /usr/local/bin/backup-db

  One signal from a script of your own:

    heartbeat start --category etl --type script --name import
    heartbeat fail  --category etl --type script --name import --exit 2 --message 'disk full' --log /var/log/import.log
    heartbeat pulse --category etl --type script --name import --duration 42.5

The service being slow or away never changes a job's outcome: each call gives up after --timeout
seconds and is retried --retries times (waiting 1 s, 2 s, then 4 s); then a warning goes to stderr.";

#[derive(Parser, Debug)]
#[command(name = "heartbeat", version, about = ABOUT, after_long_help = EXAMPLES,
          after_help = "Examples for cron and systemd: heartbeat --help")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run COMMAND and report it: a start, then a success or a failure with its exit code, duration
    /// and the end of its output. Exits with COMMAND's exit code (128 + the signal when it was killed).
    #[command(after_long_help = EXAMPLES)]
    Run(RunArgs),
    /// Report a success (the original pulse).
    Pulse(PulseArgs),
    /// Report that a run began.
    Start(StartArgs),
    /// Report a failure.
    Fail(FailArgs),
}

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub common: Common,
    /// Give COMMAND a pseudo-terminal as stdout and stderr: programs that hold their output back when
    /// it is not a terminal (Python, C's stdio) then write each line at once, and the log keeps the
    /// order of its writes across both streams. Its stderr then comes out on our stdout, and some
    /// programs add colours or progress bars on a terminal.
    #[arg(long, env = "HEARTBEAT_TTY")]
    pub tty: bool,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<OsString>,
}

#[derive(Args, Debug)]
pub struct PulseArgs {
    #[command(flatten)]
    pub common: Common,
    #[command(flatten)]
    pub said: Said,
}

#[derive(Args, Debug)]
pub struct StartArgs {
    #[command(flatten)]
    pub common: Common,
    /// A short message kept with the signal (at most 1 KiB).
    #[arg(long)]
    pub message: Option<String>,
    /// An id of this run, given again to its `pulse` or `fail`, so that the service pairs them
    /// even when they arrive out of order.
    #[arg(long, value_name = "ID", value_parser = rid)]
    pub rid: Option<String>,
}

#[derive(Args, Debug)]
pub struct FailArgs {
    #[command(flatten)]
    pub common: Common,
    /// The job's exit code, 1 to 255.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=255))]
    pub exit: Option<u8>,
    #[command(flatten)]
    pub said: Said,
}

/// What a script can say about a run it timed itself.
#[derive(Args, Debug)]
pub struct Said {
    /// A short message kept with the signal (at most 1 KiB).
    #[arg(long)]
    pub message: Option<String>,
    /// How long the run took, in seconds (e.g. 42.5).
    #[arg(long, value_name = "SECONDS", value_parser = duration_seconds)]
    pub duration: Option<Duration>,
    /// The id the run's `start` was given.
    #[arg(long, value_name = "ID", value_parser = rid)]
    pub rid: Option<String>,
    /// A log file to send (its last 10,000 bytes); `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub log: Option<OsString>,
}

/// Where to report and which pulse: the same four names the service and the shell wrapper use.
#[derive(Args, Debug)]
pub struct Common {
    /// The service's base URL, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/Prod/heartbeat
    #[arg(long, env = "HEARTBEAT_URL", value_name = "URL")]
    pub url: String,
    /// The pulse key, when the service requires one (sent as Authorization: Bearer).
    #[arg(long, env = "HEARTBEAT_KEY", hide_env_values = true)]
    pub key: Option<String>,
    /// The host the job runs on [default: this machine's hostname]
    #[arg(long, env = "HEARTBEAT_HOST", value_parser = field)]
    pub host: Option<String>,
    /// The pulse's category, e.g. backup.
    #[arg(long, env = "HEARTBEAT_CATEGORY", value_parser = field)]
    pub category: String,
    /// The pulse's type, e.g. cron.
    #[arg(long = "type", env = "HEARTBEAT_TYPE", value_name = "TYPE", value_parser = field)]
    pub kind: String,
    /// The pulse's name, e.g. nightly-db: with host, category and type it names the pulse.
    #[arg(long, env = "HEARTBEAT_NAME", value_parser = field)]
    pub name: String,
    /// Hours of quiet before the pulse is late (applies when the service first creates the pulse).
    #[arg(long, env = "HEARTBEAT_THRESHOLD", value_name = "HOURS", value_parser = hours)]
    pub threshold: Option<String>,
    /// Hours a run may take before it is reported as overrunning (applies when the pulse is created).
    #[arg(long, env = "HEARTBEAT_MAX_RUNTIME", value_name = "HOURS", value_parser = hours)]
    pub max_runtime: Option<String>,
    /// Seconds each call to the service may take.
    #[arg(long, env = "HEARTBEAT_TIMEOUT", value_name = "SECONDS", default_value = "10", value_parser = timeout_seconds)]
    pub timeout: Duration,
    /// How many times a call that failed is tried again.
    #[arg(long, env = "HEARTBEAT_RETRIES", default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: u32,
    /// No warning when a report cannot be delivered (the command's own output is never hidden).
    #[arg(long, short)]
    pub quiet: bool,
}

/// Host, category, type and name, as the service accepts them.
fn field(text: &str) -> Result<String, String> {
    let length = text.chars().count();
    if length == 0 || length > 256 {
        return Err(format!("must be 1 to 256 characters, not {length}"));
    }
    if text.chars().any(char::is_control) {
        return Err("must not contain control characters (newlines, tabs, …)".into());
    }
    Ok(text.to_owned())
}

/// A run id as the service accepts it.
fn rid(text: &str) -> Result<String, String> {
    let length = text.chars().count();
    if length == 0 || length > 64 || text.chars().any(char::is_control) {
        return Err("must be 1 to 64 printable characters".into());
    }
    Ok(text.to_owned())
}

/// A number of hours as the service accepts it (> 0, at most a year), kept as typed.
fn hours(text: &str) -> Result<String, String> {
    match text.trim().parse::<f64>() {
        Ok(hours) if hours.is_finite() && hours > 0.0 && hours <= 8760.0 => Ok(text.trim().to_owned()),
        _ => Err(format!(
            "{text:?} is not a number of hours above 0 and at most 8760 (e.g. 24 or 1.5)"
        )),
    }
}

fn duration_seconds(text: &str) -> Result<Duration, String> {
    match text.trim().parse::<f64>() {
        Ok(seconds) if (0.0..1e9).contains(&seconds) => Ok(Duration::from_secs_f64(seconds)),
        _ => Err(format!("{text:?} is not a number of seconds, 0 or more (e.g. 42.5)")),
    }
}

fn timeout_seconds(text: &str) -> Result<Duration, String> {
    match text.trim().parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds > 0.0 && seconds <= 300.0 => Ok(Duration::from_secs_f64(seconds)),
        _ => Err(format!(
            "{text:?} is not a number of seconds above 0 and at most 300 (e.g. 10)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn value_parsers_table() {
        assert_eq!(hours("24"), Ok("24".into()));
        assert_eq!(hours(" 1.5 "), Ok("1.5".into()));
        assert_eq!(hours("8760"), Ok("8760".into()));
        for bad in ["0", "-1", "8761", "NaN", "inf", "a day", ""] {
            assert!(hours(bad).is_err(), "{bad:?}");
        }
        assert_eq!(duration_seconds("42.5"), Ok(Duration::from_millis(42_500)));
        assert_eq!(duration_seconds("0"), Ok(Duration::ZERO));
        for bad in ["-1", "x", "inf", "1e10"] {
            assert!(duration_seconds(bad).is_err(), "{bad:?}");
        }
        assert_eq!(timeout_seconds("0.5"), Ok(Duration::from_millis(500)));
        for bad in ["0", "301", "-3", "soon"] {
            assert!(timeout_seconds(bad).is_err(), "{bad:?}");
        }
        assert_eq!(rid("run-42"), Ok("run-42".into()));
        for bad in [String::new(), "r".repeat(65), "a\nb".into()] {
            assert!(rid(&bad).is_err(), "{bad:?}");
        }
        assert_eq!(field("nightly-db"), Ok("nightly-db".into()));
        assert_eq!(field(&"é".repeat(256)), Ok("é".repeat(256)));
        for bad in [String::new(), "a".repeat(257), "two\nlines".into(), "tab\there".into()] {
            assert!(field(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn run_takes_the_command_after_the_double_dash() {
        let cli = Cli::try_parse_from([
            "heartbeat",
            "run",
            "--url",
            "http://h/heartbeat",
            "--category",
            "c",
            "--type",
            "t",
            "--name",
            "n",
            "--",
            "sh",
            "-c",
            "exit 3",
        ])
        .unwrap();
        let Command::Run(run) = cli.command else {
            panic!("not a run: {cli:?}")
        };
        assert_eq!(run.command, ["sh", "-c", "exit 3"]);
        assert_eq!(run.common.timeout, Duration::from_secs(10));
        assert_eq!(run.common.retries, 2);
        assert!(!run.common.quiet);
    }

    #[test]
    fn fail_takes_an_exit_code_from_1_to_255() {
        let parse = |exit: &str| {
            Cli::try_parse_from([
                "heartbeat",
                "fail",
                "--url",
                "http://h",
                "--category",
                "c",
                "--type",
                "t",
                "--name",
                "n",
                "--exit",
                exit,
            ])
        };
        assert!(parse("1").is_ok());
        assert!(parse("255").is_ok());
        for bad in ["0", "256", "-1", "x"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
