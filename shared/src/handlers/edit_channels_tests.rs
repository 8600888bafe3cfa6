//! The edit page's `channels` field: names that exist (or `default`) are saved and shown; an
//! unknown or malformed name is refused next to the field and nothing is saved; empty clears.

use super::edit::{edit_get, edit_post, edit_post_checked};
use crate::channels::{Channel, ChannelConfig};
use crate::config::Config;
use crate::model::{Pulse, PulseKey};
use crate::store::MemoryStore;
use crate::store::config::{ChannelDirectory, MemoryConfig};
use crate::testing::{FORM, get, original_pulse, post, text};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z").unwrap().to_utc()
}

struct Page {
    store: MemoryStore,
    config: Config,
    directory: MemoryConfig,
    pulse: Pulse,
}

impl Page {
    async fn new() -> Self {
        let vars = HashMap::from([("DASHBOARD_SECRET".to_owned(), "s".to_owned())]);
        let store = MemoryStore::new();
        let key = PulseKey::parse(Some("web-1"), Some("jobs"), Some("cron"), Some("backup")).unwrap();
        let pulse = original_pulse(key, now(), "24", false);
        store.insert(pulse.clone());
        let directory = MemoryConfig::new();
        let hook = ChannelConfig::Webhook {
            url: "https://example.com/hook".into(),
            secret: None,
        };
        directory
            .put_channel(&Channel::parse("ops", hook).unwrap())
            .await
            .unwrap();
        Self {
            store,
            config: Config::from_vars(&vars).unwrap(),
            directory,
            pulse,
        }
    }

    fn uri(&self) -> String {
        format!("/heartbeat/edit?secret=s&id={}", self.pulse.id)
    }

    async fn save(&self, body: &str) -> (u16, String) {
        let req = post(&self.uri(), FORM, body);
        let directory: &dyn ChannelDirectory = &self.directory;
        let res = edit_post_checked(req, &self.store, &self.store, Some(directory), &self.config, now()).await;
        (res.status().as_u16(), text(&res))
    }

    fn stored(&self) -> Option<String> {
        let pulse = self.store.snapshot(&self.pulse.id).unwrap();
        pulse.expect.channels.map(|c| c.to_string())
    }
}

#[tokio::test]
async fn the_channels_field_is_saved_shown_and_cleared() {
    let page = Page::new().await;
    let html = text(&edit_get(get(&page.uri()), &page.store, &page.config, now()).await);
    assert!(html.contains("name=\"channels\""), "the field is on the page");
    let (status, body) = page.save("threshold=24&channels=ops%2C+default").await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(page.stored().as_deref(), Some("ops,default"));
    let html = text(&edit_get(get(&page.uri()), &page.store, &page.config, now()).await);
    assert!(html.contains("value=\"ops,default\""), "{html}");
    // A post without the field keeps it; an empty field clears it.
    assert_eq!(page.save("threshold=12").await.0, 303);
    assert_eq!(page.stored().as_deref(), Some("ops,default"));
    assert_eq!(page.save("threshold=12&channels=").await.0, 303);
    assert_eq!(page.stored(), None);
}

#[tokio::test]
async fn an_unknown_or_malformed_channel_is_refused_next_to_the_field() {
    let page = Page::new().await;
    assert_eq!(page.save("channels=ops").await.0, 303);
    for (body, says) in [
        ("threshold=6&channels=ops%2Cgone", "no channel named gone"),
        ("threshold=6&channels=Ops%21", "is not a channel name"),
    ] {
        let (status, html) = page.save(body).await;
        assert_eq!(status, 400, "{body}");
        assert!(html.contains(says), "{body}: {html}");
        assert!(html.contains("Nothing was saved"), "{body}");
        assert_eq!(page.stored().as_deref(), Some("ops"), "{body}: nothing saved");
        let threshold = page.store.snapshot(&page.pulse.id).unwrap().threshold;
        assert_eq!(threshold.to_string(), "24", "{body}: the threshold neither");
    }
    // Without a configuration table there is no directory to look in: a valid name is kept as
    // given, and the monitor falls back to the default webhook if it never exists.
    let req = post(&page.uri(), FORM, "channels=later");
    let res = edit_post(req, &page.store, &page.store, &page.config, now()).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(page.stored().as_deref(), Some("later"));
}
