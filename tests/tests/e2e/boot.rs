//! How the functions start, built exactly as their `main`s build them: each checks only its own
//! settings (a bad alerting setting stops the monitor, never pulse intake), and secrets come from SSM
//! SecureString parameters (moto in server mode) read once at start.

use chrono::Utc;
use heartbeat_e2e::{Dynalite, Moto, RefusedPort};
use heartbeat_shared::app::{Clients, KeyedApp, MonitorApp, PagesApp, PulseApp};
use heartbeat_shared::config::Uses;
use heartbeat_shared::handlers;
use lambda_http::{Body, Request, RequestExt};
use std::collections::HashMap;

const DASHBOARD_SECRET: &str = "dashboard-secret-from-ssm-0123";

fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn get(path: &str, query: &[(&str, &str)]) -> Request {
    let query: HashMap<String, String> = query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    lambda_http::http::Request::builder()
        .uri(path)
        .body(Body::Empty)
        .unwrap()
        .with_query_string_parameters(query)
}

const PULSE: [(&str, &str); 4] = [
    ("host", "web-1"),
    ("category", "jobs"),
    ("type", "cron"),
    ("name", "nightly"),
];

/// The table on dynalite; SSM on moto, or on a port that refuses every connection when a test
/// must show that SSM is not asked at all.
fn clients(dynalite: &Dynalite, ssm: aws_sdk_ssm::Client) -> Clients {
    Clients {
        dynamo: dynalite.client(),
        ssm,
    }
}

fn unreachable_ssm(port: &RefusedPort) -> aws_sdk_ssm::Client {
    use aws_sdk_ssm::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_ssm::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(format!("http://127.0.0.1:{}", port.port()))
        .credentials_provider(Credentials::new("test", "test", None, None, "refused"))
        .build();
    aws_sdk_ssm::Client::from_conf(config)
}

#[tokio::test]
async fn the_pulse_function_starts_and_answers_whatever_the_alerting_settings() {
    let dynalite = Dynalite::start().await;
    let table = dynalite.fresh_table().await;
    let refused = RefusedPort::new();
    for (variable, value) in [
        ("SLACK_WEBHOOK_URL", "http://hooks.slack.com/services/T0/B0/X"),
        ("SLACK_WEBHOOK_URL", "hooks.slack.com"),
        ("REMIND_EVERY_HOURS", "-1"),
        ("REMIND_EVERY_HOURS", "99999999999999999999999999"),
        ("SLACK_TIMEOUT_SECONDS", "0"),
        // Not the pulse function's secret: it must not even try to read it.
        ("DASHBOARD_SECRET_PARAMETER", "/heartbeat/absent"),
        ("SLACK_WEBHOOK_URL_PARAMETER", "/heartbeat/absent"),
    ] {
        let env = vars(&[("TABLE_NAME", &table), (variable, value)]);
        let app = PulseApp::build(env, clients(&dynalite, unreachable_ssm(&refused)))
            .await
            .unwrap_or_else(|e| panic!("{variable}={value} stopped the pulse function: {e}"));
        let response = handlers::pulse(get("/heartbeat/pulse", &PULSE), &app.store, &app.config, Utc::now()).await;
        assert_eq!(response.status(), 200, "{variable}={value}");
    }
    let stored = dynalite
        .client()
        .scan()
        .table_name(&table)
        .send()
        .await
        .unwrap()
        .count();
    assert_eq!(stored, 1, "the pulses were recorded");
}

