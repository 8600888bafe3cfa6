//! `GET /heartbeat/pulses/{id}?secret=S`: one pulse's page, linked from each dashboard row.

use super::access::require_secret;
use crate::config::Config;
use crate::http::{HttpError, params, response};
use crate::links;
use crate::model::Window;
use crate::model::{Pulse, PulseId, format_stamp};
use crate::pages::{DetailView, TimelineEntry, due_in, local_time, render_detail};
use crate::rules::calendar_book::CalendarBook;
use crate::rules::state;
use crate::store::config::{CalendarStore, load_book};
use crate::store::{EventLog, MaintenanceStore, PulseReader};
use crate::words;
use chrono::{DateTime, Utc};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

/// What the page reads: the pulse, the holiday calendars and maintenance windows it is judged with
/// (so it says the same status as the dashboard and the API), and its history.
pub trait DetailStore: PulseReader + CalendarStore + MaintenanceStore + EventLog {}

impl<T: PulseReader + CalendarStore + MaintenanceStore + EventLog> DetailStore for T {}

pub async fn detail(req: Request, store: &dyn DetailStore, config: &Config, now: DateTime<Utc>) -> Response<Body> {
    let page = async {
        if !matches!(*req.method(), Method::GET | Method::HEAD) {
            return Err(HttpError::MethodNotAllowed { allow: "GET" });
        }
        let params = params::query(&req)?;
        let secret = require_secret(&params, config)?;
        let raw = req.uri().path().rsplit('/').next().unwrap_or("");
        let id = PulseId::parse(raw).map_err(|e| HttpError::BadRequest(e.to_string()))?;
        let pulse = store.get(&id).await?.ok_or_else(|| {
            HttpError::NotFound(
                "there is no pulse with this id; it may have been deleted — go back to the dashboard".into(),
            )
        })?;
        let book = load_book(store, config, true).await?;
        let windows = store.windows().await?;
        let mut view = detail_view(&pulse, &windows, &book, config, now);
        // The page shows without its history rather than not at all.
        match super::detail_history::read_history(store, &id, now).await {
            Ok(events) => {
                let tz = pulse.timezone(config.default_timezone);
                super::detail_history::apply_history(&mut view, &events, tz.tz(), now);
            }
            Err(err) => tracing::warn!(id = %id, error = %err, "the history could not be read"),
        }
        view.dashboard_href = links::from_detail(&links::dashboard(secret));
        view.edit_href = links::from_detail(&links::edit(secret, &id));
        view.quiet_href = links::from_detail(&links::quiet(secret, &id));
        Ok(render_detail(&view))
    };
    match page.await {
        Ok(page) => response::html(StatusCode::OK, page),
        Err(err) => err.to_page(),
    }
}

/// The page's content; the links are filled in by the caller, who knows the secret.
pub fn detail_view(
    pulse: &Pulse,
    windows: &[Window],
    book: &CalendarBook,
    config: &Config,
    now: DateTime<Utc>,
) -> DetailView {
    let tz = pulse.timezone(config.default_timezone);
    let (status, state) = state::judge(pulse, config.default_timezone, now, windows, book);
    let entry = |at: DateTime<Utc>, what: String| TimelineEntry {
        when_iso: format_stamp(at),
        when_local: local_time(at, tz.tz()),
        what,
        log: None,
    };
    // An item a start or a failure made has no success to show: its time is its first sight.
    let label = match crate::rules::signals::last_success(pulse) {
        Some(_) => "Last pulse",
        None => "First signal (no success yet)",
    };
    let mut timeline = vec![entry(
        pulse.last_pulse,
        match &pulse.last_message {
            Some(message) => format!("{label}: {message}"),
            None => label.to_string(),
        },
    )];
    if let Some(alert) = &pulse.alert {
        timeline.push(entry(alert.notified_at, "Alert sent to Slack".to_string()));
    }
    if let Some(first) = pulse.first_seen {
        timeline.push(entry(first, "First pulse".to_string()));
    }
    timeline.sort_by(|a, b| b.when_iso.cmp(&a.when_iso));
    DetailView {
        id: pulse.id.to_string(),
        host: pulse.key.host.clone(),
        category: pulse.key.category.clone(),
        kind: pulse.key.kind.clone(),
        name: pulse.key.name.clone(),
        status: state.name(),
        threshold: words::hours(pulse.threshold.hours()),
        saturday: pulse.saturday,
        tz: tz.name().to_owned(),
        last: super::views::last_signals(pulse, tz.tz(), now),
        due_in: due_in(status.exceeded_after, now),
        due_local: status.exceeded_after.map(|at| local_time(at, tz.tz())),
        working_since: words::duration(status.working),
        pulse_count: pulse.pulse_count,
        last_message: pulse.last_message.clone(),
        last_metadata: pulse.last_metadata.clone(),
        timeline,
        stats: None,
        duration_bars: Vec::new(),
        uptime_30: Vec::new(),
        uptime_90: Vec::new(),
        dashboard_href: String::new(),
        edit_href: String::new(),
        quiet_href: String::new(),
    }
}
