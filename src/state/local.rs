//! The local state backend: a JSON file beside the configuration (`scwform.tfstate` by default).
//!
//! Invariants:
//! - The state file is only ever replaced by renaming a fully written and fsynced temporary file
//!   of the same directory over it, so readers see the old or the new content, never a mix.
//! - The first write of a run first keeps the file it replaces as `<state>.backup`.
//! - Files are created with mode 0600: states hold secrets.
//! - The lock is an OS lock (`File::try_lock`) on a sidecar file `<state>.lock.info`, never on
//!   the state file itself: the atomic rename swaps the state file's inode, so a lock on it would
//!   guard nothing. The sidecar also carries the holder's [`LockInfo`] for error messages. The OS
//!   drops the lock when its holder dies, so a crash leaves at most a stale info file that the
//!   next run simply takes over.
//!
//! Depends on `state` only. Uses blocking file I/O; async callers wrap it in `spawn_blocking`.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::{
    Holder, LockGuard, LockInfo, SaveOutcome, State, StateBackend, StateError, WRITER_VERSION,
};

/// A state kept in a local file.
#[derive(Debug)]
pub struct LocalBackend {
    path: PathBuf,
    poll_interval: Duration,
    // Set once this backend has written the backup, so later saves of the same run keep the
    // backup of the state as it was before the run (as Terraform does).
    backed_up: AtomicBool,
    // What this backend last wrote. Later saves of the run compare with it instead of reading
    // and parsing the whole file again: the caller holds the state lock for the whole run, so
    // nothing else writes the file meanwhile (and an apply saves many times).
    last_written: Mutex<Option<State>>,
}

/// The default state file name.
pub const DEFAULT_STATE_FILE: &str = "scwform.tfstate";

