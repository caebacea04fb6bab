//! Planner unit tests: one rule per test, over configurations parsed from text, plus the
//! planner laws as property tests.

#![allow(clippy::format_push_string)]

use std::collections::BTreeMap;

use indexmap::IndexMap;
use proptest::prelude::*;

use super::planner::{decide, dependencies_of};
use super::recorded::{Recorded, recorded_objects};
use super::*;
use crate::addr::{InstanceAddr, ResourceAddr};
use crate::diag::SourceMap;
use crate::model::config::ResourceInstance;
use crate::model::evaluate::{EvalOptions, evaluate};
use crate::model::lower::lower;
use crate::model::value::Value;
use crate::schema::ResourceSchema;
use crate::schema::{AttrType, IdForm};
use crate::state::{self, InstanceState, Lineage};

/// Evaluates `text` as `main.tf` with the hook.
pub(crate) fn eval_text(text: &str, values: &dyn ResourceValues) -> (Config, Diagnostics) {
    let mut sources = SourceMap::new();
    let id = sources.add("main.tf", None, text.to_owned());
    let mut diags = Diagnostics::new();
    let files = match crate::parse::parse_source(text, id) {
        Ok(f) => vec![f],
        Err(d) => return (Config::default(), d),
    };
    let module = lower(&files, &mut diags);
    let config = evaluate(
        &module,
        IndexMap::new(),
        values,
        &EvalOptions::default(),
        &mut diags,
    );
    (config, diags)
}

fn input(text: &str) -> impl Fn(&dyn ResourceValues) -> (Config, Diagnostics) + '_ {
    move |values| eval_text(text, values)
}

fn options() -> PlanOptions {
    PlanOptions {
        refresh: true,
        ..PlanOptions::default()
    }
}

fn run(text: &str, state: &State, options: &PlanOptions) -> Plan {
    match plan(&input(text), state, state, options) {
        Ok(p) => p,
        Err(d) => panic!("plan failed: {d:?}"),
    }
}

fn addr(s: &str) -> InstanceAddr {
    s.parse().expect("valid address")
}

fn action_of(plan: &Plan, a: &str) -> Action {
    plan.change(&addr(a))
        .unwrap_or_else(|| panic!("{a} is in the plan"))
        .action
}

/// A deterministic UUID from a seed text.
fn fake_uuid(seed: &str) -> String {
    use sha2::Digest;
    let h = sha2::Sha256::digest(seed.as_bytes());
    let hex: String = h.iter().take(16).fold(String::new(), |mut s, b| {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
        s
    });
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Fills every unknown in a planned object as the API would: ids, names, defaults.
fn fill_unknowns(schema: &ResourceSchema, addr: &InstanceAddr, value: &Value) -> Value {
    let Some(object) = value.as_object() else {
        return value.clone();
    };
    let mut out = BTreeMap::new();
    for (k, v) in object {
        let (inner, sensitive) = v.unmark();
        let filled = if inner.is_unknown() {
            match schema.attribute(k).map(|a| a.ty) {
                Some(AttrType::String) => match k.as_str() {
                    "id" => {
                        let uuid = fake_uuid(&addr.to_string());
                        Value::string(if schema.id_form == IdForm::Regional {
                            format!("fr-par/{uuid}")
                        } else {
                            uuid
                        })
                    }
                    "region" => Value::string("fr-par"),
                    "project_id" | "organization_id" => {
                        Value::string("00000000-0000-0000-0000-000000000001")
                    }
                    other => Value::string(format!("{other}-{}", fake_uuid(&addr.to_string()))),
                },
                Some(AttrType::Int | AttrType::Float) => Value::float(1.0),
                Some(AttrType::Bool) => Value::Bool(false),
                Some(AttrType::List(_) | AttrType::Set(_)) | None => Value::List(Vec::new()),
                Some(AttrType::Map(_)) => Value::Object(BTreeMap::new()),
            }
        } else {
            inner.clone()
        };
        out.insert(k.clone(), filled.marked_if(sensitive));
    }
    Value::Object(out)
}

/// Applies a configuration to a state the way a perfect API would, in one evaluation: each
/// instance, in dependency order, becomes its planned object with unknowns filled.
struct FakeApply<'a> {
    recorded: BTreeMap<InstanceAddr, Recorded>,
    options: &'a PlanOptions,
    applied: RefCell<BTreeMap<InstanceAddr, (Value, Vec<ResourceAddr>)>>,
}

impl ResourceValues for FakeApply<'_> {
    fn instance(&self, instance: &ResourceInstance) -> Value {
        let decision = decide(instance, self.recorded.get(&instance.addr), self.options);
        let value = fill_unknowns(instance.schema, &instance.addr, &decision.after);
        self.applied.borrow_mut().insert(
            instance.addr.clone(),
            (value.clone(), dependencies_of(instance)),
        );
        value
    }
}

