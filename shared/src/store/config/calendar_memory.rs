//! Holiday calendars in the in-memory configuration (`MemoryConfig`), for handler tests and the
//! in-memory local runtime.

use super::MemoryConfig;
use super::calendar::{CalendarStore, HolidayCalendar};
use crate::model::CalendarName;
use crate::store::{Held, StoreError};
use async_trait::async_trait;

#[async_trait]
impl CalendarStore for MemoryConfig {
    async fn calendars(&self) -> Result<Vec<HolidayCalendar>, StoreError> {
        Ok(self.state().calendars.values().cloned().collect())
    }

    async fn calendar(&self, name: &CalendarName) -> Result<Option<HolidayCalendar>, StoreError> {
        Ok(self.state().calendars.get(name).cloned())
    }

    async fn put_calendar(&self, calendar: &HolidayCalendar) -> Result<Held, StoreError> {
        let before = self.state().calendars.insert(calendar.name.clone(), calendar.clone());
        Ok(before.is_some().into())
    }

    async fn delete_calendar(&self, name: &CalendarName) -> Result<Held, StoreError> {
        Ok(self.state().calendars.remove(name).is_some().into())
    }
}

#[cfg(test)]
mod tests {
    crate::calendar_contract!(async { ((), super::MemoryConfig::new()) });
}
