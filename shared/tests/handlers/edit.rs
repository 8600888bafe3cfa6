//! `GET|POST /heartbeat/edit?secret=S&id=ID`: the form, saving, deleting, and never creating.

use crate::support::*;
use heartbeat_shared::config::Config;
use heartbeat_shared::handlers;
use heartbeat_shared::model::{PulseId, Zone};
use heartbeat_shared::store::MemoryStore;
use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};

const UNKNOWN_ID: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A store with one pulse, created by a client with its own settings and a message.
async fn one_pulse() -> (MemoryStore, PulseId) {
    let store = MemoryStore::new();
    let req = get(
        "/heartbeat/pulse?host=web-1&category=backup&type=db&name=nightly&threshold=6&saturday=1&tz=Asia%2FKolkata&message=ok",
    );
    let res = handlers::pulse(req, &store, &config(&[]), now() - hours(1)).await;
    assert_eq!(res.status().as_u16(), 200);
    (store, id_of("web-1", "backup", "db", "nightly"))
}

fn edit_uri(id: &str) -> String {
    format!("/heartbeat/edit?secret={SECRET_IN_URL}&id={id}")
}

async fn open(store: &MemoryStore, config: &Config, req: Request) -> Response<Body> {
    handlers::edit_get(req, store, config, now()).await
}

async fn save(store: &MemoryStore, req: Request) -> Response<Body> {
    handlers::edit_post(req, store, store, &with_secret(), now()).await
}

#[track_caller]
fn assert_back_to_dashboard(res: &Response<Body>) {
    assert_eq!(res.status().as_u16(), 303, "{}", text(res));
    assert_eq!(header(res, "location"), Some("dashboard?secret=s3cr%26t"));
    assert_eq!(header(res, "referrer-policy"), Some("no-referrer"));
    assert_eq!(header(res, "cache-control"), Some("no-store"));
}

#[tokio::test]
async fn the_form_shows_the_stored_values() {
    let (store, id) = one_pulse().await;
    let res = open(&store, &with_secret(), get(&edit_uri(id.as_str()))).await;
    assert_html_page(&res, 200);
    let html = text(&res);
    assert!(html.contains("<dt>Host</dt><dd>web-1</dd>"));
    assert!(html.contains("<dt>Name</dt><dd>nightly</dd>"));
    assert!(
        html.contains("id=\"threshold\" name=\"threshold\" inputmode=\"decimal\" autocomplete=\"off\" value=\"6\""),
        "threshold"
    );
    assert!(
        html.contains("name=\"saturday\" value=\"1\" checked>"),
        "saturday checked"
    );
    assert!(html.contains("value=\"Asia/Kolkata\""), "timezone");
    assert!(
        html.contains("<input type=\"hidden\" name=\"checkboxes\" value=\"saturday,no_calendars\">"),
        "the form lists its checkbox, so that unticking it saves"
    );
    assert!(html.contains("<dt>Pulses received</dt>\n    <dd>1</dd>"), "count");
    assert!(html.contains("<pre>ok</pre>"), "last message");
    assert!(
        html.contains(&format!("action=\"edit?secret={SECRET_IN_URL}&#38;id={id}\"")),
        "posts back with the secret"
    );
    assert!(
        html.contains(&format!("href=\"dashboard?secret={SECRET_IN_URL}\"")),
        "link back"
    );
    // (The stylesheet has an `input[aria-invalid="true"]` selector; the attribute itself has a space before it.)
    assert!(!html.contains(" aria-invalid=\"true\""), "no field marked invalid");
    assert!(!html.contains("class=\"error\""));
}

#[tokio::test]
async fn an_original_item_shows_defaults_and_unknowns() {
    let store = MemoryStore::new();
    let pulse = original_pulse("legacy", now() - hours(3), "48", false);
    let id = pulse.id.clone();
    store.insert(pulse);
    let config = config(&[("DASHBOARD_SECRET", SECRET), ("DEFAULT_TIMEZONE", "Europe/Berlin")]);
    let res = open(&store, &config, get(&edit_uri(id.as_str()))).await;
    assert_html_page(&res, 200);
    let html = text(&res);
    assert!(html.contains("value=\"48\""));
    assert!(html.contains("name=\"saturday\" value=\"1\">"), "unchecked");
    assert!(html.contains("value=\"Europe/Berlin\""), "the default timezone");
    assert_eq!(
        html.matches("<span class=\"unknown\">unknown</span>").count(),
        2,
        "count, first seen"
    );
    assert_eq!(
        html.matches("<span class=\"none\">none</span>").count(),
        2,
        "no message, no metadata"
    );
    assert!(html.contains("2026-11-23 10:00 CET"), "last pulse in local time");
}

