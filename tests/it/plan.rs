//! Planner behaviour over the quickstart example and a state recorded as the Terraform
//! provider writes it (`tests/fixtures/plan/quickstart/state.json`). The scenarios built here
//! are also rendered by `render.rs`.

use scwform::addr::InstanceAddr;
use scwform::model::config::Config;
use scwform::model::evaluate::ResourceValues;
use scwform::model::load::{LoadOptions, load_texts};
use scwform::plan::{Action, ActionReason, Plan, PlanOptions, StepKind, plan};
use scwform::state::{Lineage, State};

use crate::common::repo_root;

/// The quickstart example's configuration text.
pub(crate) fn quickstart() -> String {
    std::fs::read_to_string(repo_root().join("examples/quickstart/main.tf"))
        .expect("examples/quickstart/main.tf is in the repository")
}

/// The state of an applied quickstart, as the Terraform provider records it.
pub(crate) fn applied_state() -> State {
    let path = repo_root().join("tests/fixtures/plan/quickstart/state.json");
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    State::from_json(&text, "state.json").expect("fixture is a valid state")
}

/// An empty state.
pub(crate) fn empty_state() -> State {
    State::new(Lineage("2b4b1c9e-7c0c-4f5e-9a53-3f1de6c2a001".into()))
}

pub(crate) fn options() -> PlanOptions {
    PlanOptions {
        refresh: true,
        ..PlanOptions::default()
    }
}

/// Plans `text` against `prior` (recorded) and `refreshed`.
pub(crate) fn plan_text(
    text: &str,
    prior: &State,
    refreshed: &State,
    options: &PlanOptions,
) -> Plan {
    let input = |values: &dyn ResourceValues| -> (Config, scwform::diag::Diagnostics) {
        let loaded = load_texts(
            vec![("main.tf".to_owned(), text.to_owned())],
            &LoadOptions::default(),
            values,
        );
        (loaded.config, loaded.diagnostics)
    };
    match plan(&input, prior, refreshed, options) {
        Ok(p) => p,
        Err(d) => panic!("planning failed: {d:?}"),
    }
}

fn addr(s: &str) -> InstanceAddr {
    s.parse().expect("valid address")
}

pub(crate) fn create_scenario() -> Plan {
    plan_text(&quickstart(), &empty_state(), &empty_state(), &options())
}

pub(crate) fn no_changes_scenario() -> Plan {
    let s = applied_state();
    plan_text(&quickstart(), &s, &s, &options())
}

pub(crate) fn update_scenario() -> Plan {
    let s = applied_state();
    let text = quickstart()
        .replace(
            "\"Created by the scwform quickstart\"",
            "\"Quickstart, renamed\"",
        )
        .replace(
            "LOG_LEVEL = \"info\"",
            "LOG_LEVEL = \"debug\"\n    REGION    = \"par\"",
        );
    plan_text(&text, &s, &s, &options())
}

pub(crate) fn replace_scenario() -> Plan {
    let s = applied_state();
    let text = quickstart()
        .replace("\"Calls to hello\"", "\"Calls to hello v2\"")
        .replace("write_logs    = false", "write_logs    = true");
    plan_text(&text, &s, &s, &options())
}

/// The quickstart applied, plus a legacy cockpit token no longer in the configuration.
pub(crate) fn delete_scenario() -> Plan {
    let mut s = applied_state();
    let mut legacy = s
        .instance(&addr("scaleway_cockpit_token.metrics"))
        .expect("recorded")
        .clone();
    legacy.attributes.insert(
        "id".into(),
        "fr-par/99999999-9999-9999-9999-999999999999".into(),
    );
    legacy.attributes.insert("name".into(), "legacy".into());
    legacy
        .attributes
        .insert("secret_key".into(), "legacy-SECRET-0009".into());
    s.set_instance(&addr("scaleway_cockpit_token.legacy"), legacy);
    s.normalize();
    plan_text(&quickstart(), &s, &s, &options())
}

