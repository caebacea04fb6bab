//! Workspaces: `workspace list | show | new | select | delete`, `TF_WORKSPACE`, the selection
//! file Terraform uses (`.terraform/environment`), `terraform.workspace`, and one state per
//! workspace in each backend.

use crate::e2e::harness::Workdir;

const CONFIG: &str = r#"
resource "scaleway_account_project" "main" {
  name = "ws-${terraform.workspace}"
}
"#;

fn with_env(w: &Workdir, args: &[&str], env: &[(&str, &str)]) -> crate::e2e::harness::Run {
    let mut cmd = w.command(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    w.run_with(cmd)
}

// https://github.com/scwform/scwform/issues/13: `TF_WORKSPACE=prod` changed
// `terraform.workspace` but planned against the default workspace's state, proposing to
// rename the default stack's objects.
#[test]
fn issue_13_tf_workspace_selects_both_the_state_and_terraform_workspace() {
    let w = Workdir::new();
    w.write(CONFIG);
    w.sandbox(&["apply", "--auto-approve"]).expect(0);
    w.sandbox(&["workspace", "new", "prod"]).expect(0);
    assert!(
        w.path()
            .join(".scwform/terraform.tfstate.d/prod/terraform.tfstate")
            .is_file(),
        "sandbox workspaces stay in the sandbox directory"
    );
    assert!(!w.path().join("terraform.tfstate.d").exists());
    // Back to default in the file; the environment selects prod.
    w.sandbox(&["workspace", "select", "default"]).expect(0);
    let plan = with_env(
        &w,
        &["plan", "--sandbox", "--detailed-exitcode"],
        &[("TF_WORKSPACE", "prod")],
    );
    plan.expect(2);
    assert!(
        plan.stdout
            .contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("\"ws-prod\""), "{}", plan.stdout);
    // The default workspace is untouched and still converged.
    w.sandbox(&["plan", "--detailed-exitcode"]).expect(0);
    // A workspace that does not exist is an error, not an empty state.
    let missing = with_env(&w, &["plan", "--sandbox"], &[("TF_WORKSPACE", "staging")]);
    missing.expect(1);
    assert!(
        missing
            .stderr
            .contains("Currently selected workspace \"staging\" does not exist"),
        "{}",
        missing.stderr
    );
}

#[test]
fn workspaces_are_listed_selected_and_deleted_as_in_terraform() {
    let w = Workdir::new();
    w.write("terraform {\n  backend \"local\" {}\n}\n");
    let list = w.run_with(w.command(&["workspace", "list"]));
    list.expect(0);
    assert_eq!(list.stdout, "* default\n");
    w.run_with(w.command(&["workspace", "new", "prod"]))
        .expect(0);
    w.run_with(w.command(&["workspace", "new", "dev"]))
        .expect(0);
    assert!(
        w.path()
            .join("terraform.tfstate.d/prod/terraform.tfstate")
            .is_file()
    );
    assert_eq!(
        std::fs::read_to_string(w.path().join(".terraform/environment")).expect("selection"),
        "dev"
    );
    let list = w.run_with(w.command(&["workspace", "list"]));
    assert_eq!(list.stdout, "  default\n* dev\n  prod\n");
    assert_eq!(
        w.run_with(w.command(&["workspace", "show"])).stdout,
        "dev\n"
    );
    let again = w.run_with(w.command(&["workspace", "new", "prod"]));
    again.expect(1);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    let missing = w.run_with(w.command(&["workspace", "select", "qa"]));
    missing.expect(1);
    assert!(
        missing.stderr.contains("doesn't exist"),
        "{}",
        missing.stderr
    );
    w.run_with(w.command(&["workspace", "select", "qa", "--or-create"]))
        .expect(0);
    w.run_with(w.command(&["workspace", "select", "prod"]))
        .expect(0);
    let active = w.run_with(w.command(&["workspace", "delete", "prod"]));
    active.expect(1);
    assert!(
        active.stderr.contains("active workspace"),
        "{}",
        active.stderr
    );
    let default = w.run_with(w.command(&["workspace", "delete", "default"]));
    default.expect(1);
    // A workspace whose state records objects is kept unless forced.
    let fixture = std::fs::read_to_string(
        crate::common::repo_root().join("tests/fixtures/state/terraform-v4.tfstate"),
    )
    .expect("fixture");
    std::fs::write(
        w.path().join("terraform.tfstate.d/dev/terraform.tfstate"),
        fixture,
    )
    .expect("write");
    let busy = w.run_with(w.command(&["workspace", "delete", "dev"]));
    busy.expect(1);
    assert!(
        busy.stderr.contains("scaleway_container.web"),
        "{}",
        busy.stderr
    );
    w.run_with(w.command(&["workspace", "delete", "dev", "--force"]))
        .expect(0);
    w.run_with(w.command(&["workspace", "delete", "qa"]))
        .expect(0);
    let list = w.run_with(w.command(&["workspace", "list"]));
    assert_eq!(list.stdout, "  default\n* prod\n");
    // The environment overrides the file, and selecting is then refused.
    let overridden = with_env(
        &w,
        &["workspace", "select", "default"],
        &[("TF_WORKSPACE", "prod")],
    );
    overridden.expect(1);
    assert!(
        overridden.stderr.contains("TF_WORKSPACE"),
        "{}",
        overridden.stderr
    );
    let shown = with_env(&w, &["workspace", "show"], &[("TF_WORKSPACE", "default")]);
    assert_eq!(shown.stdout, "default\n");
    let bad = w.run_with(w.command(&["workspace", "new", "a/b"]));
    bad.expect(1);
    assert!(
        bad.stderr.contains("scw::state::workspace_name"),
        "{}",
        bad.stderr
    );
}

#[test]
fn without_a_backend_block_the_default_state_keeps_its_historical_name() {
    let w = Workdir::new();
    w.write(CONFIG);
    std::fs::write(
        w.path().join("scwform.tfstate"),
        std::fs::read_to_string(
            crate::common::repo_root().join("tests/fixtures/state/terraform-v4.tfstate"),
        )
        .expect("fixture"),
    )
    .expect("write");
    let list = w.run_with(w.command(&["state", "list"]));
    list.expect(0);
    assert!(
        list.stdout.contains("scaleway_container.web"),
        "{}",
        list.stdout
    );
    // Other workspaces live where Terraform puts them.
    w.run_with(w.command(&["workspace", "new", "prod"]))
        .expect(0);
    assert!(
        w.path()
            .join("terraform.tfstate.d/prod/terraform.tfstate")
            .is_file()
    );
    let list = w.run_with(w.command(&["state", "list"]));
    assert_eq!(list.stdout, "", "prod is empty");
}
