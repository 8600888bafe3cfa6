//! Races against a real dynalite: many pulses at once to one item and to many, pulses arriving out of
//! order, a pulse landing while the monitor decides or delivers, and monitor runs overlapping. Every
//! pulse must be counted, the newest time must win, and every incident must be alerted exactly once.

use crate::common::stale::{receipt, stale_pulse};
use chrono::{DateTime, TimeDelta, Utc};
use heartbeat_e2e::{AttributeValue, Dynalite, LocalRuntime, original_id, s_attr};
use heartbeat_shared::config::Config;
use heartbeat_shared::model::{Alert, Claim, PulseId, format_stamp, parse_stamp};
use heartbeat_shared::monitor::{self, MonitorDeps, Summary};
use heartbeat_shared::slack::{Notifier, NotifyError, SlackMessage};
use heartbeat_shared::store::{
    DynamoStore, Expectation, Held, IncidentLedger, Listing, PulseReceipt, PulseRecorder, Reschedule, Slice, StoreError,
};
use reqwest::StatusCode;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

const BASE_URL: &str = "http://heartbeat.test";

/// What `#[async_trait]` turns an `async fn` of the store and notifier traits into; this package does
/// not depend on the macro, so the two test doubles below spell it out.
type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

fn config() -> Config {
    let vars = HashMap::from([("DASHBOARD_SECRET".to_owned(), "races-secret-90d1".to_owned())]);
    Config::from_vars(&vars).expect("a valid configuration")
}

/// The product's store over a fresh table, and that table's name (the store keeps it to itself).
async fn store(dynalite: &Dynalite) -> (DynamoStore, String) {
    let table = dynalite.fresh_table().await;
    (DynamoStore::new(dynalite.client(), table.clone()), table)
}

async fn item(store: &DynamoStore, table: &str, id: &str) -> HashMap<String, AttributeValue> {
    store
        .client()
        .get_item()
        .table_name(table)
        .key("_id", AttributeValue::S(id.to_owned()))
        .consistent_read(true)
        .send()
        .await
        .expect("GetItem")
        .item
        .unwrap_or_else(|| panic!("no item {id}"))
}

fn pulse_count(item: &HashMap<String, AttributeValue>) -> u64 {
    match item.get("pulseCount") {
        Some(AttributeValue::N(n)) => n.parse().expect("a number"),
        other => panic!("pulseCount is {other:?} in {item:?}"),
    }
}

/// `at` cut to the millisecond, as `timestampF` stores it.
fn to_millis(at: DateTime<Utc>) -> DateTime<Utc> {
    parse_stamp(&format_stamp(at)).expect("a stamp we formatted")
}

// ---------------------------------------------------------------------------------------------
// Concurrent pulses through the local runtime.
// ---------------------------------------------------------------------------------------------

/// When one pulse was sent and answered, by the test's clock.
struct Sent {
    index: usize,
    started: DateTime<Utc>,
    answered: DateTime<Utc>,
    status: StatusCode,
}

