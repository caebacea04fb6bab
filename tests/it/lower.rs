//! Lowering and evaluation: variable precedence (defaults, `TF_VAR_`, tfvars, auto tfvars,
//! `--var-file` / `--var` in order), typed `--var` values, `count` / `for_each` expansion,
//! references across instances, sensitivity, and outputs.

use std::path::Path;

use scwform::diag::render_plain;
use scwform::model::InstanceKey;
use scwform::model::evaluate::{EvalOptions, NoPriorValues};
use scwform::model::load::{LoadOptions, Loaded, VarSource, load_path, load_texts};
use scwform::model::types::Type;
use scwform::model::value::Value;

fn plan_options() -> LoadOptions {
    LoadOptions::default()
}

fn load(text: &str, options: &LoadOptions) -> Loaded {
    load_texts(
        vec![("main.tf".to_owned(), text.to_owned())],
        options,
        &NoPriorValues,
    )
}

fn assert_valid(loaded: &Loaded) {
    assert!(
        !loaded.diagnostics.has_errors(),
        "{}",
        render_plain(&loaded.diagnostics, &loaded.sources)
    );
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write fixture file");
}

const PRECEDENCE: &str = r#"
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "e" { default = "default" }
variable "f" { default = "default" }
variable "g" { default = "default" }
"#;

#[test]
fn variable_sources_follow_terraform_precedence() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    write(p, "main.tf", PRECEDENCE);
    write(
        p,
        "terraform.tfvars",
        "c = \"tfvars\"\nd = \"tfvars\"\ne = \"tfvars\"\nf = \"tfvars\"\ng = \"tfvars\"\n",
    );
    write(
        p,
        "a.auto.tfvars",
        "d = \"auto-a\"\ne = \"auto-a\"\nf = \"auto-a\"\ng = \"auto-a\"\n",
    );
    write(
        p,
        "b.auto.tfvars",
        "e = \"auto-b\"\nf = \"auto-b\"\ng = \"auto-b\"\n",
    );
    write(p, "x.tfvars", "f = \"var-file\"\ng = \"var-file\"\n");
    let options = LoadOptions {
        env: vec![
            ("b".into(), "env".into()),
            ("c".into(), "env".into()),
            ("undeclared".into(), "ignored".into()),
        ],
        var_sources: vec![
            VarSource::Var("g=cli-first".into()),
            VarSource::File(p.join("x.tfvars")),
        ],
        ..plan_options()
    };
    let loaded = load_path(p, &options, &NoPriorValues);
    assert_valid(&loaded);
    let got: Vec<(&str, &str)> = loaded
        .config
        .variables
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str().expect("string")))
        .collect();
    assert_eq!(
        got,
        [
            ("a", "default"),
            ("b", "env"),
            ("c", "tfvars"),
            ("d", "auto-a"),
            ("e", "auto-b"),
            ("f", "var-file"),
            // The --var-file came after the --var on the command line, so it wins.
            ("g", "var-file"),
        ]
    );
}

#[test]
fn later_command_line_values_win() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    write(p, "main.tf", "variable \"g\" {}\n");
    write(p, "x.tfvars", "g = \"var-file\"\n");
    let options = LoadOptions {
        var_sources: vec![
            VarSource::File(p.join("x.tfvars")),
            VarSource::Var("g=cli".into()),
        ],
        ..plan_options()
    };
    let loaded = load_path(p, &options, &NoPriorValues);
    assert_valid(&loaded);
    assert_eq!(loaded.config.variables["g"], Value::string("cli"));
}

#[test]
fn command_line_values_are_parsed_by_type() {
    let options = LoadOptions {
        var_sources: vec![
            VarSource::Var("n=3".into()),
            VarSource::Var("l=[\"a\", \"b\"]".into()),
            VarSource::Var("s=[\"kept\", \"as text\"]".into()),
            VarSource::Var("m={ k = 1 }".into()),
        ],
        env: vec![("b".into(), "true".into())],
        ..plan_options()
    };
    let loaded = load(
        r#"
variable "n" { type = number }
variable "l" { type = list(string) }
variable "s" { type = string }
variable "m" { type = map(number) }
variable "b" { type = bool }
"#,
        &options,
    );
    assert_valid(&loaded);
    let v = &loaded.config.variables;
    assert_eq!(v["n"], Value::float(3.0));
    assert_eq!(
        v["l"],
        Value::list(Type::String, vec![Value::string("a"), Value::string("b")])
    );
    assert_eq!(v["s"], Value::string("[\"kept\", \"as text\"]"));
    assert_eq!(
        v["m"].as_object().map(|m| m["k"].clone()),
        Some(Value::float(1.0))
    );
    assert_eq!(v["b"], Value::Bool(true));
}

