//! Each kind's request as its provider receives it, on a local recording server: method, path,
//! headers, JSON shape and limits, hostile names escaped; alert, reminder and recovery; and how an
//! answer is classified (delivered, retried, bad configuration).

use super::channel::{Channel, ChannelConfig};
use super::deliver::{ChannelTransport, Outcome, Transports};
use super::digest::sample::digest;
use super::digest::{Digest, Occasion};
use super::render::signature;
use crate::testing::{Behaviour, RecordedRequest, Recorder, Reply};
use serde_json::Value;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(2);
const OCCASIONS: [Occasion; 3] = [Occasion::Alert, Occasion::Reminder, Occasion::Recovery];

fn transports() -> Transports {
    Transports::new(TIMEOUT, None).unwrap()
}

fn channel(config: ChannelConfig) -> Channel {
    Channel::parse("ops", config).unwrap()
}

/// Delivers `digest` to a fresh recorder answering 200 and returns the one request it got.
async fn one_request(make: impl Fn(&Recorder) -> ChannelConfig, digest: &Digest) -> RecordedRequest {
    let recorder = Recorder::start(Behaviour::Respond(200)).await;
    let outcome = transports().deliver(&channel(make(&recorder)), digest).await;
    assert_eq!(outcome, Outcome::Delivered);
    let mut requests = recorder.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    let request = requests.remove(0);
    assert_eq!(request.method, "POST");
    assert_eq!(request.header("content-type"), Some("application/json"));
    request
}

fn json(request: &RecordedRequest) -> &Value {
    request.json.as_ref().expect("a JSON body")
}

fn chars(value: &Value) -> usize {
    value.as_str().map_or(0, |s| s.chars().count())
}

/// No hostile name reaches a markup unescaped (HTML and Slack's mrkdwn: tags and mentions).
fn assert_no_raw_markup(text: &str) {
    for raw in ["<!channel>", "<script>"] {
        assert!(!text.contains(raw), "raw {raw:?} in {text}");
    }
}

/// Markdown kinds (Discord, Teams): no link or emphasis either.
fn assert_no_raw_markdown(text: &str) {
    assert_no_raw_markup(text);
    for raw in ["[x](https://evil)", "*bold*"] {
        assert!(!text.contains(raw), "raw {raw:?} in {text}");
    }
}

#[tokio::test]
async fn slack_block_kit() {
    for occasion in OCCASIONS {
        for count in [1, 120] {
            let d = digest(occasion, count);
            let r = one_request(
                |rec| ChannelConfig::Slack {
                    url: rec.url_for("/services/T/B/X"),
                },
                &d,
            )
            .await;
            assert_eq!(r.path, "/services/T/B/X");
            let body = json(&r);
            assert_eq!(body["text"], d.title());
            let blocks = body["blocks"].as_array().unwrap();
            assert!(blocks.len() <= 50, "{} blocks", blocks.len());
            assert_eq!(blocks[0]["type"], "header");
            assert!(chars(&blocks[0]["text"]["text"]) <= 150);
            let sections: Vec<&Value> = blocks.iter().filter(|b| b["type"] == "section").collect();
            assert_eq!(sections.len(), count.min(46));
            for s in &sections {
                let text = s["text"]["text"].as_str().unwrap();
                assert!(text.chars().count() <= 3000);
                assert!(text.contains("&lt;!channel&gt; &amp; @everyone"), "{text}");
                assert!(text.contains("|Open the pulse>") && text.contains("|Snooze>"), "{text}");
                assert_no_raw_markup(text);
            }
            let last = blocks.last().unwrap();
            assert_eq!(last["type"], "actions");
            assert_eq!(last["elements"][0]["url"], d.dashboard_url.clone().unwrap());
            if count > 46 {
                assert!(body.to_string().contains(&format!("…and {} more", count - 46)));
            }
        }
    }
}

