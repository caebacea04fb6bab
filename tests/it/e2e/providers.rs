//! Provider configurations with `alias` end to end (issue 11): each object takes its
//! configuration's region, and the state names the configuration as Terraform does.

use serde_json::Value;

use super::harness::Workdir;

const STATE: &str = ".scwform/sandbox.tfstate";

fn resource<'s>(state: &'s Value, module: Option<&str>, mode: &str, name: &str) -> &'s Value {
    state["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| {
            r["mode"] == mode
                && r["name"] == name
                && r.get("module").and_then(Value::as_str) == module
        })
        .unwrap_or_else(|| panic!("{mode} {name} not recorded in {state:#}"))
}

#[test]
fn aliases_put_two_namespaces_in_two_regions() {
    let w = Workdir::new();
    w.write(
        r#"
provider "scaleway" {
  region = "fr-par"
}

provider "scaleway" {
  alias  = "nl"
  region = "nl-ams"
}

resource "scaleway_container_namespace" "par" {
  name = "par"
}

resource "scaleway_container_namespace" "ams" {
  provider = scaleway.nl
  name     = "ams"
}

data "scaleway_container_namespace" "ams" {
  provider   = scaleway.nl
  name       = "ams"
  depends_on = [scaleway_container_namespace.ams]
}

module "team" {
  source    = "./team"
  providers = { scaleway = scaleway.nl }
}

output "read_region" {
  value = data.scaleway_container_namespace.ams.region
}
"#,
    );
    std::fs::create_dir(w.path().join("team")).expect("mkdir");
    std::fs::write(
        w.path().join("team/main.tf"),
        "resource \"scaleway_container_namespace\" \"ns\" {\n  name = \"in-module\"\n}\n",
    )
    .expect("write");
    let plan = w.sandbox(&["plan"]);
    plan.expect(0);
    assert!(
        plan.stdout.contains(
            "  # data.scaleway_container_namespace.ams will be read during apply\n  # (depends on a resource or a module with changes pending)\n"
        ),
        "{}",
        plan.stdout
    );
    let json = w.sandbox(&["plan", "--format", "json"]);
    json.expect(0);
    let json: Value = serde_json::from_str(&json.stdout).expect("a JSON plan");
    let configuration = &json["configuration"];
    assert_eq!(
        configuration["provider_config"]["scaleway.nl"]["alias"],
        "nl"
    );
    assert_eq!(
        configuration["provider_config"]["scaleway.nl"]["expressions"]["region"]["constant_value"],
        "nl-ams"
    );
    let configured: Vec<(&str, &str)> = configuration["root_module"]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| {
            (
                r["address"].as_str().expect("address"),
                r["provider_config_key"].as_str().expect("key"),
            )
        })
        .collect();
    assert!(
        configured.contains(&("scaleway_container_namespace.ams", "scaleway.nl"))
            && configured.contains(&("scaleway_container_namespace.par", "scaleway"))
            && configured.contains(&("data.scaleway_container_namespace.ams", "scaleway.nl")),
        "{configured:?}"
    );
    w.sandbox(&["apply", "--auto-approve"]).expect(0);
    let state = w.state(STATE);
    let default = "provider[\"registry.terraform.io/scaleway/scaleway\"]";
    let nl = "provider[\"registry.terraform.io/scaleway/scaleway\"].nl";
    let par = resource(&state, None, "managed", "par");
    assert_eq!(par["provider"], default);
    assert_eq!(par["instances"][0]["attributes"]["region"], "fr-par");
    let ams = resource(&state, None, "managed", "ams");
    assert_eq!(ams["provider"], nl);
    assert_eq!(ams["instances"][0]["attributes"]["region"], "nl-ams");
    let read = resource(&state, None, "data", "ams");
    assert_eq!(read["provider"], nl);
    assert_eq!(
        read["instances"][0]["attributes"]["id"],
        ams["instances"][0]["attributes"]["id"]
    );
    let in_module = resource(&state, Some("module.team"), "managed", "ns");
    assert_eq!(in_module["provider"], nl);
    assert_eq!(in_module["instances"][0]["attributes"]["region"], "nl-ams");
    assert_eq!(state["outputs"]["read_region"]["value"], "nl-ams");

    let again = w.sandbox(&["plan", "--detailed-exitcode"]);
    again.expect(0);
    assert!(again.stdout.contains("No changes."), "{}", again.stdout);
}
