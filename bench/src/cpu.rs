//! CPU per pulse of the serving process, heartbeat against the original's Node.js handler, side by
//! side on one in-memory dynalite: `heartbeat-local` (the `profiling` build: release with symbols) and
//! `bench/node/pulse.js` (aws-sdk v2, one UpdateItem) each run as their own process; the throughput
//! driver sends the same GET pulses over 1,000 ids to each, and the process's CPU (utime + stime from
//! `/proc/PID/stat`, every thread) before and after a level, divided by the pulses answered, is its
//! CPU per pulse. The floor (`floor.rs`) is measured the same way: the least any server making a
//! pulse's HTTP exchanges can use. With `--perf`, `perf record` samples heartbeat during its last
//! level and the top frames are printed.

use crate::throughput::{Level, level};
use heartbeat_e2e::Dynalite;
use reqwest::Url;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a server may take to listen after its start.
const START_LIMIT: Duration = Duration::from_secs(20);

pub struct Plan {
    pub ids: usize,
    pub pulses_per_level: usize,
    pub levels: Vec<usize>,
    pub time_limit: Duration,
    /// Where `perf record` writes, when the profile is wanted.
    pub perf: Option<PathBuf>,
    /// Each pulse's history event too (heartbeat's default); without it, heartbeat runs with
    /// `HISTORY_DAYS=0` and the floor makes the UpdateItem alone: the Node.js handler's work.
    pub history: bool,
}

pub struct Measured {
    pub level: Level,
    /// CPU seconds the serving process used during the level.
    pub cpu_seconds: f64,
}

impl Measured {
    /// Microseconds of the serving process's CPU per answered pulse.
    pub fn cpu_per_pulse_us(&self) -> f64 {
        let answered = self.level.sent - self.level.failed;
        self.cpu_seconds * 1e6 / answered.max(1) as f64
    }
}

pub struct Side {
    pub concurrency: usize,
    pub heartbeat: Measured,
    pub node: Measured,
    /// `floor.rs`: the pulse's HTTP exchanges and nothing else.
    pub floor: Measured,
}

pub struct Outcome {
    pub sides: Vec<Side>,
    /// `perf report`'s top frames of heartbeat's last level, when `--perf` was given.
    pub top_frames: Option<String>,
    /// Peak RSS of the two servers at the end, in KiB.
    pub heartbeat_rss_kib: u64,
    pub node_rss_kib: u64,
}

/// The `profiling` build of the local runtime, which `make bench` builds before running the bench.
pub fn local_binary(target_dir: &Path) -> PathBuf {
    target_dir.join("profiling").join("heartbeat-local")
}

