//! The real store: single-item DynamoDB requests, each change guarded by a condition expression where
//! two writers can race, and every Scan paginated to the end.

use super::item::{self, Item, n, s, saturday_flag};
use super::{
    Expectation, Found, IncidentLedger, Listing, PulseReader, PulseReceipt, PulseRecorder, SettingsWriter, StoreError,
};
use crate::model::{Alert, Claim, Pulse, PulseId, Settings, format_stamp};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::time::Duration;

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

/// SDK settings for a Lambda: short timeouts so a request can never hang a function, and the
/// standard retry mode, which backs off on throttling before the caller answers 503.
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(timeouts())
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(3))
        .load()
        .await
}

fn timeouts() -> aws_config::timeout::TimeoutConfig {
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(2))
        .operation_attempt_timeout(Duration::from_secs(3))
        .operation_timeout(Duration::from_secs(8))
        .build()
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    fn key(id: &PulseId) -> HashMap<String, AttributeValue> {
        HashMap::from([(item::ID.to_owned(), s(id.as_str()))])
    }

    /// Runs a conditional update; `Ok(false)` when the condition did not hold.
    async fn conditional_update(
        &self,
        id: &PulseId,
        update: &str,
        condition: &str,
        expr: Expr,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(id)))
            .update_expression(update)
            .condition_expression(condition)
            .set_expression_attribute_names(Some(expr.names))
            .set_expression_attribute_values((!expr.values.is_empty()).then_some(expr.values))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(err) if is_condition_failure(&err) => Ok(false),
            Err(err) => Err(classify(err)),
        }
    }

    async fn scan_all(&self) -> Result<Listing, StoreError> {
        let mut listing = Listing::default();
        let mut pages = self.client.scan().table_name(&self.table).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(classify)?;
            for raw in page.items() {
                push_item(&mut listing, raw);
            }
        }
        Ok(listing)
    }
}

fn push_item(listing: &mut Listing, raw: &Item) {
    match Pulse::try_from(raw) {
        Ok(pulse) => listing.pulses.push(pulse),
        Err(err) => {
            tracing::warn!(error = %err, "skipping an unreadable item");
            listing.unreadable.push(err.id);
        }
    }
}

#[async_trait]
impl PulseRecorder for DynamoStore {
    async fn record_pulse(&self, receipt: &PulseReceipt) -> Result<(), StoreError> {
        let id = receipt.key.id();
        let stamp = format_stamp(receipt.at);
        let mut e = Expr::default();
        let mut sets = vec![
            format!("{} = {}", e.name(item::HOST), e.value(s(&receipt.key.host))),
            format!("{} = {}", e.name(item::CATEGORY), e.value(s(&receipt.key.category))),
            format!("{} = {}", e.name(item::TYPE), e.value(s(&receipt.key.kind))),
            format!("{} = {}", e.name(item::NAME), e.value(s(&receipt.key.name))),
            format!("{} = {}", e.name(item::TIMESTAMP), e.value(s(&stamp))),
            if_not_exists(&mut e, item::THRESHOLD, s(receipt.threshold.to_string())),
            if_not_exists(&mut e, item::SATURDAY, s(saturday_flag(receipt.saturday))),
            if_not_exists(&mut e, item::FIRST_SEEN, s(&stamp)),
        ];
        sets.push(if_not_exists(&mut e, item::TZ, s(receipt.tz.name())));
        if let Some(message) = &receipt.message {
            sets.push(format!("{} = {}", e.name(item::LAST_MESSAGE), e.value(s(message))));
        }
        if let Some(metadata) = &receipt.metadata {
            sets.push(format!("{} = {}", e.name(item::LAST_METADATA), e.value(s(metadata))));
        }
        let count = e.name(item::PULSE_COUNT);
        let one = e.value(n(1));
        let update = format!("SET {} ADD {count} {one}", sets.join(", "));
        // Pulses can arrive out of order (retries, concurrent instances): the newest time wins.
        let ts = e.name(item::TIMESTAMP);
        let new_stamp = e.value(s(&stamp));
        let condition = format!("attribute_not_exists({ts}) OR {ts} <= {new_stamp}");
        if self.conditional_update(&id, &update, &condition, e).await? {
            return Ok(());
        }
        // An older pulse than the stored one: count it, keep the newer time. Rare, so a second write.
        let mut e = Expr::default();
        let update = format!("ADD {} {}", e.name(item::PULSE_COUNT), e.value(n(1)));
        let condition = format!("attribute_exists({})", e.name(item::ID));
        self.conditional_update(&id, &update, &condition, e).await?;
        Ok(())
    }
}

