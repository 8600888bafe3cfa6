//! heartbeat's benchmarks, printed as one table: `cargo run --release -p heartbeat-bench` (part of
//! `make bench`, after `cargo bench -p heartbeat-shared --bench handlers`, whose figures it reads).
//! Everything runs on this machine: dynalite from `node_modules` (`npm ci`), the local runtime, the
//! release function binaries (built here unless `--no-build`). docs/PERFORMANCE.md explains the
//! figures; `--help` lists the options.

mod api;
mod bootstraps;
mod coldstart;
mod cpu;
mod criterion_results;
mod dashboard;
mod fixtures;
mod floor;
mod logs;
mod monitor;
mod requests;
mod stats;
mod table;
mod throughput;

use stats::{ms, thousands};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use table::Table;

const SECTIONS: [&str; 9] = [
    "bootstraps",
    "criterion",
    "requests",
    "throughput",
    "cpu",
    "dashboard",
    "coldstart",
    "monitor",
    "api",
];

const HELP: &str = "\
usage: cargo run --release -p heartbeat-bench -- [SECTION…] [OPTION…]

sections (default: all): bootstraps criterion requests throughput cpu dashboard coldstart monitor api

options:
  --ids N               pulse ids of the throughput run (1000)
  --pulses N            pulses per concurrency level (3000)
  --levels A,B,…        concurrency levels (1,8,32)
  --level-limit S       seconds one level may take at most (60)
  --cpu-pulses N        pulses per level of the CPU comparison, each side (5000)
  --cpu-levels A,B,…    concurrency levels of the CPU comparison (1,32)
  --perf                perf record heartbeat's last CPU level; print its top frames
  --cpu-without-history the CPU comparison with the original's work only: heartbeat with HISTORY_DAYS=0,
                        the floor with the UpdateItem alone (as the Node.js handler makes it)
  --runs N              cold starts per function, after one uncounted (5)
  --no-build            use the release binaries as they are (default: cargo build --release them)
  --functions A,B,…     the functions whose cold start is measured (all eight)
  --cold-profile NAME   the cargo profile of those binaries (release; profiling reuses the CPU bench's build)
  --sizes A,B,…         monitor table sizes (1000,10000,100000)
  --mixed-sizes A,B,…   monitor table sizes again with the expectation settings in play (100000)
  --repeats N           repeats of the monitor's read-only measures (3)
  --load-limit S        seconds loading one table may take at most (180)
  --dashboard-pulses N  pulses on the dashboard (10000)
  --dashboard-runs N    dashboard renders (15)
";

struct Options {
    sections: Vec<String>,
    ids: usize,
    pulses: usize,
    levels: Vec<usize>,
    level_limit: Duration,
    cpu_pulses: usize,
    cpu_levels: Vec<usize>,
    perf: bool,
    cpu_history: bool,
    runs: usize,
    build: bool,
    sizes: Vec<usize>,
    mixed_sizes: Vec<usize>,
    repeats: usize,
    load_limit: Duration,
    dashboard_pulses: usize,
    dashboard_runs: usize,
    /// The cold-start section's functions and the cargo profile they are built with.
    cold: coldstart::Choice,
}

impl Options {
    fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut o = Options {
            sections: Vec::new(),
            ids: 1_000,
            pulses: 3_000,
            levels: vec![1, 8, 32],
            level_limit: Duration::from_secs(60),
            cpu_pulses: 5_000,
            cpu_levels: vec![1, 32],
            perf: false,
            cpu_history: true,
            runs: 5,
            build: true,
            sizes: vec![1_000, 10_000, 100_000],
            mixed_sizes: vec![100_000],
            repeats: 3,
            load_limit: Duration::from_secs(180),
            dashboard_pulses: 10_000,
            dashboard_runs: 15,
            cold: coldstart::Choice {
                functions: coldstart::FUNCTIONS.to_vec(),
                profile: "release".into(),
            },
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
            match arg.as_str() {
                "-h" | "--help" => return Err(String::new()),
                "--ids" => o.ids = number(&value("--ids")?)?,
                "--pulses" => o.pulses = number(&value("--pulses")?)?,
                "--levels" => o.levels = list(&value("--levels")?)?,
                "--level-limit" => o.level_limit = Duration::from_secs(number(&value("--level-limit")?)? as u64),
                "--cpu-pulses" => o.cpu_pulses = number(&value("--cpu-pulses")?)?,
                "--cpu-levels" => o.cpu_levels = list(&value("--cpu-levels")?)?,
                "--perf" => o.perf = true,
                "--cpu-without-history" => o.cpu_history = false,
                "--runs" => o.runs = number(&value("--runs")?)?,
                "--no-build" => o.build = false,
                "--sizes" => o.sizes = list(&value("--sizes")?)?,
                "--mixed-sizes" => o.mixed_sizes = list(&value("--mixed-sizes")?)?,
                "--repeats" => o.repeats = number(&value("--repeats")?)?,
                "--load-limit" => o.load_limit = Duration::from_secs(number(&value("--load-limit")?)? as u64),
                "--dashboard-pulses" => o.dashboard_pulses = number(&value("--dashboard-pulses")?)?,
                "--dashboard-runs" => o.dashboard_runs = number(&value("--dashboard-runs")?)?,
                "--functions" => {
                    let raw = value("--functions")?;
                    o.cold.functions = raw
                        .split(',')
                        .map(|name| {
                            coldstart::FUNCTIONS
                                .iter()
                                .copied()
                                .find(|f| *f == name)
                                .ok_or_else(|| {
                                    format!(
                                        "“{name}” is not a function; they are {}",
                                        coldstart::FUNCTIONS.join(", ")
                                    )
                                })
                        })
                        .collect::<Result<_, _>>()?;
                }
                "--cold-profile" => o.cold.profile = value("--cold-profile")?,
                section if SECTIONS.contains(&section) => o.sections.push(section.to_owned()),
                other => return Err(format!("unknown argument “{other}”")),
            }
        }
        if o.sections.is_empty() {
            o.sections = SECTIONS.iter().map(|s| (*s).to_owned()).collect();
        }
        if o.ids == 0 || o.runs == 0 || o.repeats == 0 || o.dashboard_runs == 0 {
            return Err("--ids, --runs, --repeats and --dashboard-runs must be at least 1".into());
        }
        Ok(o)
    }

    fn wants(&self, section: &str) -> bool {
        self.sections.iter().any(|s| s == section)
    }
}