#[test]
fn bad_variable_values_are_diagnosed() {
    let options = LoadOptions {
        var_sources: vec![
            VarSource::Var("n=many".into()),
            VarSource::Var("missing=1".into()),
            VarSource::Var("no-equals".into()),
        ],
        ..plan_options()
    };
    let loaded = load(
        "variable \"n\" { type = number }\nvariable \"r\" {}\n",
        &options,
    );
    let codes: Vec<&str> = loaded.diagnostics.iter().map(|d| d.code).collect();
    assert!(
        codes.contains(&"scw::model::undeclared_variable_value"),
        "{codes:?}"
    );
    assert!(
        codes.contains(&"scw::model::invalid_var_option"),
        "{codes:?}"
    );
    // As Terraform, `many` for a number is the string "many", which is not a number (issue 9
    // item 14: it used to be read as an expression and reported as an undeclared name).
    let invalid = loaded
        .diagnostics
        .iter()
        .find(|d| d.code == "scw::model::invalid_variable_value")
        .unwrap_or_else(|| panic!("{codes:?}"));
    assert_eq!(
        invalid.detail.as_deref(),
        Some("Unsuitable value for var.n set using -var=\"n=...\": a number is required.")
    );
    assert!(
        !codes.iter().any(|c| c.starts_with("scw::eval::")),
        "{codes:?}"
    );
    // Outside validate, a required variable without a value is an error.
    assert!(codes.contains(&"scw::model::missing_variable"), "{codes:?}");
}

#[test]
fn a_mistyped_variable_is_reported_once_not_again_through_for_each() {
    let options = LoadOptions {
        var_sources: vec![VarSource::Var("envs={staging={min_scale=0}}".into())],
        ..plan_options()
    };
    let loaded = load(
        r#"
variable "envs" {
  type = map(object({ min_scale = number, max_scale = number }))
}

resource "scaleway_account_project" "env" {
  for_each = var.envs
  name     = each.key
}
"#,
        &options,
    );
    let codes: Vec<&str> = loaded.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["scw::model::invalid_variable_value"], "{codes:?}");
}

/// Terraform 1.11's answers: text given for a primitive type is that string, converted (so
/// `null` and `1+1` are not expressions); a null from a tfvars file takes the default of a
/// non-nullable variable; the environment and tfvars files say where the value came from.
#[test]
fn text_for_primitive_variables_is_taken_literally_as_terraform() {
    const DECLS: &str = "variable \"x\" {\n  type     = number\n  default  = 2\n  nullable = false\n}\nvariable \"s\" {\n  type = string\n}\nvariable \"b\" {\n  type = bool\n}\n";
    let with = |var_sources: Vec<VarSource>, env: Vec<(String, String)>| {
        load(
            DECLS,
            &LoadOptions {
                var_sources,
                env,
                ..plan_options()
            },
        )
    };
    let text = |items: &[&str]| items.iter().map(|t| VarSource::Var((*t).into())).collect();
    let ok = with(text(&["x=7.50", "s=null", "b=1"]), vec![]);
    assert_valid(&ok);
    assert_eq!(ok.config.variables["x"], Value::float(7.5));
    assert_eq!(ok.config.variables["s"], Value::string("null"));
    assert_eq!(ok.config.variables["b"], Value::Bool(true));

    let details = |loaded: &Loaded| -> Vec<String> {
        loaded
            .diagnostics
            .iter()
            .filter(|d| d.code == "scw::model::invalid_variable_value")
            .filter_map(|d| d.detail.clone())
            .collect()
    };
    let bad = with(text(&["x=null", "s=a", "b=true"]), vec![]);
    assert_eq!(
        details(&bad),
        ["Unsuitable value for var.x set using -var=\"x=...\": a number is required."]
    );
    let bad = with(text(&["x=1+1", "s=a", "b=TRUE"]), vec![]);
    assert_eq!(
        details(&bad),
        [
            "Unsuitable value for var.x set using -var=\"x=...\": a number is required.",
            "Unsuitable value for var.b set using -var=\"b=...\": a bool is required; to convert from string, use lowercase \"true\"."
        ]
    );
    let env = with(
        text(&["s=a", "b=true"]),
        vec![("x".to_owned(), "abc".to_owned())],
    );
    assert_eq!(
        details(&env),
        [
            "Unsuitable value for var.x set using the TF_VAR_x environment variable: a number is required."
        ]
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("v.tfvars");
    std::fs::write(&file, "x = null\n").expect("write");
    let from_file = with(
        vec![
            VarSource::File(file.clone()),
            VarSource::Var("s=a".into()),
            VarSource::Var("b=false".into()),
        ],
        vec![],
    );
    assert_valid(&from_file);
    assert_eq!(from_file.config.variables["x"], Value::float(2.0));
    std::fs::write(&file, "x = \"abc\"\n").expect("write");
    let from_file = with(
        vec![
            VarSource::File(file),
            VarSource::Var("s=a".into()),
            VarSource::Var("b=false".into()),
        ],
        vec![],
    );
    assert_eq!(
        details(&from_file),
        [
            "The given value is not suitable for var.x declared at main.tf:1,1-13: a number is required."
        ]
    );
}

#[test]
fn count_expands_into_indexed_instances() {
    let loaded = load(
        r#"
resource "scaleway_account_project" "p" {
  count = 3
  name  = "project-${count.index}"
}

resource "scaleway_container_namespace" "ns" {
  project_id = scaleway_account_project.p[1].id
  name       = scaleway_account_project.p[2].name
}
"#,
        &plan_options(),
    );
    assert_valid(&loaded);
    let addrs: Vec<String> = loaded
        .config
        .instances
        .keys()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        addrs,
        [
            "scaleway_account_project.p[0]",
            "scaleway_account_project.p[1]",
            "scaleway_account_project.p[2]",
            "scaleway_container_namespace.ns"
        ]
    );
    let p1 = &loaded.config.instances[1];
    assert_eq!(p1.addr.key, Some(InstanceKey::Int(1)));
    assert_eq!(p1.attributes["name"], Value::string("project-1"));
    let ns = &loaded.config.instances[3];
    assert_eq!(ns.attributes["name"], Value::string("project-2"));
    assert!(ns.attributes["project_id"].is_unknown());
}