#[tokio::test]
async fn an_unknown_id_is_404_and_creates_nothing() {
    let (store, _) = one_pulse().await;
    let res = open(&store, &with_secret(), get(&edit_uri(UNKNOWN_ID))).await;
    assert_html_page(&res, 404);
    assert!(text(&res).contains("no pulse with this id"));
    assert_eq!(store.len(), 1);
}

#[tokio::test]
async fn a_missing_or_malformed_id_is_400() {
    let (store, id) = one_pulse().await;
    let upper = id.as_str().to_uppercase();
    let longer = format!("{id}0");
    let cases: [(String, &str); 6] = [
        (format!("/heartbeat/edit?secret={SECRET_IN_URL}"), "has no pulse id"),
        (format!("/heartbeat/edit?secret={SECRET_IN_URL}&id="), "has no pulse id"),
        (edit_uri("abc"), "is not a pulse id"),
        (edit_uri(&upper), "is not a pulse id"),
        (edit_uri(&longer), "is not a pulse id"),
        (edit_uri("..%2F..%2Fetc"), "is not a pulse id"),
    ];
    for (uri, needle) in cases {
        let res = open(&store, &with_secret(), get(&uri)).await;
        assert_html_page(&res, 400);
        assert!(text(&res).contains(needle), "{uri}: {}", text(&res));
        let res = save(&store, post(&uri, FORM, "threshold=5&tz=UTC")).await;
        assert_html_page(&res, 400);
    }
    assert_eq!(store.len(), 1);
}

#[tokio::test]
async fn a_wrong_secret_is_403_and_changes_nothing() {
    let (store, id) = one_pulse().await;
    let before = store.snapshot(&id);
    let uri = format!("/heartbeat/edit?secret=wrong&id={id}");
    assert_html_page(&open(&store, &with_secret(), get(&uri)).await, 403);
    assert_html_page(&save(&store, post(&uri, FORM, "delete=1")).await, 403);
    assert_html_page(&save(&store, post(&uri, FORM, "threshold=1&tz=UTC")).await, 403);
    assert_eq!(store.snapshot(&id), before);
    // Unconfigured: the pages are closed.
    assert_html_page(&open(&store, &config(&[]), get(&edit_uri(id.as_str()))).await, 503);
}

#[tokio::test]
async fn a_valid_post_saves_the_fields_by_name_and_redirects() {
    let (store, id) = one_pulse().await;
    let before = store.snapshot(&id).unwrap();
    for body in [
        "threshold=1.5&saturday=1&tz=Europe%2FBerlin",
        "tz=Europe%2FBerlin&note=hello&saturday=1&threshold=1.5&submit=Save",
        "unknown=%E2%9C%93&tz=+Europe%2FBerlin+&threshold=+1.5&saturday=on",
    ] {
        let res = save(
            &store,
            post(
                &edit_uri(id.as_str()),
                "application/x-www-form-urlencoded; charset=utf-8",
                body,
            ),
        )
        .await;
        assert_back_to_dashboard(&res);
        let p = store.snapshot(&id).unwrap();
        assert_eq!(p.threshold.to_string(), "1.5", "{body}");
        assert!(p.saturday, "{body}");
        assert_eq!(p.tz, Some(Zone::parse("Europe/Berlin").unwrap()), "{body}");
        assert_eq!(
            (&p.stamp, p.pulse_count, &p.key),
            (&before.stamp, before.pulse_count, &before.key),
            "only the settings change"
        );
    }
    // An unticked checkbox is absent from the page's form, which lists it: Saturday is off again.
    let res = save(
        &store,
        post(&edit_uri(id.as_str()), FORM, "threshold=48&checkboxes=saturday&tz=UTC"),
    )
    .await;
    assert_back_to_dashboard(&res);
    let p = store.snapshot(&id).unwrap();
    assert_eq!(
        (p.threshold.to_string(), p.saturday, p.tz),
        ("48".to_string(), false, Some(Zone::UTC))
    );
    assert_eq!(store.len(), 1);
}

