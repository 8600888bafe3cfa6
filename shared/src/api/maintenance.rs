//! `/maintenance` and `/maintenance/{id}`: list, add and remove maintenance windows. Adding writes
//! only the window (the monitor holds a pulse it reads inside a window in scope to the window's
//! end); removing makes the pulses held to its end due at once (`quieting::redue_after_removal`).

use super::pulses::query;
use super::{Access, Answer, ApiError, Call};
use crate::http::{params, response};
use crate::model::{Window, format_stamp};
use crate::quieting;
use crate::store::Held;
use chrono::{DateTime, Utc};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Response};
use serde_json::{Value, json};

pub fn resource<'a>(segments: &'a [&'a str], call: &'a Call<'a>) -> Option<Answer<'a>> {
    let method = call.req.method().clone();
    let answer: Answer<'a> = match (segments, method) {
        (["maintenance"], Method::GET | Method::HEAD) => Box::pin(list(call)),
        (["maintenance"], Method::POST) => Box::pin(add(call)),
        (["maintenance"], _) => Box::pin(async { Err(ApiError::method("GET, POST")) }),
        (["maintenance", id], Method::DELETE) => Box::pin(remove(id, call)),
        (["maintenance", _], _) => Box::pin(async { Err(ApiError::method("DELETE")) }),
        _ => return None,
    };
    Some(answer)
}

pub fn window_json(window: &Window, now: DateTime<Utc>) -> Value {
    json!({
        "id": window.id,
        "start": format_stamp(window.start),
        "end": format_stamp(window.end),
        "scope": window.scope.to_string(),
        "note": window.note,
        "active": window.start <= now && now < window.end,
    })
}

async fn list(call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Read)?;
    query(call, &[])?;
    let windows = call.deps.maintenance.windows().await?;
    let windows: Vec<Value> = windows.iter().map(|w| window_json(w, call.now)).collect();
    Ok(response::json(StatusCode::OK, &json!({ "windows": windows })))
}

async fn add(call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    const EXAMPLE: &str = "{\"start\": \"2026-12-24T22:00:00Z\", \"end\": \"2026-12-25T02:00:00Z\", \"scope\": \"category=backup\", \"note\": \"db migration\"}";
    call.allow(Access::Write)?;
    query(call, &[])?;
    if params::content_type(call.req).as_deref() != Some("application/json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("send the window as application/json, e.g. {EXAMPLE}"),
        ));
    }
    let members = params::json_object(params::body(call.req)?)
        .map_err(|_| ApiError::bad("body", format!("the body must be a JSON object: {EXAMPLE}")))?;
    let mut fields: [(&str, Option<String>); 4] = [("start", None), ("end", None), ("scope", None), ("note", None)];
    for (name, value) in members {
        let Some(slot) = fields.iter_mut().find(|(n, _)| *n == name) else {
            let shown: String = name.chars().take(40).collect();
            return Err(ApiError::bad(
                &shown,
                format!("“{shown}” is not part of a window; send start, end, scope and note, e.g. {EXAMPLE}"),
            ));
        };
        match value {
            Value::String(text) => slot.1 = Some(text),
            _ => return Err(ApiError::bad(&name, format!("{name} must be a string, e.g. {EXAMPLE}"))),
        }
    }
    let [start, end, scope, note] = fields.map(|(_, v)| v);
    let window = quieting::parse_window(
        start.as_deref(),
        end.as_deref(),
        scope.as_deref(),
        note.as_deref(),
        call.now,
    )
    .map_err(|(field, problem)| ApiError::bad(field, problem))?;
    match call.deps.maintenance.add_window(&window).await? {
        Held::Yes => Ok(response::json(StatusCode::CREATED, &window_json(&window, call.now))),
        // Ids are random: only a duplicated request could meet this.
        Held::No => Err(ApiError::new(
            StatusCode::CONFLICT,
            "a window with this id exists already; send it again",
        )),
    }
}

async fn remove(id: &str, call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Write)?;
    query(call, &[])?;
    match call.deps.maintenance.remove_window(id).await? {
        Some(window) => {
            let moved = quieting::redue_after_removal(call.deps.ledger, &window, call.now).await?;
            tracing::info!(window = %window.id, moved, "maintenance window removed");
            Ok(response::empty(StatusCode::NO_CONTENT))
        }
        None => Err(ApiError::not_found(
            "there is no maintenance window with this id; GET /heartbeat/api/v1/maintenance lists them",
        )),
    }
}
