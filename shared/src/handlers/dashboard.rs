//! `GET /heartbeat/dashboard?secret=S[&page=N]`: the pulses in one sortable table, exceeded ones
//! marked; beyond 10,000 pulses in pages of 10,000, most overdue first.

use super::access::require_secret;
use super::views::dashboard_view;
use crate::config::Config;
use crate::http::{HttpError, params, response};
use crate::pages::{parse_page, render_dashboard};
use crate::store::config::{CalendarStore, load_book};
use crate::store::{MaintenanceStore, PulseReader};
use chrono::{DateTime, Utc};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

/// What the dashboard reads: the pulses, the maintenance windows for the `maintenance` status and
/// the holiday calendars the pulses are judged by.
pub trait DashboardStore: PulseReader + MaintenanceStore + CalendarStore {}

impl<T: PulseReader + MaintenanceStore + CalendarStore> DashboardStore for T {}

pub async fn dashboard(
    req: Request,
    store: &dyn DashboardStore,
    config: &Config,
    now: DateTime<Utc>,
) -> Response<Body> {
    match render(&req, store, config, now).await {
        Ok(page) if accepts_gzip(&req) => response::gzip(response::html(StatusCode::OK, page)),
        Ok(page) => response::html(StatusCode::OK, page),
        Err(err) => err.to_page(),
    }
}

/// A page holds at most 10,000 rows of about 200 bytes (2 MB, within Lambda's 6 MB response limit);
/// compressed, it is a twelfth of that.
fn accepts_gzip(req: &Request) -> bool {
    req.headers()
        .get_all(lambda_http::http::header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                matches!(
                    p.trim().replace(' ', "").as_str(),
                    "q=0" | "q=0.0" | "q=0.00" | "q=0.000"
                )
            });
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

async fn render(
    req: &Request,
    store: &dyn DashboardStore,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<String, HttpError> {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return Err(HttpError::MethodNotAllowed { allow: "GET" });
    }
    let params = params::query(req)?;
    let secret = require_secret(&params, config)?;
    let page = parse_page(params.single("page")?).map_err(HttpError::BadRequest)?;
    let listing = store.list().await?;
    let windows = store.windows().await?;
    let book = load_book(store, config, !listing.pulses.is_empty()).await?;
    Ok(render_dashboard(&dashboard_view(
        &listing, &windows, &book, config, secret, now, page,
    )))
}
