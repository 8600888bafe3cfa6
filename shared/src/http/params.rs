//! Request parameters by name, from the query string and from form or JSON bodies, decoded strictly:
//! malformed percent-encoding, invalid UTF-8 in bodies and repeated names are refused, never guessed at.
//! A query that is not UTF-8 is read as Latin-1, the one encoding the original client sends besides.

use super::HttpError;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

/// The largest body we read; a pulse or an edit form is a few hundred bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Name/value pairs in the order they came.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self { pairs }
    }

    /// The one value of `name`; a parameter given twice is refused, because which one the caller
    /// meant cannot be known.
    pub fn single(&self, name: &str) -> Result<Option<&str>, HttpError> {
        let mut found = self.pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let first = found.next();
        if found.next().is_some() {
            return Err(HttpError::BadRequest(format!(
                "the parameter “{name}” is given more than once; send it once"
            )));
        }
        Ok(first)
    }

    /// Every parameter name, in order (repeated names repeated).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.pairs.iter().map(|(k, _)| k.as_str())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }

    /// Adds `other`'s pairs (a body after the query string); duplicates are caught by `single`.
    pub fn extend(&mut self, other: Params) {
        self.pairs.extend(other.pairs);
    }
}

/// The parameters in which a query's `+` is a plus, never a space: the four that make a pulse's id
/// (the original server hashed them as its clients sent them, unencoded, so `a+b` must keep its id),
/// `tz` (`Etc/GMT+1`) and the credentials `key` and `secret` (which may contain `+`, never a space).
pub const PLUS_IS_PLUS: [&str; 7] = ["host", "category", "type", "name", "tz", "key", "secret"];

/// Whether a `+` in the query parameter `name` is a space, as in `application/x-www-form-urlencoded`
/// (what `curl --data-urlencode`, browsers and URL libraries send for a space).
fn plus_is_space(name: &str) -> bool {
    !PLUS_IS_PLUS.contains(&name)
}

/// The query string. API Gateway's REST API hands it over already decoded (the request extension),
/// `+` left as it came and `%2B` turned into `+` alike: there the rule of [`PLUS_IS_PLUS`] is
/// applied to the decoded value (a `%2B` meant as a plus in, say, a message becomes a space; in the
/// id's parts, `tz`, `key` and `secret` both stay a plus). An HTTP API event carries the query as the
/// client sent it (`rawQueryString`, which lambda_http puts in the URI; its own decoding of it turns
/// a Latin-1 byte into “�”), and the local runtime and tests leave it in the URI: there we decode it
/// ourselves, and `%2B` is always a plus.
pub fn query(req: &Request) -> Result<Params, HttpError> {
    let http_api = matches!(req.request_context_ref(), Some(RequestContext::ApiGatewayV2(_)));
    if let Some(map) = req.query_string_parameters_ref().filter(|_| !http_api) {
        let mut pairs = Vec::new();
        for (name, _) in map.iter() {
            if pairs.iter().any(|(n, _): &(String, String)| n == name) {
                continue;
            }
            for value in map.all(name).unwrap_or_default() {
                let value = if plus_is_space(name) {
                    value.replace('+', " ")
                } else {
                    value.to_owned()
                };
                pairs.push((name.to_owned(), value));
            }
        }
        return Ok(Params { pairs });
    }
    match req.uri().query() {
        None => Ok(Params::default()),
        Some(raw) => parse_urlencoded(raw, plus_is_space, "query string", utf8_or_latin1),
    }
}

/// An `application/x-www-form-urlencoded` body, where `+` is a space. Browsers send forms as UTF-8.
pub fn form(body: &[u8]) -> Result<Params, HttpError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| HttpError::BadRequest("the form body is not valid UTF-8; send UTF-8 text".into()))?;
    parse_urlencoded(text, |_| true, "form body", |bytes| String::from_utf8(bytes).ok())
}

/// A query name or value as text: UTF-8 when the bytes are valid UTF-8, else Latin-1. The original
/// Node client writes its unencoded query in Latin-1 (`ü` is the one byte 0xFC), and a job that
/// sends such a name must keep working; a byte sequence that is valid UTF-8 is practically never
/// meant as Latin-1, so UTF-8 wins wherever it fits.
fn utf8_or_latin1(bytes: Vec<u8>) -> Option<String> {
    Some(String::from_utf8(bytes).unwrap_or_else(|e| e.into_bytes().into_iter().map(char::from).collect()))
}