fn number(raw: &str) -> Result<usize, String> {
    raw.replace(['_', ','], "")
        .parse()
        .map_err(|_| format!("“{raw}” is not a number"))
}

fn list(raw: &str) -> Result<Vec<usize>, String> {
    raw.split(',').map(number).collect()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(floor::FLAG) {
        return match floor::serve(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("heartbeat-bench: {err}");
                ExitCode::FAILURE
            }
        };
    }
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(bench(args)),
        Err(err) => {
            eprintln!("heartbeat-bench: no runtime: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn bench(args: Vec<String>) -> ExitCode {
    let options = match Options::parse(args) {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("heartbeat-bench: {message}\n");
            }
            eprint!("{HELP}");
            return if message.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    let root = heartbeat_e2e::repo_root();
    let target_dir = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let machine = machine();
    eprintln!("heartbeat-bench: {machine}");
    let mut table = Table::default();
    let mut failures = Vec::new();
    for section in SECTIONS.iter().filter(|s| options.wants(s)) {
        eprintln!("== {section}");
        let result = match *section {
            "bootstraps" => bootstraps(&target_dir, &mut table),
            "criterion" => criterion(&target_dir, &mut table),
            "requests" => requests(&mut table).await,
            "throughput" => throughput(&options, &mut table).await,
            "cpu" => cpu(&options, &root, &target_dir, &mut table).await,
            "dashboard" => dashboard(&options, &root, &target_dir, &mut table).await,
            "api" => api_listing(&options, &mut table).await,
            "coldstart" => coldstart(&options, &root, &target_dir, &mut table).await,
            _ => monitor(&options, &mut table).await,
        };
        if let Err(err) = result {
            eprintln!("heartbeat-bench: {section} failed: {err}");
            table.add(
                section_name(section),
                "FAILED",
                "",
                err.lines().next().unwrap_or_default(),
            );
            failures.push(*section);
        }
    }
    println!("\nheartbeat benchmarks — {machine}\n");
    print!("{}", table.render());
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("heartbeat-bench: failed sections: {}", failures.join(", "));
        ExitCode::FAILURE
    }
}