#[async_trait]
impl PulseReader for DynamoStore {
    async fn get(&self, id: &PulseId) -> Result<Option<Pulse>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(classify)?;
        match out.item() {
            None => Ok(None),
            Some(raw) => Pulse::try_from(raw)
                .map(Some)
                .map_err(|e| StoreError::Failed(e.to_string())),
        }
    }

    async fn list(&self) -> Result<Listing, StoreError> {
        self.scan_all().await
    }
}

#[async_trait]
impl SettingsWriter for DynamoStore {
    async fn update_settings(&self, id: &PulseId, settings: &Settings) -> Result<Found, StoreError> {
        let mut e = Expr::default();
        let update = format!(
            "SET {} = {}, {} = {}, {} = {}",
            e.name(item::THRESHOLD),
            e.value(s(settings.threshold.to_string())),
            e.name(item::SATURDAY),
            e.value(s(saturday_flag(settings.saturday))),
            e.name(item::TZ),
            e.value(s(settings.tz.name())),
        );
        // Without this condition UpdateItem would create a phantom item (the original's bug).
        let condition = format!("attribute_exists({})", e.name(item::ID));
        let found = self.conditional_update(id, &update, &condition, e).await?;
        Ok(if found { Found::Yes } else { Found::No })
    }

    async fn delete(&self, id: &PulseId) -> Result<Found, StoreError> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(id)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(classify)?;
        Ok(if out.attributes().is_some_and(|a| !a.is_empty()) {
            Found::Yes
        } else {
            Found::No
        })
    }
}

#[async_trait]
impl IncidentLedger for DynamoStore {
    async fn candidates(&self, _now: DateTime<Utc>) -> Result<Listing, StoreError> {
        self.scan_all().await
    }

    async fn claim(
        &self,
        id: &PulseId,
        expect: &Expectation,
        claim: &Claim,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut e = Expr::default();
        let run = e.name(item::CLAIM_RUN);
        let until = e.name(item::CLAIM_UNTIL);
        let update = format!(
            "SET {run} = {}, {until} = {}",
            e.value(s(&claim.run)),
            e.value(n(claim.until.timestamp_millis()))
        );
        let free = format!(
            "(attribute_not_exists({until}) OR {until} < {})",
            e.value(n(now.timestamp_millis()))
        );
        // DynamoDB refuses placeholders an expression does not use, so each branch names its own.
        let alert_for = e.name(item::ALERT_FOR);
        let state = match expect {
            Expectation::Alert { stamp } => {
                let ts = e.name(item::TIMESTAMP);
                let stamp = e.value(s(stamp));
                format!("{ts} = {stamp} AND (attribute_not_exists({alert_for}) OR {alert_for} <> {stamp})")
            }
            Expectation::Reminder { stamp, notified_at } => {
                let ts = e.name(item::TIMESTAMP);
                let stamp = e.value(s(stamp));
                let alert_at = e.name(item::ALERT_AT);
                let notified = e.value(s(format_stamp(*notified_at)));
                format!("{ts} = {stamp} AND {alert_for} = {stamp} AND {alert_at} = {notified}")
            }
            Expectation::Recovery { alerted_stamp } => format!("{alert_for} = {}", e.value(s(alerted_stamp))),
        };
        self.conditional_update(id, &update, &format!("{free} AND {state}"), e)
            .await
    }

