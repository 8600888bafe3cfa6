//! Channels and routes as the service stores them: the narrow trait the monitor, the API and the
//! channels page ask for, and the item mapping (written once, here).

use super::{KIND, NAME};
use crate::channels::{Channel, ChannelConfig, ChannelName, Routes};
use crate::store::item::{Item, s};
use crate::store::{Held, StoreError};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

pub const CHANNEL_KIND: &str = "channel";
pub const ROUTES_KIND: &str = "routes";
pub const ROUTES_NAME: &str = "routes";
/// The kind's configuration as JSON (secrets included: the table is the service's own).
pub const CONFIG: &str = "config";
pub const PROBLEM: &str = "problem";
pub const PROBLEM_AT: &str = "problemAt";
pub const ROUTES: &str = "routes";

/// Why the provider refused a channel's configuration, and when; cleared by its next success or edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub text: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChannel {
    pub channel: Channel,
    pub problem: Option<Problem>,
}

#[async_trait]
pub trait ChannelDirectory: Send + Sync {
    /// Every channel, by name. Unreadable items are left out and logged.
    async fn channels(&self) -> Result<Vec<StoredChannel>, StoreError>;
    async fn channel(&self, name: &ChannelName) -> Result<Option<StoredChannel>, StoreError>;
    /// Creates or replaces a channel; a replaced channel's problem is forgotten (it was edited).
    async fn put_channel(&self, channel: &Channel) -> Result<(), StoreError>;
    async fn delete_channel(&self, name: &ChannelName) -> Result<Held, StoreError>;
    /// The routes; none stored means no route.
    async fn routes(&self) -> Result<Routes, StoreError>;
    async fn put_routes(&self, routes: &Routes) -> Result<(), StoreError>;
    /// Records (or, with `None`, clears) a channel's problem; `No` if the channel is gone, which it
    /// never recreates.
    async fn set_problem(&self, name: &ChannelName, problem: Option<&Problem>) -> Result<Held, StoreError>;
}

pub fn channel_key(name: &ChannelName) -> Item {
    [(KIND, s(CHANNEL_KIND)), (NAME, s(name.as_str()))]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

pub fn routes_key() -> Item {
    [(KIND, s(ROUTES_KIND)), (NAME, s(ROUTES_NAME))]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

pub fn channel_item(channel: &Channel) -> Item {
    let mut item = channel_key(&channel.name);
    let config = serde_json::to_string(&channel.config).expect("a channel's configuration serialises");
    item.insert(CONFIG.to_owned(), s(config));
    item
}

fn text<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    match item.get(name)? {
        AttributeValue::S(s) => Some(s),
        _ => None,
    }
}

impl TryFrom<&Item> for StoredChannel {
    type Error = String;

    fn try_from(item: &Item) -> Result<Self, String> {
        let name = text(item, NAME).ok_or("a channel item has no name")?;
        let config: ChannelConfig =
            serde_json::from_str(text(item, CONFIG).ok_or(format!("channel {name} has no config"))?)
                .map_err(|e| format!("channel {name}: {e}"))?;
        // Stored by this service after the same checks; parsed again so a hand-edited item cannot
        // smuggle in an unchecked URL.
        let channel = Channel::parse(name, config).map_err(|e| format!("channel {name}: {e}"))?;
        let problem = match (
            text(item, PROBLEM),
            text(item, PROBLEM_AT).and_then(crate::model::parse_stamp),
        ) {
            (Some(text), Some(at)) => Some(Problem {
                text: text.to_owned(),
                at,
            }),
            _ => None,
        };
        Ok(Self { channel, problem })
    }
}

pub fn routes_from(item: &Item) -> Result<Routes, String> {
    let text = text(item, ROUTES).ok_or("the routes item has no routes")?;
    serde_json::from_str(text).map_err(|e| format!("the stored routes: {e}"))
}

pub fn routes_item(routes: &Routes) -> Item {
    let mut item = routes_key();
    item.insert(
        ROUTES.to_owned(),
        s(serde_json::to_string(routes).expect("routes serialise")),
    );
    item
}