/// The state after applying `text` over `state`.
fn apply(text: &str, state: &State) -> State {
    let options = options();
    let hook = FakeApply {
        recorded: recorded_objects(state, &mut Diagnostics::new()),
        options: &options,
        applied: RefCell::new(BTreeMap::new()),
    };
    let (config, diags) = eval_text(text, &hook);
    assert!(!diags.has_errors(), "{diags:?}");
    let mut out = State::new(state.lineage.clone());
    for (addr, (value, deps)) in hook.applied.into_inner() {
        let json = value.to_json();
        let attributes: BTreeMap<String, serde_json::Value> = json
            .as_object()
            .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        let mut instance = InstanceState::new(attributes);
        instance.dependencies = deps;
        out.set_instance(&addr, instance);
    }
    for (name, o) in &config.outputs {
        out.outputs.insert(
            name.clone(),
            state::OutputState {
                value: o.value.to_json(),
                type_: serde_json::Value::String("string".into()),
                sensitive: o.sensitive,
            },
        );
    }
    out.normalize();
    out
}

fn empty() -> State {
    State::new(Lineage("test".into()))
}

const QUICK: &str = r#"
resource "scaleway_account_project" "main" {
  name        = "demo"
  description = "Demo project"
}

resource "scaleway_cockpit_token" "metrics" {
  project_id = scaleway_account_project.main.id
  name       = "metrics"
  scopes {
    query_metrics = true
  }
}

resource "scaleway_container_namespace" "app" {
  project_id = scaleway_account_project.main.id
  name       = "app"
  tags       = ["a", "b"]
}

resource "scaleway_container" "web" {
  namespace_id = scaleway_container_namespace.app.id
  name         = "web"
  min_scale    = 1
}

resource "scaleway_container_token" "ci" {
  container_id = scaleway_container.web.id
  description  = "ci"
  expires_at   = "2030-01-01T00:00:00Z"
}

output "project_id" {
  value = scaleway_account_project.main.id
}
"#;

#[test]
fn new_configuration_creates_everything_in_dependency_order() {
    let p = run(QUICK, &empty(), &options());
    assert!(p.changes.iter().all(|c| c.action == Action::Create));
    assert_eq!(p.counts().add, 5);
    let token = p
        .change(&addr("scaleway_cockpit_token.metrics"))
        .expect("planned");
    let after = token
        .after
        .as_ref()
        .and_then(Value::as_object)
        .expect("object");
    assert!(
        after["project_id"].is_unknown(),
        "project id known after apply"
    );
    assert!(after["id"].is_unknown());
    assert!(after["secret_key"].is_unknown());
    assert_eq!(after["name"], Value::string("metrics"));
    let seq: Vec<String> = p
        .order
        .sequence()
        .expect("acyclic")
        .iter()
        .map(|i| p.order.steps()[*i].addr.to_string())
        .collect();
    let pos = |a: &str| seq.iter().position(|s| s == a).expect("step exists");
    assert!(pos("scaleway_account_project.main") < pos("scaleway_container_namespace.app"));
    assert!(pos("scaleway_container_namespace.app") < pos("scaleway_container.web"));
    assert!(pos("scaleway_container.web") < pos("scaleway_container_token.ci"));
    assert_eq!(p.outputs[0].action, Action::Create);
    assert!(p.has_changes());
}

#[test]
fn applied_configuration_plans_no_changes() {
    let state = apply(QUICK, &empty());
    let p = run(QUICK, &state, &options());
    for c in &p.changes {
        assert_eq!(c.action, Action::NoOp, "{}", c.addr);
    }
    assert!(!p.has_changes(), "{:?}", p.outputs);
}

#[test]
fn changing_an_updatable_attribute_updates_in_place() {
    let state = apply(QUICK, &empty());
    let changed = QUICK.replace("Demo project", "Renamed");
    let p = run(&changed, &state, &options());
    assert_eq!(
        action_of(&p, "scaleway_account_project.main"),
        Action::Update
    );
    assert_eq!(
        action_of(&p, "scaleway_cockpit_token.metrics"),
        Action::NoOp
    );
    assert_eq!(
        p.counts(),
        Counts {
            add: 0,
            change: 1,
            destroy: 0
        }
    );
}

#[test]
fn changing_a_force_new_attribute_replaces() {
    let state = apply(QUICK, &empty());
    let changed = QUICK.replace("description  = \"ci\"", "description  = \"ci v2\"");
    let p = run(&changed, &state, &options());
    let c = p
        .change(&addr("scaleway_container_token.ci"))
        .expect("planned");
    assert_eq!(
        c.action,
        Action::Replace {
            create_before_destroy: false
        }
    );
    assert_eq!(c.replace_paths, ["description"]);
    assert_eq!(c.reason, Some(ActionReason::ReplaceBecauseCannotUpdate));
    let after = c.after.as_ref().and_then(Value::as_object).expect("object");
    assert!(after["id"].is_unknown() && after["token"].is_unknown());
}

#[test]
fn changing_a_scope_replaces_with_the_scope_path() {
    let state = apply(QUICK, &empty());
    let changed = QUICK.replace(
        "query_metrics = true",
        "query_metrics = true\n    query_logs = true",
    );
    let p = run(&changed, &state, &options());
    let c = p
        .change(&addr("scaleway_cockpit_token.metrics"))
        .expect("planned");
    assert!(matches!(c.action, Action::Replace { .. }));
    assert_eq!(c.replace_paths, ["scopes.0.query_logs"]);
}

