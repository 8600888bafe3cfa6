//! `GET /heartbeat/export.csv?secret=S`: every pulse as CSV, linked from the dashboard.

use super::access::require_secret;
use crate::config::Config;
use crate::export;
use crate::http::{HttpError, params};
use crate::store::config::{CalendarStore, load_book};
use crate::store::{MaintenanceStore, PulseReader};
use chrono::{DateTime, Utc};
use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};

/// The status column depends on the maintenance windows and the holiday calendars besides the
/// pulses; `calendars` is `None` only where there is no config table.
pub async fn export_csv(
    req: Request,
    reader: &dyn PulseReader,
    windows: &dyn MaintenanceStore,
    calendars: Option<&dyn CalendarStore>,
    config: &Config,
    now: DateTime<Utc>,
) -> Response<Body> {
    let run = async {
        if !matches!(*req.method(), Method::GET | Method::HEAD) {
            return Err(HttpError::MethodNotAllowed { allow: "GET" });
        }
        let params = params::query(&req)?;
        require_secret(&params, config)?;
        let listing = reader.list().await?;
        let windows = windows.windows().await?;
        let book = match calendars {
            Some(store) => load_book(store, config, !listing.pulses.is_empty()).await?,
            None => Default::default(),
        };
        Ok(export::response(&export::csv(
            &listing.pulses,
            config.default_timezone,
            now,
            &windows,
            &book,
        )))
    };
    run.await.unwrap_or_else(|err: HttpError| err.to_text())
}
