//! Staying quiet on purpose: the spec's examples 6 (snooze) and 7 (maintenance window), a pause, and
//! what each costs the monitor (it reads a silenced pulse only when it may speak again).

use super::*;
use heartbeat_shared::model::{Pulse, Scope, Window};
use heartbeat_shared::quieting::{self, Change};
use heartbeat_shared::store::MaintenanceStore;

/// Friday 2026-11-20 at this UTC time.
fn friday(time: &str) -> DateTime<Utc> {
    at(&format!("2026-11-20T{time}:00Z"))
}

impl World {
    fn pulse_of(&self, name: &str) -> Pulse {
        self.store
            .snapshot(&id_of("web-1", "backup", "db", name))
            .expect("stored")
    }

    async fn quiet(&self, name: &str, change: Change, when: DateTime<Utc>) {
        let pulse = self.pulse_of(name);
        let (held, _) = quieting::apply(
            &self.store,
            &pulse,
            change,
            self.config.default_timezone,
            self.config.history_days,
            when,
        )
        .await
        .unwrap();
        assert_eq!(held, Held::Yes);
    }

    /// A pulse of another category.
    async fn pulse_in_category(&self, category: &str, name: &str, when: DateTime<Utc>) {
        let uri = format!("/heartbeat/pulse?host=web-1&category={category}&type=db&name={name}");
        let res = handlers::pulse(get(&uri), &self.store, &self.config, when).await;
        assert_eq!(res.status().as_u16(), 200, "{}", text(&res));
    }
}

/// Example 6: late since Friday 09:00, snoozed at 10:00 until 15:00. No message before 15:00, and
/// no read either (the due instant moved to 15:00); the alert at the first run from 15:00.
#[tokio::test]
async fn example_6_a_snoozed_late_pulse_is_alerted_when_the_snooze_ends() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    world
        .quiet("nightly", Change::Snooze(friday("15:00")), friday("10:00"))
        .await;
    assert_eq!(
        world.pulse_of("nightly").due_at,
        Some(friday("15:00")),
        "due when the snooze ends"
    );

    for when in ["10:00", "12:00", "14:59"] {
        let before = world.store.requests();
        assert_eq!(world.run(friday(when)).await, summary(&[]), "{when}");
        // The due query only (the memory store counts one request for it); nothing is fetched.
        assert_eq!(
            world.store.requests() - before,
            2,
            "{when}: the due query and an empty sweep"
        );
    }
    assert!(world.slack.take().is_empty());

    let got = world.run(friday("15:00")).await;
    assert_eq!(got, one_new_alert());
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].text.contains("nightly"), "{}", messages[0].text);
}

/// Example 6, second half: it pulsed at 14:00 while snoozed. Nobody was told it was down, so there
/// is no message at all, not even a recovery.
#[tokio::test]
async fn example_6_a_snoozed_pulse_that_pulses_gets_no_message_at_all() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    world
        .quiet("nightly", Change::Snooze(friday("15:00")), friday("10:00"))
        .await;
    world.pulse("nightly", friday("14:00")).await;
    for when in ["14:30", "15:00", "15:01"] {
        world.run(friday(when)).await;
    }
    world.run(at("2026-11-23T08:00:00Z")).await;
    assert!(world.slack.take().is_empty(), "no alert and no recovery");
    assert_eq!(world.alert("nightly"), None);
    // Judged as usual again: due 24 working hours after Friday 14:00.
    assert_eq!(world.pulse_of("nightly").due_at, Some(at("2026-11-23T14:00:00Z")));
}

/// An alerted pulse snoozed and then back: the recovery waits for the snooze's end too.
#[tokio::test]
async fn a_recovery_waits_for_the_snooze_to_end() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    world.run(friday("10:00")).await;
    assert_eq!(world.slack.take().len(), 1, "the alert");
    world
        .quiet("nightly", Change::Snooze(friday("15:00")), friday("11:00"))
        .await;
    world.pulse("nightly", friday("14:00")).await;
    let got = world.run(friday("14:01")).await;
    assert_eq!(got, summary(&[("checked", 1), ("silenced", 1), ("rescheduled", 1)]));
    assert!(world.slack.take().is_empty());
    let got = world.run(friday("15:00")).await;
    assert_eq!(
        got,
        summary(&[("checked", 1), ("recovered", 1), ("notified", 1), ("messages_sent", 1)])
    );
    assert!(
        world.slack.take()[0]
            .text
            .starts_with(":white_check_mark: 1 pulse recovered")
    );
}

