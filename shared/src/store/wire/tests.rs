//! The wire client against a local recording server: what it sends, and how it retries and gives up.

use super::*;
use crate::testing::{Behaviour, Recorder, Reply};
use aws_credential_types::Credentials;
use std::time::Instant;

fn quick() -> Policy {
    Policy {
        attempts: 3,
        connect_timeout: Duration::from_millis(500),
        attempt_timeout: Duration::from_millis(300),
        call_timeout: Duration::from_millis(800),
        initial_backoff: Duration::from_millis(40),
    }
}

fn client(server: &Recorder, session_token: Option<&str>) -> Wire {
    let credentials = Credentials::new("AKIDEXAMPLE", "secret", session_token.map(str::to_owned), None, "test");
    Wire::new(
        &server.url_for("/"),
        "eu-west-1".into(),
        Source::fixed(credentials),
        quick(),
    )
}

fn error(status: u16, code: &str) -> Reply {
    Reply::Full {
        status,
        headers: vec![("content-type".into(), CONTENT_TYPE.into())],
        body: format!(r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"from the test"}}"#),
    }
}

fn ok(body: &str) -> Reply {
    Reply::Full {
        status: 200,
        headers: vec![("content-type".into(), CONTENT_TYPE.into())],
        body: body.into(),
    }
}

