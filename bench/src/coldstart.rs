//! Cold starts of the release function binaries: each is started as Lambda starts a bootstrap (a
//! clean environment naming the Runtime API, the function and the table), against the stand-in
//! Runtime API and a dynalite holding the table, and given one event from `infra/events`. Timed from
//! exec to the first response posted; peak RSS read from `/proc/PID/status` (`VmHWM`) just before the
//! process is killed.

use crate::stats::{median, millis};
use heartbeat_e2e::{Dynalite, Outcome, RuntimeApi, lambda_command};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use heartbeat_e2e::FUNCTIONS;
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(20);

/// The sample event each function gets (infra/events; the edit events need the pulse's item, which
/// the pulse run creates first).
fn event_file(function: &str) -> &'static str {
    match function {
        "pulse" => "pulse-get.json",
        "dashboard" => "dashboard-get.json",
        "monitor" => "monitor-scheduled.json",
        "edit-get" => "edit-get.json",
        _ => "edit-post.json",
    }
}

pub struct FunctionOutcome {
    pub function: &'static str,
    pub runs: usize,
    /// Exec to the first `GET …/invocation/next`: the function's own init (config, SDK client).
    pub init_ms: f64,
    /// Exec to the response posted: init plus the first invocation, DynamoDB request included.
    pub first_response_ms: f64,
    pub peak_rss_kib: u64,
    /// The status the function answered (`statusCode`, or `summary` for a scheduled monitor run).
    pub status: String,
}

struct Run {
    init_ms: f64,
    first_response_ms: f64,
    peak_rss_kib: u64,
    status: String,
}

/// Which functions, built with which cargo profile (`release` by default: opt-level s, LTO; `profiling`
/// is the same with symbols, and reuses the CPU bench's build).
pub struct Choice {
    /// Names from `FUNCTIONS`.
    pub functions: Vec<&'static str>,
    pub profile: String,
}

/// Builds the chosen functions with the chosen profile.
pub fn build(root: &Path, choice: &Choice) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(root).args(["build", "--profile", &choice.profile]);
    for f in &choice.functions {
        command.args(["-p", f]);
    }
    eprintln!(
        "  cold start: cargo build --profile {} -p {}",
        choice.profile,
        choice.functions.join(" -p ")
    );
    let status = command.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "cargo build --profile {} of the functions failed ({status})",
            choice.profile
        ))
    }
}

pub fn binary(target_dir: &Path, profile: &str, function: &str) -> PathBuf {
    target_dir.join(profile).join(function)
}

pub async fn run(root: &Path, target_dir: &Path, choice: &Choice, runs: usize) -> Result<Vec<FunctionOutcome>, String> {
    let dynalite = Dynalite::start().await;
    let table = dynalite.fresh_table_with_history().await;
    let logs = target_dir.join("bench-coldstart");
    std::fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
    let mut outcomes = Vec::new();
    for &function in &choice.functions {
        let binary = binary(target_dir, &choice.profile, function);
        if !binary.is_file() {
            return Err(format!(
                "{} is missing: cargo build --profile {} -p {function}",
                binary.display(),
                choice.profile
            ));
        }
        let path = root.join("infra/events").join(event_file(function));
        let event = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let secret = serde_json::from_str::<serde_json::Value>(&event)
            .ok()
            .and_then(|e| {
                e.pointer("/queryStringParameters/secret")
                    .and_then(|s| s.as_str().map(str::to_owned))
            })
            .unwrap_or_else(|| "local-dashboard-secret-123".to_owned());
        let env = Env {
            function,
            endpoint: dynalite.endpoint(),
            table: table.clone(),
            secret,
        };
        // One run first, not counted: it brings the binary into the page cache, as a warm host has it.
        let mut samples = Vec::new();
        for i in 0..=runs {
            let log = logs.join(format!("{function}-{i}.log"));
            let run = once(&binary, &event, &env, &log).await?;
            if i > 0 {
                samples.push(run);
            }
        }
        let pick = |f: fn(&Run) -> f64| median(&samples.iter().map(f).collect::<Vec<_>>()).unwrap_or(f64::NAN);
        outcomes.push(FunctionOutcome {
            function,
            runs,
            init_ms: pick(|r| r.init_ms),
            first_response_ms: pick(|r| r.first_response_ms),
            peak_rss_kib: pick(|r| r.peak_rss_kib as f64) as u64,
            status: samples.last().map(|r| r.status.clone()).unwrap_or_default(),
        });
    }
    Ok(outcomes)
}

struct Env {
    function: &'static str,
    endpoint: String,
    table: String,
    secret: String,
}

async fn once(binary: &Path, event: &str, env: &Env, log: &Path) -> Result<Run, String> {
    let api = RuntimeApi::start(&format!("heartbeat-{}", env.function))
        .await
        .map_err(|e| format!("the stand-in Runtime API cannot listen: {e}"))?;
    let output = File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let errors = output.try_clone().map_err(|e| e.to_string())?;
    let vars = [
        ("TABLE_NAME", env.table.as_str()),
        ("DASHBOARD_SECRET", env.secret.as_str()),
    ];
    let mut command = lambda_command(binary, &api.host_port(), env.function, &env.endpoint, &vars);
    command.stdout(Stdio::from(output)).stderr(Stdio::from(errors));
    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let outcome = api.invoke(event.to_owned(), RESPONSE_TIMEOUT).await;
    let peak_rss_kib = peak_rss_kib(child.id());
    let first_next = api.first_next();
    stop(&mut child);
    let tail = || std::fs::read_to_string(log).unwrap_or_default();
    match outcome {
        Some(Outcome::Response { at, body }) => Ok(Run {
            init_ms: first_next.map_or(f64::NAN, |t| millis(t - started)),
            first_response_ms: millis(at - started),
            peak_rss_kib: peak_rss_kib.unwrap_or_default(),
            status: status_of(&body),
        }),
        Some(Outcome::Error { path, body, .. }) => Err(format!(
            "{} reported an error to {path}: {body}\n{}",
            env.function,
            tail()
        )),
        None => Err(format!(
            "{} posted no response within {RESPONSE_TIMEOUT:?}; its output:\n{}",
            env.function,
            tail()
        )),
    }
}

fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// `VmHWM` (the peak resident set) of a running process, in KiB.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn status_of(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(v) => match v.get("statusCode").and_then(serde_json::Value::as_u64) {
            Some(code) => code.to_string(),
            None if v.get("checked").is_some() => "summary".to_owned(),
            None => "?".to_owned(),
        },
        Err(_) => "not JSON".to_owned(),
    }
}
