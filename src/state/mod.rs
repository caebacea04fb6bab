//! Recorded state: the Terraform state v4 document ([`State`]) and where it is kept
//! ([`StateBackend`], with the local file backend [`LocalBackend`]).
//!
//! Invariants: a saved state never goes backwards (its serial only grows and a state of another
//! lineage is never written over), a state file is replaced atomically (never half-written), and
//! one run at a time holds a backend's lock.
//!
//! Depends on nothing above it (no `plan`, `apply` or `cli`); it does file I/O only in
//! [`local`]. It never prints.

mod address;
mod document;
pub mod local;

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use address::{IndexKey, InstanceAddr, Mode, ResourceAddr};
pub use document::{
    EachMode, Extra, InstanceState, Lineage, OutputState, PathStep, ResourceState,
    SCALEWAY_PROVIDER, STATE_VERSION, State, WRITER_VERSION,
};
pub use local::LocalBackend;

/// Everything that can go wrong reading, writing or locking state.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum StateError {
    /// A file operation failed.
    #[error("cannot {action} {path}: {source}")]
    #[diagnostic(code(scw::state::io))]
    Io {
        /// What we were doing (`read`, `write`, `lock`...).
        action: &'static str,
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not a state document.
    #[error("{path} is not a valid state file: {message}")]
    #[diagnostic(
        code(scw::state::parse),
        help("restore the previous version from the `.backup` file beside it if it was damaged")
    )]
    Parse {
        /// The file.
        path: String,
        /// What the JSON reader said.
        message: String,
    },
    /// A state format version other than 4.
    #[error("{path} uses state format version {found}; scwform reads and writes version 4 only")]
    #[diagnostic(
        code(scw::state::version),
        help(
            "Terraform 0.12 and later write version 4; upgrade older states with Terraform first"
        )
    )]
    UnsupportedVersion {
        /// The file.
        path: String,
        /// The version found (or `none`).
        found: String,
    },
    /// Another run holds the lock.
    #[error("the state {path} is locked: {holder}")]
    #[diagnostic(
        code(scw::state::locked),
        help("wait for that run to finish, or pass --lock-timeout to wait for it")
    )]
    Locked {
        /// The state file.
        path: String,
        /// Who holds the lock, as far as its info file says.
        holder: Holder,
    },
    /// The lock stayed taken for the whole wait.
    #[error("the state {path} is still locked after waiting {waited:?}: {holder}")]
    #[diagnostic(code(scw::state::lock_timeout))]
    LockTimeout {
        /// The state file.
        path: String,
        /// The last holder seen.
        holder: Holder,
        /// How long we waited.
        waited: Duration,
    },
    /// Saving would overwrite a different state.
    #[error(
        "refusing to overwrite {path}: it holds lineage {on_disk}, but the state being saved has lineage {ours}"
    )]
    #[diagnostic(
        code(scw::state::lineage),
        help(
            "these are two unrelated states; choose another state path or remove the old file deliberately"
        )
    )]
    LineageMismatch {
        /// The state file.
        path: String,
        /// Lineage found in the file.
        on_disk: Lineage,
        /// Lineage of the state being saved.
        ours: Lineage,
    },
    /// Saving would go back to an older serial: someone else wrote a newer state meanwhile.
    #[error(
        "refusing to overwrite {path}: it is at serial {on_disk}, newer than the serial {ours} this run started from"
    )]
    #[diagnostic(
        code(scw::state::stale),
        help(
            "another run changed the state; run the command again so it starts from the new state"
        )
    )]
    StaleSerial {
        /// The state file.
        path: String,
        /// Serial found in the file.
        on_disk: u64,
        /// Serial of the state being saved.
        ours: u64,
    },
    /// A malformed resource address.
    #[error("invalid resource address {address:?}")]
    #[diagnostic(
        code(scw::state::address),
        help("addresses look like TYPE.NAME, TYPE.NAME[0] or TYPE.NAME[\"key\"]")
    )]
    InvalidAddress {
        /// The text given.
        address: String,
    },
    /// Nothing in the state has this address.
    #[error("no resource instance {address} in the state")]
    #[diagnostic(code(scw::state::not_found))]
    NoSuchAddress {
        /// The address given.
        address: String,
    },
    /// The destination of a move is taken.
    #[error("the state already has {address}")]
    #[diagnostic(code(scw::state::address_taken))]
    AddressTaken {
        /// The destination.
        address: String,
    },
    /// A move between resource types.
    #[error("cannot move {from} to {to}: the resource type (or mode) differs")]
    #[diagnostic(code(scw::state::type_mismatch))]
    TypeMismatch {
        /// The source.
        from: String,
        /// The destination.
        to: String,
    },
}

