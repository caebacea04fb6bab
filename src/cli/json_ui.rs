//! Terraform's machine-readable UI (`plan -json`, `apply -json`, `destroy -json`): one JSON
//! object a line on stdout, with Terraform's message types (`version`, `refresh_start`,
//! `refresh_complete`, `resource_drift`,
//! `planned_change`, `change_summary`, `outputs`, `apply_start`, `apply_progress`,
//! `apply_complete`, `apply_errored`, `diagnostic`, `log`) and fields (`@level`, `@message`,
//! `@module`, `@timestamp`, `type`, then the type's own: `hook`, `change`, `changes`, ...).
//! The message types are described by `docs/json-ui.schema.json`.
//!
//! Pure: builds lines, [`super::printer`] writes them. Values never appear in these messages
//! except non-sensitive output values after an apply and the `resource` blocks `plan
//! -generate-config-out` wrote (which hold no sensitive value: [`crate::render::config`]), so no
//! secret can reach the stream: events carry no attribute values, and sensitive outputs are
//! written without their value.

use std::collections::HashMap;
use std::time::Instant;

use serde_json::{Map, Value as Json, json};

use crate::addr::{InstanceAddr, InstanceKey, ModuleAddr};
use crate::apply::events::{Event, Operation, format_duration};
use crate::plan::{Action, Plan};
use crate::state::{State, TERRAFORM_VERSION};

/// The version of Terraform's UI message format these messages follow.
pub const UI_VERSION: &str = "1.2";

/// One message line (with its newline), fields in Terraform's order.
#[must_use]
pub fn message(level: &str, text: &str, kind: &str, fields: Map<String, Json>) -> String {
    let mut out = Map::new();
    out.insert("@level".into(), level.into());
    out.insert("@message".into(), text.into());
    // Terraform's module name, so that tools reading Terraform's stream read this one.
    out.insert("@module".into(), "terraform.ui".into());
    out.insert(
        "@timestamp".into(),
        jiff::Timestamp::now().to_string().into(),
    );
    for (k, v) in fields {
        out.insert(k, v);
    }
    out.insert("type".into(), kind.into());
    let mut line = Json::Object(out).to_string();
    line.push('\n');
    line
}

fn fields(pairs: impl IntoIterator<Item = (&'static str, Json)>) -> Map<String, Json> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// The `version` message that opens every stream.
#[must_use]
pub fn version() -> String {
    message(
        "info",
        &format!("scwform {}", env!("CARGO_PKG_VERSION")),
        "version",
        fields([
            ("terraform", TERRAFORM_VERSION.into()),
            ("scwform", env!("CARGO_PKG_VERSION").into()),
            ("ui", UI_VERSION.into()),
        ]),
    )
}

/// A free-form message (`type: log`), for lines that are neither diagnostics nor hooks.
#[must_use]
pub fn log(level: &str, text: &str) -> String {
    message(level, text, "log", Map::new())
}

/// Terraform's resource object of hooks and changes.
fn resource(addr: &InstanceAddr) -> Json {
    let key = match &addr.key {
        None => Json::Null,
        Some(InstanceKey::Int(i)) => Json::from(*i),
        Some(InstanceKey::Str(s)) => Json::from(s.clone()),
    };
    // `resource` is the address within its module, as Terraform writes it.
    let mut within = addr.clone();
    within.resource.module = ModuleAddr::root();
    json!({
        "addr": addr.to_string(),
        "module": addr.resource.module.to_string(),
        "resource": within.to_string(),
        "implied_provider": "scaleway",
        "resource_type": addr.resource.type_name,
        "resource_name": addr.resource.name,
        "resource_key": key,
    })
}

/// Terraform's word for a planned action.
fn change_action(action: Action) -> &'static str {
    match action {
        Action::NoOp => "noop",
        Action::Create => "create",
        Action::Update => "update",
        Action::Replace { .. } => "replace",
        Action::Delete => "delete",
        Action::Read => "read",
        Action::Forget => "remove",
    }
}

fn operation_word(operation: Operation) -> &'static str {
    match operation {
        Operation::Create => "create",
        Operation::Update => "update",
        Operation::Delete => "delete",
        Operation::Read => "read",
    }
}

