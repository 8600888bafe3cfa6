//! Reading the monitor's JSON summary in tests.

use reqwest::StatusCode;
use serde_json::Value;

/// A number field of the summary; a missing or non-number field fails the test, naming it.
pub fn summary_count(summary: &Value, field: &str) -> u64 {
    summary
        .get(field)
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("the summary has no number {field}: {summary}"))
}

/// The run answered 200 and did what `expected` says (fields not listed are not checked).
pub fn assert_summary(status: StatusCode, summary: &Value, expected: &[(&str, u64)]) {
    assert_eq!(status, StatusCode::OK, "{summary}");
    for (field, want) in expected {
        assert_eq!(summary_count(summary, field), *want, "{field} in {summary}");
    }
}
