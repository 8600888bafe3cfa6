//! Links between the pages, with the secret and ids percent-encoded. Page links are relative, so
//! they work under any API Gateway stage prefix; Slack links need an absolute base.

use crate::config::Secret;
use crate::model::PulseId;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but the unreserved characters of RFC 3986.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, COMPONENT).to_string()
}

pub fn dashboard(secret: &Secret) -> String {
    format!("dashboard?secret={}", encode(secret.expose()))
}

pub fn edit(secret: &Secret, id: &PulseId) -> String {
    format!("edit?secret={}&id={}", encode(secret.expose()), encode(id.as_str()))
}

/// The detail page, from a page under `/heartbeat/` (the dashboard).
pub fn detail(secret: &Secret, id: &PulseId) -> String {
    format!("pulses/{}?secret={}", encode(id.as_str()), encode(secret.expose()))
}

/// The snooze/pause page of a pulse; `choice` (`action=snooze&for=1h`) pre-selects a button.
pub fn quiet(secret: &Secret, id: &PulseId) -> String {
    format!("quiet?secret={}&id={}", encode(secret.expose()), encode(id.as_str()))
}

/// The snooze/pause page with one choice asked for, as the alert's links open it.
pub fn quiet_choice(secret: &Secret, id: &PulseId, action: &str, length: &str) -> String {
    format!("{}&action={}&for={}", quiet(secret, id), encode(action), encode(length))
}

pub fn maintenance(secret: &Secret) -> String {
    format!("maintenance?secret={}", encode(secret.expose()))
}

pub fn calendars(secret: &Secret) -> String {
    format!("calendars?secret={}", encode(secret.expose()))
}

pub fn channels(secret: &Secret) -> String {
    format!("channels?secret={}", encode(secret.expose()))
}

/// The channels page with `name`'s settings in its form.
pub fn channel_edit(secret: &Secret, name: &str) -> String {
    format!("channels?secret={}&edit={}", encode(secret.expose()), encode(name))
}

/// A page link as seen from the detail page, one folder down (`/heartbeat/pulses/{id}`).
pub fn from_detail(relative: &str) -> String {
    format!("../{relative}")
}

/// `base` is the public root that `/heartbeat/…` hangs off, e.g. `https://x/Prod`.
pub fn absolute(base: &str, relative: &str) -> String {
    format!("{}/heartbeat/{relative}", base.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_ids_are_encoded() {
        let secret = Secret::new("a b&c=d/é");
        assert_eq!(dashboard(&secret), "dashboard?secret=a%20b%26c%3Dd%2F%C3%A9");
        let id = PulseId::parse(&"a".repeat(64)).unwrap();
        assert!(edit(&secret, &id).ends_with(&format!("&id={}", "a".repeat(64))));
        assert_eq!(
            detail(&secret, &id),
            format!("pulses/{}?secret=a%20b%26c%3Dd%2F%C3%A9", "a".repeat(64))
        );
        assert_eq!(
            from_detail(&dashboard(&secret)),
            "../dashboard?secret=a%20b%26c%3Dd%2F%C3%A9"
        );
        assert_eq!(
            absolute("https://x/Prod/", "dashboard?secret=s"),
            "https://x/Prod/heartbeat/dashboard?secret=s"
        );
    }
}