#[tokio::test]
async fn webhook_body_is_signed_with_hmac() {
    for occasion in OCCASIONS {
        let d = digest(occasion, 3);
        let r = one_request(
            |rec| ChannelConfig::Webhook {
                url: rec.url_for("/hooks/heartbeat?x=1"),
                secret: Some("s3cret".into()),
            },
            &d,
        )
        .await;
        assert_eq!(r.path, "/hooks/heartbeat?x=1");
        // The receiver's check: the HMAC of the body exactly as received.
        assert_eq!(
            r.header("x-heartbeat-signature"),
            Some(signature("s3cret", r.body.as_bytes()).as_str())
        );
        assert!(r.header("x-heartbeat-signature").unwrap().starts_with("sha256="));
        assert_eq!(r.header("x-heartbeat-signature").unwrap().len(), 7 + 64);
        let body = json(&r);
        assert_eq!(body["occasion"], serde_json::to_value(occasion).unwrap());
        assert_eq!(body["total"], 3);
        let first = &body["incidents"][0];
        assert_eq!(
            first["host"], "<!channel> & @everyone",
            "JSON carries names as they are"
        );
        assert_eq!(first["incident"], "late");
        assert_eq!(first["pulse"].as_str().unwrap().len(), 64);
        assert_eq!(first["since"], "2026-11-19T09:00:00Z");
    }
    // Without a secret: no signature header.
    let r = one_request(
        |rec| ChannelConfig::Webhook {
            url: rec.url_for("/h"),
            secret: None,
        },
        &digest(Occasion::Alert, 1),
    )
    .await;
    assert_eq!(r.header("x-heartbeat-signature"), None);
}

#[tokio::test]
async fn teams_adaptive_card() {
    for occasion in OCCASIONS {
        for count in [1, 60] {
            let d = digest(occasion, count);
            let r = one_request(
                |rec| ChannelConfig::Teams {
                    url: rec.url_for("/workflows/abc/triggers/manual/paths/invoke?sig=x"),
                },
                &d,
            )
            .await;
            assert!(r.body.len() <= 28 * 1024, "{} bytes", r.body.len());
            let body = json(&r);
            assert_eq!(body["type"], "message");
            let attachment = &body["attachments"][0];
            assert_eq!(attachment["contentType"], "application/vnd.microsoft.card.adaptive");
            let card = &attachment["content"];
            assert_eq!(card["type"], "AdaptiveCard");
            assert_eq!(card["version"], "1.4");
            assert_eq!(card["body"][0]["text"], d.title());
            let text = card.to_string();
            assert_no_raw_markdown(&text);
            assert!(text.contains(r"\\[x\\]\\(https://evil\\)"), "markdown escaped: {text}");
            assert_eq!(card["actions"][0]["type"], "Action.OpenUrl");
        }
    }
}

#[tokio::test]
async fn discord_content_and_embeds_within_limits() {
    for occasion in OCCASIONS {
        for count in [1, 30] {
            let d = digest(occasion, count);
            let r = one_request(
                |rec| ChannelConfig::Discord {
                    url: rec.url_for("/api/webhooks/1/tok"),
                },
                &d,
            )
            .await;
            let body = json(&r);
            assert!(chars(&body["content"]) <= 2000);
            assert_eq!(body["allowed_mentions"]["parse"], serde_json::json!([]));
            let embeds = body["embeds"].as_array().unwrap();
            assert_eq!(embeds.len(), count.min(10));
            let total: usize = embeds
                .iter()
                .map(|e| chars(&e["title"]) + chars(&e["description"]))
                .sum();
            assert!(total <= 6000, "{total}");
            for e in embeds {
                assert!(chars(&e["title"]) <= 256 && chars(&e["description"]) <= 4096);
                assert_no_raw_markdown(e["title"].as_str().unwrap());
                assert!(e["title"].as_str().unwrap().contains(r"\*bold\*"));
            }
            if count > 10 {
                assert!(body["content"].as_str().unwrap().contains("…and 20 more"));
            }
        }
    }
}

