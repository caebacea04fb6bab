//! Data sources in the plan: each `data` instance is read as soon as its configuration is
//! evaluated, as Terraform reads data sources during the plan, unless a configured argument is
//! still unknown or something its `depends_on` names has changes pending: then the read is
//! deferred to the apply and planned as a [`Action::Read`] change.
//!
//! Reading goes through the [`DataReader`] the caller passes (the API, or a fake in tests):
//! the planner stays free of I/O of its own.
//!
//! Invariants: a data instance is either read (a [`DataRead`] in [`Plan::data`]) or deferred
//! (a `Read` change), never both; a read failure is an error diagnostic naming the data source
//! and its filter (a warning for a data source scoped to a `check` block).
//!
//! Depends on `model` (instances, values), `schema` and `state` (state-form attributes).
//!
//! [`Plan::data`]: super::Plan::data

use std::collections::{BTreeMap, BTreeSet};

use crate::addr::{InstanceAddr, ResourceAddr};
use crate::diag::Diagnostic;
use crate::model::config::{DependencyKind, ResourceInstance};
use crate::model::value::Value;
use crate::schema::{RawAttributes, ResourceSchema};
use crate::state::InstanceState;

use super::recorded::object_value;
use super::{Action, ActionReason, ResourceChange};

/// Reads data sources: what the provider's `ReadDataSource` does.
pub trait DataReader {
    /// Reads the data source `instance` (its configured arguments all known) and returns the
    /// object in state form.
    ///
    /// # Errors
    /// The provider's message: nothing matched, several matched, or the API failed.
    fn read(&self, instance: &ResourceInstance) -> Result<RawAttributes, String>;
}

/// A reader for plans made without an API (tests, `validate`): every read fails.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoDataReader;

impl DataReader for NoDataReader {
    fn read(&self, _: &ResourceInstance) -> Result<RawAttributes, String> {
        Err("data sources can only be read with a connection to the API".to_owned())
    }
}

/// A data source instance read during the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct DataRead {
    /// Its schema (the data source's).
    pub schema: &'static ResourceSchema,
    /// The object read, in state form.
    pub attributes: RawAttributes,
    /// The object as expressions see it.
    pub value: Value,
}

impl DataRead {
    /// A read object: its state-form attributes and the value expressions see.
    #[must_use]
    pub fn new(schema: &'static ResourceSchema, attributes: RawAttributes) -> Self {
        let value = object_value(schema, &InstanceState::new(attributes.clone()));
        Self {
            schema,
            attributes,
            value,
        }
    }
}

/// Whether every argument the configuration sets is known: a read can happen now.
#[must_use]
pub fn config_known(instance: &ResourceInstance) -> bool {
    instance.configured.keys().all(|name| {
        instance
            .attributes
            .get(name)
            .is_none_or(|v| !v.contains_unknown())
    })
}

/// The resources (without instance keys) `instance` depends on, sorted.
#[must_use]
pub fn direct_dependencies(instance: &ResourceInstance) -> Vec<ResourceAddr> {
    let mut deps: Vec<ResourceAddr> = instance
        .dependencies
        .iter()
        .map(|d| d.resource.clone())
        .collect();
    deps.sort();
    deps.dedup();
    deps
}

/// The resources `instance`'s `depends_on` names (directly).
pub(super) fn depends_on(instance: &ResourceInstance) -> BTreeSet<&ResourceAddr> {
    instance
        .dependencies
        .iter()
        .filter(|d| d.kind == DependencyKind::DependsOn)
        .map(|d| &d.resource)
        .collect()
}

/// The filter a data source was read with, as `name = "app", region = "fr-par"` (sensitive
/// values hidden), for messages.
#[must_use]
pub fn filter_text(instance: &ResourceInstance) -> String {
    let parts: Vec<String> = instance
        .configured
        .keys()
        .map(|name| {
            let shown = match instance.attributes.get(name) {
                Some(v) if v.contains_sensitive() => "(sensitive value)".to_owned(),
                Some(v) => serde_json::to_string(&v.to_json()).unwrap_or_default(),
                None => "null".to_owned(),
            };
            format!("{name} = {shown}")
        })
        .collect();
    if parts.is_empty() {
        "no arguments (the provider's defaults)".to_owned()
    } else {
        parts.join(", ")
    }
}

