//! Races: overlapping runs, a pulse landing between reading and claiming, a lease left by a crashed
//! run. Each incident is alerted once.

use super::*;

/// Holds the first message until told to deliver it.
struct GatedNotifier<'a> {
    inner: &'a RecordingNotifier,
    held: AtomicBool,
    entered: Notify,
    release: Notify,
}

#[async_trait]
impl Notifier for GatedNotifier<'_> {
    async fn send(&self, message: &SlackMessage) -> Result<(), NotifyError> {
        if !self.held.swap(true, Ordering::SeqCst) {
            self.entered.notify_one();
            self.release.notified().await;
        }
        self.inner.send(message).await
    }
}

#[tokio::test]
async fn overlapping_runs_deliver_one_alert() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    let gate = GatedNotifier {
        inner: &world.slack,
        held: AtomicBool::new(false),
        entered: Notify::new(),
        release: Notify::new(),
    };
    let deps = MonitorDeps {
        ledger: &world.store,
        notifier: &gate,
        config: &world.config,
        calendars: None,
        channels: None,
    };

    let first = monitor_event(scheduled_event(), &deps, now(), "run-a");
    let second = async {
        // The first run has claimed the pulse and is waiting for Slack.
        gate.entered.notified().await;
        assert!(world.claim("nightly").is_some_and(|c| c.run == "run-a"));
        let summary = monitor_event(scheduled_event(), &deps, now() + minutes(1), "run-b").await;
        gate.release.notify_one();
        summary
    };
    let (first, second) =
        tokio::time::timeout(std::time::Duration::from_secs(5), async { tokio::join!(first, second) })
            .await
            .expect("neither run hangs");

    assert_eq!(first.unwrap(), one_new_alert());
    assert_eq!(
        second.unwrap(),
        summary(&[("checked", 1), ("exceeded", 1), ("newly_exceeded", 1), ("skipped", 1)])
    );
    assert_eq!(world.slack.delivered().len(), 1, "one alert, not two");
    assert_eq!(world.alert("nightly").map(|a| a.notified_at), Some(now()));
    assert_eq!(world.claim("nightly"), None);
}

/// Reads the due pulses, then lets a pulse land before the monitor claims anything.
struct RacingLedger<'a> {
    inner: &'a MemoryStore,
    fresh: PulseReceipt,
}

#[async_trait]
impl IncidentLedger for RacingLedger<'_> {
    async fn due(&self, now: DateTime<Utc>) -> Result<Vec<PulseId>, StoreError> {
        self.inner.due(now).await
    }

    async fn fetch(&self, ids: &[PulseId]) -> Result<Listing, StoreError> {
        let listing = self.inner.fetch(ids).await?;
        self.inner.record_pulse(&self.fresh).await?;
        Ok(listing)
    }

    async fn claim(
        &self,
        id: &PulseId,
        expect: &Expectation,
        claim: &Claim,
        now: DateTime<Utc>,
    ) -> Result<Held, StoreError> {
        self.inner.claim(id, expect, claim, now).await
    }

    async fn unindexed(&self, slice: Slice) -> Result<Listing, StoreError> {
        self.inner.unindexed(slice).await
    }

    async fn reschedule(&self, id: &PulseId, plan: &Reschedule) -> Result<Held, StoreError> {
        self.inner.reschedule(id, plan).await
    }

    async fn record_alert(
        &self,
        id: &PulseId,
        run: &str,
        alert: &Alert,
        next_due: DateTime<Utc>,
    ) -> Result<Held, StoreError> {
        self.inner.record_alert(id, run, alert, next_due).await
    }

    async fn record_recovery(
        &self,
        id: &PulseId,
        run: &str,
        alerted_stamp: &str,
        next_due: DateTime<Utc>,
    ) -> Result<Held, StoreError> {
        self.inner.record_recovery(id, run, alerted_stamp, next_due).await
    }

    async fn release(&self, id: &PulseId, run: &str) -> Result<(), StoreError> {
        self.inner.release(id, run).await
    }

    async fn record_partial(&self, id: &PulseId, run: &str, markers: &[String]) -> Result<Held, StoreError> {
        self.inner.record_partial(id, run, markers).await
    }
}

#[tokio::test]
async fn a_pulse_landing_between_reading_and_claiming_prevents_the_alert() {
    let world = World::standard();
    world.pulse("nightly", thursday()).await;
    let fresh = PulseReceipt {
        key: key("web-1", "backup", "db", "nightly"),
        at: now() - minutes(1),
        threshold: world.config.default_threshold,
        saturday: false,
        tz: world.config.default_timezone,
        message: None,
        metadata: None,
        expect: Default::default(),
    };
    let racing = RacingLedger {
        inner: &world.store,
        fresh,
    };
    let deps = MonitorDeps {
        ledger: &racing,
        notifier: &world.slack,
        config: &world.config,
        calendars: None,
        channels: None,
    };
    let got = monitor_event(scheduled_event(), &deps, now(), "run-a").await.unwrap();
    assert_eq!(
        got,
        summary(&[("checked", 1), ("exceeded", 1), ("newly_exceeded", 1), ("skipped", 1)])
    );
    assert!(world.slack.delivered().is_empty(), "no false alert");
    assert_eq!((world.alert("nightly"), world.claim("nightly")), (None, None));

    // A pulse leaves the due time alone, so the next run reads it once more, finds it fresh and
    // moves its due time from the fresh pulse; the run after that has nothing due.
    assert_eq!(
        world.run(now() + minutes(5)).await,
        summary(&[("checked", 1), ("rescheduled", 1)])
    );
    assert_eq!(world.run(now() + minutes(6)).await, summary(&[]));
    assert!(world.slack.delivered().is_empty());
}

#[tokio::test]
async fn a_lease_left_by_a_crashed_run_holds_until_it_expires() {
    let world = World::standard();
    let mut pulse = pulse_in("nightly", thursday(), "24", "UTC");
    pulse.key = key("web-1", "backup", "db", "nightly");
    pulse.id = pulse.key.id();
    pulse.due_at = Some(thursday());
    // A run that claimed the pulse four minutes ago and died before telling Slack.
    pulse.claim = Some(Claim {
        run: "crashed".into(),
        until: now() + minutes(1),
    });
    world.store.insert(pulse);

    let got = world.run(now()).await;
    assert_eq!(
        got,
        summary(&[("checked", 1), ("exceeded", 1), ("newly_exceeded", 1), ("skipped", 1)])
    );
    assert!(world.slack.take().is_empty(), "the lease is still held");

    let got = world.run(now() + minutes(2)).await;
    assert_eq!(got, one_new_alert());
    assert_eq!(world.slack.take().len(), 1, "the expired lease is taken over");
    assert_eq!(world.claim("nightly"), None);
}
