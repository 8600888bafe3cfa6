//! `heartbeat run`: the command behaves as if run directly, and its start and ending are reported.

use crate::common::{assert_identity, client, code, duration, finish, recorder, route_and_query, stderr};
use heartbeat_shared::testing::Behaviour;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_command_that_exits_3_is_reported_as_a_failure_with_its_duration_and_output() {
    let (recorder, base) = recorder(Behaviour::Respond(200)).await;
    let mut command = client(&base, "run");
    command.args([
        "--",
        "sh",
        "-c",
        "echo to-stdout; echo to-stderr >&2; sleep 0.3; exit 3",
    ]);
    let (output, elapsed) = finish(command, None).await;

    assert_eq!(code(&output), 3, "stderr: {}", stderr(&output));
    assert_eq!(output.stdout, b"to-stdout\n");
    assert!(stderr(&output).contains("to-stderr\n"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));

    let requests = recorder.wait_for(2, WAIT).await;
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let (start, fail) = (&requests[0], &requests[1]);
    let (route, query) = route_and_query(start);
    assert_eq!(
        (start.method.as_str(), route.as_str()),
        ("POST", "/Prod/heartbeat/pulse/start")
    );
    assert_identity(&query);
    assert_eq!(query.len(), 5, "a start says nothing but its run id: {query:?}");
    let rid = query["rid"].clone();
    assert_eq!(rid.len(), 16, "{rid}");
    assert_eq!(start.body, "");

    let (route, query) = route_and_query(fail);
    assert_eq!(
        (fail.method.as_str(), route.as_str()),
        ("POST", "/Prod/heartbeat/pulse/fail")
    );
    assert_identity(&query);
    assert_eq!(query["exit"], "3");
    assert_eq!(query["message"], "exited with 3");
    assert_eq!(query["rid"], rid, "the ending names the run its start named");
    let seconds = duration(&query);
    assert!(
        seconds >= 0.3 && seconds <= elapsed.as_secs_f64(),
        "duration {seconds} s, run {elapsed:?}"
    );
    assert!(
        fail.header("content-type").unwrap().starts_with("text/plain"),
        "{fail:?}"
    );
    assert!(
        fail.body.contains("to-stdout\n") && fail.body.contains("to-stderr\n"),
        "{:?}",
        fail.body
    );
    assert_eq!(fail.header("authorization"), None, "no key was given");
}

#[tokio::test]
async fn a_command_that_succeeds_is_a_pulse_with_exit_0_and_the_key_goes_in_a_header() {
    let (recorder, base) = recorder(Behaviour::Respond(200)).await;
    let mut command = client(&base, "run");
    command
        .env("HEARTBEAT_KEY", "k-123")
        .args(["--threshold", "1.5", "--max-runtime", "2"]);
    command.args(["--", "printf", "all done"]);
    let (output, _) = finish(command, None).await;

    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));
    assert_eq!(output.stdout, b"all done");
    let requests = recorder.wait_for(2, WAIT).await;
    let (route, query) = route_and_query(&requests[1]);
    assert_eq!(route, "/Prod/heartbeat/pulse");
    assert_identity(&query);
    assert_eq!(query["exit"], "0");
    assert_eq!(query["threshold"], "1.5");
    assert_eq!(query["maxRuntime"], "2");
    assert!(!query.contains_key("message"), "{query:?}");
    assert!(!query.contains_key("key"), "the key stays out of URLs: {query:?}");
    assert_eq!(requests[1].body, "all done");
    for request in &requests {
        assert_eq!(request.header("authorization"), Some("Bearer k-123"));
    }
}

#[tokio::test]
async fn a_killed_command_ends_with_128_plus_the_signal_and_is_reported() {
    let (recorder, base) = recorder(Behaviour::Respond(200)).await;
    let mut command = client(&base, "run");
    command.args(["--", "sh", "-c", "echo about to go; kill -TERM $$"]);
    let (output, _) = finish(command, None).await;

    assert_eq!(code(&output), 128 + 15, "stderr: {}", stderr(&output));
    let requests = recorder.wait_for(2, WAIT).await;
    let (route, query) = route_and_query(&requests[1]);
    assert_eq!(route, "/Prod/heartbeat/pulse/fail");
    assert_eq!(query["exit"], "143");
    assert_eq!(query["message"], "killed by SIGTERM (signal 15)");
    assert_eq!(requests[1].body, "about to go\n");
}

