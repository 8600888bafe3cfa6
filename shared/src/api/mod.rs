//! The JSON API under `/heartbeat/api/v1`. Each resource lives in its own file and answers the
//! paths it owns; adding one (events, calendars, channels…) is a new file and one line in `RESOURCES`.

mod auth;
pub(crate) mod calendars;
pub(crate) mod channels;
pub mod cursor;
pub mod error;
mod events;
pub mod filter;
pub mod keys;
mod maintenance;
mod openapi;
#[cfg(test)]
mod pulse_channels_tests;
mod pulses;
mod quiet;
pub mod view;

pub use auth::{Access, authorize};
pub use error::ApiError;
pub use keys::Keys;
pub use openapi::document as openapi_document;

use crate::config::Config;
use crate::routes::{self, Handler};
use crate::store::config::CalendarStore;
use crate::store::{EventLog, IncidentLedger, MaintenanceStore, PulsePages, PulseReader, QuietWriter, SettingsWriter};
use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use lambda_http::{Body, Request, Response};

/// Every store role the API plays, as one bound (DynamoDB, or the in-memory store in tests).
pub trait ApiStore:
    PulseReader + SettingsWriter + PulsePages + QuietWriter + MaintenanceStore + IncidentLedger + EventLog
{
}

impl<T: PulseReader + SettingsWriter + PulsePages + QuietWriter + MaintenanceStore + IncidentLedger + EventLog> ApiStore
    for T
{
}

/// What the API's handlers may use: narrow store traits, the configuration, the keys.
pub struct ApiDeps<'a> {
    pub reader: &'a dyn PulseReader,
    pub writer: &'a dyn SettingsWriter,
    pub pages: &'a dyn PulsePages,
    pub quiet: &'a dyn QuietWriter,
    pub maintenance: &'a dyn MaintenanceStore,
    /// Removing a maintenance window makes the pulses it held due at once (`quieting`).
    pub ledger: &'a dyn IncidentLedger,
    /// Pulse history (`/pulses/{id}/events`).
    pub events: &'a dyn EventLog,
    pub config: &'a Config,
    pub keys: &'a Keys,
    /// The holiday calendars (config table); `None` answers their routes 503.
    pub calendars: Option<&'a dyn CalendarStore>,
    /// `/channels` and `/routes`; `None` (no configuration table) answers 503.
    pub channels: Option<crate::monitor::ChannelDeps<'a>>,
}

impl<'a> ApiDeps<'a> {
    /// Every store role played by one store (DynamoDB, or the in-memory one in tests).
    pub fn new<S: ApiStore>(store: &'a S, config: &'a Config, keys: &'a Keys) -> Self {
        Self {
            reader: store,
            writer: store,
            pages: store,
            quiet: store,
            maintenance: store,
            ledger: store,
            events: store,
            config,
            keys,
            calendars: None,
            channels: None,
        }
    }

    pub fn with_calendars(self, calendars: Option<&'a dyn CalendarStore>) -> Self {
        Self { calendars, ..self }
    }

    pub fn with_channels(self, channels: Option<crate::monitor::ChannelDeps<'a>>) -> Self {
        Self { channels, ..self }
    }
}

/// Every route of the api function (`routes::ROUTES`): the API, the dashboard's CSV export, and the
/// pages behind the dashboard secret served here because this function already holds every store
/// role they use (snooze/pause confirmation, maintenance, calendars, channels).
pub async fn serve(req: Request, deps: &ApiDeps<'_>, now: DateTime<Utc>) -> Response<Body> {
    let handler = routes::find(req.method().as_str(), req.uri().path()).map(|route| route.handler);
    match handler {
        Some(Handler::ExportCsv) => {
            crate::handlers::export_csv(req, deps.reader, deps.maintenance, deps.calendars, deps.config, now).await
        }
        Some(Handler::QuietPage) => crate::handlers::quiet_page(req, deps, now).await,
        Some(Handler::MaintenancePage) => crate::handlers::maintenance_page(req, deps, now).await,
        Some(Handler::CalendarsPage) => crate::handlers::calendars_page(req, deps, now).await,
        Some(Handler::ChannelsPage) => crate::handlers::channels_page(req, deps, now).await,
        // The API, and what API Gateway would not send here: the API's 404 naming its document.
        _ => api(req, deps, now).await,
    }
}

/// One request on its way through the resources.
pub struct Call<'a> {
    pub req: &'a Request,
    pub deps: &'a ApiDeps<'a>,
    pub now: DateTime<Utc>,
}

impl Call<'_> {
    pub fn allow(&self, needed: Access) -> Result<(), ApiError> {
        authorize(self.req, self.deps.keys, needed)
    }
}

pub type Answer<'a> = BoxFuture<'a, Result<Response<Body>, ApiError>>;

/// A resource answers the paths it owns (`segments` after `/api/v1/`) and passes on the others.
pub type Resource = for<'a> fn(segments: &'a [&'a str], call: &'a Call<'a>) -> Option<Answer<'a>>;

const RESOURCES: &[Resource] = &[
    openapi::resource,
    pulses::resource,
    events::resource,
    quiet::resource,
    maintenance::resource,
    calendars::resource,
    channels::resource,
];

pub const PREFIX: &str = "/heartbeat/api/v1";

/// Every API request, under any stage prefix. Always a complete JSON (or CSV) response.
pub async fn api(req: Request, deps: &ApiDeps<'_>, now: DateTime<Utc>) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let Some(rest) = path.split_once(PREFIX).map(|(_, rest)| rest) else {
        return unknown().to_response();
    };
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let segments: Vec<&str> = rest.split('/').collect();
    let call = Call { req: &req, deps, now };
    for resource in RESOURCES {
        if let Some(answer) = resource(&segments, &call) {
            return answer.await.unwrap_or_else(|err| err.to_response());
        }
    }
    unknown().to_response()
}

fn unknown() -> ApiError {
    ApiError::not_found(format!(
        "there is no such API resource; the resources are listed in {PREFIX}/openapi.json"
    ))
}
