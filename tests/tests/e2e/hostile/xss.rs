//! Cross-site scripting and Slack-injection payloads in every field a client controls: shown escaped
//! on every page (dashboard, edit, the edit form re-shown after an error, error pages) and in every
//! Slack message; a payload as timezone is refused and never reflected raw.

use super::corpus::{FORM, enc};
use super::raw::{self, RawRequest};
use super::runner::{html_problems, snapshot};
use heartbeat_e2e::{Behaviour, Dynalite, LocalRuntime, SlackRecorder, original_id, stamp_days_ago};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

const PAYLOADS: [&str; 9] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "'\";alert(1)//",
    "</title><script>",
    "javascript:alert(1)",
    "{{7*7}}",
    "<!channel>",
    "<https://evil|click>",
    "&amp;",
];

/// Payloads that must never appear verbatim in a page (escaping changes them). `&amp;` is left out:
/// the escaped `&` of any link is `&amp;`; its marked form is checked instead.
const NEVER_RAW_IN_PAGES: [&str; 6] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "'\";alert(1)//",
    "</title><script>",
    "<!channel>",
    "<https://evil|click>",
];

/// A payload inside markers that are unique to the pulse and field, so that the escaped form cannot
/// contain the raw one (`x&amp;x` is not in `x&amp;amp;x`) and every finding names its field.
fn marked(index: usize, field: &str, payload: &str) -> String {
    format!("q{index}{field}[{payload}]{field}{index}q")
}

/// The four fields of the pulse that carries payload `index`; `set` tells pulses made through the
/// pulse endpoint ("p") from the stale ones written as the original server did ("o").
fn fields(set: &str, index: usize) -> [String; 4] {
    let payload = PAYLOADS[index];
    ["host", "category", "type", "name"].map(|field| marked(index, &format!("{set}{field}"), payload))
}

fn id_of(fields: &[String; 4]) -> String {
    original_id(&fields[0], &fields[1], &fields[2], &fields[3])
}

fn has_html_special(text: &str) -> bool {
    text.contains(['<', '>', '&', '"', '\''])
}

