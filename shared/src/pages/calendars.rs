//! The holiday calendars page: the calendars with their size and next date, a form to paste dates,
//! a form to upload an .ics file, and a delete button per calendar. No script: plain forms.

use super::assets::STYLE;
use askama::Template;

#[derive(Debug, Clone)]
pub struct CalendarRow {
    pub name: String,
    pub dates: usize,
    /// The first date from today on (`2026-12-25`), or a phrase when none is ahead.
    pub next: String,
}

#[derive(Debug, Clone, Default)]
pub struct CalendarsView {
    pub calendars: Vec<CalendarRow>,
    /// The paste form's values: what was sent, when re-shown after a mistake.
    pub paste_name: String,
    pub paste_dates: String,
    /// The upload form's name (the file itself must be chosen again).
    pub upload_name: String,
    pub action_href: String,
    pub dashboard_href: String,
    pub maintenance_href: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "calendars.html")]
struct CalendarsPage<'a> {
    view: &'a CalendarsView,
    style: &'static str,
}

pub fn render_calendars(view: &CalendarsView) -> String {
    super::render::finish(CalendarsPage { view, style: STYLE }.render())
}
