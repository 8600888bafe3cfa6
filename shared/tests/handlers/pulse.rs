//! `GET|POST /heartbeat/pulse`: what is stored, what is answered, and that nothing is stored for a
//! refused request.

use crate::support::*;
use heartbeat_shared::config::Config;
use heartbeat_shared::handlers;
use heartbeat_shared::model::{Zone, format_stamp};
use heartbeat_shared::store::MemoryStore;
use lambda_http::http::Method;
use lambda_http::{Body, Request, RequestExt, Response};
use std::collections::HashMap;

const KEY_QUERY: &str = "host=web-1&category=backup&type=db&name=nightly";

async fn send(store: &MemoryStore, config: &Config, req: Request) -> Response<Body> {
    handlers::pulse(req, store, config, now()).await
}

#[track_caller]
fn assert_ok(res: &Response<Body>) {
    assert_eq!(res.status().as_u16(), 200, "{}", text(res));
    assert!(
        header(res, "content-type")
            .unwrap_or_default()
            .starts_with("text/plain")
    );
    assert_eq!(text(res), "Successful Heartbeat Pulse");
}

/// A refused request: the status, a plain-text body that contains `needle`.
#[track_caller]
fn assert_refused(res: &Response<Body>, status: u16, needle: &str) {
    let body = text(res);
    assert_eq!(res.status().as_u16(), status, "{body}");
    assert!(
        header(res, "content-type")
            .unwrap_or_default()
            .starts_with("text/plain"),
        "{body}"
    );
    assert!(body.contains(needle), "{needle:?} not in {body:?}");
}

#[tokio::test]
async fn a_get_creates_the_item_the_way_the_original_did() {
    let store = MemoryStore::new();
    let config = config(&[("DEFAULT_THRESHOLD_HOURS", "6")]);
    let res = send(
        &store,
        &config,
        get("/heartbeat/pulse?host=host&category=cat&type=type&name=name"),
    )
    .await;
    assert_ok(&res);

    // echo -n hostcattypename | sha256sum
    let want = "43bd163354250bda11229022fb5649706ca71b49d5e1e8510b5ee2115bcdff27";
    assert_eq!(sha256_id("host", "cat", "type", "name"), want);
    let id = id_of("host", "cat", "type", "name");
    assert_eq!(id.as_str(), want);
    assert_eq!(store.len(), 1);
    let p = store
        .snapshot(&id)
        .expect("the pulse is stored under the original's _id");
    assert_eq!(p.id, id);
    assert_eq!(
        (
            p.key.host.as_str(),
            p.key.category.as_str(),
            p.key.kind.as_str(),
            p.key.name.as_str()
        ),
        ("host", "cat", "type", "name")
    );
    assert_eq!(p.last_pulse, now());
    assert_eq!(p.stamp, "2026-11-23T12:00:00.000Z");
    assert_eq!(p.threshold.to_string(), "6", "the configured default threshold");
    assert!(!p.saturday);
    assert_eq!(
        p.tz,
        Some(Zone::UTC),
        "no timezone given: the configured default, fixed at creation"
    );
    assert_eq!(p.pulse_count, Some(1));
    assert_eq!(p.first_seen, Some(now()));
    assert_eq!((p.last_message, p.last_metadata), (None, None));
    assert_eq!((p.alert, p.claim), (None, None));
}

#[tokio::test]
async fn the_id_follows_the_sha256_rule_for_any_key() {
    let store = MemoryStore::new();
    let config = config(&[]);
    for (query, fields) in [
        (
            "host=web-1&category=backup&type=db&name=nightly",
            ["web-1", "backup", "db", "nightly"],
        ),
        (
            "host=%C3%A9t%C3%A9&category=a%20b&type=c%2Bd&name=x+y",
            ["été", "a b", "c+d", "x+y"],
        ),
        ("name=n&type=t&category=c&host=h", ["h", "c", "t", "n"]),
    ] {
        assert_ok(&send(&store, &config, get(&format!("/heartbeat/pulse?{query}"))).await);
        let [h, c, t, n] = fields;
        let id = id_of(h, c, t, n);
        assert_eq!(id.as_str(), sha256_id(h, c, t, n), "{query}");
        let p = store
            .snapshot(&id)
            .unwrap_or_else(|| panic!("{query}: not stored under {id}"));
        assert_eq!(
            (p.key.host, p.key.category, p.key.kind, p.key.name),
            (h.into(), c.into(), t.into(), n.into())
        );
    }
    assert_eq!(store.len(), 3);
}

