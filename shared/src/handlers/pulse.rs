//! `GET|POST /heartbeat/pulse`: a job says "I ran". The answer and the URL shape are the original's,
//! so its clients keep working. The same handler takes the signals `/heartbeat/pulse/start` and
//! `/heartbeat/pulse/fail` and `exit=N` (signal.rs): same identification, key and creation settings.

use crate::config::Config;
use crate::http::params::{self, Params};
use crate::http::{HttpError, response};
use crate::model::{
    Event, Expectation, FieldError, PulseKey, Settings, SettingsInput, Threshold, Zone, validate_input,
};
use crate::store::{EventLog, PulseReceipt, PulseRecorder};
use chrono::{DateTime, Utc};
use lambda_http::http::{Method, StatusCode, header};
use lambda_http::{Body, Request, Response};
use signal::Route;

pub const MAX_MESSAGE_BYTES: usize = 1024;
pub const MAX_METADATA_BYTES: usize = 4096;

/// What the pulse routes write: the pulse's item, and its history next to it.
pub trait SignalStore: PulseRecorder + EventLog {}

impl<T: PulseRecorder + EventLog> SignalStore for T {}

pub async fn pulse(req: Request, store: &dyn SignalStore, config: &Config, now: DateTime<Utc>) -> Response<Body> {
    let route = Route::of(req.uri().path());
    match record(&req, route, store, config, now).await {
        Ok(()) => response::text(StatusCode::OK, route.answer()),
        Err(err) => err.to_text(),
    }
}

async fn record(
    req: &Request,
    route: Route,
    store: &dyn SignalStore,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<(), HttpError> {
    let is_post = match *req.method() {
        Method::GET => false,
        Method::POST => true,
        _ => return Err(HttpError::MethodNotAllowed { allow: "GET, POST" }),
    };
    let mut params = params::query(req)?;
    let mut metadata = None;
    let mut body_log = None;
    if is_post {
        let body = body_params(req)?;
        params.extend(body.params);
        metadata = body.metadata;
        body_log = body.log;
    }
    check_key(req, &params, config)?;
    let receipt = receipt(&params, metadata, config, now)?;
    let signal = signal::signal(route, &params, body_log)?;
    let event = (config.history_days > 0).then(|| {
        Event::of_signal(
            receipt.key.id(),
            now,
            &signal,
            receipt.message.as_deref(),
            config.history_days,
        )
    });
    // The history write runs beside the pulse's own, so it adds no latency; the job's answer
    // depends on the pulse write only (docs/RELIABILITY.md).
    let history = async {
        match &event {
            Some(event) => store.append(event).await,
            None => Ok(()),
        }
    };
    let (recorded, kept) = tokio::join!(store.record_signal(&receipt, &signal), history);
    if let Err(err) = kept {
        tracing::warn!(id = %receipt.key.id(), error = %err, "the signal's history event was not written");
    }
    recorded?;
    Ok(())
}

/// The pulse key, when one is configured: `key=` or `Authorization: Bearer …`. Missing and wrong keys
/// get the same answer, so a caller cannot tell which.
fn check_key(req: &Request, params: &Params, config: &Config) -> Result<(), HttpError> {
    let Some(expected) = &config.pulse_key else {
        return Ok(());
    };
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        // The scheme is case-insensitive (RFC 9110).
        .and_then(|v| {
            v.split_once(' ')
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, k)| k)
        })
        .map(str::trim);
    let given = params.single("key")?.or(bearer);
    if given.is_some_and(|k| expected.matches(k)) {
        Ok(())
    } else {
        Err(HttpError::Unauthorized(
            "this heartbeat needs its pulse key: add key=… to the URL or send Authorization: Bearer …".into(),
        ))
    }
}

/// What a POST body carries.
#[derive(Default)]
struct BodyParams {
    params: Params,
    /// The metadata object, when the body is JSON or a form with `metadata`.
    metadata: Option<String>,
    /// A `text/plain` body: the job's output.
    log: Option<String>,
}

/// Parameters from a POST body, the metadata object, or a plain-text log.
fn body_params(req: &Request) -> Result<BodyParams, HttpError> {
    let body = params::body(req)?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(BodyParams::default());
    }
    match params::content_type(req).as_deref() {
        Some("application/x-www-form-urlencoded") => {
            let form = params::form(body)?;
            let metadata = form.single("metadata")?.map(metadata_from_text).transpose()?;
            Ok(BodyParams {
                params: form,
                metadata,
                log: None,
            })
        }
        Some("application/json") => json_params(body).map(|(params, metadata)| BodyParams {
            params,
            metadata,
            log: None,
        }),
        // A job's output is whatever bytes it wrote; what is not UTF-8 is shown as replacement characters.
        Some("text/plain") => Ok(BodyParams {
            log: Some(String::from_utf8_lossy(body).into_owned()),
            ..BodyParams::default()
        }),
        other => Err(HttpError::UnsupportedMediaType(format!(
            "a pulse body must be application/x-www-form-urlencoded, application/json or text/plain (a log), not {}",
            other.unwrap_or("unlabelled data")
        ))),
    }
}

