//! The coalescing state writer: the state is saved after every change, without one full
//! serialisation per change.
//!
//! The executor changes the working [`State`] through [`StateWriter::update`], which marks it
//! dirty. A background task saves it whenever it is dirty: it snapshots the state, saves the
//! snapshot through its [`StateStore`] on a blocking thread (the backend replaces the stored
//! state whole, see `state::backend`), and
//! starts over if more changes arrived meanwhile. When 1,000 actions finish faster than one save
//! takes, they are written together, while a lone change is on disk within one save's time.
//! Saves are paced: after a save that took `d`, the next one starts no sooner than
//! `max(MIN_INTERVAL, 4d)` later, so that saving a large state never takes more than a fifth of
//! a core from the API calls (the journal covers what happens in between: a crash loses no created
//! object, the next run adopts it). [`StateWriter::hurry`] (the executor calls it once nothing
//! more can start) and [`StateWriter::finish`] end the pacing, so the last changes are saved at
//! once.
//!
//! Invariants: after [`StateWriter::finish`] returns `Ok`, the stored state equals the working
//! state; saves happen one at a time, in order, so the serial only grows; a failed save is kept
//! and reported (and retried with the next change), never dropped.
//!
//! Depends on `state` only.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::state::{SaveOutcome, State, StateError, StateStore};

/// A state store that can be shared with the writer task.
pub type SharedBackend = Arc<StateStore>;

/// What the writer did, for measurements and reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Changes made through [`StateWriter::update`].
    pub changes: u64,
    /// Saves that wrote the file.
    pub writes: u64,
    /// Total time spent saving.
    pub save_time: Duration,
}

struct Shared {
    state: Mutex<State>,
    dirty: Notify,
    /// Bumped by every change.
    generation: AtomicU64,
    /// The generation the last finished save started from.
    saved: AtomicU64,
    closed: AtomicBool,
    /// Set by [`StateWriter::hurry`]: no more pacing.
    hurry: AtomicBool,
    writes: AtomicU64,
    save_nanos: AtomicU64,
    error: Mutex<Option<StateError>>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether saves should no longer be paced.
    fn in_a_hurry(&self) -> bool {
        self.closed.load(Ordering::Acquire) || self.hurry.load(Ordering::Acquire)
    }
}

/// The shortest pause between two saves.
pub const MIN_INTERVAL: Duration = Duration::from_millis(50);

/// Saves a working state in the background whenever it changes.
pub struct StateWriter {
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for StateWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateWriter").finish_non_exhaustive()
    }
}

impl StateWriter {
    /// Starts the writer task on the current runtime for `state`, saved through `backend`.
    #[must_use]
    pub fn start(backend: SharedBackend, state: State) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            dirty: Notify::new(),
            generation: AtomicU64::new(0),
            saved: AtomicU64::new(0),
            closed: AtomicBool::new(false),
            hurry: AtomicBool::new(false),
            writes: AtomicU64::new(0),
            save_nanos: AtomicU64::new(0),
            error: Mutex::new(None),
        });
        let task = tokio::spawn(run(Arc::clone(&shared), backend));
        Self { shared, task }
    }

    /// Changes the working state and schedules a save.
    pub fn update<R>(&self, change: impl FnOnce(&mut State) -> R) -> R {
        let result = change(&mut self.shared.state());
        self.shared.generation.fetch_add(1, Ordering::AcqRel);
        self.shared.dirty.notify_one();
        result
    }

    /// Saves from now on without pacing: the run is ending and there is nothing left to
    /// coalesce, so the last changes go to disk at once, while the caller finishes up.
    pub fn hurry(&self) {
        self.shared.hurry.store(true, Ordering::Release);
        self.shared.dirty.notify_one();
    }

    /// Reads the working state.
    pub fn read<R>(&self, look: impl FnOnce(&State) -> R) -> R {
        look(&self.shared.state())
    }

    /// Whether a save has failed (the executor then starts nothing new).
    #[must_use]
    pub fn has_failed(&self) -> bool {
        self.shared
            .error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Saves what is left, stops the task and returns the final state.
    ///
    /// # Errors
    /// The first save error, if the last save did not succeed either; the state is returned
    /// alongside so that the caller can still show or dump it.
    pub async fn finish(self) -> (State, WriterStats, Result<(), StateError>) {
        self.shared.closed.store(true, Ordering::Release);
        self.shared.dirty.notify_one();
        // The task only ends when the state is saved (or the last save failed).
        let _ = self.task.await;
        let stats = WriterStats {
            changes: self.shared.generation.load(Ordering::Acquire),
            writes: self.shared.writes.load(Ordering::Acquire),
            save_time: Duration::from_nanos(self.shared.save_nanos.load(Ordering::Acquire)),
        };
        let error = self
            .shared
            .error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let last = std::mem::take(&mut *self.shared.state());
        (last, stats, error.map_or(Ok(()), Err))
    }
}

/// Resolves once the writer is asked to finish or to hurry.
async fn hurried(shared: &Shared) {
    while !shared.in_a_hurry() {
        shared.dirty.notified().await;
    }
}

