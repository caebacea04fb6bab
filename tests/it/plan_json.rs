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
        "ns" | "c" => "scaleway_container_namespace",
        "tok" | "legacy" => "scaleway_container_token",
        other => panic!("unmapped resource {other}"),
    };
    format!("{type_name}.{rest}")
}

fn map_attribute(resource: &str, attribute: &str) -> &'static str {
    match (resource, attribute) {
        ("ns" | "c", "input") => "name",
        ("tok" | "legacy", "input") => "description",
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