/// The plan's messages: one `planned_change` per instance that changes, moves or is imported
/// (with Terraform's `importing` and `generated_config`), the `change_summary`
/// and, when the configuration has outputs, `outputs` with each one's planned action.
#[must_use]
pub fn plan_messages(plan: &Plan, operation: &str) -> Vec<String> {
    let mut lines = Vec::new();
    // What changed outside first, as Terraform: `resource_drift` per drifted instance.
    for drift in plan.drift.iter().filter(|c| c.action != Action::NoOp) {
        let action = change_action(drift.action);
        lines.push(message(
            "info",
            &format!("{}: Drift detected ({action})", drift.addr),
            "resource_drift",
            fields([(
                "change",
                json!({ "resource": resource(&drift.addr), "action": action }),
            )]),
        ));
    }
    for change in plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp || c.previous.is_some() || c.importing.is_some())
    {
        // With no other change, a move is Terraform's "move" action and an import its
        // "import" action; the move wins when both happen, as in Terraform.
        let action = match (change.action, &change.previous, &change.importing) {
            (Action::NoOp, Some(_), _) => "move",
            (Action::NoOp, None, Some(_)) => "import",
            (a, _, _) => change_action(a),
        };
        let mut change_fields = fields([("resource", resource(&change.addr))]);
        if let Some(old) = &change.previous {
            change_fields.insert("previous_resource".into(), resource(old));
        }
        change_fields.insert("action".into(), action.into());
        if let Some(reason) = change.reason {
            change_fields.insert("reason".into(), reason.as_str().into());
        }
        if let Some(id) = &change.importing {
            change_fields.insert("importing".into(), json!({ "id": id }));
        }
        // The whole `resource` block, as the generated file holds it after its comment line.
        if let Some(block) = &change.generated_config {
            change_fields.insert("generated_config".into(), block.as_str().into());
        }
        lines.push(message(
            "info",
            &format!("{}: Plan to {action}", change.addr),
            "planned_change",
            fields([("change", Json::Object(change_fields))]),
        ));
    }
    let counts = plan.counts();
    lines.push(message(
        "info",
        &crate::render::text::summary(plan),
        "change_summary",
        fields([(
            "changes",
            json!({
                "add": counts.add,
                "change": counts.change,
                "import": plan.import_count(),
                "remove": counts.destroy,
                "operation": operation,
            }),
        )]),
    ));
    if !plan.outputs.is_empty() {
        let outputs: Map<String, Json> = plan
            .outputs
            .iter()
            .map(|o| {
                (
                    o.name.clone(),
                    json!({ "sensitive": o.sensitive, "action": change_action(o.action) }),
                )
            })
            .collect();
        lines.push(message(
            "info",
            &format!("Outputs: {}", outputs.len()),
            "outputs",
            fields([("outputs", outputs.into())]),
        ));
    }
    lines
}

/// The closing `change_summary` of an apply or destroy.
#[must_use]
pub fn apply_summary(
    destroy: bool,
    imported: usize,
    added: usize,
    changed: usize,
    destroyed: usize,
) -> String {
    let text = if destroy {
        format!("Destroy complete! Resources: {destroyed} destroyed.")
    } else {
        apply_complete(imported, added, changed, destroyed)
    };
    message(
        "info",
        &text,
        "change_summary",
        fields([(
            "changes",
            json!({
                "add": added,
                "change": changed,
                "import": imported,
                "remove": destroyed,
                "operation": if destroy { "destroy" } else { "apply" },
            }),
        )]),
    )
}

