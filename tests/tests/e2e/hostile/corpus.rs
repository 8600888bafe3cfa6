//! The hostile corpus as data: every case is a raw request, the 4xx it must get, and a word the
//! answer must contain so that a person can tell what to fix.

use super::raw::RawRequest;
use heartbeat_e2e::{TEST_SECRET, original_id};

pub const SECRET: &str = TEST_SECRET;
/// The pulse key of the runtime that requires one.
pub const PULSE_KEY: &str = "pk-7e1d-hostile";
/// The pulse every near-valid hostile request names, seeded before the corpus runs: had one of them
/// been accepted, its `timestampF` would move and the table check would see it.
pub const SEED: [&str; 4] = ["seed-host", "backup", "cron", "seed-job"];
pub const UNKNOWN_ID: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

pub const FORM: &str = "application/x-www-form-urlencoded";
pub const JSON: &str = "application/json";
/// What the handlers accept at most; the local runtime itself stops reading at 256 KiB.
const MAX_BODY: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Endpoint {
    PulseGet,
    PulsePost,
    Dashboard,
    EditGet,
    EditPost,
    Monitor,
}

impl Endpoint {
    pub fn label(self) -> &'static str {
        match self {
            Endpoint::PulseGet => "pulse GET (and other methods)",
            Endpoint::PulsePost => "pulse POST",
            Endpoint::Dashboard => "dashboard",
            Endpoint::EditGet => "edit GET (and other methods)",
            Endpoint::EditPost => "edit POST",
            Endpoint::Monitor => "monitor",
        }
    }

    /// The kind of answer the endpoint's handler gives.
    fn shape(self) -> Shape {
        match self {
            Endpoint::PulseGet | Endpoint::PulsePost => Shape::Text,
            Endpoint::Dashboard | Endpoint::EditGet | Endpoint::EditPost => Shape::Html,
            Endpoint::Monitor => Shape::Json,
        }
    }
}

/// What the body of an answer must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `text/plain`: the pulse endpoint's machine clients.
    Text,
    /// The HTTP parser's own answer to a request it cannot parse: a status and nothing else.
    Bare,
    /// A complete HTML page with the security headers of the contract.
    Html,
    /// `application/json` with an `error` text.
    Json,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub endpoint: Endpoint,
    pub request: RawRequest,
    pub status: u16,
    /// The answer's body must contain this: the parameter or the thing to fix.
    pub mention: String,
    pub shape: Shape,
}

fn case(endpoint: Endpoint, name: impl Into<String>, request: RawRequest, status: u16, mention: &str) -> Case {
    Case {
        name: name.into(),
        endpoint,
        request,
        status,
        mention: mention.to_owned(),
        shape: endpoint.shape(),
    }
}

impl Case {
    fn shape(mut self, shape: Shape) -> Self {
        self.shape = shape;
        self
    }
}

/// Every byte outside RFC 3986's unreserved set percent-encoded.
pub fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn seed_id() -> String {
    original_id(SEED[0], SEED[1], SEED[2], SEED[3])
}