#[tokio::test]
async fn a_stage_prefix_and_the_node_clients_unencoded_values_do_not_matter() {
    let store = MemoryStore::new();
    let config = config(&[]);
    let res = send(
        &store,
        &config,
        get("/Prod/heartbeat/pulse?host=web-1&category=backup&type=cron:daily&name=db+dump/1"),
    )
    .await;
    assert_ok(&res);
    let p = store
        .snapshot(&id_of("web-1", "backup", "cron:daily", "db+dump/1"))
        .expect("a plus in a query is a plus");
    assert_eq!(p.key.name, "db+dump/1");
}

#[tokio::test]
async fn a_second_pulse_refreshes_time_and_count_but_keeps_the_first_settings() {
    let store = MemoryStore::new();
    let config = config(&[]);
    let first = format!("/heartbeat/pulse?{KEY_QUERY}&threshold=2&saturday=1&tz=Asia%2FKolkata");
    assert_ok(&handlers::pulse(get(&first), &store, &config, now()).await);
    let second = format!("/heartbeat/pulse?{KEY_QUERY}&threshold=99&saturday=0&tz=Europe%2FBerlin");
    let later = now() + hours(3);
    assert_ok(&handlers::pulse(get(&second), &store, &config, later).await);

    assert_eq!(store.len(), 1);
    let p = store.snapshot(&id_of("web-1", "backup", "db", "nightly")).unwrap();
    assert_eq!(p.last_pulse, later);
    assert_eq!(p.stamp, format_stamp(later));
    assert_eq!(p.pulse_count, Some(2));
    assert_eq!(p.first_seen, Some(now()), "first seen stays");
    assert_eq!(p.threshold.to_string(), "2", "threshold of the first pulse");
    assert!(p.saturday, "saturday of the first pulse");
    assert_eq!(
        p.tz,
        Some(Zone::parse("Asia/Kolkata").unwrap()),
        "timezone of the first pulse"
    );
}

/// http.md: threshold, saturday and tz apply "when the pulse is first created"; a pulse created
/// without them keeps the defaults whatever later pulses say (edits are the browser's job).
#[tokio::test]
async fn settings_a_later_pulse_gives_are_ignored_even_when_the_first_gave_none() {
    let store = MemoryStore::new();
    let config = config(&[]);
    assert_ok(&handlers::pulse(get(&format!("/heartbeat/pulse?{KEY_QUERY}")), &store, &config, now()).await);
    let second = format!("/heartbeat/pulse?{KEY_QUERY}&threshold=99&saturday=1&tz=Europe%2FBerlin");
    assert_ok(&handlers::pulse(get(&second), &store, &config, now() + hours(1)).await);

    let p = store.snapshot(&id_of("web-1", "backup", "db", "nightly")).unwrap();
    assert_eq!(p.pulse_count, Some(2));
    assert_eq!(p.threshold.to_string(), "24");
    assert!(!p.saturday);
    // The first pulse fixed the configured default, as it fixes the default threshold.
    assert_eq!(
        p.tz,
        Some(Zone::UTC),
        "a later pulse must not set the timezone (first-creation rule)"
    );
}