#[test]
fn omitted_scopes_take_the_provider_defaults_and_keep_them() {
    let text = r#"resource "scaleway_cockpit_token" "t" { name = "tok" }"#;
    let p = run(text, &empty(), &options());
    let after = p.changes[0]
        .after
        .as_ref()
        .and_then(Value::as_object)
        .expect("object");
    let scopes = after["scopes"].as_list().expect("a list");
    let scope = scopes[0].as_object().expect("one object");
    assert_eq!(scope["write_logs"], Value::Bool(true));
    assert_eq!(scope["query_logs"], Value::Bool(false));
    let state = apply(text, &empty());
    assert_eq!(
        run(text, &state, &options()).changes[0].action,
        Action::NoOp
    );
}

#[test]
fn removed_resources_are_deleted_with_a_reason_dependents_first() {
    let state = apply(QUICK, &empty());
    let p = run("", &state, &options());
    assert!(p.changes.iter().all(|c| c.action == Action::Delete));
    assert!(
        p.changes
            .iter()
            .all(|c| c.reason == Some(ActionReason::DeleteBecauseNoResourceConfig))
    );
    let seq: Vec<String> = p
        .order
        .sequence()
        .expect("acyclic")
        .iter()
        .map(|i| p.order.steps()[*i].addr.to_string())
        .collect();
    let pos = |a: &str| seq.iter().position(|s| s == a).expect("step exists");
    assert!(pos("scaleway_container_token.ci") < pos("scaleway_container.web"));
    assert!(pos("scaleway_container.web") < pos("scaleway_container_namespace.app"));
    assert!(pos("scaleway_container_namespace.app") < pos("scaleway_account_project.main"));
    assert_eq!(p.outputs[0].action, Action::Delete);
}

#[test]
fn count_reduction_deletes_with_count_index_reason() {
    let three = r#"resource "scaleway_account_project" "p" {
  count = 3
  name  = "p${count.index}"
}"#;
    let state = apply(three, &empty());
    let p = run(&three.replace("count = 3", "count = 1"), &state, &options());
    let c = p
        .change(&addr("scaleway_account_project.p[2]"))
        .expect("planned");
    assert_eq!(c.action, Action::Delete);
    assert_eq!(c.reason, Some(ActionReason::DeleteBecauseCountIndex));
    assert_eq!(action_of(&p, "scaleway_account_project.p[0]"), Action::NoOp);
}

#[test]
fn for_each_key_removal_deletes_with_each_key_reason() {
    let text = r#"resource "scaleway_account_project" "p" {
  for_each = toset(["a", "b"])
  name     = each.key
}"#;
    let state = apply(text, &empty());
    let p = run(&text.replace("\"a\", \"b\"", "\"a\""), &state, &options());
    let c = p
        .change(&addr("scaleway_account_project.p[\"b\"]"))
        .expect("planned");
    assert_eq!(c.reason, Some(ActionReason::DeleteBecauseEachKey));
}

#[test]
fn prevent_destroy_makes_the_plan_errored_naming_the_resource() {
    let text = r#"resource "scaleway_container_token" "t" {
  namespace_id = "11111111-1111-1111-1111-111111111111"
  description  = "a"
  lifecycle {
    prevent_destroy = true
  }
}"#;
    let state = apply(text, &empty());
    let p = run(&text.replace("\"a\"", "\"b\""), &state, &options());
    assert!(p.errored);
    let d = p
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .expect("an error");
    assert_eq!(d.code, "scw::plan::prevent_destroy");
    assert!(
        d.detail
            .as_deref()
            .is_some_and(|t| t.contains("scaleway_container_token.t"))
    );
}

#[test]
fn ignore_changes_hides_a_difference() {
    let text = r#"resource "scaleway_account_project" "p" {
  name        = "p"
  description = "one"
  lifecycle {
    ignore_changes = [description]
  }
}"#;
    let state = apply(text, &empty());
    let p = run(&text.replace("\"one\"", "\"two\""), &state, &options());
    assert_eq!(p.changes[0].action, Action::NoOp);
    let all = text.replace("[description]", "all");
    let state = apply(&all, &empty());
    let p = run(
        &all.replace("\"one\"", "\"two\"")
            .replace("name        = \"p\"", "name = \"q\""),
        &state,
        &options(),
    );
    assert_eq!(p.changes[0].action, Action::NoOp);
}

#[test]
fn replace_option_forces_replacement_by_request() {
    let state = apply(QUICK, &empty());
    let mut o = options();
    o.replace = vec![addr("scaleway_account_project.main")];
    let p = run(QUICK, &state, &o);
    let c = p
        .change(&addr("scaleway_account_project.main"))
        .expect("planned");
    assert!(matches!(c.action, Action::Replace { .. }));
    assert_eq!(c.reason, Some(ActionReason::ReplaceByRequest));
    // Dependents see an unknown id now, and their force-new project_id replaces them too.
    assert!(matches!(
        action_of(&p, "scaleway_cockpit_token.metrics"),
        Action::Replace { .. }
    ));
}

