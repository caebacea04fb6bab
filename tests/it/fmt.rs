//! `scwform fmt`: byte-identical to `terraform fmt` on the reference fixtures, and the
//! command's behaviour (exit codes, `--check`, `--diff`, `--recursive`, stdin, safety).

use std::fs;
use std::path::{Path, PathBuf};

use scwform::format::format_source;

use crate::common;

/// Every `input/X.tf` formats to `canonical/X.tf` (made by HashiCorp's formatter).
#[test]
#[allow(clippy::print_stderr)]
fn fmt_matches_terraform_on_every_fixture() {
    let Some(shared) = shared_dir("fmt fixtures") else {
        return;
    };
    let input = shared.join("fixtures/hcl/input");
    let canonical = shared.join("fixtures/hcl/canonical");
    let mut names: Vec<PathBuf> = fs::read_dir(&input)
        .expect("the fixtures directory is readable")
        .map(|e| e.expect("directory entries are readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no fixtures in {}", input.display());
    let mut mismatches = Vec::new();
    for path in &names {
        let name = path.file_name().expect("a file has a name");
        let src = fs::read_to_string(path).expect("fixtures are UTF-8");
        let want =
            fs::read_to_string(canonical.join(name)).expect("every input has a canonical twin");
        let got = format_source(&src);
        if got != want {
            mismatches.push(first_difference(Path::new(name), &got, &want));
        }
        assert_eq!(
            format_source(&got),
            got,
            "formatting {} twice changes it",
            name.display()
        );
    }
    eprintln!(
        "fmt fixtures: {} of {} match terraform fmt",
        names.len() - mismatches.len(),
        names.len()
    );
    assert!(
        mismatches.is_empty(),
        "mismatches:\n{}",
        mismatches.join("\n")
    );
}

/// `../shared`, or the directory named by `SCWFORM_SHARED_DIR` (for checkouts, such as git
/// worktrees, that do not sit beside it).
fn shared_dir(what: &str) -> Option<PathBuf> {
    std::env::var_os("SCWFORM_SHARED_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
        .or_else(|| common::shared_dir(what))
}

fn first_difference(name: &Path, got: &str, want: &str) -> String {
    let line = got
        .lines()
        .zip(want.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| got.lines().count().min(want.lines().count()));
    format!(
        "{}: line {}: got {:?}, want {:?}",
        name.display(),
        line + 1,
        got.lines().nth(line).unwrap_or("<end>"),
        want.lines().nth(line).unwrap_or("<end>")
    )
}
