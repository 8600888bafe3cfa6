//! Hostile input end to end: a corpus of bad requests to every endpoint, each of which must get a
//! 4xx that says what to fix, in time, without a panic or a 5xx, and without touching the table;
//! cross-site scripting payloads that must come out escaped on every page and in Slack; and the
//! secret, which must not be guessable from the answers.

mod corpus;
mod raw;
mod runner;
mod secret;
mod xss;

use corpus::{Case, PULSE_KEY, SEED};
use heartbeat_e2e::{Dynalite, LocalRuntime, stamp_days_ago};
use std::collections::{BTreeMap, HashSet};

/// A runtime over a table holding the seeded pulse (last pulsed 30 days ago, so exceeded: a monitor
/// run that got through would mark it) and two more; `vars` as for `LocalRuntime::start`.
async fn seeded(dynalite: &Dynalite, vars: &[(&str, &str)]) -> LocalRuntime {
    let rt = LocalRuntime::start(dynalite, vars).await;
    let [host, category, kind, name] = SEED;
    rt.put_original_item(host, category, kind, name, &stamp_days_ago(30), "24", "0")
        .await;
    rt.put_original_item(
        "other-host",
        "backup",
        "cron",
        "other-job",
        &stamp_days_ago(1),
        "48",
        "1",
    )
    .await;
    if !vars.iter().any(|(name, _)| *name == "PULSE_KEY") {
        rt.pulse_ok("fresh-host", "web", "cron", "fresh-job").await;
    }
    rt
}

async fn run_group(group: &str, cases: Vec<Case>, vars: &[(&str, &str)]) {
    let dynalite = Dynalite::start().await;
    let rt = seeded(&dynalite, vars).await;
    let tally = runner::run(&rt, group, &cases).await;
    tally.assert_clean(group);
}

#[tokio::test]
async fn pulse_refuses_every_bad_request() {
    run_group("pulse", corpus::pulse_cases(), &[]).await;
}

#[tokio::test]
async fn pulse_with_a_key_refuses_every_missing_or_wrong_key() {
    run_group(
        "pulse with PULSE_KEY",
        corpus::keyed_pulse_cases(),
        &[("PULSE_KEY", PULSE_KEY)],
    )
    .await;
}

#[tokio::test]
async fn dashboard_and_edit_page_refuse_every_bad_request() {
    let mut cases = corpus::dashboard_cases();
    cases.extend(corpus::edit_get_cases());
    run_group("dashboard and edit GET", cases, &[]).await;
}

#[tokio::test]
async fn edit_form_refuses_every_bad_submission() {
    run_group("edit POST", corpus::edit_post_cases(), &[]).await;
}

#[tokio::test]
async fn monitor_refuses_every_bad_request() {
    run_group("monitor", corpus::monitor_cases(), &[]).await;
}

/// Raw bytes above 0x7F in a query, as the original Node client sends non-ASCII names: the handler
/// reads them (as Latin-1) and answers, never the HTTP parser.
#[tokio::test]
async fn raw_bytes_in_a_query_reach_the_handler() {
    run_group("raw bytes in the query", corpus::raw_byte_cases(), &[]).await;
}

/// Requests the HTTP parser of the local runtime (hyper) refuses before any handler runs, as a web
/// server in front of the handlers would: a 4xx status, never a 5xx or a hang, nothing changed.
#[tokio::test]
async fn requests_refused_by_the_http_parser_get_a_4xx_status() {
    run_group("refused by the HTTP parser", corpus::transport_cases(), &[]).await;
}

#[test]
fn the_corpus_has_at_least_200_cases() {
    let cases = corpus::handler_corpus();
    let transport = corpus::transport_cases();
    let mut names = HashSet::new();
    for case in cases.iter().chain(&transport) {
        assert!(names.insert(case.name.as_str()), "two cases are called {:?}", case.name);
        assert!(
            (400..500).contains(&case.status),
            "{} expects {}",
            case.name,
            case.status
        );
    }
    let mut per_endpoint: BTreeMap<corpus::Endpoint, BTreeMap<u16, usize>> = BTreeMap::new();
    let mut per_status: BTreeMap<u16, usize> = BTreeMap::new();
    for case in &cases {
        *per_endpoint
            .entry(case.endpoint)
            .or_default()
            .entry(case.status)
            .or_default() += 1;
        *per_status.entry(case.status).or_default() += 1;
    }
    eprintln!("== hostile corpus: {} handler cases", cases.len());
    for (endpoint, statuses) in &per_endpoint {
        let total: usize = statuses.values().sum();
        let statuses: Vec<String> = statuses.iter().map(|(s, n)| format!("{s}: {n}")).collect();
        eprintln!("   {:<32} {total:>3}  ({})", endpoint.label(), statuses.join(", "));
    }
    let statuses: Vec<String> = per_status.iter().map(|(s, n)| format!("{s}: {n}")).collect();
    eprintln!("   expected statuses: {}", statuses.join(", "));
    eprintln!("   plus {} cases refused by the HTTP parser", transport.len());
    assert!(cases.len() >= 200, "only {} cases", cases.len());
}
