//! Values of `sensitive = true` variables: never in a diagnostic, and everything derived from
//! them redacted in plans (text and JSON), `state show`, and recorded in state's
//! `sensitive_attributes` with their paths, as Terraform records them.

use serde_json::{Value, json};

use crate::e2e::harness::{Workdir, attributes};

const SECRET: &str = "hunter2 s3cret!";
const STATE: &str = ".scwform/sandbox.tfstate";

fn assert_hidden(what: &str, text: &str) {
    for part in ["hunter2", "s3cret"] {
        assert!(!text.contains(part), "{what} shows the secret:\n{text}");
    }
}

fn variable(ty: &str) -> String {
    format!(
        r#"
variable "pw" {{
  type      = {ty}
  sensitive = true
}}
"#
    )
}

// https://github.com/scwform/scwform/issues/9 (item 5): `Invalid value for "name":
// "hunter2 s3cret!"` printed the value of a sensitive variable.
#[test]
fn issue_9_a_sensitive_value_never_appears_in_a_diagnostic() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "string",
            r#"resource "scaleway_cockpit_token" "t" {
  name = var.pw
}"#,
            "Invalid value for \"name\"",
        ),
        (
            "string",
            r#"resource "scaleway_container_namespace" "ns" {
  region = var.pw
}"#,
            "region",
        ),
        (
            "string",
            r#"resource "scaleway_container_namespace" "ns" {
  name = "ns"
}
resource "scaleway_container" "c" {
  namespace_id = scaleway_container_namespace.ns.id
  port         = var.pw
}"#,
            "\"port\"",
        ),
        (
            "string",
            r#"resource "scaleway_container" "c" {
  namespace_id = var.pw
}"#,
            "namespace_id",
        ),
        (
            "number",
            r#"resource "scaleway_container_namespace" "ns" {
  name = "ns"
}
resource "scaleway_container" "c" {
  namespace_id = scaleway_container_namespace.ns.id
  min_scale    = var.pw
}"#,
            "var.pw",
        ),
    ];
    for (ty, body, expected) in cases {
        let w = Workdir::new();
        w.write(&format!("{}\n{body}\n", variable(ty)));
        let run = w.run_with(w.command(&["validate", "--var", &format!("pw={SECRET}")]));
        assert_eq!(run.code, 1, "{body}\n{}", run.all());
        assert!(run.stderr.contains(expected), "{body}\n{}", run.stderr);
        assert_hidden(body, &run.all());
        let json = w.run_with(w.command(&["validate", "--json", "--var", &format!("pw={SECRET}")]));
        assert_hidden(body, &json.all());
    }
    // A whole number is checked without showing the number either.
    let w = Workdir::new();
    w.write(&format!(
        "{}\n{}",
        variable("number"),
        r#"resource "scaleway_container_namespace" "ns" {
  name = "ns"
}
resource "scaleway_container" "c" {
  namespace_id = scaleway_container_namespace.ns.id
  min_scale    = var.pw
}"#
    ));
    let run = w.run_with(w.command(&["validate", "--var", "pw=123456.789"]));
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(!run.all().contains("123456"), "{}", run.all());
    // A validation message built from the value is not displayed.
    let w = Workdir::new();
    w.write(
        r#"
variable "pw" {
  type      = string
  sensitive = true
  validation {
    condition     = length(var.pw) < 3
    error_message = "The password ${var.pw} is too long."
  }
}
"#,
    );
    let run = w.run_with(w.command(&["validate", "--var", &format!("pw={SECRET}")]));
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains("included a sensitive value"),
        "{}",
        run.stderr
    );
    assert_hidden("validation", &run.all());
}

const DERIVED: &str = r#"
variable "pw" {
  type      = string
  sensitive = true
}

resource "scaleway_account_project" "p" {
  name        = "secretive"
  description = "desc ${var.pw}"
}

resource "scaleway_container_namespace" "ns" {
  name       = "secretive"
  project_id = scaleway_account_project.p.id
  environment_variables = {
    A = var.pw
    B = "plain"
  }
}
"#;

fn steps(path: &[Value]) -> Value {
    Value::Array(path.to_vec())
}

