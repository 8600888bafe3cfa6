//! Where reports go and which pulse they are about: the service's base URL, the pulse's identity and
//! the settings the service applies when the pulse is first created.

use crate::report::Report;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Url;

/// Every byte but RFC 3986's unreserved characters is escaped. `Url::query_pairs_mut` would write a
/// space as `+`, which the service reads as a plus in the four names that make a pulse's id (the
/// original's clients send them unencoded): a space must travel as `%20`, a plus as `%2B`.
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetError {
    #[error(
        "--url / HEARTBEAT_URL {0:?} is not a URL: give the service's base, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/Prod/heartbeat"
    )]
    NotAUrl(String),
    #[error("--url / HEARTBEAT_URL must start with https:// or http://, not {0:?}")]
    Scheme(String),
    #[error(
        "--url / HEARTBEAT_URL must not carry a query or fragment ({0:?}): give the key with --key / HEARTBEAT_KEY"
    )]
    Query(String),
}

/// The pulse's identity, as the service hashes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub host: String,
    pub category: String,
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Target {
    base: Url,
    key: Option<String>,
    identity: Identity,
    /// `threshold`, `maxRuntime`: applied by the service only when it creates the pulse.
    settings: Vec<(&'static str, String)>,
}

/// One HTTP request, ready to send as often as needed.
#[derive(Debug, Clone)]
pub struct Request {
    pub url: Url,
    pub key: Option<String>,
    pub body: Option<String>,
}

impl Target {
    pub fn new(
        base: &str,
        key: Option<String>,
        identity: Identity,
        settings: Vec<(&'static str, String)>,
    ) -> Result<Self, TargetError> {
        Ok(Self {
            base: parse_base(base)?,
            key: key.filter(|k| !k.is_empty()),
            identity,
            settings,
        })
    }

    pub fn request(&self, report: &Report) -> Request {
        let mut url = self.base.clone();
        url.set_path(&format!(
            "{}/{}",
            self.base.path().trim_end_matches('/'),
            report.signal.route()
        ));
        let Identity {
            host,
            category,
            kind,
            name,
        } = &self.identity;
        let identity = [("host", host), ("category", category), ("type", kind), ("name", name)];
        let settings = self.settings.iter().map(|(k, v)| (*k, v));
        let params = report.params();
        let query = identity
            .into_iter()
            .chain(settings)
            .map(|(k, v)| (k, v.as_str()))
            .chain(params.iter().map(|(k, v)| (*k, v.as_str())))
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    utf8_percent_encode(k, ESCAPED),
                    utf8_percent_encode(v, ESCAPED)
                )
            })
            .collect::<Vec<_>>()
            .join("&");
        url.set_query(Some(&query));
        Request {
            url,
            key: self.key.clone(),
            body: report.log.clone().filter(|log| !log.is_empty()),
        }
    }
}

/// The base URL as given, without a trailing `/pulse`: the shell wrapper's `HEARTBEAT_URL` names the
/// pulse route itself, and the same variable should work for both.
fn parse_base(given: &str) -> Result<Url, TargetError> {
    let mut url = Url::parse(given.trim()).map_err(|_| TargetError::NotAUrl(given.to_owned()))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(TargetError::Scheme(url.scheme().to_owned()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(TargetError::Query(given.to_owned()));
    }
    let path = url.path().trim_end_matches('/');
    let path = path.strip_suffix("/pulse").unwrap_or(path).to_owned();
    url.set_path(&path);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Signal;
    use std::time::Duration;

    fn identity() -> Identity {
        Identity {
            host: "web 1".into(),
            category: "backup".into(),
            kind: "cron".into(),
            name: "nightly&db+1".into(),
        }
    }

    #[test]
    fn base_urls_table() {
        for (given, base) in [
            ("https://x.example/Prod/heartbeat", "https://x.example/Prod/heartbeat"),
            ("https://x.example/Prod/heartbeat/", "https://x.example/Prod/heartbeat"),
            (
                "https://x.example/Prod/heartbeat/pulse",
                "https://x.example/Prod/heartbeat",
            ),
            (
                "https://x.example/Prod/heartbeat/pulse/",
                "https://x.example/Prod/heartbeat",
            ),
            (" http://127.0.0.1:3000/heartbeat ", "http://127.0.0.1:3000/heartbeat"),
        ] {
            assert_eq!(parse_base(given).unwrap().as_str(), base, "{given}");
        }
        for (given, error) in [
            (
                "x.example/heartbeat",
                TargetError::NotAUrl("x.example/heartbeat".into()),
            ),
            ("", TargetError::NotAUrl(String::new())),
            ("ftp://x.example/heartbeat", TargetError::Scheme("ftp".into())),
            (
                "https://x.example/heartbeat?key=1",
                TargetError::Query("https://x.example/heartbeat?key=1".into()),
            ),
        ] {
            assert_eq!(parse_base(given).unwrap_err(), error, "{given}");
        }
    }

    #[test]
    fn a_request_names_the_route_the_pulse_and_what_the_report_says() {
        let target = Target::new(
            "https://x.example/Prod/heartbeat",
            Some("s3cret".into()),
            identity(),
            vec![("threshold", "24".into()), ("maxRuntime", "1.5".into())],
        )
        .unwrap();
        let report = Report {
            exit: Some(3),
            duration: Some(Duration::from_millis(2500)),
            message: Some("exited with 3".into()),
            log: Some("boom\n".into()),
            ..Report::new(Signal::Failure)
        };
        let request = target.request(&report);
        assert_eq!(
            request.url.as_str(),
            "https://x.example/Prod/heartbeat/pulse/fail?host=web%201&category=backup&type=cron&name=nightly%26db%2B1\
             &threshold=24&maxRuntime=1.5&exit=3&duration=2.500&message=exited%20with%203",
            "a space is %20 and a plus %2B: the service reads a bare + as a plus in a name, as a space elsewhere"
        );
        assert_eq!(request.key.as_deref(), Some("s3cret"));
        assert_eq!(request.body.as_deref(), Some("boom\n"));

        let start = target.request(&Report::new(Signal::Start));
        assert_eq!(start.url.path(), "/Prod/heartbeat/pulse/start");
        assert_eq!(start.body, None);
    }

    #[test]
    fn an_empty_key_or_log_is_not_sent() {
        let target = Target::new("http://h/heartbeat", Some(String::new()), identity(), vec![]).unwrap();
        let report = Report {
            log: Some(String::new()),
            ..Report::new(Signal::Success)
        };
        let request = target.request(&report);
        assert_eq!(request.key, None);
        assert_eq!(request.body, None);
        assert_eq!(request.url.path(), "/heartbeat/pulse");
    }
}