/// Sends `total` GET pulses with `concurrency` workers sharing one keep-alive client; pulse `i` goes
/// to host `hosts(i)`. Returns every pulse's timing and status.
async fn pulse_concurrently(
    rt: &LocalRuntime,
    total: usize,
    concurrency: usize,
    host: impl Fn(usize) -> String + Send + Sync + 'static,
) -> Vec<Sent> {
    let next = Arc::new(AtomicUsize::new(0));
    let host = Arc::new(host);
    let mut workers = JoinSet::new();
    for _ in 0..concurrency {
        let (http, url, next, host) = (rt.http().clone(), rt.url("pulse"), next.clone(), host.clone());
        workers.spawn(async move {
            let mut sent = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return sent;
                }
                let host = host(i);
                let query = [
                    ("host", host.as_str()),
                    ("category", "backup"),
                    ("type", "cron"),
                    ("name", "nightly"),
                ];
                let started = Utc::now();
                let url = reqwest::Url::parse_with_params(&url, &query).expect("a URL");
                let status = match http.get(url).send().await {
                    Ok(response) => response.status(),
                    Err(err) => panic!("pulse {i} got no answer: {err}"),
                };
                sent.push(Sent {
                    index: i,
                    started,
                    answered: Utc::now(),
                    status,
                });
            }
        });
    }
    let mut all = Vec::with_capacity(total);
    while let Some(sent) = workers.join_next().await {
        all.extend(sent.expect("a pulse worker panicked"));
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_pulses_to_one_id_are_all_counted_and_the_newest_time_wins() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let started = Instant::now();
    let sent = pulse_concurrently(&rt, 200, 32, |_| "web-1".to_owned()).await;
    eprintln!(
        "FIGURE 200 pulses to one id at concurrency 32 in {:?}",
        started.elapsed()
    );

    let refused: Vec<_> = sent
        .iter()
        .filter(|s| s.status != StatusCode::OK)
        .map(|s| s.status)
        .collect();
    assert!(refused.is_empty(), "pulses not answered 200: {refused:?}");
    let item = rt
        .item(&original_id("web-1", "backup", "cron", "nightly"))
        .await
        .expect("the item");
    assert_eq!(pulse_count(&item), 200, "{item:?}");
    assert_eq!(rt.scan_count().await, 1);

    // Each pulse's time lies between its sending and its answer, so the newest of them is at least the
    // latest sending time; and none is later than the last answer.
    let stamp = parse_stamp(s_attr(&item, "timestampF")).expect("a stamp");
    let last_sent = sent.iter().map(|s| s.started).max().expect("pulses");
    let last_answer = sent.iter().map(|s| s.answered).max().expect("pulses");
    assert!(
        stamp >= to_millis(last_sent),
        "timestampF {stamp} is older than the last pulse sent at {last_sent}: an older pulse won"
    );
    assert!(
        stamp <= last_answer,
        "timestampF {stamp} is after the last answer {last_answer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_pulses_to_twenty_ids_are_all_counted_per_id() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let sent = pulse_concurrently(&rt, 400, 32, |i| format!("web-{:02}", i % 20)).await;
    assert!(sent.iter().all(|s| s.status == StatusCode::OK));
    assert_eq!(rt.scan_count().await, 20);
    for n in 0..20 {
        let host = format!("web-{n:02}");
        let item = rt
            .item(&original_id(&host, "backup", "cron", "nightly"))
            .await
            .expect("the item");
        assert_eq!(pulse_count(&item), 20, "{host}: {item:?}");
        let stamp = parse_stamp(s_attr(&item, "timestampF")).expect("a stamp");
        let last_sent = sent
            .iter()
            .filter(|s| s.index % 20 == n)
            .map(|s| s.started)
            .max()
            .expect("pulses");
        assert!(
            stamp >= to_millis(last_sent),
            "{host}: timestampF {stamp} is older than its last pulse sent at {last_sent}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Out-of-order pulses, straight through the store.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_older_pulse_arriving_after_a_newer_one_is_counted_and_keeps_the_newer_time() {
    let dynalite = Dynalite::start().await;
    let (store, table) = store(&dynalite).await;
    let newer = Utc::now();
    let older = newer - TimeDelta::minutes(5);
    store
        .record_pulse(&receipt("web-1", "nightly", newer))
        .await
        .expect("the newer pulse");
    store
        .record_pulse(&receipt("web-1", "nightly", older))
        .await
        .expect("the older pulse");

    let id = original_id("web-1", "backup", "cron", "nightly");
    let item = item(&store, &table, &id).await;
    assert_eq!(pulse_count(&item), 2, "{item:?}");
    assert_eq!(s_attr(&item, "timestampF"), format_stamp(newer), "{item:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_shuffled_pulses_at_once_are_all_counted_and_the_newest_wins() {
    let dynalite = Dynalite::start().await;
    let (store, table) = store(&dynalite).await;
    let base = Utc::now() - TimeDelta::hours(1);
    let mut writers = JoinSet::new();
    // 37 and 100 are coprime: every offset once, in a scrambled order.
    for k in 0..100_i64 {
        let at = base + TimeDelta::milliseconds((k * 37) % 100 * 10);
        let store = store.clone();
        writers.spawn(async move { store.record_pulse(&receipt("web-1", "nightly", at)).await });
    }
    while let Some(result) = writers.join_next().await {
        result.expect("a writer panicked").expect("a pulse was refused");
    }
    let item = item(&store, &table, &original_id("web-1", "backup", "cron", "nightly")).await;
    assert_eq!(pulse_count(&item), 100, "{item:?}");
    let newest = base + TimeDelta::milliseconds(990);
    assert_eq!(s_attr(&item, "timestampF"), format_stamp(newest), "{item:?}");
}

// ---------------------------------------------------------------------------------------------
// Pulses landing inside a monitor run; overlapping runs.
// ---------------------------------------------------------------------------------------------

/// Records every message it is given and accepts it, as Slack would; `during_send` runs first,
/// once, to let something happen while the message is "on its way".
#[derive(Default)]
struct RecordingNotifier {
    messages: Mutex<Vec<String>>,
    /// A pulse to record through `store` inside the first `send`.
    during_send: Mutex<Option<(DynamoStore, PulseReceipt)>>,
    /// How long Slack takes to answer; widens the window of overlapping runs.
    latency: Duration,
}

impl RecordingNotifier {
    fn messages(&self) -> Vec<String> {
        self.messages.lock().expect("not poisoned").clone()
    }
}

impl Notifier for RecordingNotifier {
    fn send<'life0, 'life1, 'async_trait>(
        &'life0 self,
        message: &'life1 SlackMessage,
    ) -> BoxFuture<'async_trait, Result<(), NotifyError>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move {
            let pending = self.during_send.lock().expect("not poisoned").take();
            if let Some((store, receipt)) = pending {
                store.record_pulse(&receipt).await.expect("the pulse during delivery");
            }
            tokio::time::sleep(self.latency).await;
            self.messages.lock().expect("not poisoned").push(message.text.clone());
            Ok(())
        })
    }
}

