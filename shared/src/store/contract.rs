//! The store's behaviour, written once: every condition that holds and every one that fails, as
//! generic cases over the store traits. `store_contract!` instantiates them for one store; the
//! in-memory store runs them in this crate's tests, DynamoDB (on dynalite) in the end-to-end tests,
//! so the two cannot disagree about a condition without a test failing.

use super::{
    Expectation, Held, IncidentLedger, MaintenanceStore, PulseReader, PulseReceipt, PulseRecorder, QuietWriter,
    Reschedule, SettingsWriter, Slice,
};
use crate::model::{Alert, Claim, Pulse, PulseId, PulseKey, Settings, Threshold, Zone, format_stamp};
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, TimeZone as _, Utc};

/// What the suite needs beyond the traits: a way to write an item as another writer would.
#[async_trait]
pub trait ContractStore:
    PulseRecorder + PulseReader + SettingsWriter + IncidentLedger + QuietWriter + MaintenanceStore + super::EventLog
{
    /// Writes `pulse` as the original server would: its attributes only, outside the due index.
    async fn put_foreign(&self, pulse: &Pulse);
}

#[async_trait]
impl ContractStore for super::MemoryStore {
    async fn put_foreign(&self, pulse: &Pulse) {
        let item = super::item::original_item(pulse);
        self.insert(Pulse::try_from(&item).expect("an original item reads"));
    }
}

#[async_trait]
impl ContractStore for super::DynamoStore {
    async fn put_foreign(&self, pulse: &Pulse) {
        self.put_raw(super::item::original_item(pulse)).await;
    }
}

/// Instantiates every case for a store: `store_contract!(async { (guard, store) })`, where `guard` is
/// whatever must live as long as the store (a dynalite), and the block runs once per case.
#[macro_export]
macro_rules! store_contract {
    ($make:expr) => {
        $crate::store_contract!(@cases $make;
            a_new_pulse_is_due_at_its_exact_first_instant,
            a_steady_pulse_leaves_the_due_time_alone,
            creation_settings_stay_with_the_item,
            an_older_pulse_is_counted_but_keeps_the_newer_time,
            an_alerted_pulse_that_comes_back_is_due_at_once,
            a_foreign_item_keeps_its_threshold_and_is_due_at_once,
            sweep_segments_split_the_foreign_items,
            a_reschedule_holds_only_on_what_was_seen,
            settings_writes_never_create_and_move_the_due_time,
            a_delete_says_whether_it_found_the_pulse,
            a_claim_holds_once_per_lease,
            a_claim_checks_what_the_run_believed,
            only_the_claimant_records_an_alert,
            an_alert_recorded_after_a_racing_pulse_is_due_at_once,
            a_recovery_is_recorded_by_the_claimant_only,
            a_release_drops_only_the_own_lease,
            due_ids_come_in_due_order_and_fetch_keeps_it,
            partial_deliveries_are_kept_by_the_claimant_until_recorded,
            snooze_and_pause_never_create_and_move_the_due_time,
            a_signal_ends_a_pause_and_is_due_at_once,
            no_claim_holds_while_snoozed_or_paused,
            windows_are_added_listed_and_removed,
            expectation_settings_are_kept_set_and_cleared
        );
        $crate::store_contract!(@signal_cases $make;
            a_failure_opens_an_incident_due_at_once_and_a_success_ends_it,
            a_start_with_a_max_runtime_is_due_at_its_overrun_instant,
            a_failure_or_start_creates_the_pulse
        );
        $crate::store_contract!(@event_cases $make;
            events_come_newest_first_in_pages,
            two_events_of_one_instant_are_both_kept,
            expired_events_are_left_out_and_trimmed,
            trimming_keeps_the_newest
        );
    };
    (@event_cases $make:expr; $($case:ident),+) => {
        $(
            #[tokio::test]
            async fn $case() {
                let (_guard, store) = $make.await;
                $crate::store::contract_events::$case(&store).await;
            }
        )+
    };
    (@signal_cases $make:expr; $($case:ident),+) => {
        $(
            #[tokio::test]
            async fn $case() {
                let (_guard, store) = $make.await;
                $crate::store::contract_signals::$case(&store).await;
            }
        )+
    };
    (@cases $make:expr; $($case:ident),+) => {
        $(
            #[tokio::test]
            async fn $case() {
                let (_guard, store) = $make.await;
                $crate::store::contract::$case(&store).await;
            }
        )+
    };
}

