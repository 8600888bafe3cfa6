//! The detail page drawn from a pulse's history: its timeline, duration stats and chart, and uptime
//! bars. The history is read newest first, at most `MAX_EVENTS`, in a few Query pages.

use crate::model::{Event, EventKind, PulseId};
use crate::pages::charts::{duration_bars, uptime_bars};
use crate::pages::{DetailView, HistoryStats, TimelineEntry, local_time};
use crate::rules::history::{durations, flips, runs, uptime};
use crate::store::events::MAX_EVENTS;
use crate::store::{EventLog, StoreError};
use crate::words;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Events per Query: a page of events with full logs stays near DynamoDB's 1 MB per response.
const PAGE: usize = 100;
/// The timeline shows this many of the newest events; the API has them all.
const TIMELINE: usize = 50;

/// The pulse's history, oldest first.
pub async fn read_history(log: &dyn EventLog, id: &PulseId, now: DateTime<Utc>) -> Result<Vec<Event>, StoreError> {
    let mut events = Vec::new();
    let mut before: Option<String> = None;
    while events.len() < MAX_EVENTS {
        let page = log
            .events(id, before.as_deref(), PAGE.min(MAX_EVENTS - events.len()), now)
            .await?;
        events.extend(page.events.into_iter().map(|e| e.event));
        match page.next {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    events.reverse();
    Ok(events)
}

/// Fills the page's history parts; a pulse without history keeps the timeline of its own fields.
pub fn apply_history(view: &mut DetailView, events: &[Event], tz: Tz, now: DateTime<Utc>) {
    if events.is_empty() {
        return;
    }
    let runs = runs(events);
    let d = durations(&runs);
    view.stats = Some(HistoryStats {
        last: d.last.map(words::duration),
        average: d.average.map(words::duration),
        p95: d.p95.map(words::duration),
        over: d.over,
        flips: flips(events),
        events: events.len(),
    });
    view.duration_bars = duration_bars(&runs);
    view.uptime_30 = uptime_bars(&uptime(events, now, 30));
    view.uptime_90 = uptime_bars(&uptime(events, now, 90));
    view.timeline = events
        .iter()
        .rev()
        .take(TIMELINE)
        .map(|e| TimelineEntry {
            when_iso: crate::model::format_stamp(e.at),
            when_local: local_time(e.at, tz),
            what: describe(e),
            log: e.log.clone(),
        })
        .collect();
}

/// One event in words.
pub fn describe(e: &Event) -> String {
    let incident = e.incident.as_deref().unwrap_or("an");
    let mut text = match e.kind {
        EventKind::Success => "Success".to_owned(),
        EventKind::Start => "Started".to_owned(),
        EventKind::Failure => match e.exit {
            Some(code) => format!("Failed with exit code {code}"),
            None => "Failed".to_owned(),
        },
        EventKind::Opened => format!("Incident opened ({incident})"),
        EventKind::Alerted => format!("Alert sent ({incident})"),
        EventKind::Reminded => format!("Reminder sent ({incident})"),
        EventKind::Recovered => format!("Recovered ({incident})"),
        EventKind::Snoozed => "Snooze".to_owned(),
        EventKind::Paused => "Pause".to_owned(),
        EventKind::Edited => "Settings changed".to_owned(),
    };
    if let Some(took) = e.duration {
        text.push_str(&format!(", took {}", words::duration(took)));
    }
    if let Some(message) = e.message.as_deref().filter(|m| !m.is_empty()) {
        text.push_str(": ");
        text.push_str(message);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PulseKey;
    use chrono::{TimeDelta, TimeZone as _};

    #[test]
    fn events_read_as_a_person_says_them() {
        let id = PulseKey::parse(Some("h"), Some("c"), Some("t"), Some("n"))
            .unwrap()
            .id();
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let failure = Event {
            exit: Some(3),
            duration: Some(TimeDelta::seconds(95)),
            message: Some("export <failed>".into()),
            ..Event::step(id.clone(), at, EventKind::Failure, 90)
        };
        assert_eq!(
            describe(&failure),
            "Failed with exit code 3, took 1 min: export <failed>"
        );
        let opened = Event::step(id, at, EventKind::Opened, 90).with_incident("late");
        assert_eq!(describe(&opened), "Incident opened (late)");
    }
}
