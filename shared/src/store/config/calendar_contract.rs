//! The calendar store's behaviour, written once and run against both stores (`calendar_contract!`).

use super::calendar::{CalendarStore, HolidayCalendar};
use crate::model::{CalendarName, parse_dates};
use crate::store::Held;
use chrono::{DateTime, Utc};

/// Instantiates every case for a store: `calendar_contract!(async { (guard, store) })`.
#[macro_export]
macro_rules! calendar_contract {
    ($make:expr) => {
        $crate::calendar_contract!(@cases $make;
            calendars_are_put_listed_replaced_and_deleted,
            an_empty_calendar_is_kept
        );
    };
    (@cases $make:expr; $($case:ident),+) => {
        $(
            #[tokio::test]
            async fn $case() {
                let (_guard, store) = $make.await;
                $crate::store::config::calendar_contract::$case(&store).await;
            }
        )+
    };
}

fn calendar(name: &str, dates: &str) -> HolidayCalendar {
    HolidayCalendar {
        name: CalendarName::parse(name).unwrap(),
        dates: parse_dates(dates).unwrap(),
        updated_at: DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z").unwrap().to_utc(),
    }
}

pub async fn calendars_are_put_listed_replaced_and_deleted<S: CalendarStore>(store: &S) {
    let de = calendar("de-BY", "2026-12-25 2026-12-26 2027-01-06");
    assert_eq!(store.put_calendar(&de).await.unwrap(), Held::No, "new");
    store.put_calendar(&calendar("company", "2026-12-24")).await.unwrap();
    let all = store.calendars().await.unwrap();
    let names: Vec<&str> = all.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["company", "de-BY"], "name order");
    assert_eq!(all[1], de);
    let replaced = HolidayCalendar {
        updated_at: Utc::now(),
        ..calendar("de-BY", "2027-12-25")
    };
    assert_eq!(store.put_calendar(&replaced).await.unwrap(), Held::Yes, "existed");
    let read = store.calendar(&replaced.name).await.unwrap().unwrap();
    assert_eq!(read.dates, replaced.dates);
    assert_eq!(store.delete_calendar(&replaced.name).await.unwrap(), Held::Yes);
    assert_eq!(store.delete_calendar(&replaced.name).await.unwrap(), Held::No);
    assert_eq!(store.calendar(&replaced.name).await.unwrap(), None);
}

pub async fn an_empty_calendar_is_kept<S: CalendarStore>(store: &S) {
    let empty = calendar("none", "");
    store.put_calendar(&empty).await.unwrap();
    assert_eq!(store.calendar(&empty.name).await.unwrap(), Some(empty));
}
