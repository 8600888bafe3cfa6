//! The holiday calendars a run or a page has loaded, and which of them a pulse follows.

use super::work_rule::Holidays;
use crate::model::{CalendarName, CalendarNames};
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CalendarBook {
    sets: HashMap<String, BTreeSet<NaiveDate>>,
    /// `DEFAULT_CALENDARS`: what a pulse without its own `calendars` follows.
    defaults: Vec<CalendarName>,
}

impl CalendarBook {
    pub fn new(sets: HashMap<String, BTreeSet<NaiveDate>>, defaults: Vec<CalendarName>) -> Self {
        Self { sets, defaults }
    }

    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// The start of the first holiday of `own`'s calendars that begins after `after`, in `tz`.
    /// The monitor looks at a pulse again then at the latest, so a date taken out of a calendar
    /// takes effect before it would have counted (see `due::capped`).
    pub fn next_holiday_start(
        &self,
        own: Option<&CalendarNames>,
        tz: chrono_tz::Tz,
        after: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        let today = after.with_timezone(&tz).date_naive();
        let names = own.map_or(self.defaults.as_slice(), CalendarNames::names);
        names
            .iter()
            .filter_map(|n| self.sets.get(n.as_str()))
            .filter_map(|set| set.range(today.succ_opt()?..).next().copied())
            .min()
            .and_then(|day| super::working_time::local_day_start(day, tz))
    }

    /// The holidays of a pulse's calendars (`None`: the defaults; an empty list: none). A name
    /// with no stored calendar has no holidays: the pulse is judged as if the calendar were empty.
    pub fn holidays(&self, own: Option<&CalendarNames>) -> Holidays<'_> {
        let names = own.map_or(self.defaults.as_slice(), CalendarNames::names);
        Holidays::of(names.iter().filter_map(|n| self.sets.get(n.as_str())).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_defaults_and_opt_out() {
        let day: NaiveDate = "2026-12-25".parse().unwrap();
        let sets = HashMap::from([("de".to_owned(), BTreeSet::from([day]))]);
        let book = CalendarBook::new(sets, vec![CalendarName::parse("de").unwrap()]);
        assert!(book.holidays(None).contains(day), "defaults apply");
        assert!(
            !book.holidays(Some(&CalendarNames::parse("").unwrap())).contains(day),
            "explicit empty opts out"
        );
        assert!(
            book.holidays(Some(&CalendarNames::parse("de,missing").unwrap()))
                .contains(day)
        );
        assert!(
            !book
                .holidays(Some(&CalendarNames::parse("missing").unwrap()))
                .contains(day)
        );
    }
}
