//! The JSON API end to end on dynalite: keys, listing with filters and cursors, reading, changing
//! (with the edit page's messages), deleting, CSV, and the OpenAPI document.

use heartbeat_e2e::{Dynalite, LocalRuntime, header, original_id, s_attr};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const KEY: &str = "rw-key-5c1d";
const READ_KEY: &str = "ro-key-93ab";
const UNKNOWN_ID: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

async fn start(dynalite: &Dynalite) -> LocalRuntime {
    LocalRuntime::start(dynalite, &[("API_KEY", KEY), ("API_READ_KEY", READ_KEY)]).await
}

async fn call(
    rt: &LocalRuntime,
    method: Method,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut req = rt.http().request(method, rt.url(&format!("/api/v1{path}")));
    if let Some(key) = key {
        req = req.bearer_auth(key);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.expect("an answer");
    let status = res.status();
    let headers = res.headers().clone();
    (status, headers, res.text().await.expect("a body"))
}

async fn json_of(
    rt: &LocalRuntime,
    method: Method,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let (status, headers, text) = call(rt, method, path, key, body).await;
    if status != StatusCode::NO_CONTENT {
        assert_eq!(header(&headers, "content-type"), "application/json", "{path}: {text}");
    }
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn keys_decide_who_may_do_what() {
    let dynalite = Dynalite::start().await;
    let rt = start(&dynalite).await;
    rt.pulse_ok("db-1", "backup", "nightly", "dump").await;
    let id = original_id("db-1", "backup", "nightly", "dump");
    let path = format!("/pulses/{id}");

    let (status, headers, body) = call(&rt, Method::GET, "/pulses", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(header(&headers, "www-authenticate"), "Bearer");
    assert!(body.contains("Authorization: Bearer"), "{body}");
    let (status, _) = json_of(&rt, Method::GET, "/pulses", Some("wrong"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = json_of(&rt, Method::GET, &path, Some(READ_KEY), None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = json_of(&rt, Method::DELETE, &path, Some(READ_KEY), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = json_of(&rt, Method::PATCH, &path, Some(READ_KEY), Some(json!({"threshold": 2}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(rt.item(&id).await.is_some(), "nothing deleted by a read-only key");
    // The dashboard secret is not an API key.
    let (status, _) = json_of(&rt, Method::GET, "/pulses", Some(rt.secret()), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // The document needs no key.
    let (status, doc) = json_of(&rt, Method::GET, "/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
}

#[tokio::test]
async fn without_keys_the_api_says_how_to_open_it() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let (status, body) = json_of(&rt, Method::GET, "/pulses", Some("anything"), None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body["error"].as_str().unwrap().contains("set API_KEY"), "{body}");
}

#[tokio::test]
async fn a_pulse_reads_changes_and_deletes() {
    let dynalite = Dynalite::start().await;
    let rt = start(&dynalite).await;
    rt.pulse_ok("db-1", "backup", "nightly", "dump").await;
    let id = original_id("db-1", "backup", "nightly", "dump");
    let path = format!("/pulses/{id}");

    let (status, pulse) = json_of(&rt, Method::GET, &path, Some(KEY), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(pulse["id"], id.as_str());
    assert_eq!(pulse["status"], "ok");
    assert_eq!(pulse["threshold"], 24.0);
    assert_eq!(pulse["tz"], "UTC");
    assert_eq!(pulse["workdays"], json!(["mon", "tue", "wed", "thu", "fri"]));
    assert!(pulse["lastSignal"].as_str().unwrap().ends_with('Z'));
    assert!(pulse["dueAt"].as_str().unwrap() > pulse["lastSignal"].as_str().unwrap());

    let (status, changed) = json_of(
        &rt,
        Method::PATCH,
        &path,
        Some(KEY),
        Some(json!({"threshold": 26.5, "tz": "Europe/Berlin"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["threshold"], 26.5);
    assert_eq!(changed["tz"], "Europe/Berlin");
    assert_eq!(changed["saturday"], false, "absent members keep their values");
    let item = rt.item(&id).await.unwrap();
    assert_eq!(s_attr(&item, "thresholdF"), "26.5");
    assert_eq!(s_attr(&item, "tz"), "Europe/Berlin");

    // The edit page's words, and nothing saved.
    let (status, err) = json_of(&rt, Method::PATCH, &path, Some(KEY), Some(json!({"threshold": 9000}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        err,
        json!({"error": "threshold must be at most 8760 hours (a year)", "field": "threshold"})
    );
    // The edit form refuses the same value with the same words.
    let form = rt
        .http()
        .post(rt.url(&format!("/edit?secret={}&id={id}", rt.secret())))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("threshold=9000&tz=UTC")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::BAD_REQUEST);
    assert!(
        form.text()
            .await
            .unwrap()
            .contains(">must be at most 8760 hours (a year)<")
    );
    let (_, err) = json_of(&rt, Method::PATCH, &path, Some(KEY), Some(json!({"tz": "Mars/Base"}))).await;
    assert_eq!(err["field"], "tz");
    assert!(
        err["error"].as_str().unwrap().contains("is not a known IANA timezone"),
        "{err}"
    );
    let (_, err) = json_of(&rt, Method::PATCH, &path, Some(KEY), Some(json!({"treshold": 2}))).await;
    assert_eq!(err["field"], "treshold");
    let (status, _) = json_of(
        &rt,
        Method::PATCH,
        &path,
        Some(KEY),
        Some(json!({"workdays": ["mon","tue","wed","thu","fri","sat"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s_attr(&rt.item(&id).await.unwrap(), "saturday"), "1");
    assert_eq!(s_attr(&rt.item(&id).await.unwrap(), "thresholdF"), "26.5");

    // Unknown ids are 404 and never created.
    let unknown = format!("/pulses/{UNKNOWN_ID}");
    let (status, _) = json_of(&rt, Method::PATCH, &unknown, Some(KEY), Some(json!({"threshold": 2}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(rt.item(UNKNOWN_ID).await.is_none(), "no phantom item");
    let (status, err) = json_of(&rt, Method::GET, "/pulses/not-an-id", Some(KEY), None).await;
    assert_eq!((status, err["field"].as_str()), (StatusCode::BAD_REQUEST, Some("id")));

    let (status, _, body) = call(&rt, Method::DELETE, &path, Some(KEY), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert!(rt.item(&id).await.is_none());
    let (status, _) = json_of(&rt, Method::GET, &path, Some(KEY), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = json_of(&rt, Method::DELETE, &path, Some(KEY), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn listing_filters_and_walks_every_page_once() {
    let dynalite = Dynalite::start().await;
    let rt = start(&dynalite).await;
    for i in 0..23 {
        let host = if i % 2 == 0 { "even" } else { "odd" };
        let name = format!("job-{i}");
        let mut params = vec![
            ("host", host),
            ("category", "c"),
            ("type", "t"),
            ("name", name.as_str()),
        ];
        if i % 5 == 0 {
            // Late a millisecond after its pulse, on any day of the week.
            params.extend([("threshold", "0.0000003"), ("workdays", "all")]);
        } else {
            params.push(("threshold", "24"));
        }
        let res = rt.pulse(&params).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let (_, late) = json_of(&rt, Method::GET, "/pulses?status=late&limit=1000", Some(KEY), None).await;
        if late["pulses"].as_array().is_some_and(|late| late.len() == 5) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "not 5 late within 5 s: {late}");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            None => "/pulses?limit=5".to_owned(),
            Some(c) => format!("/pulses?limit=5&cursor={c}"),
        };
        let (status, page) = json_of(&rt, Method::GET, &path, Some(READ_KEY), None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let pulses = page["pulses"].as_array().unwrap();
        assert!(pulses.len() <= 5);
        ids.extend(pulses.iter().map(|p| p["id"].as_str().unwrap().to_owned()));
        pages += 1;
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((ids.len(), unique.len()), (23, 23), "every pulse once");
    assert_eq!(pages, 5, "23 pulses in pages of 5");
    // A page that takes exactly the rest knows it is the last one: no empty page after it.
    let (_, exact) = json_of(&rt, Method::GET, "/pulses?limit=23", Some(KEY), None).await;
    assert_eq!(exact["pulses"].as_array().unwrap().len(), 23);
    assert_eq!(exact["next"], Value::Null, "{}", exact["next"]);

    let (_, late) = json_of(&rt, Method::GET, "/pulses?status=late&limit=1000", Some(KEY), None).await;
    let late = late["pulses"].as_array().unwrap();
    assert_eq!(late.len(), 5, "job-0, 5, 10, 15, 20");
    assert!(late.iter().all(|p| p["status"] == "late"));
    let (_, odd) = json_of(
        &rt,
        Method::GET,
        "/pulses?host=odd&status=ok,late&limit=3",
        Some(KEY),
        None,
    )
    .await;
    assert_eq!(odd["pulses"].as_array().unwrap().len(), 3);
    assert!(odd["next"].is_string(), "a full filtered page goes on");

    for (query, field) in [
        ("status=exceeded", "status"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("cursor=zz", "cursor"),
        ("colour=red", "colour"),
        ("host=", "host"),
    ] {
        let (status, err) = json_of(&rt, Method::GET, &format!("/pulses?{query}"), Some(KEY), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(err["field"], field, "{query}: {err}");
    }
    let (status, headers, _) = call(&rt, Method::POST, "/pulses", Some(KEY), None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header(&headers, "allow"), "GET");
    let (status, _) = json_of(&rt, Method::GET, "/no-such-resource", Some(KEY), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn csv_from_the_api_and_the_dashboard() {
    let dynalite = Dynalite::start().await;
    let rt = start(&dynalite).await;
    rt.pulse_ok("=HYPERLINK(\"http://x\")", "backup", "nightly", "a,b")
        .await;
    rt.pulse_ok("db-2", "backup", "nightly", "plain").await;

    let (status, headers, text) = call(&rt, Method::GET, "/pulses.csv", Some(READ_KEY), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "content-type"), "text/csv; charset=utf-8");
    assert!(header(&headers, "content-disposition").starts_with("attachment"));
    assert!(text.starts_with("id,host,category,type,name,status,"), "{text}");
    assert!(
        text.contains(",\"'=HYPERLINK(\"\"http://x\"\")\",backup,nightly,\"a,b\",ok,"),
        "{text}"
    );
    assert_eq!(text.matches("\r\n").count(), 3);
    let (_, _, only) = call(&rt, Method::GET, "/pulses.csv?host=db-2", Some(KEY), None).await;
    assert_eq!(only.matches("\r\n").count(), 2, "{only}");

    let export = rt.url(&format!("/export.csv?secret={}", rt.secret()));
    let res = rt.http().get(export).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), text, "the same file from both routes");
    let res = rt.http().get(rt.url("/export.csv?secret=wrong")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
