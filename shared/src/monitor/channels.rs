//! Delivery through the configured channels: each claimed pulse goes to its own channels if it
//! names any, else to those routing gives it, minus those that already have this message; one message per channel (all channels at once,
//! so a slow one delays none of the others beyond its own timeout); then each pulse is recorded as
//! delivered when every channel has it, or keeps markers for the ones that do (`record_partial`) so
//! a later run sends only to the rest. A channel that refuses its configuration (a 4xx) is counted
//! as done for this message, shown in the run summary and on the channels page, and not retried.
//! With no channel and no route configured none of this runs: the default webhook gets everything
//! exactly as before.

use super::{Candidate, Kind, Run, Summary, Work, each, lines};
use crate::channels::routing::Subject;
use crate::channels::{
    ChannelName, ChannelTransport, DEFAULT_CHANNEL, Digest, Incident, Occasion, Outcome, Routes, channels_for,
};
use crate::links;
use crate::model::{format_stamp, parse_stamp};
use crate::rules::due;
use crate::rules::signals::Incident as SignalIncident;
use crate::store::config::{ChannelDirectory, Problem, StoredChannel};
use crate::store::{Expectation, Held, StoreError};
use std::collections::{BTreeMap, HashMap};

/// What a run needs to route: the channels and routes, read once per run with news to deliver.
#[derive(Clone, Copy)]
pub struct ChannelDeps<'a> {
    pub directory: &'a dyn ChannelDirectory,
    pub transport: &'a dyn ChannelTransport,
}

pub(super) struct Setup {
    channels: HashMap<ChannelName, StoredChannel>,
    routes: Routes,
}

impl Setup {
    /// `None` when nothing is configured: the run delivers exactly as without channels.
    pub(super) async fn load(directory: &dyn ChannelDirectory) -> Result<Option<Self>, StoreError> {
        let channels = directory.channels().await?;
        let routes = directory.routes().await?;
        if channels.is_empty() && routes.routes.is_empty() {
            return Ok(None);
        }
        let channels = channels.into_iter().map(|c| (c.channel.name.clone(), c)).collect();
        Ok(Some(Self { channels, routes }))
    }

    /// The channels `candidate` is owed this message by: routed, known, not yet delivered.
    fn owed(&self, candidate: &Candidate) -> Vec<ChannelName> {
        let pulse = &candidate.pulse;
        let subject = Subject {
            id: pulse.id.as_str(),
            host: &pulse.key.host,
            category: &pulse.key.category,
        };
        let own = pulse.expect.channels.as_ref().map(|c| c.names());
        let mut names = channels_for(subject, own, &self.routes);
        // A route or a pulse naming a deleted channel must not swallow the pulse's news.
        names.retain(|n| n.is_default() || self.channels.contains_key(n));
        if names.is_empty() {
            if own.is_some() {
                tracing::warn!(id = %pulse.id, "every channel the pulse names was removed; sending to the default webhook");
            }
            names.push(default_name());
        }
        let phase = phase(&candidate.expect);
        names.retain(|n| {
            !pulse.delivered.contains(&marker(&phase, n)) && !pulse.delivered.contains(&refused_marker(&phase, n))
        });
        names
    }
}

pub(super) fn default_name() -> ChannelName {
    ChannelName::parse(DEFAULT_CHANNEL).expect("the default name is valid")
}

/// Which message a marker is about: a marker of an earlier alert or reminder never matches a later one.
fn phase(expect: &Expectation) -> String {
    match expect {
        Expectation::Alert { stamp } => format!("alert {stamp}"),
        Expectation::Reminder { notified_at, .. } => format!("remind {}", format_stamp(*notified_at)),
        Expectation::Recovery { alerted_stamp } => format!("recover {alerted_stamp}"),
    }
}

fn marker(phase: &str, channel: &ChannelName) -> String {
    format!("{phase}|{channel}")
}

/// A channel done with this message because it refused its configuration: not retried, and the
/// history says it did not carry the message.
fn refused_marker(phase: &str, channel: &ChannelName) -> String {
    format!("{phase}|{channel}|refused")
}

