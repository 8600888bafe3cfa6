//! The detail page of one pulse: settings, status, the due instant, a timeline of its history (or of
//! its own fields when it has none), the duration chart and the uptime bars, which say plainly when
//! there is no history yet.

use super::assets::STYLE;
use askama::Template;

/// One line of the timeline: when, and what happened.
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub when_iso: String,
    pub when_local: String,
    pub what: String,
    /// The end of the job's output the signal carried.
    pub log: Option<String>,
}

/// What the history says, as a person reads it.
#[derive(Debug, Clone, Default)]
pub struct HistoryStats {
    pub last: Option<String>,
    pub average: Option<String>,
    pub p95: Option<String>,
    /// Runs the average and p95 are over.
    pub over: usize,
    pub flips: usize,
    /// Events the page is drawn from.
    pub events: usize,
}

#[derive(Debug, Clone)]
pub struct DetailView {
    pub id: String,
    pub host: String,
    pub category: String,
    pub kind: String,
    pub name: String,
    /// As the dashboard and the API name it: `ok`, `late`, `failed`, `snoozed`…
    pub status: &'static str,
    pub threshold: String,
    pub saturday: bool,
    pub tz: String,
    /// The last success, and a later start or failure.
    pub last: super::LastSignals,
    /// e.g. `in 3 h 10 min`, `late for 2 h`, `never`.
    pub due_in: String,
    pub due_local: Option<String>,
    pub working_since: String,
    pub pulse_count: Option<u64>,
    pub last_message: Option<String>,
    pub last_metadata: Option<String>,
    /// Newest first.
    pub timeline: Vec<TimelineEntry>,
    /// `None` while the pulse has no history.
    pub stats: Option<HistoryStats>,
    pub duration_bars: Vec<super::charts::Bar>,
    pub uptime_30: Vec<super::charts::Bar>,
    pub uptime_90: Vec<super::charts::Bar>,
    pub dashboard_href: String,
    pub edit_href: String,
    /// The snooze/pause page, secret included.
    pub quiet_href: String,
}

impl DetailView {
    /// The two uptime charts, as the template draws them.
    pub fn uptime(&self) -> [(u32, &[super::charts::Bar]); 2] {
        [(30, &self.uptime_30), (90, &self.uptime_90)]
    }
}

#[derive(Template)]
#[template(path = "detail.html")]
struct DetailPage<'a> {
    view: &'a DetailView,
    style: &'static str,
}

pub fn render_detail(view: &DetailView) -> String {
    super::render::finish(DetailPage { view, style: STYLE }.render())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> DetailView {
        DetailView {
            id: "ab".repeat(32),
            host: "db-1".into(),
            category: "backup".into(),
            kind: "nightly".into(),
            name: "<script>alert(1)</script>".into(),
            status: "late",
            threshold: "1 d".into(),
            saturday: true,
            tz: "Europe/Berlin".into(),
            last: super::super::LastSignals {
                success: Some(super::super::When {
                    local: "2026-11-20 19:10 CET".into(),
                    relative: "3 d ago".into(),
                }),
                later: None,
            },
            due_in: "late for 2 d 1 h".into(),
            due_local: Some("2026-11-21 19:10 CET".into()),
            working_since: "2 d 1 h".into(),
            pulse_count: Some(12),
            last_message: Some("<b>done</b>".into()),
            last_metadata: None,
            timeline: vec![TimelineEntry {
                when_iso: "2026-11-20T18:10:00.000Z".into(),
                when_local: "2026-11-20 19:10 CET".into(),
                what: "Last pulse: <b>done</b>".into(),
                log: None,
            }],
            stats: None,
            duration_bars: Vec::new(),
            uptime_30: Vec::new(),
            uptime_90: Vec::new(),
            dashboard_href: "../dashboard?secret=s".into(),
            edit_href: "../edit?secret=s&id=x".into(),
            quiet_href: "../quiet?secret=s&id=x".into(),
        }
    }

    #[test]
    fn shows_status_due_settings_and_escapes_user_text() {
        let html = render_detail(&view());
        assert!(
            html.contains("<span class=\"badge\" data-status=\"late\" id=\"status\">late</span>"),
            "{html}"
        );
        assert!(
            html.contains("<dd id=\"due\">late for 2 d 1 h <span class=\"muted\">(2026-11-21 19:10 CET)</span></dd>")
        );
        assert!(html.contains("<dd id=\"threshold\">1 d of working time</dd>"));
        assert!(html.contains("Monday–Saturday"));
        assert!(!html.contains("<script>alert") && !html.contains("<b>done"));
        assert!(html.contains("&#60;b&#62;done&#60;/b&#62;"));
        assert!(html.contains("<time datetime=\"2026-11-20T18:10:00.000Z\">"));
        assert!(html.contains("href=\"../edit?secret=s&#38;id=x\""));
    }

    #[test]
    fn charts_are_inline_svg_that_admit_there_is_no_history() {
        let html = render_detail(&view());
        assert!(html.contains("<svg id=\"durations-chart\""));
        assert!(html.contains("id=\"uptime-30\"") && html.contains("id=\"uptime-90\""));
        assert_eq!(
            html.matches("no history yet").count(),
            5,
            "chart text, two labels, two bars"
        );
        assert!(!html.contains("<script"), "readable without JavaScript");
        assert!(!html.contains("http://") || html.contains("http://www.w3.org/2000/svg"));
        assert!(!html.contains("https://"), "no third-party assets");
    }
}
