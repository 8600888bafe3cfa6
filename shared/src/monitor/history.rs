//! The incident steps a run writes to a pulse's history once Slack accepted its message: `opened`
//! (at the instant the incident began) and `alerted` for a new incident, `reminded`, `recovered`.
//! History is a record, not the ledger: a failed write is logged and the run goes on.

use super::{Candidate, Run};
use crate::model::{Event, EventKind};
use crate::rules::signals::{Incident, IncidentKind, overrun_at};
use crate::store::Expectation;

impl Run<'_> {
    pub(super) async fn remember(&self, c: &Candidate) {
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
                vec![opened, step(EventKind::Alerted, &incident)]
            }
            Expectation::Reminder { stamp, .. } => vec![step(EventKind::Reminded, &Incident::parse(stamp))],
            Expectation::Recovery { alerted_stamp } => {
                let mut recovered = step(EventKind::Recovered, &Incident::parse(alerted_stamp));
                if !c.pulsed_again {
                    recovered.message = Some("its settings were relaxed".into());
                }
                vec![recovered]
            }
        };
        for event in &events {
            if let Err(err) = history.append(event).await {
                tracing::warn!(id = %c.pulse.id, kind = event.kind.name(), error = %err, "an incident step was not written to the history");
            }
        }
    }
}
