//! Resource `precondition` and `postcondition` blocks (in `lifecycle`): preconditions checked
//! while planning, postconditions once the object is known (planned, or made by the apply),
//! with Terraform's texts; a failing postcondition stops the apply with the object recorded
//! and nothing that depends on it applied.

use scwform::diag::Severity;
use scwform::model::evaluate::NoPriorValues;
use scwform::model::load::{LoadOptions, load_texts};

use crate::e2e::harness::{Api, Workdir};

fn errors(text: &str) -> Vec<(String, String)> {
    let loaded = load_texts(
        vec![("main.tf".to_owned(), text.to_owned())],
        &LoadOptions::default(),
        &NoPriorValues,
    );
    loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.summary.clone(), d.detail.clone().unwrap_or_default()))
        .collect()
}

#[test]
fn a_false_precondition_stops_the_plan_with_its_message() {
    let text = "variable \"n\" {\n  default = 7\n}\nresource \"scaleway_account_project\" \"p\" {\n  count = 2\n  name  = \"p${count.index}\"\n  lifecycle {\n    precondition {\n      condition     = var.n < 5\n      error_message = \"At most 5, not ${var.n}.\"\n    }\n  }\n}\n";
    // Both instances fail alike: reported once (scwform drops repeated diagnostics).
    assert_eq!(
        errors(text),
        vec![(
            "Resource precondition failed".to_owned(),
            "At most 5, not 7.".to_owned()
        )]
    );
    assert!(errors(&text.replace("default = 7", "default = 3")).is_empty());
}

#[test]
fn a_postcondition_reads_self_and_is_judged_once_known() {
    let post = |cond: &str| {
        format!(
            "resource \"scaleway_account_project\" \"p\" {{\n  name = \"alpha\"\n  lifecycle {{\n    postcondition {{\n      condition     = {cond}\n      error_message = \"Bad ${{self.name}}.\"\n    }}\n  }}\n}}\n"
        )
    };
    // Known when planning: judged then.
    assert_eq!(
        errors(&post("self.name == \"beta\"")),
        vec![(
            "Resource postcondition failed".to_owned(),
            "Bad alpha.".to_owned()
        )]
    );
    assert!(errors(&post("self.name == \"alpha\"")).is_empty());
    // Known only after the apply: not judged yet.
    assert!(errors(&post("self.id == \"x\"")).is_empty());
    // `self` belongs to postconditions.
    let pre = post("self.name == \"alpha\"").replace("postcondition", "precondition");
    assert!(
        errors(&pre)
            .iter()
            .any(|(s, _)| s == "Invalid \"self\" reference"),
        "{:?}",
        errors(&pre)
    );
}

/// A postcondition that fails on what the API made: the apply stops there, the object is
/// recorded (it exists), and what depends on it is not created.
#[test]
fn a_failing_postcondition_stops_the_apply_with_nothing_half_written() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(
        r#"
resource "scaleway_container_namespace" "ns" {
  name = "post-ns"
}

resource "scaleway_container" "web" {
  namespace_id = scaleway_container_namespace.ns.id
  name         = "web"
  lifecycle {
    postcondition {
      condition     = self.public_endpoint == "never"
      error_message = "The endpoint is ${self.public_endpoint}."
    }
  }
}

resource "scaleway_container_token" "web" {
  container_id = scaleway_container.web.id
}
"#,
    );
    let run = api.run(&w, &["apply", "--auto-approve"]);
    run.expect(1);
    assert!(
        run.stderr.contains("Resource postcondition failed"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("The endpoint is "), "{}", run.stderr);
    let requests = api.take_requests();
    assert!(
        !requests
            .iter()
            .any(|r| r.starts_with("POST /containers/v1beta1/regions/fr-par/tokens")),
        "the dependant token is not created: {requests:#?}"
    );
    let state = w.state("scwform.tfstate");
    let types: Vec<&str> = state["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(|r| r["type"].as_str())
        .collect();
    assert_eq!(
        types,
        ["scaleway_container", "scaleway_container_namespace"],
        "the container exists and is recorded, the token is not"
    );
}

/// A `check` assertion unknown while planning is judged after the apply: Terraform's warning.
#[test]
fn check_assertions_are_judged_again_after_the_apply() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(
        r#"
resource "scaleway_container_namespace" "ns" {
  name = "check-ns"
}

check "endpoint" {
  assert {
    condition     = scaleway_container_namespace.ns.registry_endpoint == "never"
    error_message = "The registry endpoint is not the expected one."
  }
}
"#,
    );
    let run = api.run(&w, &["apply", "--auto-approve"]);
    run.expect(0);
    assert!(
        run.stderr.contains("Check block assertion failed"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("The registry endpoint is not the expected one."),
        "{}",
        run.stderr
    );
}
