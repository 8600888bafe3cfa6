//! `/pulses`, `/pulses.csv` and `/pulses/{id}`: list (filtered, paginated), export, read, change
//! settings and delete. Settings go through `validate_settings`, the edit page's own validation.

use super::cursor;
use super::filter::Filter;
use super::view::pulse_json_with;
use super::{Access, Answer, ApiError, Call};
use crate::channels::own::check_known;
use crate::export;
use crate::http::{Params, params, response};
use crate::model::{PULSE_CHANNELS_MAX, Pulse, PulseChannels, PulseId, SettingsInput, WorkingDays, validate_input};
use crate::rules::calendar_book::CalendarBook;
use crate::rules::due;
use crate::store::Held;
use crate::store::config::load_book;
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Response};
use serde_json::Value;

/// A page holds at most this many pulses (about 600 bytes each in JSON: far below Lambda's 6 MB).
pub const MAX_LIMIT: usize = 1000;
pub const DEFAULT_LIMIT: usize = 100;
/// A filtered page stops after this many Scan requests even when it is not full, so a request
/// that matches little in a big table still answers quickly; its `next` goes on from there.
const MAX_SCANS_PER_PAGE: usize = 10;
/// A page's JSON stays below this, whatever the pulses hold (names of 256 characters, 1 KB
/// messages, 4 KB metadata make a pulse 15 KB): even with every byte escaped once more in API
/// Gateway's envelope, the response stays far from Lambda's 6 MB limit.
pub const MAX_PAGE_BYTES: usize = 2_500_000;
/// One millisecond, the threshold's resolution; the OpenAPI document states the same minimum.
const MIN_THRESHOLD_HOURS: f64 = 1.0 / 3_600_000.0;

pub fn resource<'a>(segments: &'a [&'a str], call: &'a Call<'a>) -> Option<Answer<'a>> {
    let method = call.req.method().clone();
    let answer: Answer<'a> = match (segments, method) {
        (["pulses"], Method::GET | Method::HEAD) => Box::pin(list(call)),
        (["pulses"], _) => Box::pin(async { Err(ApiError::method("GET")) }),
        (["pulses.csv"], Method::GET | Method::HEAD) => Box::pin(csv(call)),
        (["pulses.csv"], _) => Box::pin(async { Err(ApiError::method("GET")) }),
        (["pulses", id], Method::GET | Method::HEAD) => Box::pin(get(id, call)),
        (["pulses", id], Method::PATCH) => Box::pin(patch(id, call)),
        (["pulses", id], Method::DELETE) => Box::pin(delete(id, call)),
        (["pulses", _], _) => Box::pin(async { Err(ApiError::method("GET, PATCH, DELETE")) }),
        _ => return None,
    };
    Some(answer)
}

/// The query parameters, refusing names the operation does not know (a typo must not be ignored).
pub(super) fn query(call: &Call<'_>, known: &[&str]) -> Result<Params, ApiError> {
    let params = params::query(call.req)?;
    if let Some(name) = params.names().find(|n| !known.contains(n)) {
        let shown: String = name.chars().take(40).collect();
        let known = if known.is_empty() {
            "none".to_owned()
        } else {
            known.join(", ")
        };
        return Err(ApiError::bad(
            &shown,
            format!("“{shown}” is not a parameter of this operation; it takes: {known}"),
        ));
    }
    Ok(params)
}

pub(super) fn limit(params: &Params) -> Result<usize, ApiError> {
    match params.single("limit")? {
        None => Ok(DEFAULT_LIMIT),
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                let shown: String = raw.chars().take(20).collect();
                ApiError::bad(
                    "limit",
                    format!("limit “{shown}” is not a whole number from 1 to {MAX_LIMIT}"),
                )
            }),
    }
}

