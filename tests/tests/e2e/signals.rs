//! Signals end to end on dynalite: the routes and answers through the local runtime, a failure in
//! Slack at the next scheduled monitor run, and the races of issue 10 — a start and a success of the
//! same run out of order, a failure landing while the monitor decides the pulse is late, and two
//! monitor runs at once over failures (each alerted once).

use crate::common::stale::{receipt, stale_pulse};
use chrono::{DateTime, TimeDelta, Utc};
use heartbeat_e2e::{Behaviour, Dynalite, LocalRuntime, SlackRecorder, original_id};
use heartbeat_shared::config::Config;
use heartbeat_shared::model::{Claim, MaxRuntime, PulseId, Signal, SignalKind, format_stamp};
use heartbeat_shared::monitor::{self, MonitorDeps, Summary};
use heartbeat_shared::rules::signals;
use heartbeat_shared::slack::{Notifier, NotifyError, SlackMessage};
use heartbeat_shared::store::{DynamoStore, Expectation, Held, IncidentLedger, PulseReader, PulseRecorder};
use serde_json::Value;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);
const KEY: &str = "host=db-1&category=backup&type=cron&name=export";

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

#[tokio::test]
async fn a_failure_reported_by_a_job_is_in_slack_at_the_next_scheduled_run() {
    let dynalite = Dynalite::start().await;
    let slack = SlackRecorder::start(Behaviour::Respond(200)).await;
    let rt = LocalRuntime::start(&dynalite, &[("SLACK_WEBHOOK_URL", &slack.url())]).await;
    let http = rt.http();

    let start = http.get(rt.url(&format!("pulse/start?{KEY}"))).send().await.unwrap();
    assert_eq!(
        (start.status().as_u16(), start.text().await.unwrap()),
        (200, "Started".to_owned())
    );
    let log = "dumping tables\n<script>alert(1)</script>\npg_dump: error: connection refused\n";
    let failed = http
        .post(rt.url(&format!("pulse/fail?{KEY}&exit=3&message=export%20failed")))
        .header("content-type", "text/plain")
        .body(log)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (failed.status().as_u16(), failed.text().await.unwrap()),
        (200, "Failure recorded".to_owned())
    );
    let bad = http.get(rt.url(&format!("pulse?{KEY}&exit=300"))).send().await.unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    assert!(bad.text().await.unwrap().contains("exit"));

    // The next scheduled run (every minute on the default deploy), within the 24 h threshold.
    let summary = rt.scheduled_run().await.expect("a scheduled run");
    assert_eq!(summary["newly_exceeded"], Value::from(1), "{summary}");
    let requests = slack.wait_for(1, WAIT).await;
    assert_eq!(requests.len(), 1);
    let text = requests[0]
        .json
        .as_ref()
        .and_then(|j| j["text"].as_str())
        .unwrap()
        .to_owned();
    assert!(
        text.starts_with(":x: 1 job failed\n• db-1 / backup / cron / export — failed with exit code 3 after "),
        "{text}"
    );
    assert!(text.contains("\n> export failed\n```\ndumping tables\n&lt;script&gt;alert(1)&lt;/script&gt;\npg_dump: error: connection refused\n```"), "{text}");

    // Once: the next run says nothing; a success recovers it.
    rt.scheduled_run().await.expect("a scheduled run");
    let ok = http.get(rt.url(&format!("pulse?{KEY}&exit=0"))).send().await.unwrap();
    assert_eq!(ok.text().await.unwrap(), "Successful Heartbeat Pulse");
    rt.scheduled_run().await.expect("a scheduled run");
    let requests = slack.wait_for(2, WAIT).await;
    assert_eq!(requests.len(), 2, "{requests:?}");
    let recovery = requests[1].json.as_ref().and_then(|j| j["text"].as_str()).unwrap();
    assert!(
        recovery.contains("recovered") && recovery.contains("succeeded again"),
        "{recovery}"
    );
    let item = rt.item(&original_id("db-1", "backup", "cron", "export")).await.unwrap();
    assert!(
        !item.contains_key("failingSince") && !item.contains_key("alertFor"),
        "{item:?}"
    );
}

fn config() -> Config {
    let vars = HashMap::from([("DASHBOARD_SECRET".to_owned(), "signals-secret-4411".to_owned())]);
    Config::from_vars(&vars).expect("a valid configuration")
}

#[derive(Default)]
struct Messages(Mutex<Vec<String>>);

impl Notifier for Messages {
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
            tokio::time::sleep(Duration::from_millis(5)).await;
            self.0.lock().unwrap().push(message.text.clone());
            Ok(())
        })
    }
}

async fn run(store: &DynamoStore, notifier: &Messages, run_id: &str) -> Summary {
    run_at(store, notifier, run_id, Utc::now()).await
}

/// A monitor run at `now`.
async fn run_at(store: &DynamoStore, notifier: &Messages, run_id: &str, now: DateTime<Utc>) -> Summary {
    let config = config();
    let deps = MonitorDeps {
        ledger: store,
        notifier,
        config: &config,
        calendars: None,
        channels: None,
    };
    monitor::run(&deps, now, None, run_id, false)
        .await
        .expect("a monitor run")
}

