//! The backend conformance suite: every backend runs through the same tests (serials,
//! lineages, unchanged saves, conflicting writers, locks and their holders, workspaces, the
//! journal). Each test takes a [`Harness`], which opens the backend under test as a new run
//! would, as many times as the test needs "another run".

use std::time::{Duration, Instant};

use scwform::state::backend::{Backend, BackendSpec, OpenOptions, open};
use scwform::state::crypto::{
    Encryption, EncryptionConfig, Method, Pbkdf2, Pbkdf2Options, TargetConfig,
};
use scwform::state::lock::POLL_INTERVAL;
use scwform::state::{
    DEFAULT_WORKSPACE, Holder, InstanceAddr, InstanceState, Lineage, LockInfo, SaveOutcome, State,
    StateError,
};
use serde_json::json;

/// A backend under test.
pub(crate) trait Harness {
    /// Opens the backend as a new run would (another handle on the same states and locks).
    fn open(&self) -> Backend;
}

/// The local backend in a temporary directory.
pub(crate) struct LocalHarness {
    dir: tempfile::TempDir,
}

impl LocalHarness {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }
}

impl Harness for LocalHarness {
    fn open(&self) -> Backend {
        open(
            &BackendSpec::local("terraform.tfstate"),
            &OpenOptions::from_process(self.dir.path()),
        )
        .expect("a local backend opens")
    }
}

/// The `pg` backend, each harness in a schema of its own of the test server.
pub(crate) struct PgHarness {
    conn_str: String,
    schema: String,
}

impl PgHarness {
    fn new() -> Option<Self> {
        let server = crate::pg::server("the pg backend conformance tests")?;
        Some(Self {
            conn_str: server.database("scwform_conformance"),
            schema: format!("t_{}", uuid::Uuid::new_v4().simple()),
        })
    }
}

impl Harness for PgHarness {
    fn open(&self) -> Backend {
        let mut spec = BackendSpec {
            kind: "pg".into(),
            settings: std::collections::BTreeMap::new(),
            span: None,
        };
        spec.set("conn_str", json!(self.conn_str));
        spec.set("schema_name", json!(self.schema));
        let options = OpenOptions {
            dir: std::env::temp_dir(),
            env: std::collections::BTreeMap::new(),
        };
        match open(&spec, &options) {
            Ok(backend) => backend,
            Err(e) => panic!("the pg backend opens: {e:?}"),
        }
    }
}

fn state_with(lineage: &str, names: &[&str]) -> State {
    let mut state = State::new(Lineage(lineage.into()));
    for name in names {
        state.set_instance(
            &InstanceAddr::managed("scaleway_account_project", *name),
            InstanceState::new(
                [("id".to_owned(), json!(format!("id-{name}")))]
                    .into_iter()
                    .collect(),
            ),
        );
    }
    state
}

fn lock(
    backend: &Backend,
    workspace: &str,
    operation: &str,
) -> Result<scwform::state::LockGuard, StateError> {
    backend.lock(
        workspace,
        &LockInfo::for_current_process(operation),
        Duration::ZERO,
        POLL_INTERVAL,
    )
}

pub(crate) fn the_first_save_of_a_new_workspace_is_serial_one(h: &dyn Harness) {
    let backend = h.open();
    let store = backend.store(DEFAULT_WORKSPACE);
    assert!(store.load().expect("load").is_none());
    let mut state = state_with("lineage-a", &["a"]);
    assert_eq!(
        store.save(&mut state).expect("save"),
        SaveOutcome::Written { serial: 1 }
    );
    let again = h.open().store(DEFAULT_WORKSPACE).load().expect("load");
    let again = again.expect("stored");
    assert_eq!(again.serial, 1);
    assert_eq!(again.lineage, state.lineage);
    assert!(again.same_content(&state));
}

