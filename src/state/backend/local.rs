//! The `local` backend: each workspace's state is a JSON file on this machine.
//!
//! Layout, as Terraform's local backend: the default workspace's state is `path` (default
//! `terraform.tfstate`; without any backend block scwform keeps its historical
//! `scwform.tfstate`), and workspace `NAME`'s is `<workspace_dir>/NAME/terraform.tfstate`
//! (default `terraform.tfstate.d`). Beside each state: `<state>.backup`, `<state>.lock.info`
//! (the lock) and `<state>.journal` (the intent journal).
//!
//! Invariants:
//! - A state file is only ever replaced by renaming a fully written and fsynced temporary file
//!   of the same directory over it, so readers see the old or the new content, never a mix.
//! - A state reached through a symbolic link is read, written, locked and journaled at the
//!   link's target: two paths to one state share one lock, and a write never replaces the link.
//! - The first write of a workspace by a backend first keeps the file it replaces as
//!   `<state>.backup` (so the backup is the state from before the run).
//! - Files are created with mode 0600: states hold secrets.
//! - The lock is an OS lock (`File::try_lock`) on the sidecar `<state>.lock.info`, never on the
//!   state file itself: the atomic rename swaps the state file's inode, so a lock on it would
//!   guard nothing. The sidecar carries the holder's [`LockInfo`] for messages. The OS drops
//!   the lock when its holder dies, so a crash leaves at most a stale info file that the next
//!   run takes over.
//! - A write happens only if the file is still the one last read or written (same inode,
//!   size and modification time): someone else's write is a [`Written::Conflict`].
//!
//! Uses blocking file I/O; async callers wrap it in `spawn_blocking`.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::Settings;
use crate::state::StateError;
use crate::state::lock::{Holder, LockGuard, LockInfo, Locker, TryLock};
use crate::state::storage::{DEFAULT_WORKSPACE, JournalLog, Storage, Stored, Version, Written};

/// Terraform's default state file name.
pub const DEFAULT_STATE_FILE: &str = "terraform.tfstate";

/// Terraform's default directory of non-default workspaces.
pub const DEFAULT_WORKSPACE_DIR: &str = "terraform.tfstate.d";

/// The `local` backend's settings, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalConfig {
    /// The default workspace's state file.
    pub path: PathBuf,
    /// The directory of the other workspaces' directories.
    pub workspace_dir: PathBuf,
}

impl LocalConfig {
    /// A configuration keeping the default workspace's state at `path`, with Terraform's
    /// workspace directory beside it.
    #[must_use]
    pub fn at(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let workspace_dir = parent_dir(&path).join(DEFAULT_WORKSPACE_DIR);
        Self {
            path,
            workspace_dir,
        }
    }

    pub(super) fn from_settings(settings: &mut Settings<'_>, dir: &Path) -> Self {
        let path = settings
            .string("path")
            .unwrap_or_else(|| DEFAULT_STATE_FILE.to_owned());
        let workspace_dir = settings
            .string("workspace_dir")
            .unwrap_or_else(|| DEFAULT_WORKSPACE_DIR.to_owned());
        for (name, value) in [("path", &path), ("workspace_dir", &workspace_dir)] {
            if value.is_empty() {
                settings.problem(
                    name,
                    format!("\"{name}\" of the \"local\" backend cannot be empty"),
                );
            }
        }
        Self {
            path: dir.join(path),
            workspace_dir: dir.join(workspace_dir),
        }
    }
}

/// States kept in local files.
#[derive(Debug)]
pub struct LocalStorage {
    config: LocalConfig,
    // Workspaces whose backup this storage wrote already, so that later saves of the same run
    // keep the backup of the state as it was before the run (as Terraform does).
    backed_up: Mutex<HashSet<PathBuf>>,
}

impl LocalStorage {
    /// A storage with this layout.
    #[must_use]
    pub fn new(config: LocalConfig) -> Self {
        Self {
            config,
            backed_up: Mutex::new(HashSet::new()),
        }
    }