/// Monday 2026-11-23 09:00 UTC: a working hour.
fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn hours(h: i64) -> TimeDelta {
    TimeDelta::hours(h)
}

fn receipt(name: &str, at: DateTime<Utc>) -> PulseReceipt {
    PulseReceipt {
        key: PulseKey::parse(Some("web-1"), Some("jobs"), Some("cron"), Some(name)).unwrap(),
        at,
        threshold: Threshold::parse("2").unwrap(),
        saturday: false,
        tz: Zone::UTC,
        message: None,
        metadata: None,
        expect: Default::default(),
    }
}

fn id(name: &str) -> PulseId {
    receipt(name, monday()).key.id()
}

async fn get<S: ContractStore>(store: &S, name: &str) -> Pulse {
    store.get(&id(name)).await.unwrap().expect("the pulse exists")
}

fn foreign(name: &str, last: DateTime<Utc>, threshold: &str) -> Pulse {
    let key = PulseKey::parse(Some("legacy"), Some("jobs"), Some("node"), Some(name)).unwrap();
    crate::testing::original_pulse(key, last, threshold, false)
}

fn claim(run: &str, now: DateTime<Utc>) -> Claim {
    Claim {
        run: run.to_owned(),
        until: now + TimeDelta::minutes(5),
    }
}

/// Records a pulse at `monday()` and an alert for it at `at`, as a run would.
async fn alerted<S: ContractStore>(store: &S, name: &str, at: DateTime<Utc>) -> Alert {
    store.record_pulse(&receipt(name, monday())).await.unwrap();
    let stamp = format_stamp(monday());
    let expect = Expectation::Alert { stamp: stamp.clone() };
    assert_eq!(
        store.claim(&id(name), &expect, &claim("run-a", at), at).await.unwrap(),
        Held::Yes
    );
    let alert = Alert {
        for_stamp: stamp,
        notified_at: at,
    };
    let next = at + hours(24);
    assert_eq!(
        store.record_alert(&id(name), "run-a", &alert, next).await.unwrap(),
        Held::Yes
    );
    alert
}

pub async fn a_new_pulse_is_due_at_its_exact_first_instant<S: ContractStore>(store: &S) {
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    let p = get(store, "nightly").await;
    assert_eq!(p.due_at, Some(monday() + hours(2)));
    assert_eq!((p.pulse_count, p.threshold.to_string()), (Some(1), "2".to_owned()));
    assert!(store.due(monday() + hours(1)).await.unwrap().is_empty());
    assert_eq!(store.due(monday() + hours(2)).await.unwrap(), vec![id("nightly")]);
}

pub async fn a_steady_pulse_leaves_the_due_time_alone<S: ContractStore>(store: &S) {
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    store
        .record_pulse(&receipt("nightly", monday() + hours(1)))
        .await
        .unwrap();
    let p = get(store, "nightly").await;
    assert_eq!(p.last_pulse, monday() + hours(1));
    assert_eq!(p.pulse_count, Some(2));
    assert_eq!(
        p.due_at,
        Some(monday() + hours(2)),
        "moved by the monitor, not the pulse"
    );
}

pub async fn creation_settings_stay_with_the_item<S: ContractStore>(store: &S) {
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    let mut other = receipt("nightly", monday() + hours(1));
    other.threshold = Threshold::parse("48").unwrap();
    other.saturday = true;
    other.tz = Zone::parse("Europe/Berlin").unwrap();
    other.message = Some("done".into());
    store.record_pulse(&other).await.unwrap();
    let p = get(store, "nightly").await;
    assert_eq!(
        (p.threshold.to_string(), p.saturday, p.tz),
        ("2".to_owned(), false, Some(Zone::UTC))
    );
    assert_eq!(p.last_message.as_deref(), Some("done"));
}