/// The diagnostic for a failed read: an error, or a warning when the data source is scoped to
/// a `check` block.
#[must_use]
pub fn read_failed(instance: &ResourceInstance, message: &str) -> Diagnostic {
    let summary = format!("Error reading {}: {message}", instance.addr);
    let detail = format!(
        "The {} data source was read with {}.",
        instance.schema.type_name,
        filter_text(instance)
    );
    match &instance.check {
        Some(check) => Diagnostic::warning("scw::plan::data_read", summary)
            .with_primary(instance.span, format!("in check \"{check}\""))
            .with_detail(detail),
        None => Diagnostic::error("scw::plan::data_read", summary)
            .with_primary(instance.span, "read here")
            .with_detail(detail),
    }
}

/// The change of a read deferred to the apply.
#[must_use]
pub fn deferred_read(
    instance: &ResourceInstance,
    reason: ActionReason,
    dependencies: Vec<ResourceAddr>,
) -> ResourceChange {
    ResourceChange {
        addr: instance.addr.clone(),
        schema: instance.schema,
        action: Action::Read,
        before: None,
        after: Some(instance.to_value()),
        changed_paths: Vec::new(),
        replace_paths: Vec::new(),
        reason: Some(reason),
        dependencies,
        deposed: None,
        importing: None,
        generated_config: None,
        previous: None,
    }
}

/// Each data source's dependencies replaced by the managed resources they reach: what an
/// object depending on a data source really waits for (a data source is no step of its own).
#[must_use]
pub fn expand_data_dependencies(
    deps: &[ResourceAddr],
    data_deps: &BTreeMap<ResourceAddr, Vec<ResourceAddr>>,
) -> Vec<ResourceAddr> {
    let mut out = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&ResourceAddr> = deps.iter().collect();
    while let Some(dep) = stack.pop() {
        match data_deps.get(dep) {
            Some(inner) => {
                if seen.insert(dep) {
                    stack.extend(inner);
                }
            }
            None => {
                out.insert(dep.clone());
            }
        }
    }
    out.into_iter().collect()
}

/// The direct dependencies of every data source resource of the configuration.
#[must_use]
pub fn data_dependencies<'c>(
    instances: impl Iterator<Item = &'c ResourceInstance>,
) -> BTreeMap<ResourceAddr, Vec<ResourceAddr>> {
    let mut out: BTreeMap<ResourceAddr, Vec<ResourceAddr>> = BTreeMap::new();
    for i in instances.filter(|i| i.addr.resource.mode == crate::addr::Mode::Data) {
        let entry = out.entry(i.addr.resource.clone()).or_default();
        entry.extend(i.dependencies.iter().map(|d| d.resource.clone()));
        entry.sort();
        entry.dedup();
    }
    out
}

/// A data instance's address is a data source's.
#[must_use]
pub fn is_data(addr: &InstanceAddr) -> bool {
    addr.resource.mode == crate::addr::Mode::Data
}

/// Records data sources read (during the plan, or deferred and read by the apply) in `state`
/// as Terraform does: `"mode": "data"`, the provider's attributes, sensitive ones listed.
pub fn record_reads(state: &mut crate::state::State, reads: &BTreeMap<InstanceAddr, DataRead>) {
    for (addr, read) in reads {
        state.set_instance(addr, read.instance_state());
    }
}

impl DataRead {
    /// The object as the state records it.
    #[must_use]
    pub fn instance_state(&self) -> InstanceState {
        let sensitive = self.schema.sensitive_set(&self.attributes);
        // Terraform records no dependencies for data sources.
        InstanceState::new(self.attributes.clone()).with_sensitive(&sensitive)
    }
}
