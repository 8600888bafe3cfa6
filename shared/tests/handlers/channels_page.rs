//! The channels page over the memory configuration and a recording server: a GET changes nothing,
//! a POST adds, edits (secrets masked and kept), tests and removes; mistakes are shown, not stored.

use crate::support::*;
use heartbeat_shared::api::{self, ApiDeps, Keys};
use heartbeat_shared::channels::{ChannelConfig, ChannelName, Routes, Transports};
use heartbeat_shared::monitor::ChannelDeps;
use heartbeat_shared::store::MemoryStore;
use heartbeat_shared::store::config::{ChannelDirectory, MemoryConfig};
use heartbeat_shared::testing::{Behaviour, Recorder};
use lambda_http::{Body, Request, Response};
use std::time::Duration;

struct Page {
    store: MemoryStore,
    config: heartbeat_shared::config::Config,
    keys: Keys,
    directory: MemoryConfig,
    transport: Transports,
}

impl Page {
    fn new() -> Self {
        Self {
            store: MemoryStore::new(),
            config: with_secret(),
            keys: Keys::default(),
            directory: MemoryConfig::new(),
            transport: Transports::new(Duration::from_secs(2), None).unwrap(),
        }
    }

    async fn send(&self, req: Request) -> Response<Body> {
        let channels = ChannelDeps {
            directory: &self.directory,
            transport: &self.transport,
        };
        let deps = ApiDeps::new(&self.store, &self.config, &self.keys).with_channels(Some(channels));
        api::serve(req, &deps, now()).await
    }

    async fn post(&self, body: &str) -> Response<Body> {
        self.send(request(lambda_http::http::Method::POST, &uri(), Some(FORM), body))
            .await
    }

    async fn stored(&self, name: &str) -> Option<ChannelConfig> {
        let name = ChannelName::parse(name).unwrap();
        self.directory.channel(&name).await.unwrap().map(|c| c.channel.config)
    }
}

fn uri() -> String {
    format!("/heartbeat/channels?secret={SECRET_IN_URL}")
}

fn form_encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[tokio::test]
async fn the_page_adds_edits_keeping_the_secret_tests_and_removes_a_channel() {
    let p = Page::new();
    let hook = Recorder::start(Behaviour::Respond(200)).await;
    let page = p.send(get(&uri())).await;
    assert_html_page(&page, 200);
    assert!(text(&page).contains("id=\"no-channels\""));

    // Add a signed webhook.
    let url = hook.url_for("/hook?token=SECRETTOKEN");
    let res = p
        .post(&format!(
            "save=1&name=ops&kind=webhook&url={}&secret=hmac-key",
            form_encode(&url)
        ))
        .await;
    assert_eq!(res.status(), 303, "{}", text(&res));
    assert_eq!(
        p.stored("ops").await,
        Some(ChannelConfig::Webhook {
            url: url.clone(),
            secret: Some("hmac-key".into())
        })
    );

    // The list and the edit form show the secrets masked, never their values.
    let listing = text(&p.send(get(&uri())).await);
    assert!(
        listing.contains("data-name=\"ops\"") && listing.contains("webhook"),
        "{listing}"
    );
    let edit = p.send(get(&format!("{}&edit=ops", uri()))).await;
    assert_html_page(&edit, 200);
    let edit = text(&edit);
    for page in [&listing, &edit] {
        assert!(!page.contains("SECRETTOKEN") && !page.contains("hmac-key"), "{page}");
        assert!(page.contains("••••••"), "{page}");
    }
    assert!(edit.contains("<h2 id=\"save-heading\">Edit ops</h2>"), "{edit}");

    // Saving the form as shown (masked values) keeps both secrets.
    let masked_url = edit
        .split("id=\"url\" name=\"url\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .replace("&amp;", "&");
    let res = p
        .post(&format!(
            "save=1&name=ops&kind=webhook&url={}&secret={}",
            form_encode(&masked_url),
            form_encode("••••••")
        ))
        .await;
    assert_eq!(res.status(), 303, "{}", text(&res));
    assert_eq!(
        p.stored("ops").await,
        Some(ChannelConfig::Webhook {
            url: url.clone(),
            secret: Some("hmac-key".into())
        }),
        "kept"
    );

    // A test message reaches the provider and the page says what it answered.
    let res = p.post("test=ops").await;
    assert_html_page(&res, 200);
    assert!(text(&res).contains("Test message to ops: delivered"), "{}", text(&res));
    let sent = hook.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].json.as_ref().unwrap()["occasion"], "test");

    // A channel a route names is not removed; once the route is gone, it is.
    let routes: Routes = serde_json::from_str(r#"{"routes":[{"match":"*","channels":["ops"]}]}"#).unwrap();
    p.directory.put_routes(&routes).await.unwrap();
    let res = p.post("remove=ops").await;
    assert_html_page(&res, 400);
    assert!(text(&res).contains("routes still name ops"), "{}", text(&res));
    assert!(p.stored("ops").await.is_some());
    p.directory.put_routes(&Routes::default()).await.unwrap();
    let res = p.post("remove=ops").await;
    assert_eq!(res.status(), 303);
    assert_eq!(p.stored("ops").await, None);
}