    async fn record_alert(&self, id: &PulseId, run: &str, alert: &Alert) -> Result<bool, StoreError> {
        let mut e = Expr::default();
        let update = format!(
            "SET {} = {}, {} = {} REMOVE {}, {}",
            e.name(item::ALERT_FOR),
            e.value(s(&alert.for_stamp)),
            e.name(item::ALERT_AT),
            e.value(s(format_stamp(alert.notified_at))),
            e.name(item::CLAIM_RUN),
            e.name(item::CLAIM_UNTIL),
        );
        let condition = format!("{} = {}", e.name(item::CLAIM_RUN), e.value(s(run)));
        self.conditional_update(id, &update, &condition, e).await
    }

    async fn record_recovery(&self, id: &PulseId, run: &str, alerted_stamp: &str) -> Result<bool, StoreError> {
        let mut e = Expr::default();
        let alert_for = e.name(item::ALERT_FOR);
        let update = format!(
            "REMOVE {alert_for}, {}, {}, {}",
            e.name(item::ALERT_AT),
            e.name(item::CLAIM_RUN),
            e.name(item::CLAIM_UNTIL),
        );
        let condition = format!(
            "{} = {} AND {alert_for} = {}",
            e.name(item::CLAIM_RUN),
            e.value(s(run)),
            e.value(s(alerted_stamp))
        );
        self.conditional_update(id, &update, &condition, e).await
    }

    async fn release(&self, id: &PulseId, run: &str) -> Result<(), StoreError> {
        let mut e = Expr::default();
        let update = format!("REMOVE {}, {}", e.name(item::CLAIM_RUN), e.name(item::CLAIM_UNTIL));
        let condition = format!("{} = {}", e.name(item::CLAIM_RUN), e.value(s(run)));
        self.conditional_update(id, &update, &condition, e).await.map(|_| ())
    }
}

fn if_not_exists(e: &mut Expr, attribute: &str, value: AttributeValue) -> String {
    let name = e.name(attribute);
    format!("{name} = if_not_exists({name}, {})", e.value(value))
}

/// Placeholders for an expression: every attribute goes through `#nK` (some of ours are reserved
/// words, and `_id` is not a valid bare name), every value through `:vK`.
#[derive(Default)]
struct Expr {
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expr {
    fn name(&mut self, attribute: &str) -> String {
        if let Some((placeholder, _)) = self.names.iter().find(|(_, a)| a.as_str() == attribute) {
            return placeholder.clone();
        }
        let placeholder = format!("#n{}", self.names.len());
        self.names.insert(placeholder.clone(), attribute.to_owned());
        placeholder
    }

    fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }
}

fn is_condition_failure<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    matches!(err, SdkError::ServiceError(service) if service.err().code() == Some("ConditionalCheckFailedException"))
}

/// Transient trouble becomes `Unavailable` (the caller answers 503 and tries again later).
fn classify<E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static, R: std::fmt::Debug>(
    err: SdkError<E, R>,
) -> StoreError {
    const TRANSIENT: &[&str] = &[
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "ResourceNotFoundException",
    ];
    let detail = aws_sdk_dynamodb::error::DisplayErrorContext(&err).to_string();
    match &err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            StoreError::Unavailable(detail)
        }
        SdkError::ServiceError(service) if service.err().code().is_some_and(|c| TRANSIENT.contains(&c)) => {
            StoreError::Unavailable(detail)
        }
        _ => StoreError::Failed(detail),
    }
}

/// A client for a local DynamoDB stand-in (dynalite) at `endpoint`: fixed dummy credentials and
/// region, the same timeouts and retries as on AWS.
pub fn local_client(endpoint: &str) -> Client {
    use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("local", "local", None, None, "heartbeat-local"))
        .timeout_config(timeouts())
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(3))
        .build();
    Client::from_conf(config)
}