pub(crate) fn saving_the_same_content_writes_nothing(h: &dyn Harness) {
    let backend = h.open();
    let store = backend.store(DEFAULT_WORKSPACE);
    let mut state = state_with("lineage-a", &["a"]);
    store.save(&mut state).expect("save");
    assert_eq!(
        store.save(&mut state).expect("again"),
        SaveOutcome::Unchanged
    );
    let (outcome, serial) = store.save_owned(state.clone()).expect("owned");
    assert_eq!((outcome, serial), (SaveOutcome::Unchanged, 1));
    state.set_instance(
        &InstanceAddr::managed("scaleway_account_project", "b"),
        InstanceState::new(std::collections::BTreeMap::new()),
    );
    assert_eq!(
        store.save(&mut state).expect("changed"),
        SaveOutcome::Written { serial: 2 }
    );
    // A new run reading it finds nothing to write either.
    let next = h.open().store(DEFAULT_WORKSPACE);
    let mut read = next.load().expect("load").expect("stored");
    assert_eq!(next.save(&mut read).expect("same"), SaveOutcome::Unchanged);
    assert_eq!(read.serial, 2);
}

pub(crate) fn a_state_of_another_lineage_is_never_overwritten_even_mid_run(h: &dyn Harness) {
    let ours = h.open().store(DEFAULT_WORKSPACE);
    let mut state = state_with("lineage-ours", &["a"]);
    ours.save(&mut state).expect("first save");
    // Another run replaces the state with an unrelated one (`state push -force`).
    let theirs = h.open().store(DEFAULT_WORKSPACE);
    let mut stranger = state_with("lineage-theirs", &["x"]);
    theirs.push(&mut stranger, true).expect("forced push");
    state.set_instance(
        &InstanceAddr::managed("scaleway_account_project", "b"),
        InstanceState::new(std::collections::BTreeMap::new()),
    );
    let error = ours.save(&mut state).expect_err("another lineage");
    assert!(
        matches!(error, StateError::LineageMismatch { .. }),
        "{error}"
    );
    let stored = h
        .open()
        .store(DEFAULT_WORKSPACE)
        .load()
        .expect("load")
        .expect("stored");
    assert_eq!(stored.lineage, Lineage("lineage-theirs".into()));
}

