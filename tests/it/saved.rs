//! Saved plans end to end: `plan --out FILE` then `apply FILE` against an emulator behind a
//! recording proxy. A plan applied with nothing changed makes exactly the planned API calls and
//! no read; each binding that moved (state, configuration, variables, the file itself, the
//! git commit) is refused with its own exit code and a message naming the check.

use std::process::Command;

use crate::e2e::harness::{Api, Run, Workdir};

const CONFIG: &str = r#"
variable "suffix" {
  type    = string
  default = "a"
}

resource "scaleway_account_project" "main" {
  name        = "saved-${var.suffix}"
  description = "first"
}

resource "scaleway_cockpit_token" "main" {
  project_id = scaleway_account_project.main.id
  name       = "tok"
}
"#;

/// The configuration applied, then changed so that the next plan updates the project and
/// creates a second token.
fn changed_workdir(api: &Api) -> Workdir {
    let w = Workdir::new();
    w.write(CONFIG);
    api.run(&w, &["apply", "-auto-approve"]).expect(0);
    w.write(&format!(
        "{}\n{}",
        CONFIG.replace("\"first\"", "\"second\""),
        r#"
resource "scaleway_cockpit_token" "extra" {
  project_id = scaleway_account_project.main.id
  name       = "extra"
}
"#
    ));
    w
}

fn uuid_free(requests: &[String]) -> Vec<String> {
    let uuid = regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        .expect("regex");
    requests
        .iter()
        .map(|r| uuid.replace_all(r, "<id>").into_owned())
        .collect()
}

fn refused(run: &Run, code: i32, check: &str) {
    assert_eq!(
        run.code, code,
        "exit code\n--- stdout\n{}\n--- stderr\n{}",
        run.stdout, run.stderr
    );
    assert!(
        run.stderr.contains(&format!("Saved plan refused: {check}")),
        "{}",
        run.stderr
    );
}

