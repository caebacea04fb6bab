//! Recorded state: the Terraform state v4 document ([`State`]) and where it is kept.
//!
//! The layer is split as OpenTofu splits it:
//! - [`store::StateStore`] owns the lineage, serial and "unchanged" rules for every backend,
//!   checked on every save;
//! - a backend implements two small traits, [`storage::Storage`] (read, compare-and-swap
//!   write, delete, list workspaces, and the intent journal beside each state) and
//!   [`lock::Locker`] (one attempt: a guard or the holder); [`lock::wait_for_lock`] is the one
//!   waiting loop;
//! - [`backend::open`] is the one function that builds a backend from the configuration's
//!   `backend` block; nothing else names a concrete backend;
//! - [`crypto`] is the one place that encrypts and decrypts (OpenTofu's state and plan
//!   encryption), called by the store for every backend.
//!
//! Invariants: a saved state never goes backwards (its serial only grows and a state of another
//! lineage is never written over), a stored state is replaced whole (never half-written), and
//! one run at a time holds a workspace's lock.
//!
//! Depends on nothing above it (no `plan`, `apply` or `cli`; `diag` for configuration
//! diagnostics, `schema` for each type's schema version and state upgraders); it does I/O only in the backends. It never prints.

pub mod backend;
pub mod crypto;
mod document;
pub mod lock;
pub mod storage;
pub mod store;

use std::time::Duration;

pub use crate::addr::{InstanceAddr, InstanceKey, Mode, ModuleAddr, ResourceAddr};
pub use backend::Backend;
pub use document::{
    EachMode, Extra, InstanceState, Lineage, OutputState, PathStep, ResourceState,
    SCALEWAY_PROVIDER, SCWFORM_VERSION, SCWFORM_VERSION_FIELD, STATE_VERSION, State,
    TERRAFORM_VERSION,
};
pub use lock::{Holder, LockGuard, LockInfo};
pub use storage::DEFAULT_WORKSPACE;
pub use store::StateStore;

/// Everything that can go wrong reading, writing or locking state.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// A file operation failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What we were doing (`read`, `write`, `lock`...).
        action: &'static str,
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// A remote backend could not be reached or answered with an error.
    #[error("{backend}: cannot {action}: {message}")]
    Remote {
        /// The backend (`pg`...), and where.
        backend: String,
        /// What we were doing.
        action: String,
        /// What went wrong.
        message: String,
    },
    /// The stored document is not a state.
    #[error("{path} is not a valid state file: {message}")]
    Parse {
        /// The file.
        path: String,
        /// What the JSON reader said.
        message: String,
    },
    /// A state format version other than 4.
    #[error("{path} uses state format version {found}; scwform reads and writes version 4 only")]
    UnsupportedVersion {
        /// The file.
        path: String,
        /// The version found (or `none`).
        found: String,
    },
    /// An object recorded by a newer provider than scwform knows.
    #[error(
        "{path}: {address} is recorded at schema version {found}, newer than the version {current} scwform knows for its type"
    )]
    NewerSchemaVersion {
        /// The state.
        path: String,
        /// The instance.
        address: String,
        /// The version recorded.
        found: u64,
        /// The version scwform writes.
        current: u64,
    },
    /// An object recorded at an older schema version that the provider's upgrader refuses.
    #[error("{path}: cannot upgrade {address} from schema version {from}: {message}")]
    Upgrade {
        /// The state.
        path: String,
        /// The instance.
        address: String,
        /// The version recorded.
        from: u64,
        /// Why.
        message: String,
    },
    /// The same resource, instance or deposed object is recorded twice.
    #[error("{path} records {address} more than once")]
    Duplicate {
        /// The file.
        path: String,
        /// The address recorded twice (with the deposed key, if any).
        address: String,
    },
    /// Another run holds the lock.
    #[error("the state {path} is locked: {holder}")]
    Locked {
        /// The state.
        path: String,
        /// Who holds the lock, as far as the backend knows.
        holder: Holder,
    },
    /// The lock stayed taken for the whole wait.
    #[error("the state {path} is still locked after waiting {waited:?}: {holder}")]
    LockTimeout {
        /// The state.
        path: String,
        /// The last holder seen.
        holder: Holder,
        /// How long we waited.
        waited: Duration,
    },
    /// `force-unlock` of a state nobody holds.
    #[error("the state {path} is not locked")]
    NotLocked {
        /// The state.
        path: String,
    },
    /// `force-unlock` with an ID that is not the holder's.
    #[error("the lock of {path} has another ID: {holder}")]
    LockIdMismatch {
        /// The state.
        path: String,
        /// Who holds the lock.
        holder: Holder,
    },
    /// `force-unlock` where the backend cannot release another process's lock.
    #[error("cannot force-unlock {path}: {reason}")]
    CannotForceUnlock {
        /// The state.
        path: String,
        /// Why, and what to do instead.
        reason: String,
    },
    /// Saving would overwrite a different state.
    #[error(
        "refusing to overwrite {path}: it holds lineage {on_disk}, but the state being saved has lineage {ours}"
    )]
    LineageMismatch {
        /// The state.
        path: String,
        /// Lineage found in the storage.
        on_disk: Lineage,
        /// Lineage of the state being saved.
        ours: Lineage,
    },
    /// Saving would go back to an older serial: someone else wrote a newer state meanwhile.
    #[error(
        "refusing to overwrite {path}: it is at serial {on_disk}, newer than the serial {ours} this run started from"
    )]
    StaleSerial {
        /// The state.
        path: String,
        /// Serial found in the storage.
        on_disk: u64,
        /// Serial of the state being saved.
        ours: u64,
    },
    /// Other writers kept changing the state while a save tried to land.
    #[error("cannot save {path}: other runs kept changing it")]
    KeepsChanging {
        /// The state.
        path: String,
    },
    /// `init -migrate-state`: the new backend already holds another state for a workspace.
    #[error(
        "the new backend already holds a different state for workspace {workspace:?} at {path} (lineage {lineage}, serial {serial})"
    )]
    MigrationConflict {
        /// The workspace.
        workspace: String,
        /// Where the destination's state is.
        path: String,
        /// The destination state's lineage.
        lineage: Lineage,
        /// The destination state's serial.
        serial: u64,
    },
    /// A workspace name that cannot be used.
    #[error("invalid workspace name {name:?}: {reason}")]
    InvalidWorkspace {
        /// The name given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A workspace that does not exist.
    #[error("workspace {name:?} does not exist")]
    NoSuchWorkspace {
        /// The name given.
        name: String,
    },
    /// A workspace that exists already.
    #[error("workspace {name:?} already exists")]
    WorkspaceExists {
        /// The name given.
        name: String,
    },
    /// The state could not be encrypted or decrypted (a wrong passphrase...).
    #[error("{path}: {source}")]
    Crypto {
        /// The state.
        path: String,
        /// What went wrong.
        source: crypto::CryptoError,
    },
    /// Nothing in the state has this address.
    #[error("no resource instance {address} in the state")]
    NoSuchAddress {
        /// The address given.
        address: String,
    },
    /// The destination of a move is taken.
    #[error("the state already has {address}")]
    AddressTaken {
        /// The destination.
        address: String,
    },
    /// A move between resource types.
    #[error("cannot move {from} to {to}: the resource type (or mode) differs")]
    TypeMismatch {
        /// The source.
        from: String,
        /// The destination.
        to: String,
    },
}

