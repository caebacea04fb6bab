//! End-to-end tests: the `scwform` binary against the emulator, through `--sandbox` or an
//! emulator the test starts (reached by `SCW_API_URL`, behind a proxy that counts requests).

mod data;
pub(crate) mod harness;
#[cfg(unix)]
mod interrupt;
mod providers;

use serde_json::{Value, json};

use scwform::emulator::EmulatorConfig;

use crate::common;
use harness::{Api, Workdir, attributes, example_dirs, secrets};

const STATE: &str = "scwform.tfstate";

fn project_and_token(project: &str, token: &str, scopes: &str) -> String {
    format!(
        r#"
resource "scaleway_account_project" "main" {{
  name = "{project}"
}}

resource "scaleway_cockpit_token" "main" {{
  project_id = scaleway_account_project.main.id
  name       = "{token}"
  {scopes}
}}

output "project" {{
  value = scaleway_account_project.main.id
}}

output "token_secret" {{
  value     = scaleway_cockpit_token.main.secret_key
  sensitive = true
}}
"#
    )
}

/// The number of rows of an emulator store table (a JSON object or array).
fn rows(table: &Value) -> usize {
    match table {
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        _ => 0,
    }
}

fn count(requests: &[String], prefix: &str) -> usize {
    requests.iter().filter(|r| r.starts_with(prefix)).count()
}

fn position(requests: &[String], prefix: &str) -> usize {
    requests
        .iter()
        .position(|r| r.starts_with(prefix))
        .unwrap_or_else(|| panic!("no request {prefix} in {requests:#?}"))
}

#[test]
fn every_example_applies_then_plans_empty_then_destroys_in_the_sandbox() {
    let examples = example_dirs();
    assert!(examples.len() >= 3, "{examples:?}");
    for example in examples {
        let w = Workdir::copy_of(&example);
        let applied = w.sandbox(&["apply", "--auto-approve"]);
        applied.expect(0);
        assert!(
            applied.stderr.contains("Apply complete! Resources: "),
            "{}: {}",
            example.display(),
            applied.stderr
        );
        let state = w.state(".scwform/sandbox.tfstate");
        let again = w.sandbox(&["plan", "--detailed-exitcode"]);
        again.expect(0);
        assert!(again.stdout.contains("No changes."), "{}", again.stdout);
        // No secret the state holds ever appears in what was printed.
        assert!(
            !secrets(&state).is_empty(),
            "the token has a secret to keep hidden"
        );
        for secret in secrets(&state) {
            assert!(!applied.all().contains(&secret), "{}", example.display());
            assert!(!again.all().contains(&secret), "{}", example.display());
        }
        w.sandbox(&["destroy", "--auto-approve"]).expect(0);
        let store: Value = serde_json::from_str(
            &std::fs::read_to_string(w.path().join(".scwform/sandbox.json")).expect("store"),
        )
        .expect("store JSON");
        for table in [
            "cockpit_tokens",
            "namespaces",
            "containers",
            "container_tokens",
            "function_namespaces",
            "function_tokens",
        ] {
            assert_eq!(
                rows(&store[table]),
                0,
                "{}: {table} left behind",
                example.display()
            );
        }
        // Only the organization's default project is left.
        assert_eq!(rows(&store["projects"]), 1, "{}", example.display());
        let listed = w.sandbox(&["state", "list"]);
        listed.expect(0);
        assert_eq!(listed.stdout, "");
    }
}

#[test]
fn debug_logs_name_api_calls_but_never_a_secret() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(&project_and_token("e2e-logs", "tok-logs", ""));
    let mut cmd = api.command(&w, &["apply", "--auto-approve"]);
    cmd.env("RUST_LOG", "debug");
    let run = w.run_with(cmd);
    run.expect(0);
    assert!(
        run.stderr.contains("API request") && run.stderr.contains("POST /cockpit/v1/regions/"),
        "{}",
        run.stderr
    );
    let mut secrets = secrets(&w.state(STATE));
    assert!(!secrets.is_empty(), "the token's secret is recorded");
    secrets.push(api.secret_key());
    for secret in secrets {
        assert!(!run.all().contains(&secret), "a secret reached the output");
    }
}

#[test]
fn renaming_a_project_is_one_patch_in_place() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(&project_and_token("e2e-one", "tok-one", ""));
    api.run(&w, &["apply", "--auto-approve"]).expect(0);
    let id =
        attributes(&w.state(STATE), "scaleway_account_project", "main").expect("recorded")["id"]
            .clone();
    api.take_requests();
    w.write(&project_and_token("e2e-renamed", "tok-one", ""));
    let run = api.run(&w, &["apply", "--auto-approve"]);
    run.expect(0);
    assert!(
        run.stdout.contains("will be updated in-place"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("0 added, 1 changed, 0 destroyed"));
    let requests = api.take_requests();
    assert_eq!(count(&requests, "PATCH "), 1, "{requests:#?}");
    assert_eq!(count(&requests, "POST "), 0, "{requests:#?}");
    assert_eq!(count(&requests, "DELETE "), 0, "{requests:#?}");
    let after = attributes(&w.state(STATE), "scaleway_account_project", "main").expect("kept");
    assert_eq!(after["id"], id);
    assert_eq!(after["name"], "e2e-renamed");
}

