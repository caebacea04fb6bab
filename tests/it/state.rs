//! The state document and the local backend: Terraform v4 round trips, addresses, serial and
//! lineage rules, backups, file modes, atomic writes, links and locking (in-process and across
//! processes). What every backend must do is in `backends.rs`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use scwform::state::backend::local::{LocalConfig, LocalStorage};
use scwform::state::backend::{Backend, BackendKind};
use scwform::state::lock::LockGuard;
use scwform::state::{
    DEFAULT_WORKSPACE, Holder, InstanceAddr, InstanceKey, InstanceState, LockInfo, ResourceAddr,
    SaveOutcome, State, StateError, StateStore,
};
use serde_json::{Value, json};

/// A local backend over one state file, with its files' paths at hand.
struct Local {
    storage: Arc<LocalStorage>,
    backend: Backend,
    store: StateStore,
}

impl Local {
    fn new(path: impl Into<PathBuf>) -> Self {
        let storage = Arc::new(LocalStorage::new(LocalConfig::at(path)));
        let backend = Backend::from_parts(BackendKind::Local, storage.clone(), storage.clone());
        let store = backend.store(DEFAULT_WORKSPACE);
        Self {
            storage,
            backend,
            store,
        }
    }

    fn in_dir(dir: &Path) -> Self {
        Self::new(dir.join("scwform.tfstate"))
    }

    fn path(&self) -> PathBuf {
        self.storage.path(DEFAULT_WORKSPACE)
    }

    fn backup_path(&self) -> PathBuf {
        self.storage.backup_path(DEFAULT_WORKSPACE)
    }

    fn lock_path(&self) -> PathBuf {
        self.storage.lock_path(DEFAULT_WORKSPACE)
    }

    fn lock_info(&self) -> Option<LockInfo> {
        self.storage.lock_info(DEFAULT_WORKSPACE)
    }

    fn load(&self) -> Result<Option<State>, StateError> {
        self.store.load()
    }

    fn save(&self, state: &mut State) -> Result<SaveOutcome, StateError> {
        self.store.save(state)
    }

    fn lock(&self, operation: &str, wait: Duration) -> Result<LockGuard, StateError> {
        self.backend.lock(
            DEFAULT_WORKSPACE,
            &LockInfo::for_current_process(operation),
            wait,
            Duration::from_millis(10),
        )
    }
}

fn fixture_path() -> PathBuf {
    crate::common::repo_root().join("tests/fixtures/state/terraform-v4.tfstate")
}

fn fixture_text() -> String {
    std::fs::read_to_string(fixture_path()).expect("fixture is present")
}

/// A temp dir holding a copy of the fixture as `scwform.tfstate`.
fn dir_with_fixture() -> (tempfile::TempDir, Local) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("scwform.tfstate"), fixture_text()).expect("copy fixture");
    let backend = Local::in_dir(dir.path());
    (dir, backend)
}

fn attrs(pairs: Value) -> std::collections::BTreeMap<String, Value> {
    serde_json::from_value(pairs).expect("an object")
}

#[test]
fn a_terraform_v4_state_round_trips_without_losing_anything() {
    let text = fixture_text();
    let state = State::from_json(&text, "fixture").expect("fixture parses");
    let written = state.to_json();
    assert!(written.ends_with("}\n"));
    let original: Value = serde_json::from_str(&text).expect("fixture is JSON");
    let rewritten: Value = serde_json::from_str(&written).expect("output is JSON");
    assert_eq!(original, rewritten);
    // And our own output is a fixed point.
    let again = State::from_json(&written, "rewritten").expect("reads back");
    assert_eq!(again.to_json(), written);
}

