//! Complete responses with the right `Content-Type` and the security headers of the contract.

use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Response};

pub const PULSE_OK: &str = "Successful Heartbeat Pulse";

fn build(status: StatusCode, content_type: &'static str, body: Body) -> Response<Body> {
    let mut res = Response::new(body);
    *res.status_mut() = status;
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}

/// Pages and answers that may carry the secret in their URL must not leak it through a Referer
/// header or a shared cache.
fn keep_private(res: &mut Response<Body>) {
    let headers = res.headers_mut();
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

pub fn text(status: StatusCode, body: &str) -> Response<Body> {
    let mut res = build(status, "text/plain; charset=utf-8", Body::Text(body.to_owned()));
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

pub fn html(status: StatusCode, body: String) -> Response<Body> {
    let mut res = build(status, "text/html; charset=utf-8", Body::Text(body));
    keep_private(&mut res);
    let headers = res.headers_mut();
    let csp = HeaderValue::from_str(crate::pages::content_security_policy()).expect("the CSP is a valid header value");
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

pub fn json(status: StatusCode, body: &serde_json::Value) -> Response<Body> {
    let mut res = build(status, "application/json", Body::Text(body.to_string()));
    keep_private(&mut res);
    res
}

/// JSON already serialised (the API's pages are assembled from serialised pulses).
pub fn json_text(status: StatusCode, body: String) -> Response<Body> {
    let mut res = build(status, "application/json", Body::Text(body));
    keep_private(&mut res);
    res
}

/// A status without a body (204 No Content).
pub fn empty(status: StatusCode) -> Response<Body> {
    let mut res = Response::new(Body::Empty);
    *res.status_mut() = status;
    keep_private(&mut res);
    res
}

/// `303 See Other` to a relative location, so the stage prefix (`/Prod`) is kept by the browser.
pub fn see_other(location: &str) -> Response<Body> {
    let mut res = build(
        StatusCode::SEE_OTHER,
        "text/plain; charset=utf-8",
        Body::Text(format!("See {location}\n")),
    );
    keep_private(&mut res);
    if let Ok(value) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, value);
    }
    res
}

/// The same response, its body gzip-compressed. A binary body reaches API Gateway base64-encoded;
/// an HTTP API passes it to the browser as bytes by itself, a REST API because of its binary media
/// types (template.yaml).
pub fn gzip(res: Response<Body>) -> Response<Body> {
    use std::io::Write;
    let (mut parts, body) = res.into_parts();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let compressed = encoder.write_all(body.as_ref()).and_then(|()| encoder.finish());
    match compressed {
        Ok(bytes) => {
            parts
                .headers
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            parts
                .headers
                .insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
            Response::from_parts(parts, Body::Binary(bytes))
        }
        // Writing into memory does not fail; if it ever did, the plain page is still right.
        Err(_) => Response::from_parts(parts, body),
    }
}