#[tokio::test]
async fn a_post_form_body_carries_parameters_message_and_metadata() {
    let store = MemoryStore::new();
    let config = config(&[]);
    let body = "host=web-1&category=backup&type=db&name=nightly+dump&threshold=1.5&saturday=1\
                &message=dump+ok%3A+1.2+GiB&metadata=%7B%22rows%22%3A42%2C%22ok%22%3Atrue%7D";
    let res = send(
        &store,
        &config,
        post(
            "/heartbeat/pulse",
            "application/x-www-form-urlencoded; charset=UTF-8",
            body,
        ),
    )
    .await;
    assert_ok(&res);
    let p = store
        .snapshot(&id_of("web-1", "backup", "db", "nightly dump"))
        .expect("a plus in a form is a space");
    assert_eq!(p.threshold.to_string(), "1.5");
    assert!(p.saturday);
    assert_eq!(p.last_message.as_deref(), Some("dump ok: 1.2 GiB"));
    let metadata: serde_json::Value = serde_json::from_str(p.last_metadata.as_deref().expect("metadata kept")).unwrap();
    assert_eq!(metadata, serde_json::json!({"rows": 42, "ok": true}));
}

#[tokio::test]
async fn a_post_json_body_carries_parameters_message_and_metadata() {
    let store = MemoryStore::new();
    let config = config(&[]);
    let body = serde_json::json!({
        "host": "web-1", "category": "backup", "type": "db", "name": "nightly",
        "threshold": 12, "saturday": true, "tz": "Europe/Berlin",
        "message": "dump ok", "metadata": {"rows": 42, "tables": ["a", "b"]}
    });
    let res = send(
        &store,
        &config,
        post("/heartbeat/pulse", "application/json", &body.to_string()),
    )
    .await;
    assert_ok(&res);
    let p = store.snapshot(&id_of("web-1", "backup", "db", "nightly")).unwrap();
    assert_eq!(p.threshold.to_string(), "12");
    assert!(p.saturday);
    assert_eq!(p.tz, Some(Zone::parse("Europe/Berlin").unwrap()));
    assert_eq!(p.last_message.as_deref(), Some("dump ok"));
    let metadata: serde_json::Value = serde_json::from_str(p.last_metadata.as_deref().unwrap()).unwrap();
    assert_eq!(metadata, serde_json::json!({"rows": 42, "tables": ["a", "b"]}));
}

#[tokio::test]
async fn a_post_may_send_everything_in_the_query_and_no_body() {
    let store = MemoryStore::new();
    let config = config(&[]);
    let req = request(Method::POST, &format!("/heartbeat/pulse?{KEY_QUERY}"), None, "");
    assert_ok(&send(&store, &config, req).await);
    assert_eq!(store.len(), 1);
}

#[tokio::test]
async fn a_message_over_one_kib_is_kept_cut_to_one_kib() {
    let exactly: String = "y".repeat(1024);
    let cases: [(String, Option<&str>); 5] = [
        ("x".repeat(2000), None),
        ("é".repeat(1000), None),
        ("日".repeat(700), None),
        ("a".repeat(1023) + "é", None),
        (exactly.clone(), Some(exactly.as_str())),
    ];
    for (message, unchanged) in cases {
        let store = MemoryStore::new();
        let config = config(&[]);
        let body = serde_json::json!({"host": "h", "category": "c", "type": "t", "name": "n", "message": message});
        assert_ok(&send(&store, &config, post("/heartbeat/pulse", JSON, &body.to_string())).await);
        let kept = store
            .snapshot(&id_of("h", "c", "t", "n"))
            .unwrap()
            .last_message
            .expect("the message is kept");
        assert!(kept.len() <= 1024, "{} bytes kept", kept.len());
        match unchanged {
            Some(whole) => assert_eq!(kept, whole),
            None => {
                assert!(kept.len() > 1000, "most of the KiB is kept: {} bytes", kept.len());
                let prefix = kept.trim_end_matches('…');
                assert!(message.starts_with(prefix), "a prefix of the message is kept");
            }
        }
    }
}

