//! The incident lifecycle: one alert, silence, one recovery; reminders; a new incident after a
//! recovery; a long list cut at fifty; an edit that ends an incident.

use super::*;

#[tokio::test]
async fn a_stale_pulse_gets_one_alert_then_silence_then_one_recovery() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    world.pulse("hourly", now() - hours(1)).await;

    // Thursday 09:00 → Monday 12:00: 51 working hours, 27 over the 24 h threshold.
    let got = world.run(now()).await;
    // The healthy one was indexed at its exact due time (Tuesday) by its first pulse: not read.
    assert_eq!(got, one_new_alert());
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0].text,
        format!(
            ":rotating_light: 1 pulse exceeded its threshold\n\
             • web-1 / backup / db / nightly — 1 d 3 h of working time over its 1 d threshold ({}){}\n{}",
            edit_link("nightly"),
            snooze_links("nightly"),
            dashboard_link(BASE_URL)
        )
    );
    assert_eq!(
        world.alert("nightly"),
        Some(Alert {
            for_stamp: "2026-11-19T09:00:00.000Z".into(),
            notified_at: now()
        })
    );
    assert_eq!(world.claim("nightly"), None, "the lease is dropped");
    assert_eq!(world.alert("hourly"), None);

    // Still stale an hour later: already told, and nothing is due, so nothing is even read.
    let got = world.run_by_url(now() + hours(1)).await;
    assert_eq!(got, summary(&[]));
    assert!(world.slack.take().is_empty());

    // The job runs again; the next run says so, once.
    world.pulse("nightly", now() + hours(2)).await;
    let got = world.run(now() + hours(3)).await;
    assert_eq!(
        got,
        // Only the pulse that came back is due: its pulse made it due at once.
        summary(&[("checked", 1), ("recovered", 1), ("notified", 1), ("messages_sent", 1)])
    );
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0].text,
        format!(
            ":white_check_mark: 1 pulse recovered\n\
             • web-1 / backup / db / nightly — pulsed again at 14:00 UTC ({})\n{}",
            edit_link("nightly"),
            dashboard_link(BASE_URL)
        )
    );
    assert_eq!(world.alert("nightly"), None, "the incident is over");

    let got = world.run(now() + hours(4)).await;
    assert_eq!(got, summary(&[]));
    assert!(world.slack.take().is_empty());
}

#[tokio::test]
async fn a_new_incident_after_a_recovery_alerts_again() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    world.run(now()).await;
    world.pulse("nightly", now() + hours(1)).await;
    world.run(now() + hours(2)).await;
    assert_eq!(world.slack.take().len(), 2, "alert and recovery");
    // Stale again by Tuesday 13:00 + ε.
    let got = world.run(now() + hours(26)).await;
    assert_eq!(got, one_new_alert());
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0]
            .text
            .starts_with(":rotating_light: 1 pulse exceeded its threshold\n"),
        "{}",
        messages[0].text
    );
}

#[tokio::test]
async fn a_reminder_follows_after_remind_every_hours_and_not_before() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    world.run(now()).await;
    assert_eq!(world.slack.take().len(), 1, "the alert");

    for early in [now() + hours(1), now() + hours(23), now() + hours(24) - minutes(1)] {
        let got = world.run(early).await;
        // Alerted, the pulse is next due at its reminder: until then a run reads nothing.
        assert_eq!(got, summary(&[]), "at {early}");
        assert!(world.slack.take().is_empty(), "no reminder at {early}");
    }

    let due = now() + hours(24);
    let got = world.run(due).await;
    assert_eq!(
        got,
        summary(&[
            ("checked", 1),
            ("exceeded", 1),
            ("reminded", 1),
            ("notified", 1),
            ("messages_sent", 1)
        ])
    );
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0]
            .text
            .starts_with(":bell: 1 pulse is still over its threshold\n• web-1 / backup / db / nightly — "),
        "{}",
        messages[0].text
    );
    assert_eq!(
        world.alert("nightly"),
        Some(Alert {
            for_stamp: "2026-11-19T09:00:00.000Z".into(),
            notified_at: due
        })
    );

    // The next reminder counts from this one (and until it is due, nothing is read).
    assert_eq!(world.run(due + hours(23)).await, summary(&[]));
    assert!(world.slack.take().is_empty());
    world.run(due + hours(24)).await;
    assert_eq!(world.slack.take().len(), 1, "the second reminder");
}

