//! The figures `cargo bench -p heartbeat-shared --bench handlers` left in `target/criterion`, so the
//! table holds them next to the rest (criterion prints its own report as it runs).

use std::path::Path;
use std::time::SystemTime;

pub struct Estimate {
    pub id: &'static str,
    pub what: &'static str,
    /// Median time per iteration, in nanoseconds; `None` when that benchmark has not run.
    pub median_ns: Option<f64>,
    /// When criterion wrote it.
    pub written: Option<SystemTime>,
}

pub const BENCHES: [(&str, &str); 4] = [
    ("pulse/get", "pulse handler, GET request built in the bench, 1,000 ids"),
    (
        "pulse/apigw_event",
        "API Gateway event decoded by lambda_http + pulse handler",
    ),
    (
        "pulse/post_json",
        "pulse handler, POST with JSON body, message and metadata",
    ),
    (
        "dashboard/render_10000",
        "dashboard handler, 10,000 pulses (listing to HTML)",
    ),
];

pub fn read(target_dir: &Path) -> Vec<Estimate> {
    BENCHES
        .iter()
        .map(|&(id, what)| {
            let path = target_dir.join("criterion").join(id).join("new").join("estimates.json");
            let parsed = std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
            Estimate {
                id,
                what,
                median_ns: parsed
                    .as_ref()
                    .and_then(|v| v.pointer("/median/point_estimate"))
                    .and_then(serde_json::Value::as_f64),
                written: std::fs::metadata(&path).and_then(|m| m.modified()).ok(),
            }
        })
        .collect()
}
