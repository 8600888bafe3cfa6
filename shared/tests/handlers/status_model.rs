//! One status model on every surface: for a pulse in each state at one fixed instant, the dashboard
//! row, the header's counts, the detail page, the edit page, the API, the CSV and the badge all name
//! the same state. A job that failed or overran never reads as healthy, one quiet on purpose never
//! as exceeded, and one that never succeeded never as if it had.

use crate::support::*;
use heartbeat_shared::api::{ApiDeps, Keys};
use heartbeat_shared::config::Secret;
use heartbeat_shared::handlers;
use heartbeat_shared::model::{MaxRuntime, Pulse, RunState, Scope, Window};
use heartbeat_shared::store::{MaintenanceStore, MemoryStore};
use serde_json::Value;

/// Stale since Thursday 09:00: late by its 24 h threshold at `now()` unless something else wins.
fn stale(name: &str) -> Pulse {
    pulse_in(name, at("2026-11-19T09:00:00Z"), "24", "UTC")
}

/// (name, expected state, pulse): one pulse in each state at `now()`.
fn one_of_each() -> Vec<(&'static str, &'static str, Pulse)> {
    let fresh = |name| pulse_in(name, now() - hours(1), "24", "UTC");
    let mut running = fresh("running-job");
    running.run.started_at = Some(now() - hours(1) + chrono::TimeDelta::minutes(30));
    let mut overrun = fresh("overrun-job");
    overrun.run = RunState {
        started_at: Some(now() - hours(3)),
        max_runtime: Some(MaxRuntime::parse("2").unwrap()),
        ..RunState::default()
    };
    // Made by a failure five minutes ago (`/pulse/fail` on a new pulse): never succeeded.
    let failed_at = now() - chrono::TimeDelta::minutes(5);
    let mut failed = Pulse {
        pulse_count: None,
        ..pulse_in("failed-job", failed_at, "24", "UTC")
    };
    failed.run = RunState {
        last_finish: Some(failed_at),
        exit_code: Some(3),
        failing_since: Some(failed_at),
        last_failure: Some(failed_at),
        ..RunState::default()
    };
    let mut paused = stale("paused-job");
    paused.quiet.paused = true;
    let mut snoozed = stale("snoozed-job");
    snoozed.quiet.snoozed_until = Some(now() + hours(1));
    let mut maintenance = stale("maintenance-job");
    maintenance.key.category = "db".into();
    maintenance.id = maintenance.key.id();
    vec![
        ("ok-job", "ok", fresh("ok-job")),
        ("running-job", "running", running),
        ("late-job", "late", stale("late-job")),
        ("overrun-job", "overrun", overrun),
        ("failed-job", "failed", failed),
        ("paused-job", "paused", paused),
        ("snoozed-job", "snoozed", snoozed),
        ("maintenance-job", "maintenance", maintenance),
    ]
}

async fn store_of_each() -> MemoryStore {
    let store = MemoryStore::new();
    for (_, _, pulse) in one_of_each() {
        store.insert(pulse);
    }
    let window = Window {
        id: "w1".into(),
        start: now() - hours(1),
        end: now() + hours(2),
        scope: Scope::parse("category=db").unwrap(),
        note: "db upgrade".into(),
    };
    store.add_window(&window).await.unwrap();
    store
}

fn keys() -> Keys {
    Keys {
        read_write: Some(Secret::new("k")),
        badge: Some(Secret::new("b")),
        ..Keys::default()
    }
}

/// The dashboard's row of `name`, up to its line's end.
fn row<'h>(html: &'h str, name: &str) -> &'h str {
    html.match_indices("<tr data-k=")
        .map(|(i, _)| {
            let row = &html[i..];
            &row[..row.find('\n').unwrap()]
        })
        .find(|r| r.contains(&format!("<td>{name}<td")))
        .unwrap_or_else(|| panic!("no row for {name}"))
}