    /// The state file of `workspace`, as configured (before following links).
    #[must_use]
    pub fn path(&self, workspace: &str) -> PathBuf {
        if workspace == DEFAULT_WORKSPACE {
            self.config.path.clone()
        } else {
            self.config
                .workspace_dir
                .join(workspace)
                .join(DEFAULT_STATE_FILE)
        }
    }

    /// The state file of `workspace` with symbolic links followed: where it is really read,
    /// written, locked and journaled.
    #[must_use]
    pub fn resolved(&self, workspace: &str) -> PathBuf {
        resolve(&self.path(workspace))
    }

    /// The lock file of `workspace`: `<state>.lock.info`.
    #[must_use]
    pub fn lock_path(&self, workspace: &str) -> PathBuf {
        sibling(&self.resolved(workspace), ".lock.info")
    }

    /// The backup file of `workspace`: `<state>.backup`.
    #[must_use]
    pub fn backup_path(&self, workspace: &str) -> PathBuf {
        sibling(&self.resolved(workspace), ".backup")
    }

    /// The journal file of `workspace`: `<state>.journal`.
    #[must_use]
    pub fn journal_path(&self, workspace: &str) -> PathBuf {
        sibling(&self.resolved(workspace), ".journal")
    }

    /// The info recorded in `workspace`'s lock file, if it holds any (whether or not the lock
    /// is held).
    #[must_use]
    pub fn lock_info(&self, workspace: &str) -> Option<LockInfo> {
        let text = fs::read_to_string(self.lock_path(workspace)).ok()?;
        serde_json::from_str(&text).ok()
    }

    fn try_lock_once(&self, workspace: &str, info: &LockInfo) -> Result<Attempt, StateError> {
        let lock_path = self.lock_path(workspace);
        if let Some(parent) = lock_path.parent()
            && !parent.as_os_str().is_empty()
        {
            fs::create_dir_all(parent)
                .map_err(|e| io_error("create the directory of", &lock_path, e))?;
        }
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        restrict_mode(&mut options);
        let mut file = options
            .open(&lock_path)
            .map_err(|e| io_error("open the lock file", &lock_path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Ok(Attempt::Busy(read_holder(&mut file)));
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(io_error("lock", &lock_path, e));
            }
        }
        // The previous holder deletes the lock file on release. If that happened between our
        // open and our lock, we locked an orphaned inode that nobody else will ever look at:
        // start over with whatever the path names now.
        if !still_at_path(&file, &lock_path) {
            return Ok(Attempt::Raced);
        }
        let mut text =
            serde_json::to_string_pretty(info).expect("lock info is plain strings and numbers");
        text.push('\n');
        let write = file
            .set_len(0)
            .and_then(|()| file.write_all(text.as_bytes()))
            .and_then(|()| file.sync_all());
        if let Err(e) = write {
            return Err(io_error("write the lock file", &lock_path, e));
        }
        Ok(Attempt::Acquired(LockGuard::new(
            info.clone(),
            Box::new(LocalLock {
                file,
                path: lock_path,
            }),
        )))
    }
}

fn io_error(action: &'static str, path: &Path, source: io::Error) -> StateError {
    StateError::Io {
        action,
        path: path.display().to_string(),
        source,
    }
}

fn read_holder(file: &mut File) -> Holder {
    let mut text = String::new();
    match file.read_to_string(&mut text) {
        Ok(_) => serde_json::from_str::<LockInfo>(&text)
            .map_or(Holder::Unknown, |i| Holder::Known(Box::new(i))),
        Err(_) => Holder::Unknown,
    }
}

enum Attempt {
    Acquired(LockGuard),
    Busy(Holder),
    Raced,
}

/// An OS lock on the lock file; released (and the file removed) on drop.
struct LocalLock {
    file: File,
    path: PathBuf,
}