/// Terraform's closing sentence of an apply: `Apply complete! Resources: [N imported, ]X
/// added, Y changed, Z destroyed.`
#[must_use]
pub fn apply_complete(imported: usize, added: usize, changed: usize, destroyed: usize) -> String {
    let imports = match imported {
        0 => String::new(),
        n => format!("{n} imported, "),
    };
    format!(
        "Apply complete! Resources: {imports}{added} added, {changed} changed, {destroyed} destroyed."
    )
}

/// The `outputs` message after an apply: values of the non-sensitive outputs; sensitive ones
/// only say so.
#[must_use]
pub fn applied_outputs(state: &State) -> String {
    let outputs: Map<String, Json> = state
        .outputs
        .iter()
        .map(|(name, o)| {
            let mut v = Map::new();
            v.insert("sensitive".into(), o.sensitive.into());
            v.insert("type".into(), json!(o.type_));
            if !o.sensitive {
                v.insert("value".into(), o.value.clone());
            }
            (name.clone(), Json::Object(v))
        })
        .collect();
    message(
        "info",
        &format!("Outputs: {}", outputs.len()),
        "outputs",
        fields([("outputs", outputs.into())]),
    )
}

/// Turns executor and refresh events into hook messages; remembers when each operation
/// started, for `elapsed_seconds` of a failure.
#[derive(Debug, Default)]
pub struct Hooks {
    started: HashMap<(InstanceAddr, Option<String>, Operation), Instant>,
}

