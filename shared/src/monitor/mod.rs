//! One monitor run: find pulses that owe Slack a message, claim them, send one message per kind, and
//! record delivery only after Slack accepted it. No HTTP or DynamoDB types here.

mod channels;
mod history;
mod lines;

pub use channels::ChannelDeps;

use crate::config::Config;
use crate::model::{Alert, Claim, Pulse, PulseId, Window};
use crate::rules::calendar_book::CalendarBook;
use crate::rules::due;
use crate::rules::incident::{Decision, decide};
use crate::rules::quiet;
use crate::rules::signals::{self, Incident};
use crate::rules::status::{Status, status_with};
use crate::slack::{Notifier, PulseLine, SlackMessage, alert_message, recovery_message, reminder_message};
use crate::store::config::{CalendarStore, load_book};
use crate::store::due_index::sweep_slice;
use crate::store::{Expectation, FETCH_BATCH, Held, IncidentLedger, Listing, Reschedule, Slice, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// A run's table writes go a few at a time: one by one, a run over many due pulses (a large backfill)
/// would outlast the function's timeout.
const PARALLEL_WRITES: usize = 16;

/// One table write of a run, boxed: a concrete `Send` future keeps the whole run usable from a
/// spawned task (the compiler cannot prove that for the closures' borrowed futures).
type Work<'a, R> = std::pin::Pin<Box<dyn std::future::Future<Output = R> + Send + 'a>>;

/// Runs `work` up to `PARALLEL_WRITES` at once; results in the given order.
async fn each<R>(work: Vec<Work<'_, R>>) -> Vec<R> {
    use futures_util::StreamExt;
    futures_util::stream::iter(work)
        .buffered(PARALLEL_WRITES)
        .collect()
        .await
}

/// A run started by URL stops reading due pulses after this long: API Gateway gives up on the caller
/// at about 29 s (REST) or 30 s (HTTP API), and the run still has to judge and deliver what it read.
pub const URL_BUDGET: Duration = Duration::from_secs(20);

/// How long a run may hold a pulse before another run may take over; longer than any run lasts.
pub const LEASE: TimeDelta = TimeDelta::minutes(5);

pub struct MonitorDeps<'a> {
    pub ledger: &'a dyn IncidentLedger,
    /// The default webhook (`SLACK_WEBHOOK_URL`), or the log without one.
    pub notifier: &'a dyn Notifier,
    pub config: &'a Config,
    /// The holiday calendars, read once per run (one Query); `None` without a config table.
    pub calendars: Option<&'a dyn CalendarStore>,
    /// Channels and routes (channels.rs); `None`: everything goes to `notifier`, as before channels.
    pub channels: Option<ChannelDeps<'a>>,
}

/// Every calendar, once per run; a run without a config table judges without holidays.
/// What a run did; the JSON answer of the monitor.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub checked: usize,
    pub exceeded: usize,
    pub newly_exceeded: usize,
    pub recovered: usize,
    pub reminded: usize,
    /// Pulses named in a message Slack accepted in this run.
    pub notified: usize,
    pub messages_sent: usize,
    pub delivery_failures: usize,
    /// Pulses another run was already handling, or that changed while this run looked at them.
    pub skipped: usize,
    pub store_errors: usize,
    pub unreadable: usize,
    /// Pulses that needed nothing now and were given their next due time.
    pub rescheduled: usize,
    /// Pulses found outside the due index (by this run's sweep segment, or a backfill) and judged.
    pub backfilled: usize,
    /// Due pulses this run left for the next one because its time budget ran out (runs by URL).
    pub remaining: usize,
    /// Pulses that owed a message but are snoozed, paused or in a maintenance window: held until then.
    pub silenced: usize,
    /// Channels that refused their configuration (a 4xx) in this run, `name: what the provider said`;
    /// not retried, and shown on the channels page until the channel works or is edited.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub misconfigured: Vec<String>,
}

impl Summary {
    pub fn failed(&self) -> bool {
        self.delivery_failures > 0 || self.store_errors > 0 || !self.misconfigured.is_empty()
    }

