//! `/channels`, `/channels/{name}`, `/channels/{name}/test` and `/routes`: the notification channels
//! and which pulses they hear about. Secrets are write-only: every answer shows them masked, and a
//! PUT that sends a secret back as shown (masked) or empty keeps the stored one.

use super::{Access, Answer, ApiError, Call};
use crate::channels::{Channel, ChannelConfig, ChannelName, Digest, Outcome, Routes};
use crate::http::{params, response};
use crate::monitor::ChannelDeps;
use crate::store::Held;
use crate::store::config::{ChannelDirectory, StoredChannel};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Response};
use serde_json::{Value, json};

pub fn resource<'a>(segments: &'a [&'a str], call: &'a Call<'a>) -> Option<Answer<'a>> {
    let method = call.req.method().clone();
    let answer: Answer<'a> = match (segments, method) {
        (["channels"], Method::GET | Method::HEAD) => Box::pin(list(call)),
        (["channels"], _) => Box::pin(async { Err(ApiError::method("GET")) }),
        (["channels", name], Method::GET | Method::HEAD) => Box::pin(get(name, call)),
        (["channels", name], Method::PUT) => Box::pin(put(name, call)),
        (["channels", name], Method::DELETE) => Box::pin(delete(name, call)),
        (["channels", _], _) => Box::pin(async { Err(ApiError::method("GET, PUT, DELETE")) }),
        (["channels", name, "test"], Method::POST) => Box::pin(test(name, call)),
        (["channels", _, "test"], _) => Box::pin(async { Err(ApiError::method("POST")) }),
        (["routes"], Method::GET | Method::HEAD) => Box::pin(get_routes(call)),
        (["routes"], Method::PUT) => Box::pin(put_routes(call)),
        (["routes"], _) => Box::pin(async { Err(ApiError::method("GET, PUT")) }),
        _ => return None,
    };
    Some(answer)
}

pub(crate) fn channels<'a>(call: &Call<'a>) -> Result<ChannelDeps<'a>, ApiError> {
    call.deps.channels.ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "channels are not configured: set CONFIG_TABLE_NAME to the configuration table (the SAM template does)",
        )
    })
}

fn no_query(call: &Call<'_>) -> Result<(), ApiError> {
    let params = params::query(call.req)?;
    match params.names().next() {
        Some(name) => {
            let shown: String = name.chars().take(40).collect();
            Err(ApiError::bad(
                &shown,
                format!("“{shown}” is not a parameter of this operation; it takes none"),
            ))
        }
        None => Ok(()),
    }
}

fn parse_name(raw: &str) -> Result<ChannelName, ApiError> {
    let raw = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    ChannelName::parse(&raw).map_err(|e| ApiError::bad("name", e.problem))
}

pub fn channel_json(stored: &StoredChannel) -> Value {
    let mut view = serde_json::to_value(stored.channel.config.masked()).expect("a configuration serialises");
    view["name"] = json!(stored.channel.name);
    view["problem"] = match &stored.problem {
        Some(p) => json!({"error": p.text, "at": p.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)}),
        None => Value::Null,
    };
    view
}

fn json_body(call: &Call<'_>, example: &str) -> Result<Value, ApiError> {
    match params::content_type(call.req).as_deref() {
        Some("application/json") => {}
        other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "send application/json, not {}, e.g. {example}",
                    other.unwrap_or("unlabelled data")
                ),
            ));
        }
    }
    let body = params::body(call.req)?;
    serde_json::from_slice::<Value>(body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| ApiError::bad("body", format!("the body must be a JSON object, e.g. {example}")))
}

const CHANNEL_EXAMPLE: &str = r#"{"kind": "slack", "url": "https://hooks.slack.com/services/…"}"#;
const ROUTES_EXAMPLE: &str = r#"{"routes": [{"match": "category", "value": "backups", "channels": ["ops"]}]}"#;

/// serde's message names the field at fault ("unknown field `x`", "missing field `url`").
fn config_error(err: serde_json::Error) -> ApiError {
    let text = err.to_string();
    let text = text.split(" at line ").next().unwrap_or(&text).to_owned();
    ApiError::bad(
        "body",
        format!("{text}; a channel is its kind and the kind's settings, e.g. {CHANNEL_EXAMPLE}"),
    )
}