#[test]
fn instances_are_found_by_address() {
    let state = State::from_json(&fixture_text(), "fixture").expect("fixture parses");
    let addresses: Vec<String> = state.addresses().iter().map(ToString::to_string).collect();
    assert_eq!(
        addresses,
        vec![
            "data.scaleway_account_project.default",
            "scaleway_account_project.main",
            "scaleway_cockpit_token.metrics",
            "scaleway_container.web[\"blue\"]",
            "scaleway_container.web[\"green\"]",
            "scaleway_container_namespace.app",
            "module.edge.scaleway_container_token.ci[0]",
        ]
    );
    let green: InstanceAddr = "scaleway_container.web[\"green\"]".parse().expect("valid");
    let instance = state.instance(&green).expect("present");
    assert_eq!(instance.attributes["name"], "web-green");
    assert_eq!(instance.status.as_deref(), Some("tainted"));
    assert!(instance.create_before_destroy);
    let token: InstanceAddr = "module.edge.scaleway_container_token.ci[0]"
        .parse()
        .expect("valid");
    assert_eq!(
        state.instance(&token).and_then(InstanceState::id),
        Some("fr-par/22222222-2222-2222-2222-222222222222")
    );
    let metrics = state
        .instance(&InstanceAddr::managed("scaleway_cockpit_token", "metrics"))
        .expect("present");
    assert_eq!(metrics.schema_version, 1);
    assert_eq!(
        metrics.dependencies,
        vec![ResourceAddr::managed("scaleway_account_project", "main")]
    );
    assert!(state.outputs["metrics_token"].sensitive);
    assert!(
        state
            .instance(&InstanceAddr::managed("scaleway_container", "web"))
            .is_none(),
        "a keyed resource has no unkeyed instance"
    );
}

#[test]
fn a_new_state_is_written_with_serial_one_and_no_backup() {
    let dir = tempfile::tempdir().expect("temp dir");
    let backend = Local::in_dir(dir.path());
    assert!(backend.load().expect("no file is fine").is_none());
    let mut state = State::default();
    state.set_instance(
        &InstanceAddr::managed("scaleway_account_project", "main"),
        InstanceState::new(attrs(
            json!({"id": "44444444-4444-4444-4444-444444444444", "name": "main"}),
        )),
    );
    assert_eq!(
        backend.save(&mut state).expect("save"),
        SaveOutcome::Written { serial: 1 }
    );
    assert_eq!(state.serial, 1);
    assert!(!backend.backup_path().exists());
    let loaded = backend.load().expect("load").expect("present");
    assert_eq!(loaded.serial, 1);
    assert_eq!(loaded.lineage, state.lineage);
    assert!(loaded.same_content(&state));
    let text = std::fs::read_to_string(backend.path()).expect("read");
    // A version Terraform accepts, and scwform's own beside it.
    assert!(text.starts_with("{\n  \"version\": 4,\n  \"terraform_version\": \"1.11.4\","));
    assert!(text.contains(&format!(
        "\"scwform_version\": \"{}\"",
        env!("CARGO_PKG_VERSION")
    )));
}

#[test]
fn the_serial_moves_only_when_the_content_changes() {
    let (_dir, backend) = dir_with_fixture();
    let mut state = backend.load().expect("load").expect("present");
    assert_eq!(state.serial, 12);
    let before = std::fs::read(backend.path()).expect("read");
    assert_eq!(
        backend.save(&mut state).expect("save"),
        SaveOutcome::Unchanged
    );
    assert_eq!(
        std::fs::read(backend.path()).expect("read"),
        before,
        "untouched"
    );
    assert!(!backend.backup_path().exists());

    let addr: InstanceAddr = "scaleway_container.web[\"green\"]".parse().expect("valid");
    state.remove_instance(&addr).expect("present");
    assert_eq!(
        backend.save(&mut state).expect("save"),
        SaveOutcome::Written { serial: 13 }
    );
    state
        .instance_mut(&InstanceAddr::managed("scaleway_account_project", "main"))
        .expect("present")
        .attributes
        .insert("description".into(), json!("changed"));
    assert_eq!(
        backend.save(&mut state).expect("save"),
        SaveOutcome::Written { serial: 14 }
    );
    let on_disk = backend.load().expect("load").expect("present");
    assert_eq!(on_disk.serial, 14);
    assert!(on_disk.instance(&addr).is_none());
}

