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

/// The query string. API Gateway's REST API hands it over already decoded (the request extension).
/// An HTTP API event carries it as the client sent it (`rawQueryString`, which lambda_http puts in the
/// URI; its own decoding of it turns a Latin-1 byte into “�”), and the local runtime and tests leave
/// it in the URI: there we decode it ourselves. In a query `+` is a plus sign: the original Node
/// client sends values unencoded.
pub fn query(req: &Request) -> Result<Params, HttpError> {
    let http_api = matches!(req.request_context_ref(), Some(RequestContext::ApiGatewayV2(_)));
    if let Some(map) = req.query_string_parameters_ref().filter(|_| !http_api) {
        let mut pairs = Vec::new();
        for (name, _) in map.iter() {
            if pairs.iter().any(|(n, _): &(String, String)| n == name) {
                continue;
            }
            for value in map.all(name).unwrap_or_default() {
                pairs.push((name.to_owned(), value.to_owned()));
            }
        }
        return Ok(Params { pairs });
    }
    match req.uri().query() {
        None => Ok(Params::default()),
        Some(raw) => parse_urlencoded(raw, false, "query string", utf8_or_latin1),
    }
}

/// An `application/x-www-form-urlencoded` body, where `+` is a space. Browsers send forms as UTF-8.
pub fn form(body: &[u8]) -> Result<Params, HttpError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| HttpError::BadRequest("the form body is not valid UTF-8; send UTF-8 text".into()))?;
    parse_urlencoded(text, true, "form body", |bytes| String::from_utf8(bytes).ok())
}

/// A query name or value as text: UTF-8 when the bytes are valid UTF-8, else Latin-1. The original
/// Node client writes its unencoded query in Latin-1 (`ü` is the one byte 0xFC), and a job that
/// sends such a name must keep working; a byte sequence that is valid UTF-8 is practically never
/// meant as Latin-1, so UTF-8 wins wherever it fits.
fn utf8_or_latin1(bytes: Vec<u8>) -> Option<String> {
    Some(String::from_utf8(bytes).unwrap_or_else(|e| e.into_bytes().into_iter().map(char::from).collect()))
}

/// `text` turns decoded bytes into a string, or refuses them (`None`).
fn parse_urlencoded(
    raw: &str,
    plus_is_space: bool,
    what: &str,
    text: impl Fn(Vec<u8>) -> Option<String>,
) -> Result<Params, HttpError> {
    let mut pairs = Vec::new();
    let as_text = |part: &str| {
        text(decode(part, plus_is_space, what)?).ok_or_else(|| {
            HttpError::BadRequest(format!(
                "the {what} decodes to invalid UTF-8; send UTF-8 text, percent-encoded"
            ))
        })
    };
    for part in raw.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        pairs.push((as_text(name)?, as_text(value)?));
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
            "rawQueryString": "host=Gr%FCn&name=a+b",
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
            "a plus is a plus, as on the REST API"
        );
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