pub(crate) fn a_newer_serial_written_mid_run_is_never_overwritten(h: &dyn Harness) {
    let ours = h.open().store(DEFAULT_WORKSPACE);
    let mut state = state_with("lineage-a", &["a"]);
    ours.save(&mut state).expect("first save");
    let theirs = h.open().store(DEFAULT_WORKSPACE);
    let mut newer = theirs.load().expect("load").expect("stored");
    for name in ["x", "y"] {
        newer.set_instance(
            &InstanceAddr::managed("scaleway_account_project", name),
            InstanceState::new(std::collections::BTreeMap::new()),
        );
        theirs.save(&mut newer).expect("their save");
    }
    assert_eq!(newer.serial, 3);
    state.set_instance(
        &InstanceAddr::managed("scaleway_account_project", "b"),
        InstanceState::new(std::collections::BTreeMap::new()),
    );
    let error = ours.save(&mut state).expect_err("stale");
    assert!(
        matches!(
            error,
            StateError::StaleSerial {
                on_disk: 3,
                ours: 1,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(state.serial, 1, "a refused save leaves the state as it was");
}

pub(crate) fn push_checks_lineage_and_serial_unless_forced(h: &dyn Harness) {
    let store = h.open().store(DEFAULT_WORKSPACE);
    let mut state = state_with("lineage-a", &["a"]);
    store.save(&mut state).expect("save");
    store.save(&mut state).expect("unchanged");
    let other = h.open().store(DEFAULT_WORKSPACE);
    let mut stranger = state_with("lineage-b", &["b"]);
    let error = other.push(&mut stranger, false).expect_err("lineage");
    assert!(
        matches!(error, StateError::LineageMismatch { .. }),
        "{error}"
    );
    let mut older = state_with("lineage-a", &["old"]);
    older.serial = 0;
    let error = other.push(&mut older, false).expect_err("older serial");
    assert!(matches!(error, StateError::StaleSerial { .. }), "{error}");
    let mut newer = state_with("lineage-a", &["new"]);
    newer.serial = 7;
    other
        .push(&mut newer, false)
        .expect("a newer serial of the same lineage");
    assert_eq!(newer.serial, 7, "pushed as it is");
    // Forced, an older serial still never makes the stored serial go down.
    other.push(&mut older, true).expect("forced");
    assert_eq!(older.serial, 8);
    let stored = h
        .open()
        .store(DEFAULT_WORKSPACE)
        .load()
        .expect("load")
        .expect("stored");
    assert_eq!(stored.serial, 8);
    assert!(stored.same_content(&older));
}

pub(crate) fn the_lock_is_exclusive_and_names_its_holder(h: &dyn Harness) {
    let first = h.open();
    let second = h.open();
    let guard = lock(&first, DEFAULT_WORKSPACE, "apply").expect("free");
    let start = Instant::now();
    let error = lock(&second, DEFAULT_WORKSPACE, "plan").expect_err("taken");
    assert!(start.elapsed() < Duration::from_secs(2), "no waiting");
    let StateError::Locked {
        holder: Holder::Known(holder),
        ..
    } = &error
    else {
        panic!("expected a known holder, got {error:?}");
    };
    assert_eq!(holder.id, guard.info().id);
    assert_eq!(holder.operation, "apply");
    assert_eq!(holder.pid, std::process::id());
    assert_eq!(error.code(), "scw::state::locked");
    let seen = second.holder(DEFAULT_WORKSPACE).expect("holder");
    assert_eq!(
        seen.as_ref().and_then(Holder::id),
        Some(guard.info().id.as_str())
    );
    drop(guard);
    assert_eq!(second.holder(DEFAULT_WORKSPACE).expect("holder"), None);
    let _again = lock(&second, DEFAULT_WORKSPACE, "plan").expect("free again");
}

pub(crate) fn a_waiting_run_gets_the_lock_when_it_is_released(h: &dyn Harness) {
    let holder = h.open();
    let waiter = h.open();
    let guard = lock(&holder, DEFAULT_WORKSPACE, "apply").expect("free");
    let start = Instant::now();
    let error = waiter
        .lock(
            DEFAULT_WORKSPACE,
            &LockInfo::for_current_process("plan"),
            Duration::from_millis(150),
            Duration::from_millis(10),
        )
        .expect_err("still held");
    assert!(matches!(error, StateError::LockTimeout { .. }), "{error:?}");
    assert!(start.elapsed() >= Duration::from_millis(150));
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        drop(guard);
    });
    let got = waiter.lock(
        DEFAULT_WORKSPACE,
        &LockInfo::for_current_process("plan"),
        Duration::from_secs(10),
        Duration::from_millis(10),
    );
    release.join().expect("release thread");
    assert_eq!(got.expect("released in time").info().operation, "plan");
}

pub(crate) fn locks_are_per_workspace(h: &dyn Harness) {
    let first = h.open();
    let second = h.open();
    let _default = lock(&first, DEFAULT_WORKSPACE, "apply").expect("free");
    let _prod = lock(&second, "prod", "apply").expect("another workspace's lock is free");
    assert!(lock(&second, DEFAULT_WORKSPACE, "apply").is_err());
}

pub(crate) fn force_unlock_needs_the_holders_id(h: &dyn Harness) {
    let first = h.open();
    let second = h.open();
    let error = second
        .force_unlock(DEFAULT_WORKSPACE, "nope")
        .expect_err("nothing to unlock");
    assert!(matches!(error, StateError::NotLocked { .. }), "{error}");
    let guard = lock(&first, DEFAULT_WORKSPACE, "apply").expect("free");
    let error = second
        .force_unlock(DEFAULT_WORKSPACE, "not-the-id")
        .expect_err("wrong id");
    assert!(
        matches!(error, StateError::LockIdMismatch { .. }),
        "{error}"
    );
    assert!(error.to_string().contains(&guard.info().id), "{error}");
    match second.force_unlock(DEFAULT_WORKSPACE, &guard.info().id) {
        // Backends that can release another session's lock do, and the lock is then free.
        Ok(()) => {
            let _ours = lock(&second, DEFAULT_WORKSPACE, "plan").expect("released");
        }
        // A local lock belongs to a live process: it says so.
        Err(StateError::CannotForceUnlock { reason, .. }) => {
            assert!(reason.contains(&guard.info().id), "{reason}");
            assert!(lock(&second, DEFAULT_WORKSPACE, "plan").is_err());
        }
        Err(e) => panic!("unexpected {e}"),
    }
}

pub(crate) fn workspaces_keep_separate_states(h: &dyn Harness) {
    let backend = h.open();
    assert_eq!(backend.workspaces().expect("list"), [DEFAULT_WORKSPACE]);
    let mut default = state_with("lineage-default", &["d"]);
    backend
        .store(DEFAULT_WORKSPACE)
        .save(&mut default)
        .expect("save default");
    let mut prod = state_with("lineage-prod", &["p"]);
    backend.store("prod").save(&mut prod).expect("save prod");
    let mut dev = state_with("lineage-dev", &["v"]);
    h.open().store("dev").save(&mut dev).expect("save dev");
    assert_eq!(
        h.open().workspaces().expect("list"),
        [DEFAULT_WORKSPACE, "dev", "prod"]
    );
    let reread = h
        .open()
        .store("prod")
        .load()
        .expect("load")
        .expect("stored");
    assert_eq!(reread.lineage, prod.lineage);
    assert!(backend.has_workspace("prod").expect("has"));
    backend.delete_workspace("prod").expect("delete");
    assert_eq!(
        backend.workspaces().expect("list"),
        [DEFAULT_WORKSPACE, "dev"]
    );
    assert!(h.open().store("prod").load().expect("load").is_none());
    assert!(matches!(
        backend.delete_workspace(DEFAULT_WORKSPACE),
        Err(StateError::InvalidWorkspace { .. })
    ));
    assert!(matches!(
        backend.delete_workspace("prod"),
        Err(StateError::NoSuchWorkspace { .. })
    ));
    let kept = h
        .open()
        .store(DEFAULT_WORKSPACE)
        .load()
        .expect("load")
        .expect("stored");
    assert_eq!(kept.lineage, default.lineage);
}

pub(crate) fn the_journal_keeps_entries_until_retired_or_cleared(h: &dyn Harness) {
    let backend = h.open();
    let journal = backend.journal(DEFAULT_WORKSPACE).expect("journal");
    assert!(journal.entries().expect("read").is_empty());
    journal.append(r#"{"n":1}"#).expect("append");
    journal.append(r#"{"n":2}"#).expect("append");
    journal.sync().expect("sync");
    // Another run sees them, and the journals of workspaces are separate.
    let other = h.open();
    assert_eq!(
        other
            .journal(DEFAULT_WORKSPACE)
            .expect("journal")
            .entries()
            .expect("read"),
        [r#"{"n":1}"#, r#"{"n":2}"#]
    );
    assert!(
        other
            .journal("prod")
            .expect("journal")
            .entries()
            .expect("read")
            .is_empty()
    );
    other
        .journal(DEFAULT_WORKSPACE)
        .expect("journal")
        .retire()
        .expect("retire");
    assert!(journal.entries().expect("read").is_empty());
    journal.append(r#"{"n":3}"#).expect("append after retire");
    assert_eq!(journal.entries().expect("read"), [r#"{"n":3}"#]);
    journal.clear().expect("clear");
    assert!(journal.entries().expect("read").is_empty());
    assert!(!journal.location().is_empty());
}

/// A backend whose states are encrypted at rest: the same conformance, through the crypto.
pub(crate) struct Encrypted<H> {
    inner: H,
    encryption: std::sync::Arc<Encryption>,
}

/// `inner`'s backend, encrypting with a pbkdf2 key and AES-GCM (OpenTofu's minimum cost).
fn encrypted<H: Harness>(inner: H) -> Encrypted<H> {
    let keys = Pbkdf2::new(
        "conformance",
        secrecy::SecretString::from("a passphrase of twenty-some characters".to_owned()),
        &Pbkdf2Options {
            iterations: Some(200_000),
            ..Pbkdf2Options::default()
        },
    )
    .expect("a valid key provider");
    let method = Method::aes_gcm("conformance", keys, Vec::new()).expect("a valid method");
    let state = TargetConfig::new("state", vec![method], true).expect("a valid target");
    Encrypted {
        inner,
        encryption: std::sync::Arc::new(Encryption::new(EncryptionConfig {
            state: Some(state),
            plan: None,
        })),
    }
}

impl<H: Harness> Harness for Encrypted<H> {
    fn open(&self) -> Backend {
        self.inner
            .open()
            .with_encryption(std::sync::Arc::clone(&self.encryption))
    }
}

/// What an encrypted backend stores holds no attribute, address or output in clear, and a
/// backend without the key refuses it rather than taking it for an empty state.
pub(crate) fn encrypted_states_hold_nothing_in_clear(h: &dyn Harness) {
    let backend = h.open();
    let mut state = state_with("lineage-sealed", &["sealed-project-name"]);
    backend
        .store(DEFAULT_WORKSPACE)
        .save(&mut state)
        .expect("save");
    let stored = backend
        .stored_bytes(DEFAULT_WORKSPACE)
        .expect("read")
        .expect("stored");
    assert!(scwform::state::crypto::is_encrypted(&stored));
    let text = String::from_utf8_lossy(&stored);
    for clear in [
        "sealed-project-name",
        "scaleway_account_project",
        "id-sealed",
        "resources",
    ] {
        assert!(!text.contains(clear), "{clear} in clear: {text}");
    }
    let read = h.open().store(DEFAULT_WORKSPACE).load().expect("decrypts");
    assert!(read.expect("stored").same_content(&state));
}

/// Runs every conformance test against one kind of backend.
macro_rules! conformance {
    ($harness:expr, $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let Some(harness) = $harness else { return };
                super::$name(&harness);
            }
        )*
    };
}

macro_rules! all_tests {
    ($harness:expr) => {
        conformance!(
            $harness,
            the_first_save_of_a_new_workspace_is_serial_one,
            saving_the_same_content_writes_nothing,
            a_state_of_another_lineage_is_never_overwritten_even_mid_run,
            a_newer_serial_written_mid_run_is_never_overwritten,
            push_checks_lineage_and_serial_unless_forced,
            the_lock_is_exclusive_and_names_its_holder,
            a_waiting_run_gets_the_lock_when_it_is_released,
            locks_are_per_workspace,
            force_unlock_needs_the_holders_id,
            workspaces_keep_separate_states,
            the_journal_keeps_entries_until_retired_or_cleared,
        );
    };
}

mod local {
    all_tests!(Some(super::LocalHarness::new()));
}

mod pg {
    all_tests!(super::PgHarness::new());
}

/// The rules hold the same through encryption (a selection: each test derives keys).
macro_rules! encrypted_tests {
    ($harness:expr) => {
        conformance!(
            $harness,
            the_first_save_of_a_new_workspace_is_serial_one,
            saving_the_same_content_writes_nothing,
            a_state_of_another_lineage_is_never_overwritten_even_mid_run,
            a_newer_serial_written_mid_run_is_never_overwritten,
            push_checks_lineage_and_serial_unless_forced,
            workspaces_keep_separate_states,
            encrypted_states_hold_nothing_in_clear,
        );
    };
}

mod local_encrypted {
    encrypted_tests!(Some(super::encrypted(super::LocalHarness::new())));
}

mod pg_encrypted {
    encrypted_tests!(super::PgHarness::new().map(super::encrypted));
}
