//! The API's errors: `{"error": "…", "field": "…"}` as `application/json`, with the status that
//! says what kind of problem it is. Unexpected failures keep their cause in the log.

use crate::http::{HttpError, response};
use crate::model::FieldError;
use crate::store::StoreError;
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Response};

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub error: String,
    /// The parameter or body member at fault, when one is.
    pub field: Option<String>,
    /// For 405: the methods the path accepts.
    pub allow: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, error: impl Into<String>) -> Self {
        Self {
            status,
            error: error.into(),
            field: None,
            allow: None,
        }
    }

    pub fn bad(field: &str, error: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_owned()),
            ..Self::new(StatusCode::BAD_REQUEST, error)
        }
    }

    /// A field's problem in the words the edit page uses, prefixed with the field's name.
    pub fn field(err: &FieldError) -> Self {
        Self::bad(err.field, format!("{} {}", err.field, err.problem))
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, what)
    }

    pub fn method(allow: &'static str) -> Self {
        Self {
            allow: Some(allow),
            ..Self::new(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("this resource accepts {allow} only"),
            )
        }
    }

    pub fn to_response(&self) -> Response<Body> {
        let mut body = serde_json::json!({ "error": self.error });
        if let Some(field) = &self.field {
            body["field"] = field.clone().into();
        }
        let mut res = response::json(self.status, &body);
        let headers = res.headers_mut();
        if let Some(allow) = self.allow {
            headers.insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE && self.field.is_none() {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
        }
        res
    }
}

impl From<HttpError> for ApiError {
    fn from(err: HttpError) -> Self {
        let allow = match &err {
            HttpError::MethodNotAllowed { allow } => Some(*allow),
            _ => None,
        };
        Self {
            allow,
            ..Self::new(err.status(), err.to_string())
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        HttpError::from(err).into()
    }
}
