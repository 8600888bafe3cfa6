//! `/heartbeat/pulse` end to end: what a cron job sends, what lands in the table, what it is told.

use heartbeat_e2e::aws_sdk_dynamodb::types::AttributeValue;
use heartbeat_e2e::{Dynalite, LocalRuntime, header, original_id, s_attr};
use heartbeat_shared::model::parse_stamp;
use reqwest::StatusCode;
use std::time::Duration;

const OK_BODY: &str = "Successful Heartbeat Pulse";

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, exactly JavaScript's `toISOString`.
fn assert_original_stamp(stamp: &str) {
    let bytes = stamp.as_bytes();
    let shape_ok = bytes.len() == 24
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            10 => *b == b'T',
            13 | 16 => *b == b':',
            19 => *b == b'.',
            23 => *b == b'Z',
            _ => b.is_ascii_digit(),
        });
    assert!(shape_ok, "timestampF {stamp:?} is not YYYY-MM-DDTHH:MM:SS.mmmZ");
}

#[tokio::test]
async fn get_pulse_creates_the_item_with_the_original_attributes() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let before = chrono::Utc::now();

    let response = rt
        .pulse(&[
            ("host", "web-1"),
            ("category", "backup"),
            ("type", "cron"),
            ("name", "nightly-db"),
        ])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = header(response.headers(), "content-type").to_owned();
    assert!(content_type.starts_with("text/plain"), "content-type {content_type:?}");
    assert_eq!(response.text().await.unwrap(), OK_BODY);

    let id = original_id("web-1", "backup", "cron", "nightly-db");
    let item = rt.item(&id).await.expect("the pulse's item exists");
    assert_eq!(s_attr(&item, "_id"), id);
    assert_eq!(s_attr(&item, "host"), "web-1");
    assert_eq!(s_attr(&item, "category"), "backup");
    assert_eq!(s_attr(&item, "typeF"), "cron");
    assert_eq!(s_attr(&item, "nameF"), "nightly-db");
    assert_eq!(s_attr(&item, "thresholdF"), "24");
    assert_eq!(s_attr(&item, "saturday"), "0");
    let stamp = s_attr(&item, "timestampF");
    assert_original_stamp(stamp);
    let at = parse_stamp(stamp).unwrap();
    let after = chrono::Utc::now();
    // The stamp is cut to milliseconds, so it may be up to 1 ms before `before`.
    assert!(
        at >= before - chrono::TimeDelta::milliseconds(1) && at <= after,
        "timestampF {stamp} is not the time of the pulse ({before} .. {after})"
    );
    for name in ["type", "name", "timestamp", "threshold"] {
        assert!(!item.contains_key(name), "unexpected attribute {name}: {item:?}");
    }
    assert_eq!(rt.scan_count().await, 1);
}

#[tokio::test]
async fn a_second_pulse_refreshes_the_timestamp_and_counts() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let id = original_id("web-1", "backup", "cron", "nightly-db");

    rt.pulse_ok("web-1", "backup", "cron", "nightly-db").await;
    let first = rt.item(&id).await.unwrap();
    assert_eq!(first.get("pulseCount"), Some(&AttributeValue::N("1".into())));
    tokio::time::sleep(Duration::from_millis(20)).await;
    rt.pulse_ok("web-1", "backup", "cron", "nightly-db").await;
    let second = rt.item(&id).await.unwrap();

    let (t1, t2) = (s_attr(&first, "timestampF"), s_attr(&second, "timestampF"));
    assert_original_stamp(t2);
    assert!(
        parse_stamp(t2) > parse_stamp(t1),
        "timestampF did not move: {t1} → {t2}"
    );
    assert_eq!(second.get("pulseCount"), Some(&AttributeValue::N("2".into())));
    assert_eq!(rt.scan_count().await, 1, "the second pulse made a new item");
}

