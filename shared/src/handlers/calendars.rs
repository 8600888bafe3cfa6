//! `GET|POST /heartbeat/calendars?secret=S`: the holiday calendars page. A GET only shows; a POST
//! saves pasted dates (a urlencoded form), saves an uploaded .ics file (a multipart form) or deletes
//! one calendar, then goes back to the page (303). Dates are read by the same functions as the API
//! (`model::parse_dates`, `api::calendars::ics_dates`), so a refusal reads the same in both; a
//! refused form is shown again with what was sent, and nothing is saved.

use super::access::secret_page;
use super::quiet::read_form;
use super::upload::{is_multipart, read_upload};
use crate::api::ApiDeps;
use crate::api::calendars::ics_dates;
use crate::config::Secret;
use crate::http::{HttpError, response};
use crate::links;
use crate::model::{CalendarName, FieldError, parse_dates};
use crate::pages::{CalendarRow, CalendarsView, render_calendars};
use crate::store::config::{CalendarStore, HolidayCalendar};
use chrono::{DateTime, NaiveDate, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use std::collections::BTreeSet;

pub async fn calendars_page(req: Request, deps: &ApiDeps<'_>, now: DateTime<Utc>) -> Response<Body> {
    match page(&req, deps, now).await {
        Ok(res) => res,
        Err(err) => err.to_page(),
    }
}

async fn page(req: &Request, deps: &ApiDeps<'_>, now: DateTime<Utc>) -> Result<Response<Body>, HttpError> {
    let (is_post, _query, secret) = secret_page(req, deps.config)?;
    let Some(store) = deps.calendars else {
        return Err(HttpError::NotConfigured(
            "set CONFIG_TABLE_NAME to the configuration table (the SAM template does)".into(),
        ));
    };
    let today = now.with_timezone(&deps.config.default_timezone.tz()).date_naive();
    let page = Page { store, secret, today };
    if !is_post {
        return page.render(CalendarsView::default()).await;
    }
    if is_multipart(req) {
        let upload = read_upload(req, "file").await?;
        let sent = CalendarsView {
            upload_name: upload.field("name").trim().to_owned(),
            ..CalendarsView::default()
        };
        let Some(file) = upload.file.filter(|f| !f.is_empty()) else {
            return page.refused(sent, "choose the .ics file to upload".into()).await;
        };
        let dates = ics_dates(&file, now);
        return page.save(&sent.upload_name.clone(), dates, sent, now).await;
    }
    let form = read_form(req)?;
    if let Some(raw) = form.single("remove")? {
        let Ok(name) = CalendarName::parse_as("name", raw) else {
            return page.refused(CalendarsView::default(), no_calendar(raw)).await;
        };
        return match store.delete_calendar(&name).await? {
            crate::store::Held::Yes => Ok(response::see_other(&links::calendars(secret))),
            crate::store::Held::No => page.refused(CalendarsView::default(), no_calendar(raw)).await,
        };
    }
    let sent = CalendarsView {
        paste_name: form.single("name")?.unwrap_or_default().trim().to_owned(),
        paste_dates: form.single("dates")?.unwrap_or_default().to_owned(),
        ..CalendarsView::default()
    };
    let dates = parse_dates(&sent.paste_dates);
    page.save(&sent.paste_name.clone(), dates, sent, now).await
}

fn no_calendar(raw: &str) -> String {
    format!(
        "There is no calendar named “{}”.",
        raw.chars().take(64).collect::<String>()
    )
}

struct Page<'a> {
    store: &'a dyn CalendarStore,
    secret: &'a Secret,
    today: NaiveDate,
}

impl Page<'_> {
    /// Saves the calendar when both the name and the dates are good; otherwise re-shows the form.
    async fn save(
        &self,
        raw_name: &str,
        dates: Result<BTreeSet<NaiveDate>, FieldError>,
        sent: CalendarsView,
        now: DateTime<Utc>,
    ) -> Result<Response<Body>, HttpError> {
        let name = match CalendarName::parse_as("name", raw_name) {
            Ok(name) => name,
            Err(e) => return self.refused(sent, format!("the name {}", e.problem)).await,
        };
        let dates = match dates {
            Ok(dates) => dates,
            Err(e) => return self.refused(sent, format!("the {} {}", e.field, e.problem)).await,
        };
        let calendar = HolidayCalendar {
            name,
            dates,
            updated_at: now,
        };
        self.store.put_calendar(&calendar).await?;
        Ok(response::see_other(&links::calendars(self.secret)))
    }

    async fn refused(&self, sent: CalendarsView, problem: String) -> Result<Response<Body>, HttpError> {
        let problem = problem.trim_end_matches('.');
        let error = if problem.starts_with("There is no") {
            format!("{problem}.")
        } else {
            format!("Nothing was saved: {problem}.")
        };
        self.render(CalendarsView {
            error: Some(error),
            ..sent
        })
        .await
    }

    async fn render(&self, form: CalendarsView) -> Result<Response<Body>, HttpError> {
        let calendars = self.store.calendars().await?;
        let view = CalendarsView {
            calendars: calendars.iter().map(|c| row(c, self.today)).collect(),
            action_href: links::calendars(self.secret),
            dashboard_href: links::dashboard(self.secret),
            maintenance_href: links::maintenance(self.secret),
            ..form
        };
        let status = if view.error.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        };
        Ok(response::html(status, render_calendars(&view)))
    }
}

fn row(calendar: &HolidayCalendar, today: NaiveDate) -> CalendarRow {
    CalendarRow {
        name: calendar.name.as_str().to_owned(),
        dates: calendar.dates.len(),
        next: calendar
            .dates
            .range(today..)
            .next()
            .map_or_else(|| "none ahead".to_owned(), |d| d.format("%Y-%m-%d").to_string()),
    }
}