#[tokio::test]
async fn the_monitor_refuses_to_start_naming_the_bad_setting() {
    let dynalite = Dynalite::start().await;
    let refused = RefusedPort::new();
    for (variable, value, says) in [
        ("SLACK_WEBHOOK_URL", "http://hooks.slack.com/services/T0/B0/X", "https"),
        ("SLACK_WEBHOOK_URL", "hooks.slack.com", "not a URL"),
        ("REMIND_EVERY_HOURS", "-1", "0 to 8760"),
        ("REMIND_EVERY_HOURS", "99999999999999999999999999", "0 to 8760"),
        ("SLACK_TIMEOUT_SECONDS", "0", "seconds"),
        ("DEFAULT_TIMEZONE", "Mars/Base", "IANA"),
    ] {
        let env = vars(&[(variable, value)]);
        let err = match MonitorApp::build(env, clients(&dynalite, unreachable_ssm(&refused))).await {
            Ok(_) => panic!("{variable}={value}: the monitor started"),
            Err(err) => err.to_string(),
        };
        assert!(
            err.contains(variable) && err.contains(says),
            "{variable}={value}: {err}"
        );
        assert!(
            !err.contains("/services/T0/B0/X"),
            "the webhook URL is a credential: {err}"
        );
    }
}

#[tokio::test]
async fn secrets_come_from_ssm_securestring_parameters() {
    let dynalite = Dynalite::start().await;
    let table = dynalite.fresh_table().await;
    let moto = Moto::start();
    moto.put_secure_string("/heartbeat/dashboard-secret", DASHBOARD_SECRET)
        .await;
    moto.put_secure_string("/heartbeat/pulse-key", "pulse-key-from-ssm")
        .await;
    moto.put_secure_string("/heartbeat/slack", "https://hooks.slack.com/services/T0/B0/FROM-SSM")
        .await;

    let pages = PagesApp::build(
        vars(&[
            ("TABLE_NAME", &table),
            ("DASHBOARD_SECRET_PARAMETER", "/heartbeat/dashboard-secret"),
        ]),
        clients(&dynalite, moto.ssm()),
    )
    .await
    .unwrap();
    let dashboard = |secret: &str| {
        handlers::dashboard(
            get("/heartbeat/dashboard", &[("secret", secret)]),
            &pages.store,
            &pages.config,
            Utc::now(),
        )
    };
    assert_eq!(dashboard(DASHBOARD_SECRET).await.status(), 200);
    assert_eq!(
        dashboard("/heartbeat/dashboard-secret").await.status(),
        403,
        "the name is not the secret"
    );

    let pulse = PulseApp::build(
        vars(&[("TABLE_NAME", &table), ("PULSE_KEY_PARAMETER", "/heartbeat/pulse-key")]),
        clients(&dynalite, moto.ssm()),
    )
    .await
    .unwrap();
    let keyless = handlers::pulse(get("/heartbeat/pulse", &PULSE), &pulse.store, &pulse.config, Utc::now()).await;
    assert_eq!(keyless.status(), 401, "the key from SSM is required");
    let mut keyed: Vec<(&str, &str)> = PULSE.to_vec();
    keyed.push(("key", "pulse-key-from-ssm"));
    let with_key = handlers::pulse(get("/heartbeat/pulse", &keyed), &pulse.store, &pulse.config, Utc::now()).await;
    assert_eq!(with_key.status(), 200);

    let monitor = MonitorApp::build(
        vars(&[
            ("TABLE_NAME", &table),
            ("DASHBOARD_SECRET_PARAMETER", "/heartbeat/dashboard-secret"),
            ("SLACK_WEBHOOK_URL_PARAMETER", "/heartbeat/slack"),
        ]),
        clients(&dynalite, moto.ssm()),
    )
    .await
    .unwrap();
    assert_eq!(
        monitor.config.slack_webhook_url.as_deref(),
        Some("https://hooks.slack.com/services/T0/B0/FROM-SSM")
    );
    assert!(
        monitor
            .config
            .dashboard_secret
            .as_ref()
            .unwrap()
            .matches(DASHBOARD_SECRET)
    );
}