/// The real store, except that reading the due pulses is followed, before the monitor can claim
/// anything, by a fresh pulse of `late` recorded through the same store: the pulse lands while the
/// monitor is deciding that it is stale.
struct PulseAfterListing {
    store: DynamoStore,
    late: Mutex<Option<PulseReceipt>>,
}

impl IncidentLedger for PulseAfterListing {
    fn due<'life0, 'async_trait>(
        &'life0 self,
        now: DateTime<Utc>,
    ) -> BoxFuture<'async_trait, Result<Vec<PulseId>, StoreError>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        self.store.due(now)
    }

    fn fetch<'life0, 'life1, 'async_trait>(
        &'life0 self,
        ids: &'life1 [PulseId],
    ) -> BoxFuture<'async_trait, Result<Listing, StoreError>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move {
            let listing = self.store.fetch(ids).await?;
            let late = self.late.lock().expect("not poisoned").take();
            if let Some(receipt) = late {
                self.store.record_pulse(&receipt).await?;
            }
            Ok(listing)
        })
    }

    fn unindexed<'life0, 'async_trait>(
        &'life0 self,
        slice: Slice,
    ) -> BoxFuture<'async_trait, Result<Listing, StoreError>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        self.store.unindexed(slice)
    }

    fn reschedule<'life0, 'life1, 'life2, 'async_trait>(
        &'life0 self,
        id: &'life1 PulseId,
        plan: &'life2 Reschedule,
    ) -> BoxFuture<'async_trait, Result<Held, StoreError>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        'life2: 'async_trait,
        Self: 'async_trait,
    {
        self.store.reschedule(id, plan)
    }

    fn claim<'life0, 'life1, 'life2, 'life3, 'async_trait>(
        &'life0 self,
        id: &'life1 PulseId,
        expect: &'life2 Expectation,
        claim: &'life3 Claim,
        now: DateTime<Utc>,
    ) -> BoxFuture<'async_trait, Result<Held, StoreError>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        'life2: 'async_trait,
        'life3: 'async_trait,
        Self: 'async_trait,
    {
        self.store.claim(id, expect, claim, now)
    }

    fn record_alert<'life0, 'life1, 'life2, 'life3, 'async_trait>(
        &'life0 self,
        id: &'life1 PulseId,
        run: &'life2 str,
        alert: &'life3 Alert,
        next_due: DateTime<Utc>,
    ) -> BoxFuture<'async_trait, Result<Held, StoreError>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        'life2: 'async_trait,
        'life3: 'async_trait,
        Self: 'async_trait,
    {
        self.store.record_alert(id, run, alert, next_due)
    }

    fn record_recovery<'life0, 'life1, 'life2, 'life3, 'async_trait>(
        &'life0 self,
        id: &'life1 PulseId,
        run: &'life2 str,
        alerted_stamp: &'life3 str,
        next_due: DateTime<Utc>,
    ) -> BoxFuture<'async_trait, Result<Held, StoreError>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        'life2: 'async_trait,
        'life3: 'async_trait,
        Self: 'async_trait,
    {
        self.store.record_recovery(id, run, alerted_stamp, next_due)
    }

    fn release<'life0, 'life1, 'life2, 'async_trait>(
        &'life0 self,
        id: &'life1 PulseId,
        run: &'life2 str,
    ) -> BoxFuture<'async_trait, Result<(), StoreError>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        'life2: 'async_trait,
        Self: 'async_trait,
    {
        self.store.release(id, run)
    }

    fn record_partial<'life0, 'life1, 'life2, 'life3, 'async_trait>(
        &'life0 self,
        id: &'life1 PulseId,
        run: &'life2 str,
        markers: &'life3 [String],
    ) -> BoxFuture<'async_trait, Result<Held, StoreError>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        'life2: 'async_trait,
        'life3: 'async_trait,
        Self: 'async_trait,
    {
        self.store.record_partial(id, run, markers)
    }
}

