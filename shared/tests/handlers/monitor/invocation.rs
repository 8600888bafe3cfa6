//! How the monitor is invoked: the schedule, API Gateway (REST and HTTP API) and the constant
//! input, each recognised, checked and answered in its own form.

use super::*;

#[test]
fn an_api_gateway_rest_event_is_by_url_with_its_secret_method_and_base() {
    assert_eq!(
        classify(&rest_event("GET", Some("S"))),
        Invocation::ByUrl(UrlRun {
            secret: Some("S".into()),
            method: Some("GET".into()),
            base_url: Some(format!("https://{DOMAIN}/Prod")),
            ..UrlRun::default()
        })
    );
    assert_eq!(
        classify(&rest_event("GET", None)),
        Invocation::ByUrl(UrlRun {
            secret: None,
            method: Some("GET".into()),
            base_url: Some(format!("https://{DOMAIN}/Prod")),
            ..UrlRun::default()
        })
    );
}

#[test]
fn an_http_api_event_is_by_url_too() {
    let event = json!({
        "version": "2.0",
        "routeKey": "GET /heartbeat/monitor",
        "rawPath": "/heartbeat/monitor",
        "rawQueryString": "secret=S",
        "queryStringParameters": { "secret": "S" },
        "requestContext": { "domainName": DOMAIN, "stage": "$default", "http": { "method": "GET", "path": "/heartbeat/monitor" } },
        "isBase64Encoded": false
    });
    assert_eq!(
        classify(&event),
        Invocation::ByUrl(UrlRun {
            secret: Some("S".into()),
            method: Some("GET".into()),
            base_url: Some(format!("https://{DOMAIN}")),
            ..UrlRun::default()
        })
    );
}

#[tokio::test]
async fn an_http_api_request_gets_a_payload_2_answer() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    let query = format!("secret={SECRET_IN_URL}");
    let response = monitor_event(http_api_event("GET", &query), &world.deps(), now(), "r")
        .await
        .unwrap();
    assert_eq!(response["cookies"], json!([]), "the 2.0 response form: {response}");
    let (status, headers, body) = proxy(&response);
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], json!("application/json"));
    assert_eq!(body["newly_exceeded"], json!(1));
    assert_eq!(world.slack.delivered().len(), 1);

    let refused = monitor_event(http_api_event("POST", &query), &world.deps(), now(), "r")
        .await
        .unwrap();
    assert_eq!(refused["cookies"], json!([]));
    assert_eq!(proxy(&refused).0, 405);
    let wrong = monitor_event(http_api_event("GET", "secret=wrong"), &world.deps(), now(), "r")
        .await
        .unwrap();
    assert_eq!(proxy(&wrong).0, 403);
}

#[test]
fn the_rest_and_constant_input_shapes_decode_to_their_types() {
    let event = MonitorEvent::from(rest_event("GET", Some("S")));
    assert!(matches!(event, MonitorEvent::RestApi(_)), "{event:?}");
    assert!(matches!(
        MonitorEvent::from(constant_input("S")),
        MonitorEvent::ConstantInput(_)
    ));
}

#[test]
fn an_eventbridge_event_of_another_kind_is_unknown() {
    let mut event = scheduled_event();
    event["source"] = json!("aws.ec2");
    event["detail-type"] = json!("EC2 Instance State-change Notification");
    assert_eq!(classify(&event), Invocation::Unknown);
}

#[test]
fn a_sunday_schedule_or_an_asked_one_backfills() {
    let mut sunday = scheduled_event();
    sunday["time"] = json!("2026-11-22T06:00:00Z");
    assert_eq!(classify(&sunday), Invocation::Scheduled { backfill: true });
    let mut asked = scheduled_event();
    asked["detail"] = json!({ "backfill": true });
    assert_eq!(classify(&asked), Invocation::Scheduled { backfill: true });
}

/// On the one-minute schedule a Sunday has 1,440 runs: only the four at the original Sunday cron's
/// hours (and midnight) scan the whole table.
#[test]
fn only_four_sunday_runs_a_week_backfill() {
    let minutes = (0..7 * 24 * 60).map(|m| at("2026-11-16T00:00:00Z") + chrono::TimeDelta::minutes(m));
    let backfills: Vec<String> = minutes
        .filter(|t| sunday_backfill(*t))
        .map(|t| t.format("%a %H:%M").to_string())
        .collect();
    assert_eq!(backfills, ["Sun 00:00", "Sun 06:00", "Sun 12:00", "Sun 18:00"]);
    let mut sunday_minute = scheduled_event();
    sunday_minute["time"] = json!("2026-11-22T06:01:00Z");
    assert_eq!(classify(&sunday_minute), Invocation::Scheduled { backfill: false });
}

#[test]
fn an_eventbridge_schedule_is_scheduled() {
    assert_eq!(classify(&scheduled_event()), Invocation::Scheduled { backfill: false });
}

#[test]
fn the_readme_constant_input_is_by_url() {
    assert_eq!(
        classify(&constant_input("S")),
        Invocation::ByUrl(UrlRun {
            secret: Some("S".into()),
            method: None,
            base_url: None,
            ..UrlRun::default()
        })
    );
}