#[tokio::test]
async fn api_and_badge_keys_come_from_ssm_and_each_function_holds_only_its_own() {
    let dynalite = Dynalite::start().await;
    let table = dynalite.fresh_table().await;
    let moto = Moto::start();
    moto.put_secure_string("/heartbeat/api-key", "api-key-from-ssm-0123456789")
        .await;
    moto.put_secure_string("/heartbeat/api-read-key", "read-key-from-ssm-0123456789")
        .await;
    moto.put_secure_string("/heartbeat/badge-key", "badge-key-from-ssm-0123")
        .await;
    let env = vars(&[
        ("TABLE_NAME", &table),
        ("API_KEY_PARAMETER", "/heartbeat/api-key"),
        ("API_READ_KEY_PARAMETER", "/heartbeat/api-read-key"),
        ("BADGE_KEY_PARAMETER", "/heartbeat/badge-key"),
    ]);

    let api = KeyedApp::build(Uses::Api, env.clone(), clients(&dynalite, moto.ssm()))
        .await
        .unwrap();
    let list = |key: &str| {
        let req = lambda_http::http::Request::builder()
            .uri("/heartbeat/api/v1/pulses")
            .header("authorization", format!("Bearer {key}"))
            .body(Body::Empty)
            .unwrap();
        let deps = heartbeat_shared::api::ApiDeps::new(&api.store, &api.config, &api.keys);
        async move { heartbeat_shared::api::serve(req, &deps, Utc::now()).await.status() }
    };
    assert_eq!(list("api-key-from-ssm-0123456789").await, 200);
    assert_eq!(list("read-key-from-ssm-0123456789").await, 200);
    assert_eq!(list("/heartbeat/api-key").await, 401, "the name is not the key");
    assert!(api.keys.badge.is_none(), "the API function never holds the badge key");

    let badge = KeyedApp::build(Uses::Badge, env, clients(&dynalite, moto.ssm()))
        .await
        .unwrap();
    assert!(badge.keys.badge.as_ref().unwrap().matches("badge-key-from-ssm-0123"));
    assert!(
        badge.keys.read_write.is_none() && badge.keys.read_only.is_none(),
        "the badge function never holds an API key"
    );
}

#[tokio::test]
async fn a_secret_parameter_that_cannot_be_used_stops_the_function_with_what_to_do() {
    let dynalite = Dynalite::start().await;
    let moto = Moto::start();
    moto.put_secure_string("/heartbeat/slack", "http://hooks.slack.com/plain-http")
        .await;
    let missing = PagesApp::build(
        vars(&[("DASHBOARD_SECRET_PARAMETER", "/heartbeat/not-there")]),
        clients(&dynalite, moto.ssm()),
    )
    .await;
    let err = missing
        .err()
        .expect("a missing parameter stops the function")
        .to_string();
    assert!(
        err.contains("DASHBOARD_SECRET_PARAMETER")
            && err.contains("/heartbeat/not-there")
            && err.contains("put-parameter"),
        "{err}"
    );

    let both = PagesApp::build(
        vars(&[
            ("DASHBOARD_SECRET", "plain-value-plain-value"),
            ("DASHBOARD_SECRET_PARAMETER", "/heartbeat/not-there"),
        ]),
        clients(&dynalite, moto.ssm()),
    )
    .await;
    let err = both.err().expect("a secret given twice stops the function").to_string();
    assert!(
        err.contains("DASHBOARD_SECRET_PARAMETER") && err.contains("set one of them"),
        "{err}"
    );

    // A value from SSM is checked like one from the environment, and named by its parameter's variable.
    let bad_url = MonitorApp::build(
        vars(&[("SLACK_WEBHOOK_URL_PARAMETER", "/heartbeat/slack")]),
        clients(&dynalite, moto.ssm()),
    )
    .await;
    let err = bad_url
        .err()
        .expect("a plain-http webhook stops the monitor")
        .to_string();
    assert!(err.contains("SLACK_WEBHOOK_URL") && err.contains("https"), "{err}");
    assert!(!err.contains("plain-http"), "the webhook URL is a credential: {err}");

    let refused = RefusedPort::new();
    let unreachable = PagesApp::build(
        vars(&[("DASHBOARD_SECRET_PARAMETER", "/heartbeat/dashboard-secret")]),
        clients(&dynalite, unreachable_ssm(&refused)),
    )
    .await;
    let err = unreachable
        .err()
        .expect("an unreachable SSM stops the function")
        .to_string();
    assert!(
        err.contains("could not be read") && err.contains("ssm:GetParameter"),
        "{err}"
    );
}
