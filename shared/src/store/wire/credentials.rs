//! The signing identity, resolved once and kept until shortly before it expires: the SDK resolves
//! it through its identity cache on every request; here it is one read lock in the common case.

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_runtime_api::client::identity::Identity;
use std::time::{Duration, SystemTime};
use tokio::sync::RwLock;

/// Credentials are renewed this long before they expire, so a request never signs with stale ones.
const RENEW_BEFORE: Duration = Duration::from_secs(5 * 60);
/// Credentials without an expiry (environment variables, as on Lambda) are read again this often.
const REREAD_EVERY: Duration = Duration::from_secs(15 * 60);

pub enum Source {
    /// Fixed credentials (the local runtime's dynalite).
    Fixed(Identity),
    /// The SDK's provider chain (Lambda's environment, profiles, the container endpoint).
    Provider(SharedCredentialsProvider, RwLock<Option<(Identity, SystemTime)>>),
    /// The environment has none: every call says so.
    Missing,
}

impl Source {
    pub fn fixed(credentials: Credentials) -> Self {
        Self::Fixed(credentials.into())
    }

    pub fn provider(provider: SharedCredentialsProvider) -> Self {
        Self::Provider(provider, RwLock::new(None))
    }

    pub async fn identity(&self, now: SystemTime) -> Result<Identity, String> {
        let (provider, cache) = match self {
            Self::Fixed(identity) => return Ok(identity.clone()),
            Self::Provider(provider, cache) => (provider, cache),
            Self::Missing => {
                return Err("no AWS credentials were found to sign the DynamoDB request with (on Lambda, the function's role provides them; locally, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or a profile)".into());
            }
        };
        if let Some((identity, renew_at)) = cache.read().await.as_ref()
            && now < *renew_at
        {
            return Ok(identity.clone());
        }
        let mut slot = cache.write().await;
        // Another request may have renewed them while this one waited for the lock.
        if let Some((identity, renew_at)) = slot.as_ref()
            && now < *renew_at
        {
            return Ok(identity.clone());
        }
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(|e| format!("no AWS credentials to sign the DynamoDB request with: {e}"))?;
        let renew_at = renew_at(credentials.expiry(), now);
        let identity = Identity::from(credentials);
        *slot = Some((identity.clone(), renew_at));
        Ok(identity)
    }
}

/// When credentials read at `now` are read again: before they expire, or after a while.
fn renew_at(expiry: Option<SystemTime>, now: SystemTime) -> SystemTime {
    match expiry {
        Some(expiry) => expiry.checked_sub(RENEW_BEFORE).unwrap_or(now).max(now),
        None => now + REREAD_EVERY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug, Clone, Default)]
    struct Counting(Arc<AtomicUsize>, Option<SystemTime>);

    impl ProvideCredentials for Counting {
        fn provide_credentials<'a>(&'a self) -> aws_credential_types::provider::future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            let n = self.0.fetch_add(1, Ordering::SeqCst);
            let credentials = Credentials::new(format!("key{n}"), "secret", None, self.1, "test");
            aws_credential_types::provider::future::ProvideCredentials::ready(Ok(credentials))
        }
    }

    fn key(identity: &Identity) -> String {
        identity
            .data::<Credentials>()
            .expect("credentials")
            .access_key_id()
            .to_owned()
    }

    #[tokio::test]
    async fn credentials_are_read_once_and_renewed_before_they_expire() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let calls = Counting(Arc::default(), Some(t0 + Duration::from_secs(3600)));
        let source = Source::provider(SharedCredentialsProvider::new(calls.clone()));
        assert_eq!(key(&source.identity(t0).await.unwrap()), "key0");
        assert_eq!(
            key(&source.identity(t0 + Duration::from_secs(3000)).await.unwrap()),
            "key0"
        );
        assert_eq!(calls.0.load(Ordering::SeqCst), 1);
        // 56 minutes in: within five minutes of the expiry, so renewed.
        assert_eq!(
            key(&source.identity(t0 + Duration::from_secs(3360)).await.unwrap()),
            "key1"
        );
    }

    #[test]
    fn credentials_without_an_expiry_are_read_again_after_a_while() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert_eq!(renew_at(None, now), now + REREAD_EVERY);
        // Already within the margin: renewed on the next request.
        assert_eq!(renew_at(Some(now + Duration::from_secs(60)), now), now);
    }
}
