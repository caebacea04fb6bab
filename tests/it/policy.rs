//! Policy tools read scwform's JSON plan as they read Terraform's (issue 14): terraform-compliance
//! and checkov, installed from the package registry into a virtualenv kept under the target
//! directory (so a second run does not install again), read `show -json` of a saved sandbox plan
//! with every action kind. A policy over a reference (each container token's `namespace_id`
//! refers to a namespace) passes, and one the plan breaks (each token refers to a project) fails,
//! in each tool. When the tools cannot be installed (no `python3`, no registry) the test says so
//! and skips.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common;
use crate::e2e::harness::Workdir;

/// The versions the policies were written against.
const TOOLS: [&str; 2] = ["terraform-compliance==1.16.0", "checkov==3.3.30"];

fn fixture() -> PathBuf {
    common::repo_root().join("tests/fixtures/policy")
}

/// The target directory this test binary was built into (`target/debug/deps/it-…`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors()
        .nth(3)
        .map_or_else(|| common::repo_root().join("target"), Path::to_path_buf)
}

/// Runs a command to its end, or kills it after `limit`; `Err` says what went wrong.
fn run_within(mut cmd: Command, limit: Duration) -> Result<std::process::Output, String> {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    if let Ok(out) = rx.recv_timeout(limit) {
        out.map_err(|e| e.to_string())
    } else {
        // Ends only the process this test started, by its ID.
        let _ = Command::new("kill").arg(id.to_string()).status();
        Err(format!("{cmd:?} took more than {}s", limit.as_secs()))
    }
}

/// The virtualenv's `bin` directory with both tools, installed on first use.
fn tools() -> Result<PathBuf, String> {
    let venv = target_dir().join("policy-tools").join("venv");
    let bin = venv.join("bin");
    let marker = venv.join(format!("installed {}", TOOLS.join(" ")));
    if marker.is_file() {
        return Ok(bin);
    }
    let _ = std::fs::remove_dir_all(&venv);
    std::fs::create_dir_all(venv.parent().expect("venv has a parent"))
        .map_err(|e| e.to_string())?;
    let mut make = Command::new("python3");
    make.args(["-m", "venv"]).arg(&venv);
    let out = run_within(make, Duration::from_secs(60))?;
    if !out.status.success() {
        return Err(format!(
            "python3 -m venv failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut install = Command::new(bin.join("pip"));
    install
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .args(TOOLS);
    let started = Instant::now();
    let out = run_within(install, Duration::from_secs(420))?;
    if !out.status.success() {
        return Err(format!(
            "pip install {} failed: {}",
            TOOLS.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    std::fs::write(&marker, format!("{}s\n", started.elapsed().as_secs()))
        .map_err(|e| e.to_string())?;
    Ok(bin)
}

/// A policy tool run with a private home and no call home.
fn tool(bin: &Path, name: &str, home: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(bin.join(name));
    cmd.args(args)
        .current_dir(home)
        .env("HOME", home)
        .env("BC_SKIP_MAPPING", "TRUE")
        .env("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "false")
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        );
    run_within(cmd, Duration::from_secs(120)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn text(out: &std::process::Output) -> String {
    format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// checkov's JSON report: (passed, failed) for the one check run.
fn checkov(bin: &Path, home: &Path, plan: &Path, dir: &str, check: &str) -> (u64, u64, String) {
    let checks = fixture().join("checkov").join(dir);
    let out = tool(
        bin,
        "checkov",
        home,
        &[
            "-f",
            &plan.to_string_lossy(),
            "--framework",
            "terraform_plan",
            "--external-checks-dir",
            &checks.to_string_lossy(),
            "--check",
            check,
            "--skip-download",
            "--quiet",
            "--compact",
            "-o",
            "json",
        ],
    );
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("checkov's JSON report ({e}):\n{}", text(&out)));
    let summary = &report["summary"];
    assert_eq!(summary["parsing_errors"], 0, "{}", text(&out));
    (
        summary["passed"].as_u64().unwrap_or(0),
        summary["failed"].as_u64().unwrap_or(0),
        text(&out),
    )
}

#[test]
#[allow(clippy::print_stderr)]
fn policy_tools_read_the_json_plan_and_check_references() {
    let bin = match tools() {
        Ok(bin) => bin,
        Err(why) => {
            eprintln!("skipping: terraform-compliance and checkov cannot be installed ({why})");
            return;
        }
    };

    // A saved plan with every action kind, and its JSON as `show -json` prints it.
    let w = Workdir::new();
    std::fs::copy(fixture().join("before.tf"), w.path().join("main.tf")).expect("copy");
    w.sandbox(&["apply", "-auto-approve"]).expect(0);
    std::fs::copy(fixture().join("after.tf"), w.path().join("main.tf")).expect("copy");
    w.sandbox(&["plan", "-out=p"]).expect(0);
    let shown = w.run_with(w.command(&["show", "-json", "p"]));
    shown.expect(0);
    let plan: Value = serde_json::from_str(&shown.stdout).expect("JSON plan");
    let mut actions: Vec<String> = plan["resource_changes"]
        .as_array()
        .expect("resource_changes")
        .iter()
        .map(|c| c["change"]["actions"].to_string())
        .collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            r#"["create"]"#,
            r#"["delete","create"]"#,
            r#"["delete"]"#,
            r#"["no-op"]"#,
            r#"["update"]"#
        ]
    );
    let plan_file = w.path().join("plan.json");
    std::fs::write(&plan_file, &shown.stdout).expect("write plan.json");
    let home = tempfile::tempdir().expect("temp dir");

    // terraform-compliance: the feature over the reference passes; the broken one fails.
    let compliance = |dir: &str| {
        tool(
            &bin,
            "terraform-compliance",
            home.path(),
            &[
                "--no-ansi",
                "-p",
                &plan_file.to_string_lossy(),
                "-f",
                &fixture().join("features").join(dir).to_string_lossy(),
            ],
        )
    };
    let passed = compliance("pass");
    assert!(
        passed.status.success() && String::from_utf8_lossy(&passed.stdout).contains("1 passed"),
        "{}",
        text(&passed)
    );
    let failed = compliance("fail");
    assert!(!failed.status.success(), "{}", text(&failed));
    assert!(
        String::from_utf8_lossy(&failed.stdout)
            .contains("scaleway_account_project is not referenced within scaleway_container_token"),
        "{}",
        text(&failed)
    );

    // checkov: the same two policies as custom connection checks.
    let (pass, fail, out) = checkov(&bin, home.path(), &plan_file, "pass", "CKV2_SCWFORM_1");
    assert!(pass > 0 && fail == 0, "{out}");
    let (_, fail, out) = checkov(&bin, home.path(), &plan_file, "fail", "CKV2_SCWFORM_2");
    assert!(fail > 0, "{out}");
}