#[tokio::test]
async fn a_field_left_out_keeps_its_stored_value() {
    let (store, id) = one_pulse().await;
    let settings = |store: &MemoryStore| {
        let p = store.snapshot(&id).unwrap();
        (p.threshold.to_string(), p.saturday, p.tz.map(|tz| tz.name()))
    };
    assert_eq!(settings(&store), ("6".into(), true, Some("Asia/Kolkata")));
    // (body, the settings after it): each post builds on the one before.
    let steps: [(&str, (&str, bool, &str)); 6] = [
        // The original form's fields, as scripts written for the original server send them.
        ("threshold=12&saturday=1", ("12", true, "Asia/Kolkata")),
        ("threshold=8", ("8", true, "Asia/Kolkata")),
        ("saturday=0", ("8", false, "Asia/Kolkata")),
        ("tz=Europe%2FBerlin", ("8", false, "Europe/Berlin")),
        ("saturday=true&note=x", ("8", true, "Europe/Berlin")),
        // Our own form lists its checkbox: absent then means unticked.
        ("checkboxes=saturday&threshold=8&tz=UTC", ("8", false, "UTC")),
    ];
    for (body, (threshold, saturday, tz)) in steps {
        let res = save(&store, post(&edit_uri(id.as_str()), FORM, body)).await;
        assert_back_to_dashboard(&res);
        assert_eq!(
            settings(&store),
            (threshold.into(), saturday, Some(tz)),
            "after {body:?}"
        );
    }
}

#[tokio::test]
async fn an_original_item_edited_without_tz_keeps_working_on_the_default_zone() {
    let store = MemoryStore::new();
    let pulse = original_pulse("legacy", now() - hours(3), "48", false);
    let id = pulse.id.clone();
    store.insert(pulse);
    let config = config(&[("DASHBOARD_SECRET", SECRET), ("DEFAULT_TIMEZONE", "Europe/Berlin")]);
    let req = post(&edit_uri(id.as_str()), FORM, "threshold=2&saturday=1");
    let res = handlers::edit_post(req, &store, &store, &config, now()).await;
    assert_back_to_dashboard(&res);
    let p = store.snapshot(&id).unwrap();
    assert_eq!((p.threshold.to_string(), p.saturday), ("2".to_string(), true));
    assert_eq!(
        p.tz.map(|tz| tz.name()),
        Some("Europe/Berlin"),
        "the zone it was judged in"
    );
}

#[tokio::test]
async fn a_present_but_invalid_field_is_refused_and_nothing_is_saved() {
    let (store, id) = one_pulse().await;
    let before = store.snapshot(&id);
    for (body, field, needle) in [
        (
            "threshold=12&saturday=yes",
            "saturday",
            "“yes” is not a yes or no; send saturday=1",
        ),
        ("saturday=", "saturday", "“” is not a yes or no"),
        ("threshold=", "threshold", "is required"),
        ("threshold=12&tz=", "tz", "must not be empty"),
        ("tz=Mars%2FBase", "tz", "“Mars/Base” is not a known IANA timezone"),
    ] {
        let res = save(&store, post(&edit_uri(id.as_str()), FORM, body)).await;
        assert_html_page(&res, 400);
        let html = text(&res);
        assert!(
            html.contains(&format!("id=\"{field}-error\">{needle}")),
            "{body}: {html}"
        );
        assert_eq!(store.snapshot(&id), before, "nothing saved for {body:?}");
    }
    // None of the fields at all: a mistake, not a save.
    for body in ["", "note=x", "Threshold=12&TZ=UTC"] {
        let res = save(&store, post(&edit_uri(id.as_str()), FORM, body)).await;
        assert_html_page(&res, 400);
        assert!(
            text(&res).contains(
                "none of the fields threshold, saturday, tz, workdays, calendars, hours, schedule, grace, maxRuntime and channels"
            ),
            "{body:?}"
        );
        assert_eq!(store.snapshot(&id), before, "nothing saved for {body:?}");
    }
    // Fields that were not sent are re-shown with their stored values.
    let res = save(&store, post(&edit_uri(id.as_str()), FORM, "saturday=maybe")).await;
    let html = text(&res);
    assert!(html.contains("value=\"6\""), "stored threshold");
    assert!(html.contains("value=\"Asia/Kolkata\""), "stored timezone");
    assert!(
        html.contains("name=\"saturday\" value=\"1\" checked aria-invalid=\"true\""),
        "{html}"
    );
}

