//! Every directory under `examples/` (the seed copies included) is a valid configuration.
//!
//! Planning and applying them against the emulator is added once the planner exists.

use std::path::{Path, PathBuf};

use scwform::diag::render_plain;
use scwform::model::evaluate::{EvalOptions, NoPriorValues};
use scwform::model::load::{LoadOptions, load_path};

use crate::common;

/// Directories that hold `.tf` files, recursively.
fn example_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("examples directory")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    if entries
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "tf"))
    {
        out.push(dir.to_path_buf());
    }
    // `modules/` holds the modules an example calls, not examples.
    for p in entries
        .iter()
        .filter(|p| p.is_dir() && !p.ends_with("modules"))
    {
        example_dirs(p, out);
    }
}

#[test]
fn every_example_validates() {
    let mut dirs = Vec::new();
    example_dirs(&common::repo_root().join("examples"), &mut dirs);
    let names: Vec<String> = dirs
        .iter()
        .map(|d| {
            d.strip_prefix(common::repo_root().join("examples"))
                .expect("under examples")
                .display()
                .to_string()
        })
        .collect();
    for required in [
        "quickstart",
        "quickstart-modules",
        "modules-moved",
        "environments",
        "team-layout",
        "seeds/container_token-1",
    ] {
        assert!(
            names.iter().any(|n| n == required),
            "missing example {required}"
        );
    }
    let options = LoadOptions {
        eval: EvalOptions {
            validate_only: true,
            ..EvalOptions::default()
        },
        ..LoadOptions::default()
    };
    for dir in &dirs {
        let loaded = load_path(dir, &options, &NoPriorValues);
        assert!(
            !loaded.diagnostics.has_errors(),
            "{}:\n{}",
            dir.display(),
            render_plain(&loaded.diagnostics, &loaded.sources)
        );
        assert!(!loaded.config.instances.is_empty(), "{}", dir.display());
    }
}

#[test]
fn environments_example_expands_one_stack_per_environment() {
    let loaded = load_path(
        &common::repo_root().join("examples/environments"),
        &LoadOptions::default(),
        &NoPriorValues,
    );
    assert!(!loaded.diagnostics.has_errors(), "{:?}", loaded.diagnostics);
    let containers: Vec<String> = loaded
        .config
        .instances
        .keys()
        .filter(|a| a.resource.type_name == "scaleway_container")
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        containers,
        [
            "scaleway_container.api[\"production\"]",
            "scaleway_container.api[\"staging\"]"
        ]
    );
}
