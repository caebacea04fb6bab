//! `validate`: every error fixture reports its expected diagnostic at the expected line (and
//! is snapshotted as rendered), the seed documents' examples validate verbatim, and the CLI's
//! exit codes, human output and `--json` shape.

use std::path::{Path, PathBuf};
use std::process::Command;

use scwform::diag::render_plain;
use scwform::model::evaluate::{EvalOptions, NoPriorValues};
use scwform::model::load::{LoadOptions, Loaded, load_texts};

use crate::common;

fn validate_options() -> LoadOptions {
    LoadOptions {
        eval: EvalOptions {
            validate_only: true,
            ..EvalOptions::default()
        },
        ..LoadOptions::default()
    }
}

fn load_one(name: &str, text: &str) -> Loaded {
    load_texts(
        vec![(name.to_owned(), text.to_owned())],
        &validate_options(),
        &NoPriorValues,
    )
}

fn sorted_files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixture directory exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

/// `# expect: CODE line N` header lines.
fn expectations(text: &str) -> Vec<(String, usize)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# expect: "))
        .map(|rest| {
            let (code, line) = rest
                .split_once(" line ")
                .expect("expect lines read `# expect: CODE line N`");
            (
                code.trim().to_owned(),
                line.trim().parse().expect("line number"),
            )
        })
        .collect()
}

