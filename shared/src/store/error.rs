//! What can go wrong talking to the table, sorted by what the caller should do about it.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Worth retrying later: network trouble, throttling, a missing table, the service itself.
    #[error("the table cannot be reached right now: {0}")]
    Unavailable(String),
    /// Anything else; a bug or a misconfiguration.
    #[error("the table request failed: {0}")]
    Failed(String),
}
