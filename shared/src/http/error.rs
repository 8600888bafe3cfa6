//! The HTTP boundary's errors: what went wrong, told to the caller in words they can act on.
//! Unexpected failures answer with a generic body; their cause goes to the log only.

use super::response;
use crate::pages::{ErrorView, render_error};
use crate::store::StoreError;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};

/// How long a client should wait before retrying when the table is unreachable.
const RETRY_AFTER_SECONDS: u32 = 30;

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    /// Wrong or missing secret: deliberately says nothing more.
    #[error("this link is not valid")]
    Forbidden,
    #[error("{0}")]
    NotFound(String),
    #[error("this address accepts {allow} only")]
    MethodNotAllowed { allow: &'static str },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A setting the operator must provide is missing.
    #[error("the service is not configured: {0}")]
    NotConfigured(String),
    #[error("the pulse table cannot be reached right now; try again in {RETRY_AFTER_SECONDS} seconds")]
    Unavailable,
    #[error("something went wrong on our side; it has been logged")]
    Internal,
}

impl From<StoreError> for HttpError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "table unavailable");
                HttpError::Unavailable
            }
            StoreError::Failed(cause) => {
                tracing::error!(%cause, "table request failed");
                HttpError::Internal
            }
        }
    }
}

impl HttpError {
    pub fn status(&self) -> StatusCode {
        match self {
            HttpError::BadRequest(_) => StatusCode::BAD_REQUEST,
            HttpError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            HttpError::Forbidden => StatusCode::FORBIDDEN,
            HttpError::NotFound(_) => StatusCode::NOT_FOUND,
            HttpError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            HttpError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            HttpError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            HttpError::NotConfigured(_) | HttpError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            HttpError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            HttpError::BadRequest(_) => "Bad request",
            HttpError::Unauthorized(_) => "Key required",
            HttpError::Forbidden => "Not allowed",
            HttpError::NotFound(_) => "Not found",
            HttpError::MethodNotAllowed { .. } => "Method not allowed",
            HttpError::PayloadTooLarge(_) => "Request too large",
            HttpError::UnsupportedMediaType(_) => "Unsupported content type",
            HttpError::NotConfigured(_) => "Not configured",
            HttpError::Unavailable => "Temporarily unavailable",
            HttpError::Internal => "Internal error",
        }
    }

    /// Headers that belong to the status: `Allow`, `Retry-After`, `WWW-Authenticate`.
    fn decorate(&self, mut res: Response<Body>) -> Response<Body> {
        let headers = res.headers_mut();
        match self {
            HttpError::MethodNotAllowed { allow } => {
                headers.insert("allow", allow.parse().expect("static header value"));
            }
            HttpError::Unavailable => {
                headers.insert("retry-after", RETRY_AFTER_SECONDS.into());
            }
            HttpError::Unauthorized(_) => {
                headers.insert("www-authenticate", "Bearer".parse().expect("static header value"));
            }
            _ => {}
        }
        res
    }

    /// For machine clients (the pulse endpoint): one line of plain text.
    pub fn to_text(&self) -> Response<Body> {
        self.decorate(response::text(self.status(), &format!("{}: {self}\n", self.title())))
    }

    /// For people (dashboard and edit): a complete page.
    pub fn to_page(&self) -> Response<Body> {
        let view = ErrorView {
            status: self.status().as_u16(),
            title: self.title().to_owned(),
            message: capitalise(&self.to_string()),
        };
        self.decorate(response::html(self.status(), render_error(&view)))
    }

    /// For the monitor's JSON answers.
    pub fn to_json(&self) -> Response<Body> {
        let body = serde_json::json!({ "error": self.to_string(), "status": self.status().as_u16() });
        self.decorate(response::json(self.status(), &body))
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
        None => String::new(),
    }
}