#[test]
fn target_limits_the_plan_to_targets_and_their_dependencies() {
    let mut o = options();
    o.targets = vec![
        "scaleway_container_namespace.app"
            .parse()
            .expect("valid target"),
    ];
    let p = run(QUICK, &empty(), &o);
    let planned: Vec<String> = p.changes.iter().map(|c| c.addr.to_string()).collect();
    assert_eq!(
        planned,
        [
            "scaleway_account_project.main",
            "scaleway_container_namespace.app"
        ]
    );
}

#[test]
fn targeting_a_deleted_object_brings_its_dependents() {
    let state = apply(QUICK, &empty());
    let mut o = options();
    o.destroy = true;
    o.targets = vec!["scaleway_container.web".parse().expect("valid target")];
    let p = run(QUICK, &state, &o);
    let planned: Vec<String> = p.changes.iter().map(|c| c.addr.to_string()).collect();
    assert!(
        planned.contains(&"scaleway_container_token.ci".to_owned()),
        "{planned:?}"
    );
    assert!(planned.contains(&"scaleway_container.web".to_owned()));
    assert!(!planned.contains(&"scaleway_cockpit_token.metrics".to_owned()));
}

#[test]
fn destroy_mode_deletes_everything_in_reverse_order() {
    let state = apply(QUICK, &empty());
    let mut o = options();
    o.destroy = true;
    let p = run(QUICK, &state, &o);
    assert_eq!(
        p.counts(),
        Counts {
            add: 0,
            change: 0,
            destroy: 5
        }
    );
    assert!(p.changes.iter().all(|c| c.reason.is_none()));
    assert!(p.outputs.iter().all(|o| o.action == Action::Delete));
    let seq = p.order.sequence().expect("acyclic");
    let first = &p.order.steps()[seq[0]].addr.to_string();
    let last = &p.order.steps()[seq[seq.len() - 1]].addr.to_string();
    assert_ne!(first, "scaleway_account_project.main");
    assert_eq!(last, "scaleway_account_project.main");
}

#[test]
fn refresh_false_ignores_the_refreshed_state() {
    let state = apply(QUICK, &empty());
    let mut gone = state.clone();
    gone.remove_instance(&addr("scaleway_cockpit_token.metrics"));
    let mut o = options();
    o.refresh = false;
    let p = plan(&input(QUICK), &state, &gone, &o).expect("plans");
    assert!(!p.has_changes());
    assert!(p.drift.is_empty());
    o.refresh = true;
    let p = plan(&input(QUICK), &state, &gone, &o).expect("plans");
    assert_eq!(
        action_of(&p, "scaleway_cockpit_token.metrics"),
        Action::Create
    );
    assert_eq!(p.drift.len(), 1);
    assert_eq!(p.drift[0].action, Action::Delete);
}

#[test]
fn drift_records_attributes_changed_outside() {
    let state = apply(QUICK, &empty());
    let mut changed = state.clone();
    changed
        .instance_mut(&addr("scaleway_account_project.main"))
        .expect("recorded")
        .attributes
        .insert("description".into(), "edited in the console".into());
    let p = plan(&input(QUICK), &state, &changed, &options()).expect("plans");
    assert_eq!(p.drift.len(), 1);
    assert_eq!(p.drift[0].action, Action::Update);
    assert_eq!(
        action_of(&p, "scaleway_account_project.main"),
        Action::Update
    );
}

#[test]
fn computed_and_optional_computed_attributes_unset_do_not_diff() {
    let state = apply(QUICK, &empty());
    let mut edited = state.clone();
    let ns = edited
        .instance_mut(&addr("scaleway_container.web"))
        .expect("recorded");
    ns.attributes.insert("max_scale".into(), 7.into());
    ns.attributes.insert("status".into(), "ready".into());
    let p = plan(&input(QUICK), &edited, &edited, &options()).expect("plans");
    assert_eq!(action_of(&p, "scaleway_container.web"), Action::NoOp);
}

#[test]
fn references_compare_modulo_locality_and_timestamps_as_instants() {
    let state = apply(QUICK, &empty());
    let mut edited = state.clone();
    let t = edited
        .instance_mut(&addr("scaleway_container_token.ci"))
        .expect("recorded");
    let bare = t.attributes["container_id"]
        .as_str()
        .map(|s| diff::strip_locality(s).to_owned())
        .expect("a string");
    t.attributes.insert("container_id".into(), bare.into());
    t.attributes
        .insert("expires_at".into(), "2030-01-01T01:00:00+01:00".into());
    let p = plan(&input(QUICK), &edited, &edited, &options()).expect("plans");
    assert_eq!(action_of(&p, "scaleway_container_token.ci"), Action::NoOp);
}