#[tokio::test]
async fn metadata_is_kept_up_to_four_kib_and_refused_beyond() {
    // `{"k":"…"}` is 8 bytes of JSON around the value.
    let metadata = |len: usize| serde_json::json!({ "k": "m".repeat(len - 8) });
    assert_eq!(metadata(4096).to_string().len(), 4096);
    for (len, status) in [(4096, 200), (4097, 400), (10_000, 400)] {
        let store = MemoryStore::new();
        let config = config(&[]);
        let body =
            serde_json::json!({"host": "h", "category": "c", "type": "t", "name": "n", "metadata": metadata(len)});
        let res = send(&store, &config, post("/heartbeat/pulse", JSON, &body.to_string())).await;
        assert_eq!(res.status().as_u16(), status, "{len} bytes: {}", text(&res));
        if status == 400 {
            assert_refused(&res, 400, "metadata");
            assert_eq!(store.len(), 0, "{len} bytes: nothing stored");
        }

        // The same through a form body.
        let store = MemoryStore::new();
        let form = format!(
            "host=h&category=c&type=t&name=n&metadata={}",
            metadata(len)
                .to_string()
                .replace('{', "%7B")
                .replace('}', "%7D")
                .replace('"', "%22")
        );
        let res = send(&store, &config, post("/heartbeat/pulse", FORM, &form)).await;
        assert_eq!(res.status().as_u16(), status, "form, {len} bytes: {}", text(&res));
        assert_eq!(store.len(), usize::from(status == 200));
    }
}

/// Every refused request: its status, the word its body must contain, and that nothing changed —
/// neither a new item nor the existing one of the same key.
#[tokio::test]
async fn refused_requests_name_the_parameter_and_change_nothing() {
    let long = "n".repeat(257);
    let cases: Vec<(String, &str)> = vec![
        (
            "host=a&host=b&category=c&type=t&name=n".into(),
            "“host” is given more than once",
        ),
        (
            "host=h&category=c&type=t&name=n&name=n".into(),
            "“name” is given more than once",
        ),
        (
            "host=h&category=c&type=t&name=n&threshold=1&threshold=2".into(),
            "“threshold”",
        ),
        ("category=c&type=t&name=n".into(), "host: is required"),
        ("host=h&type=t&name=n".into(), "category: is required"),
        ("host=h&category=c&name=n".into(), "type: is required"),
        ("host=h&category=c&type=t".into(), "name: is required"),
        ("host=&category=c&type=t&name=n".into(), "host: must not be empty"),
        (
            format!("host=h&category=c&type=t&name={long}"),
            "name: is 257 characters long",
        ),
        (
            "host=h&category=c&type=t&name=a%0Ab".into(),
            "name: must not contain control characters",
        ),
        (
            "host=h%09x&category=c&type=t&name=n".into(),
            "host: must not contain control characters",
        ),
        (
            "host=h&category=%7F&type=t&name=n".into(),
            "category: must not contain control characters",
        ),
        ("host=h&category=c&type=t&name=n&threshold=0".into(), "threshold"),
        ("host=h&category=c&type=t&name=n&threshold=-1".into(), "threshold"),
        ("host=h&category=c&type=t&name=n&threshold=abc".into(), "threshold"),
        ("host=h&category=c&type=t&name=n&threshold=8761".into(), "threshold"),
        ("host=h&category=c&type=t&name=n&threshold=1e3".into(), "threshold"),
        (
            "host=h&category=c&type=t&name=n&tz=Mars%2FBase".into(),
            "tz: “Mars/Base” is not a known IANA timezone",
        ),
        ("host=h&category=c&type=t&name=n&tz=berlin".into(), "tz"),
        (
            "host=h&category=c&type=t&name=n&saturday=2".into(),
            "saturday must be 0 or 1",
        ),
        ("host=h&category=c&type=t&name=n&saturday=yes".into(), "saturday"),
        ("host=h%ZZ&category=c&type=t&name=n".into(), "percent-escape"),
        // Not UTF-8, so read as Latin-1 (“ÿ”): the timezone is what is wrong here.
        (
            "host=%FF&category=c&type=t&name=n&tz=%FF".into(),
            "“ÿ” is not a known IANA timezone",
        ),
    ];
    let config = config(&[]);
    for (query, needle) in cases {
        let store = MemoryStore::new();
        // The item most requests name: a refused request must not refresh it.
        assert_ok(&send(&store, &config, get("/heartbeat/pulse?host=h&category=c&type=t&name=n")).await);
        let before = store.snapshot(&id_of("h", "c", "t", "n")).unwrap();

        let res = handlers::pulse(
            get(&format!("/heartbeat/pulse?{query}")),
            &store,
            &config,
            now() + hours(1),
        )
        .await;
        assert_refused(&res, 400, needle);
        assert_eq!(store.len(), 1, "{query}: no item created");
        assert_eq!(
            store.snapshot(&id_of("h", "c", "t", "n")),
            Some(before),
            "{query}: item unchanged"
        );
    }
}

