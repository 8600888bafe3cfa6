//! `GET|POST /heartbeat/quiet?secret=S&id=ID[&action=…&for=…]`: the page an alert's snooze links
//! open, and the edit and detail pages link to. A GET only shows the choices (chat apps and mail
//! scanners fetch links on their own); a POST of one of its forms changes the pulse, then goes back
//! to the pulse's page. The links carry the dashboard secret, as every other page link does.

use super::access::secret_page;
use crate::api::ApiDeps;
use crate::config::Secret;
use crate::http::{HttpError, Params, params, response};
use crate::links;
use crate::model::{Pulse, PulseId, Zone, parse_stamp};
use crate::pages::{QuietChoice, QuietView, local_time, render_quiet};
use crate::quieting::{self, Change, NEXT_WORKING_DAY};
use crate::rules::quiet::{Silence, next_working_day, parse_for, silence};
use crate::store::Held;
use crate::words;
use chrono::{DateTime, NaiveDateTime, TimeZone as _, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

pub async fn quiet_page(req: Request, deps: &ApiDeps<'_>, now: DateTime<Utc>) -> Response<Body> {
    match page(&req, deps, now).await {
        Ok(res) => res,
        Err(err) => err.to_page(),
    }
}

async fn page(req: &Request, deps: &ApiDeps<'_>, now: DateTime<Utc>) -> Result<Response<Body>, HttpError> {
    let (is_post, query, secret) = secret_page(req, deps.config)?;
    let id = match query.single("id")? {
        None | Some("") => {
            return Err(HttpError::BadRequest(
                "the link has no pulse id; open the pulse from the dashboard".into(),
            ));
        }
        Some(raw) => PulseId::parse(raw).map_err(|e| HttpError::BadRequest(e.to_string()))?,
    };
    let pulse = deps.reader.get(&id).await?.ok_or_else(not_found)?;
    if !is_post {
        let view = view(&pulse, deps, secret, &query, None, now).await?;
        return Ok(response::html(StatusCode::OK, render_quiet(&view)));
    }
    let form = read_form(req)?;
    let default_tz = deps.config.default_timezone;
    match change(&form, &pulse, default_tz, now) {
        Ok(change) => match quieting::apply(deps.quiet, &pulse, change, default_tz, deps.config.history_days, now)
            .await?
            .0
        {
            Held::Yes => Ok(response::see_other(&links::detail(secret, &id))),
            Held::No => Err(not_found()),
        },
        Err(problem) => {
            let view = view(&pulse, deps, secret, &Params::default(), Some(problem), now).await?;
            Ok(response::html(StatusCode::BAD_REQUEST, render_quiet(&view)))
        }
    }
}

fn not_found() -> HttpError {
    HttpError::NotFound("there is no pulse with this id; it may have been deleted — go back to the dashboard".into())
}

pub(super) fn read_form(req: &Request) -> Result<Params, HttpError> {
    let body = params::body(req)?;
    match params::content_type(req).as_deref() {
        Some("application/x-www-form-urlencoded") => params::form(body),
        None if body.is_empty() => Ok(Params::default()),
        other => Err(HttpError::UnsupportedMediaType(format!(
            "the form must be sent as application/x-www-form-urlencoded, not {}",
            other.unwrap_or("unlabelled data")
        ))),
    }
}

/// An instant from a form: RFC 3339, or a browser's `datetime-local` (`2026-12-24T15:00`) read in
/// `tz` (the earlier one when the clocks go back; the first valid one when they skip it).
pub(super) fn form_instant(raw: &str, tz: Zone) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    parse_stamp(raw).or_else(|| {
        let local = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
            .ok()?;
        let tz = tz.tz();
        tz.from_local_datetime(&local)
            .earliest()
            .or_else(|| {
                tz.from_local_datetime(&(local + chrono::TimeDelta::hours(1)))
                    .earliest()
            })
            .map(|t| t.to_utc())
    })
}

