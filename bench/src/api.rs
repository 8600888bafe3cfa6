//! The JSON API listing 10,000 pulses: every page of 1,000 walked with its cursor, timed in the
//! handler (server time), against dynalite (one Scan request a page) and against the in-memory store
//! (heartbeat's own work alone), with the largest page's size next to Lambda's 6 MB limit.

use crate::dashboard::{LAMBDA_RESPONSE_LIMIT, filled_store};
use crate::fixtures::{config, monday};
use crate::stats::millis;
use heartbeat_e2e::Dynalite;
use heartbeat_shared::api::{self, ApiDeps, Keys};
use heartbeat_shared::config::Secret;
use heartbeat_shared::store::DynamoStore;
use lambda_http::Body;
use std::time::{Duration, Instant};

const KEY: &str = "bench-api-key";
pub const PAGE: usize = 1_000;

pub struct Walk {
    pub pulses: usize,
    pub pages: usize,
    /// Server time of each page, in milliseconds.
    pub page_ms: Vec<f64>,
    pub largest_page_bytes: usize,
}

pub struct Outcome {
    pub loaded: usize,
    pub dynamo: Walk,
    /// Scan requests the walk sent to dynalite.
    pub scans: usize,
    pub memory: Walk,
}

pub async fn run(pulses: usize, load_limit: Duration) -> Result<Outcome, String> {
    let dynalite = Dynalite::start().await;
    let table = dynalite.fresh_table().await;
    let client = dynalite.client();
    eprintln!("  api: loading {pulses} items into dynalite …");
    let loaded = crate::monitor::load(&client, &table, pulses, load_limit, crate::monitor::Mix::Plain).await?;
    let store = DynamoStore::new(client, table);
    let before = store.stats().requests;
    let dynamo = walk(&store).await?;
    let scans = store.stats().requests - before;
    let memory = walk(&filled_store(pulses, false).await).await?;
    Ok(Outcome {
        loaded,
        dynamo,
        scans,
        memory,
    })
}

async fn walk<S: heartbeat_shared::api::ApiStore>(store: &S) -> Result<Walk, String> {
    let keys = Keys {
        read_write: Some(Secret::new(KEY)),
        ..Keys::default()
    };
    let config = config();
    let deps = ApiDeps::new(store, &config, &keys);
    let mut cursor: Option<String> = None;
    let mut walk = Walk {
        pulses: 0,
        pages: 0,
        page_ms: Vec::new(),
        largest_page_bytes: 0,
    };
    loop {
        let uri = match &cursor {
            None => format!("/heartbeat/api/v1/pulses?limit={PAGE}"),
            Some(c) => format!("/heartbeat/api/v1/pulses?limit={PAGE}&cursor={c}"),
        };
        let req = lambda_http::http::Request::builder()
            .uri(uri)
            .header("authorization", format!("Bearer {KEY}"))
            .body(Body::Empty)
            .map_err(|e| e.to_string())?;
        let started = Instant::now();
        let res = api::api(req, &deps, monday()).await;
        walk.page_ms.push(millis(started.elapsed()));
        if res.status() != 200 {
            return Err(format!("the API answered {}", res.status()));
        }
        let body: &[u8] = res.body().as_ref();
        walk.largest_page_bytes = walk.largest_page_bytes.max(body.len());
        let page: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
        walk.pulses += page["pulses"].as_array().map_or(0, Vec::len);
        walk.pages += 1;
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    if walk.largest_page_bytes >= LAMBDA_RESPONSE_LIMIT {
        return Err(format!(
            "a page of {} bytes exceeds Lambda's limit",
            walk.largest_page_bytes
        ));
    }
    Ok(walk)
}
