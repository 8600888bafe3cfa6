//! The pulse stores play the calendar store too, on the same config table, so a page that lists
//! pulses reads their holidays through the store it already has. The book a page judges with is
//! loaded once per request, and only when there is a pulse to judge.

use super::DynamoConfig;
use super::calendar::{CalendarStore, HolidayCalendar};
use crate::config::Config;
use crate::model::CalendarName;
use crate::rules::calendar_book::CalendarBook;
use crate::store::{DynamoStore, Held, MemoryStore, StoreError};
use async_trait::async_trait;

/// Every calendar, in one Query, as the book `status_with` judges by; none read when nothing is
/// to be judged (`needed` false), so an empty dashboard costs no extra request.
pub async fn load_book(store: &dyn CalendarStore, config: &Config, needed: bool) -> Result<CalendarBook, StoreError> {
    if !needed {
        return Ok(CalendarBook::default());
    }
    let sets = store
        .calendars()
        .await?
        .into_iter()
        .map(|c| (c.name.as_str().to_owned(), c.dates))
        .collect();
    Ok(CalendarBook::new(sets, config.default_calendars.clone()))
}

impl DynamoStore {
    /// The config table's calendars, each request counted in this store's stats.
    fn calendar_table(&self) -> DynamoConfig {
        self.count(0);
        DynamoConfig::new(self.client().clone(), self.config_table())
    }
}

#[async_trait]
impl CalendarStore for DynamoStore {
    async fn calendars(&self) -> Result<Vec<HolidayCalendar>, StoreError> {
        // One Query counted here (the table's pages past 1 MB are counted as one).
        self.calendar_table().calendars().await
    }

    async fn calendar(&self, name: &CalendarName) -> Result<Option<HolidayCalendar>, StoreError> {
        self.calendar_table().calendar(name).await
    }

    async fn put_calendar(&self, calendar: &HolidayCalendar) -> Result<Held, StoreError> {
        self.calendar_table().put_calendar(calendar).await
    }

    async fn delete_calendar(&self, name: &CalendarName) -> Result<Held, StoreError> {
        self.calendar_table().delete_calendar(name).await
    }
}

#[async_trait]
impl CalendarStore for MemoryStore {
    async fn calendars(&self) -> Result<Vec<HolidayCalendar>, StoreError> {
        drop(self.enter()?);
        self.calendars_cell().calendars().await
    }

    async fn calendar(&self, name: &CalendarName) -> Result<Option<HolidayCalendar>, StoreError> {
        drop(self.enter()?);
        self.calendars_cell().calendar(name).await
    }

    async fn put_calendar(&self, calendar: &HolidayCalendar) -> Result<Held, StoreError> {
        drop(self.enter()?);
        self.calendars_cell().put_calendar(calendar).await
    }

    async fn delete_calendar(&self, name: &CalendarName) -> Result<Held, StoreError> {
        drop(self.enter()?);
        self.calendars_cell().delete_calendar(name).await
    }
}
