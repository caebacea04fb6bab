//! Interoperability with the real Terraform (`/usr/local/bin/terraform`, run offline on
//! configurations without resource blocks): one PostgreSQL database shared by both through
//! their `pg` backends, and local state files scwform wrote. Each side reads what the other
//! wrote (states, outputs), Terraform edits a state scwform wrote (`state mv`), and a lock
//! held by one is seen by the other.
//!
//! Skipped, saying so, without Terraform or without PostgreSQL.

#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use scwform::state::backend::{BackendSpec, OpenOptions, open};
use scwform::state::lock::POLL_INTERVAL;
use scwform::state::{DEFAULT_WORKSPACE, LockInfo};
use serde_json::{Value, json};

use crate::e2e::harness::{Api, Workdir};

const TERRAFORM: &str = "/usr/local/bin/terraform";

/// Terraform, when installed here.
fn terraform_present(what: &str) -> bool {
    let present = Path::new(TERRAFORM).is_file();
    if !present {
        eprintln!("skipping {what}: no Terraform at {TERRAFORM}");
    }
    present
}

/// A Terraform CLI configuration that installs the Scaleway provider from a local mirror
/// holding a stand-in: `init` on a state that records Scaleway resources needs the provider
/// to be installable, while the commands these tests run (`state list`, `state mv`,
/// `output`) never start it. Nothing is fetched from the network.
fn cli_config() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let platform = dir
            .path()
            .join("mirror/registry.terraform.io/scaleway/scaleway/2.99.0/linux_amd64");
        std::fs::create_dir_all(&platform).expect("mkdir");
        let provider = platform.join("terraform-provider-scaleway_v2.99.0");
        std::fs::write(
            &provider,
            "#!/bin/sh\necho 'a stand-in provider: never started by these tests' >&2\nexit 1\n",
        )
        .expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&provider, std::fs::Permissions::from_mode(0o755))
                .expect("chmod");
        }
        std::fs::write(
            dir.path().join("terraformrc"),
            format!(
                "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/scaleway/scaleway\"]\n  }}\n  direct {{\n    exclude = [\"registry.terraform.io/scaleway/scaleway\"]\n  }}\n}}\n",
                dir.path().join("mirror").display()
            ),
        )
        .expect("write");
        dir
    });
    dir.path()
}

fn terraform(dir: &Path, args: &[&str]) -> Output {
    Command::new(TERRAFORM)
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", cli_config().join("terraformrc"))
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env_remove("TF_WORKSPACE")
        .stdin(Stdio::null())
        .output()
        .expect("terraform runs")
}

fn ok(out: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A `pg` backend block for `conn_str` and `schema`.
fn pg_backend(conn_str: &str, schema: &str) -> String {
    format!(
        "terraform {{\n  backend \"pg\" {{\n    conn_str    = \"{conn_str}\"\n    schema_name = \"{schema}\"\n  }}\n}}\n"
    )
}

/// A database and a fresh schema on the test server, or `None` (skipping) without one.
fn pg_place(what: &str) -> Option<(String, String)> {
    if !terraform_present(what) {
        return None;
    }
    let server = crate::pg::server(what)?;
    Some((
        server.database("scwform_interop"),
        format!("i_{}", uuid::Uuid::new_v4().simple()),
    ))
}

#[test]
fn scwform_reads_the_state_and_outputs_terraform_wrote_through_pg() {
    let Some((conn_str, schema)) = pg_place("reading Terraform's pg state") else {
        return;
    };
    let tf = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        tf.path().join("main.tf"),
        format!(
            "{}output \"greeting\" {{\n  value = \"hello\"\n}}\noutput \"secret\" {{\n  value     = \"s3cr3t\"\n  sensitive = true\n}}\n",
            pg_backend(&conn_str, &schema)
        ),
    )
    .expect("write");
    ok(
        &terraform(tf.path(), &["init", "-input=false"]),
        "terraform init",
    );
    ok(
        &terraform(tf.path(), &["apply", "-auto-approve", "-input=false"]),
        "terraform apply",
    );
    let w = Workdir::new();
    w.write(&pg_backend(&conn_str, &schema));
    let out = w.run_with(w.command(&["output", "--json"]));
    out.expect(0);
    let outputs: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(outputs["greeting"]["value"], "hello");
    assert_eq!(outputs["secret"]["sensitive"], true);
    let list = w.run_with(w.command(&["output"]));
    list.expect(0);
    assert_eq!(list.stdout, "greeting = \"hello\"\nsecret = <sensitive>\n");
}

/// A configuration with a project and an output, kept in `backend`.
fn project_config(backend: &str) -> String {
    format!(
        "{backend}resource \"scaleway_account_project\" \"main\" {{\n  name = \"interop\"\n}}\n\noutput \"project\" {{\n  value = scaleway_account_project.main.id\n}}\n"
    )
}