async fn list(call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Read)?;
    let params = query(call, &["status", "host", "category", "limit", "cursor"])?;
    let mut filter = Filter::from_params(&params)?;
    filter.windows = call.deps.maintenance.windows().await?;
    let limit = limit(&params)?;
    let mut after = params.single("cursor")?.map(cursor::decode).transpose()?;
    let default_tz = call.deps.config.default_timezone;
    let mut pulses: Vec<String> = Vec::new();
    let mut book_read = false;
    let mut bytes = 0;
    let mut next = None;
    for _ in 0..MAX_SCANS_PER_PAGE {
        // One more than needed: a full page then knows whether anything follows, so the last
        // page of a listing is never an empty one.
        let page = call.deps.pages.page(after.as_ref(), limit + 1).await?;
        let scanned = &page.listing.pulses;
        // The calendars once per request, and only once there is a pulse to judge.
        if !book_read && !scanned.is_empty() {
            filter.book = book(call, true).await?;
            book_read = true;
        }
        let mut stop = None;
        let mut last_taken = None;
        for (i, pulse) in scanned.iter().enumerate() {
            if !filter.matches(pulse, default_tz, call.now) {
                continue;
            }
            let text = pulse_json_with(pulse, default_tz, call.now, &filter.windows, &filter.book).to_string();
            if bytes + text.len() > MAX_PAGE_BYTES && !pulses.is_empty() {
                stop = Some(Stop::Budget);
                break;
            }
            bytes += text.len() + 1;
            pulses.push(text);
            last_taken = Some(i);
            if pulses.len() == limit {
                stop = Some(Stop::Full);
                break;
            }
        }
        next = match (stop, last_taken) {
            // Stopped before the end of the scanned items: go on right after the last pulse given.
            (Some(_), Some(i)) if i + 1 < scanned.len() => Some(scanned[i].id.clone()),
            // Out of room before taking anything from this Scan: go on where it started.
            (Some(Stop::Budget), None) => after.clone(),
            _ => page.next,
        };
        if stop.is_some() || next.is_none() {
            break;
        }
        after.clone_from(&next);
    }
    let next = serde_json::to_string(&next.as_ref().map(cursor::encode)).unwrap_or_else(|_| "null".into());
    let body = format!("{{\"pulses\":[{}],\"next\":{next}}}", pulses.join(","));
    Ok(response::json_text(StatusCode::OK, body))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// `limit` pulses taken.
    Full,
    /// The next pulse would have made the page larger than `MAX_PAGE_BYTES`.
    Budget,
}

async fn csv(call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Read)?;
    let params = query(call, &["status", "host", "category"])?;
    let mut filter = Filter::from_params(&params)?;
    filter.windows = call.deps.maintenance.windows().await?;
    let listing = call.deps.reader.list().await?;
    filter.book = book(call, !listing.pulses.is_empty()).await?;
    Ok(csv_response(&listing.pulses, &filter, call))
}

pub fn csv_response(pulses: &[Pulse], filter: &Filter, call: &Call<'_>) -> Response<Body> {
    let default_tz = call.deps.config.default_timezone;
    let chosen: Vec<Pulse> = pulses
        .iter()
        .filter(|p| filter.matches(p, default_tz, call.now))
        .cloned()
        .collect();
    export::response(&export::csv(
        &chosen,
        default_tz,
        call.now,
        &filter.windows,
        &filter.book,
    ))
}

/// The holiday calendars the statuses are judged with (none without a config table).
async fn book(call: &Call<'_>, needed: bool) -> Result<CalendarBook, ApiError> {
    Ok(match call.deps.calendars {
        Some(store) => load_book(store, call.deps.config, needed).await?,
        None => CalendarBook::default(),
    })
}

pub(super) fn parse_id(raw: &str) -> Result<PulseId, ApiError> {
    PulseId::parse(raw).map_err(|_| {
        ApiError::bad(
            "id",
            "id is not a pulse id: it is 64 lowercase hex digits, as in the `id` of GET /heartbeat/api/v1/pulses",
        )
    })
}

pub(super) fn no_such_pulse() -> ApiError {
    ApiError::not_found(
        "there is no pulse with this id; it may have been deleted (GET /heartbeat/api/v1/pulses lists them)",
    )
}

