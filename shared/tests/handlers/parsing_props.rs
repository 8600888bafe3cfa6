//! Property tests for the request parsing at the edge: the query and form decoders, `single`, the JSON
//! object reader, the threshold's text form, and the pulse handler as a whole (no 5xx, whatever the
//! query string or body). Case counts stay modest so CI runs them in seconds; `fuzz/` runs the same
//! ideas for minutes (`make fuzz`).

use crate::support::{config, get, now};
use heartbeat_shared::handlers;
use heartbeat_shared::http::{HttpError, Params, params};
use heartbeat_shared::model::Threshold;
use heartbeat_shared::store::MemoryStore;
use lambda_http::http::{Method, Uri};
use lambda_http::{Body, Request};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;
use std::collections::BTreeMap;

const MS_PER_HOUR: i64 = 3_600_000;
/// The statuses the pulse endpoint may answer when its store works.
const PULSE_STATUSES: &[u16] = &[200, 400, 401, 405, 413, 415];

fn encode(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

fn urlencoded(pairs: &[(String, String)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    parts.join("&")
}

fn post(uri: &str, content_type: Option<&str>, body: Vec<u8>) -> Request {
    let mut builder = lambda_http::http::Request::builder().method(Method::POST).uri(uri);
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    let body = if body.is_empty() {
        Body::Empty
    } else {
        Body::Binary(body)
    };
    builder.body(body).expect("a valid request")
}

/// Runs a handler on a current-thread runtime (proptest bodies are synchronous).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
        .block_on(future)
}

/// What `single` must answer for these pairs: `Err(())` when the name is repeated.
fn expected_single<'p>(pairs: &'p [(String, String)], name: &str) -> Result<Option<&'p str>, ()> {
    let mut found = pairs.iter().filter(|(k, _)| k == name);
    match (found.next(), found.next()) {
        (None, _) => Ok(None),
        (Some((_, v)), None) => Ok(Some(v.as_str())),
        (Some(_), Some(_)) => Err(()),
    }
}

/// Names and values: mostly the names the handlers read, any Unicode in values, `&=+%` included.
fn any_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "host",
            "category",
            "type",
            "name",
            "threshold",
            "tz",
            "key",
            "secret",
            "id"
        ])
        .prop_map(str::to_owned),
        any::<String>(),
        "[a-z&=+% ]{0,6}",
    ]
}

fn any_value() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[a-zA-Z0-9&=+%# ./:-]{0,12}", "\\PC{0,8}"]
}

fn any_pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((any_name(), any_value()), 0..6)
}

