//! Every HTTP route of heartbeat, written once: which method and path reach which Lambda function and
//! which handler inside it. The api function's dispatch (`api::serve`), the local runtime
//! (`infra/local`), the end-to-end Lambda router and the test of `template.yaml` and `openapi.json`
//! (`tests/tests/e2e/lambda.rs`) all read `ROUTES`; `template.yaml` must say the same on both API types.
//!
//! Adding a route is one line in `ROUTES`, e.g.
//! `Route::new("GET", "/heartbeat/status", Function::Api, Handler::StatusPage),`
//! then the handler's arm where it is answered (`api::serve` for the api function, the local
//! runtime's `match`) and the same method and path in both APIs of `template.yaml`, which the test
//! demands. A new operation of the JSON API under `/heartbeat/api/v1/` needs no line here as long as
//! its method is one the `{proxy+}` rows list.

/// A Lambda function of the stack: one package `functions/<binary>` and one `AWS::Serverless::Function`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Function {
    Pulse,
    Dashboard,
    EditGet,
    EditPost,
    Monitor,
    Api,
    Badge,
    Detail,
}

impl Function {
    /// The package folder under `functions/`, which is also its binary's name and its `CodeUri`.
    pub fn binary(self) -> &'static str {
        match self {
            Function::Pulse => "pulse",
            Function::Dashboard => "dashboard",
            Function::EditGet => "edit-get",
            Function::EditPost => "edit-post",
            Function::Monitor => "monitor",
            Function::Api => "api",
            Function::Badge => "badge",
            Function::Detail => "detail",
        }
    }
}

/// What answers a route inside its function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Handler {
    /// `handlers::pulse`: the pulse and its start/fail signals.
    Pulse,
    Dashboard,
    /// `handlers::edit_get`: the edit form.
    EditForm,
    /// `handlers::edit_post_checked`: saves or deletes a pulse.
    EditSave,
    /// The monitor's run asked for by URL.
    Monitor,
    /// `api::api`: the JSON API.
    Api,
    /// `handlers::export_csv`: the dashboard's CSV.
    ExportCsv,
    QuietPage,
    MaintenancePage,
    CalendarsPage,
    ChannelsPage,
    Badge,
    /// `handlers::detail`: one pulse's page.
    Detail,
}

/// One route: `method` and `path` as API Gateway writes them (`{name}` is one path segment,
/// `{name+}` the rest of the path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub function: Function,
    pub handler: Handler,
}

impl Route {
    pub const fn new(method: &'static str, path: &'static str, function: Function, handler: Handler) -> Self {
        Self {
            method,
            path,
            function,
            handler,
        }
    }
}

use Function as F;
use Handler as H;

/// The routes, grouped by path; of a path's rows the first answers the methods none of them lists
/// (locally; API Gateway answers those itself).
pub const ROUTES: &[Route] = &[
    Route::new("GET", "/heartbeat/pulse", F::Pulse, H::Pulse),
    Route::new("POST", "/heartbeat/pulse", F::Pulse, H::Pulse),
    Route::new("GET", "/heartbeat/pulse/start", F::Pulse, H::Pulse),
    Route::new("POST", "/heartbeat/pulse/start", F::Pulse, H::Pulse),
    Route::new("GET", "/heartbeat/pulse/fail", F::Pulse, H::Pulse),
    Route::new("POST", "/heartbeat/pulse/fail", F::Pulse, H::Pulse),
    Route::new("GET", "/heartbeat/dashboard", F::Dashboard, H::Dashboard),
    Route::new("GET", "/heartbeat/edit", F::EditGet, H::EditForm),
    Route::new("POST", "/heartbeat/edit", F::EditPost, H::EditSave),
    Route::new("GET", "/heartbeat/monitor", F::Monitor, H::Monitor),
    Route::new("GET", "/heartbeat/api/v1/{proxy+}", F::Api, H::Api),
    Route::new("PUT", "/heartbeat/api/v1/{proxy+}", F::Api, H::Api),
    Route::new("POST", "/heartbeat/api/v1/{proxy+}", F::Api, H::Api),
    Route::new("PATCH", "/heartbeat/api/v1/{proxy+}", F::Api, H::Api),
    Route::new("DELETE", "/heartbeat/api/v1/{proxy+}", F::Api, H::Api),
    Route::new("GET", "/heartbeat/export.csv", F::Api, H::ExportCsv),
    Route::new("GET", "/heartbeat/quiet", F::Api, H::QuietPage),
    Route::new("POST", "/heartbeat/quiet", F::Api, H::QuietPage),
    Route::new("GET", "/heartbeat/maintenance", F::Api, H::MaintenancePage),
    Route::new("POST", "/heartbeat/maintenance", F::Api, H::MaintenancePage),
    Route::new("GET", "/heartbeat/calendars", F::Api, H::CalendarsPage),
    Route::new("POST", "/heartbeat/calendars", F::Api, H::CalendarsPage),
    Route::new("GET", "/heartbeat/channels", F::Api, H::ChannelsPage),
    Route::new("POST", "/heartbeat/channels", F::Api, H::ChannelsPage),
    Route::new("GET", "/heartbeat/badge/{key}/{scope}", F::Badge, H::Badge),
    Route::new("GET", "/heartbeat/pulses/{id}", F::Detail, H::Detail),
];

/// The route of `method path` under any stage prefix (`/Prod/heartbeat/…`); for a method no row of
/// the path lists, the path's first row (its handler then answers 405 with what it accepts).
pub fn find(method: &str, path: &str) -> Option<&'static Route> {
    let path = without_stage(path)?;
    let mut of_path = ROUTES.iter().filter(|route| matches(route.path, path)).peekable();
    let first = *of_path.peek()?;
    Some(
        of_path
            .find(|route| route.method.eq_ignore_ascii_case(method))
            .unwrap_or(first),
    )
}