async fn list(call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Read)?;
    no_query(call)?;
    let mut all = channels(call)?.directory.channels().await?;
    all.sort_by(|a, b| a.channel.name.cmp(&b.channel.name));
    let items: Vec<Value> = all.iter().map(channel_json).collect();
    Ok(response::json(StatusCode::OK, &json!({ "channels": items })))
}

async fn get(raw: &str, call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Read)?;
    no_query(call)?;
    let name = parse_name(raw)?;
    let stored = channels(call)?
        .directory
        .channel(&name)
        .await?
        .ok_or_else(|| no_such(&name))?;
    Ok(response::json(StatusCode::OK, &channel_json(&stored)))
}

fn no_such(name: &ChannelName) -> ApiError {
    ApiError::not_found(format!("there is no channel named {name}; GET /channels lists them"))
}

async fn put(raw: &str, call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Write)?;
    no_query(call)?;
    let name = parse_name(raw)?;
    let body = json_body(call, CHANNEL_EXAMPLE)?;
    let mut body = body;
    // The name is the path's; one in the body must agree.
    if let Some(given) = body.as_object_mut().and_then(|o| o.remove("name")) {
        if given != json!(name.as_str()) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "the name in the body differs from the one in the path; a channel is renamed by adding it under the new name",
            ));
        }
    }
    if let Some(o) = body.as_object_mut() {
        o.remove("problem");
    }
    let config: ChannelConfig = serde_json::from_value(body).map_err(config_error)?;
    let (channel, created) = save(channels(call)?.directory, &name, config).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok(response::json(
        status,
        &channel_json(&StoredChannel { channel, problem: None }),
    ))
}

/// Stores `config` under `name` (the API's PUT and the channels page): a secret sent back masked or
/// empty keeps the stored one. Whether the channel is new, or what is wrong with it.
pub(crate) async fn save(
    directory: &dyn ChannelDirectory,
    name: &ChannelName,
    config: ChannelConfig,
) -> Result<(Channel, bool), ApiError> {
    let existing = directory.channel(name).await?;
    let config = match &existing {
        Some(old) => config.keep_secrets_from(&old.channel.config),
        None => config,
    };
    let channel = Channel::parse(name.as_str(), config).map_err(|e| ApiError::bad(e.field, e.problem))?;
    directory.put_channel(&channel).await?;
    Ok((channel, existing.is_none()))
}

async fn delete(raw: &str, call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Write)?;
    no_query(call)?;
    let name = parse_name(raw)?;
    remove(channels(call)?.directory, &name).await?;
    Ok(response::empty(StatusCode::NO_CONTENT))
}

/// Deletes a channel no route names (the API's DELETE and the channels page).
pub(crate) async fn remove(directory: &dyn ChannelDirectory, name: &ChannelName) -> Result<(), ApiError> {
    let routes = directory.routes().await?;
    if routes.routes.iter().any(|r| r.channels.contains(name)) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("routes still name {name}; change them (PUT /routes) first, then delete the channel"),
        ));
    }
    match directory.delete_channel(name).await? {
        Held::Yes => Ok(()),
        Held::No => Err(no_such(name)),
    }
}

async fn test(raw: &str, call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Write)?;
    no_query(call)?;
    let name = parse_name(raw)?;
    let (result, detail) = send_test(&channels(call)?, &name, call.now, call.deps.config.default_timezone).await?;
    Ok(response::json(
        StatusCode::OK,
        &json!({"result": result, "detail": detail}),
    ))
}

/// Sends the harmless test message: `delivered`, `failed` or `refused`, and what the provider said.
pub(crate) async fn send_test(
    deps: &ChannelDeps<'_>,
    name: &ChannelName,
    now: chrono::DateTime<chrono::Utc>,
    zone: crate::model::Zone,
) -> Result<(&'static str, String), ApiError> {
    let stored = deps.directory.channel(name).await?.ok_or_else(|| no_such(name))?;
    let outcome = deps
        .transport
        .deliver(&stored.channel, &Digest::test(now, zone, None))
        .await;
    Ok(match outcome {
        Outcome::Delivered => ("delivered", "the provider accepted the test message".to_owned()),
        Outcome::Retry(why) => ("failed", why),
        Outcome::Misconfigured(why) => ("refused", why),
    })
}