impl StateError {
    /// The diagnostic code, `scw::state::<kind>` (each listed in `docs/errors.md`).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io { .. } => "scw::state::io",
            Self::Remote { .. } => "scw::state::remote",
            Self::Parse { .. } => "scw::state::parse",
            Self::UnsupportedVersion { .. } => "scw::state::version",
            Self::NewerSchemaVersion { .. } => "scw::state::schema_version",
            Self::Upgrade { .. } => "scw::state::upgrade",
            Self::Duplicate { .. } => "scw::state::duplicate",
            Self::Locked { .. } => "scw::state::locked",
            Self::LockTimeout { .. } => "scw::state::lock_timeout",
            Self::NotLocked { .. } => "scw::state::not_locked",
            Self::LockIdMismatch { .. } => "scw::state::lock_id",
            Self::CannotForceUnlock { .. } => "scw::state::force_unlock",
            Self::LineageMismatch { .. } => "scw::state::lineage",
            Self::StaleSerial { .. } => "scw::state::stale",
            Self::KeepsChanging { .. } => "scw::state::conflict",
            Self::MigrationConflict { .. } => "scw::state::migration_conflict",
            Self::InvalidWorkspace { .. } => "scw::state::workspace_name",
            Self::NoSuchWorkspace { .. } => "scw::state::no_workspace",
            Self::WorkspaceExists { .. } => "scw::state::workspace_exists",
            Self::Crypto { source, .. } => source.code(),
            Self::NoSuchAddress { .. } => "scw::state::not_found",
            Self::AddressTaken { .. } => "scw::state::address_taken",
            Self::TypeMismatch { .. } => "scw::state::type_mismatch",
        }
    }

    /// What to do about it, when there is something to say.
    #[must_use]
    pub fn help(&self) -> Option<&'static str> {
        if let Self::Crypto { source, .. } = self {
            return source.help();
        }
        Some(match self {
            Self::Parse { .. } => {
                "restore the previous version (the `.backup` file beside a local state) if it was damaged"
            }
            Self::UnsupportedVersion { .. } => {
                "Terraform 0.12 and later write version 4; upgrade older states with Terraform first"
            }
            Self::NewerSchemaVersion { .. } => {
                "a newer Terraform provider wrote this object; upgrade scwform to a release that knows its schema version"
            }
            Self::Upgrade { .. } => {
                "the object was edited by hand or damaged; restore the previous version, or forget it with `scwform state rm`"
            }
            Self::Duplicate { .. } => {
                "the file was edited by hand or damaged; restore the previous version, or remove the extra entry by hand (scwform never writes such a file back)"
            }
            Self::Locked { .. } => {
                "wait for that run to finish, or pass --lock-timeout to wait for it"
            }
            Self::LockIdMismatch { .. } => "pass the lock ID the message names",
            Self::LineageMismatch { .. } => {
                "these are two unrelated states; choose another state location or remove the old state deliberately"
            }
            Self::StaleSerial { .. } | Self::KeepsChanging { .. } => {
                "another run changed the state; run the command again so it starts from the new state"
            }
            Self::MigrationConflict { .. } => {
                "nothing was copied; pass -force-copy to overwrite the new backend's states, or -reconfigure to use them and ignore the old backend"
            }
            Self::NoSuchWorkspace { .. } => {
                "`scwform workspace list` shows the workspaces; `scwform workspace new NAME` creates one"
            }
            _ => return None,
        })
    }
}

/// What a save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    /// The content changed; the state was written with this serial.
    Written {
        /// The new serial.
        serial: u64,
    },
    /// The stored state already had this content; nothing was written.
    Unchanged,
}
