//! The JSON plan's `configuration` compared with Terraform's own: the fixture
//! `tests/fixtures/plan_json/configuration` holds a configuration, the same configuration written
//! with `terraform_data` (which Terraform plans offline), and Terraform 1.11's `configuration`
//! section for it. Names are mapped and every resource, expression, output and variable is
//! compared: references with instance keys (`ns["a"].id`, `ns["a"]`, `ns`), computed indexes,
//! splats, legacy `.0` indexes, nested local and variable traversals, `count`/`for_each`
//! expressions and `depends_on`.

use serde_json::{Map, Value};

use crate::common;
use crate::e2e::harness::Workdir;

fn fixture() -> std::path::PathBuf {
    common::repo_root().join("tests/fixtures/plan_json/configuration")
}

/// Terraform's names to ours: resource types by resource name, attributes by name.
fn map_reference(text: &str) -> String {
    let Some(rest) = text.strip_prefix("terraform_data.") else {
        return text.to_owned();
    };
    let name_end = rest.find(['.', '[']).unwrap_or(rest.len());
    let type_name = match &rest[..name_end] {
        "ns" | "c" | "lit" | "fixed" | "called" => "scaleway_container_namespace",
        "tok" | "legacy" => "scaleway_container_token",
        other => panic!("unmapped resource {other}"),
    };
    format!("{type_name}.{rest}")
}

fn map_attribute(resource: &str, attribute: &str) -> &'static str {
    match (resource, attribute) {
        ("ns" | "c" | "lit" | "fixed" | "called", "input") => "name",
        ("lit" | "fixed", "triggers_replace") | ("tok" | "legacy", "input") => "description",
        ("tok" | "legacy", "triggers_replace") => "namespace_id",
        other => panic!("unmapped attribute {other:?}"),
    }
}

/// Rewrites every string that is a reference, and the `type`/`address` fields.
fn map_strings(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(map_reference(s)),
        Value::Array(items) => items.iter().map(map_strings).collect(),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| (k.clone(), map_strings(v)))
            .collect::<Map<_, _>>()
            .into(),
        other => other.clone(),
    }
}

/// Terraform's resource entry in our names.
fn expected_resource(r: &Value) -> Value {
    let name = r["name"].as_str().expect("name");
    let mut out = r.as_object().expect("object").clone();
    let address = map_reference(r["address"].as_str().expect("address"));
    let type_name = address.split('.').next().expect("type").to_owned();
    out.insert("address".into(), address.into());
    out.insert("type".into(), type_name.into());
    out.insert("provider_config_key".into(), "scaleway".into());
    let expressions: Map<String, Value> = r["expressions"]
        .as_object()
        .expect("expressions")
        .iter()
        .map(|(k, v)| (map_attribute(name, k).to_owned(), map_strings(v)))
        .collect();
    out.insert("expressions".into(), expressions.into());
    for key in ["count_expression", "for_each_expression", "depends_on"] {
        if let Some(v) = r.get(key) {
            out.insert(key.into(), map_strings(v));
        }
    }
    Value::Object(out)
}

fn by_address(resources: &Value) -> std::collections::BTreeMap<String, Value> {
    resources
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| {
            (
                r["address"].as_str().expect("address").to_owned(),
                r.clone(),
            )
        })
        .collect()
}

#[test]
fn json_plan_configuration_matches_terraforms_for_the_same_configuration() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture().join("terraform-configuration.json"))
            .expect("Terraform's recorded configuration"),
    )
    .expect("valid JSON");
    let w = Workdir::new();
    std::fs::copy(fixture().join("main.tf"), w.path().join("main.tf")).expect("copy");
    let planned = w.sandbox(&["plan", "--format", "json"]);
    planned.expect(0);
    let plan: Value = serde_json::from_str(&planned.stdout).expect("JSON plan");
    let ours = &plan["configuration"];

    // Resources, with Terraform's names mapped to ours.
    let theirs: std::collections::BTreeMap<String, Value> =
        by_address(&expected["root_module"]["resources"])
            .values()
            .map(|r| {
                let r = expected_resource(r);
                (r["address"].as_str().expect("address").to_owned(), r)
            })
            .collect();
    let mine = by_address(&ours["root_module"]["resources"]);
    assert_eq!(
        mine.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>(),
        "the same resources"
    );
    for (address, expected) in &theirs {
        assert_eq!(&mine[address], expected, "{address}");
    }

    // Outputs and variables, as Terraform writes them.
    assert_eq!(
        ours["root_module"]["outputs"],
        map_strings(&expected["root_module"]["outputs"])
    );
    assert_eq!(
        ours["root_module"]["variables"],
        expected["root_module"]["variables"]
    );

    // The provider entry has Terraform's keys (and the settings of the provider block, here
    // none).
    let provider = &ours["provider_config"]["scaleway"];
    let keys = |v: &Value| {
        v.as_object()
            .expect("object")
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        keys(provider),
        keys(&expected["provider_config"]["terraform"])
    );
    assert_eq!(
        provider["full_name"],
        "registry.terraform.io/scaleway/scaleway"
    );
}

/// Terraform itself, when installed: `terraform` run offline in `dir` (the configurations
/// recorded here use only `terraform_data`, built in).
pub(crate) fn terraform_offline(dir: &std::path::Path, args: &[&str]) -> Option<String> {
    let binary = crate::values_differential::terraform::binary()?;
    let out = std::process::Command::new(binary)
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env_remove("TF_WORKSPACE")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("terraform runs");
    assert!(
        out.status.success(),
        "terraform {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).expect("UTF-8"))
}

/// A copy of a fixture directory's files in a temporary directory.
pub(crate) fn copy_dir(from: &std::path::Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(from).expect("fixture") {
        let entry = entry.expect("entry");
        if entry.path().is_file() {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copy");
        }
    }
    dir
}

#[test]
#[allow(clippy::print_stderr)] // says why it skips
fn the_recorded_configuration_is_what_terraform_answers() {
    let dir = copy_dir(&fixture().join("terraform"));
    let Some(_) = terraform_offline(dir.path(), &["init", "-input=false"]) else {
        eprintln!("skipping the re-check of the recorded JSON configuration: no terraform binary");
        return;
    };
    terraform_offline(dir.path(), &["plan", "-input=false", "-out=p.tfplan"]);
    let shown = terraform_offline(dir.path(), &["show", "-json", "p.tfplan"]).expect("terraform");
    let plan: Value = serde_json::from_str(&shown).expect("JSON plan");
    let recorded: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture().join("terraform-configuration.json")).expect("recorded"),
    )
    .expect("JSON");
    assert_eq!(
        plan["configuration"], recorded,
        "Terraform's answer changed: record it again (see terraform/main.tf)"
    );
}