#[test]
fn every_error_fixture_reports_its_diagnostic_at_its_line() {
    let dir = common::repo_root().join("tests/fixtures/errors");
    let files = sorted_files(&dir, "tf");
    assert!(files.len() >= 30, "only {} error fixtures", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name");
        let text = std::fs::read_to_string(path).expect("readable fixture");
        let expected = expectations(&text);
        assert!(!expected.is_empty(), "{stem}: no `# expect:` header");
        let name = format!("{stem}.tf");
        let loaded = load_one(&name, &text);
        let rendered = render_plain(&loaded.diagnostics, &loaded.sources);
        for (code, line) in &expected {
            let found = loaded.diagnostics.iter().any(|d| {
                d.code == code
                    && d.primary_span()
                        .is_some_and(|s| loaded.sources.range(s).0.line == *line)
            });
            if !found {
                failures.push(format!(
                    "{stem}: expected {code} at line {line}, got:\n{rendered}"
                ));
            }
        }
        insta::with_settings!({
            snapshot_path => "snapshots/errors",
            prepend_module_to_snapshot => false,
            description => text.lines().next().unwrap_or_default(),
        }, {
            insta::assert_snapshot!(stem, rendered);
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn only_warning_fixtures_are_valid() {
    // A fixture whose expectations are all warnings must otherwise be valid; every other
    // fixture must be invalid.
    let dir = common::repo_root().join("tests/fixtures/errors");
    for path in sorted_files(&dir, "tf") {
        let text = std::fs::read_to_string(&path).expect("readable fixture");
        let loaded = load_one("f.tf", &text);
        let warning_only = loaded.diagnostics.iter().all(|d| !d.is_error());
        let expects_warning = expectations(&text)
            .iter()
            .all(|(code, _)| code.ends_with("unknown_region"));
        assert_eq!(warning_only, expects_warning, "{}", path.display());
    }
}

/// The `terraform` code fences of a seed document, with the document's resource name.
fn seed_examples(text: &str) -> (String, Vec<String>) {
    let title = text
        .lines()
        .find_map(|l| l.strip_prefix("page_title: \"Scaleway: scaleway_"))
        .and_then(|t| t.strip_suffix('"'))
        .expect("seed has a page_title");
    let mut examples = Vec::new();
    let mut current: Option<String> = None;
    for line in text.split_inclusive('\n') {
        match &mut current {
            None if line.trim_end() == "```terraform" => current = Some(String::new()),
            Some(body) if line.trim_end() == "```" => {
                examples.push(std::mem::take(body));
                current = None;
            }
            Some(body) => body.push_str(line),
            None => {}
        }
    }
    (title.to_owned(), examples)
}

#[test]
fn seed_examples_validate_verbatim_and_match_the_examples_copies() {
    let Some(shared) = common::shared_dir("seed examples") else {
        return;
    };
    let mut seen = 0;
    for seed in sorted_files(&shared.join("seeds"), "txt") {
        let text = std::fs::read_to_string(&seed).expect("readable seed");
        let (name, examples) = seed_examples(&text);
        assert!(
            !examples.is_empty(),
            "{}: no terraform example",
            seed.display()
        );
        for (i, example) in examples.iter().enumerate() {
            let label = format!("{name}-{}", i + 1);
            let loaded = load_one(&format!("{label}.tf"), example);
            assert!(
                !loaded.diagnostics.has_errors(),
                "{label} does not validate:\n{}",
                render_plain(&loaded.diagnostics, &loaded.sources)
            );
            let copy = common::repo_root()
                .join("examples/seeds")
                .join(&label)
                .join("main.tf");
            let bytes =
                std::fs::read(&copy).unwrap_or_else(|e| panic!("{} missing: {e}", copy.display()));
            assert_eq!(
                bytes,
                example.as_bytes(),
                "{} differs from the seed",
                copy.display()
            );
            seen += 1;
        }
    }
    assert!(seen >= 3);
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(common::scwform_bin())
        .args(args)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .output()
        .expect("scwform runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn validate_exits_zero_and_says_success_when_valid() {
    let dir = common::repo_root().join("examples/environments");
    let (code, stdout, stderr) = run(&["validate", dir.to_str().expect("utf-8 path")]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "Success! The configuration is valid.\n");
    assert_eq!(stderr, "");
}

#[test]
fn validate_exits_one_with_diagnostics_on_stderr_when_invalid() {
    let file = common::repo_root().join("tests/fixtures/errors/undeclared_variable.tf");
    let (code, stdout, stderr) = run(&["validate", file.to_str().expect("utf-8 path")]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("Reference to undeclared input variable"),
        "{stderr}"
    );
    assert!(stderr.contains("Did you mean \"environment\"?"), "{stderr}");
}

#[test]
fn validate_json_has_terraforms_shape() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"scaleway_container_namespace\" \"main\" {\n  region = \"paris\"\n  nmae   = \"x\"\n}\n",
    )
    .expect("write");
    let (code, stdout, _) = run(&[
        "validate",
        "--json",
        dir.path().to_str().expect("utf-8 path"),
    ]);
    assert_eq!(code, 1);
    // Field order is part of the format.
    assert!(
        stdout.starts_with("{\n  \"format_version\": \"1.0\",\n  \"valid\": false,\n  \"error_count\": 2,\n  \"warning_count\": 0,\n  \"diagnostics\": ["),
        "{stdout}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("valid JSON");
    let filtered = stdout.replace(dir.path().to_str().expect("utf-8"), "[TMP]");
    insta::assert_snapshot!("validate_json", filtered);
    let first = &json["diagnostics"][0];
    assert_eq!(first["severity"], "error");
    assert_eq!(first["range"]["start"]["line"], 2);
    assert_eq!(first["range"]["start"]["column"], 12);
}

#[test]
fn validate_json_reports_valid_configurations() {
    let dir = common::repo_root().join("examples/environments");
    let (code, stdout, _) = run(&["validate", "--json", dir.to_str().expect("utf-8 path")]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("valid JSON");
    assert_eq!(json["valid"], true);
    assert_eq!(json["error_count"], 0);
    assert_eq!(json["diagnostics"], serde_json::json!([]));
}

#[test]
fn validate_treats_unset_variables_as_unknown() {
    let loaded = load_one(
        "main.tf",
        "variable \"name\" {\n  type = string\n}\n\nresource \"scaleway_account_project\" \"p\" {\n  name = var.name\n}\n",
    );
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let p = &loaded.config.instances[0];
    assert!(p.attributes["name"].is_unknown());
}

#[test]
fn validate_reads_every_tf_file_of_a_directory_and_no_others() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("a.tf"),
        "resource \"scaleway_account_project\" \"p\" {}\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("b.tf"),
        "resource \"scaleway_container_namespace\" \"ns\" {\n  project_id = scaleway_account_project.p.id\n}\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("notes.txt"), "not hcl {").expect("write");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    std::fs::write(dir.path().join("sub/c.tf"), "broken {").expect("write");
    let (code, stdout, stderr) = run(&["validate", dir.path().to_str().expect("utf-8")]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "Success! The configuration is valid.\n");
}

#[test]
fn validate_fails_on_a_directory_without_configuration() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, _, stderr) = run(&["validate", dir.path().to_str().expect("utf-8")]);
    assert_eq!(code, 1);
    assert!(stderr.contains("No configuration files"), "{stderr}");
}

/// Every `"scw::…"` code string in the sources.
fn codes_in(dir: &Path, out: &mut std::collections::BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("source directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            codes_in(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("source file");
            // Codes appear as string literals and in `#[diagnostic(code(scw::…))]` attributes.
            let literal = text.match_indices("\"scw::").map(|(i, _)| i + 1);
            let attribute = text.match_indices("code(scw::").map(|(i, _)| i + 5);
            for i in literal.chain(attribute) {
                let rest = &text[i..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                    .unwrap_or(rest.len());
                out.insert(rest[..end].to_owned());
            }
        }
    }
}

#[test]
fn every_diagnostic_code_is_documented() {
    let mut codes = std::collections::BTreeSet::new();
    codes_in(&common::repo_root().join("src"), &mut codes);
    let docs = std::fs::read_to_string(common::repo_root().join("docs/errors.md"))
        .expect("docs/errors.md");
    let missing: Vec<&String> = codes
        .iter()
        .filter(|c| c.matches("::").count() == 2 && !c.ends_with("::"))
        .filter(|c| !common::documented_codes(&docs).contains(c.as_str()))
        .collect();
    assert!(missing.is_empty(), "undocumented codes: {missing:?}");
    assert!(codes.len() > 50);
}

/// Issue 9 item 11: every region Scaleway's SDK knows is accepted for every regional type,
/// `it-mil` included (the provider validates regions against `scw.AllRegions` and only warns
/// otherwise); a well-formed unknown region is a warning, never an error.
#[test]
fn issue_9_regions_the_provider_accepts_are_valid_and_unknown_ones_warn() {
    for region in scwform::locality::ALL_REGIONS {
        for type_name in scwform::schema::type_names() {
            let schema = scwform::schema::resource(type_name).expect("known type");
            if schema.attribute("region").is_none_or(|a| !a.configurable()) {
                continue;
            }
            let text = format!("resource \"{type_name}\" \"x\" {{\n  region = \"{region}\"\n}}\n");
            let loaded = load_one("main.tf", &text);
            let region_diags: Vec<_> = loaded
                .diagnostics
                .iter()
                .filter(|d| d.code.contains("region"))
                .collect();
            assert!(
                region_diags.is_empty(),
                "{type_name} in {region}: {region_diags:?}"
            );
        }
    }
    let loaded = load_one(
        "main.tf",
        "resource \"scaleway_container_namespace\" \"x\" {\n  region = \"de-fra\"\n}\n",
    );
    let codes: Vec<_> = loaded
        .diagnostics
        .iter()
        .map(|d| (d.code, d.is_error()))
        .collect();
    assert_eq!(codes, [("scw::model::unknown_region", false)]);
}
