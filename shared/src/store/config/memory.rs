//! The config table in memory, for handler tests and the in-memory local runtime.

use super::calendar::{CalendarStore, HolidayCalendar};
use crate::model::CalendarName;
use crate::store::{Held, StoreError};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct MemoryConfig {
    calendars: Arc<Mutex<BTreeMap<CalendarName, HolidayCalendar>>>,
}

impl MemoryConfig {
    pub fn new() -> Self {
        Self::default()
    }

    fn enter(&self) -> Result<std::sync::MutexGuard<'_, BTreeMap<CalendarName, HolidayCalendar>>, StoreError> {
        self.calendars
            .lock()
            .map_err(|_| StoreError::Failed("the in-memory config store was poisoned by a panic".into()))
    }
}

#[async_trait]
impl CalendarStore for MemoryConfig {
    async fn calendars(&self) -> Result<Vec<HolidayCalendar>, StoreError> {
        Ok(self.enter()?.values().cloned().collect())
    }

    async fn calendar(&self, name: &CalendarName) -> Result<Option<HolidayCalendar>, StoreError> {
        Ok(self.enter()?.get(name).cloned())
    }

    async fn put_calendar(&self, calendar: &HolidayCalendar) -> Result<Held, StoreError> {
        let before = self.enter()?.insert(calendar.name.clone(), calendar.clone());
        Ok(before.is_some().into())
    }

    async fn delete_calendar(&self, name: &CalendarName) -> Result<Held, StoreError> {
        Ok(self.enter()?.remove(name).is_some().into())
    }
}

#[cfg(test)]
mod tests {
    crate::calendar_contract!(async { ((), super::MemoryConfig::new()) });
}