#[test]
fn create_before_destroy_creates_first_and_propagates_to_replaced_dependencies() {
    let text = r#"
resource "scaleway_container_namespace" "ns" {
  name = "ns"
}
resource "scaleway_container_token" "t" {
  namespace_id = scaleway_container_namespace.ns.id
  description  = "t"
  lifecycle {
    create_before_destroy = true
  }
}"#;
    let state = apply(text, &empty());
    let p = run(
        &text.replace("name = \"ns\"", "name = \"ns2\""),
        &state,
        &options(),
    );
    assert_eq!(
        action_of(&p, "scaleway_container_namespace.ns"),
        Action::Replace {
            create_before_destroy: true
        }
    );
    let seq: Vec<(String, StepKind)> = p
        .order
        .sequence()
        .expect("acyclic")
        .iter()
        .map(|i| {
            let s = &p.order.steps()[*i];
            (s.addr.to_string(), s.kind)
        })
        .collect();
    let pos = |a: &str, k: StepKind| {
        seq.iter()
            .position(|(s, kind)| s == a && *kind == k)
            .expect("step exists")
    };
    let ns = "scaleway_container_namespace.ns";
    let t = "scaleway_container_token.t";
    assert!(pos(ns, StepKind::Create) < pos(t, StepKind::Create));
    assert!(pos(t, StepKind::Create) < pos(t, StepKind::Delete));
    assert!(pos(t, StepKind::Delete) < pos(ns, StepKind::Delete));
}

#[test]
fn destroy_then_create_replacement_deletes_before_creating() {
    let state = apply(QUICK, &empty());
    let p = run(
        &QUICK.replace("name         = \"web\"", "name = \"web2\""),
        &state,
        &options(),
    );
    let seq: Vec<(String, StepKind)> = p
        .order
        .sequence()
        .expect("acyclic")
        .iter()
        .map(|i| {
            let s = &p.order.steps()[*i];
            (s.addr.to_string(), s.kind)
        })
        .collect();
    let pos = |a: &str, k: StepKind| {
        seq.iter()
            .position(|(s, kind)| s == a && *kind == k)
            .expect("step exists")
    };
    let c = "scaleway_container.web";
    let t = "scaleway_container_token.ci";
    // The token depends on the container's id (unknown now), so it is replaced too.
    assert!(pos(t, StepKind::Delete) < pos(c, StepKind::Delete));
    assert!(pos(c, StepKind::Delete) < pos(c, StepKind::Create));
    assert!(pos(c, StepKind::Create) < pos(t, StepKind::Create));
}

#[test]
fn sensitive_attributes_stay_marked() {
    let text = r#"resource "scaleway_container_namespace" "ns" {
  name = "ns"
  secret_environment_variables = { KEY = "hunter2" }
}"#;
    let p = run(text, &empty(), &options());
    let after = p.changes[0]
        .after
        .as_ref()
        .and_then(Value::as_object)
        .expect("object");
    assert!(after["secret_environment_variables"].unmark().1);
}

#[test]
fn config_errors_stop_planning() {
    let err = plan(
        &input(r#"resource "scaleway_account_project" "p" { nme = "x" }"#),
        &empty(),
        &empty(),
        &options(),
    )
    .expect_err("an unknown attribute is an error");
    assert!(err.has_errors());
}

#[test]
fn outputs_update_when_their_value_changes() {
    let text = r#"output "greeting" {
  value = "hello"
}
output "secret" {
  value     = "s3cret"
  sensitive = true
}"#;
    let state = apply(text, &empty());
    let p = run(&text.replace("hello", "bye"), &state, &options());
    assert_eq!(p.outputs[0].action, Action::Update);
    assert_eq!(p.outputs[1].action, Action::NoOp);
    assert!(p.outputs[1].sensitive);
}

/// `state` with a deposed copy (key `key`, another id) of the current object at `a`, as a
/// create-first replacement whose delete failed leaves it.
fn with_deposed(state: &State, a: &str, key: &str) -> State {
    let mut out = state.clone();
    let at = (addr(a)).clone();
    let mut old = out.instance(&at).expect("the instance is recorded").clone();
    let id = old.id().map_or_else(String::new, |id| format!("{id}-old"));
    old.attributes
        .insert("id".into(), serde_json::Value::String(id));
    old.deposed = Some(key.to_owned());
    out.resources
        .iter_mut()
        .find(|r| r.addr() == at.resource)
        .expect("the resource is recorded")
        .instances
        .push(old);
    out.normalize();
    out
}

fn deposed_of(p: &Plan) -> Vec<(String, String, Action)> {
    p.changes
        .iter()
        .filter_map(|c| {
            c.deposed
                .as_ref()
                .map(|k| (c.addr.to_string(), k.clone(), c.action))
        })
        .collect()
}

/// The position of each step in the run order, as (address, deposed key, kind).
fn run_order(p: &Plan) -> Vec<(String, Option<String>, StepKind)> {
    p.order
        .sequence()
        .expect("acyclic")
        .iter()
        .map(|i| {
            let s = &p.order.steps()[*i];
            (
                s.addr.to_string(),
                p.changes[s.change].deposed.clone(),
                s.kind,
            )
        })
        .collect()
}

