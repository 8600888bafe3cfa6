//! Requests built the way API Gateway or the local runtime hands them to a handler, and readers for
//! the responses.

use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};

pub const FORM: &str = "application/x-www-form-urlencoded";
pub const JSON: &str = "application/json";

pub fn request(method: Method, uri: &str, content_type: Option<&str>, body: &str) -> Request {
    let mut builder = lambda_http::http::Request::builder().method(method).uri(uri);
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    let body = if body.is_empty() {
        Body::Empty
    } else {
        Body::from(body.to_owned())
    };
    builder.body(body).expect("a valid test request")
}

pub fn get(uri: &str) -> Request {
    request(Method::GET, uri, None, "")
}

pub fn post(uri: &str, content_type: &str, body: &str) -> Request {
    request(Method::POST, uri, Some(content_type), body)
}

/// The body as text, whichever way the handler stored it.
pub fn text(res: &Response<Body>) -> String {
    match res.body() {
        Body::Text(text) => text.clone(),
        Body::Binary(bytes) => String::from_utf8(bytes.clone()).expect("a UTF-8 body"),
        _ => String::new(),
    }
}

pub fn header<'r>(res: &'r Response<Body>, name: &str) -> Option<&'r str> {
    res.headers().get(name).map(|v| v.to_str().expect("an ASCII header"))
}