#[test]
fn zero_count_makes_no_instance() {
    let loaded = load(
        "resource \"scaleway_account_project\" \"p\" {\n  count = 0\n}\n",
        &plan_options(),
    );
    assert_valid(&loaded);
    assert!(loaded.config.instances.is_empty());
}

#[test]
fn for_each_over_maps_and_sets_keys_instances() {
    let loaded = load(
        r#"
variable "envs" {
  default = { prod = 5, dev = 1 }
}

resource "scaleway_container_namespace" "ns" {
  for_each = var.envs
  name     = "ns-${each.key}"
}

resource "scaleway_container" "api" {
  for_each     = var.envs
  namespace_id = scaleway_container_namespace.ns[each.key].id
  max_scale    = each.value
}

resource "scaleway_account_project" "team" {
  for_each    = toset(["b", "a"])
  description = each.value
}
"#,
        &plan_options(),
    );
    assert_valid(&loaded);
    let addrs: Vec<String> = loaded
        .config
        .instances
        .keys()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        addrs,
        [
            "scaleway_account_project.team[\"a\"]",
            "scaleway_account_project.team[\"b\"]",
            "scaleway_container.api[\"dev\"]",
            "scaleway_container.api[\"prod\"]",
            "scaleway_container_namespace.ns[\"dev\"]",
            "scaleway_container_namespace.ns[\"prod\"]",
        ]
    );
    let prod = &loaded.config.instances[3];
    assert_eq!(prod.attributes["max_scale"], Value::float(5.0));
    assert_eq!(
        loaded.config.instances[0].attributes["description"],
        Value::string("a")
    );
    assert_eq!(
        loaded.config.instances[5].attributes["name"],
        Value::string("ns-prod")
    );
}

#[test]
fn unknown_count_is_an_error_outside_validate_only() {
    let text = r#"
resource "scaleway_account_project" "p" {}

resource "scaleway_container_namespace" "ns" {
  count = length(scaleway_account_project.p.id)
}
"#;
    let loaded = load(text, &plan_options());
    let codes: Vec<&str> = loaded.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["scw::model::invalid_count"]);
    let options = LoadOptions {
        eval: EvalOptions {
            validate_only: true,
            ..EvalOptions::default()
        },
        ..plan_options()
    };
    let loaded = load(text, &options);
    assert_valid(&loaded);
}

#[test]
fn schema_sensitivity_and_sensitive_variables_are_marked() {
    let loaded = load(
        r#"
variable "token" {
  default   = "s3cret"
  sensitive = true
}

resource "scaleway_container_namespace" "ns" {
  description = var.token
  secret_environment_variables = {
    KEY = "value"
  }
}

output "description" {
  value     = scaleway_container_namespace.ns.description
  sensitive = true
}
"#,
        &plan_options(),
    );
    assert_valid(&loaded);
    let ns = &loaded.config.instances[0];
    assert!(ns.attributes["description"].contains_sensitive());
    assert!(ns.attributes["secret_environment_variables"].contains_sensitive());
    assert!(!format!("{:?}", ns.attributes["description"].redacted()).contains("s3cret"));
    let out = &loaded.config.outputs["description"];
    assert!(out.sensitive && out.value.contains_sensitive());
}