async fn run(ledger: &dyn IncidentLedger, notifier: &dyn Notifier, run_id: &str) -> Summary {
    let config = config();
    let deps = MonitorDeps {
        ledger,
        notifier,
        config: &config,
        calendars: None,
        channels: None,
    };
    monitor::run(&deps, Utc::now(), Some(BASE_URL), run_id, false)
        .await
        .expect("a monitor run")
}

#[tokio::test]
async fn a_pulse_landing_while_the_monitor_decides_it_is_stale_sends_no_alert() {
    let dynalite = Dynalite::start().await;
    let (store, table) = store(&dynalite).await;
    let id = stale_pulse(&store, "db-1", "nightly-dump").await;
    let ledger = PulseAfterListing {
        store: store.clone(),
        late: Mutex::new(Some(receipt("db-1", "nightly-dump", Utc::now()))),
    };
    let notifier = RecordingNotifier::default();

    let summary = run(&ledger, &notifier, "run-decides").await;
    // It was listed as stale and decided on, but the claim saw the new pulse.
    assert_eq!(summary.newly_exceeded, 1, "{summary:?}");
    assert_eq!(summary.skipped, 1, "{summary:?}");
    assert_eq!((summary.notified, summary.messages_sent), (0, 0), "{summary:?}");
    assert_eq!((summary.store_errors, summary.delivery_failures), (0, 0), "{summary:?}");
    assert!(
        notifier.messages().is_empty(),
        "a false alert: {:?}",
        notifier.messages()
    );
    let raw = item(&store, &table, &id).await;
    assert!(!raw.contains_key("alertFor"), "marked alerted: {raw:?}");
    assert!(!raw.contains_key("claimRun"), "left claimed: {raw:?}");
    assert_eq!(pulse_count(&raw), 2);

    // And later runs have nothing to say about it either.
    let summary = run(&store, &notifier, "run-after").await;
    assert_eq!((summary.newly_exceeded, summary.messages_sent), (0, 0), "{summary:?}");
    assert!(notifier.messages().is_empty(), "{:?}", notifier.messages());
}

