//! The small traits a backend implements to keep states: [`Storage`] (the bytes of each
//! workspace's state, replaced only if they are still what the caller last saw) and
//! [`JournalLog`] (the intent journal of one workspace).
//!
//! Storage knows nothing of what the bytes mean: lineage, serial and "did anything change"
//! are decided once, for every backend, by [`StateStore`](super::StateStore), and encryption
//! happens there too. A storage only promises compare-and-swap on an opaque [`Version`].
//!
//! Invariants: [`Storage::write`] never replaces bytes whose version is not the expected one
//! (it answers [`Written::Conflict`] instead); a reader sees a whole old or a whole new state,
//! never a mix.
//!
//! Depends on nothing above `state`.

use std::fmt;
use std::io;

use super::StateError;

/// The name of the workspace every backend has and that cannot be deleted.
pub const DEFAULT_WORKSPACE: &str = "default";

/// An opaque token naming one stored version of a state (a file's identity and time, a
/// database row's version). Two reads of unchanged bytes give equal versions.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Version(String);

impl Version {
    /// A version made by a storage from whatever identifies its versions.
    #[must_use]
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Version({})", self.0)
    }
}

/// A workspace's stored bytes and their version.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The bytes as kept (a state document, or an encrypted envelope).
    pub bytes: Vec<u8>,
    /// Their version.
    pub version: Version,
}

/// What a conditional write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// The bytes were stored; this is their new version.
    Done(Version),
    /// Nothing was written: the stored version is not the expected one (someone else wrote).
    Conflict,
}

/// Where a backend keeps the states of its workspaces.
pub trait Storage: Send + Sync {
    /// The stored bytes of `workspace`'s state, `None` when it has none.
    ///
    /// # Errors
    /// The storage cannot be read.
    fn read(&self, workspace: &str) -> Result<Option<Stored>, StateError>;

    /// Replaces `workspace`'s state with `bytes` if its stored version is still `expected`
    /// (`None`: nothing is stored).
    ///
    /// # Errors
    /// The storage cannot be written; what was stored stays as it was.
    fn write(
        &self,
        workspace: &str,
        bytes: &[u8],
        expected: Option<&Version>,
    ) -> Result<Written, StateError>;

    /// Forgets `workspace` and its state.
    ///
    /// # Errors
    /// The storage cannot be written.
    fn delete(&self, workspace: &str) -> Result<(), StateError>;

    /// Every workspace with a stored state, and always [`DEFAULT_WORKSPACE`] first, the others
    /// sorted by name.
    ///
    /// # Errors
    /// The storage cannot be read.
    fn workspaces(&self) -> Result<Vec<String>, StateError>;

    /// Where `workspace`'s state is, for messages (a path, a database table and row).
    fn location(&self, workspace: &str) -> String;

    /// The intent journal of `workspace`, kept beside its state.
    ///
    /// # Errors
    /// The journal cannot be reached.
    fn journal(&self, workspace: &str) -> Result<Box<dyn JournalLog>, StateError>;
}

/// The append-only intent journal of one workspace: one line per entry, entries of earlier
/// runs readable until the run that reported them retires them.
pub trait JournalLog: Send + Sync {
    /// Appends one entry (a line without its newline), in one write: an entry is either
    /// wholly there or not at all.
    ///
    /// # Errors
    /// The entry could not be written.
    fn append(&self, line: &str) -> io::Result<()>;

    /// Every entry written and not yet retired or cleared, in order.
    ///
    /// # Errors
    /// The journal cannot be read.
    fn entries(&self) -> io::Result<Vec<String>>;

    /// Moves the entries read so far out of the way (kept for people to look at where the
    /// backend can), so that they are reported once.
    ///
    /// # Errors
    /// The journal cannot be changed.
    fn retire(&self) -> io::Result<()>;

    /// Removes every entry: the run ended with everything recorded in the state.
    ///
    /// # Errors
    /// The journal cannot be changed.
    fn clear(&self) -> io::Result<()>;

    /// Makes every appended entry durable.
    ///
    /// # Errors
    /// The journal cannot be synced.
    fn sync(&self) -> io::Result<()>;

    /// Where the journal is, for messages.
    fn location(&self) -> String;
}
