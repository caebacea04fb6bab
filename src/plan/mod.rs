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
//!
//! Files: [`types`] (the plan's data), [`planner`] (the hook and the changes it decides),
//! [`diff`] (the schema-driven comparison of one object), [`recorded`] (state objects as
//! values, drift), [`sensitive`] (where the secrets of an object are, as state records it),
//! [`target`] (`--target` scope), [`order`] (the step graph).

pub mod data;
mod diff;
pub mod moves;
mod order;
mod planner;
mod recorded;
pub mod sensitive;
mod target;
mod types;

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;

use crate::addr::InstanceAddr;
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::DependencyGraph;
use crate::model::config::Config;
use crate::model::evaluate::ResourceValues;
use crate::model::refactor::RemoveStatement;
use crate::state::State;

pub use crate::secret::secret_matches;
pub use order::{ActionOrder, Progress, Step, StepKind};
pub use recorded::{model_addr, object_value};
pub use types::{Action, ActionReason, Counts, OutputChange, Plan, PlanOptions, ResourceChange};

use order::build_order;
use planner::{
    Planner, check_prevent_destroy, deposed_changes, destroy_changes, normal_changes,
    output_changes, propagate_create_before_destroy,
};
use recorded::{deposed_objects, drift_changes, recorded_objects};
use target::{check_targets, targeted};

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
    plan_with(input, prior, refreshed, options, &data::NoDataReader)
}

/// [`plan`], reading data sources through `reader`.
///
/// # Errors
/// As [`plan`]; a data source that cannot be read is an error of the configuration (a warning
/// for one scoped to a `check` block).
pub fn plan_with(
    input: &dyn ConfigInput,
    prior: &State,
    refreshed: &State,
    options: &PlanOptions,
    reader: &dyn data::DataReader,
) -> Result<Plan, Diagnostics> {
    let refreshed = if options.refresh { refreshed } else { prior };
    let mut diags = Diagnostics::new();
    // `moved` blocks act on the recorded objects before anything is compared (Terraform's
    // prePlanFindAndApplyMoves): the plan is made as if the objects were at their new
    // addresses already.
    let (prior, refreshed, move_results) = if options.moves.is_empty() {
        (
            Cow::Borrowed(prior),
            Cow::Borrowed(refreshed),
            moves::MoveResults::default(),
        )
    } else {
        let mut p = prior.clone();
        let _ = moves::apply_moves(&options.moves, &mut p);
        let mut r = refreshed.clone();
        let results = moves::apply_moves(&options.moves, &mut r);
        (Cow::Owned(p), Cow::Owned(r), results)
    };
    let (prior, refreshed) = (prior.as_ref(), refreshed.as_ref());
    if move_results.diagnostics.has_errors() {
        let mut all = move_results.diagnostics;
        all.sort();
        return Err(all);
    }
    let recorded_prior = recorded_objects(prior, &mut Diagnostics::new());
    let recorded = recorded_objects(refreshed, &mut diags);
    let planner = Planner {
        refreshed: &recorded,
        options,
        decisions: RefCell::new(HashMap::new()),
        reader,
        reads: RefCell::new(std::collections::BTreeMap::new()),
        deferred: RefCell::new(HashMap::new()),
        read_diags: RefCell::new(Diagnostics::new()),
    };
    let (config, config_diags) = input.evaluate(&planner);
    diags.extend(config_diags);
    diags.extend(planner.read_diags.take());
    if diags.has_errors() {
        diags.sort();
        return Err(diags);
    }
    // Invalid moves come first: the plan was made from a state they moved wrongly.
    let move_errors = moves::validate_moves(&options.moves, &config);
    if move_errors.has_errors() {
        return Err(move_errors);
    }
    diags.extend(move_results.blocked_warning());
    let graph = DependencyGraph::new(&config);
    graph.order()?;
    let decisions = planner.decisions.into_inner();
    let deferred = planner.deferred.into_inner();
    let data = planner.reads.into_inner();

    let mut changes = if options.destroy {
        destroy_changes(&config, &recorded)
    } else {
        normal_changes(&config, &recorded, decisions, &deferred)
    };
    // Deposed objects go in every mode: in normal plans too, since nothing else would ever
    // delete them.
    changes.extend(deposed_changes(&deposed_objects(refreshed)));
    if !options.destroy {
        forget_removed(&mut changes, &options.removals);
    }
    for c in &mut changes {
        c.previous = move_results.moved.get(&c.addr).cloned();
    }
    diags.extend(forget_warning(&changes));
    let target_diags = check_targets(&changes, &options.targets);
    if target_diags.has_errors() {
        let mut all = diags;
        all.extend(target_diags);
        all.sort();
        return Err(all);
    }
    diags.extend(target_diags);
    if !options.targets.is_empty() {
        let included = targeted(&config, &recorded, &changes, &options.targets);
        changes.retain(|c| match c.deposed {
            // Nothing depends on a deposed object and it depends on nothing being planned, so
            // it is in scope only when a target names its instance, not as a dependency.
            Some(_) => options.targets.iter().any(|t| t.contains(&c.addr)),
            None => included.contains(&c.addr),
        });
    }
    if options.refresh_only {
        // Nothing is done to the objects: the refreshed state is the plan.
        changes.clear();
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
    let outputs = if options.refresh_only {
        Vec::new()
    } else {
        output_changes(&config, prior, options.destroy)
    };
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
        data,
        errored,
        diagnostics: diags,
        moved: move_results.list(),
    })
}

/// Whether a `removed` block names the instance `addr` (the declaring module's instances
/// and the removed module call's instances all match).
fn removal_covers(removal: &RemoveStatement, addr: &InstanceAddr) -> bool {
    let steps = addr.resource.module.steps();
    let names: Vec<&String> = removal.module.iter().chain(&removal.calls).collect();
    let module_matches =
        steps.len() >= names.len() && names.iter().zip(steps).all(|(n, s)| **n == s.name);
    match &removal.resource {
        Some((t, n)) => {
            module_matches
                && steps.len() == names.len()
                && addr.resource.type_name == *t
                && addr.resource.name == *n
        }
        None => module_matches,
    }
}

/// `removed` blocks with `destroy = false`: the deletes of the objects they name become
/// forgets (deposed objects, old halves of replacements, are still deleted).
fn forget_removed(changes: &mut [ResourceChange], removals: &[RemoveStatement]) {
    for c in changes.iter_mut() {
        if c.action == Action::Delete
            && c.deposed.is_none()
            && removals
                .iter()
                .any(|r| !r.destroy && removal_covers(r, &c.addr))
        {
            c.action = Action::Forget;
        }
    }
}

/// Terraform's warning listing the objects a plan forgets.
fn forget_warning(changes: &[ResourceChange]) -> Option<Diagnostic> {
    let mut items = String::new();
    for c in changes.iter().filter(|c| c.action == Action::Forget) {
        let _ = write!(items, "\n - {}", c.addr);
    }
    (!items.is_empty()).then(|| {
        Diagnostic::warning(
            "scw::plan::forget",
            "Some objects will no longer be managed by Terraform",
        )
        .with_detail(format!("If you apply this plan, Terraform will discard its tracking information for the following objects, but it will not delete them:{items}\n\nAfter applying this plan, Terraform will no longer manage these objects. You will need to import them into Terraform to manage them again."))
    })
}

#[cfg(test)]
pub(crate) mod tests;