#[tokio::test]
async fn a_request_is_signed_names_its_operation_and_carries_the_json() {
    let server = Recorder::start(Behaviour::Sequence(vec![ok(r#"{"Attributes":{"n":{"N":"1"}}}"#)])).await;
    let answer = client(&server, Some("session-token"))
        .call(Op::UpdateItem, br#"{"TableName":"t"}"#.to_vec())
        .await
        .expect("answered");
    assert_eq!(&answer[..], br#"{"Attributes":{"n":{"N":"1"}}}"#);
    let [request] = server.requests().try_into().expect("one request");
    assert_eq!(request.method, "POST");
    assert_eq!(request.body, r#"{"TableName":"t"}"#);
    assert_eq!(request.header("x-amz-target"), Some("DynamoDB_20120810.UpdateItem"));
    assert_eq!(request.header("content-type"), Some(CONTENT_TYPE));
    assert_eq!(request.header("x-amz-security-token"), Some("session-token"));
    let date = request.header("x-amz-date").expect("x-amz-date");
    let auth = request.header("authorization").expect("authorization");
    let scope = format!("Credential=AKIDEXAMPLE/{}/eu-west-1/dynamodb/aws4_request", &date[..8]);
    assert!(auth.starts_with("AWS4-HMAC-SHA256 "), "{auth}");
    assert!(auth.contains(&scope), "{auth}");
    assert!(
        auth.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"),
        "{auth}"
    );
}

#[tokio::test]
async fn throttling_is_retried_with_backoff_and_then_given_up() {
    let server = Recorder::start(Behaviour::Sequence(vec![error(400, "ThrottlingException")])).await;
    let err = client(&server, None)
        .call(Op::PutItem, b"{}".to_vec())
        .await
        .expect_err("throttled throughout");
    assert_eq!(err.code(), Some("ThrottlingException"));
    assert!(err.is_retryable());
    assert_eq!(server.requests().len(), 3, "the SDK's three attempts");
}

#[tokio::test]
async fn throttled_then_accepted_succeeds_on_a_later_attempt() {
    let replies = vec![
        error(400, "ProvisionedThroughputExceededException"),
        error(503, "ServiceUnavailable"),
        ok("{}"),
    ];
    let server = Recorder::start(Behaviour::Sequence(replies)).await;
    client(&server, None)
        .call(Op::PutItem, b"{}".to_vec())
        .await
        .expect("the third attempt");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_refused_condition_or_a_bad_request_is_not_retried() {
    for code in [
        "ConditionalCheckFailedException",
        "ValidationException",
        "ResourceNotFoundException",
    ] {
        let server = Recorder::start(Behaviour::Sequence(vec![error(400, code)])).await;
        let err = client(&server, None)
            .call(Op::UpdateItem, b"{}".to_vec())
            .await
            .expect_err(code);
        assert_eq!(err.code(), Some(code));
        assert_eq!(server.requests().len(), 1, "{code}");
    }
}

#[tokio::test]
async fn a_hanging_dynamodb_ends_the_call_at_its_timeout() {
    let server = Recorder::start(Behaviour::Hang).await;
    let started = Instant::now();
    let err = client(&server, None)
        .call(Op::UpdateItem, b"{}".to_vec())
        .await
        .expect_err("no answer");
    let took = started.elapsed();
    assert!(matches!(err, WireError::Timeout(_)), "{err}");
    // Each attempt ends after 300 ms, the whole call after 800 ms.
    assert!(
        took >= Duration::from_millis(600) && took < Duration::from_secs(2),
        "{took:?}"
    );
    assert!(server.requests().len() >= 2, "the attempt that timed out was retried");
}

#[tokio::test]
async fn nothing_listening_is_a_transport_error_worth_retrying() {
    let server = Recorder::start(Behaviour::Respond(200)).await;
    let url = server.url_for("/");
    drop(server);
    let credentials = Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
    let wire = Wire::new(&url, "eu-west-1".into(), Source::fixed(credentials), quick());
    let err = wire.call(Op::PutItem, b"{}".to_vec()).await.expect_err("nobody there");
    assert!(err.is_retryable(), "{err}");
}

#[tokio::test]
async fn a_bad_endpoint_or_a_missing_region_is_named_on_every_call() {
    let credentials = || Source::fixed(Credentials::new("AKIDEXAMPLE", "secret", None, None, "test"));
    let err = Wire::new("dynamodb here", "eu-west-1".into(), credentials(), quick())
        .call(Op::PutItem, b"{}".to_vec())
        .await
        .expect_err("no URL");
    assert!(err.to_string().contains("AWS_ENDPOINT_URL_DYNAMODB"), "{err}");
    let err = Wire::new("http://127.0.0.1:9", String::new(), credentials(), quick())
        .call(Op::PutItem, b"{}".to_vec())
        .await
        .expect_err("no region");
    assert!(err.to_string().contains("AWS_REGION"), "{err}");
    let err = Wire::new("http://127.0.0.1:9", "eu-west-1".into(), Source::Missing, quick())
        .call(Op::PutItem, b"{}".to_vec())
        .await
        .expect_err("no credentials");
    assert!(err.to_string().contains("credentials"), "{err}");
    assert!(!err.is_retryable());
}

#[test]
fn backoff_is_jittered_under_a_doubling_ceiling() {
    let second = Duration::from_secs(1);
    assert_eq!(backoff(second, 1, 1.0), second);
    assert_eq!(backoff(second, 2, 1.0), 2 * second);
    assert_eq!(backoff(second, 2, 0.25), Duration::from_millis(500));
    assert_eq!(backoff(second, 30, 1.0), Duration::from_secs(20));
    assert_eq!(backoff(second, 1, 0.0), Duration::ZERO);
}

/// A server that answers the first request on each connection and closes the connection when a
/// second one arrives on it, as a server closes a connection it had kept idle too long.
async fn closing_server() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0_u8; 4096];
                // The request's head and its two-byte body.
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") || !buf.ends_with(b"{}") {
                    match tcp.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let answer = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}";
                if tcp.write_all(answer.as_bytes()).await.is_err() {
                    return;
                }
                // The next request is read and dropped with the connection.
                let _ = tcp.read(&mut chunk).await;
            });
        }
    });
    (url, connections)
}

#[tokio::test]
async fn a_kept_connection_the_server_closed_is_replaced_without_using_an_attempt() {
    let (url, connections) = closing_server().await;
    let credentials = Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
    let one_attempt = Policy { attempts: 1, ..quick() };
    let wire = Wire::new(&url, "eu-west-1".into(), Source::fixed(credentials), one_attempt);
    for call in 1..=3 {
        wire.call(Op::PutItem, b"{}".to_vec())
            .await
            .unwrap_or_else(|e| panic!("call {call}: {e}"));
    }
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        3,
        "a new connection for each call after the first's was closed"
    );
}
