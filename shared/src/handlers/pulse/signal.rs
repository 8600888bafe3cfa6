//! The signal parameters of the pulse routes: which route, `exit`, `duration`, the log, `rid` and
//! `maxRuntime`. Parsed before anything is written, so a bad value writes nothing.

use crate::http::HttpError;
use crate::http::params::Params;
use crate::model::{MaxRuntime, Signal, SignalKind, log_tail};
use chrono::TimeDelta;

/// A duration longer than this is a mistake (a timestamp sent as a duration, say).
const MAX_DURATION_SECONDS: f64 = 366.0 * 86_400.0;
/// Run ids are the client's; longer ones are not ids.
const MAX_RID_CHARS: usize = 64;

/// Which of the pulse routes a request came to: `/heartbeat/pulse`, `…/pulse/start`, `…/pulse/fail`
/// (under any stage prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Pulse,
    Start,
    Fail,
}

impl Route {
    pub fn of(path: &str) -> Self {
        let path = path.trim_end_matches('/');
        if path.ends_with("/pulse/start") {
            Route::Start
        } else if path.ends_with("/pulse/fail") {
            Route::Fail
        } else {
            Route::Pulse
        }
    }

    /// The answer of a recorded signal (the original's text for the original route).
    pub fn answer(self) -> &'static str {
        match self {
            Route::Pulse => crate::http::response::PULSE_OK,
            Route::Start => "Started",
            Route::Fail => "Failure recorded",
        }
    }
}

/// The signal a request carries; `body_log` is a `text/plain` body.
pub fn signal(route: Route, params: &Params, body_log: Option<String>) -> Result<Signal, HttpError> {
    let exit = params
        .single("exit")?
        .filter(|raw| !raw.is_empty())
        .map(exit_code)
        .transpose()?;
    let kind = match (route, exit) {
        (Route::Start, Some(_)) => {
            return Err(HttpError::BadRequest(
                "exit is the end of a run; send it with /heartbeat/pulse or /heartbeat/pulse/fail, not with /start"
                    .into(),
            ));
        }
        (Route::Start, None) => SignalKind::Start,
        (Route::Fail, Some(0)) => {
            return Err(HttpError::BadRequest(
                "exit=0 means success: send it to /heartbeat/pulse, or give /fail the job's non-zero exit code".into(),
            ));
        }
        (Route::Fail, _) => SignalKind::Failure,
        (Route::Pulse, Some(code)) if code > 0 => SignalKind::Failure,
        (Route::Pulse, _) => SignalKind::Success,
    };
    let duration = params
        .single("duration")?
        .filter(|raw| !raw.is_empty())
        .map(duration)
        .transpose()?;
    let log = match (body_log, params.single("log")?) {
        (Some(body), _) => Some(body),
        (None, Some(field)) => Some(field.to_owned()),
        (None, None) => None,
    }
    .filter(|log| !log.is_empty())
    .map(|log| log_tail(&log).to_owned());
    let rid = match params.single("rid")?.filter(|raw| !raw.is_empty()) {
        Some(rid) if rid.chars().count() > MAX_RID_CHARS || rid.chars().any(char::is_control) => {
            return Err(HttpError::BadRequest(format!(
                "rid must be a run id of at most {MAX_RID_CHARS} printable characters"
            )));
        }
        rid => rid.map(str::to_owned),
    };
    let max_runtime = match params.single("maxRuntime")? {
        None | Some("") => None,
        Some(raw) => Some(MaxRuntime::parse(raw).map_err(|e| HttpError::BadRequest(e.to_string()))?),
    };
    Ok(Signal {
        kind,
        exit,
        duration,
        log: if kind == SignalKind::Start { None } else { log },
        rid,
        max_runtime,
    })
}

fn exit_code(raw: &str) -> Result<u8, HttpError> {
    raw.trim().parse::<u8>().map_err(|_| {
        let shown: String = raw.chars().take(20).collect();
        HttpError::BadRequest(format!(
            "exit must be the job's exit code, a whole number from 0 to 255, not “{shown}”"
        ))
    })
}

fn duration(raw: &str) -> Result<TimeDelta, HttpError> {
    let refuse = || {
        let shown: String = raw.chars().take(20).collect();
        HttpError::BadRequest(format!(
            "duration must be the run's length in seconds, a number such as 42 or 3.5 (0 or more), not “{shown}”"
        ))
    };
    let seconds: f64 = raw.trim().parse().map_err(|_| refuse())?;
    if !seconds.is_finite() || !(0.0..=MAX_DURATION_SECONDS).contains(&seconds) {
        return Err(refuse());
    }
    Ok(TimeDelta::milliseconds((seconds * 1000.0).round() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn routes_by_path_under_any_stage() {
        assert_eq!(Route::of("/heartbeat/pulse"), Route::Pulse);
        assert_eq!(Route::of("/Prod/heartbeat/pulse/start"), Route::Start);
        assert_eq!(Route::of("/heartbeat/pulse/fail/"), Route::Fail);
    }

    #[test]
    fn the_kind_follows_route_and_exit() {
        let kind = |route, exit: &str| signal(route, &params(&[("exit", exit)]), None).map(|s| s.kind);
        assert_eq!(kind(Route::Pulse, "").unwrap(), SignalKind::Success);
        assert_eq!(kind(Route::Pulse, "0").unwrap(), SignalKind::Success);
        assert_eq!(kind(Route::Pulse, "3").unwrap(), SignalKind::Failure);
        assert_eq!(kind(Route::Fail, "").unwrap(), SignalKind::Failure);
        assert_eq!(kind(Route::Fail, "255").unwrap(), SignalKind::Failure);
        assert_eq!(kind(Route::Start, "").unwrap(), SignalKind::Start);
        assert!(kind(Route::Fail, "0").is_err());
        assert!(kind(Route::Start, "1").is_err());
    }

    #[test]
    fn bad_values_are_named() {
        let cases = [
            ("exit", "256"),
            ("exit", "-1"),
            ("exit", "three"),
            ("exit", "1.5"),
            ("duration", "-1"),
            ("duration", "soon"),
            ("duration", "NaN"),
            ("duration", "inf"),
            ("duration", "1e12"),
            ("maxRuntime", "0"),
            ("rid", &"r".repeat(65)),
        ];
        for (name, value) in cases {
            let err = signal(Route::Pulse, &params(&[(name, value)]), None).unwrap_err();
            let HttpError::BadRequest(text) = err else {
                panic!("{name}={value}: not a 400")
            };
            assert!(text.contains(name), "{name}={value}: {text}");
        }
    }

    #[test]
    fn durations_and_logs() {
        let s = signal(
            Route::Pulse,
            &params(&[("duration", "1.25"), ("log", "from a field")]),
            None,
        )
        .unwrap();
        assert_eq!(s.duration, Some(TimeDelta::milliseconds(1250)));
        assert_eq!(s.log.as_deref(), Some("from a field"));
        let body = "x".repeat(20_000) + "the end";
        let s = signal(Route::Fail, &params(&[]), Some(body)).unwrap();
        let log = s.log.unwrap();
        assert_eq!(log.len(), 10_000);
        assert!(log.ends_with("the end"));
    }
}
