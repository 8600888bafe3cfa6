//! Our own stylesheet and scripts, inlined into the pages. One copy of their bytes feeds both the
//! templates and the CSP hashes, so an edit of an asset can never leave a stale hash behind.

pub(crate) const STYLE: &str = include_str!("../../templates/assets/style.css");
pub(crate) const DASHBOARD_SCRIPT: &str = include_str!("../../templates/assets/dashboard.js");
pub(crate) const EDIT_SCRIPT: &str = include_str!("../../templates/assets/edit.js");

/// Every inline script any page may carry; the CSP allows exactly these.
pub(crate) const SCRIPTS: [&str; 2] = [DASHBOARD_SCRIPT, EDIT_SCRIPT];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_cannot_close_their_own_tag() {
        // The page embeds them raw between <style>/<script> tags; a closing tag inside would end
        // the element early and leave the rest as markup outside the hash.
        assert!(!STYLE.to_ascii_lowercase().contains("</style"));
        for script in SCRIPTS {
            let lower = script.to_ascii_lowercase();
            assert!(!lower.contains("</script") && !lower.contains("<!--"));
        }
    }
}
