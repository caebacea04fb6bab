//! The CI recipe (docs/ci.md) run as a script against the sandbox: the same
//! `examples/ci/scwform-ci.sh` the GitHub Actions and GitLab CI files call. A "PR" plans and
//! writes its comment, the "merge" applies the kept plan file; a second "PR" planned against
//! the old base is refused at apply, and nothing of it is applied.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common;
use crate::e2e::harness::{Run, Workdir};

const CONFIG: &str = r#"
resource "scaleway_account_project" "main" {
  name        = "ci-recipe"
  description = "first"
}

resource "scaleway_cockpit_token" "main" {
  project_id = scaleway_account_project.main.id
  name       = "grafana"
}
"#;

fn script() -> PathBuf {
    common::repo_root().join("examples/ci/scwform-ci.sh")
}

/// Runs a command in the repository with only the recipe's environment.
fn run(dir: &Path, program: &str, args: &[&str]) -> Run {
    let bin_dir = common::scwform_bin()
        .parent()
        .expect("the binary is in a directory")
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", path)
        .env("HOME", dir)
        .env("SCW_CONFIG_PATH", dir.join("no-scw-config.yaml"))
        .env("SCWFORM_FLAGS", "--sandbox")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "ci")
        .env("GIT_AUTHOR_EMAIL", "ci@example.com")
        .env("GIT_COMMITTER_NAME", "ci")
        .env("GIT_COMMITTER_EMAIL", "ci@example.com")
        .output()
        .expect("the command runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn git(dir: &Path, args: &[&str]) {
    run(dir, "git", args).expect(0);
}

fn recipe(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec![script().to_string_lossy().into_owned()];
    all.extend(args.iter().map(|a| (*a).to_owned()));
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    run(dir, "bash", &all)
}

/// A "PR": a branch from main with `text` as the configuration, planned by the recipe; the
/// plan file is kept as `artifacts/NAME.tfplan`. Returns the comment.
fn pull_request(dir: &Path, name: &str, text: &str) -> String {
    git(dir, &["checkout", "-q", "main"]);
    git(dir, &["checkout", "-q", "-b", name]);
    std::fs::write(dir.join("infra/main.tf"), text).expect("write");
    git(dir, &["commit", "-q", "-am", name]);
    recipe(dir, &["plan", "infra", "tfplan", "plan-comment.md"]).expect(0);
    std::fs::rename(
        dir.join("tfplan"),
        dir.join(format!("artifacts/{name}.tfplan")),
    )
    .expect("keep the artifact");
    std::fs::read_to_string(dir.join("plan-comment.md")).expect("comment file")
}

fn merge(dir: &Path, name: &str) {
    git(dir, &["checkout", "-q", "main"]);
    git(
        dir,
        &[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            &format!("Merge {name}"),
            name,
        ],
    );
}

#[test]
fn the_ci_recipe_applies_the_reviewed_plan_and_refuses_a_pull_request_whose_base_moved() {
    // The recipe's files call the script this test runs.
    for file in ["github-actions.yml", "gitlab-ci.yml"] {
        let text = std::fs::read_to_string(common::repo_root().join("examples/ci").join(file))
            .expect("recipe file");
        let _: serde_json::Value = yaml_serde::from_str(&text).expect("valid YAML");
        assert!(
            text.contains("examples/ci/scwform-ci.sh plan infra tfplan plan-comment.md")
                && text.contains("examples/ci/scwform-ci.sh apply tfplan"),
            "{file} runs the recipe's steps"
        );
    }

    let w = Workdir::new();
    let dir = w.path();
    std::fs::create_dir_all(dir.join("infra")).expect("mkdir");
    std::fs::create_dir_all(dir.join("artifacts")).expect("mkdir");
    std::fs::write(dir.join("infra/main.tf"), CONFIG).expect("write");
    std::fs::write(
        dir.join(".gitignore"),
        ".scwform/\nartifacts/\ntfplan\nplan-comment.md\nno-scw-config.yaml\n",
    )
    .expect("write");
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "infra"]);
    run(
        dir,
        "scwform",
        &["apply", "-auto-approve", "--sandbox", "infra"],
    )
    .expect(0);

    // PR 1 changes the description; PR 2, from the same base, adds a token.
    let first = pull_request(dir, "pr1", &CONFIG.replace("\"first\"", "\"second\""));
    assert!(first.starts_with("<!-- scwform-plan -->\n"), "{first}");
    assert!(first.contains("Plan digest `sha256:"), "{first}");
    assert!(first.contains("scaleway_account_project.main"), "{first}");
    let second = pull_request(
        dir,
        "pr2",
        &format!(
            "{CONFIG}\nresource \"scaleway_cockpit_token\" \"extra\" {{\n  project_id = scaleway_account_project.main.id\n  name       = \"extra\"\n}}\n"
        ),
    );
    assert!(second.contains("scaleway_cockpit_token.extra"), "{second}");

    // Merge PR 1: its plan applies as reviewed, and prints the digest the comment shows.
    merge(dir, "pr1");
    let applied = recipe(dir, &["apply", "artifacts/pr1.tfplan"]);
    applied.expect(0);
    assert!(
        applied
            .stderr
            .contains("Apply complete! Resources: 0 added, 1 changed, 0 destroyed."),
        "{}",
        applied.stderr
    );
    let digest = first
        .split("Plan digest `")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .expect("digest in the comment");
    assert!(applied.stderr.contains(digest), "{}", applied.stderr);

    // Merge PR 2: its base moved (the state and the configuration changed since its plan).
    merge(dir, "pr2");
    let refused = recipe(dir, &["apply", "artifacts/pr2.tfplan"]);
    assert!(
        (10..=16).contains(&refused.code) && refused.stderr.contains("Saved plan refused"),
        "{refused:?}"
    );
    assert_eq!(refused.code, 13, "{}", refused.stderr);
    assert!(
        !refused.stderr.contains("Apply complete"),
        "{}",
        refused.stderr
    );
    // Nothing of PR 2 ran: the merged configuration still has the token to create.
    let pending = run(
        dir,
        "scwform",
        &["plan", "-detailed-exitcode", "--sandbox", "infra"],
    );
    pending.expect(2);
    assert!(
        pending
            .stdout
            .contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{}",
        pending.stdout
    );
}
