//! Request parameters by name, from the query string and from form or JSON bodies, decoded strictly:
//! malformed percent-encoding, invalid UTF-8 and repeated names are refused, never guessed at.

use super::HttpError;
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

/// The query string. API Gateway hands it over already decoded (the request extension); the local
/// runtime and tests leave it in the URI, where we decode it ourselves. In a query `+` is a plus
/// sign: the original Node client sends values unencoded.
pub fn query(req: &Request) -> Result<Params, HttpError> {
    if let Some(map) = req.query_string_parameters_ref() {
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
        Some(raw) => parse_urlencoded(raw, false, "query string"),
    }
}

/// An `application/x-www-form-urlencoded` body, where `+` is a space.
pub fn form(body: &[u8]) -> Result<Params, HttpError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| HttpError::BadRequest("the form body is not valid UTF-8; send UTF-8 text".into()))?;
    parse_urlencoded(text, true, "form body")
}

fn parse_urlencoded(raw: &str, plus_is_space: bool, what: &str) -> Result<Params, HttpError> {
    let mut pairs = Vec::new();
    for part in raw.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        pairs.push((decode(name, plus_is_space, what)?, decode(value, plus_is_space, what)?));
    }
    Ok(Params { pairs })
}

fn decode(raw: &str, plus_is_space: bool, what: &str) -> Result<String, HttpError> {
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
    String::from_utf8(out).map_err(|_| {
        HttpError::BadRequest(format!(
            "the {what} decodes to invalid UTF-8; send UTF-8 text, percent-encoded"
        ))
    })
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
    fn refused_queries() {
        for uri in ["/p?host=%ZZ", "/p?host=%4", "/p?host=%", "/p?host=%FF", "/p?host=%C3"] {
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
    }
}
