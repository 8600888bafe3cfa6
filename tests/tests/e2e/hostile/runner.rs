//! Runs a group of the corpus against one runtime: every answer is checked, the table is compared
//! with its state before the group after every case, and the totals are printed.

use super::corpus::{Case, Endpoint, Shape};
use super::raw::{self, Answer, Failure};
use heartbeat_e2e::{AttributeValue, LocalRuntime};
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Once;
use std::time::{Duration, Instant};

/// Every item of the runtime's table by `_id`, all attributes.
pub type Table = BTreeMap<String, HashMap<String, AttributeValue>>;

pub async fn snapshot(rt: &LocalRuntime) -> Table {
    let mut table = Table::new();
    let mut start_key = None;
    loop {
        let page = rt
            .client()
            .scan()
            .table_name(rt.table())
            .consistent_read(true)
            .set_exclusive_start_key(start_key)
            .send()
            .await
            .expect("Scan");
        for item in page.items() {
            let id = match item.get("_id") {
                Some(AttributeValue::S(id)) => id.clone(),
                other => panic!("an item without a string _id ({other:?}): {item:?}"),
            };
            table.insert(id, item.clone());
        }
        start_key = page.last_evaluated_key().cloned();
        if start_key.is_none() {
            return table;
        }
    }
}

/// The ids whose items differ between two snapshots.
pub fn changed_ids(before: &Table, after: &Table) -> Vec<String> {
    let mut ids: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|id| before.get(*id) != after.get(*id))
        .cloned()
        .collect();
    ids.dedup();
    ids
}

thread_local! {
    /// Panics on this thread. `#[tokio::test]` runs the runtime's server tasks on the test's thread,
    /// so a handler that panics is counted here even though its connection task swallows the panic.
    static PANICS: Cell<usize> = const { Cell::new(0) };
}

/// Counts panics per thread, then lets the usual hook print them.
pub fn count_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.with(|count| count.set(count.get() + 1));
            previous(info);
        }));
    });
}

pub fn panics_so_far() -> usize {
    PANICS.with(Cell::get)
}

#[derive(Debug, Default)]
pub struct Tally {
    pub per_endpoint: BTreeMap<Endpoint, usize>,
    pub per_status: BTreeMap<u16, usize>,
    pub panics: usize,
    pub hangs: usize,
    pub server_errors: usize,
    pub no_answer: usize,
    pub slowest: Duration,
    pub failures: Vec<String>,
}

impl Tally {
    pub fn sent(&self) -> usize {
        self.per_endpoint.values().sum()
    }

    pub fn print(&self, group: &str, elapsed: Duration) {
        eprintln!("== hostile corpus, {group}: {} requests in {elapsed:.2?}", self.sent());
        for (endpoint, count) in &self.per_endpoint {
            eprintln!("   {:<32} {count}", endpoint.label());
        }
        let statuses: Vec<String> = self.per_status.iter().map(|(s, n)| format!("{s}: {n}")).collect();
        eprintln!("   by status: {}", statuses.join(", "));
        eprintln!(
            "   panics: {}, 5xx: {}, hangs (> 5 s): {}, closed without an answer: {}, slowest: {:.0?}, failed checks: {}",
            self.panics,
            self.server_errors,
            self.hangs,
            self.no_answer,
            self.slowest,
            self.failures.len()
        );
    }

    /// Fails the test listing every case that went wrong.
    pub fn assert_clean(&self, group: &str) {
        assert!(
            self.failures.is_empty(),
            "{} of {} {group} cases failed:\n{}",
            self.failures.len(),
            self.sent(),
            self.failures.join("\n")
        );
        assert_eq!(
            (self.panics, self.server_errors, self.hangs, self.no_answer),
            (0, 0, 0, 0)
        );
    }
}

