//! Which handler a local request goes to: the routes of the SAM template, under any stage prefix.

use crate::convert;
use bytes::Bytes;
use chrono::Utc;
use heartbeat_shared::api::{self, ApiDeps, Keys};
use heartbeat_shared::app::App;
use heartbeat_shared::handlers::{self, MonitorDeps, monitor};
use heartbeat_shared::http::params;
use heartbeat_shared::store::config::ChannelDirectory;
use http_body_util::Full;
use hyper::Method;
use hyper::body::Incoming;
use serde_json::{Value, json};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Pulse,
    Dashboard,
    Edit,
    Monitor,
    /// `/heartbeat/api/v1/…`
    Api,
    /// `/heartbeat/badge/{key}/{scope}.svg|json`
    Badge,
    /// `/heartbeat/export.csv`
    Export,
    /// `/heartbeat/pulses/{id}`: the detail page.
    Detail,
    /// `/heartbeat/quiet` (snooze/pause), `/heartbeat/maintenance`, `/heartbeat/channels` and
    /// `/heartbeat/calendars`: pages the api function serves.
    QuietPages,
}

/// `/heartbeat/pulse`, `/Prod/heartbeat/pulse`, …: the stage prefix does not matter.
pub fn route(path: &str) -> Option<Route> {
    let tail = if let Some(tail) = path.strip_prefix("/heartbeat/") {
        tail
    } else {
        path.rsplit_once("/heartbeat/")?.1
    };
    if tail.starts_with("api/") {
        return Some(Route::Api);
    }
    if tail.starts_with("badge/") {
        return Some(Route::Badge);
    }
    if tail
        .strip_prefix("pulses/")
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
    {
        return Some(Route::Detail);
    }
    match tail.trim_end_matches('/') {
        "export.csv" => Some(Route::Export),
        "pulse" | "pulse/start" | "pulse/fail" => Some(Route::Pulse),
        "dashboard" => Some(Route::Dashboard),
        "edit" => Some(Route::Edit),
        "monitor" => Some(Route::Monitor),
        "quiet" | "maintenance" | "channels" | "calendars" => Some(Route::QuietPages),
        _ => None,
    }
}

#[derive(Clone)]
pub struct Service {
    app: Arc<App>,
    keys: Arc<Keys>,
}

impl Service {
    /// Without API or badge keys: those routes answer that they are not configured.
    pub fn new(app: App) -> Self {
        Self::with_keys(app, Keys::default())
    }

    pub fn with_keys(app: App, keys: Keys) -> Self {
        Self {
            app: Arc::new(app),
            keys: Arc::new(keys),
        }
    }

    pub fn app(&self) -> &App {
        &self.app
    }

