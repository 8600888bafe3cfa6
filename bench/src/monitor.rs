//! The monitor's due index against a full Scan, at several table sizes with 1% of the pulses due.
//!
//! Items are loaded straight into dynalite with BatchWriteItem (25 per request, several in flight),
//! shaped as heartbeat's pulse write leaves them: the original attributes plus `dueShard` and
//! `dueAt`. 1% are overdue (last pulse ten days ago, so exceeded, and `dueAt` long past); the rest
//! pulsed an hour ago and are due tomorrow. Then, with a fixed `now` and counted by
//! `DynamoStore::stats()`: the monitor's read (a Query per shard of the keys-only index, then
//! BatchGetItem of the due items), one run's sweep segment over items outside the index (a 1/60
//! parallel-Scan segment: what every scheduled run pays for finding items another writer made), a
//! whole monitor run (which alerts the due 1%: a claim and a record each), a second run with nothing
//! due, and a full paginated Scan of the table (`PulseReader::list`, what the original server read on
//! every run).

use crate::fixtures::{SECRET, config, key, monday};
use crate::stats::{median, millis};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use chrono::{DateTime, TimeDelta, Utc};
use heartbeat_e2e::Dynalite;
use heartbeat_shared::handlers;
use heartbeat_shared::model::{CalendarName, format_stamp};
use heartbeat_shared::monitor::{self, MonitorDeps, Summary};
use heartbeat_shared::slack::{Notifier, NotifyError, SlackMessage};
use heartbeat_shared::store::config::{CalendarStore, DynamoConfig, HolidayCalendar};
use heartbeat_shared::store::due_index::{shard_of, sweep_slice};
use heartbeat_shared::store::{DynamoStore, IncidentLedger, PulseReader, StoreStats, ensure_config_table, item};
use lambda_http::Body;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// The holiday calendar of the mixed pulses.
const CALENDAR: &str = "company";
/// One in this many pulses is due.
const DUE_EVERY: usize = 100;
const BATCH: usize = 25;
const IN_FLIGHT: usize = 8;

pub struct Plan {
    pub sizes: Vec<usize>,
    /// Sizes measured again with pulses that carry the expectation settings (see [`Mix`]).
    pub mixed_sizes: Vec<usize>,
    /// Read-only measures (the monitor's Query, the Scan) are repeated this often; the median counts.
    pub repeats: usize,
    /// Loading stops here; what was loaded by then is measured, and said.
    pub load_limit: Duration,
}

/// What the pulses carry besides the original attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mix {
    /// Threshold, saturday and time zone only, as the original server's items.
    Plain,
    /// Five shapes in turn (by hundreds, so the due 1% has each too): plain; a holiday calendar
    /// (the config table holds it, with dates ahead); Mon–Fri with hours 08:00–18:00; a cron
    /// schedule `0 2 * * *` with 30 min of grace; `workdays=all` when due, else snoozed for 2 h.
    Mixed,
}

/// Requests and items of one measured operation, and its wall time (the median when repeated).
#[derive(Debug, Clone, Copy)]
pub struct Measure {
    pub requests: usize,
    pub items_read: usize,
    pub items_swept: usize,
    pub wall_ms: f64,
    pub repeats: usize,
}

pub struct SizeOutcome {
    pub target: usize,
    pub mix: Mix,
    /// Requests to the config table in the alerting run and in the idle run (windows, calendars).
    pub config_requests: (usize, usize),
    pub loaded: usize,
    pub load: Duration,
    pub due: usize,
    pub query: Measure,
    /// One run's sweep segment (items outside the index): what it scanned, and the read units.
    pub sweep: Measure,
    pub sweep_read_units: f64,
    pub run: Measure,
    pub summary: Summary,
    pub messages: usize,
    pub idle_run: Measure,
    pub scan: Measure,
    pub scanned_pulses: usize,
    /// The dashboard on this table (Scan and render), when measured.
    pub dashboard_ms: Option<f64>,
}

impl SizeOutcome {
    pub fn complete(&self) -> bool {
        self.loaded == self.target
    }
}

/// Sizes in bytes as DynamoDB bills them (attribute names plus values; an index entry adds 100).
pub struct ItemSizes {
    pub item: usize,
    pub index_entry: usize,
}

