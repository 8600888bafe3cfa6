//! The monitor function's edge. It is invoked three ways: by API Gateway (`GET
//! /heartbeat/monitor?secret=S`), by an EventBridge schedule, and with the original README's constant
//! input `{"queryStringParameters":{"secret":"S"}}`. The first and last need the secret and get an API
//! Gateway–style JSON answer; the schedule needs no secret (only the rule can invoke the function).

use crate::http::{HttpError, Params, response};
use crate::monitor::{self, Summary};
use chrono::{DateTime, Datelike, Utc, Weekday};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde_json::{Value, json};

pub use crate::monitor::MonitorDeps;

#[derive(Debug, Clone, PartialEq)]
pub enum Invocation {
    /// `backfill`: also bring pulses outside the due index into it (a full scan), on Sundays (UTC, by
    /// the event's time) — the original README's Sunday schedule runs three times a day.
    Scheduled {
        backfill: bool,
    },
    ByUrl(UrlRun),
    Unknown,
}

/// API Gateway or the constant input: the secret, the HTTP method if any, the public base URL derived
/// from the request when API Gateway sent it, and `backfill=1`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UrlRun {
    pub secret: Option<String>,
    pub method: Option<String>,
    pub base_url: Option<String>,
    pub backfill: bool,
}

/// A scheduled run that did not fully succeed: the Lambda reports an error, so it shows in metrics
/// and the alarm on errors fires.
#[derive(Debug, thiserror::Error)]
#[error("monitor run incomplete: {0}")]
pub struct MonitorFailure(pub String);

pub fn classify(event: &Value) -> Invocation {
    let source = event.get("source").and_then(Value::as_str);
    let detail_type = event.get("detail-type").and_then(Value::as_str);
    if source == Some("aws.events") || detail_type == Some("Scheduled Event") {
        let time = event
            .get("time")
            .and_then(Value::as_str)
            .and_then(crate::model::parse_stamp);
        let sunday = time.is_some_and(|t| t.weekday() == Weekday::Sun);
        // The local runtime asks for one at start; EventBridge's own events have an empty detail.
        let asked = event.pointer("/detail/backfill").and_then(Value::as_bool) == Some(true);
        return Invocation::Scheduled {
            backfill: sunday || asked,
        };
    }
    let is_http = [
        "queryStringParameters",
        "httpMethod",
        "requestContext",
        "rawQueryString",
    ]
    .iter()
    .any(|k| event.get(k).is_some());
    if !is_http {
        return Invocation::Unknown;
    }
    let secret = event
        .pointer("/queryStringParameters/secret")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let method = event
        .get("httpMethod")
        .or_else(|| event.pointer("/requestContext/http/method"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let backfill = event.pointer("/queryStringParameters/backfill").and_then(Value::as_str) == Some("1");
    Invocation::ByUrl(UrlRun {
        secret,
        method,
        base_url: base_url_of(event),
        backfill,
    })
}

/// `https://{domainName}/{stage}` as the caller reached us; custom domains without a stage path map
/// to `$default` or have the stage mapped away, so prefer BASE_URL in configuration.
fn base_url_of(event: &Value) -> Option<String> {
    let domain = event.pointer("/requestContext/domainName").and_then(Value::as_str)?;
    let stage = event
        .pointer("/requestContext/stage")
        .and_then(Value::as_str)
        .unwrap_or("$default");
    Some(if stage == "$default" {
        format!("https://{domain}")
    } else {
        format!("https://{domain}/{stage}")
    })
}

/// Handles one invocation. For URL-style invocations the result is an API Gateway proxy response.
pub async fn monitor_event(
    event: Value,
    deps: &MonitorDeps<'_>,
    now: DateTime<Utc>,
    run_id: &str,
) -> Result<Value, MonitorFailure> {
    match classify(&event) {
        Invocation::Scheduled { backfill } => {
            let base_url = deps.config.base_url.as_deref();
            if base_url.is_none() {
                tracing::warn!("BASE_URL is not set: scheduled messages carry no links");
            }
            let summary = monitor::run(deps, now, base_url, run_id, backfill)
                .await
                .map_err(|e| MonitorFailure(e.to_string()))?;
            if summary.eventful() {
                tracing::info!(?summary, "scheduled monitor run");
            } else {
                tracing::debug!(?summary, "scheduled monitor run: nothing to do");
            }
            if summary.failed() {
                return Err(MonitorFailure(serde_json::to_string(&summary).unwrap_or_default()));
            }
            Ok(json!(summary))
        }
        Invocation::ByUrl(request) => Ok(proxy_response(by_url(deps, now, run_id, request).await)),
        Invocation::Unknown => {
            let err = HttpError::BadRequest(
                "the monitor expects an EventBridge scheduled event or an API Gateway request with ?secret=…".into(),
            );
            Ok(proxy_response(err.to_json()))
        }
    }
}

async fn by_url(deps: &MonitorDeps<'_>, now: DateTime<Utc>, run_id: &str, request: UrlRun) -> Response<Body> {
    let UrlRun {
        secret,
        method,
        base_url: request_base,
        backfill,
    } = request;
    if method.as_deref().is_some_and(|m| m != "GET") {
        return HttpError::MethodNotAllowed { allow: "GET" }.to_json();
    }
    let params = Params::from_pairs(secret.map(|s| ("secret".to_owned(), s)).into_iter().collect());
    if let Err(err) = super::access::require_secret(&params, deps.config) {
        return err.to_json();
    }
    let base_url = deps.config.base_url.clone().or(request_base);
    match monitor::run_within(
        deps,
        now,
        base_url.as_deref(),
        run_id,
        backfill,
        Some(monitor::URL_BUDGET),
    )
    .await
    {
        Ok(summary) => summary_response(&summary),
        Err(err) => HttpError::from(err).to_json(),
    }
}

fn summary_response(summary: &Summary) -> Response<Body> {
    tracing::info!(?summary, "monitor run by URL");
    response::json(StatusCode::OK, &json!(summary))
}

/// The API Gateway proxy-integration form of a response.
pub fn proxy_response(res: Response<Body>) -> Value {
    let headers: serde_json::Map<String, Value> = res
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), Value::String(v.to_str().ok()?.to_owned()))))
        .collect();
    let body = match res.body() {
        Body::Text(text) => text.clone(),
        Body::Binary(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        _ => String::new(),
    };
    json!({ "statusCode": res.status().as_u16(), "headers": headers, "body": body, "isBase64Encoded": false })
}

/// A fresh id for one run, used to tell its leases from another run's.
pub fn new_run_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}