pub async fn an_older_pulse_is_counted_but_keeps_the_newer_time<S: ContractStore>(store: &S) {
    store
        .record_pulse(&receipt("nightly", monday() + hours(1)))
        .await
        .unwrap();
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    let p = get(store, "nightly").await;
    assert_eq!((p.last_pulse, p.pulse_count), (monday() + hours(1), Some(2)));
}

pub async fn an_alerted_pulse_that_comes_back_is_due_at_once<S: ContractStore>(store: &S) {
    let at = monday() + hours(3);
    alerted(store, "nightly", at).await;
    assert_eq!(get(store, "nightly").await.due_at, Some(at + hours(24)));
    let back = at + hours(1);
    store.record_pulse(&receipt("nightly", back)).await.unwrap();
    assert_eq!(get(store, "nightly").await.due_at, Some(back));
    assert_eq!(store.due(back).await.unwrap(), vec![id("nightly")]);
}

pub async fn a_foreign_item_keeps_its_threshold_and_is_due_at_once<S: ContractStore>(store: &S) {
    let item = foreign("legacy", monday() - hours(1), "5");
    store.put_foreign(&item).await;
    let mut pulse = receipt("legacy", monday());
    pulse.key = item.key.clone();
    pulse.threshold = Threshold::parse("24").unwrap();
    store.record_pulse(&pulse).await.unwrap();
    let p = store.get(&item.id).await.unwrap().unwrap();
    assert_eq!(p.threshold.to_string(), "5", "the item's own threshold counts");
    assert_eq!(
        p.due_at,
        Some(monday()),
        "due at once: the monitor computes the exact time"
    );
    assert!(store.unindexed(Slice::All).await.unwrap().pulses.is_empty());
}

pub async fn sweep_segments_split_the_foreign_items<S: ContractStore>(store: &S) {
    let names: Vec<String> = (0..12).map(|i| format!("legacy-{i}")).collect();
    for name in &names {
        store.put_foreign(&foreign(name, monday(), "24")).await;
    }
    store.record_pulse(&receipt("indexed", monday())).await.unwrap();
    let mut seen = Vec::new();
    for segment in 0..4 {
        let part = store.unindexed(Slice::Segment { segment, total: 4 }).await.unwrap();
        seen.extend(part.pulses.into_iter().map(|p| p.key.name));
    }
    seen.sort();
    let mut expected = names.clone();
    expected.sort();
    assert_eq!(
        seen, expected,
        "each foreign item in exactly one segment, indexed items in none"
    );
    assert_eq!(store.unindexed(Slice::All).await.unwrap().pulses.len(), 12);
    // Judged once, it is in the index and out of the sweep.
    let first = foreign(&names[0], monday(), "24");
    let plan = Reschedule {
        stamp: first.stamp.clone(),
        seen_start: None,
        seen_due: None,
        next_due: monday() + hours(24),
    };
    assert_eq!(store.reschedule(&first.id, &plan).await.unwrap(), Held::Yes);
    assert_eq!(store.unindexed(Slice::All).await.unwrap().pulses.len(), 11);
    assert_eq!(store.due(monday() + hours(24)).await.unwrap().len(), 2);
}

pub async fn a_reschedule_holds_only_on_what_was_seen<S: ContractStore>(store: &S) {
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    let seen = get(store, "nightly").await;
    let plan = Reschedule {
        stamp: seen.stamp.clone(),
        seen_start: None,
        seen_due: seen.due_at,
        next_due: monday() + hours(5),
    };
    // A pulse since the look: the stamp moved.
    store
        .record_pulse(&receipt("nightly", monday() + hours(1)))
        .await
        .unwrap();
    assert_eq!(store.reschedule(&id("nightly"), &plan).await.unwrap(), Held::No);
    // Seen as it is now: it holds.
    let seen = get(store, "nightly").await;
    let plan = Reschedule {
        stamp: seen.stamp.clone(),
        seen_start: None,
        seen_due: seen.due_at,
        next_due: monday() + hours(3),
    };
    assert_eq!(store.reschedule(&id("nightly"), &plan).await.unwrap(), Held::Yes);
    assert_eq!(get(store, "nightly").await.due_at, Some(monday() + hours(3)));
    // The same plan again: the due time it saw is gone.
    assert_eq!(store.reschedule(&id("nightly"), &plan).await.unwrap(), Held::No);
    assert_eq!(store.reschedule(&id("nobody"), &plan).await.unwrap(), Held::No);
    assert!(store.get(&id("nobody")).await.unwrap().is_none(), "no phantom item");
}

