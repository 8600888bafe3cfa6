//! What a Slack message says about each pulse, and where its links point.

use crate::config::Secret;
use crate::links;
use crate::model::{Pulse, Zone};
use crate::report::RunReport;
use crate::rules::signals::{self, Incident, IncidentKind};
use crate::rules::status::Status;
use crate::slack::PulseLine;
use crate::words;
use chrono::{DateTime, TimeDelta, Utc};

/// What a message says about one pulse: `incident` is the one alerted (or, in a recovery, ended).
pub struct LineFacts<'a> {
    pub pulse: &'a Pulse,
    pub status: &'a Status,
    pub incident: &'a Incident,
    pub recovery: bool,
    pub pulsed_again: bool,
    pub now: DateTime<Utc>,
    /// The message's one zone (`message_zone`), which every time in the line is said in.
    pub zone: Zone,
}

/// The zone of a message about `pulses`: a pulse's own message is in its zone; one covering
/// several pulses is in `DEFAULT_TIMEZONE`.
pub fn message_zone<'a>(mut pulses: impl ExactSizeIterator<Item = &'a Pulse>, default: Zone) -> Zone {
    match (pulses.len(), pulses.next()) {
        (1, Some(pulse)) => pulse.timezone(default),
        _ => default,
    }
}

pub fn line(facts: &LineFacts<'_>, base_url: Option<&str>, secret: Option<&Secret>) -> PulseLine {
    let LineFacts { pulse, status, .. } = *facts;
    let kind = facts.incident.kind;
    let threshold = words::duration(status.threshold);
    let at = |instant| words::moment(instant, facts.now, facts.zone.tz());
    let took = signals::last_duration(&pulse.run).map(words::duration);
    let detail = match (kind, facts.recovery, facts.pulsed_again) {
        // Working time, not wall-clock time: a weekend in between adds nothing.
        // A schedule says which run was missed, in the pulse's own clock.
        (IncidentKind::Late, false, _) => match status.missed_slot {
            Some(slot) => format!(
                "missed the {} run (grace {})",
                at(slot),
                words::duration(pulse.expect.grace_or_default().duration())
            ),
            None => format!(
                "{} of working time over its {threshold} threshold",
                words::duration((status.working - status.threshold).max(TimeDelta::zero()))
            ),
        },
        (IncidentKind::Late, true, true) => format!("pulsed again at {}", at(pulse.last_pulse)),
        (IncidentKind::Late, true, false) => {
            format!("within its {threshold} threshold again after its settings changed")
        }
        (IncidentKind::Failed, false, _) => {
            let mut text = "failed".to_owned();
            if let Some(code) = pulse.run.exit_code {
                text += &format!(" with exit code {code}");
            }
            if let Some(took) = &took {
                text += &format!(" after {took}");
            }
            text
        }
        (IncidentKind::Failed, true, _) => format!("succeeded again at {}", at(pulse.last_pulse)),
        (IncidentKind::Overrun, false, _) => {
            let running = pulse.run.started_at.map(|s| facts.now - s).unwrap_or_default();
            let max = pulse.run.max_runtime.map(|m| words::duration(m.duration()));
            format!(
                "overrun: still running after {}{}",
                words::duration(running.max(TimeDelta::zero())),
                max.map(|m| format!(" (max runtime {m})")).unwrap_or_default()
            )
        }
        (IncidentKind::Overrun, true, true) => match &took {
            Some(took) => format!("finished after {took}"),
            None => "finished".to_owned(),
        },
        (IncidentKind::Overrun, true, false) => "within its max runtime again after its settings changed".to_owned(),
    };
    let report = (!facts.recovery && kind != IncidentKind::Late).then(|| RunReport {
        incident: kind,
        exit_code: pulse.run.exit_code.filter(|_| kind == IncidentKind::Failed),
        duration: signals::last_duration(&pulse.run).filter(|_| kind == IncidentKind::Failed),
        message: pulse.last_message.clone().filter(|_| kind == IncidentKind::Failed),
        log: pulse.run.failure_log.clone().filter(|_| kind == IncidentKind::Failed),
    });
    PulseLine {
        host: pulse.key.host.clone(),
        category: pulse.key.category.clone(),
        kind: pulse.key.kind.clone(),
        name: pulse.key.name.clone(),
        detail,
        edit_url: base_url
            .zip(secret)
            .map(|(base, secret)| links::absolute(base, &links::edit(secret, &pulse.id))),
        // A recovery needs no snooze; an alert or reminder offers one.
        snooze_urls: base_url.zip(secret).filter(|_| !facts.recovery).map(|(base, secret)| {
            ["1h", "1d", crate::quieting::NEXT_WORKING_DAY]
                .map(|length| links::absolute(base, &links::quiet_choice(secret, &pulse.id, "snooze", length)))
        }),
        report,
    }
}

pub fn dashboard_url(base_url: Option<&str>, secret: Option<&Secret>) -> Option<String> {
    base_url
        .zip(secret)
        .map(|(base, secret)| links::absolute(base, &links::dashboard(secret)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::{Grace, PulseKey, Schedule, Zone};
    use crate::rules::calendar_book::CalendarBook;
    use crate::rules::status::status_with;
    use crate::testing::original_pulse;
    use chrono::{DateTime, NaiveDate};
    use std::collections::{BTreeSet, HashMap};

    fn detail_of(pulse: &Pulse, status: &Status, now: DateTime<Utc>, config: &Config) -> String {
        let incident = Incident::parse(&pulse.stamp);
        let facts = LineFacts {
            pulse,
            status,
            incident: &incident,
            recovery: false,
            pulsed_again: false,
            now,
            zone: message_zone([pulse].into_iter(), config.default_timezone),
        };
        line(&facts, None, None).detail
    }

    #[test]
    fn a_missed_scheduled_run_is_named_in_the_pulses_clock() {
        // Example 5: London, 0 2 * * 1-5, grace 0.5 h; the Friday 02:00 run was missed.
        let key = PulseKey::parse(Some("h"), Some("c"), Some("t"), Some("n")).unwrap();
        let last = DateTime::parse_from_rfc3339("2027-04-01T01:07:00Z").unwrap().to_utc();
        let mut pulse = original_pulse(key, last, "24", false);
        pulse.tz = Some(Zone::parse("Europe/London").unwrap());
        pulse.expect.schedule = Some(Schedule::parse("0 2 * * 1-5").unwrap());
        pulse.expect.grace = Some(Grace::parse("0.5").unwrap());
        let config = Config::from_vars(&Default::default()).unwrap();
        let monday: NaiveDate = "2027-04-05".parse().unwrap();
        let book = CalendarBook::new(HashMap::from([("uk".to_owned(), BTreeSet::from([monday]))]), vec![]);
        // Tuesday 03:00 BST: Friday's and Tuesday's runs are missed (Monday is no holiday here).
        let now = DateTime::parse_from_rfc3339("2027-04-06T02:00:00Z").unwrap().to_utc();
        let status = status_with(&pulse, now, config.default_timezone, &book);
        assert!(status.exceeded);
        let detail = detail_of(&pulse, &status, now, &config);
        assert_eq!(detail, "missed the 02:00 BST run (grace 30 min)");
        // Threshold pulses keep their words.
        pulse.expect.schedule = None;
        let status = status_with(&pulse, now, config.default_timezone, &book);
        let detail = detail_of(&pulse, &status, now, &config);
        assert!(detail.ends_with("of working time over its 1 d threshold"), "{detail}");
    }
}
