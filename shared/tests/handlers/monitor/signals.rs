//! Signals end to end over the memory store: a failure alerted at the next run whatever the
//! threshold, once, and recovered by a success; an overrun alerted only after the max runtime; a
//! late incident replaced by a failure; a start that arrives after its own finish; bad input.

use super::*;
use lambda_http::http::Method;

const KEY: &str = "host=web-1&category=backup&type=db";

impl World {
    /// Any signal through the pulse handler; the answer's text.
    async fn signal(&self, route: &str, query: &str, log: Option<&str>, when: DateTime<Utc>) -> (u16, String) {
        let uri = format!("/heartbeat/{route}?{KEY}&{query}");
        let req = match log {
            Some(log) => request(Method::POST, &uri, Some("text/plain"), log),
            None => get(&uri),
        };
        let res = handlers::pulse(req, &self.store, &self.config, when).await;
        (res.status().as_u16(), text(&res))
    }

    fn stored(&self, name: &str) -> heartbeat_shared::model::Pulse {
        self.store
            .snapshot(&id_of("web-1", "backup", "db", name))
            .expect("stored")
    }
}

#[tokio::test]
async fn a_failure_is_alerted_at_the_next_run_once_and_recovered_by_a_success() {
    let world = World::standard();
    world.pulse("nightly", now() - hours(1)).await;
    world.run(now() - minutes(59)).await;
    let log = "starting\nexporting\nERROR: disk <full>\n";
    let answer = world
        .signal(
            "pulse",
            "name=nightly&exit=3&duration=95&message=export%20failed",
            Some(log),
            now(),
        )
        .await;
    assert_eq!(
        answer,
        (200, "Successful Heartbeat Pulse".into()),
        "exit=N keeps the original answer"
    );
    let stored = world.stored("nightly");
    assert_eq!(stored.last_pulse, now() - hours(1), "a failure is no success");
    assert_eq!(stored.run.exit_code, Some(3));

    // The next run, a minute later, well within the 24 h threshold.
    let got = world.run(now() + minutes(1)).await;
    assert_eq!(got["newly_exceeded"], json!(1), "{got}");
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    let text = &messages[0].text;
    assert!(
        text.starts_with(":x: 1 job failed\n• web-1 / backup / db / nightly — failed with exit code 3 after 1 min"),
        "{text}"
    );
    assert!(
        text.contains("\n> export failed\n```\nstarting\nexporting\nERROR: disk &lt;full&gt;\n```"),
        "{text}"
    );

    // Further failures send nothing new; the run after them reads the pulse and stays quiet.
    assert_eq!(
        world
            .signal("pulse/fail", "name=nightly&exit=1", None, now() + minutes(2))
            .await,
        (200, "Failure recorded".into())
    );
    let got = world.run(now() + minutes(3)).await;
    assert_eq!(
        (got["checked"].clone(), got["messages_sent"].clone()),
        (json!(1), json!(0)),
        "{got}"
    );
    assert!(world.slack.take().is_empty());

    // The next success closes it with a recovery.
    world.pulse("nightly", now() + minutes(4)).await;
    world.run(now() + minutes(5)).await;
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0]
            .text
            .starts_with(":white_check_mark: 1 pulse recovered\n• web-1 / backup / db / nightly — succeeded again at"),
        "{}",
        messages[0].text
    );
    assert_eq!(world.alert("nightly"), None);
}

#[tokio::test]
async fn an_overrun_is_alerted_after_the_max_runtime_and_not_before() {
    let world = World::standard();
    let start = now();
    assert_eq!(
        world
            .signal("pulse/start", "name=backup&maxRuntime=1", None, start)
            .await,
        (200, "Started".into())
    );
    assert_eq!(
        world.stored("backup").due_at,
        Some(start + hours(1)),
        "due at its overrun instant"
    );
    // Before: nothing is due, nothing is read.
    let got = world.run(start + minutes(59)).await;
    assert_eq!(got["checked"], json!(0), "{got}");
    let got = world.run(start + minutes(61)).await;
    assert_eq!(got["newly_exceeded"], json!(1), "{got}");
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].text.starts_with(":hourglass: 1 job is running past its max runtime\n• web-1 / backup / db / backup — overrun: still running after 1 h 1 min (max runtime 1 h)"),
        "{}",
        messages[0].text
    );
    // Finishing closes it, and the recovery gives the duration.
    world.pulse("backup", start + minutes(90)).await;
    world.run(start + minutes(91)).await;
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].text.contains("backup — finished after 1 h 30 min"),
        "{}",
        messages[0].text
    );
}

#[tokio::test]
async fn a_failure_replaces_an_alerted_late_incident() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    world.run(now()).await;
    assert!(world.slack.take()[0].text.contains("exceeded its threshold"));
    world
        .signal("pulse/fail", "name=nightly&exit=2", None, now() + minutes(1))
        .await;
    world.run(now() + minutes(2)).await;
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1, "the failure's alert, no recovery in between");
    assert!(messages[0].text.starts_with(":x: 1 job failed"), "{}", messages[0].text);
    assert!(world.alert("nightly").unwrap().for_stamp.starts_with("failed@"));
}

