//! State locks: who holds one ([`LockInfo`], [`Holder`]), the small trait every backend
//! implements ([`Locker`]: one attempt, a guard or the holder), and the one waiting loop all
//! backends share ([`wait_for_lock`], behind `--lock-timeout`).
//!
//! Invariants: a [`LockGuard`] releases its lock when dropped, and only then; a failed attempt
//! always says who holds the lock, as far as the backend knows; waiting is the same loop for
//! every backend (poll, then fail with [`StateError::LockTimeout`] naming the last holder seen).
//!
//! Depends on nothing above `state`; does no I/O itself (the backends do).

use std::fmt;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::StateError;

/// The person and process that hold a lock, as recorded beside it (Terraform's lock info JSON,
/// with a `Pid` added).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    /// Unique lock identifier (a UUID), the argument of `force-unlock`.
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
    /// A holder that described itself (scwform, or Terraform's local lock info file).
    Known(Box<LockInfo>),
    /// A holder known only from the outside, e.g. a PostgreSQL session holding Terraform's
    /// advisory lock: what could be seen of it, and the ID `force-unlock` takes for it, if
    /// any.
    Seen {
        /// What could be seen of it.
        description: String,
        /// The ID `force-unlock` takes for it.
        id: Option<String>,
    },
    /// A holder that has not described itself (it may be writing its info right now).
    Unknown,
}

impl Holder {
    /// The lock ID, when the holder recorded one.
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::Known(info) => Some(&info.id),
            Self::Seen { id, .. } => id.as_deref(),
            Self::Unknown => None,
        }
    }
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Known(info) => write!(
                f,
                "held by {} (pid {}) for `{}` since {}, lock id {}",
                info.who, info.pid, info.operation, info.created, info.id
            ),
            Self::Seen {
                description,
                id: Some(id),
            } => write!(f, "held by {description}, lock id {id}"),
            Self::Seen {
                description,
                id: None,
            } => write!(f, "held by {description}"),
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

/// The outcome of one attempt to lock.
#[derive(Debug)]
pub enum TryLock {
    /// The lock is ours until the guard is dropped.
    Acquired(LockGuard),
    /// Someone else holds it.
    Held(Holder),
}

/// A backend's exclusive lock, one per workspace.
pub trait Locker: Send + Sync {
    /// Tries once to take the lock of `workspace`, recording `info` beside it.
    ///
    /// # Errors
    /// The lock cannot be reached (I/O, connection); a lock held by someone else is
    /// [`TryLock::Held`], not an error.
    fn try_lock(&self, workspace: &str, info: &LockInfo) -> Result<TryLock, StateError>;

    /// Who holds the lock of `workspace` now, or `None` when it is free.
    ///
    /// # Errors
    /// As [`Locker::try_lock`].
    fn holder(&self, workspace: &str) -> Result<Option<Holder>, StateError>;

    /// Releases a lock held by another run (`force-unlock ID`): only when `id` is the holder's
    /// lock ID, and only where the backend can do it safely.
    ///
    /// # Errors
    /// [`StateError::NotLocked`], [`StateError::LockIdMismatch`],
    /// [`StateError::CannotForceUnlock`], or the backend's own errors.
    fn force_unlock(&self, workspace: &str, id: &str) -> Result<(), StateError>;
}

/// How often [`wait_for_lock`] tries again by default.
pub const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Takes the lock of `workspace`: at once, or by trying again every `poll` until `timeout` has
/// passed (a zero timeout fails at once). `location` names the state in messages.
///
/// # Errors
/// [`StateError::Locked`] (zero timeout) or [`StateError::LockTimeout`], both naming the
/// holder; the backend's errors.
pub fn wait_for_lock(
    locker: &dyn Locker,
    workspace: &str,
    location: &str,
    info: &LockInfo,
    timeout: Duration,
    poll: Duration,
) -> Result<LockGuard, StateError> {
    let start = Instant::now();
    loop {
        let holder = match locker.try_lock(workspace, info)? {
            TryLock::Acquired(guard) => return Ok(guard),
            TryLock::Held(holder) => holder,
        };
        let path = location.to_owned();
        if timeout.is_zero() {
            return Err(StateError::Locked { path, holder });
        }
        let waited = start.elapsed();
        let Some(left) = timeout.checked_sub(waited).filter(|d| !d.is_zero()) else {
            return Err(StateError::LockTimeout {
                path,
                holder,
                waited,
            });
        };
        std::thread::sleep(poll.min(left));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A lock that is busy for a given number of attempts.
    struct Busy(Mutex<u32>);

    impl Locker for Busy {
        fn try_lock(&self, _: &str, info: &LockInfo) -> Result<TryLock, StateError> {
            let mut left = self.0.lock().expect("not poisoned");
            if *left == 0 {
                return Ok(TryLock::Acquired(LockGuard::new(
                    info.clone(),
                    Box::new(()),
                )));
            }
            *left -= 1;
            Ok(TryLock::Held(Holder::Seen {
                description: "a test".into(),
                id: None,
            }))
        }
        fn holder(&self, _: &str) -> Result<Option<Holder>, StateError> {
            Ok(None)
        }
        fn force_unlock(&self, _: &str, _: &str) -> Result<(), StateError> {
            Ok(())
        }
    }

    #[test]
    fn waiting_retries_until_free_or_times_out() {
        let info = LockInfo::for_current_process("plan");
        let poll = Duration::from_millis(1);
        let busy = Busy(Mutex::new(3));
        let error = wait_for_lock(&busy, "default", "here", &info, Duration::ZERO, poll)
            .expect_err("no waiting");
        assert_eq!(
            error.to_string(),
            "the state here is locked: held by a test"
        );
        let guard = wait_for_lock(
            &busy,
            "default",
            "here",
            &info,
            Duration::from_secs(5),
            poll,
        )
        .expect("free after a few tries");
        assert_eq!(guard.info().operation, "plan");
        let forever = Busy(Mutex::new(u32::MAX));
        let error = wait_for_lock(
            &forever,
            "default",
            "here",
            &info,
            Duration::from_millis(20),
            poll,
        )
        .expect_err("times out");
        assert!(matches!(error, StateError::LockTimeout { .. }), "{error:?}");
    }
}
