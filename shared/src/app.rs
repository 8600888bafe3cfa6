//! What each function builds once at cold start, and only that: its configuration (secrets from SSM
//! when their `_PARAMETER` variable names one), the table client, and for the monitor the notifier.
//! A function's `main` owns the result and lends it to every invocation.

use crate::api::Keys;
use crate::config::{Config, ConfigError, Uses};
use crate::handlers::MonitorDeps;
use crate::slack::{LogNotifier, Notifier, WebhookConfigError, WebhookNotifier};
use crate::store::config::{CalendarStore, DynamoConfig};
use crate::store::{Dynamo, DynamoStore, sdk_config};
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum BootError {
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Slack(#[from] WebhookConfigError),
    #[error("channels: {0}")]
    Channels(String),
}

/// The channels' side of the monitor and the API: the configuration table (`CONFIG_TABLE_NAME`) and
/// the transports (SES only when `SES_IDENTITY` names the identity email channels send as).
pub struct ChannelApp {
    pub directory: crate::store::config::DynamoConfig,
    pub transport: crate::channels::Transports,
}

impl ChannelApp {
    /// On the configuration table (`Config::config_table_name`, the one maintenance windows use).
    /// With no channel and no route stored there, everything goes to the default webhook.
    pub async fn build(
        table: &str,
        vars: &HashMap<String, String>,
        dynamo: &aws_sdk_dynamodb::Client,
        timeout: std::time::Duration,
    ) -> Result<Self, BootError> {
        let ses = match vars.get("SES_IDENTITY").filter(|t| !t.trim().is_empty()) {
            Some(_) => Some(aws_sdk_sesv2::Client::new(&sdk_config().await)),
            None => None,
        };
        Ok(Self {
            directory: crate::store::config::DynamoConfig::new(dynamo.clone(), table),
            transport: crate::channels::Transports::new(timeout, ses).map_err(BootError::Channels)?,
        })
    }

    pub fn deps(&self) -> crate::monitor::ChannelDeps<'_> {
        crate::monitor::ChannelDeps {
            directory: &self.directory,
            transport: &self.transport,
        }
    }
}

/// The AWS clients a function may use; building one does no I/O.
pub struct Clients {
    pub dynamo: Dynamo,
    pub ssm: aws_sdk_ssm::Client,
}

impl Clients {
    /// Region and credentials from the Lambda environment.
    pub async fn from_env() -> Self {
        let aws = sdk_config().await;
        Self {
            dynamo: Dynamo::from_config(&aws),
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
    /// The holiday calendars (in the config table).
    pub calendars: Option<DynamoConfig>,
    pub channels: Option<ChannelApp>,
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
        // The config table too: the API edits maintenance windows and calendars there.
        let store = DynamoStore::new(clients.dynamo, config.table_name.clone())
            .with_config_table(config.config_table_name.clone())
            .with_events_table(config.events_table_name.clone());
        Ok(Self { config, store, keys })
    }

    /// The holiday calendars in the config table (the API function).
    pub fn calendars(&self) -> Option<DynamoConfig> {
        config_store(&self.config, self.store.client())
    }
}

impl MonitorApp {
    pub async fn from_env() -> Result<Self, BootError> {
        Self::build(env_vars(), Clients::from_env().await).await
    }

    pub async fn build(vars: HashMap<String, String>, clients: Clients) -> Result<Self, BootError> {
        let config = config(Uses::Monitor, vars.clone(), &clients.ssm).await?;
        // Each channel request gets Slack's timeout (SLACK_TIMEOUT_SECONDS, 10 s by default), well
        // under the monitor's 60 s; one channel's whole delivery is bounded by twice it.
        let channels =
            Some(ChannelApp::build(&config.config_table_name, &vars, &clients.dynamo, config.slack_timeout).await?);
        let notifier = notifier(&config)?;
        let calendars = config_store(&config, &clients.dynamo);
        let store = DynamoStore::new(clients.dynamo, config.table_name.clone())
            .with_config_table(config.config_table_name.clone())
            .with_events_table(config.events_table_name.clone());
        Ok(Self {
            config,
            store,
            notifier,
            calendars,
            channels,
        })
    }

    /// What a monitor run borrows.
    pub fn deps(&self) -> MonitorDeps<'_> {
        MonitorDeps {
            ledger: &self.store,
            notifier: self.notifier.as_ref(),
            config: &self.config,
            calendars: self.calendars.as_ref().map(|c| c as &dyn CalendarStore),
            channels: self.channels.as_ref().map(ChannelApp::deps),
        }
    }
}

/// The holiday calendars in the config table. Always there since the table always is; the `Option`
/// lets tests and tools run without calendars.
fn config_store(config: &Config, client: &aws_sdk_dynamodb::Client) -> Option<DynamoConfig> {
    Some(DynamoConfig::new(client.clone(), config.config_table_name.clone()))
}

/// Every route in one process, as the local runtime serves them: a configuration of
/// [`Uses::Everything`], the table and the notifier.
pub struct App {
    pub config: Config,
    pub store: DynamoStore,
    pub notifier: Box<dyn Notifier>,
    pub calendars: Option<DynamoConfig>,
    /// Set by the local runtime when it has a configuration table.
    pub channels: Option<ChannelApp>,
}

impl App {
    pub fn with_client(config: Config, client: Dynamo) -> Result<Self, BootError> {
        let notifier = notifier(&config)?;
        let calendars = config_store(&config, &client);
        let store = DynamoStore::new(client, config.table_name.clone())
            .with_config_table(config.config_table_name.clone())
            .with_events_table(config.events_table_name.clone());
        Ok(Self {
            config,
            store,
            notifier,
            calendars,
            channels: None,
        })
    }

    /// On dynalite, which has no TTL: the store trims each pulse's history itself.
    pub fn trimming_history_locally(mut self) -> Self {
        self.store = self.store.trimming_locally();
        self
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