/// Ending a snooze early makes a late pulse due at once.
#[tokio::test]
async fn ending_a_snooze_makes_a_late_pulse_due_at_once() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    world
        .quiet("nightly", Change::Snooze(friday("15:00")), friday("10:00"))
        .await;
    world.quiet("nightly", Change::EndSnooze, friday("11:00")).await;
    assert_eq!(world.pulse_of("nightly").due_at, Some(friday("11:00")));
    let got = world.run(friday("11:00")).await;
    assert_eq!(summary_count(&got, "newly_exceeded"), 1, "{got}");
}

fn summary_count(summary: &Value, field: &str) -> u64 {
    summary[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{field} in {summary}"))
}

/// A pause takes the pulse out of the due index; its next signal ends it and makes it due at once.
#[tokio::test]
async fn a_pause_lasts_until_the_next_signal() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    world.quiet("nightly", Change::Pause, friday("08:00")).await;
    assert!(world.pulse_of("nightly").quiet.paused);
    for day in ["2026-11-20T10:00:00Z", "2026-11-23T10:00:00Z", "2026-11-30T10:00:00Z"] {
        assert_eq!(world.run(at(day)).await, summary(&[]), "{day}: not even read");
    }
    assert!(world.slack.take().is_empty());
    // The next signal ends the pause; the pulse is judged from it.
    world.pulse("nightly", at("2026-12-01T09:00:00Z")).await;
    assert!(!world.pulse_of("nightly").quiet.paused);
    assert_eq!(world.pulse_of("nightly").due_at, Some(at("2026-12-01T09:00:00Z")));
    let got = world.run(at("2026-12-01T09:01:00Z")).await;
    assert_eq!(got, summary(&[("checked", 1), ("rescheduled", 1)]));
    assert_eq!(world.pulse_of("nightly").due_at, Some(at("2026-12-02T09:00:00Z")));
    // And it alerts again as usual.
    world.run(at("2026-12-02T09:01:00Z")).await;
    assert_eq!(world.slack.take().len(), 1);
}

/// Example 7: a window `category=backup` Friday 22:00 – Saturday 02:00. A backup pulse late from 23:00
/// is alerted at the first run from 02:00; a pulse of another category late at 23:00 at once.
#[tokio::test]
async fn example_7_a_window_holds_only_what_is_in_scope() {
    let world = World::standard();
    let thursday_23 = at("2026-11-19T23:00:00Z");
    world.pulse("nightly", thursday_23).await;
    world.pulse_in_category("etl", "loader", thursday_23).await;
    let window = Window::new(
        "w1".into(),
        friday("22:00"),
        at("2026-11-21T02:00:00Z"),
        Scope::Category("backup".into()),
        "db migration".into(),
        friday("21:00"),
    )
    .unwrap();
    assert_eq!(world.store.add_window(&window).await.unwrap(), Held::Yes);

    // Both are late just after 23:00: only the other category is alerted.
    let got = world.run(friday("23:01")).await;
    assert_eq!(summary_count(&got, "silenced"), 1, "{got}");
    assert_eq!(summary_count(&got, "newly_exceeded"), 1, "{got}");
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].text.contains("loader") && !messages[0].text.contains("nightly"),
        "{}",
        messages[0].text
    );
    assert_eq!(
        world.pulse_of("nightly").due_at,
        Some(at("2026-11-21T02:00:00Z")),
        "held to the window's end"
    );

    // Inside the window nothing is read.
    assert_eq!(world.run(at("2026-11-21T01:00:00Z")).await, summary(&[]));
    // From 02:00 it is alerted, being still late.
    let got = world.run(at("2026-11-21T02:00:00Z")).await;
    assert_eq!(summary_count(&got, "newly_exceeded"), 1, "{got}");
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].text.contains("nightly"));
}

/// Removing a window makes the pulses it held due at once.
#[tokio::test]
async fn removing_a_window_makes_what_it_held_due_at_once() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    let window = Window::new(
        "w1".into(),
        friday("08:00"),
        friday("18:00"),
        Scope::All,
        String::new(),
        friday("08:00"),
    )
    .unwrap();
    world.store.add_window(&window).await.unwrap();
    world.run(friday("10:00")).await;
    assert_eq!(world.pulse_of("nightly").due_at, Some(friday("18:00")));
    assert!(world.slack.take().is_empty());

    let removed = world.store.remove_window("w1").await.unwrap().expect("it was there");
    let moved = quieting::redue_after_removal(&world.store, &removed, friday("11:00"))
        .await
        .unwrap();
    assert_eq!(moved, 1);
    assert_eq!(world.pulse_of("nightly").due_at, Some(friday("11:00")));
    let got = world.run(friday("11:00")).await;
    assert_eq!(summary_count(&got, "newly_exceeded"), 1, "{got}");
}
