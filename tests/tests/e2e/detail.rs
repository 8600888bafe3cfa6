//! The pulse detail page end to end: reached from the dashboard row, behind the dashboard secret.

use heartbeat_e2e::{Dynalite, LocalRuntime, header, original_id};
use reqwest::StatusCode;

#[tokio::test]
async fn the_dashboard_links_each_row_to_its_detail_page() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let res = rt
        .pulse(&[
            ("host", "db-1"),
            ("category", "backup"),
            ("type", "nightly"),
            ("name", "dump"),
            ("message", "<i>ok</i>"),
        ])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let id = original_id("db-1", "backup", "nightly", "dump");
    let dashboard = rt.dashboard().await;
    let link = format!("pulses/{id}?secret={}", rt.secret());
    // The page's script builds this link from the row's key (its hash is the id) and the query.
    assert!(
        dashboard.contains(&format!("data-secret=\"secret={}\"", rt.secret())),
        "{dashboard}"
    );
    assert!(dashboard.contains("<td>dump<td>"), "{dashboard}");
    assert!(dashboard.contains("<td>ok<td>in "), "status and due in: {dashboard}");

    let res = rt.http().get(rt.url(&link)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(header(res.headers(), "content-security-policy").contains("default-src 'none'"));
    let html = res.text().await.unwrap();
    assert!(
        html.contains("<span class=\"badge\" data-status=\"ok\" id=\"status\">ok</span>"),
        "{html}"
    );
    assert!(html.contains("<dd id=\"due\">in "), "24 working hours ahead: {html}");
    assert!(html.contains("href=\"../dashboard?secret="), "{html}");
    assert!(html.contains("&#60;i&#62;ok&#60;/i&#62;"), "the message escaped");

    let wrong = rt
        .http()
        .get(rt.url(&format!("pulses/{id}?secret=nope")))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let unknown = format!("pulses/{}?secret={}", "0".repeat(64), rt.secret());
    assert_eq!(
        rt.http().get(rt.url(&unknown)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let bad = format!("pulses/xyz?secret={}", rt.secret());
    assert_eq!(
        rt.http().get(rt.url(&bad)).send().await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
}
