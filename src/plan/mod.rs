//! The planner: what must change so that the real objects match the configuration.
//!
//! [`plan`] evaluates the configuration once, through the [`ResourceValues`] hook: each
//! instance, in dependency order, is compared with its refreshed object ([`diff`]) as soon as
//! its own configuration is known, and the planned object (configuration merged with recorded
//! values, unknown where only the apply will tell) is what later expressions see. The result is
//! a [`Plan`]: one [`ResourceChange`] per instance (no-ops included) plus a delete for every
//! deposed object in the state (left over from a `create_before_destroy` replacement whose
//! delete failed), the changes made outside (drift: recorded state vs refreshed state; current
//! objects only), output changes, and the [`ActionOrder`] the executor walks.
//!
//! Invariants: pure (no I/O, no clock, no randomness): the same inputs give the same plan;
//! changes, drift and outputs are sorted by address / name; the action order is acyclic and
//! deterministic; sensitive values keep their marks (renderers redact them).
//!
//! Depends on `model` (evaluation, values, addresses), `graph`, `state` and `schema`; never on
//! `api`, `apply`, `render` or `cli`.

mod diff;
mod order;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::DependencyGraph;
use crate::model::config::{Config, ResourceInstance};
use crate::model::evaluate::ResourceValues;
use crate::model::ids::{InstanceKey, ResourceAddr};
use crate::model::value::Value;
use crate::schema::{self, ResourceSchema};
use crate::state::{self, InstanceAddr, Mode, PathStep, State};

pub use crate::secret::secret_matches;
pub use order::{ActionOrder, Progress, Step, StepKind};

use diff::{Base, Desired, diff_object};

/// How to plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// `--target`: plan only these (an address without key names every instance), plus what
    /// they depend on (and, for objects being deleted, what depends on them).
    pub targets: Vec<ResourceAddr>,
    /// `--replace`: replace these even if nothing changed.
    pub replace: Vec<ResourceAddr>,
    /// `--destroy`: delete everything recorded.
    pub destroy: bool,
    /// Whether the objects were refreshed; when false the refreshed state is ignored and the
    /// recorded state stands for the real objects.
    pub refresh: bool,
}

/// What happens to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Nothing.
    NoOp,
    /// Create a new object.
    Create,
    /// Update the object in place.
    Update,
    /// Delete the object and create a new one (`create_before_destroy`: create first).
    Replace {
        /// Create the new object before deleting the old one.
        create_before_destroy: bool,
    },
    /// Delete the object.
    Delete,
}

impl Action {
    /// Terraform's JSON `change.actions` for this action.
    #[must_use]
    pub fn json_actions(self) -> &'static [&'static str] {
        match self {
            Self::NoOp => &["no-op"],
            Self::Create => &["create"],
            Self::Update => &["update"],
            Self::Replace {
                create_before_destroy: false,
            } => &["delete", "create"],
            Self::Replace {
                create_before_destroy: true,
            } => &["create", "delete"],
            Self::Delete => &["delete"],
        }
    }

    /// Whether the action destroys an object (delete or either replacement).
    #[must_use]
    pub fn is_destructive(self) -> bool {
        matches!(self, Self::Delete | Self::Replace { .. })
    }
}

/// Why an action was chosen, when Terraform gives a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionReason {
    /// A changed attribute cannot be updated in place.
    ReplaceBecauseCannotUpdate,
    /// The object is marked tainted in state.
    ReplaceBecauseTainted,
    /// `--replace` named it.
    ReplaceByRequest,
    /// Its resource is no longer in the configuration.
    DeleteBecauseNoResourceConfig,
    /// Its index is beyond the resource's `count`.
    DeleteBecauseCountIndex,
    /// Its key is no longer in the resource's `for_each`.
    DeleteBecauseEachKey,
    /// The resource switched between no repetition, `count` and `for_each`.
    DeleteBecauseWrongRepetition,
}

impl ActionReason {
    /// Terraform's JSON spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReplaceBecauseCannotUpdate => "replace_because_cannot_update",
            Self::ReplaceBecauseTainted => "replace_because_tainted",
            Self::ReplaceByRequest => "replace_by_request",
            Self::DeleteBecauseNoResourceConfig => "delete_because_no_resource_config",
            Self::DeleteBecauseCountIndex => "delete_because_count_index",
            Self::DeleteBecauseEachKey => "delete_because_each_key",
            Self::DeleteBecauseWrongRepetition => "delete_because_wrong_repetition",
        }
    }
}