/// `plus_is_space` says, for a decoded parameter name, whether a `+` in its value is a space (names
/// are decoded with `+` as a space); `text` turns decoded bytes into a string, or refuses them (`None`).
fn parse_urlencoded(
    raw: &str,
    plus_is_space: impl Fn(&str) -> bool,
    what: &str,
    text: impl Fn(Vec<u8>) -> Option<String>,
) -> Result<Params, HttpError> {
    let mut pairs = Vec::new();
    let as_text = |part: &str, plus_is_space: bool| {
        text(decode(part, plus_is_space, what)?).ok_or_else(|| {
            HttpError::BadRequest(format!(
                "the {what} decodes to invalid UTF-8; send UTF-8 text, percent-encoded"
            ))
        })
    };
    for part in raw.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        let name = as_text(name, true)?;
        let value = as_text(value, plus_is_space(&name))?;
        pairs.push((name, value));
    }
    Ok(Params { pairs })
}

/// Percent-escapes (and `+` where it means a space) undone, as bytes.
fn decode(raw: &str, plus_is_space: bool, what: &str) -> Result<Vec<u8>, HttpError> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                // from_str_radix alone would accept a sign (`%+1`): check both digits first.
                let hex = bytes
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok());
                let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or_else(|| {
                    HttpError::BadRequest(format!(
                        "the {what} has a malformed percent-escape near “{}”; encode “%” as %25",
                        raw.chars().take(40).collect::<String>()
                    ))
                })?;
                out.push(byte);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// A JSON object's members in order, repeated names included: `serde_json::Value` would keep only the
/// last of a repeated name, and a repeated parameter must be refused as it is in a query.
pub fn json_object(body: &[u8]) -> Result<Vec<(String, serde_json::Value)>, HttpError> {
    struct Members(Vec<(String, serde_json::Value)>);

    impl<'de> serde::Deserialize<'de> for Members {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Visit;
            impl<'de> serde::de::Visitor<'de> for Visit {
                type Value = Members;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                    let mut members = Vec::new();
                    while let Some(member) = map.next_entry()? {
                        members.push(member);
                    }
                    Ok(Members(members))
                }
            }
            deserializer.deserialize_map(Visit)
        }
    }

    serde_json::from_slice::<Members>(body).map(|m| m.0).map_err(|e| {
        let shape = "an object such as {\"host\": \"…\", \"name\": \"…\"}";
        HttpError::BadRequest(match e.classify() {
            serde_json::error::Category::Data => format!("the JSON body must be {shape}"),
            _ => format!("the JSON body is not valid JSON ({e}); send {shape}"),
        })
    })
}

