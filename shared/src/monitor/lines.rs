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
    let detail = if !recovery {
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
        // A recovery needs no snooze; an alert or reminder offers one.
        snooze_urls: base_url.zip(secret).filter(|_| !recovery).map(|(base, secret)| {
            ["1h", "1d", crate::quieting::NEXT_WORKING_DAY]
                .map(|length| links::absolute(base, &links::quiet_choice(secret, &pulse.id, "snooze", length)))
        }),
    }
}

pub fn dashboard_url(base_url: Option<&str>, secret: Option<&Secret>) -> Option<String> {
    base_url
        .zip(secret)
        .map(|(base, secret)| links::absolute(base, &links::dashboard(secret)))
}
