//! The dashboard at 10,000 pulses: the handler's render time with the in-memory store (so only
//! heartbeat's own work is timed), and the page's size as sent and gzipped.

use crate::fixtures::{SECRET, config, key, monday};
use crate::stats::{median, millis};
use chrono::TimeDelta;
use flate2::Compression;
use flate2::write::GzEncoder;
use heartbeat_shared::handlers;
use heartbeat_shared::model::{Signal, SignalKind, Threshold, Zone};
use heartbeat_shared::store::{MemoryStore, PulseReceipt, PulseRecorder};
use lambda_http::Body;
use lambda_http::aws_lambda_events::apigw::ApiGatewayProxyResponse;
use std::io::Write;
use std::time::Instant;

pub struct Outcome {
    pub pulses: usize,
    pub runs: usize,
    pub median_ms: f64,
    pub min_ms: f64,
    pub rows: usize,
    pub exceeded_rows: usize,
    pub raw_bytes: usize,
    pub gzip_bytes: usize,
    /// The page as the Lambda returns it: an API Gateway (REST) proxy response, serialised to JSON.
    pub lambda_response_bytes: usize,
}

/// Lambda's limit on a synchronous invocation's response payload (6 MB).
pub const LAMBDA_RESPONSE_LIMIT: usize = 6 * 1024 * 1024;

/// `n` pulses whose last pulse lies between now and three days back (some exceeded), a tenth with a
/// message, a third in Europe/Berlin, thresholds from 1 hour to a week; half report their runs (as
/// the heartbeat client does: a duration from 1 s to about 3 h and an exit code), and one in a
/// hundred of all failed with exit code 1.
/// Without `runs`, every pulse is a plain pulse (the API section's listing, as measured before).
pub async fn filled_store(n: usize, runs: bool) -> MemoryStore {
    let store = MemoryStore::new();
    for i in 0..n {
        let receipt = PulseReceipt {
            key: key(i),
            at: monday() - TimeDelta::minutes(((i * 37) % (72 * 60)) as i64),
            threshold: Threshold::parse(["24", "1", "168", "26"][i % 4]).expect("a valid threshold"),
            saturday: i % 7 == 0,
            tz: if i % 3 == 0 {
                Zone::parse("Europe/Berlin").expect("a known timezone")
            } else {
                Zone::UTC
            },
            message: (i % 10 == 0).then(|| format!("run {i} finished: 42 rows")),
            metadata: None,
            expect: Default::default(),
        };
        let signal = match i % 100 {
            _ if !runs || i % 2 == 1 => Signal::success(),
            0 => Signal {
                kind: SignalKind::Failure,
                exit: Some(1),
                duration: Some(TimeDelta::seconds(((i * 7) % 600 + 1) as i64)),
                ..Signal::success()
            },
            _ => Signal {
                exit: Some(0),
                duration: Some(TimeDelta::milliseconds(((i * 7_919) % 10_000_000 + 1_000) as i64)),
                ..Signal::success()
            },
        };
        store
            .record_signal(&receipt, &signal)
            .await
            .expect("the memory store records");
    }
    store
}

