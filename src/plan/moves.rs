//! `moved` blocks applied to a state, and checked against the configuration, as Terraform's
//! `refactoring.ApplyMoves` and `ValidateMoves` do.
//!
//! - [`apply_moves`] gives the objects matched by each statement's `from` the address its `to`
//!   names, statements in dependency order (a chain `a → b`, `b → c` moves `a` to `c`; a move
//!   nested in a moved module runs after it), and reports each object's first and last
//!   address. An object whose destination is taken stays where it is (Terraform's "blocked"
//!   move, a warning). Objects moving to another resource type are refused: the Scaleway
//!   provider cannot convert objects across types.
//! - [`validate_moves`] refuses, once the configuration is evaluated: a move whose `from` is
//!   still declared, two destinations for one source or two sources for one destination,
//!   a move to itself, and cycles.
//!
//! Invariants: pure; deposed objects move with their instance; statements whose graph has a
//! cycle move nothing (the validation reports the cycle).
//!
//! Depends on `model` (the statements, the evaluated configuration), `state` and `addr`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use petgraph::algo::tarjan_scc;
use petgraph::graph::DiGraph;

use crate::addr::{InstanceAddr, InstanceKey, ModuleAddr, ResourceAddr};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::config::Config;
use crate::model::refactor::{Endpoint, MoveKind, MoveStatement};
use crate::state::{InstanceState, ResourceState, State};

/// One object that moved: where it was recorded and where it is now.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Moved {
    /// The address recorded in the state before the moves.
    pub from: InstanceAddr,
    /// The address after every move.
    pub to: InstanceAddr,
}

/// What [`apply_moves`] did.
#[derive(Debug, Default)]
pub struct MoveResults {
    /// The objects moved, by new address.
    pub moved: BTreeMap<InstanceAddr, InstanceAddr>,
    /// Moves skipped because the destination was taken: (what stayed, where it wanted to go).
    pub blocked: Vec<(String, String)>,
    /// Errors (moves across resource types).
    pub diagnostics: Diagnostics,
}

impl MoveResults {
    /// The moves, sorted by new address.
    #[must_use]
    pub fn list(&self) -> Vec<Moved> {
        self.moved
            .iter()
            .map(|(to, from)| Moved {
                from: from.clone(),
                to: to.clone(),
            })
            .collect()
    }

    /// Terraform's warning about blocked moves, if any.
    #[must_use]
    pub fn blocked_warning(&self) -> Option<Diagnostic> {
        if self.blocked.is_empty() {
            return None;
        }
        let mut items = String::new();
        for (actual, wanted) in &self.blocked {
            let _ = write!(items, "\n  - {actual} could not move to {wanted}");
        }
        Some(
            Diagnostic::warning("scw::plan::move_blocked", "Unresolved resource instance address changes")
                .with_detail(format!(
                    "Terraform tried to adjust resource instance addresses in the prior state based on change information recorded in the configuration, but some adjustments did not succeed due to existing objects already at the intended addresses:{items}\n\nTerraform has planned to destroy these objects. If Terraform's proposed changes aren't appropriate, you must first resolve the conflicts using the \"terraform state\" subcommands and then create a new plan."
                )),
        )
    }
}

/// How one module step of an absolute endpoint matches a module instance's step.
#[derive(Debug, Clone, PartialEq, Eq)]
enum KeyPattern {
    /// Any key (the declaring module's instances; the instances of a whole module call).
    Any,
    /// Exactly this key (none: the call has no `count` / `for_each`).
    Exact(Option<InstanceKey>),
}

/// An endpoint from the root: module steps with key patterns, then maybe a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    calls: Vec<(String, KeyPattern)>,
    /// (type, name, key pattern of the instance).
    resource: Option<(String, String, KeyPattern)>,
}

fn pattern(stmt: &MoveStatement, e: &Endpoint) -> Pattern {
    let mut calls: Vec<(String, KeyPattern)> = stmt
        .module
        .iter()
        .map(|m| (m.clone(), KeyPattern::Any))
        .collect();
    for (i, step) in e.calls.iter().enumerate() {
        let last = i + 1 == e.calls.len();
        let key = if last && stmt.kind == MoveKind::ModuleCall {
            KeyPattern::Any
        } else {
            KeyPattern::Exact(step.key.clone())
        };
        calls.push((step.name.clone(), key));
    }
    let resource = e.resource.as_ref().map(|r| {
        let key = if stmt.kind == MoveKind::Resource {
            KeyPattern::Any
        } else {
            KeyPattern::Exact(r.key.clone())
        };
        (r.type_name.clone(), r.name.clone(), key)
    });
    Pattern { calls, resource }
}