fn section_name(section: &str) -> &'static str {
    SECTIONS.iter().find(|s| **s == section).copied().unwrap_or("?")
}

/// Cores, load average and commit: absolute figures mean little without them.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".into());
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "?".into());
    format!("{cores} cores, load average {load} at start, commit {commit}")
}

fn bootstraps(target_dir: &Path, table: &mut Table) -> Result<(), String> {
    for b in bootstraps::measure(target_dir)? {
        match b.sizes {
            Some((bytes, zipped)) => table.add(
                "bootstraps",
                format!("{} bootstrap (arm64)", b.function),
                format!("{} B", thousands(bytes)),
                match zipped {
                    bootstraps::Zipped::Exact(z) => format!("zipped (deflate -9): {} B", thousands(z)),
                    bootstraps::Zipped::Estimate(z) => format!("zipped (deflate -9): ≈ {} B", thousands(z)),
                },
            ),
            None => table.add(
                "bootstraps",
                format!("{} bootstrap (arm64)", b.function),
                "absent",
                format!("target/lambda/{}/bootstrap: `make build` makes it", b.function),
            ),
        }
    }
    Ok(())
}

fn criterion(target_dir: &Path, table: &mut Table) -> Result<(), String> {
    for e in criterion_results::read(target_dir) {
        let age = e
            .written
            .and_then(|t| t.elapsed().ok())
            .map(|a| format!(" (written {} min ago)", a.as_secs() / 60))
            .unwrap_or_default();
        match e.median_ns {
            Some(ns) if ns >= 1e6 => table.add("criterion", e.id, ms(ns / 1e6), format!("{}{age}", e.what)),
            Some(ns) => table.add(
                "criterion",
                e.id,
                format!("{:.1} µs", ns / 1e3),
                format!("{}{age}", e.what),
            ),
            None => table.add(
                "criterion",
                e.id,
                "not run",
                "cargo bench -p heartbeat-shared --bench handlers",
            ),
        }
    }
    Ok(())
}

async fn requests(table: &mut Table) -> Result<(), String> {
    for c in requests::run().await? {
        table.add(
            "requests",
            c.what,
            format!("{:.2} requests/pulse", c.requests as f64 / c.pulses as f64),
            format!(
                "{} requests, {} items read, {} pulses (DynamoStore::stats on dynalite)",
                c.requests, c.items_read, c.pulses
            ),
        );
    }
    Ok(())
}

async fn throughput(options: &Options, table: &mut Table) -> Result<(), String> {
    let plan = throughput::Plan {
        ids: options.ids,
        pulses_per_level: options.pulses,
        levels: options.levels.clone(),
        time_limit: options.level_limit,
    };
    let outcome = throughput::run(&plan).await?;
    for l in std::iter::once(&outcome.warm_up).chain(&outcome.levels) {
        let what = if std::ptr::eq(l, &outcome.warm_up) {
            format!("first pulse of {} ids, concurrency {}", options.ids, l.concurrency)
        } else {
            format!("concurrency {}", l.concurrency)
        };
        let cut = if l.sent < options.pulses && !std::ptr::eq(l, &outcome.warm_up) {
            format!(" (cut at the {} s limit)", options.level_limit.as_secs())
        } else {
            String::new()
        };
        table.add(
            "throughput",
            what,
            format!("{:.0} pulses/s", l.per_second()),
            format!(
                "p50 {} · p99 {} · {} pulses in {:.1} s, {} failed{cut}",
                ms(l.p50_ms),
                ms(l.p99_ms),
                thousands(l.sent as u64),
                l.elapsed.as_secs_f64(),
                l.failed
            ),
        );
        if l.failed > 0 {
            return Err(format!("{} pulses failed at concurrency {}", l.failed, l.concurrency));
        }
    }
    if outcome.items != options.ids {
        return Err(format!(
            "{} items in the table, expected {}",
            outcome.items, options.ids
        ));
    }
    Ok(())
}

/// Node ÷ heartbeat, CPU per pulse: at least this (issue 25; information beside the floor's ratio).
const CPU_RATIO_GOAL: f64 = 2.5;

