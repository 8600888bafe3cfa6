//! Maintenance windows: items `kind = "maintenance"`, `name` = the window's id, with `start` and
//! `end` (timestampF's format), `scope` and `note`. Ids begin with the start, so a Query lists the
//! windows in start order.

use super::{KIND, NAME};
use crate::model::{Scope, Window, format_stamp, parse_stamp};
use crate::store::error::classify;
use crate::store::item::{Item, s};
use crate::store::{DynamoStore, Held, MemoryStore, StoreError};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Utc};

const MAINTENANCE: &str = "maintenance";
const START: &str = "start";
const END: &str = "end";
const SCOPE: &str = "scope";
const NOTE: &str = "note";

#[async_trait]
pub trait MaintenanceStore: Send + Sync {
    /// Every window, past ones included, in start order.
    async fn windows(&self) -> Result<Vec<Window>, StoreError>;
    /// `No` when a window with this id exists already (ids are random: a retry of the same add).
    async fn add_window(&self, window: &Window) -> Result<Held, StoreError>;
    /// The removed window, or `None` if there was none by that id.
    async fn remove_window(&self, id: &str) -> Result<Option<Window>, StoreError>;
}

/// An id that sorts by start and cannot collide with a concurrent add.
pub fn new_window_id(start: DateTime<Utc>) -> String {
    format!("{}-{:08x}", format_stamp(start), rand::random::<u32>())
}

fn to_item(window: &Window) -> Item {
    [
        (KIND, MAINTENANCE.to_owned()),
        (NAME, window.id.clone()),
        (START, format_stamp(window.start)),
        (END, format_stamp(window.end)),
        (SCOPE, window.scope.to_string()),
        (NOTE, window.note.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), s(v)))
    .collect()
}

/// Lenient like the pulse items: a hand-edited window that cannot be read is logged and left out.
fn from_item(item: &Item) -> Option<Window> {
    let text = |name: &str| match item.get(name) {
        Some(AttributeValue::S(v)) => Some(v.clone()),
        _ => None,
    };
    let window = (|| {
        Some(Window {
            id: text(NAME)?,
            start: parse_stamp(&text(START)?)?,
            end: parse_stamp(&text(END)?)?,
            scope: Scope::parse(&text(SCOPE)?).ok()?,
            note: text(NOTE).unwrap_or_default(),
        })
    })();
    if window.is_none() {
        tracing::warn!(name = ?text(NAME), "skipping an unreadable maintenance window");
    }
    window
}

#[async_trait]
impl MaintenanceStore for DynamoStore {
    /// One Query (more pages only past 1 MB of windows).
    #[tracing::instrument(level = "debug", skip_all, fields(table = self.config_table(), op = "Query"))]
    async fn windows(&self) -> Result<Vec<Window>, StoreError> {
        let mut pages = self
            .client()
            .query()
            .table_name(self.config_table())
            .key_condition_expression("#kind = :kind")
            .expression_attribute_names("#kind", KIND)
            .expression_attribute_values(":kind", s(MAINTENANCE))
            .into_paginator()
            .send();
        let mut windows = Vec::new();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(page) => page,
                // A deployment from before the config table: it has no windows. Alerting must go on.
                Err(err) if super::is_missing_table(&err) => {
                    tracing::warn!(
                        table = self.config_table(),
                        "the config table does not exist: no maintenance windows"
                    );
                    return Ok(windows);
                }
                Err(err) => return Err(classify(err)),
            };
            self.count(page.items().len());
            windows.extend(page.items().iter().filter_map(from_item));
        }
        Ok(windows)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = self.config_table(), op = "PutItem"))]
    async fn add_window(&self, window: &Window) -> Result<Held, StoreError> {
        self.count(0);
        let result = self
            .client()
            .put_item()
            .table_name(self.config_table())
            .set_item(Some(to_item(window)))
            .condition_expression("attribute_not_exists(#name)")
            .expression_attribute_names("#name", NAME)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Held::Yes),
            Err(err) if crate::store::error::is_condition_failure(&err) => Ok(Held::No),
            Err(err) => Err(classify(err)),
        }
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = self.config_table(), op = "DeleteItem", key = id))]
    async fn remove_window(&self, id: &str) -> Result<Option<Window>, StoreError> {
        self.count(0);
        let out = self
            .client()
            .delete_item()
            .table_name(self.config_table())
            .key(KIND, s(MAINTENANCE))
            .key(NAME, s(id))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(classify)?;
        Ok(out.attributes().and_then(from_item))
    }
}

#[async_trait]
impl MaintenanceStore for MemoryStore {
    async fn windows(&self) -> Result<Vec<Window>, StoreError> {
        drop(self.enter()?);
        let mut windows = self.windows_cell().lock().unwrap().clone();
        windows.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(windows)
    }

    async fn add_window(&self, window: &Window) -> Result<Held, StoreError> {
        drop(self.enter()?);
        let mut windows = self.windows_cell().lock().unwrap();
        if windows.iter().any(|w| w.id == window.id) {
            return Ok(Held::No);
        }
        windows.push(window.clone());
        Ok(Held::Yes)
    }

    async fn remove_window(&self, id: &str) -> Result<Option<Window>, StoreError> {
        drop(self.enter()?);
        let mut windows = self.windows_cell().lock().unwrap();
        let at = windows.iter().position(|w| w.id == id);
        Ok(at.map(|at| windows.remove(at)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn items_round_trip_and_odd_ones_are_left_out() {
        let start = Utc.with_ymd_and_hms(2026, 12, 1, 22, 0, 0).unwrap();
        let window = Window {
            id: new_window_id(start),
            start,
            end: start + chrono::TimeDelta::hours(4),
            scope: Scope::Category("backup".into()),
            note: "migration".into(),
        };
        assert!(window.id.starts_with("2026-12-01T22:00:00.000Z-"), "{}", window.id);
        let mut item = to_item(&window);
        assert_eq!(from_item(&item), Some(window));
        item.insert(SCOPE.into(), s("everything"));
        assert_eq!(from_item(&item), None);
    }
}