#[tokio::test]
async fn a_pulse_landing_while_slack_takes_the_alert_gets_its_recovery_on_the_next_run() {
    let dynalite = Dynalite::start().await;
    let (store, table) = store(&dynalite).await;
    let id = stale_pulse(&store, "db-1", "nightly-dump").await;
    let notifier = RecordingNotifier {
        during_send: Mutex::new(Some((store.clone(), receipt("db-1", "nightly-dump", Utc::now())))),
        ..RecordingNotifier::default()
    };

    let summary = run(&store, &notifier, "run-alert").await;
    assert_eq!(
        (summary.newly_exceeded, summary.notified, summary.messages_sent),
        (1, 1, 1),
        "{summary:?}"
    );
    let messages = notifier.messages();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].contains("exceeded") && messages[0].contains("nightly-dump"),
        "{messages:?}"
    );
    let raw = item(&store, &table, &id).await;
    assert!(
        raw.contains_key("alertFor"),
        "the delivered alert is not recorded: {raw:?}"
    );
    assert_ne!(s_attr(&raw, "alertFor"), s_attr(&raw, "timestampF"), "{raw:?}");

    let summary = run(&store, &notifier, "run-recovery").await;
    assert_eq!(
        (summary.recovered, summary.notified, summary.messages_sent),
        (1, 1, 1),
        "{summary:?}"
    );
    let messages = notifier.messages();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[1].contains("recovered") && messages[1].contains("nightly-dump"),
        "{messages:?}"
    );
    assert!(messages[1].contains("pulsed again"), "{messages:?}");
    let raw = item(&store, &table, &id).await;
    assert!(!raw.contains_key("alertFor"), "{raw:?}");

    let summary = run(&store, &notifier, "run-quiet").await;
    assert_eq!(summary.messages_sent, 0, "{summary:?}");
    assert_eq!(notifier.messages().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_monitor_runs_at_once_alert_each_incident_exactly_once() {
    const ROUNDS: usize = 20;
    let dynalite = Dynalite::start().await;
    let (store, _) = store(&dynalite).await;
    let notifier = RecordingNotifier {
        latency: Duration::from_millis(5),
        ..RecordingNotifier::default()
    };
    let mut names = Vec::new();
    // Rounds in which both runs saw the incident and went for it: the claim alone decided.
    let mut contested = 0;
    for round in 0..ROUNDS {
        let name = format!("job-{round:02}");
        stale_pulse(&store, "db-1", &name).await;
        let (run_a, run_b) = (format!("run-{round}-a"), format!("run-{round}-b"));
        let (a, b) = tokio::join!(run(&store, &notifier, &run_a), run(&store, &notifier, &run_b));
        assert_eq!(a.notified + b.notified, 1, "round {round}: {a:?} / {b:?}");
        assert_eq!(a.messages_sent + b.messages_sent, 1, "round {round}: {a:?} / {b:?}");
        for summary in [&a, &b] {
            assert_eq!(
                (summary.store_errors, summary.delivery_failures),
                (0, 0),
                "round {round}: {summary:?}"
            );
        }
        contested += usize::from(a.newly_exceeded + b.newly_exceeded == 2);
        names.push(name);
    }
    eprintln!("FIGURE overlapping monitor runs: {contested} of {ROUNDS} rounds contested, every incident alerted once");
    assert!(contested > 0, "the runs never overlapped: this test proved nothing");
    let messages = notifier.messages();
    assert_eq!(messages.len(), ROUNDS, "{messages:#?}");
    for name in &names {
        let naming = messages.iter().filter(|text| text.contains(name.as_str())).count();
        assert_eq!(naming, 1, "{name} was alerted {naming} times: {messages:#?}");
    }
}