/// The planned change of one resource instance (or, in [`Plan::drift`], a change made outside).
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceChange {
    /// The instance.
    pub addr: ResourceAddr,
    /// Its type's schema.
    pub schema: &'static ResourceSchema,
    /// What happens.
    pub action: Action,
    /// The object before (absent for a create): an object value, sensitive attributes marked.
    pub before: Option<Value>,
    /// The object after (absent for a delete): unknown where known only after apply.
    pub after: Option<Value>,
    /// Paths (`description`, `scopes.0.write_logs`) whose change forces the replacement.
    pub replace_paths: Vec<String>,
    /// Why, when there is a reason to give.
    pub reason: Option<ActionReason>,
    /// The resources (without instance keys) this instance depends on, sorted: from the
    /// configuration, or from the state for objects no longer configured.
    pub dependencies: Vec<ResourceAddr>,
    /// The deposed key when this change is about a *deposed* object of the instance (the old
    /// object a `create_before_destroy` replacement kept and then failed to delete): such a
    /// change is always a [`Action::Delete`]. `None` for the instance's current object.
    pub deposed: Option<String>,
}

/// The planned change of one root module output.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputChange {
    /// The output name.
    pub name: String,
    /// `NoOp`, `Create`, `Update` or `Delete`.
    pub action: Action,
    /// The recorded value (absent when the output is new).
    pub before: Option<Value>,
    /// The planned value (absent when the output goes away).
    pub after: Option<Value>,
    /// Declared (or recorded) sensitive: the value is never shown.
    pub sensitive: bool,
}

/// A plan.
#[derive(Debug)]
pub struct Plan {
    /// One change per instance in the plan's scope (no-ops included) and one per deposed
    /// object, sorted by address then deposed key (the current object's change first).
    pub changes: Vec<ResourceChange>,
    /// Changes made outside scwform since the state was recorded (refresh), sorted by address.
    pub drift: Vec<ResourceChange>,
    /// Root output changes, sorted by name.
    pub outputs: Vec<OutputChange>,
    /// The steps and their order.
    pub order: ActionOrder,
    /// How the plan was made.
    pub options: PlanOptions,
    /// The configuration, evaluated with planned values.
    pub config: Config,
    /// A problem was found while planning (for example `prevent_destroy`): the plan must not be
    /// applied, and `diagnostics` says why.
    pub errored: bool,
    /// Warnings (and, when `errored`, the errors) found while planning.
    pub diagnostics: Diagnostics,
}

/// How many objects a plan adds, changes and destroys (Terraform's counting: a replacement
/// counts as one add and one destroy).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Creates and replacements.
    pub add: usize,
    /// Updates.
    pub change: usize,
    /// Deletes and replacements.
    pub destroy: usize,
}

impl Plan {
    /// Terraform's `Plan: X to add, Y to change, Z to destroy.` numbers.
    #[must_use]
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for change in &self.changes {
            match change.action {
                Action::NoOp => {}
                Action::Create => c.add += 1,
                Action::Update => c.change += 1,
                Action::Replace { .. } => {
                    c.add += 1;
                    c.destroy += 1;
                }
                Action::Delete => c.destroy += 1,
            }
        }
        c
    }

    /// Whether applying would change anything: a resource action other than no-op, or a root
    /// output change (Terraform's `applyable`; `--detailed-exitcode` exits 2 when true).
    #[must_use]
    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| c.action != Action::NoOp)
            || self.outputs.iter().any(|o| o.action != Action::NoOp)
    }

    /// The change of one instance's current object (deposed objects: [`Self::deposed_change`]).
    #[must_use]
    pub fn change(&self, addr: &ResourceAddr) -> Option<&ResourceChange> {
        // Changes are sorted by (address, deposed key) with the current object (no key) first,
        // so (address, has a key) is sorted too and (addr, false) appears at most once.
        self.changes
            .binary_search_by(|c| (&c.addr, c.deposed.is_some()).cmp(&(addr, false)))
            .ok()
            .map(|i| &self.changes[i])
    }

    /// The change of the deposed object `key` of an instance.
    #[must_use]
    pub fn deposed_change(&self, addr: &ResourceAddr, key: &str) -> Option<&ResourceChange> {
        self.changes
            .iter()
            .find(|c| c.addr == *addr && c.deposed.as_deref() == Some(key))
    }
}

