//! The `-json` UI (issue 14): every line of a sandbox plan, apply and destroy stream is one JSON
//! object valid against `docs/json-ui.schema.json`, the message types come in Terraform's
//! order, and no secret (a sensitive variable, a container token) appears in the stream. The
//! schema is also checked against Terraform 1.11's own `-json` output
//! (`tests/fixtures/json_ui`, recorded from its `main.tf` with `terraform_data`), so it describes
//! Terraform's format and not only ours.

use serde_json::Value;

use crate::common;
use crate::e2e::harness::{Api, Workdir, attributes, secrets};

const SECRET_VARIABLE: &str = "s3cr3t-variable-value-1234";

fn config(description: &str) -> String {
    format!(
        r#"
variable "pw" {{
  type      = string
  default   = "{SECRET_VARIABLE}"
  sensitive = true
}}

resource "scaleway_account_project" "main" {{
  name = "json-ui"
}}

resource "scaleway_container_namespace" "apps" {{
  project_id                   = scaleway_account_project.main.id
  name                         = "apps"
  description                  = "{description}"
  secret_environment_variables = {{ PW = var.pw }}
}}

resource "scaleway_container_token" "ci" {{
  namespace_id = scaleway_container_namespace.apps.id
  description  = "ci"
}}

output "token" {{
  value     = scaleway_container_token.ci.token
  sensitive = true
}}

output "namespace" {{
  value = scaleway_container_namespace.apps.name
}}
"#
    )
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo_root().join("docs/json-ui.schema.json"))
            .expect("the schema"),
    )
    .expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