impl Hooks {
    /// The message for one event (`None` for events with no hook of their own).
    #[must_use]
    pub fn message(&mut self, event: &Event) -> Option<String> {
        let id_fields = |id: Option<&String>, hook: &mut Map<String, Json>| {
            if let Some(id) = id {
                hook.insert("id_key".into(), "id".into());
                hook.insert("id_value".into(), id.clone().into());
            }
        };
        let text = crate::cli::progress::line(event);
        Some(match event {
            Event::Refreshing { addr, id, .. } => {
                let mut hook = fields([("resource", resource(addr))]);
                id_fields(id.as_ref(), &mut hook);
                message(
                    "info",
                    &text?,
                    "refresh_start",
                    fields([("hook", hook.into())]),
                )
            }
            Event::Refreshed { addr, deposed, id } => {
                let mut hook = fields([("resource", resource(addr))]);
                id_fields(id.as_ref(), &mut hook);
                let name = match deposed {
                    Some(key) => format!("{addr} (deposed object {key})"),
                    None => addr.to_string(),
                };
                let id = id
                    .as_ref()
                    .map(|id| format!(" [id={id}]"))
                    .unwrap_or_default();
                message(
                    "info",
                    &format!("{name}: Refresh complete{id}"),
                    "refresh_complete",
                    fields([("hook", hook.into())]),
                )
            }
            Event::Started {
                addr,
                deposed,
                operation,
                id,
            } => {
                self.started
                    .insert((addr.clone(), deposed.clone(), *operation), Instant::now());
                let mut hook = fields([
                    ("resource", resource(addr)),
                    ("action", operation_word(*operation).into()),
                ]);
                id_fields(id.as_ref(), &mut hook);
                message(
                    "info",
                    &text?,
                    "apply_start",
                    fields([("hook", hook.into())]),
                )
            }
            Event::StillRunning {
                addr,
                operation,
                elapsed,
                ..
            } => message(
                "info",
                &text?,
                "apply_progress",
                fields([(
                    "hook",
                    json!({
                        "resource": resource(addr),
                        "action": operation_word(*operation),
                        "elapsed_seconds": elapsed.as_secs(),
                    }),
                )]),
            ),
            Event::Completed {
                addr,
                deposed,
                operation,
                id,
                elapsed,
            } => {
                self.started
                    .remove(&(addr.clone(), deposed.clone(), *operation));
                let mut hook = fields([
                    ("resource", resource(addr)),
                    ("action", operation_word(*operation).into()),
                ]);
                id_fields(id.as_ref(), &mut hook);
                hook.insert("elapsed_seconds".into(), elapsed.as_secs().into());
                message(
                    "info",
                    &text?,
                    "apply_complete",
                    fields([("hook", hook.into())]),
                )
            }
            Event::Failed {
                addr,
                deposed,
                operation,
                ..
            } => {
                // The reason comes as a diagnostic, as Terraform's.
                let elapsed = self
                    .started
                    .remove(&(addr.clone(), deposed.clone(), *operation))
                    .map_or(std::time::Duration::ZERO, |t| t.elapsed());
                let verb = match operation {
                    Operation::Create => "Creation",
                    Operation::Update => "Modifications",
                    Operation::Delete => "Destruction",
                    Operation::Read => "Read",
                };
                message(
                    "error",
                    &format!("{addr}: {verb} errored after {}", format_duration(elapsed)),
                    "apply_errored",
                    fields([(
                        "hook",
                        json!({
                            "resource": resource(addr),
                            "action": operation_word(*operation),
                            "elapsed_seconds": elapsed.as_secs(),
                        }),
                    )]),
                )
            }
            Event::Warning { .. } => return None,
            Event::Stopping | Event::Aborting => log("warn", &text?),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn parse(line: &str) -> Json {
        assert!(line.ends_with('\n') && !line[..line.len() - 1].contains('\n'));
        serde_json::from_str(line).expect("one JSON object")
    }

    #[test]
    fn hooks_carry_terraforms_fields() {
        let addr: InstanceAddr = "scaleway_container_namespace.ns[\"a\"]"
            .parse()
            .expect("address");
        let mut hooks = Hooks::default();
        let start = parse(
            &hooks
                .message(&Event::Started {
                    addr: addr.clone(),
                    deposed: None,
                    operation: Operation::Update,
                    id: Some("fr-par/1".into()),
                })
                .expect("a hook"),
        );
        assert_eq!(start["type"], "apply_start");
        assert_eq!(start["@level"], "info");
        assert_eq!(start["hook"]["action"], "update");
        assert_eq!(start["hook"]["id_value"], "fr-par/1");
        assert_eq!(start["hook"]["resource"]["resource_key"], "a");
        assert_eq!(
            start["hook"]["resource"]["resource_type"],
            "scaleway_container_namespace"
        );
        let done = parse(
            &hooks
                .message(&Event::Completed {
                    addr: addr.clone(),
                    deposed: None,
                    operation: Operation::Update,
                    id: Some("fr-par/1".into()),
                    elapsed: Duration::from_secs(3),
                })
                .expect("a hook"),
        );
        assert_eq!(done["type"], "apply_complete");
        assert_eq!(done["hook"]["elapsed_seconds"], 3);
        assert_eq!(
            done["@message"],
            "scaleway_container_namespace.ns[\"a\"]: Modifications complete after 3s [id=fr-par/1]"
        );
        let failed = parse(
            &hooks
                .message(&Event::Failed {
                    addr,
                    deposed: None,
                    operation: Operation::Create,
                    message: "quota exceeded".into(),
                })
                .expect("a hook"),
        );
        assert_eq!(failed["type"], "apply_errored");
        assert_eq!(failed["@level"], "error");
        assert!(
            !failed.to_string().contains("quota"),
            "the reason is a diagnostic"
        );
    }

    #[test]
    fn a_module_instance_is_named_by_module_and_address_within_it() {
        let addr: InstanceAddr = "module.app[\"a\"].scaleway_container.main[0]"
            .parse()
            .expect("address");
        let r = resource(&addr);
        assert_eq!(r["addr"], "module.app[\"a\"].scaleway_container.main[0]");
        assert_eq!(r["module"], "module.app[\"a\"]");
        assert_eq!(r["resource"], "scaleway_container.main[0]");
        assert_eq!(r["resource_key"], 0);
        let root = resource(&"scaleway_container.main".parse().expect("address"));
        assert_eq!(root["module"], "");
        assert_eq!(root["resource"], "scaleway_container.main");
    }
}