async fn load(raw_id: &str, call: &Call<'_>, access: Access) -> Result<(PulseId, Pulse), ApiError> {
    call.allow(access)?;
    query(call, &[])?;
    let id = parse_id(raw_id)?;
    let pulse = call.deps.reader.get(&id).await?.ok_or_else(no_such_pulse)?;
    Ok((id, pulse))
}

async fn get(raw_id: &str, call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    let (_, pulse) = load(raw_id, call, Access::Read).await?;
    Ok(response::json(StatusCode::OK, &judged_json(&pulse, call).await?))
}

/// One pulse as every answer about it shows it (GET, PATCH, snooze, pause): judged with its holiday
/// calendars and the maintenance windows, so its status is the one the dashboard and the listing show.
pub(super) async fn judged_json(pulse: &Pulse, call: &Call<'_>) -> Result<serde_json::Value, ApiError> {
    let book = book(call, true).await?;
    let windows = call.deps.maintenance.windows().await?;
    Ok(pulse_json_with(
        pulse,
        call.deps.config.default_timezone,
        call.now,
        &windows,
        &book,
    ))
}

async fn delete(raw_id: &str, call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Write)?;
    query(call, &[])?;
    let id = parse_id(raw_id)?;
    match call.deps.writer.delete(&id).await? {
        Held::Yes => Ok(response::empty(StatusCode::NO_CONTENT)),
        Held::No => Err(no_such_pulse()),
    }
}

/// The members a PATCH may carry, as text for the shared validation.
#[derive(Debug, Default)]
struct Changes {
    threshold: Option<String>,
    saturday: Option<bool>,
    tz: Option<String>,
    /// A set other than Mon–Fri and Mon–Sat (those stay the original `saturday` flag).
    workdays: Option<Option<String>>,
    /// `Some(None)`: JSON null, back to the default.
    calendars: Option<Option<String>>,
    hours: Option<Option<String>>,
    schedule: Option<Option<String>>,
    grace: Option<Option<String>>,
    max_runtime: Option<Option<String>>,
    /// `Some(None)`: null or `[]`, back to the routes.
    channels: Option<Option<String>>,
}

const SETTINGS: &str = "threshold (hours), saturday (true/false), workdays, tz, calendars, hours, schedule, grace (hours), maxRuntime (hours) and channels";