fn change(form: &Params, pulse: &Pulse, default_tz: Zone, now: DateTime<Utc>) -> Result<Change, String> {
    let field = |name: &str| form.single(name).map_err(|e| e.to_string());
    match field("action")? {
        Some("snooze") => {
            let until = match field("until")?.filter(|u| !u.trim().is_empty()) {
                Some(raw) => Some(
                    form_instant(raw, pulse.timezone(default_tz))
                        .map(crate::model::format_stamp)
                        .ok_or_else(|| {
                            format!("“{}” is not a date and time", raw.chars().take(40).collect::<String>())
                        })?,
                ),
                None => None,
            };
            quieting::snooze_end(until.as_deref(), field("for")?, pulse, default_tz, now).map(Change::Snooze)
        }
        Some("unsnooze") => Ok(Change::EndSnooze),
        Some("pause") => Ok(Change::Pause),
        Some("unpause") => Ok(Change::EndPause),
        _ => Err("Nothing was changed: choose one of the buttons below.".into()),
    }
}

/// The button for a snooze of `length`, if it is one.
fn snooze_choice(length: &str, pulse: &Pulse, default_tz: Zone, now: DateTime<Utc>) -> Option<QuietChoice> {
    let label = if length == NEXT_WORKING_DAY {
        let tz = pulse.timezone(default_tz);
        let at = next_working_day(now, tz, pulse.working_days());
        format!("Snooze until the next working day ({})", local_time(at, tz.tz()))
    } else {
        format!("Snooze for {}", words::duration(parse_for(length).ok()?))
    };
    Some(QuietChoice {
        action: "snooze",
        length: length.to_owned(),
        label,
        asked: false,
    })
}

async fn view(
    pulse: &Pulse,
    deps: &ApiDeps<'_>,
    secret: &Secret,
    query: &Params,
    error: Option<String>,
    now: DateTime<Utc>,
) -> Result<QuietView, HttpError> {
    let default_tz = deps.config.default_timezone;
    let tz = pulse.timezone(default_tz);
    let windows = deps.maintenance.windows().await?;
    let book = match deps.calendars {
        Some(store) => crate::store::config::load_book(store, deps.config, true).await?,
        None => Default::default(),
    };
    let quiet_text = match silence(&pulse.key, &pulse.quiet, &windows, now) {
        Some(Silence::Paused) => "paused until its next signal".to_owned(),
        Some(Silence::Snoozed { until }) => format!("snoozed until {}", local_time(until, tz.tz())),
        Some(Silence::Maintenance { until, note }) => {
            format!("in maintenance until {} ({note})", local_time(until, tz.tz()))
        }
        None => String::new(),
    };
    let mut choices: Vec<QuietChoice> = ["1h", "1d", NEXT_WORKING_DAY]
        .into_iter()
        .filter_map(|length| snooze_choice(length, pulse, default_tz, now))
        .collect();
    let simple = |action, label: &str| QuietChoice {
        action,
        length: String::new(),
        label: label.to_owned(),
        asked: false,
    };
    if pulse.quiet.snoozed_until.is_some_and(|until| until > now) {
        choices.push(simple("unsnooze", "End the snooze"));
    }
    choices.push(if pulse.quiet.paused {
        simple("unpause", "End the pause")
    } else {
        simple("pause", "Pause until the next signal")
    });
    // What the link asked for goes first, as the one button to press.
    let asked = query.single("action").ok().flatten();
    let length = query.single("for").ok().flatten().unwrap_or_default();
    let position = choices
        .iter()
        .position(|c| Some(c.action) == asked && c.length == length)
        .or_else(|| {
            let extra = (asked == Some("snooze")).then(|| snooze_choice(length, pulse, default_tz, now))??;
            choices.push(extra);
            Some(choices.len() - 1)
        });
    if let Some(at) = position {
        let mut chosen = choices.remove(at);
        chosen.asked = true;
        choices.insert(0, chosen);
    }
    Ok(QuietView {
        name: pulse.key.name.clone(),
        host: pulse.key.host.clone(),
        category: pulse.key.category.clone(),
        status: crate::rules::state::judge(pulse, default_tz, now, &windows, &book)
            .1
            .name(),
        quiet_text,
        choices,
        action_href: links::quiet(secret, &pulse.id),
        detail_href: links::detail(secret, &pulse.id),
        error,
        tz: tz.name().to_owned(),
    })
}
