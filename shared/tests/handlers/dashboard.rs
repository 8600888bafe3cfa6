//! `GET /heartbeat/dashboard?secret=S`: the secret, the rows, the marks, the headers.

use crate::support::*;
use heartbeat_shared::config::Config;
use heartbeat_shared::handlers;
use heartbeat_shared::store::MemoryStore;
use lambda_http::http::Method;
use lambda_http::{Body, Request, RequestExt, Response};
use std::collections::HashMap;

const XSS_NAME: &str = "<script>alert(1)</script>";

async fn show(store: &MemoryStore, config: &Config, req: Request) -> Response<Body> {
    handlers::dashboard(req, store, config, now()).await
}

fn dashboard_uri() -> String {
    format!("/heartbeat/dashboard?secret={SECRET_IN_URL}")
}

/// The pulse rows of a page (`<tr data-k=…>`), each up to its line's end (end tags are left out).
fn pulse_rows(html: &str) -> Vec<&str> {
    html.match_indices("<tr data-k=")
        .map(|(i, _)| {
            let row = &html[i..];
            &row[..row.find('\n').expect("a row ends its line")]
        })
        .collect()
}

fn row<'h>(html: &'h str, name: &str) -> &'h str {
    let rows = pulse_rows(html);
    rows.into_iter()
        .find(|r| r.contains(&format!("<td>{name}<td")))
        .unwrap_or_else(|| panic!("no row for {name}"))
}

/// Monday noon: one pulse stale since Thursday, one fresh, one with a hostile name.
fn three_pulses() -> MemoryStore {
    let store = MemoryStore::new();
    store.insert(pulse_in("stale-job", at("2026-11-19T09:00:00Z"), "24", "UTC"));
    store.insert(pulse_in("fresh-job", now() - hours(2), "24", "UTC"));
    store.insert(pulse_in(XSS_NAME, now() - hours(1), "24", "UTC"));
    store
}

#[tokio::test]
async fn without_a_configured_secret_the_dashboard_is_503() {
    let store = three_pulses();
    for uri in ["/heartbeat/dashboard", "/heartbeat/dashboard?secret=anything"] {
        let res = show(&store, &config(&[]), get(uri)).await;
        assert_html_page(&res, 503);
        let body = text(&res);
        assert!(body.contains("not configured"), "{body}");
        assert!(body.contains("DASHBOARD_SECRET"), "{body}");
        assert!(!body.contains("stale-job"));
    }
    assert_eq!(store.requests(), 0, "the table is not read");
}

#[tokio::test]
async fn missing_and_wrong_secrets_are_403_with_identical_bodies() {
    let store = three_pulses();
    let config = with_secret();
    let mut bodies = Vec::new();
    for query in [
        "",
        "?secret=",
        "?secret=wrong",
        "?secret=s3cr",
        "?secret=s3cr&t",
        "?secret=S3CR%26T",
        "?secret=s3cr%26t%20",
        "?secret=s3cr%26t&secret=s3cr%26t",
        "?Secret=s3cr%26t",
    ] {
        let res = show(&store, &config, get(&format!("/heartbeat/dashboard{query}"))).await;
        assert_html_page(&res, 403);
        let body = text(&res);
        assert!(
            !body.contains("stale-job") && !body.contains("<table"),
            "{query}: reveals nothing"
        );
        bodies.push((query, body));
    }
    for (query, body) in &bodies {
        assert_eq!(body, &bodies[0].1, "{query:?} answers like a missing secret");
    }
    assert_eq!(
        store.requests(),
        0,
        "the table is not read before the secret is checked"
    );
}

