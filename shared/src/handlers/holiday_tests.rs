//! Every status view judges with the holiday calendars: a pulse whose working time would be over
//! its threshold but for a holiday is `ok` on the dashboard, in the API, on its page, in the CSV
//! export and on its badge, while the same pulse opted out of every calendar is `late`.

use crate::api::{ApiDeps, Keys, serve};
use crate::config::{Config, Secret};
use crate::model::{CalendarName, CalendarNames, Pulse, PulseKey};
use crate::store::MemoryStore;
use crate::store::config::{CalendarStore, HolidayCalendar};
use crate::testing::{get, original_pulse, text};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// Friday 2026-12-25, noon UTC: a holiday in the `xmas` calendar.
fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-25T12:00:00Z").unwrap().to_utc()
}

fn config() -> Config {
    let vars = HashMap::from([
        ("DASHBOARD_SECRET".to_owned(), "s".to_owned()),
        ("DEFAULT_CALENDARS".to_owned(), "xmas".to_owned()),
    ]);
    Config::from_vars(&vars).unwrap()
}

/// Two pulses last seen Thursday 09:00 with a 24 h threshold: 27 working hours by now without the
/// holiday, 15 with it. `held` follows the default calendars; `opted_out` follows none.
async fn store() -> (MemoryStore, Pulse, Pulse) {
    let store = MemoryStore::new();
    let thursday = DateTime::parse_from_rfc3339("2026-12-24T09:00:00Z").unwrap().to_utc();
    let key = |name: &str| PulseKey::parse(Some("web-1"), Some("jobs"), Some("cron"), Some(name)).unwrap();
    let held = original_pulse(key("held"), thursday, "24", false);
    let mut opted_out = original_pulse(key("opted-out"), thursday, "24", false);
    opted_out.expect.calendars = Some(CalendarNames::default());
    store.insert(held.clone());
    store.insert(opted_out.clone());
    let christmas: NaiveDate = "2026-12-25".parse().unwrap();
    store
        .put_calendar(&HolidayCalendar {
            name: CalendarName::parse("xmas").unwrap(),
            dates: BTreeSet::from([christmas]),
            updated_at: now(),
        })
        .await
        .unwrap();
    (store, held, opted_out)
}

fn keys() -> Keys {
    Keys {
        read_write: Some(Secret::new("k")),
        badge: Some(Secret::new("b")),
        ..Keys::default()
    }
}

async fn api_json(store: &MemoryStore, path: &str) -> Value {
    let (config, keys) = (config(), keys());
    let deps = ApiDeps::new(store, &config, &keys).with_calendars(Some(store));
    let req = lambda_http::http::Request::builder()
        .uri(format!("/heartbeat/api/v1{path}"))
        .header("authorization", "Bearer k")
        .body(lambda_http::Body::Empty)
        .unwrap();
    let res = serve(req, &deps, now()).await;
    assert_eq!(res.status(), 200, "{}", text(&res));
    serde_json::from_slice(res.body().as_ref()).unwrap()
}

#[tokio::test]
async fn the_dashboard_counts_the_holiday_as_no_working_time() {
    let (store, _, _) = store().await;
    let res = super::dashboard(get("/heartbeat/dashboard?secret=s"), &store, &config(), now()).await;
    let html = text(&res);
    // A row is one line without end tags: its status is the ninth cell (the page's script adds
    // `data-status` in the browser).
    let status = |name: &str| {
        let row = html
            .lines()
            .find(|line| line.starts_with("<tr data-k=") && line.contains(&format!("<td>{name}<td>")))
            .unwrap_or_else(|| panic!("{name} row: {html}"));
        row.split("<td>").nth(9).unwrap_or_default().to_owned()
    };
    assert_eq!(status("held"), "ok");
    assert_eq!(status("opted-out"), "late");
}

#[tokio::test]
async fn the_api_lists_and_shows_the_holiday_pulse_as_ok() {
    let (store, held, opted_out) = store().await;
    let list = api_json(&store, "/pulses").await;
    let status = |name: &str| {
        list["pulses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["status"].clone())
            .unwrap()
    };
    assert_eq!((status("held"), status("opted-out")), ("ok".into(), "late".into()));
    let late_only = api_json(&store, "/pulses?status=late").await;
    assert_eq!(late_only["pulses"].as_array().unwrap().len(), 1, "{late_only}");
    assert_eq!(api_json(&store, &format!("/pulses/{}", held.id)).await["status"], "ok");
    let single = api_json(&store, &format!("/pulses/{}", opted_out.id)).await;
    assert_eq!(single["status"], "late");
    assert_eq!(single["workingSeconds"], 27.0 * 3600.0);
}

#[tokio::test]
async fn the_detail_page_the_export_and_the_badge_agree() {
    let (store, held, _) = store().await;
    let config = config();
    let page = text(
        &super::detail(
            get(&format!("/heartbeat/pulses/{}?secret=s", held.id)),
            &store,
            &config,
            now(),
        )
        .await,
    );
    assert!(page.contains("id=\"status\">ok</span>"), "{page}");

    let keys = keys();
    let deps = ApiDeps::new(&store, &config, &keys).with_calendars(Some(&store));
    let csv = text(&serve(get("/heartbeat/export.csv?secret=s"), &deps, now()).await);
    let status_of = |name: &str| {
        let line = csv.lines().find(|l| l.contains(&format!(",{name},"))).unwrap();
        line.split(',').nth(5).unwrap().to_owned()
    };
    assert_eq!(
        (status_of("held"), status_of("opted-out")),
        ("ok".into(), "late".into()),
        "{csv}"
    );

    let badge = |path: String| {
        let (store, config, keys) = (&store, &config, &keys);
        async move { text(&super::badge(get(&path), store, config, keys, now()).await) }
    };
    let single = badge(format!("/heartbeat/badge/b/{}.json", held.id)).await;
    assert!(single.contains("\"message\":\"up\""), "{single}");
    let host = badge("/heartbeat/badge/b/host:web-1.json".to_owned()).await;
    assert!(host.contains("\"message\":\"1 of 2 late\""), "{host}");
}

#[tokio::test]
async fn the_export_and_the_badge_name_a_silence_like_the_api() {
    let (store, _, mut opted_out) = store().await;
    opted_out.quiet.paused = true;
    store.insert(opted_out.clone());
    let (config, keys) = (config(), keys());
    let deps = ApiDeps::new(&store, &config, &keys).with_calendars(Some(&store));
    let csv = text(&serve(get("/heartbeat/export.csv?secret=s"), &deps, now()).await);
    assert!(csv.contains(",opted-out,paused,"), "{csv}");
    let path = format!("/heartbeat/badge/b/{}.json", opted_out.id);
    let badge = text(&super::badge(get(&path), &store, &config, &keys, now()).await);
    assert!(badge.contains("\"message\":\"paused\""), "{badge}");
}
