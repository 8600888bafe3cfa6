use crate::api::{ApiDeps, Keys, api};
use crate::config::{Config, Secret};
use crate::store::MemoryStore;
use crate::store::config::MemoryConfig;
use chrono::{DateTime, Utc};
use lambda_http::Body;
use serde_json::{Value, json};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z").unwrap().to_utc()
}

async fn call(
    calendars: Option<&MemoryConfig>,
    method: &str,
    path: &str,
    kind: Option<&str>,
    body: &str,
) -> (u16, Value) {
    let store = MemoryStore::new();
    let config = Config::from_vars(&Default::default()).unwrap();
    let keys = Keys {
        read_write: Some(Secret::new("k")),
        ..Keys::default()
    };
    let deps = ApiDeps::new(&store, &config, &keys)
        .with_calendars(calendars.map(|c| c as &dyn crate::store::config::CalendarStore));
    let mut req = lambda_http::http::Request::builder()
        .method(method)
        .uri(format!("/heartbeat/api/v1{path}"))
        .header("authorization", "Bearer k");
    if let Some(kind) = kind {
        req = req.header("content-type", kind);
    }
    let res = api(req.body(Body::from(body.to_owned())).unwrap(), &deps, now()).await;
    let status = res.status().as_u16();
    let bytes: &[u8] = res.body().as_ref();
    (status, serde_json::from_slice(bytes).unwrap_or(Value::Null))
}

const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Christmas\r\n\
DTSTART;VALUE=DATE:20261225\r\nRRULE:FREQ=YEARLY;COUNT=2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

#[tokio::test]
async fn put_get_list_and_delete() {
    let calendars = MemoryConfig::new();
    let c = Some(&calendars);
    let json_type = Some("application/json");
    let (status, body) = call(
        c,
        "PUT",
        "/calendars/de-BY",
        json_type,
        r#"{"dates": ["2026-12-26", "2026-12-25"]}"#,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["dates"], json!(["2026-12-25", "2026-12-26"]));
    let (status, body) = call(c, "PUT", "/calendars/company", Some("text/calendar"), ICS).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["dates"], json!(["2026-12-25", "2027-12-25"]));
    let (status, body) = call(c, "GET", "/calendars", None, "").await;
    assert_eq!(status, 200);
    let names: Vec<&str> = body["calendars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["company", "de-BY"]);
    let (status, _) = call(c, "PUT", "/calendars/de-BY", json_type, r#"{"dates": []}"#).await;
    assert_eq!(status, 200, "replaced");
    let (status, body) = call(c, "GET", "/calendars/de-BY", None, "").await;
    assert_eq!((status, body["dates"].clone()), (200, json!([])));
    assert_eq!(call(c, "DELETE", "/calendars/de-BY", None, "").await.0, 204);
    assert_eq!(call(c, "DELETE", "/calendars/de-BY", None, "").await.0, 404);
    assert_eq!(call(c, "GET", "/calendars/de-BY", None, "").await.0, 404);
}

#[tokio::test]
async fn bad_input_is_named_and_changes_nothing() {
    let calendars = MemoryConfig::new();
    let c = Some(&calendars);
    let json_type = Some("application/json");
    for (path, kind, body, field) in [
        ("/calendars/de-BY", json_type, r#"{"dates": ["25.12.2026"]}"#, "dates"),
        ("/calendars/de-BY", json_type, r#"{"dates": "2026-12-25"}"#, "dates"),
        ("/calendars/de-BY", json_type, r#"{"days": []}"#, "days"),
        ("/calendars/de%20BY", json_type, r#"{"dates": []}"#, "name"),
        ("/calendars/de-BY", Some("text/calendar"), "not a calendar", "dates"),
    ] {
        let (status, answer) = call(c, "PUT", path, kind, body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer.to_string().contains(field), "{body}: {answer}");
    }
    assert_eq!(
        call(c, "PUT", "/calendars/x", Some("text/plain"), "2026-12-25").await.0,
        415
    );
    assert_eq!(call(c, "GET", "/calendars", None, "").await.1["calendars"], json!([]));
    assert_eq!(call(c, "POST", "/calendars", None, "").await.0, 405);
    assert_eq!(
        call(None, "GET", "/calendars", None, "").await.0,
        503,
        "no config table"
    );
}