pub async fn run(pulses: usize, runs: usize) -> Result<Outcome, String> {
    let store = filled_store(pulses, true).await;
    let config = config();
    let uri = format!("/heartbeat/dashboard?secret={SECRET}");
    let mut times = Vec::with_capacity(runs);
    let mut page = String::new();
    let mut lambda_response_bytes = 0;
    for _ in 0..runs {
        let req = lambda_http::http::Request::builder()
            .uri(uri.as_str())
            .body(Body::Empty)
            .map_err(|e| e.to_string())?;
        let started = Instant::now();
        let res = handlers::dashboard(req, &store, &config, monday()).await;
        times.push(millis(started.elapsed()));
        if res.status() != 200 {
            return Err(format!("the dashboard answered {}", res.status()));
        }
        let (parts, body) = res.into_parts();
        page = match &body {
            Body::Text(text) => text.clone(),
            Body::Binary(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            _ => String::new(),
        };
        // What lambda_http hands the Runtime API for an API Gateway REST request (response.rs).
        let mut proxy = ApiGatewayProxyResponse::default();
        proxy.status_code = i64::from(parts.status.as_u16());
        proxy.multi_value_headers = parts.headers;
        proxy.is_base64_encoded = matches!(body, Body::Binary(_));
        proxy.body = Some(body);
        lambda_response_bytes = serde_json::to_vec(&proxy).map_err(|e| e.to_string())?.len();
    }
    let mut gzip = GzEncoder::new(Vec::new(), Compression::default());
    gzip.write_all(page.as_bytes()).map_err(|e| e.to_string())?;
    let gzip_bytes = gzip.finish().map_err(|e| e.to_string())?.len();
    Ok(Outcome {
        pulses,
        runs,
        median_ms: median(&times).unwrap_or(f64::NAN),
        min_ms: times.iter().copied().fold(f64::INFINITY, f64::min),
        rows: page.matches("<tr data-k=").count(),
        exceeded_rows: page.matches(" data-status=late").count(),
        raw_bytes: page.len(),
        gzip_bytes,
        lambda_response_bytes,
    })
}

/// The page in headless Chromium (`bench/browser/dashboard.mjs`): medians over the runs, in
/// milliseconds from the navigation's start.
pub struct InBrowser {
    pub runs: usize,
    /// Until the page's script had run (links, classes, sort keys) and the page was painted, by the
    /// page's own mark.
    pub painted_ms: f64,
    /// When the harness could start typing: the same, plus Playwright's round trips to the browser.
    pub seen_ms: f64,
    /// Typing a filter, until painted.
    pub filter_ms: f64,
    /// Sorting by Name, until painted.
    pub sort_ms: f64,
    /// The page's own time until filter and sort had been applied and painted: painted + filter + sort.
    pub total_ms: f64,
    /// The same run on the harness's clock, its round trips included.
    pub harness_total_ms: f64,
    pub rows: u64,
    pub links: u64,
    pub shown: String,
}

/// Renders the dashboard of `pulses` and measures it in Chromium; the page is left in
/// `target/bench-dashboard/page.html` to look at.
pub async fn in_browser(
    root: &std::path::Path,
    target_dir: &std::path::Path,
    pulses: usize,
    runs: usize,
) -> Result<InBrowser, String> {
    let store = filled_store(pulses, true).await;
    let req = lambda_http::http::Request::builder()
        .uri(format!("/heartbeat/dashboard?secret={SECRET}"))
        .body(Body::Empty)
        .map_err(|e| e.to_string())?;
    let res = handlers::dashboard(req, &store, &config(), monday()).await;
    let csp = res
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .ok_or("the dashboard sent no Content-Security-Policy")?
        .to_owned();
    let dir = target_dir.join("bench-dashboard");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let file = dir.join("page.html");
    std::fs::write(&file, res.body().as_ref()).map_err(|e| format!("{}: {e}", file.display()))?;
    let out = std::process::Command::new("node")
        .arg(root.join("bench/browser/dashboard.mjs"))
        .arg(&file)
        .arg(&csp)
        .arg(runs.to_string())
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "bench/browser/dashboard.mjs failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("dashboard.mjs printed no JSON: {e}"))?;
    if let Some(problems) = v["problems"].as_array().filter(|p| !p.is_empty()) {
        return Err(format!("the page reported errors: {problems:?}"));
    }
    let samples = v["runs"].as_array().cloned().unwrap_or_default();
    let pick =
        |name: &str| median(&samples.iter().filter_map(|r| r[name].as_f64()).collect::<Vec<_>>()).unwrap_or(f64::NAN);
    let last = samples.last().cloned().unwrap_or_default();
    Ok(InBrowser {
        runs: samples.len(),
        painted_ms: pick("painted"),
        seen_ms: pick("seen"),
        filter_ms: pick("filterMs"),
        sort_ms: pick("sortMs"),
        total_ms: pick("total"),
        harness_total_ms: pick("harnessTotal"),
        rows: last["rows"].as_u64().unwrap_or_default(),
        links: last["links"].as_u64().unwrap_or_default(),
        shown: last["shown"].as_str().unwrap_or_default().to_owned(),
    })
}