#[test]
fn terraform_lists_moves_and_outputs_what_scwform_wrote_through_pg() {
    let Some((conn_str, schema)) = pg_place("Terraform reading scwform's pg state") else {
        return;
    };
    let api = Api::start();
    let w = Workdir::new();
    w.write(&project_config(&pg_backend(&conn_str, &schema)));
    api.run(&w, &["apply", "--auto-approve"]).expect(0);
    assert!(!w.path().join("scwform.tfstate").exists(), "nothing local");
    let tf = tempfile::tempdir().expect("temp dir");
    std::fs::write(tf.path().join("main.tf"), pg_backend(&conn_str, &schema)).expect("write");
    ok(
        &terraform(tf.path(), &["init", "-input=false"]),
        "terraform init",
    );
    let listed = ok(
        &terraform(tf.path(), &["state", "list"]),
        "terraform state list",
    );
    assert_eq!(listed, "scaleway_account_project.main\n");
    let outputs: Value = serde_json::from_str(&ok(
        &terraform(tf.path(), &["output", "-json"]),
        "terraform output",
    ))
    .expect("JSON");
    assert!(
        outputs["project"]["value"]
            .as_str()
            .is_some_and(|id| id.len() == 36),
        "{outputs}"
    );
    ok(
        &terraform(
            tf.path(),
            &[
                "state",
                "mv",
                "scaleway_account_project.main",
                "scaleway_account_project.moved",
            ],
        ),
        "terraform state mv",
    );
    // scwform reads the state Terraform rewrote.
    let list = w.run_with(w.command(&["state", "list"]));
    list.expect(0);
    assert_eq!(list.stdout, "scaleway_account_project.moved\n");
    // Workspaces are rows both see.
    w.run_with(w.command(&["workspace", "new", "staging"]))
        .expect(0);
    let listed = ok(
        &terraform(tf.path(), &["workspace", "list"]),
        "terraform workspace list",
    );
    assert!(listed.contains("staging"), "{listed}");
    ok(
        &terraform(tf.path(), &["workspace", "new", "qa"]),
        "terraform workspace new",
    );
    let ours = w.run_with(w.command(&["workspace", "list"]));
    assert_eq!(ours.stdout, "  default\n  qa\n* staging\n");
}

#[test]
fn a_pg_lock_held_by_one_is_seen_by_the_other() {
    let Some((conn_str, schema)) = pg_place("sharing pg locks with Terraform") else {
        return;
    };
    let tf = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        tf.path().join("main.tf"),
        format!(
            "{}output \"x\" {{\n  value = 1\n}}\n",
            pg_backend(&conn_str, &schema)
        ),
    )
    .expect("write");
    ok(
        &terraform(tf.path(), &["init", "-input=false"]),
        "terraform init",
    );
    ok(
        &terraform(tf.path(), &["apply", "-auto-approve", "-input=false"]),
        "terraform apply",
    );

    // scwform holds the lock: Terraform cannot take it.
    let mut spec = BackendSpec {
        kind: "pg".into(),
        settings: std::collections::BTreeMap::new(),
        span: None,
    };
    spec.set("conn_str", json!(conn_str));
    spec.set("schema_name", json!(schema));
    let backend = match open(&spec, &OpenOptions::from_process(tf.path())) {
        Ok(b) => b,
        Err(e) => panic!("opens: {e:?}"),
    };
    let guard = backend
        .lock(
            DEFAULT_WORKSPACE,
            &LockInfo::for_current_process("apply"),
            Duration::ZERO,
            POLL_INTERVAL,
        )
        .expect("free");
    let refused = terraform(tf.path(), &["apply", "-auto-approve", "-input=false"]);
    assert!(
        !refused.status.success(),
        "Terraform ignored scwform's lock"
    );
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("Error acquiring the state lock"),
        "{stderr}"
    );
    drop(guard);
    ok(
        &terraform(tf.path(), &["apply", "-auto-approve", "-input=false"]),
        "terraform apply once released",
    );

    // Terraform holds the lock (a console keeps it while it runs): scwform sees it.
    let mut console = Command::new(TERRAFORM)
        .arg("console")
        .current_dir(tf.path())
        .env("TF_CLI_CONFIG_FILE", cli_config().join("terraformrc"))
        .env("CHECKPOINT_DISABLE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("terraform console");
    let deadline = Instant::now() + Duration::from_secs(30);
    while backend.holder(DEFAULT_WORKSPACE).expect("holder").is_none() {
        assert!(Instant::now() < deadline, "the console never locked");
        std::thread::sleep(Duration::from_millis(50));
    }
    let w = Workdir::new();
    w.write(&pg_backend(&conn_str, &schema));
    let blocked = w.run_with(w.command(&["state", "rm", "scaleway_account_project.none"]));
    blocked.expect(1);
    assert!(
        blocked.stderr.contains("scw::state::locked"),
        "{}",
        blocked.stderr
    );
    assert!(
        blocked.stderr.contains("PostgreSQL session"),
        "{}",
        blocked.stderr
    );
    drop(console.stdin.take());
    let _ = console.kill();
    console.wait().expect("console ends");
    let deadline = Instant::now() + Duration::from_secs(30);
    while backend.holder(DEFAULT_WORKSPACE).expect("holder").is_some() {
        assert!(Instant::now() < deadline, "the console's lock stayed");
        std::thread::sleep(Duration::from_millis(50));
    }
    let after = w.run_with(w.command(&["state", "rm", "scaleway_account_project.none"]));
    assert!(
        !after.stderr.contains("locked"),
        "free once Terraform is gone: {}",
        after.stderr
    );
}

