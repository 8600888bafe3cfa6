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