pub async fn settings_writes_never_create_and_move_the_due_time<S: ContractStore>(store: &S) {
    let settings = Settings {
        threshold: Threshold::parse("6").unwrap(),
        saturday: true,
        tz: Zone::parse("Europe/Berlin").unwrap(),
        expect: Default::default(),
        max_runtime: None,
    };
    let due = monday() + hours(6);
    assert_eq!(
        store.update_settings(&id("nobody"), &settings, due).await.unwrap(),
        Held::No
    );
    assert!(store.get(&id("nobody")).await.unwrap().is_none(), "no phantom item");
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    assert_eq!(
        store.update_settings(&id("nightly"), &settings, due).await.unwrap(),
        Held::Yes
    );
    let p = get(store, "nightly").await;
    assert_eq!(
        (p.threshold.to_string(), p.saturday, p.tz),
        ("6".to_owned(), true, Some(settings.tz))
    );
    assert_eq!(p.due_at, Some(due));
    // An edit brings a foreign item into the index.
    let item = foreign("legacy", monday(), "24");
    store.put_foreign(&item).await;
    assert_eq!(
        store.update_settings(&item.id, &settings, due).await.unwrap(),
        Held::Yes
    );
    assert!(store.unindexed(Slice::All).await.unwrap().pulses.is_empty());
}

pub async fn a_delete_says_whether_it_found_the_pulse<S: ContractStore>(store: &S) {
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    assert_eq!(store.delete(&id("nightly")).await.unwrap(), Held::Yes);
    assert_eq!(store.delete(&id("nightly")).await.unwrap(), Held::No);
    assert!(store.get(&id("nightly")).await.unwrap().is_none());
    assert!(store.due(monday() + hours(48)).await.unwrap().is_empty());
}

pub async fn a_claim_holds_once_per_lease<S: ContractStore>(store: &S) {
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    let now = monday() + hours(3);
    let expect = Expectation::Alert {
        stamp: format_stamp(monday()),
    };
    assert_eq!(
        store
            .claim(&id("nightly"), &expect, &claim("run-a", now), now)
            .await
            .unwrap(),
        Held::Yes
    );
    assert_eq!(
        store
            .claim(&id("nightly"), &expect, &claim("run-b", now), now)
            .await
            .unwrap(),
        Held::No
    );
    // The lease runs out: another run may take over.
    let later = now + TimeDelta::minutes(6);
    assert_eq!(
        store
            .claim(&id("nightly"), &expect, &claim("run-b", later), later)
            .await
            .unwrap(),
        Held::Yes
    );
    assert_eq!(
        get(store, "nightly").await.claim.map(|c| c.run).as_deref(),
        Some("run-b")
    );
    assert_eq!(
        store
            .claim(&id("nobody"), &expect, &claim("run-c", later), later)
            .await
            .unwrap(),
        Held::No
    );
    assert!(store.get(&id("nobody")).await.unwrap().is_none(), "no phantom item");
}

pub async fn a_claim_checks_what_the_run_believed<S: ContractStore>(store: &S) {
    let at = monday() + hours(3);
    let alert = alerted(store, "nightly", at).await;
    let later = at + hours(24);
    // Already alerted for this stamp: no second alert.
    let again = Expectation::Alert {
        stamp: alert.for_stamp.clone(),
    };
    assert_eq!(
        store
            .claim(&id("nightly"), &again, &claim("r1", later), later)
            .await
            .unwrap(),
        Held::No
    );
    // A reminder holds only for the notification it saw.
    let stale = Expectation::Reminder {
        stamp: alert.for_stamp.clone(),
        notified_at: at - hours(1),
    };
    assert_eq!(
        store
            .claim(&id("nightly"), &stale, &claim("r2", later), later)
            .await
            .unwrap(),
        Held::No
    );
    let reminder = Expectation::Reminder {
        stamp: alert.for_stamp.clone(),
        notified_at: at,
    };
    assert_eq!(
        store
            .claim(&id("nightly"), &reminder, &claim("r3", later), later)
            .await
            .unwrap(),
        Held::Yes
    );
    store.release(&id("nightly"), "r3").await.unwrap();
    // A recovery for another incident's stamp does not hold.
    let wrong = Expectation::Recovery {
        alerted_stamp: format_stamp(monday() - hours(1)),
    };
    assert_eq!(
        store
            .claim(&id("nightly"), &wrong, &claim("r4", later), later)
            .await
            .unwrap(),
        Held::No
    );
}

