//! Turns the view models into complete HTML pages with askama (templates in `shared/templates/`,
//! sharing `base.html`). User data is escaped by askama; only our own assets are marked safe.

use super::assets::{DASHBOARD_SCRIPT, EDIT_SCRIPT, STYLE};
use super::dashboard_rows::{RowsHtml, rows};
use super::{DashboardView, EditView, ErrorView};
use askama::Template;
use std::sync::LazyLock;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage<'a> {
    view: &'a DashboardView<'a>,
    rows: RowsHtml,
    style: &'static str,
    script: &'static str,
}

#[derive(Template)]
#[template(path = "edit.html")]
struct EditPage<'a> {
    view: &'a EditView,
    style: &'static str,
    script: &'static str,
    tz_names: &'static [&'static str],
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    view: &'a ErrorView,
    style: &'static str,
}

/// Every IANA name chrono-tz knows, for the timezone field's suggestions.
static TZ_NAMES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect());

/// Served if a template ever fails to render, so a handler always has a complete page to send.
const FALLBACK_PAGE: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Error · heartbeat</title></head><body><h1>Something went wrong</h1>\
<p>The page could not be shown. Please try again in a moment.</p></body></html>\n";

/// The page around the rows is about 20 kB (mostly the inline script and stylesheet).
const DASHBOARD_FRAME_BYTES: usize = 32 * 1024;

pub fn render_dashboard(view: &DashboardView<'_>) -> String {
    let page = DashboardPage {
        view,
        rows: rows(&view.rows),
        style: STYLE,
        script: DASHBOARD_SCRIPT,
    };
    // One buffer for the whole page: growing a 2 MB page by doubling would copy it again and again.
    let mut html = String::with_capacity(page.rows.len() + DASHBOARD_FRAME_BYTES);
    finish(page.render_into(&mut html).map(|()| html))
}

pub fn render_edit(view: &EditView) -> String {
    finish(
        EditPage {
            view,
            style: STYLE,
            script: EDIT_SCRIPT,
            tz_names: &TZ_NAMES,
        }
        .render(),
    )
}

pub fn render_error(view: &ErrorView) -> String {
    finish(ErrorPage { view, style: STYLE }.render())
}

