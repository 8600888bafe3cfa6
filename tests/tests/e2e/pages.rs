//! The dashboard and the edit form end to end: secret, rows, headers, saving, refusing, deleting.

use heartbeat_e2e::{Dynalite, LocalRuntime, header, original_id, s_attr, stamp_days_ago};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

const FORM: &str = "application/x-www-form-urlencoded";
const UNKNOWN_ID: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// The dashboard's row that shows `host` (`<tr data-k=…>` up to its line's end: end tags are left out).
fn row<'a>(html: &'a str, host: &str) -> &'a str {
    let cell = format!("><td>{host}<td>");
    html.split("\n<tr data-k=")
        .skip(1)
        .map(|rest| rest.split('\n').next().unwrap_or(rest))
        .find(|row| row.contains(&cell))
        .unwrap_or_else(|| panic!("no dashboard row for host {host}:\n{html}"))
}

fn assert_page_headers(headers: &HeaderMap) {
    assert!(header(headers, "content-type").starts_with("text/html"), "{headers:?}");
    let csp = header(headers, "content-security-policy");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "CSP: {csp:?}"
    );
    assert_eq!(header(headers, "x-frame-options"), "DENY");
    assert_eq!(header(headers, "referrer-policy"), "no-referrer");
    assert_eq!(header(headers, "cache-control"), "no-store");
}

async fn get(rt: &LocalRuntime, url: impl reqwest::IntoUrl) -> (StatusCode, HeaderMap, String) {
    let response = rt.http().get(url).send().await.expect("GET");
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("a body"))
}

async fn post_form(rt: &LocalRuntime, id: &str, body: &'static str) -> (StatusCode, HeaderMap, String) {
    let response = rt
        .http()
        .post(rt.url_with("edit", &[("secret", rt.secret()), ("id", id)]))
        .header("content-type", FORM)
        .body(body)
        .send()
        .await
        .expect("POST /heartbeat/edit");
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("a body"))
}

/// One fresh pulse (through HTTP) and one 30 days old (≥ 20 working days: exceeded on any weekday).
async fn fresh_and_stale(rt: &LocalRuntime) -> (String, String) {
    rt.pulse_ok("fresh-host", "backup", "cron", "fresh-job").await;
    let stale = rt
        .put_original_item(
            "stale-host",
            "backup",
            "cron",
            "stale-job",
            &stamp_days_ago(30),
            "24",
            "0",
        )
        .await;
    (original_id("fresh-host", "backup", "cron", "fresh-job"), stale)
}

#[tokio::test]
async fn dashboard_needs_the_secret() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    fresh_and_stale(&rt).await;

    let (wrong, wrong_headers, wrong_body) = get(&rt, rt.url_with("dashboard", &[("secret", "not-the-secret")])).await;
    let (missing, _, missing_body) = get(&rt, rt.url("dashboard")).await;
    assert_eq!(wrong, StatusCode::FORBIDDEN);
    assert_eq!(missing, StatusCode::FORBIDDEN);
    assert_eq!(wrong_body, missing_body, "wrong and missing secrets must look the same");
    assert!(header(&wrong_headers, "content-type").starts_with("text/html"));
    for secret_or_data in [rt.secret(), "fresh-host", "stale-host", "not-the-secret"] {
        assert!(
            !wrong_body.contains(secret_or_data),
            "the 403 page reveals {secret_or_data}"
        );
    }
}

#[tokio::test]
async fn dashboard_lists_the_pulses_and_marks_the_late_one() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let (fresh_id, stale_id) = fresh_and_stale(&rt).await;

    let (status, headers, html) = get(&rt, rt.url_with("dashboard", &[("secret", rt.secret())])).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_page_headers(&headers);

    let stale = row(&html, "stale-host");
    assert!(stale.contains(" data-status=late>"), "{stale}");
    assert!(stale.contains(" over<td>1 d<td>late<td>late for "), "{stale}");
    assert!(stale.contains("<td>stale-job<td>"), "{stale}");
    // The page's script links each row to its id, the hash of the key it shows (data-id otherwise).
    assert_eq!(stale_id, original_id("stale-host", "backup", "cron", "stale-job"));
    assert!(!stale.contains("data-id"), "{stale}");
    let fresh = row(&html, "fresh-host");
    assert!(fresh.contains(" data-status=ok>"), "{fresh}");
    assert!(fresh.contains(" left<td>1 d<td>ok<td>in "), "{fresh}");
    assert!(fresh.contains("<td>fresh-job<td>"), "{fresh}");
    assert_eq!(fresh_id, original_id("fresh-host", "backup", "cron", "fresh-job"));
    assert!(!fresh.contains("data-id"), "{fresh}");
    assert!(
        html.contains(&format!("data-secret=\"secret={}\"", rt.secret())),
        "the links' query"
    );
    assert!(html.contains("<strong id=\"count-total\">2</strong>"));
    assert!(html.contains("<strong id=\"count-late\">1</strong>"));
    assert!(html.contains("<strong id=\"count-ok\">1</strong>"));
}

