//! The three messages the monitor sends — newly exceeded, still exceeded, recovered — as Slack
//! incoming-webhook payloads that stay within Slack's limits whatever the pulses are called.

use serde::Serialize;

use super::escape::{escaped_len, push_escaped};
use crate::report::{CHAT_LOG_CHARS, CHAT_LOG_LINES, RunReport, log_tail_lines};
use crate::rules::signals::IncidentKind;

/// Budget, in escaped characters, for a job's message quoted under its line.
const MESSAGE_MAX: usize = 300;

/// At most this many pulses are listed in one message; the rest are counted ("…and N more").
pub const MAX_LINES: usize = 50;

/// Slack truncates `text` beyond 40,000 characters.
const TEXT_LIMIT: usize = 40_000;
/// Budget, in escaped characters, for each of host, category, type and name.
const FIELD_MAX: usize = 80;
/// Budget, in escaped characters, for the caller's detail ("3 h 30 min of working time over its 1 d threshold").
const DETAIL_MAX: usize = 100;
/// A per-pulse edit link longer than this is left out rather than cut (a cut URL is a broken link).
const EDIT_URL_MAX: usize = 300;
/// Same for the dashboard link, which appears once.
const DASHBOARD_URL_MAX: usize = 1_000;

const EDIT_LABEL: &str = "edit";
const DASHBOARD_LABEL: &str = "Open the dashboard";
const HEADER_MAX: usize = 100;
const MORE_MAX: usize = 40;
/// "• " + four fields joined by " / " + " — " detail + " (<" url "|edit>)".
const LINE_MAX: usize = 2 + 4 * FIELD_MAX + 3 * 3 + 3 + DETAIL_MAX + 3 + EDIT_URL_MAX + 1 + EDIT_LABEL.len() + 2;
const DASHBOARD_LINE_MAX: usize = 1 + DASHBOARD_URL_MAX + 1 + DASHBOARD_LABEL.len() + 1;
/// The snooze links' labels, in the order of `PulseLine::snooze_urls`.
const SNOOZE_LABELS: [&str; 3] = ["1 h", "1 day", "until the next working day"];
/// " · snooze " + three links of at most `EDIT_URL_MAX` each, " · " between them.
const SNOOZE_MAX: usize = 10 + 3 * (EDIT_URL_MAX + 3 + 26) + 2 * 3;
/// A message about more pulses than this carries no snooze links: a big incident is better
/// silenced with a maintenance window (the dashboard link) than pulse by pulse.
pub const SNOOZE_LINKS_UP_TO: usize = 5;

// The longest possible message (every line at its budget, plus the newlines) fits in Slack's limit,
// with and without snooze links.
const _: () =
    assert!(HEADER_MAX + MAX_LINES * (1 + LINE_MAX) + (1 + MORE_MAX) + (1 + DASHBOARD_LINE_MAX) <= TEXT_LIMIT);
const _: () =
    assert!(HEADER_MAX + SNOOZE_LINKS_UP_TO * (1 + LINE_MAX + SNOOZE_MAX) + (1 + DASHBOARD_LINE_MAX) <= TEXT_LIMIT);

/// An incoming-webhook payload: `text`, which is also what notifications show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlackMessage {
    pub text: String,
}

/// What a message says about one pulse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulseLine {
    pub host: String,
    pub category: String,
    pub kind: String,
    pub name: String,
    /// Prepared by the caller, e.g. "3 h 30 min of working time over its 1 d threshold".
    pub detail: String,
    pub edit_url: Option<String>,
    /// The snooze page for 1 h, 1 day and until the next working day (alerts and reminders only).
    pub snooze_urls: Option<[String; 3]>,
    /// What a failed or overrun job said; `None` for a late pulse (and in recoveries).
    pub report: Option<RunReport>,
}

/// The pulses that became exceeded since the last run.
pub fn alert_message(lines: &[PulseLine], dashboard_url: Option<&str>) -> SlackMessage {
    build(Kind::Alert, lines, dashboard_url)
}