/// Each line parsed and validated; their types.
fn checked(validator: &jsonschema::Validator, stream: &str, what: &str) -> Vec<String> {
    assert!(stream.ends_with('\n'), "{what}: lines end with a newline");
    stream
        .lines()
        .map(|line| {
            let message: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{what}: not one JSON object ({e}): {line}"));
            let errors: Vec<String> = validator
                .iter_errors(&message)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{what}: {line}\n{errors:#?}");
            message["type"].as_str().expect("a type").to_owned()
        })
        .collect()
}

/// The types with runs of the same type collapsed, hook pairs kept.
fn shape(types: &[String]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for t in types {
        if out.last() != Some(&t.as_str()) || t.starts_with("apply_") {
            out.push(t);
        }
    }
    out
}

#[test]
fn terraforms_own_json_ui_validates_against_the_schema() {
    let validator = validator();
    let dir = common::repo_root().join("tests/fixtures/json_ui");
    for file in [
        "plan.jsonl",
        "apply.jsonl",
        "apply2.jsonl",
        "destroy.jsonl",
        "error.jsonl",
    ] {
        let text = std::fs::read_to_string(dir.join(file)).expect("recorded stream");
        let types = checked(&validator, &text, file);
        assert_eq!(types[0], "version", "{file}");
    }
    // The schema can fail: a message without its fields is refused.
    let bad = serde_json::json!({
        "@level": "info", "@message": "m", "@module": "terraform.ui",
        "@timestamp": "2026-01-01T00:00:00Z", "type": "apply_start", "hook": {}
    });
    assert!(!validator.is_valid(&bad));
}

#[test]
fn json_stream_of_a_sandbox_apply_validates_and_holds_no_secret() {
    let validator = validator();
    let w = Workdir::new();
    w.write(&config("first"));

    // -json cannot ask for approval.
    let refused = w.sandbox(&["apply", "-json"]);
    refused.expect(1);
    let types = checked(&validator, &refused.stdout, "apply -json");
    assert_eq!(types, ["version", "diagnostic"]);

    let plan = w.sandbox(&["plan", "-json"]);
    plan.expect(0);
    let types = checked(&validator, &plan.stdout, "plan -json");
    assert_eq!(
        shape(&types),
        [
            "version",
            "diagnostic",
            "planned_change",
            "change_summary",
            "outputs"
        ]
    );

    let first = w.sandbox(&["apply", "-json", "-auto-approve"]);
    first.expect(0);
    assert!(
        first.stderr.is_empty(),
        "everything is on stdout: {}",
        first.stderr
    );
    let types = checked(&validator, &first.stdout, "apply -json");
    let mut expected = vec![
        "version",
        "diagnostic",
        "planned_change",
        "change_summary",
        "outputs",
    ];
    for _ in 0..3 {
        expected.extend(["apply_start", "apply_complete"]);
    }
    expected.extend(["change_summary", "outputs"]);
    assert_eq!(shape(&types), expected);
    let last: Value =
        serde_json::from_str(first.stdout.lines().last().expect("lines")).expect("JSON");
    assert_eq!(last["outputs"]["namespace"]["value"], "apps");
    assert_eq!(last["outputs"]["token"]["sensitive"], true);
    assert!(last["outputs"]["token"].get("value").is_none());

    // An update, after refreshing what the state records.
    w.write(&config("second"));
    let second = w.sandbox(&["apply", "-json", "-auto-approve"]);
    second.expect(0);
    let types = checked(&validator, &second.stdout, "second apply -json");
    assert_eq!(
        shape(&types),
        [
            "version",
            "refresh_start",
            "refresh_complete",
            "diagnostic",
            "planned_change",
            "change_summary",
            "outputs",
            "apply_start",
            "apply_complete",
            "change_summary",
            "outputs"
        ]
    );
    let summary: Value = serde_json::from_str(
        second
            .stdout
            .lines()
            .rev()
            .nth(1)
            .expect("the summary line"),
    )
    .expect("JSON");
    assert_eq!(
        summary["changes"],
        serde_json::json!({"add": 0, "change": 1, "import": 0, "remove": 0, "operation": "apply"})
    );

    let state = w.state(".scwform/sandbox.tfstate");
    let mut hidden = secrets(&state);
    assert!(!hidden.is_empty(), "the token's secret is in the state");
    hidden.push(SECRET_VARIABLE.to_owned());

    let destroyed = w.sandbox(&["destroy", "-json", "-auto-approve"]);
    destroyed.expect(0);
    let types = checked(&validator, &destroyed.stdout, "destroy -json");
    assert_eq!(types.last().map(String::as_str), Some("change_summary"));
    assert!(types.iter().any(|t| t == "apply_complete"));

    for run in [&refused, &plan, &first, &second, &destroyed] {
        for secret in &hidden {
            assert!(
                !run.all().contains(secret.as_str()),
                "a secret in the stream:\n{}",
                run.all()
            );
        }
    }
}

#[test]
fn json_stream_reports_refreshes_drift_and_a_failed_operation() {
    let validator = validator();
    let api = Api::start();
    let w = Workdir::new();
    w.write("resource \"scaleway_account_project\" \"main\" {\n  name        = \"json-drift\"\n  description = \"mine\"\n}\n");
    api.run(&w, &["apply", "-auto-approve"]).expect(0);
    let id = attributes(
        &w.state("scwform.tfstate"),
        "scaleway_account_project",
        "main",
    )
    .expect("recorded")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // Changed outside, and the update that sets it back fails.
    let (status, _) = api.call(
        "PATCH",
        &format!("/account/v3/projects/{id}"),
        Some(serde_json::json!({"description": "changed outside"})),
    );
    assert_eq!(status, 200);
    api.fault(serde_json::json!({
        "method": "PATCH",
        "path_prefix": "/account/v3/projects/",
        "count": 1,
        "action": "status",
        "status": 400
    }));
    let run = api.run(&w, &["apply", "-json", "-auto-approve"]);
    run.expect(1);
    let types = checked(&validator, &run.stdout, "apply -json");
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert!(
        lines.iter().all(|l| l["@module"] == "terraform.ui"),
        "Terraform's @module"
    );
    let at = |t: &str| {
        types
            .iter()
            .position(|x| x == t)
            .unwrap_or_else(|| panic!("no {t}: {types:?}"))
    };
    // Terraform's order: refresh, drift, the plan, then the failed operation and its reason.
    assert!(at("refresh_start") < at("refresh_complete"));
    assert!(at("refresh_complete") < at("resource_drift"));
    assert!(at("resource_drift") < at("planned_change"));
    assert!(at("apply_start") < at("apply_errored"));
    let complete = &lines[at("refresh_complete")];
    assert_eq!(
        complete["@message"],
        format!("scaleway_account_project.main: Refresh complete [id={id}]")
    );
    assert_eq!(complete["hook"]["id_value"], id.as_str());
    let drift = &lines[at("resource_drift")];
    assert_eq!(
        drift["@message"],
        "scaleway_account_project.main: Drift detected (update)"
    );
    assert_eq!(drift["change"]["action"], "update");
    assert_eq!(
        drift["change"]["resource"]["addr"],
        "scaleway_account_project.main"
    );
    let errored = &lines[at("apply_errored")];
    assert_eq!(errored["@level"], "error");
    assert_eq!(errored["hook"]["action"], "update");
    assert_eq!(
        errored["hook"]["resource"]["addr"],
        "scaleway_account_project.main"
    );
    assert!(
        lines[at("apply_errored")..]
            .iter()
            .any(|l| l["type"] == "diagnostic" && l["diagnostic"]["severity"] == "error"),
        "the reason follows: {}",
        run.stdout
    );
}