#[tokio::test]
async fn telegram_send_message_html() {
    for occasion in OCCASIONS {
        for count in [1, 50] {
            let d = digest(occasion, count);
            let r = one_request(
                |rec| ChannelConfig::Telegram {
                    token: "123456:ABC-def".into(),
                    chat_id: "-10042".into(),
                    api_url: Some(rec.url_for("")),
                },
                &d,
            )
            .await;
            assert_eq!(r.path, "/bot123456:ABC-def/sendMessage");
            let body = json(&r);
            assert_eq!(body["chat_id"], "-10042");
            assert_eq!(body["parse_mode"], "HTML");
            let text = body["text"].as_str().unwrap();
            assert_no_raw_markup(text);
            assert!(text.contains("&lt;!channel&gt; &amp; @everyone"));
            assert!(text.contains("&quot;quoted&quot;"));
            // What Telegram counts: the text once its tags are parsed away and entities decoded.
            let shown = strip_html(text);
            assert!(shown.chars().count() <= 4096, "{}", shown.chars().count());
            assert!(text.starts_with("<b>") && text.contains("<a href=\"https://hb.example/"));
            if count == 50 {
                assert!(text.contains("more"), "the long list is cut and counted");
            }
        }
    }
}

fn strip_html(text: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn pagerduty_triggers_then_resolves_the_same_dedup_keys() {
    let recorder = Recorder::start(Behaviour::Respond(202)).await;
    let ch = channel(ChannelConfig::Pagerduty {
        routing_key: "R0UTING".into(),
        api_url: Some(recorder.url_for("/v2/enqueue")),
    });
    let t = transports();
    assert_eq!(t.deliver(&ch, &digest(Occasion::Alert, 2)).await, Outcome::Delivered);
    assert_eq!(t.deliver(&ch, &digest(Occasion::Reminder, 2)).await, Outcome::Delivered);
    assert_eq!(t.deliver(&ch, &digest(Occasion::Recovery, 2)).await, Outcome::Delivered);
    let requests = recorder.requests();
    assert_eq!(requests.len(), 6);
    let events: Vec<&Value> = requests.iter().map(json).collect();
    for r in &requests {
        assert_eq!(r.path, "/v2/enqueue");
    }
    let key = |e: &Value| e["dedup_key"].as_str().unwrap().to_owned();
    let triggered: Vec<String> = events[..2].iter().map(|e| key(e)).collect();
    let resolved: Vec<String> = events[4..].iter().map(|e| key(e)).collect();
    assert_eq!(triggered, resolved, "the resolve closes what the trigger opened");
    assert_eq!(triggered[0], format!("{:064x}:late", 0));
    for e in &events[..4] {
        assert_eq!(e["event_action"], "trigger");
        assert_eq!(e["routing_key"], "R0UTING");
        assert!(chars(&e["payload"]["summary"]) <= 1024);
        assert_eq!(e["payload"]["source"], "<!channel> & @everyone");
        assert_eq!(e["payload"]["severity"], "error");
        assert!(key(e).len() <= 255);
    }
    for e in &events[4..] {
        assert_eq!(e["event_action"], "resolve");
        assert!(e.get("payload").is_none());
    }
}

#[tokio::test]
async fn ntfy_json_publish_with_priority() {
    for occasion in OCCASIONS {
        let d = digest(occasion, 100);
        let r = one_request(
            |rec| ChannelConfig::Ntfy {
                url: rec.url_for("/cron-alerts"),
                token: Some("tk_abc".into()),
            },
            &d,
        )
        .await;
        assert_eq!(r.path, "/", "JSON publishing goes to the root");
        assert_eq!(r.header("authorization"), Some("Bearer tk_abc"));
        let body = json(&r);
        assert_eq!(body["topic"], "cron-alerts");
        let want = if occasion == Occasion::Recovery { 3 } else { 4 };
        assert_eq!(body["priority"], want);
        assert!(body["message"].as_str().unwrap().len() <= 4096);
        assert_eq!(body["title"], d.title());
    }
}

#[test]
fn email_parts_escape_names() {
    use super::render::{Outbound, render};
    let config = ChannelConfig::Email {
        to: vec!["ops@example.com".into()],
        from: "heartbeat@example.com".into(),
    };
    for occasion in OCCASIONS {
        let Ok(Outbound::Email(mail)) = render(&config, &digest(occasion, 2)) else {
            panic!("an email")
        };
        assert!(mail.subject.starts_with("[heartbeat] ") && !mail.subject.contains('\n'));
        assert_no_raw_markup(&mail.html);
        assert!(mail.html.contains("&lt;script&gt;"));
        assert!(mail.text.contains("<script>"), "the text part shows names as they are");
    }
}

#[tokio::test]
async fn answers_are_classified() {
    let cases = [
        (Behaviour::Respond(500), "retry"),
        (Behaviour::Respond(503), "retry"),
        (Behaviour::Respond(429), "retry"),
        (Behaviour::Respond(408), "retry"),
        (Behaviour::Respond(400), "config"),
        (Behaviour::Respond(403), "config"),
        (Behaviour::Respond(404), "config"),
        (
            Behaviour::Sequence(vec![Reply::redirect(302, "https://elsewhere.example/steal")]),
            "config",
        ),
    ];
    for (behaviour, want) in cases {
        let recorder = Recorder::start(behaviour.clone()).await;
        let ch = channel(ChannelConfig::Slack {
            url: recorder.url_for("/services/T/B/SECRET"),
        });
        let outcome = transports().deliver(&ch, &digest(Occasion::Alert, 1)).await;
        let got = match &outcome {
            Outcome::Delivered => "delivered",
            Outcome::Retry(_) => "retry",
            Outcome::Misconfigured(_) => "config",
        };
        assert_eq!(got, want, "{behaviour:?}: {outcome:?}");
        assert!(!format!("{outcome:?}").contains("SECRET"), "{outcome:?}");
        assert_eq!(
            recorder.requests().len(),
            1,
            "redirects to another host are not followed"
        );
    }
}

#[tokio::test]
async fn a_hanging_or_closed_channel_is_retried_after_the_timeout() {
    let recorder = Recorder::start(Behaviour::Hang).await;
    let ch = channel(ChannelConfig::Discord {
        url: recorder.url_for("/api/webhooks/1/t"),
    });
    let started = Instant::now();
    let outcome = Transports::new(Duration::from_millis(300), None)
        .unwrap()
        .deliver(&ch, &digest(Occasion::Alert, 1))
        .await;
    assert!(
        matches!(outcome, Outcome::Retry(ref why) if why.contains("in time")),
        "{outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    let port = recorder.port();
    drop(recorder);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let closed = channel(ChannelConfig::Slack {
        url: format!("http://127.0.0.1:{port}/x"),
    });
    let outcome = transports().deliver(&closed, &digest(Occasion::Alert, 1)).await;
    assert!(matches!(outcome, Outcome::Retry(_)), "{outcome:?}");
}

#[tokio::test]
async fn a_test_message_names_no_pulse() {
    let d = Digest::test(chrono::Utc::now(), crate::model::Zone::UTC, None);
    let r = one_request(
        |rec| ChannelConfig::Webhook {
            url: rec.url_for("/h"),
            secret: None,
        },
        &d,
    )
    .await;
    assert_eq!(json(&r)["occasion"], "test");
    assert_eq!(json(&r)["incidents"], serde_json::json!([]));
}

// A failed job's report (exit code, duration, message, hostile log) in each kind's format.

use super::digest::sample::{HOSTILE_LOG, failed_digest};

/// The log's last line, which says why, and no terminal escape or bell anywhere.
fn assert_log_end_shown(text: &str) {
    assert!(text.contains("FATAL: disk full"), "{text}");
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text:?}");
}

#[test]
fn titles_name_the_kind_of_trouble() {
    use super::digest::sample::hostile;
    let mut d = failed_digest(Occasion::Alert, 1);
    assert_eq!(d.title(), "1 job failed");
    d.occasion = Occasion::Reminder;
    assert_eq!(d.title(), "1 job is still failing");
    d.incidents.push(hostile(1));
    assert_eq!(d.title(), "2 pulses still need attention (late, failed or overrun)");
    d.occasion = Occasion::Recovery;
    assert_eq!(d.title(), "2 pulses recovered");
    d.occasion = Occasion::Alert;
    for i in &mut d.incidents {
        i.incident = "overrun".into();
    }
    assert_eq!(d.title(), "2 jobs are running past their max runtime");
    assert_eq!(digest(Occasion::Alert, 3).title(), "3 pulses exceeded their threshold");
    assert!(HOSTILE_LOG.ends_with("FATAL: disk full"));
}

#[tokio::test]
async fn slack_failed_job_log_in_a_code_block_escaped() {
    for count in [1, 60] {
        let d = failed_digest(Occasion::Alert, count);
        let r = one_request(
            |rec| ChannelConfig::Slack {
                url: rec.url_for("/services/T/B/X"),
            },
            &d,
        )
        .await;
        let body = json(&r);
        assert_eq!(
            body["text"],
            if count == 1 {
                "1 job failed".to_owned()
            } else {
                format!("{count} jobs failed")
            }
        );
        let blocks = body["blocks"].as_array().unwrap();
        assert!(blocks.len() <= 50);
        for s in blocks.iter().filter(|b| b["type"] == "section") {
            let text = s["text"]["text"].as_str().unwrap();
            assert!(text.chars().count() <= 3000, "{}", text.chars().count());
            assert_no_raw_markup(text);
            assert_log_end_shown(text);
            assert!(text.contains("failed with exit code 3 after 2 min"), "{text}");
            assert!(
                text.contains("\n> &lt;b&gt;pg_dump&lt;/b&gt; &amp; `rm -rf` @here second line"),
                "the message quoted on one line, escaped: {text}"
            );
            assert!(
                text.contains("&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
                "{text}"
            );
            // One code block: the log's own fence became look-alikes.
            assert_eq!(text.matches("```").count(), 2, "{text}");
            assert!(text.contains("ˋˋˋ"), "{text}");
        }
    }
}

#[tokio::test]
async fn webhook_failed_job_report_as_json() {
    let d = failed_digest(Occasion::Alert, 2);
    let r = one_request(
        |rec| ChannelConfig::Webhook {
            url: rec.url_for("/h"),
            secret: Some("k".into()),
        },
        &d,
    )
    .await;
    assert_eq!(
        r.header("x-heartbeat-signature"),
        Some(signature("k", r.body.as_bytes()).as_str())
    );
    let first = &json(&r)["incidents"][0];
    assert_eq!(first["incident"], "failed");
    assert_eq!(first["exit_code"], 3);
    assert_eq!(first["duration_seconds"], 120);
    assert_eq!(
        first["message"], "<b>pg_dump</b> & `rm -rf` @here second line",
        "as the job said, on one line"
    );
    let log = first["log"].as_str().unwrap();
    assert_log_end_shown(log);
    assert!(log.contains("</pre><script>"), "JSON carries the log as it is");
    assert!(log.lines().count() <= crate::report::CHAT_LOG_LINES);
    // A late pulse has none of them.
    let late = one_request(
        |rec| ChannelConfig::Webhook {
            url: rec.url_for("/h"),
            secret: None,
        },
        &digest(Occasion::Alert, 1),
    )
    .await;
    let first = &json(&late)["incidents"][0];
    assert!(first["log"].is_null() && first["exit_code"].is_null() && first["message"].is_null());
}

#[tokio::test]
async fn teams_failed_job_log_escaped_within_the_card_limit() {
    for count in [1, 60] {
        let d = failed_digest(Occasion::Alert, count);
        let r = one_request(
            |rec| ChannelConfig::Teams {
                url: rec.url_for("/workflows/abc/triggers/manual/paths/invoke?sig=x"),
            },
            &d,
        )
        .await;
        assert!(r.body.len() <= 28 * 1024, "{} bytes", r.body.len());
        let card = &json(&r)["attachments"][0]["content"];
        assert_eq!(card["body"][0]["text"], d.title());
        let text = card.to_string();
        assert_no_raw_markdown(&text);
        assert_log_end_shown(&text);
        assert!(text.contains(r#""fontType":"Monospace""#), "{text}");
        assert!(
            text.contains(r#"{"title":"Message","value":"\\<b\\>pg\\_dump\\</b\\>"#),
            "{text}"
        );
    }
}

#[tokio::test]
async fn discord_failed_job_log_within_the_embed_limits() {
    for count in [1, 30] {
        let d = failed_digest(Occasion::Alert, count);
        let r = one_request(
            |rec| ChannelConfig::Discord {
                url: rec.url_for("/api/webhooks/1/tok"),
            },
            &d,
        )
        .await;
        let body = json(&r);
        assert_eq!(body["allowed_mentions"]["parse"], serde_json::json!([]));
        let embeds = body["embeds"].as_array().unwrap();
        let total: usize = embeds
            .iter()
            .map(|e| chars(&e["title"]) + chars(&e["description"]))
            .sum();
        assert!(total <= 6000, "{total}");
        for e in embeds {
            let description = e["description"].as_str().unwrap();
            assert!(description.chars().count() <= 4096);
            assert_log_end_shown(description);
            assert_eq!(description.matches("```").count(), 2, "{description}");
            assert!(
                description.contains(concat!("\n> ", r"\<b\>pg\_dump\</b\>")),
                "{description}"
            );
        }
    }
}

#[tokio::test]
async fn telegram_failed_job_log_in_pre_escaped() {
    for count in [1, 50] {
        let d = failed_digest(Occasion::Reminder, count);
        let r = one_request(
            |rec| ChannelConfig::Telegram {
                token: "1:A".into(),
                chat_id: "42".into(),
                api_url: Some(rec.url_for("")),
            },
            &d,
        )
        .await;
        let text = json(&r)["text"].as_str().unwrap();
        assert_no_raw_markup(text);
        assert_log_end_shown(text);
        assert!(text.contains("&lt;/pre&gt;&lt;script&gt;"), "{text}");
        assert_eq!(text.matches("<pre>").count(), text.matches("</pre>").count(), "{text}");
        assert!(text.contains("<i>&lt;b&gt;pg_dump&lt;/b&gt; &amp;"), "{text}");
        assert!(strip_html(text).chars().count() <= 4096);
        if count == 50 {
            assert!(text.contains("more"), "the long list is cut and counted");
        }
    }
}

#[tokio::test]
async fn pagerduty_failed_job_keys_by_kind_and_carries_the_report() {
    let recorder = Recorder::start(Behaviour::Respond(202)).await;
    let ch = channel(ChannelConfig::Pagerduty {
        routing_key: "R0UTING".into(),
        api_url: Some(recorder.url_for("/v2/enqueue")),
    });
    let t = transports();
    assert_eq!(
        t.deliver(&ch, &failed_digest(Occasion::Alert, 1)).await,
        Outcome::Delivered
    );
    let mut recovered = failed_digest(Occasion::Recovery, 1);
    recovered.incidents[0].report = None;
    assert_eq!(t.deliver(&ch, &recovered).await, Outcome::Delivered);
    let requests = recorder.requests();
    let (trigger, resolve) = (json(&requests[0]), json(&requests[1]));
    assert_eq!(trigger["dedup_key"], format!("{:064x}:failed", 0));
    assert_eq!(
        resolve["dedup_key"], trigger["dedup_key"],
        "the resolve closes the failure"
    );
    assert_eq!(resolve["event_action"], "resolve");
    assert_eq!(trigger["payload"]["class"], "failed");
    let details = &trigger["payload"]["custom_details"];
    assert_eq!(details["exit_code"], 3);
    assert_eq!(details["duration_seconds"], 120);
    assert_log_end_shown(details["log"].as_str().unwrap());
    assert!(chars(&trigger["payload"]["summary"]) <= 1024);
    assert!(
        trigger["payload"]["summary"]
            .as_str()
            .unwrap()
            .contains("is failed: failed with exit code 3")
    );
}

#[tokio::test]
async fn ntfy_failed_job_log_within_the_message_limit() {
    for count in [1, 100] {
        let d = failed_digest(Occasion::Alert, count);
        let r = one_request(
            |rec| ChannelConfig::Ntfy {
                url: rec.url_for("/cron-alerts"),
                token: None,
            },
            &d,
        )
        .await;
        let body = json(&r);
        let message = body["message"].as_str().unwrap();
        assert!(message.len() <= 4096, "{}", message.len());
        assert!(!message.contains('\u{1b}'));
        if count == 1 {
            assert_log_end_shown(message);
            assert!(
                message.contains("  > <b>pg_dump</b>"),
                "plain text, as written: {message}"
            );
        }
        assert_eq!(body["priority"], 4);
    }
}

#[test]
fn email_failed_job_log_in_pre_escaped() {
    use super::render::{Outbound, render};
    let config = ChannelConfig::Email {
        to: vec!["ops@example.com".into()],
        from: "heartbeat@example.com".into(),
    };
    let Ok(Outbound::Email(mail)) = render(&config, &failed_digest(Occasion::Alert, 2)) else {
        panic!("an email")
    };
    assert_eq!(mail.subject, "[heartbeat] 2 jobs failed");
    assert_no_raw_markup(&mail.html);
    assert!(!mail.html.contains("</pre><script>"), "{}", mail.html);
    assert!(mail.html.contains("<pre>") && mail.html.contains("&lt;/pre&gt;&lt;script&gt;"));
    assert_eq!(mail.html.matches("<li>").count(), mail.html.matches("</li>").count());
    assert_log_end_shown(&mail.html);
    assert!(mail.text.contains("\n  | FATAL: disk full"), "{}", mail.text);
    assert!(!mail.text.contains('\u{1b}'));
}

#[test]
fn every_time_in_a_message_is_in_its_one_zone_naming_it() {
    use super::render::{Outbound, render};
    let berlin = crate::model::Zone::parse("Europe/Berlin").unwrap();
    let d = Digest {
        zone: berlin,
        ..digest(Occasion::Alert, 1)
    };
    let url = "https://hooks.slack.com/services/T/B/X".to_owned();
    let Ok(Outbound::Http(calls)) = render(&ChannelConfig::Slack { url }, &d) else {
        panic!("one Slack call");
    };
    let body: Value = serde_json::from_slice(&calls[0].body).unwrap();
    let text = body.to_string();
    // Since 09:00 UTC and sent at 10:00 UTC: both said in Berlin's winter time.
    assert!(text.contains("late since 10:00 CET"), "{text}");
    assert!(text.contains("heartbeat · 11:00 CET"), "{text}");
    assert!(!text.contains("UTC"), "{text}");
    let mail = super::render::render(
        &ChannelConfig::Email {
            to: vec!["ops@example.com".into()],
            from: "hb@example.com".into(),
        },
        &d,
    );
    let Ok(Outbound::Email(mail)) = mail else {
        panic!("an email")
    };
    assert!(mail.text.contains("since 10:00 CET"), "{}", mail.text);
}