#[test]
fn changing_token_scopes_replaces_it_with_a_new_secret() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(&project_and_token("e2e-scopes", "tok-scopes", ""));
    api.run(&w, &["apply", "--auto-approve"]).expect(0);
    let before = attributes(&w.state(STATE), "scaleway_cockpit_token", "main").expect("token");
    api.take_requests();
    w.write(&project_and_token(
        "e2e-scopes",
        "tok-scopes",
        "scopes {\n    query_logs = true\n  }",
    ));
    let run = api.run(&w, &["apply", "--auto-approve"]);
    run.expect(0);
    assert!(run.stdout.contains("must be replaced"), "{}", run.stdout);
    assert!(run.stdout.contains("# forces replacement"));
    let requests = api.take_requests();
    let delete = position(&requests, "DELETE /cockpit/v1/regions/fr-par/tokens/");
    let create = position(&requests, "POST /cockpit/v1/regions/fr-par/tokens");
    assert!(delete < create, "destroy first by default: {requests:#?}");
    let after = attributes(&w.state(STATE), "scaleway_cockpit_token", "main").expect("token");
    assert_ne!(after["id"], before["id"]);
    assert_ne!(after["secret_key"], before["secret_key"]);
    assert!(after["secret_key"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(after["scopes"][0]["query_logs"], true);
    for secret in [&before["secret_key"], &after["secret_key"]] {
        assert!(!run.all().contains(secret.as_str().expect("string")));
    }
    // The sensitive output is hidden in lists, shown when asked for by name.
    let out = api.run(&w, &["output"]);
    out.expect(0);
    assert!(
        out.stdout.contains("token_secret = <sensitive>"),
        "{}",
        out.stdout
    );
    let raw = api.run(&w, &["output", "token_secret", "--raw"]);
    assert_eq!(raw.stdout, after["secret_key"].as_str().expect("string"));
}

#[test]
fn create_before_destroy_creates_the_replacement_first() {
    let api = Api::start();
    let w = Workdir::new();
    let config = |name: &str| {
        format!(
            "resource \"scaleway_cockpit_token\" \"t\" {{\n  name = \"{name}\"\n  lifecycle {{\n    create_before_destroy = true\n  }}\n}}\n"
        )
    };
    w.write(&config("tok-first"));
    api.run(&w, &["apply", "--auto-approve"]).expect(0);
    api.take_requests();
    w.write(&config("tok-second"));
    let run = api.run(&w, &["apply", "--auto-approve"]);
    run.expect(0);
    assert!(run.stdout.contains("+/- resource"), "{}", run.stdout);
    let requests = api.take_requests();
    let create = position(&requests, "POST /cockpit/v1/regions/fr-par/tokens");
    let delete = position(&requests, "DELETE /cockpit/v1/regions/fr-par/tokens/");
    assert!(create < delete, "{requests:#?}");
    let state = w.state(STATE);
    assert_eq!(
        state["resources"][0]["instances"].as_array().map(Vec::len),
        Some(1)
    );
}

#[test]
fn removed_resources_are_deleted_in_reverse_dependency_order() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(
        r#"
resource "scaleway_account_project" "p" {
  name = "e2e-order"
}
resource "scaleway_container_namespace" "ns" {
  project_id = scaleway_account_project.p.id
  name       = "e2e-order-ns"
}
resource "scaleway_container_token" "a" {
  namespace_id = scaleway_container_namespace.ns.id
  description  = "a"
}
resource "scaleway_container_token" "b" {
  namespace_id = scaleway_container_namespace.ns.id
  description  = "b"
}
"#,
    );
    api.run(&w, &["apply", "--auto-approve"]).expect(0);
    api.take_requests();
    w.write("# Everything removed.\n");
    let run = api.run(&w, &["apply", "--auto-approve"]);
    run.expect(0);
    assert!(
        run.stdout
            .contains("(because scaleway_container_token.a is not in configuration)")
    );
    assert!(
        run.stderr.contains("0 added, 0 changed, 4 destroyed"),
        "{}",
        run.stderr
    );
    let requests = api.take_requests();
    let deletes: Vec<&String> = requests
        .iter()
        .filter(|r| r.starts_with("DELETE "))
        .collect();
    assert_eq!(deletes.len(), 4, "{requests:#?}");
    assert!(deletes[0].contains("/tokens/") && deletes[1].contains("/tokens/"));
    assert!(deletes[2].contains("/namespaces/"), "{deletes:#?}");
    assert!(
        deletes[3].starts_with("DELETE /account/v3/projects/"),
        "{deletes:#?}"
    );
    assert_eq!(rows(&api.store()["namespaces"]), 0);
}

#[test]
fn changes_made_outside_are_shown_and_repaired() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(&project_and_token("e2e-drift", "tok-drift", ""));
    api.run(&w, &["apply", "--auto-approve"]).expect(0);
    let state = w.state(STATE);
    let project = attributes(&state, "scaleway_account_project", "main").expect("project");
    let token = attributes(&state, "scaleway_cockpit_token", "main").expect("token");
    let token_uuid = token["id"]
        .as_str()
        .expect("id")
        .trim_start_matches("fr-par/");
    let project_id = project["id"].as_str().expect("id");
    let (status, _) = api.call(
        "DELETE",
        &format!("/cockpit/v1/regions/fr-par/tokens/{token_uuid}"),
        None,
    );
    assert_eq!(status, 204);
    let (status, _) = api.call(
        "PATCH",
        &format!("/account/v3/projects/{project_id}"),
        Some(json!({"name": "renamed-outside"})),
    );
    assert_eq!(status, 200);

    // Without a refresh the state is trusted, and no object is read.
    api.take_requests();
    api.run(&w, &["plan", "--refresh=false", "--detailed-exitcode"])
        .expect(0);
    assert_eq!(count(&api.take_requests(), "GET "), 0);

    let plan = api.run(&w, &["plan", "--detailed-exitcode"]);
    plan.expect(2);
    assert!(
        plan.stdout
            .contains("Objects have changed outside of Terraform"),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("has been deleted"), "{}", plan.stdout);
    assert!(plan.stdout.contains("will be created"));
    assert!(plan.stdout.contains("will be updated in-place"));
    let run = api.run(&w, &["apply", "--auto-approve"]);
    run.expect(0);
    assert!(
        run.stderr.contains("1 added, 1 changed, 0 destroyed"),
        "{}",
        run.stderr
    );
    let (_, now) = api.call("GET", &format!("/account/v3/projects/{project_id}"), None);
    assert_eq!(now["name"], "e2e-drift");
    api.run(&w, &["plan", "--detailed-exitcode"]).expect(0);
}