fn read_changes(call: &Call<'_>) -> Result<Changes, ApiError> {
    match params::content_type(call.req).as_deref() {
        Some("application/json" | "application/merge-patch+json") => {}
        other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "send the changes as application/json, not {}, e.g. {{\"threshold\": 26}}",
                    other.unwrap_or("unlabelled data")
                ),
            ));
        }
    }
    let body = params::body(call.req)?;
    let members = params::json_object(body).map_err(|_| {
        ApiError::bad(
            "body",
            format!("the body must be a JSON object of the settings to change: {SETTINGS}, e.g. {{\"threshold\": 26}}"),
        )
    })?;
    let mut changes = Changes::default();
    let mut workdays = None;
    let mut seen = Vec::new();
    for (name, value) in members {
        if seen.contains(&name) {
            return Err(ApiError::bad(
                &name,
                format!("{name} is given more than once; send it once"),
            ));
        }
        seen.push(name.clone());
        match (name.as_str(), value) {
            ("threshold", Value::Number(n)) => {
                let hours = n.as_f64().unwrap_or(f64::NAN);
                if hours > 0.0 && hours < MIN_THRESHOLD_HOURS {
                    return Err(ApiError::bad(
                        "threshold",
                        "threshold must be at least one millisecond (0.00000027777777777777776 hours)",
                    ));
                }
                // Display writes plain decimals (never 1e-5), the form the shared validation reads;
                // negative numbers get its "more than 0" message rather than "not a number".
                changes.threshold = Some(if hours <= 0.0 { "0".into() } else { format!("{hours}") });
            }
            ("threshold", _) => {
                return Err(ApiError::bad(
                    "threshold",
                    "threshold must be a number of hours, such as 24 or 0.5",
                ));
            }
            ("saturday", Value::Bool(b)) => changes.saturday = Some(b),
            ("saturday", _) => return Err(ApiError::bad("saturday", "saturday must be true or false")),
            ("workdays", value) => workdays = Some(read_workdays(&value)?),
            ("calendars", Value::Null) => changes.calendars = Some(None),
            ("calendars", Value::Array(names)) => {
                let names: Option<Vec<&str>> = names.iter().map(Value::as_str).collect();
                let names = names.ok_or_else(|| {
                    ApiError::bad(
                        "calendars",
                        "calendars must be a list of calendar names, such as [\"de-BY\"]",
                    )
                })?;
                if names.iter().any(|n| n.contains(',') || n.is_empty()) {
                    return Err(ApiError::bad(
                        "calendars",
                        "a calendar name is 1 to 64 letters, digits, -, _ or .",
                    ));
                }
                if names.iter().enumerate().any(|(i, n)| names[..i].contains(n)) {
                    return Err(ApiError::bad(
                        "calendars",
                        "calendars lists a name twice; list each calendar once",
                    ));
                }
                changes.calendars = Some(Some(names.join(",")));
            }
            ("calendars", _) => {
                return Err(ApiError::bad(
                    "calendars",
                    "calendars must be a list of calendar names ([] for none, null for the defaults)",
                ));
            }
            ("channels", Value::Null) => changes.channels = Some(None),
            ("channels", Value::Array(names)) => changes.channels = Some(read_channels(&names)?),
            ("channels", _) => {
                return Err(ApiError::bad(
                    "channels",
                    "channels must be a list of channel names such as [\"ops\"], or null (or []) for the routes",
                ));
            }
            ("hours" | "schedule", Value::Null) => *text_setting(&mut changes, &name) = Some(None),
            ("hours" | "schedule", Value::String(text)) => *text_setting(&mut changes, &name) = Some(Some(text)),
            ("hours", _) => {
                return Err(ApiError::bad(
                    "hours",
                    "hours must be text such as \"08:00-18:00\", or null",
                ));
            }
            ("schedule", _) => {
                return Err(ApiError::bad(
                    "schedule",
                    "schedule must be a cron expression such as \"30 2 * * 1-5\", or null",
                ));
            }
            ("grace", Value::Null) => changes.grace = Some(None),
            ("grace", Value::Number(n)) => {
                let hours = n.as_f64().unwrap_or(f64::NAN);
                changes.grace = Some(Some(if hours <= 0.0 { "0".into() } else { format!("{hours}") }));
            }
            ("grace", _) => {
                return Err(ApiError::bad(
                    "grace",
                    "grace must be a number of hours, such as 0.5, or null",
                ));
            }
            ("maxRuntime", Value::Null) => changes.max_runtime = Some(None),
            ("maxRuntime", Value::Number(n)) => {
                let hours = n.as_f64().unwrap_or(f64::NAN);
                changes.max_runtime = Some(Some(if hours <= 0.0 { "0".into() } else { format!("{hours}") }));
            }
            ("maxRuntime", _) => {
                return Err(ApiError::bad(
                    "maxRuntime",
                    "maxRuntime must be a number of hours a started run may take, such as 2, or null",
                ));
            }
            // The form forgives spaces around a pasted name; a program sends the name exactly.
            ("tz", Value::String(tz)) if tz.trim() == tz => changes.tz = Some(tz),
            ("tz", _) => {
                return Err(ApiError::bad(
                    "tz",
                    "tz must be an IANA timezone name such as Europe/Berlin",
                ));
            }
            (other, _) => {
                let shown: String = other.chars().take(40).collect();
                return Err(ApiError::bad(
                    &shown,
                    format!("“{shown}” is not a setting that can be changed; the settings are {SETTINGS}"),
                ));
            }
        }
    }
    if let Some(days) = workdays {
        if changes.saturday.is_some() {
            return Err(ApiError::bad("workdays", "send either workdays or saturday, not both"));
        }
        if days == WorkingDays::MON_FRI || days == WorkingDays::MON_SAT {
            // The original's own two weeks stay its flag, so its readers need nothing new.
            changes.saturday = Some(days.saturday());
            changes.workdays = Some(None);
        } else {
            changes.workdays = Some(Some(days.to_string()));
        }
    }
    Ok(changes)
}