pub async fn only_the_claimant_records_an_alert<S: ContractStore>(store: &S) {
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    let now = monday() + hours(3);
    let stamp = format_stamp(monday());
    let expect = Expectation::Alert { stamp: stamp.clone() };
    store
        .claim(&id("nightly"), &expect, &claim("run-a", now), now)
        .await
        .unwrap();
    let alert = Alert {
        for_stamp: stamp,
        notified_at: now,
    };
    assert_eq!(
        store
            .record_alert(&id("nightly"), "run-b", &alert, now + hours(24))
            .await
            .unwrap(),
        Held::No
    );
    assert_eq!(get(store, "nightly").await.alert, None);
    assert_eq!(
        store
            .record_alert(&id("nightly"), "run-a", &alert, now + hours(24))
            .await
            .unwrap(),
        Held::Yes
    );
    let p = get(store, "nightly").await;
    assert_eq!((p.alert, p.claim, p.due_at), (Some(alert), None, Some(now + hours(24))));
}

pub async fn an_alert_recorded_after_a_racing_pulse_is_due_at_once<S: ContractStore>(store: &S) {
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    let now = monday() + hours(3);
    let stamp = format_stamp(monday());
    let expect = Expectation::Alert { stamp: stamp.clone() };
    store
        .claim(&id("nightly"), &expect, &claim("run-a", now), now)
        .await
        .unwrap();
    // The pulse comes back while Slack has the message: its own write saw no alert yet.
    store.record_pulse(&receipt("nightly", now)).await.unwrap();
    let alert = Alert {
        for_stamp: stamp,
        notified_at: now,
    };
    assert_eq!(
        store
            .record_alert(&id("nightly"), "run-a", &alert, now + hours(24))
            .await
            .unwrap(),
        Held::Yes
    );
    let p = get(store, "nightly").await;
    assert_eq!(p.due_at, Some(now), "due at once for the recovery");
    assert_eq!(p.alert, Some(alert));
}

pub async fn a_recovery_is_recorded_by_the_claimant_only<S: ContractStore>(store: &S) {
    let at = monday() + hours(3);
    let alert = alerted(store, "nightly", at).await;
    let back = at + hours(1);
    store.record_pulse(&receipt("nightly", back)).await.unwrap();
    let expect = Expectation::Recovery {
        alerted_stamp: alert.for_stamp.clone(),
    };
    assert_eq!(
        store
            .claim(&id("nightly"), &expect, &claim("run-b", back), back)
            .await
            .unwrap(),
        Held::Yes
    );
    let next = back + hours(2);
    assert_eq!(
        store
            .record_recovery(&id("nightly"), "run-x", &alert.for_stamp, next)
            .await
            .unwrap(),
        Held::No
    );
    assert_eq!(
        store
            .record_recovery(&id("nightly"), "run-b", "another", next)
            .await
            .unwrap(),
        Held::No
    );
    assert_eq!(
        store
            .record_recovery(&id("nightly"), "run-b", &alert.for_stamp, next)
            .await
            .unwrap(),
        Held::Yes
    );
    let p = get(store, "nightly").await;
    assert_eq!((p.alert, p.claim, p.due_at), (None, None, Some(next)));
}

pub async fn a_release_drops_only_the_own_lease<S: ContractStore>(store: &S) {
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    let now = monday() + hours(3);
    let expect = Expectation::Alert {
        stamp: format_stamp(monday()),
    };
    store
        .claim(&id("nightly"), &expect, &claim("run-a", now), now)
        .await
        .unwrap();
    store.release(&id("nightly"), "run-b").await.unwrap();
    assert!(get(store, "nightly").await.claim.is_some());
    store.release(&id("nightly"), "run-a").await.unwrap();
    assert_eq!(get(store, "nightly").await.claim, None);
    store.release(&id("nobody"), "run-a").await.unwrap();
    assert!(store.get(&id("nobody")).await.unwrap().is_none(), "no phantom item");
}

