//! Recorded objects: the state's instances converted for comparison with the configuration,
//! and the translation between state addresses and model addresses.
//!
//! Invariants: a recorded object holds exactly its schema's attributes and blocks (absent
//! blocks are empty lists); sensitive values (by schema or by the state's
//! `sensitive_attributes`, at any depth) are marked; only root-module managed instances are
//! kept.
//!
//! Depends on `state`, `schema` and `model` values and addresses.

use std::collections::{BTreeMap, BTreeSet};

use crate::addr::{InstanceAddr, Mode, ResourceAddr};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::value::Value;
use crate::schema::{self, ResourceSchema};
use crate::state::{self, State};

use super::{Action, ResourceChange};

/// A recorded object, converted for comparison.
#[derive(Debug, Clone)]
pub(super) struct Recorded {
    /// The object's type.
    pub(super) schema: &'static ResourceSchema,
    /// Attributes and blocks by name (schema names only; sensitive ones marked).
    pub(super) attributes: BTreeMap<String, Value>,
    /// Marked tainted in state: the next apply replaces it.
    pub(super) tainted: bool,
    /// The resources it depended on when it was recorded.
    pub(super) dependencies: Vec<ResourceAddr>,
}

impl Recorded {
    /// The object as one value.
    pub(super) fn value(&self) -> Value {
        Value::Object(self.attributes.clone())
    }
}

/// The address of a state instance the planner plans: a managed instance, of any module
/// (`None` for data sources, which scwform does not plan).
#[must_use]
pub fn model_addr(addr: &InstanceAddr) -> Option<InstanceAddr> {
    (addr.resource.mode == Mode::Managed).then(|| addr.clone())
}

/// A recorded object (current or deposed) of `schema`'s type, for comparison.
pub(super) fn recorded(
    schema: &'static ResourceSchema,
    instance: &state::InstanceState,
) -> Recorded {
    Recorded {
        schema,
        attributes: object_from_state(schema, instance),
        tainted: instance.status.as_deref() == Some("tainted"),
        dependencies: instance
            .dependencies
            .iter()
            .filter(|d| d.mode == Mode::Managed)
            .cloned()
            .collect(),
    }
}

/// The recorded current objects of a state, by model address.
pub(super) fn recorded_objects(
    state: &State,
    diags: &mut Diagnostics,
) -> BTreeMap<InstanceAddr, Recorded> {
    let mut out = BTreeMap::new();
    let mut unknown_types = BTreeSet::new();
    for resource in &state.resources {
        let Some(schema) = schema::resource(&resource.type_name) else {
            if resource.mode == Mode::Managed && resource.module.is_root() {
                unknown_types.insert(resource.type_name.clone());
            }
            continue;
        };
        let resource_addr = resource.addr();
        for instance in resource.instances.iter().filter(|i| i.deposed.is_none()) {
            let Some(addr) = model_addr(&resource_addr.instance(instance.index_key.clone())) else {
                continue;
            };
            out.insert(addr, recorded(schema, instance));
        }
    }
    for type_name in unknown_types {
        diags.push(
            Diagnostic::error("scw::plan::unknown_resource_type", "Unsupported resource type in state")
                .with_detail(format!("The state records objects of type \"{type_name}\", which scwform does not manage. Remove them from the state (`scwform state rm`) or manage them with the tool that created them.")),
        );
    }
    out
}

/// The recorded deposed objects of a state, by model address and deposed key (types scwform
/// does not know are reported by [`recorded_objects`]).
pub(super) fn deposed_objects(state: &State) -> BTreeMap<(InstanceAddr, String), Recorded> {
    let mut out = BTreeMap::new();
    for resource in &state.resources {
        let Some(schema) = schema::resource(&resource.type_name) else {
            continue;
        };
        let resource_addr = resource.addr();
        for instance in &resource.instances {
            let Some(key) = &instance.deposed else {
                continue;
            };
            let Some(addr) = model_addr(&resource_addr.instance(instance.index_key.clone())) else {
                continue;
            };
            out.insert((addr, key.clone()), recorded(schema, instance));
        }
    }
    out
}

/// A recorded instance as the value expressions and comparisons see: its schema's attributes
/// and blocks only (absent blocks are empty lists), its sensitive values marked
/// ([`super::sensitive::marked_object`], the one rule for reading sensitivity back from a
/// state: by schema and at every path of `sensitive_attributes`).
#[must_use]
pub fn object_value(schema: &ResourceSchema, instance: &state::InstanceState) -> Value {
    Value::Object(object_from_state(schema, instance))
}

fn object_from_state(
    schema: &ResourceSchema,
    instance: &state::InstanceState,
) -> BTreeMap<String, Value> {
    let mut attributes = BTreeMap::new();
    for attr in schema.attributes {
        let value = instance
            .attributes
            .get(attr.name)
            .cloned()
            .unwrap_or(serde_json::Value::Null);
        attributes.insert(attr.name.to_owned(), value);
    }
    for block in schema.blocks {
        let value = instance
            .attributes
            .get(block.name)
            .filter(|v| !v.is_null())
            .cloned()
            .unwrap_or_else(|| serde_json::Value::Array(Vec::new()));
        attributes.insert(block.name.to_owned(), value);
    }
    match super::sensitive::marked_object(Some(schema), &attributes, &instance.sensitive_attributes)
    {
        Value::Object(out) => out,
        _ => unreachable!("marking parts of an object keeps it an object"),
    }
}

/// Changes made outside: objects gone, or with other values than recorded.
pub(super) fn drift_changes(
    prior: &BTreeMap<InstanceAddr, Recorded>,
    refreshed: &BTreeMap<InstanceAddr, Recorded>,
) -> Vec<ResourceChange> {
    let mut out = Vec::new();
    for (addr, before) in prior {
        let (action, after) = match refreshed.get(addr) {
            None => (Action::Delete, None),
            Some(now) if now.attributes != before.attributes => (Action::Update, Some(now.value())),
            Some(_) => continue,
        };
        out.push(ResourceChange {
            addr: addr.clone(),
            schema: before.schema,
            action,
            before: Some(before.value()),
            after,
            changed_paths: Vec::new(),
            replace_paths: Vec::new(),
            reason: None,
            dependencies: before.dependencies.clone(),
            deposed: None,
            importing: None,
            generated_config: None,
            previous: None,
        });
    }
    out
}