async fn get_routes(call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Read)?;
    no_query(call)?;
    let routes = channels(call)?.directory.routes().await?;
    Ok(response::json(
        StatusCode::OK,
        &serde_json::to_value(routes).expect("routes serialise"),
    ))
}

async fn put_routes(call: &Call<'_>) -> Result<Response<Body>, ApiError> {
    call.allow(Access::Write)?;
    no_query(call)?;
    let body = json_body(call, ROUTES_EXAMPLE)?;
    let routes: Routes = serde_json::from_value(body).map_err(|err| {
        let text = err.to_string();
        let text = text.split(" at line ").next().unwrap_or(&text).to_owned();
        ApiError::bad("routes", format!("{text}; e.g. {ROUTES_EXAMPLE}"))
    })?;
    let directory = channels(call)?.directory;
    let known: Vec<ChannelName> = directory
        .channels()
        .await?
        .into_iter()
        .map(|c| c.channel.name)
        .collect();
    routes.check(|name| known.contains(name)).map_err(|e| {
        // Naming a channel that does not exist conflicts with the stored state; the rest is bad input.
        let mut err = ApiError::bad(e.field, e.problem);
        if err.error.contains("no channel named") {
            err.status = StatusCode::CONFLICT;
        }
        err
    })?;
    directory.put_routes(&routes).await?;
    Ok(response::json(
        StatusCode::OK,
        &serde_json::to_value(routes).expect("routes serialise"),
    ))
}

