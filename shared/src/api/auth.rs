//! Who may do what: `Authorization: Bearer <key>`, compared in constant time, never logged.

use super::error::ApiError;
use super::keys::Keys;
use lambda_http::Request;
use lambda_http::http::{StatusCode, header};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

pub fn authorize(req: &Request, keys: &Keys, needed: Access) -> Result<(), ApiError> {
    if keys.read_write.is_none() && keys.read_only.is_none() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the API is not configured: set API_KEY (read-write) and/or API_READ_KEY (read-only), \
             then send Authorization: Bearer <key>",
        ));
    }
    let Some(given) = bearer(req) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "send the API key as Authorization: Bearer <key>",
        ));
    };
    // Both keys are compared every time, so the timing does not tell which one (if any) matched.
    let write = keys.read_write.as_ref().is_some_and(|k| k.matches(given));
    let read = keys.read_only.as_ref().is_some_and(|k| k.matches(given));
    match (needed, write, read) {
        (_, true, _) | (Access::Read, false, true) => Ok(()),
        (Access::Write, false, true) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this key may only read; use the read-write key (API_KEY) to change or delete",
        )),
        _ => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "the API key is not valid; send Authorization: Bearer <key> with API_KEY or API_READ_KEY",
        )),
    }
}

/// The token of a single `Authorization: Bearer …` header; anything else is no key.
fn bearer(req: &Request) -> Option<&str> {
    let mut values = req.headers().get_all(header::AUTHORIZATION).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    let text = value.to_str().ok()?.trim();
    let (scheme, token) = text.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;
    use lambda_http::Body;

    fn req(auth: &[&str]) -> Request {
        let mut b = lambda_http::http::Request::builder().uri("/heartbeat/api/v1/pulses");
        for a in auth {
            b = b.header("authorization", *a);
        }
        b.body(Body::Empty).unwrap()
    }

    fn keys(rw: Option<&str>, ro: Option<&str>) -> Keys {
        Keys {
            read_write: rw.map(Secret::new),
            read_only: ro.map(Secret::new),
            badge: None,
        }
    }

    #[test]
    fn table() {
        let both = keys(Some("rw-key"), Some("ro-key"));
        let status =
            |k: &Keys, auth: &[&str], access| authorize(&req(auth), k, access).err().map(|e| e.status.as_u16());
        assert_eq!(status(&both, &["Bearer rw-key"], Access::Write), None);
        assert_eq!(status(&both, &["bearer  rw-key "], Access::Read), None);
        assert_eq!(status(&both, &["Bearer ro-key"], Access::Read), None);
        assert_eq!(status(&both, &["Bearer ro-key"], Access::Write), Some(403));
        assert_eq!(status(&both, &["Bearer nope"], Access::Read), Some(401));
        assert_eq!(status(&both, &[], Access::Read), Some(401));
        assert_eq!(status(&both, &["Basic cnc6a2V5"], Access::Read), Some(401));
        assert_eq!(status(&both, &["rw-key"], Access::Read), Some(401));
        assert_eq!(
            status(&both, &["Bearer rw-key", "Bearer rw-key"], Access::Read),
            Some(401)
        );
        assert_eq!(status(&keys(None, None), &["Bearer rw-key"], Access::Read), Some(503));
        let read_only = keys(None, Some("ro-key"));
        assert_eq!(status(&read_only, &["Bearer ro-key"], Access::Write), Some(403));
        assert_eq!(status(&read_only, &["Bearer other"], Access::Write), Some(401));
    }

    #[test]
    fn the_503_says_how_to_configure() {
        let err = authorize(&req(&[]), &keys(None, None), Access::Read).unwrap_err();
        assert!(err.error.contains("set API_KEY"), "{}", err.error);
    }
}
