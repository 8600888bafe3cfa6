//! What can go wrong talking to the table, sorted by what the caller should do about it.

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use std::error::Error;
use std::fmt;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Worth retrying later: network trouble, throttling, the service itself.
    #[error("the table cannot be reached right now: {0}")]
    Unavailable(#[source] Cause),
    /// Anything else; a bug or a misconfiguration.
    #[error("the table request failed: {0}")]
    Failed(#[source] Cause),
}

/// What happened, in one line for the log, with the SDK's error kept as the source so that the
/// whole chain (`{:#}` in tracing, or walking `source()`) is there when someone needs it.
#[derive(Debug)]
pub struct Cause {
    detail: String,
    source: Option<Box<dyn Error + Send + Sync + 'static>>,
}

impl Cause {
    pub fn with_source(detail: impl Into<String>, source: impl Error + Send + Sync + 'static) -> Self {
        Self {
            detail: detail.into(),
            source: Some(Box::new(source)),
        }
    }
}

impl From<&str> for Cause {
    fn from(detail: &str) -> Self {
        detail.to_owned().into()
    }
}

impl From<String> for Cause {
    fn from(detail: String) -> Self {
        Self { detail, source: None }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl Error for Cause {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn Error + 'static))
    }
}

pub fn is_condition_failure<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    matches!(err, SdkError::ServiceError(service) if service.err().code() == Some("ConditionalCheckFailedException"))
}

/// Error codes DynamoDB sends when it wants the caller to slow down.
const THROTTLING: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "Throttling",
    "LimitExceededException",
    "TransactionInProgressException",
];

/// Error codes of the service's own passing trouble.
const PASSING: &[&str] = &[
    "InternalServerError",
    "ServiceUnavailable",
    "RequestTimeout",
    "RequestTimeoutException",
];

/// Whether DynamoDB's error `code` says to try again later: throttling or the service's own passing
/// trouble. The one list the store sorts errors by.
pub fn is_transient_code(code: &str) -> bool {
    THROTTLING.contains(&code) || PASSING.contains(&code)
}

/// Transient trouble becomes `Unavailable` (the caller answers 503 and tries again later): the
/// network, a timeout, an answer that could not be read, throttling, and the service's own 5xx. The
/// SDK has already retried these (`store/client.rs`); this says what is left when it gave up.
pub fn classify<E>(err: SdkError<E, HttpResponse>) -> StoreError
where
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
{
    // A missing table (ResourceNotFoundException) is not transient: a wrong TABLE_NAME must show
    // as an error in the log, not as "try again in 30 seconds" forever.
    let detail = aws_sdk_dynamodb::error::DisplayErrorContext(&err).to_string();
    let transient = match &err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => true,
        SdkError::ServiceError(service) => {
            service.raw().status().is_server_error() || service.err().code().is_some_and(is_transient_code)
        }
        _ => false,
    };
    let cause = Cause::with_source(detail, err);
    if transient {
        StoreError::Unavailable(cause)
    } else {
        StoreError::Failed(cause)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sdk_error_stays_the_source() {
        let io = std::io::Error::other("connection reset by peer");
        let err = StoreError::Unavailable(Cause::with_source("dispatch failure", io));
        assert_eq!(
            err.to_string(),
            "the table cannot be reached right now: dispatch failure"
        );
        let cause = err.source().expect("the cause");
        let root = cause.source().expect("the I/O error kept as the source");
        assert_eq!(root.to_string(), "connection reset by peer");
    }

    #[test]
    fn one_list_of_codes_says_what_is_transient() {
        for code in [
            "ThrottlingException",
            "ProvisionedThroughputExceededException",
            "RequestLimitExceeded",
            "InternalServerError",
            "RequestTimeout",
        ] {
            assert!(is_transient_code(code), "{code}");
        }
        for code in [
            "ResourceNotFoundException",
            "ValidationException",
            "ConditionalCheckFailedException",
        ] {
            assert!(!is_transient_code(code), "{code}");
        }
    }
}
