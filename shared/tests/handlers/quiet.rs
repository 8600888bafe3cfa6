//! Snooze, pause and maintenance windows through the API and the pages, over the memory store: what
//! each answers, what it stores, and that a GET of the confirming page changes nothing.

use crate::support::*;
use heartbeat_shared::api::{self, ApiDeps, Keys};
use heartbeat_shared::config::Secret;
use heartbeat_shared::model::Pulse;
use heartbeat_shared::store::{MaintenanceStore, MemoryStore};
use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};
use serde_json::Value;

const KEY: &str = "rw-key";

fn keys() -> Keys {
    Keys {
        read_write: Some(Secret::new(KEY)),
        ..Keys::default()
    }
}

fn call(method: Method, path: &str, body: Option<&str>) -> Request {
    let mut req = request(
        method,
        &format!("/heartbeat/api/v1{path}"),
        body.map(|_| JSON),
        body.unwrap_or(""),
    );
    req.headers_mut()
        .insert("authorization", format!("Bearer {KEY}").parse().unwrap());
    req
}

fn json(res: &Response<Body>) -> Value {
    serde_json::from_str(&text(res)).unwrap_or(Value::Null)
}

/// A pulse late since Friday 09:00 (24 h threshold, last seen Thursday 09:00), seen at `now()` (Monday).
fn store_with_late_pulse() -> (MemoryStore, Pulse) {
    let store = MemoryStore::new();
    let pulse = pulse_in("nightly", at("2026-11-19T09:00:00Z"), "24", "UTC");
    store.insert(Pulse {
        due_at: Some(at("2026-11-20T09:00:00Z")),
        ..pulse.clone()
    });
    (store, pulse)
}

