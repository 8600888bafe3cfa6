//! The store's behaviour for signals, written once like `contract.rs` and instantiated by
//! `store_contract!` for both stores: what a start and a failure write, that finishes and starts
//! only move forward, and the claim conditions of failed and overrun incidents.

use super::contract::ContractStore;
use super::{Expectation, Held, PulseReceipt};
use crate::model::{Claim, MaxRuntime, PulseId, PulseKey, Signal, SignalKind, Threshold, Zone};
use crate::rules::signals;
use chrono::{DateTime, TimeDelta, TimeZone as _, Utc};

fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn minutes(m: i64) -> TimeDelta {
    TimeDelta::minutes(m)
}

fn receipt(at: DateTime<Utc>) -> PulseReceipt {
    PulseReceipt {
        key: PulseKey::parse(Some("web-1"), Some("jobs"), Some("cron"), Some("signals")).unwrap(),
        at,
        threshold: Threshold::parse("24").unwrap(),
        saturday: false,
        tz: Zone::UTC,
        message: Some("said".into()),
        metadata: None,
        expect: Default::default(),
    }
}

fn id() -> PulseId {
    receipt(monday()).key.id()
}

fn signal(kind: SignalKind) -> Signal {
    Signal {
        kind,
        ..Signal::success()
    }
}

fn failure(exit: u8, log: &str) -> Signal {
    Signal {
        exit: Some(exit),
        log: Some(log.into()),
        duration: Some(TimeDelta::seconds(7)),
        ..signal(SignalKind::Failure)
    }
}

fn claim(now: DateTime<Utc>) -> Claim {
    Claim {
        run: "run-s".into(),
        until: now + minutes(5),
    }
}

pub async fn a_failure_opens_an_incident_due_at_once_and_a_success_ends_it<S: ContractStore>(store: &S) {
    store.record_pulse(&receipt(monday())).await.unwrap();
    let failed_at = monday() + minutes(10);
    store
        .record_signal(&receipt(failed_at), &failure(3, "boom"))
        .await
        .unwrap();
    let p = store.get(&id()).await.unwrap().unwrap();
    assert_eq!(p.last_pulse, monday(), "a failure is no success");
    assert_eq!(p.due_at, Some(failed_at), "due at once");
    assert_eq!(p.run.failing_since, Some(failed_at));
    assert_eq!(p.run.exit_code, Some(3));
    assert_eq!(p.run.failure_log.as_deref(), Some("boom"));
    assert_eq!(signals::last_duration(&p.run), Some(TimeDelta::seconds(7)));
    // A second failure keeps the incident's name; an older one changes nothing.
    store
        .record_signal(&receipt(failed_at + minutes(1)), &failure(4, "again"))
        .await
        .unwrap();
    store
        .record_signal(&receipt(failed_at - minutes(5)), &failure(9, "late"))
        .await
        .unwrap();
    let p = store.get(&id()).await.unwrap().unwrap();
    assert_eq!(p.run.failing_since, Some(failed_at));
    assert_eq!(p.run.exit_code, Some(4));
    // The incident's claim holds while it lasts...
    let incident = format!("failed@{}", crate::model::format_stamp(failed_at));
    let expect = Expectation::Alert {
        stamp: incident.clone(),
    };
    let now = failed_at + minutes(2);
    assert_eq!(store.claim(&id(), &expect, &claim(now), now).await.unwrap(), Held::Yes);
    store.release(&id(), "run-s").await.unwrap();
    // ...and not once a success has ended it.
    store.record_pulse(&receipt(failed_at + minutes(3))).await.unwrap();
    let p = store.get(&id()).await.unwrap().unwrap();
    assert_eq!((p.run.failing_since, p.run.failure_log.clone()), (None, None));
    assert_eq!(p.last_pulse, failed_at + minutes(3));
    assert_eq!(store.claim(&id(), &expect, &claim(now), now).await.unwrap(), Held::No);
}

pub async fn a_start_with_a_max_runtime_is_due_at_its_overrun_instant<S: ContractStore>(store: &S) {
    store.record_pulse(&receipt(monday())).await.unwrap();
    let start = monday() + minutes(30);
    let with_max = Signal {
        max_runtime: Some(MaxRuntime::parse("1").unwrap()),
        rid: Some("r1".into()),
        ..signal(SignalKind::Start)
    };
    store.record_signal(&receipt(start), &with_max).await.unwrap();
    let p = store.get(&id()).await.unwrap().unwrap();
    assert_eq!(p.run.started_at, Some(start));
    assert_eq!(p.due_at, Some(start + TimeDelta::hours(1)));
    assert!(signals::is_running(&p.run));
    // An overrun claim holds while the run goes on; a failure makes it fail.
    let later = start + minutes(61);
    let expect = Expectation::Alert {
        stamp: format!("overrun@{}", crate::model::format_stamp(start)),
    };
    assert_eq!(
        store.claim(&id(), &expect, &claim(later), later).await.unwrap(),
        Held::Yes
    );
    store.release(&id(), "run-s").await.unwrap();
    // The finish measures the run from its start.
    let finish = Signal {
        rid: Some("r1".into()),
        ..Signal::success()
    };
    store
        .record_signal(&receipt(start + minutes(70)), &finish)
        .await
        .unwrap();
    let p = store.get(&id()).await.unwrap().unwrap();
    assert!(!signals::is_running(&p.run));
    assert_eq!(signals::last_duration(&p.run), Some(minutes(70)));
    assert_eq!(
        store.claim(&id(), &expect, &claim(later), later).await.unwrap(),
        Held::No
    );
    // The same run's start arriving after its finish changes nothing.
    store
        .record_signal(&receipt(start + minutes(71)), &with_max)
        .await
        .unwrap();
    let p = store.get(&id()).await.unwrap().unwrap();
    assert_eq!(p.run.started_at, Some(start));
    assert!(!signals::is_running(&p.run));
}

pub async fn a_failure_or_start_creates_the_pulse<S: ContractStore>(store: &S) {
    store
        .record_signal(&receipt(monday()), &failure(1, "first sight"))
        .await
        .unwrap();
    let p = store.get(&id()).await.unwrap().unwrap();
    assert_eq!(p.last_pulse, monday(), "counted from its first sight");
    assert_eq!(p.pulse_count, None, "no success yet");
    assert_eq!(p.due_at, Some(monday()));
    assert_eq!(p.last_message.as_deref(), Some("said"));
}