async fn cpu(options: &Options, root: &Path, target_dir: &Path, table: &mut Table) -> Result<(), String> {
    let plan = cpu::Plan {
        ids: options.ids,
        pulses_per_level: options.cpu_pulses,
        levels: options.cpu_levels.clone(),
        time_limit: options.level_limit,
        perf: options.perf.then(|| target_dir.join("bench-cpu").join("perf.data")),
        history: options.cpu_history,
    };
    let o = cpu::run(root, target_dir, &plan).await?;
    for side in &o.sides {
        let (h, n) = (&side.heartbeat, &side.node);
        let row = |m: &cpu::Measured| {
            format!(
                "{} pulses · {:.0} pulses/s · p50 {}",
                m.level.sent,
                m.level.per_second(),
                ms(m.level.p50_ms)
            )
        };
        table.add(
            "cpu",
            format!(
                "concurrency {}: heartbeat-local (release){}",
                side.concurrency,
                if plan.history { "" } else { ", HISTORY_DAYS=0" }
            ),
            format!("{:.1} µs CPU/pulse", h.cpu_per_pulse_us()),
            row(h),
        );
        table.add(
            "cpu",
            format!("concurrency {}: Node.js aws-sdk v2", side.concurrency),
            format!("{:.1} µs CPU/pulse", n.cpu_per_pulse_us()),
            row(n),
        );
        table.add(
            "cpu",
            format!(
                "concurrency {}: floor (the same HTTP exchanges, no work){}",
                side.concurrency,
                if plan.history { "" } else { ", UpdateItem alone" }
            ),
            format!("{:.1} µs CPU/pulse", side.floor.cpu_per_pulse_us()),
            format!(
                "{} · Node ÷ floor {:.1}×: no server can beat that ratio",
                row(&side.floor),
                n.cpu_per_pulse_us() / side.floor.cpu_per_pulse_us()
            ),
        );
        let ratio = n.cpu_per_pulse_us() / h.cpu_per_pulse_us();
        table.add(
            "cpu",
            format!("concurrency {}: Node ÷ heartbeat", side.concurrency),
            format!("{ratio:.1}×"),
            if ratio >= CPU_RATIO_GOAL {
                "goal ≥ 2.5×: met"
            } else {
                "goal ≥ 2.5×: NOT met"
            },
        );
    }
    table.add(
        "cpu",
        "peak RSS of the servers",
        format!("heartbeat {:.1} MiB", o.heartbeat_rss_kib as f64 / 1024.0),
        format!("Node {:.1} MiB", o.node_rss_kib as f64 / 1024.0),
    );
    if let Some(frames) = &o.top_frames {
        println!("\nheartbeat-local's top frames (perf, self time, last CPU level):\n{frames}");
    }
    Ok(())
}

async fn api_listing(options: &Options, table: &mut Table) -> Result<(), String> {
    let o = api::run(options.dashboard_pulses, options.load_limit).await?;
    let worst = |w: &api::Walk| w.page_ms.iter().cloned().fold(0.0, f64::max);
    let median = |w: &api::Walk| stats::median(&w.page_ms).unwrap_or(0.0);
    table.add(
        "api",
        format!("list {} pulses, dynalite", thousands(o.loaded as u64)),
        ms(median(&o.dynamo)),
        format!(
            "median server time a {}-pulse page (max {}); {} pages, {} pulses, {} Scan requests",
            api::PAGE,
            ms(worst(&o.dynamo)),
            o.dynamo.pages,
            thousands(o.dynamo.pulses as u64),
            o.scans
        ),
    );
    table.add(
        "api",
        format!("list {} pulses, memory store", thousands(o.memory.pulses as u64)),
        ms(median(&o.memory)),
        format!("median a page, heartbeat's own work (max {})", ms(worst(&o.memory))),
    );
    table.add(
        "api",
        "largest page".to_string(),
        format!(
            "{} B",
            thousands(o.dynamo.largest_page_bytes.max(o.memory.largest_page_bytes) as u64)
        ),
        "Lambda's limit is 6 MB".to_string(),
    );
    Ok(())
}

