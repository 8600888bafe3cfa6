//! The log keeps the order of the job's writes across stdout and stderr: through pipes for a job that
//! writes each line at once, through `--tty` for one that holds its stdout back when it is not a
//! terminal (Python here, as C's stdio does).

use crate::common::{client, code, finish, recorder, stderr};
use heartbeat_shared::testing::Behaviour;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

/// Three rounds of a line on stdout, then one on stderr, 200 ms apart, then a traceback.
const PYTHON_JOB: &str = "\
import sys, time
for i in range(1, 4):
    print(f'out-{i}')
    time.sleep(0.2)
    print(f'err-{i}', file=sys.stderr)
    time.sleep(0.2)
raise RuntimeError('the job failed')
";

const IN_ORDER: &str = "out-1\nerr-1\nout-2\nerr-2\nout-3\nerr-3\n";

/// Runs the client with `args` and returns what it printed and the log its ending carried.
async fn run(args: &[&str]) -> (std::process::Output, String) {
    let (recorder, base) = recorder(Behaviour::Respond(200)).await;
    let mut command = client(&base, "run");
    command.args(args);
    let (output, _) = finish(command, None).await;
    let requests = recorder.wait_for(2, WAIT).await;
    assert_eq!(requests.len(), 2, "a start and an ending: {requests:#?}");
    (output, requests[1].body.clone())
}

#[tokio::test]
async fn writes_to_stdout_and_stderr_a_few_hundred_ms_apart_keep_their_order_in_the_log() {
    let job = "for i in 1 2 3; do echo out-$i; sleep 0.2; echo err-$i >&2; sleep 0.2; done";
    let (output, log) = run(&["--", "sh", "-c", job]).await;

    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));
    assert_eq!(log, IN_ORDER);
    assert_eq!(output.stdout, b"out-1\nout-2\nout-3\n", "stdout stays stdout");
    assert_eq!(stderr(&output), "err-1\nerr-2\nerr-3\n", "stderr stays stderr");
}

#[tokio::test]
async fn with_tty_a_python_job_s_lines_and_traceback_keep_their_order_in_the_log() {
    let (output, log) = run(&["--tty", "--", "python3", "-c", PYTHON_JOB]).await;

    assert_eq!(code(&output), 1, "stderr: {}", stderr(&output));
    assert!(
        log.starts_with(&format!("{IN_ORDER}Traceback (most recent call last):\n")),
        "{log:?}"
    );
    assert!(log.ends_with("RuntimeError: the job failed\n"), "{log:?}");
    // One terminal for both streams: everything comes out on our stdout, byte for byte as logged.
    assert_eq!(String::from_utf8_lossy(&output.stdout), log);
    assert_eq!(stderr(&output), "");
}

/// Why `--tty` exists (and what the README says): through a pipe, Python holds its stdout back until
/// it exits, after the traceback it wrote to stderr at once.
#[tokio::test]
async fn without_tty_a_python_job_s_stdout_arrives_after_its_stderr() {
    let (output, log) = run(&["--", "python3", "-c", PYTHON_JOB]).await;

    assert_eq!(code(&output), 1, "stderr: {}", stderr(&output));
    let first_out = log.find("out-1").expect("out-1 is logged");
    let traceback = log.find("Traceback").expect("the traceback is logged");
    assert!(log.starts_with("err-1\nerr-2\nerr-3\n"), "{log:?}");
    assert!(traceback < first_out, "{log:?}");
}

#[tokio::test]
async fn with_tty_stdout_and_stderr_are_a_terminal_and_the_job_keeps_our_stdin_and_its_exit_code() {
    let (recorder, base) = recorder(Behaviour::Respond(200)).await;
    let mut command = client(&base, "run");
    command.env("HEARTBEAT_TTY", "true");
    let job = "[ -t 1 ] && [ -t 2 ] && echo terminal; [ -t 0 ] || echo stdin-is-ours; tr a-z A-Z; exit 4";
    command.args(["--", "sh", "-c", job]);
    let (output, _) = finish(command, Some(b"from stdin\n")).await;

    assert_eq!(code(&output), 4, "stderr: {}", stderr(&output));
    let expected = "terminal\nstdin-is-ours\nFROM STDIN\n";
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        expected,
        "newlines pass unchanged, not as \\r\\n"
    );
    let requests = recorder.wait_for(2, WAIT).await;
    assert_eq!(requests[1].body, expected);
}
