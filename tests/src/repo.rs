//! Where the repository root is, and whether `npm ci` has put dynalite there.

use std::path::{Path, PathBuf};

/// The directory holding the root `package.json`, found by walking up from this package.
pub fn repo_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .find(|dir| dir.join("package.json").is_file())
        .unwrap_or_else(|| {
            panic!(
                "no package.json in {} or above: the e2e tests expect the repo layout with package.json at its root",
                manifest_dir.display()
            )
        })
        .to_path_buf()
}

/// dynalite's command-line entry point inside `node_modules`.
pub(crate) fn dynalite_cli(root: &Path) -> PathBuf {
    let package = root.join("node_modules").join("dynalite");
    let cli = package.join("cli.js");
    assert!(
        cli.is_file(),
        "dynalite is not installed ({} is missing): run `npm ci` in the repo root (make test does this)",
        cli.display()
    );
    cli
}