fn text_setting<'c>(changes: &'c mut Changes, name: &str) -> &'c mut Option<Option<String>> {
    if name == "hours" {
        &mut changes.hours
    } else {
        &mut changes.schedule
    }
}

/// The names as the shared validation reads them (comma-separated); `None` for `[]`. A name with a
/// comma would otherwise read as two names, so each is checked on its own first.
fn read_channels(names: &[Value]) -> Result<Option<String>, ApiError> {
    let names: Option<Vec<&str>> = names.iter().map(Value::as_str).collect();
    let names = names.ok_or_else(|| {
        ApiError::bad(
            "channels",
            "channels must be a list of channel names, such as [\"ops\", \"default\"]",
        )
    })?;
    if names.len() > PULSE_CHANNELS_MAX {
        return Err(ApiError::bad(
            "channels",
            format!("channels names at most {PULSE_CHANNELS_MAX} channels"),
        ));
    }
    for name in &names {
        PulseChannels::from_names([*name]).map_err(|e| ApiError::field(&e))?;
    }
    Ok((!names.is_empty()).then(|| names.join(",")))
}

/// Any non-empty set of lowercase day names, each once.
fn read_workdays(value: &Value) -> Result<WorkingDays, ApiError> {
    let wrong = || {
        ApiError::bad(
            "workdays",
            "workdays must be a list of days, each once, from \"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\", such as [\"sun\",\"mon\",\"tue\",\"wed\",\"thu\"]",
        )
    };
    let days: Vec<&str> = value
        .as_array()
        .and_then(|a| a.iter().map(Value::as_str).collect())
        .ok_or_else(wrong)?;
    let mut seen = Vec::new();
    for day in &days {
        if !DAY_NAMES.contains(day) || seen.contains(day) {
            return Err(wrong());
        }
        seen.push(*day);
    }
    if days.is_empty() {
        return Err(wrong());
    }
    WorkingDays::parse(&days.join(",")).map_err(|_| wrong())
}

/// The API's day names, in the order the response lists them.
pub const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

