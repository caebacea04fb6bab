//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The reference data folder `../shared` beside the checkout, if present.
///
/// Tests that need it call this and return early when it is `None`, after saying why.
#[allow(clippy::print_stderr)]
pub(crate) fn shared_dir(what: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared");
    // A git worktree under `wt/` sits one level deeper than the main checkout.
    let nested = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join("shared");
    if dir.is_dir() {
        Some(dir)
    } else if nested.is_dir() {
        Some(nested)
    } else {
        eprintln!(
            "skipping {what}: reference data ../shared is absent (expected at {})",
            dir.display()
        );
        None
    }
}

/// The crate root.
pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Path to the built `scwform` binary.
pub(crate) fn scwform_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_scwform"))
}
