//! `GET|POST /heartbeat/channels?secret=S`: the channels page. A GET only shows (`&edit=NAME` puts a
//! channel's masked settings in the form); a POST saves, removes or tests one channel, by the same
//! functions as the API (`api/channels.rs`), then goes back to the page (303) — except a test,
//! whose answer the page shows.

use super::access::secret_page;
use super::quiet::read_form;
use crate::api::ApiDeps;
use crate::api::channels::{remove, save, send_test};
use crate::channels::{ChannelConfig, ChannelName};
use crate::config::Secret;
use crate::http::{HttpError, Params, response};
use crate::links;
use crate::monitor::ChannelDeps;
use crate::pages::{ChannelForm, ChannelRow, ChannelsView, render_channels};
use crate::store::config::StoredChannel;
use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::{Map, Value, json};

const KINDS: &[&str] = &[
    "slack",
    "webhook",
    "teams",
    "discord",
    "telegram",
    "pagerduty",
    "email",
    "ntfy",
];

pub async fn channels_page(req: Request, deps: &ApiDeps<'_>, now: DateTime<Utc>) -> Response<Body> {
    match page(&req, deps, now).await {
        Ok(res) => res,
        Err(err) => err.to_page(),
    }
}

async fn page(req: &Request, deps: &ApiDeps<'_>, now: DateTime<Utc>) -> Result<Response<Body>, HttpError> {
    let (is_post, query, secret) = secret_page(req, deps.config)?;
    let Some(channels) = deps.channels else {
        return Err(HttpError::NotConfigured(
            "set CONFIG_TABLE_NAME to the configuration table (the SAM template does)".into(),
        ));
    };
    let page = Page { channels, secret };
    if !is_post {
        let form = match query.single("edit")? {
            Some(raw) => page.form_for(raw).await?,
            None => ChannelForm::default(),
        };
        return page.render(form, None, None).await;
    }
    let form = read_form(req)?;
    if let Some(raw) = form.single("test")? {
        let Ok(name) = ChannelName::parse(raw) else {
            return page.render(ChannelForm::default(), None, Some(no_channel(raw))).await;
        };
        return match send_test(&channels, &name, now, deps.config.default_timezone).await {
            Ok((result, detail)) => {
                let notice = format!("Test message to {name}: {result} ({detail}).");
                page.render(ChannelForm::default(), Some(notice), None).await
            }
            Err(err) => page.failed(err, ChannelForm::default()).await,
        };
    }
    if let Some(raw) = form.single("remove")? {
        let Ok(name) = ChannelName::parse(raw) else {
            return page.render(ChannelForm::default(), None, Some(no_channel(raw))).await;
        };
        return match remove(channels.directory, &name).await {
            Ok(()) => Ok(response::see_other(&links::channels(secret))),
            Err(err) => page.failed(err, ChannelForm::default()).await,
        };
    }
    let sent = form_values(&form)?;
    let name = match ChannelName::parse(&sent.name) {
        Ok(name) => name,
        Err(e) => {
            let error = format!("Nothing was saved: the name {}.", e.problem);
            return page.render(sent, None, Some(error)).await;
        }
    };
    let config = match serde_json::from_value::<ChannelConfig>(config_json(&sent)) {
        Ok(config) => config,
        Err(err) => {
            let text = err.to_string();
            let text = text.split(" at line ").next().unwrap_or(&text).to_owned();
            return page
                .render(sent, None, Some(format!("Nothing was saved: {text}.")))
                .await;
        }
    };
    match save(channels.directory, &name, config).await {
        Ok(_) => Ok(response::see_other(&links::channels(secret))),
        Err(err) => page.failed(err, sent).await,
    }
}

fn no_channel(raw: &str) -> String {
    format!(
        "There is no channel named “{}”.",
        raw.chars().take(64).collect::<String>()
    )
}

struct Page<'a> {
    channels: ChannelDeps<'a>,
    secret: &'a Secret,
}

