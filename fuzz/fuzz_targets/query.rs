//! Arbitrary bytes as a request's query string: `params::query` must never panic, must decode exactly
//! what an independent reference decoder does, and must agree with the API Gateway path (the query
//! handed over already decoded, as a request extension).

#![no_main]

use heartbeat_fuzz::{NAMES, Single, assert_params_match, reference_pairs};
use heartbeat_shared::http::params;
use lambda_http::http::Uri;
use lambda_http::{Body, Request, RequestExt};
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

fuzz_target!(|data: &[u8]| {
    let mut raw = b"/heartbeat/pulse?".to_vec();
    raw.extend_from_slice(data);
    // Only what `http` parses into a URI can reach a handler.
    let Ok(uri) = Uri::try_from(raw) else {
        return;
    };
    let Ok(req) = lambda_http::http::Request::builder().uri(uri).body(Body::Empty) else {
        return;
    };
    let expected = req
        .uri()
        .query()
        .map_or(Some(Vec::new()), |q| reference_pairs(q, false));
    let parsed = params::query(&req);
    for name in NAMES {
        if let Ok(params) = &parsed {
            let _ = params.single(name);
        }
    }
    match (&parsed, &expected) {
        (Ok(params), Some(pairs)) => {
            assert_params_match(params, pairs, "query from the URI");
            api_gateway(pairs);
        }
        (Err(_), None) => {}
        (Ok(params), None) => panic!("accepted a query the reference refuses: {params:?}"),
        (Err(err), Some(pairs)) => panic!("refused ({err}) a query the reference decodes to {pairs:?}"),
    }
});

/// The same pairs, decoded by API Gateway: `single` must answer as it does for the URI.
fn api_gateway(pairs: &[(String, String)]) {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (name, value) in pairs {
        map.entry(name.clone()).or_default().push(value.clone());
    }
    let req: Request = lambda_http::http::Request::builder()
        .uri("/heartbeat/pulse")
        .body(Body::Empty)
        .expect("a plain request")
        .with_query_string_parameters(map);
    let params = params::query(&req).expect("an API Gateway query is already decoded");
    for name in NAMES
        .iter()
        .copied()
        .chain(pairs.iter().take(8).map(|(k, _)| k.as_str()))
    {
        assert_eq!(
            Single::of(&params, name),
            Single::expected(pairs, name),
            "API Gateway: single({name:?})"
        );
    }
}
