//! What a DynamoDB call can end in, and which endings are worth another attempt: the same sorting
//! the SDK's standard retry mode does (throttling, the service's own trouble, the network).

use std::fmt;

#[derive(Debug)]
pub enum WireError {
    /// DynamoDB answered with an error: `code` is the part of `__type` after `#`.
    Service { status: u16, code: String, message: String },
    /// The request never got an answer: connecting, sending or reading failed.
    Transport(Box<dyn std::error::Error + Send + Sync>),
    /// An attempt, or the whole call with its retries, ran out of time.
    Timeout(&'static str),
    /// The request could not be built or signed, or the answer could not be read.
    Local(String),
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
const TRANSIENT: &[&str] = &[
    "InternalServerError",
    "ServiceUnavailable",
    "RequestTimeout",
    "RequestTimeoutException",
];

/// Whether DynamoDB's error `code` says to try again later: throttling or the service's own passing
/// trouble. The one list for both clients (`store::error::classify` asks it for the SDK's errors).
pub fn is_transient_code(code: &str) -> bool {
    THROTTLING.contains(&code) || TRANSIENT.contains(&code)
}

impl WireError {
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Another attempt may succeed: throttling, a 5xx, the network, an attempt's timeout.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Service { status, code, .. } => *status >= 500 || is_transient_code(code),
            Self::Transport(_) | Self::Timeout(_) => true,
            Self::Local(_) => false,
        }
    }

    /// An error body: `{"__type": "com.amazonaws.dynamodb.v20120810#Code", "message": "…"}`.
    pub fn from_answer(status: u16, body: &[u8]) -> Self {
        #[derive(serde::Deserialize, Default)]
        struct Body {
            #[serde(rename = "__type", default)]
            kind: String,
            #[serde(alias = "Message", default)]
            message: String,
        }
        let body: Body = serde_json::from_slice(body).unwrap_or_default();
        let code = body.kind.rsplit('#').next().unwrap_or_default();
        let code = if code.is_empty() {
            format!("HTTP {status}")
        } else {
            code.to_owned()
        };
        Self::Service {
            status,
            code,
            message: body.message,
        }
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Service { status, code, message } if message.is_empty() => {
                write!(f, "DynamoDB answered {status} {code}")
            }
            Self::Service { status, code, message } => write!(f, "DynamoDB answered {status} {code}: {message}"),
            Self::Transport(err) => write!(f, "DynamoDB could not be reached: {err}"),
            Self::Timeout(what) => write!(f, "DynamoDB did not answer in time ({what})"),
            Self::Local(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for WireError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport(err) => Some(err.as_ref()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_read_from_the_type() {
        let err = WireError::from_answer(
            400,
            br#"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}"#,
        );
        assert_eq!(err.code(), Some("ConditionalCheckFailedException"));
        assert!(!err.is_retryable());
        assert_eq!(
            err.to_string(),
            "DynamoDB answered 400 ConditionalCheckFailedException: The conditional request failed"
        );
    }

    #[test]
    fn throttling_and_server_trouble_are_retried_and_bad_requests_are_not() {
        let throttled = WireError::from_answer(
            400,
            br#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","Message":"slow down"}"#,
        );
        assert!(throttled.is_retryable());
        assert!(WireError::from_answer(503, b"").is_retryable());
        let missing = WireError::from_answer(
            400,
            br#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#,
        );
        assert!(!missing.is_retryable());
        assert_eq!(WireError::from_answer(502, b"<html>").code(), Some("HTTP 502"));
    }

    #[test]
    fn one_list_of_codes_says_what_is_transient_for_both_clients() {
        for code in [
            "ThrottlingException",
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
