//! `GET /heartbeat/badge/{badgeKey}/{scope}.svg|.json`: a status badge for one pulse (its id), a host
//! (`host:NAME`) or a category (`category:NAME`), as SVG or as a shields.io endpoint. Badges go into
//! public READMEs: the key is their own (`BADGE_KEY`), and every refusal is the same bare 404.

use crate::api::Keys;
use crate::config::Config;
use crate::model::{Pulse, PulseId};
use crate::rules::state::{self, State};
use crate::store::config::{CalendarStore, load_book};
use crate::store::{MaintenanceStore, PulseReader};
use askama::Template;
use chrono::{DateTime, Utc};
use lambda_http::http::{HeaderValue, Method, StatusCode, header};
use lambda_http::{Body, Request, Response};

/// Badges change at most every monitor run; a minute of caching spares the table from README views.
const CACHE: &str = "public, max-age=60";

#[derive(Debug, Clone, PartialEq)]
pub struct Badge {
    pub label: String,
    pub message: String,
    pub color: &'static str,
}

#[derive(Template)]
#[template(path = "badge.svg", escape = "html")]
struct BadgeSvg<'a> {
    label: &'a str,
    message: &'a str,
    color: &'a str,
    total: usize,
    label_width: usize,
    message_width: usize,
    label_x: usize,
    message_x: usize,
}

enum Scope {
    Pulse(PulseId),
    Host(String),
    Category(String),
}

enum Format {
    Svg,
    Json,
}

/// What a badge reads: the pulses, and the maintenance windows and holiday calendars their status
/// depends on.
pub trait BadgeStore: PulseReader + MaintenanceStore + CalendarStore {}

impl<T: PulseReader + MaintenanceStore + CalendarStore> BadgeStore for T {}

pub async fn badge(
    req: Request,
    store: &dyn BadgeStore,
    config: &Config,
    keys: &Keys,
    now: DateTime<Utc>,
) -> Response<Body> {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return not_found();
    }
    let Some((key, scope, format)) = parse_path(req.uri().path()) else {
        return not_found();
    };
    // Not configured and a wrong key look the same from outside.
    if !keys.badge.as_ref().is_some_and(|k| k.matches(&key)) {
        return not_found();
    }
    let badge = match find(store, &scope, config, now).await {
        Ok(Some(badge)) => badge,
        Ok(None) => return not_found(),
        Err(err) => {
            tracing::warn!(%err, "badge: the table cannot be read");
            return crate::http::HttpError::Unavailable.to_text();
        }
    };
    let (content_type, body) = match format {
        Format::Svg => ("image/svg+xml", svg(&badge)),
        Format::Json => (
            "application/json",
            serde_json::json!({
                "schemaVersion": 1,
                "label": badge.label,
                "message": badge.message,
                "color": badge.color,
            })
            .to_string(),
        ),
    };
    let mut res = Response::new(Body::Text(body));
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    res
}

fn not_found() -> Response<Body> {
    crate::http::response::text(StatusCode::NOT_FOUND, "Not found\n")
}

/// `…/heartbeat/badge/{key}/{scope}.{svg|json}`, each segment percent-decoded.
fn parse_path(path: &str) -> Option<(String, Scope, Format)> {
    let (_, rest) = path.split_once("/heartbeat/badge/")?;
    let (key, file) = rest.split_once('/')?;
    let (scope, format) = if let Some(s) = file.strip_suffix(".svg") {
        (s, Format::Svg)
    } else {
        (file.strip_suffix(".json")?, Format::Json)
    };
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .ok()
            .map(|c| c.into_owned())
    };
    let (key, scope) = (decode(key)?, decode(scope)?);
    let scope = if let Some(host) = scope.strip_prefix("host:") {
        Scope::Host(host.to_owned())
    } else if let Some(category) = scope.strip_prefix("category:") {
        Scope::Category(category.to_owned())
    } else {
        Scope::Pulse(PulseId::parse(&scope).ok()?)
    };
    Some((key, scope, format))
}