#[test]
fn terraform_lists_and_moves_in_a_local_state_scwform_wrote() {
    if !terraform_present("Terraform reading scwform's local state") {
        return;
    }
    let api = Api::start();
    let w = Workdir::new();
    w.write(&project_config("terraform {\n  backend \"local\" {}\n}\n"));
    api.run(&w, &["apply", "--auto-approve"]).expect(0);
    let state: PathBuf = w.path().join("terraform.tfstate");
    assert!(
        state.is_file(),
        "an explicit local backend uses Terraform's file name"
    );
    // Terraform, in a directory of its own, pointed at that file.
    let tf = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        tf.path().join("main.tf"),
        "output \"x\" {\n  value = 1\n}\n",
    )
    .expect("write");
    ok(
        &terraform(tf.path(), &["init", "-input=false"]),
        "terraform init",
    );
    let path = state.to_str().expect("UTF-8 path");
    let listed = ok(
        &terraform(tf.path(), &["state", "list", &format!("-state={path}")]),
        "terraform state list",
    );
    assert_eq!(listed, "scaleway_account_project.main\n");
    ok(
        &terraform(
            tf.path(),
            &[
                "state",
                "mv",
                &format!("-state={path}"),
                "scaleway_account_project.main",
                "scaleway_account_project.moved",
            ],
        ),
        "terraform state mv",
    );
    let list = w.run_with(w.command(&["state", "list"]));
    list.expect(0);
    assert_eq!(list.stdout, "scaleway_account_project.moved\n");
    // And scwform keeps working on the state Terraform wrote.
    let rm = w.run_with(w.command(&["state", "rm", "scaleway_account_project.moved"]));
    rm.expect(0);
}

/// A project and a Cockpit token in a local state file.
const TOKEN_CONFIG: &str = "terraform {\n  backend \"local\" {}\n}\n\nresource \"scaleway_account_project\" \"main\" {\n  name = \"interop\"\n}\n\nresource \"scaleway_cockpit_token\" \"metrics\" {\n  project_id = scaleway_account_project.main.id\n  name       = \"metrics\"\n}\n";

/// Each instance's `schema_version` in a state document, by `type.name`.
fn schema_versions(state: &Value) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = state["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .flat_map(|r| {
            let address = format!(
                "{}.{}",
                r["type"].as_str().expect("type"),
                r["name"].as_str().expect("name")
            );
            r["instances"]
                .as_array()
                .expect("instances")
                .iter()
                .map(move |i| (address.clone(), i["schema_version"].as_u64().expect("n")))
        })
        .collect();
    out.sort();
    out
}

