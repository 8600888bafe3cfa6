//! `/pulses/{id}/snooze` and `/pulses/{id}/pause`: `POST` starts one, `DELETE` ends it. Each answers
//! the pulse as it now is. The writes move the due instant exactly (`quieting::apply`).

use super::pulses::judged_json;
use super::pulses::{no_such_pulse, parse_id, query};
use super::{Access, Answer, ApiError, Call};
use crate::http::{params, response};
use crate::model::Pulse;
use crate::quieting::{self, Change};
use crate::store::Held;
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Response};
use serde_json::Value;

pub fn resource<'a>(segments: &'a [&'a str], call: &'a Call<'a>) -> Option<Answer<'a>> {
    let method = call.req.method().clone();
    let answer: Answer<'a> = match (segments, method) {
        (["pulses", id, "snooze"], Method::POST) => Box::pin(snooze(id, call)),
        (["pulses", id, "snooze"], Method::DELETE) => Box::pin(change(id, call, |_| Ok(Change::EndSnooze))),
        (["pulses", _, "snooze"], _) => Box::pin(async { Err(ApiError::method("POST, DELETE")) }),
        (["pulses", id, "pause"], Method::POST) => Box::pin(change(id, call, |_| Ok(Change::Pause))),
        (["pulses", id, "pause"], Method::DELETE) => Box::pin(change(id, call, |_| Ok(Change::EndPause))),
        (["pulses", _, "pause"], _) => Box::pin(async { Err(ApiError::method("POST, DELETE")) }),
        _ => return None,
    };
    Some(answer)
}

async fn snooze(raw_id: &str, call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Write)?;
    // Read the body before the pulse: a malformed request costs no table read.
    let (until, length) = read_snooze(call)?;
    change(raw_id, call, |pulse| {
        quieting::snooze_end(
            until.as_deref(),
            length.as_deref(),
            pulse,
            call.deps.config.default_timezone,
            call.now,
        )
        .map(Change::Snooze)
        .map_err(|problem| ApiError::bad(if until.is_some() { "until" } else { "for" }, problem))
    })
    .await
}

/// `{"until": "…"}` or `{"for": "…"}`, nothing else.
fn read_snooze(call: &Call<'_>) -> Result<(Option<String>, Option<String>), ApiError> {
    const EXAMPLE: &str = "{\"for\": \"1h\"} or {\"until\": \"2026-12-24T15:00:00Z\"}";
    match params::content_type(call.req).as_deref() {
        Some("application/json") => {}
        other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "send the snooze as application/json, not {}, e.g. {EXAMPLE}",
                    other.unwrap_or("unlabelled data")
                ),
            ));
        }
    }
    let members = params::json_object(params::body(call.req)?)
        .map_err(|_| ApiError::bad("body", format!("the body must be a JSON object: {EXAMPLE}")))?;
    let (mut until, mut length) = (None, None);
    for (name, value) in members {
        let slot = match name.as_str() {
            "until" => &mut until,
            "for" => &mut length,
            other => {
                let shown: String = other.chars().take(40).collect();
                return Err(ApiError::bad(
                    &shown,
                    format!("“{shown}” is not part of a snooze; send {EXAMPLE}"),
                ));
            }
        };
        match value {
            Value::String(text) if slot.is_none() => *slot = Some(text),
            Value::String(_) => return Err(ApiError::bad(&name, format!("{name} is given more than once"))),
            _ => return Err(ApiError::bad(&name, format!("{name} must be a string: {EXAMPLE}"))),
        }
    }
    if until.is_some() == length.is_some() {
        let field = if until.is_some() { "for" } else { "body" };
        return Err(ApiError::bad(
            field,
            format!("send exactly one of until and for: {EXAMPLE}"),
        ));
    }
    Ok((until, length))
}

async fn change(
    raw_id: &str,
    call: &Call<'_>,
    make: impl FnOnce(&Pulse) -> Result<Change, ApiError>,
) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Write)?;
    query(call, &[])?;
    let id = parse_id(raw_id)?;
    let pulse = call.deps.reader.get(&id).await?.ok_or_else(no_such_pulse)?;
    let change = make(&pulse)?;
    let default_tz = call.deps.config.default_timezone;
    match quieting::apply(
        call.deps.quiet,
        &pulse,
        change,
        default_tz,
        call.deps.config.history_days,
        call.now,
    )
    .await?
    {
        (Held::Yes, quiet) => {
            let changed = Pulse { quiet, ..pulse };
            Ok(response::json(StatusCode::OK, &judged_json(&changed, call).await?))
        }
        (Held::No, _) => Err(no_such_pulse()),
    }
}
