//! The order of a plan's steps: which step must finish before which other may start.
//!
//! A planned change becomes one or two [`Step`]s: create, update or delete, and a replacement
//! both a delete and a create; an instance with deposed objects has one change, and so its own
//! delete step, per deposed object. Edges (prerequisite → step), as Terraform orders them:
//! - creates and updates run after the creates and updates of what they depend on;
//! - deletes run before the deletes of what the deleted object depended on (reverse order);
//! - a replacement deletes then creates, or creates then deletes under `create_before_destroy`;
//! - an object that is deleted (not replaced, or replaced create-first) is deleted only after
//!   the objects that used to depend on it have been created or updated, so they are repointed
//!   first. A destroy-then-create replacement instead recreates first and updates its
//!   dependents afterwards.
//!
//! Invariants: [`ActionOrder::sequence`] is a topological order whose ties are broken by
//! (address, step kind), so it is the same on every run; the graph is acyclic (the planner turns
//! a cycle into a diagnostic before building a plan).
//!
//! Pure; depends on `addr` only.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};

use crate::addr::{InstanceAddr, ResourceAddr};

use super::recorded::Recorded;
use super::{Action, ResourceChange};
use std::collections::BTreeMap;

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StepKind {
    /// Delete the recorded object.
    Delete,
    /// Create a new object.
    Create,
    /// Update the object in place.
    Update,
}

impl StepKind {
    /// A lower-case word for messages: `create`, `update`, `delete`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delete => "delete",
            Self::Create => "create",
            Self::Update => "update",
        }
    }
}

/// One unit of work of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The instance.
    pub addr: InstanceAddr,
    /// What to do.
    pub kind: StepKind,
    /// Index of the change this step belongs to in [`super::Plan::changes`].
    pub change: usize,
}

/// The steps of a plan and their prerequisites.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionOrder {
    steps: Vec<Step>,
    /// `prerequisites[i]`: the steps that must finish before step `i` starts (sorted).
    prerequisites: Vec<Vec<usize>>,
    /// `dependents[i]`: the steps waiting for step `i` (sorted).
    dependents: Vec<Vec<usize>>,
}

/// Collects steps and edges, then freezes them into an [`ActionOrder`].
#[derive(Debug, Default)]
pub(crate) struct OrderBuilder {
    steps: Vec<Step>,
    /// By (change index, kind): an instance can have several changes (its current object and
    /// deposed objects), each with its own steps.
    index: HashMap<(usize, StepKind), usize>,
    edges: BTreeSet<(usize, usize)>,
}

impl OrderBuilder {
    /// Adds a step (once per change and kind) and returns its index.
    pub(crate) fn step(&mut self, addr: &InstanceAddr, kind: StepKind, change: usize) -> usize {
        if let Some(&i) = self.index.get(&(change, kind)) {
            return i;
        }
        let i = self.steps.len();
        self.steps.push(Step {
            addr: addr.clone(),
            kind,
            change,
        });
        self.index.insert((change, kind), i);
        i
    }

    /// The step of this kind of change `change`, if planned.
    pub(crate) fn find(&self, change: usize, kind: StepKind) -> Option<usize> {
        self.index.get(&(change, kind)).copied()
    }

    /// `before` must finish before `after` starts.
    pub(crate) fn edge(&mut self, before: usize, after: usize) {
        if before != after {
            self.edges.insert((before, after));
        }
    }

    pub(crate) fn build(self) -> ActionOrder {
        let n = self.steps.len();
        let mut prerequisites = vec![Vec::new(); n];
        let mut dependents = vec![Vec::new(); n];
        for (before, after) in self.edges {
            prerequisites[after].push(before);
            dependents[before].push(after);
        }
        ActionOrder {
            steps: self.steps,
            prerequisites,
            dependents,
        }
    }
}

impl ActionOrder {
    /// Every step, in the order they were planned (use [`Self::sequence`] for a run order).
    #[must_use]
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Whether there is nothing to do.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The steps that must finish before step `i` starts.
    #[must_use]
    pub fn prerequisites(&self, i: usize) -> &[usize] {
        self.prerequisites.get(i).map_or(&[], Vec::as_slice)
    }

