//! A team sharing one state in PostgreSQL: two scwform runs on one `pg` workspace at once
//! (the second fails naming the holder, or waits for it), a holder killed with `kill -9`
//! (the database frees its lock), and the serial moving one step per change, never lost or
//! taken twice.
//!
//! Skipped, saying so, without PostgreSQL (failing under `CI=true`).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use scwform::state::backend::{Backend, BackendSpec, OpenOptions, open};
use scwform::state::{DEFAULT_WORKSPACE, Holder, State};
use serde_json::json;

use crate::e2e::harness::{Api, Workdir};

struct Shared {
    conn_str: String,
    schema: String,
}

impl Shared {
    fn new(what: &str) -> Option<Self> {
        let server = crate::pg::server(what)?;
        Some(Self {
            conn_str: server.database("scwform_team"),
            schema: format!("team_{}", uuid::Uuid::new_v4().simple()),
        })
    }

    fn config(&self, projects: &[&str]) -> String {
        let mut text = format!(
            "terraform {{\n  backend \"pg\" {{\n    conn_str    = \"{}\"\n    schema_name = \"{}\"\n  }}\n}}\n",
            self.conn_str, self.schema
        );
        for name in projects {
            let _ = write!(
                text,
                "\nresource \"scaleway_account_project\" \"{name}\" {{\n  name = \"team-{name}\"\n}}\n"
            );
        }
        text
    }

    fn backend(&self) -> Backend {
        let mut spec = BackendSpec {
            kind: "pg".into(),
            settings: std::collections::BTreeMap::new(),
            span: None,
        };
        spec.set("conn_str", json!(self.conn_str));
        spec.set("schema_name", json!(self.schema));
        match open(&spec, &OpenOptions::from_process(&std::env::temp_dir())) {
            Ok(b) => b,
            Err(e) => panic!("opens: {e:?}"),
        }
    }

    fn state(&self) -> State {
        self.backend()
            .store(DEFAULT_WORKSPACE)
            .load()
            .expect("load")
            .expect("a state")
    }

    /// Waits until a run holds the lock for `operation`; returns its pid.
    fn wait_for_holder(&self, operation: &str) -> u32 {
        let backend = self.backend();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(Holder::Known(info)) = backend.holder(DEFAULT_WORKSPACE).expect("holder")
                && info.operation == operation
            {
                return info.pid;
            }
            assert!(
                Instant::now() < deadline,
                "nobody took the lock for {operation}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn two_applies_on_one_pg_workspace_one_waits_or_fails_naming_the_holder() {
    let Some(shared) = Shared::new("two applies racing on one pg workspace") else {
        return;
    };
    let api = Api::start();
    let alice = Workdir::new();
    let bob = Workdir::new();
    alice.write(&shared.config(&["a"]));
    bob.write(&shared.config(&["a"]));
    api.run(&alice, &["apply", "--auto-approve"]).expect(0);
    let first = shared.state();

    alice.write(&shared.config(&["a", "b"]));
    bob.write(&shared.config(&["a", "b"]));
    api.faults(json!({"latency_ms": 300}));
    let running = api.spawn(&alice, &["apply", "--auto-approve"]);
    let holder_pid = shared.wait_for_holder("apply");
    assert_eq!(holder_pid, running.pid());
    // Without waiting, Bob's run fails at once and names Alice's.
    let refused = api.run(&bob, &["apply", "--auto-approve"]);
    refused.expect(1);
    assert!(
        refused.stderr.contains("scw::state::locked"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains(&format!("(pid {holder_pid})")),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("`apply`"), "{}", refused.stderr);
    // Waiting, it runs once Alice's is done, and finds nothing left to do.
    let waiting = api.spawn(&bob, &["apply", "--auto-approve", "--lock-timeout", "60s"]);
    running.finish().expect(0);
    let second = shared.state();
    let bob_run = waiting.finish();
    bob_run.expect(0);
    api.faults(json!({}));
    assert!(
        bob_run.stderr.contains("0 added, 0 changed, 0 destroyed"),
        "{}",
        bob_run.stderr
    );
    let last = shared.state();
    assert_eq!(last.lineage, first.lineage);
    assert!(second.serial > first.serial, "Alice's changes were saved");
    assert_eq!(last.serial, second.serial, "Bob had nothing to write");
    assert_eq!(last.addresses().len(), 2);
    assert!(last.same_content(&second));
}

#[cfg(unix)]
#[test]
fn a_killed_holder_frees_its_pg_lock_and_loses_no_serial() {
    let Some(shared) = Shared::new("a pg lock holder killed with kill -9") else {
        return;
    };
    let api = Api::start();
    let w = Workdir::new();
    w.write(&shared.config(&["a"]));
    api.run(&w, &["apply", "--auto-approve"]).expect(0);
    let before = shared.state();

    w.write(&shared.config(&["a", "b", "c"]));
    api.faults(json!({"latency_ms": 2000}));
    let running = api.spawn(&w, &["apply", "--auto-approve", "--parallelism", "1"]);
    shared.wait_for_holder("apply");
    let status = std::process::Command::new("kill")
        .args(["-9", &running.pid().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let killed = running.finish();
    assert_ne!(killed.code, 0);
    api.faults(json!({}));
    // The database ends the dead run's session, and its lock with it.
    let deadline = Instant::now() + Duration::from_secs(30);
    let backend = shared.backend();
    while backend.holder(DEFAULT_WORKSPACE).expect("holder").is_some() {
        assert!(Instant::now() < deadline, "the dead run's lock stayed");
        std::thread::sleep(Duration::from_millis(50));
    }
    let again = api.run(&w, &["apply", "--auto-approve"]);
    again.expect(0);
    let after = shared.state();
    assert_eq!(after.lineage, before.lineage);
    assert_eq!(after.addresses().len(), 3, "{}", again.all());
    assert!(after.serial > before.serial);
    api.run(&w, &["plan", "--detailed-exitcode"]).expect(0);
}
