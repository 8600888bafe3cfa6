//! Starting the client the way cron would, and reading what the recorder received.

use heartbeat_shared::http::params::query;
use heartbeat_shared::testing::get;
use heartbeat_shared::testing::{Behaviour, RecordedRequest, Recorder};
use std::collections::HashMap;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

pub const BINARY: &str = env!("CARGO_BIN_EXE_heartbeat");
/// No test run of the client may take longer than this, whatever it waits for.
pub const LIMIT: Duration = Duration::from_secs(60);

/// The client with a clean environment (no `HEARTBEAT_…` of the machine running the tests) and the
/// pulse's names given.
pub fn client(url: &str, subcommand: &str) -> Command {
    client_for(url, subcommand, ["web-1", "backup", "cron", "nightly-db"])
}

/// The client for the pulse named by host, category, type and name.
pub fn client_for(url: &str, subcommand: &str, [host, category, kind, name]: [&str; 4]) -> Command {
    let mut command = Command::new(BINARY);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args([subcommand, "--url", url, "--host", host, "--category", category])
        .args(["--type", kind, "--name", name])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Runs it to its end (feeding `stdin` when given) and says how long that took.
pub async fn finish(mut command: Command, stdin: Option<&[u8]>) -> (Output, Duration) {
    if stdin.is_some() {
        command.stdin(Stdio::piped());
    }
    let began = Instant::now();
    let mut child = command.spawn().expect("the client starts");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("a stdin pipe");
        pipe.write_all(input).await.expect("stdin is written");
    }
    let output = tokio::time::timeout(LIMIT, child.wait_with_output())
        .await
        .expect("the client ended in time")
        .expect("the client's output");
    (output, began.elapsed())
}

pub async fn recorder(behaviour: Behaviour) -> (Recorder, String) {
    let recorder = Recorder::start(behaviour).await;
    let base = recorder.url_for("/Prod/heartbeat");
    (recorder, base)
}

/// A request's route and its query as a map (every name is sent once), read the way the service reads
/// it (its own query parser, where `+` is a plus in the id's parts and a space elsewhere): a generic
/// URL parser would read every `+` as a space and hide what the service sees.
pub fn route_and_query(request: &RecordedRequest) -> (String, HashMap<String, String>) {
    let params = query(&get(&request.path)).expect("a query the service accepts");
    let query = params
        .names()
        .map(|name| {
            let value = params.single(name).expect("every name sent once").unwrap_or_default();
            (name.to_owned(), value.to_owned())
        })
        .collect();
    let path = request.path.split('?').next().unwrap_or_default();
    (path.to_owned(), query)
}

/// The identity every test sends.
pub fn assert_identity(query: &HashMap<String, String>) {
    for (name, value) in [
        ("host", "web-1"),
        ("category", "backup"),
        ("type", "cron"),
        ("name", "nightly-db"),
    ] {
        assert_eq!(query.get(name).map(String::as_str), Some(value), "{name} in {query:?}");
    }
}

pub fn code(output: &Output) -> i32 {
    output.status.code().expect("the client exits, it is not killed")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The duration parameter, in seconds.
pub fn duration(query: &HashMap<String, String>) -> f64 {
    query
        .get("duration")
        .expect("a duration")
        .parse()
        .expect("duration is a number of seconds")
}