    /// The steps that wait for step `i`.
    #[must_use]
    pub fn dependents(&self, i: usize) -> &[usize] {
        self.dependents.get(i).map_or(&[], Vec::as_slice)
    }

    /// Every step in a deterministic run order (prerequisites first, ties by address then
    /// kind), or `None` if the steps form a cycle.
    #[must_use]
    pub fn sequence(&self) -> Option<Vec<usize>> {
        let mut progress = self.progress();
        let mut out = Vec::with_capacity(self.steps.len());
        while let Some(i) = progress.next_ready() {
            out.push(i);
            progress.complete(i);
        }
        (out.len() == self.steps.len()).then_some(out)
    }

    /// A tracker for running the steps: it hands out the steps whose prerequisites are done.
    #[must_use]
    pub fn progress(&self) -> Progress {
        let waiting: Vec<usize> = self.prerequisites.iter().map(Vec::len).collect();
        let mut ready = BinaryHeap::new();
        for (i, w) in waiting.iter().enumerate() {
            if *w == 0 {
                ready.push(Reverse(self.key(i)));
            }
        }
        Progress {
            keys: (0..self.steps.len()).map(|i| self.key(i)).collect(),
            dependents: self.dependents.clone(),
            waiting,
            ready,
            status: vec![Status::Pending; self.steps.len()],
        }
    }

    fn key(&self, i: usize) -> (InstanceAddr, StepKind, usize) {
        (self.steps[i].addr.clone(), self.steps[i].kind, i)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pending,
    Started,
    Done,
    Failed,
    Skipped,
}

/// Run-time bookkeeping over an [`ActionOrder`] (owned, so it can live beside running tasks).
///
/// Call [`Progress::next_ready`] (or [`Progress::take_ready`]) to get steps whose
/// prerequisites are all done, then [`Progress::complete`] or [`Progress::fail`] when each ends.
/// A failed step's dependents (transitively) are never handed out.
#[derive(Debug, Clone)]
pub struct Progress {
    keys: Vec<(InstanceAddr, StepKind, usize)>,
    dependents: Vec<Vec<usize>>,
    waiting: Vec<usize>,
    ready: BinaryHeap<Reverse<(InstanceAddr, StepKind, usize)>>,
    status: Vec<Status>,
}

impl Progress {
    /// The next step whose prerequisites are done (smallest address first), marking it started.
    pub fn next_ready(&mut self) -> Option<usize> {
        let Reverse((_, _, i)) = self.ready.pop()?;
        self.status[i] = Status::Started;
        Some(i)
    }

    /// Every step ready now, in order, marking them started.
    pub fn take_ready(&mut self) -> Vec<usize> {
        std::iter::from_fn(|| self.next_ready()).collect()
    }

    /// Records that step `i` finished; its dependents may become ready.
    pub fn complete(&mut self, i: usize) {
        if self.status.get(i) != Some(&Status::Started) {
            return;
        }
        self.status[i] = Status::Done;
        for &d in &self.dependents[i] {
            self.waiting[d] -= 1;
            if self.waiting[d] == 0 && self.status[d] == Status::Pending {
                self.ready.push(Reverse(self.keys[d].clone()));
            }
        }
    }

    /// Records that step `i` failed; returns the steps that will now never run (its
    /// dependents, transitively), sorted.
    pub fn fail(&mut self, i: usize) -> Vec<usize> {
        if self.status.get(i) != Some(&Status::Started) {
            return Vec::new();
        }
        self.status[i] = Status::Failed;
        let mut skipped = Vec::new();
        let mut stack: Vec<usize> = self.dependents[i].clone();
        while let Some(d) = stack.pop() {
            if self.status[d] == Status::Pending {
                self.status[d] = Status::Skipped;
                skipped.push(d);
                stack.extend(self.dependents[d].iter().copied());
            }
        }
        skipped.sort_unstable();
        skipped
    }

    /// Whether every step has finished, failed or been skipped.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.status
            .iter()
            .all(|s| matches!(s, Status::Done | Status::Failed | Status::Skipped))
    }