// https://github.com/scwform/scwform/issues/9 (item 5): values derived from a sensitive
// variable were in clear in the JSON plan (`before`, `after`, `prior_state`) and in `state show`
// after apply, and state recorded no `sensitive_attributes` for them.
#[test]
fn issue_9_values_derived_from_sensitive_variables_stay_redacted() {
    let w = Workdir::new();
    w.write(DERIVED);
    let var = format!("pw={SECRET}");
    let planned = w.sandbox(&["plan", "--format", "json", "--var", &var]);
    planned.expect(0);
    assert_hidden("the JSON plan of the create", &planned.all());
    let change: Value = serde_json::from_str(&planned.stdout).expect("JSON plan");
    let project = change["resource_changes"]
        .as_array()
        .and_then(|c| {
            c.iter()
                .find(|c| c["address"] == "scaleway_account_project.p")
        })
        .expect("project change");
    assert_eq!(
        project["change"]["after_sensitive"]["description"],
        json!(true)
    );

    let applied = w.sandbox(&["apply", "--auto-approve", "--var", &var]);
    applied.expect(0);
    assert_hidden("apply", &applied.all());

    // State holds the values (it is the record) and their paths, as Terraform writes them.
    let state = w.state(STATE);
    let text = serde_json::to_string(&state).expect("JSON");
    assert!(text.contains(SECRET), "state records the real value");
    let instance = |type_name: &str| {
        state["resources"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["type"] == type_name))
            .map(|r| r["instances"][0].clone())
            .expect("recorded")
    };
    let project_paths = instance("scaleway_account_project")["sensitive_attributes"].clone();
    assert_eq!(
        project_paths,
        json!([[{"type": "get_attr", "value": "description"}]])
    );
    let ns_paths = instance("scaleway_container_namespace")["sensitive_attributes"].clone();
    assert!(
        ns_paths.as_array().is_some_and(|p| p.contains(&steps(&[
            json!({"type": "get_attr", "value": "environment_variables"}),
            json!({"type": "index", "value": {"value": "A", "type": "string"}}),
        ]))),
        "{ns_paths}"
    );
    assert_eq!(
        attributes(&state, "scaleway_container_namespace", "ns").expect("ns")["environment_variables"]
            ["B"],
        json!("plain")
    );

    // The next plans: no change, nothing shown, JSON redacted everywhere with its flags.
    let again = w.sandbox(&["plan", "--detailed-exitcode", "--var", &var]);
    again.expect(0);
    assert_hidden("the text plan", &again.all());
    let json_plan = w.sandbox(&["plan", "--format", "json", "--var", &var]);
    json_plan.expect(0);
    assert_hidden("the JSON plan", &json_plan.all());
    let doc: Value = serde_json::from_str(&json_plan.stdout).expect("JSON plan");
    let prior = doc["prior_state"]["values"]["root_module"]["resources"]
        .as_array()
        .expect("prior resources");
    let prior_ns = prior
        .iter()
        .find(|r| r["type"] == "scaleway_container_namespace")
        .expect("ns in prior_state");
    assert_eq!(
        prior_ns["sensitive_values"]["environment_variables"]["A"],
        json!(true)
    );
    assert_eq!(
        prior_ns["values"]["environment_variables"]["B"],
        json!("plain")
    );
    let ns_change = doc["resource_changes"]
        .as_array()
        .and_then(|c| {
            c.iter()
                .find(|c| c["address"] == "scaleway_container_namespace.ns")
        })
        .expect("ns change");
    assert_eq!(
        ns_change["change"]["before_sensitive"]["environment_variables"]["A"],
        json!(true)
    );
    assert_eq!(
        ns_change["change"]["after_sensitive"]["environment_variables"]["A"],
        json!(true)
    );

    // `state show` redacts the same parts, and only them.
    let shown = w.sandbox(&["state", "show", "scaleway_container_namespace.ns"]);
    shown.expect(0);
    assert_hidden("state show", &shown.all());
    assert!(
        shown.stdout.contains("(sensitive value)"),
        "{}",
        shown.stdout
    );
    assert!(shown.stdout.contains("\"plain\""), "{}", shown.stdout);
    let shown = w.sandbox(&["state", "show", "scaleway_account_project.p"]);
    assert_hidden("state show", &shown.all());
    assert!(shown.stdout.contains("secretive"), "{}", shown.stdout);

    // A refresh keeps what configuration made sensitive.
    w.sandbox(&["apply", "--auto-approve", "--var", &var])
        .expect(0);
    let state = w.state(STATE);
    let project = state["resources"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["type"] == "scaleway_account_project"))
        .expect("recorded");
    assert_eq!(
        project["instances"][0]["sensitive_attributes"],
        json!([[{"type": "get_attr", "value": "description"}]])
    );
}

fn recorded_sensitive_paths() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(
            crate::common::repo_root()
                .join("tests/fixtures/state/sensitive/terraform-sensitive-attributes.json"),
        )
        .expect("recorded paths"),
    )
    .expect("JSON")
}

/// Terraform's recorded paths for `terraform_data.NAME`, with `input` renamed `attribute`.
fn terraform_paths(recorded: &Value, name: &str, attribute: &str) -> Value {
    let mut paths = recorded[name].clone();
    for path in paths.as_array_mut().expect("paths") {
        let first = &mut path.as_array_mut().expect("steps")[0];
        assert_eq!(first["value"], "input");
        first["value"] = json!(attribute);
    }
    paths
}

#[test]
fn sensitive_attribute_paths_are_written_as_terraform_records_them() {
    let recorded = recorded_sensitive_paths();
    let w = Workdir::new();
    w.write(DERIVED);
    let var = format!("pw={SECRET}");
    w.sandbox(&["apply", "--auto-approve", "--var", &var])
        .expect(0);
    let state = w.state(STATE);
    let paths = |type_name: &str| {
        state["resources"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["type"] == type_name))
            .map(|r| r["instances"][0]["sensitive_attributes"].clone())
            .expect("recorded")
    };
    // A whole attribute from a sensitive variable, and one element of a map.
    assert_eq!(
        paths("scaleway_account_project"),
        terraform_paths(&recorded, "whole", "description")
    );
    assert_eq!(
        paths("scaleway_container_namespace"),
        terraform_paths(&recorded, "map", "environment_variables")
    );
}

#[test]
#[allow(clippy::print_stderr)] // says why it skips
fn the_recorded_sensitive_paths_are_what_terraform_writes() {
    let dir = crate::plan_json::copy_dir(
        &crate::common::repo_root().join("tests/fixtures/state/sensitive"),
    );
    if crate::plan_json::terraform_offline(dir.path(), &["init", "-input=false"]).is_none() {
        eprintln!("skipping the re-check of the recorded sensitive paths: no terraform binary");
        return;
    }
    crate::plan_json::terraform_offline(dir.path(), &["apply", "-auto-approve", "-input=false"]);
    let state: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("terraform.tfstate")).expect("state"),
    )
    .expect("JSON");
    let written: serde_json::Map<String, Value> = state["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| {
            (
                r["name"].as_str().expect("name").to_owned(),
                r["instances"][0]["sensitive_attributes"].clone(),
            )
        })
        .collect();
    assert_eq!(Value::Object(written), recorded_sensitive_paths());
}
