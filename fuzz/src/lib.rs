//! What the fuzz targets share: a runtime to drive the async handlers, an independent reference
//! decoder for `application/x-www-form-urlencoded` text, and the statuses each handler may answer.

use heartbeat_shared::config::Config;
use heartbeat_shared::http::Params;
use std::collections::HashMap;
use std::future::Future;
use std::sync::OnceLock;

/// The names the handlers read, plus two they never do.
pub const NAMES: &[&str] = &[
    "host",
    "category",
    "type",
    "name",
    "threshold",
    "saturday",
    "tz",
    "message",
    "metadata",
    "key",
    "secret",
    "id",
    "delete",
    "",
    "unknown",
];

/// Runs a handler to completion on one current-thread runtime, built once per fuzzing process.
pub fn block_on<F: Future>(future: F) -> F::Output {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("a current-thread runtime")
        })
        .block_on(future)
}

/// A configuration from `NAME=value` pairs, as the functions read it from their environment.
pub fn config(vars: &[(&str, &str)]) -> Config {
    let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Config::from_vars(&vars).expect("a valid fuzz configuration")
}

/// An independent decoder for the rules in `http::params`: pairs split on `&` (empty parts skipped)
/// and on the first `=`, every `%` followed by two hex digits; in forms (`plus_is_space`) `+` is a
/// space and the decoded bytes must be valid UTF-8, in a query `+` is a plus and bytes that are not
/// UTF-8 are read as Latin-1. `None` where the product must refuse the text.
pub fn reference_pairs(raw: &str, plus_is_space: bool) -> Option<Vec<(String, String)>> {
    raw.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            Some((
                reference_decode(name, plus_is_space)?,
                reference_decode(value, plus_is_space)?,
            ))
        })
        .collect()
}

fn reference_decode(raw: &str, plus_is_space: bool) -> Option<String> {
    let bytes = raw.as_bytes();
    for (i, _) in raw.match_indices('%') {
        let escape = bytes.get(i + 1..i + 3)?;
        if !escape.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
    }
    let spaced;
    let text = if plus_is_space {
        spaced = raw.replace('+', " ");
        spaced.as_str()
    } else {
        raw
    };
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(text).collect();
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(_) if plus_is_space => None,
        Err(not_utf8) => Some(not_utf8.into_bytes().iter().map(|&b| char::from(b)).collect()),
    }
}

/// What `Params::single(name)` answers, in a form two answers can be compared in.
#[derive(Debug, PartialEq, Eq)]
pub enum Single<'a> {
    Absent,
    Once(&'a str),
    Repeated,
}

impl<'a> Single<'a> {
    pub fn of(params: &'a Params, name: &str) -> Self {
        match params.single(name) {
            Ok(None) => Single::Absent,
            Ok(Some(value)) => Single::Once(value),
            Err(_) => Single::Repeated,
        }
    }

    /// What `single(name)` must answer for these pairs.
    pub fn expected(pairs: &'a [(String, String)], name: &str) -> Self {
        let mut found = pairs.iter().filter(|(k, _)| k == name);
        match (found.next(), found.next()) {
            (None, _) => Single::Absent,
            (Some((_, v)), None) => Single::Once(v),
            (Some(_), Some(_)) => Single::Repeated,
        }
    }
}

/// Checks `params` against the reference pairs, name by name and as a whole.
pub fn assert_params_match(params: &Params, pairs: &[(String, String)], what: &str) {
    assert_eq!(params, &Params::from_pairs(pairs.to_vec()), "{what}: pairs differ");
    for name in NAMES
        .iter()
        .copied()
        .chain(pairs.iter().take(8).map(|(k, _)| k.as_str()))
    {
        assert_eq!(
            Single::of(params, name),
            Single::expected(pairs, name),
            "{what}: single({name:?})"
        );
        assert_eq!(
            params.contains(name),
            pairs.iter().any(|(k, _)| k == name),
            "{what}: contains({name:?})"
        );
    }
}

/// The statuses the pulse endpoint may answer when its store works: anything else, a 5xx above all,
/// is a bug.
pub const PULSE_STATUSES: &[u16] = &[200, 400, 401, 405, 413, 415];
