//! `GET|POST /heartbeat/maintenance?secret=S`: the maintenance windows, a form to add one (local
//! times in DEFAULT_TIMEZONE) and a button to remove each. A POST goes back to the page (303).

use super::access::secret_page;
use super::quiet::{form_instant, read_form};
use crate::api::ApiDeps;
use crate::config::Secret;
use crate::http::{HttpError, Params, response};
use crate::links;
use crate::model::{Window, format_stamp};
use crate::pages::{MaintenanceView, WindowRow, local_time, render_maintenance};
use crate::quieting;
use crate::store::Held;
use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

pub async fn maintenance_page(req: Request, deps: &ApiDeps<'_>, now: DateTime<Utc>) -> Response<Body> {
    match page(&req, deps, now).await {
        Ok(res) => res,
        Err(err) => err.to_page(),
    }
}

async fn page(req: &Request, deps: &ApiDeps<'_>, now: DateTime<Utc>) -> Result<Response<Body>, HttpError> {
    let (is_post, _, secret) = secret_page(req, deps.config)?;
    if !is_post {
        return render(deps, secret, None, now).await;
    }
    let form = read_form(req)?;
    if let Some(id) = form.single("remove")? {
        if let Some(window) = deps.maintenance.remove_window(id).await? {
            quieting::redue_after_removal(deps.ledger, &window, now).await?;
        }
        return Ok(response::see_other(&links::maintenance(secret)));
    }
    match window(&form, deps, now) {
        Ok(window) => match deps.maintenance.add_window(&window).await? {
            Held::Yes => Ok(response::see_other(&links::maintenance(secret))),
            Held::No => render(deps, secret, Some("That window exists already.".into()), now).await,
        },
        Err(problem) => render(deps, secret, Some(format!("Nothing was added: {problem}.")), now).await,
    }
}

fn window(form: &Params, deps: &ApiDeps<'_>, now: DateTime<Utc>) -> Result<Window, String> {
    let tz = deps.config.default_timezone;
    let field = |name: &str| form.single(name).map_err(|e| e.to_string());
    // The browser sends local times; the shared parsing takes RFC 3339.
    let instant = |name: &str| -> Result<Option<String>, String> {
        match field(name)?.filter(|v| !v.trim().is_empty()) {
            None => Ok(None),
            Some(raw) => form_instant(raw, tz).map(|at| Some(format_stamp(at))).ok_or_else(|| {
                format!(
                    "{name} “{}” is not a date and time",
                    raw.chars().take(40).collect::<String>()
                )
            }),
        }
    };
    quieting::parse_window(
        instant("start")?.as_deref(),
        instant("end")?.as_deref(),
        field("scope")?,
        field("note")?,
        now,
    )
    .map_err(|(_, problem)| problem)
}

async fn render(
    deps: &ApiDeps<'_>,
    secret: &Secret,
    error: Option<String>,
    now: DateTime<Utc>,
) -> Result<Response<Body>, HttpError> {
    let tz = deps.config.default_timezone;
    let windows = deps.maintenance.windows().await?;
    let view = MaintenanceView {
        windows: windows
            .iter()
            .map(|w| WindowRow {
                id: w.id.clone(),
                start_local: local_time(w.start, tz.tz()),
                end_local: local_time(w.end, tz.tz()),
                scope: w.scope.to_string(),
                note: w.note.clone(),
                state: if w.end <= now {
                    "over"
                } else if w.start <= now {
                    "active"
                } else {
                    "planned"
                },
            })
            .collect(),
        action_href: links::maintenance(secret),
        dashboard_href: links::dashboard(secret),
        calendars_href: links::calendars(secret),
        error: error.clone(),
        tz: tz.name().to_owned(),
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(response::html(status, render_maintenance(&view)))
}