async fn dashboard(options: &Options, root: &Path, target_dir: &Path, table: &mut Table) -> Result<(), String> {
    let d = dashboard::run(options.dashboard_pulses, options.dashboard_runs).await?;
    table.add(
        "dashboard",
        format!("render {} pulses (memory store)", thousands(d.pulses as u64)),
        ms(d.median_ms),
        format!(
            "median of {} (min {}); {} rows, {} exceeded",
            d.runs,
            ms(d.min_ms),
            d.rows,
            d.exceeded_rows
        ),
    );
    table.add(
        "dashboard",
        format!("page, {} pulses", thousands(d.pulses as u64)),
        format!("{} B", thousands(d.raw_bytes as u64)),
        format!(
            "gzip: {} B ({:.1}%); {} B per row",
            thousands(d.gzip_bytes as u64),
            100.0 * d.gzip_bytes as f64 / d.raw_bytes as f64,
            d.raw_bytes / d.rows.max(1)
        ),
    );
    let b = dashboard::in_browser(root, target_dir, options.dashboard_pulses, 3).await?;
    table.add(
        "dashboard",
        format!("Chromium, {} rows: filter and sort applied", thousands(b.rows)),
        ms(b.total_ms),
        format!(
            "from navigation start, median of {}: script done and painted {} · filter {} · sort by Name {} ({}; {} links built); \
             on the harness's clock, with Playwright's round trips: ready {}, done {}; goal ≤ 1 s: {}",
            b.runs,
            ms(b.painted_ms),
            ms(b.filter_ms),
            ms(b.sort_ms),
            b.shown,
            thousands(b.links),
            ms(b.seen_ms),
            ms(b.harness_total_ms),
            if b.total_ms <= 1000.0 { "met" } else { "NOT met" }
        ),
    );
    let limit = dashboard::LAMBDA_RESPONSE_LIMIT;
    table.add(
        "dashboard",
        format!("Lambda response, {} pulses", thousands(d.pulses as u64)),
        format!("{} B", thousands(d.lambda_response_bytes as u64)),
        format!(
            "the API Gateway proxy JSON the function returns; Lambda's limit is {} B: {}",
            thousands(limit as u64),
            if d.lambda_response_bytes > limit {
                "OVER, AWS would refuse this page"
            } else {
                "within"
            }
        ),
    );
    Ok(())
}

async fn coldstart(options: &Options, root: &Path, target_dir: &Path, table: &mut Table) -> Result<(), String> {
    if options.build {
        coldstart::build(root, &options.cold)?;
    }
    for f in coldstart::run(root, target_dir, &options.cold, options.runs).await? {
        table.add(
            "coldstart",
            format!("{} (x86_64 {} binary)", f.function, options.cold.profile),
            format!("{} to first response", ms(f.first_response_ms)),
            format!(
                "init {} · peak RSS {:.1} MiB · answered {} · median of {}",
                ms(f.init_ms),
                f.peak_rss_kib as f64 / 1024.0,
                f.status,
                f.runs
            ),
        );
    }
    Ok(())
}

