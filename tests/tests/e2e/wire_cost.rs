//! What a pulse costs, counted at the DynamoDB wire: the pulse function as Lambda runs it, fed API
//! Gateway's HTTP API event (the default deploy), talks to dynalite through a counting proxy. The
//! counts must be those in `bench/pulse_requests.json`, which `bench/cost.py` prices, so the cost
//! model cannot leave out a request a pulse makes.

use heartbeat_e2e::capacity::{self, Item};
use heartbeat_e2e::{Dynalite, LambdaFunction, WireCounter, repo_root};
use serde_json::Value;
use std::collections::BTreeMap;

const COUNTS: &str = "bench/pulse_requests.json";
const STEADY_PULSES: usize = 3;
const KB: usize = 1024;

/// (operation, "pulses" or "events") → requests.
type Tally = BTreeMap<(String, String), usize>;

fn model() -> Tally {
    let path = repo_root().join(COUNTS);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut tally = Tally::new();
    for request in json["steady_pulse"].as_array().expect("a steady_pulse list") {
        let operation = request["operation"].as_str().expect("an operation").to_owned();
        let table = request["table"].as_str().expect("a table").to_owned();
        *tally.entry((operation, table)).or_default() += 1;
    }
    tally
}

fn sample_pulse() -> Value {
    let path = repo_root().join("infra/events/pulse-get-v2.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn scan(dynalite: &Dynalite, table: &str) -> Vec<Item> {
    dynalite
        .client()
        .scan()
        .table_name(table)
        .send()
        .await
        .expect("Scan")
        .items
        .unwrap_or_default()
}

#[tokio::test]
async fn a_steady_pulse_makes_exactly_the_requests_the_cost_model_prices() {
    let dynalite = Dynalite::start().await;
    let table = dynalite.fresh_table_with_history().await;
    let events = format!("{table}-events");
    let wire = WireCounter::start(&dynalite.endpoint()).await;
    let pulse = LambdaFunction::start("pulse", &wire.endpoint(), &[("TABLE_NAME", table.as_str())]).await;
    let event = sample_pulse();

    // The first pulse creates the item (and the function's cold start may read what it caches).
    let answer = pulse.invoke(&event).await;
    assert_eq!(answer["statusCode"], 200, "{answer}\n{}", pulse.output());
    wire.take();

    for _ in 0..STEADY_PULSES {
        let answer = pulse.invoke(&event).await;
        assert_eq!(answer["statusCode"], 200, "{answer}\n{}", pulse.output());
    }
    let mut counted = Tally::new();
    for request in wire.take() {
        let table_kind = match request.tables.as_slice() {
            [one] if *one == table => "pulses",
            [one] if *one == events => "events",
            other => panic!("{} on {other:?}: a request the model does not know", request.operation),
        };
        *counted.entry((request.operation, table_kind.to_owned())).or_default() += 1;
    }
    let per_pulse: Tally = model().into_iter().map(|(k, n)| (k, n * STEADY_PULSES)).collect();
    assert_eq!(
        counted, per_pulse,
        "{STEADY_PULSES} steady pulses made these requests; update {COUNTS} (and so bench/cost.py's figures)"
    );

    // Each write is one write unit only while every item written stays under 1 KB.
    let pulses = scan(&dynalite, &table).await;
    let history = scan(&dynalite, &events).await;
    assert_eq!(pulses.len(), 1);
    assert_eq!(history.len(), 1 + STEADY_PULSES, "one event per pulse");
    for item in pulses.iter().chain(&history) {
        let size = capacity::item_size(item);
        assert!(size <= KB, "an item of {size} B is more than one write unit: {item:?}");
    }
}
