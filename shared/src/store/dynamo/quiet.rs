//! Snooze and pause: one conditional UpdateItem each, moving the due time with the setting.

use super::{DynamoStore, millis};
use crate::model::{PulseId, format_stamp};
use crate::store::due_index::shard_of;
use crate::store::expr::Expr;
use crate::store::item::{self, s};
use crate::store::{Held, QuietWriter, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

impl DynamoStore {
    /// Sets (`Some`) or removes (`None`) one quiet attribute and the due time, on an existing pulse.
    async fn set_quiet(
        &self,
        id: &PulseId,
        attribute: &str,
        value: Option<String>,
        due_at: DateTime<Utc>,
    ) -> Result<Held, StoreError> {
        let mut e = Expr::default();
        let mut update = format!(
            "SET {}, {}",
            e.set(item::DUE_AT, millis(due_at)),
            e.set(item::DUE_SHARD, s(shard_of(id)))
        );
        match value {
            Some(value) => update += &format!(", {}", e.set(attribute, s(value))),
            None => update += &format!(" REMOVE {}", e.name(attribute)),
        }
        // Never creates a phantom item for a pulse deleted meanwhile.
        let condition = format!("attribute_exists({})", e.name(item::ID));
        self.conditional_update(id, &update, &condition, e).await
    }
}

#[async_trait]
impl QuietWriter for DynamoStore {
    fn history(&self) -> Option<&dyn crate::store::EventLog> {
        Some(self)
    }

    async fn set_snooze(
        &self,
        id: &PulseId,
        until: Option<DateTime<Utc>>,
        due_at: DateTime<Utc>,
    ) -> Result<Held, StoreError> {
        self.set_quiet(id, item::SNOOZED_UNTIL, until.map(format_stamp), due_at)
            .await
    }

    async fn set_pause(&self, id: &PulseId, paused: bool, due_at: DateTime<Utc>) -> Result<Held, StoreError> {
        self.set_quiet(id, item::PAUSED, paused.then(|| "1".to_owned()), due_at)
            .await
    }
}