/// The pulses that are still exceeded (sent at most every `REMIND_EVERY_HOURS`).
pub fn reminder_message(lines: &[PulseLine], dashboard_url: Option<&str>) -> SlackMessage {
    build(Kind::Reminder, lines, dashboard_url)
}

/// The pulses that pulsed again after being exceeded.
pub fn recovery_message(lines: &[PulseLine], dashboard_url: Option<&str>) -> SlackMessage {
    build(Kind::Recovery, lines, dashboard_url)
}

#[derive(Clone, Copy)]
enum Kind {
    Alert,
    Reminder,
    Recovery,
}

fn header(kind: Kind, lines: &[PulseLine]) -> String {
    let count = lines.len();
    let one = count == 1;
    let incidents = |want: IncidentKind| {
        lines
            .iter()
            .all(|l| l.report.as_ref().map_or(IncidentKind::Late, |r| r.incident) == want)
    };
    if !matches!(kind, Kind::Recovery) && !incidents(IncidentKind::Late) {
        let reminder = matches!(kind, Kind::Reminder);
        return match (incidents(IncidentKind::Failed), incidents(IncidentKind::Overrun)) {
            (true, _) if reminder && one => ":bell: 1 job is still failing".to_owned(),
            (true, _) if reminder => format!(":bell: {count} jobs are still failing"),
            (true, _) if one => ":x: 1 job failed".to_owned(),
            (true, _) => format!(":x: {count} jobs failed"),
            (_, true) if reminder && one => ":bell: 1 job is still running past its max runtime".to_owned(),
            (_, true) if reminder => format!(":bell: {count} jobs are still running past their max runtime"),
            (_, true) if one => ":hourglass: 1 job is running past its max runtime".to_owned(),
            (_, true) => format!(":hourglass: {count} jobs are running past their max runtime"),
            _ if reminder => format!(":bell: {count} pulses still need attention (late, failed or overrun)"),
            _ => format!(":rotating_light: {count} pulses need attention (late, failed or overrun)"),
        };
    }
    match kind {
        Kind::Alert if one => ":rotating_light: 1 pulse exceeded its threshold".to_owned(),
        Kind::Alert => format!(":rotating_light: {count} pulses exceeded their threshold"),
        Kind::Reminder if one => ":bell: 1 pulse is still over its threshold".to_owned(),
        Kind::Reminder => format!(":bell: {count} pulses are still over their threshold"),
        Kind::Recovery if one => ":white_check_mark: 1 pulse recovered".to_owned(),
        Kind::Recovery => format!(":white_check_mark: {count} pulses recovered"),
    }
}

fn build(kind: Kind, lines: &[PulseLine], dashboard_url: Option<&str>) -> SlackMessage {
    let mut text = header(kind, lines);
    let shown = lines.len().min(MAX_LINES);
    let snooze = lines.len() <= SNOOZE_LINKS_UP_TO;
    let line_max = 1 + LINE_MAX + if snooze { SNOOZE_MAX } else { 0 };
    for (i, line) in lines.iter().take(MAX_LINES).enumerate() {
        text.push('\n');
        push_line(&mut text, line, snooze);
        if let Some(report) = &line.report {
            // What the job said goes in only where it fits with every line still to come at its
            // largest, so the message stays within Slack's limit whatever the logs hold.
            let reserve = (shown - i - 1) * line_max + (1 + MORE_MAX) + (1 + DASHBOARD_LINE_MAX);
            let room = TEXT_LIMIT.saturating_sub(text.chars().count() + reserve);
            let extra = report_text(report);
            if extra.chars().count() <= room {
                text.push_str(&extra);
            }
        }
    }
    if lines.len() > MAX_LINES {
        text.push_str(&format!("\n…and {} more", lines.len() - MAX_LINES));
    }
    if let Some(link) = dashboard_url.and_then(|url| link(url, DASHBOARD_URL_MAX, DASHBOARD_LABEL)) {
        text.push('\n');
        text.push_str(&link);
    }
    debug_assert!(text.chars().count() <= TEXT_LIMIT);
    SlackMessage { text }
}