#[tokio::test]
async fn the_api_snoozes_ends_the_snooze_and_pauses() {
    let (store, pulse) = store_with_late_pulse();
    let config = with_secret();
    let keys = keys();
    let deps = ApiDeps::new(&store, &config, &keys);
    let path = format!("/pulses/{}", pulse.id);

    let res = api::api(
        call(Method::POST, &format!("{path}/snooze"), Some(r#"{"for": "1h"}"#)),
        &deps,
        now(),
    )
    .await;
    assert_eq!(res.status(), 200, "{}", text(&res));
    let body = json(&res);
    assert_eq!(
        (body["status"].as_str(), body["snoozedUntil"].as_str()),
        (Some("snoozed"), Some("2026-11-23T13:00:00.000Z"))
    );
    assert_eq!(
        store.snapshot(&pulse.id).unwrap().due_at,
        Some(at("2026-11-23T13:00:00Z")),
        "due when it ends"
    );

    let res = api::api(call(Method::DELETE, &format!("{path}/snooze"), None), &deps, now()).await;
    assert_eq!(json(&res)["status"], "late");
    assert_eq!(
        store.snapshot(&pulse.id).unwrap().due_at,
        Some(now()),
        "late: due at once"
    );

    let res = api::api(call(Method::POST, &format!("{path}/pause"), None), &deps, now()).await;
    assert_eq!(
        (json(&res)["status"].as_str(), json(&res)["paused"].as_bool()),
        (Some("paused"), Some(true))
    );
    let res = api::api(call(Method::DELETE, &format!("{path}/pause"), None), &deps, now()).await;
    assert_eq!(json(&res)["paused"], false);

    for (body, field) in [
        (r#"{"for": "1h", "until": "2026-11-23T15:00:00Z"}"#, "for"),
        (r#"{"until": "2026-11-23T11:00:00Z"}"#, "until"),
        (r#"{"for": "soon"}"#, "for"),
        (r#"{"when": "1h"}"#, "when"),
        (r#"{}"#, "body"),
    ] {
        let res = api::api(call(Method::POST, &format!("{path}/snooze"), Some(body)), &deps, now()).await;
        assert_eq!(res.status(), 400, "{body}: {}", text(&res));
        assert_eq!(json(&res)["field"], field, "{body}: {}", text(&res));
    }
    let ghost = format!("/pulses/{}/snooze", "0".repeat(64));
    let res = api::api(call(Method::POST, &ghost, Some(r#"{"for": "1h"}"#)), &deps, now()).await;
    assert_eq!(res.status(), 404);
    assert_eq!(store.len(), 1, "nothing created");
}

#[tokio::test]
async fn the_api_adds_lists_and_removes_windows_and_the_listing_shows_maintenance() {
    let (store, _) = store_with_late_pulse();
    let config = with_secret();
    let keys = keys();
    let deps = ApiDeps::new(&store, &config, &keys);
    let window = r#"{"end": "2026-11-23T14:00:00Z", "scope": "category=cron", "note": "db migration"}"#;
    let res = api::api(call(Method::POST, "/maintenance", Some(window)), &deps, now()).await;
    assert_eq!(res.status(), 201, "{}", text(&res));
    let added = json(&res);
    assert_eq!(
        (added["start"].as_str(), added["active"].as_bool()),
        (Some("2026-11-23T12:00:00.000Z"), Some(true))
    );

    let listed = json(&api::api(call(Method::GET, "/maintenance", None), &deps, now()).await);
    assert_eq!(listed["windows"].as_array().unwrap().len(), 1);
    let pulses = json(&api::api(call(Method::GET, "/pulses?status=maintenance", None), &deps, now()).await);
    assert_eq!(
        pulses["pulses"][0]["maintenanceUntil"], "2026-11-23T14:00:00.000Z",
        "{pulses}"
    );

    let id = added["id"].as_str().unwrap();
    let res = api::api(call(Method::DELETE, &format!("/maintenance/{id}"), None), &deps, now()).await;
    assert_eq!(res.status(), 204);
    let res = api::api(call(Method::DELETE, &format!("/maintenance/{id}"), None), &deps, now()).await;
    assert_eq!(res.status(), 404);
    let res = api::api(
        call(Method::POST, "/maintenance", Some(r#"{"end": "2026-11-23T11:00:00Z"}"#)),
        &deps,
        now(),
    )
    .await;
    assert_eq!(
        (res.status().as_u16(), json(&res)["field"].as_str()),
        (400, Some("end"))
    );
}

#[tokio::test]
async fn the_confirming_page_changes_nothing_on_get_and_snoozes_on_post() {
    let (store, pulse) = store_with_late_pulse();
    let config = with_secret();
    let keys = Keys::default();
    let deps = ApiDeps::new(&store, &config, &keys);
    let uri = format!(
        "/heartbeat/quiet?secret={SECRET_IN_URL}&id={}&action=snooze&for=1d",
        pulse.id
    );
    let before = store.snapshot(&pulse.id);
    let res = api::serve(get(&uri), &deps, now()).await;
    assert_html_page(&res, 200);
    assert!(
        text(&res).contains(r#"id="confirm">Snooze for 1 d</button>"#),
        "{}",
        text(&res)
    );
    assert_eq!(store.snapshot(&pulse.id), before, "a GET changes nothing");

    let res = api::serve(post(&uri, FORM, "action=snooze&for=1d"), &deps, now()).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        header(&res, "location"),
        Some(format!("pulses/{}?secret={SECRET_IN_URL}", pulse.id).as_str())
    );
    assert_eq!(
        store.snapshot(&pulse.id).unwrap().quiet.snoozed_until,
        Some(at("2026-11-24T12:00:00Z"))
    );

    let res = api::serve(post(&uri, FORM, "action=snooze&until=yesterday"), &deps, now()).await;
    assert_html_page(&res, 400);
    let wrong = format!("/heartbeat/quiet?secret=wrong&id={}", pulse.id);
    assert_eq!(
        api::serve(post(&wrong, FORM, "action=pause"), &deps, now())
            .await
            .status(),
        403
    );
    assert!(!store.snapshot(&pulse.id).unwrap().quiet.paused);
}

#[tokio::test]
async fn the_maintenance_page_adds_and_removes_windows() {
    let (store, _) = store_with_late_pulse();
    let config = with_secret();
    let keys = Keys::default();
    let deps = ApiDeps::new(&store, &config, &keys);
    let uri = format!("/heartbeat/maintenance?secret={SECRET_IN_URL}");
    let res = api::serve(
        post(
            &uri,
            FORM,
            "start=2026-11-23T22:00&end=2026-11-24T02:00&scope=all&note=x",
        ),
        &deps,
        now(),
    )
    .await;
    assert_eq!(res.status(), 303, "{}", text(&res));
    let windows = store.windows().await.unwrap();
    assert_eq!((windows.len(), windows[0].start), (1, at("2026-11-23T22:00:00Z")));
    let page = api::serve(get(&uri), &deps, now()).await;
    assert_html_page(&page, 200);
    assert!(text(&page).contains("planned"));
    let res = api::serve(post(&uri, FORM, &format!("remove={}", windows[0].id)), &deps, now()).await;
    assert_eq!(res.status(), 303);
    assert!(store.windows().await.unwrap().is_empty());
    let res = api::serve(post(&uri, FORM, "end=tomorrow"), &deps, now()).await;
    assert_html_page(&res, 400);
}

#[tokio::test]
async fn the_snooze_event_says_its_end_in_the_pulses_zone_naming_it() {
    use heartbeat_shared::store::EventLog;
    let store = MemoryStore::new();
    let pulse = pulse_in("nightly", at("2026-11-19T09:00:00Z"), "24", "Europe/Berlin");
    store.insert(pulse.clone());
    let config = with_secret();
    let keys = keys();
    let deps = ApiDeps::new(&store, &config, &keys);
    let path = format!("/pulses/{}", pulse.id);
    // A second apart: events of one instant have no order between them.
    for (second, (body, said)) in [
        (r#"{"for": "1h"}"#, "until 14:00 CET"),
        (r#"{"until": "2026-11-24T16:30:00Z"}"#, "until Tue 24 Nov 17:30 CET"),
    ]
    .into_iter()
    .enumerate()
    {
        let at = now() + chrono::TimeDelta::seconds(second as i64);
        let res = api::api(call(Method::POST, &format!("{path}/snooze"), Some(body)), &deps, at).await;
        assert_eq!(res.status(), 200, "{}", text(&res));
        let page = store.events(&pulse.id, None, 10, at).await.unwrap();
        assert_eq!(page.events[0].event.message.as_deref(), Some(said), "{body}");
    }
}