#[tokio::test]
async fn the_longest_fields_are_accepted() {
    let store = MemoryStore::new();
    let config = config(&[]);
    let name = "é".repeat(256);
    let encoded = "%C3%A9".repeat(256);
    let res = send(
        &store,
        &config,
        get(&format!("/heartbeat/pulse?host=h&category=c&type=t&name={encoded}")),
    )
    .await;
    assert_ok(&res);
    assert!(store.snapshot(&id_of("h", "c", "t", &name)).is_some());
}

#[tokio::test]
async fn a_duplicate_between_query_and_body_is_refused() {
    let store = MemoryStore::new();
    let config = config(&[]);
    let req = post("/heartbeat/pulse?host=a&category=c", FORM, "host=b&type=t&name=n");
    assert_refused(&send(&store, &config, req).await, 400, "“host” is given more than once");
    assert_eq!(store.len(), 0);
}

#[tokio::test]
async fn bad_json_bodies_are_400() {
    let config = config(&[]);
    for (body, needle) in [
        ("{\"host\": ", "not valid JSON"),
        ("[1, 2]", "must be an object"),
        (
            "{\"host\":\"h\",\"category\":\"c\",\"type\":\"t\",\"name\":[\"n\"]}",
            "“name” must be a string",
        ),
        (
            "{\"host\":\"h\",\"category\":\"c\",\"type\":\"t\",\"name\":\"n\",\"metadata\":\"rows=1\"}",
            "metadata must be a JSON object",
        ),
    ] {
        let store = MemoryStore::new();
        assert_refused(
            &send(&store, &config, post("/heartbeat/pulse", JSON, body)).await,
            400,
            needle,
        );
        assert_eq!(store.len(), 0, "{body}");
    }
}

#[tokio::test]
async fn api_gateway_query_parameters_are_used_as_decoded() {
    let config = config(&[]);
    let store = MemoryStore::new();
    let params: HashMap<String, Vec<String>> = HashMap::from([
        ("host".into(), vec!["web 1".into()]),
        ("category".into(), vec!["a&b".into()]),
        ("type".into(), vec!["50%".into()]),
        ("name".into(), vec!["x+y".into()]),
        ("threshold".into(), vec!["0.25".into()]),
    ]);
    // The URI's raw query is not what API Gateway decoded; the extension wins.
    let req = get("/heartbeat/pulse?host=ignored").with_query_string_parameters(params);
    assert_ok(&send(&store, &config, req).await);
    let p = store
        .snapshot(&id_of("web 1", "a&b", "50%", "x+y"))
        .expect("stored under the decoded values");
    assert_eq!(p.threshold.to_string(), "0.25");
    assert_eq!(store.len(), 1);

    let repeated: HashMap<String, Vec<String>> = HashMap::from([
        ("host".into(), vec!["h".into()]),
        ("category".into(), vec!["c".into()]),
        ("type".into(), vec!["t".into()]),
        ("name".into(), vec!["one".into(), "two".into()]),
    ]);
    let res = send(
        &store,
        &config,
        get("/heartbeat/pulse").with_query_string_parameters(repeated),
    )
    .await;
    assert_refused(&res, 400, "“name” is given more than once");
    assert_eq!(store.len(), 1);
}

#[tokio::test]
async fn other_methods_are_405_with_allow() {
    let store = MemoryStore::new();
    let config = config(&[]);
    for method in [Method::PUT, Method::DELETE, Method::PATCH, Method::OPTIONS] {
        let req = request(method.clone(), &format!("/heartbeat/pulse?{KEY_QUERY}"), None, "");
        let res = send(&store, &config, req).await;
        assert_refused(&res, 405, "GET, POST");
        assert_eq!(header(&res, "allow"), Some("GET, POST"), "{method}");
    }
    assert_eq!(store.len(), 0);
}

