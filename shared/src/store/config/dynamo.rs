//! The configuration in DynamoDB: a Query on `kind` lists a kind, single-item requests do the rest.
//! It counts its requests, so a test can see what a monitor run spends on configuration.

use super::channels::{
    CHANNEL_KIND, ChannelDirectory, PROBLEM, PROBLEM_AT, Problem, StoredChannel, channel_item, channel_key,
    routes_from, routes_item, routes_key,
};
use super::{KIND, NAME, is_missing_table};
use crate::channels::{Channel, ChannelName, Routes};
use crate::model::format_stamp;
use crate::store::error::{classify, is_condition_failure};
use crate::store::item::s;
use crate::store::{Held, StoreError};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Clone)]
pub struct DynamoConfig {
    pub(super) client: Client,
    pub(super) table: String,
    requests: Arc<AtomicUsize>,
}

impl DynamoConfig {
    /// On the SDK's client (the config table's requests are not on a pulse's path).
    pub fn new(client: impl Into<Client>, table: impl Into<String>) -> Self {
        Self {
            client: client.into(),
            table: table.into(),
            requests: Arc::default(),
        }
    }

    /// Requests sent since the store was made.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    pub(super) fn count(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }
}

#[async_trait]
impl ChannelDirectory for DynamoConfig {
    #[tracing::instrument(level = "debug", skip_all, fields(table = %self.table, op = "Query"))]
    async fn channels(&self) -> Result<Vec<StoredChannel>, StoreError> {
        let mut pages = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#kind = :kind")
            .expression_attribute_names("#kind", KIND)
            .expression_attribute_values(":kind", s(CHANNEL_KIND))
            // Just written on the channels page: the monitor and the page see it at once.
            .consistent_read(true)
            .into_paginator()
            .send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(page) => page,
                Err(err) if is_missing_table(&err) => {
                    self.count();
                    tracing::warn!(table = self.table, "the config table does not exist: no channels");
                    return Ok(out);
                }
                Err(err) => return Err(classify(err)),
            };
            self.count();
            for item in page.items() {
                match StoredChannel::try_from(item) {
                    Ok(stored) => out.push(stored),
                    Err(problem) => tracing::error!(%problem, "a stored channel cannot be read; it is left out"),
                }
            }
        }
        Ok(out)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = %self.table, op = "GetItem", key = %name))]
    async fn channel(&self, name: &ChannelName) -> Result<Option<StoredChannel>, StoreError> {
        self.count();
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(channel_key(name)))
            .consistent_read(true)
            .send()
            .await
            .map_err(classify)?;
        Ok(out.item().and_then(|item| match StoredChannel::try_from(item) {
            Ok(stored) => Some(stored),
            Err(problem) => {
                tracing::error!(%problem, "a stored channel cannot be read");
                None
            }
        }))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = %self.table, op = "PutItem", key = %channel.name))]
    async fn put_channel(&self, channel: &Channel) -> Result<(), StoreError> {
        self.count();
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(channel_item(channel)))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = %self.table, op = "DeleteItem", key = %name))]
    async fn delete_channel(&self, name: &ChannelName) -> Result<Held, StoreError> {
        self.count();
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(channel_key(name)))
            .condition_expression("attribute_exists(#name)")
            .expression_attribute_names("#name", NAME)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Held::Yes),
            Err(err) if is_condition_failure(&err) => Ok(Held::No),
            Err(err) => Err(classify(err)),
        }
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = %self.table, op = "GetItem"))]
    async fn routes(&self) -> Result<Routes, StoreError> {
        self.count();
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(routes_key()))
            .consistent_read(true)
            .send()
            .await;
        let out = match out {
            Ok(out) => out,
            // No table, no routes: everything goes to the default webhook, as before channels.
            Err(err) if is_missing_table(&err) => return Ok(Routes::default()),
            Err(err) => return Err(classify(err)),
        };
        Ok(match out.item() {
            None => Routes::default(),
            Some(item) => routes_from(item).unwrap_or_else(|problem| {
                // Unreadable routes route nothing: every pulse goes to the default webhook, nothing is lost.
                tracing::error!(%problem, "the stored routes cannot be read; using none");
                Routes::default()
            }),
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = %self.table, op = "PutItem"))]
    async fn put_routes(&self, routes: &Routes) -> Result<(), StoreError> {
        self.count();
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(routes_item(routes)))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = %self.table, op = "UpdateItem", key = %name))]
    async fn set_problem(&self, name: &ChannelName, problem: Option<&Problem>) -> Result<Held, StoreError> {
        self.count();
        let request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(channel_key(name)))
            // Never recreates a channel deleted while the run was delivering.
            .condition_expression("attribute_exists(#name)")
            .expression_attribute_names("#name", NAME)
            .expression_attribute_names("#problem", PROBLEM)
            .expression_attribute_names("#at", PROBLEM_AT);
        let request = match problem {
            Some(p) => request
                .update_expression("SET #problem = :problem, #at = :at")
                .expression_attribute_values(":problem", s(&p.text))
                .expression_attribute_values(":at", s(format_stamp(p.at))),
            None => request.update_expression("REMOVE #problem, #at"),
        };
        match request.send().await {
            Ok(_) => Ok(Held::Yes),
            Err(err) if is_condition_failure(&err) => Ok(Held::No),
            Err(err) => Err(classify(err)),
        }
    }
}