/// The person and process that hold a lock, as recorded in the lock's info file (Terraform's
/// lock info JSON, with a `Pid` added).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    /// Unique lock identifier (a UUID).
    #[serde(rename = "ID")]
    pub id: String,
    /// The command that took it (`plan`, `apply`, `state mv`...).
    #[serde(rename = "Operation")]
    pub operation: String,
    /// Free text.
    #[serde(rename = "Info", default)]
    pub info: String,
    /// `user@host`.
    #[serde(rename = "Who")]
    pub who: String,
    /// The holder's process id.
    #[serde(rename = "Pid", default)]
    pub pid: u32,
    /// The holder's version.
    #[serde(rename = "Version")]
    pub version: String,
    /// When the lock was taken (RFC 3339).
    #[serde(rename = "Created")]
    pub created: jiff::Timestamp,
    /// The state the lock guards.
    #[serde(rename = "Path", default)]
    pub path: String,
}

impl LockInfo {
    /// Info for the current process taking a lock for `operation`.
    ///
    /// `who` is `$USER@hostname` (with fallbacks), the same idea as Terraform's lock info.
    #[must_use]
    pub fn for_current_process(operation: impl Into<String>) -> Self {
        let user = ["USER", "LOGNAME", "USERNAME"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| "unknown".to_owned());
        let host = ["/proc/sys/kernel/hostname", "/etc/hostname"]
            .iter()
            .find_map(|p| std::fs::read_to_string(p).ok())
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .or_else(|| std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()))
            .unwrap_or_else(|| "localhost".to_owned());
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            operation: operation.into(),
            info: String::new(),
            who: format!("{user}@{host}"),
            pid: std::process::id(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            created: jiff::Timestamp::now(),
            path: String::new(),
        }
    }
}

/// What we know about the holder of a lock we could not take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// Its info file was readable.
    Known(Box<LockInfo>),
    /// Its info file was empty or unreadable (the holder may be writing it right now).
    Unknown,
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Known(info) => write!(
                f,
                "held by {} (pid {}) for `{}` since {}, lock id {}",
                info.who, info.pid, info.operation, info.created, info.id
            ),
            Self::Unknown => f.write_str("held by another process that has not described itself"),
        }
    }
}

/// A held lock; dropping it releases the lock.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct LockGuard {
    info: LockInfo,
    // The backend-specific handle; its own `Drop` releases the lock.
    _held: Box<dyn Send + Sync>,
}

impl LockGuard {
    /// Wraps a backend's handle, which must release the lock when dropped.
    pub fn new(info: LockInfo, held: Box<dyn Send + Sync>) -> Self {
        Self { info, _held: held }
    }

    /// What was recorded about this lock.
    #[must_use]
    pub fn info(&self) -> &LockInfo {
        &self.info
    }
}

impl fmt::Debug for LockGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockGuard")
            .field("info", &self.info)
            .finish_non_exhaustive()
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

/// Where a state is kept.
pub trait StateBackend {
    /// Reads the stored state; `None` when there is none yet.
    ///
    /// # Errors
    /// I/O, parse and version errors.
    fn load(&self) -> Result<Option<State>, StateError>;

    /// Takes the backend's exclusive lock for a whole run. Without `wait` (or with a zero wait)
    /// it fails at once when the lock is taken; otherwise it polls until `wait` has passed.
    ///
    /// # Errors
    /// [`StateError::Locked`], [`StateError::LockTimeout`], or I/O errors.
    fn lock(&self, info: LockInfo, wait: Option<Duration>) -> Result<LockGuard, StateError>;

    /// Stores `state` if its content differs from what is stored, bumping its serial (the new
    /// serial is written back into `state`).
    ///
    /// # Errors
    /// [`StateError::LineageMismatch`] and [`StateError::StaleSerial`] refuse unsafe writes; I/O
    /// errors leave the stored state as it was.
    fn save(&self, state: &mut State) -> Result<SaveOutcome, StateError>;

    /// [`StateBackend::save`] for a state the caller no longer needs (a snapshot), which the
    /// backend may keep instead of copying; returns the outcome and the state's serial after
    /// the save.
    ///
    /// # Errors
    /// As [`StateBackend::save`].
    fn save_owned(&self, mut state: State) -> Result<(SaveOutcome, u64), StateError> {
        let outcome = self.save(&mut state)?;
        Ok((outcome, state.serial))
    }
}
