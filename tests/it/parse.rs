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

fn nested(kind: &str, depth: usize, closed: bool) -> String {
    let (open, close) = match kind {
        "object" => ("{a = ", "}"),
        "tuple" => ("[", "]"),
        "call" => ("f(", ")"),
        _ => ("\"${", "}\""),
    };
    let mut s = format!("x = {}1", open.repeat(depth));
    if closed {
        s.push_str(&close.repeat(depth));
    }
    s.push('\n');
    s
}

#[test]
fn deep_nesting_200_levels_parses_when_closed_and_fails_when_not() {
    for kind in ["object", "tuple", "call", "template"] {
        let ok = nested(kind, 200, true);
        parse_source(&ok, FileId(0)).unwrap_or_else(|d| panic!("{kind}: {:?}", d.0[0].summary));
        let err = parse_source(&nested(kind, 200, false), FileId(0)).expect_err(kind);
        assert!(err.0[0].code.starts_with("scw::parse::"), "{kind}");
    }
}

#[test]
fn absurdly_deep_nesting_is_refused_not_a_crash() {
    for kind in ["object", "tuple", "call", "template"] {
        for closed in [true, false] {
            let src = nested(kind, 1_500, closed);
            let err = parse_source(&src, FileId(0)).expect_err(kind);
            assert!(
                err.0[0].code.starts_with("scw::parse::"),
                "{kind}: {}",
                err.0[0].code
            );
        }
    }
}