/// Whether `method path` (a request's path, under any stage prefix) is a route of the table as it
/// stands, the method included: what API Gateway lets through.
pub fn routes(method: &str, path: &str) -> Option<&'static Route> {
    find(method, path).filter(|route| route.method.eq_ignore_ascii_case(method))
}

/// The paths served, for a 404 that says what there is.
pub fn paths() -> Vec<&'static str> {
    let mut paths: Vec<&str> = ROUTES.iter().map(|route| route.path).collect();
    paths.dedup();
    paths
}

/// The path from its first `/heartbeat/` on: API Gateway's REST stage (`/Prod`) or a proxy's base
/// path before it is dropped.
fn without_stage(path: &str) -> Option<&str> {
    path.find("/heartbeat/").map(|at| &path[at..])
}

/// Whether a request path fits a pattern; one trailing slash after a fixed part is forgiven.
pub fn matches(pattern: &str, path: &str) -> bool {
    let mut parts = pattern.split('/');
    let mut segments = path.split('/');
    loop {
        match (parts.next(), segments.next()) {
            (None, None) => return true,
            // `/heartbeat/edit/`: the empty segment after the last fixed part.
            (None, Some("")) => return segments.next().is_none() && !pattern.ends_with('}'),
            (None, Some(_)) | (Some(_), None) => return false,
            // The rest, even empty: locally the API answers `/heartbeat/api/v1/` with its own 404.
            (Some(part), Some(_)) if part.starts_with('{') && part.ends_with("+}") => return true,
            (Some(part), Some(segment)) if part.starts_with('{') => {
                if segment.is_empty() {
                    return false;
                }
            }
            (Some(part), Some(segment)) => {
                if part != segment {
                    return false;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handler(method: &str, path: &str) -> Option<Handler> {
        find(method, path).map(|route| route.handler)
    }

    #[test]
    fn paths_are_found_under_any_stage_prefix() {
        assert_eq!(handler("GET", "/heartbeat/pulse"), Some(H::Pulse));
        assert_eq!(handler("POST", "/Prod/heartbeat/pulse/start"), Some(H::Pulse));
        assert_eq!(handler("GET", "/heartbeat/pulse/fail"), Some(H::Pulse));
        assert_eq!(handler("GET", "/heartbeat/pulse/other"), None);
        assert_eq!(handler("GET", "/Prod/heartbeat/dashboard"), Some(H::Dashboard));
        assert_eq!(handler("GET", "/v1/heartbeat/edit/"), Some(H::EditForm));
        assert_eq!(handler("POST", "/v1/heartbeat/edit"), Some(H::EditSave));
        assert_eq!(handler("GET", "/heartbeat/monitor"), Some(H::Monitor));
        assert_eq!(handler("GET", "/heartbeat/other"), None);
        assert_eq!(handler("PUT", "/Prod/heartbeat/api/v1/channels/ops"), Some(H::Api));
        assert_eq!(handler("GET", "/heartbeat/api/v1/"), Some(H::Api), "the API's own 404");
        assert_eq!(handler("GET", "/heartbeat/api/v1"), None);
        assert_eq!(handler("GET", "/heartbeat/badge/k/host:db.svg"), Some(H::Badge));
        assert_eq!(handler("GET", "/heartbeat/badge/k"), None);
        assert_eq!(handler("GET", "/heartbeat/export.csv"), Some(H::ExportCsv));
        assert_eq!(handler("POST", "/heartbeat/channels"), Some(H::ChannelsPage));
        assert_eq!(handler("GET", "/heartbeat/pulses/abc"), Some(H::Detail));
        assert_eq!(handler("GET", "/heartbeat/pulses/"), None);
        assert_eq!(handler("GET", "/heartbeat/pulses/a/b"), None);
        assert_eq!(handler("GET", "/heartbeat/pulses/a/"), None);
        assert_eq!(handler("GET", "/pulse"), None);
        assert_eq!(handler("GET", "/base/path/heartbeat/pulse"), Some(H::Pulse));
        let channel_named_heartbeat = "/Prod/heartbeat/api/v1/channels/heartbeat/test";
        assert_eq!(handler("POST", channel_named_heartbeat), Some(H::Api));
    }

    #[test]
    fn a_method_no_row_lists_goes_to_the_paths_first_handler() {
        assert_eq!(handler("DELETE", "/heartbeat/edit"), Some(H::EditForm));
        assert_eq!(handler("PUT", "/heartbeat/dashboard"), Some(H::Dashboard));
        assert_eq!(routes("PUT", "/heartbeat/dashboard"), None, "API Gateway answers it");
        assert_eq!(routes("post", "/heartbeat/edit").map(|r| r.function), Some(F::EditPost));
    }

    #[test]
    fn each_method_and_path_is_written_once_and_a_path_keeps_one_function_per_method() {
        for (i, route) in ROUTES.iter().enumerate() {
            assert!(route.path.starts_with("/heartbeat/"), "{route:?}");
            assert_eq!(route.method, route.method.to_uppercase(), "{route:?}");
            let again = ROUTES[i + 1..]
                .iter()
                .any(|other| other.method == route.method && other.path == route.path);
            assert!(!again, "{} {} is written twice", route.method, route.path);
        }
        // A path's rows stay together: its first row is the one for methods none lists, and
        // `paths()` drops neighbours only.
        let mut seen: Vec<&str> = Vec::new();
        for pair in ROUTES.windows(2) {
            if pair[0].path != pair[1].path {
                seen.push(pair[0].path);
                assert!(!seen.contains(&pair[1].path), "{}'s rows are apart", pair[1].path);
            }
        }
        assert_eq!(paths().len(), 14, "{:?}", paths());
    }
}