/// The pulses in scope, each named by its status as the API names it (silences and holidays
/// included); the windows and calendars are read only when there is a pulse to judge.
async fn find(
    store: &dyn BadgeStore,
    scope: &Scope,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<Option<Badge>, crate::store::StoreError> {
    let (label, pulses): (String, Vec<Pulse>) = match scope {
        Scope::Pulse(id) => match store.get(id).await? {
            Some(p) => (p.key.name.clone(), vec![p]),
            None => return Ok(None),
        },
        Scope::Host(name) | Scope::Category(name) => {
            let by_host = matches!(scope, Scope::Host(_));
            let listing = store.list().await?;
            let chosen = listing
                .pulses
                .into_iter()
                .filter(|p| {
                    if by_host {
                        p.key.host == *name
                    } else {
                        p.key.category == *name
                    }
                })
                .collect();
            (name.clone(), chosen)
        }
    };
    if pulses.is_empty() {
        return Ok(None);
    }
    let windows = store.windows().await?;
    let book = load_book(store, config, true).await?;
    let states: Vec<State> = pulses
        .iter()
        .map(|p| state::judge(p, config.default_timezone, now, &windows, &book).1)
        .collect();
    Ok(match scope {
        Scope::Pulse(_) => Some(single(&label, states[0])),
        _ => group(&label, &states),
    })
}

/// Up, down (late, overrun, failed) or silenced (snoozed, paused, in maintenance).
fn kind(state: State) -> Kind {
    if state.needs_attention() {
        Kind::Down
    } else if state.is_quiet() {
        Kind::Quiet
    } else {
        // ok, and running: a running job is up, nothing is wrong yet.
        Kind::Up
    }
}

#[derive(PartialEq)]
enum Kind {
    Up,
    Down,
    Quiet,
}

const GREEN: &str = "#2e7d32";
const RED: &str = "#c62828";
const GREY: &str = "#757575";

fn single(label: &str, state: State) -> Badge {
    let (message, color) = match kind(state) {
        Kind::Up => ("up", GREEN),
        Kind::Down => (state.name(), RED),
        Kind::Quiet => (state.name(), GREY),
    };
    Badge {
        label: label.to_owned(),
        message: message.into(),
        color,
    }
}

/// A group is up when none of its pulses is down (silenced ones are not); otherwise it says how
/// many are. No pulses: no badge.
pub fn group(label: &str, states: &[State]) -> Option<Badge> {
    if states.is_empty() {
        return None;
    }
    let late = states.iter().filter(|s| kind(**s) == Kind::Down).count();
    // "late" as before when lateness is all there is; "down" once failures or overruns are among them.
    let word = if states.iter().all(|s| !matches!(s, State::Overrun | State::Failed)) {
        "late"
    } else {
        "down"
    };
    Some(if late == 0 {
        Badge {
            label: label.to_owned(),
            message: "up".into(),
            color: GREEN,
        }
    } else {
        Badge {
            label: label.to_owned(),
            message: format!("{late} of {} {word}", states.len()),
            color: RED,
        }
    })
}

/// Widths from a rough 7 px a character at 11 px Verdana: good enough for a README badge.
pub fn svg(badge: &Badge) -> String {
    let width = |text: &str| text.chars().count() * 7 + 10;
    let (label_width, message_width) = (width(&badge.label), width(&badge.message));
    let page = BadgeSvg {
        label: &badge.label,
        message: &badge.message,
        color: badge.color,
        total: label_width + message_width,
        label_width,
        message_width,
        label_x: label_width / 2,
        message_x: label_width + message_width / 2,
    };
    page.render().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use State::*;

    #[test]
    fn names_are_escaped_in_svg() {
        let badge = single("<script>alert(1)</script>&\"", Late);
        let text = svg(&badge);
        assert!(!text.contains("<script>"), "{text}");
        assert!(
            text.contains("&#60;script&#62;alert(1)&#60;/script&#62;&#38;&#34;"),
            "{text}"
        );
        assert!(text.contains(">late</text>"), "{text}");
    }

    #[test]
    fn groups_count_late_pulses() {
        assert_eq!(group("db", &[]), None);
        assert_eq!(group("db", &[Ok, Running]).unwrap().message, "up");
        let late = group("db", &[Ok, Late, Late]).unwrap();
        assert_eq!((late.message.as_str(), late.color), ("2 of 3 late", "#c62828"));
        let down = group("db", &[Late, Failed, Snoozed]).unwrap();
        assert_eq!(down.message, "2 of 3 down");
        assert_eq!(group("db", &[Ok, Paused, Maintenance]).unwrap().message, "up");
    }

    #[test]
    fn a_silenced_pulse_says_so_in_grey() {
        for state in [Snoozed, Paused, Maintenance] {
            let badge = single("backup", state);
            assert_eq!((badge.message.as_str(), badge.color), (state.name(), GREY));
        }
        assert_eq!(single("backup", Running).message, "up");
        assert_eq!(single("backup", Overrun).color, RED);
    }
}