#[test]
fn a_deposed_object_is_planned_as_one_delete_with_its_key() {
    let state = with_deposed(
        &apply(QUICK, &empty()),
        "scaleway_container_namespace.app",
        "1a2b3c4d",
    );
    let p = run(QUICK, &state, &options());
    assert_eq!(
        deposed_of(&p),
        [(
            "scaleway_container_namespace.app".to_owned(),
            "1a2b3c4d".to_owned(),
            Action::Delete
        )]
    );
    let ns = addr("scaleway_container_namespace.app");
    let c = p.deposed_change(&ns, "1a2b3c4d").expect("planned");
    assert!(c.after.is_none() && c.reason.is_none());
    let before = c
        .before
        .as_ref()
        .and_then(Value::as_object)
        .expect("object");
    assert!(
        before["id"].as_str().is_some_and(|id| id.ends_with("-old")),
        "the deposed object's own attributes: {before:?}"
    );
    assert_eq!(
        c.dependencies,
        [ResourceAddr::managed("scaleway_account_project", "main")],
        "its recorded dependencies"
    );
    // The current object is untouched, and `change` still finds it.
    assert_eq!(
        action_of(&p, "scaleway_container_namespace.app"),
        Action::NoOp
    );
    assert_eq!(
        p.counts(),
        Counts {
            add: 0,
            change: 0,
            destroy: 1
        }
    );
    assert!(p.has_changes());
    assert_eq!(p.order.steps().len(), 1);
    assert_eq!(p.order.steps()[0].kind, StepKind::Delete);
    // Refresh does not report a deposed object as drift.
    assert!(p.drift.is_empty());
}

#[test]
fn a_deposed_object_is_deleted_after_its_dependents_are_repointed() {
    let state = with_deposed(
        &apply(QUICK, &empty()),
        "scaleway_container_namespace.app",
        "1a2b3c4d",
    );
    let p = run(
        &QUICK.replace("min_scale    = 1", "min_scale    = 2"),
        &state,
        &options(),
    );
    assert_eq!(action_of(&p, "scaleway_container.web"), Action::Update);
    let seq = run_order(&p);
    let pos = |a: &str, deposed: Option<&str>, k: StepKind| {
        seq.iter()
            .position(|(s, d, kind)| s == a && d.as_deref() == deposed && *kind == k)
            .unwrap_or_else(|| panic!("{a} {k:?} in {seq:?}"))
    };
    assert!(
        pos("scaleway_container.web", None, StepKind::Update)
            < pos(
                "scaleway_container_namespace.app",
                Some("1a2b3c4d"),
                StepKind::Delete
            )
    );
}

#[test]
fn destroy_mode_deletes_deposed_objects_before_what_they_depend_on() {
    let state = with_deposed(
        &apply(QUICK, &empty()),
        "scaleway_container_namespace.app",
        "1a2b3c4d",
    );
    let mut o = options();
    o.destroy = true;
    let p = run(QUICK, &state, &o);
    assert_eq!(
        p.counts().destroy,
        6,
        "five current objects and the deposed one"
    );
    assert_eq!(deposed_of(&p).len(), 1);
    let seq = run_order(&p);
    let pos = |a: &str, deposed: Option<&str>| {
        seq.iter()
            .position(|(s, d, _)| s == a && d.as_deref() == deposed)
            .unwrap_or_else(|| panic!("{a} in {seq:?}"))
    };
    let ns = "scaleway_container_namespace.app";
    assert!(pos(ns, Some("1a2b3c4d")) < pos("scaleway_account_project.main", None));
    assert!(pos(ns, None) < pos("scaleway_account_project.main", None));
}

#[test]
fn target_covers_the_deposed_objects_of_the_instances_it_names() {
    let state = with_deposed(
        &apply(QUICK, &empty()),
        "scaleway_account_project.main",
        "0f0f0f0f",
    );
    let mut o = options();
    o.targets = vec![
        "scaleway_account_project.main"
            .parse()
            .expect("valid target"),
    ];
    let p = run(QUICK, &state, &o);
    assert_eq!(
        deposed_of(&p),
        [(
            "scaleway_account_project.main".to_owned(),
            "0f0f0f0f".to_owned(),
            Action::Delete
        )]
    );
    // Named by a resource address without key: the same.
    o.targets = vec![
        "scaleway_account_project.main"
            .parse()
            .expect("valid target"),
    ];
    o.destroy = true;
    let p = run(QUICK, &state, &o);
    assert_eq!(deposed_of(&p).len(), 1);
    // A target that only depends on the instance brings its current object, not the deposed one.
    o.destroy = false;
    o.targets = vec![
        "scaleway_cockpit_token.metrics"
            .parse()
            .expect("valid target"),
    ];
    let p = run(QUICK, &state, &o);
    let planned: Vec<String> = p.changes.iter().map(|c| c.addr.to_string()).collect();
    assert_eq!(
        planned,
        [
            "scaleway_account_project.main",
            "scaleway_cockpit_token.metrics"
        ]
    );
    assert!(deposed_of(&p).is_empty());
    assert!(!p.has_changes());
}