#[tokio::test]
async fn edit_shows_the_threshold_and_saves_the_form() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let (id, _) = fresh_and_stale(&rt).await;

    let (status, headers, html) = get(&rt, rt.url_with("edit", &[("secret", rt.secret()), ("id", &id)])).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_page_headers(&headers);
    assert!(html.contains("fresh-host") && html.contains("fresh-job"));
    assert!(
        html.contains("name=\"threshold\"") && html.contains("value=\"24\""),
        "{html}"
    );

    let (status, headers, body) = post_form(&rt, &id, "threshold=36&saturday=1&tz=Europe%2FBerlin").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        header(&headers, "location"),
        format!("dashboard?secret={}", rt.secret())
    );

    let item = rt.item(&id).await.expect("the edited item");
    assert_eq!(s_attr(&item, "thresholdF"), "36");
    assert_eq!(s_attr(&item, "saturday"), "1");
    assert_eq!(s_attr(&item, "tz"), "Europe/Berlin");
    assert_eq!(s_attr(&item, "host"), "fresh-host");

    // Following the redirect as a browser would (relative to /heartbeat/edit).
    let (status, _, html) = get(&rt, rt.url(header(&headers, "location"))).await;
    assert_eq!(status, StatusCode::OK);
    let fresh = row(&html, "fresh-host");
    assert!(fresh.contains(" 36 "), "the threshold's sort key: {fresh}");
    assert!(
        fresh.contains("<td>1 d 12 h <i>· Sat ✓</i><td>"),
        "Saturday is shown as a working day: {fresh}"
    );

    let (_, _, html) = get(&rt, rt.url_with("edit", &[("secret", rt.secret()), ("id", &id)])).await;
    assert!(
        html.contains("value=\"36\"") && html.contains("value=\"Europe/Berlin\""),
        "{html}"
    );
}

#[tokio::test]
async fn a_script_written_for_the_original_edits_without_tz() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let (_, stale) = fresh_and_stale(&rt).await;

    // The original form's two fields, as a script written for the original server posts them.
    let (status, _, body) = post_form(&rt, &stale, "threshold=48&saturday=1").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let item = rt.item(&stale).await.expect("the edited item");
    assert_eq!((s_attr(&item, "thresholdF"), s_attr(&item, "saturday")), ("48", "1"));
    assert_eq!(s_attr(&item, "tz"), "UTC", "the default zone it was judged in");

    // Only the threshold: Saturday stays a working day.
    let (status, _, body) = post_form(&rt, &stale, "threshold=12").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let item = rt.item(&stale).await.unwrap();
    assert_eq!((s_attr(&item, "thresholdF"), s_attr(&item, "saturday")), ("12", "1"));

    // What the page's own form sends with the box unticked: Saturday is off.
    let (status, _, body) = post_form(&rt, &stale, "threshold=12&checkboxes=saturday&tz=UTC").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(s_attr(&rt.item(&stale).await.unwrap(), "saturday"), "0");

    // A field that is present and invalid is still refused, and nothing changes.
    let before = rt.item(&stale).await.unwrap();
    let (status, _, html) = post_form(&rt, &stale, "saturday=yes").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("id=\"saturday-error\""), "{html}");
    assert_eq!(rt.item(&stale).await.unwrap(), before, "the item changed");
}

#[tokio::test]
async fn an_invalid_form_is_shown_again_with_errors_and_saves_nothing() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let (id, _) = fresh_and_stale(&rt).await;
    let before = rt.item(&id).await.unwrap();

    let (status, headers, html) = post_form(&rt, &id, "threshold=-1&saturday=1&tz=Mars%2FBase").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert_page_headers(&headers);
    assert!(html.contains("value=\"-1\""), "typed threshold lost: {html}");
    assert!(html.contains("value=\"Mars/Base\""), "typed timezone lost: {html}");
    assert!(html.contains("id=\"threshold-error\""), "{html}");
    assert!(html.contains("is not a number of hours"), "{html}");
    assert!(html.contains("id=\"tz-error\""), "{html}");
    assert!(html.contains("is not a known IANA timezone"), "{html}");
    assert_eq!(rt.item(&id).await.unwrap(), before, "the item changed");
}

#[tokio::test]
async fn delete_removes_the_item() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let (id, stale) = fresh_and_stale(&rt).await;

    let (status, headers, body) = post_form(&rt, &id, "delete=1").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        header(&headers, "location"),
        format!("dashboard?secret={}", rt.secret())
    );
    assert_eq!(rt.item(&id).await, None);
    assert!(rt.item(&stale).await.is_some(), "the other pulse went too");
    assert_eq!(rt.scan_count().await, 1);
    let html = rt.dashboard().await;
    assert!(!html.contains("fresh-host"));
}

#[tokio::test]
async fn unknown_ids_are_404_and_create_nothing() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    fresh_and_stale(&rt).await;

    let (status, headers, _) = get(&rt, rt.url_with("edit", &[("secret", rt.secret()), ("id", UNKNOWN_ID)])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(header(&headers, "content-type").starts_with("text/html"));
    let (status, _, _) = post_form(&rt, UNKNOWN_ID, "threshold=36&tz=UTC").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = post_form(&rt, UNKNOWN_ID, "delete=1").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(rt.item(UNKNOWN_ID).await, None, "a phantom item appeared");
    assert_eq!(rt.scan_count().await, 2);
}

#[tokio::test]
async fn a_missing_id_is_400() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let (status, headers, _) = get(&rt, rt.url_with("edit", &[("secret", rt.secret())])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(header(&headers, "content-type").starts_with("text/html"));
    assert_eq!(rt.scan_count().await, 0);
}

#[tokio::test]
async fn the_stage_prefix_does_not_matter() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    fresh_and_stale(&rt).await;
    let url = format!("{}/Prod/heartbeat/dashboard?secret={}", rt.base_url(), rt.secret());
    let (status, headers, html) = get(&rt, url).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_page_headers(&headers);
    assert!(row(&html, "stale-host").contains(" data-status=late>"));
}
