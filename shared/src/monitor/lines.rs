//! What a Slack message says about each pulse, and where its links point.

use crate::config::{Config, Secret};
use crate::links;
use crate::model::Pulse;
use crate::pages::local_time;
use crate::rules::status::Status;
use crate::slack::PulseLine;
use crate::words;
use chrono::TimeDelta;

pub fn line(
    pulse: &Pulse,
    status: &Status,
    recovery: bool,
    pulsed_again: bool,
    base_url: Option<&str>,
    secret: Option<&Secret>,
    config: &Config,
) -> PulseLine {
    let threshold = words::duration(status.threshold);
    let detail = if let (false, Some(slot)) = (recovery, status.missed_slot) {
        // A schedule says which run was missed, in the pulse's own clock.
        let tz = pulse.timezone(config.default_timezone).tz();
        format!(
            "missed the {} run (grace {})",
            slot.with_timezone(&tz).format("%H:%M"),
            words::duration(pulse.expect.grace_or_default().duration())
        )
    } else if !recovery {
        // Working time, not wall-clock time: a weekend in between adds nothing.
        format!(
            "{} of working time over its {threshold} threshold",
            words::duration((status.working - status.threshold).max(TimeDelta::zero()))
        )
    } else if pulsed_again {
        let tz = pulse.timezone(config.default_timezone);
        format!("pulsed again at {}", local_time(pulse.last_pulse, tz.tz()))
    } else {
        format!("within its {threshold} threshold again after its settings changed")
    };
    PulseLine {
        host: pulse.key.host.clone(),
        category: pulse.key.category.clone(),
        kind: pulse.key.kind.clone(),
        name: pulse.key.name.clone(),
        detail,
        edit_url: base_url
            .zip(secret)
            .map(|(base, secret)| links::absolute(base, &links::edit(secret, &pulse.id))),
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
    use crate::model::{Grace, PulseKey, Schedule, Zone};
    use crate::rules::calendar_book::CalendarBook;
    use crate::rules::status::status_with;
    use crate::testing::original_pulse;
    use chrono::{DateTime, NaiveDate};
    use std::collections::{BTreeSet, HashMap};

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
        let detail = line(&pulse, &status, false, false, None, None, &config).detail;
        assert_eq!(detail, "missed the 02:00 run (grace 30 min)");
        // Threshold pulses keep their words.
        pulse.expect.schedule = None;
        let status = status_with(&pulse, now, config.default_timezone, &book);
        let detail = line(&pulse, &status, false, false, None, None, &config).detail;
        assert!(detail.ends_with("of working time over its 1 d threshold"), "{detail}");
    }
}
