//! Parser behaviour: shared fixtures, spans, errors, templates, precedence, deep nesting.

use scwform::diag::FileId;
use scwform::parse::parse_source;

use crate::common;

#[test]
fn every_shared_fixture_parses() {
    let Some(shared) = common::shared_dir("shared HCL fixtures") else {
        return;
    };
    let dir = shared.join("fixtures/hcl/input");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures dir is readable")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    paths.sort();
    let mut failures = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).expect("fixture is UTF-8");
        if let Err(d) = parse_source(&text, FileId(0)) {
            failures.push(format!(
                "{}: {:?}",
                path.display(),
                d.0.first().map(|d| (&d.summary, d.primary_span()))
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}

#[test]
fn parses_blocks_attributes_and_references() {
    let src = "resource \"scaleway_account_project\" \"main\" {\n  name = \"p-${var.env}\"\n  tags = [\"a\", 1.5e2, true, null]\n  n = upper(local.x[0].y)\n}\n";
    let file = parse_source(src, FileId(0)).expect("valid HCL");
    let block = file.body.blocks().next().expect("one block");
    assert_eq!(block.ident.name, "resource");
    let labels: Vec<_> = block.labels.iter().map(|l| l.value.as_str()).collect();
    assert_eq!(labels, ["scaleway_account_project", "main"]);
    let names: Vec<_> = block
        .body
        .attributes()
        .map(|a| a.name.name.as_str())
        .collect();
    assert_eq!(names, ["name", "tags", "n"]);
    assert_eq!(&src[block.open_brace.range()], "{");
    assert_eq!(&src[block.close_brace.range()], "}");
}
