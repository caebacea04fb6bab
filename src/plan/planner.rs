//! Deciding each change: the [`ResourceValues`] hook that compares each configured instance
//! with its refreshed object as it is evaluated, and the changes made from those decisions
//! (normal and destroy plans, deposed objects, outputs), with Terraform's lifecycle rules
//! (`create_before_destroy` propagation, `prevent_destroy`).
//!
//! Invariants: pure; every configured instance gets exactly one decision (the hook's, or the
//! same comparison made afterwards); deposed objects are only ever deleted.
//!
//! Depends on `model`, `schema` and the planner's own `diff` and `recorded` modules.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::addr::{InstanceAddr, InstanceKey, ResourceAddr};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::config::{Config, ResourceInstance};
use crate::model::evaluate::ResourceValues;
use crate::model::value::Value;
use crate::state::State;

use super::data::{self, DataRead, DataReader};
use super::diff::{Base, Desired, diff_object};
use super::recorded::Recorded;
use super::{Action, ActionReason, OutputChange, PlanOptions, ResourceChange};

/// What the hook decided for one configured instance.
#[derive(Debug, Clone)]
pub(super) struct Decision {
    pub(super) action: Action,
    pub(super) after: Value,
    pub(super) changed_paths: Vec<String>,
    pub(super) replace_paths: Vec<String>,
    pub(super) reason: Option<ActionReason>,
}

/// The [`ResourceValues`] hook of the planner.
pub(super) struct Planner<'a> {
    pub(super) refreshed: &'a BTreeMap<InstanceAddr, Recorded>,
    pub(super) options: &'a PlanOptions,
    pub(super) decisions: RefCell<HashMap<InstanceAddr, Decision>>,
    /// Reads data sources.
    pub(super) reader: &'a dyn DataReader,
    /// Data sources read so far.
    pub(super) reads: RefCell<BTreeMap<InstanceAddr, DataRead>>,
    /// Data sources whose read is deferred to the apply, with why.
    pub(super) deferred: RefCell<HashMap<InstanceAddr, ActionReason>>,
    /// Read failures.
    pub(super) read_diags: RefCell<Diagnostics>,
}

impl Planner<'_> {
    /// Reads a data source now, or defers it (see [`super::data`]).
    fn data(&self, instance: &ResourceInstance) -> Value {
        if self.options.destroy || self.options.refresh_only && !data::config_known(instance) {
            return instance.to_value();
        }
        let pending =
            || {
                let wanted = data::depends_on(instance);
                !wanted.is_empty()
                    && (self.decisions.borrow().iter().any(|(addr, d)| {
                        d.action != Action::NoOp && wanted.contains(&addr.resource)
                    }) || self
                        .deferred
                        .borrow()
                        .keys()
                        .any(|addr| wanted.contains(&addr.resource)))
            };
        let reason = if !data::config_known(instance) {
            Some(ActionReason::ReadBecauseConfigUnknown)
        } else if pending() {
            Some(ActionReason::ReadBecauseDependencyPending)
        } else {
            None
        };
        if let Some(reason) = reason {
            self.deferred
                .borrow_mut()
                .insert(instance.addr.clone(), reason);
            return instance.to_value();
        }
        match self.reader.read(instance) {
            Ok(attributes) => {
                let read = DataRead::new(instance.schema, attributes);
                let value = read.value.clone();
                self.reads.borrow_mut().insert(instance.addr.clone(), read);
                value
            }
            Err(message) => {
                self.read_diags
                    .borrow_mut()
                    .push(data::read_failed(instance, &message));
                Value::Unknown
            }
        }
    }
}

impl ResourceValues for Planner<'_> {
    fn instance(&self, instance: &ResourceInstance) -> Value {
        if data::is_data(&instance.addr) {
            return self.data(instance);
        }
        let recorded = self.refreshed.get(&instance.addr);
        if self.options.destroy {
            // Everything goes; expressions see the objects as they are.
            return recorded.map_or_else(|| instance.to_value(), Recorded::value);
        }
        let decision = decide(instance, recorded, self.options);
        let value = decision.after.clone();
        self.decisions
            .borrow_mut()
            .insert(instance.addr.clone(), decision);
        value
    }
}