impl Page<'_> {
    /// A refusal is shown on the page with the form as sent; a store failure is the error page.
    async fn failed(&self, err: crate::api::ApiError, form: ChannelForm) -> Result<Response<Body>, HttpError> {
        if err.status.is_server_error() {
            return Err(if err.status == StatusCode::SERVICE_UNAVAILABLE {
                HttpError::Unavailable
            } else {
                HttpError::Internal
            });
        }
        self.render(form, None, Some(format!("Nothing was changed: {}.", err.error)))
            .await
    }

    async fn form_for(&self, raw: &str) -> Result<ChannelForm, HttpError> {
        let stored = match ChannelName::parse(raw) {
            Ok(name) => self.channels.directory.channel(&name).await?,
            Err(_) => None,
        };
        let stored = stored.ok_or_else(|| HttpError::NotFound(no_channel(raw)))?;
        let masked = serde_json::to_value(stored.channel.config.masked()).expect("a configuration serialises");
        let text = |key: &str| match &masked[key] {
            Value::String(s) => s.clone(),
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
            _ => String::new(),
        };
        Ok(ChannelForm {
            name: stored.channel.name.as_str().to_owned(),
            kind: stored.channel.config.kind().to_owned(),
            url: text("url"),
            secret: text("secret"),
            token: text("token"),
            chat_id: text("chat_id"),
            routing_key: text("routing_key"),
            api_url: text("api_url"),
            to: text("to"),
            from: text("from"),
            editing: true,
        })
    }

    async fn render(
        &self,
        form: ChannelForm,
        notice: Option<String>,
        error: Option<String>,
    ) -> Result<Response<Body>, HttpError> {
        let mut stored = self.channels.directory.channels().await?;
        stored.sort_by(|a, b| a.channel.name.cmp(&b.channel.name));
        let form = ChannelForm {
            kind: if form.kind.is_empty() {
                "slack".into()
            } else {
                form.kind
            },
            ..form
        };
        let view = ChannelsView {
            channels: stored.iter().map(|c| row(c, self.secret)).collect(),
            form,
            kinds: KINDS,
            action_href: links::channels(self.secret),
            dashboard_href: links::dashboard(self.secret),
            notice,
            error: error.clone(),
        };
        let status = if error.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        };
        Ok(response::html(status, render_channels(&view)))
    }
}

fn row(stored: &StoredChannel, secret: &Secret) -> ChannelRow {
    let masked = serde_json::to_value(stored.channel.config.masked()).expect("a configuration serialises");
    let settings = masked
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(key, _)| key.as_str() != "kind")
        .map(|(key, value)| match value {
            Value::String(s) => format!("{key}: {s}"),
            Value::Array(items) => format!(
                "{key}: {}",
                items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")
            ),
            other => format!("{key}: {other}"),
        })
        .collect();
    ChannelRow {
        name: stored.channel.name.as_str().to_owned(),
        kind: stored.channel.config.kind(),
        settings,
        problem: stored.problem.as_ref().map(|p| p.text.clone()).unwrap_or_default(),
        edit_href: links::channel_edit(secret, stored.channel.name.as_str()),
    }
}

fn form_values(form: &Params) -> Result<ChannelForm, HttpError> {
    let field =
        |name: &str| -> Result<String, HttpError> { Ok(form.single(name)?.unwrap_or_default().trim().to_owned()) };
    Ok(ChannelForm {
        name: field("name")?,
        kind: field("kind")?,
        url: field("url")?,
        secret: field("secret")?,
        token: field("token")?,
        chat_id: field("chat_id")?,
        routing_key: field("routing_key")?,
        api_url: field("api_url")?,
        to: field("to")?,
        from: field("from")?,
        editing: false,
    })
}

/// The API's body for the form: the kind and the fields that kind takes, the empty ones left out
/// (so the API's checks name what is missing).
fn config_json(form: &ChannelForm) -> Value {
    let mut out = Map::new();
    out.insert("kind".into(), json!(form.kind));
    let fields: &[(&str, &str)] = match form.kind.as_str() {
        "slack" | "teams" | "discord" => &[("url", &form.url)],
        "webhook" => &[("url", &form.url), ("secret", &form.secret)],
        "telegram" => &[
            ("token", &form.token),
            ("chat_id", &form.chat_id),
            ("api_url", &form.api_url),
        ],
        "pagerduty" => &[("routing_key", &form.routing_key), ("api_url", &form.api_url)],
        "email" => &[("from", &form.from)],
        "ntfy" => &[("url", &form.url), ("token", &form.token)],
        _ => &[],
    };
    for (key, value) in fields {
        if !value.is_empty() {
            out.insert((*key).into(), json!(value));
        }
    }
    if form.kind == "email" {
        let to: Vec<&str> = form.to.split(',').map(str::trim).filter(|a| !a.is_empty()).collect();
        out.insert("to".into(), json!(to));
    }
    Value::Object(out)
}
