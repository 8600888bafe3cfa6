//! The store's behaviour for pulse history, written once like `contract.rs` and instantiated by
//! `store_contract!` for both stores: order, pages, expiry and the per-pulse cap.

use super::contract::ContractStore;
use crate::model::{Event, EventKind, PulseId, PulseKey, Signal, SignalKind};
use chrono::{DateTime, TimeDelta, TimeZone as _, Utc};

fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn id(name: &str) -> PulseId {
    PulseKey::parse(Some("web-1"), Some("jobs"), Some("cron"), Some(name))
        .unwrap()
        .id()
}

fn failure(name: &str, at: DateTime<Utc>, exit: u8) -> Event {
    let signal = Signal {
        kind: SignalKind::Failure,
        exit: Some(exit),
        duration: Some(TimeDelta::milliseconds(1500)),
        log: Some(format!("line <{exit}>")),
        ..Signal::success()
    };
    Event::of_signal(id(name), at, &signal, Some("nightly"), 90)
}

pub async fn events_come_newest_first_in_pages<S: ContractStore>(store: &S) {
    for i in 0..5 {
        store
            .append(&failure("paged", monday() + TimeDelta::minutes(i), i as u8 + 1))
            .await
            .unwrap();
    }
    store.append(&failure("other", monday(), 9)).await.unwrap();
    let now = monday() + TimeDelta::hours(1);
    let first = store.events(&id("paged"), None, 3, now).await.unwrap();
    let exits: Vec<_> = first.events.iter().map(|e| e.event.exit).collect();
    assert_eq!(exits, [Some(5), Some(4), Some(3)]);
    assert_eq!(
        first.events[0].event,
        failure("paged", monday() + TimeDelta::minutes(4), 5)
    );
    let rest = store.events(&id("paged"), first.next.as_deref(), 3, now).await.unwrap();
    let exits: Vec<_> = rest.events.iter().map(|e| e.event.exit).collect();
    assert_eq!(exits, [Some(2), Some(1)]);
    assert_eq!(rest.next, None, "a short page is the last");
    let none = store.events(&id("nobody"), None, 3, now).await.unwrap();
    assert!(none.events.is_empty() && none.next.is_none());
}

pub async fn two_events_of_one_instant_are_both_kept<S: ContractStore>(store: &S) {
    let start = Event::step(id("twins"), monday(), EventKind::Start, 90);
    store.append(&start).await.unwrap();
    store.append(&start).await.unwrap();
    let page = store.events(&id("twins"), None, 10, monday()).await.unwrap();
    assert_eq!(page.events.len(), 2);
    assert_ne!(page.events[0].key, page.events[1].key);
}

pub async fn expired_events_are_left_out_and_trimmed<S: ContractStore>(store: &S) {
    let old = Event::step(id("aging"), monday() - TimeDelta::days(10), EventKind::Start, 5);
    let fresh = Event::step(id("aging"), monday(), EventKind::Start, 5);
    store.append(&old).await.unwrap();
    store.append(&fresh).await.unwrap();
    let page = store.events(&id("aging"), None, 10, monday()).await.unwrap();
    assert_eq!(page.events.len(), 1, "the expired event is not shown");
    assert_eq!(page.events[0].event.at, monday());
    let later = monday() + TimeDelta::days(6);
    // The old one may be gone already (a store that trims as it writes); the fresh one expired too.
    let trimmed = store.trim(&id("aging"), later, 1000).await.unwrap();
    assert!((1..=2).contains(&trimmed), "{trimmed}");
    assert!(
        store
            .events(&id("aging"), None, 10, monday())
            .await
            .unwrap()
            .events
            .is_empty()
    );
}

pub async fn trimming_keeps_the_newest<S: ContractStore>(store: &S) {
    for i in 0..4 {
        store
            .append(&failure("capped", monday() + TimeDelta::seconds(i), i as u8 + 1))
            .await
            .unwrap();
    }
    let now = monday() + TimeDelta::hours(1);
    assert_eq!(store.trim(&id("capped"), now, 2).await.unwrap(), 2);
    let page = store.events(&id("capped"), None, 10, now).await.unwrap();
    let exits: Vec<_> = page.events.iter().map(|e| e.event.exit).collect();
    assert_eq!(exits, [Some(4), Some(3)]);
    assert_eq!(store.trim(&id("capped"), now, 2).await.unwrap(), 0);
}