impl Drop for LocalLock {
    fn drop(&mut self) {
        // Remove the file while still holding the lock, so nobody can lock this path's inode
        // and then see it vanish; waiters holding the old inode notice it is orphaned and retry.
        if still_at_path(&self.file, &self.path) {
            let _ = fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

impl Locker for LocalStorage {
    fn try_lock(&self, workspace: &str, info: &LockInfo) -> Result<TryLock, StateError> {
        loop {
            match self.try_lock_once(workspace, info)? {
                Attempt::Acquired(guard) => return Ok(TryLock::Acquired(guard)),
                Attempt::Busy(holder) => return Ok(TryLock::Held(holder)),
                Attempt::Raced => {}
            }
        }
    }

    fn holder(&self, workspace: &str) -> Result<Option<Holder>, StateError> {
        let lock_path = self.lock_path(workspace);
        let mut file = match OpenOptions::new().read(true).write(true).open(&lock_path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error("open the lock file", &lock_path, e)),
        };
        match file.try_lock() {
            // Free: the info file (if any) is stale.
            Ok(()) => {
                let _ = file.unlock();
                Ok(None)
            }
            Err(fs::TryLockError::WouldBlock) => Ok(Some(read_holder(&mut file))),
            Err(fs::TryLockError::Error(e)) => Err(io_error("lock", &lock_path, e)),
        }
    }

    fn force_unlock(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        let path = self.resolved(workspace).display().to_string();
        let Some(holder) = self.holder(workspace)? else {
            return Err(StateError::NotLocked { path });
        };
        if holder.id() != Some(id) {
            return Err(StateError::LockIdMismatch { path, holder });
        }
        Err(StateError::CannotForceUnlock {
            path,
            reason: format!(
                "a local state's lock is an operating-system lock of a running process, released only when it ends ({holder}); stop that process and the lock goes with it"
            ),
        })
    }
}

impl Storage for LocalStorage {
    fn read(&self, workspace: &str) -> Result<Option<Stored>, StateError> {
        let path = self.resolved(workspace);
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error("read", &path, e)),
        };
        let version = file
            .metadata()
            .map(|m| version_of(&m))
            .map_err(|e| io_error("read", &path, e))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| io_error("read", &path, e))?;
        Ok(Some(Stored { bytes, version }))
    }

    fn write(
        &self,
        workspace: &str,
        bytes: &[u8],
        expected: Option<&Version>,
    ) -> Result<Written, StateError> {
        let path = self.resolved(workspace);
        let current = match fs::metadata(&path) {
            Ok(m) => Some(version_of(&m)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_error("read", &path, e)),
        };
        if current.as_ref() != expected {
            return Ok(Written::Conflict);
        }
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            fs::create_dir_all(parent)
                .map_err(|e| io_error("create the directory of", &path, e))?;
        }
        let mut backed_up = self
            .backed_up
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if current.is_some() && !backed_up.contains(&path) {
            let backup = sibling(&path, ".backup");
            let old = fs::read(&path).map_err(|e| io_error("read", &path, e))?;
            write_atomic(&backup, &old, |_| Ok(()))
                .map_err(|e| io_error("write the backup", &backup, e))?;
            backed_up.insert(path.clone());
        }
        let version =
            write_atomic(&path, bytes, |_| Ok(())).map_err(|e| io_error("write", &path, e))?;
        // A later first write of this workspace (after a delete) starts a new backup.
        backed_up.insert(path);
        Ok(Written::Done(version))
    }

    fn delete(&self, workspace: &str) -> Result<(), StateError> {
        if workspace == DEFAULT_WORKSPACE {
            let path = self.resolved(workspace);
            return match fs::remove_file(&path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(io_error("delete", &path, e)),
            };
        }
        let dir = self.config.workspace_dir.join(workspace);
        match fs::remove_dir_all(&dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_error("delete", &dir, e)),
        }
    }

    fn workspaces(&self) -> Result<Vec<String>, StateError> {
        let dir = &self.config.workspace_dir;
        let mut names = Vec::new();
        match fs::read_dir(dir) {
            Ok(entries) => {
                for entry in entries {
                    let entry = entry.map_err(|e| io_error("list", dir, e))?;
                    if entry.file_type().is_ok_and(|t| t.is_dir())
                        && let Ok(name) = entry.file_name().into_string()
                        && name != DEFAULT_WORKSPACE
                    {
                        names.push(name);
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error("list", dir, e)),
        }
        names.sort();
        names.insert(0, DEFAULT_WORKSPACE.to_owned());
        Ok(names)
    }

    fn location(&self, workspace: &str) -> String {
        self.path(workspace).display().to_string()
    }

    fn journal(&self, workspace: &str) -> Result<Box<dyn JournalLog>, StateError> {
        Ok(Box::new(FileJournal::new(self.journal_path(workspace))))
    }
}

/// The intent journal as an append-only file, one entry per line, mode 0600.
#[derive(Debug)]
pub struct FileJournal {
    path: PathBuf,
    file: Mutex<Option<File>>,
}

impl FileJournal {
    /// The journal kept in `path` (opened on the first append).
    #[must_use]
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            file: Mutex::new(None),
        }
    }

    /// The file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn file(&self) -> std::sync::MutexGuard<'_, Option<File>> {
        self.file.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl JournalLog for FileJournal {
    fn append(&self, line: &str) -> io::Result<()> {
        let mut file = self.file();
        // Another handle may have retired or cleared the file this one has open.
        if file.as_ref().is_some_and(|f| !still_at_path(f, &self.path)) {
            *file = None;
        }
        if file.is_none() {
            let mut options = OpenOptions::new();
            options.create(true).append(true);
            restrict_mode(&mut options);
            *file = Some(options.open(&self.path)?);
        }
        let mut entry = String::with_capacity(line.len() + 1);
        entry.push_str(line);
        entry.push('\n');
        // One write call per entry: O_APPEND makes it land whole at the end of the file.
        file.as_mut()
            .expect("opened just above")
            .write_all(entry.as_bytes())
    }

    fn entries(&self) -> io::Result<Vec<String>> {
        match fs::read(&self.path) {
            Ok(bytes) => Ok(String::from_utf8_lossy(&bytes)
                .lines()
                .map(str::to_owned)
                .collect()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    fn retire(&self) -> io::Result<()> {
        *self.file() = None;
        let previous = sibling(&self.path, ".previous");
        match fs::rename(&self.path, previous) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn clear(&self) -> io::Result<()> {
        *self.file() = None;
        match fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn sync(&self) -> io::Result<()> {
        match self.file().as_ref() {
            Some(f) => f.sync_data(),
            None => Ok(()),
        }
    }

    fn location(&self) -> String {
        self.path.display().to_string()
    }
}

/// A file's version: its identity, size and modification time. An atomic rename gives the
/// file a new inode, and an in-place edit changes its size or time.
fn version_of(meta: &fs::Metadata) -> Version {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Version::new(format!(
            "{}:{}:{}:{}.{}",
            meta.dev(),
            meta.ino(),
            meta.len(),
            meta.mtime(),
            meta.mtime_nsec()
        ))
    }
    #[cfg(not(unix))]
    {
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        Version::new(format!("{}:{modified}", meta.len()))
    }
}

/// `path` with symbolic links followed: the canonical path of the file when it exists, else
/// of its directory (when that exists) joined with its name.
fn resolve(path: &Path) -> PathBuf {
    if let Ok(real) = fs::canonicalize(path) {
        return real;
    }
    // A dangling link: follow it by hand, so a write creates the file it names.
    if let Ok(target) = fs::read_link(path) {
        let target = parent_dir(path).join(target);
        if target != path {
            return resolve(&target);
        }
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => {
            fs::canonicalize(parent).map_or_else(|_| path.to_path_buf(), |p| p.join(name))
        }
        _ => path.to_path_buf(),
    }
}

/// `<path><suffix>` in the same directory.
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Replaces `path` with `bytes` atomically: temporary file in the same directory (mode 0600),
/// write, fsync, rename over `path`, fsync the directory; returns the new file's version.
/// `before_rename` runs just before the rename; tests use it to simulate a crash or a failure
/// at the worst moment.
fn write_atomic(
    path: &Path,
    bytes: &[u8],
    before_rename: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<Version> {
    let dir = parent_dir(path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".scwform-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o600));
    }
    // On any error below, dropping `temp` deletes the temporary file.
    let mut temp = builder.tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    // The rename keeps the inode and times: this is the version the path will have.
    let version = version_of(&temp.as_file().metadata()?);
    before_rename(temp.path())?;
    temp.persist(path).map_err(|e| e.error)?;
    // Make the rename itself durable. Some filesystems refuse to fsync a directory; the file is
    // already in place by then, so that is not worth failing the save for.
    if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
        tracing::debug!(dir = %dir.display(), error = %e, "cannot fsync state directory");
    }
    Ok(version)
}

fn restrict_mode(options: &mut OpenOptions) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = options;
}

/// Whether `path` still names the file `file` has open.
fn still_at_path(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        // Elsewhere the lock file is never deleted while in use, so it cannot be orphaned.
        let _ = (file, path);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sibling_paths_keep_the_directory() {
        let storage = LocalStorage::new(LocalConfig::at("/x/y/scwform.tfstate"));
        assert_eq!(
            storage.lock_path("default"),
            PathBuf::from("/x/y/scwform.tfstate.lock.info")
        );
        assert_eq!(
            storage.backup_path("default"),
            PathBuf::from("/x/y/scwform.tfstate.backup")
        );
        assert_eq!(
            storage.path("prod"),
            PathBuf::from("/x/y/terraform.tfstate.d/prod/terraform.tfstate")
        );
        assert_eq!(parent_dir(Path::new("scwform.tfstate")), Path::new("."));
    }

    #[test]
    fn a_failure_before_the_rename_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("s.tfstate");
        fs::write(&path, "old content").expect("seed file");
        let mut temp_seen = PathBuf::new();
        let result = write_atomic(&path, b"new content", |temp| {
            temp_seen = temp.to_path_buf();
            assert_eq!(fs::read(temp).expect("temp is complete"), b"new content");
            Err(io::Error::other("simulated crash before rename"))
        });
        assert!(result.is_err());
        assert_eq!(fs::read_to_string(&path).expect("old file"), "old content");
        assert!(!temp_seen.exists(), "temporary file must be cleaned up");
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }

    #[test]
    fn atomic_writes_replace_the_content_and_report_its_version() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("s.tfstate");
        write_atomic(&path, b"one", |_| Ok(())).expect("write one");
        let version = write_atomic(&path, b"two", |_| Ok(())).expect("write two");
        assert_eq!(fs::read_to_string(&path).expect("read"), "two");
        assert_eq!(version_of(&fs::metadata(&path).expect("stat")), version);
    }

    #[test]
    fn a_lock_whose_file_was_replaced_is_not_trusted() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("f");
        let file = File::create(&path).expect("create");
        assert!(still_at_path(&file, &path));
        fs::remove_file(&path).expect("remove");
        File::create(&path).expect("recreate");
        assert!(!still_at_path(&file, &path));
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_even_when_dangling() {
        let dir = tempfile::tempdir().expect("temp dir");
        let real = dir.path().join("real");
        fs::create_dir(&real).expect("mkdir");
        let link = dir.path().join("link.tfstate");
        std::os::unix::fs::symlink(real.join("s.tfstate"), &link).expect("symlink");
        let expected = fs::canonicalize(&real)
            .expect("canonical")
            .join("s.tfstate");
        assert_eq!(resolve(&link), expected, "dangling");
        fs::write(&expected, "{}").expect("write");
        assert_eq!(resolve(&link), expected, "existing");
    }
}