/// Compares one configured instance with its refreshed object.
pub(super) fn decide(
    instance: &ResourceInstance,
    recorded: Option<&Recorded>,
    options: &PlanOptions,
) -> Decision {
    let block = instance.schema.as_block();
    let desired = Desired {
        attributes: &instance.attributes,
        blocks: &instance.blocks,
        configured: Some(&instance.configured),
    };
    let ignore = &instance.lifecycle.ignore_changes;
    let Some(recorded) = recorded else {
        let d = diff_object(&block, desired, Base::New, ignore, "");
        return Decision {
            action: Action::Create,
            after: Value::Object(d.planned),
            changed_paths: Vec::new(),
            replace_paths: Vec::new(),
            reason: None,
        };
    };
    let d = diff_object(
        &block,
        desired,
        Base::Existing(&recorded.attributes),
        ignore,
        "",
    );
    let requested = options.replace.iter().any(|r| {
        *r == instance.addr || (r.key.is_none() && instance.addr.is_instance_of(&r.resource))
    });
    let reason = if requested {
        Some(ActionReason::ReplaceByRequest)
    } else if recorded.tainted {
        Some(ActionReason::ReplaceBecauseTainted)
    } else if !d.replace.is_empty() {
        Some(ActionReason::ReplaceBecauseCannotUpdate)
    } else {
        None
    };
    if reason.is_some() {
        let fresh = diff_object(
            &block,
            desired,
            Base::Replacing(&recorded.attributes),
            ignore,
            "",
        );
        return Decision {
            action: Action::Replace {
                create_before_destroy: instance.lifecycle.create_before_destroy,
            },
            after: Value::Object(fresh.planned),
            changed_paths: d.changed,
            replace_paths: d.replace,
            reason,
        };
    }
    let action = if d.changed.is_empty() {
        Action::NoOp
    } else {
        Action::Update
    };
    Decision {
        action,
        after: Value::Object(d.planned),
        changed_paths: d.changed,
        replace_paths: Vec::new(),
        reason: None,
    }
}

/// One Delete per deposed object: whatever the configuration says, a deposed object is an old
/// object whose replacement already exists, so it only ever goes away.
pub(super) fn deposed_changes(
    deposed: &BTreeMap<(InstanceAddr, String), Recorded>,
) -> Vec<ResourceChange> {
    deposed
        .iter()
        .map(|((addr, key), object)| ResourceChange {
            addr: addr.clone(),
            schema: object.schema,
            action: Action::Delete,
            before: Some(object.value()),
            after: None,
            changed_paths: Vec::new(),
            replace_paths: Vec::new(),
            reason: None,
            dependencies: object.dependencies.clone(),
            deposed: Some(key.clone()),
            importing: None,
            generated_config: None,
            previous: None,
        })
        .collect()
}

pub(super) fn dependencies_of(instance: &ResourceInstance) -> Vec<ResourceAddr> {
    data::direct_dependencies(instance)
}

pub(super) fn normal_changes(
    config: &Config,
    recorded: &BTreeMap<InstanceAddr, Recorded>,
    mut decisions: HashMap<InstanceAddr, Decision>,
    deferred: &HashMap<InstanceAddr, ActionReason>,
) -> Vec<ResourceChange> {
    let mut changes = Vec::with_capacity(config.instances.len());
    let first = first_instances(config);
    let data_deps = data::data_dependencies(config.instances.values());
    let dependencies = |instance: &ResourceInstance| {
        data::expand_data_dependencies(&dependencies_of(instance), &data_deps)
    };
    for (addr, instance) in &config.instances {
        if data::is_data(addr) {
            if let Some(reason) = deferred.get(addr) {
                changes.push(data::deferred_read(
                    instance,
                    *reason,
                    dependencies(instance),
                ));
            }
            continue;
        }
        // Every instance went through the hook; one that did not (an evaluation that skipped
        // it) is planned here the same way.
        let decision = decisions
            .remove(addr)
            .unwrap_or_else(|| decide(instance, recorded.get(addr), &PlanOptions::default()));
        let before = recorded.get(addr).map(Recorded::value);
        changes.push(ResourceChange {
            addr: addr.clone(),
            schema: instance.schema,
            action: decision.action,
            before,
            after: Some(decision.after),
            changed_paths: decision.changed_paths,
            replace_paths: decision.replace_paths,
            reason: decision.reason,
            dependencies: dependencies(instance),
            deposed: None,
            importing: None,
            generated_config: None,
            previous: None,
        });
    }
    for (addr, object) in recorded {
        if config.instances.contains_key(addr) {
            continue;
        }
        changes.push(ResourceChange {
            addr: addr.clone(),
            schema: object.schema,
            action: Action::Delete,
            before: Some(object.value()),
            after: None,
            changed_paths: Vec::new(),
            replace_paths: Vec::new(),
            reason: Some(delete_reason(&first, addr)),
            dependencies: object.dependencies.clone(),
            deposed: None,
            importing: None,
            generated_config: None,
            previous: None,
        });
    }
    changes
}

/// The first configured instance of each resource (for delete reasons and lifecycle rules
/// of instances no longer configured), so lookups stay linear in the plan size.
pub(super) fn first_instances(config: &Config) -> HashMap<&ResourceAddr, &ResourceInstance> {
    let mut out = HashMap::new();
    for instance in config.instances.values() {
        out.entry(&instance.addr.resource).or_insert(instance);
    }
    out
}