/// Our templates only write strings and numbers, so this cannot really fail; if it ever does, the
/// visitor gets a plain page and the log gets the cause, instead of a panicking Lambda.
pub(super) fn finish(rendered: askama::Result<String>) -> String {
    rendered.unwrap_or_else(|error| {
        tracing::error!(%error, "rendering a page failed");
        FALLBACK_PAGE.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::super::assets::SCRIPTS;
    use super::super::content_security_policy;
    use super::super::samples::{self, XSS_HOST, XSS_NAME};
    use super::*;
    use sha2::{Digest, Sha256};

    /// The contents of every `<tag>…</tag>` element, as the browser would hash them.
    fn elements<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
        let open = format!("<{tag}>");
        let close = format!("</{tag}>");
        let mut found = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find(&open) {
            let after = &rest[start + open.len()..];
            let end = after.find(&close).expect("element is closed");
            found.push(&after[..end]);
            rest = &after[end + close.len()..];
        }
        found
    }

    /// The CSP hash source of `content`, computed apart from the csp module (whose base64 is
    /// under test too): here base64 is rebuilt from the digest's bit string.
    fn csp_hash(content: &str) -> String {
        let digest = Sha256::digest(content.as_bytes());
        let bits: String = digest.iter().map(|b| format!("{b:08b}")).collect();
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut b64: String = bits
            .as_bytes()
            .chunks(6)
            .map(|six| {
                let mut padded = String::from_utf8(six.to_vec()).unwrap();
                while padded.len() < 6 {
                    padded.push('0');
                }
                alphabet.as_bytes()[usize::from_str_radix(&padded, 2).unwrap()] as char
            })
            .collect();
        while b64.len() % 4 != 0 {
            b64.push('=');
        }
        format!("'sha256-{b64}'")
    }

    /// The page without the contents of its script and style elements, so that assertions about
    /// markup do not trip over selectors such as `[aria-invalid]` in our stylesheet.
    fn markup(html: &str) -> String {
        let mut out = html.to_string();
        for tag in ["style", "script"] {
            for content in elements(html, tag) {
                if !content.is_empty() {
                    out = out.replacen(content, "", 1);
                }
            }
        }
        out
    }

    fn directive<'a>(policy: &'a str, name: &str) -> &'a str {
        policy
            .split("; ")
            .find(|d| d.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} missing from {policy}"))
    }

    /// The attribute names of every start tag outside script/style content, quote-aware so that
    /// escaped user text inside attribute values is not mistaken for an attribute.
    fn attribute_names(html: &str) -> Vec<String> {
        let mut names = Vec::new();
        let mut rest = html;
        while let Some(lt) = rest.find('<') {
            rest = &rest[lt + 1..];
            if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
                continue;
            }
            let mut chars = rest.char_indices().peekable();
            // Skip the tag name.
            while chars.next_if(|(_, c)| !c.is_whitespace() && *c != '>').is_some() {}
            let mut end = rest.len();
            loop {
                while chars.next_if(|(_, c)| c.is_whitespace() || *c == '/').is_some() {}
                let Some(&(i, c)) = chars.peek() else { break };
                if c == '>' {
                    end = i;
                    break;
                }
                let mut name = String::new();
                while let Some((_, c)) = chars.next_if(|(_, c)| !"=> \t\n".contains(*c)) {
                    name.push(c.to_ascii_lowercase());
                }
                names.push(name);
                if chars.next_if(|(_, c)| *c == '=').is_some() {
                    match chars.peek().map(|&(_, c)| c) {
                        Some(q @ ('"' | '\'')) => {
                            chars.next();
                            while chars.next_if(|(_, c)| *c != q).is_some() {}
                            chars.next();
                        }
                        _ => while chars.next_if(|(_, c)| !c.is_whitespace() && *c != '>').is_some() {},
                    }
                }
            }
            let tag = &rest[..end];
            rest = &rest[end..];
            // Raw-text elements: skip their content, it is not markup.
            for raw in ["script", "style"] {
                if tag.starts_with(raw) {
                    let close = rest.find(&format!("</{raw}>")).expect("closed");
                    rest = &rest[close..];
                }
            }
        }
        names
    }

    fn all_pages() -> Vec<(&'static str, String)> {
        vec![
            ("dashboard", render_dashboard(&samples::dashboard())),
            ("empty dashboard", render_dashboard(&samples::empty_dashboard())),
            ("edit with errors", render_edit(&samples::edit_with_errors())),
            ("edit", render_edit(&samples::edit_clean())),
            ("error", render_error(&samples::error())),
        ]
    }

    /// The pulse rows of a rendered dashboard (`<tr data-k=…>`), each up to its line's end: end
    /// tags are left out to keep 10,000 rows light.
    fn pulse_rows(html: &str) -> Vec<&str> {
        html.match_indices("<tr data-k=")
            .map(|(i, _)| {
                let row = &html[i..];
                &row[..row.find('\n').unwrap()]
            })
            .collect()
    }

    #[test]
    fn dashboard_escapes_user_data() {
        let html = render_dashboard(&samples::dashboard());
        // askama writes numeric character references: &#60; is `<`, &#62; is `>`.
        assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
        assert!(html.contains("&#34;&#38;&#39;&#60;&#62;"), "host escaped");
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains(XSS_NAME));
        assert!(!html.contains(XSS_HOST));
        // Exactly our own script element, nothing a row smuggled in.
        assert_eq!(html.matches("<script").count(), 1);
    }

    #[test]
    fn rows_carry_their_state_and_late_ones_say_how_far_over() {
        let view = samples::dashboard();
        let html = render_dashboard(&view);
        let rows = pulse_rows(&html);
        assert_eq!(rows.len(), view.rows.len());
        for (row, data) in rows.iter().zip(&view.rows) {
            // The stylesheet colours the row by data-status; the Status cell says it in words.
            let late = data.state == crate::rules::state::State::Late;
            assert!(row.contains(&format!("\" data-status={} ", data.state.name())), "{row}");
            assert!(row.contains(&format!("<td>{}<td>", data.state.name())), "{row}");
            assert_eq!(row.contains(" over<td>"), late, "{row}");
            assert!(!row.contains("EXCEEDED") && !row.contains("exceeded"), "{row}");
        }
        assert_eq!(rows.iter().filter(|r| r.contains(" data-status=late ")).count(), 2);
        // Those that need attention come first.
        assert!(rows[0].contains(" data-status=late ") && rows[1].contains(" data-status=late "));
    }

    #[test]
    fn dashboard_rows_show_times_hours_and_sort_keys() {
        let view = samples::dashboard();
        let html = render_dashboard(&view);
        let rows = pulse_rows(&html);
        let first = rows[0];
        assert!(first.contains("nightly-dump"), "default order kept: {first}");
        // Last pulse 4,445 min (3 d 2 h 5 min) ago, 26.5 working hours, 2.5 over, due in 180 min.
        // Its last run took 12.5 s: whole seconds sort runs well enough.
        assert!(first.starts_with("<tr data-k=\"4445 26.5 2.5 24 180 12\""), "{first}");
        assert!(first.contains("<td>Fri 19:10<i>3 d ago</i>"), "{first}");
        // Durations in words; the exact hours stay in the sort keys.
        assert!(
            first.contains("<td>1 d 2 h<td>2 h 30 min over<td>1 d<td>late<td>"),
            "{first}"
        );
        // No link, secret or id in a row whose id follows from its key; this sample's does not.
        assert!(
            first.contains(&format!(" data-id=\"{:064x}\"", 3 * 24 * 60 + 125)),
            "{first}"
        );
        assert!(!first.contains("href") && !first.contains("secret"), "{first}");
        assert!(
            html.contains("data-secret=\"secret=s%26cret\""),
            "the links' query, once"
        );
        let warm = rows.iter().find(|r| r.contains("warm-cdn")).unwrap();
        assert!(warm.contains("<td>9 min left<td>"), "{warm}");
        // No run reported: the trailing "-" key is left out.
        assert!(warm.contains(" 0.25 180\""), "{warm}");
        assert!(warm.contains("<td>15 min<td>"), "{warm}");
        let invoice = rows.iter().find(|r| r.contains("invoice-mail")).unwrap();
        assert!(invoice.contains("<td>1 d 1 h <i>· Sat ✓</i><td>"), "{invoice}");
        // The page's one zone, named; the ISO time only in the machine-readable attribute.
        assert!(html.contains(
            "Generated <time datetime=\"2026-11-23T20:15:00.000Z\">Mon 23 Nov 2026 21:15 CET</time> · times in <span id=\"zone\">Europe/Berlin</span>"
        ));
    }

    #[test]
    fn a_row_adds_little_markup_to_its_text() {
        // At 10,000 pulses every byte of markup per row is 10 kB of page (goal: 2 MB in all).
        let view = samples::dashboard();
        let html = render_dashboard(&view);
        for (row, data) in pulse_rows(&html).iter().zip(&view.rows) {
            let text: usize = [
                data.host,
                data.category,
                data.kind,
                data.name,
                &data.last_pulse_local,
                &data.last_pulse_relative,
                &data.hours_text(),
                &data.delta_text(),
                &data.threshold_text,
                &data.due_in,
                data.id_unless_key.as_deref().unwrap_or_default(),
                &data.last_duration,
                &data.last_exit.map(|c| c.to_string()).unwrap_or_default(),
            ]
            .iter()
            .map(|t| t.len())
            .sum::<usize>()
                + data.state.name().len();
            // Escaping makes the hostile sample longer than its text.
            if data.host.contains('<') || data.name.contains('<') {
                continue;
            }
            // The most a sample row has: <tr>, its sort keys (the last run's too), the exceeded
            // class, data-id's name, twelve <td> (the last run and exit code included), the relative
            // time's and the Saturday mark's <i>: 142 B. Before the rows were made short, the same
            // rows carried about 560 B of markup.
            let markup = row.len() - text;
            assert!(markup <= 145, "{markup} B of markup: {row}");
        }
    }

    #[test]
    fn dashboard_shows_counts_and_unreadable_notice() {
        let html = render_dashboard(&samples::dashboard());
        assert!(html.contains("<strong id=\"count-total\">8</strong>"));
        assert!(html.contains("<strong id=\"count-late\">2</strong> late</span> · <span data-status=\"ok\"><strong id=\"count-ok\">6</strong> ok"));
        assert!(html.contains("id=\"unreadable\""));
        assert!(html.contains("1 item in the table could not be read"));
        assert!(html.contains("<title>(2) Dashboard · heartbeat</title>"));

        let mut view = samples::dashboard();
        view.unreadable = 3;
        assert!(render_dashboard(&view).contains("3 items in the table could not be read"));
        view.unreadable = 0;
        assert!(!render_dashboard(&view).contains("id=\"unreadable\""));
    }

    #[test]
    fn dashboard_has_filter_sort_buttons_and_refresh() {
        let html = markup(&render_dashboard(&samples::dashboard()));
        assert!(html.contains("<meta http-equiv=\"refresh\" content=\"120\">"));
        assert!(html.contains("<input type=\"search\" id=\"filter\""));
        assert!(html.contains("id=\"showing\""));
        assert!(html.contains("Showing 8 of 8"));
        assert_eq!(
            html.matches("<button type=\"button\">").count(),
            12,
            "one per data column"
        );
        // Only the default sort column is marked: the states, those that need attention first.
        assert_eq!(html.matches("aria-sort=").count(), 1);
        assert!(html.contains(
            "aria-sort=\"ascending\" title=\"Those that need attention first\"><button type=\"button\">Status</button>"
        ));
    }

    #[test]
    fn empty_dashboard_explains_the_first_pulse() {
        let html = render_dashboard(&samples::empty_dashboard());
        assert!(html.contains("No pulses yet."));
        assert!(html.contains("/heartbeat/pulse</span>?host=$(hostname)&amp;category="));
        assert!(pulse_rows(&html).is_empty());
        assert!(html.contains("<strong id=\"count-total\">0</strong>"));
        assert!(!html.contains("id=\"unreadable\""));
    }

    #[test]
    fn edit_page_reshows_input_with_errors_next_to_fields() {
        let html = render_edit(&samples::edit_with_errors());
        let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{needle} missing"));
        // The user's input is kept (escaped), not replaced by the stored value.
        assert!(html.contains("value=\"twelve&#34;&#62;&#60;b&#62;\""));
        assert!(html.contains("value=\"Europe/Berlinn\""));
        assert!(html.contains("id=\"saturday\" name=\"saturday\" value=\"1\" checked>"));
        // Each error sits right after its own field and is tied to it for screen readers.
        let threshold = at("id=\"threshold\"");
        let threshold_error = at("<p class=\"error\" id=\"threshold-error\">must be a number");
        let saturday = at("id=\"saturday\"");
        let tz = at("id=\"tz\"");
        let tz_error = at("<p class=\"error\" id=\"tz-error\">“Europe/Berlinn” is not");
        assert!(threshold < threshold_error && threshold_error < saturday);
        assert!(saturday < tz && tz < tz_error);
        let threshold_tag = &html[threshold..threshold_error];
        assert!(threshold_tag.contains("aria-invalid=\"true\""));
        assert!(threshold_tag.contains("aria-describedby=\"threshold-error threshold-help\""));
        assert!(html[tz..tz_error].contains("aria-invalid=\"true\" aria-describedby=\"tz-error"));
        // The form-wide error comes first.
        let form_error = at("id=\"form-error\">Nothing was saved");
        assert!(form_error < threshold);
        assert!(html.contains("<title>Error: Edit &#60;script&#62;"));
        assert!(!html.contains("<script>alert"));
    }

    #[test]
    fn edit_page_without_errors_marks_nothing_invalid() {
        let html = markup(&render_edit(&samples::edit_clean()));
        assert!(!html.contains("aria-invalid"));
        assert!(!html.contains("class=\"error"));
        assert!(html.contains("value=\"24\""));
        assert!(html.contains("name=\"saturday\" value=\"1\">"), "unchecked");
        assert!(html.contains("aria-describedby=\"threshold-help\""));
        assert!(html.contains("<title>Edit nightly-dump · heartbeat</title>"));
    }

    #[test]
    fn edit_page_shows_details_or_unknown() {
        let html = render_edit(&samples::edit_with_errors());
        assert!(html.contains("<dd>412</dd>"));
        assert!(html.contains("<dd>2025-02-03 09:12 CET</dd>"));
        assert!(html.contains("<pre>dump ok: 1.2 GiB in 14 min\n&#60;b&#62;not bold&#60;/b&#62;</pre>"));
        assert!(html.contains("<pre>{&#34;bytes&#34;:1288490188,&#34;duration_s&#34;:840}</pre>"));
        assert!(html.contains("1 d 2 h <span class=\"muted\">(2 h 30 min over; threshold 1 d)</span></dd>"));
        assert!(html.contains("<span class=\"badge\" data-status=\"late\" id=\"status\">late</span>"));
        assert!(!html.contains("EXCEEDED"));
        assert!(html.contains("3 d ago"));

        let html = render_edit(&samples::edit_clean());
        // Count and first seen are unknown (an item of the original server); no message was sent.
        assert_eq!(html.matches("<span class=\"unknown\">unknown</span>").count(), 2);
        assert_eq!(html.matches("<span class=\"none\">none</span>").count(), 2);
        assert!(html.contains("3 h 12 min <span class=\"muted\">(20 h 48 min left; threshold 1 d)</span></dd>"));
        assert!(html.contains("<span class=\"badge\" data-status=\"ok\" id=\"status\">ok</span>"));
        assert!(!html.contains(">OK<"));
    }

    #[test]
    fn edit_page_posts_save_and_delete_as_separate_forms() {
        let html = render_edit(&samples::edit_clean());
        let action = "method=\"post\" action=\"edit?secret=s%26cret&#38;id=9f86d081\"";
        assert_eq!(html.matches(action).count(), 2);
        let delete_at = html.find("id=\"delete-form\"").unwrap();
        let save_form = &html[..delete_at];
        assert!(save_form.contains("name=\"threshold\""));
        assert!(!save_form.contains("name=\"delete\""));
        let delete_form = &html[delete_at..];
        assert!(delete_form.contains("<input type=\"hidden\" name=\"delete\" value=\"1\">"));
        assert!(delete_form.contains("data-confirm=\"Delete the pulse “nightly-dump” of db-1.internal?"));
        assert!(html.contains("<a class=\"back\" href=\"dashboard?secret=s%26cret\">"));
        assert_eq!(html.matches("<script>").count(), 1);
    }

    #[test]
    fn edit_page_suggests_every_timezone() {
        let html = render_edit(&samples::edit_clean());
        assert_eq!(html.matches("<option value=").count(), chrono_tz::TZ_VARIANTS.len());
        assert!(html.contains("<option value=\"Europe/Berlin\">"));
        assert!(html.contains("list=\"tz-names\""));
        assert!(html.contains("placeholder=\"UTC\""));
    }

    #[test]
    fn error_page_shows_status_title_and_message_only() {
        let html = render_error(&samples::error());
        assert!(html.contains("<p class=\"status\">404</p>"));
        assert!(html.contains("<h1>Not found</h1>"));
        assert!(html.contains("No pulse has the id &#60;b&#62;42&#60;/b&#62;; it may"));
        assert!(html.contains("<title>404 Not found · heartbeat</title>"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("<a "), "no links that could carry a secret");
    }

    #[test]
    fn csp_hashes_match_the_inline_assets_of_rendered_pages() {
        let policy = content_security_policy();
        let script_src = directive(policy, "script-src");
        let style_src = directive(policy, "style-src");
        for (page, html) in all_pages() {
            let styles = elements(&html, "style");
            assert_eq!(styles.len(), 1, "{page}");
            assert!(
                style_src.contains(&csp_hash(styles[0])),
                "{page}: style hash not in {style_src}"
            );
            for script in elements(&html, "script") {
                assert!(
                    script_src.contains(&csp_hash(script)),
                    "{page}: script hash not in {script_src}"
                );
            }
            // Any script or style element with attributes (src=…, nonce=…) would escape the check.
            assert_eq!(
                html.matches("<script").count(),
                elements(&html, "script").len(),
                "{page}"
            );
            assert_eq!(html.matches("<style").count(), 1, "{page}");
        }
        // Every allowed script is actually used by some page, so the policy allows nothing spare.
        let used: Vec<String> = all_pages()
            .iter()
            .flat_map(|(_, html)| elements(html, "script").into_iter().map(csp_hash).collect::<Vec<_>>())
            .collect();
        for script in SCRIPTS {
            assert!(used.contains(&csp_hash(script)));
        }
    }

    #[test]
    fn pages_have_no_inline_handlers_or_style_attributes() {
        for (page, html) in all_pages() {
            let names = attribute_names(&html);
            assert!(names.contains(&"data-k".to_string()) || page != "dashboard");
            for name in names {
                assert!(!name.starts_with("on") && name != "style", "{page}: attribute {name}");
            }
        }
        // The scanner itself finds what it must refuse.
        let bad = attribute_names("<p title=\"a onclick=b\"><a href=x onclick=\"go()\" style='c'>");
        assert_eq!(bad, ["title", "href", "onclick", "style"]);
    }

    #[test]
    fn render_failure_yields_a_complete_fallback_page() {
        let html = finish(Err(askama::Error::Fmt));
        assert!(html.starts_with("<!doctype html>") && html.trim_end().ends_with("</html>"));
        assert!(!html.contains("<script") && !html.contains("<style"));
    }

    /// `HEARTBEAT_WRITE_SAMPLES=/tmp cargo test -p heartbeat-shared --lib pages` writes the sample
    /// pages there, to look at them in a browser; without the variable this test only renders.
    #[test]
    fn sample_pages_render_and_can_be_written() {
        let dir = std::env::var_os("HEARTBEAT_WRITE_SAMPLES");
        for (name, html) in [
            ("dash.html", render_dashboard(&samples::dashboard())),
            ("dash-empty.html", render_dashboard(&samples::empty_dashboard())),
            ("edit.html", render_edit(&samples::edit_with_errors())),
            ("edit-clean.html", render_edit(&samples::edit_clean())),
            ("error.html", render_error(&samples::error())),
        ] {
            assert!(html.starts_with("<!doctype html>\n<html lang=\"en\">"), "{name}");
            assert!(html.trim_end().ends_with("</html>"), "{name}");
            if let Some(dir) = &dir {
                std::fs::write(std::path::Path::new(dir).join(name), html).unwrap();
            }
        }
    }

    #[test]
    fn dashboard_rows_show_status_and_due_in_and_carry_what_the_links_need() {
        let view = samples::dashboard();
        let html = render_dashboard(&view);
        for (row, data) in pulse_rows(&html).iter().zip(&view.rows) {
            let status = data.state.name();
            let due = if status == "late" { "late for 2 h" } else { "in 3 h" };
            // The last run's length and exit code close the row; a pulse that never reported a run
            // leaves both cells out (the script adds them empty).
            let run = if data.last_exit.is_some() { "<td>12 s<td>3" } else { "" };
            assert!(row.ends_with(&format!("<td>{status}<td>{due}{run}")), "{row}");
            assert!(row.contains(" data-id=\""), "{row}");
        }
        // The script builds the name and Edit links from the id and this query.
        assert!(html.contains("data-secret=\"secret=s%26cret\""));
        assert!(html.contains("data-cell=\"name\""));
        let tools = markup(&html);
        assert!(tools.contains("<select id=\"status-filter\""));
        assert!(tools.contains("<option value=\"\">all</option>"));
        assert!(
            tools.contains("<option value=\"ok\">ok</option>")
                && tools.contains("<option value=\"late\">late</option>")
        );
    }
}