#[test]
fn the_backup_keeps_the_state_from_before_the_run() {
    let (_dir, backend) = dir_with_fixture();
    let original = fixture_text();
    let mut state = backend.load().expect("load").expect("present");
    for name in ["a", "b"] {
        state.set_instance(
            &InstanceAddr::managed("scaleway_account_project", name),
            InstanceState::new(attrs(json!({"id": name}))),
        );
        backend.save(&mut state).expect("save");
    }
    assert_eq!(
        std::fs::read_to_string(backend.backup_path()).expect("backup exists"),
        original,
        "byte for byte the file as it was before the first write of this run"
    );
    // A later run backs up what the previous run left.
    let next_run = Local::new(backend.path());
    let before_next = std::fs::read_to_string(backend.path()).expect("read");
    state.remove_instance(&InstanceAddr::managed("scaleway_account_project", "a"));
    next_run.save(&mut state).expect("save");
    assert_eq!(
        std::fs::read_to_string(next_run.backup_path()).expect("backup"),
        before_next
    );
}

#[cfg(unix)]
#[test]
fn state_and_backup_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, backend) = dir_with_fixture();
    let mut state = backend.load().expect("load").expect("present");
    state.remove_instance(&InstanceAddr::managed("scaleway_cockpit_token", "metrics"));
    backend.save(&mut state).expect("save");
    for path in [backend.path(), backend.backup_path()] {
        let mode = std::fs::metadata(&path)
            .expect("exists")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
    }
    let _lock = backend.lock("apply", Duration::ZERO).expect("free");
    let mode = std::fs::metadata(backend.lock_path())
        .expect("exists")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn a_state_of_another_lineage_is_never_overwritten() {
    let (_dir, backend) = dir_with_fixture();
    let mut stranger = State {
        serial: 100,
        ..State::default()
    };
    let error = backend.save(&mut stranger).expect_err("different lineage");
    assert!(matches!(error, StateError::LineageMismatch { .. }));
    assert_eq!(
        std::fs::read_to_string(backend.path()).expect("read"),
        fixture_text()
    );
}

#[test]
fn a_stale_state_is_not_saved_over_a_newer_one() {
    let (_dir, backend) = dir_with_fixture();
    let mut first = backend.load().expect("load").expect("present");
    let mut second = first.clone();
    first.set_instance(
        &InstanceAddr::managed("scaleway_account_project", "x"),
        InstanceState::new(attrs(json!({"id": "x"}))),
    );
    backend.save(&mut first).expect("first writer wins");
    second.set_instance(
        &InstanceAddr::managed("scaleway_account_project", "y"),
        InstanceState::new(attrs(json!({"id": "y"}))),
    );
    let error = backend.save(&mut second).expect_err("stale");
    assert_eq!(
        error.to_string(),
        format!(
            "refusing to overwrite {}: it is at serial 13, newer than the serial 12 this run started from",
            backend.path().display()
        )
    );
}

#[test]
fn a_failed_write_leaves_the_old_state_in_place() {
    let (dir, backend) = dir_with_fixture();
    // Make the backup impossible to write: its path is a non-empty directory.
    std::fs::create_dir_all(backend.backup_path().join("blocker")).expect("mkdir");
    let mut state = backend.load().expect("load").expect("present");
    state.remove_instance(&InstanceAddr::managed("scaleway_account_project", "main"));
    let error = backend
        .save(&mut state)
        .expect_err("backup cannot be written");
    assert!(matches!(error, StateError::Io { .. }), "{error:?}");
    assert_eq!(state.serial, 12, "the in-memory serial did not move");
    assert_eq!(
        std::fs::read_to_string(backend.path()).expect("read"),
        fixture_text()
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            Path::new(n)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("tmp"))
        })
        .collect();
    assert!(names.is_empty(), "temporary files left: {names:?}");
}