#[tokio::test]
async fn invalid_values_reshow_the_form_with_the_input_and_both_errors() {
    let (store, id) = one_pulse().await;
    let before = store.snapshot(&id);
    let res = save(
        &store,
        post(
            &edit_uri(id.as_str()),
            FORM,
            "threshold=twelve%3Cb%3E&saturday=1&tz=Mars%2FBase",
        ),
    )
    .await;
    assert_html_page(&res, 400);
    let html = text(&res);
    assert!(
        html.contains("value=\"twelve&#60;b&#62;\""),
        "threshold input kept, escaped"
    );
    assert!(html.contains("value=\"Mars/Base\""), "tz input kept");
    assert!(html.contains("name=\"saturday\" value=\"1\" checked>"), "checkbox kept");
    assert!(
        html.contains("id=\"threshold-error\">“twelve&#60;b&#62;” is not a number of hours"),
        "threshold error"
    );
    assert!(
        html.contains("id=\"tz-error\">“Mars/Base” is not a known IANA timezone"),
        "tz error"
    );
    assert!(html.contains("Nothing was saved"));
    assert!(!html.contains("<b>"));
    assert_eq!(store.snapshot(&id), before, "nothing saved");

    // One bad field: only its error, the other field's input kept.
    let res = save(
        &store,
        post(&edit_uri(id.as_str()), FORM, "threshold=0&tz=Europe%2FBerlin"),
    )
    .await;
    assert_html_page(&res, 400);
    let html = text(&res);
    assert!(
        html.contains("id=\"threshold-error\">must be more than 0 hours"),
        "{html}"
    );
    assert!(!html.contains("id=\"tz-error\""));
    assert!(html.contains("value=\"Europe/Berlin\""));
    assert_eq!(store.snapshot(&id), before, "nothing saved");
}

#[tokio::test]
async fn delete_removes_the_pulse_and_redirects() {
    let (store, id) = one_pulse().await;
    store.insert(pulse_in("other", now(), "24", "UTC"));
    let res = save(&store, post(&edit_uri(id.as_str()), FORM, "delete=1")).await;
    assert_back_to_dashboard(&res);
    assert_eq!(store.snapshot(&id), None);
    assert_eq!(store.len(), 1, "only that pulse");
    // Deleting again: it is gone.
    assert_html_page(&save(&store, post(&edit_uri(id.as_str()), FORM, "delete=1")).await, 404);
}

#[tokio::test]
async fn posting_to_an_unknown_id_is_404_and_never_creates_an_item() {
    let (store, _) = one_pulse().await;
    for body in ["threshold=5&saturday=1&tz=UTC", "delete=1", ""] {
        let res = save(&store, post(&edit_uri(UNKNOWN_ID), FORM, body)).await;
        assert_html_page(&res, 404);
        assert_eq!(store.len(), 1, "{body:?}");
        assert_eq!(store.snapshot(&PulseId::parse(UNKNOWN_ID).unwrap()), None);
    }
}

#[tokio::test]
async fn a_body_that_is_not_a_form_is_415() {
    let (store, id) = one_pulse().await;
    let before = store.snapshot(&id);
    for (content_type, body) in [
        (Some("application/json"), "{\"threshold\":\"5\",\"tz\":\"UTC\"}"),
        (Some("text/plain"), "threshold=5&tz=UTC"),
        (Some("multipart/form-data; boundary=x"), "--x--"),
        (None, "threshold=5&tz=UTC"),
    ] {
        let res = save(
            &store,
            request(Method::POST, &edit_uri(id.as_str()), content_type, body),
        )
        .await;
        assert_html_page(&res, 415);
    }
    assert_eq!(store.snapshot(&id), before);
}

#[tokio::test]
async fn other_methods_are_405() {
    let (store, id) = one_pulse().await;
    let res = save(&store, get(&edit_uri(id.as_str()))).await;
    assert_html_page(&res, 405);
    assert_eq!(header(&res, "allow"), Some("GET, POST"));
    let res = open(
        &store,
        &with_secret(),
        request(Method::PUT, &edit_uri(id.as_str()), None, ""),
    )
    .await;
    assert_html_page(&res, 405);
}