#[tokio::test]
async fn sigterm_and_sigint_are_passed_on_to_the_command() {
    for (signal, number) in [("TERM", 15), ("INT", 2)] {
        let (recorder, base) = recorder(Behaviour::Respond(200)).await;
        let mut command = client(&base, "run");
        // Only the forwarded signal can end it this soon.
        command.args(["--", "sleep", "30"]);
        let began = std::time::Instant::now();
        let child = command.spawn().expect("the client starts");
        let pid = child.id().expect("a running client").to_string();
        // The start is sent once the client listens for signals, just before it starts the command.
        recorder.wait_for(1, WAIT).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let kill = tokio::process::Command::new("kill")
            .args([format!("-{signal}"), pid])
            .status()
            .await
            .expect("kill runs");
        assert!(kill.success());
        let output = tokio::time::timeout(WAIT, child.wait_with_output())
            .await
            .expect("the client ends soon after the signal")
            .expect("its output");

        assert_eq!(code(&output), 128 + number, "SIG{signal}: {}", stderr(&output));
        assert!(began.elapsed() < Duration::from_secs(20), "the command was not stopped");
        let requests = recorder.wait_for(2, WAIT).await;
        let (route, query) = route_and_query(&requests[1]);
        assert_eq!(route, "/Prod/heartbeat/pulse/fail", "SIG{signal}");
        assert_eq!(query["exit"], (128 + number).to_string());
    }
}

#[tokio::test]
async fn output_passes_through_unchanged_and_the_log_is_its_last_10000_bytes_at_a_character_boundary() {
    let (recorder, base) = recorder(Behaviour::Respond(200)).await;
    // 300 KB of mixed one-, two- and three-byte characters, one line at a time, and no newline at
    // the end: what arrives on stdout must be byte for byte what the command wrote.
    let mut text = String::new();
    for i in 0..12_000 {
        text.push_str(&format!("{i} é € x\n"));
    }
    text.push_str("the end €");
    let file = std::env::temp_dir().join(format!("heartbeat-client-output-{}.txt", std::process::id()));
    std::fs::write(&file, &text).unwrap();

    let mut command = client(&base, "run");
    command.arg("--").arg("cat").arg(&file);
    let (output, _) = finish(command, None).await;
    std::fs::remove_file(&file).unwrap();

    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));
    assert!(
        output.stdout == text.as_bytes(),
        "stdout differs from the command's output"
    );
    let requests = recorder.wait_for(2, WAIT).await;
    let log = &requests[1].body;
    assert!(
        log.len() <= 10_000 && log.len() > 10_000 - 3,
        "log of {} bytes",
        log.len()
    );
    assert!(text.ends_with(log.as_str()), "the log is not the output's end");
    assert!(!log.contains('\u{FFFD}'), "the log starts inside a character");
}

#[tokio::test]
async fn stdin_reaches_the_command() {
    let (_recorder, base) = recorder(Behaviour::Respond(200)).await;
    let mut command = client(&base, "run");
    command.args(["--", "tr", "a-z", "A-Z"]);
    let (output, _) = finish(command, Some(b"piped in\n")).await;
    assert_eq!(code(&output), 0, "stderr: {}", stderr(&output));
    assert_eq!(output.stdout, b"PIPED IN\n");
}

#[tokio::test]
async fn a_command_that_cannot_start_ends_with_127_and_is_reported() {
    let (recorder, base) = recorder(Behaviour::Respond(200)).await;
    let mut command = client(&base, "run");
    command.args(["--", "/nonexistent/backup-db", "--full"]);
    let (output, _) = finish(command, None).await;

    assert_eq!(code(&output), 127);
    assert!(
        stderr(&output).contains("cannot run \"/nonexistent/backup-db\""),
        "{}",
        stderr(&output)
    );
    let requests = recorder.wait_for(2, WAIT).await;
    let (route, query) = route_and_query(&requests[1]);
    assert_eq!(route, "/Prod/heartbeat/pulse/fail");
    assert_eq!(query["exit"], "127");
    assert!(
        query["message"].starts_with("the command could not be started"),
        "{query:?}"
    );
}

#[tokio::test]
async fn a_forwarded_signal_reaches_everything_the_command_started() {
    let (recorder, base) = recorder(Behaviour::Respond(200)).await;
    let mut command = client(&base, "run");
    // A background child of the shell: reached only when the whole group of the command is signalled.
    command.args(["--", "sh", "-c", "sleep 30 & echo $!; wait"]);
    let mut child = command.spawn().expect("the client starts");
    let pid = child.id().expect("a running client").to_string();
    let mut stdout = child.stdout.take().expect("a stdout pipe");
    let mut line = Vec::new();
    while !line.ends_with(b"\n") {
        let mut byte = [0u8; 1];
        let read = tokio::time::timeout(WAIT, tokio::io::AsyncReadExt::read(&mut stdout, &mut byte))
            .await
            .expect("the command prints its child's pid")
            .expect("stdout");
        assert_eq!(read, 1, "stdout ended early");
        line.push(byte[0]);
    }
    let grandchild = String::from_utf8(line).unwrap().trim().to_owned();
    recorder.wait_for(1, WAIT).await;
    let kill = tokio::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(kill.success());
    let output = tokio::time::timeout(WAIT, child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(code(&output), 128 + 15, "{}", stderr(&output));

    // Gone, or a zombie waiting for init to reap it: either way no longer running.
    let status = std::path::PathBuf::from(format!("/proc/{grandchild}/stat"));
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let state = std::fs::read_to_string(&status).ok();
        let running = state.as_deref().is_some_and(|s| !s.contains(") Z "));
        if !running {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "sleep {grandchild} still runs: {state:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
