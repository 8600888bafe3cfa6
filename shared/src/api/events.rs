//! `/pulses/{id}/events`: a pulse's history, newest first, paginated with an opaque cursor. A pulse
//! keeps at most its newest `MAX_EVENTS`: the cursor counts what was given, so no page reaches past.

use super::pulses::{limit, no_such_pulse, parse_id, query};
use super::{Access, Answer, ApiError, Call};
use crate::http::response;
use crate::model::Event;
use crate::store::events::{MAX_EVENTS, StoredEvent};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Response};
use serde_json::{Value, json};

const VERSION: &str = "e1";

pub fn resource<'a>(segments: &'a [&'a str], call: &'a Call<'a>) -> Option<Answer<'a>> {
    let answer: Answer<'a> = match (segments, call.req.method().clone()) {
        (["pulses", id, "events"], Method::GET | Method::HEAD) => Box::pin(list(id, call)),
        (["pulses", _, "events"], _) => Box::pin(async { Err(ApiError::method("GET")) }),
        _ => return None,
    };
    Some(answer)
}

async fn list(raw_id: &str, call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Read)?;
    let params = query(call, &["limit", "cursor"])?;
    let id = parse_id(raw_id)?;
    let limit = limit(&params)?;
    let (given, before) = match params.single("cursor")? {
        Some(raw) => decode(raw).map(|(given, key)| (given, Some(key)))?,
        None => (0, None),
    };
    call.deps.reader.get(&id).await?.ok_or_else(no_such_pulse)?;
    let room = MAX_EVENTS.saturating_sub(given).min(limit);
    let page = if room == 0 {
        Default::default()
    } else {
        call.deps.events.events(&id, before.as_deref(), room, call.now).await?
    };
    let given = given + page.events.len();
    let next = page.next.filter(|_| given < MAX_EVENTS).map(|key| encode(given, &key));
    let events: Vec<Value> = page.events.iter().map(event_json).collect();
    Ok(response::json(
        StatusCode::OK,
        &json!({ "events": events, "next": next }),
    ))
}

pub fn event_json(stored: &StoredEvent) -> Value {
    let e: &Event = &stored.event;
    json!({
        "at": crate::model::format_stamp(e.at),
        "kind": e.kind.name(),
        "exit": e.exit,
        "duration": e.duration.map(|d| d.num_milliseconds() as f64 / 1000.0),
        "message": e.message,
        "incident": e.incident,
        "logBytes": e.log_bytes(),
        "log": e.log,
    })
}

fn encode(given: usize, key: &str) -> String {
    format!("{VERSION}{}", hex::encode(format!("{given}:{key}")))
}

fn decode(raw: &str) -> Result<(usize, String), ApiError> {
    let bad = || {
        ApiError::bad(
            "cursor",
            "cursor is not one this API gave out; send the `next` value of the previous page unchanged, \
             or leave it out to start from the newest event",
        )
    };
    let hex_part = raw.strip_prefix(VERSION).ok_or_else(bad)?;
    if hex_part.bytes().any(|b| b.is_ascii_uppercase()) || hex_part.len() > 2 * super::cursor::MAX_BYTES {
        return Err(bad());
    }
    let bytes = hex::decode(hex_part).map_err(|_| bad())?;
    if bytes.is_empty() {
        return Err(bad());
    }
    // Like the pulses' cursor, any well-formed cursor is a starting point: the events are ordered by
    // key whether or not one with this key exists. One without a count starts the count at 0.
    let text = String::from_utf8_lossy(&bytes);
    Ok(match text.split_once(':').map(|(n, key)| (n.parse::<usize>(), key)) {
        Some((Ok(given), key)) => (given, key.to_owned()),
        _ => (0, text.into_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_odd_ones_are_refused() {
        let key = "2026-11-23T09:00:00.000000000Z#0000abcd";
        assert_eq!(decode(&encode(42, key)).unwrap(), (42, key.to_owned()));
        for bad in ["", "e1", "c1ab", "e1zz", "e1AB", "e1a"] {
            assert_eq!(decode(bad).unwrap_err().field.as_deref(), Some("cursor"), "{bad}");
        }
        // Well-formed but not given out: a starting point all the same.
        assert_eq!(decode("e100").unwrap(), (0, "\0".to_owned()));
        assert_eq!(
            decode(&format!("e1{}", hex::encode("x:y"))).unwrap(),
            (0, "x:y".to_owned())
        );
    }
}
