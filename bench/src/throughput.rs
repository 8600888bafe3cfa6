//! Pulses per second and latency through the local runtime (the same handlers the Lambdas run, served
//! over HTTP) on dynalite: HTTP GET pulses over a fixed set of ids from keep-alive clients, one
//! connection per client, at several concurrency levels; bounded in count and in time.

use crate::stats::{millis, percentile};
use heartbeat_e2e::{Dynalite, LocalRuntime};
use reqwest::Url;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub struct Plan {
    pub ids: usize,
    pub pulses_per_level: usize,
    pub levels: Vec<usize>,
    /// A level stops here even if not every pulse was sent.
    pub time_limit: Duration,
}

pub struct Level {
    pub concurrency: usize,
    pub sent: usize,
    pub failed: usize,
    pub elapsed: Duration,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Level {
    pub fn per_second(&self) -> f64 {
        (self.sent - self.failed) as f64 / self.elapsed.as_secs_f64()
    }
}

pub struct Outcome {
    pub warm_up: Level,
    pub levels: Vec<Level>,
    /// Items in the table afterwards: every id, and nothing else.
    pub items: usize,
}

pub async fn run(plan: &Plan) -> Result<Outcome, String> {
    let dynalite = Dynalite::start().await;
    let runtime = LocalRuntime::start(&dynalite, &[]).await;
    let urls: Arc<Vec<Url>> = Arc::new(
        (0..plan.ids)
            .map(|i| {
                let name = format!("job-{i:04}");
                runtime.url_with(
                    "pulse",
                    &[
                        ("host", "bench-host"),
                        ("category", "load"),
                        ("type", "http"),
                        ("name", &name),
                    ],
                )
            })
            .collect(),
    );
    // Every id once, so the measured pulses update existing items (the steady state).
    let warm_up = level(&urls, 8, plan.ids, plan.time_limit).await?;
    let mut levels = Vec::new();
    for &concurrency in &plan.levels {
        levels.push(level(&urls, concurrency, plan.pulses_per_level, plan.time_limit).await?);
    }
    let items = runtime.scan_count().await;
    Ok(Outcome { warm_up, levels, items })
}

pub async fn level(urls: &Arc<Vec<Url>>, concurrency: usize, total: usize, limit: Duration) -> Result<Level, String> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (urls, next) = (urls.clone(), next.clone());
        // One client per worker, at most one idle connection: a keep-alive client each.
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        workers.spawn(async move {
            let mut latencies = Vec::new();
            let mut failed = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total || started.elapsed() >= limit {
                    break;
                }
                let sent = Instant::now();
                let ok = match client.get(urls[i % urls.len()].clone()).send().await {
                    Ok(res) => {
                        let status = res.status();
                        // Read the whole body, so the connection goes back to the pool.
                        res.bytes().await.is_ok() && status.is_success()
                    }
                    Err(_) => false,
                };
                latencies.push(millis(sent.elapsed()));
                failed += usize::from(!ok);
            }
            (latencies, failed)
        });
    }
    let mut latencies = Vec::with_capacity(total);
    let mut failed = 0;
    while let Some(joined) = workers.join_next().await {
        let (l, f) = joined.map_err(|e| format!("a load worker failed: {e}"))?;
        latencies.extend(l);
        failed += f;
    }
    let elapsed = started.elapsed();
    Ok(Level {
        concurrency,
        sent: latencies.len(),
        failed,
        elapsed,
        p50_ms: percentile(&latencies, 50.0).unwrap_or(f64::NAN),
        p99_ms: percentile(&latencies, 99.0).unwrap_or(f64::NAN),
    })
}