#[test]
fn other_format_versions_are_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let backend = Local::in_dir(dir.path());
    std::fs::write(
        backend.path(),
        r#"{"version": 3, "serial": 1, "modules": []}"#,
    )
    .expect("write");
    let error = backend.load().expect_err("v3");
    assert_eq!(
        error.to_string(),
        format!(
            "{} uses state format version 3; scwform reads and writes version 4 only",
            backend.path().display()
        )
    );
}

#[test]
fn state_mv_and_rm_edit_addresses() {
    let mut state = State::from_json(&fixture_text(), "fixture").expect("parses");
    let from: InstanceAddr = "scaleway_container.web[\"blue\"]".parse().expect("valid");
    let to: InstanceAddr = "scaleway_container.frontend".parse().expect("valid");
    state.move_to(&from, &to).expect("free destination");
    assert_eq!(
        state.instance(&to).and_then(|i| i.attributes.get("name")),
        Some(&json!("web-blue"))
    );
    assert!(state.instance(&to).is_some_and(|i| i.index_key.is_none()));
    let web = InstanceAddr::managed("scaleway_container", "web");
    let removed = state.remove(&web).expect("whole resource");
    assert_eq!(
        removed,
        vec![web.clone().with_key(InstanceKey::Str("green".into()))]
    );
    assert!(matches!(
        state.move_to(
            &to,
            &InstanceAddr::managed("scaleway_container_namespace", "x")
        ),
        Err(StateError::TypeMismatch { .. })
    ));
    assert!(matches!(
        "scaleway_container.web[".parse::<InstanceAddr>(),
        Err(scwform::addr::AddrParseError { .. })
    ));
}

#[test]
fn a_second_locker_fails_at_once_naming_the_holder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = Local::in_dir(dir.path());
    let second = Local::in_dir(dir.path());
    let guard = first.lock("apply", Duration::ZERO).expect("free");
    assert_eq!(guard.info().operation, "apply");
    let start = Instant::now();
    let error = second.lock("plan", Duration::ZERO).expect_err("taken");
    assert!(start.elapsed() < Duration::from_secs(1), "no waiting");
    let StateError::Locked {
        holder: Holder::Known(holder),
        ..
    } = &error
    else {
        panic!("expected a known holder, got {error:?}");
    };
    assert_eq!(holder.id, guard.info().id);
    assert_eq!(holder.pid, std::process::id());
    assert_eq!(holder.operation, "apply");
    let message = error.to_string();
    assert!(message.contains(&holder.who), "{message}");
    assert!(message.contains("for `apply`"), "{message}");
    drop(guard);
    assert!(!first.lock_path().exists(), "released locks leave no file");
    let _again = second.lock("plan", Duration::ZERO).expect("free again");
}

#[test]
fn a_waiting_locker_gets_the_lock_when_it_is_released_or_times_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    let holder = Local::in_dir(dir.path());
    let waiter = Local::in_dir(dir.path());
    let guard = holder.lock("apply", Duration::ZERO).expect("free");
    let start = Instant::now();
    let error = waiter
        .lock("plan", Duration::from_millis(150))
        .expect_err("still held");
    assert!(matches!(error, StateError::LockTimeout { .. }), "{error:?}");
    assert!(start.elapsed() >= Duration::from_millis(150));

    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        drop(guard);
    });
    let got = waiter.lock("plan", Duration::from_secs(10));
    release.join().expect("release thread");
    assert_eq!(got.expect("released in time").info().operation, "plan");
}

const CHILD_ENV: &str = "SCWFORM_TEST_HOLD_LOCK_IN";

/// Not a test by itself: the body of the child process spawned by
/// `a_lock_held_by_another_process_is_seen_and_freed_when_it_dies`.
#[test]
#[ignore = "run only as a child process by another test"]
fn lock_holder_child_process() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let backend = Local::in_dir(Path::new(&dir));
    let _guard = backend
        .lock("apply", Duration::ZERO)
        .expect("the parent leaves the lock free");
    // Hold it until the parent kills us (the crash this test simulates).
    std::thread::sleep(Duration::from_secs(60));
}

