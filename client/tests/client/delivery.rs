//! The service slow, away or refusing: the job's exit code never changes, and the delay is bounded by
//! the timeout × attempts plus the waits between them (1 s, 2 s, …) plus the 1 s a start in flight
//! may still take once the command has ended.

use crate::common::{client, code, finish, recorder, route_and_query, stderr};
use heartbeat_shared::testing::{Behaviour, Reply};
use std::time::Duration;

/// Time for starting processes on a busy machine: the bounds are not a benchmark.
const SLACK: Duration = Duration::from_secs(5);

#[tokio::test]
async fn a_closed_port_changes_no_exit_code_and_delays_at_most_the_retries() {
    for (script, expected) in [("exit 0", 0), ("exit 5", 5)] {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let mut command = client(&format!("http://127.0.0.1:{port}/heartbeat"), "run");
        command.args(["--timeout", "1", "--retries", "2", "--", "sh", "-c", script]);
        let (output, elapsed) = finish(command, None).await;

        assert_eq!(code(&output), expected, "stderr: {}", stderr(&output));
        eprintln!("closed port, `{script}`: exit {expected}, client ran {elapsed:?}");
        // Refused at once: up to 1 s for the start still retrying, then 3 attempts of the ending with
        // waits of 1 s and 2 s between them.
        let bound = Duration::from_secs(3 + 1 + 2 + 1) + SLACK;
        assert!(elapsed <= bound, "took {elapsed:?}, more than {bound:?}");
        assert!(
            elapsed >= Duration::from_secs(3),
            "took {elapsed:?}: the retries did not wait"
        );
        let warnings = stderr(&output);
        let noun = if expected == 0 { "success" } else { "failure" };
        assert!(
            warnings.contains(&format!(
                "warning: the {noun} was not reported: the service could not be reached in 3 attempt(s)"
            )),
            "{warnings}"
        );
    }
}

#[tokio::test]
async fn a_server_that_never_answers_changes_no_exit_code_and_delays_at_most_timeout_times_attempts_plus_backoff() {
    let (recorder, base) = recorder(Behaviour::Hang).await;
    let mut command = client(&base, "run");
    command.args(["--timeout", "1", "--retries", "1", "--", "sh", "-c", "exit 4"]);
    let (output, elapsed) = finish(command, None).await;

    assert_eq!(code(&output), 4, "stderr: {}", stderr(&output));
    eprintln!("hanging server, --timeout 1 --retries 1: exit 4, client ran {elapsed:?}");
    // Start grace 1 s, then two attempts of 1 s with a 1 s wait between them.
    let bound = Duration::from_secs(1 + 2 + 1) + SLACK;
    assert!(elapsed <= bound, "took {elapsed:?}, more than {bound:?}");
    assert!(
        elapsed >= Duration::from_secs(3),
        "took {elapsed:?}: it did not wait for the timeouts"
    );
    // The start, then both attempts of the failure, each read in full by the server.
    let requests = recorder.requests();
    let failures = requests
        .iter()
        .filter(|r| route_and_query(r).0.ends_with("/pulse/fail"))
        .count();
    assert_eq!(failures, 2, "{requests:#?}");
    let warnings = stderr(&output);
    assert!(warnings.contains("no answer within the timeout"), "{warnings}");
    assert!(
        warnings.contains("the start was not delivered before the command ended"),
        "{warnings}"
    );
}

#[tokio::test]
async fn quiet_keeps_the_warnings_to_itself() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut command = client(&format!("http://127.0.0.1:{port}/heartbeat"), "run");
    command.args([
        "--quiet",
        "--timeout",
        "1",
        "--retries",
        "0",
        "--",
        "sh",
        "-c",
        "echo job error >&2; exit 1",
    ]);
    let (output, _) = finish(command, None).await;
    assert_eq!(code(&output), 1);
    assert_eq!(stderr(&output), "job error\n", "only the job's own output");
}

#[tokio::test]
async fn a_refusal_is_not_retried_and_its_reason_is_shown() {
    let refusal = Reply::text(400, "threshold: must be a number of hours");
    let (recorder, base) = recorder(Behaviour::Sequence(vec![refusal])).await;
    let mut command = client(&base, "run");
    command.args(["--retries", "3", "--", "true"]);
    let (output, elapsed) = finish(command, None).await;

    assert_eq!(code(&output), 0);
    assert!(
        elapsed < Duration::from_secs(1) + SLACK,
        "took {elapsed:?}: it waited to retry"
    );
    assert_eq!(recorder.requests().len(), 2, "one start, one success, no retries");
    let warnings = stderr(&output);
    assert!(
        warnings.contains(
            "the success was not reported: the service refused it with 400: threshold: must be a number of hours"
        ),
        "{warnings}"
    );
}

#[tokio::test]
async fn a_server_error_is_retried_until_it_gets_through() {
    let busy = Reply::text(503, "busy");
    let (recorder, base) = recorder(Behaviour::Sequence(vec![Reply::Status(200), busy, Reply::Status(200)])).await;
    let mut command = client(&base, "run");
    command.args(["--", "true"]);
    let (output, _) = finish(command, None).await;

    assert_eq!(code(&output), 0);
    let requests = recorder.requests();
    assert_eq!(
        requests.len(),
        3,
        "start, the refused success, the success again: {requests:#?}"
    );
    assert_eq!(requests[1].path, requests[2].path, "the same report, sent again");
    let wait = requests[2].at - requests[1].at;
    assert!(
        wait >= Duration::from_millis(900),
        "retried after {wait:?}, not after the 1 s backoff"
    );
    assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));
}

#[tokio::test]
async fn a_service_older_than_logs_still_counts_the_success() {
    // The original pulse route refuses a text/plain body with 415 and ignores parameters it does not know.
    let no_logs = Reply::text(
        415,
        "a pulse body must be application/x-www-form-urlencoded or application/json",
    );
    let (recorder, base) = recorder(Behaviour::Sequence(vec![
        Reply::Status(200),
        no_logs,
        Reply::Status(200),
    ]))
    .await;
    let mut command = client(&base, "run");
    command.args(["--", "echo", "done"]);
    let (output, _) = finish(command, None).await;

    assert_eq!(code(&output), 0);
    let requests = recorder.requests();
    assert_eq!(requests.len(), 3, "{requests:#?}");
    assert_eq!(requests[1].body, "done\n");
    assert_eq!(
        (requests[2].path.as_str(), requests[2].body.as_str()),
        (requests[1].path.as_str(), "")
    );
    assert_eq!(requests[2].header("content-type"), None);
    assert!(
        stderr(&output).contains("the success was reported without its log"),
        "{}",
        stderr(&output)
    );
}
