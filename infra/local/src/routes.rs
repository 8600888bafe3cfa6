//! Which handler a local request goes to: the shared route table (`heartbeat_shared::routes`), which
//! the SAM template also follows, under any stage prefix.

use crate::convert;
use bytes::Bytes;
use chrono::Utc;
use heartbeat_shared::api::{self, ApiDeps, Keys};
use heartbeat_shared::app::App;
use heartbeat_shared::handlers::{self, MonitorDeps, monitor};
use heartbeat_shared::http::params;
use heartbeat_shared::routes::{self, Handler};
use heartbeat_shared::store::config::ChannelDirectory;
use http_body_util::Full;
use hyper::body::Incoming;
use serde_json::{Value, json};
use std::sync::Arc;

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
        let Some(route) = routes::find(req.method().as_str(), req.uri().path()) else {
            let paths = routes::paths().join(", ");
            return convert::plain(404, &format!("Not found: heartbeat serves {paths}\n"));
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
        // Every handler of every function: the one process plays them all.
        let res = match route.handler {
            Handler::Pulse => handlers::pulse(req, &app.store, &app.config, now).await,
            Handler::Dashboard => handlers::dashboard(req, &app.store, &app.config, now).await,
            Handler::EditSave => {
                let channels = app.channels.as_ref().map(|c| &c.directory as &dyn ChannelDirectory);
                handlers::edit_post_checked(req, &app.store, &app.store, channels, &app.config, now).await
            }
            Handler::EditForm => handlers::edit_get(req, &app.store, &app.config, now).await,
            Handler::Monitor => return self.monitor_by_url(&req).await,
            Handler::Api => api::api(req, &self.api_deps(), now).await,
            Handler::ExportCsv => {
                handlers::export_csv(req, &app.store, &app.store, Some(&app.store), &app.config, now).await
            }
            // The pages behind the dashboard secret: the api function's, with its dependencies.
            Handler::QuietPage | Handler::MaintenancePage | Handler::CalendarsPage | Handler::ChannelsPage => {
                api::serve(req, &self.api_deps(), now).await
            }
            Handler::Badge => handlers::badge(req, &app.store, &app.config, &self.keys, now).await,
            Handler::Detail => handlers::detail(req, &app.store, &app.config, now).await,
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
