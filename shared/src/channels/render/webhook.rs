//! The generic webhook: a JSON body documented in the OpenAPI document (`ChannelWebhookBody`), signed
//! with `X-Heartbeat-Signature: sha256=<hex HMAC-SHA256 of the exact body>` when a secret is set,
//! so the receiver can check that the body came from this service unchanged.

use super::super::digest::Digest;
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};

pub const SIGNATURE_HEADER: &str = "x-heartbeat-signature";

/// Every incident is listed: a receiver is a program, and the body stays small (≈ 600 bytes per
/// pulse, and a failed job's log tail of at most 1,500 characters, `MAX_LISTED` pulses). JSON
/// carries the names, message and log as they are: the receiver escapes for where it shows them.
pub fn payload(digest: &Digest) -> Value {
    let shown = digest.incidents.len().min(super::MAX_LISTED);
    json!({
        "occasion": digest.occasion,
        "title": digest.title(),
        "at": digest.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "dashboard": digest.dashboard_url,
        "total": digest.incidents.len(),
        "incidents": digest.incidents[..shown].iter().map(|i| json!({
            "pulse": i.pulse_id,
            "host": i.host,
            "category": i.category,
            "type": i.kind,
            "name": i.name,
            "incident": i.incident,
            "since": i.since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "detail": i.detail,
            "url": i.pulse_url,
            "exit_code": i.report.as_ref().and_then(|r| r.exit_code),
            "duration_seconds": i.report.as_ref().and_then(|r| r.duration).map(|d| d.num_seconds()),
            "message": i.message(),
            "log": i.log_tail(),
        })).collect::<Vec<_>>(),
    })
}

/// `sha256=<hex>` of `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_the_rfc_4231_example() {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
