//! The plan's data: what happens to each object ([`Action`], [`ResourceChange`]), to each
//! output ([`OutputChange`]), and the [`Plan`] that holds them with their order.
//!
//! Invariants: plain data, no logic beyond counting and lookups; a [`Plan`]'s changes are
//! sorted by (address, deposed key), which [`Plan::change`] relies on.
//!
//! Depends on `model` (addresses, values, the evaluated configuration), `schema` and `diag`.

use crate::addr::{InstanceAddr, ResourceAddr, Target};
use crate::diag::Diagnostics;
use crate::model::config::Config;
use crate::model::refactor::{MoveStatement, RemoveStatement};
use crate::model::value::Value;
use crate::schema::ResourceSchema;

use super::order::ActionOrder;

/// How to plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// `--target`: plan only these (an address without key names every instance), plus what
    /// they depend on (and, for objects being deleted, what depends on them).
    pub targets: Vec<Target>,
    /// `--replace`: replace these even if nothing changed.
    pub replace: Vec<InstanceAddr>,
    /// `--destroy`: delete everything recorded.
    pub destroy: bool,
    /// Whether the objects were refreshed; when false the refreshed state is ignored and the
    /// recorded state stands for the real objects.
    pub refresh: bool,
    /// `--refresh-only`: plan no action; the plan is the drift, which `apply` records.
    pub refresh_only: bool,
    /// The configuration's `moved` blocks ([`crate::model::config::Config::moves`]): applied
    /// to the recorded states before planning (they must be known before the configuration
    /// is compared with the objects).
    pub moves: Vec<MoveStatement>,
    /// The configuration's `removed` blocks ([`crate::model::config::Config::removals`]).
    pub removals: Vec<RemoveStatement>,
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
    /// Read a data source during the apply (its configuration is not known at plan time, or
    /// something its `depends_on` names changes).
    Read,
    /// Stop managing the object without deleting it (a `removed` block with
    /// `destroy = false`): it leaves the state, nothing is called.
    Forget,
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
            Self::Read => &["read"],
            Self::Forget => &["forget"],
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
    /// A data source's configuration holds values known only after the apply.
    ReadBecauseConfigUnknown,
    /// Something a data source's `depends_on` names has changes pending.
    ReadBecauseDependencyPending,
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
            Self::ReadBecauseConfigUnknown => "read_because_config_unknown",
            Self::ReadBecauseDependencyPending => "read_because_dependency_pending",
        }
    }
}

/// The planned change of one resource instance (or, in [`Plan::drift`], a change made outside).
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceChange {
    /// The instance.
    pub addr: InstanceAddr,
    /// Its type's schema.
    pub schema: &'static ResourceSchema,
    /// What happens.
    pub action: Action,
    /// The object before (absent for a create): an object value, sensitive attributes marked.
    pub before: Option<Value>,
    /// The object after (absent for a delete): unknown where known only after apply.
    pub after: Option<Value>,
    /// Paths (`description`, `scopes.0.write_logs`) whose value changes, in schema order: for
    /// an update, exactly what the API call must change (the planner is the only place that
    /// decides what changed). Empty for no-ops, creates, deletes and drift.
    pub changed_paths: Vec<String>,
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
    /// The ID of the object an `import` block brings in at this address (read during the
    /// plan, recorded by the apply): the action is what makes it match the configuration.
    pub importing: Option<String>,
    /// The `resource` block `plan --generate-config-out` wrote for this imported object (which
    /// had no block): the plan was made with it (Terraform's `generated_config`).
    pub generated_config: Option<String>,
    /// The address the object was recorded at before `moved` blocks moved it (Terraform's
    /// `previous_address`); `None` when it did not move.
    pub previous: Option<InstanceAddr>,
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
    /// The data sources read during the plan, by instance (those deferred to the apply are
    /// `Read` changes instead).
    pub data: std::collections::BTreeMap<InstanceAddr, super::data::DataRead>,
    /// A problem was found while planning (for example `prevent_destroy`): the plan must not be
    /// applied, and `diagnostics` says why.
    pub errored: bool,
    /// Warnings (and, when `errored`, the errors) found while planning.
    pub diagnostics: Diagnostics,
    /// The objects `moved` blocks move (by their old and new addresses): the apply records
    /// them at their new addresses before anything else, with no API call.
    pub moved: Vec<super::moves::Moved>,
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
    /// How many objects the plan imports (Terraform's `N to import, ` before the counts).
    #[must_use]
    pub fn import_count(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| c.importing.is_some())
            .count()
    }

    /// Marks the changes of the objects `import` blocks bring in (read into the refreshed
    /// state before planning, so their action is whatever makes them match): `imports` maps
    /// each address to its ID. An imported object was not in state before, so it is not drift.
    pub fn mark_imports(&mut self, imports: &std::collections::BTreeMap<InstanceAddr, String>) {
        if imports.is_empty() {
            return;
        }
        for change in &mut self.changes {
            if change.deposed.is_none()
                && let Some(id) = imports.get(&change.addr)
            {
                change.importing = Some(id.clone());
            }
        }
        self.drift.retain(|d| !imports.contains_key(&d.addr));
    }

    /// Records the `resource` blocks generated for imported objects (by address) on their
    /// changes.
    pub fn mark_generated(&mut self, generated: &std::collections::BTreeMap<InstanceAddr, String>) {
        for change in &mut self.changes {
            if change.deposed.is_none()
                && let Some(block) = generated.get(&change.addr)
            {
                change.generated_config = Some(block.clone());
            }
        }
    }

    /// Terraform's `Plan: X to add, Y to change, Z to destroy.` numbers.
    #[must_use]
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for change in &self.changes {
            match change.action {
                Action::NoOp | Action::Read | Action::Forget => {}
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

    /// Whether the plan deletes or replaces anything (`--destructive-exitcode`).
    #[must_use]
    pub fn is_destructive(&self) -> bool {
        self.changes.iter().any(|c| c.action.is_destructive())
    }

    /// Whether applying would change anything: a resource action other than no-op, or a root
    /// output change (Terraform's `applyable`; `--detailed-exitcode` exits 2 when true). In
    /// `--refresh-only` mode: whether anything changed outside.
    #[must_use]
    pub fn has_changes(&self) -> bool {
        if self.options.refresh_only {
            return !self.drift.is_empty();
        }
        self.changes
            .iter()
            .any(|c| c.action != Action::NoOp || c.importing.is_some() || c.previous.is_some())
            || self.outputs.iter().any(|o| o.action != Action::NoOp)
    }

    /// The change of one instance's current object (deposed objects: [`Self::deposed_change`]).
    #[must_use]
    pub fn change(&self, addr: &InstanceAddr) -> Option<&ResourceChange> {
        // Changes are sorted by (address, deposed key) with the current object (no key) first,
        // so (address, has a key) is sorted too and (addr, false) appears at most once.
        self.changes
            .binary_search_by(|c| (&c.addr, c.deposed.is_some()).cmp(&(addr, false)))
            .ok()
            .map(|i| &self.changes[i])
    }

    /// The change of the deposed object `key` of an instance.
    #[must_use]
    pub fn deposed_change(&self, addr: &InstanceAddr, key: &str) -> Option<&ResourceChange> {
        self.changes
            .iter()
            .find(|c| c.addr == *addr && c.deposed.as_deref() == Some(key))
    }
}
