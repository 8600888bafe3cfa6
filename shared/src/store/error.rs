//! What can go wrong talking to the table, sorted by what the caller should do about it.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Worth retrying later: network trouble, throttling, a missing table, the service itself.
    #[error("the table cannot be reached right now: {0}")]
    Unavailable(String),
    /// Anything else; a bug or a misconfiguration.
    #[error("the table request failed: {0}")]
    Failed(String),
}

pub fn is_condition_failure<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    matches!(err, SdkError::ServiceError(service) if service.err().code() == Some("ConditionalCheckFailedException"))
}

/// Transient trouble becomes `Unavailable` (the caller answers 503 and tries again later).
pub fn classify<E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static, R: std::fmt::Debug>(
    err: SdkError<E, R>,
) -> StoreError {
    const TRANSIENT: &[&str] = &[
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    ];
    // A missing table (ResourceNotFoundException) is not transient: a wrong TABLE_NAME must show
    // as an error in the log, not as "try again in 30 seconds" forever.
    let detail = aws_sdk_dynamodb::error::DisplayErrorContext(&err).to_string();
    match &err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            StoreError::Unavailable(detail)
        }
        SdkError::ServiceError(service) if service.err().code().is_some_and(|c| TRANSIENT.contains(&c)) => {
            StoreError::Unavailable(detail)
        }
        _ => StoreError::Failed(detail),
    }
}
