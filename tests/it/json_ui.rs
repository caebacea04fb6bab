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
        "generate/plan.jsonl",
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
    // And a planned change with a field Terraform does not write.
    let stray = serde_json::json!({
        "@level": "info", "@message": "m", "@module": "terraform.ui",
        "@timestamp": "2026-01-01T00:00:00Z", "type": "planned_change",
        "change": {"resource": resource_of("a", "b"), "action": "import", "imported": true}
    });
    assert!(!validator.is_valid(&stray));
}

fn resource_of(type_name: &str, name: &str) -> Value {
    serde_json::json!({
        "addr": format!("{type_name}.{name}"), "module": "", "resource": format!("{type_name}.{name}"),
        "implied_provider": "scaleway", "resource_type": type_name, "resource_name": name,
        "resource_key": null
    })
}

/// The `change` objects of a stream's `planned_change` messages, by address.
fn planned_changes(stream: &str) -> std::collections::BTreeMap<String, Value> {
    stream
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("JSON"))
        .filter(|m| m["type"] == "planned_change")
        .map(|m| {
            let addr = m["change"]["resource"]["addr"]
                .as_str()
                .expect("an address")
                .to_owned();
            (addr, m["change"].clone())
        })
        .collect()
}

/// What Terraform's file and messages agree on: the file is its header, then, for each
/// generated block, `# __generated__ by Terraform from "ID"` and the message's
/// `generated_config` (a `resource` block without its final newline).
fn assert_file_holds_each_generated_config(
    changes: &std::collections::BTreeMap<String, Value>,
    file: &str,
) {
    let mut rebuilt: Vec<String> = Vec::new();
    for (addr, change) in changes {
        let block = change["generated_config"]
            .as_str()
            .unwrap_or_else(|| panic!("{addr}: no generated_config in {change}"));
        let id = change["importing"]["id"].as_str().expect("an import ID");
        assert_eq!(change["action"], "import", "{addr}");
        assert!(!block.ends_with('\n'), "{addr}: {block:?}");
        let part = format!("# __generated__ by Terraform from \"{id}\"\n{block}\n");
        assert!(file.contains(&part), "{addr}: {part:?} not in\n{file}");
        rebuilt.push(part);
    }
    let header = scwform::render::config::FILE_HEADER;
    assert_eq!(
        file.len(),
        header.len() + rebuilt.iter().map(|p| p.len() + 1).sum::<usize>(),
        "the file holds the header and the blocks only:\n{file}"
    );
    assert!(file.starts_with(header));
}

/// Issue 12: Terraform 1.11's `plan -json -generate-config-out` (recorded in
/// `tests/fixtures/json_ui/generate` with its built-in `terraform_data`, re-checked live when
/// Terraform is installed) marks each generated import `"action": "import"` with
/// `importing.id` and `generated_config`, the block its file holds after the ID comment.
#[test]
fn terraforms_planned_change_carries_the_generated_block_of_its_file() {
    let dir = common::repo_root().join("tests/fixtures/json_ui/generate");
    let stream = std::fs::read_to_string(dir.join("plan.jsonl")).expect("recorded stream");
    let file = std::fs::read_to_string(dir.join("generated.tf")).expect("recorded file");
    let recorded = planned_changes(&stream);
    assert_eq!(recorded.len(), 2);
    assert_file_holds_each_generated_config(&recorded, &file);
    assert_eq!(
        recorded["terraform_data.a"]["generated_config"],
        "resource \"terraform_data\" \"a\" {\n  input            = null\n  triggers_replace = null\n}"
    );

    // The live re-check needs Terraform; without it the recorded answer stands.
    let terraform = std::path::Path::new("/usr/local/bin/terraform");
    if !terraform.is_file() {
        return;
    }
    let w = Workdir::new();
    std::fs::copy(dir.join("main.tf"), w.path().join("main.tf")).expect("copy");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(terraform)
            .args(args)
            .current_dir(w.path())
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .output()
            .expect("terraform runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    run(&["init", "-input=false"]);
    let live = run(&["plan", "-json", "-generate-config-out=generated.tf"]);
    assert_eq!(
        planned_changes(&live),
        recorded,
        "Terraform now writes other planned_change messages"
    );
}

/// Issue 12: scwform's `plan -json -generate-config-out` does as Terraform's: one
/// `planned_change` per import (`"action": "import"`, `importing.id`, and `generated_config`
/// for the blocks it wrote, exactly as the file holds them), each line valid against the
/// schema; an import that also updates is an `update` with `importing`.
#[test]
fn json_plan_stream_carries_imports_and_their_generated_configuration() {
    let validator = validator();
    let api = Api::start();
    let w = Workdir::new();
    let org = api.organization_id();
    let created = |path: &str, body: Value| {
        let (status, answer) = api.call("POST", path, Some(body));
        assert_eq!(status, 200, "POST {path}: {answer}");
        answer["id"].as_str().expect("an id").to_owned()
    };
    let project = created(
        "/account/v3/projects",
        serde_json::json!({"name": "json-gen", "organization_id": org}),
    );
    let ns = created(
        "/containers/v1/regions/fr-par/namespaces",
        serde_json::json!({"project_id": project, "name": "gen-ns", "description": "apps"}),
    );
    let fns = created(
        "/functions/v1beta1/regions/fr-par/namespaces",
        serde_json::json!({"project_id": project, "name": "kept"}),
    );
    // Two generated blocks, and one import whose resource block differs (an update).
    w.write(&format!(
        r#"
import {{
  to = scaleway_account_project.main
  id = "{project}"
}}

import {{
  to = scaleway_container_namespace.apps
  id = "fr-par/{ns}"
}}

import {{
  to = scaleway_function_namespace.fns
  id = "fr-par/{fns}"
}}

resource "scaleway_function_namespace" "fns" {{
  project_id  = "{project}"
  name        = "kept"
  description = "now described"
}}
"#
    ));
    let plan = api.run(&w, &["plan", "-json", "-generate-config-out=generated.tf"]);
    plan.expect(0);
    let types = checked(&validator, &plan.stdout, "plan -json -generate-config-out");
    assert!(types.contains(&"change_summary".to_owned()), "{types:?}");
    let changes = planned_changes(&plan.stdout);
    assert_eq!(changes.len(), 3, "{}", plan.stdout);
    let file = std::fs::read_to_string(w.path().join("generated.tf")).expect("written");
    let generated: std::collections::BTreeMap<String, Value> = changes
        .iter()
        .filter(|(_, c)| c.get("generated_config").is_some())
        .map(|(a, c)| (a.clone(), c.clone()))
        .collect();
    assert_eq!(
        generated.keys().collect::<Vec<_>>(),
        [
            "scaleway_account_project.main",
            "scaleway_container_namespace.apps"
        ]
    );
    assert_file_holds_each_generated_config(&generated, &file);
    assert_eq!(
        changes["scaleway_container_namespace.apps"]["importing"]["id"],
        format!("fr-par/{ns}")
    );
    let updated = &changes["scaleway_function_namespace.fns"];
    assert_eq!(updated["action"], "update");
    assert_eq!(updated["importing"]["id"], format!("fr-par/{fns}"));
    let messages: Vec<Value> = plan
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let summary = messages
        .iter()
        .find(|m| m["type"] == "change_summary")
        .expect("a summary");
    assert_eq!(
        summary["changes"],
        serde_json::json!({"add": 0, "change": 1, "import": 3, "remove": 0, "operation": "plan"})
    );
    assert!(
        messages
            .iter()
            .any(|m| m["@message"] == "scaleway_container_namespace.apps: Plan to import")
    );
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