fn json_params(body: &[u8]) -> Result<(Params, Option<String>), HttpError> {
    let object = params::json_object(body)?;
    let mut pairs = Vec::new();
    let mut metadata = None;
    for (name, value) in object {
        match (name.as_str(), value) {
            ("metadata", _) if metadata.is_some() => {
                return Err(HttpError::BadRequest(
                    "“metadata” is given more than once; send it once".into(),
                ));
            }
            ("metadata", serde_json::Value::Object(object)) => {
                metadata = Some(check_metadata(serde_json::Value::Object(object).to_string())?)
            }
            ("metadata", serde_json::Value::Null) => {}
            ("metadata", _) => return Err(HttpError::BadRequest("metadata must be a JSON object".into())),
            (_, serde_json::Value::String(text)) => pairs.push((name, text)),
            (_, serde_json::Value::Number(number)) => pairs.push((name, number.to_string())),
            (_, serde_json::Value::Bool(flag)) => pairs.push((name, if flag { "1" } else { "0" }.to_owned())),
            (_, serde_json::Value::Null) => {}
            (_, _) => {
                return Err(HttpError::BadRequest(format!(
                    "“{name}” must be a string, not a list or an object"
                )));
            }
        }
    }
    Ok((Params::from_pairs(pairs), metadata))
}

fn metadata_from_text(text: &str) -> Result<String, HttpError> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value @ serde_json::Value::Object(_)) => check_metadata(value.to_string()),
        _ => Err(HttpError::BadRequest(
            "metadata must be a JSON object, e.g. {\"rows\": 42}".into(),
        )),
    }
}

/// Metadata cannot be cut short without breaking it, so an oversized object is refused outright.
fn check_metadata(text: String) -> Result<String, HttpError> {
    if text.len() > MAX_METADATA_BYTES {
        return Err(HttpError::BadRequest(format!(
            "metadata is {} bytes as JSON; at most {MAX_METADATA_BYTES} are kept — send less",
            text.len()
        )));
    }
    Ok(text)
}

fn receipt(
    params: &Params,
    metadata: Option<String>,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<PulseReceipt, HttpError> {
    let key = PulseKey::parse(
        params.single("host")?,
        params.single("category")?,
        params.single("type")?,
        params.single("name")?,
    )
    .map_err(field)?;
    let threshold = match params.single("threshold")? {
        None | Some("") => config.default_threshold,
        Some(raw) => Threshold::parse(raw).map_err(field)?,
    };
    let saturday = match params.single("saturday")? {
        None | Some("") | Some("0") => false,
        Some("1") => true,
        Some(_) => return Err(HttpError::BadRequest("saturday must be 0 or 1".into())),
    };
    let tz = match params.single("tz")? {
        None | Some("") => config.default_timezone,
        Some(raw) => Zone::parse(raw).map_err(field)?,
    };
    let (saturday, expect) = expectation(params, threshold, saturday, tz)?;
    Ok(PulseReceipt {
        key,
        at: now,
        threshold,
        saturday,
        tz,
        expect,
        message: params.single("message")?.map(truncate_message),
        metadata,
    })
}

/// `workdays`, `calendars`, `hours`, `schedule`, `grace` on the first pulse, by the edit page's
/// validation. Empty text is "not given", except `calendars=`, which opts out of the defaults.
/// `workdays` decides `saturday`, so the original's readers see the same flag.
fn expectation(
    params: &Params,
    threshold: Threshold,
    saturday: bool,
    tz: Zone,
) -> Result<(bool, Expectation), HttpError> {
    let given = |name| -> Result<Option<Option<&str>>, HttpError> {
        Ok(params.single(name)?.filter(|v| !v.is_empty()).map(Some))
    };
    let input = SettingsInput {
        workdays: given("workdays")?,
        calendars: params.single("calendars")?.map(Some),
        hours: given("hours")?,
        schedule: given("schedule")?,
        grace: given("grace")?,
        ..SettingsInput::default()
    };
    let base = Settings {
        threshold,
        saturday,
        tz,
        expect: Expectation::default(),
        // A signal's own `maxRuntime` travels with the signal (signals.rs), not as a setting here.
        max_runtime: None,
    };
    let settings = validate_input(&base, &input).map_err(|errors| {
        let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
        HttpError::BadRequest(all.join("; "))
    })?;
    Ok((settings.saturday, settings.expect))
}

fn field(err: FieldError) -> HttpError {
    HttpError::BadRequest(err.to_string())
}

/// Keeps the first KiB of a message, cut at a character boundary.
fn truncate_message(message: &str) -> String {
    if message.len() <= MAX_MESSAGE_BYTES {
        return message.to_owned();
    }
    let mut end = MAX_MESSAGE_BYTES - '…'.len_utf8();
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &message[..end])
}

mod signal;

#[cfg(test)]
mod tests;