#[tokio::test]
async fn a_start_arriving_after_its_own_finish_leaves_the_job_finished() {
    let world = World::standard();
    world
        .signal("pulse", "name=job&rid=run-7&duration=30", None, now())
        .await;
    world
        .signal(
            "pulse/start",
            "name=job&rid=run-7&maxRuntime=1",
            None,
            now() + minutes(1),
        )
        .await;
    let stored = world.stored("job");
    assert_eq!(stored.run.started_at, None);
    // The next run of the same job is a start like any other.
    world
        .signal("pulse/start", "name=job&rid=run-8", None, now() + minutes(2))
        .await;
    assert_eq!(world.stored("job").run.started_at, Some(now() + minutes(2)));
}

#[tokio::test]
async fn bad_signal_input_is_400_naming_the_parameter_and_writes_nothing() {
    let world = World::standard();
    for (route, query, name) in [
        ("pulse", "exit=256", "exit"),
        ("pulse", "exit=-1", "exit"),
        ("pulse/fail", "exit=x", "exit"),
        ("pulse/fail", "duration=-3", "duration"),
        ("pulse/start", "duration=soon", "duration"),
        ("pulse/start", "maxRuntime=0", "maxRuntime"),
    ] {
        let (status, text) = world.signal(route, &format!("name=job&{query}"), None, now()).await;
        assert_eq!(status, 400, "{route}?{query}: {text}");
        assert!(text.contains(name), "{route}?{query}: {text}");
    }
    assert!(world.store.is_empty());
}

/// Requests per signal kind in the steady state (the memory store counts them as DynamoDB would:
/// `docs/PERFORMANCE.md`). The store contract checks the two stores write the same.
#[tokio::test]
async fn each_signal_costs_one_table_write_and_a_start_with_a_max_runtime_at_most_two() {
    let world = World::standard();
    world.signal("pulse", "name=steady", None, now()).await;
    // Table requests (the critical path) and history requests (one, made beside it), per signal.
    let cost = |before: (usize, usize)| {
        (
            world.store.requests() - before.0,
            world.store.history_requests() - before.1,
        )
    };
    let counts = || (world.store.requests(), world.store.history_requests());
    let mut counted = Vec::new();
    for (label, route, query, minute) in [
        ("success", "pulse", "name=steady&duration=3", 1),
        ("success with exit=0 and a log", "pulse", "name=steady&exit=0", 2),
        ("start", "pulse/start", "name=steady", 3),
        ("failure", "pulse/fail", "name=steady&exit=1", 4),
        ("failure again", "pulse/fail", "name=steady&exit=1", 5),
    ] {
        let before = counts();
        let log = label.contains("log").then_some("some output");
        assert_eq!(world.signal(route, query, log, now() + minutes(minute)).await.0, 200);
        counted.push((label, cost(before)));
    }
    // A start of a job with a max runtime: the due time moves earlier once (a second write).
    world.signal("pulse/start", "name=long&maxRuntime=1", None, now()).await;
    world.signal("pulse", "name=long", None, now() + minutes(10)).await;
    world.run(now() + minutes(61)).await;
    let before = counts();
    world
        .signal("pulse/start", "name=long", None, now() + minutes(62))
        .await;
    counted.push(("start with a max runtime", cost(before)));
    eprintln!("FIGURE requests per signal (table, history): {counted:?}");
    assert_eq!(
        counted,
        [
            ("success", (1, 1)),
            ("success with exit=0 and a log", (1, 1)),
            ("start", (1, 1)),
            ("failure", (1, 1)),
            ("failure again", (1, 1)),
            ("start with a max runtime", (2, 1)),
        ]
    );
}

#[tokio::test]
async fn a_failed_incident_is_opened_alerted_and_recovered_in_the_history() {
    use heartbeat_shared::model::EventKind;
    use heartbeat_shared::store::EventLog;
    let world = World::standard();
    world.signal("pulse", "name=nightly&exit=3", None, now()).await;
    world.run(now() + minutes(1)).await;
    world
        .signal("pulse", "name=nightly&exit=0", None, now() + minutes(5))
        .await;
    world.run(now() + minutes(6)).await;
    let id = id_of("web-1", "backup", "db", "nightly");
    let page = world.store.events(&id, None, 100, now() + hours(1)).await.unwrap();
    let mut steps: Vec<(EventKind, Option<&str>, DateTime<Utc>)> = page
        .events
        .iter()
        .rev()
        .map(|e| (e.event.kind, e.event.incident.as_deref(), e.event.at))
        .collect();
    // Two events of one instant have no order between them.
    steps.sort_by_key(|(kind, _, at)| (*at, kind.name()));
    assert_eq!(
        steps,
        [
            (EventKind::Failure, None, now()),
            // Opened when the failure came, alerted by the next run.
            (EventKind::Opened, Some("failed"), now()),
            (EventKind::Alerted, Some("failed"), now() + minutes(1)),
            (EventKind::Success, None, now() + minutes(5)),
            (EventKind::Recovered, Some("failed"), now() + minutes(6)),
        ]
    );
}