/// Query-string text as a client might send it: valid and malformed escapes, separators, `+`, non-ASCII.
fn any_query_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9]{1,6}",
        Just("&".to_owned()),
        Just("=".to_owned()),
        Just("+".to_owned()),
        "%[0-9a-fA-F]{2}",
        "%[0-9a-zA-Z+-]{0,2}",
        "(host|category|type|name|threshold|saturday|tz|message|key)=",
        "[é日\u{1F600}\u{0}\t ]",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    // No regression files: a failure prints its minimal input, which belongs in a named unit test below.
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any name/value pairs, percent-encoded with NON_ALPHANUMERIC, decode back exactly, in order,
    /// from the query string and from a form body.
    #[test]
    fn percent_encoded_pairs_round_trip(pairs in any_pairs()) {
        let encoded = urlencoded(&pairs);
        let want = Params::from_pairs(pairs.clone());
        let from_query = params::query(&get(&format!("/heartbeat/pulse?{encoded}"))).expect("a valid query");
        prop_assert_eq!(&from_query, &want);
        let from_form = params::form(encoded.as_bytes()).expect("a valid form");
        prop_assert_eq!(&from_form, &want);
        for (name, _) in &pairs {
            prop_assert_eq!(from_query.single(name).map_err(|_| ()), expected_single(&pairs, name));
        }
    }

    /// A form writes spaces as `+`, and so does a query, except in the parameters that make a pulse's id
    /// and in the time zone and keys, where `+` stays a plus sign (ids the original server computed).
    #[test]
    fn plus_is_a_space_except_in_ids_zones_and_keys(value in "[a-z +]{0,16}") {
        let spaced = value.replace('+', " ");
        let form = params::form(format!("v={value}").as_bytes()).expect("a valid form");
        prop_assert_eq!(form.single("v").unwrap(), Some(spaced.as_str()));
        let sent = value.replace(' ', "%20");
        let query = params::query(&get(&format!("/p?message={sent}&name={sent}&tz={sent}"))).expect("a valid query");
        prop_assert_eq!(query.single("message").unwrap(), Some(spaced.as_str()));
        prop_assert_eq!(query.single("name").unwrap(), Some(value.as_str()));
        prop_assert_eq!(query.single("tz").unwrap(), Some(value.as_str()));
    }

    /// Arbitrary query text and arbitrary form bytes: decoded or refused as a bad request, never a panic.
    #[test]
    fn decoders_never_panic(text in any_query_text(), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(uri) = Uri::try_from(format!("/heartbeat/pulse?{text}")) {
            let req = lambda_http::http::Request::builder().uri(uri).body(Body::Empty).expect("a request");
            if let Err(err) = params::query(&req) {
                prop_assert!(matches!(err, HttpError::BadRequest(_)), "{err:?}");
            }
        }
        for body in [text.as_bytes(), bytes.as_slice()] {
            match params::form(body) {
                Ok(form) => {
                    for name in ["host", "name", "threshold", ""] {
                        let _ = form.single(name);
                    }
                }
                Err(err) => prop_assert!(matches!(err, HttpError::BadRequest(_)), "{err:?}"),
            }
        }
    }

    /// A name given twice is refused by `single` wherever it sits, and however it came.
    #[test]
    fn duplicates_are_always_refused(
        name in any_name(),
        first in any_value(),
        second in any_value(),
        mut others in any_pairs(),
        at in (0_usize..8, 0_usize..8),
    ) {
        others.retain(|(k, _)| *k != name);
        let mut pairs = others;
        pairs.insert(at.0.min(pairs.len()), (name.clone(), first));
        pairs.insert(at.1.min(pairs.len()), (name.clone(), second));
        prop_assert!(Params::from_pairs(pairs.clone()).single(&name).is_err());
        let encoded = urlencoded(&pairs);
        let query = params::query(&get(&format!("/p?{encoded}"))).expect("a valid query");
        let err = query.single(&name).expect_err("a repeated name");
        prop_assert!(err.to_string().contains("more than once"), "{err}");
        prop_assert!(params::form(encoded.as_bytes()).unwrap().single(&name).is_err());
        // A query and a body each naming it once is still twice.
        let mut split = Params::from_pairs(vec![(name.clone(), "a".into())]);
        split.extend(Params::from_pairs(vec![(name.clone(), "b".into())]));
        prop_assert!(split.single(&name).is_err());
    }

    /// Thresholds a person types, with up to six decimals, keep their value through their text form.
    #[test]
    fn typed_thresholds_round_trip(whole in 0_u32..=8760, decimals in 0_u32..1_000_000, places in 0_usize..=6) {
        let fraction = format!("{decimals:06}");
        let text = if places == 0 { whole.to_string() } else { format!("{whole}.{}", &fraction[..places]) };
        if let Ok(t) = Threshold::parse(&text) {
            let shown = t.to_string();
            prop_assert_eq!(Threshold::parse(&shown), Ok(t), "{} shown as {}", text, shown);
        }
    }

    /// Every valid threshold (1 ms to 8760 h, in whole milliseconds) survives `to_string` and `parse`:
    /// its text form is what the table (`thresholdF`) and the edit form carry.
    ///
    /// FAILS today (found by `fuzz/` model_parsers): `Display` writes six decimals of an hour (3.6 ms),
    /// so e.g. 1 ms is shown as "0" (refused; the store then falls back to 24 h) and 1000 ms as
    /// "0.000278" (read back as 1001 ms). See docs/reliability/fuzz.md.
    #[test]
    fn every_threshold_round_trips(millis in 1_i64..=8760 * MS_PER_HOUR) {
        let t = Threshold::from_hours(millis as f64 / MS_PER_HOUR as f64).expect("in range");
        prop_assert_eq!(t.duration().num_milliseconds(), millis);
        let shown = t.to_string();
        prop_assert_eq!(Threshold::parse(&shown), Ok(t), "{} ms shown as {:?}", millis, shown);
    }

    /// `json_object` never panics, and accepts exactly what serde_json reads as an object.
    #[test]
    fn json_object_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64), text in "[{}\\[\\]\":,a-z0-9 .-]{0,24}") {
        for body in [bytes.as_slice(), text.as_bytes()] {
            let members = params::json_object(body);
            let is_object = matches!(serde_json::from_slice(body), Ok(serde_json::Value::Object(_)));
            prop_assert_eq!(members.is_ok(), is_object, "{:?}", String::from_utf8_lossy(body));
        }
    }

    /// On objects without repeated names, `json_object` sees the members serde_json sees.
    #[test]
    fn json_object_agrees_with_serde_json(object in prop::collection::btree_map(any_name(), any_json(), 0..6)) {
        let text = serde_json::Value::Object(object.clone().into_iter().collect()).to_string();
        let members = params::json_object(text.as_bytes()).expect("an object");
        prop_assert_eq!(members.len(), object.len());
        let seen: BTreeMap<String, serde_json::Value> = members.into_iter().collect();
        prop_assert_eq!(seen, object);
    }

    /// Whatever the query string, the pulse handler answers 200 or a 4xx, never a 5xx.
    #[test]
    fn pulse_never_answers_5xx_for_any_query(
        text in prop_oneof![
            any_query_text(),
            // A complete key first, so that the rest decides between 200 and a 4xx.
            any_query_text().prop_map(|rest| format!("host=h&category=c&type=t&name=n&{rest}")),
            any_pairs().prop_map(|pairs| format!("host=h&category=c&type=t&{}", urlencoded(&pairs))),
        ],
        keyed in any::<bool>(),
    ) {
        let Ok(uri) = Uri::try_from(format!("/heartbeat/pulse?{text}")) else {
            return Ok(());
        };
        let config = if keyed { config(&[("PULSE_KEY", "k3y")]) } else { config(&[]) };
        let req = lambda_http::http::Request::builder().uri(uri).body(Body::Empty).expect("a request");
        let status = block_on(handlers::pulse(req, &MemoryStore::new(), &config, now())).status().as_u16();
        prop_assert!(PULSE_STATUSES.contains(&status), "{} for {:?}", status, text);
    }

    /// Whatever the body and its label, the pulse handler answers 200 or a 4xx, never a 5xx.
    #[test]
    fn pulse_never_answers_5xx_for_any_body(
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..96),
            any_query_text().prop_map(String::into_bytes),
            prop::collection::btree_map(any_name(), any_json(), 0..6)
                .prop_map(|o| serde_json::Value::Object(o.into_iter().collect()).to_string().into_bytes()),
        ],
        content_type in prop::option::of(prop::sample::select(vec![
            "application/x-www-form-urlencoded",
            "application/json",
            "application/json; charset=utf-8",
            "text/plain",
        ])),
    ) {
        let req = post("/heartbeat/pulse?host=h&category=c", content_type, body.clone());
        let status = block_on(handlers::pulse(req, &MemoryStore::new(), &config(&[]), now())).status().as_u16();
        prop_assert!(
            PULSE_STATUSES.contains(&status),
            "{} for {:?} labelled {:?}", status, String::from_utf8_lossy(&body), content_type
        );
    }
}