/// `• host / category / type / name — detail (<url|edit>)`
fn push_line(out: &mut String, line: &PulseLine, snooze: bool) {
    out.push_str("• ");
    let fields = [&line.host, &line.category, &line.kind, &line.name];
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push_str(" / ");
        }
        push_user_text(out, field, FIELD_MAX);
    }
    if !line.detail.trim().is_empty() {
        out.push_str(" — ");
        push_user_text(out, &line.detail, DETAIL_MAX);
    }
    if let Some(link) = line
        .edit_url
        .as_deref()
        .and_then(|url| link(url, EDIT_URL_MAX, EDIT_LABEL))
    {
        out.push_str(" (");
        out.push_str(&link);
        out.push(')');
    }
    // ` · snooze <url|1 h> · <url|1 day> · <url|until the next working day>`: each opens a page
    // with a button, so a link preview or a mail scanner fetching it changes nothing.
    let snooze_links: Vec<String> = match (&line.snooze_urls, snooze) {
        (Some(urls), true) => urls
            .iter()
            .zip(SNOOZE_LABELS)
            .filter_map(|(url, label)| link(url, EDIT_URL_MAX, label))
            .collect(),
        _ => Vec::new(),
    };
    if !snooze_links.is_empty() {
        out.push_str(" · snooze ");
        out.push_str(&snooze_links.join(" · "));
    }
}

/// The job's message (one quoted line) and the end of its log (a code block), escaped.
fn report_text(report: &RunReport) -> String {
    let mut out = String::new();
    if let Some(message) = report.message.as_deref().filter(|m| !m.trim().is_empty()) {
        out.push_str("\n> ");
        push_user_text(&mut out, message, MESSAGE_MAX);
    }
    let tail = report
        .log
        .as_deref()
        .map(|log| log_tail_lines(log, CHAT_LOG_LINES, CHAT_LOG_CHARS))
        .unwrap_or_default();
    if !tail.trim().is_empty() {
        out.push_str("\n```\n");
        for c in tail.chars() {
            match c {
                // A backtick could close the block early; a look-alike cannot.
                '`' => out.push('ˋ'),
                '\n' => out.push('\n'),
                c if c.is_control() => out.push(' '),
                c => push_escaped(&mut out, c),
            }
        }
        out.push_str("\n```");
    }
    out
}

/// Appends `text` escaped, on one line, and cut with "…" so that it takes at most `max` characters.
fn push_user_text(out: &mut String, text: &str, max: usize) {
    let one_line = |c: char| if c.is_control() { ' ' } else { c };
    let total: usize = text.chars().map(escaped_len).sum();
    // Cutting keeps room for the ellipsis and never splits an entity such as "&amp;".
    let budget = if total <= max { max } else { max - 1 };
    let mut used = 0;
    for c in text.chars().map(one_line) {
        let len = escaped_len(c);
        if used + len > budget {
            out.push('…');
            return;
        }
        used += len;
        push_escaped(out, c);
    }
}

/// `<url|label>`, or nothing when the URL is empty or too long to be worth a broken link.
fn link(url: &str, max: usize, label: &str) -> Option<String> {
    let url = link_target(url.trim());
    if url.is_empty() || url.chars().count() > max {
        return None;
    }
    Some(format!("<{url}|{label}>"))
}

