//! The in-memory configuration, for handler tests and the contract suite.

use super::calendar::HolidayCalendar;
use super::channels::{ChannelDirectory, Problem, StoredChannel};
use crate::channels::{Channel, ChannelName, Routes};
use crate::model::CalendarName;
use crate::store::{Held, StoreError};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct MemoryConfig {
    state: Mutex<State>,
}

#[derive(Default)]
pub(super) struct State {
    channels: BTreeMap<ChannelName, StoredChannel>,
    routes: Routes,
    /// `calendar_memory.rs`.
    pub(super) calendars: BTreeMap<CalendarName, HolidayCalendar>,
}

impl MemoryConfig {
    pub fn new() -> Self {
        Self::default()
    }

    pub(super) fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl ChannelDirectory for MemoryConfig {
    async fn channels(&self) -> Result<Vec<StoredChannel>, StoreError> {
        Ok(self.state().channels.values().cloned().collect())
    }

    async fn channel(&self, name: &ChannelName) -> Result<Option<StoredChannel>, StoreError> {
        Ok(self.state().channels.get(name).cloned())
    }

    async fn put_channel(&self, channel: &Channel) -> Result<(), StoreError> {
        let stored = StoredChannel {
            channel: channel.clone(),
            problem: None,
        };
        self.state().channels.insert(channel.name.clone(), stored);
        Ok(())
    }

    async fn delete_channel(&self, name: &ChannelName) -> Result<Held, StoreError> {
        Ok(self.state().channels.remove(name).is_some().into())
    }

    async fn routes(&self) -> Result<Routes, StoreError> {
        Ok(self.state().routes.clone())
    }

    async fn put_routes(&self, routes: &Routes) -> Result<(), StoreError> {
        self.state().routes = routes.clone();
        Ok(())
    }

    async fn set_problem(&self, name: &ChannelName, problem: Option<&Problem>) -> Result<Held, StoreError> {
        let mut state = self.state();
        let Some(stored) = state.channels.get_mut(name) else {
            return Ok(Held::No);
        };
        stored.problem = problem.cloned();
        Ok(Held::Yes)
    }
}

#[cfg(test)]
mod contract {
    crate::config_contract!(async { ((), super::MemoryConfig::new()) });
}