fn key_matches(p: &KeyPattern, k: Option<&InstanceKey>) -> bool {
    match p {
        KeyPattern::Any => true,
        KeyPattern::Exact(want) => want.as_ref() == k,
    }
}

/// Whether `module` starts with the calls of `p` (all of them).
fn module_prefix(p: &Pattern, module: &ModuleAddr) -> bool {
    let steps = module.steps();
    steps.len() >= p.calls.len()
        && p.calls
            .iter()
            .zip(steps)
            .all(|((name, key), step)| *name == step.name && key_matches(key, step.key.as_ref()))
}

/// The module `module` becomes: its first `declaring` steps kept, then `to`'s calls (the
/// last one keeping the matched key for a whole-call move), then what followed `from`.
fn new_module(stmt: &MoveStatement, module: &ModuleAddr, from_len: usize) -> ModuleAddr {
    let steps = module.steps();
    let declaring = stmt.module.len();
    let mut out = ModuleAddr::root();
    for s in &steps[..declaring] {
        out = out.child(s.name.clone(), s.key.clone());
    }
    for (i, s) in stmt.to.calls.iter().enumerate() {
        let last = i + 1 == stmt.to.calls.len();
        let key = if last && stmt.kind == MoveKind::ModuleCall {
            steps[from_len - 1].key.clone()
        } else {
            s.key.clone()
        };
        out = out.child(s.name.clone(), key);
    }
    for s in &steps[from_len..] {
        out = out.child(s.name.clone(), s.key.clone());
    }
    out
}

/// Whether `a` must run after `b` (Terraform's `statementDependsOn`): `a` moves from where
/// `b` moves to, or one is nested in what the other moves.
fn depends_on(a: &MoveStatement, b: &MoveStatement) -> bool {
    let (af, at) = (pattern(a, &a.from), pattern(a, &a.to));
    let (bf, bt) = (pattern(b, &b.from), pattern(b, &b.to));
    if a.kind == b.kind && same_object(&af, &bt) {
        return true;
    }
    nested(&af, &bt) || nested(&at, &bt) || nested(&bf, &af) || nested(&bt, &af)
}

/// Whether two patterns name the same objects (the declaring modules' keys ignored).
fn same_object(x: &Pattern, y: &Pattern) -> bool {
    x.calls.len() == y.calls.len()
        && x.calls.iter().zip(&y.calls).all(|(p, q)| {
            p.0 == q.0 && (p.1 == KeyPattern::Any || q.1 == KeyPattern::Any || p.1 == q.1)
        })
        && match (&x.resource, &y.resource) {
            (None, None) => true,
            (Some(r), Some(s)) => r.0 == s.0 && r.1 == s.1 && r.2 == s.2,
            _ => false,
        }
}

/// Whether what `x` names is inside the module `y` names (strictly).
fn nested(x: &Pattern, y: &Pattern) -> bool {
    if y.resource.is_some() || y.calls.is_empty() {
        return false;
    }
    let longer =
        x.calls.len() > y.calls.len() || (x.calls.len() == y.calls.len() && x.resource.is_some());
    longer
        && x.calls.iter().zip(&y.calls).all(|(p, q)| {
            p.0 == q.0 && (p.1 == KeyPattern::Any || q.1 == KeyPattern::Any || p.1 == q.1)
        })
}