pub async fn due_ids_come_in_due_order_and_fetch_keeps_it<S: ContractStore>(store: &S) {
    for (name, offset) in [("c", 2), ("a", 0), ("b", 1)] {
        store
            .record_pulse(&receipt(name, monday() + hours(offset)))
            .await
            .unwrap();
    }
    let due = store.due(monday() + hours(10)).await.unwrap();
    assert_eq!(due, vec![id("a"), id("b"), id("c")]);
    let ids = vec![id("c"), id("nobody"), id("a")];
    let names: Vec<String> = store
        .fetch(&ids)
        .await
        .unwrap()
        .pulses
        .into_iter()
        .map(|p| p.key.name)
        .collect();
    assert_eq!(names, ["c", "a"], "in the order asked, missing ids left out");
}

pub async fn snooze_and_pause_never_create_and_move_the_due_time<S: ContractStore>(store: &S) {
    let until = monday() + hours(6);
    assert_eq!(
        store.set_snooze(&id("ghost"), Some(until), until).await.unwrap(),
        Held::No
    );
    assert_eq!(store.set_pause(&id("ghost"), true, until).await.unwrap(), Held::No);
    assert!(store.get(&id("ghost")).await.unwrap().is_none(), "no phantom item");

    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    assert_eq!(
        store.set_snooze(&id("nightly"), Some(until), until).await.unwrap(),
        Held::Yes
    );
    let p = get(store, "nightly").await;
    assert_eq!((p.quiet.snoozed_until, p.due_at), (Some(until), Some(until)));
    assert!(store.due(until - hours(1)).await.unwrap().is_empty());
    store
        .set_snooze(&id("nightly"), None, monday() + hours(2))
        .await
        .unwrap();
    let p = get(store, "nightly").await;
    assert_eq!((p.quiet.snoozed_until, p.due_at), (None, Some(monday() + hours(2))));

    let never = crate::rules::due::never();
    assert_eq!(store.set_pause(&id("nightly"), true, never).await.unwrap(), Held::Yes);
    let p = get(store, "nightly").await;
    assert!(p.quiet.paused);
    assert_eq!(p.due_at, Some(never));
    store
        .set_pause(&id("nightly"), false, monday() + hours(2))
        .await
        .unwrap();
    assert!(!get(store, "nightly").await.quiet.paused);
}

pub async fn a_signal_ends_a_pause_and_is_due_at_once<S: ContractStore>(store: &S) {
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    store
        .set_pause(&id("nightly"), true, crate::rules::due::never())
        .await
        .unwrap();
    let back = monday() + hours(30);
    store.record_pulse(&receipt("nightly", back)).await.unwrap();
    let p = get(store, "nightly").await;
    assert!(!p.quiet.paused, "the signal ended the pause");
    assert_eq!(p.due_at, Some(back), "due at once: the monitor computes the rest");
    // A snooze is not ended by a signal: it lasts until its instant.
    store
        .set_snooze(&id("nightly"), Some(back + hours(5)), back + hours(5))
        .await
        .unwrap();
    store.record_pulse(&receipt("nightly", back + hours(1))).await.unwrap();
    let p = get(store, "nightly").await;
    assert_eq!(
        (p.quiet.snoozed_until, p.due_at),
        (Some(back + hours(5)), Some(back + hours(5)))
    );
}