pub async fn run(root: &Path, target_dir: &Path, plan: &Plan) -> Result<Outcome, String> {
    let binary = local_binary(target_dir);
    if !binary.is_file() {
        return Err(format!(
            "{} is missing: cargo build --profile profiling -p heartbeat-local",
            binary.display()
        ));
    }
    let node_dir = root.join("bench/node");
    if !node_dir.join("node_modules/aws-sdk").is_dir() {
        return Err("bench/node has no node_modules: npm ci --prefix bench/node".into());
    }
    let logs = target_dir.join("bench-cpu");
    std::fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
    let dynalite = Dynalite::start().await;
    let heartbeat_table = dynalite.fresh_table_with_history().await;
    let node_table = dynalite.fresh_table().await;
    let endpoint = dynalite.endpoint();

    let heartbeat_port = free_port()?;
    let mut command = Command::new(&binary);
    command
        .env_clear()
        .envs(aws_env(&endpoint))
        .env("HEARTBEAT_STORE", "aws")
        .env("HEARTBEAT_PORT", heartbeat_port.to_string())
        .env("HEARTBEAT_MONITOR_EVERY", "0")
        .env("HEARTBEAT_DATA", logs.join("data"))
        .env("TABLE_NAME", &heartbeat_table)
        .env("DASHBOARD_SECRET", "bench-cpu-secret-1234");
    if !plan.history {
        command.env("HISTORY_DAYS", "0");
    }
    let heartbeat = Server::start("heartbeat-local", command, heartbeat_port, &logs.join("heartbeat.log")).await?;

    let node_port = free_port()?;
    let mut command = Command::new("node");
    command
        .arg(node_dir.join("pulse.js"))
        .env_clear()
        .envs(aws_env(&endpoint))
        .env("AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE", "1")
        .env("PORT", node_port.to_string())
        .env("TABLE_NAME", &node_table);
    let node = Server::start("node pulse.js", command, node_port, &logs.join("node.log")).await?;

    let floor_port = free_port()?;
    let mut command = Command::new(std::env::current_exe().map_err(|e| format!("this binary: {e}"))?);
    command
        .env_clear()
        .arg(crate::floor::FLAG)
        .arg(floor_port.to_string())
        .arg(&endpoint)
        .arg(&heartbeat_table)
        .arg(if plan.history { "2" } else { "1" });
    let floor = Server::start("the floor", command, floor_port, &logs.join("floor.log")).await?;

    let heartbeat_urls = pulse_urls(heartbeat_port, plan.ids)?;
    let node_urls = pulse_urls(node_port, plan.ids)?;
    let floor_urls = pulse_urls(floor_port, plan.ids)?;
    // Every id once on each side, so the measured pulses update existing items (the steady state).
    level(&heartbeat_urls, 8, plan.ids, plan.time_limit).await?;
    level(&node_urls, 8, plan.ids, plan.time_limit).await?;
    level(&floor_urls, 8, plan.ids, plan.time_limit).await?;

    let mut sides = Vec::new();
    let mut top_frames = None;
    let last = plan.levels.len().saturating_sub(1);
    for (i, &concurrency) in plan.levels.iter().enumerate() {
        let perf = if i == last { plan.perf.as_deref() } else { None };
        let heartbeat = measure(&heartbeat, &heartbeat_urls, concurrency, plan, perf).await?;
        if let Some(path) = perf {
            top_frames = Some(report(path)?);
        }
        let node = measure(&node, &node_urls, concurrency, plan, None).await?;
        let floor = measure(&floor, &floor_urls, concurrency, plan, None).await?;
        sides.push(Side {
            concurrency,
            heartbeat,
            node,
            floor,
        });
    }
    // A pulse that warns (its history write refused, say) costs more than one that does not: such
    // figures would not be the pulse's.
    if let Some(line) = crate::logs::first_warning(&logs.join("heartbeat.log")) {
        return Err(format!(
            "heartbeat-local warned while measured, so its figures are void: {line}"
        ));
    }
    Ok(Outcome {
        sides,
        top_frames,
        heartbeat_rss_kib: crate::coldstart::peak_rss_kib(heartbeat.pid()).unwrap_or_default(),
        node_rss_kib: crate::coldstart::peak_rss_kib(node.pid()).unwrap_or_default(),
    })
}

async fn measure(
    server: &Server,
    urls: &Arc<Vec<Url>>,
    concurrency: usize,
    plan: &Plan,
    perf: Option<&Path>,
) -> Result<Measured, String> {
    let recording = perf.map(|path| record(server.pid(), path)).transpose()?;
    let before = cpu_seconds(server.pid())?;
    let level = level(urls, concurrency, plan.pulses_per_level, plan.time_limit).await?;
    let after = cpu_seconds(server.pid())?;
    if let Some(recording) = recording {
        stop_recording(recording)?;
    }
    if level.failed > 0 {
        return Err(format!(
            "{} of {} pulses to {} failed at concurrency {concurrency}",
            level.failed, level.sent, server.name
        ));
    }
    Ok(Measured {
        level,
        cpu_seconds: after - before,
    })
}

fn aws_env(endpoint: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL_DYNAMODB", endpoint.to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "bench".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "bench".to_owned()),
        ("PATH", std::env::var("PATH").unwrap_or_default()),
    ]
}

