//! The snooze/pause page (what the alert's links open: a GET shows a button, only its POST changes
//! anything) and the maintenance page (list, add, remove). No script: plain forms.

use super::assets::STYLE;
use askama::Template;

/// One choice on the snooze/pause page, a form of its own.
#[derive(Debug, Clone)]
pub struct QuietChoice {
    /// `snooze`, `unsnooze`, `pause`, `unpause`.
    pub action: &'static str,
    /// For `snooze`: `1h`, `1d`, `next-working-day`; empty otherwise.
    pub length: String,
    /// The button's words, e.g. `Snooze for 1 h`.
    pub label: String,
    /// The one the link asked for: shown first, as the primary button.
    pub asked: bool,
}

#[derive(Debug, Clone)]
pub struct QuietView {
    pub name: String,
    pub host: String,
    pub category: String,
    /// `ok`, `late`, `snoozed`, `paused`, `maintenance`.
    pub status: &'static str,
    /// e.g. `snoozed until 2026-12-01 15:00 CET`, `paused until its next signal`; empty when neither.
    pub quiet_text: String,
    pub choices: Vec<QuietChoice>,
    /// Relative URL the forms post to, secret and id included.
    pub action_href: String,
    pub detail_href: String,
    pub error: Option<String>,
    pub tz: String,
}

#[derive(Debug, Clone)]
pub struct WindowRow {
    pub id: String,
    pub start_local: String,
    pub end_local: String,
    pub scope: String,
    pub note: String,
    /// `active`, `planned` or `over`.
    pub state: &'static str,
}

#[derive(Debug, Clone)]
pub struct MaintenanceView {
    pub windows: Vec<WindowRow>,
    pub action_href: String,
    pub dashboard_href: String,
    /// Relative link to the holiday calendars page, secret included.
    pub calendars_href: String,
    pub error: Option<String>,
    /// The zone the form's local times are read in.
    pub tz: String,
}

#[derive(Template)]
#[template(path = "quiet.html")]
struct QuietPage<'a> {
    view: &'a QuietView,
    style: &'static str,
}

#[derive(Template)]
#[template(path = "maintenance.html")]
struct MaintenancePage<'a> {
    view: &'a MaintenanceView,
    style: &'static str,
}

pub fn render_quiet(view: &QuietView) -> String {
    super::render::finish(QuietPage { view, style: STYLE }.render())
}

pub fn render_maintenance(view: &MaintenanceView) -> String {
    super::render::finish(MaintenancePage { view, style: STYLE }.render())
}
