//! PagerDuty Events API v2 (`POST /v2/enqueue`): one event per pulse, `trigger` for an alert or a
//! reminder (PagerDuty folds a repeated trigger into the open alert), `resolve` for a recovery, both
//! with `dedup_key = <pulse id>:<incident kind>` so the resolve closes exactly what was triggered.
//! A failed job's exit code, duration, message and log tail go in `custom_details`, as JSON text.
//! Limits (Events API v2 reference): `summary` at most 1,024 characters, `dedup_key` at most 255,
//! `source` required; at most 512 KB per event.

use super::super::digest::{Digest, Occasion};
use super::super::text::{cut, one_line};
use serde_json::{Value, json};

const SUMMARY_MAX: usize = 1_024;
const SOURCE_MAX: usize = 255;

pub fn dedup_key(pulse_id: &str, incident: &str) -> String {
    cut(&format!("{pulse_id}:{incident}"), 255)
}

/// The events to send; a test message is a trigger and its resolve under a throw-away key, so it
/// leaves nothing open.
pub fn events(digest: &Digest, routing_key: &str) -> Vec<Value> {
    if digest.occasion == Occasion::Test {
        let key = format!("heartbeat-test-{}", digest.at.timestamp());
        return vec![
            json!({
                "routing_key": routing_key,
                "event_action": "trigger",
                "dedup_key": key,
                "payload": {"summary": digest.title(), "source": "heartbeat", "severity": "info"},
            }),
            json!({"routing_key": routing_key, "event_action": "resolve", "dedup_key": key}),
        ];
    }
    digest
        .incidents
        .iter()
        .map(|incident| {
            let key = dedup_key(&incident.pulse_id, &incident.incident);
            if digest.occasion == Occasion::Recovery {
                return json!({"routing_key": routing_key, "event_action": "resolve", "dedup_key": key});
            }
            let summary = cut(
                &one_line(&format!(
                    "{} is {}: {}",
                    incident.title(),
                    incident.incident,
                    incident.detail
                )),
                SUMMARY_MAX,
            );
            let mut links = Vec::new();
            if let Some(url) = &incident.pulse_url {
                links.push(json!({"href": url, "text": "Open the pulse"}));
            }
            if let Some(url) = &incident.snooze_url {
                links.push(json!({"href": url, "text": "Snooze"}));
            }
            json!({
                "routing_key": routing_key,
                "event_action": "trigger",
                "dedup_key": key,
                "client": "heartbeat",
                "client_url": digest.dashboard_url,
                "links": links,
                "payload": {
                    "summary": summary,
                    "source": cut(&one_line(&incident.host), SOURCE_MAX),
                    "severity": "error",
                    "timestamp": incident.since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "component": cut(&one_line(&incident.name), SOURCE_MAX),
                    "group": cut(&one_line(&incident.category), SOURCE_MAX),
                    "class": incident.incident,
                    "custom_details": {
                        "pulse": incident.pulse_id,
                        "type": incident.kind,
                        "since": incident.since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        "detail": incident.detail,
                        "reminder": digest.occasion == Occasion::Reminder,
                        "exit_code": incident.report.as_ref().and_then(|r| r.exit_code),
                        "duration_seconds": incident.report.as_ref().and_then(|r| r.duration).map(|d| d.num_seconds()),
                        "message": incident.message(),
                        "log": incident.log_tail(),
                    },
                },
            })
        })
        .collect()
}
