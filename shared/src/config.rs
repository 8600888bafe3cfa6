//! Configuration from the environment, parsed once at cold start, each function reading only the
//! settings it uses. A bad value stops that function with a message naming the variable, except
//! `DASHBOARD_SECRET`, whose absence only closes the pages (503).

use crate::model::{CalendarName, CalendarNames, Threshold, Zone};
use std::collections::HashMap;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    pub table_name: String,
    /// `CONFIG_TABLE_NAME`: the service's own settings (holiday calendars, maintenance windows);
    /// `{TABLE_NAME}-config`
    /// when unset.
    pub config_table_name: String,
    /// `EVENTS_TABLE_NAME`: pulse history; `{TABLE_NAME}-events` when unset.
    pub events_table_name: String,
    /// `HISTORY_DAYS`: how long events are kept (90 when unset); 0 keeps no history.
    pub history_days: u32,
    pub dashboard_secret: Option<Secret>,
    pub slack_webhook_url: Option<String>,
    /// Public base of the links in Slack messages, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/Prod`.
    pub base_url: Option<String>,
    pub pulse_key: Option<Secret>,
    pub default_threshold: Threshold,
    pub default_timezone: Zone,
    /// `None`: never remind.
    pub remind_every: Option<Duration>,
    /// Well under the monitor's Lambda timeout, so a hanging Slack cannot eat the whole run.
    pub slack_timeout: Duration,
    /// `DEFAULT_CALENDARS`: the holiday calendars of every pulse without its own `calendars`.
    pub default_calendars: Vec<CalendarName>,
}

#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

/// A secret compared in constant time and never printed.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// Constant-time in the length of the secret: the time taken does not tell how much matched.
    pub fn matches(&self, candidate: &str) -> bool {
        use sha2::{Digest, Sha256};
        use subtle::ConstantTimeEq;
        // Comparing digests keeps the time independent of the candidate's length as well.
        let a = Sha256::digest(self.0.as_bytes());
        let b = Sha256::digest(candidate.as_bytes());
        a.as_slice().ct_eq(b.as_slice()).into()
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Which function a configuration is for. Each reads and checks only the settings it uses, so that a
/// bad alerting setting (a webhook, a reminder interval) stops the monitor, never pulse intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uses {
    /// `TABLE_NAME`, `DEFAULT_THRESHOLD_HOURS`, `DEFAULT_TIMEZONE`, `PULSE_KEY`.
    Pulse,
    /// The dashboard and the edit pages: `TABLE_NAME`, `DEFAULT_TIMEZONE`, `DASHBOARD_SECRET`.
    Pages,
    /// The JSON API and its CSV export: the pages' settings and `API_KEY`, `API_READ_KEY`.
    Api,
    /// The status badges: `TABLE_NAME`, `DEFAULT_TIMEZONE`, `BADGE_KEY` (never the dashboard secret:
    /// badge URLs end up in public READMEs).
    Badge,
    /// `TABLE_NAME`, `DEFAULT_TIMEZONE`, `DASHBOARD_SECRET`, `SLACK_WEBHOOK_URL`, `BASE_URL`,
    /// `REMIND_EVERY_HOURS`, `SLACK_TIMEOUT_SECONDS`.
    Monitor,
    /// All of them: the local runtime serves every route from one process.
    Everything,
}

impl Uses {
    /// The secrets this function reads, each from its variable or from the SSM parameter that
    /// `<variable>_PARAMETER` names (see [`crate::secrets`]).
    pub fn secrets(self) -> &'static [&'static str] {
        match self {
            Uses::Pulse => &["PULSE_KEY"],
            Uses::Pages => &["DASHBOARD_SECRET"],
            Uses::Api => &["DASHBOARD_SECRET", "API_KEY", "API_READ_KEY"],
            Uses::Badge => &["BADGE_KEY"],
            Uses::Monitor => &["DASHBOARD_SECRET", "SLACK_WEBHOOK_URL"],
            Uses::Everything => &[
                "DASHBOARD_SECRET",
                "SLACK_WEBHOOK_URL",
                "PULSE_KEY",
                "API_KEY",
                "API_READ_KEY",
                "BADGE_KEY",
            ],
        }
    }

    fn pulse(self) -> bool {
        matches!(self, Uses::Pulse | Uses::Everything)
    }

    fn pages(self) -> bool {
        matches!(self, Uses::Pages | Uses::Api | Uses::Monitor | Uses::Everything)
    }

    fn alerting(self) -> bool {
        matches!(self, Uses::Monitor | Uses::Everything)
    }
}

