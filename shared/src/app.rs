//! What a function builds once at cold start: configuration, the table client and the notifier.

use crate::config::{Config, ConfigError};
use crate::slack::{LogNotifier, Notifier, WebhookConfigError, WebhookNotifier};
use crate::store::{DynamoStore, sdk_config};

pub struct App {
    pub config: Config,
    pub store: DynamoStore,
    pub notifier: Box<dyn Notifier>,
}

#[derive(Debug, thiserror::Error)]
pub enum BootError {
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Slack(#[from] WebhookConfigError),
}

impl App {
    pub async fn from_env() -> Result<Self, BootError> {
        let config = Config::from_env()?;
        let client = aws_sdk_dynamodb::Client::new(&sdk_config().await);
        Self::with_client(config, client)
    }

    pub fn with_client(config: Config, client: aws_sdk_dynamodb::Client) -> Result<Self, BootError> {
        let notifier: Box<dyn Notifier> = match &config.slack_webhook_url {
            Some(url) => Box::new(WebhookNotifier::new(url.clone(), config.slack_timeout)?),
            None => {
                tracing::info!("SLACK_WEBHOOK_URL is not set: alerts are logged, not sent");
                Box::new(LogNotifier)
            }
        };
        let store = DynamoStore::new(client, config.table_name.clone());
        Ok(Self {
            config,
            store,
            notifier,
        })
    }

    /// Functions serve until the process ends, so the app is built once and borrowed forever.
    pub fn leak(self) -> &'static App {
        Box::leak(Box::new(self))
    }
}