#[test]
fn a_saved_plan_applied_with_nothing_changed_makes_exactly_the_planned_calls_and_no_read() {
    let api = Api::start();
    let w = changed_workdir(&api);
    let planned = api.run(&w, &["plan", "-out=review.plan"]);
    planned.expect(0);
    assert!(
        planned
            .stdout
            .contains("Plan: 1 to add, 1 to change, 0 to destroy.")
            && planned.stdout.contains("Plan digest: sha256:")
            && planned.stdout.contains("Saved the plan to: review.plan"),
        "{}",
        planned.stdout
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(w.path().join("review.plan"))
            .expect("plan file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let digest = planned
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Plan digest: "))
        .expect("digest line")
        .to_owned();
    api.take_requests();
    let applied = api.run(&w, &["apply", "review.plan"]);
    applied.expect(0);
    assert!(applied.stderr.contains(&digest), "{}", applied.stderr);
    assert!(
        applied
            .stderr
            .contains("Apply complete! Resources: 1 added, 1 changed, 0 destroyed."),
        "{}",
        applied.stderr
    );
    let saved_calls = uuid_free(&api.take_requests());
    // No refresh: the first call is one of the planned changes, and nothing is listed.
    assert!(
        saved_calls
            .first()
            .is_some_and(|r| r.starts_with("PATCH") || r.starts_with("POST")),
        "{saved_calls:#?}"
    );
    assert!(
        !saved_calls
            .iter()
            .any(|r| r.starts_with("GET") && r.ends_with("/projects")),
        "{saved_calls:#?}"
    );
    let changes: Vec<&String> = saved_calls
        .iter()
        .filter(|r| !r.starts_with("GET"))
        .collect();
    assert_eq!(changes.len(), 2, "{saved_calls:#?}");
    assert!(
        changes
            .iter()
            .any(|r| r.starts_with("PATCH /account/v3/projects/"))
            && changes
                .iter()
                .any(|r| r.starts_with("POST /cockpit/v1/") && r.ends_with("/tokens")),
        "{saved_calls:#?}"
    );
    // The same changes applied without a saved plan and without refresh make the same calls.
    let control = changed_workdir(&api);
    api.take_requests();
    api.run(&control, &["apply", "-auto-approve", "-refresh=false"])
        .expect(0);
    let mut direct = uuid_free(&api.take_requests());
    let mut saved_sorted = saved_calls.clone();
    direct.sort();
    saved_sorted.sort();
    assert_eq!(saved_sorted, direct);
    // Applied: nothing left to do, and the plan file cannot be applied twice.
    api.run(&w, &["plan", "-detailed-exitcode"]).expect(0);
    refused(
        &api.run(&w, &["apply", "review.plan"]),
        12,
        "state moved on",
    );
}

#[test]
fn a_saved_plan_is_refused_when_the_state_moved_on() {
    let api = Api::start();
    let w = changed_workdir(&api);
    api.run(&w, &["plan", "-out=p"]).expect(0);
    // Someone else applies in between.
    api.run(&w, &["apply", "-auto-approve"]).expect(0);
    api.take_requests();
    let run = api.run(&w, &["apply", "p"]);
    refused(&run, 12, "state moved on");
    assert!(run.stderr.contains("serial"), "{}", run.stderr);
    assert!(
        api.take_requests().is_empty(),
        "no API call after a refusal"
    );
}

#[test]
fn a_saved_plan_made_before_any_state_applies_and_the_state_takes_its_lineage() {
    // The first pull request of a new configuration: no state exists when the plan is made nor
    // when it is applied. The plan chose the lineage of the first state, as Terraform's does.
    let api = Api::start();
    let w = Workdir::new();
    w.write(CONFIG);
    api.run(&w, &["plan", "-out=first.plan"]).expect(0);
    let lineage = |json: &str| {
        serde_json::from_str::<serde_json::Value>(json).expect("JSON")["prior_state"]["lineage"]
            .as_str()
            .map(str::to_owned)
    };
    let planned = api.run(&w, &["show", "-json", "first.plan"]);
    planned.expect(0);
    let applied = api.run(&w, &["apply", "first.plan"]);
    applied.expect(0);
    assert!(
        applied.all().contains("Apply complete! Resources: 2 added"),
        "{}",
        applied.all()
    );
    let pulled = api.run(&w, &["state", "pull"]);
    pulled.expect(0);
    let state: serde_json::Value = serde_json::from_str(&pulled.stdout).expect("state JSON");
    if let Some(planned_lineage) = lineage(&planned.stdout) {
        assert_eq!(state["lineage"].as_str(), Some(planned_lineage.as_str()));
    }
    api.run(&w, &["plan", "-detailed-exitcode"]).expect(0);
    // The same file again: the state it was made against (none) is gone.
    refused(&api.run(&w, &["apply", "first.plan"]), 12, "state moved on");
}

#[test]
fn a_saved_plan_is_refused_when_the_configuration_changed() {
    let api = Api::start();
    let w = changed_workdir(&api);
    api.run(&w, &["plan", "-out=p"]).expect(0);
    let text = std::fs::read_to_string(w.path().join("main.tf")).expect("read");
    w.write(&text.replace("\"second\"", "\"third\""));
    let run = api.run(&w, &["apply", "p"]);
    refused(&run, 13, "configuration changed");
    assert!(run.stderr.contains("main.tf changed"), "{}", run.stderr);
    // A new file counts too.
    w.write(&text);
    std::fs::write(w.path().join("extra.tf"), "locals {\n  x = 1\n}\n").expect("write");
    let run = api.run(&w, &["apply", "p"]);
    refused(&run, 13, "configuration changed");
    assert!(run.stderr.contains("extra.tf added"), "{}", run.stderr);
}

#[test]
fn a_saved_plan_is_refused_when_a_variable_changed() {
    let api = Api::start();
    let w = changed_workdir(&api);
    let with_var = |value: &str, args: &[&str]| {
        let mut cmd: Command = api.command(&w, args);
        cmd.env("TF_VAR_suffix", value);
        w.run_with(cmd)
    };
    with_var("a", &["plan", "-out=p"]).expect(0);
    refused(&with_var("b", &["apply", "p"]), 14, "variables changed");
    let run = api.run(&w, &["apply", "p", "-var=suffix=a"]);
    run.expect(1);
    assert!(
        run.stderr
            .contains("Can't set variables when applying a saved plan"),
        "{}",
        run.stderr
    );
    // The same value applies.
    with_var("a", &["apply", "p"]).expect(0);
}

#[test]
fn a_saved_plan_is_refused_when_the_file_was_edited() {
    let api = Api::start();
    let w = changed_workdir(&api);
    api.run(&w, &["plan", "-out=p"]).expect(0);
    let path = w.path().join("p");
    let text = std::fs::read_to_string(&path).expect("read");
    // Someone turns the update into something else.
    let edited = text.replacen("\\\"second\\\"", "\\\"evil\\\"", 1);
    let edited = if edited == text {
        text.replacen("second", "evil", 1)
    } else {
        edited
    };
    assert_ne!(edited, text);
    std::fs::write(&path, &edited).expect("write");
    refused(&api.run(&w, &["apply", "p"]), 10, "file altered");
    refused(&api.run(&w, &["show", "p"]), 10, "file altered");
    // The rendered text alone is bound too.
    let edited = text.replacen("1 to change", "0 to change", 1);
    assert_ne!(edited, text);
    std::fs::write(&path, &edited).expect("write");
    refused(&api.run(&w, &["apply", "p"]), 10, "file altered");
}

fn git(w: &Workdir, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@e",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(w.path())
        .env("HOME", w.path())
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn a_saved_plan_is_refused_on_a_commit_that_does_not_include_the_planned_one() {
    let api = Api::start();
    let w = changed_workdir(&api);
    std::fs::write(w.path().join(".gitignore"), ".scwform/\n*.tfstate*\np\n").expect("write");
    git(&w, &["init", "-q"]);
    git(&w, &["add", "-A"]);
    git(&w, &["commit", "-q", "-m", "reviewed"]);
    api.run(&w, &["plan", "-out=p"]).expect(0);
    let body = std::fs::read_to_string(w.path().join("p")).expect("read");
    assert!(body.contains("\"git_commit\":\""), "the commit is recorded");
    // The same files on an unrelated history.
    git(&w, &["checkout", "-q", "--orphan", "other"]);
    git(&w, &["commit", "-q", "-m", "unrelated"]);
    refused(&api.run(&w, &["apply", "p"]), 15, "different commit");
    // A merge commit on top of the reviewed one passes.
    git(&w, &["checkout", "-q", "main"]);
    std::fs::write(w.path().join("README"), "docs\n").expect("write");
    git(&w, &["add", "README"]);
    git(&w, &["commit", "-q", "-m", "merge"]);
    api.run(&w, &["apply", "p"]).expect(0);
}

#[test]
fn show_prints_a_saved_plan_as_text_json_and_markdown() {
    let api = Api::start();
    let w = changed_workdir(&api);
    let planned = api.run(&w, &["plan", "-out=p"]);
    planned.expect(0);
    let text = api.run(&w, &["show", "p"]);
    text.expect(0);
    assert_eq!(text.stdout, planned.stdout);
    let json = api.run(&w, &["show", "-json", "p"]);
    json.expect(0);
    assert_eq!(json.stdout.lines().count(), 1, "one line");
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(doc["format_version"], "1.2");
    let markdown = api.run(&w, &["show", "--markdown", "p"]);
    markdown.expect(0);
    let digest = planned
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Plan digest: "))
        .expect("digest");
    assert!(markdown.stdout.contains(digest), "{}", markdown.stdout);
}
