//! `heartbeat pulse|start|fail` for scripts, the command line's errors, and the help.

use crate::common::{BINARY, assert_identity, client, client_for, code, finish, recorder, route_and_query, stderr};
use heartbeat_shared::testing::Behaviour;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn each_signal_goes_to_its_route_with_what_the_script_said() {
    let (recorder, base) = recorder(Behaviour::Respond(200)).await;
    let mut start = client(&base, "start");
    start.args(["--message", "import begins", "--rid", "import-7"]);
    let mut fail = client(&base, "fail");
    fail.args(["--rid", "import-7"]).args([
        "--exit",
        "2",
        "--message",
        "disk full",
        "--duration",
        "42.5",
        "--log",
        "-",
    ]);
    let mut pulse = client(&base, "pulse");
    pulse.args(["--duration", "7"]);

    assert_eq!(code(&finish(start, None).await.0), 0);
    let (failed, _) = finish(fail, Some(b"line 1\nno space left on device\n")).await;
    assert_eq!(code(&failed), 0, "{}", stderr(&failed));
    assert_eq!(code(&finish(pulse, None).await.0), 0);

    let requests = recorder.wait_for(3, WAIT).await;
    let sent: Vec<_> = requests.iter().map(route_and_query).collect();
    assert_eq!(sent[0].0, "/Prod/heartbeat/pulse/start");
    assert_eq!(sent[0].1["message"], "import begins");
    assert_eq!(sent[1].0, "/Prod/heartbeat/pulse/fail");
    assert_eq!(sent[1].1["exit"], "2");
    assert_eq!(sent[1].1["message"], "disk full");
    assert_eq!(sent[1].1["duration"], "42.500");
    assert_eq!(
        (sent[0].1["rid"].as_str(), sent[1].1["rid"].as_str()),
        ("import-7", "import-7")
    );
    assert!(!sent[2].1.contains_key("rid"), "no run id unless one is given");
    assert_eq!(requests[1].body, "line 1\nno space left on device\n");
    assert_eq!(sent[2].0, "/Prod/heartbeat/pulse");
    assert_eq!(sent[2].1["duration"], "7.000");
    assert!(
        !sent[2].1.contains_key("exit"),
        "a plain pulse, as every client sends it"
    );
    for (_, query) in &sent {
        assert_identity(query);
    }
    assert!(requests.iter().all(|r| r.method == "POST"));
}

#[tokio::test]
async fn spaces_and_pluses_reach_the_service_as_given() {
    let (recorder, base) = recorder(Behaviour::Respond(200)).await;
    let mut fail = client_for(&base, "fail", ["web 1", "c++ jobs", "cron", "db export"]);
    fail.args(["--message", "exited with 3 (1+2)"]);
    let (output, _) = finish(fail, None).await;
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let requests = recorder.wait_for(1, WAIT).await;
    let path = &requests[0].path;
    assert!(
        !path.contains('+'),
        "a bare + would be read as a plus in a name, a space elsewhere: {path}"
    );
    let (_, query) = route_and_query(&requests[0]);
    assert_eq!(query["host"], "web 1");
    assert_eq!(query["category"], "c++ jobs");
    assert_eq!(query["name"], "db export");
    assert_eq!(query["message"], "exited with 3 (1+2)");
}

#[tokio::test]
async fn the_shell_wrappers_url_ending_in_pulse_works_too() {
    let (recorder, _) = recorder(Behaviour::Respond(200)).await;
    let pulse = client(&recorder.url_for("/Prod/heartbeat/pulse"), "pulse");
    assert_eq!(code(&finish(pulse, None).await.0), 0);
    let requests = recorder.wait_for(1, WAIT).await;
    assert_eq!(route_and_query(&requests[0]).0, "/Prod/heartbeat/pulse");
}

#[tokio::test]
async fn the_host_defaults_to_the_machines_name() {
    let (recorder, base) = recorder(Behaviour::Respond(200)).await;
    let mut pulse = tokio::process::Command::new(BINARY);
    pulse
        .env_clear()
        .env("HEARTBEAT_URL", &base)
        .env("HEARTBEAT_CATEGORY", "backup")
        .env("HEARTBEAT_TYPE", "cron")
        .env("HEARTBEAT_NAME", "nightly-db")
        .arg("pulse");
    let output = pulse.output().await.unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let requests = recorder.wait_for(1, WAIT).await;
    let (_, query) = route_and_query(&requests[0]);
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert_eq!(query["host"], hostname.trim());
    assert_eq!(query["name"], "nightly-db");
}

#[tokio::test]
async fn a_command_line_that_cannot_work_runs_nothing_and_says_why() {
    let marker = std::env::temp_dir().join(format!("heartbeat-client-ran-{}", std::process::id()));
    let touch = ["--", "touch", marker.to_str().unwrap()];
    // A URL that is not one, one that is not HTTP, a threshold or timeout out of range.
    let cases = [
        ("not a url", None, 64, "is not a URL"),
        ("ftp://x/heartbeat", None, 64, "must start with https:// or http://"),
        (
            "http://127.0.0.1:9/heartbeat",
            Some(["--threshold", "0"]),
            2,
            "is not a number of hours",
        ),
        (
            "http://127.0.0.1:9/heartbeat",
            Some(["--timeout", "0"]),
            2,
            "is not a number of seconds",
        ),
    ];
    for (url, extra, expected, says) in cases {
        let mut command = client(url, "run");
        command.args(extra.iter().flatten()).args(touch);
        let (output, _) = finish(command, None).await;
        assert_eq!(code(&output), expected, "{url} {extra:?}: {}", stderr(&output));
        assert!(stderr(&output).contains(says), "{url} {extra:?}: {}", stderr(&output));
    }
    let mut missing = tokio::process::Command::new(BINARY);
    missing
        .env_clear()
        .args(["run", "--category", "c", "--type", "t", "--name", "n"])
        .args(touch);
    let output = missing.output().await.unwrap();
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("--url <URL>"), "{}", stderr(&output));
    assert!(!marker.exists(), "the command ran despite the errors");
}

#[tokio::test]
async fn help_shows_cron_and_systemd_examples() {
    let output = tokio::process::Command::new(BINARY)
        .arg("--help")
        .output()
        .await
        .unwrap();
    assert_eq!(code(&output), 0);
    let help = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "30 2 * * * heartbeat run",
        "[Service]",
        "ExecStart=/usr/local/bin/heartbeat run",
        "HEARTBEAT_URL",
    ] {
        assert!(help.contains(expected), "--help lacks {expected:?}:\n{help}");
    }
    let run_help = tokio::process::Command::new(BINARY)
        .args(["run", "--help"])
        .output()
        .await
        .unwrap();
    let run_help = String::from_utf8(run_help.stdout).unwrap();
    assert!(
        run_help.contains("--max-runtime <HOURS>") && run_help.contains("[Service]"),
        "{run_help}"
    );
}
