//! The incident steps a run writes to a pulse's history once every channel owed the message has it:
//! `opened` (at the instant the incident began) and `alerted` for a new incident, `reminded`,
//! `recovered`, each message step naming the channels that carried it (the default webhook is
//! `default`). History is a record, not the ledger: a failed write is logged and the run goes on.

use super::{Candidate, Run};
use crate::channels::ChannelName;
use crate::model::{Event, EventKind};
use crate::rules::signals::{Incident, IncidentKind, overrun_at};
use crate::store::Expectation;

impl Run<'_> {
    /// `carried`: the channels that took the message; `refused`: those that refused their configuration.
    pub(super) async fn remember(&self, c: &Candidate, carried: &[ChannelName], refused: &[ChannelName]) {
        let days = self.deps.config.history_days;
        let Some(history) = self.deps.ledger.history().filter(|_| days > 0) else {
            return;
        };
        let id = c.pulse.id.clone();
        let step = |kind, incident: &Incident| {
            Event::step(id.clone(), self.now, kind, days).with_incident(incident.kind.name())
        };
        let events = match &c.expect {
            Expectation::Alert { stamp } => {
                let incident = Incident::parse(stamp);
                let began = match incident.kind {
                    IncidentKind::Late => c.status.exceeded_after,
                    IncidentKind::Failed => incident.instant(),
                    IncidentKind::Overrun => overrun_at(&c.pulse.run),
                }
                .filter(|at| *at <= self.now)
                .unwrap_or(self.now);
                let mut opened = step(EventKind::Opened, &incident);
                opened.at = began;
                opened.expires = crate::model::expiry(began, days);
                let alerted = step(EventKind::Alerted, &incident).with_message(sent_to(carried, refused));
                vec![opened, alerted]
            }
            Expectation::Reminder { stamp, .. } => {
                vec![step(EventKind::Reminded, &Incident::parse(stamp)).with_message(sent_to(carried, refused))]
            }
            Expectation::Recovery { alerted_stamp } => {
                let sent = sent_to(carried, refused);
                let what = if c.pulsed_again {
                    sent
                } else {
                    format!("its settings were relaxed; {sent}")
                };
                vec![step(EventKind::Recovered, &Incident::parse(alerted_stamp)).with_message(what)]
            }
        };
        for event in &events {
            if let Err(err) = history.append(event).await {
                tracing::warn!(id = %c.pulse.id, kind = event.kind.name(), error = %err, "an incident step was not written to the history");
            }
        }
    }
}

/// `sent to ops, default`, and `pager refused its configuration` for each channel that did.
fn sent_to(carried: &[ChannelName], refused: &[ChannelName]) -> String {
    let names = |list: &[ChannelName]| list.iter().map(ChannelName::as_str).collect::<Vec<_>>().join(", ");
    let mut text = if carried.is_empty() {
        "sent to no channel".to_owned()
    } else {
        format!("sent to {}", names(carried))
    };
    if !refused.is_empty() {
        let verb = if refused.len() == 1 {
            "refuses its"
        } else {
            "refuse their"
        };
        text += &format!("; {} {verb} configuration (see the channels page)", names(refused));
    }
    text
}