#[test]
fn a_lock_held_by_another_process_is_seen_and_freed_when_it_dies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let backend = Local::in_dir(dir.path());
    let mut child = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "state::lock_holder_child_process",
            "--exact",
            "--ignored",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn the child");
    let child_pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(30);
    while backend.lock_info().is_none_or(|i| i.pid != child_pid) {
        assert!(Instant::now() < deadline, "the child never took the lock");
        std::thread::sleep(Duration::from_millis(20));
    }
    let error = backend
        .lock("plan", Duration::ZERO)
        .expect_err("the child holds it");
    assert!(
        matches!(&error, StateError::Locked { holder: Holder::Known(h), .. } if h.pid == child_pid),
        "{error:?}"
    );
    // Kill the holder: its OS lock goes with it, its info file stays behind, stale.
    child.kill().expect("kill the child");
    child.wait().expect("reap the child");
    assert_eq!(backend.lock_info().map(|i| i.pid), Some(child_pid));
    let guard = backend
        .lock("plan", Duration::ZERO)
        .expect("a dead holder's lock is free");
    assert_eq!(
        backend.lock_info().map(|i| i.id),
        Some(guard.info().id.clone())
    );
}

/// A state as another run would write it: `lineage`, `serial`, one project.
fn other_run_state(lineage: &str, serial: u64) -> String {
    let mut state = State::new(scwform::state::Lineage(lineage.into()));
    state.serial = serial;
    state.set_instance(
        &InstanceAddr::managed("scaleway_account_project", "other"),
        InstanceState::new(attrs(json!({"id": "other"}))),
    );
    state.to_json()
}

// https://github.com/scwform/scwform/issues/13: the lineage and serial checks ran on the first
// save of a run only; a state replaced mid-run was overwritten by the next save.
#[test]
fn issue_13_a_state_replaced_mid_run_by_another_lineage_is_never_overwritten() {
    let (_dir, backend) = dir_with_fixture();
    let mut state = backend.load().expect("load").expect("present");
    state.remove_instance(&InstanceAddr::managed("scaleway_cockpit_token", "metrics"));
    backend.save(&mut state).expect("the first save of the run");
    // Someone replaces the file with an unrelated state while the run goes on.
    let stranger = other_run_state("another-lineage", 1);
    std::fs::write(backend.path(), &stranger).expect("replace");
    state.remove_instance(&InstanceAddr::managed("scaleway_account_project", "main"));
    let error = backend.save(&mut state).expect_err("another lineage");
    assert!(
        matches!(error, StateError::LineageMismatch { .. }),
        "{error}"
    );
    assert_eq!(
        std::fs::read_to_string(backend.path()).expect("read"),
        stranger
    );
}