async fn run(shared: Arc<Shared>, backend: SharedBackend) {
    let mut last_save: Option<(Instant, Duration)> = None;
    loop {
        let generation = shared.generation.load(Ordering::Acquire);
        let saved = shared.saved.load(Ordering::Acquire);
        if generation == saved {
            if shared.closed.load(Ordering::Acquire) {
                return;
            }
            shared.dirty.notified().await;
            continue;
        }
        if let Some(previous) = last_save {
            // Pace the saves (see the module docs), unless the run is ending.
            let (started, took): (Instant, Duration) = previous;
            let next = started + took + (took * 4).max(MIN_INTERVAL);
            if !shared.in_a_hurry() && Instant::now() < next {
                tokio::select! {
                    () = tokio::time::sleep_until(next.into()) => {}
                    () = hurried(&shared) => {}
                }
            }
        }
        let generation = shared.generation.load(Ordering::Acquire);
        let snapshot = shared.state().clone();
        let backend = Arc::clone(&backend);
        let started = Instant::now();
        let result = tokio::task::spawn_blocking(move || backend.save_owned(snapshot)).await;
        last_save = Some((started, started.elapsed()));
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        shared.save_nanos.fetch_add(nanos, Ordering::AcqRel);
        match result {
            Ok(Ok((outcome, serial))) => {
                if let SaveOutcome::Written { .. } = outcome {
                    shared.writes.fetch_add(1, Ordering::AcqRel);
                }
                shared.state().serial = serial;
                shared
                    .error
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take();
                shared.saved.store(generation, Ordering::Release);
            }
            Ok(Err(e)) => {
                tracing::error!(error = %e, "cannot save the state");
                *shared.error.lock().unwrap_or_else(PoisonError::into_inner) = Some(e);
                // Retry with the next change; when closing, give up after this attempt.
                if shared.closed.load(Ordering::Acquire) {
                    return;
                }
                shared.saved.store(generation, Ordering::Release);
            }
            Err(join) => {
                tracing::error!(error = %join, "the state save task ended abnormally");
                *shared.error.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some(StateError::Io {
                        action: "write",
                        path: "the state".into(),
                        source: std::io::Error::other(join.to_string()),
                    });
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::backend::local::{LocalConfig, LocalStorage};
    use crate::state::{DEFAULT_WORKSPACE, InstanceAddr, InstanceState};
    use serde_json::json;
    use std::collections::BTreeMap;

    fn local_store(path: &std::path::Path) -> SharedBackend {
        Arc::new(StateStore::new(
            Arc::new(LocalStorage::new(LocalConfig::at(path))),
            DEFAULT_WORKSPACE,
        ))
    }

    fn instance(id: usize) -> InstanceState {
        InstanceState::new(BTreeMap::from([(
            "id".to_owned(),
            json!(format!("fr-par/{id}")),
        )]))
    }

    #[tokio::test]
    async fn many_fast_changes_are_coalesced_and_all_land() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("s.tfstate");
        let backend: SharedBackend = local_store(&path);
        let writer = StateWriter::start(Arc::clone(&backend), State::default());
        for i in 0..500 {
            writer.update(|s| {
                s.set_instance(
                    &InstanceAddr::managed("scaleway_cockpit_token", format!("t{i}")),
                    instance(i),
                );
            });
            if i % 100 == 0 {
                tokio::task::yield_now().await;
            }
        }
        let (saved, stats, result) = writer.finish().await;
        result.expect("saved");
        assert_eq!(stats.changes, 500);
        assert!(stats.writes >= 1 && stats.writes < 500, "{stats:?}");
        let on_disk = backend.load().expect("load").expect("some state");
        assert_eq!(on_disk.addresses().len(), 500);
        assert_eq!(on_disk.serial, saved.serial);
        assert!(on_disk.same_content(&saved));
    }

    /// Issue 9 item 18: a failed save is reported, the state it could not write is kept, and
    /// the next change saves it after all (with that change).
    #[tokio::test]
    async fn a_failed_save_is_reported_kept_and_retried() {
        let dir = tempfile::tempdir().expect("temp dir");
        // A directory where the state file should be: every save fails while it is there.
        let path = dir.path().join("s.tfstate");
        std::fs::create_dir(&path).expect("mkdir");
        let backend = local_store(&path);
        let writer = StateWriter::start(Arc::clone(&backend), State::default());
        let first = InstanceAddr::managed("t", "first");
        writer.update(|s| s.set_instance(&first, instance(1)));
        while !writer.has_failed() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(
            writer.read(|s| s.instance(&first).is_some()),
            "the change whose save failed is kept"
        );
        // The obstacle goes away; the next change is saved with the one that failed.
        std::fs::remove_dir(&path).expect("rmdir");
        let second = InstanceAddr::managed("t", "second");
        writer.update(|s| s.set_instance(&second, instance(2)));
        let (last, _, result) = writer.finish().await;
        result.expect("the retry saved the state");
        let on_disk = backend.load().expect("load").expect("some state");
        assert!(
            on_disk.instance(&first).is_some(),
            "the failed change was retried"
        );
        assert!(on_disk.instance(&second).is_some());
        assert!(on_disk.same_content(&last));
    }

    #[tokio::test]
    async fn a_save_failing_to_the_end_is_reported_with_the_state_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("s.tfstate");
        std::fs::create_dir(&path).expect("mkdir");
        let writer = StateWriter::start(local_store(&path), State::default());
        let addr = InstanceAddr::managed("t", "n");
        writer.update(|s| s.set_instance(&addr, instance(1)));
        let (last, _, result) = writer.finish().await;
        let err = result.expect_err("the save cannot succeed");
        assert!(
            err.to_string().contains("s.tfstate"),
            "names the state: {err}"
        );
        assert!(
            last.instance(&addr).is_some(),
            "the unsaved state is returned"
        );
    }
}
