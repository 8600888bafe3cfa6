//! `GET /heartbeat/dashboard?secret=S`: every pulse in one sortable table, exceeded ones marked.

use super::access::require_secret;
use super::views::dashboard_view;
use crate::config::Config;
use crate::http::{HttpError, params, response};
use crate::pages::render_dashboard;
use crate::store::PulseReader;
use chrono::{DateTime, Utc};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

pub async fn dashboard(req: Request, store: &dyn PulseReader, config: &Config, now: DateTime<Utc>) -> Response<Body> {
    match render(&req, store, config, now).await {
        Ok(page) => response::html(StatusCode::OK, page),
        Err(err) => err.to_page(),
    }
}

async fn render(
    req: &Request,
    store: &dyn PulseReader,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<String, HttpError> {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return Err(HttpError::MethodNotAllowed { allow: "GET" });
    }
    let params = params::query(req)?;
    let secret = require_secret(&params, config)?;
    let listing = store.list().await?;
    Ok(render_dashboard(&dashboard_view(&listing, config, secret, now)))
}