#[cfg(test)]
mod tests {
    use crate::api::{ApiDeps, Keys, api};
    use crate::channels::Transports;
    use crate::config::{Config, Secret};
    use crate::monitor::ChannelDeps;
    use crate::store::MemoryStore;
    use crate::store::config::MemoryConfig;
    use crate::testing::{Behaviour, Recorder, request};
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
    }

    impl World {
        fn new() -> Self {
            Self {
                store: MemoryStore::new(),
                config: Config::from_vars(&HashMap::new()).unwrap(),
                keys: Keys {
                    read_write: Some(Secret::new(KEY)),
                    ..Keys::default()
                },
                directory: MemoryConfig::new(),
                transport: Transports::new(Duration::from_secs(2), None).unwrap(),
            }
        }

        async fn call(&self, method: Method, path: &str, body: Option<Value>, with_channels: bool) -> (u16, Value) {
            let channels = with_channels.then_some(ChannelDeps {
                directory: &self.directory,
                transport: &self.transport,
            });
            let deps = ApiDeps::new(&self.store, &self.config, &self.keys).with_channels(channels);
            let text = body.map(|b| b.to_string()).unwrap_or_default();
            let mut req = request(
                method,
                &format!("/heartbeat/api/v1{path}"),
                Some("application/json").filter(|_| !text.is_empty()),
                &text,
            );
            req.headers_mut()
                .insert("authorization", format!("Bearer {KEY}").parse().unwrap());
            let res = api(req, &deps, chrono::Utc::now()).await;
            let status = res.status().as_u16();
            let body = serde_json::from_slice(res.body().as_ref()).unwrap_or(Value::Null);
            (status, body)
        }
    }

    #[tokio::test]
    async fn without_a_configuration_table_the_api_says_how_to_get_one() {
        let w = World::new();
        let (status, body) = w.call(Method::GET, "/channels", None, false).await;
        assert_eq!(status, 503);
        assert!(body["error"].as_str().unwrap().contains("CONFIG_TABLE_NAME"));
    }

    #[tokio::test]
    async fn channels_are_created_read_masked_kept_and_deleted() {
        let w = World::new();
        let hook = json!({"kind": "webhook", "url": "https://example.com/hook/T0K3N", "secret": "s3cret"});
        let (status, body) = w.call(Method::PUT, "/channels/ops", Some(hook), true).await;
        assert_eq!(status, 201, "{body}");
        let text = body.to_string();
        assert!(!text.contains("T0K3N") && !text.contains("s3cret"), "{text}");
        assert_eq!(
            (body["name"].clone(), body["kind"].clone()),
            (json!("ops"), json!("webhook"))
        );
        // Sent back as shown: the secrets stay.
        let (status, _) = w.call(Method::PUT, "/channels/ops", Some(body.clone()), true).await;
        assert_eq!(status, 200);
        let stored = w.directory.channels().await.unwrap();
        assert_eq!(
            stored[0].channel.config,
            crate::channels::ChannelConfig::Webhook {
                url: "https://example.com/hook/T0K3N".into(),
                secret: Some("s3cret".into())
            }
        );
        let (status, list) = w.call(Method::GET, "/channels", None, true).await;
        assert_eq!((status, list["channels"].as_array().unwrap().len()), (200, 1));
        let (status, _) = w.call(Method::DELETE, "/channels/ops", None, true).await;
        assert_eq!(status, 204);
        let (status, _) = w.call(Method::GET, "/channels/ops", None, true).await;
        assert_eq!(status, 404);
    }

    use crate::store::config::ChannelDirectory as _;

    #[tokio::test]
    async fn bad_channels_and_routes_are_refused_with_the_field() {
        let w = World::new();
        let cases = [
            (json!({"kind": "slack", "url": "http://example.com/x"}), "url"),
            (json!({"kind": "carrier-pigeon"}), "body"),
            (
                json!({"kind": "slack", "url": "https://x.example/y", "extra": 1}),
                "body",
            ),
            (
                json!({"kind": "email", "to": ["a@b.c\nBcc: x@y.z"], "from": "h@b.c"}),
                "to",
            ),
        ];
        for (body, field) in cases {
            let (status, answer) = w.call(Method::PUT, "/channels/ops", Some(body.clone()), true).await;
            assert_eq!(
                (status, answer["field"].clone()),
                (400, json!(field)),
                "{body}: {answer}"
            );
        }
        let (status, answer) = w
            .call(
                Method::PUT,
                "/channels/Bad%20Name",
                Some(json!({"kind": "slack", "url": "https://x.example/y"})),
                true,
            )
            .await;
        assert_eq!((status, answer["field"].clone()), (400, json!("name")));
        let routes = json!({"routes": [{"match": "host", "value": "db1", "channels": ["nope"]}]});
        let (status, answer) = w.call(Method::PUT, "/routes", Some(routes), true).await;
        assert_eq!(status, 409);
        assert!(
            answer["error"].as_str().unwrap().contains("no channel named"),
            "{answer}"
        );
    }

    #[tokio::test]
    async fn routes_protect_their_channels_and_the_test_reports_the_answer() {
        let w = World::new();
        let recorder = Recorder::start(Behaviour::Respond(200)).await;
        let hook = json!({"kind": "webhook", "url": recorder.url_for("/hook")});
        w.call(Method::PUT, "/channels/ops", Some(hook), true).await;
        let routes = json!({"routes": [{"match": "*", "channels": ["ops", "default"]}]});
        let (status, stored) = w.call(Method::PUT, "/routes", Some(routes.clone()), true).await;
        assert_eq!((status, stored), (200, routes.clone()));
        assert_eq!(w.call(Method::GET, "/routes", None, true).await, (200, routes));
        let (status, answer) = w.call(Method::DELETE, "/channels/ops", None, true).await;
        assert_eq!(status, 409, "{answer}");
        let (status, answer) = w.call(Method::POST, "/channels/ops/test", None, true).await;
        assert_eq!(
            (status, answer["result"].clone()),
            (200, json!("delivered")),
            "{answer}"
        );
        assert_eq!(recorder.requests()[0].json.as_ref().unwrap()["occasion"], "test");
        recorder.set_behaviour(Behaviour::Respond(403));
        let (_, answer) = w.call(Method::POST, "/channels/ops/test", None, true).await;
        assert_eq!(answer["result"], "refused");
        assert!(answer["detail"].as_str().unwrap().contains("403"));
    }
}