/// parcelLab/aws-heartbeat-client concatenates its values into the URL without encoding them, and
/// adds `&threshold=` on its first call only.
#[tokio::test]
async fn the_original_clients_unencoded_url_works_and_threshold_applies_on_creation_only() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let (host, category, kind, name) = (
        "db-1.example.com:5432",
        "backup/postgres",
        "cron@daily",
        "dump+verify,v2",
    );
    let base = format!("pulse?host={host}&category={category}&type={kind}&name={name}");
    let id = original_id(host, category, kind, name);

    let (status, headers, body) = rt.raw_get(&format!("{base}&threshold=48")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(header(&headers, "content-type").starts_with("text/plain"));
    assert_eq!(body, OK_BODY);
    let item = rt.item(&id).await.expect("an item under the _id of the raw values");
    assert_eq!(s_attr(&item, "host"), host);
    assert_eq!(s_attr(&item, "category"), category);
    assert_eq!(s_attr(&item, "typeF"), kind);
    assert_eq!(s_attr(&item, "nameF"), name, "`+` in a query is a plus");
    assert_eq!(s_attr(&item, "thresholdF"), "48");

    // Later calls of the client carry no threshold: the stored one stays.
    let (status, _, body) = rt.raw_get(&base).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, OK_BODY));
    assert_eq!(s_attr(&rt.item(&id).await.unwrap(), "thresholdF"), "48");

    // A client restarted with another threshold does not overwrite it either.
    let (status, _, body) = rt.raw_get(&format!("{base}&threshold=5")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, OK_BODY));
    let item = rt.item(&id).await.unwrap();
    assert_eq!(s_attr(&item, "thresholdF"), "48");
    assert_eq!(item.get("pulseCount"), Some(&AttributeValue::N("3".into())));
    assert_eq!(rt.scan_count().await, 1);
}

/// The original Node client sends names unencoded, and Node writes `ü` as the one Latin-1 byte 0xFC.
#[tokio::test]
async fn a_latin1_name_from_the_original_client_is_read_as_latin1() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let (host, name) = ("münchen-1", "Grüße");
    // The original's `_id`: Node's createHash('sha256').update(text) hashes the UTF-8 of the text,
    // as `printf 'münchen-1backupcronGrüße' | sha256sum` does.
    let id = "86c49aa3a8b42eab0e30f773a4eab549bac0b1b9b96a5bf6ce04d2cf3fa834f6";
    assert_eq!(original_id(host, "backup", "cron", name), id);

    let (status, _, body) = rt
        .raw_get_bytes(b"pulse?host=m\xFCnchen-1&category=backup&type=cron&name=Gr\xFC\xDFe")
        .await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, OK_BODY));
    let item = rt.item(id).await.expect("the item under the _id of the decoded text");
    assert_eq!((s_attr(&item, "host"), s_attr(&item, "nameF")), (host, name));

    // The same job through a client that sends UTF-8, raw or percent-encoded: the same item.
    for target in [
        "pulse?host=münchen-1&category=backup&type=cron&name=Grüße".as_bytes(),
        b"pulse?host=m%C3%BCnchen-1&category=backup&type=cron&name=Gr%C3%BC%C3%9Fe",
    ] {
        let (status, _, body) = rt.raw_get_bytes(target).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, OK_BODY));
    }
    let item = rt.item(id).await.unwrap();
    assert_eq!(item.get("pulseCount"), Some(&AttributeValue::N("3".into())));
    assert_eq!(rt.scan_count().await, 1);
}

#[tokio::test]
async fn post_with_a_json_body_stores_message_and_metadata() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let metadata = serde_json::json!({ "rows": 42, "tables": ["a", "b"] });
    let response = rt
        .http()
        .post(rt.url("pulse"))
        .json(&serde_json::json!({
            "host": "web-1",
            "category": "backup",
            "type": "cron",
            "name": "nightly-db",
            "message": "dumped 42 rows <ok>",
            "metadata": metadata,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), OK_BODY);

    let item = rt
        .item(&original_id("web-1", "backup", "cron", "nightly-db"))
        .await
        .expect("the POSTed pulse's item");
    assert_eq!(s_attr(&item, "lastMessage"), "dumped 42 rows <ok>");
    let stored: serde_json::Value = serde_json::from_str(s_attr(&item, "lastMetadata")).expect("lastMetadata is JSON");
    assert_eq!(stored, metadata);
    assert_eq!(s_attr(&item, "thresholdF"), "24");
    assert_original_stamp(s_attr(&item, "timestampF"));
}

#[tokio::test]
async fn a_pulse_without_name_is_refused_and_stores_nothing() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let response = rt
        .pulse(&[("host", "web-1"), ("category", "backup"), ("type", "cron")])
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(header(response.headers(), "content-type").starts_with("text/plain"));
    let body = response.text().await.unwrap();
    assert!(body.contains("name"), "the 400 does not name `name`: {body}");
    assert_eq!(rt.scan_count().await, 0);
}

#[tokio::test]
async fn put_is_not_allowed() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let url = rt.url_with(
        "pulse",
        &[
            ("host", "web-1"),
            ("category", "backup"),
            ("type", "cron"),
            ("name", "nightly-db"),
        ],
    );
    let response = rt.http().put(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = header(response.headers(), "allow").to_owned();
    assert!(allow.contains("GET") && allow.contains("POST"), "Allow: {allow:?}");
    assert_eq!(rt.scan_count().await, 0);
}
