//! How the local runtime is told what to do: environment variables (the same names `make run`
//! documents), read once at start.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub enum StoreChoice {
    /// dynalite on disk under the data folder: nothing to set up.
    Dynalite { port: u16 },
    /// A real DynamoDB table through the usual AWS credential chain (self-hosted mode).
    Aws { create_table: bool },
}

#[derive(Debug, Clone)]
pub struct Options {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// `None`: no scheduled monitor (on demand only).
    pub monitor_every: Option<Duration>,
    pub store: StoreChoice,
}

#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct OptionsError {
    pub variable: &'static str,
    pub problem: String,
}

impl Options {
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, OptionsError> {
        let get = |name: &str| vars.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let port: u16 = parse(
            get("HEARTBEAT_PORT"),
            "HEARTBEAT_PORT",
            3000,
            "a port number such as 3000",
        )?;
        let host: IpAddr = parse(
            get("HEARTBEAT_HOST"),
            "HEARTBEAT_HOST",
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            "an IP address such as 127.0.0.1",
        )?;
        let every: f64 = parse(
            get("HEARTBEAT_MONITOR_EVERY"),
            "HEARTBEAT_MONITOR_EVERY",
            60.0,
            "seconds between monitor runs (0 = off)",
        )?;
        if !every.is_finite() || every < 0.0 {
            return Err(OptionsError {
                variable: "HEARTBEAT_MONITOR_EVERY",
                problem: "must be 0 (off) or more seconds".into(),
            });
        }
        let store = match get("HEARTBEAT_STORE").unwrap_or("dynalite") {
            "dynalite" => StoreChoice::Dynalite {
                port: parse(
                    get("DYNALITE_PORT"),
                    "DYNALITE_PORT",
                    0,
                    "a port number (0 picks a free one)",
                )?,
            },
            "aws" => StoreChoice::Aws {
                create_table: get("HEARTBEAT_CREATE_TABLE") == Some("1"),
            },
            other => {
                return Err(OptionsError {
                    variable: "HEARTBEAT_STORE",
                    problem: format!(
                        "“{other}” is neither dynalite (local, the default) nor aws (a real DynamoDB table)"
                    ),
                });
            }
        };
        Ok(Self {
            listen: SocketAddr::new(host, port),
            data_dir: PathBuf::from(get("HEARTBEAT_DATA").unwrap_or(".data")),
            monitor_every: (every > 0.0).then(|| Duration::from_secs_f64(every)),
            store,
        })
    }
}

fn parse<T: std::str::FromStr>(
    raw: Option<&str>,
    variable: &'static str,
    default: T,
    expected: &str,
) -> Result<T, OptionsError> {
    match raw {
        None => Ok(default),
        Some(raw) => raw.parse().map_err(|_| OptionsError {
            variable,
            problem: format!("“{raw}” is not {expected}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_and_choices() {
        let o = Options::from_vars(&vars(&[])).unwrap();
        assert_eq!(o.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(o.monitor_every, Some(Duration::from_secs(60)));
        assert_eq!(o.store, StoreChoice::Dynalite { port: 0 });
        let o = Options::from_vars(&vars(&[
            ("HEARTBEAT_STORE", "aws"),
            ("HEARTBEAT_MONITOR_EVERY", "0"),
            ("HEARTBEAT_PORT", "8080"),
        ]))
        .unwrap();
        assert_eq!(o.store, StoreChoice::Aws { create_table: false });
        assert_eq!(o.monitor_every, None);
        assert_eq!(o.listen.port(), 8080);
        for (var, value) in [
            ("HEARTBEAT_PORT", "x"),
            ("HEARTBEAT_STORE", "redis"),
            ("HEARTBEAT_MONITOR_EVERY", "-1"),
        ] {
            assert_eq!(Options::from_vars(&vars(&[(var, value)])).unwrap_err().variable, var);
        }
    }
}
