//! The dashboard secret: pages and the monitor-by-URL open only for the right `secret`.

use crate::config::{Config, Secret};
use crate::http::{HttpError, Params, params};
use lambda_http::Request;
use lambda_http::http::Method;

/// A page that shows on GET (and HEAD) and changes something only on POST, behind the secret: whether
/// this is the POST, the query, and the secret. A GET never changes state (link scanners fetch links).
pub fn secret_page<'c>(req: &Request, config: &'c Config) -> Result<(bool, Params, &'c Secret), HttpError> {
    let is_post = match *req.method() {
        Method::GET | Method::HEAD => false,
        Method::POST => true,
        _ => return Err(HttpError::MethodNotAllowed { allow: "GET, POST" }),
    };
    let query = params::query(req)?;
    let secret = require_secret(&query, config)?;
    Ok((is_post, query, secret))
}

/// The configured secret, after checking the request carries it. Wrong and missing secrets give the
/// same answer; an unconfigured one closes the pages with a 503 that says what to set.
pub fn require_secret<'c>(params: &Params, config: &'c Config) -> Result<&'c Secret, HttpError> {
    let Some(secret) = &config.dashboard_secret else {
        return Err(HttpError::NotConfigured(
            "set DASHBOARD_SECRET to open the dashboard".into(),
        ));
    };
    // A repeated secret is treated as a wrong one rather than a bad request, to reveal nothing.
    match params.single("secret") {
        Ok(Some(given)) if secret.matches(given) => Ok(secret),
        _ => Err(HttpError::Forbidden),
    }
}