#[test]
fn lifecycle_rules_and_targeting_are_honoured() {
    let api = Api::start();
    let w = Workdir::new();
    let config = |description: &str, extra: &str| {
        format!(
            r#"
resource "scaleway_account_project" "kept" {{
  name        = "e2e-kept"
  description = "{description}"
  lifecycle {{
    prevent_destroy = true
    ignore_changes  = [description]
  }}
}}
resource "scaleway_cockpit_token" "one" {{
  name = "tok-one"
}}
{extra}
"#
        )
    };
    w.write(&config("first", ""));
    api.run(&w, &["apply", "--auto-approve"]).expect(0);

    // ignore_changes: a new description is not a change.
    w.write(&config("second", ""));
    api.run(&w, &["plan", "--detailed-exitcode"]).expect(0);

    // --target: only the targeted resource is created.
    let two = "resource \"scaleway_cockpit_token\" \"two\" {\n  name = \"tok-two\"\n}\nresource \"scaleway_cockpit_token\" \"three\" {\n  name = \"tok-three\"\n}\n";
    w.write(&config("second", two));
    let run = api.run(
        &w,
        &[
            "apply",
            "--auto-approve",
            "--target",
            "scaleway_cockpit_token.two",
        ],
    );
    run.expect(0);
    assert!(
        run.stderr.contains("1 added, 0 changed, 0 destroyed"),
        "{}",
        run.stderr
    );
    let listed = api.run(&w, &["state", "list"]);
    assert!(listed.stdout.contains("scaleway_cockpit_token.two\n"));
    assert!(!listed.stdout.contains("scaleway_cockpit_token.three"));

    // --replace: a replacement nothing else asked for.
    let before = attributes(&w.state(STATE), "scaleway_cockpit_token", "one").expect("one");
    let run = api.run(
        &w,
        &[
            "apply",
            "--auto-approve",
            "--replace",
            "scaleway_cockpit_token.one",
            "--target",
            "scaleway_cockpit_token.one",
        ],
    );
    run.expect(0);
    assert!(
        run.stdout.contains("will be replaced, as requested"),
        "{}",
        run.stdout
    );
    let after = attributes(&w.state(STATE), "scaleway_cockpit_token", "one").expect("one");
    assert_ne!(before["id"], after["id"]);

    // prevent_destroy: a plan that would delete the project fails (as in Terraform, only
    // while the block is still in the configuration).
    let plan = api.run(&w, &["plan", "--destroy"]);
    plan.expect(1);
    assert!(plan.stderr.contains("prevent_destroy"), "{}", plan.stderr);

    // --destroy on plan, limited to a token.
    let plan = api.run(
        &w,
        &[
            "plan",
            "--destroy",
            "--target",
            "scaleway_cockpit_token.one",
            "--detailed-exitcode",
        ],
    );
    plan.expect(2);
    assert!(plan.stdout.contains("1 to destroy."), "{}", plan.stdout);
}

