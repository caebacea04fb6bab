//! The state document and the local backend: Terraform v4 round trips, addresses, serial and
//! lineage rules, backups, file modes, atomic writes and locking (in-process and across
//! processes).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use scwform::state::{
    Holder, IndexKey, InstanceAddr, InstanceState, LocalBackend, LockInfo, ResourceAddr,
    SaveOutcome, State, StateBackend, StateError,
};
use serde_json::{Value, json};

fn fixture_path() -> PathBuf {
    crate::common::repo_root().join("tests/fixtures/state/terraform-v4.tfstate")
}

fn fixture_text() -> String {
    std::fs::read_to_string(fixture_path()).expect("fixture is present")
}

/// A temp dir holding a copy of the fixture as `scwform.tfstate`.
fn dir_with_fixture() -> (tempfile::TempDir, LocalBackend) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("scwform.tfstate"), fixture_text()).expect("copy fixture");
    let backend = LocalBackend::in_dir(dir.path());
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
    let backend = LocalBackend::in_dir(dir.path());
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
    assert!(text.starts_with("{\n  \"version\": 4,\n  \"terraform_version\": \"scwform-"));
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
    let next_run = LocalBackend::new(backend.path());
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
    for path in [backend.path().to_path_buf(), backend.backup_path()] {
        let mode = std::fs::metadata(&path)
            .expect("exists")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
    }
    let _lock = backend
        .lock(LockInfo::for_current_process("apply"), None)
        .expect("free");
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
    let backend = LocalBackend::in_dir(dir.path());
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
        vec![web.clone().with_key(IndexKey::Str("green".into()))]
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
        Err(StateError::InvalidAddress { .. })
    ));
}

#[test]
fn a_second_locker_fails_at_once_naming_the_holder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = LocalBackend::in_dir(dir.path());
    let second = LocalBackend::in_dir(dir.path());
    let guard = first
        .lock(LockInfo::for_current_process("apply"), None)
        .expect("free");
    assert_eq!(guard.info().operation, "apply");
    let start = Instant::now();
    let error = second
        .lock(LockInfo::for_current_process("plan"), None)
        .expect_err("taken");
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
    let _again = second
        .lock(LockInfo::for_current_process("plan"), None)
        .expect("free again");
}

#[test]
fn a_waiting_locker_gets_the_lock_when_it_is_released_or_times_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    let holder = LocalBackend::in_dir(dir.path());
    let waiter = LocalBackend::in_dir(dir.path()).with_poll_interval(Duration::from_millis(10));
    let guard = holder
        .lock(LockInfo::for_current_process("apply"), None)
        .expect("free");
    let start = Instant::now();
    let error = waiter
        .lock(
            LockInfo::for_current_process("plan"),
            Some(Duration::from_millis(150)),
        )
        .expect_err("still held");
    assert!(matches!(error, StateError::LockTimeout { .. }), "{error:?}");
    assert!(start.elapsed() >= Duration::from_millis(150));

    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        drop(guard);
    });
    let got = waiter.lock(
        LockInfo::for_current_process("plan"),
        Some(Duration::from_secs(10)),
    );
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
    let backend = LocalBackend::in_dir(Path::new(&dir));
    let _guard = backend
        .lock(LockInfo::for_current_process("apply"), None)
        .expect("the parent leaves the lock free");
    // Hold it until the parent kills us (the crash this test simulates).
    std::thread::sleep(Duration::from_secs(60));
}

#[test]
fn a_lock_held_by_another_process_is_seen_and_freed_when_it_dies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let backend = LocalBackend::in_dir(dir.path());
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
        .lock(LockInfo::for_current_process("plan"), None)
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
        .lock(LockInfo::for_current_process("plan"), None)
        .expect("a dead holder's lock is free");
    assert_eq!(
        backend.lock_info().map(|i| i.id),
        Some(guard.info().id.clone())
    );
}