#[tokio::test]
async fn the_dashboard_lists_every_pulse_marks_the_late_and_counts() {
    let store = three_pulses();
    let res = show(&store, &with_secret(), get(&dashboard_uri())).await;
    assert_html_page(&res, 200);
    let html = text(&res);

    assert!(html.contains("<strong id=\"count-total\">3</strong>"), "total");
    assert!(html.contains("<strong id=\"count-ok\">2</strong>"), "ok");
    assert!(html.contains("<strong id=\"count-late\">1</strong>"), "late");
    assert!(html.contains("<title>(1) Dashboard · heartbeat</title>"));
    assert!(html.contains("<meta http-equiv=\"refresh\" content=\"120\">"));

    let rows = pulse_rows(&html);
    assert_eq!(rows.len(), 3);
    assert!(rows[0].contains("stale-job"), "most overdue first: {}", rows[0]);
    assert!(rows[1].contains("fresh-job"), "then delta −22 before −23: {}", rows[1]);

    // Thursday 09:00 → Monday 12:00 is 15 + 24 + 12 = 51 working hours: 27 over. The sort keys:
    // the last pulse 99 h (5,940 min) ago, 51 h since, delta 27, threshold 24.
    let stale = row(&html, "stale-job");
    assert!(stale.starts_with("<tr data-k=\"5940 51 27 24 -"), "{stale}");
    assert!(stale.contains("\" data-status=late>"), "{stale}");
    assert!(
        stale.contains("<td>2 d 3 h<td>1 d 3 h over<td>1 d<td>late<td>late for "),
        "{stale}"
    );
    assert!(stale.contains("<td>Thu 09:00<i>4 d ago</i>"), "{stale}");
    // Its id is the hash of its key, so the page's script builds its links without it.
    assert!(!stale.contains("data-id") && !stale.contains("href"), "{stale}");
    assert!(
        html.contains(&format!("data-secret=\"secret={SECRET_IN_URL}\"")),
        "the links' query"
    );

    let fresh = row(&html, "fresh-job");
    assert!(fresh.starts_with("<tr data-k=\"120 2 -22 24 "), "{fresh}");
    assert!(fresh.contains(" data-status=ok>"), "{fresh}");
    assert!(fresh.contains("<td>2 h<td>22 h left<td>1 d<td>ok<td>in "), "{fresh}");
    assert_eq!(html.matches(" data-status=late").count(), 1);
    assert!(!html.contains("exceeded"), "the old model's class and badge are gone");
}

#[tokio::test]
async fn user_data_is_escaped() {
    let store = three_pulses();
    let res = show(&store, &with_secret(), get(&dashboard_uri())).await;
    assert_html_page(&res, 200);
    let html = text(&res);
    assert!(html.contains("<td>&#60;script&#62;alert(1)&#60;/script&#62;<td"));
    assert!(!html.contains(XSS_NAME));
    assert_eq!(html.matches("<script").count(), 1, "only our own script element");
}

#[tokio::test]
async fn an_empty_table_shows_how_to_send_the_first_pulse() {
    let res = show(&MemoryStore::new(), &with_secret(), get(&dashboard_uri())).await;
    assert_html_page(&res, 200);
    let html = text(&res);
    assert!(html.contains("No pulses yet."));
    assert!(html.contains("<strong id=\"count-total\">0</strong>"));
    assert!(pulse_rows(&html).is_empty());
}

/// An item as the original server wrote it: no timezone, count, first-seen, alert or claim. It is
/// judged in the configured default timezone, with its Saturday flag and threshold.
#[tokio::test]
async fn items_of_the_original_server_show_with_default_timezone_saturday_and_threshold() {
    let store = MemoryStore::new();
    // Friday 23:30 UTC is Saturday 00:30 in Berlin: by Berlin's calendar no Friday time is left.
    let last = at("2026-11-20T23:30:00Z");
    store.insert(original_pulse("legacy-weekdays", last, "12", false));
    store.insert(original_pulse("legacy-saturdays", last, "40", true));
    let config = config(&[("DASHBOARD_SECRET", SECRET), ("DEFAULT_TIMEZONE", "Europe/Berlin")]);
    let res = show(&store, &config, get(&dashboard_uri())).await;
    assert_html_page(&res, 200);
    let html = text(&res);

    // Mon–Fri in Berlin: Monday 00:00 CET to 13:00 CET = 13 h (12.5 h if UTC were applied).
    // The last pulse lies 60.5 h (3,630 min) before the page's time.
    let weekdays = row(&html, "legacy-weekdays");
    assert!(weekdays.contains("<td>Sat 00:30<i>2 d ago</i>"), "{weekdays}");
    assert!(weekdays.starts_with("<tr data-k=\"3630 13 1 12 "), "{weekdays}");
    assert!(
        weekdays.contains("<td>13 h<td>1 h over<td>12 h<td>late<td>"),
        "no Saturday mark: {weekdays}"
    );

    // Mon–Sat in Berlin: Saturday 00:30–24:00 = 23.5 h, plus Monday's 13 h = 36.5 h of 40.
    let saturdays = row(&html, "legacy-saturdays");
    assert!(saturdays.starts_with("<tr data-k=\"3630 36.5 -3.5 40 "), "{saturdays}");
    assert!(saturdays.contains(" data-status=ok>"), "{saturdays}");
    assert!(
        saturdays.contains("<td>1 d 12 h<td>3 h 30 min left<td>1 d 16 h <i>· Sat ✓</i><td>ok<td>"),
        "{saturdays}"
    );
    assert!(html.contains("<strong id=\"count-late\">1</strong>"));
}