    /// Whether the run did or found anything worth a line in the log.
    pub fn eventful(&self) -> bool {
        self.failed() || self.messages_sent > 0 || self.exceeded > 0 || self.backfilled > 0 || self.unreadable > 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Alert,
    Reminder,
    Recovery,
}

struct Candidate {
    pulse: Pulse,
    status: Status,
    expect: Expectation,
    /// For recoveries: whether the pulse came back (else its settings were relaxed).
    pulsed_again: bool,
}

/// One run with no time budget (scheduled runs: the function's timeout is far above what a run
/// over a realistic backlog takes). `backfill` also brings in up to `BACKFILL_BATCH` pulses outside
/// the due index wherever they are; without it the run sweeps one segment of them.
pub async fn run(
    deps: &MonitorDeps<'_>,
    now: DateTime<Utc>,
    base_url: Option<&str>,
    run_id: &str,
    backfill: bool,
) -> Result<Summary, StoreError> {
    run_within(deps, now, base_url, run_id, backfill, None).await
}

/// One run that stops reading due pulses once `budget` has passed (checked between batches of
/// `FETCH_BATCH`, after the first), judges what it read, and counts the rest in `remaining`: they
/// stay due, so the next run goes on with them.
pub async fn run_within(
    deps: &MonitorDeps<'_>,
    now: DateTime<Utc>,
    base_url: Option<&str>,
    run_id: &str,
    backfill: bool,
    budget: Option<Duration>,
) -> Result<Summary, StoreError> {
    run_routed(deps, deps.channels.as_ref(), now, base_url, run_id, backfill, budget).await
}

/// [`run_within`] with channels: pulses go where the routes say (channels.rs). Without channels or
/// routes configured, the same as [`run_within`].
pub async fn run_routed(
    deps: &MonitorDeps<'_>,
    channels: Option<&ChannelDeps<'_>>,
    now: DateTime<Utc>,
    base_url: Option<&str>,
    run_id: &str,
    backfill: bool,
    budget: Option<Duration>,
) -> Result<Summary, StoreError> {
    let started = Instant::now();
    let due = deps.ledger.due(now).await?;
    let mut summary = Summary::default();
    let mut listing = Listing::default();
    for (n, batch) in due.chunks(FETCH_BATCH).enumerate() {
        if n > 0 && budget.is_some_and(|budget| started.elapsed() >= budget) {
            summary.remaining = due.len() - n * FETCH_BATCH;
            break;
        }
        let part = deps.ledger.fetch(batch).await?;
        listing.pulses.extend(part.pulses);
        listing.unreadable.extend(part.unreadable);
    }
    let slice = if backfill { Slice::All } else { sweep_slice(now) };
    let unindexed = deps.ledger.unindexed(slice).await?;
    summary.backfilled = unindexed.pulses.len();
    let known: HashSet<PulseId> = listing.pulses.iter().map(|p| p.id.clone()).collect();
    listing
        .pulses
        .extend(unindexed.pulses.into_iter().filter(|p| !known.contains(&p.id)));
    listing.unreadable.extend(unindexed.unreadable);
    summary.checked = listing.pulses.len();
    summary.unreadable = listing.unreadable.len();
    // One Query each for windows and calendars, and only when there is something to judge: an idle
    // run stays at its index reads.
    let windows = if listing.pulses.is_empty() {
        Vec::new()
    } else {
        let mut windows = deps.ledger.maintenance_windows().await?;
        windows.retain(|w| w.end > now);
        windows
    };
    // The calendars are read only when a pulse is judged, and only where they are kept.
    let book = match deps.calendars {
        Some(store) => load_book(store, deps.config, !listing.pulses.is_empty()).await?,
        None => CalendarBook::default(),
    };
    let mut run = Run {
        deps,
        now,
        base_url,
        run_id,
        windows: &windows,
        channels,
        setup: None,
    };
    let (mut alerts, mut reminders, mut recoveries, mut idle) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for pulse in listing.pulses {
        let status = status_with(&pulse, now, deps.config.default_timezone, &book);
        summary.exceeded += usize::from(status.exceeded);
        let decision = decide(&pulse, &status, now, deps.config.remind_every);
        // Owed, but quiet on purpose: nothing now; due again when it may speak (the held `now`).
        if decision != Decision::Quiet && quiet::silence(&pulse.key, &pulse.quiet, &windows, now).is_some() {
            summary.silenced += 1;
            idle.push((pulse, status, true));
            continue;
        }
        let expect = match (decision, &pulse.alert) {
            (Decision::Alert, _) => match signals::current(&pulse, &status, now) {
                Some(incident) => Expectation::Alert { stamp: incident.id },
                None => {
                    idle.push((pulse, status, false));
                    continue;
                }
            },
            (Decision::Remind, Some(a)) => Expectation::Reminder {
                stamp: a.for_stamp.clone(),
                notified_at: a.notified_at,
            },
            (Decision::Recover { .. }, Some(a)) => Expectation::Recovery {
                alerted_stamp: a.for_stamp.clone(),
            },
            _ => {
                let mut status = status;
                if !status.exceeded && pulse.alert.is_none() {
                    status.exceeded_after = status
                        .exceeded_after
                        .map(|at| due::capped(at, &pulse, now, deps.config.default_timezone, &book));
                }
                idle.push((pulse, status, false));
                continue;
            }
        };
        let pulsed_again = matches!(decision, Decision::Recover { pulsed_again: true });
        let candidate = Candidate {
            pulse,
            status,
            expect,
            pulsed_again,
        };
        match decision {
            Decision::Alert => alerts.push(candidate),
            Decision::Remind => reminders.push(candidate),
            _ => recoveries.push(candidate),
        }
    }
    run.reschedule(idle, &mut summary).await;
    let news = !(alerts.is_empty() && reminders.is_empty() && recoveries.is_empty());
    if let (true, Some(channels)) = (news, channels) {
        // Read only when there is news, so a quiet run costs what it did.
        match channels::Setup::load(channels.directory).await {
            Ok(setup) => run.setup = setup,
            Err(err) => {
                // Without the routes nobody can say where the news goes: it stays due for the next run.
                summary.store_errors += 1;
                tracing::error!(error = %err, "could not read the channels and routes; delivering nothing this run");
                return Ok(summary);
            }
        }
    }
    summary.newly_exceeded = alerts.len();
    summary.reminded = reminders.len();
    summary.recovered = recoveries.len();
    for (kind, candidates) in [
        (Kind::Alert, alerts),
        (Kind::Recovery, recoveries),
        (Kind::Reminder, reminders),
    ] {
        run.deliver(kind, candidates, &mut summary).await;
    }
    Ok(summary)
}

struct Run<'a> {
    deps: &'a MonitorDeps<'a>,
    now: DateTime<Utc>,
    /// Public base of the links in messages; without it messages carry no links.
    base_url: Option<&'a str>,
    run_id: &'a str,
    /// The maintenance windows not yet over.
    windows: &'a [Window],
    channels: Option<&'a ChannelDeps<'a>>,
    /// The channels and routes, when any are configured and the run has news.
    setup: Option<channels::Setup>,
}

