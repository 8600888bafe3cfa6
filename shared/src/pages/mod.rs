//! The HTML pages: askama templates (in `shared/templates/`) sharing one base layout, our own small
//! script and stylesheet inlined and allowed by hash in the Content-Security-Policy.

mod assets;
mod calendars;
mod channels;
pub mod charts;
mod csp;
mod dashboard_rows;
mod detail;
mod due;
mod format;
mod paging;
mod quiet;
mod render;
#[cfg(test)]
mod samples;

use crate::rules::state::State;

pub use calendars::{CalendarRow, CalendarsView, render_calendars};
pub use channels::{ChannelForm, ChannelRow, ChannelsView, render_channels};
pub use csp::content_security_policy;
pub use detail::{DetailView, HistoryStats, TimelineEntry, render_detail};
pub use due::due_in;
pub use format::{PageClock, full_time, local_time, page_time, relative_time};
pub use paging::{PAGE_ROWS, Paging, parse_page};
pub use quiet::{MaintenanceView, QuietChoice, QuietView, WindowRow, render_maintenance, render_quiet};
pub use render::{render_dashboard, render_edit, render_error};

/// One row of the dashboard; every field is plain text, escaped when the row is written. The key's
/// parts are borrowed from the listing: 10,000 rows would otherwise copy 40,000 strings.
#[derive(Debug, Clone)]
pub struct DashboardRow<'a> {
    pub host: &'a str,
    pub category: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    /// The last success in the page's zone (`DashboardView::zone`), e.g. `Fri 18:03`; for a job
    /// that never succeeded, that it did not.
    pub last_pulse_local: String,
    /// Seconds from the page's time to the last pulse (negative: before), the "Last pulse" sort key.
    pub last_pulse_offset_s: i64,
    /// e.g. `3 h ago`, `2 d ago`, `in 5 min` (clock skew).
    pub last_pulse_relative: String,
    /// Working hours since the last pulse.
    pub hours_since: f64,
    /// hours_since − threshold: negative is time left, positive is overdue.
    pub delta: f64,
    /// As stored, e.g. `24`, `0.25`: the sort key.
    pub threshold: String,
    /// As a person says it, e.g. `1 d`, `15 min`.
    pub threshold_text: String,
    pub saturday: bool,
    /// The pulse's id when the page's script cannot compute it from the key (the SHA-256 of host,
    /// category, type and name, as the original server made it): the script builds the links.
    pub id_unless_key: Option<String>,
    /// As the API names it: `ok`, `late`, `failed`, `snoozed`…
    pub state: State,
    /// When it becomes late if it stays quiet, as a person says it: `in 3 h 10 min`, `late for 2 d`.
    pub due_in: String,
    /// Seconds from the page's time to that instant (negative: late since), the sort key; `None`
    /// when it never becomes late.
    pub due_offset_s: Option<i64>,
    /// The latest finished run's length as a person says it; empty when unknown.
    pub last_duration: String,
    /// The same in milliseconds (the sort key); `None` when unknown.
    pub last_duration_ms: Option<i64>,
    /// The exit code the job sent with its latest finish; `None` when none.
    pub last_exit: Option<u8>,
}

#[derive(Debug, Clone)]
pub struct DashboardView<'a> {
    /// In the default order: by state (those that need attention first), then delta descending.
    pub rows: Vec<DashboardRow<'a>>,
    pub total: usize,
    /// How many pulses are in each state, for the states some pulse is in, in the list's order.
    pub counts: Vec<(State, usize)>,
    /// Pulses that need attention (failed, overrun, late): the page's title counts them.
    pub attention: usize,
    /// Items in the table that could not be read (logged with their ids).
    pub unreadable: usize,
    /// ISO-8601 UTC time of rendering, for the `<time>` element.
    pub generated_at: String,
    /// The same as a person reads it, in the page's zone, e.g. `Mon 23 Nov 2026 21:15 CET`.
    pub generated_local: String,
    /// The zone every time on the page is in: `DEFAULT_TIMEZONE`.
    pub zone: &'static str,
    /// The states the status filter offers, as the API names them.
    pub status_names: &'static [&'static str],
    /// Relative link to the maintenance page, secret included.
    pub maintenance_href: String,
    /// Relative link to the channels page, secret included.
    pub channels_href: String,
    /// Relative link to the holiday calendars page, secret included.
    pub calendars_href: String,
    /// `secret=…`, URL-encoded: the script puts it into the links it builds.
    pub secret_query: String,
    /// Which 10,000 of the rows this page shows (`rows` holds only those; the counts are of all).
    pub paging: Paging,
}