fn failure(exit: u8) -> Signal {
    Signal {
        kind: SignalKind::Failure,
        exit: Some(exit),
        ..Signal::success()
    }
}

#[tokio::test]
async fn a_start_arriving_after_the_success_of_its_run_leaves_the_job_finished() {
    let dynalite = Dynalite::start().await;
    let store = DynamoStore::new(dynalite.client(), dynalite.fresh_table().await);
    let now = Utc::now();
    let success = Signal {
        rid: Some("run-42".into()),
        duration: Some(TimeDelta::seconds(30)),
        ..Signal::success()
    };
    let start = Signal {
        kind: SignalKind::Start,
        rid: Some("run-42".into()),
        max_runtime: Some(MaxRuntime::parse("0.0001").unwrap()),
        ..Signal::success()
    };
    // The success overtakes its own start (retries, two paths through the network).
    store
        .record_signal(&receipt("db-1", "job", now), &success)
        .await
        .unwrap();
    store
        .record_signal(&receipt("db-1", "job", now + TimeDelta::milliseconds(50)), &start)
        .await
        .unwrap();
    let id = PulseId::parse(&original_id("db-1", "backup", "cron", "job")).unwrap();
    let pulse = store.get(&id).await.unwrap().unwrap();
    assert!(!signals::is_running(&pulse.run), "{:?}", pulse.run);
    assert_eq!(signals::last_duration(&pulse.run), Some(TimeDelta::seconds(30)));
    // A run well past the (tiny, 0.36 s) max runtime: no overrun.
    let notifier = Messages::default();
    let summary = run_at(&store, &notifier, "run-order", now + TimeDelta::seconds(1)).await;
    assert_eq!(summary.messages_sent, 0, "{summary:?} {:?}", notifier.0.lock().unwrap());
}

#[tokio::test]
async fn a_failure_landing_while_the_monitor_decides_late_makes_one_incident_the_failure() {
    let dynalite = Dynalite::start().await;
    let store = DynamoStore::new(dynalite.client(), dynalite.fresh_table().await);
    let id = PulseId::parse(&stale_pulse(&store, "db-1", "nightly").await).unwrap();
    // A run has read the pulse and decided it is late...
    let seen = store.get(&id).await.unwrap().unwrap();
    let late = Expectation::Alert {
        stamp: seen.stamp.clone(),
    };
    // ...when the job's failure lands; the run's claim, made after, fails.
    let now = Utc::now();
    store
        .record_signal(&receipt("db-1", "nightly", now), &failure(2))
        .await
        .unwrap();
    let claim = Claim {
        run: "run-late".into(),
        until: now + TimeDelta::minutes(5),
    };
    assert_eq!(store.claim(&id, &late, &claim, now).await.unwrap(), Held::No);
    // The next run alerts one incident: the failure.
    let notifier = Messages::default();
    let summary = run(&store, &notifier, "run-next").await;
    assert_eq!((summary.newly_exceeded, summary.messages_sent), (1, 1), "{summary:?}");
    let messages = notifier.0.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].starts_with(":x: 1 job failed"), "{messages:?}");
    let pulse = store.get(&id).await.unwrap().unwrap();
    assert_eq!(
        pulse.alert.map(|a| a.for_stamp),
        Some(format!("failed@{}", format_stamp(pulse.run.failing_since.unwrap())))
    );
    let summary = run(&store, &notifier, "run-after").await;
    assert_eq!(summary.messages_sent, 0, "{summary:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_monitor_runs_at_once_alert_each_failure_exactly_once() {
    const ROUNDS: usize = 12;
    let dynalite = Dynalite::start().await;
    let store = DynamoStore::new(dynalite.client(), dynalite.fresh_table().await);
    let notifier = Messages::default();
    let mut contested = 0;
    for round in 0..ROUNDS {
        let name = format!("failing-{round:02}");
        store
            .record_signal(&receipt("db-1", &name, Utc::now()), &failure(1))
            .await
            .unwrap();
        let (run_a, run_b) = (format!("run-{round}-a"), format!("run-{round}-b"));
        let (a, b) = tokio::join!(run(&store, &notifier, &run_a), run(&store, &notifier, &run_b));
        assert_eq!(a.notified + b.notified, 1, "round {round}: {a:?} / {b:?}");
        assert_eq!((a.store_errors, b.store_errors), (0, 0), "round {round}");
        contested += usize::from(a.newly_exceeded + b.newly_exceeded == 2);
    }
    eprintln!(
        "FIGURE overlapping monitor runs over failures: {contested} of {ROUNDS} rounds contested, each alerted once"
    );
    let messages = notifier.0.lock().unwrap().clone();
    assert_eq!(messages.len(), ROUNDS, "{messages:#?}");
    for round in 0..ROUNDS {
        let name = format!("failing-{round:02}");
        assert_eq!(messages.iter().filter(|m| m.contains(&name)).count(), 1, "{name}");
    }
}