#[test]
fn issue_13_a_state_advanced_mid_run_by_another_writer_is_never_overwritten() {
    let (_dir, backend) = dir_with_fixture();
    let mut state = backend.load().expect("load").expect("present");
    state.remove_instance(&InstanceAddr::managed("scaleway_cockpit_token", "metrics"));
    assert_eq!(
        backend.save(&mut state).expect("first save"),
        SaveOutcome::Written { serial: 13 }
    );
    // Another writer (without our lock: Terraform, a hand edit) moves the serial on.
    let lineage = state.lineage.0.clone();
    let newer = other_run_state(&lineage, 20);
    std::fs::write(backend.path(), &newer).expect("replace");
    state.remove_instance(&InstanceAddr::managed("scaleway_account_project", "main"));
    let error = backend.save(&mut state).expect_err("stale");
    assert!(
        matches!(
            error,
            StateError::StaleSerial {
                on_disk: 20,
                ours: 13,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(
        std::fs::read_to_string(backend.path()).expect("read"),
        newer
    );
    // A writer that changed the content without moving past our serial is overwritten, with
    // the next serial: the rule is the serial, as in Terraform. (Its content is longer: an
    // edit in place of the same size within one tick of the file clock would go unnoticed.)
    let mut same_serial: Value =
        serde_json::from_str(&other_run_state(&lineage, 13)).expect("JSON");
    same_serial["outputs"] = json!({"note": {"value": "edited by hand", "type": "string"}});
    std::fs::write(backend.path(), same_serial.to_string()).expect("replace");
    assert_eq!(
        backend.save(&mut state).expect("same serial"),
        SaveOutcome::Written { serial: 14 }
    );
}

// https://github.com/scwform/scwform/issues/9 (item 4): a state reached through a symbolic link
// was locked by the link's name, so a run through the link and a run through the target did
// not exclude each other; writing replaced the link by a file.
#[cfg(unix)]
#[test]
fn issue_9_a_state_reached_through_a_link_shares_the_lock_of_its_target() {
    let dir = tempfile::tempdir().expect("temp dir");
    let real_dir = dir.path().join("real");
    std::fs::create_dir(&real_dir).expect("mkdir");
    let target = real_dir.join("scwform.tfstate");
    std::fs::write(&target, fixture_text()).expect("seed");
    let link = dir.path().join("scwform.tfstate");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let through_link = Local::new(&link);
    let direct = Local::new(&target);
    let _guard = through_link.lock("apply", Duration::ZERO).expect("free");
    let error = direct
        .lock("plan", Duration::ZERO)
        .expect_err("the same state");
    assert!(matches!(error, StateError::Locked { .. }), "{error}");
    // Saving through the link writes the target and keeps the link.
    let mut state = through_link.load().expect("load").expect("present");
    state.remove_instance(&InstanceAddr::managed("scaleway_cockpit_token", "metrics"));
    through_link.save(&mut state).expect("save");
    assert!(std::fs::symlink_metadata(&link).expect("link").is_symlink());
    let on_disk = direct.load().expect("load").expect("present");
    assert_eq!(on_disk.serial, 13);
}

// https://github.com/scwform/scwform/issues/9 (item 4): a state file recording the same
// resource twice was accepted and written back (one of the two silently lost).
#[test]
fn issue_9_a_state_recording_a_resource_twice_is_refused_and_never_written_back() {
    let mut doc: Value = serde_json::from_str(&fixture_text()).expect("JSON");
    let resources = doc["resources"].as_array_mut().expect("resources");
    let mut twin = resources[1].clone();
    twin["instances"][0]["attributes"]["name"] = json!("the other one");
    resources.push(twin);
    let text = serde_json::to_string_pretty(&doc).expect("JSON");
    let dir = tempfile::tempdir().expect("temp dir");
    let backend = Local::in_dir(dir.path());
    std::fs::write(backend.path(), &text).expect("seed");
    let error = backend.load().expect_err("twice");
    assert!(matches!(error, StateError::Duplicate { .. }), "{error}");
    assert_eq!(error.code(), "scw::state::duplicate");
    assert!(
        error
            .to_string()
            .contains("scaleway_account_project.main more than once"),
        "{error}"
    );
    let mut fresh = State::new(scwform::state::Lineage("x".into()));
    assert!(backend.save(&mut fresh).is_err(), "not written over either");
    assert_eq!(std::fs::read_to_string(backend.path()).expect("read"), text);
    // The same instance key twice in one resource is refused too.
    let mut doc: Value = serde_json::from_str(&fixture_text()).expect("JSON");
    let web = doc["resources"]
        .as_array_mut()
        .expect("resources")
        .iter_mut()
        .find(|r| r["name"] == "web")
        .expect("web");
    let first = web["instances"][0].clone();
    web["instances"]
        .as_array_mut()
        .expect("instances")
        .push(first);
    let error = State::from_json(&doc.to_string(), "doc").expect_err("same key twice");
    assert!(
        error
            .to_string()
            .contains("scaleway_container.web[\"blue\"] more than once"),
        "{error}"
    );
}

fn scwform(args: &[&str], cwd: &Path) -> std::process::Output {
    std::process::Command::new(crate::common::scwform_bin())
        .args(args)
        .current_dir(cwd)
        .env_remove("TF_WORKSPACE")
        .env("NO_COLOR", "1")
        .output()
        .expect("run scwform")
}

// https://github.com/scwform/scwform/issues/9 (item 14): `state list --dir /missing` and
// `output --dir /missing` printed nothing and exited 0.
#[test]
fn issue_9_reading_the_state_of_a_missing_directory_fails_clearly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("missing");
    let missing = missing.to_str().expect("UTF-8 path");
    for args in [
        vec!["state", "list", "--dir", missing],
        vec![
            "state",
            "show",
            "--dir",
            missing,
            "scaleway_account_project.main",
        ],
        vec![
            "state",
            "rm",
            "--dir",
            missing,
            "scaleway_account_project.main",
        ],
        vec!["output", "--dir", missing],
    ] {
        let out = scwform(&args, dir.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("No such directory"), "{args:?}: {stderr}");
        assert!(stderr.contains("scw::cli::no_directory"), "{stderr}");
    }
    assert!(!Path::new(missing).exists(), "nothing was created");
}

// https://github.com/scwform/scwform/issues/9 (item 14): the lock error's code was
// `scw::cli::state` while docs/state.md documents `scw::state::locked`.
#[test]
fn issue_9_a_locked_state_is_reported_with_the_documented_code() {
    let (dir, backend) = dir_with_fixture();
    let _guard = backend.lock("apply", Duration::ZERO).expect("free");
    let out = scwform(
        &["state", "rm", "--dir", ".", "scaleway_account_project.main"],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("scw::state::locked"), "{stderr}");
    assert!(stderr.contains("for `apply`"), "{stderr}");
    let docs = std::fs::read_to_string(crate::common::repo_root().join("docs/state.md"))
        .expect("docs/state.md");
    assert!(docs.contains("`scw::state::locked`"));
}

// https://github.com/scwform/scwform/issues/13: `backend "s3"` (and `pg`) passed and were then
// silently ignored, the state written locally.
#[test]
fn issue_13_a_backend_scwform_does_not_have_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("main.tf"),
        "terraform {\n  backend \"s3\" {\n    bucket = \"b\"\n  }\n}\n",
    )
    .expect("write");
    for args in [
        vec!["state", "list"],
        vec!["output"],
        vec!["state", "rm", "scaleway_account_project.x"],
        vec!["plan", "--sandbox"],
    ] {
        let out = scwform(&args, dir.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        if args == ["plan", "--sandbox"] {
            // The sandbox never uses the configured backend: its state stays local.
            assert!(!stderr.contains("s3"), "{stderr}");
            continue;
        }
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("Unsupported backend type \"s3\""),
            "{stderr}"
        );
        assert!(stderr.contains("scw::state::backend_type"), "{stderr}");
        assert!(
            stderr.contains("main.tf:2:"),
            "points at the block: {stderr}"
        );
    }
    assert!(!dir.path().join("scwform.tfstate").exists());
    assert!(!dir.path().join("terraform.tfstate").exists());
}

