//! SigV4 for the wire client's requests (a POST to `/` with DynamoDB's JSON), keeping the day's
//! signing key: it is four HMACs deep, the same for every request of a day with the same
//! credentials, and the general signer (`aws-sigv4`) derives it again for each request, with a
//! canonical request built through header maps. The tests check every signature against
//! `aws-sigv4`'s for the same request.

use aws_credential_types::Credentials;
use chrono::{DateTime, Datelike, Timelike, Utc};
use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::sync::Mutex;

type Hmac = hmac::Hmac<Sha256>;

const SERVICE: &str = "dynamodb";
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

/// The headers a request carries besides `host` and its length, signed.
pub struct Signed {
    pub amz_date: String,
    pub authorization: String,
}

pub struct Signer {
    region: String,
    /// The signing key of the last day and secret it was derived for.
    key: Mutex<Option<DayKey>>,
}

struct DayKey {
    day: String,
    secret: String,
    key: [u8; 32],
}

impl Signer {
    pub fn new(region: String) -> Self {
        Self {
            region,
            key: Mutex::new(None),
        }
    }

    /// Signs a POST of `body` to `target` on `authority` (the `host` header) at `now`.
    pub fn sign(
        &self,
        credentials: &Credentials,
        authority: &str,
        target: &str,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Signed {
        let amz_date = amz_date(now);
        let day = &amz_date[..8];
        let token = credentials.session_token();
        let signed_headers = if token.is_some() {
            "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
        } else {
            "content-type;host;x-amz-date;x-amz-target"
        };
        let mut canonical = String::with_capacity(320);
        for part in [
            "POST\n/\n\ncontent-type:",
            CONTENT_TYPE,
            "\nhost:",
            authority,
            "\nx-amz-date:",
            &amz_date,
        ] {
            canonical.push_str(part);
        }
        if let Some(token) = token {
            canonical.push_str("\nx-amz-security-token:");
            canonical.push_str(token.trim());
        }
        for part in ["\nx-amz-target:", target, "\n\n", signed_headers, "\n"] {
            canonical.push_str(part);
        }
        canonical.push_str(&hex::encode(Sha256::digest(body)));
        let scope = format!("{day}/{}/{SERVICE}/aws4_request", self.region);
        let to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
            hex::encode(Sha256::digest(canonical.as_bytes()))
        );
        let key = self.day_key(day, credentials.secret_access_key());
        let signature = hex::encode(hmac(&key, to_sign.as_bytes()));
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
            credentials.access_key_id()
        );
        Signed {
            amz_date,
            authorization,
        }
    }

    fn day_key(&self, day: &str, secret: &str) -> [u8; 32] {
        let mut slot = self.key.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(kept) = slot.as_ref()
            && kept.day == day
            && kept.secret == secret
        {
            return kept.key;
        }
        let mut key = hmac(format!("AWS4{secret}").as_bytes(), day.as_bytes());
        for part in [self.region.as_str(), SERVICE, "aws4_request"] {
            key = hmac(&key, part.as_bytes());
        }
        *slot = Some(DayKey {
            day: day.to_owned(),
            secret: secret.to_owned(),
            key,
        });
        key
    }
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// `20261202T153000Z`.
fn amz_date(now: DateTime<Utc>) -> String {
    let year = now.year().clamp(0, 9999) as u32;
    let mut out = String::with_capacity(16);
    for (i, n) in [
        year / 100,
        year % 100,
        now.month(),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
    ]
    .into_iter()
    .enumerate()
    {
        if i == 4 {
            out.push('T');
        }
        out.push(char::from(b'0' + (n / 10 % 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
    }
    out.push('Z');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    use aws_sigv4::sign::v4;
    use aws_smithy_runtime_api::client::identity::Identity;
    use std::time::SystemTime;

    /// What `aws-sigv4` makes of the same request.
    fn reference(
        credentials: &Credentials,
        region: &str,
        url: &str,
        target: &str,
        body: &[u8],
        at: SystemTime,
    ) -> (String, String) {
        let identity = Identity::from(credentials.clone());
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(region)
            .name(SERVICE)
            .time(at)
            .settings(SigningSettings::default())
            .build()
            .expect("params")
            .into();
        let headers = [("content-type", CONTENT_TYPE), ("x-amz-target", target)];
        let signable =
            SignableRequest::new("POST", url, headers.iter().copied(), SignableBody::Bytes(body)).expect("signable");
        let (instructions, _) = sign(signable, &params).expect("signed").into_parts();
        let header = |name: &str| {
            instructions
                .headers()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_owned())
                .unwrap_or_default()
        };
        (header("x-amz-date"), header("authorization"))
    }

    #[test]
    fn signatures_match_the_sdks_signer_with_and_without_a_session_token_across_days() {
        let signer = Signer::new("eu-west-1".into());
        let plain = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "test",
        );
        let session = Credentials::new(
            "ASIAEXAMPLE",
            "other/secret",
            Some("FwoGZXIvYXdzE//token==".into()),
            None,
            "test",
        );
        let cases = [
            (
                &plain,
                "dynamodb.eu-west-1.amazonaws.com",
                "https://dynamodb.eu-west-1.amazonaws.com/",
            ),
            (
                &session,
                "dynamodb.eu-west-1.amazonaws.com",
                "https://dynamodb.eu-west-1.amazonaws.com/",
            ),
            (&plain, "127.0.0.1:8000", "http://127.0.0.1:8000/"),
        ];
        let body = br#"{"TableName":"heartbeat","Key":{"_id":{"S":"ab"}},"UpdateExpression":"SET #n0 = :v0"}"#;
        // Two instants of one day (the kept key), the next day, and back with other credentials.
        for seconds in [1_796_200_000_i64, 1_796_210_000, 1_796_300_000] {
            let now = DateTime::from_timestamp(seconds, 0).expect("instant");
            for (credentials, authority, url) in cases {
                for target in ["DynamoDB_20120810.UpdateItem", "DynamoDB_20120810.PutItem"] {
                    let ours = signer.sign(credentials, authority, target, body, now);
                    let (date, authorization) = reference(credentials, "eu-west-1", url, target, body, now.into());
                    assert_eq!(ours.amz_date, date);
                    assert_eq!(ours.authorization, authorization, "{url} {target} at {now}");
                }
            }
        }
    }

    #[test]
    fn the_date_is_written_in_the_basic_format() {
        let now = DateTime::parse_from_rfc3339("2026-03-04T05:06:07Z")
            .expect("date")
            .to_utc();
        assert_eq!(amz_date(now), "20260304T050607Z");
    }
}