/// The quickstart applied, plus a deposed cockpit token: the old object of a create-first
/// replacement whose delete failed.
pub(crate) fn deposed_state() -> State {
    let mut s = applied_state();
    let at = addr("scaleway_cockpit_token.metrics");
    let mut old = s.instance(&at).expect("recorded").clone();
    old.deposed = Some("1a2b3c4d".into());
    old.attributes.insert(
        "id".into(),
        "fr-par/88888888-8888-8888-8888-888888888888".into(),
    );
    old.attributes
        .insert("secret_key".into(), "deposed-SECRET-0010".into());
    s.resources
        .iter_mut()
        .find(|r| r.addr() == at.resource)
        .expect("recorded")
        .instances
        .push(old);
    s.normalize();
    s
}

pub(crate) fn deposed_scenario() -> Plan {
    let s = deposed_state();
    plan_text(&quickstart(), &s, &s, &options())
}

/// Refresh found the namespace token deleted and the project description edited.
pub(crate) fn drift_scenario() -> Plan {
    let prior = applied_state();
    let mut refreshed = prior.clone();
    refreshed.remove_instance(&addr("scaleway_container_token.namespace"));
    refreshed
        .instance_mut(&addr("scaleway_account_project.quickstart"))
        .expect("recorded")
        .attributes
        .insert("description".into(), "Edited in the console".into());
    plan_text(&quickstart(), &prior, &refreshed, &options())
}

pub(crate) fn destroy_scenario() -> Plan {
    let s = applied_state();
    let mut o = options();
    o.destroy = true;
    plan_text(&quickstart(), &s, &s, &o)
}

pub(crate) fn outputs_scenario() -> Plan {
    let s = applied_state();
    let text = quickstart()
        .replace(
            "output \"project_id\" {",
            "output \"region\" {\n  value = \"fr-par\"\n}\n\noutput \"project_id\" {",
        )
        .replace(
            "output \"hello_endpoint\" {\n  value = scaleway_container.hello.public_endpoint\n}\n",
            "",
        );
    plan_text(&text, &s, &s, &options())
}

/// Secret environment variables and tokens: the plaintext `hunter2-plaintext` is configured.
pub(crate) fn sensitive_scenario() -> Plan {
    let s = applied_state();
    let text = quickstart().replace(
        "  environment_variables = {\n    LOG_LEVEL = \"info\"\n  }",
        "  environment_variables = {\n    LOG_LEVEL = \"info\"\n  }\n\n  secret_environment_variables = {\n    DB_PASSWORD = \"hunter2-plaintext\"\n  }",
    );
    plan_text(&text, &s, &s, &options())
}

/// Every secret value any scenario holds.
pub(crate) const SECRETS: &[&str] = &[
    "cockpit-SECRET-0003",
    "hello-token-SECRET-0008",
    "ns-token-SECRET-0007",
    "legacy-SECRET-0009",
    "hunter2-plaintext",
    "deposed-SECRET-0010",
];

#[test]
fn quickstart_plans_every_resource_as_a_create() {
    let p = create_scenario();
    assert_eq!(p.changes.len(), 6);
    assert!(p.changes.iter().all(|c| c.action == Action::Create));
    assert_eq!(p.counts().add, 6);
    assert!(!p.errored);
}

#[test]
fn quickstart_state_recorded_by_the_provider_plans_no_changes() {
    let p = no_changes_scenario();
    for c in &p.changes {
        assert_eq!(c.action, Action::NoOp, "{} should be unchanged", c.addr);
    }
    assert!(!p.has_changes(), "{:?}", p.outputs);
}

#[test]
fn description_and_environment_changes_update_in_place() {
    let p = update_scenario();
    let changed: Vec<(String, Action)> = p
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .map(|c| (c.addr.to_string(), c.action))
        .collect();
    assert_eq!(
        changed,
        [
            (
                "scaleway_account_project.quickstart".to_owned(),
                Action::Update
            ),
            (
                "scaleway_container_namespace.apps".to_owned(),
                Action::Update
            ),
        ]
    );
}

#[test]
fn token_description_and_scopes_changes_replace() {
    let p = replace_scenario();
    let token = p
        .change(&addr("scaleway_container_token.hello"))
        .expect("planned");
    assert_eq!(token.replace_paths, ["description"]);
    let cockpit = p
        .change(&addr("scaleway_cockpit_token.metrics"))
        .expect("planned");
    assert_eq!(cockpit.replace_paths, ["scopes.0.write_logs"]);
    assert_eq!(
        cockpit.reason,
        Some(ActionReason::ReplaceBecauseCannotUpdate)
    );
    assert_eq!(p.counts().destroy, 2);
}