#[test]
fn a_failure_mid_apply_keeps_what_was_created_and_the_next_apply_finishes() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(
        r#"
resource "scaleway_account_project" "p" {
  name = "e2e-fail"
}
resource "scaleway_cockpit_token" "t" {
  for_each   = toset(["aaa", "bbb", "ccc"])
  project_id = scaleway_account_project.p.id
  name       = "tok-${each.key}"
}
"#,
    );
    api.fault(json!({
        "method": "POST",
        "path_prefix": "/cockpit/v1/regions/fr-par/tokens",
        "count": 1,
        "action": "status",
        "status": 400
    }));
    let run = api.run(&w, &["apply", "--auto-approve", "--parallelism", "1"]);
    run.expect(1);
    assert!(
        run.stderr.contains("failed while creating"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Apply complete!"));
    let state = w.state(STATE);
    let recorded: Vec<&Value> = state["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .flat_map(|r| r["instances"].as_array().expect("instances"))
        .collect();
    assert_eq!(recorded.len(), 3, "the project and two tokens are recorded");
    // Every intent settled (the failure was a definite answer) and the state was saved: the
    // journal is gone.
    assert!(!w.path().join("scwform.tfstate.journal").exists());
    let run = api.run(&w, &["apply", "--auto-approve"]);
    run.expect(0);
    assert!(
        run.stderr.contains("1 added, 0 changed, 0 destroyed"),
        "{}",
        run.stderr
    );
    api.run(&w, &["plan", "--detailed-exitcode"]).expect(0);
}

#[test]
fn two_applies_at_once_one_runs_and_the_other_names_the_holder() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(&project_and_token("e2e-lock", "tok-lock", ""));
    api.faults(json!({"latency_ms": 300}));
    let mut first = api
        .command(&w, &["apply", "--auto-approve"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let lock = w.path().join("scwform.tfstate.lock.info");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !std::fs::read_to_string(&lock).is_ok_and(|t| t.contains("\"apply\"")) {
        assert!(
            std::time::Instant::now() < deadline,
            "the first apply never locked"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let second = api.run(&w, &["apply", "--auto-approve"]);
    second.expect(1);
    assert!(second.stderr.contains("is locked"), "{}", second.stderr);
    assert!(second.stderr.contains("held by"), "{}", second.stderr);
    assert!(first.wait().expect("first finishes").success());
    api.faults(json!({}));
    let state = w.state(STATE);
    assert_eq!(state["resources"].as_array().map(Vec::len), Some(2));
    api.run(&w, &["plan", "--detailed-exitcode"]).expect(0);
}

#[test]
fn a_second_apply_with_a_lock_timeout_waits_for_the_first() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(&project_and_token("e2e-wait", "tok-wait", ""));
    api.faults(json!({"latency_ms": 300}));
    let mut first = api
        .command(&w, &["apply", "--auto-approve"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let lock = w.path().join("scwform.tfstate.lock.info");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !std::fs::read_to_string(&lock).is_ok_and(|t| t.contains("\"apply\"")) {
        assert!(
            std::time::Instant::now() < deadline,
            "the first apply never locked"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let second = api.run(&w, &["apply", "--auto-approve", "--lock-timeout", "30s"]);
    assert!(first.wait().expect("first finishes").success());
    second.expect(0);
    // It ran after the first one finished, so there was nothing left to do.
    assert!(
        second.stderr.contains("0 added, 0 changed, 0 destroyed")
            || second.stdout.contains("No changes."),
        "{}",
        second.all()
    );
    api.faults(json!({}));
}

#[test]
fn approval_and_credentials_are_required() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(&project_and_token("e2e-ask", "tok-ask", ""));
    let run = api.run(&w, &["apply"]);
    run.expect(1);
    assert!(run.stderr.contains("--auto-approve"), "{}", run.stderr);
    assert!(!w.path().join(STATE).exists());

    let bare = w.run_with(w.command(&["plan"]));
    bare.expect(1);
    assert!(bare.stderr.contains("SCW_SECRET_KEY"), "{}", bare.stderr);
    assert!(bare.stderr.contains("--sandbox"), "{}", bare.stderr);
}

#[test]
fn state_commands_list_show_move_and_remove() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(&project_and_token("e2e-state", "tok-state", ""));
    api.run(&w, &["apply", "--auto-approve"]).expect(0);
    let secret =
        attributes(&w.state(STATE), "scaleway_cockpit_token", "main").expect("token")["secret_key"]
            .as_str()
            .expect("secret")
            .to_owned();
    let listed = api.run(&w, &["state", "list"]);
    assert_eq!(
        listed.stdout,
        "scaleway_account_project.main\nscaleway_cockpit_token.main\n"
    );
    let shown = api.run(&w, &["state", "show", "scaleway_cockpit_token.main"]);
    shown.expect(0);
    assert!(
        shown.stdout.contains("secret_key = (sensitive value)"),
        "{}",
        shown.stdout
    );
    assert!(!shown.stdout.contains(&secret));
    api.run(
        &w,
        &[
            "state",
            "mv",
            "scaleway_cockpit_token.main",
            "scaleway_cockpit_token.moved",
        ],
    )
    .expect(0);
    let rm = api.run(&w, &["state", "rm", "scaleway_cockpit_token.moved"]);
    rm.expect(0);
    assert!(rm.stdout.contains("Removed scaleway_cockpit_token.moved"));
    assert_eq!(
        api.run(&w, &["state", "list"]).stdout,
        "scaleway_account_project.main\n"
    );
    // The forgotten token is still in the API, and the configuration wants one: a new one.
    let plan = api.run(&w, &["plan", "--detailed-exitcode"]);
    plan.expect(2);
    assert!(plan.stdout.contains("1 to add, 0 to change, 0 to destroy."));
}

#[test]
fn a_failed_delete_after_create_before_destroy_is_finished_by_the_next_apply() {
    let api = Api::start();
    let w = Workdir::new();
    let config = |name: &str| {
        format!(
            "resource \"scaleway_cockpit_token\" \"t\" {{\n  name = \"{name}\"\n  lifecycle {{\n    create_before_destroy = true\n  }}\n}}\n"
        )
    };
    w.write(&config("tok-old"));
    api.run(&w, &["apply", "--auto-approve"]).expect(0);
    let old_id = attributes(&w.state(STATE), "scaleway_cockpit_token", "t").expect("token")["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // The replacement is created, then deleting the old token fails (a definite answer).
    w.write(&config("tok-new"));
    api.fault(json!({
        "method": "DELETE",
        "path_prefix": "/cockpit/v1/regions/fr-par/tokens/",
        "count": 1,
        "action": "status",
        "status": 400
    }));
    let failed = api.run(&w, &["apply", "--auto-approve"]);
    failed.expect(1);
    assert!(
        !failed.stderr.contains("Apply complete!"),
        "{}",
        failed.stderr
    );
    let state = w.state(STATE);
    let instances = state["resources"][0]["instances"]
        .as_array()
        .expect("instances")
        .clone();
    assert_eq!(instances.len(), 2, "{instances:#?}");
    let deposed = instances
        .iter()
        .find(|i| i.get("deposed").is_some())
        .expect("the old token is kept as a deposed object");
    let key = deposed["deposed"].as_str().expect("key").to_owned();
    assert_eq!(deposed["attributes"]["id"], old_id.as_str());
    let new_id = instances
        .iter()
        .find(|i| i.get("deposed").is_none())
        .expect("the new token is current")["attributes"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_ne!(new_id, old_id);
    let object = format!("scaleway_cockpit_token.t (deposed object {key})");
    assert!(
        failed
            .stderr
            .contains(&format!("{object}: Destroying... [id={old_id}]")),
        "{}",
        failed.stderr
    );
    assert!(
        failed
            .stderr
            .contains(&format!("{object} failed while deleting")),
        "{}",
        failed.stderr
    );
    // Listed once, as Terraform lists instances.
    assert_eq!(
        api.run(&w, &["state", "list"]).stdout,
        "scaleway_cockpit_token.t\n"
    );

    // The next plan destroys the leftover, and only it.
    let plan = api.run(&w, &["plan", "--detailed-exitcode"]);
    plan.expect(2);
    assert!(
        plan.stdout
            .contains(&format!("  # {object} will be destroyed\n  # (left over from a partially-failed replacement of this instance)\n  - resource \"scaleway_cockpit_token\" \"t\" {{")),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("Plan: 0 to add, 0 to change, 1 to destroy."),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stderr
            .contains(&format!("{object}: Refreshing state... [id={old_id}]")),
        "{}",
        plan.stderr
    );
    let json = api.run(&w, &["plan", "--format", "json"]);
    json.expect(0);
    let json: Value = serde_json::from_str(&json.stdout).expect("JSON plan");
    let changes: Vec<&Value> = json["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["change"]["actions"] == json!(["delete"]))
        .collect();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["deposed"], key.as_str());

    // The next apply deletes it; the API then holds only the new token.
    api.take_requests();
    let applied = api.run(&w, &["apply", "--auto-approve"]);
    applied.expect(0);
    assert!(
        applied
            .stderr
            .contains("Apply complete! Resources: 0 added, 0 changed, 1 destroyed."),
        "{}",
        applied.stderr
    );
    assert!(
        applied
            .stderr
            .contains(&format!("{object}: Destruction complete after")),
        "{}",
        applied.stderr
    );
    let requests = api.take_requests();
    let uuid = |id: &str| id.rsplit('/').next().expect("uuid").to_owned();
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.starts_with("DELETE "))
            .collect::<Vec<_>>(),
        [&format!(
            "DELETE /cockpit/v1/regions/fr-par/tokens/{}",
            uuid(&old_id)
        )]
    );
    let tokens: Vec<String> = api.store()["cockpit_tokens"]
        .as_object()
        .expect("tokens table")
        .keys()
        .cloned()
        .collect();
    assert_eq!(tokens, [uuid(&new_id)]);
    let state = w.state(STATE);
    let instances = state["resources"][0]["instances"]
        .as_array()
        .expect("instances");
    assert_eq!(instances.len(), 1);
    assert!(instances[0].get("deposed").is_none());
    assert_eq!(instances[0]["attributes"]["id"], new_id.as_str());
    api.run(&w, &["plan", "--detailed-exitcode"]).expect(0);
}

// https://github.com/scwform/scwform/issues/9 (items 2 and 14): waits on a loopback API URL were
// scaled down twice (120 ms for a namespace), so the emulator at its default `--settle-ms 200`
// failed the quickstart; and docs/sandbox.md's recipe omitted SCW_DEFAULT_ORGANIZATION_ID.
#[test]
fn issue_9_the_documented_emulator_recipe_applies_the_quickstart_at_default_settle() {
    let doc = std::fs::read_to_string(common::repo_root().join("docs/sandbox.md"))
        .expect("docs/sandbox.md");
    let exports: Vec<(String, String)> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("$ export "))
        .flat_map(str::split_whitespace)
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    assert!(
        exports.iter().any(|(k, _)| k == "SCW_API_URL"),
        "the recipe exports SCW_API_URL: {exports:?}"
    );
    // The emulator as `scwform emulator` starts it (transient statuses last 200 ms).
    let api = Api::start_with(EmulatorConfig::default());
    let dir = Workdir::copy_of(&common::repo_root().join("examples/quickstart"));
    let run = |args: &[&str]| {
        let mut cmd = dir.command(args);
        for (k, v) in &exports {
            // The documented port is the recipe's; the test's emulator is elsewhere.
            let v = if k == "SCW_API_URL" { api.url() } else { v };
            cmd.env(k, v);
        }
        dir.run_with(cmd)
    };
    run(&["apply", "--auto-approve", "."]).expect(0);
    run(&["plan", "--detailed-exitcode", "."]).expect(0);
    run(&["destroy", "--auto-approve", "."]).expect(0);
}

/// A namespace with one token, for the token tests.
const NAMESPACE_AND_TOKEN: &str = r#"
resource "scaleway_container_namespace" "ns" {
  name = "e2e-tokens"
}
resource "scaleway_container_token" "t" {
  namespace_id = scaleway_container_namespace.ns.id
  description  = "deployments"
  expires_at   = "2030-01-01T00:00:00Z"
}
"#;

// https://github.com/scwform/scwform/issues/9 (item 3): a container token whose create answer
// was lost after the API had made it could not be found by name, so the next apply made a
// second live token. It is found among its namespace's tokens (new since the call, same
// description and expiry) and recorded tainted (its secret was only in the lost answer), so
// the next apply replaces it: one token in the end, none orphaned.
#[test]
fn issue_9_a_token_made_by_a_create_whose_answer_was_lost_is_found_not_orphaned() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(NAMESPACE_AND_TOKEN);
    api.fault(json!({
        "method": "POST",
        "path_prefix": "/containers/v1beta1/regions/fr-par/tokens",
        "count": 1,
        "action": "commit_then_drop"
    }));
    let first = api.run(&w, &["apply", "--auto-approve"]);
    first.expect(1);
    assert!(
        first.stderr.contains("recorded tainted"),
        "{}",
        first.stderr
    );
    api.wait_idle();
    let tokens = api.store()["container_tokens"].clone();
    assert_eq!(rows(&tokens), 1, "{tokens}");
    let made = tokens
        .as_object()
        .expect("table")
        .keys()
        .next()
        .cloned()
        .expect("one");
    let state = w.state(STATE);
    let recorded = state["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["type"] == "scaleway_container_token")
        .expect("the token is recorded")["instances"][0]
        .clone();
    assert_eq!(recorded["status"], "tainted");
    assert!(
        recorded["attributes"]["id"]
            .as_str()
            .expect("id")
            .ends_with(&made)
    );

    let second = api.run(&w, &["apply", "--auto-approve"]);
    second.expect(0);
    assert!(
        second.stderr.contains("1 added, 0 changed, 1 destroyed"),
        "{}",
        second.stderr
    );
    let tokens = api.store()["container_tokens"].clone();
    let live: Vec<&String> = tokens
        .as_object()
        .expect("table")
        .iter()
        .filter(|(_, t)| t["status"] != "deleting")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(live.len(), 1, "{tokens}");
    assert_ne!(live[0], &made);
    let token = attributes(&w.state(STATE), "scaleway_container_token", "t").expect("token");
    assert!(token["token"].as_str().is_some_and(|t| t.len() > 8));
    api.run(&w, &["plan", "--detailed-exitcode"]).expect(0);
}

// https://github.com/scwform/scwform/issues/9 (item 3): a token create whose request was lost
// before the API carried it out made nothing; the listing shows it, so it is sent again and
// the apply succeeds.
#[test]
fn issue_9_a_token_create_that_made_nothing_is_sent_again() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(NAMESPACE_AND_TOKEN);
    api.fault(json!({
        "method": "POST",
        "path_prefix": "/containers/v1beta1/regions/fr-par/tokens",
        "count": 1,
        "action": "drop"
    }));
    api.run(&w, &["apply", "--auto-approve"]).expect(0);
    assert_eq!(rows(&api.store()["container_tokens"]), 1);
    let token = attributes(&w.state(STATE), "scaleway_container_token", "t").expect("token");
    assert!(token["token"].as_str().is_some_and(|t| t.len() > 8));
}

// https://github.com/scwform/scwform/issues/9 (item 1): a create whose POST succeeded but whose
// wait for a ready status failed (here: 5xx on every poll, past the retries) was in neither
// state nor journal, and every later apply failed with 409 `already_exists`. It is recorded
// tainted and replaced by the next apply.
#[test]
fn issue_9_a_namespace_that_never_became_ready_is_recorded_tainted_and_replaced() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(
        r#"
resource "scaleway_container_namespace" "ns" {
  name = "e2e-never-ready"
}
"#,
    );
    api.fault(json!({
        "method": "GET",
        "path_prefix": "/containers/v1/regions/fr-par/namespaces/",
        "count": 6,
        "action": "status",
        "status": 503
    }));
    let first = api.run(&w, &["apply", "--auto-approve"]);
    first.expect(1);
    assert!(
        first.stderr.contains("did not become ready"),
        "{}",
        first.stderr
    );
    let state = w.state(STATE);
    let instance = &state["resources"][0]["instances"][0];
    assert_eq!(instance["status"], "tainted", "{state}");
    let first_id = instance["attributes"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(rows(&api.store()["namespaces"]), 1);

    api.faults(json!({}));
    let second = api.run(&w, &["apply", "--auto-approve"]);
    second.expect(0);
    assert!(
        second.stderr.contains("1 added, 0 changed, 1 destroyed"),
        "{}",
        second.stderr
    );
    let ns = attributes(&w.state(STATE), "scaleway_container_namespace", "ns").expect("ns");
    assert_ne!(ns["id"], first_id.as_str());
    let namespaces = api.store()["namespaces"].clone();
    let live: Vec<&String> = namespaces
        .as_object()
        .expect("table")
        .iter()
        .filter(|(_, n)| n["ns"]["status"] != "deleting")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(live.len(), 1, "{namespaces}");
    api.run(&w, &["plan", "--detailed-exitcode"]).expect(0);
}

/// Issue 11 (`.tf.json`): a resource in a `.tf.json` file and one in a `.tf` file refer to each
/// other's attributes, an override file changes an argument of the `.tf` resource, and the
/// configuration applies and then plans empty.
#[test]
fn a_tf_json_file_and_a_tf_file_work_together_with_an_override() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(
        r#"
resource "scaleway_account_project" "main" {
  name = "e2e-json-base"
}

output "token_project" {
  value = scaleway_cockpit_token.json.project_id
}
"#,
    );
    std::fs::write(
        w.path().join("token.tf.json"),
        r#"{
  "//": "the token lives in JSON and reads the project of main.tf",
  "resource": {
    "scaleway_cockpit_token": {
      "json": {
        "project_id": "${scaleway_account_project.main.id}",
        "name": "tok-json-${scaleway_account_project.main.name}",
        "scopes": {"query_metrics": true}
      }
    }
  }
}
"#,
    )
    .unwrap();
    std::fs::write(
        w.path().join("name_override.tf.json"),
        r#"{"resource": {"scaleway_account_project": {"main": {"name": "e2e-json-over"}}}}"#,
    )
    .unwrap();
    let applied = api.run(&w, &["apply", "--auto-approve"]);
    applied.expect(0);
    assert!(
        applied.stderr.contains("2 added, 0 changed, 0 destroyed"),
        "{}",
        applied.all()
    );
    let state = w.state(STATE);
    let project = attributes(&state, "scaleway_account_project", "main").expect("project");
    let token = attributes(&state, "scaleway_cockpit_token", "json").expect("token");
    assert_eq!(project["name"], "e2e-json-over");
    assert_eq!(token["project_id"], project["id"]);
    assert_eq!(token["name"], "tok-json-e2e-json-over");
    assert_eq!(token["scopes"][0]["query_metrics"], true);
    let again = api.run(&w, &["plan", "--detailed-exitcode"]);
    again.expect(0);
    assert!(again.stdout.contains("No changes."), "{}", again.stdout);
}

/// Issue 11: a `.tf.json` file that is not JSON is a diagnostic naming the file, line and
/// column, and nothing is planned.
#[test]
fn bad_json_is_a_diagnostic_with_line_and_column() {
    let w = Workdir::new();
    w.write("locals {\n  a = 1\n}\n");
    std::fs::write(
        w.path().join("bad.tf.json"),
        "{\n  \"locals\": {\n    \"b\": 1,\n  }\n}\n",
    )
    .unwrap();
    let run = w.run_with(w.command(&["validate"]));
    run.expect(1);
    assert!(run.stderr.contains("Invalid JSON"), "{}", run.all());
    assert!(run.stderr.contains("bad.tf.json:3:11"), "{}", run.all());
}

/// Resources inside a module called with `for_each`: addressed as Terraform addresses them in
/// the plan, the state and the arguments (`--target module.x["k"]`, `--replace`, `state mv`),
/// ordered across the module boundary (a module's resources after the root resources their
/// inputs read), and converged (a second plan is empty).
#[test]
fn resources_in_modules_plan_apply_and_target_by_module_address() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(
        "resource \"scaleway_account_project\" \"shared\" {\n  name = \"e2e-shared\"\n}\n\nmodule \"team\" {\n  source     = \"./team\"\n  for_each   = toset([\"a\", \"b\"])\n  name       = \"e2e-${each.key}\"\n  project_id = scaleway_account_project.shared.id\n}\n\noutput \"namespaces\" {\n  value = { for k, t in module.team : k => t.namespace_id }\n}\n",
    );
    std::fs::create_dir(w.path().join("team")).expect("mkdir");
    std::fs::write(
        w.path().join("team/main.tf"),
        "variable \"name\" {}\nvariable \"project_id\" {}\n\nresource \"scaleway_container_namespace\" \"ns\" {\n  project_id = var.project_id\n  name       = var.name\n}\n\noutput \"namespace_id\" {\n  value = scaleway_container_namespace.ns.id\n}\n",
    )
    .expect("write");
    let plan = api.run(&w, &["plan"]);
    plan.expect(0);
    assert!(
        plan.stdout
            .contains("# module.team[\"a\"].scaleway_container_namespace.ns will be created"),
        "{}",
        plan.stdout
    );
    let json_plan: Value = serde_json::from_str(&{
        let run = api.run(&w, &["plan", "--format", "json"]);
        run.expect(0);
        run.stdout
    })
    .expect("a JSON plan");
    let change = json_plan["resource_changes"]
        .as_array()
        .expect("resource_changes")
        .iter()
        .find(|c| c["address"] == "module.team[\"b\"].scaleway_container_namespace.ns")
        .expect("the module instance's change");
    assert_eq!(change["module_address"], "module.team[\"b\"]");
    let root = &json_plan["planned_values"]["root_module"];
    assert_eq!(
        root["resources"][0]["address"],
        "scaleway_account_project.shared"
    );
    let children: Vec<&str> = root["child_modules"]
        .as_array()
        .expect("child_modules")
        .iter()
        .map(|m| m["address"].as_str().expect("an address"))
        .collect();
    assert_eq!(children, ["module.team[\"a\"]", "module.team[\"b\"]"]);
    assert_eq!(
        root["child_modules"][1]["resources"][0]["address"],
        "module.team[\"b\"].scaleway_container_namespace.ns"
    );
    assert!(
        root["child_modules"][1]["resources"][0]
            .get("module_address")
            .is_none(),
        "as Terraform, only resource_changes carry module_address"
    );
    // Only module.team["a"] and what it depends on (the shared project, outside the module).
    let targeted = api.run(
        &w,
        &["apply", "--auto-approve", "--target", "module.team[\"a\"]"],
    );
    targeted.expect(0);
    let listed = w.run_with(w.command(&["state", "list"]));
    assert_eq!(
        listed.stdout,
        "scaleway_account_project.shared\nmodule.team[\"a\"].scaleway_container_namespace.ns\n"
    );
    let state = w.state(STATE);
    let ns = state["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["type"] == "scaleway_container_namespace")
        .expect("namespace recorded");
    assert_eq!(ns["module"], "module.team[\"a\"]");
    assert_eq!(
        ns["instances"][0]["dependencies"],
        json!(["scaleway_account_project.shared"]),
        "the dependency through the module's input is recorded"
    );
    api.run(&w, &["apply", "--auto-approve"]).expect(0);
    let again = api.run(&w, &["plan", "--detailed-exitcode"]);
    again.expect(0);
    assert!(again.stdout.contains("No changes."), "{}", again.stdout);
    let replace = api.run(
        &w,
        &[
            "plan",
            "--replace",
            "module.team[\"b\"].scaleway_container_namespace.ns",
        ],
    );
    replace.expect(0);
    assert!(
        replace.stdout.contains(
            "# module.team[\"b\"].scaleway_container_namespace.ns will be replaced, as requested"
        ),
        "{}",
        replace.stdout
    );
    w.run_with(w.command(&[
        "state",
        "mv",
        "module.team[\"b\"].scaleway_container_namespace.ns",
        "module.team[\"c\"].scaleway_container_namespace.ns",
    ]))
    .expect(0);
    let moved = api.run(&w, &["plan"]);
    moved.expect(0);
    assert!(
        moved
            .stdout
            .contains("Plan: 1 to add, 0 to change, 1 to destroy."),
        "{}",
        moved.stdout
    );
}

/// Every file of the configuration directory (the `.scwform` folder included) with a digest
/// of its bytes: what a read-only command must leave as it found it.
fn files_digest(dir: &std::path::Path) -> Vec<(String, String)> {
    use sha2::Digest as _;
    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("readable dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let bytes = std::fs::read(&path).expect("readable file");
                let name = path
                    .strip_prefix(root)
                    .expect("inside")
                    .display()
                    .to_string();
                out.push((name, format!("{:x}", sha2::Sha256::digest(&bytes))));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn issue_15_drift_reports_changes_outside_without_writing_and_exits_by_what_it_found() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(&project_and_token("e2e-drift-cmd", "tok-drift-cmd", ""));
    api.run(&w, &["apply", "--auto-approve"]).expect(0);
    let state = w.state(STATE);
    let project_id = attributes(&state, "scaleway_account_project", "main").expect("project")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let token_uuid = attributes(&state, "scaleway_cockpit_token", "main").expect("token")["id"]
        .as_str()
        .expect("id")
        .trim_start_matches("fr-par/")
        .to_owned();

    // Nothing changed: exit 0, Terraform's sentence, and the cost line last on stderr.
    let files = files_digest(w.path());
    let quiet = api.run(&w, &["drift"]);
    quiet.expect(0);
    assert!(
        quiet
            .stdout
            .contains("No changes. Your infrastructure still matches the configuration."),
        "{}",
        quiet.stdout
    );
    assert!(
        quiet
            .stderr
            .trim_end()
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("Refreshed 2 objects with ") && l.ends_with("s.")),
        "{}",
        quiet.stderr
    );
    assert_eq!(files_digest(w.path()), files, "drift wrote nothing");

    // Changed outside: exit 2 in every form, still nothing written.
    let (status, _) = api.call(
        "PATCH",
        &format!("/account/v3/projects/{project_id}"),
        Some(json!({"description": "edited in the console"})),
    );
    assert_eq!(status, 200);
    let (status, _) = api.call(
        "DELETE",
        &format!("/cockpit/v1/regions/fr-par/tokens/{token_uuid}"),
        None,
    );
    assert_eq!(status, 204);
    api.take_requests();
    let text = api.run(&w, &["drift"]);
    text.expect(2);
    assert!(
        text.stdout
            .starts_with("Note: Objects have changed outside of Terraform"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("# scaleway_account_project.main has changed"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("\"edited in the console\""));
    assert!(
        text.stdout
            .contains("# scaleway_cockpit_token.main has been deleted"),
        "{}",
        text.stdout
    );
    assert!(
        !secrets(&state).is_empty(),
        "the token has a secret to keep hidden"
    );
    for secret in secrets(&state) {
        assert!(
            !text.all().contains(&secret),
            "no secret shown: {}",
            text.all()
        );
    }
    let requests = api.take_requests();
    assert!(
        requests.iter().all(|r| r.starts_with("GET ")),
        "drift only reads: {requests:?}"
    );

    let json_run = api.run(&w, &["drift", "-json"]);
    json_run.expect(2);
    let doc: Value = serde_json::from_str(&json_run.stdout).expect("one JSON document");
    assert_eq!(doc["format_version"], "1.2");
    let drift: Vec<(String, Value)> = doc["resource_drift"]
        .as_array()
        .expect("resource_drift")
        .iter()
        .map(|c| {
            (
                c["address"].as_str().unwrap_or("").to_owned(),
                c["change"]["actions"].clone(),
            )
        })
        .collect();
    assert_eq!(
        drift,
        [
            (
                "scaleway_account_project.main".to_owned(),
                json!(["update"])
            ),
            ("scaleway_cockpit_token.main".to_owned(), json!(["delete"])),
        ]
    );
    assert_eq!(doc["resource_changes"], json!([]));

    let markdown = api.run(&w, &["drift", "--markdown"]);
    markdown.expect(2);
    assert!(
        markdown
            .stdout
            .starts_with("## Drift: 2 objects changed outside scwform\n"),
        "{}",
        markdown.stdout
    );
    assert!(markdown.stdout.contains("| changed | 1 |"));
    assert!(markdown.stdout.contains("| deleted | 1 |"));
    assert!(
        markdown
            .stdout
            .contains("<code>scaleway_cockpit_token.main</code> has been deleted")
    );
    assert_eq!(files_digest(w.path()), files, "drift wrote nothing");

    // An error (an object that cannot be read) is 1, and wins over the drift.
    api.fault(json!({
        "path_prefix": format!("/account/v3/projects/{project_id}"),
        "method": "GET",
        "count": 100,
        "action": "status",
        "status": 403,
    }));
    let failed = api.run(&w, &["drift"]);
    failed.expect(1);
    assert_eq!(files_digest(w.path()), files, "drift wrote nothing");
}

#[test]
fn issue_15_apply_refresh_only_records_changes_outside_with_no_api_write() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(&project_and_token(
        "e2e-refresh-only",
        "tok-refresh-only",
        "",
    ));
    api.run(&w, &["apply", "--auto-approve"]).expect(0);
    let project_id = attributes(&w.state(STATE), "scaleway_account_project", "main")
        .expect("project")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (status, _) = api.call(
        "PATCH",
        &format!("/account/v3/projects/{project_id}"),
        Some(json!({"description": "edited in the console"})),
    );
    assert_eq!(status, 200);
    let before = api.store();
    api.take_requests();
    let run = api.run(&w, &["apply", "-refresh-only", "--auto-approve"]);
    run.expect(0);
    let requests = api.take_requests();
    assert!(!requests.is_empty());
    assert!(
        requests.iter().all(|r| r.starts_with("GET ")),
        "a refresh-only apply only reads: {requests:?}"
    );
    assert_eq!(api.store(), before, "no object changed");
    let recorded =
        attributes(&w.state(STATE), "scaleway_account_project", "main").expect("project");
    assert_eq!(recorded["description"], "edited in the console");
    assert!(
        run.stderr
            .trim_end()
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("Refreshed 2 objects with ")
                && l.contains("; applied with 0 API calls in ")),
        "{}",
        run.stderr
    );
    // Recorded: nothing has drifted since.
    api.run(&w, &["drift"]).expect(0);
}