/// The URL with the characters that would end or split a Slack link (`<`, `>`, `|`), whitespace,
/// control and non-ASCII characters percent-encoded. Our URLs carry none of them; this is a guard.
/// `&` stays as is: a query separator in our URLs, and not something that can close the link.
fn link_target(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_ascii_graphic() && !matches!(c, '<' | '>' | '|') {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(name: &str) -> PulseLine {
        PulseLine {
            host: "web-1".into(),
            category: "backup".into(),
            kind: "db".into(),
            name: name.into(),
            detail: "3.5 h over its 24 h threshold".into(),
            edit_url: Some(format!("https://hb.example.com/heartbeat/edit?secret=s3cret&id={name}")),
            snooze_urls: None,
            report: None,
        }
    }

    type Make = fn(&[PulseLine], Option<&str>) -> SlackMessage;

    fn lines(n: usize) -> Vec<PulseLine> {
        (0..n).map(|i| line(&format!("job{i}"))).collect()
    }

    #[test]
    fn headers_count_the_pulses() {
        let cases: [(Make, usize, &str); 6] = [
            (alert_message, 1, ":rotating_light: 1 pulse exceeded its threshold"),
            (alert_message, 2, ":rotating_light: 2 pulses exceeded their threshold"),
            (reminder_message, 1, ":bell: 1 pulse is still over its threshold"),
            (reminder_message, 3, ":bell: 3 pulses are still over their threshold"),
            (recovery_message, 1, ":white_check_mark: 1 pulse recovered"),
            (recovery_message, 4, ":white_check_mark: 4 pulses recovered"),
        ];
        for (make, n, expected) in cases {
            let message = make(&lines(n), None);
            assert_eq!(message.text.lines().next(), Some(expected));
            assert_eq!(message.text.lines().count(), 1 + n);
        }
    }

    #[test]
    fn a_line_names_the_pulse_its_detail_and_its_edit_link() {
        let message = alert_message(
            &[line("nightly")],
            Some("https://hb.example.com/heartbeat/dashboard?secret=s3cret"),
        );
        assert_eq!(
            message.text,
            ":rotating_light: 1 pulse exceeded its threshold\n\
             • web-1 / backup / db / nightly — 3.5 h over its 24 h threshold \
             (<https://hb.example.com/heartbeat/edit?secret=s3cret&id=nightly|edit>)\n\
             <https://hb.example.com/heartbeat/dashboard?secret=s3cret|Open the dashboard>"
        );
    }

    #[test]
    fn without_links_or_detail_the_line_is_just_the_pulse() {
        let mut pulse = line("nightly");
        pulse.edit_url = None;
        pulse.detail = String::new();
        let message = recovery_message(&[pulse], None);
        assert_eq!(
            message.text,
            ":white_check_mark: 1 pulse recovered\n• web-1 / backup / db / nightly"
        );
    }

    #[test]
    fn injection_payloads_in_every_field_come_out_escaped() {
        let payloads = [
            "<!channel>",
            "<!here>",
            "<@U024BE7LH>",
            "<https://evil.example|x>",
            "a & b",
            "<script>alert(1)</script>",
            "line\nbreak<!everyone>",
        ];
        for payload in payloads {
            let pulse = PulseLine {
                host: payload.into(),
                category: payload.into(),
                kind: payload.into(),
                name: payload.into(),
                detail: payload.into(),
                edit_url: Some(format!("https://hb.example.com/edit?id=1{payload}")),
                snooze_urls: None,
                report: None,
            };
            for make in [alert_message, reminder_message, recovery_message] {
                let text = make(std::slice::from_ref(&pulse), Some(payload)).text;
                let body: Vec<&str> = text.lines().skip(1).collect();
                assert_eq!(body.len(), 2, "one line per pulse plus the dashboard: {text}");
                let pulse_line = body[0];
                // The only raw '<' '>' left are those of our own two links.
                assert_eq!(text.matches('<').count(), 2, "{text}");
                assert_eq!(text.matches('>').count(), 2, "{text}");
                assert!(!text.contains("<!"), "{text}");
                assert!(!text.contains("<@"), "{text}");
                assert!(!text.contains("<https://evil"), "{text}");
                assert!(!text.contains("<script"), "{text}");
                assert!(!text.contains(" & "), "{text}");
                // Each link has exactly one '|' (the label separator).
                let link = &pulse_line[pulse_line.rfind('<').unwrap()..];
                assert_eq!(link.matches('|').count(), 1, "{link}");
                assert!(link.ends_with("|edit>)"), "{link}");
                assert!(body[1].ends_with("|Open the dashboard>"), "{}", body[1]);
                assert_eq!(body[1].matches('|').count(), 1, "{}", body[1]);
            }
        }
        let text = alert_message(
            &[PulseLine {
                host: "<!channel>".into(),
                category: "a & b".into(),
                kind: "<script>".into(),
                name: "<https://evil|x>".into(),
                detail: "&lt;".into(),
                edit_url: None,
                snooze_urls: None,
                report: None,
            }],
            None,
        )
        .text;
        assert!(
            text.ends_with("• &lt;!channel&gt; / a &amp; b / &lt;script&gt; / &lt;https://evil|x&gt; — &amp;lt;"),
            "{text}"
        );
    }

    #[test]
    fn link_targets_cannot_close_or_split_the_link() {
        assert_eq!(
            link_target("https://a.example/x?a=1&b=2"),
            "https://a.example/x?a=1&b=2"
        );
        assert_eq!(link_target("https://a/<x>|y z"), "https://a/%3Cx%3E%7Cy%20z");
        assert_eq!(link_target("https://a/ü\n"), "https://a/%C3%BC%0A");
        assert_eq!(link("  ", 100, "edit"), None);
        assert_eq!(link(&format!("https://a/{}", "x".repeat(300)), 300, "edit"), None);
    }

    #[test]
    fn at_most_max_lines_are_listed_then_the_rest_is_counted() {
        let message = alert_message(&lines(120), Some("https://hb.example.com/d"));
        let text_lines: Vec<&str> = message.text.lines().collect();
        assert_eq!(text_lines[0], ":rotating_light: 120 pulses exceeded their threshold");
        assert_eq!(text_lines.iter().filter(|l| l.starts_with("• ")).count(), MAX_LINES);
        assert!(text_lines[MAX_LINES].contains("job49"));
        assert!(!message.text.contains("job50"));
        assert_eq!(text_lines[MAX_LINES + 1], "…and 70 more");
        assert_eq!(
            text_lines[MAX_LINES + 2],
            "<https://hb.example.com/d|Open the dashboard>"
        );

        let exactly = alert_message(&lines(MAX_LINES), None);
        assert!(!exactly.text.contains("more"));
    }

    #[test]
    fn long_fields_are_cut_with_an_ellipsis_without_splitting_entities() {
        let mut out = String::new();
        push_user_text(&mut out, &"x".repeat(FIELD_MAX), FIELD_MAX);
        assert_eq!(out, "x".repeat(FIELD_MAX));

        let mut out = String::new();
        push_user_text(&mut out, &"x".repeat(FIELD_MAX + 1), FIELD_MAX);
        assert_eq!(out, format!("{}…", "x".repeat(FIELD_MAX - 1)));

        let mut out = String::new();
        push_user_text(&mut out, &"&".repeat(100), FIELD_MAX);
        assert_eq!(out, format!("{}…", "&amp;".repeat(15)));
        assert!(out.chars().count() <= FIELD_MAX);
    }

    #[test]
    fn fifty_maximal_lines_fit_in_slacks_text_limit() {
        // 256 characters is the longest field the pulse endpoint accepts; '&' escapes to the most.
        for fill in ['&', '<', 'x', 'ü', '日'] {
            let field: String = std::iter::repeat_n(fill, 256).collect();
            let pulse = PulseLine {
                host: field.clone(),
                category: field.clone(),
                kind: field.clone(),
                name: field.clone(),
                detail: field.repeat(4),
                edit_url: Some(format!(
                    "https://abcdefghij.execute-api.eu-central-1.amazonaws.com/Prod/heartbeat/edit?secret={}&id={}",
                    "s".repeat(64),
                    "0".repeat(64)
                )),
                snooze_urls: Some(std::array::from_fn(|_| {
                    format!("https://x.example/{}", "q".repeat(EDIT_URL_MAX - 18))
                })),
                // A failure's message and log at their largest: they go in only where they fit.
                report: Some(RunReport {
                    incident: IncidentKind::Failed,
                    exit_code: Some(255),
                    duration: None,
                    message: Some(field.repeat(8)),
                    log: Some(format!("{field}\n").repeat(40)),
                }),
            };
            // Up to SNOOZE_LINKS_UP_TO pulses, each line with its three snooze links, still fits.
            let few = vec![pulse.clone(); SNOOZE_LINKS_UP_TO];
            let dashboard = format!("https://example.com/{}", "d".repeat(DASHBOARD_URL_MAX - 20));
            let message = alert_message(&few, Some(&dashboard));
            assert!(message.text.chars().count() <= TEXT_LIMIT);
            assert_eq!(message.text.matches(" · snooze <").count(), SNOOZE_LINKS_UP_TO);
            assert_eq!(
                message.text.matches("|until the next working day>").count(),
                SNOOZE_LINKS_UP_TO
            );
            let many = vec![pulse; 120];
            assert!(
                !alert_message(&many, None).text.contains("snooze"),
                "no snooze links past {SNOOZE_LINKS_UP_TO}"
            );
            let dashboard = format!("https://example.com/{}", "d".repeat(DASHBOARD_URL_MAX - 20));
            for make in [alert_message, reminder_message, recovery_message] {
                let message = make(&many, Some(&dashboard));
                assert!(message.text.chars().count() <= TEXT_LIMIT);
                assert_eq!(message.text.matches("|edit>").count(), MAX_LINES);
                assert!(message.text.contains("…and 70 more"));
                assert!(message.text.ends_with("|Open the dashboard>"));
            }
        }
    }

    #[test]
    fn serializes_as_a_webhook_payload() {
        let message = SlackMessage { text: "hi".into() };
        assert_eq!(
            serde_json::to_value(&message).unwrap(),
            serde_json::json!({"text": "hi"})
        );
    }

    #[test]
    fn a_failure_names_its_kind_and_quotes_message_and_log_escaped() {
        let mut failed = line("nightly");
        failed.detail = "failed with exit code 3 after 2 min".into();
        let log: String = (1..=12).map(|i| format!("step {i}\n")).collect::<String>() + "<b>boom</b> & `rm`";
        failed.report = Some(RunReport {
            incident: IncidentKind::Failed,
            exit_code: Some(3),
            duration: None,
            message: Some("disk <full>".into()),
            log: Some(log),
        });
        let text = alert_message(&[failed.clone()], None).text;
        assert!(
            text.starts_with(":x: 1 job failed\n• web-1 / backup / db / nightly — failed with exit code 3"),
            "{text}"
        );
        assert!(text.contains("\n> disk &lt;full&gt;\n```\nstep 4\n"), "{text}");
        assert!(!text.contains("step 3\n"), "ten lines at most: {text}");
        assert!(text.ends_with("&lt;b&gt;boom&lt;/b&gt; &amp; ˋrmˋ\n```"), "{text}");
        assert_eq!(
            reminder_message(&[failed.clone()], None).text.lines().next(),
            Some(":bell: 1 job is still failing")
        );
        let mut mixed = vec![failed, line("late-one")];
        assert!(
            alert_message(&mixed, None)
                .text
                .starts_with(":rotating_light: 2 pulses need attention")
        );
        mixed[0].report.as_mut().unwrap().incident = IncidentKind::Overrun;
        assert!(
            alert_message(&mixed[..1], None)
                .text
                .starts_with(":hourglass: 1 job is running past its max runtime")
        );
    }
}
