//! `GET|POST /heartbeat/edit?secret=S&id=ID`: change a pulse's threshold, working days and timezone,
//! or delete it. Fields are read by name; an unknown id is a 404 and never creates an item.

use super::access::require_secret;
use super::views::edit_view;
use crate::config::{Config, Secret};
use crate::http::{HttpError, Params, params, response};
use crate::links;
use crate::model::{Pulse, PulseId, Settings, validate_settings};
use crate::pages::{EditErrors, EditForm, render_edit};
use crate::rules::due;
use crate::store::{Found, PulseReader, SettingsWriter};
use chrono::{DateTime, Utc};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

pub async fn edit_get(req: Request, store: &dyn PulseReader, config: &Config, now: DateTime<Utc>) -> Response<Body> {
    let page = async {
        if !matches!(*req.method(), Method::GET | Method::HEAD) {
            return Err(HttpError::MethodNotAllowed { allow: "GET, POST" });
        }
        let (_, secret, pulse) = open(&req, store, config).await?;
        Ok(render_edit(&edit_view(
            &pulse,
            config,
            secret,
            now,
            None,
            EditErrors::default(),
        )))
    };
    match page.await {
        Ok(page) => response::html(StatusCode::OK, page),
        Err(err) => err.to_page(),
    }
}

pub async fn edit_post(
    req: Request,
    reader: &dyn PulseReader,
    writer: &dyn SettingsWriter,
    config: &Config,
    now: DateTime<Utc>,
) -> Response<Body> {
    match save(&req, reader, writer, config, now).await {
        Ok(response) => response,
        Err(err) => err.to_page(),
    }
}

/// Checks the secret and the id and loads the pulse.
async fn open<'c>(
    req: &Request,
    store: &dyn PulseReader,
    config: &'c Config,
) -> Result<(PulseId, &'c Secret, Pulse), HttpError> {
    let params = params::query(req)?;
    let secret = require_secret(&params, config)?;
    let id = match params.single("id")? {
        None | Some("") => {
            return Err(HttpError::BadRequest(
                "the link has no pulse id; open the pulse from the dashboard".into(),
            ));
        }
        Some(raw) => PulseId::parse(raw).map_err(|e| HttpError::BadRequest(e.to_string()))?,
    };
    let pulse = store.get(&id).await?.ok_or_else(not_found)?;
    Ok((id, secret, pulse))
}

fn not_found() -> HttpError {
    HttpError::NotFound("there is no pulse with this id; it may have been deleted — go back to the dashboard".into())
}

async fn save(
    req: &Request,
    reader: &dyn PulseReader,
    writer: &dyn SettingsWriter,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<Response<Body>, HttpError> {
    if *req.method() != Method::POST {
        return Err(HttpError::MethodNotAllowed { allow: "GET, POST" });
    }
    let (id, secret, pulse) = open(req, reader, config).await?;
    let form = read_form(req)?;
    let back = response::see_other(&links::dashboard(secret));
    // The delete form sends delete=1; an empty or "0" value is no request to delete.
    if form.single("delete")?.is_some_and(|v| !v.is_empty() && v != "0") {
        return match writer.delete(&id).await? {
            Found::Yes => Ok(back),
            Found::No => Err(not_found()),
        };
    }
    let typed = EditForm {
        threshold: form.single("threshold")?.unwrap_or("").to_owned(),
        saturday: matches!(form.single("saturday")?, Some("1" | "on" | "true")),
        tz: form.single("tz")?.unwrap_or("").to_owned(),
    };
    match settings(&pulse, &typed, config) {
        Ok(settings) => match writer
            .update_settings(&id, &settings, due_after(&pulse, &settings, config, now))
            .await?
        {
            Found::Yes => Ok(back),
            Found::No => Err(not_found()),
        },
        Err(errors) => {
            let page = render_edit(&edit_view(&pulse, config, secret, now, Some(typed), errors));
            Ok(response::html(StatusCode::BAD_REQUEST, page))
        }
    }
}

/// The due time under the new settings, computed from the pulse as it was read.
fn due_after(pulse: &Pulse, settings: &Settings, config: &Config, now: DateTime<Utc>) -> DateTime<Utc> {
    let edited = Pulse {
        threshold: settings.threshold,
        saturday: settings.saturday,
        tz: Some(settings.tz),
        ..pulse.clone()
    };
    due::after_edit(&edited, now, config.default_timezone)
}

fn read_form(req: &Request) -> Result<Params, HttpError> {
    let body = params::body(req)?;
    match params::content_type(req).as_deref() {
        Some("application/x-www-form-urlencoded") => params::form(body),
        None if body.is_empty() => Ok(Params::default()),
        other => Err(HttpError::UnsupportedMediaType(format!(
            "the edit form must be sent as application/x-www-form-urlencoded, not {}",
            other.unwrap_or("unlabelled data")
        ))),
    }
}

/// The form always sends every field, so each is `Some`; the rules are the API's (`validate_settings`).
fn settings(pulse: &Pulse, form: &EditForm, config: &Config) -> Result<Settings, EditErrors> {
    let current = Settings {
        threshold: pulse.threshold,
        saturday: pulse.saturday,
        tz: pulse.timezone(config.default_timezone),
    };
    validate_settings(&current, Some(&form.threshold), Some(form.saturday), Some(&form.tz)).map_err(|errors| {
        let problem = |field: &str| errors.iter().find(|e| e.field == field).map(|e| e.problem.clone());
        EditErrors {
            threshold: problem("threshold"),
            tz: problem("tz"),
            form: Some("Nothing was saved: correct the fields marked below.".into()),
        }
    })
}
