//! The store's writes against a scripted DynamoDB (a local recording server): what a pulse's
//! UpdateItem carries, the old image read from the SDK's answer, and which errors are retried, which
//! are not, and what the caller sees when DynamoDB hangs or is not there.

use super::*;
use crate::model::{PulseKey, Threshold, Zone};
use crate::store::client::{Limits, local_client_within};
use crate::store::{MAX_ATTEMPTS, PulseReceipt, PulseRecorder, QuietWriter};
use crate::testing::{Behaviour, RecordedRequest, Recorder, Reply};
use chrono::TimeZone as _;
use std::error::Error as _;
use std::time::Instant;

const JSON: &str = "application/x-amz-json-1.0";

/// Short limits, so a test sees the timeouts and retries in well under two seconds.
const QUICK: Limits = Limits {
    connect: Duration::from_millis(500),
    attempt: Duration::from_millis(300),
    call: Duration::from_millis(800),
    initial_backoff: Duration::from_millis(40),
};

fn store(server: &Recorder) -> DynamoStore {
    DynamoStore::new(local_client_within(&server.url_for("/"), QUICK), "pulses")
}

fn ok(body: &str) -> Reply {
    Reply::Full {
        status: 200,
        headers: vec![("content-type".into(), JSON.into())],
        body: body.into(),
    }
}

fn error(status: u16, code: &str) -> Reply {
    Reply::Full {
        status,
        headers: vec![("content-type".into(), JSON.into())],
        body: format!(r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"from the test"}}"#),
    }
}

fn receipt() -> PulseReceipt {
    PulseReceipt {
        key: PulseKey::parse(Some("web-1"), Some("jobs"), Some("cron"), Some("backup")).unwrap(),
        at: Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap(),
        threshold: Threshold::parse("2").unwrap(),
        saturday: false,
        tz: Zone::UTC,
        message: None,
        metadata: None,
        expect: Default::default(),
    }
}

fn operation(request: &RecordedRequest) -> &str {
    request.header("x-amz-target").unwrap_or_default()
}

fn body(request: &RecordedRequest) -> serde_json::Value {
    serde_json::from_str(&request.body).expect("a JSON request")
}

#[tokio::test]
async fn a_pulse_is_one_conditional_update_asking_for_the_old_item() {
    let server = Recorder::start(Behaviour::Sequence(vec![ok(
        r#"{"Attributes":{"_id":{"S":"x"},"dueShard":{"N":"3"}}}"#,
    )]))
    .await;
    store(&server).record_pulse(&receipt()).await.expect("recorded");
    let [request] = server
        .requests()
        .try_into()
        .expect("one request: the old item asks for nothing more");
    assert_eq!(operation(&request), "DynamoDB_20120810.UpdateItem");
    let json = body(&request);
    assert_eq!(json["TableName"], "pulses");
    assert_eq!(json["ReturnValues"], "ALL_OLD");
    assert_eq!(json["Key"]["_id"]["S"], receipt().key.id().as_str());
    let names = json["ExpressionAttributeNames"].as_object().expect("names");
    let values = json["ExpressionAttributeValues"].as_object().expect("values");
    for placeholder in json["UpdateExpression"]
        .as_str()
        .into_iter()
        .chain(json["ConditionExpression"].as_str())
        .flat_map(|text| text.split(|c: char| !(c.is_alphanumeric() || c == '#' || c == ':')))
    {
        if placeholder.starts_with('#') {
            assert!(names.contains_key(placeholder), "{placeholder} is named");
        } else if placeholder.starts_with(':') {
            assert!(values.contains_key(placeholder), "{placeholder} has a value");
        }
    }
    assert!(
        request
            .header("authorization")
            .is_some_and(|a| a.starts_with("AWS4-HMAC-SHA256 ")),
        "signed"
    );
}

#[tokio::test]
async fn the_old_item_read_from_the_answer_decides_the_second_write() {
    // An alerted pulse comes back: the old item has `alertFor`, so it is made due at once.
    let alerted =
        ok(r#"{"Attributes":{"_id":{"S":"x"},"dueShard":{"N":"3"},"alertFor":{"S":"2026-12-07T08:00:00.000Z"}}}"#);
    let server = Recorder::start(Behaviour::Sequence(vec![alerted, ok("{}")])).await;
    store(&server).record_pulse(&receipt()).await.expect("recorded");
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "the pulse's write, then due at once");
    let due_now = body(&requests[1]);
    assert_eq!(due_now["ReturnValues"], "NONE");
    assert!(
        due_now["UpdateExpression"]
            .as_str()
            .is_some_and(|u| u.starts_with("SET ")),
        "{due_now}"
    );
}

#[tokio::test]
async fn a_refused_condition_is_an_answer_not_an_error_and_is_not_retried() {
    let server = Recorder::start(Behaviour::Sequence(vec![error(400, "ConditionalCheckFailedException")])).await;
    let held = store(&server)
        .set_pause(&receipt().key.id(), true, receipt().at)
        .await
        .expect("an answer");
    assert_eq!(held, Held::No);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn throttling_is_retried_and_then_unavailable() {
    let server = Recorder::start(Behaviour::Sequence(vec![error(400, "ThrottlingException")])).await;
    let err = store(&server)
        .record_pulse(&receipt())
        .await
        .expect_err("throttled throughout");
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    assert_eq!(server.requests().len(), MAX_ATTEMPTS as usize, "every attempt");
}

#[tokio::test]
async fn throttled_then_accepted_succeeds_on_a_later_attempt() {
    let replies = vec![
        error(400, "ProvisionedThroughputExceededException"),
        error(503, "ServiceUnavailable"),
        ok("{}"),
    ];
    let server = Recorder::start(Behaviour::Sequence(replies)).await;
    store(&server)
        .record_pulse(&receipt())
        .await
        .expect("the third attempt");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_bad_request_or_a_missing_table_fails_at_once() {
    for code in ["ValidationException", "ResourceNotFoundException"] {
        let server = Recorder::start(Behaviour::Sequence(vec![error(400, code)])).await;
        let err = store(&server).record_pulse(&receipt()).await.expect_err(code);
        assert!(matches!(err, StoreError::Failed(_)), "{code}: {err}");
        assert!(
            err.source().is_some_and(|c| c.to_string().contains(code)),
            "{code}: {err}"
        );
        assert_eq!(server.requests().len(), 1, "{code} is not retried");
    }
}

#[tokio::test]
async fn a_hanging_dynamodb_ends_the_call_at_its_timeout() {
    let server = Recorder::start(Behaviour::Hang).await;
    let started = Instant::now();
    let err = store(&server).record_pulse(&receipt()).await.expect_err("no answer");
    let took = started.elapsed();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    // Each attempt ends after 300 ms, the whole call after 800 ms.
    assert!(
        took >= Duration::from_millis(600) && took < Duration::from_secs(2),
        "{took:?}"
    );
    assert!(server.requests().len() >= 2, "the attempt that timed out was retried");
}

#[tokio::test]
async fn nothing_listening_is_unavailable() {
    let server = Recorder::start(Behaviour::Respond(200)).await;
    let store = store(&server);
    drop(server);
    let err = store.record_pulse(&receipt()).await.expect_err("nobody there");
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
}