#[tokio::test]
async fn an_unknown_shape_is_a_400_proxy_response() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    for event in [
        json!({}),
        json!({"detail": {}}),
        json!({"secret": SECRET}),
        json!("ping"),
        json!(null),
        json!([1, 2]),
    ] {
        assert_eq!(classify(&event), Invocation::Unknown, "{event}");
        let response = monitor_event(event.clone(), &world.deps(), now(), "r")
            .await
            .expect("answered, not failed");
        let (status, headers, body) = proxy(&response);
        assert_eq!(status, 400, "{event}");
        assert_eq!(headers["content-type"], json!("application/json"));
        assert_eq!(body["status"], json!(400));
        assert!(body["error"].as_str().unwrap().contains("scheduled event"), "{body}");
    }
    assert_eq!(world.slack.attempts(), 0);
}

#[tokio::test]
async fn by_url_a_wrong_or_missing_secret_is_403_and_sends_nothing() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    let requests = world.store.requests();
    for event in [
        rest_event("GET", None),
        rest_event("GET", Some("wrong")),
        rest_event("GET", Some(SECRET_IN_URL)),
        rest_event("GET", Some("")),
        constant_input("wrong"),
        json!({ "queryStringParameters": null }),
        json!({ "queryStringParameters": { "secret": 42 } }),
    ] {
        let response = monitor_event(event.clone(), &world.deps(), now(), "r")
            .await
            .expect("answered");
        let (status, headers, body) = proxy(&response);
        assert_eq!(status, 403, "{event}");
        assert_eq!(headers["content-type"], json!("application/json"));
        assert_eq!(body, json!({ "error": "this link is not valid", "status": 403 }));
    }
    assert_eq!(world.slack.attempts(), 0, "nothing sent");
    assert_eq!(world.store.requests(), requests, "the table is not read");
    assert_eq!(world.alert("nightly"), None);
}

#[tokio::test]
async fn by_url_without_a_configured_secret_is_503() {
    let world = World::new(&[("BASE_URL", BASE_URL)]);
    world.pulse("nightly", thursday()).await;
    let response = monitor_event(constant_input("anything"), &world.deps(), now(), "r")
        .await
        .unwrap();
    let (status, _, body) = proxy(&response);
    assert_eq!(status, 503);
    assert!(body["error"].as_str().unwrap().contains("DASHBOARD_SECRET"), "{body}");
    assert_eq!(world.slack.attempts(), 0);
}

#[tokio::test]
async fn by_url_only_get_is_allowed() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    let response = monitor_event(rest_event("POST", Some(SECRET)), &world.deps(), now(), "r")
        .await
        .unwrap();
    let (status, headers, _) = proxy(&response);
    assert_eq!(status, 405);
    assert_eq!(headers["allow"], json!("GET"));
    assert_eq!(world.slack.attempts(), 0);
}

#[tokio::test]
async fn by_url_the_right_secret_runs_and_answers_the_summary() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    let response = monitor_event(rest_event("GET", Some(SECRET)), &world.deps(), now(), "r")
        .await
        .unwrap();
    let (status, headers, body) = proxy(&response);
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], json!("application/json"));
    assert_eq!(headers["cache-control"], json!("no-store"));
    assert_eq!(body, one_new_alert());
    assert_eq!(world.slack.delivered().len(), 1);
}

#[tokio::test]
async fn a_scheduled_run_needs_no_secret() {
    // Secret configured, none sent.
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    let got = world.run(now()).await;
    assert_eq!(got, one_new_alert());
    assert_eq!(world.slack.delivered().len(), 1);

    // Nothing configured at all: the alert still goes out, without links.
    let bare = World::new(&[]);
    bare.pulse("nightly", thursday()).await;
    bare.run(now()).await;
    let messages = bare.slack.delivered();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].text.contains("web-1 / backup / db / nightly"),
        "{}",
        messages[0].text
    );
    assert!(
        !messages[0].text.contains("<http"),
        "no links without a base URL and secret: {}",
        messages[0].text
    );
}

#[tokio::test]
async fn links_use_base_url_or_else_the_address_api_gateway_was_reached_at() {
    let derived = World::new(&[("DASHBOARD_SECRET", SECRET)]);
    derived.pulse("nightly", thursday()).await;
    monitor_event(rest_event("GET", Some(SECRET)), &derived.deps(), now(), "r")
        .await
        .unwrap();
    let text = &derived.slack.delivered()[0].text;
    assert!(
        text.ends_with(&dashboard_link(&format!("https://{DOMAIN}/Prod"))),
        "{text}"
    );

    let configured = World::standard();
    configured.pulse("nightly", thursday()).await;
    monitor_event(rest_event("GET", Some(SECRET)), &configured.deps(), now(), "r")
        .await
        .unwrap();
    let text = &configured.slack.delivered()[0].text;
    assert!(text.ends_with(&dashboard_link(BASE_URL)), "BASE_URL wins: {text}");
}
