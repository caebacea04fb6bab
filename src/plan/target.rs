//! `--target`: which instances a targeted plan keeps.
//!
//! Invariants: a target names a module instance, a resource or an instance ([`Target`]); the
//! scope is closed
//! under dependencies (and, for deleted targets, under dependents).
//!
//! Depends on `model` addresses and configuration only.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::addr::{InstanceAddr, ResourceAddr, Target};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::config::Config;

use super::planner::dependencies_of;
use super::recorded::Recorded;
use super::{Action, ResourceChange};

/// Terraform's warning for a targeted plan, and an error for each target that names no
/// instance (configured or recorded), naming the closest address there is.
pub(super) fn check_targets(changes: &[ResourceChange], targets: &[Target]) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if targets.is_empty() {
        return diags;
    }
    diags.push(
        Diagnostic::warning("scw::plan::targeting", "Resource targeting is in effect")
            .with_detail("You are creating a plan with the --target option, which means that the result of this plan may not represent all of the changes requested by the current configuration.\n\nThe --target option is not for routine use, and is provided only for exceptional situations such as recovering from errors or mistakes, or when scwform specifically suggests to use it as part of an error message."),
    );
    let mut known: BTreeSet<String> = BTreeSet::new();
    for c in changes {
        known.insert(c.addr.to_string());
        known.insert(c.addr.resource.to_string());
    }
    for target in targets {
        if changes.iter().any(|c| target.contains(&c.addr)) {
            continue;
        }
        let wanted = target.to_string();
        let closest = known
            .iter()
            .map(|k| (strsim::jaro_winkler(&wanted, k), k))
            .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)));
        let mut d = Diagnostic::error("scw::plan::target_not_found", "Target matches nothing")
            .with_detail(format!("The --target address {wanted} names no resource instance in the configuration or the state."));
        if let Some((_, k)) = closest {
            d = d.with_help(format!("the closest address is {k}"));
        }
        diags.push(d);
    }
    diags
}

/// The instances in scope of `--target`: the targets, what they depend on, and for targets that
/// are deleted, what depends on them (whose dependencies then come along too).
pub(super) fn targeted(
    config: &Config,
    recorded: &BTreeMap<InstanceAddr, Recorded>,
    changes: &[ResourceChange],
    targets: &[Target],
) -> BTreeSet<InstanceAddr> {
    let all: BTreeSet<&InstanceAddr> = changes.iter().map(|c| &c.addr).collect();
    let mut by_resource: HashMap<&ResourceAddr, Vec<InstanceAddr>> = HashMap::new();
    for a in &all {
        by_resource
            .entry(&a.resource)
            .or_default()
            .push((*a).clone());
    }
    let instances_of = |resource: &ResourceAddr| -> Vec<InstanceAddr> {
        by_resource.get(resource).cloned().unwrap_or_default()
    };
    let by_addr: HashMap<&InstanceAddr, &ResourceChange> = changes
        .iter()
        .filter(|c| c.deposed.is_none())
        .map(|c| (&c.addr, c))
        .collect();
    let deps_of = |addr: &InstanceAddr| -> Vec<ResourceAddr> {
        by_addr
            .get(addr)
            .map(|c| c.dependencies.clone())
            .unwrap_or_default()
    };
    let mut seeds: BTreeSet<InstanceAddr> = all
        .iter()
        .filter(|a| targets.iter().any(|t| t.contains(a)))
        .map(|a| (*a).clone())
        .collect();
    // Dependents of deleted targets, transitively.
    // (Not deposed objects: what depends on the instance uses its current object.)
    let deleted: Vec<InstanceAddr> = changes
        .iter()
        .filter(|c| seeds.contains(&c.addr) && c.action == Action::Delete && c.deposed.is_none())
        .map(|c| c.addr.clone())
        .collect();
    let mut stack = deleted;
    while let Some(addr) = stack.pop() {
        for c in changes.iter().filter(|c| c.deposed.is_none()) {
            let depends = c.dependencies.iter().any(|d| addr.is_instance_of(d))
                || recorded
                    .get(&c.addr)
                    .is_some_and(|r| r.dependencies.iter().any(|d| addr.is_instance_of(d)));
            if depends && seeds.insert(c.addr.clone()) {
                stack.push(c.addr.clone());
            }
        }
    }
    // Dependencies, transitively.
    let mut included = BTreeSet::new();
    let mut stack: Vec<InstanceAddr> = seeds.into_iter().collect();
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
