//! `GET|POST /heartbeat/edit?secret=S&id=ID`: change a pulse's threshold, working days, timezone and
//! working-time expectations (workdays, calendars, hours, schedule, grace) and its own channels, or delete it. Fields are read by name, and a field left out keeps its stored value; an unknown id
//! is a 404 and never creates an item.

use super::access::require_secret;
use super::views::edit_view;
use crate::channels::own::check_known;
use crate::config::{Config, Secret};
use crate::http::{HttpError, Params, params, response};
use crate::links;
use crate::model::{Event, EventKind, Pulse, PulseId, Settings, SettingsInput, Window, validate_input};
use crate::pages::{EditErrors, EditForm, render_edit};
use crate::rules::calendar_book::CalendarBook;
use crate::rules::due;
use crate::store::config::{CalendarStore, ChannelDirectory, load_book};
use crate::store::{Held, MaintenanceStore, PulseReader, SettingsWriter};
use chrono::{DateTime, Utc};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

/// What the edit page reads: the pulse, and the maintenance windows and holiday calendars its
/// status depends on (the page says the same status as the dashboard and the API).
pub trait EditStore: PulseReader + MaintenanceStore + CalendarStore {}

impl<T: PulseReader + MaintenanceStore + CalendarStore> EditStore for T {}

/// The windows and calendars a pulse's status is judged with.
async fn judged_with(store: &dyn EditStore, config: &Config) -> Result<(Vec<Window>, CalendarBook), HttpError> {
    Ok((store.windows().await?, load_book(store, config, true).await?))
}

