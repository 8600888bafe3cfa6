//! PATCH `/pulses/{id}` with `channels`: set, read back, cleared; names that are not channel names
//! or name no channel are refused with the field named, and nothing is written.

use super::{ApiDeps, Keys, api};
use crate::channels::{Channel, ChannelConfig, Transports};
use crate::config::{Config, Secret};
use crate::model::{PulseId, PulseKey};
use crate::monitor::ChannelDeps;
use crate::store::config::{ChannelDirectory, MemoryConfig};
use crate::store::{MemoryStore, PulseReader};
use crate::testing::{original_pulse, request};
use chrono::{DateTime, Utc};
use lambda_http::http::Method;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;

const KEY: &str = "k3y-k3y-k3y-k3y-k3y";

struct World {
    store: MemoryStore,
    config: Config,
    keys: Keys,
    directory: MemoryConfig,
    transport: Transports,
    id: PulseId,
    now: DateTime<Utc>,
}

impl World {
    async fn new() -> Self {
        let now = DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z").unwrap().to_utc();
        let store = MemoryStore::new();
        let key = PulseKey::parse(Some("db1"), Some("backups"), Some("cron"), Some("nightly")).unwrap();
        let pulse = original_pulse(key, now, "24", false);
        let id = pulse.id.clone();
        store.insert(pulse);
        let directory = MemoryConfig::new();
        let hook = ChannelConfig::Webhook {
            url: "https://example.com/hook".into(),
            secret: None,
        };
        directory
            .put_channel(&Channel::parse("pager", hook).unwrap())
            .await
            .unwrap();
        Self {
            store,
            config: Config::from_vars(&HashMap::new()).unwrap(),
            keys: Keys {
                read_write: Some(Secret::new(KEY)),
                ..Keys::default()
            },
            directory,
            transport: Transports::new(Duration::from_secs(2), None).unwrap(),
            id,
            now,
        }
    }

    async fn call(&self, method: Method, body: Option<Value>) -> (u16, Value) {
        let channels = Some(ChannelDeps {
            directory: &self.directory,
            transport: &self.transport,
        });
        let deps = ApiDeps::new(&self.store, &self.config, &self.keys).with_channels(channels);
        let text = body.map(|b| b.to_string()).unwrap_or_default();
        let path = format!("/heartbeat/api/v1/pulses/{}", self.id.as_str());
        let mut req = request(
            method,
            &path,
            Some("application/json").filter(|_| !text.is_empty()),
            &text,
        );
        req.headers_mut()
            .insert("authorization", format!("Bearer {KEY}").parse().unwrap());
        let res = api(req, &deps, self.now).await;
        let status = res.status().as_u16();
        (
            status,
            serde_json::from_slice(res.body().as_ref()).unwrap_or(Value::Null),
        )
    }

    async fn stored(&self) -> Option<String> {
        let pulse = self.store.get(&self.id).await.unwrap().unwrap();
        pulse.expect.channels.map(|c| c.to_string())
    }
}

#[tokio::test]
async fn patch_sets_reads_back_and_clears_the_pulse_channels() {
    let w = World::new().await;
    let (status, body) = w.call(Method::GET, None).await;
    assert_eq!(
        (status, &body["channels"]),
        (200, &Value::Null),
        "absent: the routes apply"
    );
    let (status, body) = w
        .call(Method::PATCH, Some(json!({"channels": ["pager", "default"]})))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["channels"], json!(["pager", "default"]));
    assert_eq!(w.stored().await.as_deref(), Some("pager,default"));
    let (_, body) = w.call(Method::GET, None).await;
    assert_eq!(body["channels"], json!(["pager", "default"]), "read back");
    // Another setting keeps them.
    let (status, body) = w.call(Method::PATCH, Some(json!({"threshold": 6}))).await;
    assert_eq!((status, &body["channels"]), (200, &json!(["pager", "default"])));
    for clear in [json!([]), Value::Null] {
        w.call(Method::PATCH, Some(json!({"channels": ["pager"]}))).await;
        let (status, body) = w.call(Method::PATCH, Some(json!({ "channels": clear }))).await;
        assert_eq!((status, &body["channels"]), (200, &Value::Null), "{clear}");
        assert_eq!(w.stored().await, None, "{clear}");
    }
}

#[tokio::test]
async fn patch_refuses_unknown_and_malformed_channel_names_and_writes_nothing() {
    let w = World::new().await;
    w.call(Method::PATCH, Some(json!({"channels": ["pager"]}))).await;
    for (sent, says) in [
        (json!(["pager", "gone"]), "no channel named gone"),
        (json!(["Pager"]), "is not a channel name"),
        (json!(["a,b"]), "is not a channel name"),
        (json!([""]), "is not a channel name"),
        (json!([7]), "list of channel names"),
        (json!("pager"), "list of channel names"),
    ] {
        let (status, body) = w
            .call(Method::PATCH, Some(json!({"channels": sent, "threshold": 2})))
            .await;
        assert_eq!(status, 400, "{sent}: {body}");
        assert_eq!(body["field"], "channels", "{sent}: {body}");
        assert!(body["error"].as_str().unwrap().contains(says), "{sent}: {body}");
        assert_eq!(w.stored().await.as_deref(), Some("pager"), "{sent}: nothing written");
        let pulse = w.store.get(&w.id).await.unwrap().unwrap();
        assert_eq!(pulse.threshold.to_string(), "24", "{sent}: the threshold neither");
    }
}
