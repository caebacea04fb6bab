//! Data sources end to end (issue 11): read during the plan or deferred to the apply, recorded
//! in state with `"mode": "data"`, in modules, scoped to `check` blocks, and their errors.

use serde_json::Value;

use super::harness::Workdir;

const STATE: &str = ".scwform/sandbox.tfstate";

/// The recorded data resource `data.TYPE.NAME` (in `module`, when given).
fn data_resource(state: &Value, module: Option<&str>, type_name: &str, name: &str) -> Value {
    state["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| {
            r["mode"] == "data"
                && r["type"] == type_name
                && r["name"] == name
                && r.get("module").and_then(Value::as_str) == module
        })
        .cloned()
        .unwrap_or_else(|| panic!("data.{type_name}.{name} not recorded in {state:#}"))
}

/// `text` with miette's wrapping undone: box-drawing margins dropped, whitespace runs made one
/// space.
fn flat(text: &str) -> String {
    text.replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn json_plan(w: &Workdir) -> Value {
    let run = w.sandbox(&["plan", "--format", "json"]);
    run.expect(0);
    serde_json::from_str(&run.stdout).expect("a JSON plan")
}

#[test]
fn a_data_source_finds_the_default_project_and_feeds_a_token() {
    let w = Workdir::new();
    w.write(
        r#"
data "scaleway_account_project" "default" {}

resource "scaleway_cockpit_token" "main" {
  project_id = data.scaleway_account_project.default.id
  name       = "metrics"
}

output "project" {
  value = data.scaleway_account_project.default.name
}
"#,
    );
    let plan = json_plan(&w);
    // Read during the plan: no change of its own, its value in the prior state and the
    // planned values, and the token's project known already.
    let changes = plan["resource_changes"].as_array().expect("changes");
    assert!(
        changes.iter().all(|c| c["mode"] == "managed"),
        "{changes:#?}"
    );
    let prior = &plan["prior_state"]["values"]["root_module"]["resources"][0];
    assert_eq!(prior["address"], "data.scaleway_account_project.default");
    assert_eq!(prior["mode"], "data");
    assert_eq!(prior["values"]["name"], "default");
    let planned = &plan["planned_values"]["root_module"]["resources"];
    assert_eq!(
        planned[0]["address"],
        "data.scaleway_account_project.default"
    );
    assert_eq!(planned[1]["values"]["project_id"], prior["values"]["id"]);

    w.sandbox(&["apply", "--auto-approve"]).expect(0);
    let state = w.state(STATE);
    let data = data_resource(&state, None, "scaleway_account_project", "default");
    assert_eq!(
        data["provider"],
        "provider[\"registry.terraform.io/scaleway/scaleway\"]"
    );
    let project = &data["instances"][0]["attributes"];
    assert_eq!(project["name"], "default");
    assert_eq!(project["project_id"], project["id"]);
    let token = super::attributes(&state, "scaleway_cockpit_token", "main").expect("token");
    assert_eq!(token["project_id"], project["id"]);
    assert_eq!(state["outputs"]["project"]["value"], "default");

    let again = w.sandbox(&["plan", "--detailed-exitcode"]);
    again.expect(0);
    assert!(again.stdout.contains("No changes."), "{}", again.stdout);

    // A destroy forgets the data source with everything else.
    w.sandbox(&["destroy", "--auto-approve"]).expect(0);
    let state = w.state(STATE);
    assert_eq!(state["resources"], serde_json::json!([]), "{state:#}");
}

#[test]
fn a_data_source_in_a_module_is_read_at_its_module_address() {
    let w = Workdir::new();
    w.write(
        r#"
module "team" {
  source   = "./team"
  for_each = toset(["a", "b"])
  name     = "data-${each.key}"
}

output "projects" {
  value = { for k, t in module.team : k => t.project }
}
"#,
    );
    std::fs::create_dir(w.path().join("team")).expect("mkdir");
    std::fs::write(
        w.path().join("team/main.tf"),
        r#"
variable "name" {}

data "scaleway_account_project" "current" {}

resource "scaleway_container_namespace" "ns" {
  name       = var.name
  project_id = data.scaleway_account_project.current.id
}

output "project" {
  value = data.scaleway_account_project.current.name
}
"#,
    )
    .expect("write");
    w.sandbox(&["apply", "--auto-approve"]).expect(0);
    let state = w.state(STATE);
    let data = data_resource(
        &state,
        Some("module.team[\"b\"]"),
        "scaleway_account_project",
        "current",
    );
    assert_eq!(data["instances"][0]["attributes"]["name"], "default");
    assert_eq!(state["outputs"]["projects"]["value"]["a"], "default");
    let listed = w.sandbox(&["state", "list"]);
    assert!(
        listed
            .stdout
            .contains("module.team[\"a\"].data.scaleway_account_project.current\n"),
        "{}",
        listed.stdout
    );
    let again = w.sandbox(&["plan", "--detailed-exitcode"]);
    again.expect(0);
}

#[test]
fn a_read_whose_configuration_is_unknown_is_deferred_to_the_apply() {
    let w = Workdir::new();
    w.write(
        r#"
resource "scaleway_container_namespace" "ns" {
  name = "deferred"
}

data "scaleway_container_namespace" "ns" {
  namespace_id = scaleway_container_namespace.ns.id
}

resource "scaleway_container" "app" {
  namespace_id = data.scaleway_container_namespace.ns.id
  name         = "app"
}

output "read_name" {
  value = data.scaleway_container_namespace.ns.name
}
"#,
    );
    let plan = w.sandbox(&["plan"]);
    plan.expect(0);
    assert!(
        plan.stdout.contains(
            "  # data.scaleway_container_namespace.ns will be read during apply\n  # (config refers to values not yet known)\n <= data \"scaleway_container_namespace\" \"ns\" {\n"
        ),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains(" <= read (data resources)\n"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("Plan: 2 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    let json = json_plan(&w);
    let read = json["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["address"] == "data.scaleway_container_namespace.ns")
        .expect("the deferred read is a change");
    assert_eq!(read["mode"], "data");
    assert_eq!(read["change"]["actions"], serde_json::json!(["read"]));
    assert_eq!(read["action_reason"], "read_because_config_unknown");

    let applied = w.sandbox(&["apply", "--auto-approve"]);
    applied.expect(0);
    assert!(
        applied
            .stderr
            .contains("data.scaleway_container_namespace.ns: Reading...\n"),
        "{}",
        applied.stderr
    );
    assert!(
        applied
            .stderr
            .contains("data.scaleway_container_namespace.ns: Read complete after "),
        "{}",
        applied.stderr
    );
    let state = w.state(STATE);
    let data = data_resource(&state, None, "scaleway_container_namespace", "ns");
    let ns = super::attributes(&state, "scaleway_container_namespace", "ns").expect("ns");
    assert_eq!(data["instances"][0]["attributes"]["id"], ns["id"]);
    assert_eq!(data["instances"][0]["attributes"]["namespace_id"], ns["id"]);
    let app = super::attributes(&state, "scaleway_container", "app").expect("container");
    assert_eq!(app["namespace_id"], ns["id"]);
    assert_eq!(state["outputs"]["read_name"]["value"], "deferred");
    // Known now: read during the next plan, which changes nothing.
    let again = w.sandbox(&["plan", "--detailed-exitcode"]);
    again.expect(0);
    assert!(again.stdout.contains("No changes."), "{}", again.stdout);
}

#[test]
fn a_data_source_that_finds_nothing_is_an_error_naming_it_and_its_filter() {
    let w = Workdir::new();
    w.write(
        r#"
data "scaleway_container_namespace" "missing" {
  name   = "nowhere"
  region = "nl-ams"
}

resource "scaleway_account_project" "p" {
  name = "never-made"
}
"#,
    );
    let run = w.sandbox(&["apply", "--auto-approve"]);
    run.expect(1);
    for wanted in [
        "Error reading data.scaleway_container_namespace.missing: no element found with the name nowhere",
        "was read with name = \"nowhere\", region =",
    ] {
        assert!(
            flat(&run.stderr).contains(wanted),
            "{wanted}\n{}",
            run.stderr
        );
    }
    // Nothing was made.
    let store = std::fs::read_to_string(w.path().join(".scwform/sandbox.json")).unwrap_or_default();
    assert!(!store.contains("never-made"), "{store}");
}

#[test]
fn a_data_source_scoped_to_a_check_block_warns_instead_of_failing() {
    let w = Workdir::new();
    w.write(
        r#"
resource "scaleway_account_project" "p" {
  name = "checked"
}

check "registry_namespace" {
  data "scaleway_container_namespace" "shared" {
    name = "registry"
  }

  assert {
    condition     = data.scaleway_container_namespace.shared.name == "registry"
    error_message = "The shared namespace is missing."
  }
}
"#,
    );
    let run = w.sandbox(&["apply", "--auto-approve"]);
    run.expect(0);
    let shown = flat(&run.stderr);
    assert!(
        shown.contains("⚠ Error reading data.scaleway_container_namespace.shared: no element found with the name registry"),
        "{}",
        run.stderr
    );
    assert!(
        shown.contains("in check \"registry_namespace\""),
        "{}",
        run.stderr
    );
}

#[test]
fn a_name_found_in_several_projects_is_an_error_until_project_id_narrows_it() {
    let w = Workdir::new();
    let config = |filter: &str| {
        format!(
            r#"
resource "scaleway_account_project" "a" {{
  name = "twin-a"
}}

resource "scaleway_account_project" "b" {{
  name = "twin-b"
}}

resource "scaleway_container_namespace" "a" {{
  project_id = scaleway_account_project.a.id
  name       = "twin"
}}

resource "scaleway_container_namespace" "b" {{
  project_id = scaleway_account_project.b.id
  name       = "twin"
}}
{filter}
"#
        )
    };
    w.write(&config(""));
    w.sandbox(&["apply", "--auto-approve"]).expect(0);
    let state = w.state(STATE);
    let b = super::attributes(&state, "scaleway_container_namespace", "b").expect("ns b");
    let project_b = b["project_id"].as_str().expect("project").to_owned();

    w.write(&config(
        "data \"scaleway_container_namespace\" \"twin\" {\n  name = \"twin\"\n}\n",
    ));
    let run = w.sandbox(&["plan"]);
    run.expect(1);
    assert!(
        flat(&run.stderr).contains("multiple elements found with the name twin"),
        "{}",
        run.stderr
    );

    w.write(&config(&format!(
        "data \"scaleway_container_namespace\" \"twin\" {{\n  name       = \"twin\"\n  project_id = \"{project_b}\"\n}}\n\noutput \"found\" {{\n  value = data.scaleway_container_namespace.twin.id\n}}\n"
    )));
    w.sandbox(&["apply", "--auto-approve"]).expect(0);
    let state = w.state(STATE);
    assert_eq!(state["outputs"]["found"]["value"], b["id"]);
}
