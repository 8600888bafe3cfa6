//! The Content-Security-Policy of every HTML page: nothing loads from anywhere, and only our own
//! inline stylesheet and scripts apply, each allowed by the SHA-256 of its exact bytes.

use super::assets::{SCRIPTS, STYLE};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

static POLICY: LazyLock<String> = LazyLock::new(|| {
    let scripts: Vec<String> = SCRIPTS.iter().map(|s| source_hash(s)).collect();
    format!(
        "default-src 'none'; script-src {}; style-src {}; img-src data:; form-action 'self'; \
         base-uri 'none'; frame-ancestors 'none'",
        scripts.join(" "),
        source_hash(STYLE)
    )
});

/// The header value to send with every HTML page (computed once per cold start).
pub fn content_security_policy() -> &'static str {
    POLICY.as_str()
}

/// A CSP hash source, `'sha256-<base64>'`, over the UTF-8 bytes between the tags.
pub(crate) fn source_hash(text: &str) -> String {
    format!("'sha256-{}'", base64(&Sha256::digest(text.as_bytes())))
}

/// Standard base64 with padding (RFC 4648 §4), the encoding CSP hash sources use; small enough
/// not to warrant a dependency for 32-byte digests.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected, "{input:?}");
        }
        assert_eq!(base64(&[0xff, 0xfe, 0xfd, 0x00]), "//79AA==");
    }

    #[test]
    fn source_hash_matches_a_known_csp_hash() {
        // The hash browsers report for an empty inline element.
        assert_eq!(source_hash(""), "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
    }

    #[test]
    fn policy_forbids_everything_but_our_inline_assets() {
        let policy = content_security_policy();
        let directives: Vec<&str> = policy.split("; ").collect();
        assert_eq!(directives[0], "default-src 'none'");
        assert!(directives.contains(&"img-src data:"));
        assert!(directives.contains(&"form-action 'self'"));
        assert!(directives.contains(&"base-uri 'none'"));
        assert!(directives.contains(&"frame-ancestors 'none'"));
        let script_src = directives.iter().find(|d| d.starts_with("script-src ")).unwrap();
        assert_eq!(script_src.matches("'sha256-").count(), SCRIPTS.len());
        let style_src = directives.iter().find(|d| d.starts_with("style-src ")).unwrap();
        assert_eq!(style_src.matches("'sha256-").count(), 1);
        for loose in ["'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"] {
            assert!(!policy.split(' ').any(|token| token == loose), "{loose} in {policy}");
        }
    }
}
