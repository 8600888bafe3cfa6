//! Channels in the monitor: routing, one delivery per channel and incident, retries of a broken
//! channel without repeats to the working ones, a 4xx reported and not retried, a hanging channel
//! that delays no other, and PagerDuty resolving what it triggered — over the memory store and real
//! HTTP to recording servers.

use super::*;
use heartbeat_shared::channels::{Channel, ChannelConfig, ChannelName, Routes, Transports};
use heartbeat_shared::monitor::{self, ChannelDeps, Summary};
use heartbeat_shared::store::PulseReader;
use heartbeat_shared::store::config::{ChannelDirectory, MemoryConfig};
use heartbeat_shared::testing::{Behaviour, Recorder};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_millis(400);

struct Setup {
    world: World,
    directory: MemoryConfig,
    transport: Transports,
}

impl Setup {
    fn new() -> Self {
        Self {
            world: World::standard(),
            directory: MemoryConfig::new(),
            transport: Transports::new(TIMEOUT, None).unwrap(),
        }
    }

    async fn add(&self, name: &str, config: ChannelConfig) {
        self.directory
            .put_channel(&Channel::parse(name, config).unwrap())
            .await
            .unwrap();
    }

    async fn routes(&self, json: &str) {
        let routes: Routes = serde_json::from_str(json).unwrap();
        self.directory.put_routes(&routes).await.unwrap();
    }

    async fn run(&self, when: DateTime<Utc>) -> Summary {
        let channels = ChannelDeps {
            directory: &self.directory,
            transport: &self.transport,
        };
        monitor::run_routed(
            &self.world.deps(),
            Some(&channels),
            when,
            Some(BASE_URL),
            &format!("run-{}", when.timestamp()),
            false,
            None,
        )
        .await
        .unwrap()
    }

    async fn pulse_state(&self, name: &str) -> heartbeat_shared::model::Pulse {
        let id = PulseId::parse(&crate::support::sha256_id("web-1", "backup", "db", name)).unwrap();
        self.world.store.get(&id).await.unwrap().unwrap()
    }
}

fn webhook(recorder: &Recorder) -> ChannelConfig {
    ChannelConfig::Webhook {
        url: recorder.url_for("/hook"),
        secret: None,
    }
}

/// Friday 09:00 plus a little: the pulse of `thursday()` is exceeded.
fn friday() -> DateTime<Utc> {
    thursday() + hours(24) + minutes(5)
}

#[tokio::test]
async fn with_nothing_configured_the_default_webhook_gets_everything_as_before() {
    let s = Setup::new();
    s.world.pulse("nightly", thursday()).await;
    let summary = s.run(friday()).await;
    assert_eq!((summary.messages_sent, summary.notified), (1, 1));
    let sent = s.world.slack.delivered();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0]
            .text
            .starts_with(":rotating_light: 1 pulse exceeded its threshold"),
        "{}",
        sent[0].text
    );
    assert!(s.pulse_state("nightly").await.alert.is_some());
}

