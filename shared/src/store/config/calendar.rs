//! Holiday calendars (kind `calendar`): a name and a set of dates.

use super::{DynamoConfig, KIND, NAME};
use crate::model::{CalendarName, parse_stamp};
use crate::store::error::classify;
use crate::store::item::{Item, s};
use crate::store::{Held, StoreError};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeSet;

pub const CALENDAR_KIND: &str = "calendar";
/// A list of `YYYY-MM-DD` strings, sorted (a list, since a set could not be empty).
pub const DATES: &str = "dates";
pub const UPDATED_AT: &str = "updatedAt";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayCalendar {
    pub name: CalendarName,
    pub dates: BTreeSet<NaiveDate>,
    pub updated_at: DateTime<Utc>,
}

#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// Every calendar, in name order: one Query (more only past 1 MB of dates).
    async fn calendars(&self) -> Result<Vec<HolidayCalendar>, StoreError>;
    async fn calendar(&self, name: &CalendarName) -> Result<Option<HolidayCalendar>, StoreError>;
    /// Creates or replaces the calendar; says whether it existed before.
    async fn put_calendar(&self, calendar: &HolidayCalendar) -> Result<Held, StoreError>;
    async fn delete_calendar(&self, name: &CalendarName) -> Result<Held, StoreError>;
}

fn to_item(calendar: &HolidayCalendar) -> Item {
    let dates = calendar
        .dates
        .iter()
        .map(|d| s(d.format("%Y-%m-%d").to_string()))
        .collect();
    Item::from([
        (KIND.to_owned(), s(CALENDAR_KIND)),
        (NAME.to_owned(), s(calendar.name.as_str())),
        (DATES.to_owned(), AttributeValue::L(dates)),
        (
            UPDATED_AT.to_owned(),
            s(crate::model::format_stamp(calendar.updated_at)),
        ),
    ])
}

/// Lenient like the pulse mapping: an odd date is skipped rather than hiding the calendar.
fn from_item(item: &Item) -> Option<HolidayCalendar> {
    let name = CalendarName::parse(item.get(NAME)?.as_s().ok()?).ok()?;
    let dates = match item.get(DATES) {
        Some(AttributeValue::L(list)) => list
            .iter()
            .filter_map(|v| v.as_s().ok())
            .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .collect(),
        _ => BTreeSet::new(),
    };
    let updated_at = item
        .get(UPDATED_AT)
        .and_then(|v| v.as_s().ok())
        .and_then(|t| parse_stamp(t))
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    Some(HolidayCalendar {
        name,
        dates,
        updated_at,
    })
}

fn key(name: &str) -> Item {
    Item::from([(KIND.to_owned(), s(CALENDAR_KIND)), (NAME.to_owned(), s(name))])
}

#[async_trait]
impl CalendarStore for DynamoConfig {
    #[tracing::instrument(level = "debug", skip_all, fields(table = %self.table, op = "Query"))]
    async fn calendars(&self) -> Result<Vec<HolidayCalendar>, StoreError> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            self.count();
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("#k = :k")
                .expression_attribute_names("#k", KIND)
                .expression_attribute_values(":k", s(CALENDAR_KIND))
                .set_exclusive_start_key(start)
                .send()
                .await;
            let page = match page {
                Ok(page) => page,
                Err(err) if super::is_missing_table(&err) => {
                    tracing::warn!(table = %self.table, "the config table does not exist: no holiday calendars");
                    return Ok(out);
                }
                Err(err) => return Err(classify(err)),
            };
            out.extend(page.items().iter().filter_map(from_item));
            match page.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => return Ok(out),
            }
        }
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = %self.table, op = "GetItem", key = name.as_str()))]
    async fn calendar(&self, name: &CalendarName) -> Result<Option<HolidayCalendar>, StoreError> {
        self.count();
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(name.as_str())))
            .consistent_read(true)
            .send()
            .await
            .map_err(classify)?;
        Ok(out.item().and_then(from_item))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = %self.table, op = "PutItem"))]
    async fn put_calendar(&self, calendar: &HolidayCalendar) -> Result<Held, StoreError> {
        self.count();
        let out = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(calendar)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(classify)?;
        Ok(out.attributes().is_some_and(|a| !a.is_empty()).into())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(table = %self.table, op = "DeleteItem", key = name.as_str()))]
    async fn delete_calendar(&self, name: &CalendarName) -> Result<Held, StoreError> {
        self.count();
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(name.as_str())))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(classify)?;
        Ok(out.attributes().is_some_and(|a| !a.is_empty()).into())
    }
}
