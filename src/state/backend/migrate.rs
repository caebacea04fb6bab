//! Copying every workspace's state from one backend to another (`init -migrate-state`, when
//! the configuration's backend changed).
//!
//! Invariants: both sides of every workspace are locked for the whole copy; every workspace is
//! checked before anything is written, so a refusal leaves both backends as they were; a copied
//! state keeps its lineage, serial and content (the destination's serial never goes down); the
//! source is never changed.
//!
//! Depends on the sibling backend API ([`Backend`]) only; no printing.

use std::time::Duration;

use super::Backend;
use crate::state::lock::{LockGuard, LockInfo, POLL_INTERVAL};
use crate::state::{SaveOutcome, State, StateError};

/// What happened to one workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Copied {
    /// The state was written into the destination with this serial.
    Written {
        /// The serial in the destination.
        serial: u64,
    },
    /// The destination already held this state.
    Unchanged,
    /// The source holds no state for the workspace: nothing to copy.
    Empty,
    /// Source and destination are the same place.
    SamePlace,
}

/// One workspace's migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrated {
    /// The workspace.
    pub workspace: String,
    /// What was done.
    pub copied: Copied,
}

/// Copies every workspace's state from `from` to `to`, with both sides locked (waiting up to
/// `timeout` for each lock). A destination already holding a different non-empty state (another
/// lineage, or other content) is refused unless `force`.
///
/// # Errors
/// [`StateError::MigrationConflict`] naming the first such workspace (nothing is written then);
/// lock and backend errors.
pub fn migrate(
    from: &Backend,
    to: &Backend,
    force: bool,
    info: &LockInfo,
    timeout: Duration,
) -> Result<Vec<Migrated>, StateError> {
    let workspaces = from.workspaces()?;
    let mut guards: Vec<LockGuard> = Vec::new();
    let mut plan: Vec<(String, Option<State>)> = Vec::new();
    for workspace in workspaces {
        if from.location(&workspace) == to.location(&workspace) {
            plan.push((workspace, None));
            continue;
        }
        guards.push(from.lock(&workspace, info, timeout, POLL_INTERVAL)?);
        guards.push(to.lock(&workspace, info, timeout, POLL_INTERVAL)?);
        let source = from.store(&workspace).load()?;
        if let (Some(source), Some(destination)) = (&source, to.store(&workspace).load()?) {
            let same = destination.lineage == source.lineage && destination.same_content(source);
            if !force && !same && !destination.is_empty() {
                return Err(StateError::MigrationConflict {
                    path: to.location(&workspace),
                    workspace,
                    lineage: destination.lineage.clone(),
                    serial: destination.serial,
                });
            }
        }
        plan.push((workspace, source));
    }
    let mut out = Vec::with_capacity(plan.len());
    for (workspace, source) in plan {
        let copied = if from.location(&workspace) == to.location(&workspace) {
            Copied::SamePlace
        } else {
            match source {
                None => Copied::Empty,
                Some(mut state) => match to.store(&workspace).push(&mut state, true)? {
                    SaveOutcome::Written { serial } => Copied::Written { serial },
                    SaveOutcome::Unchanged => Copied::Unchanged,
                },
            }
        };
        out.push(Migrated { workspace, copied });
    }
    drop(guards);
    Ok(out)
}