async fn patch(raw_id: &str, call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Write)?;
    query(call, &[])?;
    let id = parse_id(raw_id)?;
    let changes = read_changes(call)?;
    let default_tz = call.deps.config.default_timezone;
    let pulse = call.deps.reader.get(&id).await?.ok_or_else(no_such_pulse)?;
    let current = pulse.settings(default_tz);
    let input = SettingsInput {
        threshold: changes.threshold.as_deref(),
        saturday: changes.saturday,
        tz: changes.tz.as_deref(),
        workdays: changes.workdays.as_ref().map(Option::as_deref),
        calendars: changes.calendars.as_ref().map(Option::as_deref),
        hours: changes.hours.as_ref().map(Option::as_deref),
        schedule: changes.schedule.as_ref().map(Option::as_deref),
        grace: changes.grace.as_ref().map(Option::as_deref),
        max_runtime: changes.max_runtime.as_ref().map(Option::as_deref),
        channels: changes.channels.as_ref().map(Option::as_deref),
    };
    let settings = validate_input(&current, &input).map_err(|errors| {
        // One error a response; the first field's, in the order the edit form shows them.
        ApiError::field(&errors[0])
    })?;
    if changes.channels.is_some() {
        let directory = call.deps.channels.map(|c| c.directory);
        check_known(directory, settings.expect.channels.as_ref())
            .await?
            .map_err(|e| ApiError::field(&e))?;
    }
    let edited = pulse.with_settings(&settings);
    let due = due::after_edit(&edited, call.now, default_tz);
    match call.deps.writer.update_settings(&id, &settings, due).await? {
        Held::Yes => Ok({
            crate::store::events::note(call.deps.writer.history(), call.deps.config.history_days, |days| {
                crate::model::Event::step(id.clone(), call.now, crate::model::EventKind::Edited, days)
                    .with_message(crate::model::edited_note(&settings))
            })
            .await;
            response::json(StatusCode::OK, &judged_json(&edited, call).await?)
        }),
        // Deleted between the read and the write: the conditional write created nothing.
        Held::No => Err(no_such_pulse()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ApiDeps, Keys, api};
    use crate::config::{Config, Secret};
    use crate::model::{PulseKey, Threshold};
    use crate::store::{MemoryStore, PulseReader};
    use chrono::{DateTime, Utc};

    /// A pulse as large as the pulse endpoint lets one be: long names, message and metadata.
    fn huge(i: usize, now: DateTime<Utc>) -> Pulse {
        let long = |c: &str| format!("{i:06}{}", c.repeat(250));
        let key = PulseKey {
            host: long("é"),
            category: long("c"),
            kind: long("t"),
            name: long("\""),
        };
        Pulse {
            id: key.id(),
            key,
            last_pulse: now,
            stamp: crate::model::format_stamp(now),
            threshold: Threshold::parse("24").unwrap(),
            saturday: false,
            tz: None,
            pulse_count: Some(1),
            first_seen: None,
            last_message: Some("\"".repeat(1024)),
            last_metadata: Some(format!("\"{}\"", "\\\"".repeat(2000))),
            alert: None,
            claim: None,
            due_at: None,
            quiet: Default::default(),
            run: Default::default(),
            expect: Default::default(),
            delivered: Vec::new(),
        }
    }

    #[tokio::test]
    async fn a_page_of_huge_pulses_stops_at_the_byte_budget_and_goes_on_with_its_cursor() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z").unwrap().to_utc();
        let store = MemoryStore::new();
        for i in 0..400 {
            store.insert(huge(i, now));
        }
        let config = Config::from_vars(&Default::default()).unwrap();
        let keys = Keys {
            read_write: Some(Secret::new("k")),
            ..Keys::default()
        };
        let deps = ApiDeps::new(&store, &config, &keys);
        let (mut seen, mut pages, mut cursor) = (0, 0, None::<String>);
        loop {
            let uri = match &cursor {
                None => "/heartbeat/api/v1/pulses?limit=1000".to_owned(),
                Some(c) => format!("/heartbeat/api/v1/pulses?limit=1000&cursor={c}"),
            };
            let req = lambda_http::http::Request::builder()
                .uri(uri)
                .header("authorization", "Bearer k")
                .body(Body::Empty)
                .unwrap();
            let res = api(req, &deps, now).await;
            assert_eq!(res.status(), 200);
            let body: &[u8] = res.body().as_ref();
            assert!(body.len() <= MAX_PAGE_BYTES + 200, "{} bytes", body.len());
            let page: Value = serde_json::from_slice(body).unwrap();
            seen += page["pulses"].as_array().unwrap().len();
            pages += 1;
            match page["next"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen, 400, "every pulse once");
        assert!(pages >= 2, "400 huge pulses do not fit one page: {pages}");
    }

    async fn patch_json(store: &MemoryStore, id: &str, body: &str, now: DateTime<Utc>) -> (u16, Value) {
        let config = Config::from_vars(&Default::default()).unwrap();
        let keys = Keys {
            read_write: Some(Secret::new("k")),
            ..Keys::default()
        };
        let deps = ApiDeps::new(store, &config, &keys);
        let req = lambda_http::http::Request::builder()
            .method("PATCH")
            .uri(format!("/heartbeat/api/v1/pulses/{id}"))
            .header("authorization", "Bearer k")
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap();
        let res = api(req, &deps, now).await;
        let status = res.status().as_u16();
        (status, serde_json::from_slice(res.body().as_ref()).unwrap())
    }

    #[tokio::test]
    async fn patch_sets_and_clears_the_expectation_settings() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z").unwrap().to_utc();
        let store = MemoryStore::new();
        let pulse = huge(1, now);
        let id = pulse.id.as_str().to_owned();
        store.insert(pulse);
        let body = r#"{"workdays": ["sun","mon","tue","wed","thu"], "calendars": ["de-BY"], "hours": "08:00-18:00",
            "schedule": "30 2 * * 1-5", "grace": 0.5}"#;
        let (status, json) = patch_json(&store, &id, body, now).await;
        assert_eq!(status, 200, "{json}");
        assert_eq!(json["workdays"], serde_json::json!(["mon", "tue", "wed", "thu", "sun"]));
        assert_eq!(json["saturday"], false);
        assert_eq!(json["calendars"], serde_json::json!(["de-BY"]));
        assert_eq!(json["hours"], "08:00-18:00");
        assert_eq!(json["schedule"], "30 2 * * 1-5");
        assert_eq!(json["grace"], 0.5);
        let stored = store.get(&PulseId::parse(&id).unwrap()).await.unwrap().unwrap();
        assert_eq!(stored.expect.workdays.unwrap().to_string(), "Sun-Thu");
        // null clears, [] opts out of the default calendars; Mon-Sat goes back to the original flag.
        let body =
            r#"{"workdays": ["mon","tue","wed","thu","fri","sat"], "calendars": [], "hours": null, "schedule": null}"#;
        let (status, json) = patch_json(&store, &id, body, now).await;
        assert_eq!(status, 200, "{json}");
        assert_eq!(
            (json["saturday"].clone(), json["calendars"].clone()),
            (Value::Bool(true), serde_json::json!([]))
        );
        assert_eq!(
            (json["hours"].clone(), json["schedule"].clone()),
            (Value::Null, Value::Null)
        );
        let stored = store.get(&PulseId::parse(&id).unwrap()).await.unwrap().unwrap();
        assert_eq!(stored.expect.workdays, None, "the original's flag says it");
        // Errors name the field.
        for (body, field) in [
            (r#"{"workdays": ["mon","mon"]}"#, "workdays"),
            (r#"{"workdays": []}"#, "workdays"),
            (r#"{"hours": "18:00-08:00"}"#, "hours"),
            (r#"{"schedule": "every night"}"#, "schedule"),
            (r#"{"grace": "soon"}"#, "grace"),
            (r#"{"calendars": ["no spaces"]}"#, "calendars"),
            (r#"{"calendars": ["a", "a"]}"#, "calendars"),
        ] {
            let (status, json) = patch_json(&store, &id, body, now).await;
            assert_eq!(status, 400, "{body}: {json}");
            assert!(json.to_string().contains(field), "{body}: {json}");
        }
    }

    #[tokio::test]
    async fn patch_sets_and_clears_max_runtime_and_a_running_job_is_due_when_it_would_overrun() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z").unwrap().to_utc();
        let store = MemoryStore::new();
        let mut pulse = huge(2, now);
        // Started 30 minutes ago; the threshold alone would make it due tomorrow.
        pulse.run.started_at = Some(now - chrono::TimeDelta::minutes(30));
        let id = pulse.id.as_str().to_owned();
        store.insert(pulse);
        let (status, json) = patch_json(&store, &id, r#"{"maxRuntime": 2}"#, now).await;
        assert_eq!(status, 200, "{json}");
        assert_eq!(json["maxRuntime"], 2.0);
        let stored = store.get(&PulseId::parse(&id).unwrap()).await.unwrap().unwrap();
        assert_eq!(stored.run.max_runtime.map(|m| m.to_string()).as_deref(), Some("2"));
        assert_eq!(
            stored.due_at,
            Some(now + chrono::TimeDelta::minutes(90)),
            "due at start + max runtime"
        );
        let (status, json) = patch_json(&store, &id, r#"{"maxRuntime": null}"#, now).await;
        assert_eq!(status, 200, "{json}");
        assert_eq!(json["maxRuntime"], Value::Null);
        for body in [
            r#"{"maxRuntime": 0}"#,
            r#"{"maxRuntime": "2h"}"#,
            r#"{"maxRuntime": 9000}"#,
        ] {
            let (status, json) = patch_json(&store, &id, body, now).await;
            assert_eq!(
                (status, json["field"].as_str()),
                (400, Some("maxRuntime")),
                "{body}: {json}"
            );
        }
    }
}