#[tokio::test]
async fn every_page_badge_csv_and_the_api_name_the_same_state() {
    let store = store_of_each().await;
    let config = with_secret();
    let keys = keys();
    let dashboard = text(
        &handlers::dashboard(
            get(&format!("/heartbeat/dashboard?secret={SECRET_IN_URL}")),
            &store,
            &config,
            now(),
        )
        .await,
    );
    let csv = text(
        &handlers::export_csv(
            get(&format!("/heartbeat/export.csv?secret={SECRET_IN_URL}")),
            &store,
            &store,
            Some(&store),
            &config,
            now(),
        )
        .await,
    );
    let deps = ApiDeps::new(&store, &config, &keys);
    for (name, want, pulse) in one_of_each() {
        let id = pulse.id.as_str().to_owned();
        // The dashboard: the row's data-status and its Status cell.
        let row = row(&dashboard, name);
        assert!(row.contains(&format!(" data-status={want}")), "{name}: {row}");
        assert!(row.contains(&format!("<td>{want}<td>")), "{name}: {row}");
        // The detail and edit pages.
        let detail = text(
            &handlers::detail(
                get(&format!("/heartbeat/pulses/{id}?secret={SECRET_IN_URL}")),
                &store,
                &config,
                now(),
            )
            .await,
        );
        assert!(
            detail.contains(&format!("id=\"status\">{want}</span>")),
            "{name}: detail page"
        );
        let edit = text(
            &handlers::edit_get(
                get(&format!("/heartbeat/edit?secret={SECRET_IN_URL}&id={id}")),
                &store,
                &config,
                now(),
            )
            .await,
        );
        assert!(
            edit.contains(&format!("id=\"status\">{want}</span>")),
            "{name}: edit page"
        );
        assert!(
            !edit.contains(">OK<") && !edit.contains("EXCEEDED"),
            "{name}: edit page"
        );
        // The API, one pulse and the filtered listing.
        let req = lambda_http::http::Request::builder()
            .uri(format!("/heartbeat/api/v1/pulses/{id}"))
            .header("authorization", "Bearer k")
            .body(lambda_http::Body::Empty)
            .unwrap();
        let one: Value = serde_json::from_str(&text(&heartbeat_shared::api::serve(req, &deps, now()).await)).unwrap();
        assert_eq!(one["status"], want, "{name}: API");
        // A change's answer judges the pulse the same way (maintenance windows and calendars included).
        let req = lambda_http::http::Request::builder()
            .method("PATCH")
            .uri(format!("/heartbeat/api/v1/pulses/{id}"))
            .header("authorization", "Bearer k")
            .header("content-type", "application/json")
            .body(lambda_http::Body::from("{}"))
            .unwrap();
        let patched: Value =
            serde_json::from_str(&text(&heartbeat_shared::api::serve(req, &deps, now()).await)).unwrap();
        assert_eq!(patched["status"], want, "{name}: PATCH answer {patched}");
        let req = lambda_http::http::Request::builder()
            .uri(format!("/heartbeat/api/v1/pulses?status={want}"))
            .header("authorization", "Bearer k")
            .body(lambda_http::Body::Empty)
            .unwrap();
        let listed: Value =
            serde_json::from_str(&text(&heartbeat_shared::api::serve(req, &deps, now()).await)).unwrap();
        let names: Vec<&str> = listed["pulses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, [name], "API filter status={want}");
        // The CSV's status column.
        assert!(csv.contains(&format!(",{name},{want},")), "{name}: CSV {csv}");
        // The badge: up for the healthy, the state's name otherwise.
        let badge = handlers::badge(
            get(&format!("/heartbeat/badge/b/{id}.json")),
            &store,
            &config,
            &keys,
            now(),
        )
        .await;
        let badge: Value = serde_json::from_str(&text(&badge)).unwrap();
        let message = if want == "ok" || want == "running" { "up" } else { want };
        assert_eq!(badge["message"], message, "{name}: badge");
    }
}

#[tokio::test]
async fn the_dashboard_leads_with_what_needs_attention_and_counts_each_state() {
    let store = store_of_each().await;
    let html = text(
        &handlers::dashboard(
            get(&format!("/heartbeat/dashboard?secret={SECRET_IN_URL}")),
            &store,
            &with_secret(),
            now(),
        )
        .await,
    );
    // The header counts each state present, in the list's order; the title counts the three that
    // need attention.
    assert!(html.contains("<title>(3) Dashboard · heartbeat</title>"), "title");
    let counts = &html[html.find("id=\"counts\"").unwrap()..];
    let counts = &counts[..counts.find("</p>").unwrap()];
    let words: String = counts
        .split('<')
        .filter_map(|part| part.split_once('>').map(|(_, text)| text))
        .collect();
    assert_eq!(
        words.trim(),
        "8 pulses: 1 failed · 1 overrun · 1 late · 1 paused · 1 snoozed · 1 maintenance · 1 running · 1 ok"
    );
    assert!(counts.contains("<strong id=\"count-failed\">1</strong>"), "{counts}");
    // Rows: those that need attention first, the worst first; then the quiet ones; then the healthy.
    let order: Vec<&str> = html
        .match_indices("<tr data-k=")
        .map(|(i, _)| {
            let rest = &html[i..];
            let rest = &rest[rest.find(" data-status=").unwrap() + " data-status=".len()..];
            &rest[..rest.find([' ', '>']).unwrap()]
        })
        .collect();
    assert_eq!(
        order,
        [
            "failed",
            "overrun",
            "late",
            "paused",
            "snoozed",
            "maintenance",
            "running",
            "ok"
        ]
    );
    // No row is marked exceeded any more: the quiet ones say so, with until when, in the page's zone.
    assert!(!html.contains("class=\"exceeded\"") && !html.contains("EXCEEDED"));
    assert!(
        row(&html, "snoozed-job").ends_with("<td>snoozed<td>snoozed until 13:00"),
        "{}",
        row(&html, "snoozed-job")
    );
    assert!(row(&html, "maintenance-job").ends_with("<td>maintenance<td>in maintenance until 14:00"));
    // The job that never succeeded says so instead of showing its failure's time as its last pulse.
    assert!(
        row(&html, "failed-job").contains("<td>no success yet<i>failed 5 min ago</i>"),
        "{}",
        row(&html, "failed-job")
    );
}

#[tokio::test]
async fn a_job_that_never_succeeded_does_not_read_as_if_it_had() {
    let store = store_of_each().await;
    let config = with_secret();
    let id = id_of("legacy-host", "cron", "node", "failed-job");
    for uri in [
        format!("/heartbeat/edit?secret={SECRET_IN_URL}&id={id}"),
        format!("/heartbeat/pulses/{id}?secret={SECRET_IN_URL}"),
    ] {
        let res = if uri.contains("/edit") {
            handlers::edit_get(get(&uri), &store, &config, now()).await
        } else {
            handlers::detail(get(&uri), &store, &config, now()).await
        };
        let html = text(&res);
        assert!(
            html.contains("<dd id=\"last-pulse\">no successful run yet; last signal: failed 5 min ago <span class=\"muted\">(2026-11-23 11:55 UTC)</span></dd>"),
            "{uri}: {html}"
        );
    }
    // A job that succeeded and failed since says both.
    let mut later = pulse_in("flaky-job", now() - hours(2), "24", "Europe/Berlin");
    later.run.failing_since = Some(now() - hours(1));
    later.run.last_failure = Some(now() - hours(1));
    let id = later.id.clone();
    store.insert(later);
    let html = text(
        &handlers::edit_get(
            get(&format!("/heartbeat/edit?secret={SECRET_IN_URL}&id={id}")),
            &store,
            &config,
            now(),
        )
        .await,
    );
    assert!(
        html.contains("<dd id=\"last-pulse\">2026-11-23 11:00 CET <span class=\"muted\">(2 h ago)</span>; last signal: failed 1 h ago <span class=\"muted\">(2026-11-23 12:00 CET)</span></dd>"),
        "{html}"
    );
    assert!(html.contains("id=\"status\">failed</span>"));
}

#[tokio::test]
async fn the_dashboard_shows_every_time_in_the_default_zone_and_names_it() {
    let store = MemoryStore::new();
    // Pulses of their own zones: the page still shows one zone, the service's default.
    store.insert(pulse_in(
        "kolkata-job",
        at("2026-11-23T10:00:00Z"),
        "24",
        "Asia/Kolkata",
    ));
    store.insert(pulse_in("utc-job", at("2026-11-20T18:10:00Z"), "24", "UTC"));
    let config = config(&[("DASHBOARD_SECRET", SECRET), ("DEFAULT_TIMEZONE", "Europe/Berlin")]);
    let html = text(
        &handlers::dashboard(
            get(&format!("/heartbeat/dashboard?secret={SECRET_IN_URL}")),
            &store,
            &config,
            now(),
        )
        .await,
    );
    assert!(
        row(&html, "kolkata-job").contains("<td>11:00<i>2 h ago</i>"),
        "{}",
        row(&html, "kolkata-job")
    );
    assert!(
        row(&html, "utc-job").contains("<td>Fri 19:10<i>2 d ago</i>"),
        "{}",
        row(&html, "utc-job")
    );
    assert!(!html.contains(" title=\"Asia/Kolkata\""), "no row of another zone");
    // The footer: when, as a person reads it, in that zone, which it names; the ISO time only for machines.
    assert!(
        html.contains("Generated <time datetime=\"2026-11-23T12:00:00.000Z\">Mon 23 Nov 2026 13:00 CET</time> · times in <span id=\"zone\">Europe/Berlin</span>"),
        "{}",
        &html[html.find("class=\"foot\"").unwrap()..]
    );
}
