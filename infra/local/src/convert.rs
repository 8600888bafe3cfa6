//! Between hyper's types and `lambda_http`'s: a local request becomes the same `Request` a Lambda
//! would receive, and the handler's `Response` goes back out unchanged.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use lambda_http::Body;
use std::time::Duration;

/// API Gateway accepts up to 10 MB; the handlers refuse anything over 64 KiB with a clear 413, so
/// reading a little more than that is enough to let them say so.
const MAX_READ_BYTES: usize = 256 * 1024;
/// A client that stops sending its body must not hold a task forever.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the request body is larger than {MAX_READ_BYTES} bytes")]
    TooLarge,
    #[error("the request body did not arrive within {} seconds", BODY_TIMEOUT.as_secs())]
    TooSlow,
    #[error("the request body could not be read: {0}")]
    Broken(String),
}

pub async fn request(req: hyper::Request<Incoming>) -> Result<lambda_http::Request, ReadError> {
    let (parts, body) = req.into_parts();
    // A GET has no body: no timer and no collecting for it (most requests are pulses).
    if hyper::body::Body::is_end_stream(&body) {
        return Ok(lambda_http::Request::from_parts(parts, Body::Empty));
    }
    let collected = tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, MAX_READ_BYTES).collect())
        .await
        .map_err(|_| ReadError::TooSlow)?
        .map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                ReadError::TooLarge
            } else {
                ReadError::Broken(e.to_string())
            }
        })?;
    let bytes = collected.to_bytes();
    let body = if bytes.is_empty() {
        Body::Empty
    } else {
        Body::Binary(bytes.to_vec())
    };
    Ok(lambda_http::Request::from_parts(parts, body))
}

pub fn response(res: lambda_http::Response<Body>) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = res.into_parts();
    let bytes = match body {
        Body::Empty => Bytes::new(),
        Body::Text(text) => Bytes::from(text),
        Body::Binary(bytes) => Bytes::from(bytes),
        _ => Bytes::new(),
    };
    hyper::Response::from_parts(parts, Full::new(bytes))
}

/// An API Gateway proxy response (what the monitor returns) as an HTTP response.
pub fn proxy_response(value: &serde_json::Value) -> hyper::Response<Full<Bytes>> {
    let status = value
        .get("statusCode")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(500) as u16;
    let body = value
        .get("body")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("")
        .to_owned();
    let mut builder = hyper::Response::builder().status(status);
    if let Some(headers) = value.get("headers").and_then(serde_json::Value::as_object) {
        for (name, v) in headers {
            if let Some(v) = v.as_str() {
                builder = builder.header(name, v);
            }
        }
    }
    builder
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| plain(500, "the monitor's answer could not be converted\n"))
}

pub fn plain(status: u16, text: &str) -> hyper::Response<Full<Bytes>> {
    let mut res = hyper::Response::new(Full::new(Bytes::from(text.to_owned())));
    *res.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    res.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    res
}