/// The channels that carried `c`'s message, in this run (`outcomes` of those it was owed to) or an
/// earlier one (its markers), and those that refused their configuration in this run.
fn carriers(
    c: &Candidate,
    owed: &[ChannelName],
    outcomes: &HashMap<ChannelName, Outcome>,
) -> (Vec<ChannelName>, Vec<ChannelName>) {
    let phase = phase(&c.expect);
    let prefix = format!("{phase}|");
    let (mut carried, mut refused) = (Vec::new(), Vec::new());
    for rest in c.pulse.delivered.iter().filter_map(|m| m.strip_prefix(&prefix)) {
        match rest.strip_suffix("|refused") {
            Some(name) => refused.extend(ChannelName::parse(name).ok()),
            None => carried.extend(ChannelName::parse(rest).ok()),
        }
    }
    for name in owed {
        match outcomes.get(name) {
            Some(Outcome::Delivered) => carried.push(name.clone()),
            Some(Outcome::Misconfigured(_)) => refused.push(name.clone()),
            _ => {}
        }
    }
    carried.sort();
    carried.dedup();
    refused.sort();
    refused.dedup();
    (carried, refused)
}

impl Run<'_> {
    pub(super) async fn deliver_routed(
        &self,
        kind: Kind,
        claimed: Vec<Candidate>,
        setup: &Setup,
        transport: &dyn ChannelTransport,
        summary: &mut Summary,
    ) {
        let owed: Vec<Vec<ChannelName>> = claimed.iter().map(|c| setup.owed(c)).collect();
        let mut groups: BTreeMap<&ChannelName, Vec<&Candidate>> = BTreeMap::new();
        for (c, names) in claimed.iter().zip(&owed) {
            for name in names {
                groups.entry(name).or_default().push(c);
            }
        }
        let sends = groups.iter().map(|(name, subset)| async move {
            let outcome = self.send_to(kind, name, subset, setup, transport).await;
            ((*name).clone(), outcome)
        });
        let outcomes: HashMap<ChannelName, Outcome> = futures_util::future::join_all(sends).await.into_iter().collect();
        self.note_outcomes(&outcomes, setup, summary).await;

        let work = claimed.iter().zip(owed).map(|(c, names)| -> Work<'_, _> {
            let outcomes = &outcomes;
            Box::pin(async move {
                let done: Vec<&ChannelName> = names
                    .iter()
                    .filter(|n| outcomes.get(*n).is_some_and(|o| !matches!(o, Outcome::Retry(_))))
                    .collect();
                let result = if done.len() == names.len() {
                    let result = self.record(c).await;
                    if matches!(result, Ok(Held::Yes)) {
                        let (carried, refused) = carriers(c, &names, outcomes);
                        self.remember(c, &carried, &refused).await;
                    }
                    result.map(|held| (held, true))
                } else if done.is_empty() {
                    self.deps
                        .ledger
                        .release(&c.pulse.id, self.run_id)
                        .await
                        .map(|()| (Held::Yes, false))
                } else {
                    let phase = phase(&c.expect);
                    let markers: Vec<String> = done
                        .iter()
                        .map(|n| match outcomes.get(*n) {
                            Some(Outcome::Misconfigured(_)) => refused_marker(&phase, n),
                            _ => marker(&phase, n),
                        })
                        .collect();
                    self.deps
                        .ledger
                        .record_partial(&c.pulse.id, self.run_id, &markers)
                        .await
                        .map(|held| (held, false))
                };
                (c, result)
            })
        });
        for (c, result) in each(work.collect()).await {
            match result {
                Ok((Held::Yes, true)) => summary.notified += 1,
                Ok((Held::Yes, false)) => {}
                Ok((Held::No, _)) => {
                    tracing::warn!(id = %c.pulse.id, "delivered, but the lease was lost before recording it")
                }
                Err(err) => {
                    summary.store_errors += 1;
                    tracing::error!(id = %c.pulse.id, error = %err, "could not record the channels' deliveries");
                }
            }
        }
    }

    async fn send_to(
        &self,
        kind: Kind,
        name: &ChannelName,
        subset: &[&Candidate],
        setup: &Setup,
        transport: &dyn ChannelTransport,
    ) -> Outcome {
        if name.is_default() {
            // The default webhook gets today's message, and today's rule: any failure is retried.
            return match self.deps.notifier.send(&self.message(kind, subset)).await {
                Ok(()) => Outcome::Delivered,
                Err(err) => Outcome::Retry(err.to_string()),
            };
        }
        let Some(stored) = setup.channels.get(name) else {
            return Outcome::Misconfigured(format!("there is no channel named {name}"));
        };
        transport.deliver(&stored.channel, &self.digest(kind, subset)).await
    }

    async fn note_outcomes(&self, outcomes: &HashMap<ChannelName, Outcome>, setup: &Setup, summary: &mut Summary) {
        let directory = self.channels.map(|c| c.directory);
        for (name, outcome) in outcomes {
            let had_problem = setup.channels.get(name).is_some_and(|c| c.problem.is_some());
            let change = match outcome {
                Outcome::Delivered => {
                    summary.messages_sent += 1;
                    had_problem.then_some(None)
                }
                Outcome::Retry(why) => {
                    summary.delivery_failures += 1;
                    tracing::error!(channel = %name, why, "a channel did not take the message; a later run will retry");
                    None
                }
                Outcome::Misconfigured(why) => {
                    summary.misconfigured.push(format!("{name}: {why}"));
                    Some(Some(Problem {
                        text: why.clone(),
                        at: self.now,
                    }))
                }
            };
            if let (Some(problem), Some(directory)) = (change, directory) {
                if let Err(err) = directory.set_problem(name, problem.as_ref()).await {
                    tracing::warn!(channel = %name, error = %err, "could not record the channel's state");
                }
            }
        }
        summary.misconfigured.sort();
    }

    /// The channel-neutral summary of `subset` for one channel.
    pub(super) fn digest(&self, kind: Kind, subset: &[&Candidate]) -> Digest {
        let config = self.deps.config;
        let secret = config.dashboard_secret.as_ref();
        let zone = lines::message_zone(subset.iter().map(|c| &c.pulse), config.default_timezone);
        let incidents = subset
            .iter()
            .map(|c| {
                let pulse = &c.pulse;
                let incident = SignalIncident::parse(match &c.expect {
                    Expectation::Alert { stamp } | Expectation::Reminder { stamp, .. } => stamp,
                    Expectation::Recovery { alerted_stamp } => alerted_stamp,
                });
                let facts = lines::LineFacts {
                    pulse,
                    status: &c.status,
                    incident: &incident,
                    recovery: kind == Kind::Recovery,
                    pulsed_again: c.pulsed_again,
                    now: self.now,
                    zone,
                };
                let line = lines::line(&facts, self.base_url, secret);
                let pulse_url = self
                    .base_url
                    .zip(secret)
                    .map(|(base, secret)| links::absolute(base, &links::detail(secret, &pulse.id)));
                // A late incident began when the pulse became overdue; the others carry their instant.
                let since = match incident.id.split_once('@') {
                    Some((_, at)) => parse_stamp(at).unwrap_or(pulse.last_pulse),
                    None => {
                        let last = parse_stamp(&incident.id).unwrap_or(pulse.last_pulse);
                        due::first(
                            last,
                            pulse.threshold,
                            pulse.saturday,
                            pulse.timezone(config.default_timezone),
                        )
                    }
                };
                Incident {
                    pulse_id: pulse.id.as_str().to_owned(),
                    host: pulse.key.host.clone(),
                    category: pulse.key.category.clone(),
                    kind: pulse.key.kind.clone(),
                    name: pulse.key.name.clone(),
                    incident: incident.kind.name().to_owned(),
                    since,
                    detail: line.detail,
                    snooze_url: pulse_url.as_ref().map(|u| format!("{u}#snooze")),
                    pulse_url,
                    report: line.report,
                }
            })
            .collect();
        Digest {
            occasion: match kind {
                Kind::Alert => Occasion::Alert,
                Kind::Reminder => Occasion::Reminder,
                Kind::Recovery => Occasion::Recovery,
            },
            incidents,
            dashboard_url: lines::dashboard_url(self.base_url, secret),
            at: self.now,
            zone,
        }
    }
}