async fn monitor(options: &Options, table: &mut Table) -> Result<(), String> {
    let sizes = monitor::item_sizes();
    table.add(
        "monitor",
        "billed size of one pulse item",
        format!("{} B", sizes.item),
        format!(
            "its due-index entry: {} B (keys only, 100 B overhead)",
            sizes.index_entry
        ),
    );
    let plan = monitor::Plan {
        sizes: options.sizes.clone(),
        mixed_sizes: options.mixed_sizes.clone(),
        repeats: options.repeats,
        load_limit: options.load_limit,
    };
    for s in monitor::run(&plan).await? {
        let n = match s.mix {
            monitor::Mix::Plain => thousands(s.loaded as u64),
            monitor::Mix::Mixed => format!("{} mixed-settings", thousands(s.loaded as u64)),
        };
        let rate = s.loaded as f64 / s.load.as_secs_f64();
        let load_note = if s.complete() {
            format!("BatchWriteItem ×25, 8 in flight; {rate:.0} items/s")
        } else {
            format!(
                "stopped at the {} s limit: {} of {} items ({rate:.0} items/s); measured on what was loaded",
                options.load_limit.as_secs(),
                n,
                thousands(s.target as u64)
            )
        };
        table.add(
            "monitor",
            format!("{n} items: load"),
            format!("{:.1} s", s.load.as_secs_f64()),
            load_note,
        );
        let measure = |m: &monitor::Measure| {
            let swept = if m.items_swept > 0 {
                format!(" · {} items swept", thousands(m.items_swept as u64))
            } else {
                String::new()
            };
            format!(
                "{} requests · {} items read{swept} · {}",
                thousands(m.requests as u64),
                thousands(m.items_read as u64),
                ms(m.wall_ms)
            )
        };
        let median = |m: &monitor::Measure| {
            if m.repeats > 1 {
                format!("; median of {}", m.repeats)
            } else {
                String::new()
            }
        };
        table.add(
            "monitor",
            format!("{n} items: monitor read (Query per shard, BatchGetItem)"),
            measure(&s.query),
            format!("{} due{}", thousands(s.due as u64), median(&s.query)),
        );
        table.add(
            "monitor",
            format!("{n} items: one run's sweep segment (1/60)"),
            measure(&s.sweep),
            format!("{:.1} read units (eventually consistent)", s.sweep_read_units),
        );
        table.add(
            "monitor",
            format!("{n} items: full Scan (PulseReader::list)"),
            measure(&s.scan),
            format!("{} pulses{}", thousands(s.scanned_pulses as u64), median(&s.scan)),
        );
        let ratio = |a: f64, b: f64| match a / b {
            r if !r.is_finite() => "∞".to_owned(),
            r if r >= 10.0 => format!("{r:.0}×"),
            r => format!("{r:.2}×"),
        };
        table.add(
            "monitor",
            format!("{n} items: Scan ÷ due index"),
            format!(
                "items {} · requests {} · time {}",
                ratio(s.scan.items_read as f64, s.query.items_read as f64),
                ratio(s.scan.requests as f64, s.query.requests as f64),
                ratio(s.scan.wall_ms, s.query.wall_ms)
            ),
            "the monitor's read against the original's",
        );
        table.add(
            "monitor",
            format!("{n} items: monitor run (alerts the due 1%)"),
            measure(&s.run),
            format!(
                "checked {}, alerted {}, {} Slack message(s)",
                s.summary.checked, s.summary.notified, s.messages
            ),
        );
        table.add(
            "monitor",
            format!("{n} items: next run, nothing due"),
            measure(&s.idle_run),
            "",
        );
        table.add(
            "monitor",
            format!("{n} items: config table requests (windows, calendars)"),
            format!(
                "alerting run {} · idle run {}",
                s.config_requests.0, s.config_requests.1
            ),
            "calendar Queries counted by the calendar store; window Queries are in the table's count",
        );
        if let Some(d) = s.dashboard_ms {
            table.add(
                "monitor",
                format!("{n} items: dashboard handler on dynalite"),
                ms(d),
                "Scan of the table and render, one run",
            );
        }
        if s.summary.notified != s.due {
            return Err(format!(
                "{} due, {} alerted: {:?}",
                s.due, s.summary.notified, s.summary
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        Options::parse(args.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn options() {
        let o = parse(&[]).unwrap();
        assert_eq!(o.sections.len(), SECTIONS.len());
        let o = parse(&["monitor", "--sizes", "1000,10_000", "--no-build"]).unwrap();
        assert_eq!(o.sections, ["monitor"]);
        assert_eq!(o.sizes, [1_000, 10_000]);
        assert!(!o.build);
        assert!(
            o.cpu_history,
            "the CPU comparison writes each pulse's history by default"
        );
        assert!(!parse(&["cpu", "--cpu-without-history"]).unwrap().cpu_history);
        assert!(parse(&["--runs"]).is_err());
        assert!(parse(&["--runs", "0"]).is_err());
        assert!(parse(&["elsewhere"]).is_err());
        assert_eq!(parse(&["--help"]).err().as_deref(), Some(""));
    }

    #[test]
    fn cold_start_functions_and_profile() {
        let o = parse(&[]).unwrap();
        assert_eq!(o.cold.functions.len(), coldstart::FUNCTIONS.len());
        assert_eq!(o.cold.profile, "release");
        let o = parse(&[
            "coldstart",
            "--functions",
            "pulse,monitor",
            "--cold-profile",
            "profiling",
        ])
        .unwrap();
        assert_eq!(o.cold.functions, ["pulse", "monitor"]);
        assert_eq!(o.cold.profile, "profiling");
        let err = parse(&["--functions", "pulse,pluse"]).err().unwrap();
        assert!(err.contains("“pluse” is not a function"), "{err}");
    }
}