#[tokio::test]
async fn mistakes_are_shown_with_the_form_and_nothing_is_stored() {
    let p = Page::new();
    let cases = [
        (
            "save=1&name=bad%20name&kind=slack&url=https%3A%2F%2Fhooks.slack.com%2Fservices%2Fx",
            "the name",
        ),
        (
            "save=1&name=ops&kind=slack&url=http%3A%2F%2Fexample.com%2Fhook",
            "https",
        ),
        ("save=1&name=ops&kind=carrier-pigeon", "carrier-pigeon"),
        ("save=1&name=ops&kind=telegram&chat_id=42", "token"),
        ("save=1&name=ops&kind=email&from=hb%40example.com", "to"),
    ];
    for (body, named) in cases {
        let res = p.post(body).await;
        assert_html_page(&res, 400);
        let page = text(&res);
        assert!(page.contains("id=\"form-error\""), "{body}: {page}");
        let error = page
            .split("id=\"form-error\">")
            .nth(1)
            .unwrap()
            .split("</p>")
            .next()
            .unwrap();
        assert!(error.contains(named), "{body}: {error}");
        assert!(p.directory.channels().await.unwrap().is_empty(), "{body}");
    }
    // Testing or removing a channel that does not exist says so.
    let res = p.post("test=ghost").await;
    assert_html_page(&res, 400);
    assert!(text(&res).contains("no channel named ghost"), "{}", text(&res));
    let res = p.post("remove=ghost").await;
    assert_html_page(&res, 400);
    let res = p.send(get(&format!("{}&edit=ghost", uri()))).await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn the_page_needs_the_secret_and_a_get_changes_nothing() {
    let p = Page::new();
    let res = p.send(get("/heartbeat/channels?secret=wrong")).await;
    assert_eq!(res.status(), 403);
    let res = p
        .send(request(
            lambda_http::http::Method::POST,
            "/heartbeat/channels?secret=wrong",
            Some(FORM),
            "save=1&name=ops&kind=slack&url=https%3A%2F%2Fhooks.slack.com%2Fservices%2Fx",
        ))
        .await;
    assert_eq!(res.status(), 403);
    assert!(p.directory.channels().await.unwrap().is_empty());
    // A GET with a save's parameters in its query stores nothing.
    let res = p
        .send(get(&format!(
            "{}&save=1&name=ops&kind=slack&url=https%3A%2F%2Fhooks.slack.com%2Fservices%2Fx",
            uri()
        )))
        .await;
    assert_html_page(&res, 200);
    assert!(p.directory.channels().await.unwrap().is_empty());
    let res = p
        .send(request(lambda_http::http::Method::DELETE, &uri(), None, ""))
        .await;
    assert_eq!(res.status(), 405);
}
