//! The evaluation driver: a checked [`Module`] plus variable values → [`Config`].
//!
//! Blocks (variables, locals, resources, outputs) are evaluated in a topological order of the
//! block-level graph ([`super::order`]); a cycle is reported and its members are left
//! unevaluated (their value is unknown to anything after them). Each expression is evaluated
//! in a context holding only the names it refers to (so the cost is linear in references, not
//! in the size of the configuration). Resources expand `count` / `for_each` into instances;
//! each instance's attributes are converted to the schema's types, validated, given their
//! defaults, and marked sensitive where the schema says so; computed attributes not set in
//! configuration are unknown. A [`ResourceValues`] hook (the planner) then decides, instance by
//! instance in dependency order, the value later expressions see.
//!
//! Invariant: every problem becomes a diagnostic; evaluation never stops at the first one and
//! never panics on any input.
//!
//! Depends on `diag`, `schema`, `parse::ast` and the sibling model modules (`eval`, `types`).

use std::collections::BTreeMap;
use std::sync::Arc;

use indexmap::IndexMap;
use petgraph::graph::NodeIndex;
// Names borrowed from the configuration are hashed many times per resource; the default
// hasher (SipHash) is built to resist crafted keys, which a local configuration is not.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::call;
use super::config::{
    BlockExpressions, BlockValue, Config, Dependency, DependencyKind, ImportTarget, OutputValue,
    ResourceInstance, VariableInfo,
};
use super::expr::{self, EvalContext};
use super::lower::{
    BodyDecl, DependsOn, ImportDecl, Module, ResourceDecl, header_span, resource_addr,
};
use super::order::BlockGraph;
use super::refs::{self, RefTarget, Reference};
use super::types::{self, Type};
use super::value::Value;
use crate::addr::{InstanceAddr, InstanceKey, ModuleAddr, ResourceAddr};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::locality::{ALL_REGIONS, RegionCheck, check_region};
use crate::parse::ast::{self, Attribute, Expr};
use crate::schema::{
    self, AttrType, AttributeSchema, BlockSchema, Constraint, DefaultValue, ResourceSchema,
    Timeouts, Validation,
    validation::{check_map_entry, check_number, check_str},
};

/// The hook through which a caller decides what each resource instance looks like to the rest
/// of the configuration.
///
/// Evaluation calls [`ResourceValues::instance`] once per instance, in dependency order, right
/// after the instance's own configuration is evaluated (attributes configuration does not set
/// are then unknown when computed, else null or their default). The value it returns is what
/// every later expression sees for that instance. `validate` and `graph` use [`NoPriorValues`]
/// (the configuration as is, unknowns included); the planner returns the planned object:
/// configuration merged with recorded values for objects kept or updated, unknown computed
/// values for objects created or replaced.
pub trait ResourceValues {
    /// The object value later expressions see for `instance`.
    fn instance(&self, instance: &ResourceInstance) -> Value;

    /// What evaluation keeps of [`instance`](Self::instance)'s value: nothing when no
    /// expression reads the resource, else the object reduced to the attributes expressions
    /// read (see [`Wanted`]). Evaluation calls this, once per instance; the default calls
    /// [`instance`](Self::instance) every time (a hook may record its decision there) and then
    /// drops what is not wanted. Implementations without side effects may skip building parts
    /// nobody reads, as long as what they return for the wanted attributes is the same.
    fn wanted_value(&self, instance: &ResourceInstance, wanted: Wanted<'_>) -> Option<Value> {
        let value = self.instance(instance);
        match wanted {
            Wanted::Nothing => None,
            Wanted::All => Some(value),
            Wanted::Attributes(names) => Some(keep_attributes(value, names)),
        }
    }

    /// Whether the evaluated [`Config`] keeps every instance (the default). A caller that
    /// only wants diagnostics says no, and each instance is dropped once this hook has seen it.
    fn keep_instances(&self) -> bool {
        true
    }
}

/// How much of a resource instance's value later expressions can read.
///
/// Evaluation keeps one value per referenced instance until the end; keeping only the
/// attributes that are read (`scaleway_account_project.main.id` reads `id`) keeps that small on
/// large configurations. The reduction never changes what an expression evaluates to, nor its
/// diagnostics: an attribute list is only used when every reference to the resource reads an
/// attribute directly by name, and an object lacking one of them is kept whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted<'a> {
    /// No expression reads the resource.
    Nothing,
    /// Some expression may read the whole object (or it is read in ways not tracked).
    All,
    /// Expressions read only these attributes (or nested blocks) of each instance.
    Attributes(&'a [&'a str]),
}

/// `value` reduced to the attributes `names`, when it is an object that has all of them;
/// else `value` unchanged.
#[must_use]
pub fn keep_attributes(value: Value, names: &[&str]) -> Value {
    match value {
        Value::Object(mut map) if names.iter().all(|n| map.contains_key(*n)) => {
            let kept = names.iter().filter_map(|n| map.remove_entry(*n)).collect();
            Value::Object(kept)
        }
        other => other,
    }
}

/// No planned values: an instance looks like its configuration, every attribute the
/// configuration does not set unknown. (Without a plan nothing tells what an unset attribute
/// will be: the provider records `""` for an unset optional string once the object exists, so
/// taking it as null here would refuse `"${x.description}"`, which Terraform's validation
/// accepts.)
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPriorValues;

/// `value` (an object built from `instance`) with the attributes configuration leaves unset,
/// and that have no default, unknown.
fn unset_unknown(instance: &ResourceInstance, value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let unset = v.is_null()
                        && instance.attributes.contains_key(k.as_str())
                        && !instance.configured.contains_key(k.as_str());
                    (k, if unset { Value::Unknown } else { v })
                })
                .collect(),
        ),
        other => other,
    }
}

impl ResourceValues for NoPriorValues {
    fn instance(&self, instance: &ResourceInstance) -> Value {
        unset_unknown(instance, instance.to_value())
    }

    fn wanted_value(&self, instance: &ResourceInstance, wanted: Wanted<'_>) -> Option<Value> {
        configured_value(instance, wanted)
    }
}

/// As [`NoPriorValues`], for callers that only want the diagnostics (`validate`): the
/// evaluated [`Config`] holds no instances (variables, locals and outputs are still there),
/// which on large configurations saves most of the memory evaluation needs.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiagnosticsOnly;

impl ResourceValues for DiagnosticsOnly {
    fn instance(&self, instance: &ResourceInstance) -> Value {
        unset_unknown(instance, instance.to_value())
    }

    fn wanted_value(&self, instance: &ResourceInstance, wanted: Wanted<'_>) -> Option<Value> {
        configured_value(instance, wanted)
    }

    fn keep_instances(&self) -> bool {
        false
    }
}

/// The wanted part of an instance's configured value, built without the parts not wanted
/// (there is no hook with side effects to call).
fn configured_value(instance: &ResourceInstance, wanted: Wanted<'_>) -> Option<Value> {
    match wanted {
        Wanted::Nothing => None,
        Wanted::All => Some(unset_unknown(instance, instance.to_value())),
        Wanted::Attributes(names) => Some(unset_unknown(
            instance,
            instance
                .value_of(names)
                .unwrap_or_else(|| instance.to_value()),
        )),
    }
}

/// How to evaluate.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// `validate` mode: an unknown `count` / `for_each` is not an error (the resource is then
    /// checked once with unknown keys and has no instances).
    pub validate_only: bool,
    /// `path.root` (and `path.module` in the root module).
    pub module_path: String,
    /// `path.module` in a called module (its directory), `None` in the root module.
    pub module_dir: Option<String>,
    /// The module instance evaluated (the root module when empty): its resources' addresses
    /// are in it.
    pub module: ModuleAddr,
    /// `path.cwd`.
    pub cwd: String,
    /// `terraform.workspace`.
    pub workspace: String,
    /// The alias of the root provider configuration this module's default configuration is
    /// (`providers = { scaleway = scaleway.nl }` on its call, or its caller's); `None`: the
    /// default configuration.
    pub provider: Option<String>,
}

impl Default for EvalOptions {
    fn default() -> Self {
        Self {
            validate_only: false,
            module_path: ".".into(),
            module_dir: None,
            module: ModuleAddr::root(),
            cwd: ".".into(),
            workspace: "default".into(),
            provider: None,
        }
    }
}

/// The `type` of each schema attribute type, as a type constraint for conversion.
#[must_use]
pub fn constraint_of(ty: AttrType) -> Type {
    match ty {
        AttrType::String => Type::String,
        AttrType::Int | AttrType::Float => Type::Number,
        AttrType::Bool => Type::Bool,
        AttrType::List(e) => Type::list(constraint_of(*e)),
        AttrType::Set(e) => Type::set(constraint_of(*e)),
        AttrType::Map(e) => Type::map(constraint_of(*e)),
    }
}