#[test]
fn dependencies_follow_locals_and_depends_on() {
    let loaded = load(
        r#"
resource "scaleway_account_project" "p" {}
resource "scaleway_account_project" "q" {}

locals {
  project = scaleway_account_project.p.id
  indirect = local.project
}

resource "scaleway_container_namespace" "ns" {
  project_id = local.indirect
  depends_on = [scaleway_account_project.q]
}
"#,
        &plan_options(),
    );
    assert_valid(&loaded);
    let ns = loaded
        .config
        .instances
        .values()
        .find(|i| i.addr.resource.type_name == "scaleway_container_namespace")
        .expect("namespace");
    let deps: Vec<String> = ns
        .dependencies
        .iter()
        .map(|d| format!("{} {:?}", d.resource, d.kind))
        .collect();
    assert_eq!(
        deps,
        [
            "scaleway_account_project.p ThroughLocal(\"indirect\")",
            "scaleway_account_project.q DependsOn"
        ]
    );
}

#[test]
fn lifecycle_and_timeouts_are_recorded() {
    let loaded = load(
        r#"
resource "scaleway_container_namespace" "ns" {
  description = "x"

  lifecycle {
    create_before_destroy = true
    prevent_destroy       = true
    ignore_changes        = [description, tags]
  }

  timeouts {
    default = "10m"
    delete  = "1h"
  }
}
"#,
        &plan_options(),
    );
    assert_valid(&loaded);
    let ns = &loaded.config.instances[0];
    assert!(ns.lifecycle.create_before_destroy && ns.lifecycle.prevent_destroy);
    assert_eq!(
        ns.lifecycle.ignore_changes,
        scwform::model::lower::IgnoreChanges::Attributes(vec!["description".into(), "tags".into()])
    );
    assert_eq!((ns.timeouts.create, ns.timeouts.delete), (600, 3600));
}

#[test]
fn strings_convert_to_numbers_where_terraform_would() {
    let loaded = load(
        "resource \"scaleway_container\" \"c\" {\n  namespace_id = \"11111111-1111-1111-1111-111111111111\"\n  port         = \"8080\"\n}\n",
        &plan_options(),
    );
    assert_valid(&loaded);
    assert_eq!(
        loaded.config.instances[0].attributes["port"],
        Value::float(8080.0)
    );
}

/// Issue 11 (conditions): a failing `assert` of a `check` block is a warning with Terraform's
/// summary and the `error_message`; one that holds, or whose result is unknown (a resource
/// attribute before apply), says nothing; the outputs are computed either way.
#[test]
fn failing_check_assertions_are_warnings_with_the_error_message() {
    let loaded = load(
        r#"
variable "n" {
  default = 3
}
resource "scaleway_account_project" "p" {
  name = "p"
}
check "size" {
  assert {
    condition     = var.n > 5
    error_message = "n is ${var.n}, not big"
  }
  assert {
    condition     = var.n > 1
    error_message = "holds"
  }
  assert {
    condition     = scaleway_account_project.p.id == "x"
    error_message = "unknown until apply"
  }
}
output "n" {
  value = var.n
}
"#,
        &plan_options(),
    );
    assert_valid(&loaded);
    let warnings: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.code == "scw::model::check_failed")
        .collect();
    assert_eq!(warnings.len(), 1, "{:?}", loaded.diagnostics);
    assert_eq!(warnings[0].severity, scwform::diag::Severity::Warning);
    assert_eq!(warnings[0].summary, "Check block assertion failed");
    assert_eq!(warnings[0].detail.as_deref(), Some("n is 3, not big"));
    assert_eq!(loaded.config.outputs["n"].value, Value::float(3.0));
}

/// Issue 11: a failing output precondition whose `error_message` reads a sensitive value does
/// not show it.
#[test]
fn a_precondition_message_with_a_sensitive_value_is_not_shown() {
    let loaded = load(
        r#"
variable "secret" {
  default   = "hunter2"
  sensitive = true
}
output "x" {
  value = 1
  precondition {
    condition     = var.secret == "other"
    error_message = "secret is ${var.secret}"
  }
}
"#,
        &plan_options(),
    );
    let d = loaded
        .diagnostics
        .iter()
        .find(|d| d.code == "scw::model::precondition_failed")
        .expect("the precondition fails");
    assert_eq!(d.summary, "Module output value precondition failed");
    let shown = render_plain(&loaded.diagnostics, &loaded.sources);
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(
        shown.contains("The error message included a sensitive value"),
        "{shown}"
    );
}