/// A snooze or pause written after a run read the pulse wins over the run's claim.
pub async fn no_claim_holds_while_snoozed_or_paused<S: ContractStore>(store: &S) {
    let now = monday() + hours(3);
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    let expect = Expectation::Alert {
        stamp: format_stamp(monday()),
    };
    store
        .set_snooze(&id("nightly"), Some(now + hours(1)), now + hours(1))
        .await
        .unwrap();
    assert_eq!(
        store
            .claim(&id("nightly"), &expect, &claim("run-a", now), now)
            .await
            .unwrap(),
        Held::No
    );
    // Once the snooze is over, the claim holds.
    let later = now + hours(1);
    assert_eq!(
        store
            .claim(&id("nightly"), &expect, &claim("run-a", later), later)
            .await
            .unwrap(),
        Held::Yes
    );
    store.release(&id("nightly"), "run-a").await.unwrap();
    store
        .set_pause(&id("nightly"), true, crate::rules::due::never())
        .await
        .unwrap();
    let latest = later + hours(1);
    assert_eq!(
        store
            .claim(&id("nightly"), &expect, &claim("run-b", latest), latest)
            .await
            .unwrap(),
        Held::No
    );
}

pub async fn windows_are_added_listed_and_removed<S: ContractStore>(store: &S) {
    use crate::model::{Scope, Window};
    assert!(store.windows().await.unwrap().is_empty());
    let window = |start: DateTime<Utc>, scope: Scope| {
        Window::new(
            super::new_window_id(start),
            start,
            start + hours(4),
            scope,
            "db migration".into(),
            monday(),
        )
        .unwrap()
    };
    let later = window(monday() + hours(10), Scope::Host("db-1".into()));
    let sooner = window(monday() + hours(2), Scope::Category("backup".into()));
    assert_eq!(store.add_window(&later).await.unwrap(), Held::Yes);
    assert_eq!(store.add_window(&sooner).await.unwrap(), Held::Yes);
    assert_eq!(store.add_window(&sooner).await.unwrap(), Held::No, "the same id twice");
    assert_eq!(
        store.windows().await.unwrap(),
        vec![sooner.clone(), later.clone()],
        "in start order"
    );
    assert_eq!(
        store.maintenance_windows().await.unwrap().len(),
        2,
        "the monitor sees them"
    );
    assert_eq!(store.remove_window(&sooner.id).await.unwrap(), Some(sooner.clone()));
    assert_eq!(store.remove_window(&sooner.id).await.unwrap(), None);
    assert_eq!(store.windows().await.unwrap(), vec![later]);
}

/// Workdays, calendars (an empty list too), hours, schedule and grace: given on the first pulse,
/// kept by later pulses, replaced and cleared by a settings write. The pulse's channels: set by a
/// settings write, kept by pulses, cleared by the next write without them.
pub async fn expectation_settings_are_kept_set_and_cleared<S: ContractStore>(store: &S) {
    use crate::model::{CalendarNames, Expectation, Grace, Hours, PulseChannels, Schedule, WorkingDays};
    let expect = Expectation {
        workdays: Some(WorkingDays::parse("Sun-Thu").unwrap()),
        calendars: Some(CalendarNames::parse("").unwrap()),
        hours: Some(Hours::parse("08:00-18:00").unwrap()),
        schedule: Some(Schedule::parse("30 2 * * 1-5").unwrap()),
        grace: Some(Grace::parse("0.5").unwrap()),
        channels: None,
    };
    let first = PulseReceipt {
        expect: expect.clone(),
        ..receipt("cron", monday())
    };
    store.record_pulse(&first).await.unwrap();
    assert_eq!(get(store, "cron").await.expect, expect);
    // A later pulse with other settings changes nothing (the item's own win).
    let later = PulseReceipt {
        expect: Expectation {
            hours: Some(Hours::parse("00:00-01:00").unwrap()),
            ..Expectation::default()
        },
        ..receipt("cron", monday() + hours(1))
    };
    store.record_pulse(&later).await.unwrap();
    assert_eq!(get(store, "cron").await.expect, expect);
    // The pulse's own channels come only from a settings write; later pulses keep them.
    let routed = Settings {
        threshold: Threshold::parse("6").unwrap(),
        saturday: false,
        tz: Zone::UTC,
        expect: Expectation {
            channels: PulseChannels::parse("pager,default").unwrap(),
            ..expect.clone()
        },
        max_runtime: None,
    };
    let due = monday() + hours(6);
    assert_eq!(
        store.update_settings(&id("cron"), &routed, due).await.unwrap(),
        Held::Yes
    );
    assert_eq!(get(store, "cron").await.expect, routed.expect);
    store.record_pulse(&receipt("cron", monday() + hours(2))).await.unwrap();
    let kept = get(store, "cron").await.expect.channels;
    assert_eq!(
        kept.map(|c| c.to_string()).as_deref(),
        Some("pager,default"),
        "kept by pulses"
    );
    let cleared = Settings {
        threshold: Threshold::parse("6").unwrap(),
        saturday: false,
        tz: Zone::UTC,
        expect: Expectation {
            workdays: Some(WorkingDays::parse("Mon,Wed,Fri").unwrap()),
            calendars: Some(CalendarNames::parse("de-BY,company").unwrap()),
            ..Expectation::default()
        },
        max_runtime: Some(crate::model::MaxRuntime::parse("2").unwrap()),
    };
    assert_eq!(
        store.update_settings(&id("cron"), &cleared, due).await.unwrap(),
        Held::Yes
    );
    let p = get(store, "cron").await;
    assert_eq!(p.expect, cleared.expect, "hours, schedule, grace and channels removed");
    assert_eq!(p.run.max_runtime, cleared.max_runtime, "max runtime set");
    let no_limit = Settings {
        max_runtime: None,
        ..cleared.clone()
    };
    store.update_settings(&id("cron"), &no_limit, due).await.unwrap();
    assert_eq!(get(store, "cron").await.run.max_runtime, None, "max runtime cleared");
    assert_eq!(p.working_days().to_string(), "Mon,Wed,Fri");
}