/// Undoes HTML character references in one left-to-right pass, so `&amp;amp;` becomes `&amp;`.
fn decode_html(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    let mut rest = page;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let decoded = rest.find(';').filter(|end| *end <= 10).and_then(|end| {
            let entity = &rest[1..end];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every value in `shown` is on the page, escaped where escaping changes it; no payload is anywhere
/// raw; no URL attribute starts with `javascript:`.
#[track_caller]
fn assert_escaped(page: &str, shown: &[String], what: &str) {
    let decoded = decode_html(page);
    for value in shown {
        if has_html_special(value) {
            assert!(
                !page.contains(value.as_str()),
                "{what} carries {value:?} unescaped:\n{page}"
            );
        }
        assert!(
            decoded.contains(value.as_str()),
            "{what} does not show {value:?} (escaped or not):\n{page}"
        );
    }
    for payload in NEVER_RAW_IN_PAGES {
        assert!(
            !page.contains(payload),
            "{what} carries the raw payload {payload:?}:\n{page}"
        );
    }
    let lower = page.to_ascii_lowercase();
    for attribute in ["href=\"javascript:", "src=\"javascript:", "action=\"javascript:"] {
        assert!(!lower.contains(attribute), "{what} has {attribute}…:\n{page}");
    }
}

/// Slack's own escaping: `&`, `<` and `>` only.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Every `<` of a Slack text opens one of our links; mentions and foreign links cannot.
#[track_caller]
fn assert_slack_safe(text: &str, shown: &[String], base_url: &str) {
    for value in shown {
        let escaped = slack_escape(value);
        assert!(text.contains(&escaped), "Slack text lacks {escaped:?}:\n{text}");
        if escaped != *value {
            assert!(
                !text.contains(value.as_str()),
                "Slack text carries {value:?} raw:\n{text}"
            );
        }
    }
    for raw in ["<!channel>", "<https://evil|click>", "<script>", "<!"] {
        assert!(!text.contains(raw), "Slack text carries {raw:?}:\n{text}");
    }
    for (at, _) in text.match_indices('<') {
        assert!(
            text[at + 1..].starts_with(base_url),
            "a `<` that does not open one of our links, at {at}:\n{text}"
        );
    }
}

async fn get_page(rt: &LocalRuntime, target: &str) -> (u16, String) {
    let answer = raw::send(rt, &RawRequest::get(target))
        .await
        .unwrap_or_else(|e| panic!("GET {target}: {e}"));
    let problems = html_problems(&answer);
    assert!(problems.is_empty(), "GET {target} → {}: {problems:?}", answer.status);
    (answer.status, answer.text())
}

async fn post_form(rt: &LocalRuntime, id: &str, body: &str) -> (u16, String) {
    let target = format!("edit?secret={}&id={id}", rt.secret());
    let answer = raw::send(rt, &RawRequest::post(target.as_str(), Some(FORM), body))
        .await
        .unwrap_or_else(|e| panic!("POST {target}: {e}"));
    let problems = html_problems(&answer);
    assert!(problems.is_empty(), "POST {target} → {}: {problems:?}", answer.status);
    (answer.status, answer.text())
}

/// Every payload as host, category, type, name, message and metadata of a pulse sent by POST, and
/// as the four fields of an item the original server wrote; returns the values of both sets.
async fn pulses_with_payloads(rt: &LocalRuntime) -> (Vec<[String; 4]>, Vec<[String; 4]>) {
    let mut sent = Vec::new();
    let mut original = Vec::new();
    for (index, payload) in PAYLOADS.iter().enumerate() {
        let key = fields("p", index);
        let response = rt
            .http()
            .post(rt.url("pulse"))
            .json(&json!({
                "host": key[0], "category": key[1], "type": key[2], "name": key[3],
                "message": marked(index, "message", payload),
                "metadata": { "note": marked(index, "metadata", payload) },
            }))
            .send()
            .await
            .expect("POST /heartbeat/pulse");
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert_eq!(
            status,
            StatusCode::OK,
            "the pulse with payload {payload:?} was refused: {body}"
        );
        sent.push(key);

        let key = fields("o", index);
        rt.put_original_item(&key[0], &key[1], &key[2], &key[3], &stamp_days_ago(30), "24", "0")
            .await;
        original.push(key);
    }
    (sent, original)
}

#[tokio::test]
async fn every_page_shows_the_payloads_escaped() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    let (sent, original) = pulses_with_payloads(&rt).await;
    let every_field: Vec<String> = sent.iter().chain(&original).flatten().cloned().collect();

    let (status, dashboard) = get_page(&rt, &format!("dashboard?secret={}", rt.secret())).await;
    assert_eq!(status, 200);
    assert_escaped(&dashboard, &every_field, "the dashboard");

    for (index, key) in sent.iter().enumerate() {
        let id = id_of(key);
        let (status, page) = get_page(&rt, &format!("edit?secret={}&id={id}", rt.secret())).await;
        assert_eq!(status, 200);
        let mut shown = key.to_vec();
        shown.push(marked(index, "message", PAYLOADS[index]));
        assert_escaped(&page, &shown, &format!("the edit page of payload {index}"));
        // The metadata is shown as the JSON that was stored: quotes and backslashes are JSON's.
        let metadata = json!({ "note": marked(index, "metadata", PAYLOADS[index]) }).to_string();
        assert_escaped(&page, &[metadata], &format!("the metadata of payload {index}"));
    }
    for (index, key) in original.iter().enumerate() {
        let id = id_of(key);
        let (status, page) = get_page(&rt, &format!("edit?secret={}&id={id}", rt.secret())).await;
        assert_eq!(status, 200);
        assert_escaped(&page, key, &format!("the edit page of original item {index}"));

        // The form re-shown after an error keeps what was typed, escaped.
        let before = rt.item(&id).await;
        let threshold = marked(index, "threshold", PAYLOADS[index]);
        let tz = marked(index, "tz", PAYLOADS[index]);
        let body = format!("threshold={}&tz={}&saturday=1", enc(&threshold), enc(&tz));
        let (status, page) = post_form(&rt, &id, &body).await;
        assert_eq!(status, 400, "{page}");
        let mut shown = key.to_vec();
        shown.extend([threshold, tz]);
        assert_escaped(&page, &shown, &format!("the edit form re-shown for payload {index}"));
        assert!(page.contains("is not a known IANA timezone"), "{page}");
        assert_eq!(rt.item(&id).await, before, "a refused form changed the item");
    }

    // Error pages: the payload where the secret or the id goes.
    for payload in PAYLOADS {
        let (status, page) = get_page(&rt, &format!("dashboard?secret={}", enc(payload))).await;
        assert_eq!(status, 403);
        assert_escaped(&page, &[], "the 403 page");
        let target = format!("edit?secret={}&id={}", rt.secret(), enc(payload));
        let (status, page) = get_page(&rt, &target).await;
        assert_eq!(status, 400);
        assert_escaped(&page, &[], "the 400 page of a bad id");
        let target = format!("dashboard?secret={}&x={}%ZZ", rt.secret(), enc(payload));
        let (status, page) = get_page(&rt, &target).await;
        assert_eq!(status, 400);
        assert_escaped(&page, &[], "the 400 page of a bad escape");
    }
}

#[tokio::test]
async fn a_payload_as_timezone_is_refused_and_never_reflected_raw() {
    let dynalite = Dynalite::start().await;
    let rt = LocalRuntime::start(&dynalite, &[]).await;
    rt.pulse_ok("tz-host", "backup", "cron", "tz-job").await;
    let id = original_id("tz-host", "backup", "cron", "tz-job");
    let table = snapshot(&rt).await;

    for (index, payload) in PAYLOADS.iter().enumerate() {
        // A new pulse with the payload as timezone: refused, nothing created. The answer is plain
        // text that browsers must not sniff into HTML.
        let name = format!("tz-job-{index}");
        let target = format!(
            "pulse?host=tz-host&category=backup&type=cron&name={name}&tz={}",
            enc(payload)
        );
        let answer = raw::send(&rt, &RawRequest::get(target.as_str()))
            .await
            .unwrap_or_else(|e| panic!("GET {target}: {e}"));
        let body = answer.text();
        assert_eq!(answer.status, 400, "tz={payload:?}: {body}");
        assert!(body.contains("tz: "), "{body}");
        assert!(
            answer
                .header("content-type")
                .is_some_and(|t| t.starts_with("text/plain")),
            "{:?}",
            answer.headers
        );
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
        // Posted as JSON, the same.
        let answer = raw::send(
            &rt,
            &RawRequest::post(
                "pulse",
                Some("application/json"),
                json!({"host": "tz-host", "category": "backup", "type": "cron", "name": name, "tz": payload})
                    .to_string(),
            ),
        )
        .await
        .unwrap_or_else(|e| panic!("POST pulse: {e}"));
        assert_eq!(answer.status, 400, "tz={payload:?}: {}", answer.text());

        // The edit form: refused, re-shown with the typed value escaped.
        let (status, page) = post_form(&rt, &id, &format!("threshold=24&tz={}", enc(payload))).await;
        assert_eq!(status, 400, "tz={payload:?} was accepted");
        assert!(page.contains("is not a known IANA timezone"), "{page}");
        assert_escaped(&page, &[], &format!("the edit form with tz={payload:?}"));
        let typed = marked(index, "tz", payload);
        let (status, page) = post_form(&rt, &id, &format!("threshold=24&tz={}", enc(&typed))).await;
        assert_eq!(status, 400, "tz={typed:?} was accepted");
        assert_escaped(&page, &[typed], &format!("the edit form with tz={payload:?}"));
    }
    assert_eq!(snapshot(&rt).await, table, "a refused timezone changed the table");
}

#[tokio::test]
async fn slack_messages_show_the_payloads_escaped() {
    let dynalite = Dynalite::start().await;
    let slack = SlackRecorder::start(Behaviour::Respond(200)).await;
    let rt = LocalRuntime::start(&dynalite, &[("SLACK_WEBHOOK_URL", &slack.url())]).await;
    let (_, original) = pulses_with_payloads(&rt).await;
    let stale: Vec<String> = original.iter().flatten().cloned().collect();

    // The stale items are shaped like the original server's: a backfill run brings them in.
    let (status, summary) = rt.monitor_backfill().await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["newly_exceeded"], PAYLOADS.len(), "{summary}");
    let requests = slack.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(requests.len(), 1, "{requests:#?}");
    let alert = requests[0].json.as_ref().expect("a JSON Slack message");
    let text = alert["text"].as_str().expect("a text");
    assert!(text.contains("exceeded"), "{text}");
    assert_slack_safe(text, &stale, rt.base_url());
    let fields: Vec<&String> = alert.as_object().expect("a JSON object").keys().collect();
    assert_eq!(fields, ["text"], "the text is the whole message");

    // Each pulses again through the pulse endpoint: a recovery. Spaces go as %20: in a query the
    // pulse endpoint reads `+` as a plus sign, as the original client needs.
    for key in &original {
        let target = format!(
            "pulse?host={}&category={}&type={}&name={}",
            enc(&key[0]),
            enc(&key[1]),
            enc(&key[2]),
            enc(&key[3])
        );
        let (status, _, body) = rt.raw_get(&target).await;
        assert_eq!(status, StatusCode::OK, "{key:?}: {body}");
    }
    let (status, summary) = rt.monitor().await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["recovered"], PAYLOADS.len(), "{summary}");
    let requests = slack.wait_for(2, Duration::from_secs(5)).await;
    let recovery = requests[1].json.as_ref().expect("a JSON Slack message");
    let text = recovery["text"].as_str().expect("a text");
    assert!(text.contains("recovered"), "{text}");
    assert_slack_safe(text, &stale, rt.base_url());
}