/// Sends every case in turn and checks its answer and the table.
pub async fn run(rt: &LocalRuntime, group: &str, cases: &[Case]) -> Tally {
    count_panics();
    let started = Instant::now();
    let panics_before = panics_so_far();
    let mut tally = Tally::default();
    let mut table = snapshot(rt).await;
    assert!(
        !table.is_empty(),
        "seed the table first, or the unchanged check proves nothing"
    );
    for case in cases {
        *tally.per_endpoint.entry(case.endpoint).or_default() += 1;
        let sent = Instant::now();
        let result = raw::send(rt, &case.request).await;
        tally.slowest = tally.slowest.max(sent.elapsed());
        let problems = match result {
            Ok(answer) => {
                *tally.per_status.entry(answer.status).or_default() += 1;
                if answer.status >= 500 {
                    tally.server_errors += 1;
                }
                check(case, &answer)
            }
            Err(failure) => {
                match failure {
                    Failure::Hang => tally.hangs += 1,
                    Failure::NoAnswer(_) | Failure::Io(_) => tally.no_answer += 1,
                }
                vec![failure.to_string()]
            }
        };
        let after = snapshot(rt).await;
        let mut problems = problems;
        if after != table {
            problems.push(format!("the table changed (items {:?})", changed_ids(&table, &after)));
            table = after;
        }
        if !problems.is_empty() {
            tally.failures.push(format!(
                "  ✗ {} [{}]: {}",
                case.name,
                case.request.summary(),
                problems.join("; ")
            ));
        }
    }
    tally.panics = panics_so_far() - panics_before;
    tally.print(group, started.elapsed());
    tally
}

/// What is wrong with `answer` for `case`; empty when it is right.
pub fn check(case: &Case, answer: &Answer) -> Vec<String> {
    let mut problems = Vec::new();
    let body = answer.text();
    let shown: String = body.chars().take(300).collect();
    if answer.status != case.status {
        problems.push(format!(
            "status {} instead of {}: {shown:?}",
            answer.status, case.status
        ));
    }
    if case.shape == Shape::Bare {
        // Hyper's answer: the status alone, and the connection closed after it.
        if !body.is_empty() {
            problems.push(format!("a body where the HTTP parser sends none: {shown:?}"));
        }
    } else if body.trim().is_empty() {
        problems.push("an empty body".into());
    } else if !body.contains(&case.mention) {
        problems.push(format!("the body does not say {:?}: {shown:?}", case.mention));
    }
    let content_type = answer.header("content-type").unwrap_or("");
    match case.shape {
        Shape::Bare => {}
        Shape::Text => {
            if !content_type.starts_with("text/plain") {
                problems.push(format!("Content-Type {content_type:?}, not text/plain"));
            }
        }
        Shape::Html => {
            problems.extend(html_problems(answer));
        }
        Shape::Json => {
            if !content_type.starts_with("application/json") {
                problems.push(format!("Content-Type {content_type:?}, not application/json"));
            }
            match serde_json::from_str::<serde_json::Value>(&body) {
                Ok(json) if json.get("error").and_then(serde_json::Value::as_str).is_some() => {}
                _ => problems.push(format!("not a JSON object with an error text: {shown:?}")),
            }
        }
    }
    match answer.status {
        401 if answer.header("www-authenticate") != Some("Bearer") => {
            problems.push(format!("401 without WWW-Authenticate: Bearer: {:?}", answer.headers));
        }
        405 if !answer.header("allow").is_some_and(|allow| allow.contains("GET")) => {
            problems.push(format!("405 without an Allow header naming GET: {:?}", answer.headers));
        }
        _ => {}
    }
    problems
}

/// The contract's headers of every HTML page, and a complete document.
pub fn html_problems(answer: &Answer) -> Vec<String> {
    let mut problems = Vec::new();
    let content_type = answer.header("content-type").unwrap_or("");
    if !content_type.starts_with("text/html") {
        problems.push(format!("Content-Type {content_type:?}, not text/html"));
    }
    let csp = answer.header("content-security-policy").unwrap_or("");
    if !(csp.starts_with("default-src 'none'") && csp.contains("frame-ancestors 'none'")) {
        problems.push(format!("Content-Security-Policy {csp:?}"));
    }
    for (name, want) in [
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
        ("x-content-type-options", "nosniff"),
    ] {
        if answer.header(name) != Some(want) {
            problems.push(format!("{name}: {:?} instead of {want:?}", answer.header(name)));
        }
    }
    let body = answer.text();
    if !(body.starts_with("<!doctype html>") && body.trim_end().ends_with("</html>")) {
        problems.push("not a complete HTML document".into());
    }
    problems
}
