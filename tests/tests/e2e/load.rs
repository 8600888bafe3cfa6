//! Load through the local runtime against dynalite: 10,000 GET pulses at concurrency 32 over 1,000
//! ids on keep-alive connections, while the dashboard (1,000 rows) and the monitor are asked all along.
//! Nothing may fail, every pulse must be in the table, and the figures are printed.
//!
//! A pulse that appears for the first time is indexed at its exact first due time (a day ahead), so
//! the monitor run right after the 1,000 new ids reads none of them: it is timed on its own, and must
//! answer within API Gateway's limit.

use heartbeat_e2e::{AttributeValue, Dynalite, LocalRuntime};
use reqwest::StatusCode;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::task::{JoinHandle, JoinSet};

const PULSES: usize = 10_000;
const IDS: usize = 1_000;
const CONCURRENCY: usize = 32;
/// The pulses must all be answered by then, or the test fails with what it measured so far.
const DEADLINE: Duration = Duration::from_secs(240);
/// A single pulse slower than this counts as an error.
const PULSE_TIMEOUT: Duration = Duration::from_secs(10);
/// The dashboard reads the whole table; a monitor run writes once per pulse that has just appeared,
/// one request after another, each waiting behind the pulses in dynalite's single queue.
const PAGE_TIMEOUT: Duration = Duration::from_secs(200);
/// API Gateway's longest integration timeout: the monitor by URL must answer within it.
const API_GATEWAY_LIMIT: Duration = Duration::from_secs(29);
const POLL_EVERY: Duration = Duration::from_millis(500);

