//! What each function builds once at cold start, and only that: its configuration (secrets from SSM
//! when their `_PARAMETER` variable names one), the table client, and for the monitor the notifier.
//! A function's `main` owns the result and lends it to every invocation.

use crate::api::Keys;
use crate::config::{Config, ConfigError, Uses};
use crate::handlers::MonitorDeps;
use crate::slack::{LogNotifier, Notifier, WebhookConfigError, WebhookNotifier};
use crate::store::{DynamoStore, sdk_config};
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum BootError {
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Slack(#[from] WebhookConfigError),
}

/// The AWS clients a function may use; building one does no I/O.
pub struct Clients {
    pub dynamo: aws_sdk_dynamodb::Client,
    pub ssm: aws_sdk_ssm::Client,
}

impl Clients {
    /// Region and credentials from the Lambda environment.
    pub async fn from_env() -> Self {
        let aws = sdk_config().await;
        Self {
            dynamo: aws_sdk_dynamodb::Client::new(&aws),
            ssm: aws_sdk_ssm::Client::new(&aws),
        }
    }
}

/// The process environment as the configuration reads it.
pub fn env_vars() -> HashMap<String, String> {
    std::env::vars().collect()
}

/// `GET|POST /heartbeat/pulse`: the pulse settings and the table.
pub struct PulseApp {
    pub config: Config,
    pub store: DynamoStore,
}

/// The dashboard and the edit pages: the dashboard secret, the default time zone and the table.
pub struct PagesApp {
    pub config: Config,
    pub store: DynamoStore,
}

/// The monitor: everything about alerting, the table and the notifier.
pub struct MonitorApp {
    pub config: Config,
    pub store: DynamoStore,
    pub notifier: Box<dyn Notifier>,
}

impl PulseApp {
    pub async fn from_env() -> Result<Self, BootError> {
        Self::build(env_vars(), Clients::from_env().await).await
    }

    pub async fn build(vars: HashMap<String, String>, clients: Clients) -> Result<Self, BootError> {
        let config = config(Uses::Pulse, vars, &clients.ssm).await?;
        let store = DynamoStore::new(clients.dynamo, config.table_name.clone())
            .with_config_table(config.config_table_name.clone())
            .with_events_table(config.events_table_name.clone());
        Ok(Self { config, store })
    }
}

impl PagesApp {
    pub async fn from_env() -> Result<Self, BootError> {
        Self::build(env_vars(), Clients::from_env().await).await
    }

    pub async fn build(vars: HashMap<String, String>, clients: Clients) -> Result<Self, BootError> {
        let config = config(Uses::Pages, vars, &clients.ssm).await?;
        let store = DynamoStore::new(clients.dynamo, config.table_name.clone())
            .with_config_table(config.config_table_name.clone())
            .with_events_table(config.events_table_name.clone());
        Ok(Self { config, store })
    }
}

/// The JSON API (`Uses::Api`) and the badges (`Uses::Badge`): the pages' settings and the keys of
/// their routes, each from its variable or from the SSM parameter its `_PARAMETER` variable names.
pub struct KeyedApp {
    pub config: Config,
    pub store: DynamoStore,
    pub keys: Keys,
}

impl KeyedApp {
    pub async fn from_env(uses: Uses) -> Result<Self, BootError> {
        Self::build(uses, env_vars(), Clients::from_env().await).await
    }

    pub async fn build(uses: Uses, mut vars: HashMap<String, String>, clients: Clients) -> Result<Self, BootError> {
        crate::secrets::resolve(&mut vars, uses.secrets(), &clients.ssm).await?;
        let config = Config::for_function(uses, &vars)?;
        let keys = Keys::for_function(uses, &vars);
        let store = DynamoStore::new(clients.dynamo, config.table_name.clone())
            .with_config_table(config.config_table_name.clone())
            .with_events_table(config.events_table_name.clone());
        Ok(Self { config, store, keys })
    }
}

impl MonitorApp {
    pub async fn from_env() -> Result<Self, BootError> {
        Self::build(env_vars(), Clients::from_env().await).await
    }

    pub async fn build(vars: HashMap<String, String>, clients: Clients) -> Result<Self, BootError> {
        let config = config(Uses::Monitor, vars, &clients.ssm).await?;
        let notifier = notifier(&config)?;
        let store = DynamoStore::new(clients.dynamo, config.table_name.clone())
            .with_config_table(config.config_table_name.clone())
            .with_events_table(config.events_table_name.clone());
        Ok(Self {
            config,
            store,
            notifier,
        })
    }

    /// What a monitor run borrows.
    pub fn deps(&self) -> MonitorDeps<'_> {
        MonitorDeps {
            ledger: &self.store,
            notifier: self.notifier.as_ref(),
            config: &self.config,
        }
    }
}

/// Every route in one process, as the local runtime serves them: a configuration of
/// [`Uses::Everything`], the table and the notifier.
pub struct App {
    pub config: Config,
    pub store: DynamoStore,
    pub notifier: Box<dyn Notifier>,
}

impl App {
    pub fn with_client(config: Config, client: aws_sdk_dynamodb::Client) -> Result<Self, BootError> {
        let notifier = notifier(&config)?;
        let store = DynamoStore::new(client, config.table_name.clone())
            .with_config_table(config.config_table_name.clone())
            .with_events_table(config.events_table_name.clone());
        Ok(Self {
            config,
            store,
            notifier,
        })
    }
}

/// Slack when a webhook is set; otherwise alerts are only logged.
fn notifier(config: &Config) -> Result<Box<dyn Notifier>, WebhookConfigError> {
    Ok(match &config.slack_webhook_url {
        Some(url) => Box::new(WebhookNotifier::new(url.clone(), config.slack_timeout)?),
        None => {
            tracing::info!("SLACK_WEBHOOK_URL is not set: alerts are logged, not sent");
            Box::new(LogNotifier)
        }
    })
}

/// The function's settings: its secrets first (from SSM where a parameter is named), then parsing.
async fn config(
    uses: Uses,
    mut vars: HashMap<String, String>,
    ssm: &aws_sdk_ssm::Client,
) -> Result<Config, ConfigError> {
    crate::secrets::resolve(&mut vars, uses.secrets(), ssm).await?;
    Config::for_function(uses, &vars)
}
