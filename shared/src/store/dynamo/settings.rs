//! Edits and deletes from the edit page.

use super::{DynamoStore, millis};
use crate::model::{PulseId, Settings};
use crate::store::due_index::shard_of;
use crate::store::error::classify;
use crate::store::expr::Expr;
use crate::store::item::{self, s, saturday_flag};
use crate::store::run_item;
use crate::store::{Held, SettingsWriter, StoreError};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;
use chrono::{DateTime, Utc};

#[async_trait]
impl SettingsWriter for DynamoStore {
    fn history(&self) -> Option<&dyn crate::store::EventLog> {
        Some(self)
    }

    async fn update_settings(
        &self,
        id: &PulseId,
        settings: &Settings,
        due_at: DateTime<Utc>,
    ) -> Result<Held, StoreError> {
        let mut e = Expr::default();
        let mut sets = vec![
            e.set(item::THRESHOLD, s(settings.threshold.to_string())),
            e.set(item::SATURDAY, s(saturday_flag(settings.saturday))),
            e.set(item::TZ, s(settings.tz.name())),
            e.set(item::DUE_AT, millis(due_at)),
            e.set(item::DUE_SHARD, s(shard_of(id))),
        ];
        let mut removes = Vec::new();
        for (name, value) in item::expectation_attributes(&settings.expect) {
            match value {
                Some(value) => sets.push(e.set(name, value)),
                None => removes.push(e.name(name)),
            }
        }
        match settings.max_runtime {
            Some(max) => sets.push(e.set(run_item::MAX_RUNTIME, s(max.to_string()))),
            None => removes.push(e.name(run_item::MAX_RUNTIME)),
        }
        let mut update = format!("SET {}", sets.join(", "));
        if !removes.is_empty() {
            update.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        // Without this condition UpdateItem would create a phantom item (the original's bug).
        let condition = format!("attribute_exists({})", e.name(item::ID));
        self.conditional_update(id, &update, &condition, e).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = %self.table, op = "DeleteItem", id = %id))]
    async fn delete(&self, id: &PulseId) -> Result<Held, StoreError> {
        self.count(0);
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(id)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(classify)?;
        Ok(out.attributes().is_some_and(|a| !a.is_empty()).into())
    }
}