/// The values the form shows: what the user typed when re-shown after an error, else what is stored.
#[derive(Debug, Clone, Default)]
pub struct EditForm {
    pub threshold: String,
    pub saturday: bool,
    pub tz: String,
    /// The expectation settings as text; empty is the default (see `docs/WORKING-TIME.md`).
    pub workdays: String,
    pub calendars: String,
    /// Ticked: no holiday calendar at all, not even the service's defaults.
    pub no_calendars: bool,
    pub hours: String,
    pub schedule: String,
    pub grace: String,
    /// Hours a started run may take before it is overrun; empty: no limit.
    pub max_runtime: String,
    /// The pulse's own channels, comma separated; empty: the routes apply.
    pub channels: String,
}

/// Messages shown next to the fields that were refused.
#[derive(Debug, Clone, Default)]
pub struct EditErrors {
    pub threshold: Option<String>,
    pub saturday: Option<String>,
    pub tz: Option<String>,
    pub workdays: Option<String>,
    pub calendars: Option<String>,
    pub hours: Option<String>,
    pub schedule: Option<String>,
    pub grace: Option<String>,
    pub max_runtime: Option<String>,
    pub channels: Option<String>,
    /// Errors not tied to one field.
    pub form: Option<String>,
}

impl EditErrors {
    /// Whether the page shows any error (its title then says so).
    pub fn any(&self) -> bool {
        [
            &self.threshold,
            &self.saturday,
            &self.tz,
            &self.workdays,
            &self.calendars,
            &self.hours,
            &self.schedule,
            &self.grace,
            &self.max_runtime,
            &self.channels,
            &self.form,
        ]
        .iter()
        .any(|e| e.is_some())
    }
}

#[derive(Debug, Clone)]
pub struct EditView {
    pub id: String,
    pub host: String,
    pub category: String,
    pub kind: String,
    pub name: String,
    /// The last success, and a later start or failure.
    pub last: LastSignals,
    pub hours_since: f64,
    /// hours_since − threshold, as on the dashboard.
    pub delta: f64,
    /// The threshold as a person says it, e.g. `1 d`.
    pub threshold_text: String,
    /// As the dashboard and the API name it.
    pub status: &'static str,
    /// Unknown for items written by the original server.
    pub pulse_count: Option<u64>,
    pub first_seen: Option<String>,
    pub last_message: Option<String>,
    pub last_metadata: Option<String>,
    pub form: EditForm,
    pub errors: EditErrors,
    /// Relative URL the form posts to (`edit?secret=…&id=…`), already URL-encoded.
    pub action_href: String,
    /// Relative link back to the dashboard, secret included.
    pub dashboard_href: String,
    /// The default timezone the form pre-selects for pulses without one.
    pub default_tz: String,
    /// The snooze/pause page, secret included.
    pub quiet_href: String,
}

/// An instant on a pulse's own page: in its zone, and how long ago.
#[derive(Debug, Clone, Default)]
pub struct When {
    /// e.g. `2026-11-21 18:03 CET`.
    pub local: String,
    /// e.g. `5 min ago`.
    pub relative: String,
}

/// A signal that came after the last success: what it was and when.
#[derive(Debug, Clone, Default)]
pub struct LaterSignal {
    /// `failed` or `started`.
    pub what: &'static str,
    pub when: When,
}

/// What a pulse's own page says of its signals: a job that never succeeded must not read as if
/// it had, and a failure after a success is named.
#[derive(Debug, Clone, Default)]
pub struct LastSignals {
    /// `None`: the job never succeeded.
    pub success: Option<When>,
    /// A start or a failure newer than that success.
    pub later: Option<LaterSignal>,
}

/// A complete page for an error status (403, 404, 400, 503 …): says what happened and what to do.
#[derive(Debug, Clone)]
pub struct ErrorView {
    pub status: u16,
    pub title: String,
    pub message: String,
}
