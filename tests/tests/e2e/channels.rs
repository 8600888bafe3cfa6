//! Channels against real parts: the configuration store's contract on dynalite, per-channel delivery
//! with DynamoDB's conditional writes (one channel down for three runs, two overlapping runs), and
//! the email channel through SES v2 on moto in server mode.

use chrono::{DateTime, TimeZone as _, Utc};
use heartbeat_e2e::{Dynalite, Moto};
use heartbeat_shared::channels::ChannelTransport;
use heartbeat_shared::channels::{Channel, ChannelConfig, Digest, Occasion, Outcome, Routes, Transports};
use heartbeat_shared::config::Config;
use heartbeat_shared::model::{PulseKey, Threshold, Zone};
use heartbeat_shared::monitor::{self, ChannelDeps, MonitorDeps, Summary};
use heartbeat_shared::slack::LogNotifier;
use heartbeat_shared::store::config::schema::ensure_config_table;
use heartbeat_shared::store::config::{ChannelDirectory, DynamoConfig};
use heartbeat_shared::store::{DynamoStore, PulseReader, PulseReceipt, PulseRecorder};
use heartbeat_shared::testing::{Behaviour, Recorder};
use std::collections::HashMap;
use std::time::Duration;

/// The configuration store's contract, on dynalite: one fresh table per case.
mod contract {
    use heartbeat_e2e::Dynalite;
    use heartbeat_shared::store::config::DynamoConfig;
    use heartbeat_shared::store::config::schema::ensure_config_table;

    heartbeat_shared::config_contract!(async {
        let dynalite = Dynalite::start().await;
        let table = format!("{}-config", dynalite.fresh_table().await);
        ensure_config_table(&dynalite.client(), &table).await.unwrap();
        let store = DynamoConfig::new(dynalite.client(), table);
        (dynalite, store)
    });
}

fn thursday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 19, 9, 0, 0).unwrap()
}

fn friday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 9, 5, 0).unwrap()
}

fn receipt(name: &str, at: DateTime<Utc>) -> PulseReceipt {
    PulseReceipt {
        key: PulseKey::parse(Some("web-1"), Some("backup"), Some("db"), Some(name)).unwrap(),
        at,
        threshold: Threshold::parse("24").unwrap(),
        saturday: false,
        tz: Zone::UTC,
        message: None,
        metadata: None,
        expect: Default::default(),
    }
}

struct World {
    _dynalite: Dynalite,
    store: DynamoStore,
    directory: DynamoConfig,
    transport: Transports,
    config: Config,
}

impl World {
    async fn new() -> Self {
        let dynalite = Dynalite::start().await;
        let table = dynalite.fresh_table_with_history().await;
        let config_table = format!("{table}-config");
        ensure_config_table(&dynalite.client(), &config_table).await.unwrap();
        let vars = HashMap::from([("DASHBOARD_SECRET".to_owned(), "s3cret-s3cret-s3cret".to_owned())]);
        Self {
            store: DynamoStore::new(dynalite.client(), table),
            directory: DynamoConfig::new(dynalite.client(), config_table),
            transport: Transports::new(Duration::from_millis(500), None).unwrap(),
            config: Config::from_vars(&vars).unwrap(),
            _dynalite: dynalite,
        }
    }

    async fn run(&self, now: DateTime<Utc>, run_id: &str) -> Summary {
        let deps = MonitorDeps {
            ledger: &self.store,
            notifier: &LogNotifier,
            config: &self.config,
            calendars: None,
            channels: Some(ChannelDeps {
                directory: &self.directory,
                transport: &self.transport,
            }),
        };
        monitor::run(&deps, now, Some("https://hb.example/Prod"), run_id, false)
            .await
            .unwrap()
    }

