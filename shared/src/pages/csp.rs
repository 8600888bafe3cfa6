//! The Content-Security-Policy of every HTML page: nothing loads from anywhere, and only our own
//! inline stylesheet and scripts apply, each allowed by the SHA-256 of its exact bytes.

use super::assets::{SCRIPTS, STYLE};
use base64::prelude::{BASE64_STANDARD, Engine as _};
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

/// A CSP hash source, `'sha256-<base64>'`, over the UTF-8 bytes between the tags; CSP wants
/// standard base64 with padding (RFC 4648 §4).
pub(crate) fn source_hash(text: &str) -> String {
    format!("'sha256-{}'", BASE64_STANDARD.encode(Sha256::digest(text.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_hash_matches_a_known_csp_hash() {
        // The hash browsers report for an empty inline element.
        assert_eq!(source_hash(""), "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
        // One whose encoding needs the standard alphabet's `/` and the padding.
        assert_eq!(
            source_hash("a"),
            "'sha256-ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs='"
        );
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