/// Days of history kept when `HISTORY_DAYS` is unset.
pub const DEFAULT_HISTORY_DAYS: u32 = 90;
/// Ten years: longer is surely a typo (and the TTL instant stays far inside every date type).
pub const MAX_HISTORY_DAYS: u32 = 3660;

/// The longest reminder interval: a year, like the longest threshold; a longer one is surely a typo.
pub const MAX_REMIND_HOURS: f64 = 8760.0;

impl Config {
    /// Every setting, as the local runtime (every function's routes in one process) needs them.
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        Self::for_function(Uses::Everything, vars)
    }

    /// Only the settings `uses` names are read; the others keep their neutral value (absent, or the
    /// built-in default), which that function never looks at.
    pub fn for_function(uses: Uses, vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let get = |name: &str| vars.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let default_threshold = match get("DEFAULT_THRESHOLD_HOURS").filter(|_| uses.pulse()) {
            None => Threshold::from_hours(24.0).expect("24 h is a valid threshold"),
            Some(raw) => Threshold::parse(raw).map_err(|e| ConfigError {
                variable: "DEFAULT_THRESHOLD_HOURS",
                problem: e.problem,
            })?,
        };
        let default_timezone = match get("DEFAULT_TIMEZONE") {
            None => Zone::UTC,
            Some(raw) => Zone::parse(raw).map_err(|e| ConfigError {
                variable: "DEFAULT_TIMEZONE",
                problem: e.problem,
            })?,
        };
        let alerting = |name: &str| get(name).filter(|_| uses.alerting());
        let remind_every = match alerting("REMIND_EVERY_HOURS") {
            None => Some(Duration::from_secs(24 * 3600)),
            Some(raw) => parse_remind_every(raw).ok_or_else(|| ConfigError {
                variable: "REMIND_EVERY_HOURS",
                problem: format!(
                    "“{raw}” is not a number of hours from 0 to {MAX_REMIND_HOURS} (0 turns reminders off)"
                ),
            })?,
        };
        let slack_webhook_url = match alerting("SLACK_WEBHOOK_URL") {
            None => None,
            Some(raw) => {
                crate::slack::parse_webhook_url(raw).map_err(|problem| ConfigError {
                    variable: "SLACK_WEBHOOK_URL",
                    problem: format!("{problem}; use the Slack incoming-webhook URL (https://hooks.slack.com/…)"),
                })?;
                Some(raw.to_owned())
            }
        };
        let slack_timeout = match alerting("SLACK_TIMEOUT_SECONDS") {
            None => Duration::from_secs(10),
            Some(raw) => raw
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0 && *s <= 60.0)
                .map(Duration::from_secs_f64)
                .ok_or_else(|| ConfigError {
                    variable: "SLACK_TIMEOUT_SECONDS",
                    problem: format!("“{raw}” is not a number of seconds between 0 and 60"),
                })?,
        };
        let default_calendars = match get("DEFAULT_CALENDARS") {
            None => Vec::new(),
            Some(raw) => CalendarNames::parse(raw)
                .map_err(|e| ConfigError {
                    variable: "DEFAULT_CALENDARS",
                    problem: format!(
                        "{}; list calendar names separated by commas, such as de-BY,company",
                        e.problem
                    ),
                })?
                .names()
                .to_vec(),
        };
        let history_days = match get("HISTORY_DAYS") {
            None => DEFAULT_HISTORY_DAYS,
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|days| *days <= MAX_HISTORY_DAYS)
                .ok_or_else(|| ConfigError {
                    variable: "HISTORY_DAYS",
                    problem: format!(
                        "“{raw}” is not a whole number of days from 0 to {MAX_HISTORY_DAYS} (0 keeps no history)"
                    ),
                })?,
        };
        let table_name = get("TABLE_NAME").unwrap_or("Heartbeat").to_owned();
        Ok(Self {
            config_table_name: get("CONFIG_TABLE_NAME").map_or_else(|| format!("{table_name}-config"), str::to_owned),
            events_table_name: get("EVENTS_TABLE_NAME").map_or_else(|| format!("{table_name}-events"), str::to_owned),
            history_days,
            table_name,
            default_calendars,
            dashboard_secret: get("DASHBOARD_SECRET").filter(|_| uses.pages()).map(Secret::new),
            slack_webhook_url,
            base_url: alerting("BASE_URL").map(|u| u.trim_end_matches('/').to_owned()),
            pulse_key: get("PULSE_KEY").filter(|_| uses.pulse()).map(Secret::new),
            default_threshold,
            default_timezone,
            remind_every,
            slack_timeout,
        })
    }
}