/// Pulse `i` goes to job `i % IDS`: pulses 0..1,000 create the 1,000 items.
fn host(i: usize) -> String {
    format!("load-{:04}", i % IDS)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    // Nearest rank.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[derive(Default)]
struct Pulses {
    latencies: Vec<Duration>,
    errors: Vec<String>,
    wall: Duration,
}

impl Pulses {
    fn add(&mut self, other: Pulses) {
        self.latencies.extend(other.latencies);
        self.errors.extend(other.errors);
        self.wall += other.wall;
    }
}

/// Pulses `range` through `CONCURRENCY` workers sharing one keep-alive client; gives up (panics) at
/// the deadline, saying how far it got.
async fn pulse_range(rt: &LocalRuntime, http: &reqwest::Client, range: Range<usize>, deadline: Instant) -> Pulses {
    let next = Arc::new(AtomicUsize::new(range.start));
    let done = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (http, pulse_url, next, done, end) = (http.clone(), rt.url("pulse"), next.clone(), done.clone(), range.end);
        workers.spawn(async move {
            let mut pulses = Pulses::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= end {
                    return pulses;
                }
                let host = host(i);
                let query = [
                    ("host", host.as_str()),
                    ("category", "load"),
                    ("type", "cron"),
                    ("name", "every-minute"),
                ];
                let url = reqwest::Url::parse_with_params(&pulse_url, &query).expect("a URL");
                let sent = Instant::now();
                let outcome = match http.get(url).send().await {
                    Ok(response) if response.status() == StatusCode::OK => match response.text().await {
                        Ok(body) if body == "Successful Heartbeat Pulse" => Ok(()),
                        Ok(body) => Err(format!("pulse {i}: body {body:?}")),
                        Err(err) => Err(format!("pulse {i}: body: {err}")),
                    },
                    Ok(response) => Err(format!("pulse {i}: HTTP {}", response.status())),
                    Err(err) => Err(format!("pulse {i}: {err}")),
                };
                pulses.latencies.push(sent.elapsed());
                if let Err(err) = outcome {
                    pulses.errors.push(err);
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    let all = async {
        let mut all = Pulses::default();
        while let Some(worker) = workers.join_next().await {
            all.add(worker.expect("a pulse worker panicked"));
        }
        all
    };
    let left = deadline.saturating_duration_since(Instant::now());
    match tokio::time::timeout(left, all).await {
        Ok(mut all) => {
            all.wall = started.elapsed();
            all
        }
        Err(_) => {
            let done = done.load(Ordering::Relaxed);
            let rate = done as f64 / started.elapsed().as_secs_f64();
            panic!(
                "the load ran out of time: {done} of {} pulses answered ({rate:.0} pulses/s)",
                range.len()
            );
        }
    }
}

/// One look at a page.
struct Poll {
    latency: Duration,
    status: StatusCode,
    /// Dashboard: its row count; monitor: pulses `checked`.
    count: Option<u64>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Page {
    Dashboard,
    Monitor,
}

/// `<strong id="count-total">N</strong>` of the dashboard.
fn dashboard_total(html: &str) -> Option<u64> {
    let marker = "<strong id=\"count-total\">";
    let start = html.find(marker)? + marker.len();
    html[start..].split('<').next()?.trim().parse().ok()
}

async fn poll(http: &reqwest::Client, url: &str, page: Page) -> Poll {
    let started = Instant::now();
    let response = match http.get(url).send().await {
        Ok(response) => response,
        Err(err) => {
            eprintln!("a poll of {url} failed: {err}");
            return Poll {
                latency: started.elapsed(),
                status: StatusCode::GATEWAY_TIMEOUT,
                count: None,
            };
        }
    };
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let count = match page {
        Page::Dashboard => dashboard_total(&body),
        Page::Monitor => serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|json| json.get("checked").and_then(serde_json::Value::as_u64)),
    };
    Poll {
        latency: started.elapsed(),
        status,
        count,
    }
}

/// Asks `page` again and again (never two at once), pausing `POLL_EVERY` between, until `stop`.
fn keep_polling(rt: &LocalRuntime, page: Page, stop: Arc<AtomicBool>) -> JoinHandle<Vec<Poll>> {
    let path = match page {
        Page::Dashboard => "dashboard",
        Page::Monitor => "monitor",
    };
    let url = rt.url_with(path, &[("secret", rt.secret())]).to_string();
    let http = reqwest::Client::builder()
        .timeout(PAGE_TIMEOUT)
        .build()
        .expect("a reqwest client");
    tokio::spawn(async move {
        let mut polls = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            polls.push(poll(&http, &url, page).await);
            tokio::time::sleep(POLL_EVERY).await;
        }
        polls
    })
}

fn describe(name: &str, polls: &[Poll]) -> String {
    if polls.is_empty() {
        return format!("  {name:<9} not asked");
    }
    let mut latencies: Vec<Duration> = polls.iter().map(|p| p.latency).collect();
    latencies.sort();
    let ok = polls.iter().filter(|p| p.status == StatusCode::OK).count();
    let counts: Vec<u64> = polls.iter().filter_map(|p| p.count).collect();
    let what = if name == "monitor" { "checked" } else { "rows" };
    format!(
        "  {name:<9} {} polls, {ok} answered 200; latency min {}  median {}  max {}; {what} {}..{}",
        polls.len(),
        ms(latencies[0]),
        ms(latencies[latencies.len() / 2]),
        ms(latencies[latencies.len() - 1]),
        counts.iter().min().copied().unwrap_or_default(),
        counts.iter().max().copied().unwrap_or_default()
    )
}

fn report(title: &str, pulses: &Pulses, dashboard: &[Poll], monitor: &[Poll]) {
    let mut sorted = pulses.latencies.clone();
    sorted.sort();
    eprintln!("FIGURE {title}: {PULSES} GET pulses, {IDS} ids, concurrency {CONCURRENCY}, keep-alive");
    eprintln!("  pulsing     {:.2} s", pulses.wall.as_secs_f64());
    eprintln!(
        "  throughput  {:.0} pulses/s",
        pulses.latencies.len() as f64 / pulses.wall.as_secs_f64()
    );
    eprintln!(
        "  latency     p50 {}  p90 {}  p99 {}  max {}",
        ms(percentile(&sorted, 50.0)),
        ms(percentile(&sorted, 90.0)),
        ms(percentile(&sorted, 99.0)),
        ms(sorted[sorted.len() - 1])
    );
    eprintln!("  errors      {}", pulses.errors.len());
    eprintln!("{}", describe("dashboard", dashboard));
    eprintln!("{}", describe("monitor", monitor));
}

/// Sum of `pulseCount` per item, over every page of a Scan.
async fn counts_in_table(rt: &LocalRuntime) -> HashMap<String, u64> {
    let mut per_item = HashMap::new();
    let mut start_key = None;
    loop {
        let page = rt
            .client()
            .scan()
            .table_name(rt.table())
            .projection_expression("#id, #count")
            .expression_attribute_names("#id", "_id")
            .expression_attribute_names("#count", "pulseCount")
            .set_exclusive_start_key(start_key)
            .send()
            .await
            .expect("Scan");
        for item in page.items() {
            let id = item["_id"].as_s().expect("an S key").clone();
            let count = match item.get("pulseCount") {
                Some(AttributeValue::N(n)) => n.parse().expect("a number"),
                other => panic!("{id}: pulseCount is {other:?}"),
            };
            assert!(per_item.insert(id.clone(), count).is_none(), "{id} came twice");
        }
        start_key = page.last_evaluated_key().cloned();
        if start_key.is_none() {
            return per_item;
        }
    }
}

fn assert_all_answered(pulses: &Pulses, dashboard: &[Poll], monitor: &[Poll]) {
    assert!(
        pulses.errors.is_empty(),
        "{} failed pulses, e.g. {:?}",
        pulses.errors.len(),
        &pulses.errors[..pulses.errors.len().min(5)]
    );
    assert_eq!(pulses.latencies.len(), PULSES);
    assert!(
        dashboard.len() >= 2 && !monitor.is_empty(),
        "the pages were asked too rarely during the load ({} and {} times)",
        dashboard.len(),
        monitor.len()
    );
    for poll in dashboard.iter().chain(monitor) {
        assert_eq!(
            poll.status,
            StatusCode::OK,
            "a page failed under load after {:?}",
            poll.latency
        );
    }
    let rows: Vec<u64> = dashboard
        .iter()
        .map(|poll| poll.count.expect("the dashboard shows its row count"))
        .collect();
    assert!(rows.windows(2).all(|w| w[0] <= w[1]), "rows went backwards: {rows:?}");
    assert!(rows.iter().all(|r| *r <= IDS as u64), "{rows:?}");
}

async fn assert_every_pulse_is_in_the_table(rt: &LocalRuntime) {
    let per_item = counts_in_table(rt).await;
    assert_eq!(per_item.len(), IDS, "distinct items");
    assert_eq!(
        per_item.values().sum::<u64>(),
        PULSES as u64,
        "pulses counted in the table"
    );
    let per_id = (PULSES / IDS) as u64;
    let off: Vec<_> = per_item.iter().filter(|(_, count)| **count != per_id).collect();
    assert!(off.is_empty(), "items without exactly {per_id} pulses: {off:?}");
    let started = Instant::now();
    let html = rt.dashboard().await;
    eprintln!(
        "FIGURE load: dashboard of {IDS} rows after the load in {}",
        ms(started.elapsed())
    );
    assert_eq!(dashboard_total(&html), Some(IDS as u64));
}

fn pulse_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(PULSE_TIMEOUT)
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .expect("a reqwest client")
}

/// The first 1,000 pulses create the ids; one monitor run gives each its due time (the costliest run
/// there is, timed alone); then 9,000 more pulses while the dashboard and the monitor are polled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_pulses_at_concurrency_32_are_all_counted_while_dashboard_and_monitor_answer() {
    // Its own dynalite: 32 pulses at a time would queue every other test's requests behind them.
    let dynalite = Dynalite::start_own().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let http = pulse_client();
    let deadline = Instant::now() + DEADLINE;

    let mut pulses = pulse_range(&rt, &http, 0..IDS, deadline).await;
    let created = pulses.wall;

    let pages = reqwest::Client::builder()
        .timeout(PAGE_TIMEOUT)
        .build()
        .expect("a reqwest client");
    let monitor_url = rt.url_with("monitor", &[("secret", rt.secret())]).to_string();
    let first = poll(&pages, &monitor_url, Page::Monitor).await;
    eprintln!(
        "FIGURE load: {IDS} new ids created in {:.2} s; the first monitor run over them {} ({} checked)",
        created.as_secs_f64(),
        ms(first.latency),
        first.count.unwrap_or_default()
    );
    assert_eq!(first.status, StatusCode::OK);
    // New pulses are indexed at their exact first due time (a day ahead): a run right after reads none.
    assert_eq!(first.count, Some(0), "no new pulse is due yet");
    assert!(
        first.latency < API_GATEWAY_LIMIT,
        "the first run took {:?}, beyond API Gateway's {API_GATEWAY_LIMIT:?}",
        first.latency
    );

    let stop = Arc::new(AtomicBool::new(false));
    let dashboard = keep_polling(&rt, Page::Dashboard, stop.clone());
    let monitor = keep_polling(&rt, Page::Monitor, stop.clone());
    pulses.add(pulse_range(&rt, &http, IDS..PULSES, deadline).await);
    stop.store(true, Ordering::Relaxed);
    let dashboard = dashboard.await.expect("the dashboard poller panicked");
    let monitor = monitor.await.expect("the monitor poller panicked");

    report("load", &pulses, &dashboard, &monitor);
    assert_all_answered(&pulses, &dashboard, &monitor);
    assert!(
        dashboard.iter().all(|p| p.count == Some(IDS as u64)),
        "the dashboard lost rows"
    );
    assert_every_pulse_is_in_the_table(&rt).await;
}