/// The statements in the order they run, or the cycles found.
fn order(statements: &[MoveStatement]) -> Result<Vec<usize>, Vec<Vec<usize>>> {
    let mut g: DiGraph<usize, ()> = DiGraph::new();
    let nodes: Vec<_> = (0..statements.len()).map(|i| g.add_node(i)).collect();
    for (i, a) in statements.iter().enumerate() {
        for (j, b) in statements.iter().enumerate() {
            // An edge b → a: b runs first.
            if i != j && depends_on(a, b) {
                g.add_edge(nodes[j], nodes[i], ());
            }
        }
    }
    let cycles: Vec<Vec<usize>> = tarjan_scc(&g)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let mut c: Vec<usize> = c.into_iter().map(|n| g[n]).collect();
            c.sort_unstable();
            c
        })
        .collect();
    if !cycles.is_empty() {
        return Err(cycles);
    }
    petgraph::algo::toposort(&g, None)
        .map(|o| o.into_iter().map(|n| g[n]).collect())
        .map_err(|_| Vec::new())
}

/// Moves the objects the statements match, in dependency order (see the module docs).
#[must_use]
pub fn apply_moves(statements: &[MoveStatement], state: &mut State) -> MoveResults {
    let mut results = MoveResults::default();
    let Ok(order) = order(statements) else {
        return results;
    };
    for i in order {
        let stmt = &statements[i];
        let from = pattern(stmt, &stmt.from);
        match stmt.kind {
            MoveKind::ModuleCall | MoveKind::ModuleInstance => {
                move_modules(stmt, &from, state, &mut results);
            }
            MoveKind::Resource | MoveKind::ResourceInstance => {
                move_resources(stmt, &from, state, &mut results);
            }
        }
    }
    results
}

/// Records that the object at `old` is now at `new` (collapsing chains).
fn record(results: &mut MoveResults, old: InstanceAddr, new: InstanceAddr) {
    let first = results.moved.remove(&old).unwrap_or(old);
    if first != new {
        results.moved.insert(new, first);
    }
}

fn move_modules(
    stmt: &MoveStatement,
    from: &Pattern,
    state: &mut State,
    results: &mut MoveResults,
) {
    // Each module instance the pattern matches, with its new address.
    let modules: BTreeSet<ModuleAddr> = state
        .resources
        .iter()
        .filter(|r| module_prefix(from, &r.module))
        .map(|r| r.module.clone())
        .collect();
    for module in modules {
        let target = new_module(stmt, &module, from.calls.len());
        if target == module {
            continue;
        }
        if state.resources.iter().any(|r| r.module == target) {
            results
                .blocked
                .push((module.to_string(), target.to_string()));
            continue;
        }
        for r in state.resources.iter_mut().filter(|r| r.module == module) {
            let old_resource = r.addr();
            r.module = target.clone();
            let new_resource = r.addr();
            let keys: BTreeSet<Option<InstanceKey>> =
                r.instances.iter().map(|i| i.index_key.clone()).collect();
            for key in keys {
                record(
                    results,
                    old_resource.instance(key.clone()),
                    new_resource.instance(key),
                );
            }
        }
    }
}

fn move_resources(
    stmt: &MoveStatement,
    from: &Pattern,
    state: &mut State,
    results: &mut MoveResults,
) {
    let Some((from_type, from_name, from_key)) = &from.resource else {
        return;
    };
    let Some(to) = &stmt.to.resource else {
        return;
    };
    let matching: Vec<ResourceAddr> = state
        .resources
        .iter()
        .filter(|r| {
            r.mode == crate::addr::Mode::Managed
                && r.type_name == *from_type
                && r.name == *from_name
                && r.module.steps().len() == from.calls.len()
                && module_prefix(from, &r.module)
        })
        .map(ResourceState::addr)
        .collect();
    for old in matching {
        let module = new_module(stmt, &old.module, from.calls.len());
        let new = ResourceAddr {
            module,
            mode: old.mode,
            type_name: to.type_name.clone(),
            name: to.name.clone(),
        };
        let cross_type = old.type_name != new.type_name;
        if stmt.kind == MoveKind::Resource {
            if new == old {
                continue;
            }
            if state.resource(&new).is_some() {
                results.blocked.push((old.to_string(), new.to_string()));
                continue;
            }
            if cross_type {
                cross_type_error(stmt, results);
                continue;
            }
            let r = state
                .resources
                .iter_mut()
                .find(|r| r.matches(&old))
                .expect("the resource was found just above");
            r.module = new.module.clone();
            r.name.clone_from(&new.name);
            let keys: BTreeSet<Option<InstanceKey>> =
                r.instances.iter().map(|i| i.index_key.clone()).collect();
            for key in keys {
                record(results, old.instance(key.clone()), new.instance(key));
            }
            continue;
        }
        let KeyPattern::Exact(key) = from_key else {
            continue;
        };
        let old_instance = old.instance(key.clone());
        if state.instance(&old_instance).is_none() {
            continue;
        }
        let new_instance = new.instance(to.key.clone());
        if new_instance == old_instance {
            continue;
        }
        if state.instance(&new_instance).is_some() {
            results
                .blocked
                .push((old_instance.to_string(), new_instance.to_string()));
            continue;
        }
        if cross_type {
            cross_type_error(stmt, results);
            continue;
        }
        move_instance(state, &old_instance, &new_instance);
        record(results, old_instance, new_instance);
    }
}