fn default_value(d: DefaultValue) -> Value {
    match d {
        DefaultValue::Bool(b) => Value::Bool(b),
        DefaultValue::Int(i) => Value::int(i),
        DefaultValue::Str(s) => Value::string(s),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Node<'m> {
    Variable(&'m str),
    Local(&'m str),
    Resource(&'m str, &'m str),
    Module(&'m str),
    Output(&'m str),
}

/// Evaluates a module with the given variable values (already converted to their types).
///
/// The result is complete even when there are errors: what could not be evaluated is left
/// out (instances) or unknown (values).
pub fn evaluate(
    module: &Module<'_>,
    variables: IndexMap<String, Value>,
    values: &dyn ResourceValues,
    options: &EvalOptions,
    diags: &mut Diagnostics,
) -> Config {
    let mut config = evaluate_instance(
        module,
        variables,
        &Outside::default(),
        values,
        options,
        diags,
    );
    let (moves, removals) = super::refactor::collect(module, diags);
    config.moves = moves;
    config.removals = removals;
    config
}

/// What a called module instance depends on outside itself: for each input variable, the
/// resources its value comes from; and the resources every resource in it depends on (the
/// call's `depends_on`, and its callers').
#[derive(Debug, Default)]
pub(super) struct Outside {
    /// Input variable → resources (outside the module instance) its value reads.
    pub(super) variables: HashMap<String, Vec<ResourceAddr>>,
    /// Resources everything in the module instance depends on.
    pub(super) everything: Vec<ResourceAddr>,
}

/// [`evaluate`] for a module instance whose inputs come from outside it.
pub(super) fn evaluate_instance(
    module: &Module<'_>,
    variables: IndexMap<String, Value>,
    outside: &Outside,
    values: &dyn ResourceValues,
    options: &EvalOptions,
    diags: &mut Diagnostics,
) -> Config {
    let mut ev = Evaluator {
        module,
        values,
        options,
        diags,
        variables,
        outside,
        locals: HashMap::default(),
        local_reach: HashMap::default(),
        local_outer: HashMap::default(),
        call_resources: HashMap::default(),
        resources: HashMap::default(),
        modules: HashMap::default(),
        referenced: HashSet::default(),
        read_attributes: HashMap::default(),
        config: Config::default(),
    };
    if values.keep_instances() {
        // At least one instance per resource in the common case (no `count` / `for_each`).
        ev.config.instances.reserve(module.resources.len());
    }
    ev.run();
    let mut config = ev.config;
    config.module_instances.insert(options.module.clone());
    for (t, n) in module.resources.keys() {
        config
            .declared
            .insert(ResourceAddr::managed(*t, *n).in_module(options.module.clone()));
    }
    config.variables = ev.variables;
    for (name, decl) in &module.variables {
        config.variable_decls.insert(
            (*name).to_owned(),
            VariableInfo {
                description: decl.description.clone(),
                sensitive: decl.sensitive,
                has_default: decl.default.is_some(),
                validations: decl.validations.len(),
            },
        );
    }
    for name in module.locals.keys() {
        let value = ev.locals.remove(name).unwrap_or(Value::Unknown);
        config.locals.insert((*name).to_owned(), value);
    }
    // Addresses are unique, so an unstable sort gives the one order, without a buffer.
    config.instances.sort_unstable_keys();
    config
}

struct Evaluator<'m, 'd> {
    module: &'m Module<'m>,
    values: &'m dyn ResourceValues,
    options: &'m EvalOptions,
    diags: &'d mut Diagnostics,
    variables: IndexMap<String, Value>,
    /// What the module instance reads from outside (empty for the root module).
    outside: &'m Outside,
    locals: HashMap<&'m str, Value>,
    /// The resources outside this module, and in the modules it calls, each evaluated local
    /// reaches (beside [`Self::local_reach`]'s; usually none).
    local_outer: HashMap<&'m str, Vec<ResourceAddr>>,
    /// The resources of each evaluated module call's instances (and of the modules they call).
    call_resources: HashMap<&'m str, Vec<ResourceAddr>>,
    /// The resources each evaluated local reaches (directly or through other locals).
    local_reach: HashMap<&'m str, Vec<(&'m str, &'m str)>>,
    /// The value other expressions see for each referenced resource.
    resources: HashMap<(&'m str, &'m str), Value>,
    /// The value of each evaluated module call (an object of outputs; a tuple or an object
    /// of them with `count` / `for_each`).
    modules: HashMap<&'m str, Value>,
    referenced: HashSet<(&'m str, &'m str)>,
    /// For referenced resources whose every reference reads an attribute by name: those
    /// attributes, sorted (absent: the whole value is kept).
    read_attributes: HashMap<(&'m str, &'m str), Vec<&'m str>>,
    config: Config,
}

impl<'m> Evaluator<'m, '_> {
    fn run(&mut self) {
        let module = self.module;
        let mut graph = BlockGraph::new();
        let mut nodes: Vec<Node<'m>> = Vec::new();
        let mut index: HashMap<Node<'m>, NodeIndex> = HashMap::default();
        let mut add = |graph: &mut BlockGraph, node: Node<'m>, name: String| {
            let n = graph.add(name);
            nodes.push(node);
            index.insert(node, n);
        };
        for name in module.variables.keys() {
            add(&mut graph, Node::Variable(name), format!("var.{name}"));
        }
        for name in module.locals.keys() {
            add(&mut graph, Node::Local(name), format!("local.{name}"));
        }
        for (t, n) in module.resources.keys() {
            add(&mut graph, Node::Resource(t, n), format!("{t}.{n}"));
        }
        // After the resources: a resource's node index gives its position in
        // `module.resources`.
        for name in module.calls.keys() {
            add(&mut graph, Node::Module(name), format!("module.{name}"));
        }
        for name in module.outputs.keys() {
            add(&mut graph, Node::Output(name), format!("output.{name}"));
        }
        let target_of = |r: &'m RefTarget| -> Option<Node<'m>> {
            match r {
                RefTarget::Variable(n) => Some(Node::Variable(n)),
                RefTarget::Local(n) => Some(Node::Local(n)),
                RefTarget::Resource { type_name, name } => Some(Node::Resource(type_name, name)),
                RefTarget::Module(name) => Some(Node::Module(name)),
                _ => None,
            }
        };
        let depends = |graph: &mut BlockGraph, user: Node<'m>, on: &'m [DependsOn]| {
            for d in on {
                if let Some(target) = target_of(&d.target)
                    && let (Some(&from), Some(&to)) = (index.get(&user), index.get(&target))
                {
                    graph.depends(from, to, d.span);
                }
            }
        };
        let link = |graph: &mut BlockGraph, user: Node<'m>, refs: &'m [Reference]| {
            for r in refs {
                if let Some(t) = target_of(&r.target)
                    && let (Some(&from), Some(&to)) = (index.get(&user), index.get(&t))
                {
                    graph.depends(from, to, r.span);
                }
            }
        };
        for (name, decl) in &module.locals {
            link(&mut graph, Node::Local(name), &decl.refs);
        }
        for ((t, n), decl) in &module.resources {
            link(&mut graph, Node::Resource(t, n), &decl.refs);
            depends(&mut graph, Node::Resource(t, n), &decl.depends_on);
        }
        for (name, decl) in &module.calls {
            link(&mut graph, Node::Module(name), &decl.refs);
            depends(&mut graph, Node::Module(name), &decl.depends_on);
        }
        for (name, decl) in &module.outputs {
            link(&mut graph, Node::Output(name), &decl.refs);
            depends(&mut graph, Node::Output(name), &decl.depends_on);
        }
        // Everything any expression reads from a resource is kept for later lookups.
        let all_refs = module
            .locals
            .values()
            .flat_map(|l| l.refs.iter())
            .chain(module.resources.values().flat_map(|r| r.refs.iter()))
            .chain(module.calls.values().flat_map(|c| c.refs.iter()))
            .chain(module.outputs.values().flat_map(|o| o.refs.iter()))
            .chain(module.imports.iter().flat_map(|i| i.refs.iter()))
            .chain(module.checks.values().flat_map(|c| c.refs.iter()));
        for r in all_refs {
            if let RefTarget::Resource { type_name, name } = &r.target {
                self.referenced.insert((type_name, name));
            }
        }
        self.read_attributes = read_attributes(module);
        let (order, cycles) = graph.order();
        self.diags.extend(cycles);
        self.check_variable_validations();
        for n in order {
            match nodes[n.index()] {
                Node::Variable(_) => {}
                Node::Local(name) => self.local(name),
                Node::Resource(..) => {
                    // Resources were added to the graph in declaration order, after the
                    // variables and locals.
                    let i = n.index() - module.variables.len() - module.locals.len();
                    let (_, decl) = module
                        .resources
                        .get_index(i)
                        .expect("invariant: resource nodes follow variables and locals");
                    self.resource(decl);
                }
                Node::Module(name) => self.module_call(name),
                Node::Output(name) => self.output(name),
            }
        }
        self.checks();
        self.provider();
        for decl in &module.imports {
            if self.options.module_dir.is_some() {
                self.diags.push(
                    Diagnostic::error("scw::model::invalid_import", "Invalid import configuration")
                        .with_primary(header_span(decl.block), "not in the root module")
                        .with_detail("An import block was detected in a called module. Import blocks are only allowed in the root module."),
                );
                continue;
            }
            self.import(decl);
        }
        self.check_duplicate_imports();
    }

    /// Evaluates an `import` block: one target per `for_each` element.
    fn import(&mut self, decl: &ImportDecl<'m>) {
        let base = self.context(&decl.refs);
        let Some(for_each) = decl.for_each else {
            self.import_target(decl, &base);
            return;
        };
        let Some(value) = self.eval(&for_each.expr, &base) else {
            return;
        };
        let invalid = |this: &mut Self, label: &str, detail: &str| {
            this.diags.push(
                Diagnostic::error("scw::model::invalid_for_each", "Invalid for_each argument")
                    .with_primary(for_each.expr.span, label)
                    .with_detail(detail.to_owned()),
            );
        };
        let (value, sensitive) = value.unmark();
        if sensitive {
            return invalid(
                self,
                "sensitive",
                "Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments.",
            );
        }
        // A map gives its entries, a set its elements (key and value alike), a list or tuple
        // its elements with their index as the key.
        let entries: Vec<(Value, Value)> = match value {
            Value::Unknown if self.options.validate_only => return,
            Value::Unknown => {
                return invalid(
                    self,
                    "known only after apply",
                    "The \"for_each\" value of an import block depends on values that cannot be determined until apply: it must be known when planning.",
                );
            }
            Value::Collection(c) => match *c.clone() {
                super::value::Collection::Set(_, items) => {
                    items.into_iter().map(|v| (v.clone(), v)).collect()
                }
                super::value::Collection::List(_, items) => indexed(items),
                super::value::Collection::Map(_, map) => map
                    .into_iter()
                    .map(|(k, v)| (Value::string(k), v))
                    .collect(),
            },
            Value::List(items) => indexed(items.clone()),
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| (Value::string(k.clone()), v.clone()))
                .collect(),
            Value::Null => {
                return invalid(
                    self,
                    "null",
                    "The given \"for_each\" argument value is null. A map, set or list is allowed.",
                );
            }
            other => {
                return invalid(
                    self,
                    "a map, set or list is required",
                    &format!(
                        "The given \"for_each\" argument value is unsuitable: a map, set or list is allowed, and this is a {}.",
                        other.kind_name()
                    ),
                );
            }
        };
        for (key, value) in entries {
            let mut ctx = base.child();
            ctx.set(
                "each",
                Value::Object(BTreeMap::from([
                    ("key".to_owned(), key),
                    ("value".to_owned(), value),
                ])),
            );
            self.import_target(decl, &ctx);
        }
    }

    /// One target of an import block, its `to` key and `id` evaluated in `ctx`.
    fn import_target(&mut self, decl: &ImportDecl<'m>, ctx: &EvalContext<'_>) {
        let mut addr = InstanceAddr::managed(decl.type_name, decl.name);
        if let Some(key) = decl.key {
            let Some(k) = self.eval(key, ctx) else {
                return;
            };
            match k.unmark().0.clone().into_untyped() {
                Value::String(s) => addr = addr.with_key(InstanceKey::Str(s)),
                Value::Number(n) if n.to_i64().is_some_and(|i| i >= 0) => {
                    let i = n.to_i64().unwrap_or(0);
                    addr = addr.with_key(InstanceKey::Int(i));
                }
                Value::Unknown if self.options.validate_only => return,
                other => {
                    self.diags.push(
                        Diagnostic::error("scw::model::invalid_import", "Invalid import address")
                            .with_primary(key.span, "not an instance key")
                            .with_detail(format!(
                                "An instance key is a whole number (count) or a string (for_each), known when planning; this is {}.",
                                other.kind_name()
                            )),
                    );
                    return;
                }
            }
        }
        let Some(id) = self.eval(&decl.id.expr, ctx) else {
            return;
        };
        let id = match id.unmark().0.clone().into_untyped() {
            Value::String(s) if !s.is_empty() => Some(s),
            Value::Unknown if self.options.validate_only => None,
            other => {
                let what = match other {
                    Value::Unknown => "known only after apply".to_owned(),
                    Value::String(_) => "an empty string".to_owned(),
                    other => other.kind_name().to_owned(),
                };
                self.diags.push(
                    Diagnostic::error("scw::model::invalid_import", "Invalid import id argument")
                        .with_primary(decl.id.expr.span, "a string is required")
                        .with_detail(format!(
                            "The import ID must be a non-empty string known when planning; this is {what}."
                        )),
                );
                return;
            }
        };
        self.config.imports.push(ImportTarget {
            addr,
            id,
            provider: decl.provider.map(str::to_owned),
            span: header_span(decl.block),
        });
    }

    /// Two import blocks may not name the same address (Terraform's "Duplicate import
    /// configuration").
    fn check_duplicate_imports(&mut self) {
        let mut seen: HashMap<&InstanceAddr, Span> = HashMap::default();
        for target in &self.config.imports {
            if let Some(first) = seen.get(&target.addr) {
                self.diags.push(
                    Diagnostic::error(
                        "scw::model::duplicate_import",
                        format!("Duplicate import configuration for \"{}\"", target.addr),
                    )
                    .with_primary(target.span, "second import")
                    .with_label(*first, "first import")
                    .with_detail(format!(
                        "An import block for the resource \"{}\" was already declared. A resource can have only one import block.",
                        target.addr
                    )),
                );
            } else {
                seen.insert(&target.addr, target.span);
            }
        }
    }

    /// A failed condition's message: its `error_message`, unless that includes a sensitive
    /// value (then Terraform's sentence saying so).
    fn condition_message(&mut self, expr: &Expr, ctx: &EvalContext<'_>) -> String {
        match self.eval(expr, ctx) {
            Some(m) if m.contains_sensitive() => {
                "The error message included a sensitive value, so it will not be displayed."
                    .to_owned()
            }
            m => m
                .and_then(|m| m.as_str().map(str::to_owned))
                .unwrap_or_else(|| "The value is not valid.".to_owned()),
        }
    }

    /// Evaluates a `precondition` or `assert`: `Some(message)` when it fails, `None` when it
    /// holds or is not known yet. A result that is not a bool is an error.
    fn failed_condition(
        &mut self,
        c: &super::lower::Condition<'_>,
        ctx: &EvalContext<'_>,
    ) -> Option<String> {
        let result = self.eval(c.condition, ctx)?;
        let problem = match result.unmark().0 {
            Value::Unknown => return None,
            v if v.is_null() => {
                "Condition expression must return either true or false, not null.".to_owned()
            }
            v => match types::convert(v.clone(), &Type::Bool) {
                Ok(Value::Bool(true) | Value::Unknown) => return None,
                Ok(Value::Bool(false)) => {
                    return Some(self.condition_message(c.error_message, ctx));
                }
                _ => "Invalid condition result value: bool required.".to_owned(),
            },
        };
        self.diags.push(
            Diagnostic::error("scw::model::invalid_condition", "Invalid condition result")
                .with_primary(c.condition.span, "not true or false")
                .with_detail(problem),
        );
        None
    }

    /// `check` blocks: each failing `assert` is a warning (an error evaluating it stays an
    /// error, as in Terraform); unknown results wait for the apply.
    fn checks(&mut self) {
        let module = self.module;
        self.config.has_checks |= !module.checks.is_empty();
        for decl in module.checks.values() {
            let ctx = self.context(&decl.refs);
            for a in &decl.asserts {
                if let Some(message) = self.failed_condition(a, &ctx) {
                    self.diags.push(
                        Diagnostic::warning(
                            "scw::model::check_failed",
                            "Check block assertion failed",
                        )
                        .with_primary(a.condition.span, format!("check \"{}\"", decl.name))
                        .with_detail(message),
                    );
                }
            }
        }
    }

    /// A context binding exactly the names `refs` reads.
    fn context(&self, refs: &[Reference]) -> EvalContext<'static> {
        let mut ctx = EvalContext::new();
        let mut var = BTreeMap::new();
        let mut local = BTreeMap::new();
        let mut modules = BTreeMap::new();
        let mut types: BTreeMap<&str, BTreeMap<String, Value>> = BTreeMap::new();
        for r in refs {
            match &r.target {
                RefTarget::Variable(n) => {
                    let v = self.variables.get(n).cloned().unwrap_or(Value::Unknown);
                    var.insert(n.clone(), v);
                }
                RefTarget::Local(n) => {
                    let v = self
                        .locals
                        .get(n.as_str())
                        .cloned()
                        .unwrap_or(Value::Unknown);
                    local.insert(n.clone(), v);
                }
                RefTarget::Resource { type_name, name } => {
                    let v = self
                        .resources
                        .get(&(type_name.as_str(), name.as_str()))
                        .cloned()
                        .unwrap_or(Value::Unknown);
                    types
                        .entry(type_name.as_str())
                        .or_default()
                        .insert(name.clone(), v);
                }
                RefTarget::Module(n) => {
                    let v = self
                        .modules
                        .get(n.as_str())
                        .cloned()
                        .unwrap_or(Value::Unknown);
                    modules.insert(n.clone(), v);
                }
                RefTarget::Path(_) => {
                    let path = Value::Object(BTreeMap::from([
                        (
                            "module".to_owned(),
                            Value::string(
                                self.options
                                    .module_dir
                                    .as_deref()
                                    .unwrap_or(&self.options.module_path),
                            ),
                        ),
                        ("root".to_owned(), Value::string(&self.options.module_path)),
                        ("cwd".to_owned(), Value::string(&self.options.cwd)),
                    ]));
                    ctx.set("path", path);
                }
                RefTarget::Workspace => ctx.set(
                    "terraform",
                    Value::Object(BTreeMap::from([(
                        "workspace".to_owned(),
                        Value::string(&self.options.workspace),
                    )])),
                ),
                RefTarget::CountIndex | RefTarget::EachKey | RefTarget::EachValue => {}
            }
        }
        if !var.is_empty() {
            ctx.set("var", Value::Object(var));
        }
        if !local.is_empty() {
            ctx.set("local", Value::Object(local));
        }
        if !modules.is_empty() {
            ctx.set("module", Value::Object(modules));
        }
        let mut data = BTreeMap::new();
        for (t, objects) in types {
            match t.strip_prefix("data.") {
                Some(t) => {
                    data.insert(t.to_owned(), Value::Object(objects));
                }
                None => ctx.set(t, Value::Object(objects)),
            }
        }
        if !data.is_empty() {
            ctx.set("data", Value::Object(data));
        }
        ctx
    }

    fn eval(&mut self, expr: &Expr, ctx: &EvalContext<'_>) -> Option<Value> {
        match expr::eval(expr, ctx) {
            Ok(v) => Some(v),
            Err(d) => {
                self.diags.extend(d);
                None
            }
        }
    }

    fn check_variable_validations(&mut self) {
        let module = self.module;
        for decl in module.variables.values() {
            if decl.validations.is_empty() {
                continue;
            }
            let ctx = self.context(&decl.refs);
            for v in &decl.validations {
                let Some(ok) = self.eval(v.condition, &ctx) else {
                    continue;
                };
                match ok.unmark().0 {
                    Value::Bool(true) | Value::Unknown => {}
                    Value::Bool(false) => {
                        // As Terraform: a message built from a sensitive value is not shown.
                        let message = match self.eval(v.error_message, &ctx) {
                            Some(m) if m.contains_sensitive() => "The error message included a sensitive value, so it will not be displayed.".to_owned(),
                            m => m
                                .and_then(|m| m.as_str().map(str::to_owned))
                                .unwrap_or_else(|| "The value is not valid.".to_owned()),
                        };
                        self.diags.push(
                            Diagnostic::error(
                                "scw::model::invalid_variable_value",
                                "Invalid value for variable",
                            )
                            .with_primary(v.condition.span, "this condition is false")
                            .with_label(header_span(decl.block), format!("var.{}", decl.name))
                            .with_detail(message),
                        );
                    }
                    other => self.diags.push(
                        Diagnostic::error(
                            "scw::model::invalid_validation_condition",
                            "Invalid variable validation result",
                        )
                        .with_primary(v.condition.span, "not a bool")
                        .with_detail(format!(
                            "A validation condition must be true or false, not a {}.",
                            other.kind_name()
                        )),
                    ),
                }
            }
        }
    }

    fn local(&mut self, name: &'m str) {
        let decl = &self.module.locals[name];
        let ctx = self.context(&decl.refs);
        let value = self
            .eval(&decl.attribute.expr, &ctx)
            .unwrap_or(Value::Unknown);
        self.locals.insert(name, value);
        let mut reach: Vec<(&'m str, &'m str)> = Vec::new();
        for r in &decl.refs {
            match &r.target {
                RefTarget::Resource { type_name, name } => reach.push((type_name, name)),
                RefTarget::Local(other) => {
                    if let Some(more) = self.local_reach.get(other.as_str()) {
                        reach.extend(more.iter().copied());
                    }
                }
                _ => {}
            }
        }
        reach.sort_unstable();
        reach.dedup();
        self.local_reach.insert(name, reach);
        let outer = self.outer_reach(&decl.refs);
        if !outer.is_empty() {
            self.local_outer.insert(name, outer);
        }
    }

    fn output(&mut self, name: &'m str) {
        let decl = &self.module.outputs[name];
        let Some(attr) = decl.value else {
            return;
        };
        let ctx = self.context(&decl.refs);
        for c in &decl.preconditions {
            if let Some(message) = self.failed_condition(c, &ctx) {
                self.diags.push(
                    Diagnostic::error(
                        "scw::model::precondition_failed",
                        "Module output value precondition failed",
                    )
                    .with_primary(c.condition.span, "this condition is false")
                    .with_label(header_span(decl.block), format!("output \"{name}\""))
                    .with_detail(message),
                );
            }
        }
        let mut value = self.eval(&attr.expr, &ctx).unwrap_or(Value::Unknown);
        // Only the root module's outputs must declare what they expose; a called module's
        // output is a value of its caller, marked only as its sources are.
        let root = self.options.module_dir.is_none();
        if root && value.contains_sensitive() && !decl.sensitive {
            self.diags.push(
                Diagnostic::error("scw::model::sensitive_output", "Output refers to sensitive values")
                    .with_primary(attr.expr.span, "this value is sensitive")
                    .with_detail("To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, any output containing sensitive data must be explicitly marked as sensitive, to confirm your intent.")
                    .with_help("If you do intend to export this data, annotate the output value as sensitive by adding the following argument:\n    sensitive = true"),
            );
        }
        if root && decl.sensitive {
            value = value.mark_sensitive();
        }
        self.config.outputs.insert(
            name.to_owned(),
            OutputValue {
                value,
                sensitive: decl.sensitive,
                description: decl.description.clone(),
                span: header_span(decl.block),
                references: decl.refs.clone(),
                constant: super::refs::terraform_constant(&attr.expr),
            },
        );
    }

    fn provider(&mut self) {
        let module = self.module;
        if self.options.module_dir.is_none() {
            for (alias, p) in &module.provider_aliases {
                let ctx = self.context(&p.refs);
                let (attributes, _, _) = self.body(&p.body, &schema::PROVIDER, &ctx);
                let configured = attributes
                    .into_iter()
                    .filter(|(k, _)| p.body.attributes.iter().any(|(s, _)| s.name == *k))
                    .collect();
                self.config
                    .provider_aliases
                    .insert((*alias).to_owned(), configured);
            }
        }
        let Some(p) = &module.provider else {
            return;
        };
        let ctx = self.context(&p.refs);
        let (attributes, _, _) = self.body(&p.body, &schema::PROVIDER, &ctx);
        self.config.provider = attributes
            .into_iter()
            .filter(|(k, _)| p.body.attributes.iter().any(|(s, _)| s.name == *k))
            .collect();
    }

    fn resource(&mut self, decl: &'m ResourceDecl<'m>) {
        let key = (decl.type_name, decl.name);
        let base = self.context(&decl.refs);
        // Dependencies only describe kept instances (they are not checked here).
        let dependencies = if self.values.keep_instances() {
            self.dependencies(decl)
        } else {
            Vec::new()
        };
        let references: Arc<[Reference]> = Arc::clone(&decl.refs);
        let timeouts = timeouts_of(decl);
        let expressions = Arc::new(if self.values.keep_instances() {
            block_expressions(decl)
        } else {
            BlockExpressions::default()
        });
        let shared = Shared {
            dependencies: &dependencies,
            references: &references,
            timeouts,
            expressions: &expressions,
        };
        let resource_addr = resource_addr(decl.type_name, decl.name)
            .in_module(self.options.module.clone())
            .instance(None);
        let value = match self.expansion(decl.count, decl.for_each, &base) {
            Expansion::Single => self
                .instance(decl, resource_addr, &base, &shared)
                .unwrap_or(Value::Unknown),
            Expansion::Count(n) => {
                let mut items = Vec::new();
                for i in 0..n {
                    let ctx = count_context(&base, Value::int(i));
                    let addr = resource_addr.clone().with_key(InstanceKey::Int(i));
                    items.push(
                        self.instance(decl, addr, &ctx, &shared)
                            .unwrap_or(Value::Unknown),
                    );
                }
                Value::List(items)
            }
            Expansion::ForEach(entries) => {
                let mut objects = BTreeMap::new();
                for (k, v) in entries {
                    let ctx = each_context(&base, Value::string(k.clone()), v);
                    let addr = resource_addr.clone().with_key(InstanceKey::Str(k.clone()));
                    let value = self
                        .instance(decl, addr, &ctx, &shared)
                        .unwrap_or(Value::Unknown);
                    objects.insert(k, value);
                }
                Value::Object(objects)
            }
            Expansion::Unknown => {
                // Check the body once with unknown keys; how many instances exist is not known.
                let ctx = count_context(&base, Value::Unknown);
                let ctx = each_context(&ctx, Value::Unknown, Value::Unknown);
                let _ = self.instance_values(decl, &ctx);
                Value::Unknown
            }
            Expansion::Invalid => Value::Unknown,
        };
        if self.referenced.contains(&key) {
            self.resources.insert(key, value);
        }
    }

    /// Evaluates a module call: each of its instances, whose value is the object of the
    /// called module's outputs.
    fn module_call(&mut self, name: &'m str) {
        let module = self.module;
        let decl = &module.calls[name];
        // A call whose module could not be read was reported by the loader.
        let Some(child) = module.children.get(name) else {
            return;
        };
        if !call::check_arguments(decl, &child.module, self.diags) {
            return;
        }
        // What every instance reads from outside itself (the same for all instances).
        let mut outside = Outside::default();
        for a in &decl.inputs {
            let mut refs = Vec::new();
            refs::collect(&a.expr, &mut refs, &mut Diagnostics::new());
            let reach = self.reach(&refs);
            if !reach.is_empty() {
                outside.variables.insert(a.name.name.clone(), reach);
            }
        }
        let depends_on: Vec<Reference> = decl
            .depends_on
            .iter()
            .map(|d| Reference {
                target: d.target.clone(),
                span: d.span,
                attribute: None,
                steps: Vec::new(),
            })
            .collect();
        outside.everything = self.reach(&depends_on);
        outside
            .everything
            .extend(self.outside.everything.iter().cloned());
        outside.everything.sort_unstable();
        outside.everything.dedup();
        let base = self.context(&decl.refs);
        let value = match self.expansion(decl.count, decl.for_each, &base) {
            Expansion::Single => self.call_instance(name, &base, None, &outside),
            Expansion::Count(n) => Value::List(
                (0..n)
                    .map(|i| {
                        #[allow(clippy::cast_precision_loss)]
                        let ctx = count_context(&base, Value::int(i));
                        self.call_instance(name, &ctx, Some(InstanceKey::Int(i)), &outside)
                    })
                    .collect(),
            ),
            Expansion::ForEach(entries) => Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| {
                        let ctx = each_context(&base, Value::string(k.clone()), v);
                        let key = Some(InstanceKey::Str(k.clone()));
                        (k, self.call_instance(name, &ctx, key, &outside))
                    })
                    .collect(),
            ),
            Expansion::Unknown => {
                // Check the arguments once with unknown keys.
                let ctx = count_context(&base, Value::Unknown);
                let ctx = each_context(&ctx, Value::Unknown, Value::Unknown);
                let _ = self.call_instance(name, &ctx, None, &outside);
                Value::Unknown
            }
            Expansion::Invalid => Value::Unknown,
        };
        self.modules.insert(name, value);
    }

    /// One instance of the call `name` (with `key`), its arguments evaluated in `ctx`; its
    /// resource instances join this configuration's.
    fn call_instance(
        &mut self,
        name: &'m str,
        ctx: &EvalContext<'_>,
        key: Option<InstanceKey>,
        outside: &Outside,
    ) -> Value {
        let module = self.module;
        let decl = &module.calls[name];
        let child = &module.children[name];
        let mut inputs = IndexMap::with_capacity(decl.inputs.len());
        for a in &decl.inputs {
            let value = self.eval(&a.expr, ctx).unwrap_or(Value::Unknown);
            inputs.insert(a.name.name.as_str(), (value, a.expr.span));
        }
        let address = self.options.module.child(name, key);
        let (value, config) = call::instance_value(
            decl,
            child,
            &address,
            inputs,
            outside,
            self.values,
            self.options,
            self.diags,
        );
        self.config.module_instances.extend(config.module_instances);
        self.config.has_checks |= config.has_checks;
        self.config
            .failed_postconditions
            .extend(config.failed_postconditions);
        self.config.declared.extend(config.declared);
        let resources = self.call_resources.entry(name).or_default();
        for (addr, instance) in config.instances {
            if resources.last() != Some(&addr.resource) {
                resources.push(addr.resource.clone());
            }
            self.config.instances.insert(addr, instance);
        }
        resources.sort_unstable();
        resources.dedup();
        value
    }

    /// How many instances a resource or module call with these `count` / `for_each`
    /// arguments has.
    fn expansion(
        &mut self,
        count: Option<&Attribute>,
        for_each: Option<&Attribute>,
        ctx: &EvalContext<'_>,
    ) -> Expansion {
        /// More instances than this is surely a mistake, and would exhaust memory.
        const MAX_INSTANCES: f64 = 1_000_000.0;
        if let Some(count) = count {
            let Some(value) = self.eval(&count.expr, ctx) else {
                return Expansion::Invalid;
            };
            let invalid = |this: &mut Self, label: &str, detail: &str| {
                this.diags.push(
                    Diagnostic::error("scw::model::invalid_count", "Invalid count argument")
                        .with_primary(count.expr.span, label)
                        .with_detail(detail.to_owned()),
                );
                Expansion::Invalid
            };
            let (inner, sensitive) = value.unmark();
            if sensitive {
                return invalid(
                    self,
                    "sensitive",
                    "Sensitive values, or values derived from sensitive values, cannot be used as count arguments.",
                );
            }
            return match types::convert(inner.clone(), &Type::Number).map(Value::into_untyped) {
                Ok(Value::Unknown) if self.options.validate_only => Expansion::Unknown,
                Ok(Value::Unknown) => invalid(
                    self,
                    "known only after apply",
                    "The \"count\" value depends on resource attributes that cannot be determined until apply, so scwform cannot predict how many instances will be created. To work around this, use the -target argument to first apply only the resources that the count depends on.",
                ),
                Ok(Value::Null) => invalid(
                    self,
                    "null",
                    "The given \"count\" argument value is null. An integer is required.",
                ),
                Ok(Value::Number(n)) if !n.is_integer() || n.is_sign_negative() && !n.is_zero() => {
                    invalid(
                        self,
                        "not a whole number",
                        &format!(
                            "The given \"count\" argument value is {}. A whole number zero or more is required.",
                            super::value::format_number(&n)
                        ),
                    )
                }
                Ok(Value::Number(n)) if n.to_f64() > MAX_INSTANCES => invalid(
                    self,
                    "too many instances",
                    &format!(
                        "The given \"count\" argument value is {}; at most 1000000 instances are supported.",
                        super::value::format_number(&n)
                    ),
                ),
                Ok(Value::Number(n)) => Expansion::Count(n.to_i64().unwrap_or(0)),
                _ => invalid(
                    self,
                    "a number is required",
                    &format!(
                        "The \"count\" argument must be a whole number, not a {}.",
                        inner.kind_name()
                    ),
                ),
            };
        }
        let Some(for_each) = for_each else {
            return Expansion::Single;
        };
        let Some(value) = self.eval(&for_each.expr, ctx) else {
            return Expansion::Invalid;
        };
        // A tuple or a list is refused (its elements' order is not a key), as Terraform does.
        let sequence = match value.unmark().0 {
            Value::List(_) => Some("tuple".to_owned()),
            Value::Collection(c) => match &**c {
                super::value::Collection::List(t, _) => Some(format!("list of {t}")),
                _ => None,
            },
            _ => None,
        };
        if let Some(kind) = sequence {
            self.diags.push(
                Diagnostic::error("scw::model::invalid_for_each", "Invalid for_each argument")
                    .with_primary(for_each.expr.span, "a map or set of strings is required")
                    .with_detail(format!("The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {kind}.")),
            );
            return Expansion::Invalid;
        }
        // A set is iterated as its elements, a map as its entries.
        let value = value.into_untyped();
        let invalid = |this: &mut Self, label: &str, detail: String| {
            this.diags.push(
                Diagnostic::error("scw::model::invalid_for_each", "Invalid for_each argument")
                    .with_primary(for_each.expr.span, label)
                    .with_detail(detail),
            );
            Expansion::Invalid
        };
        if value.unmark().1 {
            return invalid(self, "sensitive", "Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments. If used, the sensitive value could be exposed as a resource instance key.".into());
        }
        let unknown_detail = "The \"for_each\" value depends on resource attributes that cannot be determined until apply, so scwform cannot predict how many instances will be created. To work around this, use the -target argument to first apply only the resources that the for_each depends on.";
        match value.unmark().0 {
            Value::Unknown if self.options.validate_only => Expansion::Unknown,
            Value::Unknown => invalid(self, "known only after apply", unknown_detail.into()),
            Value::Null => invalid(self, "null", "The given \"for_each\" argument value is null. A map, or set of strings, is allowed.".into()),
            Value::Object(map) => Expansion::ForEach(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
            Value::List(items) => {
                let mut keys: Vec<(String, Value)> = Vec::with_capacity(items.len());
                for item in items {
                    match item.unmark() {
                        (_, true) => return invalid(self, "sensitive", "Sensitive values cannot be used as for_each keys.".into()),
                        (Value::String(s), false) => keys.push((s.clone(), Value::string(s.clone()))),
                        (Value::Unknown, false) if self.options.validate_only => return Expansion::Unknown,
                        (Value::Unknown, false) => return invalid(self, "known only after apply", unknown_detail.into()),
                        (Value::Null, false) => return invalid(self, "contains null", "The given \"for_each\" argument value is a set containing null; null values cannot be instance keys.".into()),
                        (other, false) => return invalid(self, "a set of strings is required", format!("The given \"for_each\" argument value is unsuitable: a set of strings is allowed, and this one contains a {}.", other.kind_name())),
                    }
                }
                keys.sort_by(|a, b| a.0.cmp(&b.0));
                if let Some(w) = keys.windows(2).find(|w| w[0].0 == w[1].0) {
                    let dup = w[0].0.clone();
                    return invalid(self, "duplicate key", format!("The given \"for_each\" argument value contains \"{dup}\" more than once; instance keys must be unique (use toset() to remove duplicates)."));
                }
                Expansion::ForEach(keys)
            }
            other => invalid(self, "a map or set of strings is required", format!("The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {}.", other.kind_name())),
        }
    }

    /// Evaluates one instance and records it; returns its value as other expressions see it.
    fn instance(
        &mut self,
        decl: &ResourceDecl<'m>,
        addr: InstanceAddr,
        ctx: &EvalContext<'_>,
        shared: &Shared<'_>,
    ) -> Option<Value> {
        let (attributes, blocks, configured) = self.instance_values(decl, ctx);
        for c in &decl.preconditions {
            if let Some(message) = self.failed_condition(c, ctx) {
                self.diags.push(
                    Diagnostic::error(
                        "scw::model::precondition_failed",
                        "Resource precondition failed",
                    )
                    .with_primary(c.condition.span, "this condition is false")
                    .with_label(decl.header_span(), addr.to_string())
                    .with_detail(message),
                );
            }
        }
        let instance = ResourceInstance {
            addr: addr.clone(),
            schema: decl.schema,
            attributes,
            blocks,
            configured,
            lifecycle: decl.lifecycle.clone(),
            timeouts: shared.timeouts,
            dependencies: shared.dependencies.to_vec(),
            references: Arc::clone(shared.references),
            span: decl.header_span(),
            check: decl.check.map(str::to_owned),
            provider: decl
                .provider
                .map(|(alias, _)| alias.to_owned())
                .or_else(|| self.options.provider.clone()),
            expressions: Arc::clone(shared.expressions),
            postconditions: !decl.postconditions.is_empty(),
        };
        // The hook runs for every instance (the planner records its decision there), but only
        // referenced resources need their value kept, and only the attributes that are read.
        let key = (decl.type_name, decl.name);
        let wanted = if !self.referenced.contains(&key) {
            Wanted::Nothing
        } else if let Some(names) = self.read_attributes.get(&key) {
            Wanted::Attributes(names)
        } else {
            Wanted::All
        };
        let value = if decl.postconditions.is_empty() {
            self.values.wanted_value(&instance, wanted)
        } else {
            // The whole object is `self`.
            let object = self.values.instance(&instance);
            let kept = match wanted {
                Wanted::Nothing => None,
                Wanted::All => Some(object.clone()),
                Wanted::Attributes(names) => Some(keep_attributes(object.clone(), names)),
            };
            self.postconditions(decl, &addr, &object, ctx);
            kept
        };
        if self.values.keep_instances() {
            self.config.instances.insert(addr, instance);
        }
        value
    }

    /// A resource's `postcondition` blocks, with `self` the object (planned or applied): a
    /// false one is an error, and the instance is recorded in
    /// [`Config::failed_postconditions`]; one not known yet waits for the apply.
    fn postconditions(
        &mut self,
        decl: &ResourceDecl<'m>,
        addr: &InstanceAddr,
        object: &Value,
        ctx: &EvalContext<'_>,
    ) {
        let mut ctx = ctx.child();
        ctx.set("self", object.clone());
        for c in &decl.postconditions {
            if let Some(message) = self.failed_condition(c, &ctx) {
                self.diags.push(
                    Diagnostic::error(
                        "scw::model::postcondition_failed",
                        "Resource postcondition failed",
                    )
                    .with_primary(c.condition.span, "this condition is false")
                    .with_label(decl.header_span(), addr.to_string())
                    .with_detail(message.clone()),
                );
                self.config
                    .failed_postconditions
                    .entry(addr.clone())
                    .or_insert(message);
            }
        }
    }

    fn instance_values(&mut self, decl: &ResourceDecl<'m>, ctx: &EvalContext<'_>) -> BodyValues {
        let schema = decl.schema;
        let values = self.body(&decl.body, &schema.as_block(), ctx);
        self.check_constraints(decl, schema, &values);
        values
    }

    fn check_constraints(
        &mut self,
        decl: &ResourceDecl<'m>,
        schema: &ResourceSchema,
        values: &BodyValues,
    ) {
        let (attributes, blocks, configured) = values;
        let is_set = |name: &str| -> Option<Span> {
            if let Some(span) = configured.get(name)
                && attributes.get(name).is_some_and(|v| !v.is_null())
            {
                return Some(*span);
            }
            blocks.get(name).and_then(|b| b.first()).map(|b| b.span)
        };
        for c in schema.constraints {
            match c {
                Constraint::ExactlyOneOf(names) | Constraint::ExactlyOneOfOrDefault(names) => {
                    let mut set: Vec<(Span, &str)> = names
                        .iter()
                        .filter_map(|n| is_set(n).map(|s| (s, *n)))
                        .collect();
                    set.sort_by_key(|(s, _)| (s.file, s.start));
                    let listed = names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    if set.is_empty() && matches!(c, Constraint::ExactlyOneOfOrDefault(_)) {
                        self.diags.push(
                            Diagnostic::warning("scw::model::none_of", "No argument of a required choice")
                                .with_primary(decl.header_span(), format!("none of {listed} is set"))
                                .with_detail(format!("The Terraform provider requires exactly one of {listed} and refuses this resource; scwform accepts it and Scaleway uses its default. Set one of them to keep the configuration valid for Terraform.")),
                        );
                    } else if set.is_empty() {
                        self.diags.push(
                            Diagnostic::error("scw::model::exactly_one_of", "Invalid combination of arguments")
                                .with_primary(decl.header_span(), format!("set one of {listed}"))
                                .with_detail(format!("Exactly one of {listed} must be specified, but none was (a null value counts as not set).")),
                        );
                    } else if set.len() > 1 {
                        let given = set
                            .iter()
                            .map(|(_, n)| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ");
                        let mut d = Diagnostic::error(
                            "scw::model::exactly_one_of",
                            "Invalid combination of arguments",
                        )
                        .with_primary(
                            set[1].0,
                            format!(
                                "\"{}\" cannot be set together with \"{}\"",
                                set[1].1, set[0].1
                            ),
                        )
                        .with_detail(format!(
                            "Only one of {listed} can be specified, but {given} were specified."
                        ));
                        d = d.with_label(set[0].0, "already set here");
                        self.diags.push(d);
                    }
                }
                Constraint::SameRegion(names) => {
                    self.check_same_region(decl, names, attributes, configured);
                }
                Constraint::ConflictsWith(a, b) => {
                    if let (Some(sa), Some(sb)) = (is_set(a), is_set(b)) {
                        let ((first, fname), (second, sname)) =
                            if (sa.file, sa.start) <= (sb.file, sb.start) {
                                ((sa, *a), (sb, *b))
                            } else {
                                ((sb, *b), (sa, *a))
                            };
                        self.diags.push(
                            Diagnostic::error(
                                "scw::model::conflicting_arguments",
                                "Conflicting configuration arguments",
                            )
                            .with_primary(second, format!("conflicts with \"{fname}\""))
                            .with_label(first, "set here")
                            .with_detail(format!(
                                "\"{sname}\": conflicts with {fname}. Set only one of them."
                            )),
                        );
                    }
                }
            }
        }
    }

    /// [`Constraint::SameRegion`]: each known `{region}/{uuid}` reference in `names` must be in
    /// the resource's region, when that is known (an unset region is taken from the reference
    /// at apply, so only a configured one can differ).
    fn check_same_region(
        &mut self,
        decl: &ResourceDecl<'m>,
        names: &[&str],
        attributes: &BTreeMap<&'static str, Value>,
        configured: &BTreeMap<&'static str, Span>,
    ) {
        let Some(region) = attributes.get("region").and_then(Value::as_str) else {
            return;
        };
        for name in names {
            let Some(theirs) = attributes
                .get(*name)
                .and_then(Value::as_str)
                .and_then(crate::locality::region_of_id)
            else {
                continue;
            };
            if theirs != region {
                let span = configured
                    .get(*name)
                    .copied()
                    .unwrap_or_else(|| decl.header_span());
                let mut d = Diagnostic::error("scw::model::region_mismatch", "Region mismatch")
                    .with_primary(span, format!("in region {theirs}"))
                    .with_detail(format!(
                        "\"{name}\" names an object in region {theirs}, but this resource is in region {region}: both must be in the same region."
                    ));
                if let Some(r) = configured.get("region") {
                    d = d.with_label(*r, format!("region {region}"));
                }
                self.diags.push(d);
            }
        }
    }

    /// Evaluates a body against its schema.
    fn body(
        &mut self,
        body: &BodyDecl<'m>,
        schema: &BlockSchema,
        ctx: &EvalContext<'_>,
    ) -> BodyValues {
        let mut attributes = BTreeMap::new();
        let mut configured = BTreeMap::new();
        for attr in schema.attributes {
            let written = body.attributes.iter().find(|(s, _)| s.name == attr.name);
            let mut value = None;
            if let Some((_, a)) = written {
                configured.insert(attr.name, a.expr.span);
                let v = self.eval(&a.expr, ctx).unwrap_or(Value::Unknown);
                let v = self.check_attribute(attr, v, a.expr.span);
                if v.is_null() {
                    if attr.required {
                        self.diags.push(
                            Diagnostic::error(
                                "scw::model::missing_argument",
                                "Missing required argument",
                            )
                            .with_primary(a.expr.span, "must not be null")
                            .with_detail(format!(
                                "The argument \"{}\" is required, but the given value is null.",
                                attr.name
                            )),
                        );
                    }
                } else {
                    value = Some(v);
                }
            }
            let value = value.unwrap_or_else(|| {
                if let Some(d) = attr.default {
                    default_value(d)
                } else if attr.computed {
                    Value::Unknown
                } else {
                    Value::Null
                }
            });
            let value = if attr.sensitive && !value.is_null() {
                value.mark_sensitive()
            } else {
                value
            };
            attributes.insert(attr.name, value);
        }
        let mut blocks: BTreeMap<&'static str, Vec<BlockValue>> = BTreeMap::new();
        for nested in &body.blocks {
            let (a, b, _) = self.body(&nested.body, nested.schema, ctx);
            blocks
                .entry(nested.schema.name)
                .or_default()
                .push(BlockValue {
                    attributes: a,
                    blocks: b,
                    span: nested.block.ident.span,
                });
        }
        (attributes, blocks, configured)
    }

    /// Converts a configured value to the attribute's type and validates it; a value that
    /// cannot be used becomes unknown (after a diagnostic) so that nothing else cascades.
    fn check_attribute(&mut self, attr: &AttributeSchema, value: Value, span: Span) -> Value {
        let ty = constraint_of(attr.ty);
        let value = match types::convert(value, &ty) {
            // Below the model, a list is a list: collection types are the language's.
            Ok(v) => v.into_untyped(),
            Err(message) => {
                self.diags.push(
                    Diagnostic::error("scw::model::wrong_type", "Incorrect attribute value type")
                        .with_primary(span, format!("{} is required", article(&ty)))
                        .with_detail(format!(
                            "Inappropriate value for attribute \"{}\": {message}.",
                            attr.name
                        )),
                );
                return Value::Unknown;
            }
        };
        if attr.ty == AttrType::Int
            && let Some(n) = value.as_number()
            && !n.is_integer()
        {
            self.diags.push(
                Diagnostic::error("scw::model::wrong_type", "Incorrect attribute value type")
                    .with_primary(span, "a whole number is required")
                    .with_detail(if value.contains_sensitive() {
                        format!("Inappropriate value for attribute \"{}\": a whole number is required (the given value is sensitive, so it is not shown).", attr.name)
                    } else {
                        format!("Inappropriate value for attribute \"{}\": a whole number is required, got {}.", attr.name, super::value::format_number(n))
                    }),
            );
            return Value::Unknown;
        }
        if let Some(validation) = attr.validation {
            self.validate(attr, &validation, &value, span);
        }
        value
    }

    fn validate(
        &mut self,
        attr: &AttributeSchema,
        validation: &Validation,
        value: &Value,
        span: Span,
    ) {
        let name = attr.name;
        // A value from a sensitive variable is never quoted in a message.
        let sensitive = value.contains_sensitive();
        let region_shown = |s: &str| {
            if sensitive {
                "(sensitive value)".to_owned()
            } else {
                format!("{s:?}")
            }
        };
        if let Some(s) = value.as_str() {
            if let Validation::Region = validation {
                // As the provider: a region Scaleway's SDK does not know is only a warning (the
                // API decides), but a name that is not a region at all can name no request.
                let shown = region_shown(s);
                let d = match check_region(s) {
                    RegionCheck::Known => return,
                    RegionCheck::Malformed => Diagnostic::error("scw::model::invalid_region", "Invalid region")
                        .with_primary(span, "not a region")
                        .with_detail(format!("{shown} is not a Scaleway region: regions look like fr-par. Scaleway's regions are {}.", ALL_REGIONS.join(", "))),
                    RegionCheck::Unknown => Diagnostic::warning("scw::model::unknown_region", "Unknown region")
                        .with_primary(span, "not a region scwform knows")
                        .with_detail(format!("Scaleway's SDK does not know the region {shown}, so the API may refuse it. Known regions: {}.", ALL_REGIONS.join(", "))),
                };
                let suggestion = if sensitive {
                    None
                } else {
                    crate::diag::suggest::did_you_mean(s, ALL_REGIONS.iter().copied())
                };
                let d = match suggestion {
                    Some(help) => d.with_help(help),
                    None => d,
                };
                self.diags.push(d);
                return;
            }
            if let Err(message) = check_str(validation, s, sensitive) {
                let (code, summary) = match validation {
                    Validation::Uuid | Validation::UuidOrRegional => {
                        ("scw::model::invalid_uuid", "Invalid UUID")
                    }
                    Validation::Rfc3339 => (
                        "scw::model::invalid_timestamp",
                        "Invalid RFC 3339 timestamp",
                    ),
                    _ => ("scw::model::invalid_value", "Invalid attribute value"),
                };
                self.diags.push(
                    Diagnostic::error(code, summary)
                        .with_primary(span, format!("invalid \"{name}\""))
                        .with_detail(format!("Invalid value for \"{name}\": {message}.")),
                );
            }
        } else if let Some(n) = value.as_f64() {
            if let Err(message) = check_number(validation, n, sensitive) {
                self.diags.push(
                    Diagnostic::error("scw::model::invalid_value", "Invalid attribute value")
                        .with_primary(span, format!("invalid \"{name}\""))
                        .with_detail(format!("Invalid value for \"{name}\": {message}.")),
                );
            }
        } else if let Some(map) = value.as_object() {
            for (k, v) in map {
                if let Some(text) = v.as_str()
                    && let Err(message) =
                        check_map_entry(validation, k, text, sensitive || v.contains_sensitive())
                {
                    self.diags.push(
                        Diagnostic::error("scw::model::invalid_value", "Invalid attribute value")
                            .with_primary(span, format!("invalid \"{name}\""))
                            .with_detail(format!("Invalid value for \"{name}\": {message}.")),
                    );
                }
            }
        }
    }

    fn dependencies(&self, decl: &'m ResourceDecl<'m>) -> Vec<Dependency> {
        let own = (decl.type_name, decl.name);
        let mut seen: HashSet<(&'m str, &'m str)> = HashSet::default();
        let mut out = Vec::new();
        let module = self.module;
        let mut push = |out: &mut Vec<Dependency>,
                        t: &'m str,
                        n: &'m str,
                        span: Span,
                        kind: DependencyKind| {
            if (t, n) != own && module.resources.contains_key(&(t, n)) && seen.insert((t, n)) {
                out.push(Dependency {
                    resource: resource_addr(t, n).in_module(self.options.module.clone()),
                    span,
                    kind,
                });
            }
        };
        for r in decl.refs.iter() {
            match &r.target {
                RefTarget::Resource { type_name, name } => {
                    push(&mut out, type_name, name, r.span, DependencyKind::Reference);
                }
                RefTarget::Local(l) => {
                    for &(t, n) in self
                        .local_reach
                        .get(l.as_str())
                        .map_or(&[][..], Vec::as_slice)
                    {
                        push(
                            &mut out,
                            t,
                            n,
                            r.span,
                            DependencyKind::ThroughLocal(l.clone()),
                        );
                    }
                }
                _ => {}
            }
        }
        for d in &decl.depends_on {
            if let RefTarget::Resource { type_name, name } = &d.target {
                push(&mut out, type_name, name, d.span, DependencyKind::DependsOn);
            }
        }
        // Resources outside this module (through input variables), in called modules, and
        // whatever the whole module instance depends on.
        let mut outer_seen: HashSet<ResourceAddr> = HashSet::default();
        let mut push_outer = |out: &mut Vec<Dependency>, addr: &ResourceAddr, span, kind| {
            if outer_seen.insert(addr.clone()) {
                out.push(Dependency {
                    resource: addr.clone(),
                    span,
                    kind,
                });
            }
        };
        for r in decl.refs.iter() {
            let kind = match &r.target {
                RefTarget::Local(l) => DependencyKind::ThroughLocal(l.clone()),
                _ => DependencyKind::Reference,
            };
            for addr in self.outer_reach(std::slice::from_ref(r)) {
                push_outer(&mut out, &addr, r.span, kind.clone());
            }
        }
        for d in &decl.depends_on {
            if let RefTarget::Module(name) = &d.target {
                for addr in self.call_resources.get(name.as_str()).into_iter().flatten() {
                    push_outer(&mut out, addr, d.span, DependencyKind::DependsOn);
                }
            }
        }
        for addr in &self.outside.everything {
            push_outer(
                &mut out,
                addr,
                decl.header_span(),
                DependencyKind::Reference,
            );
        }
        out
    }

    /// The resources outside this module instance, or in the modules it calls, that the values
    /// `refs` read come from (through input variables, module outputs and locals).
    fn outer_reach(&self, refs: &[Reference]) -> Vec<ResourceAddr> {
        let mut out = Vec::new();
        for r in refs {
            let found = match &r.target {
                RefTarget::Variable(v) => self.outside.variables.get(v.as_str()),
                RefTarget::Module(m) => self.call_resources.get(m.as_str()),
                RefTarget::Local(l) => self.local_outer.get(l.as_str()),
                _ => None,
            };
            out.extend(found.into_iter().flatten().cloned());
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Every resource (of this module instance, outside it, or in the modules it calls) that
    /// the values `refs` read come from.
    fn reach(&self, refs: &[Reference]) -> Vec<ResourceAddr> {
        let mut out = self.outer_reach(refs);
        let here = |t: &str, n: &str| resource_addr(t, n).in_module(self.options.module.clone());
        for r in refs {
            match &r.target {
                RefTarget::Resource { type_name, name }
                    if self
                        .module
                        .resources
                        .contains_key(&(type_name.as_str(), name.as_str())) =>
                {
                    out.push(here(type_name, name));
                }
                RefTarget::Local(l) => out.extend(
                    self.local_reach
                        .get(l.as_str())
                        .into_iter()
                        .flatten()
                        .map(|(t, n)| here(t, n)),
                ),
                _ => {}
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// A list's elements with their index as the key.
fn indexed(items: Vec<Value>) -> Vec<(Value, Value)> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let key = Value::Number(crate::number::Number::from_usize(i));
            (key, v)
        })
        .collect()
}

/// For each resource whose every reference (anywhere in the module) reads an attribute by
/// name, the attributes read, sorted and deduplicated. Resources read in any other way (whole,
/// through `for_each` keys, through an index of a single instance) are absent: their values
/// are kept whole, so that every expression and diagnostic stays exactly as without reduction.
fn read_attributes<'m>(module: &'m Module<'m>) -> HashMap<(&'m str, &'m str), Vec<&'m str>> {
    let every_ref = module
        .variables
        .values()
        .flat_map(|v| v.refs.iter())
        .chain(module.locals.values().flat_map(|l| l.refs.iter()))
        .chain(module.resources.values().flat_map(|r| r.refs.iter()))
        .chain(module.calls.values().flat_map(|c| c.refs.iter()))
        .chain(module.outputs.values().flat_map(|o| o.refs.iter()))
        .chain(module.checks.values().flat_map(|c| c.refs.iter()))
        .chain(module.provider.iter().flat_map(|p| p.refs.iter()));
    let mut read: HashMap<(&'m str, &'m str), Option<Vec<&'m str>>> = HashMap::default();
    for r in every_ref {
        let RefTarget::Resource { type_name, name } = &r.target else {
            continue;
        };
        let key = (type_name.as_str(), name.as_str());
        let Some(decl) = module.resources.get(&key) else {
            continue;
        };
        let entry = read.entry(key).or_insert_with(|| Some(Vec::new()));
        let Some(names) = entry else { continue };
        // `TYPE.NAME.attr` with the attribute right after the name: the `.` is the only byte
        // between them. Anything else (an index or splat first, or spaces) is "indexed".
        let direct = r.attribute.as_ref().map(|(a, span)| {
            let direct = span.file == r.span.file && span.start == r.span.end + 1;
            (a.as_str(), direct)
        });
        let attribute = match direct {
            // `for_each` instances are selected by `.key` as well as `["key"]`: what an
            // attribute step reads depends on the keys, so keep everything.
            _ if decl.for_each.is_some() => None,
            // The value is a list of instances: an attribute right after the name is an error
            // whatever the instances hold, and one after an index or splat reads that
            // attribute of instances.
            Some((a, _)) if decl.count.is_some() => Some(a),
            // A single instance: only `TYPE.NAME.attr`; an index into the object would look
            // its keys up.
            Some((a, true)) => Some(a),
            _ => None,
        };
        match attribute {
            Some(a) => names.push(a),
            None => *entry = None,
        }
    }
    read.into_iter()
        .filter_map(|(key, names)| {
            let mut names = names?;
            names.sort_unstable();
            names.dedup();
            Some((key, names))
        })
        .collect()
}

type BodyValues = (
    BTreeMap<&'static str, Value>,
    BTreeMap<&'static str, Vec<BlockValue>>,
    BTreeMap<&'static str, Span>,
);

/// What every instance of one resource shares.
struct Shared<'s> {
    dependencies: &'s [Dependency],
    references: &'s Arc<[Reference]>,
    timeouts: Timeouts,
    expressions: &'s Arc<BlockExpressions>,
}

/// The Terraform constants of a resource block's top-level expressions, and where `count` and
/// `for_each` are.
fn block_expressions(decl: &ResourceDecl<'_>) -> BlockExpressions {
    let count = decl.count.map(|a| &a.expr);
    let for_each = decl.for_each.map(|a| &a.expr);
    BlockExpressions {
        constants: decl
            .body
            .attributes
            .iter()
            .map(|(_, a)| &a.expr)
            .chain(count)
            .chain(for_each)
            .filter_map(|e| super::refs::terraform_constant(e).map(|v| (e.span, v)))
            .collect(),
        count: count.map(|e| e.span),
        for_each: for_each.map(|e| e.span),
    }
}

/// `ctx` with `count.index` bound.
fn count_context<'p>(ctx: &'p EvalContext<'_>, index: Value) -> EvalContext<'p> {
    let mut ctx = ctx.child();
    ctx.set(
        "count",
        Value::Object(BTreeMap::from([("index".to_owned(), index)])),
    );
    ctx
}

/// `ctx` with `each.key` and `each.value` bound.
fn each_context<'p>(ctx: &'p EvalContext<'_>, key: Value, value: Value) -> EvalContext<'p> {
    let mut ctx = ctx.child();
    ctx.set(
        "each",
        Value::Object(BTreeMap::from([
            ("key".to_owned(), key),
            ("value".to_owned(), value),
        ])),
    );
    ctx
}

enum Expansion {
    Single,
    Count(i64),
    ForEach(Vec<(String, Value)>),
    /// `validate` only: the number of instances is not known yet.
    Unknown,
    /// Already diagnosed.
    Invalid,
}

fn article(ty: &Type) -> String {
    let text = ty.to_string();
    match text.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {text}"),
        _ => format!("a {text}"),
    }
}

/// The schema's timeouts, overridden by a `timeouts { ... }` block (already checked by
/// lowering to hold literal durations).
fn timeouts_of(decl: &ResourceDecl<'_>) -> Timeouts {
    let mut t = decl.schema.timeouts;
    let Some(block) = decl.timeouts else {
        return t;
    };
    let seconds = |a: &ast::Attribute| -> Option<u32> {
        let ast::ExprKind::Template(tpl) = &a.expr.kind else {
            return None;
        };
        let d = crate::timefmt::parse_go_duration(&tpl.as_literal()?)?;
        Some(u32::try_from(d.as_secs().max(0)).unwrap_or(u32::MAX))
    };
    if let Some(s) = block
        .body
        .attributes()
        .find(|a| a.name.name == "default")
        .and_then(seconds)
    {
        t = Timeouts::all(s, t.configurable);
    }
    for a in block.body.attributes() {
        if let Some(s) = seconds(a) {
            match a.name.name.as_str() {
                "create" => t.create = s,
                "read" => t.read = s,
                "update" => t.update = s,
                "delete" => t.delete = s,
                _ => {}
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileId;
    use crate::model::lower::lower;
    use crate::model::refs::tests::{e, ident, path, sp};
    use crate::parse::ast::{
        Attribute, Block, BlockLabel, Body, ExprKind, File, Structure, Template, TemplatePart,
    };

    fn attr(name: &str, expr: Expr) -> Structure {
        Structure::Attribute(Attribute {
            name: ident(name),
            expr,
            span: sp(0, 1),
        })
    }

    fn string(s: &str) -> Expr {
        e(ExprKind::Template(Template {
            parts: vec![TemplatePart::Literal {
                value: s.to_owned(),
                span: sp(0, 1),
            }],
            heredoc: None,
        }))
    }

    fn resource(type_name: &str, name: &str, items: Vec<Structure>) -> Structure {
        let label = |v: &str| BlockLabel {
            value: v.to_owned(),
            quoted: true,
            span: sp(0, 1),
        };
        Structure::Block(Block {
            ident: ident("resource"),
            labels: vec![label(type_name), label(name)],
            body: Body {
                items,
                span: sp(0, 1),
            },
            open_brace: sp(0, 1),
            close_brace: sp(0, 1),
            span: sp(0, 1),
        })
    }

    fn run(items: Vec<Structure>) -> (Config, Diagnostics) {
        let files = vec![File {
            id: FileId(0),
            body: Body {
                items,
                span: sp(0, 1),
            },
            comments: Vec::new(),
        }];
        let mut diags = Diagnostics::new();
        let module = lower(&files, &mut diags);
        let config = evaluate(
            &module,
            IndexMap::new(),
            &NoPriorValues,
            &EvalOptions::default(),
            &mut diags,
        );
        (config, diags)
    }

    #[test]
    fn count_expands_instances_with_defaults_unknowns_and_dependencies() {
        let (config, diags) = run(vec![
            resource(
                "scaleway_account_project",
                "p",
                vec![attr("name", string("demo"))],
            ),
            resource(
                "scaleway_container",
                "c",
                vec![
                    attr(
                        "count",
                        e(ExprKind::Number(crate::number::Number::from_f64(2.0))),
                    ),
                    attr(
                        "namespace_id",
                        path(&["scaleway_account_project", "p", "id"]),
                    ),
                    attr("image", string("rg.fr-par.scw.cloud/ns/app:1")),
                ],
            ),
        ]);
        assert!(diags.is_empty(), "{diags:?}");
        let addrs: Vec<String> = config.instances.keys().map(ToString::to_string).collect();
        assert_eq!(
            addrs,
            [
                "scaleway_account_project.p",
                "scaleway_container.c[0]",
                "scaleway_container.c[1]"
            ]
        );
        let p = &config.instances[0];
        assert_eq!(p.attributes["name"], Value::string("demo"));
        assert_eq!(p.attributes["id"], Value::Unknown);
        assert_eq!(p.attributes["description"], Value::Null);
        let c = &config.instances[1];
        assert_eq!(c.attributes["namespace_id"], Value::Unknown);
        assert_eq!(c.attributes["privacy"], Value::string("public"));
        assert_eq!(c.attributes["protocol"], Value::string("http1"));
        assert!(c.configured.contains_key("namespace_id"));
        assert_eq!(c.dependencies.len(), 1);
        assert_eq!(
            c.dependencies[0].resource.to_string(),
            "scaleway_account_project.p"
        );
    }

    #[test]
    fn values_are_converted_validated_and_marked() {
        let (config, diags) = run(vec![resource(
            "scaleway_container_namespace",
            "ns",
            vec![
                attr("region", string("de-fra")),
                attr(
                    "tags",
                    e(ExprKind::Tuple(vec![e(ExprKind::Number(
                        crate::number::Number::from_f64(1.0),
                    ))])),
                ),
                attr(
                    "secret_environment_variables",
                    e(ExprKind::Object(vec![crate::parse::ast::ObjectItem {
                        key: crate::parse::ast::ObjectKey::Ident(ident("K")),
                        value: string("v"),
                    }])),
                ),
            ],
        )]);
        let codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["scw::model::unknown_region"]);
        let ns = &config.instances[0];
        assert_eq!(ns.attributes["tags"], Value::List(vec![Value::string("1")]));
        assert!(matches!(
            ns.attributes["secret_environment_variables"],
            Value::Sensitive(_)
        ));
    }

    /// Parses, lowers and evaluates `text`; also returns what `read_attributes` decided.
    fn run_text(text: &str) -> (Config, Diagnostics, BTreeMap<String, Vec<String>>) {
        let files = vec![crate::parse::parse_source(text, FileId(0)).expect("test text parses")];
        let mut diags = Diagnostics::new();
        let module = lower(&files, &mut diags);
        let read = read_attributes(&module)
            .into_iter()
            .map(|((t, n), names)| {
                (
                    format!("{t}.{n}"),
                    names.into_iter().map(str::to_owned).collect(),
                )
            })
            .collect();
        let config = evaluate(
            &module,
            IndexMap::new(),
            &NoPriorValues,
            &EvalOptions::default(),
            &mut diags,
        );
        (config, diags, read)
    }

    #[test]
    fn only_attributes_read_by_name_are_kept_and_results_are_unchanged() {
        let (config, diags, read) = run_text(
            r#"
resource "scaleway_account_project" "single" {
  name = "a"
}
resource "scaleway_account_project" "counted" {
  count = 2
  name  = "b${count.index}"
}
resource "scaleway_account_project" "each" {
  for_each = toset(["name", "x"])
  name     = "c-${each.key}"
}
resource "scaleway_account_project" "whole" {
  name = "d"
}
resource "scaleway_account_project" "indexed" {
  name = "e"
}
output "o1" {
  value = scaleway_account_project.single.id
}
output "o2" {
  value = scaleway_account_project.counted[1].name
}
output "o3" {
  value = scaleway_account_project.each.name.name
}
output "o4" {
  value = scaleway_account_project.whole.name
}
output "o5" {
  value = scaleway_account_project.whole
}
output "o6" {
  value = [scaleway_account_project.single.name, scaleway_account_project.indexed[*].name]
}
output "o7" {
  value = scaleway_account_project.counted[*].name
}
"#,
        );
        assert!(!diags.has_errors(), "{diags:?}");
        // `each.name.name` selects the instance keyed "name": for_each resources stay whole,
        // as do resources read whole or through a splat of a single instance.
        assert_eq!(
            read,
            BTreeMap::from([
                (
                    "scaleway_account_project.counted".to_owned(),
                    vec!["name".to_owned()]
                ),
                (
                    "scaleway_account_project.single".to_owned(),
                    vec!["id".to_owned(), "name".to_owned()]
                ),
            ])
        );
        let out = |name: &str| config.outputs[name].value.clone();
        assert_eq!(out("o1"), Value::Unknown);
        assert_eq!(out("o2"), Value::string("b1"));
        assert_eq!(out("o3"), Value::string("c-name"));
        assert_eq!(out("o4"), Value::string("d"));
        let Value::Object(whole) = out("o5") else {
            panic!("o5 is an object: {:?}", out("o5"));
        };
        assert!(whole.contains_key("description") && whole.contains_key("id"));
        assert_eq!(
            out("o6"),
            Value::List(vec![
                Value::string("a"),
                Value::List(vec![Value::string("e")])
            ])
        );
        assert_eq!(
            out("o7"),
            Value::List(vec![Value::string("b0"), Value::string("b1")])
        );
    }

    #[test]
    fn diagnostics_only_keeps_no_instances_and_finds_the_same_problems() {
        let text = r#"
resource "scaleway_account_project" "p" {
  name = "a"
}
resource "scaleway_container_namespace" "ns" {
  project_id = scaleway_account_project.p.id
  region     = "paris"
  name       = 42
}
output "ns" {
  value = scaleway_container_namespace.ns.name
}
"#;
        let files = vec![crate::parse::parse_source(text, FileId(0)).expect("test text parses")];
        let run_with = |values: &dyn ResourceValues| {
            let mut diags = Diagnostics::new();
            let module = lower(&files, &mut diags);
            let config = evaluate(
                &module,
                IndexMap::new(),
                values,
                &EvalOptions::default(),
                &mut diags,
            );
            (config, diags)
        };
        let (full, full_diags) = run_with(&NoPriorValues);
        let (lean, lean_diags) = run_with(&DiagnosticsOnly);
        assert!(full_diags.has_errors());
        assert_eq!(lean_diags, full_diags);
        assert_eq!(full.instances.len(), 2);
        assert!(lean.instances.is_empty());
        assert_eq!(lean.outputs, full.outputs);
        assert_eq!(lean.outputs["ns"].value, Value::string("42"));
    }

    #[test]
    fn keep_attributes_keeps_objects_lacking_a_wanted_attribute_whole() {
        let object = Value::Object(BTreeMap::from([
            ("a".to_owned(), Value::Null),
            ("b".to_owned(), Value::Bool(true)),
        ]));
        assert_eq!(
            keep_attributes(object.clone(), &["b"]),
            Value::Object(BTreeMap::from([("b".to_owned(), Value::Bool(true))]))
        );
        assert_eq!(keep_attributes(object.clone(), &["b", "c"]), object);
        assert_eq!(keep_attributes(Value::Unknown, &["b"]), Value::Unknown);
    }

    #[test]
    fn exactly_one_of_is_checked_on_values() {
        let (_, diags) = run(vec![resource(
            "scaleway_container_token",
            "t",
            vec![attr("container_id", e(ExprKind::Null))],
        )]);
        let codes: Vec<_> = diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code)
            .collect();
        assert_eq!(codes, ["scw::model::exactly_one_of"]);
    }
}
