//! `--target`: which instances a targeted plan keeps.
//!
//! Invariants: a target without key names every instance of its resource; the scope is closed
//! under dependencies (and, for deleted targets, under dependents).
//!
//! Depends on `model` addresses and configuration only.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::config::Config;
use crate::model::ids::ResourceAddr;

use super::planner::dependencies_of;
use super::recorded::Recorded;
use super::{Action, ResourceChange};

/// Whether `target` (an address, without key meaning every instance) names `addr`.
pub(super) fn matches_target(target: &ResourceAddr, addr: &ResourceAddr) -> bool {
    if target.key.is_some() {
        target == addr
    } else {
        addr.is_instance_of(&target.type_name, &target.name)
    }
}

/// The instances in scope of `--target`: the targets, what they depend on, and for targets that
/// are deleted, what depends on them (whose dependencies then come along too).
pub(super) fn targeted(
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