impl LocalBackend {
    /// A backend for the state file at `path`.
    #[must_use]
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            poll_interval: Duration::from_millis(100),
            backed_up: AtomicBool::new(false),
            last_written: Mutex::new(None),
        }
    }

    /// A backend for `scwform.tfstate` in the configuration directory `dir`.
    #[must_use]
    pub fn in_dir(dir: &Path) -> Self {
        Self::new(dir.join(DEFAULT_STATE_FILE))
    }

    /// How often a waiting [`lock`](StateBackend::lock) retries (default 100 ms).
    #[must_use]
    pub fn with_poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// The state file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The lock file: `<state>.lock.info`.
    #[must_use]
    pub fn lock_path(&self) -> PathBuf {
        sibling(&self.path, ".lock.info")
    }

    /// The backup file: `<state>.backup`.
    #[must_use]
    pub fn backup_path(&self) -> PathBuf {
        sibling(&self.path, ".backup")
    }

    /// The info recorded in the lock file, if it holds any (whether or not the lock is held).
    #[must_use]
    pub fn lock_info(&self) -> Option<LockInfo> {
        let text = fs::read_to_string(self.lock_path()).ok()?;
        serde_json::from_str(&text).ok()
    }

    fn io_error(&self, action: &'static str, path: &Path, source: io::Error) -> StateError {
        let _ = self;
        StateError::Io {
            action,
            path: path.display().to_string(),
            source,
        }
    }

    /// Reads the file: its exact text and the parsed state, `None` when absent or empty.
    fn read(&self) -> Result<Option<(String, State)>, StateError> {
        let text = match fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io_error("read", &self.path, e)),
        };
        if text.trim().is_empty() {
            return Ok(None);
        }
        let state = State::from_json(&text, &self.path.display().to_string())?;
        Ok(Some((text, state)))
    }

    fn try_lock_once(&self, info: &LockInfo) -> Result<Attempt, StateError> {
        let lock_path = self.lock_path();
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        restrict_mode(&mut options);
        let mut file = options
            .open(&lock_path)
            .map_err(|e| self.io_error("open the lock file", &lock_path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let holder = match file.read_to_string(&mut text) {
                    Ok(_) => serde_json::from_str::<LockInfo>(&text)
                        .map_or(Holder::Unknown, |i| Holder::Known(Box::new(i))),
                    Err(_) => Holder::Unknown,
                };
                return Ok(Attempt::Busy(holder));
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(self.io_error("lock", &lock_path, e));
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
            return Err(self.io_error("write the lock file", &lock_path, e));
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

impl StateBackend for LocalBackend {
    fn load(&self) -> Result<Option<State>, StateError> {
        Ok(self.read()?.map(|(_, state)| state))
    }

    fn lock(&self, mut info: LockInfo, wait: Option<Duration>) -> Result<LockGuard, StateError> {
        info.path = self.path.display().to_string();
        let wait = wait.unwrap_or_default();
        let start = Instant::now();
        loop {
            match self.try_lock_once(&info)? {
                Attempt::Acquired(guard) => return Ok(guard),
                Attempt::Raced => {}
                Attempt::Busy(holder) => {
                    let path = self.path.display().to_string();
                    if wait.is_zero() {
                        return Err(StateError::Locked { path, holder });
                    }
                    let waited = start.elapsed();
                    let Some(left) = wait.checked_sub(waited).filter(|d| !d.is_zero()) else {
                        return Err(StateError::LockTimeout {
                            path,
                            holder,
                            waited,
                        });
                    };
                    std::thread::sleep(self.poll_interval.min(left));
                }
            }
        }
    }

    fn save(&self, state: &mut State) -> Result<SaveOutcome, StateError> {
        let mut last = self
            .last_written
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let outcome = self.write_if_changed(last.as_ref(), state)?;
        if let SaveOutcome::Written { .. } = outcome {
            *last = Some(state.clone());
        }
        Ok(outcome)
    }

    fn save_owned(&self, mut state: State) -> Result<(SaveOutcome, u64), StateError> {
        let mut last = self
            .last_written
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let outcome = self.write_if_changed(last.as_ref(), &mut state)?;
        let serial = state.serial;
        if let SaveOutcome::Written { .. } = outcome {
            *last = Some(state);
        }
        Ok((outcome, serial))
    }
}

impl LocalBackend {
    /// The body of a save: compares `state` with `last` (what this backend last wrote, or the
    /// file when it has written nothing yet) and writes it when it differs.
    fn write_if_changed(
        &self,
        last: Option<&State>,
        state: &mut State,
    ) -> Result<SaveOutcome, StateError> {
        // Sorted once here, so that comparing and serialising below copy nothing.
        state.normalize();
        // Only the first save of a run reads the file; its text is what the backup keeps.
        let read = if last.is_none() { self.read()? } else { None };
        let on_disk = last.or(read.as_ref().map(|(_, s)| s));
        let serial = match on_disk {
            Some(on_disk) => {
                if on_disk.lineage != state.lineage {
                    return Err(StateError::LineageMismatch {
                        path: self.path.display().to_string(),
                        on_disk: on_disk.lineage.clone(),
                        ours: state.lineage.clone(),
                    });
                }
                if on_disk.serial > state.serial {
                    return Err(StateError::StaleSerial {
                        path: self.path.display().to_string(),
                        on_disk: on_disk.serial,
                        ours: state.serial,
                    });
                }
                if on_disk.same_content(state) {
                    return Ok(SaveOutcome::Unchanged);
                }
                state.serial + 1
            }
            None => state.serial + 1,
        };
        if let Some((old_text, _)) = &read
            && !self.backed_up.load(Ordering::Acquire)
        {
            let backup = self.backup_path();
            write_atomic(&backup, old_text.as_bytes(), |_| Ok(()))
                .map_err(|e| self.io_error("write the backup", &backup, e))?;
            self.backed_up.store(true, Ordering::Release);
        }
        let previous = (state.serial, std::mem::take(&mut state.terraform_version));
        state.serial = serial;
        WRITER_VERSION.clone_into(&mut state.terraform_version);
        if let Err(e) = write_atomic(&self.path, state.to_json().as_bytes(), |_| Ok(())) {
            // Nothing was written: the caller's state stays as it was.
            (state.serial, state.terraform_version) = previous;
            return Err(self.io_error("write", &self.path, e));
        }
        Ok(SaveOutcome::Written { serial })
    }
}

/// `<path><suffix>` in the same directory.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
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
/// write, fsync, rename over `path`, fsync the directory. `before_rename` runs just before the
/// rename; tests use it to simulate a crash or a failure at the worst moment.
fn write_atomic(
    path: &Path,
    bytes: &[u8],
    before_rename: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<()> {
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
    before_rename(temp.path())?;
    temp.persist(path).map_err(|e| e.error)?;
    // Make the rename itself durable. Some filesystems refuse to fsync a directory; the file is
    // already in place by then, so that is not worth failing the save for.
    if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
        tracing::debug!(dir = %dir.display(), error = %e, "cannot fsync state directory");
    }
    Ok(())
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
        let backend = LocalBackend::new("/x/y/scwform.tfstate");
        assert_eq!(
            backend.lock_path(),
            PathBuf::from("/x/y/scwform.tfstate.lock.info")
        );
        assert_eq!(
            backend.backup_path(),
            PathBuf::from("/x/y/scwform.tfstate.backup")
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
    fn owned_and_borrowed_saves_agree_on_serials_and_unchanged_content() {
        use crate::state::{InstanceAddr, InstanceState, Lineage};
        let dir = tempfile::tempdir().expect("temp dir");
        let backend = LocalBackend::new(dir.path().join("s.tfstate"));
        let mut state = State::new(Lineage("l".into()));
        let addr = InstanceAddr::managed("scaleway_cockpit_token", "t");
        state.set_instance(&addr, InstanceState::new(std::collections::BTreeMap::new()));
        let (outcome, serial) = backend.save_owned(state.clone()).expect("first save");
        assert_eq!(outcome, SaveOutcome::Written { serial: 1 });
        state.serial = serial;
        // The same content again: nothing written, whichever way it is saved.
        assert_eq!(
            backend.save(&mut state).expect("save"),
            SaveOutcome::Unchanged
        );
        let (outcome, _) = backend.save_owned(state.clone()).expect("save owned");
        assert_eq!(outcome, SaveOutcome::Unchanged);
        state.remove_instance(&addr);
        assert_eq!(
            backend.save(&mut state).expect("save a change"),
            SaveOutcome::Written { serial: 2 }
        );
        let (outcome, serial) = backend.save_owned(state.clone()).expect("again");
        assert_eq!((outcome, serial), (SaveOutcome::Unchanged, 2));
        let on_disk = backend.load().expect("load").expect("a state");
        assert_eq!(on_disk.serial, 2);
        assert!(on_disk.same_content(&state));
    }

    #[test]
    fn atomic_writes_replace_the_content() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("s.tfstate");
        write_atomic(&path, b"one", |_| Ok(())).expect("write one");
        write_atomic(&path, b"two", |_| Ok(())).expect("write two");
        assert_eq!(fs::read_to_string(&path).expect("read"), "two");
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
}
