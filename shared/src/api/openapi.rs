//! `GET /openapi.json`: the OpenAPI 3.1 document of the API, open to everyone. The document is
//! written by hand next to this file; schemathesis (`make api-contract`) holds the code to it.

use super::{Answer, Call};
use crate::http::response;
use lambda_http::http::{Method, StatusCode};
use std::sync::LazyLock;

const SOURCE: &str = include_str!("openapi.json");

/// The document with the IANA timezone names filled in from the very table the code accepts.
static DOCUMENT: LazyLock<serde_json::Value> = LazyLock::new(|| {
    let mut doc: serde_json::Value =
        serde_json::from_str(SOURCE).expect("openapi.json is valid JSON (a unit test checks)");
    let names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    doc["components"]["schemas"]["TimeZone"]["enum"] = names.into();
    doc
});

pub fn document() -> &'static serde_json::Value {
    &DOCUMENT
}

pub fn resource<'a>(segments: &'a [&'a str], call: &'a Call<'a>) -> Option<Answer<'a>> {
    (segments == ["openapi.json"]).then(|| -> Answer<'a> {
        Box::pin(async move {
            if !matches!(*call.req.method(), Method::GET | Method::HEAD) {
                return Err(super::ApiError::method("GET"));
            }
            Ok(response::json(StatusCode::OK, document()))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_openapi_3_1_with_every_timezone() {
        let doc = document();
        assert_eq!(doc["openapi"], "3.1.0");
        let zones = doc["components"]["schemas"]["TimeZone"]["enum"].as_array().unwrap();
        assert_eq!(zones.len(), chrono_tz::TZ_VARIANTS.len());
        assert!(zones.iter().any(|z| z == "Europe/Berlin"));
    }

    #[test]
    fn status_names_match_the_code() {
        let names = &document()["components"]["schemas"]["Status"]["enum"];
        assert_eq!(names, &serde_json::json!(crate::rules::state::NAMES));
    }
}