/// The configuration to plan: something that can evaluate it with a [`ResourceValues`] hook
/// (the CLI wraps `model::load`; tests wrap texts or hand-built values).
pub trait ConfigInput {
    /// Evaluates the configuration, calling `values` once per instance in dependency order,
    /// and returns it with every diagnostic found.
    fn evaluate(&self, values: &dyn ResourceValues) -> (Config, Diagnostics);
}

impl<F> ConfigInput for F
where
    F: Fn(&dyn ResourceValues) -> (Config, Diagnostics),
{
    fn evaluate(&self, values: &dyn ResourceValues) -> (Config, Diagnostics) {
        self(values)
    }
}

/// A recorded object, converted for comparison.
#[derive(Debug, Clone)]
struct Recorded {
    schema: &'static ResourceSchema,
    /// Attributes and blocks by name (schema names only; sensitive ones marked).
    attributes: BTreeMap<String, Value>,
    tainted: bool,
    dependencies: Vec<ResourceAddr>,
}

impl Recorded {
    fn value(&self) -> Value {
        Value::Object(self.attributes.clone())
    }
}

/// What the hook decided for one configured instance.
#[derive(Debug, Clone)]
struct Decision {
    action: Action,
    after: Value,
    replace_paths: Vec<String>,
    reason: Option<ActionReason>,
}

/// The [`ResourceValues`] hook of the planner.
struct Planner<'a> {
    refreshed: &'a BTreeMap<ResourceAddr, Recorded>,
    options: &'a PlanOptions,
    decisions: RefCell<HashMap<ResourceAddr, Decision>>,
}

impl ResourceValues for Planner<'_> {
    fn instance(&self, instance: &ResourceInstance) -> Value {
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
fn decide(
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
    let requested = options
        .replace
        .iter()
        .any(|r| matches_target(r, &instance.addr));
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
        replace_paths: Vec::new(),
        reason: None,
    }
}

/// Whether `target` (an address, without key meaning every instance) names `addr`.
fn matches_target(target: &ResourceAddr, addr: &ResourceAddr) -> bool {
    if target.key.is_some() {
        target == addr
    } else {
        addr.is_instance_of(&target.type_name, &target.name)
    }
}

/// The model address of a root-module managed instance of the state (`None` for data sources
/// and module instances, which scwform does not plan).
#[must_use]
pub fn model_addr(addr: &InstanceAddr) -> Option<ResourceAddr> {
    if addr.resource.module.is_some() || addr.resource.mode != Mode::Managed {
        return None;
    }
    let base = ResourceAddr::new(&addr.resource.type_name, &addr.resource.name);
    Some(match &addr.key {
        None => base,
        Some(key) => base.with_key(key.clone()),
    })
}

/// The state address of a model instance address.
#[must_use]
pub fn state_addr(addr: &ResourceAddr) -> InstanceAddr {
    let resource = state::ResourceAddr::managed(&addr.type_name, &addr.name);
    resource.instance(addr.key.clone())
}

/// A recorded object (current or deposed) of `schema`'s type, for comparison.
fn recorded(schema: &'static ResourceSchema, instance: &state::InstanceState) -> Recorded {
    Recorded {
        schema,
        attributes: object_from_state(schema, instance),
        tainted: instance.status.as_deref() == Some("tainted"),
        dependencies: instance
            .dependencies
            .iter()
            .filter(|d| d.module.is_none() && d.mode == Mode::Managed)
            .map(|d| ResourceAddr::new(&d.type_name, &d.name))
            .collect(),
    }
}

