//! The monitor function's edge. It is invoked three ways: by API Gateway (`GET
//! /heartbeat/monitor?secret=S`), by an EventBridge schedule, and with the original README's constant
//! input `{"queryStringParameters":{"secret":"S"}}`. The first and last need the secret and get an API
//! Gateway–style JSON answer; the schedule needs no secret (only the rule can invoke the function).
//! The shapes and their answers are typed in `invocation`.

use super::invocation::{MonitorAnswer, MonitorEvent};
use crate::http::{HttpError, Params, response};
use crate::monitor::{self, Summary};
use chrono::{DateTime, Datelike, Timelike, Utc, Weekday};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde_json::{Value, json};

pub use crate::monitor::MonitorDeps;

#[derive(Debug, Clone, PartialEq)]
pub enum Invocation {
    /// `backfill`: also bring pulses outside the due index into it (a full scan), on the Sunday runs at
    /// 00:00, 06:00, 12:00 and 18:00 UTC (by the event's time; see [`sunday_backfill`]).
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

/// Whether a scheduled run at `at` also does the full backfill. The original's Sunday cron fires at
/// 06:00, 12:00 and 18:00 UTC, so those runs keep the backfill they always had; on the one-minute
/// schedule, whose per-run sweep already finds other writers' items within the hour, the same rule
/// makes 4 full scans a week instead of 1,440.
pub fn sunday_backfill(at: DateTime<Utc>) -> bool {
    at.weekday() == Weekday::Sun && at.minute() == 0 && at.hour() % 6 == 0
}

pub fn classify(event: &MonitorEvent) -> Invocation {
    match event {
        MonitorEvent::Scheduled(scheduled) => {
            if scheduled.source != "aws.events" && scheduled.detail_type != "Scheduled Event" {
                return Invocation::Unknown;
            }
            Invocation::Scheduled {
                backfill: scheduled.time.is_some_and(sunday_backfill) || scheduled.detail.backfill,
            }
        }
        MonitorEvent::HttpApi(request) => {
            let context = &request.request_context;
            Invocation::ByUrl(url_run(
                event,
                Some(context.http.method.as_str()),
                base_url(context.domain_name.as_deref(), context.stage.as_deref()),
            ))
        }
        MonitorEvent::RestApi(request) => {
            let context = &request.request_context;
            Invocation::ByUrl(url_run(
                event,
                Some(request.http_method.as_str()),
                base_url(context.domain_name.as_deref(), context.stage.as_deref()),
            ))
        }
        MonitorEvent::ConstantInput(_) => Invocation::ByUrl(url_run(event, None, None)),
        MonitorEvent::Unknown(_) => Invocation::Unknown,
    }
}

fn url_run(event: &MonitorEvent, method: Option<&str>, base_url: Option<String>) -> UrlRun {
    UrlRun {
        secret: event.query_parameter("secret"),
        method: method.map(str::to_owned),
        base_url,
        backfill: event.query_parameter("backfill").as_deref() == Some("1"),
    }
}

/// `https://{domainName}/{stage}` as the caller reached us: REST API stages are a path prefix, HTTP
/// API's `$default` stage is none. Custom domains map the stage away, so prefer BASE_URL.
fn base_url(domain: Option<&str>, stage: Option<&str>) -> Option<String> {
    let domain = domain?;
    Some(match stage {
        None | Some("$default") => format!("https://{domain}"),
        Some(stage) => format!("https://{domain}/{stage}"),
    })
}

/// Handles one invocation from its JSON, as the local runtime and tests hand it over.
pub async fn monitor_event(
    event: Value,
    deps: &MonitorDeps<'_>,
    now: DateTime<Utc>,
    run_id: &str,
) -> Result<Value, MonitorFailure> {
    handle(event, deps, now, run_id)
        .await?
        .to_json()
        .map_err(|e| MonitorFailure(format!("the answer cannot be encoded: {e}")))
}

/// Handles one invocation: a schedule gets the run's summary, an HTTP-shaped event an API Gateway
/// response of its own version.
pub async fn handle(
    event: impl Into<MonitorEvent>,
    deps: &MonitorDeps<'_>,
    now: DateTime<Utc>,
    run_id: &str,
) -> Result<MonitorAnswer, MonitorFailure> {
    let event = event.into();
    let form = event.answer_form();
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
            Ok(MonitorAnswer::Summary(summary))
        }
        Invocation::ByUrl(request) => Ok(form.answer(by_url(deps, now, run_id, request).await)),
        Invocation::Unknown => {
            let err = HttpError::BadRequest(
                "the monitor expects an EventBridge scheduled event or an API Gateway request with ?secret=…".into(),
            );
            Ok(form.answer(err.to_json()))
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

/// A fresh id for one run, used to tell its leases from another run's.
pub fn new_run_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}