impl Run<'_> {
    /// `due`, held back past the pulse's snooze, pause and the windows in its scope.
    fn hold(&self, pulse: &Pulse, due: DateTime<Utc>) -> DateTime<Utc> {
        quiet::hold(due, &pulse.key, &pulse.quiet, self.windows)
    }

    async fn deliver(&self, kind: Kind, candidates: Vec<Candidate>, summary: &mut Summary) {
        let claimed = self.claim_all(candidates, summary).await;
        if claimed.is_empty() {
            return;
        }
        if let (Some(setup), Some(channels)) = (&self.setup, self.channels) {
            return self
                .deliver_routed(kind, claimed, setup, channels.transport, summary)
                .await;
        }
        let message = self.message(kind, &claimed.iter().collect::<Vec<_>>());
        match self.deps.notifier.send(&message).await {
            Ok(()) => {
                summary.messages_sent += 1;
                let work = claimed.iter().map(|c| -> Work<'_, _> {
                    Box::pin(async move {
                        let result = self.record(c).await;
                        if matches!(result, Ok(Held::Yes)) {
                            self.remember(c, &[channels::default_name()], &[]).await;
                        }
                        (c, result)
                    })
                });
                let records = each(work.collect()).await;
                for (c, result) in records {
                    match result {
                        Ok(Held::Yes) => summary.notified += 1,
                        // The lease ran out under us; a later run may repeat this message.
                        Ok(Held::No) => {
                            tracing::warn!(id = %c.pulse.id, "delivered, but the lease was lost before recording it")
                        }
                        Err(err) => {
                            summary.store_errors += 1;
                            tracing::error!(id = %c.pulse.id, error = %err, "delivered, but recording the delivery failed");
                        }
                    }
                }
            }
            Err(err) => {
                summary.delivery_failures += 1;
                tracing::error!(error = %err, kind = ?kind, pulses = claimed.len(), "Slack did not accept the message; a later run will retry");
                for c in &claimed {
                    if let Err(err) = self.deps.ledger.release(&c.pulse.id, self.run_id).await {
                        // The lease expires on its own; nothing is lost.
                        tracing::warn!(id = %c.pulse.id, error = %err, "could not release the lease");
                    }
                }
            }
        }
    }

    async fn claim_all(&self, candidates: Vec<Candidate>, summary: &mut Summary) -> Vec<Candidate> {
        let claim = Claim {
            run: self.run_id.to_owned(),
            until: self.now + LEASE,
        };
        let mut claimed = Vec::with_capacity(candidates.len());
        let claim = &claim;
        let work = candidates
            .into_iter()
            .map(|c| -> Work<'_, _> {
                Box::pin(async move {
                    let result = self.deps.ledger.claim(&c.pulse.id, &c.expect, claim, self.now).await;
                    (c, result)
                })
            })
            .collect();
        let attempts = each(work).await;
        for (c, result) in attempts {
            match result {
                Ok(Held::Yes) => claimed.push(c),
                Ok(Held::No) => summary.skipped += 1,
                Err(err) => {
                    summary.store_errors += 1;
                    tracing::error!(id = %c.pulse.id, error = %err, "could not claim a pulse");
                }
            }
        }
        claimed
    }

    async fn record(&self, c: &Candidate) -> Result<Held, StoreError> {
        let (ledger, remind_every) = (self.deps.ledger, self.deps.config.remind_every);
        match &c.expect {
            Expectation::Recovery { alerted_stamp } => {
                // The incident is over; the pulse is due again by its own (current) last pulse, or
                // at once when another incident has begun (held past a snooze or window).
                let next = self.hold(
                    &c.pulse,
                    signals::next_look(&c.pulse, &c.status, None, self.now, remind_every),
                );
                ledger
                    .record_recovery(&c.pulse.id, self.run_id, alerted_stamp, next)
                    .await
            }
            Expectation::Alert { stamp } | Expectation::Reminder { stamp, .. } => {
                let alert = Alert {
                    for_stamp: stamp.clone(),
                    notified_at: self.now,
                };
                let next = self.hold(
                    &c.pulse,
                    signals::next_look(&c.pulse, &c.status, Some(&alert), self.now, remind_every),
                );
                ledger.record_alert(&c.pulse.id, self.run_id, &alert, next).await
            }
        }
    }

    /// Nothing to send: look again when something can next be owed (`owed`: it is owed now, but
    /// silenced), and not before the pulse may speak.
    async fn reschedule(&self, quiet: Vec<(Pulse, Status, bool)>, summary: &mut Summary) {
        let remind_every = self.deps.config.remind_every;
        let plans = quiet.into_iter().filter_map(|(pulse, status, owed)| {
            let next = if owed {
                self.now
            } else {
                signals::next_look(&pulse, &status, pulse.alert.as_ref(), self.now, remind_every)
            };
            let next = self.hold(&pulse, next);
            // From the latest pulse: a healthy job's due time moves here, once per threshold
            // period, instead of with every pulse.
            let plan = Reschedule {
                stamp: pulse.stamp.clone(),
                seen_due: pulse.due_at,
                seen_start: pulse.run.started_at,
                next_due: next,
            };
            (pulse.due_at != Some(next)).then_some((pulse.id, plan))
        });
        let work = plans.map(|(id, plan)| -> Work<'_, _> {
            Box::pin(async move {
                let result = self.deps.ledger.reschedule(&id, &plan).await;
                (id, result)
            })
        });
        let results = each(work.collect()).await;
        for (id, result) in results {
            match result {
                Ok(Held::Yes) => summary.rescheduled += 1,
                // Changed since it was read: whoever changed it wrote its due time.
                Ok(Held::No) => summary.skipped += 1,
                Err(err) => {
                    summary.store_errors += 1;
                    tracing::error!(%id, error = %err, "could not reschedule a pulse");
                }
            }
        }
    }

    fn message(&self, kind: Kind, claimed: &[&Candidate]) -> SlackMessage {
        let secret = self.deps.config.dashboard_secret.as_ref();
        let zone = lines::message_zone(claimed.iter().map(|c| &c.pulse), self.deps.config.default_timezone);
        let lines: Vec<PulseLine> = claimed
            .iter()
            .map(|c| {
                let incident = Incident::parse(match &c.expect {
                    Expectation::Alert { stamp } | Expectation::Reminder { stamp, .. } => stamp,
                    Expectation::Recovery { alerted_stamp } => alerted_stamp,
                });
                let facts = lines::LineFacts {
                    pulse: &c.pulse,
                    status: &c.status,
                    incident: &incident,
                    recovery: kind == Kind::Recovery,
                    pulsed_again: c.pulsed_again,
                    now: self.now,
                    zone,
                };
                lines::line(&facts, self.base_url, secret)
            })
            .collect();
        let dashboard = lines::dashboard_url(self.base_url, secret);
        match kind {
            Kind::Alert => alert_message(&lines, dashboard.as_deref()),
            Kind::Reminder => reminder_message(&lines, dashboard.as_deref()),
            Kind::Recovery => recovery_message(&lines, dashboard.as_deref()),
        }
    }
}