#[tokio::test]
async fn routes_send_each_pulse_to_its_channels_and_the_rest_to_the_default() {
    let s = Setup::new();
    let ops = Recorder::start(Behaviour::Respond(200)).await;
    s.add("ops", webhook(&ops)).await;
    s.routes(r#"{"routes":[{"match":"host","value":"web-1","channels":["ops"]}]}"#)
        .await;
    s.world.pulse("nightly", thursday()).await;
    // Another host: no route names it, so the default webhook has it.
    let res = handlers::pulse(
        get("/heartbeat/pulse?host=db-9&category=backup&type=db&name=other"),
        &s.world.store,
        &s.world.config,
        thursday(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let summary = s.run(friday()).await;
    assert_eq!(
        (summary.messages_sent, summary.notified, summary.delivery_failures),
        (2, 2, 0)
    );
    let hooks = ops.requests();
    assert_eq!(hooks.len(), 1);
    let body = hooks[0].json.as_ref().unwrap();
    assert_eq!(body["incidents"].as_array().unwrap().len(), 1);
    assert_eq!(body["incidents"][0]["name"], "nightly");
    assert_eq!(
        body["incidents"][0]["since"], "2026-11-20T09:00:00Z",
        "the instant it became overdue"
    );
    assert!(
        body["incidents"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://hb.example/Prod/heartbeat/pulses/")
    );
    let slack = s.world.slack.delivered();
    assert_eq!(slack.len(), 1);
    assert!(
        slack[0].text.contains("db-9") && !slack[0].text.contains("nightly"),
        "{}",
        slack[0].text
    );
}

#[tokio::test]
async fn a_channel_down_for_three_runs_gets_the_alert_exactly_once_when_back_and_the_working_one_once() {
    let s = Setup::new();
    let good = Recorder::start(Behaviour::Respond(200)).await;
    let down = Recorder::start(Behaviour::Respond(503)).await;
    s.add("good", webhook(&good)).await;
    s.add("down", webhook(&down)).await;
    s.routes(r#"{"routes":[{"match":"*","channels":["good","down"]}]}"#)
        .await;
    s.world.pulse("nightly", thursday()).await;
    for run in 0..3 {
        let summary = s.run(friday() + minutes(run)).await;
        assert_eq!(summary.delivery_failures, 1, "run {run}: {summary:?}");
        assert_eq!(summary.notified, 0, "not recorded until every channel has it");
        assert_eq!(
            good.requests().len(),
            1,
            "run {run}: the working channel is not sent to again"
        );
        assert_eq!(down.requests().len(), run as usize + 1, "retried at every run");
        let p = s.pulse_state("nightly").await;
        assert_eq!((p.alert.is_none(), p.claim.is_none()), (true, true));
        assert_eq!(p.delivered.len(), 1, "{:?}", p.delivered);
    }
    down.set_behaviour(Behaviour::Respond(200));
    let summary = s.run(friday() + minutes(3)).await;
    assert_eq!(
        (summary.messages_sent, summary.notified, summary.delivery_failures),
        (1, 1, 0)
    );
    assert_eq!(
        down.requests().len(),
        4,
        "the broken one: delivered exactly once when back"
    );
    assert_eq!(good.requests().len(), 1);
    let p = s.pulse_state("nightly").await;
    assert!(p.alert.is_some() && p.delivered.is_empty(), "{p:?}");
    // Later runs send nothing more for this incident.
    let summary = s.run(friday() + minutes(10)).await;
    assert_eq!(summary.messages_sent, 0);
    assert_eq!((good.requests().len(), down.requests().len()), (1, 4));
    // The recovery reaches both, once.
    s.world.pulse("nightly", friday() + minutes(20)).await;
    let summary = s.run(friday() + minutes(21)).await;
    assert_eq!((summary.recovered, summary.messages_sent, summary.notified), (1, 2, 1));
    assert_eq!((good.requests().len(), down.requests().len()), (2, 5));
    assert_eq!(good.requests()[1].json.as_ref().unwrap()["occasion"], "recovery");
}

#[tokio::test]
async fn a_bad_configuration_is_reported_and_not_retried() {
    let s = Setup::new();
    let good = Recorder::start(Behaviour::Respond(200)).await;
    let refused = Recorder::start(Behaviour::Respond(404)).await;
    s.add("good", webhook(&good)).await;
    s.add("gone", webhook(&refused)).await;
    s.routes(r#"{"routes":[{"match":"*","channels":["good","gone"]}]}"#)
        .await;
    s.world.pulse("nightly", thursday()).await;
    let summary = s.run(friday()).await;
    assert_eq!(summary.misconfigured.len(), 1, "{summary:?}");
    assert!(
        summary.misconfigured[0].starts_with("gone: "),
        "{:?}",
        summary.misconfigured
    );
    assert!(summary.misconfigured[0].contains("404"), "{:?}", summary.misconfigured);
    assert!(summary.failed(), "the run says something needs fixing");
    assert_eq!(
        summary.notified, 1,
        "the incident is recorded: the refusal is not retried"
    );
    let gone = ChannelName::parse("gone").unwrap();
    let problem = s
        .directory
        .channel(&gone)
        .await
        .unwrap()
        .unwrap()
        .problem
        .expect("shown on the channels page");
    assert!(problem.text.contains("404"), "{problem:?}");
    for later in 1..4 {
        let summary = s.run(friday() + minutes(later)).await;
        assert!(summary.misconfigured.is_empty());
    }
    assert_eq!(refused.requests().len(), 1, "not retried");
    // Fixed: the next message goes through and the problem is cleared.
    refused.set_behaviour(Behaviour::Respond(200));
    s.world.pulse("nightly", friday() + minutes(30)).await;
    let summary = s.run(friday() + minutes(31)).await;
    assert_eq!((summary.messages_sent, summary.notified), (2, 1));
    assert_eq!(s.directory.channel(&gone).await.unwrap().unwrap().problem, None);
}

#[tokio::test]
async fn a_hanging_channel_delays_no_other_beyond_its_timeout() {
    let s = Setup::new();
    let fast = Recorder::start(Behaviour::Respond(200)).await;
    let hanging = Recorder::start(Behaviour::Hang).await;
    s.add("fast", webhook(&fast)).await;
    s.add("hanging", webhook(&hanging)).await;
    s.routes(r#"{"routes":[{"match":"*","channels":["hanging","fast"]}]}"#)
        .await;
    s.world.pulse("nightly", thursday()).await;
    let started = Instant::now();
    let summary = s.run(friday()).await;
    let run_took = started.elapsed();
    let fast_at = fast.requests()[0].at.duration_since(started);
    eprintln!("fast channel answered after {fast_at:?}; the run took {run_took:?} (timeout {TIMEOUT:?})");
    assert!(
        fast_at < TIMEOUT / 2,
        "the working channel waited for the hanging one: {fast_at:?}"
    );
    assert!(
        run_took < TIMEOUT * 3,
        "the run is bounded by the timeout: {run_took:?}"
    );
    assert_eq!((summary.messages_sent, summary.delivery_failures), (1, 1));
    assert_eq!(s.pulse_state("nightly").await.delivered.len(), 1);
}

#[tokio::test]
async fn pagerduty_through_the_monitor_resolves_what_it_triggered() {
    let s = Setup::new();
    let pd = Recorder::start(Behaviour::Respond(202)).await;
    s.add(
        "pager",
        ChannelConfig::Pagerduty {
            routing_key: "R0UTE".into(),
            api_url: Some(pd.url_for("/v2/enqueue")),
        },
    )
    .await;
    s.routes(r#"{"routes":[{"match":"category","value":"backup","channels":["pager"]}]}"#)
        .await;
    s.world.pulse("nightly", thursday()).await;
    s.run(friday()).await;
    // A reminder after the default interval, then the recovery.
    let summary = s.run(friday() + hours(25)).await;
    assert_eq!(summary.reminded, 1, "{summary:?}");
    s.world.pulse("nightly", friday() + hours(26)).await;
    s.run(friday() + hours(26) + minutes(1)).await;
    let events: Vec<Value> = pd.requests().iter().map(|r| r.json.clone().unwrap()).collect();
    let actions: Vec<&str> = events.iter().map(|e| e["event_action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["trigger", "trigger", "resolve"]);
    let keys: Vec<&Value> = events.iter().map(|e| &e["dedup_key"]).collect();
    assert!(keys[0] == keys[1] && keys[1] == keys[2], "{keys:?}");
    assert!(keys[0].as_str().unwrap().ends_with(":late"));
    assert_eq!(
        s.world.slack.delivered().len(),
        0,
        "routed away from the default webhook"
    );
}

#[tokio::test]
async fn a_failed_job_reaches_its_channels_with_its_report_and_pagerduty_keys_it_by_kind() {
    use lambda_http::http::Method;
    let s = Setup::new();
    let pd = Recorder::start(Behaviour::Respond(202)).await;
    let hook = Recorder::start(Behaviour::Respond(200)).await;
    s.add(
        "pager",
        ChannelConfig::Pagerduty {
            routing_key: "R0UTE".into(),
            api_url: Some(pd.url_for("/v2/enqueue")),
        },
    )
    .await;
    s.add("hook", webhook(&hook)).await;
    s.routes(r#"{"routes":[{"match":"*","channels":["pager","hook"]}]}"#)
        .await;
    s.world.pulse("nightly", thursday()).await;
    // A failure an hour later, with a log that tries to break out of every markup.
    let log = "exporting\n</pre><script>x</script>\n```\n\u{1b}[31mERROR: disk <full>\n";
    let res = handlers::pulse(
        request(
            Method::POST,
            "/heartbeat/pulse?host=web-1&category=backup&type=db&name=nightly&exit=3&duration=95&message=export%20failed",
            Some("text/plain"),
            log,
        ),
        &s.world.store,
        &s.world.config,
        thursday() + hours(1),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let summary = s.run(thursday() + hours(1) + minutes(1)).await;
    assert_eq!((summary.newly_exceeded, summary.messages_sent), (1, 2), "{summary:?}");

    let body = hook.requests()[0].json.clone().unwrap();
    assert_eq!(body["title"], "1 job failed");
    let incident = &body["incidents"][0];
    assert_eq!(
        (
            &incident["incident"],
            &incident["exit_code"],
            &incident["duration_seconds"]
        ),
        (&json!("failed"), &json!(3), &json!(95))
    );
    assert_eq!(incident["message"], "export failed");
    assert_eq!(incident["detail"], "failed with exit code 3 after 1 min");
    let shown = incident["log"].as_str().unwrap();
    assert!(
        shown.ends_with("ERROR: disk <full>") && !shown.contains('\u{1b}'),
        "{shown:?}"
    );

    // The success closes it: PagerDuty resolves the key it triggered, `<pulse id>:failed`.
    s.world.pulse("nightly", thursday() + hours(2)).await;
    s.run(thursday() + hours(2) + minutes(1)).await;
    let events: Vec<Value> = pd.requests().iter().map(|r| r.json.clone().unwrap()).collect();
    let actions: Vec<&str> = events.iter().map(|e| e["event_action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["trigger", "resolve"]);
    let id = crate::support::sha256_id("web-1", "backup", "db", "nightly");
    assert_eq!(events[0]["dedup_key"], format!("{id}:failed"));
    assert_eq!(events[1]["dedup_key"], events[0]["dedup_key"]);
    assert_eq!(events[0]["payload"]["custom_details"]["exit_code"], 3);
    assert_eq!(hook.requests().len(), 2, "the webhook has the alert and the recovery");
    assert_eq!(s.world.slack.delivered().len(), 0);
}

/// Sets a pulse's own channels as the edit page and the API do (validated names, one settings write).
async fn own_channels(s: &Setup, name: &str, channels: &str) {
    use heartbeat_shared::model::{PulseChannels, Settings};
    use heartbeat_shared::store::SettingsWriter;
    let pulse = s.pulse_state(name).await;
    let mut expect = pulse.expect.clone();
    expect.channels = PulseChannels::parse(channels).unwrap();
    let settings = Settings {
        threshold: pulse.threshold,
        saturday: pulse.saturday,
        tz: pulse.timezone(s.world.config.default_timezone),
        expect,
        max_runtime: None,
    };
    let due = pulse.due_at.unwrap();
    assert!(
        s.world
            .store
            .update_settings(&pulse.id, &settings, due)
            .await
            .unwrap()
            .held()
    );
}

#[tokio::test]
async fn a_pulse_own_channels_replace_the_routes_and_a_removed_one_falls_back_to_the_default() {
    let s = Setup::new();
    let ops = Recorder::start(Behaviour::Respond(200)).await;
    let pager = Recorder::start(Behaviour::Respond(200)).await;
    s.add("ops", webhook(&ops)).await;
    s.add("pager", webhook(&pager)).await;
    s.routes(r#"{"routes":[{"match":"category","value":"backup","channels":["ops"]}]}"#)
        .await;
    for name in ["nightly", "routed", "orphan"] {
        s.world.pulse(name, thursday()).await;
    }
    own_channels(&s, "nightly", "pager").await;
    // Named when it existed, removed since: its news must still reach someone.
    own_channels(&s, "orphan", "gone").await;
    let summary = s.run(friday()).await;
    assert_eq!((summary.notified, summary.delivery_failures), (3, 0));
    let names = |recorder: &Recorder| -> Vec<String> {
        recorder
            .requests()
            .iter()
            .flat_map(|r| r.json.as_ref().unwrap()["incidents"].as_array().unwrap().clone())
            .map(|i| i["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&pager), ["nightly"], "its own channel only");
    assert_eq!(
        names(&ops),
        ["routed"],
        "the route no longer reaches the pulse that names its own"
    );
    let slack = s.world.slack.delivered();
    assert_eq!(slack.len(), 1);
    assert!(
        slack[0].text.contains("orphan") && !slack[0].text.contains("nightly"),
        "{}",
        slack[0].text
    );
}

/// Every incident step a run takes, as the history keeps it: (kind, incident, message).
async fn steps(s: &Setup, name: &str) -> Vec<(String, Option<String>, Option<String>)> {
    use heartbeat_shared::store::EventLog;
    let id = id_of("web-1", "backup", "db", name);
    let page = s
        .world
        .store
        .events(&id, None, 100, friday() + hours(24))
        .await
        .unwrap();
    let mut steps: Vec<_> = page
        .events
        .iter()
        .rev()
        .filter(|e| !matches!(e.event.kind.name(), "success" | "start" | "failure"))
        .map(|e| {
            (
                e.event.kind.name().to_owned(),
                e.event.incident.clone(),
                e.event.message.clone(),
            )
        })
        .collect();
    // Opened and alerted can share an instant; the history gives such events no order.
    steps.sort_by_key(|(kind, ..)| {
        ["opened", "alerted", "reminded", "recovered"]
            .iter()
            .position(|k| k == kind)
    });
    steps
}

#[tokio::test]
async fn incident_steps_through_named_channels_are_in_the_history_naming_the_channels() {
    let s = Setup::new();
    let ops = Recorder::start(Behaviour::Respond(200)).await;
    let pager = Recorder::start(Behaviour::Respond(503)).await;
    let gone = Recorder::start(Behaviour::Respond(404)).await;
    s.add("ops", webhook(&ops)).await;
    s.add("pager", webhook(&pager)).await;
    s.add("gone", webhook(&gone)).await;
    s.routes(r#"{"routes":[{"match":"*","channels":["ops","pager","gone"]}]}"#)
        .await;
    s.world.pulse("nightly", thursday()).await;
    // The pager is down for one run: the step is recorded once, when every channel has the alert.
    let summary = s.run(friday()).await;
    assert_eq!(summary.notified, 0, "{summary:?}");
    assert_eq!(
        steps(&s, "nightly").await,
        [],
        "nothing recorded while a channel still owes the alert"
    );
    pager.set_behaviour(Behaviour::Respond(200));
    let summary = s.run(friday() + minutes(1)).await;
    assert_eq!(summary.notified, 1, "{summary:?}");
    s.world.pulse("nightly", friday() + minutes(20)).await;
    let summary = s.run(friday() + minutes(21)).await;
    assert_eq!((summary.recovered, summary.notified), (1, 1), "{summary:?}");
    let late = Some("late".to_owned());
    let sent = Some("sent to ops, pager; gone refuses its configuration (see the channels page)".to_owned());
    assert_eq!(
        steps(&s, "nightly").await,
        [
            ("opened".to_owned(), late.clone(), None),
            ("alerted".to_owned(), late.clone(), sent.clone()),
            ("recovered".to_owned(), late.clone(), sent),
        ]
    );
}

#[tokio::test]
async fn the_default_webhook_is_named_in_the_history_beside_a_routed_channel() {
    let s = Setup::new();
    let ops = Recorder::start(Behaviour::Respond(200)).await;
    s.add("ops", webhook(&ops)).await;
    s.routes(r#"{"routes":[{"match":"*","channels":["ops","default"]}]}"#)
        .await;
    s.world.pulse("nightly", thursday()).await;
    assert_eq!(s.run(friday()).await.notified, 1);
    let alerted = steps(&s, "nightly").await;
    assert_eq!(alerted.len(), 2, "{alerted:?}");
    assert_eq!(alerted[1].2.as_deref(), Some("sent to default, ops"));
}