    fn monitor_deps(&self) -> MonitorDeps<'_> {
        MonitorDeps {
            ledger: &self.app.store,
            notifier: self.app.notifier.as_ref(),
            config: &self.app.config,
            calendars: self
                .app
                .calendars
                .as_ref()
                .map(|c| c as &dyn heartbeat_shared::store::config::CalendarStore),
            channels: self.app.channels.as_ref().map(heartbeat_shared::app::ChannelApp::deps),
        }
    }

    pub async fn handle(&self, req: hyper::Request<Incoming>) -> hyper::Response<Full<Bytes>> {
        let Some(route) = route(req.uri().path()) else {
            return convert::plain(
                404,
                "Not found: heartbeat serves /heartbeat/pulse (and /pulse/start, /pulse/fail), /heartbeat/dashboard, \
                 /heartbeat/edit, /heartbeat/monitor, /heartbeat/pulses/{id}, /heartbeat/quiet, /heartbeat/maintenance, /heartbeat/channels, /heartbeat/calendars, \
                 /heartbeat/export.csv, /heartbeat/badge/… and /heartbeat/api/v1/…\n",
            );
        };
        let req = match convert::request(req).await {
            Ok(req) => req,
            Err(convert::ReadError::TooLarge) => {
                return convert::plain(413, "Request too large: send at most 64 KiB\n");
            }
            Err(err) => return convert::plain(400, &format!("Bad request: {err}\n")),
        };
        let app = &self.app;
        let now = Utc::now();
        let res = match route {
            Route::Pulse => handlers::pulse(req, &app.store, &app.config, now).await,
            Route::Dashboard => handlers::dashboard(req, &app.store, &app.config, now).await,
            Route::Edit if req.method() == Method::POST => {
                let channels = app.channels.as_ref().map(|c| &c.directory as &dyn ChannelDirectory);
                handlers::edit_post_checked(req, &app.store, &app.store, channels, &app.config, now).await
            }
            Route::Edit => handlers::edit_get(req, &app.store, &app.config, now).await,
            Route::Monitor => return self.monitor_by_url(&req).await,
            Route::Api => api::api(req, &self.api_deps(), now).await,
            Route::Export => {
                handlers::export_csv(req, &app.store, &app.store, Some(&app.store), &app.config, now).await
            }
            // The snooze, maintenance and channels and calendars pages: the api function's, with its dependencies.
            Route::QuietPages => api::serve(req, &self.api_deps(), now).await,
            Route::Badge => handlers::badge(req, &app.store, &app.config, &self.keys, now).await,
            Route::Detail => handlers::detail(req, &app.store, &app.config, now).await,
        };
        convert::response(res)
    }

    fn api_deps(&self) -> ApiDeps<'_> {
        let app = &self.app;
        let channels = app.channels.as_ref().map(heartbeat_shared::app::ChannelApp::deps);
        let calendars = app
            .calendars
            .as_ref()
            .map(|c| c as &dyn heartbeat_shared::store::config::CalendarStore);
        ApiDeps::new(&app.store, &app.config, &self.keys)
            .with_calendars(calendars)
            .with_channels(channels)
    }

    /// Hands the monitor the same API Gateway event shape it gets on AWS.
    async fn monitor_by_url(&self, req: &lambda_http::Request) -> hyper::Response<Full<Bytes>> {
        let query = match params::query(req) {
            Ok(query) => query,
            Err(err) => return convert::response(err.to_json()),
        };
        // A repeated secret is dropped, which the monitor answers like a wrong one.
        let secret = query.single("secret").ok().flatten();
        let backfill = query.single("backfill").ok().flatten();
        // API Gateway leaves absent parameters out (never null), and names the method in the context too.
        let parameters: serde_json::Map<String, Value> = [("secret", secret), ("backfill", backfill)]
            .into_iter()
            .filter_map(|(name, value)| Some((name.to_owned(), json!(value?))))
            .collect();
        let event = json!({
            "httpMethod": req.method().as_str(),
            "path": req.uri().path(),
            "queryStringParameters": parameters,
            "requestContext": { "stage": "$default", "httpMethod": req.method().as_str() },
        });
        match monitor::monitor_event(event, &self.monitor_deps(), Utc::now(), &monitor::new_run_id()).await {
            Ok(answer) => convert::proxy_response(&answer),
            Err(err) => convert::plain(500, &format!("{err}\n")),
        }
    }

    /// One scheduled run, as EventBridge would trigger it; `backfill` also brings items outside the
    /// due index into it (the local runtime asks for that once, at start).
    pub async fn scheduled_run(&self, backfill: bool) -> Result<Value, monitor::MonitorFailure> {
        let event = json!({
            "version": "0",
            "id": monitor::new_run_id(),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "time": heartbeat_shared::model::format_stamp(Utc::now()),
            "resources": [],
            "detail": { "backfill": backfill },
        });
        monitor::monitor_event(event, &self.monitor_deps(), Utc::now(), &monitor::new_run_id()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_ignore_the_stage_prefix() {
        assert_eq!(route("/heartbeat/pulse"), Some(Route::Pulse));
        assert_eq!(route("/Prod/heartbeat/pulse/start"), Some(Route::Pulse));
        assert_eq!(route("/heartbeat/pulse/fail"), Some(Route::Pulse));
        assert_eq!(route("/heartbeat/pulse/other"), None);
        assert_eq!(route("/Prod/heartbeat/dashboard"), Some(Route::Dashboard));
        assert_eq!(route("/v1/heartbeat/edit/"), Some(Route::Edit));
        assert_eq!(route("/heartbeat/monitor"), Some(Route::Monitor));
        assert_eq!(route("/heartbeat/other"), None);
        assert_eq!(route("/Prod/heartbeat/api/v1/pulses"), Some(Route::Api));
        assert_eq!(route("/heartbeat/badge/k/host:db.svg"), Some(Route::Badge));
        assert_eq!(route("/heartbeat/export.csv"), Some(Route::Export));
        assert_eq!(route("/heartbeat/pulses/abc"), Some(Route::Detail));
        assert_eq!(route("/heartbeat/pulses/"), None);
        assert_eq!(route("/heartbeat/pulses/a/b"), None);
        assert_eq!(route("/pulse"), None);
    }
}