#[test]
fn deposed_objects_of_keyed_and_unconfigured_instances_are_deleted_too() {
    let three = r#"resource "scaleway_account_project" "p" {
  count = 2
  name  = "p${count.index}"
}"#;
    let state = with_deposed(
        &apply(three, &empty()),
        "scaleway_account_project.p[1]",
        "aa",
    );
    let state = with_deposed(&state, "scaleway_account_project.p[1]", "bb");
    let p = run("", &state, &options());
    assert_eq!(
        deposed_of(&p),
        [
            (
                "scaleway_account_project.p[1]".to_owned(),
                "aa".to_owned(),
                Action::Delete
            ),
            (
                "scaleway_account_project.p[1]".to_owned(),
                "bb".to_owned(),
                Action::Delete
            ),
        ]
    );
    assert_eq!(p.counts().destroy, 4);
    assert_eq!(p.order.steps().len(), 4, "one delete step per object");
    assert_eq!(
        p.change(&addr("scaleway_account_project.p[1]"))
            .map(|c| (c.deposed.clone(), c.reason)),
        Some((None, Some(ActionReason::DeleteBecauseNoResourceConfig)))
    );
}

#[test]
fn prevent_destroy_does_not_block_deleting_a_deposed_object() {
    let text = r#"resource "scaleway_account_project" "p" {
  name = "p"
  lifecycle {
    prevent_destroy = true
  }
}"#;
    let state = with_deposed(
        &apply(text, &empty()),
        "scaleway_account_project.p",
        "1a2b3c4d",
    );
    let p = run(text, &state, &options());
    assert!(!p.errored, "{:?}", p.diagnostics);
    assert_eq!(deposed_of(&p).len(), 1);
    // The current object is still protected.
    let mut o = options();
    o.destroy = true;
    assert!(run(text, &state, &o).errored);
}

#[test]
fn a_deposed_object_makes_a_replaced_dependency_create_first() {
    // The deposed namespace must go before the old project does, and only once the
    // containers are repointed to the new namespace: destroy-first for the project would be
    // a cycle, so it is replaced create-first, as for any create-first replacement.
    let state = with_deposed(
        &apply(QUICK, &empty()),
        "scaleway_container_namespace.app",
        "1a2b3c4d",
    );
    let mut o = options();
    o.replace = vec![addr("scaleway_account_project.main")];
    let p = run(QUICK, &state, &o);
    assert_eq!(
        action_of(&p, "scaleway_account_project.main"),
        Action::Replace {
            create_before_destroy: true
        }
    );
    assert!(!p.errored, "{:?}", p.diagnostics);
    let seq = run_order(&p);
    let pos = |a: &str, deposed: Option<&str>, k: StepKind| {
        seq.iter()
            .position(|(s, d, kind)| s == a && d.as_deref() == deposed && *kind == k)
            .unwrap_or_else(|| panic!("{a} {k:?} in {seq:?}"))
    };
    let project = "scaleway_account_project.main";
    let ns = "scaleway_container_namespace.app";
    assert!(pos(ns, Some("1a2b3c4d"), StepKind::Delete) < pos(project, None, StepKind::Delete));
    assert!(pos(project, None, StepKind::Create) < pos(ns, None, StepKind::Create));
}

/// A random configuration in the quickstart's shape.
fn config_strategy() -> impl Strategy<Value = String> {
    (
        1usize..3,
        prop::collection::vec((0usize..3, any::<bool>(), any::<bool>()), 0..3),
        prop::collection::vec((0usize..3, prop::option::of("[a-c]{1,2}")), 0..3),
        prop::collection::vec((0usize..3, 0u8..3), 0..3),
        prop::collection::vec((0usize..3, prop::option::of("[x-z]{1,3}")), 0..3),
        prop::option::of("[d-f]{1,3}"),
    )
        .prop_map(|(projects, tokens, namespaces, containers, ctokens, desc)| {
            let mut text = String::new();
            for p in 0..projects {
                text.push_str(&format!(
                    "resource \"scaleway_account_project\" \"p{p}\" {{\n  name = \"p{p}\"\n"
                ));
                if let Some(d) = &desc {
                    text.push_str(&format!("  description = \"{d}\"\n"));
                }
                text.push_str("}\n");
            }
            for (i, (p, q, w)) in tokens.iter().enumerate() {
                text.push_str(&format!("resource \"scaleway_cockpit_token\" \"t{i}\" {{\n  project_id = scaleway_account_project.p{}.id\n  name = \"tok{i}\"\n", p % projects));
                if *q || *w {
                    text.push_str(&format!(
                        "  scopes {{\n    query_logs = {q}\n    write_metrics = {w}\n  }}\n"
                    ));
                }
                text.push_str("}\n");
            }
            for (i, (p, tag)) in namespaces.iter().enumerate() {
                text.push_str(&format!("resource \"scaleway_container_namespace\" \"n{i}\" {{\n  project_id = scaleway_account_project.p{}.id\n", p % projects));
                if let Some(t) = tag {
                    text.push_str(&format!("  tags = [\"{t}\"]\n  description = \"{t}\"\n"));
                }
                text.push_str("}\n");
            }
            if !namespaces.is_empty() {
                for (i, (n, scale)) in containers.iter().enumerate() {
                    text.push_str(&format!("resource \"scaleway_container\" \"c{i}\" {{\n  namespace_id = scaleway_container_namespace.n{}.id\n  name = \"c{i}\"\n  min_scale = {scale}\n}}\n", n % namespaces.len()));
                }
                for (i, (n, d)) in ctokens.iter().enumerate() {
                    text.push_str(&format!("resource \"scaleway_container_token\" \"k{i}\" {{\n  namespace_id = scaleway_container_namespace.n{}.id\n", n % namespaces.len()));
                    if let Some(d) = d {
                        text.push_str(&format!("  description = \"{d}\"\n"));
                    }
                    text.push_str("}\n");
                }
            }
            text
        })
}