fn cross_type_error(stmt: &MoveStatement, results: &mut MoveResults) {
    results.diagnostics.push(
        Diagnostic::error(
            "scw::plan::move_across_types",
            "Unsupported `moved` across resource types",
        )
        .with_primary(stmt.span, "moves to another resource type")
        .with_detail("The provider \"registry.terraform.io/scaleway/scaleway\" does not support moved operations across resource types and providers."),
    );
}

/// Moves one instance's objects (current and deposed) to another address of the same type.
fn move_instance(state: &mut State, from: &InstanceAddr, to: &InstanceAddr) {
    let Some(r) = state
        .resources
        .iter()
        .position(|r| r.matches(&from.resource))
    else {
        return;
    };
    let provider = state.resources[r].provider.clone();
    let (taken, kept): (Vec<InstanceState>, Vec<InstanceState>) =
        std::mem::take(&mut state.resources[r].instances)
            .into_iter()
            .partition(|i| i.index_key == from.key);
    state.resources[r].instances = kept;
    if state.resources[r].instances.is_empty() {
        state.resources.remove(r);
    }
    for mut instance in taken {
        let deposed = instance.deposed.take();
        match deposed {
            None => {
                state.set_instance(to, instance);
            }
            Some(key) => {
                // Deposed objects join the instance's resource as they were.
                state.set_instance(to, instance.clone());
                let resource = state
                    .resources
                    .iter_mut()
                    .find(|r| r.matches(&to.resource))
                    .expect("set_instance just made the resource");
                let i = resource
                    .instances
                    .iter()
                    .position(|i| i.index_key == to.key && i.deposed.is_none())
                    .expect("set_instance just recorded it");
                resource.instances[i].deposed = Some(key);
            }
        }
    }
    if let Some(resource) = state.resources.iter_mut().find(|r| r.matches(&to.resource)) {
        resource.provider = provider;
    }
}

/// Forgets instances without deleting anything (a `removed` block with `destroy = false`):
/// current and deposed objects, and their resource when nothing is left of it.
pub fn forget(state: &mut State, addrs: &[InstanceAddr]) {
    for addr in addrs {
        for r in &mut state.resources {
            if r.matches(&addr.resource) {
                r.instances.retain(|i| i.index_key != addr.key);
            }
        }
    }
    state.resources.retain(|r| !r.instances.is_empty());
}