#[test]
fn backend_settings_must_be_constants_of_the_right_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("main.tf"),
        "variable \"p\" {\n  default = \"x.tfstate\"\n}\n\nterraform {\n  backend \"local\" {\n    path = var.p\n    pth  = \"y\"\n  }\n}\n",
    )
    .expect("write");
    let out = scwform(&["state", "list"], dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("scw::model::backend_value"), "{stderr}");
    std::fs::write(
        dir.path().join("main.tf"),
        "terraform {\n  backend \"local\" {\n    pth = \"y\"\n  }\n}\n",
    )
    .expect("write");
    let out = scwform(&["state", "list"], dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("Unsupported argument \"pth\""), "{stderr}");
    assert!(stderr.contains("Did you mean \"path\"?"), "{stderr}");
    // A local backend with a path: the state is there.
    std::fs::write(
        dir.path().join("main.tf"),
        "terraform {\n  backend \"local\" {\n    path = \"states/team.tfstate\"\n  }\n}\n",
    )
    .expect("write");
    std::fs::create_dir(dir.path().join("states")).expect("mkdir");
    std::fs::write(dir.path().join("states/team.tfstate"), fixture_text()).expect("write");
    let out = scwform(&["state", "list"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("scaleway_container.web[\"blue\"]"));
}