/// Issue 13: the provider's Cockpit token is at schema version 1 (its 0 → 1 upgrader refuses
/// the `{region}/{uuid}` id scwform records), so scwform records each type's current version,
/// upgrades what older builds wrote at version 0 when it reads it, and Terraform reads and
/// rewrites the result keeping those versions.
#[test]
fn issue_13_terraform_reads_the_schema_versions_scwform_records() {
    if !terraform_present("Terraform reading scwform's schema versions") {
        return;
    }
    let api = Api::start();
    let w = Workdir::new();
    w.write(TOKEN_CONFIG);
    api.run(&w, &["apply", "--auto-approve"]).expect(0);
    let state: PathBuf = w.path().join("terraform.tfstate");
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&state).expect("read")).expect("JSON");
    let current = vec![
        ("scaleway_account_project.main".to_owned(), 0),
        ("scaleway_cockpit_token.metrics".to_owned(), 1),
    ];
    assert_eq!(schema_versions(&written), current);

    // A state as older scwform builds wrote it: the token at version 0 with its current id.
    let mut old = written.clone();
    for r in old["resources"].as_array_mut().expect("resources") {
        for i in r["instances"].as_array_mut().expect("instances") {
            i["schema_version"] = json!(0);
        }
    }
    let serial = written["serial"].as_u64().expect("serial");
    std::fs::write(&state, serde_json::to_string_pretty(&old).expect("JSON")).expect("write");
    // Reading it upgrades it (no request, no change to make) ...
    let plan = api.run(&w, &["plan", "--detailed-exitcode"]);
    plan.expect(0);
    // ... and the next save writes it so, with the next serial.
    api.run(&w, &["apply", "--auto-approve"]).expect(0);
    let upgraded: Value =
        serde_json::from_str(&std::fs::read_to_string(&state).expect("read")).expect("JSON");
    assert_eq!(schema_versions(&upgraded), current);
    assert_eq!(upgraded["serial"].as_u64(), Some(serial + 1));
    let token = crate::e2e::harness::attributes(&upgraded, "scaleway_cockpit_token", "metrics")
        .expect("the token");
    let before = crate::e2e::harness::attributes(&written, "scaleway_cockpit_token", "metrics")
        .expect("the token");
    assert_eq!(token["id"], before["id"], "the regional id is kept");

    // Terraform lists the state and rewrites it (`state mv`) keeping the versions.
    let tf = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        tf.path().join("main.tf"),
        "output \"x\" {\n  value = 1\n}\n",
    )
    .expect("write");
    ok(
        &terraform(tf.path(), &["init", "-input=false"]),
        "terraform init",
    );
    let path = state.to_str().expect("UTF-8 path");
    let listed = ok(
        &terraform(tf.path(), &["state", "list", &format!("-state={path}")]),
        "terraform state list",
    );
    assert_eq!(
        listed,
        "scaleway_account_project.main\nscaleway_cockpit_token.metrics\n"
    );
    ok(
        &terraform(
            tf.path(),
            &[
                "state",
                "mv",
                &format!("-state={path}"),
                "scaleway_cockpit_token.metrics",
                "scaleway_cockpit_token.moved",
            ],
        ),
        "terraform state mv",
    );
    let rewritten: Value =
        serde_json::from_str(&std::fs::read_to_string(&state).expect("read")).expect("JSON");
    assert_eq!(
        schema_versions(&rewritten),
        vec![
            ("scaleway_account_project.main".to_owned(), 0),
            ("scaleway_cockpit_token.moved".to_owned(), 1),
        ]
    );
    // scwform reads Terraform's file as current: listing it needs no upgrade.
    let list = w.run_with(w.command(&["state", "list"]));
    list.expect(0);
    assert_eq!(
        list.stdout,
        "scaleway_account_project.main\nscaleway_cockpit_token.moved\n"
    );
}

/// Resources inside called modules, written by scwform with Terraform's `module` key, are what
/// Terraform lists; a `terraform state mv` between module instances is what scwform then reads.
#[test]
fn terraform_lists_and_moves_module_resources_scwform_wrote() {
    if !terraform_present("Terraform reading module resources scwform wrote") {
        return;
    }
    let api = Api::start();
    let w = Workdir::new();
    w.write(
        "terraform {\n  backend \"local\" {}\n}\n\nmodule \"team\" {\n  source   = \"./team\"\n  for_each = toset([\"a\", \"b\"])\n  name     = \"team-${each.key}\"\n}\n",
    );
    std::fs::create_dir(w.path().join("team")).expect("mkdir");
    std::fs::write(
        w.path().join("team/main.tf"),
        "variable \"name\" {}\n\nresource \"scaleway_account_project\" \"main\" {\n  name = var.name\n}\n",
    )
    .expect("write");
    api.run(&w, &["apply", "--auto-approve"]).expect(0);
    let state: PathBuf = w.path().join("terraform.tfstate");
    let tf = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        tf.path().join("main.tf"),
        "output \"x\" {\n  value = 1\n}\n",
    )
    .expect("write");
    ok(
        &terraform(tf.path(), &["init", "-input=false"]),
        "terraform init",
    );
    let path = state.to_str().expect("UTF-8 path");
    let listed = ok(
        &terraform(tf.path(), &["state", "list", &format!("-state={path}")]),
        "terraform state list",
    );
    assert_eq!(
        listed,
        "module.team[\"a\"].scaleway_account_project.main\nmodule.team[\"b\"].scaleway_account_project.main\n"
    );
    ok(
        &terraform(
            tf.path(),
            &[
                "state",
                "mv",
                &format!("-state={path}"),
                "module.team[\"b\"].scaleway_account_project.main",
                "module.team[\"c\"].scaleway_account_project.main",
            ],
        ),
        "terraform state mv",
    );
    let list = w.run_with(w.command(&["state", "list"]));
    list.expect(0);
    assert_eq!(
        list.stdout,
        "module.team[\"a\"].scaleway_account_project.main\nmodule.team[\"c\"].scaleway_account_project.main\n"
    );
}
