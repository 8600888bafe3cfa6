//! The `heartbeat` client binary against the local runtime on dynalite: what a job run through it
//! leaves on its pulse. Needs the signal routes (`/heartbeat/pulse/start`, `/pulse/fail`, `exit=`,
//! `duration`, the text/plain log) of the signals issue.

use heartbeat_e2e::{Dynalite, LocalRuntime, built_functions, original_id, s_attr};
use heartbeat_shared::model::parse_stamp;
use serde_json::Value;
use std::process::{Output, Stdio};
use std::time::Duration;

const API_KEY: &str = "rw-key-client-e2e";
const RUN_LIMIT: Duration = Duration::from_secs(60);

/// `heartbeat run` for the pulse `e2e-host / client / e2e / name`, with the runtime as the service.
async fn run(rt: &LocalRuntime, name: &str, script: &str) -> Output {
    let binary = built_functions().join("heartbeat");
    let mut command = tokio::process::Command::new(&binary);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HEARTBEAT_URL", rt.url(""))
        .args([
            "run",
            "--host",
            "e2e-host",
            "--category",
            "client",
            "--type",
            "e2e",
            "--name",
            name,
        ])
        .args(["--max-runtime", "1", "--timeout", "5", "--", "sh", "-c", script])
        .stdin(Stdio::null())
        .kill_on_drop(true);
    tokio::time::timeout(RUN_LIMIT, command.output())
        .await
        .expect("the client ended in time")
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()))
}

async fn api(rt: &LocalRuntime, path: &str) -> Value {
    let response = rt
        .http()
        .get(rt.url(&format!("api/v1{path}")))
        .bearer_auth(API_KEY)
        .send()
        .await
        .expect("an API answer");
    let status = response.status();
    let body = response.text().await.expect("a body");
    assert!(status.is_success(), "GET /api/v1{path}: {status} {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET /api/v1{path} is not JSON ({e}): {body}"))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn a_job_that_exits_3_is_a_failed_pulse_with_its_exit_code_duration_and_output() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[("API_KEY", API_KEY)]).await;

    let output = run(
        &rt,
        "exits-three",
        "echo copying; echo 'disk full' >&2; sleep 0.3; exit 3",
    )
    .await;
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(output.stdout, b"copying\n");
    assert!(
        !stderr(&output).contains("warning"),
        "every report got through: {}",
        stderr(&output)
    );

    let id = original_id("e2e-host", "client", "e2e", "exits-three");
    let item = rt.item(&id).await.expect("the failure created the pulse");
    assert_eq!(s_attr(&item, "host"), "e2e-host");
    assert_eq!(s_attr(&item, "nameF"), "exits-three");

    let pulse = api(&rt, &format!("/pulses/{id}")).await;
    assert_eq!(pulse["status"], "failed", "{pulse:#}");

    // What the run reported, as the pulse keeps it.
    assert_eq!(pulse["lastExit"], 3, "{pulse:#}");
    let took = pulse["lastDuration"].as_f64().expect("the run's duration");
    assert!((0.3..30.0).contains(&took), "{took} s: {pulse:#}");
    let log = s_attr(&item, "failureLog");
    assert!(
        log.contains("copying") && log.contains("disk full"),
        "the output's tail: {log:?}"
    );

    // And as its history keeps it: the start, then the failure with its exit code, duration and tail.
    let page = api(&rt, &format!("/pulses/{id}/events")).await;
    let events = page["events"].as_array().expect("a list of events");
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["failure", "start"], "newest first: {page:#}");
    let failure = &events[0];
    assert_eq!(failure["exit"], 3, "{failure:#}");
    let took = failure["duration"].as_f64().expect("the run's duration");
    assert!((0.3..30.0).contains(&took), "{took} s: {failure:#}");
    let tail = failure["log"].as_str().expect("the output's tail");
    assert!(tail.contains("copying") && tail.contains("disk full"), "{tail:?}");
    assert_eq!(failure["logBytes"].as_u64(), Some(tail.len() as u64));
}

#[tokio::test]
async fn a_job_that_succeeds_refreshes_the_last_success_and_a_killed_one_fails_with_128_plus_the_signal() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[("API_KEY", API_KEY)]).await;
    let id = original_id("e2e-host", "client", "e2e", "nightly");

    let before = chrono::Utc::now();
    let output = run(&rt, "nightly", "echo fine").await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));
    let item = rt.item(&id).await.expect("the run created the pulse");
    let last = parse_stamp(s_attr(&item, "timestampF")).expect("the original last-pulse stamp");
    assert!(
        last >= before - chrono::TimeDelta::milliseconds(1),
        "{last} is older than the run"
    );
    assert_eq!(api(&rt, &format!("/pulses/{id}")).await["status"], "ok");

    let output = run(&rt, "nightly", "kill -TERM $$").await;
    assert_eq!(output.status.code(), Some(128 + 15), "{}", stderr(&output));
    let pulse = api(&rt, &format!("/pulses/{id}")).await;
    assert_eq!(pulse["status"], "failed", "{pulse:#}");
    let item = rt.item(&id).await.expect("the pulse");
    assert_eq!(
        parse_stamp(s_attr(&item, "timestampF")).unwrap(),
        last,
        "a failure does not refresh the last success"
    );
    assert_eq!(pulse["lastExit"], 143, "{pulse:#}");
}