fn pulse_urls(port: u16, ids: usize) -> Result<Arc<Vec<Url>>, String> {
    (0..ids)
        .map(|i| {
            Url::parse(&format!(
                "http://127.0.0.1:{port}/heartbeat/pulse?host=bench-host&category=load&type=http&name=job-{i:04}"
            ))
            .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Arc::new)
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// A server process, killed when dropped.
struct Server {
    name: &'static str,
    child: Child,
}

impl Server {
    async fn start(name: &'static str, mut command: Command, port: u16, log: &Path) -> Result<Self, String> {
        let out = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        command.stdin(Stdio::null()).stdout(out).stderr(err);
        let child = command.spawn().map_err(|e| format!("cannot start {name}: {e}"))?;
        let mut server = Self { name, child };
        let started = Instant::now();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("{name} exited ({status}): {}", tail(log)));
            }
            if started.elapsed() > START_LIMIT {
                return Err(format!(
                    "{name} did not listen on {addr} within {START_LIMIT:?}: {}",
                    tail(log)
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(server)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(10)..].join("\n")
}

/// User plus system CPU seconds of a process, all its threads, from `/proc/PID/stat`.
fn cpu_seconds(pid: u32) -> Result<f64, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| format!("/proc/{pid}/stat: {e}"))?;
    let ticks = parse_cpu_ticks(&stat).ok_or_else(|| format!("/proc/{pid}/stat is not as expected: {stat}"))?;
    Ok(ticks as f64 / clock_ticks()? as f64)
}

/// utime + stime (fields 14 and 15) of a `/proc/PID/stat` line; the command name, in parentheses,
/// may itself hold spaces and parentheses, so counting starts after the last `)`.
fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let after = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    // `after` starts at field 3 (the state).
    let utime: u64 = fields.get(14 - 3)?.parse().ok()?;
    let stime: u64 = fields.get(15 - 3)?.parse().ok()?;
    Some(utime + stime)
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on Linux).
fn clock_ticks() -> Result<u64, String> {
    let out = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .map_err(|e| format!("getconf CLK_TCK: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| "getconf CLK_TCK printed no number".to_owned())
}

fn record(pid: u32, path: &Path) -> Result<Child, String> {
    let child = Command::new("perf")
        // DWARF call graphs: the release build has no frame pointers, and the callers of malloc
        // and memmove are what the profile is read for.
        .args(["record", "-F", "999", "--call-graph", "dwarf,16384", "--quiet", "-o"])
        .arg(path)
        .args(["-p", &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start perf: {e}"))?;
    // perf needs a moment to attach before the level starts.
    std::thread::sleep(Duration::from_millis(300));
    Ok(child)
}

/// perf writes its file on SIGINT; `kill` sends it (no unsafe code here).
fn stop_recording(mut child: Child) -> Result<(), String> {
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .map_err(|e| format!("kill -INT perf: {e}"))?;
    child.wait().map_err(|e| format!("perf: {e}"))?;
    Ok(())
}

/// The 25 hottest symbols by self time, as `perf report` prints them.
fn report(path: &Path) -> Result<String, String> {
    let out = Command::new("perf")
        .args([
            "report",
            "--no-children",
            "--sort",
            "dso,symbol",
            "--stdio",
            "-q",
            "-g",
            "none",
            "-i",
        ])
        .arg(path)
        .output()
        .map_err(|e| format!("perf report: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .take(25)
        .collect::<Vec<_>>()
        .join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_ticks_are_read_after_the_command_name() {
        let stat = "4242 (heart beat) (x)) S 1 4242 4242 0 -1 4194560 2000 0 0 0 1234 567 0 0 20 0 9 0 100 0 0";
        assert_eq!(parse_cpu_ticks(stat), Some(1234 + 567));
        assert_eq!(parse_cpu_ticks("4242 (x) S 1"), None);
    }
}