#[tokio::test]
async fn the_secret_may_come_from_api_gateways_decoded_parameters() {
    let store = three_pulses();
    let params: HashMap<String, Vec<String>> = HashMap::from([("secret".into(), vec![SECRET.into()])]);
    let res = show(
        &store,
        &with_secret(),
        get("/Prod/heartbeat/dashboard").with_query_string_parameters(params),
    )
    .await;
    assert_html_page(&res, 200);
    assert_eq!(pulse_rows(&text(&res)).len(), 3);

    let wrong: HashMap<String, Vec<String>> = HashMap::from([("secret".into(), vec![SECRET_IN_URL.into()])]);
    let res = show(
        &store,
        &with_secret(),
        get("/heartbeat/dashboard").with_query_string_parameters(wrong),
    )
    .await;
    assert_html_page(&res, 403);
}

#[tokio::test]
async fn an_unreachable_table_is_a_503_page_with_retry_after() {
    let store = three_pulses();
    store.set_down(true);
    let res = show(&store, &with_secret(), get(&dashboard_uri())).await;
    assert_html_page(&res, 503);
    assert_eq!(header(&res, "retry-after"), Some("30"));
    assert!(text(&res).contains("cannot be reached"));
}

#[tokio::test]
async fn other_methods_are_a_405_page() {
    let store = three_pulses();
    for method in [Method::POST, Method::DELETE] {
        let res = show(&store, &with_secret(), request(method, &dashboard_uri(), None, "")).await;
        assert_html_page(&res, 405);
        assert_eq!(header(&res, "allow"), Some("GET"));
    }
}

#[tokio::test]
async fn the_page_is_gzip_compressed_when_the_browser_accepts_it() {
    use std::io::Read;
    let store = MemoryStore::new();
    for i in 0..50 {
        store.insert(pulse_in(&format!("job-{i}"), now() - hours(2), "24", "UTC"));
    }
    let config = config(&[("DASHBOARD_SECRET", SECRET)]);
    let uri = format!("/heartbeat/dashboard?secret={SECRET_IN_URL}");
    let plain = handlers::dashboard(get(&uri), &store, &config, now()).await;
    let request = lambda_http::http::Request::builder()
        .uri(&uri)
        .header("accept-encoding", "br;q=1.0, gzip;q=0.8, *;q=0.1")
        .body(Body::Empty)
        .unwrap();
    let zipped = handlers::dashboard(request, &store, &config, now()).await;
    assert_eq!(zipped.status(), 200);
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    assert_eq!(zipped.headers()["vary"], "Accept-Encoding");
    assert!(zipped.headers().contains_key("content-security-policy"));
    let Body::Binary(bytes) = zipped.body() else {
        panic!("a binary body")
    };
    let mut html = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut html)
        .unwrap();
    let Body::Text(expected) = plain.body() else {
        panic!("a text body")
    };
    assert_eq!(&html, expected, "the same page");
    assert!(
        bytes.len() * 3 < expected.len(),
        "compressed: {} of {}",
        bytes.len(),
        expected.len()
    );
    assert!(plain.headers().get("content-encoding").is_none());

    // gzip;q=0 refuses it.
    let request = lambda_http::http::Request::builder()
        .uri(&uri)
        .header("accept-encoding", "gzip;q=0, identity")
        .body(Body::Empty)
        .unwrap();
    let refused = handlers::dashboard(request, &store, &config, now()).await;
    assert!(refused.headers().get("content-encoding").is_none());
}