pub async fn partial_deliveries_are_kept_by_the_claimant_until_recorded<S: ContractStore>(store: &S) {
    store.record_pulse(&receipt("nightly", monday())).await.unwrap();
    let now = monday() + hours(30);
    let stamp = format_stamp(monday());
    let expect = Expectation::Alert { stamp: stamp.clone() };
    let markers = |names: &[&str]| names.iter().map(|n| format!("alert {stamp}|{n}")).collect::<Vec<_>>();
    assert!(
        store
            .claim(&id("nightly"), &expect, &claim("run-a", now), now)
            .await
            .unwrap()
            .held()
    );
    // Not the lease holder: nothing is written.
    assert_eq!(
        store
            .record_partial(&id("nightly"), "run-b", &markers(&["ops"]))
            .await
            .unwrap(),
        Held::No
    );
    assert_eq!(get(store, "nightly").await.delivered, Vec::<String>::new());
    assert_eq!(
        store
            .record_partial(&id("nightly"), "run-a", &markers(&["ops"]))
            .await
            .unwrap(),
        Held::Yes
    );
    let p = get(store, "nightly").await;
    assert_eq!(p.delivered, markers(&["ops"]));
    assert_eq!(p.claim, None, "the lease is dropped");
    assert_eq!(p.alert, None, "the alert is not recorded until every channel has it");
    // A later run adds the next channel, then records the alert: the markers go.
    let later = now + hours(1);
    assert!(
        store
            .claim(&id("nightly"), &expect, &claim("run-c", later), later)
            .await
            .unwrap()
            .held()
    );
    store
        .record_partial(&id("nightly"), "run-c", &markers(&["audit"]))
        .await
        .unwrap();
    assert_eq!(get(store, "nightly").await.delivered, markers(&["audit", "ops"]));
    assert!(
        store
            .claim(&id("nightly"), &expect, &claim("run-d", later), later)
            .await
            .unwrap()
            .held()
    );
    let alert = Alert {
        for_stamp: stamp.clone(),
        notified_at: later,
    };
    assert!(
        store
            .record_alert(&id("nightly"), "run-d", &alert, later + hours(24))
            .await
            .unwrap()
            .held()
    );
    let p = get(store, "nightly").await;
    assert_eq!(p.delivered, Vec::<String>::new());
    assert_eq!(p.alert, Some(alert));
    assert!(store.get(&id("nobody")).await.unwrap().is_none());
    assert_eq!(
        store
            .record_partial(&id("nobody"), "run-a", &markers(&["ops"]))
            .await
            .unwrap(),
        Held::No
    );
    assert!(store.get(&id("nobody")).await.unwrap().is_none(), "no phantom item");
}