/// Issue 9 item 15: a recorded object becomes a value in one place, and it marks both what
/// the schema says is sensitive and what the state lists in `sensitive_attributes`.
#[test]
fn issue_9_recorded_objects_mark_schema_and_state_sensitive_attributes() {
    let schema = crate::schema::resource("scaleway_cockpit_token").expect("known type");
    let attributes: BTreeMap<String, serde_json::Value> = [
        (
            "name".to_owned(),
            serde_json::json!("derived-from-a-secret"),
        ),
        ("secret_key".to_owned(), serde_json::json!("s3cret")),
        ("project_id".to_owned(), serde_json::json!("p")),
    ]
    .into();
    let instance = InstanceState::new(attributes).with_sensitive(&["name"]);
    let value = object_value(schema, &instance);
    let object = value.as_object().expect("an object");
    assert!(
        object["name"].contains_sensitive(),
        "listed in sensitive_attributes"
    );
    assert!(
        object["secret_key"].contains_sensitive(),
        "sensitive by schema"
    );
    assert!(!object["project_id"].contains_sensitive());
    // A path into a block marks that field alone.
    let mut attributes = instance.attributes.clone();
    attributes.insert(
        "scopes".to_owned(),
        serde_json::json!([{"write_logs": true, "query_logs": false}]),
    );
    let instance = InstanceState::new(attributes).with_sensitive_paths([vec![
        state::PathStep::GetAttr("scopes".to_owned()),
        state::PathStep::Index(serde_json::json!({"value": 0, "type": "number"})),
        state::PathStep::GetAttr("write_logs".to_owned()),
    ]]);
    let value = object_value(schema, &instance);
    let scopes = &value.as_object().expect("an object")["scopes"];
    let scope = scopes.as_list().expect("a list")[0]
        .as_object()
        .expect("an object");
    assert!(scope["write_logs"].contains_sensitive());
    assert!(!scope["query_logs"].contains_sensitive());
    assert!(!value.as_object().expect("an object")["name"].contains_sensitive());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// plan(config, apply(plan(config, state))) is empty, from any earlier state.
    #[test]
    fn applying_a_plan_leaves_nothing_to_do(first in config_strategy(), second in config_strategy()) {
        let state = apply(&first, &empty());
        let p = run(&second, &state, &options());
        prop_assert!(p.order.sequence().is_some());
        let after = apply(&second, &state);
        let again = run(&second, &after, &options());
        for c in &again.changes {
            prop_assert_eq!(c.action, Action::NoOp, "{} in\n{}", c.addr, second);
        }
    }

    /// With every recorded object also deposed, any plan is acyclic and deletes each deposed
    /// object exactly once.
    #[test]
    fn every_deposed_object_is_deleted_once(first in config_strategy(), second in config_strategy()) {
        let applied = apply(&first, &empty());
        let mut state = applied.clone();
        for a in applied.addresses() {
            if let Some(m) = model_addr(&a) {
                state = with_deposed(&state, &m.to_string(), "deadbeef");
            }
        }
        let p = run(&second, &state, &options());
        let seq = p.order.sequence();
        prop_assert!(seq.is_some(), "cycle planning\n{}\nover\n{}", second, first);
        let deposed_deletes = p
            .order
            .steps()
            .iter()
            .filter(|s| s.kind == StepKind::Delete && p.changes[s.change].deposed.is_some())
            .count();
        prop_assert_eq!(deposed_deletes, applied.addresses().len());
    }

    /// Deleting everything deletes dependents before what they depend on.
    #[test]
    fn deletes_come_in_reverse_dependency_order(config in config_strategy()) {
        let state = apply(&config, &empty());
        let p = run("", &state, &options());
        let seq = p.order.sequence().expect("acyclic");
        let position: BTreeMap<&InstanceAddr, usize> = seq
            .iter()
            .enumerate()
            .map(|(pos, i)| (&p.order.steps()[*i].addr, pos))
            .collect();
        for c in &p.changes {
            for dep in &c.dependencies {
                for (other, pos) in &position {
                    if other.is_instance_of(dep) {
                        prop_assert!(position[&c.addr] < *pos, "{} before {}", c.addr, other);
                    }
                }
            }
        }
    }
}