// https://github.com/scwform/scwform/issues/13: `state pull`, `state push` (lineage and serial
// checks as Terraform's) and `force-unlock`.
#[test]
fn issue_13_state_push_checks_lineage_pull_prints_and_force_unlock_needs_a_lock() {
    let w = crate::e2e::harness::Workdir::new();
    w.write("terraform {\n  backend \"local\" {}\n}\n");
    let fixture = crate::common::repo_root().join("tests/fixtures/state/terraform-v4.tfstate");
    let text = std::fs::read_to_string(&fixture).expect("fixture");
    let original: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let path = w.path().join("pushed.tfstate");
    std::fs::write(&path, &text).expect("write");
    w.run_with(w.command(&["state", "push", "pushed.tfstate"]))
        .expect(0);
    let pulled = w.run_with(w.command(&["state", "pull"]));
    pulled.expect(0);
    let pulled: serde_json::Value = serde_json::from_str(&pulled.stdout).expect("a state");
    assert_eq!(pulled["lineage"], original["lineage"]);
    assert_eq!(pulled["resources"], original["resources"]);

    let mut other = original.clone();
    other["lineage"] = serde_json::json!("another-lineage");
    std::fs::write(&path, other.to_string()).expect("write");
    let refused = w.run_with(w.command(&["state", "push", "pushed.tfstate"]));
    refused.expect(1);
    assert!(
        refused.stderr.contains("scw::state::lineage"),
        "{}",
        refused.stderr
    );
    w.run_with(w.command(&["state", "push", "--force", "pushed.tfstate"]))
        .expect(0);
    let pulled = w.run_with(w.command(&["state", "pull"]));
    let pulled: serde_json::Value = serde_json::from_str(&pulled.stdout).expect("a state");
    assert_eq!(pulled["lineage"], "another-lineage");

    let unlock = w.run_with(w.command(&["force-unlock", "some-id"]));
    unlock.expect(1);
    assert!(
        unlock.stderr.contains("scw::state::not_locked"),
        "{}",
        unlock.stderr
    );
}

/// Issue 13: a Cockpit token recorded at schema version 0 by older scwform builds (the current
/// `{region}/{uuid}` id, which the provider's 0 → 1 upgrader refuses) is read at version 1,
/// and the next save writes it so with the next serial, even with nothing else changed.
#[test]
fn issue_13_objects_read_at_an_older_schema_version_are_written_upgraded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let backend = Local::in_dir(dir.path());
    let id = "fr-par/11111111-2222-3333-4444-555555555555";
    let old = json!({
        "version": 4,
        "terraform_version": "1.11.0",
        "serial": 4,
        "lineage": "l-old",
        "outputs": {},
        "resources": [{
            "mode": "managed",
            "type": "scaleway_cockpit_token",
            "name": "metrics",
            "provider": "provider[\"registry.terraform.io/scaleway/scaleway\"]",
            "instances": [{
                "schema_version": 0,
                "attributes": {"id": id, "name": "metrics", "region": "fr-par"},
                "sensitive_attributes": []
            }]
        }]
    });
    std::fs::write(backend.path(), old.to_string()).expect("write");
    let mut state = backend.load().expect("load").expect("present");
    let addr = InstanceAddr::managed("scaleway_cockpit_token", "metrics");
    assert_eq!(state.instance(&addr).map(|i| i.schema_version), Some(1));
    assert_eq!(
        backend.save(&mut state).expect("save"),
        SaveOutcome::Written { serial: 5 }
    );
    let on_disk: Value =
        serde_json::from_str(&std::fs::read_to_string(backend.path()).expect("read"))
            .expect("JSON");
    let instance = &on_disk["resources"][0]["instances"][0];
    assert_eq!(instance["schema_version"], 1);
    assert_eq!(instance["attributes"]["id"], id);
    // Once written, it is current: nothing more to write.
    assert_eq!(
        backend.save(&mut state).expect("save"),
        SaveOutcome::Unchanged
    );
}
