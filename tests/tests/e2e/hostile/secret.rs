//! The dashboard secret seen from outside: a wrong secret and no secret get byte-identical answers
//! (only `Date` may differ), and every HTML page — error pages included — carries the contract's
//! security headers.

use super::corpus::{FORM, SECRET, SEED, UNKNOWN_ID, seed_id};
use super::raw::{self, Answer, RawRequest};
use super::runner::{html_problems, snapshot};
use heartbeat_e2e::{Dynalite, LocalRuntime, stamp_days_ago};
use std::time::Instant;

async fn seeded(dynalite: &Dynalite, vars: &[(&str, &str)]) -> LocalRuntime {
    let rt = LocalRuntime::start(dynalite, vars).await;
    let [host, category, kind, name] = SEED;
    rt.put_original_item(host, category, kind, name, &stamp_days_ago(30), "24", "0")
        .await;
    rt.pulse_ok("fresh-host", "web", "cron", "fresh-job").await;
    rt
}

async fn send(rt: &LocalRuntime, request: &RawRequest) -> Answer {
    raw::send(rt, request)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", request.summary()))
}

/// `path` with the query parts that are present.
fn target(path: &str, parts: &[Option<&str>]) -> String {
    let query: Vec<&str> = parts.iter().flatten().copied().collect();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

#[tokio::test]
async fn wrong_and_missing_secrets_get_byte_identical_answers() {
    let dynalite = Dynalite::start().await;
    let rt = seeded(&dynalite, &[]).await;
    let table = snapshot(&rt).await;
    let id = format!("id={}", seed_id());
    let unknown = format!("id={UNKNOWN_ID}");
    let long = format!("secret={}", "s".repeat(5_000));
    let prefix = format!("secret={}", &SECRET[..SECRET.len() - 1]);
    let longer = format!("secret={SECRET}0");
    let upper = format!("secret={}", SECRET.to_uppercase());
    let twice = format!("secret={SECRET}&secret=wrong");
    let secrets: [Option<&str>; 9] = [
        None,
        Some("secret="),
        Some("secret"),
        Some("secret=wrong"),
        Some(&prefix),
        Some(&longer),
        Some(&upper),
        Some(&long),
        Some(&twice),
    ];
    type Build<'a> = Box<dyn Fn(Option<&str>) -> RawRequest + 'a>;
    let endpoints: Vec<(&str, Build)> = vec![
        ("dashboard", Box::new(|s| RawRequest::get(target("dashboard", &[s])))),
        (
            "edit GET",
            Box::new(|s| RawRequest::get(target("edit", &[s, Some(&id)]))),
        ),
        (
            "edit GET of an unknown id",
            Box::new(|s| RawRequest::get(target("edit", &[s, Some(&unknown)]))),
        ),
        (
            "edit GET without id",
            Box::new(|s| RawRequest::get(target("edit", &[s]))),
        ),
        (
            "edit POST save",
            Box::new(|s| RawRequest::post(target("edit", &[s, Some(&id)]), Some(FORM), "threshold=36&tz=UTC")),
        ),
        (
            "edit POST delete",
            Box::new(|s| RawRequest::post(target("edit", &[s, Some(&id)]), Some(FORM), "delete=1")),
        ),
        (
            "edit POST of an invalid form",
            Box::new(|s| RawRequest::post(target("edit", &[s, Some(&id)]), Some(FORM), "threshold=-1")),
        ),
        (
            "edit POST of an unknown id",
            Box::new(|s| RawRequest::post(target("edit", &[s, Some(&unknown)]), Some(FORM), "delete=1")),
        ),
        ("monitor", Box::new(|s| RawRequest::get(target("monitor", &[s])))),
    ];
    let mut html_403 = None;
    let mut compared = 0;
    for (endpoint, build) in &endpoints {
        let missing = send(&rt, &build(None)).await;
        assert_eq!(missing.status, 403, "{endpoint} without a secret: {}", missing.text());
        let body = missing.text();
        for hidden in [SECRET, SEED[0], "fresh-host", &seed_id(), "wrong"] {
            assert!(
                !body.contains(hidden),
                "the 403 of {endpoint} reveals {hidden:?}: {body}"
            );
        }
        for secret in &secrets[1..] {
            let wrong = send(&rt, &build(*secret)).await;
            assert_eq!(
                wrong.without_date(),
                missing.without_date(),
                "{endpoint}: {:?} answers differently from no secret:\n{}\n---\n{}",
                secret.map(|s| &s[..s.len().min(40)]),
                wrong.text(),
                body
            );
            compared += 1;
        }
        if *endpoint != "monitor" {
            // Not even the page tells which page refused.
            let same = html_403.get_or_insert_with(|| missing.without_date());
            assert_eq!(
                *same,
                missing.without_date(),
                "{endpoint}'s 403 differs from the dashboard's"
            );
        }
    }
    eprintln!(
        "wrong vs missing secret: {compared} answers over {} endpoints byte-identical",
        endpoints.len()
    );
    assert_eq!(snapshot(&rt).await, table, "a refused request changed the table");
}

#[tokio::test]
async fn every_html_page_carries_the_security_headers() {
    let dynalite = Dynalite::start().await;
    let rt = seeded(&dynalite, &[]).await;
    let right = format!("secret={SECRET}");
    let id = format!("id={}", seed_id());
    let edit = format!("edit?{right}&{id}");
    let padded = format!("threshold=24&tz=UTC&pad={}", "p".repeat(64 * 1024));
    let pages: Vec<(&str, RawRequest, u16)> = vec![
        ("the dashboard", RawRequest::get(format!("dashboard?{right}")), 200),
        ("the edit page", RawRequest::get(edit.as_str()), 200),
        (
            "the edit form re-shown",
            RawRequest::post(edit.as_str(), Some(FORM), "threshold=-1&tz=UTC"),
            400,
        ),
        ("no id", RawRequest::get(format!("edit?{right}")), 400),
        ("a malformed id", RawRequest::get(format!("edit?{right}&id=xyz")), 400),
        (
            "a malformed escape",
            RawRequest::get(format!("dashboard?{right}&x=%ZZ")),
            400,
        ),
        (
            "a repeated form field",
            RawRequest::post(edit.as_str(), Some(FORM), "threshold=1&threshold=2&tz=UTC"),
            400,
        ),
        ("a wrong secret", RawRequest::get("dashboard?secret=wrong"), 403),
        ("no secret on the edit page", RawRequest::get(format!("edit?{id}")), 403),
        (
            "an unknown id",
            RawRequest::get(format!("edit?{right}&id={UNKNOWN_ID}")),
            404,
        ),
        (
            "saving an unknown id",
            RawRequest::post(
                format!("edit?{right}&id={UNKNOWN_ID}"),
                Some(FORM),
                "threshold=2&tz=UTC",
            ),
            404,
        ),
        (
            "POST to the dashboard",
            RawRequest::new("POST", format!("dashboard?{right}")),
            405,
        ),
        ("DELETE on the edit page", RawRequest::new("DELETE", edit.as_str()), 405),
        (
            "a form over 64 KiB",
            RawRequest::post(edit.as_str(), Some(FORM), padded),
            413,
        ),
        (
            "a form as text/plain",
            RawRequest::post(edit.as_str(), Some("text/plain"), "threshold=2&tz=UTC"),
            415,
        ),
    ];
    let mut checked = 0;
    for (label, request, status) in &pages {
        let answer = send(&rt, request).await;
        assert_eq!(answer.status, *status, "{label}: {}", answer.text());
        let problems = html_problems(&answer);
        assert!(problems.is_empty(), "{label} ({status}): {problems:?}");
        checked += 1;
    }

    // Without DASHBOARD_SECRET the pages say so, with the same headers.
    let unconfigured = LocalRuntime::start(&dynalite, &[("DASHBOARD_SECRET", "")]).await;
    for request in [
        RawRequest::get("dashboard?secret="),
        RawRequest::get(format!("edit?secret=x&{id}")),
        RawRequest::post(format!("edit?secret=x&{id}"), Some(FORM), "delete=1"),
    ] {
        let answer = send(&unconfigured, &request).await;
        assert_eq!(answer.status, 503, "{}: {}", request.summary(), answer.text());
        assert!(answer.text().contains("DASHBOARD_SECRET"), "{}", answer.text());
        let problems = html_problems(&answer);
        assert!(problems.is_empty(), "{} (503): {problems:?}", request.summary());
        checked += 1;
    }
    eprintln!("security headers: {checked} HTML pages checked (200/400/403/404/405/413/415/503)");
}

/// With the table unreachable, every endpoint says so with a 503 of its kind — a page with the
/// security headers, plain text or JSON, each with `Retry-After` — and within the client's timeout.
#[tokio::test]
async fn every_endpoint_answers_503_when_the_table_is_down() {
    let mut dynalite = Dynalite::start_own().await;
    let rt = seeded(&dynalite, &[]).await;
    dynalite.stop();
    let right = format!("secret={SECRET}");
    let id = format!("id={}", seed_id());
    // Concurrently: each waits for the table client to give up.
    tokio::join!(
        expect_503(&rt, RawRequest::get(format!("dashboard?{right}")), "text/html"),
        expect_503(&rt, RawRequest::get(format!("edit?{right}&{id}")), "text/html"),
        expect_503(
            &rt,
            RawRequest::post(format!("edit?{right}&{id}"), Some(FORM), "threshold=2&tz=UTC"),
            "text/html",
        ),
        expect_503(
            &rt,
            RawRequest::get("pulse?host=h&category=c&type=t&name=n"),
            "text/plain"
        ),
        expect_503(&rt, RawRequest::get(format!("monitor?{right}")), "application/json"),
    );
}

async fn expect_503(rt: &LocalRuntime, request: RawRequest, kind: &str) {
    let started = Instant::now();
    let answer = send(rt, &request).await;
    let elapsed = started.elapsed();
    let what = request.summary();
    assert_eq!(answer.status, 503, "{what}: {}", answer.text());
    assert!(
        answer.header("content-type").is_some_and(|t| t.starts_with(kind)),
        "{what}: {:?}",
        answer.headers
    );
    assert!(answer.header("retry-after").is_some(), "{what}: {:?}", answer.headers);
    assert!(!answer.text().trim().is_empty(), "{what}: an empty body");
    if kind == "text/html" {
        let problems = html_problems(&answer);
        assert!(problems.is_empty(), "{what} (503): {problems:?}");
    }
    eprintln!("{what}: 503 in {elapsed:.2?}");
}