#[derive(Default)]
struct CountingNotifier {
    messages: AtomicUsize,
}

#[async_trait]
impl Notifier for CountingNotifier {
    async fn send(&self, _message: &SlackMessage) -> Result<(), NotifyError> {
        self.messages.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

fn now() -> DateTime<Utc> {
    monday()
}

fn is_due(i: usize) -> bool {
    i % DUE_EVERY == 0
}

/// Job `i` as heartbeat's pulse write leaves it, after the monitor has looked at it once.
pub fn pulse_item(i: usize, mix: Mix) -> HashMap<String, AttributeValue> {
    let key = key(i);
    let id = key.id();
    let last = if is_due(i) {
        now() - TimeDelta::days(10)
    } else {
        now() - TimeDelta::hours(1)
    };
    let s = |v: &str| AttributeValue::S(v.to_owned());
    let n = |v: i64| AttributeValue::N(v.to_string());
    let mut due_at = last + TimeDelta::days(1);
    let mut item = HashMap::from([
        (item::ID.to_owned(), s(id.as_str())),
        (item::HOST.to_owned(), s(&key.host)),
        (item::CATEGORY.to_owned(), s(&key.category)),
        (item::TYPE.to_owned(), s(&key.kind)),
        (item::NAME.to_owned(), s(&key.name)),
        (item::TIMESTAMP.to_owned(), s(&format_stamp(last))),
        (item::THRESHOLD.to_owned(), s("24")),
        (item::SATURDAY.to_owned(), s("0")),
        (item::TZ.to_owned(), s("UTC")),
        (
            item::FIRST_SEEN.to_owned(),
            s(&format_stamp(last - TimeDelta::days(30))),
        ),
        (item::PULSE_COUNT.to_owned(), n(30 + (i % 500) as i64)),
        (item::DUE_SHARD.to_owned(), s(&shard_of(&id))),
    ]);
    if mix == Mix::Mixed {
        let mut set = |name: &str, value: AttributeValue| item.insert(name.to_owned(), value);
        match (i / DUE_EVERY) % 5 {
            0 => {}
            1 => {
                set(item::CALENDARS, AttributeValue::L(vec![s(CALENDAR)]));
            }
            2 => {
                set(item::WORKDAYS, s("Mon-Fri"));
                set(item::HOURS, s("08:00-18:00"));
                // 24 h of 10-hour days from Monday 08:00: late after Wednesday 12:00.
                if !is_due(i) {
                    due_at = now() + TimeDelta::hours(51);
                }
            }
            3 => {
                set(item::SCHEDULE, s("0 2 * * *"));
                set(item::GRACE, s("0.5"));
                // The next slot, Tuesday 02:00, plus the grace.
                if !is_due(i) {
                    due_at = now() + TimeDelta::minutes(17 * 60 + 30);
                }
            }
            _ if is_due(i) => {
                set(item::WORKDAYS, s("all"));
            }
            _ => {
                let until = now() + TimeDelta::hours(2);
                set(item::SNOOZED_UNTIL, s(&format_stamp(until)));
                due_at = until;
            }
        }
    }
    item.insert(item::DUE_AT.to_owned(), n(due_at.timestamp_millis()));
    item
}

fn attribute_size(name: &str, value: &AttributeValue) -> usize {
    name.len()
        + match value {
            AttributeValue::S(s) => s.len(),
            // DynamoDB: about one byte per two significant digits, plus one.
            AttributeValue::N(n) => n.trim_start_matches('-').len().div_ceil(2) + 1,
            _ => 0,
        }
}

/// The billed size of a non-due item and of its index entry (keys only).
pub fn item_sizes() -> ItemSizes {
    let item = pulse_item(1, Mix::Plain);
    let total = item.iter().map(|(k, v)| attribute_size(k, v)).sum();
    let keys = [item::ID, item::DUE_SHARD, item::DUE_AT];
    let index_entry = item
        .iter()
        .filter(|(k, _)| keys.contains(&k.as_str()))
        .map(|(k, v)| attribute_size(k, v))
        .sum::<usize>()
        + 100;
    ItemSizes {
        item: total,
        index_entry,
    }
}

pub async fn run(plan: &Plan) -> Result<Vec<SizeOutcome>, String> {
    let mut outcomes = Vec::new();
    let runs = plan.sizes.iter().map(|&n| (n, Mix::Plain));
    for (size, mix) in runs.chain(plan.mixed_sizes.iter().map(|&n| (n, Mix::Mixed))) {
        // A fresh dynalite per size: nothing of the previous size is in memory or in the way.
        let dynalite = Dynalite::start().await;
        outcomes.push(measure(&dynalite, size, mix, plan).await?);
    }
    Ok(outcomes)
}

async fn measure(dynalite: &Dynalite, size: usize, mix: Mix, plan: &Plan) -> Result<SizeOutcome, String> {
    let table = dynalite.fresh_table().await;
    let client = dynalite.client();
    eprintln!("  monitor: loading {size} items ({mix:?}) into dynalite …");
    let started = Instant::now();
    let loaded = load(&client, &table, size, plan.load_limit, mix).await?;
    let load = started.elapsed();
    let due = (0..loaded).filter(|&i| is_due(i)).count();
    let store = DynamoStore::new(client.clone(), table.clone());
    // The config table (`{table}-config`, the store's default): the calendar the mixed pulses follow.
    let calendars = DynamoConfig::new(client.clone(), store.config_table());
    ensure_config_table(&client, store.config_table())
        .await
        .map_err(|e| e.to_string())?;
    if mix == Mix::Mixed {
        let dates = ["2026-11-26", "2026-12-24", "2026-12-25", "2026-12-31"];
        let calendar = HolidayCalendar {
            name: CalendarName::parse(CALENDAR).map_err(|e| e.to_string())?,
            dates: dates.iter().map(|d| d.parse().expect("a date")).collect(),
            updated_at: now(),
        };
        calendars.put_calendar(&calendar).await.map_err(|e| e.to_string())?;
    }
    let err = |e: heartbeat_shared::store::StoreError| e.to_string();

    let mut query_times = Vec::new();
    let mut query = None;
    for _ in 0..plan.repeats {
        let (listing, m) = counted(&store, || async {
            let ids = store.due(now()).await?;
            store.fetch(&ids).await
        })
        .await;
        let listing = listing.map_err(err)?;
        if listing.pulses.len() != due {
            return Err(format!(
                "the due index gave {} pulses, {due} are due",
                listing.pulses.len()
            ));
        }
        query_times.push(m.wall_ms);
        query = Some(m);
    }
    let query = with_median(query.ok_or("no repeats")?, &query_times);

    let (swept, sweep) = counted(&store, || store.unindexed(sweep_slice(now()))).await;
    let swept = swept.map_err(err)?;
    if !swept.pulses.is_empty() {
        return Err(format!(
            "the sweep found {} items outside the index",
            swept.pulses.len()
        ));
    }
    // A Scan is billed by the size of what it read, in 4 KB units, half for an eventually
    // consistent read (the default): the items of one segment, of this size each.
    let sweep_read_units = ((sweep.items_swept * item_sizes().item) as f64 / 4096.0).ceil() / 2.0;

    let mut scan_times = Vec::new();
    let mut scan = None;
    let mut scanned_pulses = 0;
    for _ in 0..plan.repeats {
        let (listing, m) = counted(&store, || store.list()).await;
        scanned_pulses = listing.map_err(err)?.pulses.len();
        scan_times.push(m.wall_ms);
        scan = Some(m);
    }
    let scan = with_median(scan.ok_or("no repeats")?, &scan_times);

    let dashboard_ms = if size == 10_000 {
        Some(dashboard_on(&store).await?)
    } else {
        None
    };

    let config = config();
    let notifier = CountingNotifier::default();
    let deps = MonitorDeps {
        ledger: &store,
        notifier: &notifier,
        config: &config,
        calendars: Some(&calendars),
        channels: None,
    };
    let config_before = calendars.requests();
    let (summary, run) = counted(&store, || monitor::run(&deps, now(), None, "bench-run", false)).await;
    let summary = summary.map_err(err)?;
    let messages = notifier.messages.load(Ordering::Relaxed);
    let later = now() + TimeDelta::minutes(5);
    let config_between = calendars.requests();
    let (idle, idle_run) = counted(&store, || monitor::run(&deps, later, None, "bench-run-2", false)).await;
    let config_requests = (config_between - config_before, calendars.requests() - config_between);
    let idle = idle.map_err(err)?;
    if idle.checked != 0 {
        return Err(format!("a second run found work: {idle:?}"));
    }
    Ok(SizeOutcome {
        target: size,
        mix,
        config_requests,
        loaded,
        load,
        due,
        query,
        sweep,
        sweep_read_units,
        run,
        summary,
        messages,
        idle_run,
        scan,
        scanned_pulses,
        dashboard_ms,
    })
}

fn with_median(last: Measure, times: &[f64]) -> Measure {
    Measure {
        wall_ms: median(times).unwrap_or(f64::NAN),
        repeats: times.len(),
        ..last
    }
}

async fn counted<T, F: Future<Output = T>>(store: &DynamoStore, op: impl FnOnce() -> F) -> (T, Measure) {
    let before: StoreStats = store.stats();
    let started = Instant::now();
    let out = op().await;
    let wall_ms = millis(started.elapsed());
    let after = store.stats();
    let m = Measure {
        requests: after.requests - before.requests,
        items_read: after.items_read - before.items_read,
        items_swept: after.items_swept - before.items_swept,
        wall_ms,
        repeats: 1,
    };
    (out, m)
}

/// The dashboard handler on the DynamoDB store: the Scan and the render, as the Lambda does it.
async fn dashboard_on(store: &DynamoStore) -> Result<f64, String> {
    let config = config();
    let req = lambda_http::http::Request::builder()
        .uri(format!("/heartbeat/dashboard?secret={SECRET}"))
        .body(Body::Empty)
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let res = handlers::dashboard(req, store, &config, now()).await;
    let elapsed = millis(started.elapsed());
    if res.status() != 200 {
        return Err(format!("the dashboard answered {}", res.status()));
    }
    Ok(elapsed)
}

/// Writes items `0..n` (in batches of 25, `IN_FLIGHT` at a time) until done or `limit` is reached;
/// returns how many were written, always a prefix `0..loaded`.
pub async fn load(client: &Client, table: &str, n: usize, limit: Duration, mix: Mix) -> Result<usize, String> {
    let started = Instant::now();
    let mut in_flight = JoinSet::new();
    let mut next = 0;
    let mut written = 0;
    let mut last_report = Instant::now();
    loop {
        while next < n && in_flight.len() < IN_FLIGHT && started.elapsed() < limit {
            let end = (next + BATCH).min(n);
            let (client, table) = (client.clone(), table.to_owned());
            let range = next..end;
            in_flight.spawn(async move {
                write_batch(&client, &table, range.clone(), mix)
                    .await
                    .map(|()| range.len())
            });
            next = end;
        }
        match in_flight.join_next().await {
            None => break,
            Some(joined) => written += joined.map_err(|e| e.to_string())??,
        }
        if last_report.elapsed() > Duration::from_secs(15) {
            let rate = written as f64 / started.elapsed().as_secs_f64();
            eprintln!("  monitor: {written} of {n} items loaded ({rate:.0}/s)");
            last_report = Instant::now();
        }
    }
    Ok(written)
}

async fn write_batch(client: &Client, table: &str, range: std::ops::Range<usize>, mix: Mix) -> Result<(), String> {
    let mut requests: Vec<WriteRequest> = range
        .map(|i| {
            let put = PutRequest::builder()
                .set_item(Some(pulse_item(i, mix)))
                .build()
                .map_err(|e| e.to_string())?;
            Ok(WriteRequest::builder().put_request(put).build())
        })
        .collect::<Result<_, String>>()?;
    for attempt in 0..10 {
        let out = client
            .batch_write_item()
            .request_items(table, requests)
            .send()
            .await
            .map_err(|e| format!("BatchWriteItem: {}", aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
        match out.unprocessed_items.and_then(|mut u| u.remove(table)) {
            Some(rest) if !rest.is_empty() => {
                requests = rest;
                tokio::time::sleep(Duration::from_millis(20 << attempt.min(5))).await;
            }
            _ => return Ok(()),
        }
    }
    Err("BatchWriteItem left items unprocessed ten times".into())
}