/// The errors of the statements against the evaluated configuration (see the module docs).
#[must_use]
pub fn validate_moves(statements: &[MoveStatement], config: &Config) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let mut from_seen: BTreeMap<String, (String, &MoveStatement)> = BTreeMap::new();
    let mut to_seen: BTreeMap<String, (String, &MoveStatement)> = BTreeMap::new();
    for stmt in statements {
        let (noun, short) = match stmt.kind {
            MoveKind::ModuleCall => ("module call", "call"),
            MoveKind::ModuleInstance => ("module instance", "instance"),
            MoveKind::Resource => ("resource", "resource"),
            MoveKind::ResourceInstance => ("resource instance", "instance"),
        };
        let instances: Vec<&ModuleAddr> = config
            .module_instances
            .iter()
            .filter(|m| {
                m.steps().len() == stmt.module.len()
                    && m.steps()
                        .iter()
                        .zip(&stmt.module)
                        .all(|(s, n)| s.name == *n)
            })
            .collect();
        for module in instances {
            let abs_from = absolute(module, &stmt.from);
            let abs_to = absolute(module, &stmt.to);
            if abs_from == abs_to {
                diags.push(
                    Diagnostic::error("scw::plan::move_redundant", "Redundant move statement")
                        .with_primary(stmt.span, "moves to the same address")
                        .with_detail(format!("This statement declares a move from {abs_from} to the same address, which is the same as not declaring this move at all.")),
                );
                continue;
            }
            if still_declared(stmt, module, config) {
                diags.push(
                    Diagnostic::error("scw::plan::moved_still_exists", "Moved object still exists")
                        .with_primary(stmt.span, "from is still declared")
                        .with_detail(format!("This statement declares a move from {abs_from}, but that {noun} is still declared.\n\nChange your configuration so that this {short} will be declared as {abs_to} instead.")),
                );
            }
            if let Some((other, _)) = from_seen.get(&abs_from) {
                if *other != abs_to {
                    diags.push(
                        Diagnostic::error("scw::plan::move_ambiguous", "Ambiguous move statements")
                            .with_primary(stmt.span, "a second destination")
                            .with_detail(format!("A statement declared that {abs_from} moved to {other}, but this statement instead declares that it moved to {abs_to}.\n\nEach {noun} can move to only one destination {short}.")),
                    );
                }
            } else {
                from_seen.insert(abs_from.clone(), (abs_to.clone(), stmt));
            }
            if let Some((other, _)) = to_seen.get(&abs_to) {
                if *other != abs_from {
                    diags.push(
                        Diagnostic::error("scw::plan::move_ambiguous", "Ambiguous move statements")
                            .with_primary(stmt.span, "a second source")
                            .with_detail(format!("A statement declared that {other} moved to {abs_to}, but this statement instead declares that {abs_from} moved there.\n\nEach {noun} can have moved from only one source {short}.")),
                    );
                }
            } else {
                to_seen.insert(abs_to.clone(), (abs_from.clone(), stmt));
            }
        }
    }
    if !diags.has_errors()
        && let Err(cycles) = order(statements)
    {
        for cycle in cycles {
            let mut items: Vec<String> = cycle
                .iter()
                .map(|&i| {
                    let s = &statements[i];
                    format!("\n  - {} → {}", s.display(&s.from), s.display(&s.to))
                })
                .collect();
            items.sort();
            let mut d = Diagnostic::error(
                "scw::plan::move_cycle",
                "Cyclic dependency in move statements",
            )
            .with_detail(format!("The following chained move statements form a cycle, and so there is no final location to move objects to:{}\n\nA chain of move statements must end with an address that doesn't appear in any other statements, and which typically also refers to an object still declared in the configuration.", items.concat()));
            for &i in &cycle {
                d = d.with_primary(statements[i].span, "part of the cycle");
            }
            diags.push(d);
        }
    }
    diags
}

/// An endpoint's text in one instance of its declaring module.
fn absolute(module: &ModuleAddr, e: &Endpoint) -> String {
    let rel = e.relative();
    if module.is_root() {
        rel
    } else {
        format!("{module}.{rel}")
    }
}

/// Whether the statement's `from`, in the module instance `module`, is still declared.
fn still_declared(stmt: &MoveStatement, module: &ModuleAddr, config: &Config) -> bool {
    let mut m = module.clone();
    let calls = &stmt.from.calls;
    if let Some(r) = &stmt.from.resource {
        for c in calls {
            m = m.child(c.name.clone(), c.key.clone());
        }
        let resource = ResourceAddr::managed(r.type_name.clone(), r.name.clone()).in_module(m);
        return if stmt.kind == MoveKind::Resource {
            config.declared.contains(&resource)
        } else {
            config
                .instances
                .contains_key(&resource.instance(r.key.clone()))
        };
    }
    let Some((last, inner)) = calls.split_last() else {
        return false;
    };
    for c in inner {
        m = m.child(c.name.clone(), c.key.clone());
    }
    if stmt.kind == MoveKind::ModuleCall {
        config.module_instances.iter().any(|x| {
            x.steps().len() == m.steps().len() + 1
                && m.contains(x)
                && x.steps().last().is_some_and(|s| s.name == last.name)
        })
    } else {
        config
            .module_instances
            .contains(&m.child(last.name.clone(), last.key.clone()))
    }
}