#[test]
fn removed_resource_is_deleted_because_not_in_configuration() {
    let p = delete_scenario();
    let legacy = p
        .change(&addr("scaleway_cockpit_token.legacy"))
        .expect("planned");
    assert_eq!(legacy.action, Action::Delete);
    assert_eq!(
        legacy.reason,
        Some(ActionReason::DeleteBecauseNoResourceConfig)
    );
    assert_eq!(p.counts().destroy, 1);
    assert_eq!(p.counts().add, 0);
}

#[test]
fn drift_is_reported_and_the_deleted_token_recreated() {
    let p = drift_scenario();
    let drift: Vec<(String, Action)> = p
        .drift
        .iter()
        .map(|c| (c.addr.to_string(), c.action))
        .collect();
    assert_eq!(
        drift,
        [
            (
                "scaleway_account_project.quickstart".to_owned(),
                Action::Update
            ),
            (
                "scaleway_container_token.namespace".to_owned(),
                Action::Delete
            ),
        ]
    );
    assert_eq!(
        p.change(&addr("scaleway_container_token.namespace"))
            .map(|c| c.action),
        Some(Action::Create)
    );
    assert_eq!(
        p.change(&addr("scaleway_account_project.quickstart"))
            .map(|c| c.action),
        Some(Action::Update)
    );
}

#[test]
fn destroy_deletes_tokens_then_container_then_namespace_then_project() {
    let p = destroy_scenario();
    let seq: Vec<String> = p
        .order
        .sequence()
        .expect("acyclic")
        .into_iter()
        .map(|i| {
            let s = &p.order.steps()[i];
            assert_eq!(s.kind, StepKind::Delete);
            s.addr.to_string()
        })
        .collect();
    let pos = |a: &str| seq.iter().position(|s| s == a).expect("planned");
    assert!(pos("scaleway_container_token.hello") < pos("scaleway_container.hello"));
    assert!(pos("scaleway_container.hello") < pos("scaleway_container_namespace.apps"));
    assert!(pos("scaleway_container_token.namespace") < pos("scaleway_container_namespace.apps"));
    assert!(pos("scaleway_container_namespace.apps") < pos("scaleway_account_project.quickstart"));
    assert!(pos("scaleway_cockpit_token.metrics") < pos("scaleway_account_project.quickstart"));
}

#[test]
fn output_only_changes_are_changes() {
    let p = outputs_scenario();
    assert!(p.changes.iter().all(|c| c.action == Action::NoOp));
    assert!(p.has_changes());
    let actions: Vec<(&str, Action)> = p
        .outputs
        .iter()
        .map(|o| (o.name.as_str(), o.action))
        .collect();
    assert!(actions.contains(&("region", Action::Create)));
    assert!(actions.contains(&("hello_endpoint", Action::Delete)));
}

#[test]
fn a_configured_secret_that_verifies_against_the_stored_hash_is_unchanged() {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::encode_b64(b"quickstart-salt!").expect("valid salt");
    let hash = argon2::Argon2::default()
        .hash_password(b"hunter2-plaintext", &salt)
        .expect("valid parameters")
        .to_string();
    let mut s = applied_state();
    s.instance_mut(&addr("scaleway_container_namespace.apps"))
        .expect("recorded")
        .attributes
        .insert(
            "secret_environment_variables".into(),
            serde_json::json!({ "DB_PASSWORD": hash }),
        );
    let text = quickstart().replace(
        "  environment_variables = {\n    LOG_LEVEL = \"info\"\n  }",
        "  environment_variables = {\n    LOG_LEVEL = \"info\"\n  }\n\n  secret_environment_variables = {\n    DB_PASSWORD = \"hunter2-plaintext\"\n  }",
    );
    let p = plan_text(&text, &s, &s, &options());
    assert_eq!(
        p.change(&addr("scaleway_container_namespace.apps"))
            .map(|c| c.action),
        Some(Action::NoOp)
    );
    let p = plan_text(
        &text.replace("hunter2-plaintext", "other"),
        &s,
        &s,
        &options(),
    );
    assert_eq!(
        p.change(&addr("scaleway_container_namespace.apps"))
            .map(|c| c.action),
        Some(Action::Update)
    );
}