/// The recorded current objects of a state, by model address.
fn recorded_objects(state: &State, diags: &mut Diagnostics) -> BTreeMap<ResourceAddr, Recorded> {
    let mut out = BTreeMap::new();
    let mut unknown_types = BTreeSet::new();
    for resource in &state.resources {
        let Some(schema) = schema::resource(&resource.type_name) else {
            if resource.mode == Mode::Managed && resource.module.is_none() {
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
fn deposed_objects(state: &State) -> BTreeMap<(ResourceAddr, String), Recorded> {
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

/// One Delete per deposed object: whatever the configuration says, a deposed object is an old
/// object whose replacement already exists, so it only ever goes away.
fn deposed_changes(deposed: &BTreeMap<(ResourceAddr, String), Recorded>) -> Vec<ResourceChange> {
    deposed
        .iter()
        .map(|((addr, key), object)| ResourceChange {
            addr: addr.clone(),
            schema: object.schema,
            action: Action::Delete,
            before: Some(object.value()),
            after: None,
            replace_paths: Vec::new(),
            reason: None,
            dependencies: object.dependencies.clone(),
            deposed: Some(key.clone()),
        })
        .collect()
}

/// A recorded instance's attributes as values: schema attributes and blocks only, sensitive
/// ones (by schema or by the state's `sensitive_attributes`) marked.
fn object_from_state(
    schema: &ResourceSchema,
    instance: &state::InstanceState,
) -> BTreeMap<String, Value> {
    let marked: BTreeSet<&str> = instance
        .sensitive_attributes
        .iter()
        .filter_map(|path| match path.first() {
            Some(PathStep::GetAttr(name)) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let mut out = BTreeMap::new();
    for attr in schema.attributes {
        let value = instance
            .attributes
            .get(attr.name)
            .map_or(Value::Null, Value::from_json);
        let sensitive = attr.sensitive || marked.contains(attr.name);
        let value = if sensitive && !value.is_null() {
            value.mark_sensitive()
        } else {
            value
        };
        out.insert(attr.name.to_owned(), value);
    }
    for block in schema.blocks {
        let value = instance
            .attributes
            .get(block.name)
            .map_or(Value::List(Vec::new()), Value::from_json);
        let value = if value.is_null() {
            Value::List(Vec::new())
        } else {
            value
        };
        out.insert(block.name.to_owned(), value);
    }
    out
}

/// Plans the configuration `input` against the recorded state `prior` and the refreshed state
/// `refreshed` (ignored, in favour of `prior`, when `options.refresh` is false).
///
/// # Errors
/// The configuration's errors (or a dependency cycle) stop planning and are returned. Problems
/// found while planning (`prevent_destroy`) instead give a plan with `errored` set, so that it
/// can still be shown.
pub fn plan(
    input: &dyn ConfigInput,
    prior: &State,
    refreshed: &State,
    options: &PlanOptions,
) -> Result<Plan, Diagnostics> {
    let refreshed = if options.refresh { refreshed } else { prior };
    let mut diags = Diagnostics::new();
    let recorded_prior = recorded_objects(prior, &mut Diagnostics::new());
    let recorded = recorded_objects(refreshed, &mut diags);
    let planner = Planner {
        refreshed: &recorded,
        options,
        decisions: RefCell::new(HashMap::new()),
    };
    let (config, config_diags) = input.evaluate(&planner);
    diags.extend(config_diags);
    if diags.has_errors() {
        diags.sort();
        return Err(diags);
    }
    let graph = DependencyGraph::new(&config);
    graph.order()?;
    let decisions = planner.decisions.into_inner();

    let mut changes = if options.destroy {
        destroy_changes(&config, &recorded)
    } else {
        normal_changes(&config, &recorded, decisions)
    };
    // Deposed objects go in every mode: in normal plans too, since nothing else would ever
    // delete them.
    changes.extend(deposed_changes(&deposed_objects(refreshed)));
    if !options.targets.is_empty() {
        let included = targeted(&config, &recorded, &changes, &options.targets);
        changes.retain(|c| match c.deposed {
            // Nothing depends on a deposed object and it depends on nothing being planned, so
            // it is in scope only when a target names its instance, not as a dependency.
            Some(_) => options.targets.iter().any(|t| matches_target(t, &c.addr)),
            None => included.contains(&c.addr),
        });
    }
    changes.sort_by(|a, b| (&a.addr, &a.deposed).cmp(&(&b.addr, &b.deposed)));
    propagate_create_before_destroy(&mut changes);
    check_prevent_destroy(&config, &changes, &mut diags);
    let order = build_order(&changes, &recorded);
    if order.sequence().is_none() {
        diags.push(
            Diagnostic::error("scw::plan::cycle", "Cycle in the planned actions")
                .with_detail("The planned creates, updates and deletes depend on each other in a cycle (usually create_before_destroy on a resource whose dependency is replaced destroy-first). Set create_before_destroy consistently along the dependency chain."),
        );
    }
    let outputs = output_changes(&config, prior, options.destroy);
    let drift = drift_changes(&recorded_prior, &recorded);
    diags.sort();
    let errored = diags.has_errors();
    Ok(Plan {
        changes,
        drift,
        outputs,
        order,
        options: options.clone(),
        config,
        errored,
        diagnostics: diags,
    })
}

fn dependencies_of(instance: &ResourceInstance) -> Vec<ResourceAddr> {
    let mut deps: Vec<ResourceAddr> = instance
        .dependencies
        .iter()
        .map(|d| d.resource.resource())
        .collect();
    deps.sort();
    deps.dedup();
    deps
}

fn normal_changes(
    config: &Config,
    recorded: &BTreeMap<ResourceAddr, Recorded>,
    mut decisions: HashMap<ResourceAddr, Decision>,
) -> Vec<ResourceChange> {
    let mut changes = Vec::with_capacity(config.instances.len());
    let first = first_instances(config);
    for (addr, instance) in &config.instances {
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
            replace_paths: decision.replace_paths,
            reason: decision.reason,
            dependencies: dependencies_of(instance),
            deposed: None,
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
            replace_paths: Vec::new(),
            reason: Some(delete_reason(&first, addr)),
            dependencies: object.dependencies.clone(),
            deposed: None,
        });
    }
    changes
}

/// The first configured instance of each resource (for delete reasons and lifecycle rules
/// of instances no longer configured), so lookups stay linear in the plan size.
fn first_instances(config: &Config) -> HashMap<(&str, &str), &ResourceInstance> {
    let mut out = HashMap::new();
    for instance in config.instances.values() {
        out.entry((
            instance.addr.type_name.as_str(),
            instance.addr.name.as_str(),
        ))
        .or_insert(instance);
    }
    out
}

/// Why an object whose address is not configured is deleted.
fn delete_reason(
    first: &HashMap<(&str, &str), &ResourceInstance>,
    addr: &ResourceAddr,
) -> ActionReason {
    let Some(sibling) = first.get(&(addr.type_name.as_str(), addr.name.as_str())) else {
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

fn destroy_changes(
    config: &Config,
    recorded: &BTreeMap<ResourceAddr, Recorded>,
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
                replace_paths: Vec::new(),
                reason: None,
                dependencies,
                deposed: None,
            }
        })
        .collect()
}

/// The instances in scope of `--target`: the targets, what they depend on, and for targets that
/// are deleted, what depends on them (whose dependencies then come along too).
fn targeted(
    config: &Config,
    recorded: &BTreeMap<ResourceAddr, Recorded>,
    changes: &[ResourceChange],
    targets: &[ResourceAddr],
) -> BTreeSet<ResourceAddr> {
    let all: BTreeSet<&ResourceAddr> = changes.iter().map(|c| &c.addr).collect();
    let mut by_resource: HashMap<(&str, &str), Vec<ResourceAddr>> = HashMap::new();
    for a in &all {
        by_resource
            .entry((a.type_name.as_str(), a.name.as_str()))
            .or_default()
            .push((*a).clone());
    }
    let instances_of = |resource: &ResourceAddr| -> Vec<ResourceAddr> {
        by_resource
            .get(&(resource.type_name.as_str(), resource.name.as_str()))
            .cloned()
            .unwrap_or_default()
    };
    let by_addr: HashMap<&ResourceAddr, &ResourceChange> = changes
        .iter()
        .filter(|c| c.deposed.is_none())
        .map(|c| (&c.addr, c))
        .collect();
    let deps_of = |addr: &ResourceAddr| -> Vec<ResourceAddr> {
        by_addr
            .get(addr)
            .map(|c| c.dependencies.clone())
            .unwrap_or_default()
    };
    let mut seeds: BTreeSet<ResourceAddr> = all
        .iter()
        .filter(|a| targets.iter().any(|t| matches_target(t, a)))
        .map(|a| (*a).clone())
        .collect();
    // Dependents of deleted targets, transitively.
    // (Not deposed objects: what depends on the instance uses its current object.)
    let deleted: Vec<ResourceAddr> = changes
        .iter()
        .filter(|c| seeds.contains(&c.addr) && c.action == Action::Delete && c.deposed.is_none())
        .map(|c| c.addr.clone())
        .collect();
    let mut stack = deleted;
    while let Some(addr) = stack.pop() {
        for c in changes.iter().filter(|c| c.deposed.is_none()) {
            let depends = c
                .dependencies
                .iter()
                .any(|d| addr.is_instance_of(&d.type_name, &d.name))
                || recorded.get(&c.addr).is_some_and(|r| {
                    r.dependencies
                        .iter()
                        .any(|d| addr.is_instance_of(&d.type_name, &d.name))
                });
            if depends && seeds.insert(c.addr.clone()) {
                stack.push(c.addr.clone());
            }
        }
    }
    // Dependencies, transitively.
    let mut included = BTreeSet::new();
    let mut stack: Vec<ResourceAddr> = seeds.into_iter().collect();
    while let Some(addr) = stack.pop() {
        if !included.insert(addr.clone()) {
            continue;
        }
        let deps = config
            .instances
            .get(&addr)
            .map_or_else(|| deps_of(&addr), dependencies_of);
        for dep in deps {
            stack.extend(instances_of(&dep));
        }
    }
    included
}

/// Terraform's rule: when a replaced object creates before destroying, whatever replaced
/// object it depends on must too, or the order would be a cycle.
fn propagate_create_before_destroy(changes: &mut [ResourceChange]) {
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
                && promote.contains(&c.addr.resource())
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
fn check_prevent_destroy(config: &Config, changes: &[ResourceChange], diags: &mut Diagnostics) {
    for c in changes
        .iter()
        .filter(|c| c.action.is_destructive() && c.deposed.is_none())
    {
        let instance = config
            .instances
            .get(&c.addr)
            .or_else(|| config.instances_of(&c.addr.type_name, &c.addr.name).next());
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

/// Builds the step graph (see [`order`] for the rules).
fn build_order(
    changes: &[ResourceChange],
    recorded: &BTreeMap<ResourceAddr, Recorded>,
) -> ActionOrder {
    let mut b = order::OrderBuilder::default();
    for (i, c) in changes.iter().enumerate() {
        match c.action {
            Action::NoOp => {}
            Action::Create => {
                b.step(&c.addr, StepKind::Create, i);
            }
            Action::Update => {
                b.step(&c.addr, StepKind::Update, i);
            }
            Action::Delete => {
                b.step(&c.addr, StepKind::Delete, i);
            }
            Action::Replace {
                create_before_destroy,
            } => {
                let d = b.step(&c.addr, StepKind::Delete, i);
                let n = b.step(&c.addr, StepKind::Create, i);
                if create_before_destroy {
                    b.edge(n, d);
                } else {
                    b.edge(d, n);
                }
            }
        }
    }
    // Instances by resource, for dependencies on whole resources.
    let mut by_resource: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, c) in changes.iter().enumerate() {
        by_resource
            .entry((c.addr.type_name.as_str(), c.addr.name.as_str()))
            .or_default()
            .push(i);
    }
    let empty = Vec::new();
    let instances = |d: &ResourceAddr| {
        by_resource
            .get(&(d.type_name.as_str(), d.name.as_str()))
            .unwrap_or(&empty)
            .clone()
    };
    let old_dependencies = |c: &ResourceChange| -> Vec<ResourceAddr> {
        match c.action {
            Action::Delete => c.dependencies.clone(),
            _ => recorded
                .get(&c.addr)
                .map(|r| r.dependencies.clone())
                .unwrap_or_default(),
        }
    };
    for (i, c) in changes.iter().enumerate() {
        // Creates and updates after those of what they depend on.
        let forward = b
            .find(i, StepKind::Create)
            .or_else(|| b.find(i, StepKind::Update));
        if let (Some(me), true) = (forward, c.action != Action::Delete) {
            for dep in &c.dependencies {
                for j in instances(dep) {
                    for kind in [StepKind::Create, StepKind::Update] {
                        if let Some(s) = b.find(j, kind) {
                            b.edge(s, me);
                        }
                    }
                }
            }
        }
        // Deletes before the deletes of what the old object depended on (deposed objects
        // included, on both sides); and the object it depended on is deleted only once this
        // one is repointed (created or updated), unless that object is replaced destroy-first.
        let mut old = old_dependencies(c);
        if c.action != Action::Delete {
            old.extend(c.dependencies.iter().cloned());
        }
        for dep in &old {
            for j in instances(dep) {
                let other = &changes[j];
                let Some(their_delete) = b.find(j, StepKind::Delete) else {
                    continue;
                };
                if let Some(my_delete) = b.find(i, StepKind::Delete) {
                    b.edge(my_delete, their_delete);
                }
                let destroy_first = other.action
                    == Action::Replace {
                        create_before_destroy: false,
                    };
                if !destroy_first && let Some(me) = forward {
                    b.edge(me, their_delete);
                }
            }
        }
    }
    b.build()
}

/// Root output changes (recorded outputs vs the configuration's).
fn output_changes(config: &Config, prior: &State, destroy: bool) -> Vec<OutputChange> {
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

/// Changes made outside: objects gone, or with other values than recorded.
fn drift_changes(
    prior: &BTreeMap<ResourceAddr, Recorded>,
    refreshed: &BTreeMap<ResourceAddr, Recorded>,
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
            replace_paths: Vec::new(),
            reason: None,
            dependencies: before.dependencies.clone(),
            deposed: None,
        });
    }
    out
}

#[cfg(test)]
pub(crate) mod tests;
