//! Arbitrary bytes as a form body and as a JSON body: the decoders must never panic and must agree
//! with references (the strict urlencoded rules; serde_json for objects), and the whole pulse handler,
//! fed the bytes as a POST body labelled form, JSON or nothing, must answer one of its 2xx/4xx statuses.

#![no_main]

use heartbeat_fuzz::{PULSE_STATUSES, assert_params_match, block_on, config, reference_pairs};
use heartbeat_shared::config::Config;
use heartbeat_shared::handlers;
use heartbeat_shared::http::params;
use heartbeat_shared::store::MemoryStore;
use lambda_http::http::Method;
use lambda_http::{Body, Request};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn configs() -> &'static [Config; 2] {
    static CONFIGS: OnceLock<[Config; 2]> = OnceLock::new();
    CONFIGS.get_or_init(|| [config(&[]), config(&[("PULSE_KEY", "k3y")])])
}

fuzz_target!(|data: &[u8]| {
    check_form(data);
    check_json(data);
    let [open, keyed] = configs();
    for (content_type, config) in [
        (Some("application/x-www-form-urlencoded"), open),
        (Some("application/json"), open),
        (None, open),
        (Some("application/json; charset=utf-8"), keyed),
    ] {
        let req = post(content_type, data);
        let now = chrono::DateTime::from_timestamp(1_795_435_200, 0).expect("2026-11-23");
        let res = block_on(handlers::pulse(req, &MemoryStore::new(), config, now));
        let status = res.status().as_u16();
        assert!(
            PULSE_STATUSES.contains(&status),
            "pulse answered {status} for a {content_type:?} body: {:?}",
            res.body()
        );
    }
});

fn check_form(data: &[u8]) {
    let parsed = params::form(data);
    let expected = std::str::from_utf8(data)
        .ok()
        .and_then(|text| reference_pairs(text, true));
    match (&parsed, &expected) {
        (Ok(params), Some(pairs)) => assert_params_match(params, pairs, "form"),
        (Err(_), None) => {}
        (Ok(params), None) => panic!("accepted a form the reference refuses: {params:?}"),
        (Err(err), Some(pairs)) => panic!("refused ({err}) a form the reference decodes to {pairs:?}"),
    }
}

fn check_json(data: &[u8]) {
    let members = params::json_object(data);
    let value = serde_json::from_slice::<serde_json::Value>(data);
    match (&members, &value) {
        (Ok(members), Ok(serde_json::Value::Object(object))) => {
            let mut names: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(
                names.len(),
                object.len(),
                "json_object and serde_json see different names"
            );
            if names.len() == members.len() {
                for (name, member) in members {
                    assert_eq!(object.get(name), Some(member), "member {name:?}");
                }
            } else {
                // A repeated name: serde_json keeps the last value, json_object keeps them all.
                for (name, last) in object {
                    let kept = members.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v);
                    assert_eq!(kept, Some(last), "last value of {name:?}");
                }
            }
        }
        (Err(_), Ok(serde_json::Value::Object(_))) => panic!("json_object refused an object serde_json reads"),
        (Ok(members), _) => panic!("json_object accepted {members:?}, which serde_json does not read as an object"),
        (Err(_), _) => {}
    }
}

fn post(content_type: Option<&str>, data: &[u8]) -> Request {
    let mut builder = lambda_http::http::Request::builder()
        .method(Method::POST)
        .uri("/heartbeat/pulse");
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    let body = if data.is_empty() {
        Body::Empty
    } else {
        Body::Binary(data.to_vec())
    };
    builder.body(body).expect("a POST request")
}
