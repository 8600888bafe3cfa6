//! The SDK's HTTPS client, made on its first request rather than when a client is built.
//!
//! The SDK's default client reads and parses every trusted root certificate of the system (about
//! 150, from `/etc/ssl/certs`) when a client built on it is validated, and loading the configuration
//! builds one (the default chain's web identity provider makes an STS client, which a function with
//! its credentials in the environment never uses). With this client the certificates are read once,
//! by the first request that needs a connection (docs/PERFORMANCE.md, "Cold start", has the figures).
//!
//! The connector is the default's: rustls with aws-lc and the system's roots, the request's
//! timeouts, the runtime's sleep, and a proxy from `HTTPS_PROXY`/`NO_PROXY` when they are set.

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, ConnectorBuilder};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector};
use aws_smithy_runtime_api::client::runtime_components::{RuntimeComponents, RuntimeComponentsBuilder};
use aws_smithy_types::config_bag::ConfigBag;

/// The client every SDK client of a function shares (`aws_config`'s loader passes it on). Built as
/// the SDK builds its default, through `build_with_connector_fn` (public but hidden from the docs,
/// hence the exact version pinned in the workspace).
pub fn on_first_request() -> SharedHttpClient {
    SharedHttpClient::new(OnFirstRequest(Builder::new().build_with_connector_fn(
        |settings, components| {
            let mut connector = ConnectorBuilder::default().tls_provider(Provider::Rustls(CryptoMode::AwsLc));
            connector.set_connector_settings(settings.cloned());
            if let Some(components) = components {
                connector.set_sleep_impl(components.sleep_impl());
            }
            connector.set_proxy_config(Some(ProxyConfig::from_env()));
            connector.build()
        },
    )))
}

/// Another client with its validation left out: the SDK's hyper client makes its connector (and
/// reads the certificates) when a client built on it is validated, so that the first request is
/// not the slow one. `http_connector` still makes and caches it, once, on the first request.
#[derive(Debug)]
struct OnFirstRequest(SharedHttpClient);

impl HttpClient for OnFirstRequest {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        self.0.http_connector(settings, components)
    }

    fn validate_base_client_config(&self, _: &RuntimeComponentsBuilder, _: &ConfigBag) -> Result<(), BoxError> {
        Ok(())
    }

    fn validate_final_config(&self, components: &RuntimeComponents, cfg: &ConfigBag) -> Result<(), BoxError> {
        self.0.validate_final_config(components, cfg)
    }

    fn connector_metadata(&self) -> Option<aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata> {
        self.0.connector_metadata()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorFuture};
    use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Counts the connectors made and the validations asked for.
    #[derive(Debug, Default)]
    struct Counting {
        connectors: AtomicUsize,
        validations: AtomicUsize,
    }

    #[derive(Debug)]
    struct Never;

    impl HttpConnector for Never {
        fn call(&self, _: HttpRequest) -> HttpConnectorFuture {
            HttpConnectorFuture::ready(Err(aws_smithy_runtime_api::client::result::ConnectorError::other(
                "not in this test".into(),
                None,
            )))
        }
    }

    #[derive(Debug)]
    struct Inner(Arc<Counting>);

    impl HttpClient for Inner {
        fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
            self.0.connectors.fetch_add(1, Ordering::SeqCst);
            SharedHttpConnector::new(Never)
        }

        fn validate_base_client_config(&self, _: &RuntimeComponentsBuilder, _: &ConfigBag) -> Result<(), BoxError> {
            self.0.validations.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }

    #[test]
    fn building_a_client_makes_no_connector_and_the_first_request_makes_one() {
        let counts = Arc::new(Counting::default());
        let client = OnFirstRequest(SharedHttpClient::new(Inner(counts.clone())));
        let builder = RuntimeComponentsBuilder::for_tests();
        client
            .validate_base_client_config(&builder, &ConfigBag::base())
            .unwrap();
        assert_eq!(
            counts.validations.load(Ordering::SeqCst),
            0,
            "the inner client's validation is left out"
        );
        assert_eq!(counts.connectors.load(Ordering::SeqCst), 0);

        let components = RuntimeComponentsBuilder::for_tests().build().unwrap();
        client.http_connector(&HttpConnectorSettings::default(), &components);
        assert_eq!(
            counts.connectors.load(Ordering::SeqCst),
            1,
            "a request still gets the inner client's connector"
        );
    }
}