#[tokio::test]
async fn a_body_of_another_type_is_415() {
    let store = MemoryStore::new();
    let config = config(&[]);
    let body = "host=h&category=c&type=t&name=n";
    // text/plain is a log (signals), so it is not among them.
    for content_type in [Some("application/xml"), Some("multipart/form-data; boundary=x"), None] {
        let res = send(
            &store,
            &config,
            request(Method::POST, "/heartbeat/pulse", content_type, body),
        )
        .await;
        assert_refused(&res, 415, "application/json or text/plain");
    }
    assert_eq!(store.len(), 0);
}

#[tokio::test]
async fn a_body_over_64_kib_is_413() {
    let config = config(&[]);
    let head = "host=h&category=c&type=t&name=n&message=";
    let fits = format!("{head}{}", "x".repeat(64 * 1024 - head.len()));
    assert_eq!(fits.len(), 65_536);
    let store = MemoryStore::new();
    assert_ok(&send(&store, &config, post("/heartbeat/pulse", FORM, &fits)).await);
    let kept = store
        .snapshot(&id_of("h", "c", "t", "n"))
        .unwrap()
        .last_message
        .unwrap();
    assert!(kept.len() <= 1024);

    let store = MemoryStore::new();
    let too_big = format!("{fits}x");
    assert_refused(
        &send(&store, &config, post("/heartbeat/pulse", FORM, &too_big)).await,
        413,
        "65537 bytes",
    );
    let res = send(
        &store,
        &config,
        post(
            "/heartbeat/pulse",
            JSON,
            &format!("{{\"m\":\"{}\"}}", "x".repeat(70_000)),
        ),
    )
    .await;
    assert_refused(&res, 413, "at most 65536");
    assert_eq!(store.len(), 0);
}

#[tokio::test]
async fn a_configured_pulse_key_is_required() {
    let config = config(&[("PULSE_KEY", "k3y")]);
    let uri = format!("/heartbeat/pulse?{KEY_QUERY}");
    let cases: Vec<(&str, Request, u16)> = vec![
        ("no key", get(&uri), 401),
        ("wrong key", get(&format!("{uri}&key=k3Y")), 401),
        ("empty key", get(&format!("{uri}&key=")), 401),
        ("longer key", get(&format!("{uri}&key=k3yy")), 401),
        ("wrong bearer", bearer(get(&uri), "Bearer nope"), 401),
        ("not a bearer", bearer(get(&uri), "Basic k3y"), 401),
        ("key in the query", get(&format!("{uri}&key=k3y")), 200),
        ("bearer", bearer(get(&uri), "Bearer k3y"), 200),
        (
            "key in a form body",
            post("/heartbeat/pulse", FORM, &format!("{KEY_QUERY}&key=k3y")),
            200,
        ),
    ];
    let mut refusals = Vec::new();
    for (what, req, status) in cases {
        let store = MemoryStore::new();
        let res = send(&store, &config, req).await;
        assert_eq!(res.status().as_u16(), status, "{what}: {}", text(&res));
        if status == 200 {
            assert_ok(&res);
            assert_eq!(store.len(), 1, "{what}");
        } else {
            assert_eq!(store.len(), 0, "{what}: nothing stored");
            refusals.push(text(&res));
        }
    }
    assert!(
        refusals.windows(2).all(|w| w[0] == w[1]),
        "missing and wrong keys get the same body: {refusals:?}"
    );
    assert!(!refusals[0].contains("k3y"), "the key is not revealed");

    // Without a configured key the original client works unchanged, a stray key included.
    let open = self::config(&[]);
    let store = MemoryStore::new();
    assert_ok(&send(&store, &open, get(&uri)).await);
    assert_ok(&send(&store, &open, get(&format!("{uri}&key=anything"))).await);
}

fn bearer(mut req: Request, value: &str) -> Request {
    req.headers_mut().insert("authorization", value.parse().unwrap());
    req
}

