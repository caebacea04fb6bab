//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The reference data folder `../shared` beside the checkout, if present.
///
/// Tests that need it call this and return early when it is `None`, after saying why.
#[allow(clippy::print_stderr)]
pub(crate) fn shared_dir(what: &str) -> Option<PathBuf> {
    // `SCWFORM_SHARED_DIR` points elsewhere, e.g. from a checkout that has no `../shared`.
    let dir = std::env::var_os("SCWFORM_SHARED_DIR").map_or_else(
        || {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("shared")
        },
        PathBuf::from,
    );
    if dir.is_dir() {
        Some(dir)
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