fn any_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any_value().prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-z]{0,3}", inner, 0..3)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The minimal cases behind `every_threshold_round_trips` (fuzz/artifacts/model_parsers/).
/// FAILS today: a 1 ms threshold is written "0", which `parse` refuses.
#[test]
fn regression_one_millisecond_threshold_round_trips() {
    let t = Threshold::parse("0.0000003").expect("1 ms is a valid threshold");
    assert_eq!(t.duration().num_milliseconds(), 1);
    assert_eq!(Threshold::parse(&t.to_string()), Ok(t), "shown as {:?}", t.to_string());
}

/// FAILS today: 1000 ms is written "0.000278", which reads back as 1001 ms.
#[test]
fn regression_one_second_threshold_round_trips() {
    let t = Threshold::from_hours(1.0 / 3600.0).expect("1 s is a valid threshold");
    assert_eq!(t.duration().num_milliseconds(), 1000);
    assert_eq!(Threshold::parse(&t.to_string()), Ok(t), "shown as {:?}", t.to_string());
}

#[test]
fn json_object_keeps_repeated_names_for_the_handler_to_refuse() {
    let members = params::json_object(br#"{"host":"a","host":"b","n":1}"#).expect("an object");
    let names: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["host", "host", "n"]);
    for refused in [&b"[]"[..], b"\"x\"", b"{", b"{}{}", b"", b"\xff"] {
        assert!(
            params::json_object(refused).is_err(),
            "{:?}",
            String::from_utf8_lossy(refused)
        );
    }
}