/// Why an object whose address is not configured is deleted.
pub(super) fn delete_reason(
    first: &HashMap<&ResourceAddr, &ResourceInstance>,
    addr: &InstanceAddr,
) -> ActionReason {
    let Some(sibling) = first.get(&addr.resource) else {
        return ActionReason::DeleteBecauseNoResourceConfig;
    };
    match (&addr.key, &sibling.addr.key) {
        (Some(InstanceKey::Int(_)), Some(InstanceKey::Int(_))) => {
            ActionReason::DeleteBecauseCountIndex
        }
        (Some(InstanceKey::Str(_)), Some(InstanceKey::Str(_))) => {
            ActionReason::DeleteBecauseEachKey
        }
        _ => ActionReason::DeleteBecauseWrongRepetition,
    }
}

pub(super) fn destroy_changes(
    config: &Config,
    recorded: &BTreeMap<InstanceAddr, Recorded>,
) -> Vec<ResourceChange> {
    recorded
        .iter()
        .map(|(addr, object)| {
            let mut dependencies = object.dependencies.clone();
            if let Some(instance) = config.instances.get(addr) {
                dependencies.extend(dependencies_of(instance));
            }
            dependencies.sort();
            dependencies.dedup();
            ResourceChange {
                addr: addr.clone(),
                schema: object.schema,
                action: Action::Delete,
                before: Some(object.value()),
                after: None,
                changed_paths: Vec::new(),
                replace_paths: Vec::new(),
                reason: None,
                dependencies,
                deposed: None,
                importing: None,
                generated_config: None,
                previous: None,
            }
        })
        .collect()
}

/// Terraform's rule: when a replaced object creates before destroying, whatever replaced
/// object it depends on must too, or the order would be a cycle.
pub(super) fn propagate_create_before_destroy(changes: &mut [ResourceChange]) {
    loop {
        let mut promote = BTreeSet::new();
        for c in changes.iter() {
            // A deposed object is the old half of a create-first replacement: its delete waits
            // for its dependents to be repointed, like any create-first replacement's.
            if c.deposed.is_some()
                || c.action
                    == (Action::Replace {
                        create_before_destroy: true,
                    })
            {
                for d in &c.dependencies {
                    promote.insert(d.clone());
                }
            }
        }
        let mut promoted = false;
        for c in changes.iter_mut() {
            if c.action
                == (Action::Replace {
                    create_before_destroy: false,
                })
                && promote.contains(&c.addr.resource)
            {
                c.action = Action::Replace {
                    create_before_destroy: true,
                };
                promoted = true;
            }
        }
        if !promoted {
            break;
        }
    }
}

/// `prevent_destroy` turns a planned destruction into an error, except for deposed objects: as
/// in Terraform, the rule was checked when the create-first replacement that deposed them was
/// planned, and their replacement exists already, so they can only be cleaned up.
pub(super) fn check_prevent_destroy(
    config: &Config,
    changes: &[ResourceChange],
    diags: &mut Diagnostics,
) {
    for c in changes
        .iter()
        .filter(|c| c.action.is_destructive() && c.deposed.is_none())
    {
        let instance = config
            .instances
            .get(&c.addr)
            .or_else(|| config.instances_of(&c.addr.resource).next());
        let Some(instance) = instance else {
            continue;
        };
        if instance.lifecycle.prevent_destroy {
            diags.push(
                Diagnostic::error("scw::plan::prevent_destroy", "Instance cannot be destroyed")
                    .with_primary(instance.span, "lifecycle.prevent_destroy is set")
                    .with_detail(format!("Resource {} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the --target option.", c.addr)),
            );
        }
    }
}

/// Root output changes (recorded outputs vs the configuration's).
pub(super) fn output_changes(config: &Config, prior: &State, destroy: bool) -> Vec<OutputChange> {
    let mut out = Vec::new();
    let mut names: BTreeSet<&str> = prior.outputs.keys().map(String::as_str).collect();
    if !destroy {
        names.extend(config.outputs.keys().map(String::as_str));
    }
    for name in names {
        let recorded = prior.outputs.get(name);
        let configured = if destroy {
            None
        } else {
            config.outputs.get(name)
        };
        let sensitive =
            configured.is_some_and(|o| o.sensitive) || recorded.is_some_and(|o| o.sensitive);
        let before = recorded.map(|o| Value::from_json(&o.value).marked_if(o.sensitive));
        let after = configured.map(|o| o.value.clone().marked_if(o.sensitive));
        let action = match (&before, &after) {
            (None, None) => continue,
            (None, Some(_)) => Action::Create,
            (Some(_), None) => Action::Delete,
            (Some(b), Some(a)) => {
                let (b, _) = b.clone().into_deep_unmarked();
                let (a, _) = a.clone().into_deep_unmarked();
                if a.is_wholly_known() && a == b {
                    Action::NoOp
                } else {
                    Action::Update
                }
            }
        };
        out.push(OutputChange {
            name: name.to_owned(),
            action,
            before,
            after,
            sensitive,
        });
    }
    out
}