#[tokio::test]
async fn remind_every_hours_sets_the_interval() {
    let world = World::new(&[("DASHBOARD_SECRET", SECRET), ("REMIND_EVERY_HOURS", "2")]);
    world.pulse("nightly", thursday()).await;
    world.run(now()).await;
    world.run(now() + hours(1)).await;
    assert_eq!(world.slack.take().len(), 1, "only the alert within 2 h");
    world.run(now() + hours(2)).await;
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].text.starts_with(":bell: "), "{}", messages[0].text);
}

#[tokio::test]
async fn remind_every_hours_zero_never_reminds() {
    let world = World::new(&[("DASHBOARD_SECRET", SECRET), ("REMIND_EVERY_HOURS", "0")]);
    world.pulse("nightly", thursday()).await;
    world.run(now()).await;
    for later in [hours(24), hours(48), hours(24 * 40)] {
        let got = world.run(now() + later).await;
        // No reminders: an alerted pulse is not due again until it pulses.
        assert_eq!(got, summary(&[]), "after {later}");
    }
    assert_eq!(world.slack.delivered().len(), 1, "the alert only");
}

#[tokio::test]
async fn sixty_stale_pulses_make_one_message_listing_fifty() {
    let world = World::standard();
    for i in 0..60 {
        world.pulse(&format!("job{i:02}"), thursday()).await;
    }
    let got = world.run(now()).await;
    assert_eq!(
        got,
        summary(&[
            ("checked", 60),
            ("exceeded", 60),
            ("newly_exceeded", 60),
            ("notified", 60),
            ("messages_sent", 1)
        ])
    );
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    let lines: Vec<&str> = messages[0].text.lines().collect();
    assert_eq!(lines[0], ":rotating_light: 60 pulses exceeded their threshold");
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("• web-1 / backup / db / job"))
            .count(),
        50
    );
    assert_eq!(lines[51], "…and 10 more");
    assert_eq!(lines[52], dashboard_link(BASE_URL));
    assert_eq!(lines.len(), 53);
    for i in 0..60 {
        assert!(
            world.alert(&format!("job{i:02}")).is_some(),
            "job{i:02} is marked notified"
        );
    }
    // All 60 are next due at their reminder, a day later: this run reads none of them.
    assert_eq!(world.run(now() + hours(1)).await, summary(&[]));
    assert!(world.slack.take().is_empty());
}

#[tokio::test]
async fn relaxing_the_threshold_on_the_edit_page_closes_the_incident() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    world.run(now()).await;
    assert_eq!(world.slack.take().len(), 1, "the alert");

    let id = id_of("web-1", "backup", "db", "nightly");
    let uri = format!("/heartbeat/edit?secret={SECRET_IN_URL}&id={id}");
    let res = handlers::edit_post(
        post(&uri, FORM, "threshold=100&tz=UTC"),
        &world.store,
        &world.store,
        &world.config,
        now(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 303, "{}", text(&res));

    let got = world.run(now() + hours(1)).await;
    assert_eq!(
        got,
        summary(&[("checked", 1), ("recovered", 1), ("notified", 1), ("messages_sent", 1)])
    );
    let messages = world.slack.take();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].text.starts_with(
            ":white_check_mark: 1 pulse recovered\n• web-1 / backup / db / nightly — within its 4 d 4 h threshold again after its settings changed"
        ),
        "{}",
        messages[0].text
    );
    assert_eq!(world.alert("nightly"), None);
}