/// The body's media type, lowercased and without parameters (`charset=…`).
pub fn content_type(req: &Request) -> Option<String> {
    let raw = req
        .headers()
        .get(lambda_http::http::header::CONTENT_TYPE)?
        .to_str()
        .ok()?;
    Some(raw.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
}

/// The body bytes, refused when larger than we ever need.
pub fn body(req: &Request) -> Result<&[u8], HttpError> {
    let bytes: &[u8] = req.body().as_ref();
    if bytes.len() > MAX_BODY_BYTES {
        return Err(HttpError::PayloadTooLarge(format!(
            "the body is {} bytes; at most {MAX_BODY_BYTES} are accepted",
            bytes.len()
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::Body;
    use std::collections::HashMap;

    fn req(uri: &str) -> Request {
        lambda_http::http::Request::builder()
            .uri(uri)
            .body(Body::Empty)
            .unwrap()
    }

    #[test]
    fn query_from_the_uri() {
        let p = query(&req("/heartbeat/pulse?host=a%20b&name=x+y&type=%C3%A9&empty=&flag")).unwrap();
        assert_eq!(p.single("host").unwrap(), Some("a b"));
        assert_eq!(p.single("name").unwrap(), Some("x+y"), "a plus in a query is a plus");
        assert_eq!(p.single("type").unwrap(), Some("é"));
        assert_eq!(p.single("empty").unwrap(), Some(""));
        assert_eq!(p.single("flag").unwrap(), Some(""));
        assert_eq!(p.single("missing").unwrap(), None);
    }

    #[test]
    fn query_from_api_gateway() {
        let map: HashMap<String, Vec<String>> = HashMap::from([
            ("host".into(), vec!["a b".into()]),
            ("name".into(), vec!["1".into(), "2".into()]),
        ]);
        let r = req("/heartbeat/pulse").with_query_string_parameters(map);
        let p = query(&r).unwrap();
        assert_eq!(p.single("host").unwrap(), Some("a b"));
        assert!(p.single("name").is_err());
    }

    /// (query as sent, parameter, value read): `+` is a space except in the id's parts, `tz`, `key`
    /// and `secret`; `%2B` is a plus everywhere.
    const PLUS_CASES: [(&str, &str, &str); 14] = [
        ("schedule=30+6+*+*+1-5", "schedule", "30 6 * * 1-5"),
        ("schedule=30%206%20*%20*%201-5", "schedule", "30 6 * * 1-5"),
        ("message=exited+with+3", "message", "exited with 3"),
        ("message=1%2B1", "message", "1+1"),
        ("calendars=de-BY,company&hours=08:00-18:00+", "hours", "08:00-18:00 "),
        ("note=db+migration", "note", "db migration"),
        ("tz=Etc/GMT+1", "tz", "Etc/GMT+1"),
        ("tz=Etc%2FGMT%2B1", "tz", "Etc/GMT+1"),
        ("host=web+1", "host", "web+1"),
        ("category=a+b", "category", "a+b"),
        ("type=c++", "type", "c++"),
        ("name=x+y%20z", "name", "x+y z"),
        ("key=k+ey", "key", "k+ey"),
        ("secret=s+3", "secret", "s+3"),
    ];

    #[test]
    fn a_plus_is_a_space_except_in_the_id_tz_and_credentials() {
        for (raw, name, value) in PLUS_CASES {
            let p = query(&req(&format!("/p?{raw}"))).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(p.single(name).unwrap(), Some(value), "{raw}");
        }
    }

    #[test]
    fn a_plus_in_a_rest_api_query_follows_the_same_rule_on_the_decoded_value() {
        // API Gateway's REST API decodes `%2B` and leaves `+`: both reach us as `+`.
        for (raw, name, value) in PLUS_CASES {
            let as_rest = raw.replace("%20", " ").replace("%2F", "/").replace("%2B", "+");
            let map: HashMap<String, Vec<String>> = as_rest
                .split('&')
                .map(|part| {
                    let (n, v) = part.split_once('=').unwrap();
                    (n.to_owned(), vec![v.to_owned()])
                })
                .collect();
            let p = query(&req("/p").with_query_string_parameters(map)).unwrap();
            // Told apart no more: a `%2B` meant as a plus in a message is read as a space there.
            let expected = if raw.contains("%2B") && plus_is_space(name) {
                value.replace('+', " ")
            } else {
                value.to_owned()
            };
            assert_eq!(p.single(name).unwrap(), Some(expected.as_str()), "{raw}");
        }
    }

    #[test]
    fn the_plus_sample_events_of_both_api_types_read_alike() {
        // `curl -G --data-urlencode` as API Gateway hands it over: decoded (REST), as sent (HTTP API).
        for file in ["pulse-get-plus.json", "pulse-get-plus-v2.json"] {
            let path = format!("{}/../infra/events/{file}", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            let r = lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
            let p = query(&r).unwrap();
            for (name, value) in [
                ("host", "web-1"),
                ("name", "nightly+1"),
                ("tz", "Etc/GMT+1"),
                ("schedule", "30 6 * * 1-5"),
                ("message", "dumped in 4 min"),
            ] {
                assert_eq!(p.single(name).unwrap(), Some(value), "{file}: {name}");
            }
        }
    }

    #[test]
    fn a_query_that_is_not_utf8_is_read_as_latin1() {
        // (query as it reaches the handler, the host it names)
        let cases: [(&str, &str); 8] = [
            // The original Node client: `ü` as the one Latin-1 byte 0xFC (percent-escaped by the local
            // runtime, which cannot hand raw bytes over in a URI).
            ("host=Gr%FC%DFe", "Grüße"),
            ("host=caf%E9+%B5s", "café+µs"),
            ("host=%FF", "ÿ"),
            // A lone lead byte of UTF-8 is no UTF-8: read as Latin-1.
            ("host=%C3", "Ã"),
            // Valid UTF-8 stays UTF-8, escaped or raw.
            ("host=Gr%C3%BC%C3%9Fe", "Grüße"),
            ("host=Grüße", "Grüße"),
            ("host=%E2%9C%93", "✓"),
            // Each name and value on its own: one client's UTF-8 next to another's Latin-1.
            ("name=%C3%BC&host=%FC", "ü"),
        ];
        for (raw, host) in cases {
            let p = query(&req(&format!("/p?{raw}"))).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(p.single("host").unwrap(), Some(host), "{raw}");
        }
        let p = query(&req("/p?name=%C3%BC&host=%FC")).unwrap();
        assert_eq!(p.single("name").unwrap(), Some("ü"));
        // Names too.
        let p = query(&req("/p?n%E4me=x")).unwrap();
        assert_eq!(p.single("näme").unwrap(), Some("x"));
    }

    #[test]
    fn an_http_api_query_is_read_from_the_uri_as_sent() {
        // lambda_http's own decoding of `rawQueryString` has already lost the Latin-1 byte.
        let event = serde_json::json!({
            "version": "2.0",
            "routeKey": "GET /heartbeat/pulse",
            "rawPath": "/heartbeat/pulse",
            "rawQueryString": "host=Gr%FCn&name=a+b&message=exited+with+3",
            "headers": {"host": "example.com"},
            "requestContext": {
                "accountId": "1", "apiId": "a", "domainName": "example.com", "domainPrefix": "example",
                "http": {"method": "GET", "path": "/heartbeat/pulse", "protocol": "HTTP/1.1",
                         "sourceIp": "192.0.2.1", "userAgent": "node"},
                "requestId": "r", "routeKey": "GET /heartbeat/pulse", "stage": "$default",
                "time": "01/Dec/2026:00:00:00 +0000", "timeEpoch": 0
            },
            "isBase64Encoded": false
        });
        let r = lambda_http::request::from_str(&event.to_string()).expect("an HTTP API event");
        let lossy = r
            .query_string_parameters_ref()
            .and_then(|m| m.first("host").map(str::to_owned));
        assert_eq!(lossy.as_deref(), Some("Gr\u{FFFD}n"), "lambda_http's decoding");
        let p = query(&r).unwrap();
        assert_eq!(p.single("host").unwrap(), Some("Grün"));
        assert_eq!(
            p.single("name").unwrap(),
            Some("a+b"),
            "a plus in the id's parts is a plus, as on the REST API"
        );
        assert_eq!(p.single("message").unwrap(), Some("exited with 3"));
    }

    #[test]
    fn refused_queries() {
        for uri in ["/p?host=%ZZ", "/p?host=%4", "/p?host=%"] {
            assert!(matches!(query(&req(uri)), Err(HttpError::BadRequest(_))), "{uri}");
        }
        let dup = query(&req("/p?host=a&host=b")).unwrap();
        let err = dup.single("host").unwrap_err();
        assert!(err.to_string().contains("more than once"), "{err}");
    }

    #[test]
    fn forms_use_plus_for_space() {
        let p = form(b"threshold=1.5&tz=Europe%2FBerlin&saturday=1&note=a+b").unwrap();
        assert_eq!(p.single("tz").unwrap(), Some("Europe/Berlin"));
        assert_eq!(p.single("note").unwrap(), Some("a b"));
        assert!(form(&[0xff, 0xfe]).is_err());
        // Forms come from browsers, which send UTF-8: an escaped Latin-1 byte stays an error.
        for body in [&b"tz=%FC"[..], b"%FF=1"] {
            let err = form(body).unwrap_err().to_string();
            assert!(err.contains("decodes to invalid UTF-8"), "{err}");
        }
    }
}