#[tokio::test]
async fn an_unreachable_table_is_503_with_retry_after() {
    let store = MemoryStore::new();
    let config = config(&[]);
    store.set_down(true);
    let res = send(&store, &config, get(&format!("/heartbeat/pulse?{KEY_QUERY}"))).await;
    assert_refused(&res, 503, "try again");
    assert_eq!(header(&res, "retry-after"), Some("30"));
    store.set_down(false);
    assert_eq!(store.len(), 0);
}

/// http/params.rs: "malformed percent-encoding … refused, never guessed at". `%+1` is not two hex
/// digits, yet `u8::from_str_radix("+1", 16)` reads it as 0x01.
#[tokio::test]
async fn a_percent_escape_with_a_sign_is_malformed() {
    let config = config(&[]);
    for (what, req) in [
        (
            "form body",
            post(
                "/heartbeat/pulse",
                FORM,
                "host=h&category=c&type=t&name=n&message=50%+1",
            ),
        ),
        (
            "query",
            get("/heartbeat/pulse?host=h&category=c&type=t&name=n&message=50%+1"),
        ),
    ] {
        let store = MemoryStore::new();
        let res = send(&store, &config, req).await;
        let stored = store.snapshot(&id_of("h", "c", "t", "n")).and_then(|p| p.last_message);
        assert_eq!(
            res.status().as_u16(),
            400,
            "{what}: accepted, message stored as {stored:?}"
        );
        assert_refused(&res, 400, "percent-escape");
        assert_eq!(store.len(), 0);
    }
}

/// A name given twice is refused in the query and in a form body; a JSON object can repeat a name
/// too, and which value the client meant is just as unknown.
#[tokio::test]
async fn a_name_repeated_in_a_json_body_is_refused() {
    let store = MemoryStore::new();
    let config = config(&[]);
    let body = r#"{"host":"h","category":"c","type":"t","name":"first","name":"second"}"#;
    let res = send(&store, &config, post("/heartbeat/pulse", JSON, body)).await;
    assert_eq!(
        res.status().as_u16(),
        400,
        "accepted; stored: {:?}",
        store.snapshot(&id_of("h", "c", "t", "second")).map(|p| p.key.name)
    );
    assert_refused(&res, 400, "“name”");
    assert_eq!(store.len(), 0);
}

/// Issue 11: workdays, calendars, hours, schedule and grace on the first pulse; `workdays` sets
/// `saturday`; `calendars=` (empty) opts out of the defaults; a bad value is refused by name and
/// stores nothing.
#[tokio::test]
async fn the_first_pulse_carries_the_expectation_settings() {
    let store = MemoryStore::new();
    let config = config(&[]);
    let first = format!(
        "/heartbeat/pulse?{KEY_QUERY}&workdays=Sun-Sat&calendars=&hours=08%3A00-18%3A00&schedule=30%202%20*%20*%201-5&grace=0.5"
    );
    assert_ok(&handlers::pulse(get(&first), &store, &config, now()).await);
    let p = store.snapshot(&id_of("web-1", "backup", "db", "nightly")).unwrap();
    assert_eq!(p.expect.workdays.unwrap().to_string(), "all");
    assert!(p.saturday, "Saturday is in the set, so the original's flag says so");
    assert!(p.expect.calendars.unwrap().is_empty(), "an explicit empty list");
    assert_eq!(p.expect.hours.unwrap().to_string(), "08:00-18:00");
    assert_eq!(p.expect.schedule.unwrap().as_str(), "30 2 * * 1-5");
    assert_eq!(p.expect.grace.unwrap().to_string(), "0.5");

    let fresh = MemoryStore::new();
    for (query, needle) in [
        ("workdays=Mo-Fr", "workdays"),
        ("hours=18%3A00-08%3A00", "hours"),
        ("schedule=every%20night", "schedule"),
        ("grace=soon", "grace"),
        ("calendars=a%20b", "calendars"),
    ] {
        let res = handlers::pulse(
            get(&format!("/heartbeat/pulse?{KEY_QUERY}&{query}")),
            &fresh,
            &config,
            now(),
        )
        .await;
        assert_refused(&res, 400, needle);
        assert_eq!(fresh.len(), 0, "{query}: nothing stored");
    }
}