/// The four fields of the seeded pulse with `field` replaced by `value` (already encoded); `None`
/// leaves the field out.
fn key_query(field: &str, value: Option<&str>) -> String {
    ["host", "category", "type", "name"]
        .iter()
        .zip(SEED)
        .filter_map(|(name, seeded)| {
            if *name == field {
                value.map(|v| format!("{name}={v}"))
            } else {
                Some(format!("{name}={seeded}"))
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn seed_query() -> String {
    key_query("", None)
}

const FIELDS: [&str; 4] = ["host", "category", "type", "name"];

pub fn pulse_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let get = |name: String, query: String, status: u16, mention: &str| {
        case(
            Endpoint::PulseGet,
            name,
            RawRequest::get(format!("pulse?{query}")),
            status,
            mention,
        )
    };

    cases.push(get(
        "no parameters at all".into(),
        String::new(),
        400,
        "host: is required",
    ));
    cases.push(case(
        Endpoint::PulseGet,
        "no query string",
        RawRequest::get("pulse"),
        400,
        "host: is required",
    ));
    cases.push(get(
        "only unknown parameters".into(),
        "foo=bar&x=1".into(),
        400,
        "host: is required",
    ));
    for field in FIELDS {
        let missing = format!("{field}: is required");
        let empty = format!("{field}: must not be empty");
        cases.push(get(format!("{field} missing"), key_query(field, None), 400, &missing));
        cases.push(get(format!("{field} empty"), key_query(field, Some("")), 400, &empty));
        let flag = key_query(field, None) + &format!("&{field}");
        cases.push(get(format!("{field} without =value"), flag, 400, &empty));
        cases.push(get(
            format!("{field} of 257 characters"),
            key_query(field, Some(&"x".repeat(257))),
            400,
            &format!("{field}: is 257 characters long"),
        ));
        cases.push(get(
            format!("{field} of 257 two-byte characters"),
            key_query(field, Some(&"%C3%A9".repeat(257))),
            400,
            &format!("{field}: is 257 characters long"),
        ));
        for (label, control) in [
            ("NUL", "%00"),
            ("LF", "%0A"),
            ("CR LF", "%0D%0A"),
            ("TAB", "%09"),
            ("ESC", "%1B"),
            ("DEL", "%7F"),
            ("U+0085", "%C2%85"),
        ] {
            cases.push(get(
                format!("{field} with {label}"),
                key_query(field, Some(&format!("job{control}x"))),
                400,
                &format!("{field}: must not contain control characters"),
            ));
        }
        for (label, escape) in [
            ("%ZZ", "%ZZ"),
            ("a lone %", "%"),
            ("a one-digit %4", "x%4"),
            ("a signed %+1", "%+1"),
        ] {
            cases.push(get(
                format!("{field} with a malformed escape ({label})"),
                key_query(field, Some(escape)),
                400,
                "malformed percent-escape",
            ));
        }
        cases.push(get(
            format!("{field} given twice"),
            seed_query() + &format!("&{field}=other"),
            400,
            &format!("“{field}” is given more than once"),
        ));
    }
    cases.push(get(
        "host of 10,000 characters".into(),
        key_query("host", Some(&"h".repeat(10_000))),
        400,
        "host: is 10000 characters long",
    ));
    cases.push(get(
        "a parameter name with a malformed escape".into(),
        seed_query() + "&ho%ZZst=1",
        400,
        "malformed percent-escape",
    ));
    cases.push(get(
        "a value ending in %".into(),
        seed_query() + "&threshold=24%",
        400,
        "malformed percent-escape",
    ));
    // Latin-1's 0x80–0x9F are control characters: refused as such.
    let controls = "host: must not contain control characters";
    for (label, bytes, mention) in [
        ("%FF", "%FF", "name: is required"),
        ("a truncated sequence %C3", "%C3", "name: is required"),
        ("%C3%28", "%C3%28", "name: is required"),
        ("a surrogate %ED%A0%80", "%ED%A0%80", controls),
        ("an overlong / %C0%AF", "%C0%AF", "name: is required"),
        ("a 5-byte sequence", "%F8%88%80%80%80", controls),
        ("%FE%FF", "%FE%FF", "name: is required"),
    ] {
        // Not UTF-8, so read as Latin-1 (the original client's encoding): the request is refused
        // for the name it lacks, which shows the host was read without complaint.
        cases.push(get(
            format!("host not UTF-8 ({label}), in a pulse without name"),
            key_query("host", Some(bytes)).replace(&format!("&name={}", SEED[3]), ""),
            400,
            mention,
        ));
    }
    cases.push(get(
        "name in Latin-1, in a pulse without host".into(),
        key_query("name", Some("job%E9")).replace(&format!("host={}&", SEED[0]), ""),
        400,
        "host: is required",
    ));
    cases.push(get(
        "tz not UTF-8 (read as Latin-1 ÿ)".into(),
        seed_query() + "&tz=%FF",
        400,
        "“ÿ” is not a known IANA timezone",
    ));
    for threshold in [
        "0",
        "0.0",
        "-0",
        "-1",
        "8760.5",
        "9999",
        "99999999999999999999999999",
        "abc",
        "1e3",
        "NaN",
        "inf",
        "1,5",
        "24h",
        ".",
        "1.2.3",
        "0.0000000001",
        "%20",
        "0x10",
        "%2B5",
        "1_000",
        "%D9%A1%D9%A2",
        "24%00",
    ] {
        cases.push(get(
            format!("threshold={threshold}"),
            seed_query() + &format!("&threshold={threshold}"),
            400,
            "threshold",
        ));
    }
    for saturday in ["2", "yes", "true", "on", "-1", "01", "1%20", "%00"] {
        cases.push(get(
            format!("saturday={saturday}"),
            seed_query() + &format!("&saturday={saturday}"),
            400,
            "saturday must be 0 or 1",
        ));
    }
    for tz in [
        "Mars%2FBase",
        "Berlin",
        "europe%2Fberlin",
        "EUROPE%2FBERLIN",
        "%2B02%3A00",
        "UTC%2B1",
        "%3Cscript%3E",
        "%20",
        "Europe%2FBerlin%2FExtra",
        "..%2F..%2Fetc%2Fpasswd",
        "Etc%2FGMT%2B99",
        &"A".repeat(70),
        "Europe%2FBerlin%00",
    ] {
        cases.push(get(
            format!("tz={tz}"),
            seed_query() + &format!("&tz={tz}"),
            400,
            "tz: ",
        ));
    }
    for (field, value) in [("threshold", "48"), ("saturday", "1"), ("tz", "UTC"), ("message", "hi")] {
        cases.push(get(
            format!("{field} given twice"),
            seed_query() + &format!("&{field}={value}&{field}={value}"),
            400,
            &format!("“{field}” is given more than once"),
        ));
    }
    cases.push(get(
        "host given twice with the same value".into(),
        seed_query() + "&host=seed-host",
        400,
        "“host” is given more than once",
    ));
    for method in ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"] {
        cases.push(case(
            Endpoint::PulseGet,
            format!("{method} instead of GET/POST"),
            RawRequest::new(method, format!("pulse?{}", seed_query())),
            405,
            "GET, POST",
        ));
    }
    cases.push(case(
        Endpoint::PulseGet,
        "PUT with a form body",
        RawRequest::new("PUT", "pulse")
            .header("content-type", FORM)
            .with_body(seed_query()),
        405,
        "GET, POST",
    ));

    cases.extend(pulse_post_cases());
    cases
}

fn seed_json(extra: &str) -> String {
    format!(
        r#"{{"host":"{}","category":"{}","type":"{}","name":"{}"{extra}}}"#,
        SEED[0], SEED[1], SEED[2], SEED[3]
    )
}

fn pulse_post_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let post = |name: &str, content_type: Option<&str>, body: Vec<u8>, status: u16, mention: &str| {
        case(
            Endpoint::PulsePost,
            name,
            RawRequest::post("pulse", content_type, body),
            status,
            mention,
        )
    };
    let media = "application/x-www-form-urlencoded, application/json or text/plain (a log)";
    for content_type in [
        Some("text/html"),
        Some("application/xml"),
        Some("multipart/form-data; boundary=xyz"),
        Some("application/octet-stream"),
        Some("application/jsonx"),
        Some("application/x-www-form-urlencodedx"),
        Some("json"),
        None,
    ] {
        let label = content_type.unwrap_or("no Content-Type");
        cases.push(post(
            &format!("a form body labelled {label}"),
            content_type,
            seed_query().into_bytes(),
            415,
            media,
        ));
    }
    // A text/plain body is the job's log (signals): the identification must then be in the query.
    for (label, body) in [("a form body", seed_query()), ("a JSON body", seed_json(""))] {
        cases.push(post(
            &format!("{label} labelled text/plain is a log, not the identification"),
            Some("text/plain"),
            body.into_bytes(),
            400,
            "host",
        ));
    }
    for (label, body) in [
        ("an unclosed object", "{"),
        ("an array", "[]"),
        ("a string", r#""host""#),
        ("a number", "123"),
        ("null", "null"),
        ("true", "true"),
        ("a member without a value", r#"{"host":}"#),
        ("a trailing comma", r#"{"host":"seed-host",}"#),
        ("unquoted names", r#"{host:"seed-host"}"#),
        ("single quotes", "{'host':'seed-host'}"),
        ("garbage after the object", r#"{"host":"seed-host"} garbage"#),
        ("a lone surrogate escape", r#"{"host":"\ud800"}"#),
        ("a NaN literal", r#"{"threshold":NaN}"#),
        ("an unterminated string", r#"{"host":"seed"#),
    ] {
        cases.push(post(
            &format!("JSON: {label}"),
            Some(JSON),
            body.as_bytes().to_vec(),
            400,
            "JSON",
        ));
    }
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(seed_json("").as_bytes());
    cases.push(post("JSON with a byte-order mark", Some(JSON), bom, 400, "JSON"));
    let mut invalid = br#"{"host":"seed"#.to_vec();
    invalid.extend_from_slice(&[0xFF, 0xFE]);
    invalid.extend_from_slice(br#"","category":"backup","type":"cron","name":"seed-job"}"#);
    cases.push(post(
        "JSON with invalid UTF-8 in a string",
        Some(JSON),
        invalid,
        400,
        "JSON",
    ));
    let deep = format!(r#"{{"metadata":{}{}}}"#, "[".repeat(5_000), "]".repeat(5_000));
    cases.push(post(
        "JSON nested 5,000 deep",
        Some(JSON),
        deep.into_bytes(),
        400,
        "JSON",
    ));
    for (label, extra, mention) in [
        ("host again, as an array", r#","host":["a"]"#, "“host” must be a string"),
        (
            "metadata given twice",
            r#","metadata":{},"metadata":{}"#,
            "“metadata” is given more than once",
        ),
        (
            "metadata as a string",
            r#","metadata":"rows=42""#,
            "metadata must be a JSON object",
        ),
        (
            "metadata as an array",
            r#","metadata":[1,2]"#,
            "metadata must be a JSON object",
        ),
        (
            "metadata as a number",
            r#","metadata":42"#,
            "metadata must be a JSON object",
        ),
        (
            "metadata as true",
            r#","metadata":true"#,
            "metadata must be a JSON object",
        ),
        ("threshold as -1", r#","threshold":-1"#, "threshold"),
        ("threshold as a word", r#","threshold":"soon""#, "threshold"),
        ("threshold as 1e9", r#","threshold":1e9"#, "threshold"),
        ("tz as a number", r#","tz":5"#, "tz: "),
        ("tz as an object", r#","tz":{"name":"UTC"}"#, "“tz” must be a string"),
        ("saturday as 2", r#","saturday":2"#, "saturday must be 0 or 1"),
        (
            "message as an array",
            r#","message":["a"]"#,
            "“message” must be a string",
        ),
    ] {
        cases.push(post(
            &format!("JSON: {label}"),
            Some(JSON),
            seed_json(extra).into_bytes(),
            400,
            mention,
        ));
    }
    for (label, body, mention) in [
        (
            "host as an object",
            r#"{"host":{"x":1},"category":"backup","type":"cron","name":"seed-job"}"#,
            "“host” must be a string",
        ),
        (
            "name as an array",
            r#"{"host":"seed-host","category":"backup","type":"cron","name":["seed-job"]}"#,
            "“name” must be a string",
        ),
        (
            "host as null",
            r#"{"host":null,"category":"backup","type":"cron","name":"seed-job"}"#,
            "host: is required",
        ),
        (
            "host with a NUL escape",
            r#"{"host":"seed\u0000host","category":"backup","type":"cron","name":"seed-job"}"#,
            "host: must not contain control characters",
        ),
        (
            "type with a newline escape",
            r#"{"host":"seed-host","category":"backup","type":"cr\non","name":"seed-job"}"#,
            "type: must not contain control characters",
        ),
        ("an empty object", "{}", "host: is required"),
    ] {
        cases.push(post(
            &format!("JSON: {label}"),
            Some(JSON),
            body.as_bytes().to_vec(),
            400,
            mention,
        ));
    }
    let long_host = format!(
        r#"{{"host":"{}","category":"backup","type":"cron","name":"seed-job"}}"#,
        "h".repeat(257)
    );
    cases.push(post(
        "JSON: host of 257 characters",
        Some(JSON),
        long_host.into_bytes(),
        400,
        "host: is 257 characters long",
    ));
    let big_metadata = seed_json(&format!(r#","metadata":{{"blob":"{}"}}"#, "m".repeat(5_000)));
    cases.push(post(
        "JSON: metadata over 4 KiB",
        Some(JSON),
        big_metadata.into_bytes(),
        400,
        "at most 4096 are kept",
    ));
    cases.push(case(
        Endpoint::PulsePost,
        "JSON: host in the query and in the body",
        RawRequest::post("pulse?host=seed-host", Some(JSON), seed_json("").into_bytes()),
        400,
        "“host” is given more than once",
    ));

    // Form bodies.
    let form =
        |label: &str, body: Vec<u8>, mention: &str| post(&format!("form: {label}"), Some(FORM), body, 400, mention);
    cases.push(form(
        "a malformed escape",
        format!("{}&threshold=%ZZ", seed_query()).into_bytes(),
        "malformed percent-escape",
    ));
    let mut raw = seed_query().into_bytes();
    raw.extend_from_slice(b"&message=\xFF\xFE");
    cases.push(form("raw invalid UTF-8", raw, "not valid UTF-8"));
    cases.push(form(
        "an escape decoding to invalid UTF-8",
        format!("{}&message=%FF", seed_query()).into_bytes(),
        "invalid UTF-8",
    ));
    cases.push(form(
        "host given twice",
        format!("{}&host=seed-host", seed_query()).into_bytes(),
        "“host” is given more than once",
    ));
    cases.push(case(
        Endpoint::PulsePost,
        "form: name in the query and in the body",
        RawRequest::post("pulse?name=seed-job", Some(FORM), seed_query().into_bytes()),
        400,
        "“name” is given more than once",
    ));
    cases.push(form(
        "metadata that is not JSON",
        format!("{}&metadata=rows%3D42", seed_query()).into_bytes(),
        "metadata must be a JSON object",
    ));
    cases.push(form(
        "metadata as a JSON array",
        format!("{}&metadata=%5B1%5D", seed_query()).into_bytes(),
        "metadata must be a JSON object",
    ));
    cases.push(form(
        "metadata over 4 KiB",
        format!(
            "{}&metadata={}",
            seed_query(),
            enc(&format!(r#"{{"blob":"{}"}}"#, "m".repeat(5_000)))
        )
        .into_bytes(),
        "at most 4096 are kept",
    ));
    cases.push(form(
        "threshold out of range",
        format!("{}&threshold=8761", seed_query()).into_bytes(),
        "threshold",
    ));
    cases.push(form(
        "a newline in name",
        key_query("name", Some("seed%0Ajob")).into_bytes(),
        "name: must not contain control characters",
    ));
    cases.push(form("fields missing", b"message=hello".to_vec(), "host: is required"));

    // Oversized bodies: the handler refuses what it does not need; the runtime stops reading at 256 KiB.
    let padded_form = format!("{}&message={}", seed_query(), "m".repeat(MAX_BODY));
    cases.push(post(
        "a form body over 64 KiB",
        Some(FORM),
        padded_form.into_bytes(),
        413,
        "at most 65536",
    ));
    let padded_json = seed_json(&format!(r#","message":"{}""#, "m".repeat(MAX_BODY)));
    cases.push(post(
        "a JSON body over 64 KiB",
        Some(JSON),
        padded_json.into_bytes(),
        413,
        "at most 65536",
    ));
    cases.push(post(
        "a body of 200 KiB",
        Some(FORM),
        vec![b'a'; 200 * 1024],
        413,
        "at most 65536",
    ));
    for kib in [300, 1024] {
        cases.push(
            post(
                &format!("a body of {kib} KiB"),
                Some(FORM),
                vec![b'a'; kib * 1024],
                413,
                "at most 64 KiB",
            )
            .shape(Shape::Text),
        );
    }
    cases
}

/// Against a runtime configured with `PULSE_KEY`.
pub fn keyed_pulse_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let needs_key = "needs its pulse key";
    let query = seed_query();
    for (label, key) in [
        ("no key", None),
        ("an empty key", Some(String::new())),
        ("a wrong key", Some("wrong".to_owned())),
        ("a prefix of the key", Some(PULSE_KEY[..PULSE_KEY.len() - 1].to_owned())),
        ("the key and one more character", Some(format!("{PULSE_KEY}x"))),
        ("the key in upper case", Some(PULSE_KEY.to_uppercase())),
        ("the dashboard secret as key", Some(SECRET.to_owned())),
    ] {
        let target = match key {
            None => format!("pulse?{query}"),
            Some(key) => format!("pulse?{query}&key={}", enc(&key)),
        };
        cases.push(case(
            Endpoint::PulseGet,
            format!("keyed: {label}"),
            RawRequest::get(target),
            401,
            needs_key,
        ));
    }
    cases.push(case(
        Endpoint::PulseGet,
        "keyed: the key given twice",
        RawRequest::get(format!("pulse?{query}&key={PULSE_KEY}&key={PULSE_KEY}")),
        400,
        "“key” is given more than once",
    ));
    for (label, value) in [
        ("a wrong bearer token", "Bearer wrong".to_owned()),
        ("an empty bearer token", "Bearer ".to_owned()),
        ("Basic credentials", "Basic cGs6cGs=".to_owned()),
        ("the key without a scheme", PULSE_KEY.to_owned()),
    ] {
        cases.push(case(
            Endpoint::PulseGet,
            format!("keyed: {label}"),
            RawRequest::get(format!("pulse?{query}")).header("authorization", value),
            401,
            needs_key,
        ));
    }
    cases.push(case(
        Endpoint::PulsePost,
        "keyed: a wrong key in a form body",
        RawRequest::post("pulse", Some(FORM), format!("{query}&key=wrong").into_bytes()),
        401,
        needs_key,
    ));
    cases.push(case(
        Endpoint::PulsePost,
        "keyed: a wrong key in a JSON body",
        RawRequest::post("pulse", Some(JSON), seed_json(r#","key":"wrong""#).into_bytes()),
        401,
        needs_key,
    ));
    cases.push(case(
        Endpoint::PulseGet,
        "keyed: no key and no fields",
        RawRequest::get("pulse"),
        401,
        needs_key,
    ));
    cases
}

/// Ways of getting the secret wrong, as query-string fragments (`None`: no secret at all).
fn wrong_secrets() -> Vec<(&'static str, Option<String>)> {
    vec![
        ("no secret", None),
        ("an empty secret", Some("secret=".to_owned())),
        ("secret without =", Some("secret".to_owned())),
        ("a wrong secret", Some("secret=wrong".to_owned())),
        (
            "a prefix of the secret",
            Some(format!("secret={}", &SECRET[..SECRET.len() - 1])),
        ),
        ("the secret and one more character", Some(format!("secret={SECRET}x"))),
        (
            "the secret in upper case",
            Some(format!("secret={}", SECRET.to_uppercase())),
        ),
        ("the secret and a NUL", Some(format!("secret={SECRET}%00"))),
        ("the secret and a space", Some(format!("secret={SECRET}%20"))),
        ("a space and the secret", Some(format!("secret=%20{SECRET}"))),
        ("a non-ASCII secret", Some("secret=%C3%A9t%C3%A9".to_owned())),
        (
            "a secret of 10,000 characters",
            Some(format!("secret={}", "s".repeat(10_000))),
        ),
        (
            "the secret given twice",
            Some(format!("secret={SECRET}&secret={SECRET}")),
        ),
        (
            "the right and a wrong secret",
            Some(format!("secret={SECRET}&secret=wrong")),
        ),
        ("the name in upper case", Some(format!("Secret={SECRET}"))),
    ]
}

fn with_query(path: &str, parts: &[Option<&str>]) -> String {
    let query: Vec<&str> = parts.iter().flatten().copied().collect();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

pub fn dashboard_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (label, secret) in wrong_secrets() {
        cases.push(case(
            Endpoint::Dashboard,
            format!("dashboard: {label}"),
            RawRequest::get(with_query("dashboard", &[secret.as_deref()])),
            403,
            "This link is not valid",
        ));
    }
    let right = format!("secret={SECRET}");
    for (label, query, mention) in [
        (
            "a malformed escape in the secret",
            "secret=%ZZ".to_owned(),
            "malformed percent-escape",
        ),
        (
            "a lone % in the secret",
            "secret=%".to_owned(),
            "malformed percent-escape",
        ),
        (
            "a malformed escape after the secret",
            format!("{right}&x=%G1"),
            "malformed percent-escape",
        ),
        (
            "a truncated escape (%F) after the secret",
            format!("{right}&x=%F"),
            "malformed percent-escape",
        ),
    ] {
        cases.push(case(
            Endpoint::Dashboard,
            format!("dashboard: {label}"),
            RawRequest::get(format!("dashboard?{query}")),
            400,
            mention,
        ));
    }
    cases.push(case(
        Endpoint::Dashboard,
        "dashboard: a secret that is not UTF-8 (read as Latin-1)",
        RawRequest::get("dashboard?secret=%C3%28"),
        403,
        "This link is not valid",
    ));
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "FOO"] {
        cases.push(case(
            Endpoint::Dashboard,
            format!("dashboard: {method}"),
            RawRequest::new(method, format!("dashboard?{right}")),
            405,
            "accepts GET only",
        ));
    }
    cases.push(case(
        Endpoint::Dashboard,
        "dashboard: the secret in a form body",
        RawRequest::post("dashboard", Some(FORM), right.clone().into_bytes()),
        405,
        "accepts GET only",
    ));
    cases
}

pub fn edit_get_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let id = format!("id={}", seed_id());
    for (label, secret) in wrong_secrets().into_iter().take(6) {
        cases.push(case(
            Endpoint::EditGet,
            format!("edit: {label}"),
            RawRequest::get(with_query("edit", &[secret.as_deref(), Some(&id)])),
            403,
            "This link is not valid",
        ));
    }
    let unknown = format!("id={UNKNOWN_ID}");
    for (label, id) in [
        ("a wrong secret and an unknown id", Some(unknown.as_str())),
        ("a wrong secret and a malformed id", Some("id=%27%20OR%201%3D1")),
        ("a wrong secret and no id", None),
    ] {
        cases.push(case(
            Endpoint::EditGet,
            format!("edit: {label}"),
            RawRequest::get(with_query("edit", &[Some("secret=wrong"), id])),
            403,
            "This link is not valid",
        ));
    }
    let right = format!("secret={SECRET}");
    let not_an_id = "is not a pulse id";
    let long_e = "%C3%A9".repeat(64);
    for (label, id, mention) in [
        ("no id", None, "has no pulse id"),
        ("an empty id", Some("id=".to_owned()), "has no pulse id"),
        ("id without =", Some("id".to_owned()), "has no pulse id"),
        ("a short id", Some("id=abc".to_owned()), not_an_id),
        (
            "an id of 63 digits",
            Some(format!("id={}", &UNKNOWN_ID[..63])),
            not_an_id,
        ),
        ("an id of 65 digits", Some(format!("id={UNKNOWN_ID}0")), not_an_id),
        (
            "an id in upper case",
            Some(format!("id={}", seed_id().to_uppercase())),
            not_an_id,
        ),
        ("an id of g's", Some(format!("id={}", "g".repeat(64))), not_an_id),
        (
            "an id with a NUL",
            Some(format!("id={}%00", &UNKNOWN_ID[..63])),
            not_an_id,
        ),
        ("an id of spaces", Some(format!("id={}", "%20".repeat(64))), not_an_id),
        (
            "an SQL-like id",
            Some("id=%27%20OR%20%271%27%3D%271".to_owned()),
            not_an_id,
        ),
        ("a path as id", Some("id=..%2F..%2Fetc%2Fpasswd".to_owned()), not_an_id),
        ("an id of non-ASCII letters", Some(format!("id={long_e}")), not_an_id),
        ("a JSON id", Some("id=%7B%22S%22%3A%22x%22%7D".to_owned()), not_an_id),
        ("a negative id", Some("id=-1".to_owned()), not_an_id),
        (
            "an id of 10,000 digits",
            Some(format!("id={}", "a".repeat(10_000))),
            not_an_id,
        ),
        (
            "the id given twice",
            Some(format!("{id}&{id}")),
            "“id” is given more than once",
        ),
        (
            "a malformed escape in the id",
            Some("id=%ZZ".to_owned()),
            "malformed percent-escape",
        ),
        (
            "an id that is not UTF-8",
            Some("id=%FF".to_owned()),
            "is not a pulse id",
        ),
    ] {
        cases.push(case(
            Endpoint::EditGet,
            format!("edit: {label}"),
            RawRequest::get(with_query("edit", &[Some(&right), id.as_deref()])),
            400,
            mention,
        ));
    }
    for (label, id) in [
        ("an unknown id", UNKNOWN_ID.to_owned()),
        ("an id of zeros", "0".repeat(64)),
        (
            "the id of a pulse never sent",
            original_id("never", "sent", "this", "pulse"),
        ),
    ] {
        cases.push(case(
            Endpoint::EditGet,
            format!("edit: {label}"),
            RawRequest::get(format!("edit?{right}&id={id}")),
            404,
            "no pulse with this id",
        ));
    }
    for method in ["PUT", "DELETE", "PATCH", "OPTIONS", "FOO"] {
        cases.push(case(
            Endpoint::EditGet,
            format!("edit: {method}"),
            RawRequest::new(method, format!("edit?{right}&{id}")),
            405,
            "accepts GET, POST only",
        ));
    }
    cases
}

pub fn edit_post_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let id = format!("id={}", seed_id());
    let right = format!("secret={SECRET}");
    let good_form = "threshold=36&tz=Europe%2FBerlin";
    for (label, secret) in wrong_secrets().into_iter().take(6) {
        cases.push(case(
            Endpoint::EditPost,
            format!("save: {label}"),
            RawRequest::post(
                with_query("edit", &[secret.as_deref(), Some(&id)]),
                Some(FORM),
                good_form,
            ),
            403,
            "This link is not valid",
        ));
        cases.push(case(
            Endpoint::EditPost,
            format!("delete: {label}"),
            RawRequest::post(
                with_query("edit", &[secret.as_deref(), Some(&id)]),
                Some(FORM),
                "delete=1",
            ),
            403,
            "This link is not valid",
        ));
    }
    let post_to = |query: String, content_type: Option<&str>, body: &str| {
        RawRequest::post(format!("edit?{query}"), content_type, body.as_bytes().to_vec())
    };
    for (label, query, body, status, mention) in [
        ("save: no id", right.clone(), good_form, 400, "has no pulse id"),
        ("delete: no id", right.clone(), "delete=1", 400, "has no pulse id"),
        (
            "save: a malformed id",
            format!("{right}&id=abc"),
            good_form,
            400,
            "is not a pulse id",
        ),
        (
            "delete: an id in upper case",
            format!("{right}&id={}", seed_id().to_uppercase()),
            "delete=1",
            400,
            "is not a pulse id",
        ),
        (
            "save: the id given twice",
            format!("{right}&{id}&{id}"),
            good_form,
            400,
            "“id” is given more than once",
        ),
        (
            "save: an unknown id",
            format!("{right}&id={UNKNOWN_ID}"),
            good_form,
            404,
            "no pulse with this id",
        ),
        (
            "delete: an unknown id",
            format!("{right}&id={UNKNOWN_ID}"),
            "delete=1",
            404,
            "no pulse with this id",
        ),
        (
            "save: an unknown id and an invalid form",
            format!("{right}&id={UNKNOWN_ID}"),
            "threshold=-1&tz=Mars",
            404,
            "no pulse with this id",
        ),
        (
            "save: a malformed escape in the query",
            format!("secret=%ZZ&{id}"),
            good_form,
            400,
            "malformed percent-escape",
        ),
    ] {
        cases.push(case(
            Endpoint::EditPost,
            label,
            post_to(query, Some(FORM), body),
            status,
            mention,
        ));
    }
    let query = format!("{right}&{id}");
    let form_case = |label: String, body: &str, status: u16, mention: &str| {
        case(
            Endpoint::EditPost,
            label,
            post_to(query.clone(), Some(FORM), body),
            status,
            mention,
        )
    };
    for (threshold, mention) in [
        ("0", "must be more than 0 hours"),
        ("0.0", "must be more than 0 hours"),
        ("0.0000000001", "must be at least one millisecond"),
        ("-1", "is not a number of hours"),
        ("abc", "is not a number of hours"),
        ("1e3", "is not a number of hours"),
        ("NaN", "is not a number of hours"),
        ("inf", "is not a number of hours"),
        ("1%2C5", "is not a number of hours"),
        ("24h", "is not a number of hours"),
        (".", "is not a number of hours"),
        ("1.2.3", "is not a number of hours"),
        ("0x10", "is not a number of hours"),
        ("%2B5", "is not a number of hours"),
        ("8760.5", "must be at most 8760"),
        ("9999", "must be at most 8760"),
        ("", "is required"),
        ("+", "is required"),
    ] {
        cases.push(form_case(
            format!("save: threshold={threshold}"),
            &format!("threshold={threshold}&tz=UTC"),
            400,
            mention,
        ));
    }
    cases.push(form_case(
        "save: an empty threshold".into(),
        "threshold=&tz=UTC&saturday=1",
        400,
        "is required",
    ));
    for saturday in ["yes", "2", "", "on%00"] {
        cases.push(form_case(
            format!("save: saturday={saturday}"),
            &format!("threshold=24&tz=UTC&saturday={saturday}"),
            400,
            "is not a yes or no",
        ));
    }
    for (tz, mention) in [
        ("Mars%2FBase", "is not a known IANA timezone"),
        ("Berlin", "is not a known IANA timezone"),
        ("europe%2Fberlin", "is not a known IANA timezone"),
        ("%2B02%3A00", "is not a known IANA timezone"),
        ("%3Cscript%3E", "is not a known IANA timezone"),
        ("..%2F..%2Fetc%2Fpasswd", "is not a known IANA timezone"),
        ("Etc%2FGMT%2B99", "is not a known IANA timezone"),
        ("Europe%2FBerlin%00", "is not a known IANA timezone"),
        ("", "must not be empty"),
        ("+++", "must not be empty"),
    ] {
        cases.push(form_case(
            format!("save: tz={tz}"),
            &format!("threshold=24&tz={tz}"),
            400,
            mention,
        ));
    }
    cases.push(form_case(
        "save: a 70-character tz".into(),
        &format!("threshold=24&tz={}", "A".repeat(70)),
        400,
        "is not a known IANA timezone",
    ));
    cases.push(form_case(
        "save: a tz of one tab".into(),
        "threshold=24&tz=%09",
        400,
        "must not be empty",
    ));
    cases.push(form_case(
        "save: both fields wrong".into(),
        "threshold=soon&tz=Nowhere",
        400,
        "Nothing was saved",
    ));
    cases.push(form_case("save: an empty form".into(), "", 400, "Nothing was saved"));
    for field in ["threshold", "tz", "saturday"] {
        cases.push(form_case(
            format!("save: {field} given twice"),
            &format!("threshold=24&tz=UTC&saturday=1&{field}=1"),
            400,
            &format!("“{field}” is given more than once"),
        ));
    }
    cases.push(form_case(
        "save: a malformed escape".into(),
        "threshold=%ZZ&tz=UTC",
        400,
        "malformed percent-escape",
    ));
    cases.push(form_case(
        "save: a lone %".into(),
        "threshold=24&tz=%",
        400,
        "malformed percent-escape",
    ));
    cases.push(form_case(
        "save: an escape decoding to invalid UTF-8".into(),
        "threshold=24&tz=%FF",
        400,
        "invalid UTF-8",
    ));
    let mut raw = b"threshold=24&tz=".to_vec();
    raw.extend_from_slice(&[0xC3, 0x28]);
    cases.push(case(
        Endpoint::EditPost,
        "save: raw invalid UTF-8",
        RawRequest::post(format!("edit?{query}"), Some(FORM), raw),
        400,
        "not valid UTF-8",
    ));
    let form_only = "application/x-www-form-urlencoded, not";
    for content_type in [
        Some("text/plain"),
        Some("application/json"),
        Some("multipart/form-data; boundary=xyz"),
        Some("application/xml"),
        None,
    ] {
        cases.push(case(
            Endpoint::EditPost,
            format!("save: a body labelled {}", content_type.unwrap_or("nothing")),
            post_to(query.clone(), content_type, good_form),
            415,
            form_only,
        ));
    }
    cases.push(case(
        Endpoint::EditPost,
        "delete: a JSON body",
        post_to(query.clone(), Some(JSON), r#"{"delete":1}"#),
        415,
        form_only,
    ));
    let padded = format!("{good_form}&pad={}", "p".repeat(MAX_BODY));
    cases.push(case(
        Endpoint::EditPost,
        "save: a form over 64 KiB",
        post_to(query.clone(), Some(FORM), &padded),
        413,
        "at most 65536",
    ));
    let padded = format!("delete=1&pad={}", "p".repeat(MAX_BODY));
    cases.push(case(
        Endpoint::EditPost,
        "delete: a form over 64 KiB",
        post_to(query.clone(), Some(FORM), &padded),
        413,
        "at most 65536",
    ));
    cases.push(
        case(
            Endpoint::EditPost,
            "save: a body of 300 KiB",
            RawRequest::post(format!("edit?{query}"), Some(FORM), vec![b'a'; 300 * 1024]),
            413,
            "at most 64 KiB",
        )
        .shape(Shape::Text),
    );
    cases
}

pub fn monitor_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (label, secret) in wrong_secrets() {
        cases.push(case(
            Endpoint::Monitor,
            format!("monitor: {label}"),
            RawRequest::get(with_query("monitor", &[secret.as_deref()])),
            403,
            "this link is not valid",
        ));
    }
    let right = format!("secret={SECRET}");
    for (label, query, mention) in [
        (
            "a malformed escape in the secret",
            "secret=%ZZ".to_owned(),
            "malformed percent-escape",
        ),
        (
            "a malformed escape after the secret",
            format!("{right}&x=%C"),
            "malformed percent-escape",
        ),
    ] {
        cases.push(case(
            Endpoint::Monitor,
            format!("monitor: {label}"),
            RawRequest::get(format!("monitor?{query}")),
            400,
            mention,
        ));
    }
    cases.push(case(
        Endpoint::Monitor,
        "monitor: a secret that is not UTF-8 (read as Latin-1)",
        RawRequest::get("monitor?secret=%FF"),
        403,
        "this link is not valid",
    ));
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "FOO"] {
        cases.push(case(
            Endpoint::Monitor,
            format!("monitor: {method}"),
            RawRequest::new(method, format!("monitor?{right}")),
            405,
            "accepts GET only",
        ));
    }
    for (label, query) in [
        ("a wrong secret asking for a backfill", "secret=wrong&backfill=1"),
        ("no secret asking for a backfill", "backfill=1"),
        ("a repeated backfill without secret", "backfill=1&backfill=1"),
    ] {
        cases.push(case(
            Endpoint::Monitor,
            format!("monitor: {label}"),
            RawRequest::get(format!("monitor?{query}")),
            403,
            "this link is not valid",
        ));
    }
    cases.push(case(
        Endpoint::Monitor,
        "monitor: the README's constant input POSTed",
        RawRequest::post(
            "monitor",
            Some(JSON),
            format!(r#"{{"queryStringParameters":{{"secret":"{SECRET}"}}}}"#).into_bytes(),
        ),
        405,
        "accepts GET only",
    ));
    cases.push(case(
        Endpoint::Monitor,
        "monitor: a scheduled event POSTed",
        RawRequest::post(
            "monitor",
            Some(JSON),
            br#"{"detail-type":"Scheduled Event","source":"aws.events"}"#.to_vec(),
        ),
        405,
        "accepts GET only",
    ));
    cases
}

/// Raw bytes above 0x7F in a request target, as the original Node client sends non-ASCII names
/// (Latin-1): they reach the handler, which reads the query as Latin-1, and here refuses each
/// request for another reason. Nothing may change, and the answer is the handler's own.
pub fn raw_byte_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (label, bytes) in [
        ("a raw 0xFF byte", &b"\xFF"[..]),
        ("a raw truncated UTF-8 sequence", b"\xC3"),
        ("raw Latin-1 (e acute)", b"\xE9"),
        ("raw UTF-8 (e acute)", b"\xC3\xA9"),
    ] {
        let mut target = format!("pulse?category={}&type={}&name=", SEED[1], SEED[2]).into_bytes();
        target.extend_from_slice(bytes);
        cases.push(case(
            Endpoint::PulseGet,
            format!("raw bytes: {label} in the name of a pulse without host"),
            RawRequest::get(target),
            400,
            "host: is required",
        ));
    }
    let mut target = format!("dashboard?secret={SECRET}").into_bytes();
    target.push(0xFF);
    cases.push(case(
        Endpoint::Dashboard,
        "raw bytes: a raw 0xFF byte at the end of the dashboard's secret",
        RawRequest::get(target),
        403,
        "This link is not valid",
    ));
    let mut target = format!("monitor?secret={SECRET}").into_bytes();
    target.push(0xFF);
    cases.push(case(
        Endpoint::Monitor,
        "raw bytes: a raw 0xFF byte at the end of the monitor's secret",
        RawRequest::get(target),
        403,
        "this link is not valid",
    ));
    cases
}

/// Bytes that HTTP does not allow in a request target, and heads the HTTP parser refuses: hyper
/// answers these itself, with a bare status (no body), before any handler runs. They must never get
/// a 5xx or hang, and never change the table.
pub fn transport_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let seed = seed_query();
    for (label, bytes) in [
        ("a raw space", &b"a b"[..]),
        ("a raw <", b"<script>"),
        ("a raw double quote", b"\"x\""),
        ("a raw control character", b"\x01"),
        ("a raw DEL", b"\x7F"),
        ("a raw tab", b"a\tb"),
    ] {
        let mut target = format!("pulse?{seed}&message=").into_bytes();
        target.extend_from_slice(bytes);
        cases.push(
            case(
                Endpoint::PulseGet,
                format!("transport: {label} in the query"),
                RawRequest::get(target),
                400,
                "",
            )
            .shape(Shape::Bare),
        );
    }
    for (endpoint, target) in [
        (Endpoint::Dashboard, format!("dashboard?secret={SECRET}&x=<b>")),
        (Endpoint::Monitor, format!("monitor?secret={SECRET}&x=\"")),
    ] {
        cases.push(
            case(
                endpoint,
                format!("transport: a raw < or \" in the {}'s query", endpoint.label()),
                RawRequest::get(target),
                400,
                "",
            )
            .shape(Shape::Bare),
        );
    }
    cases.push(
        case(
            Endpoint::PulseGet,
            "transport: a request target of 70,000 bytes",
            RawRequest::get(format!("pulse?{seed}&message={}", "m".repeat(70_000))),
            414,
            "",
        )
        .shape(Shape::Bare),
    );
    cases.push(
        case(
            Endpoint::PulsePost,
            "transport: a Content-Length that is not a number",
            RawRequest::new("POST", "pulse").header("content-length", "abc"),
            400,
            "",
        )
        .shape(Shape::Bare),
    );
    cases
}

/// The corpus that every handler must pass (the transport cases are counted apart).
pub fn handler_corpus() -> Vec<Case> {
    let mut cases = pulse_cases();
    cases.extend(keyed_pulse_cases());
    cases.extend(dashboard_cases());
    cases.extend(edit_get_cases());
    cases.extend(edit_post_cases());
    cases.extend(monitor_cases());
    cases.extend(raw_byte_cases());
    cases
}