/// Beyond 10,000 pulses the page does not grow: pages of 10,000, most overdue first, linked.
#[tokio::test]
async fn more_than_ten_thousand_pulses_come_in_pages() {
    let store = MemoryStore::new();
    for i in 0..10_001 {
        // Older names are more overdue: job-0 is the most, job-10000 the least.
        let age = chrono::TimeDelta::seconds(10_001 - i);
        store.insert(pulse_in(&format!("job-{i}"), now() - hours(1) - age, "24", "UTC"));
    }
    let config = with_secret();
    let first = text(&show(&store, &config, get(&dashboard_uri())).await);
    assert_eq!(pulse_rows(&first).len(), 10_000);
    assert!(pulse_rows(&first)[0].contains("<td>job-0<td>"));
    assert!(
        first.contains("<strong id=\"count-total\">10001</strong>"),
        "counts are of all pulses"
    );
    assert!(first.contains("Pulses 1–10000 of 10001, those that need attention first, 10,000 a page"));
    let next = format!("href=\"dashboard?secret={SECRET_IN_URL}&amp;page=2\" rel=\"next\"");
    assert!(first.contains(&next), "a link to page 2");
    assert!(!first.contains("rel=\"prev\""));

    let second = text(&show(&store, &config, get(&format!("{}&page=2", dashboard_uri()))).await);
    let rows = pulse_rows(&second);
    assert_eq!(rows.len(), 1);
    assert!(rows[0].contains("<td>job-10000<td>"), "{}", rows[0]);
    assert!(second.contains("Pulses 10001–10001 of 10001"));
    assert!(second.contains(&format!(
        "href=\"dashboard?secret={SECRET_IN_URL}&amp;page=1\" rel=\"prev\""
    )));
    // Past the end (pulses deleted since the link was made): the last page.
    let past = text(&show(&store, &config, get(&format!("{}&page=7", dashboard_uri()))).await);
    assert_eq!(pulse_rows(&past).len(), 1);

    for bad in ["0", "two", "-1"] {
        let res = show(&store, &config, get(&format!("{}&page={bad}", dashboard_uri()))).await;
        assert_html_page(&res, 400);
        assert!(
            text(&res).contains("Page must be a whole number from 1, not “"),
            "{bad}"
        );
    }
    // Up to 10,000 pulses there is one page and no page links.
    assert!(!text(&show(&three_pulses(), &config, get(&dashboard_uri())).await).contains("id=\"pages\""));
}

/// Every column and state the dashboard had before the rows were made short is still there: the last
/// run's length and exit code (left out of rows that never reported a run), the signals' states, and
/// snoozed with until when.
#[tokio::test]
async fn rows_show_the_last_run_its_exit_code_and_every_state() {
    use heartbeat_shared::model::RunState;
    let store = MemoryStore::new();
    let finished = now() - hours(2);
    let mut backup = pulse_in("backup-run", finished, "24", "UTC");
    backup.run = RunState {
        last_finish: Some(finished),
        sent_duration: Some(chrono::TimeDelta::seconds(5_430)),
        exit_code: Some(0),
        ..RunState::default()
    };
    store.insert(backup);
    let mut failing = pulse_in("export-run", finished, "24", "UTC");
    failing.run = RunState {
        last_finish: Some(finished),
        sent_duration: Some(chrono::TimeDelta::seconds(40)),
        exit_code: Some(3),
        failing_since: Some(finished),
        last_failure: Some(finished),
        ..RunState::default()
    };
    store.insert(failing);
    let mut snoozed = pulse_in("snoozed-job", at("2026-11-19T09:00:00Z"), "24", "UTC");
    snoozed.quiet.snoozed_until = Some(now() + hours(1));
    store.insert(snoozed);
    store.insert(pulse_in("plain-job", now() - hours(1), "24", "UTC"));

    let html = text(&show(&store, &with_secret(), get(&dashboard_uri())).await);
    let backup = row(&html, "backup-run");
    // Its last run took 1 h 30 min 30 s: 5,430 s, the last sort key.
    assert!(backup.starts_with("<tr data-k=\"120 2 -22 24 1320 5430\""), "{backup}");
    assert!(backup.ends_with("<td>ok<td>in 22 h<td>1 h 30 min<td>0"), "{backup}");
    let failing = row(&html, "export-run");
    assert!(failing.ends_with("<td>failed<td>in 22 h<td>40 s<td>3"), "{failing}");
    let snoozed = row(&html, "snoozed-job");
    assert!(
        snoozed.ends_with("<td>snoozed<td>snoozed until 13:00"),
        "no run reported, no run cells: {snoozed}"
    );
    // Over its threshold, but quiet on purpose: shown as snoozed, not as late.
    assert!(snoozed.contains(" data-status=snoozed>"), "{snoozed}");
    assert!(failing.contains(" data-status=failed>"), "{failing}");
    // The failed job is counted as failed, never as ok.
    assert!(html.contains("<strong id=\"count-failed\">1</strong>"));
    assert!(html.contains("<strong id=\"count-ok\">2</strong>"));
    let plain = row(&html, "plain-job");
    assert!(plain.ends_with("<td>ok<td>in 23 h"), "{plain}");
    // The headers of both columns, and every state in the status filter.
    assert!(html.contains("<button type=\"button\">Last run</button>"));
    assert!(html.contains("<button type=\"button\">Exit</button>"));
    for state in heartbeat_shared::rules::state::NAMES {
        assert!(
            html.contains(&format!("<option value=\"{state}\">{state}</option>")),
            "{state}"
        );
    }
}
