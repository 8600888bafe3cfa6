//! Status badges end to end: per pulse, host and category, SVG and shields.io JSON, behind BADGE_KEY.

use heartbeat_e2e::{Dynalite, LocalRuntime, header, original_id};
use reqwest::StatusCode;

const BADGE_KEY: &str = "badge-key-0b5e";
const WAIT: std::time::Duration = std::time::Duration::from_secs(5);

async fn get(rt: &LocalRuntime, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let res = rt.http().get(rt.url(path)).send().await.expect("an answer");
    let status = res.status();
    let headers = res.headers().clone();
    (status, headers, res.text().await.expect("a body"))
}

#[tokio::test]
async fn badges_per_pulse_host_and_category() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[("BADGE_KEY", BADGE_KEY), ("API_KEY", "api-key-x")]).await;
    rt.pulse_ok("db-1", "backup", "nightly", "<dump&\"load\">").await;
    let res = rt
        .pulse(&[
            ("host", "db-1"),
            ("category", "reports"),
            ("type", "t"),
            ("name", "fast"),
            // Late a millisecond after its pulse, on any day of the week.
            ("threshold", "0.0000003"),
            ("workdays", "all"),
        ])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let host_badge = format!("/badge/{BADGE_KEY}/host:db-1.json");
    let deadline = std::time::Instant::now() + WAIT;
    while !get(&rt, &host_badge).await.2.contains("1 of 2 late") {
        assert!(std::time::Instant::now() < deadline, "not late within {WAIT:?}");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let id = original_id("db-1", "backup", "nightly", "<dump&\"load\">");

    let (status, headers, svg) = get(&rt, &format!("/badge/{BADGE_KEY}/{id}.svg")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "content-type"), "image/svg+xml");
    assert_eq!(header(&headers, "cache-control"), "public, max-age=60");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{svg}");
    assert!(
        svg.contains("&#60;dump&#38;&#34;load&#34;&#62;: up"),
        "escaped name: {svg}"
    );
    assert!(!svg.contains(BADGE_KEY) && !svg.contains("<dump"));

    let (status, _, json) = get(&rt, &host_badge).await;
    assert_eq!(status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"schemaVersion": 1, "label": "db-1", "message": "1 of 2 late", "color": "#c62828"})
    );
    let (_, _, json) = get(&rt, &format!("/badge/{BADGE_KEY}/category%3Abackup.json")).await;
    assert!(json.contains("\"message\":\"up\""), "{json}");

    // Wrong key, unknown scope and the API key all get the same bare 404.
    let (status, headers, wrong) = get(&rt, &format!("/badge/wrong/{id}.svg")).await;
    assert_eq!((status, wrong.as_str()), (StatusCode::NOT_FOUND, "Not found\n"));
    assert_eq!(header(&headers, "cache-control"), "no-store");
    let (status, _, body) = get(&rt, "/badge/api-key-x/host:db-1.json").await;
    assert_eq!((status, body.as_str()), (StatusCode::NOT_FOUND, "Not found\n"));
    let (status, _, body) = get(&rt, &format!("/badge/{BADGE_KEY}/host:nobody.svg")).await;
    assert_eq!((status, body.as_str()), (StatusCode::NOT_FOUND, "Not found\n"));
    let (status, _, _) = get(&rt, &format!("/badge/{BADGE_KEY}/{id}.png")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn without_a_badge_key_there_are_no_badges() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    rt.pulse_ok("db-1", "backup", "nightly", "dump").await;
    let (status, _, body) = get(&rt, "/badge/anything/host:db-1.svg").await;
    assert_eq!((status, body.as_str()), (StatusCode::NOT_FOUND, "Not found\n"));
}
