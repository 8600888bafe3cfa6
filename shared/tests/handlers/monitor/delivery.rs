//! When delivery fails (Slack refusing or unreachable, the table down): nothing is marked, and a
//! later run delivers exactly once.

use super::*;

#[tokio::test]
async fn when_slack_fails_nothing_is_marked_and_a_later_run_alerts_once() {
    let failures = [
        NotifyError::Rejected {
            status: 500,
            body: "internal_error".into(),
        },
        NotifyError::Rejected {
            status: 404,
            body: "no_service".into(),
        },
        NotifyError::Timeout,
        NotifyError::Unreachable("connection refused".into()),
    ];
    for failure in failures {
        let world = World::standard();
        world.pulse("nightly", thursday()).await;
        world.slack.fail_with(Some(failure.clone()));

        let got = world.run_by_url(now()).await;
        assert_eq!(
            got,
            summary(&[
                ("checked", 1),
                ("exceeded", 1),
                ("newly_exceeded", 1),
                ("delivery_failures", 1)
            ]),
            "{failure}"
        );
        assert_eq!(
            (world.alert("nightly"), world.claim("nightly")),
            (None, None),
            "{failure}: not marked, lease released"
        );
        let err = world
            .scheduled(now() + minutes(10))
            .await
            .expect_err("a scheduled run that could not deliver fails");
        assert!(err.to_string().contains("\"delivery_failures\":1"), "{failure}: {err}");
        assert_eq!(world.alert("nightly"), None);
        assert_eq!(world.slack.attempts(), 2);

        world.slack.fail_with(None);
        let got = world.run(now() + minutes(20)).await;
        assert_eq!(got, one_new_alert());
        world.run(now() + minutes(30)).await;
        let delivered = world.slack.delivered();
        assert_eq!(delivered.len(), 1, "{failure}: exactly one alert in total");
        assert!(delivered[0].text.contains("web-1 / backup / db / nightly"));
        assert!(world.alert("nightly").is_some());
    }
}

#[tokio::test]
async fn when_slack_fails_a_recovery_is_sent_later() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    world.run(now()).await;
    world.pulse("nightly", now() + hours(1)).await;
    world.slack.fail_with(Some(NotifyError::Timeout));
    assert!(world.scheduled(now() + hours(2)).await.is_err());
    assert!(world.alert("nightly").is_some(), "the incident stays open");
    world.slack.fail_with(None);
    let got = world.run(now() + hours(3)).await;
    assert_eq!(
        got,
        summary(&[("checked", 1), ("recovered", 1), ("notified", 1), ("messages_sent", 1)])
    );
    let delivered = world.slack.delivered();
    assert_eq!(delivered.len(), 2);
    assert!(delivered[1].text.starts_with(":white_check_mark: 1 pulse recovered"));
    assert_eq!(world.alert("nightly"), None);
}

#[tokio::test]
async fn an_unreachable_table_is_503_by_url_and_an_error_when_scheduled() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    world.store.set_down(true);

    let response = monitor_event(rest_event("GET", Some(SECRET)), &world.deps(), now(), "r")
        .await
        .expect("answered");
    let (status, headers, body) = proxy(&response);
    assert_eq!(status, 503);
    assert_eq!(headers["retry-after"], json!("30"));
    assert_eq!(headers["content-type"], json!("application/json"));
    assert_eq!(body["status"], json!(503));
    assert!(body["error"].as_str().unwrap().contains("cannot be reached"), "{body}");

    let err = world.scheduled(now()).await.expect_err("the scheduled run fails");
    assert!(err.to_string().contains("cannot be reached"), "{err}");
    assert_eq!(world.slack.attempts(), 0);
    world.store.set_down(false);
    assert_eq!(world.alert("nightly"), None);
}