/// Hours from 0 (never remind) to a year. `None` for anything else, a number too large for a
/// `Duration` included (which `Duration::from_secs_f64` would panic on).
fn parse_remind_every(raw: &str) -> Option<Option<Duration>> {
    let hours: f64 = raw.parse().ok()?;
    if !(hours.is_finite() && (0.0..=MAX_REMIND_HOURS).contains(&hours)) {
        return None;
    }
    Some((hours > 0.0).then(|| Duration::from_secs_f64(hours * 3600.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults() {
        let c = Config::from_vars(&vars(&[])).unwrap();
        assert_eq!(c.table_name, "Heartbeat");
        assert!(c.dashboard_secret.is_none());
        assert_eq!(c.default_threshold.to_string(), "24");
        assert_eq!(c.default_timezone, Zone::UTC);
        assert_eq!(c.remind_every, Some(Duration::from_secs(86_400)));
    }

    #[test]
    fn values_and_errors() {
        let c = Config::from_vars(&vars(&[
            ("TABLE_NAME", "T"),
            ("DASHBOARD_SECRET", "s3cret"),
            ("REMIND_EVERY_HOURS", "0"),
            ("DEFAULT_TIMEZONE", "Europe/Berlin"),
            ("BASE_URL", "https://x.example/Prod/"),
        ]))
        .unwrap();
        assert_eq!(c.table_name, "T");
        assert!(c.dashboard_secret.as_ref().unwrap().matches("s3cret"));
        assert!(!c.dashboard_secret.as_ref().unwrap().matches("s3cre"));
        assert_eq!(c.remind_every, None);
        assert_eq!(c.base_url.as_deref(), Some("https://x.example/Prod"));
        for (var, value) in [
            ("REMIND_EVERY_HOURS", "-1"),
            ("DEFAULT_TIMEZONE", "Mars/Base"),
            ("DEFAULT_THRESHOLD_HOURS", "0"),
            ("SLACK_WEBHOOK_URL", "hooks.slack.com"),
        ] {
            let err = Config::from_vars(&vars(&[(var, value)])).unwrap_err();
            assert_eq!(err.variable, var);
        }
    }

    #[test]
    fn history_days_and_the_events_table() {
        let c = Config::from_vars(&vars(&[("TABLE_NAME", "T")])).unwrap();
        assert_eq!((c.history_days, c.events_table_name.as_str()), (90, "T-events"));
        let c = Config::from_vars(&vars(&[("HISTORY_DAYS", "0"), ("EVENTS_TABLE_NAME", "E")])).unwrap();
        assert_eq!((c.history_days, c.events_table_name.as_str()), (0, "E"));
        for bad in ["-1", "1.5", "3661", "ninety"] {
            let err = Config::from_vars(&vars(&[("HISTORY_DAYS", bad)])).unwrap_err();
            assert_eq!(err.variable, "HISTORY_DAYS", "{bad}");
        }
    }

    #[test]
    fn secrets_never_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(…)");
    }
}
