//! `/calendars` and `/calendars/{name}`: holiday calendars, read, replaced (JSON dates or an
//! uploaded .ics file) and deleted. A calendar edit writes nothing per pulse: the monitor reads
//! the calendars at every run and looks at each pulse again by its next holiday at the latest.

use super::pulses::query;
use super::{Access, Answer, ApiError, Call};
use crate::http::{params, response};
use crate::model::{CalendarName, FieldError, import_ics, parse_date};
use crate::store::Held;
use crate::store::config::{CalendarStore, HolidayCalendar};
use chrono::Datelike;
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Response};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Yearly repeats of an .ics file are written out this many years ahead; upload it again later.
pub const ICS_YEARS_AHEAD: i32 = 10;

pub fn resource<'a>(segments: &'a [&'a str], call: &'a Call<'a>) -> Option<Answer<'a>> {
    let method = call.req.method().clone();
    let answer: Answer<'a> = match (segments, method) {
        (["calendars"], Method::GET | Method::HEAD) => Box::pin(list(call)),
        (["calendars"], _) => Box::pin(async { Err(ApiError::method("GET")) }),
        (["calendars", name], Method::GET | Method::HEAD) => Box::pin(get(name, call)),
        (["calendars", name], Method::PUT) => Box::pin(put(name, call)),
        (["calendars", name], Method::DELETE) => Box::pin(delete(name, call)),
        (["calendars", _], _) => Box::pin(async { Err(ApiError::method("GET, PUT, DELETE")) }),
        _ => return None,
    };
    Some(answer)
}

fn store<'a>(call: &'a Call<'a>) -> Result<&'a dyn CalendarStore, ApiError> {
    call.deps.calendars.ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "holiday calendars need the config table: set CONFIG_TABLE_NAME (the stack does)",
        )
    })
}

fn parse_name(raw: &str) -> Result<CalendarName, ApiError> {
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    CalendarName::parse_as("name", &decoded).map_err(|e| ApiError::field(&e))
}

fn no_such_calendar() -> ApiError {
    ApiError::not_found("there is no calendar by that name; GET /heartbeat/api/v1/calendars lists them")
}

pub fn calendar_json(calendar: &HolidayCalendar) -> Value {
    let dates: Vec<String> = calendar
        .dates
        .iter()
        .map(|d| d.format("%Y-%m-%d").to_string())
        .collect();
    json!({
        "name": calendar.name.as_str(),
        "dates": dates,
        "updatedAt": crate::model::format_stamp(calendar.updated_at),
    })
}

async fn list(call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Read)?;
    query(call, &[])?;
    let calendars = store(call)?.calendars().await?;
    let all: Vec<Value> = calendars.iter().map(calendar_json).collect();
    Ok(response::json(StatusCode::OK, &json!({ "calendars": all })))
}

async fn get(raw: &str, call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Read)?;
    query(call, &[])?;
    let name = parse_name(raw)?;
    let calendar = store(call)?.calendar(&name).await?.ok_or_else(no_such_calendar)?;
    Ok(response::json(StatusCode::OK, &calendar_json(&calendar)))
}

async fn put(raw: &str, call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Write)?;
    query(call, &[])?;
    let name = parse_name(raw)?;
    let store = store(call)?;
    let body = params::body(call.req)?;
    let dates = match params::content_type(call.req).as_deref() {
        Some("application/json") => json_dates(body)?,
        Some("text/calendar") => ics_dates(body, call.now).map_err(|e| ApiError::field(&e))?,
        other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "send {{\"dates\": [\"2026-12-25\", …]}} as application/json, or an .ics file as text/calendar, not {}",
                    other.unwrap_or("unlabelled data")
                ),
            ));
        }
    };
    let calendar = HolidayCalendar {
        name,
        dates,
        updated_at: call.now,
    };
    let status = match store.put_calendar(&calendar).await? {
        Held::Yes => StatusCode::OK,
        Held::No => StatusCode::CREATED,
    };
    Ok(response::json(status, &calendar_json(&calendar)))
}

/// The holidays of an uploaded .ics file, refused the same way by the API and the calendars page:
/// not UTF-8, not an iCalendar, or without one all-day event (a file of meetings is a mistake, and
/// saving it would silently empty the calendar).
pub fn ics_dates(body: &[u8], now: chrono::DateTime<chrono::Utc>) -> Result<BTreeSet<chrono::NaiveDate>, FieldError> {
    let text = std::str::from_utf8(body).map_err(|_| FieldError::new("body", "the .ics file must be UTF-8 text"))?;
    let dates = import_ics(text, now.year() + ICS_YEARS_AHEAD)?;
    if dates.is_empty() {
        return Err(FieldError::new(
            "dates",
            "the .ics file has no all-day event; holidays are all-day events (DTSTART;VALUE=DATE)",
        ));
    }
    Ok(dates)
}

/// `{"dates": ["YYYY-MM-DD", …]}`: every date valid, at most `MAX_DATES`; duplicates merge.
fn json_dates(body: &[u8]) -> Result<BTreeSet<chrono::NaiveDate>, ApiError> {
    let wrong = || {
        ApiError::bad(
            "dates",
            "the body must be {\"dates\": [\"2026-12-25\", …]}, dates as YYYY-MM-DD",
        )
    };
    let members = params::json_object(body).map_err(|_| wrong())?;
    let mut dates = None;
    for (name, value) in members {
        match (name.as_str(), value) {
            ("dates", Value::Array(items)) if dates.is_none() => {
                let mut set = BTreeSet::new();
                for item in items {
                    let text = item.as_str().ok_or_else(wrong)?;
                    set.insert(parse_date(text).map_err(|e| ApiError::field(&e))?);
                }
                dates = Some(set);
            }
            ("dates", _) => return Err(wrong()),
            (other, _) => {
                let shown: String = other.chars().take(40).collect();
                return Err(ApiError::bad(
                    &shown,
                    format!("“{shown}” is not part of a calendar; send only dates"),
                ));
            }
        }
    }
    let dates = dates.ok_or_else(wrong)?;
    if dates.len() > crate::model::MAX_DATES {
        return Err(ApiError::bad(
            "dates",
            format!("a calendar holds at most {} dates", crate::model::MAX_DATES),
        ));
    }
    Ok(dates)
}

async fn delete(raw: &str, call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Write)?;
    query(call, &[])?;
    let name = parse_name(raw)?;
    match store(call)?.delete_calendar(&name).await? {
        Held::Yes => Ok(response::empty(StatusCode::NO_CONTENT)),
        Held::No => Err(no_such_calendar()),
    }
}

#[cfg(test)]
mod tests;