    /// Whether some step is handed out and not yet reported.
    #[must_use]
    pub fn in_flight(&self) -> bool {
        self.status.contains(&Status::Started)
    }
}

/// Builds the step graph (see [`order`] for the rules).
pub(super) fn build_order(
    changes: &[ResourceChange],
    recorded: &BTreeMap<InstanceAddr, Recorded>,
) -> ActionOrder {
    let mut b = OrderBuilder::default();
    for (i, c) in changes.iter().enumerate() {
        match c.action {
            // A deferred read is no step: the apply reads it when evaluating what needs it.
            // Moves and forgets are state edits the apply makes first: no step.
            Action::NoOp | Action::Read | Action::Forget => {}
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
    // The steps of each resource's instances, for dependencies on whole resources: only
    // instances with steps matter, so a plan where little changes costs little however many
    // instances depend on each other.
    let mut forward_steps: HashMap<&ResourceAddr, Vec<usize>> = HashMap::new();
    let mut delete_steps: HashMap<&ResourceAddr, Vec<(usize, bool)>> = HashMap::new();
    for (j, c) in changes.iter().enumerate() {
        for kind in [StepKind::Create, StepKind::Update] {
            if let Some(s) = b.find(j, kind) {
                forward_steps.entry(&c.addr.resource).or_default().push(s);
            }
        }
        if let Some(s) = b.find(j, StepKind::Delete) {
            let destroy_first = c.action
                == Action::Replace {
                    create_before_destroy: false,
                };
            delete_steps
                .entry(&c.addr.resource)
                .or_default()
                .push((s, destroy_first));
        }
    }
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
        let my_delete = b.find(i, StepKind::Delete);
        if forward.is_none() && my_delete.is_none() {
            continue;
        }
        if let (Some(me), true) = (forward, c.action != Action::Delete) {
            for dep in &c.dependencies {
                for &s in forward_steps.get(dep).map_or(&[][..], Vec::as_slice) {
                    b.edge(s, me);
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
            for &(their_delete, destroy_first) in
                delete_steps.get(dep).map_or(&[][..], Vec::as_slice)
            {
                if let Some(my_delete) = my_delete {
                    b.edge(my_delete, their_delete);
                }
                if !destroy_first && let Some(me) = forward {
                    b.edge(me, their_delete);
                }
            }
        }
    }
    b.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> InstanceAddr {
        s.parse().expect("valid address")
    }

    fn chain() -> ActionOrder {
        let mut b = OrderBuilder::default();
        let p = b.step(&addr("a.project"), StepKind::Create, 0);
        let n = b.step(&addr("b.ns"), StepKind::Create, 1);
        let t1 = b.step(&addr("c.token1"), StepKind::Create, 2);
        let t2 = b.step(&addr("c.token2"), StepKind::Create, 3);
        b.edge(p, n);
        b.edge(n, t1);
        b.edge(n, t2);
        b.build()
    }

    #[test]
    fn sequence_runs_prerequisites_first_with_address_ties() {
        let order = chain();
        let seq: Vec<String> = order
            .sequence()
            .expect("acyclic")
            .into_iter()
            .map(|i| order.steps()[i].addr.to_string())
            .collect();
        assert_eq!(seq, ["a.project", "b.ns", "c.token1", "c.token2"]);
    }

    #[test]
    fn progress_hands_out_ready_steps_and_skips_after_failure() {
        let order = chain();
        let mut p = order.progress();
        assert_eq!(p.take_ready(), [0]);
        assert!(
            p.take_ready().is_empty(),
            "nothing else until the project is done"
        );
        p.complete(0);
        assert_eq!(p.take_ready(), [1]);
        assert_eq!(p.fail(1), [2, 3]);
        assert!(p.take_ready().is_empty());
        assert!(p.is_finished());
    }

    #[test]
    fn cycles_have_no_sequence() {
        let mut b = OrderBuilder::default();
        let x = b.step(&addr("a.x"), StepKind::Create, 0);
        let y = b.step(&addr("a.y"), StepKind::Create, 1);
        b.edge(x, y);
        b.edge(y, x);
        assert_eq!(b.build().sequence(), None);
    }
}
