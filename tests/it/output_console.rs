//! `scwform output` (and the outputs an apply prints) in Terraform's console form: every object
//! key quoted, `tolist`/`toset`/`tomap` around collections, heredocs for strings spanning lines,
//! Go's string quoting. The expected text is `terraform output` of the same configuration,
//! recorded from Terraform 1.11 and re-checked live when terraform is installed.

use std::path::PathBuf;

use crate::e2e::harness::Workdir;
use crate::plan_json::{copy_dir, terraform_offline};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/output_console")
}

fn recorded() -> String {
    std::fs::read_to_string(fixture().join("terraform-output.txt")).expect("recorded answer")
}

#[test]
fn outputs_are_printed_as_terraform_prints_them() {
    let w = Workdir::new();
    w.write(&std::fs::read_to_string(fixture().join("main.tf")).expect("fixture"));
    let applied = w.sandbox(&["apply", "-auto-approve"]);
    applied.expect(0);
    assert!(
        applied
            .stdout
            .contains(&format!("Outputs:\n\n{}", recorded())),
        "{}",
        applied.stdout
    );
    let shown = w.sandbox(&["output"]);
    shown.expect(0);
    assert_eq!(shown.stdout, recorded());
    let one = w.sandbox(&["output", "c"]);
    one.expect(0);
    assert_eq!(one.stdout, "tomap({\n  \"k\" = 1\n})\n");
}

#[test]
#[allow(clippy::print_stderr)] // says why it skips
fn the_recorded_outputs_are_what_terraform_prints() {
    let dir = copy_dir(&fixture());
    std::fs::remove_file(dir.path().join("terraform-output.txt")).expect("remove the answer");
    let Some(_) = terraform_offline(dir.path(), &["init", "-input=false"]) else {
        eprintln!("skipping the re-check of the recorded outputs: no terraform binary");
        return;
    };
    terraform_offline(dir.path(), &["apply", "-auto-approve", "-input=false"]);
    let printed = terraform_offline(dir.path(), &["output", "-no-color"]).expect("terraform");
    assert_eq!(
        printed,
        recorded(),
        "Terraform's answer changed: record it again"
    );
}