pub async fn edit_get(req: Request, store: &dyn EditStore, config: &Config, now: DateTime<Utc>) -> Response<Body> {
    let page = async {
        if !matches!(*req.method(), Method::GET | Method::HEAD) {
            return Err(HttpError::MethodNotAllowed { allow: "GET, POST" });
        }
        let (_, secret, pulse) = open(&req, store, config).await?;
        let (windows, book) = judged_with(store, config).await?;
        Ok(render_edit(&edit_view(
            &pulse,
            &windows,
            &book,
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
    reader: &dyn EditStore,
    writer: &dyn SettingsWriter,
    config: &Config,
    now: DateTime<Utc>,
) -> Response<Body> {
    edit_post_checked(req, reader, writer, None, config, now).await
}

/// `edit_post` that also refuses a `channels` field naming a channel `channels` does not have.
pub async fn edit_post_checked(
    req: Request,
    reader: &dyn EditStore,
    writer: &dyn SettingsWriter,
    channels: Option<&dyn ChannelDirectory>,
    config: &Config,
    now: DateTime<Utc>,
) -> Response<Body> {
    match save(&req, reader, writer, channels, config, now).await {
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
    reader: &dyn EditStore,
    writer: &dyn SettingsWriter,
    channels: Option<&dyn ChannelDirectory>,
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
            Held::Yes => Ok(back),
            Held::No => Err(not_found()),
        };
    }
    let changes = Changes::read(&form)?;
    let mut checked = settings(&pulse, &changes, config);
    if let (Ok(new), Some(_)) = (&checked, changes.channels) {
        if let Err(problem) = check_known(channels, new.expect.channels.as_ref()).await? {
            checked = Err(Box::new(EditErrors {
                channels: Some(problem.problem),
                form: Some("Nothing was saved: correct the fields marked below.".into()),
                ..EditErrors::default()
            }));
        }
    }
    match checked {
        Ok(settings) => match writer
            .update_settings(&id, &settings, due_after(&pulse, &settings, config, now))
            .await?
        {
            Held::Yes => {
                crate::store::events::note(writer.history(), config.history_days, |days| {
                    Event::step(id.clone(), now, EventKind::Edited, days)
                        .with_message(crate::model::edited_note(&settings))
                })
                .await;
                Ok(back)
            }
            Held::No => Err(not_found()),
        },
        Err(errors) => {
            let typed = changes.as_typed(&pulse, config);
            let (windows, book) = judged_with(reader, config).await?;
            let page = render_edit(&edit_view(
                &pulse,
                &windows,
                &book,
                config,
                secret,
                now,
                Some(typed),
                *errors,
            ));
            Ok(response::html(StatusCode::BAD_REQUEST, page))
        }
    }
}

/// The hidden field by which our own form lists its checkboxes. A browser leaves an unticked box out
/// of the post, so for a form that lists it an absent `saturday` means "unticked"; a script that
/// sends neither (as scripts written for the original server do) keeps the stored value.
const CHECKBOXES: &str = "checkboxes";

/// What a post asks to change: `None` keeps the stored value. Only a field that is present and
/// invalid is an error. For the optional settings an empty field is the default (cleared).
struct Changes<'a> {
    threshold: Option<&'a str>,
    saturday: Option<&'a str>,
    tz: Option<&'a str>,
    workdays: Option<&'a str>,
    calendars: Option<&'a str>,
    no_calendars: Option<&'a str>,
    hours: Option<&'a str>,
    schedule: Option<&'a str>,
    grace: Option<&'a str>,
    max_runtime: Option<&'a str>,
    channels: Option<&'a str>,
}

impl<'a> Changes<'a> {
    fn read(form: &'a Params) -> Result<Self, HttpError> {
        let listed = |name: &str| -> Result<bool, HttpError> {
            Ok(form
                .single(CHECKBOXES)?
                .is_some_and(|list| list.split(',').any(|n| n.trim() == name)))
        };
        let checkbox = |name: &str| -> Result<Option<&'a str>, HttpError> {
            Ok(form.single(name)?.or(listed(name)?.then_some("0")))
        };
        Ok(Self {
            threshold: form.single("threshold")?,
            saturday: checkbox("saturday")?,
            tz: form.single("tz")?,
            workdays: form.single("workdays")?,
            calendars: form.single("calendars")?,
            no_calendars: checkbox("no_calendars")?,
            hours: form.single("hours")?,
            schedule: form.single("schedule")?,
            grace: form.single("grace")?,
            max_runtime: form.single("maxRuntime")?,
            channels: form.single("channels")?,
        })
    }

    fn is_empty(&self) -> bool {
        [
            self.threshold,
            self.saturday,
            self.tz,
            self.workdays,
            self.calendars,
            self.no_calendars,
            self.hours,
            self.schedule,
            self.grace,
            self.max_runtime,
            self.channels,
        ]
        .iter()
        .all(Option::is_none)
    }

    /// The form as re-shown after a refusal: what was sent, the stored value where nothing was.
    fn as_typed(&self, pulse: &Pulse, config: &Config) -> EditForm {
        let stored = stored_form(pulse, config);
        let typed = |sent: Option<&str>, stored: String| sent.map_or(stored, str::to_owned);
        EditForm {
            threshold: typed(self.threshold, stored.threshold),
            saturday: self
                .saturday
                .and_then(|raw| saturday(raw).ok())
                .unwrap_or(stored.saturday),
            tz: typed(self.tz, stored.tz),
            workdays: typed(self.workdays, stored.workdays),
            calendars: typed(self.calendars, stored.calendars),
            no_calendars: self
                .no_calendars
                .and_then(|raw| saturday(raw).ok())
                .unwrap_or(stored.no_calendars),
            hours: typed(self.hours, stored.hours),
            schedule: typed(self.schedule, stored.schedule),
            grace: typed(self.grace, stored.grace),
            max_runtime: typed(self.max_runtime, stored.max_runtime),
            channels: typed(self.channels, stored.channels),
        }
    }
}

/// The form as the stored pulse fills it.
pub(super) fn stored_form(pulse: &Pulse, config: &Config) -> EditForm {
    let expect = &pulse.expect;
    let text = |value: Option<String>| value.unwrap_or_default();
    EditForm {
        threshold: pulse.threshold.to_string(),
        saturday: pulse.saturday,
        tz: pulse.timezone(config.default_timezone).name().to_owned(),
        workdays: text(expect.workdays.map(|d| d.to_string())),
        calendars: text(expect.calendars.as_ref().map(ToString::to_string)),
        no_calendars: expect.calendars.as_ref().is_some_and(|c| c.is_empty()),
        hours: text(expect.hours.map(|h| h.to_string())),
        schedule: text(expect.schedule.as_ref().map(ToString::to_string)),
        grace: text(expect.grace.map(|g| g.to_string())),
        max_runtime: text(pulse.run.max_runtime.map(|m| m.to_string())),
        channels: text(expect.channels.as_ref().map(ToString::to_string)),
    }
}

/// `saturday` as the original's items and clients write it (`1`/`0`), or as a checkbox sends it.
fn saturday(raw: &str) -> Result<bool, String> {
    match raw.trim() {
        "1" | "on" | "true" => Ok(true),
        "0" | "off" | "false" => Ok(false),
        other => {
            let shown: String = other.chars().take(20).collect();
            Err(format!(
                "“{shown}” is not a yes or no; send saturday=1 if Saturday is a working day, saturday=0 if it is not"
            ))
        }
    }
}

/// The due time under the new settings, computed from the pulse as it was read.
fn due_after(pulse: &Pulse, settings: &Settings, config: &Config, now: DateTime<Utc>) -> DateTime<Utc> {
    let edited = pulse.clone().with_settings(settings);
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

/// The settings after the post: each field sent replaces the stored one, each field absent keeps it,
/// by the same rules as the API's PATCH (`validate_input`). A post with none of the fields is a
/// mistake (a script sending the wrong names), not a save. Every field's problem is reported at once,
/// so the user fixes them in one go. A pulse without a timezone of its own (written by the original
/// server) gets the default written, as the page shows it.
fn settings(pulse: &Pulse, changes: &Changes, config: &Config) -> Result<Settings, Box<EditErrors>> {
    if changes.is_empty() {
        return Err(Box::new(EditErrors {
            form: Some(
                "Nothing was saved: the form has none of the fields threshold, saturday, tz, workdays, calendars, hours, schedule, grace, maxRuntime and channels."
                    .into(),
            ),
            ..EditErrors::default()
        }));
    }
    let current = pulse.settings(config.default_timezone);
    let stored = stored_form(pulse, config);
    let saturday_flag = changes.saturday.map(saturday).transpose();
    let no_calendars = changes.no_calendars.map(saturday).transpose();
    let calendars = match (changes.calendars, no_calendars.clone()) {
        (Some(names), Ok(Some(true))) if !names.trim().is_empty() => {
            Err("either name calendars or tick “no holiday calendar at all”, not both".to_owned())
        }
        (_, Ok(Some(true))) => Ok(Some(Some(""))),
        (None, Ok(Some(false))) if stored.no_calendars => Ok(Some(None)),
        (None, _) => Ok(None),
        (Some(names), _) => Ok(Some(cleared(names))),
    };
    let input = SettingsInput {
        threshold: changes.threshold,
        saturday: saturday_flag.clone().ok().flatten(),
        tz: changes.tz,
        // Unchanged working days are not sent, so the Saturday box alone adds or removes Saturday.
        workdays: changes
            .workdays
            .filter(|typed| typed.trim() != stored.workdays)
            .map(cleared),
        calendars: calendars.clone().ok().flatten(),
        hours: changes.hours.map(cleared),
        schedule: changes.schedule.map(cleared),
        grace: changes.grace.map(cleared),
        max_runtime: changes.max_runtime.map(cleared),
        channels: changes.channels.map(cleared),
    };
    let validated = validate_input(&current, &input);
    match (validated, saturday_flag, calendars, no_calendars) {
        (Ok(settings), Ok(_), Ok(_), Ok(_)) => Ok(settings),
        (validated, saturday_flag, calendars, no_calendars) => {
            let errors = validated.err().unwrap_or_default();
            let problem = |field: &str| errors.iter().find(|e| e.field == field).map(|e| e.problem.clone());
            Err(Box::new(EditErrors {
                threshold: problem("threshold"),
                saturday: saturday_flag.err(),
                tz: problem("tz"),
                workdays: problem("workdays"),
                calendars: calendars.err().or(no_calendars.err()).or_else(|| problem("calendars")),
                hours: problem("hours"),
                schedule: problem("schedule"),
                grace: problem("grace"),
                max_runtime: problem("maxRuntime"),
                channels: problem("channels"),
                form: Some("Nothing was saved: correct the fields marked below.".into()),
            }))
        }
    }
}

/// An optional setting's field: empty means back to the default.
fn cleared(typed: &str) -> Option<&str> {
    Some(typed).filter(|t| !t.trim().is_empty())
}