    async fn add_webhook(&self, name: &str, recorder: &Recorder) {
        let config = ChannelConfig::Webhook {
            url: recorder.url_for("/hook"),
            secret: Some("s3cret".into()),
        };
        self.directory
            .put_channel(&Channel::parse(name, config).unwrap())
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn on_dynamodb_a_channel_down_for_three_runs_delivers_exactly_once_when_back() {
    let w = World::new().await;
    let good = Recorder::start(Behaviour::Respond(200)).await;
    let down = Recorder::start(Behaviour::Respond(502)).await;
    w.add_webhook("good", &good).await;
    w.add_webhook("down", &down).await;
    let routes: Routes = serde_json::from_str(r#"{"routes":[{"match":"*","channels":["good","down"]}]}"#).unwrap();
    w.directory.put_routes(&routes).await.unwrap();
    w.store.record_pulse(&receipt("nightly", thursday())).await.unwrap();
    let id = receipt("nightly", thursday()).key.id();
    let before = w.directory.requests();
    for run in 0..3 {
        let summary = w
            .run(friday() + chrono::TimeDelta::minutes(run), &format!("run-{run}"))
            .await;
        assert_eq!(
            (summary.delivery_failures, summary.notified),
            (1, 0),
            "run {run}: {summary:?}"
        );
        assert_eq!(good.requests().len(), 1, "run {run}: the working channel once");
        assert_eq!(down.requests().len(), run as usize + 1);
    }
    // Two reads of the configuration per run with news (channels, routes): nothing else.
    assert_eq!(w.directory.requests() - before, 6);
    down.set_behaviour(Behaviour::Respond(200));
    let summary = w.run(friday() + chrono::TimeDelta::minutes(3), "run-3").await;
    assert_eq!((summary.messages_sent, summary.notified), (1, 1), "{summary:?}");
    assert_eq!((good.requests().len(), down.requests().len()), (1, 4));
    let p = w.store.get(&id).await.unwrap().unwrap();
    assert!(
        p.alert.is_some() && p.delivered.is_empty() && p.claim.is_none(),
        "{p:?}"
    );
    // Nothing more for this incident, however many runs.
    for run in 4..6 {
        let summary = w
            .run(friday() + chrono::TimeDelta::minutes(run), &format!("run-{run}"))
            .await;
        assert_eq!(summary.messages_sent, 0);
    }
    assert_eq!((good.requests().len(), down.requests().len()), (1, 4));
}

#[tokio::test]
async fn on_dynamodb_steps_through_a_named_webhook_are_in_the_history_naming_it() {
    use heartbeat_shared::store::EventLog;
    let w = World::new().await;
    let ops = Recorder::start(Behaviour::Respond(200)).await;
    w.add_webhook("ops", &ops).await;
    let routes: Routes =
        serde_json::from_str(r#"{"routes":[{"match":"host","value":"web-1","channels":["ops"]}]}"#).unwrap();
    w.directory.put_routes(&routes).await.unwrap();
    w.store.record_pulse(&receipt("nightly", thursday())).await.unwrap();
    assert_eq!(w.run(friday(), "alert").await.notified, 1);
    let back = friday() + chrono::TimeDelta::minutes(20);
    w.store.record_pulse(&receipt("nightly", back)).await.unwrap();
    assert_eq!(
        w.run(back + chrono::TimeDelta::minutes(1), "recovery").await.notified,
        1
    );
    let occasions: Vec<String> = ops
        .requests()
        .iter()
        .map(|r| r.json.as_ref().unwrap()["occasion"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(occasions, ["alert", "recovery"], "the webhook carried both");
    let id = receipt("nightly", thursday()).key.id();
    let page = w
        .store
        .events(&id, None, 100, back + chrono::TimeDelta::hours(1))
        .await
        .unwrap();
    let mut steps: Vec<(&str, Option<&str>, Option<&str>)> = page
        .events
        .iter()
        .map(|e| {
            (
                e.event.kind.name(),
                e.event.incident.as_deref(),
                e.event.message.as_deref(),
            )
        })
        .filter(|(kind, ..)| ["opened", "alerted", "recovered"].contains(kind))
        .collect();
    steps.sort_by_key(|(kind, ..)| ["opened", "alerted", "recovered"].iter().position(|k| k == kind));
    assert_eq!(
        steps,
        [
            ("opened", Some("late"), None),
            ("alerted", Some("late"), Some("sent to ops")),
            ("recovered", Some("late"), Some("sent to ops")),
        ]
    );
}

#[tokio::test]
async fn on_dynamodb_overlapping_runs_deliver_each_channel_once() {
    let w = World::new().await;
    let a = Recorder::start(Behaviour::Respond(200)).await;
    let b = Recorder::start(Behaviour::Respond(200)).await;
    w.add_webhook("a", &a).await;
    w.add_webhook("b", &b).await;
    let routes: Routes = serde_json::from_str(r#"{"routes":[{"match":"*","channels":["a","b"]}]}"#).unwrap();
    w.directory.put_routes(&routes).await.unwrap();
    for n in 0..5 {
        w.store
            .record_pulse(&receipt(&format!("job-{n}"), thursday()))
            .await
            .unwrap();
    }
    // Four runs at the same instant, racing for the same claims.
    let (s1, s2, s3, s4) = tokio::join!(
        w.run(friday(), "race-1"),
        w.run(friday(), "race-2"),
        w.run(friday(), "race-3"),
        w.run(friday(), "race-4")
    );
    let notified = s1.notified + s2.notified + s3.notified + s4.notified;
    assert_eq!(notified, 5, "{s1:?} {s2:?} {s3:?} {s4:?}");
    let named = |r: &Recorder| -> usize {
        r.requests()
            .iter()
            .map(|q| q.json.as_ref().unwrap()["incidents"].as_array().unwrap().len())
            .sum()
    };
    assert_eq!((named(&a), named(&b)), (5, 5), "each pulse named once per channel");
}

#[tokio::test]
async fn email_goes_through_ses_v2_on_moto_once_the_identity_is_verified() {
    let moto = Moto::start();
    let ses = moto.ses();
    let transport = Transports::new(Duration::from_secs(5), Some(ses.clone())).unwrap();
    let channel = Channel::parse(
        "mail",
        ChannelConfig::Email {
            to: vec!["ops@example.com".into(), "oncall@example.com".into()],
            from: "heartbeat@example.com".into(),
        },
    )
    .unwrap();
    let digest = Digest {
        occasion: Occasion::Alert,
        incidents: vec![],
        dashboard_url: None,
        at: friday(),
        zone: Zone::UTC,
    };
    // Not verified yet: SES refuses the sender, which is a configuration to fix, not a retry.
    let refused = transport.deliver(&channel, &digest).await;
    assert!(
        matches!(refused, Outcome::Misconfigured(ref why) if why.contains("SES")),
        "{refused:?}"
    );
    ses.create_email_identity()
        .email_identity("heartbeat@example.com")
        .send()
        .await
        .expect("moto creates (and verifies) the identity");
    for occasion in [Occasion::Alert, Occasion::Reminder, Occasion::Recovery, Occasion::Test] {
        let digest = Digest {
            occasion,
            ..digest.clone()
        };
        assert_eq!(
            transport.deliver(&channel, &digest).await,
            Outcome::Delivered,
            "{occasion:?}"
        );
    }
}
