//! `GET /heartbeat/export.csv?secret=S`: every pulse as CSV, linked from the dashboard.

use super::access::require_secret;
use crate::config::Config;
use crate::export;
use crate::http::{HttpError, params};
use crate::store::PulseReader;
use chrono::{DateTime, Utc};
use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};

pub async fn export_csv(req: Request, store: &dyn PulseReader, config: &Config, now: DateTime<Utc>) -> Response<Body> {
    let run = async {
        if !matches!(*req.method(), Method::GET | Method::HEAD) {
            return Err(HttpError::MethodNotAllowed { allow: "GET" });
        }
        let params = params::query(&req)?;
        require_secret(&params, config)?;
        let listing = store.list().await?;
        Ok(export::response(&export::csv(
            &listing.pulses,
            config.default_timezone,
            now,
        )))
    };
    run.await.unwrap_or_else(|err: HttpError| err.to_text())
}
