//! `moved` and `removed` blocks: planned as Terraform plans them (the shape of the text and
//! JSON plans compared with Terraform 1.11's, recorded in `tests/fixtures/moves/` and
//! re-recorded live when terraform is installed), Terraform's validation errors, and applied
//! with no API call.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use scwform::addr::InstanceAddr;
use scwform::cli::session::config_input;
use scwform::diag::{Diagnostics, Severity};
use scwform::model::evaluate::NoPriorValues;
use scwform::model::load::{LoadOptions, evaluate_parsed, parse_path};
use scwform::plan::{Action, Plan, PlanOptions, plan};
use scwform::render::{self, JsonInput, MarkdownInput, TextOptions};
use scwform::state::{InstanceState, Lineage, State};
use serde_json::{Value as Json, json};

use crate::common::repo_root;
use crate::e2e::harness::{Api, Workdir};

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create dir");
        std::fs::write(path, text).expect("write file");
    }
}

/// Plans the configuration in `dir` against `prior` (also the refreshed state), with its
/// `moved` and `removed` blocks, as `scwform plan` does.
fn plan_dir(dir: &Path, prior: &State) -> Result<Plan, Diagnostics> {
    let options = LoadOptions::default();
    let parsed = Arc::new(parse_path(dir, &options));
    let loaded = evaluate_parsed(&parsed, &options, &NoPriorValues);
    if loaded.diagnostics.has_errors() {
        return Err(loaded.diagnostics);
    }
    let input = config_input(parsed, &options);
    let plan_options = PlanOptions {
        refresh: true,
        moves: loaded.config.moves.clone(),
        removals: loaded.config.removals.clone(),
        ..PlanOptions::default()
    };
    plan(&*input, prior, prior, &plan_options)
}

fn plan_files(files: &[(&str, &str)], prior: &State) -> Result<Plan, Diagnostics> {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), files);
    plan_dir(dir.path(), prior)
}

fn addr(s: &str) -> InstanceAddr {
    s.parse().expect("valid address")
}

/// A recorded project named `name`.
fn project(name: &str, n: u32) -> InstanceState {
    let attributes: BTreeMap<String, Json> = [
        ("id", json!(format!("00000000-0000-4000-8000-{n:012}"))),
        ("name", json!(name)),
        ("description", json!("")),
        (
            "organization_id",
            json!("22222222-2222-2222-2222-222222222222"),
        ),
        ("created_at", json!("2026-01-01T00:00:00Z")),
        ("updated_at", json!("2026-01-01T00:00:00Z")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    InstanceState::new(attributes)
}

/// A state holding projects at these addresses, with these names.
fn projects(objects: &[(&str, &str)]) -> State {
    let mut s = State::new(Lineage("2b4b1c9e-7c0c-4f5e-9a53-3f1de6c2a001".into()));
    for (i, (a, name)) in objects.iter().enumerate() {
        s.set_instance(&addr(a), project(name, u32::try_from(i).unwrap_or(0) + 1));
    }
    s.normalize();
    s
}

fn errors(d: &Diagnostics) -> Vec<(String, String)> {
    d.iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.summary.clone(), d.detail.clone().unwrap_or_default()))
        .collect()
}

/// The recorded Terraform configuration (`before` or `after`), written with
/// `scaleway_account_project` in place of `terraform_data`.
fn as_scaleway(text: &str) -> String {
    text.replace("terraform_data", "scaleway_account_project")
        .replace("input", "name")
}

fn fixture(rel: &str) -> String {
    std::fs::read_to_string(repo_root().join("tests/fixtures/moves").join(rel))
        .unwrap_or_else(|e| panic!("tests/fixtures/moves/{rel}: {e}"))
}

/// The state `before/` leaves, as projects.
fn before_state() -> State {
    projects(&[
        ("scaleway_account_project.a", "hello"),
        ("scaleway_account_project.c[0]", "c0"),
        ("scaleway_account_project.c[1]", "c1"),
        ("module.m[\"x\"].scaleway_account_project.r", "r-x"),
        ("module.m[\"y\"].scaleway_account_project.r", "r-y"),
        ("scaleway_account_project.gone", "bye"),
    ])
}

/// The `after/` configuration planned by scwform against [`before_state`].
fn after_plan() -> Plan {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        &[
            ("main.tf", &as_scaleway(&fixture("after/main.tf"))),
            ("mod/main.tf", &as_scaleway(&fixture("after/mod/main.tf"))),
        ],
    );
    plan_dir(dir.path(), &before_state()).expect("plans")
}

/// The lines that give a plan text its shape: every comment but the hidden-attribute counts,
/// every resource header with its symbol, and the summary.
fn shape(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| {
            let t = l.trim_start();
            (t.starts_with("# ") && !t.starts_with("# (")
                || t.starts_with("# (moved from")
                || t.starts_with("# (destroy = false"))
                || t.contains("resource \"")
                || t.starts_with("Plan:")
        })
        .map(|l| l.trim_end().to_owned())
        .collect()
}

/// `resource_changes` reduced as `terraform-changes.json` is.
fn reduced_changes(plan_json: &Json) -> Json {
    let list: Vec<Json> = plan_json["resource_changes"]
        .as_array()
        .expect("resource_changes")
        .iter()
        .map(|rc| {
            let mut e = serde_json::Map::new();
            for k in ["address", "previous_address", "module_address"] {
                if let Some(v) = rc.get(k) {
                    e.insert(k.into(), v.clone());
                }
            }
            e.insert("actions".into(), rc["change"]["actions"].clone());
            if let Some(v) = rc.get("action_reason") {
                e.insert("action_reason".into(), v.clone());
            }
            Json::Object(e)
        })
        .collect();
    Json::Array(list)
}

fn check_against(terraform_text: &str, terraform_changes: &Json) {
    let plan = after_plan();
    let text = render::text::render(&plan, &TextOptions { width: 78 });
    assert_eq!(
        shape(&text),
        shape(&as_scaleway(terraform_text)),
        "scwform:\n{text}"
    );
    let warning = plan
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Warning)
        .expect("the forget warning");
    assert_eq!(
        warning.summary,
        "Some objects will no longer be managed by Terraform"
    );
    // Terraform's paragraphs, unwrapped.
    let tf_warning = terraform_text
        .split("Warning: Some objects will no longer be managed by Terraform\n\n")
        .nth(1)
        .expect("terraform's warning");
    let unwrapped: Vec<String> = tf_warning
        .trim()
        .split("\n\n")
        .map(|p| {
            p.lines()
                .map(|l| {
                    if l.starts_with(" - ") {
                        format!("\n{l}")
                    } else {
                        l.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
                .replace(" \n", "\n")
        })
        .collect();
    assert_eq!(
        warning.detail.as_deref().map(str::to_owned),
        Some(as_scaleway(&unwrapped.join("\n\n"))),
    );
    let json = render::json::render(
        &plan,
        &JsonInput {
            prior: &before_state(),
            timestamp: "2026-01-01T00:00:00Z",
        },
    );
    let expected: Json =
        serde_json::from_str(&as_scaleway(&terraform_changes.to_string())).expect("valid JSON");
    assert_eq!(reduced_changes(&json), expected);
}

#[test]
fn moves_and_forgets_are_planned_in_terraforms_shape() {
    let changes: Json =
        serde_json::from_str(&fixture("terraform-changes.json")).expect("valid JSON");
    check_against(&fixture("terraform-plan.txt"), &changes);
}

/// Re-records the fixtures with the real Terraform and checks scwform against them.
#[test]
fn moves_and_forgets_match_terraform_live() {
    // Without terraform the recorded fixtures stand (checked by the test above).
    let Some(terraform) = crate::values_differential::terraform::binary() else {
        return;
    };
    let work = tempfile::tempdir().expect("temp dir");
    let copy = |from: &str| {
        for rel in ["main.tf", "mod/main.tf"] {
            write(work.path(), &[(rel, &fixture(&format!("{from}/{rel}")))]);
        }
    };
    let tf = |args: &[&str]| {
        let out = std::process::Command::new(&terraform)
            .args(args)
            .current_dir(work.path())
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .env("TF_IN_AUTOMATION", "1")
            .output()
            .expect("terraform runs");
        assert!(
            out.status.success(),
            "terraform {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    copy("before");
    tf(&["init", "-input=false"]);
    tf(&["apply", "-auto-approve", "-input=false"]);
    copy("after");
    tf(&["init", "-input=false"]);
    let text = tf(&[
        "plan",
        "-refresh=false",
        "-no-color",
        "-input=false",
        "-out=p.bin",
    ]);
    let shown: Json =
        serde_json::from_str(&tf(&["show", "-json", "p.bin"])).expect("terraform's JSON");
    let text = text.split("\n─").next().unwrap_or_default().to_owned();
    assert_eq!(
        shape(&text),
        shape(&fixture("terraform-plan.txt")),
        "the recorded text is Terraform's"
    );
    assert_eq!(
        reduced_changes(&shown).to_string(),
        serde_json::from_str::<Json>(&fixture("terraform-changes.json"))
            .expect("valid")
            .to_string()
    );
    check_against(&text, &reduced_changes(&shown));
}

#[test]
fn a_plan_of_moves_only_changes_nothing_and_is_shown() {
    let prior = projects(&[("scaleway_account_project.a", "p")]);
    let plan = plan_files(
        &[(
            "main.tf",
            "resource \"scaleway_account_project\" \"b\" {\n  name = \"p\"\n}\n\nmoved {\n  from = scaleway_account_project.a\n  to   = scaleway_account_project.b\n}\n",
        )],
        &prior,
    )
    .expect("plans");
    let text = render::text::render(&plan, &TextOptions { width: 78 });
    assert!(
        text.starts_with("Terraform will perform the following actions:\n\n  # scaleway_account_project.a has moved to scaleway_account_project.b\n    resource \"scaleway_account_project\" \"b\" {\n"),
        "{text}"
    );
    assert!(
        text.ends_with("Plan: 0 to add, 0 to change, 0 to destroy.\n"),
        "{text}"
    );
    assert!(plan.has_changes(), "a move is applied: the state changes");
    assert!(plan.order.steps().is_empty(), "no API call is planned");
    assert_eq!(plan.moved.len(), 1);
    let md = render::markdown::render(&plan, &MarkdownInput::default());
    assert!(
        md.contains("<code>scaleway_account_project.a</code> has moved to <code>scaleway_account_project.b</code>")
            && md.contains("| move | 1 |"),
        "{md}"
    );
    let ui = scwform::cli::json_ui::plan_messages(&plan, "plan").concat();
    assert!(ui.contains("\"previous_resource\""), "{ui}");
    assert!(ui.contains("\"action\":\"move\""), "{ui}");
}

#[test]
fn chained_moves_land_at_the_end_of_the_chain() {
    let prior = projects(&[("scaleway_account_project.a", "p")]);
    let plan = plan_files(
        &[(
            "main.tf",
            "resource \"scaleway_account_project\" \"c\" {\n  name = \"p\"\n}\nmoved {\n  from = scaleway_account_project.b\n  to   = scaleway_account_project.c\n}\nmoved {\n  from = scaleway_account_project.a\n  to   = scaleway_account_project.b\n}\n",
        )],
        &prior,
    )
    .expect("plans");
    let c = plan
        .change(&addr("scaleway_account_project.c"))
        .expect("planned");
    assert_eq!(c.action, Action::NoOp);
    assert_eq!(c.previous, Some(addr("scaleway_account_project.a")));
    assert_eq!(plan.changes.len(), 1);
}

#[test]
fn moves_into_and_out_of_modules_keep_the_objects() {
    let module = "variable \"n\" {\n  type = string\n}\nresource \"scaleway_account_project\" \"p\" {\n  name = var.n\n}\n";
    // Into a module.
    let prior = projects(&[("scaleway_account_project.p", "in")]);
    let plan = plan_files(
        &[
            ("main.tf", "module \"app\" {\n  source = \"./app\"\n  n      = \"in\"\n}\nmoved {\n  from = scaleway_account_project.p\n  to   = module.app.scaleway_account_project.p\n}\n"),
            ("app/main.tf", module),
        ],
        &prior,
    )
    .expect("plans");
    let c = plan
        .change(&addr("module.app.scaleway_account_project.p"))
        .expect("planned");
    assert_eq!(
        (c.action, c.previous.clone()),
        (Action::NoOp, Some(addr("scaleway_account_project.p")))
    );
    // Out of a module, from one instance of a call with for_each.
    let prior = projects(&[
        ("module.app[\"a\"].scaleway_account_project.p", "a"),
        ("module.app[\"b\"].scaleway_account_project.p", "b"),
    ]);
    let plan = plan_files(
        &[
            ("main.tf", "module \"app\" {\n  source   = \"./app\"\n  for_each = toset([\"b\"])\n  n        = each.key\n}\nresource \"scaleway_account_project\" \"a\" {\n  name = \"a\"\n}\nmoved {\n  from = module.app[\"a\"].scaleway_account_project.p\n  to   = scaleway_account_project.a\n}\n"),
            ("app/main.tf", module),
        ],
        &prior,
    )
    .expect("plans");
    assert!(
        plan.changes.iter().all(|c| c.action == Action::NoOp),
        "{:#?}",
        plan.changes
    );
    assert_eq!(
        plan.change(&addr("scaleway_account_project.a"))
            .and_then(|c| c.previous.clone()),
        Some(addr("module.app[\"a\"].scaleway_account_project.p"))
    );
    // A moved block inside a module applies to every instance of it.
    let prior = projects(&[
        ("module.app[\"a\"].scaleway_account_project.old", "a"),
        ("module.app[\"b\"].scaleway_account_project.old", "b"),
    ]);
    let plan = plan_files(
        &[
            ("main.tf", "module \"app\" {\n  source   = \"./app\"\n  for_each = toset([\"a\", \"b\"])\n  n        = each.key\n}\n"),
            ("app/main.tf", &format!("{module}moved {{\n  from = scaleway_account_project.old\n  to   = scaleway_account_project.p\n}}\n")),
        ],
        &prior,
    )
    .expect("plans");
    assert_eq!(plan.moved.len(), 2, "{:#?}", plan.moved);
    assert!(plan.changes.iter().all(|c| c.action == Action::NoOp));
}

#[test]
fn terraforms_move_validation_errors() {
    let r = |name: &str| {
        format!("resource \"scaleway_account_project\" \"{name}\" {{\n  name = \"{name}\"\n}}\n")
    };
    let moved = |from: &str, to: &str| format!("moved {{\n  from = {from}\n  to   = {to}\n}}\n");
    let prior = projects(&[("scaleway_account_project.a", "a")]);
    let cases: Vec<(String, &str, &str)> = vec![
        (
            format!(
                "{}{}",
                r("a"),
                moved("scaleway_account_project.a", "scaleway_account_project.b")
            ),
            "Moved object still exists",
            "This statement declares a move from scaleway_account_project.a, but that resource is still declared.\n\nChange your configuration so that this resource will be declared as scaleway_account_project.b instead.",
        ),
        (
            format!(
                "{}{}{}",
                r("x"),
                moved("scaleway_account_project.b", "scaleway_account_project.c"),
                moved("scaleway_account_project.c", "scaleway_account_project.b")
            ),
            "Cyclic dependency in move statements",
            "The following chained move statements form a cycle, and so there is no final location to move objects to:\n  - scaleway_account_project.b → scaleway_account_project.c\n  - scaleway_account_project.c → scaleway_account_project.b\n\nA chain of move statements must end with an address that doesn't appear in any other statements, and which typically also refers to an object still declared in the configuration.",
        ),
        (
            format!(
                "{}{}{}",
                r("b"),
                moved("scaleway_account_project.a", "scaleway_account_project.b"),
                moved("scaleway_account_project.a", "scaleway_account_project.c")
            ),
            "Ambiguous move statements",
            "A statement declared that scaleway_account_project.a moved to scaleway_account_project.b, but this statement instead declares that it moved to scaleway_account_project.c.\n\nEach resource can move to only one destination resource.",
        ),
        (
            format!(
                "{}{}",
                r("b"),
                moved("scaleway_account_project.b", "scaleway_account_project.b")
            ),
            "Redundant move statement",
            "This statement declares a move from scaleway_account_project.b to the same address, which is the same as not declaring this move at all.",
        ),
        (
            format!(
                "resource \"scaleway_container_namespace\" \"b\" {{\n  name = \"b\"\n}}\n{}",
                moved(
                    "scaleway_account_project.a",
                    "scaleway_container_namespace.b"
                )
            ),
            "Unsupported `moved` across resource types",
            "The provider \"registry.terraform.io/scaleway/scaleway\" does not support moved operations across resource types and providers.",
        ),
    ];
    for (text, summary, detail) in cases {
        let e = plan_files(&[("main.tf", &text)], &prior).expect_err(summary);
        assert_eq!(
            errors(&e),
            vec![(summary.to_owned(), detail.to_owned())],
            "{text}"
        );
    }
}

#[test]
fn invalid_moved_and_removed_blocks_are_diagnosed_when_read() {
    let prior = projects(&[]);
    for (text, summary) in [
        (
            "moved {\n  from = scaleway_account_project.a\n  to   = module.b\n}\n",
            "Invalid \"moved\" addresses",
        ),
        (
            "moved {\n  from = data.scaleway_account_project.a\n  to   = scaleway_account_project.b\n}\n",
            "Invalid address",
        ),
        (
            "moved {\n  from = scaleway_account_project.a[var.k]\n  to   = scaleway_account_project.b\n}\n",
            "Invalid address",
        ),
        (
            "moved {\n  from = scaleway_account_project.a\n}\n",
            "Missing required argument",
        ),
        (
            "removed {\n  from = scaleway_account_project.a[0]\n}\n",
            "Resource instance keys not allowed",
        ),
        (
            "resource \"scaleway_account_project\" \"a\" {\n  name = \"a\"\n}\nremoved {\n  from = scaleway_account_project.a\n  lifecycle {\n    destroy = false\n  }\n}\n",
            "Removed resource still exists",
        ),
    ] {
        let e = plan_files(&[("main.tf", text)], &prior).expect_err(text);
        assert!(
            errors(&e).iter().any(|(s, _)| s == summary),
            "{text}: {:?}",
            errors(&e)
        );
    }
}

#[test]
fn a_taken_destination_blocks_the_move_with_terraforms_warning() {
    let prior = projects(&[
        ("scaleway_account_project.a", "a"),
        ("scaleway_account_project.b", "b"),
    ]);
    let plan = plan_files(
        &[(
            "main.tf",
            "resource \"scaleway_account_project\" \"b\" {\n  name = \"b\"\n}\nmoved {\n  from = scaleway_account_project.a\n  to   = scaleway_account_project.b\n}\n",
        )],
        &prior,
    )
    .expect("plans");
    let w = plan
        .diagnostics
        .iter()
        .find(|d| d.summary == "Unresolved resource instance address changes")
        .expect("warned");
    assert!(
        w.detail.as_deref().unwrap_or_default().contains(
            "\n  - scaleway_account_project.a could not move to scaleway_account_project.b\n"
        ),
        "{w:?}"
    );
    assert_eq!(
        plan.change(&addr("scaleway_account_project.a"))
            .map(|c| c.action),
        Some(Action::Delete)
    );
}

#[test]
fn removed_blocks_forget_or_destroy() {
    let prior = projects(&[
        ("scaleway_account_project.kept", "kept"),
        ("module.old[0].scaleway_account_project.p", "m"),
    ]);
    let plan = plan_files(
        &[(
            "main.tf",
            "removed {\n  from = scaleway_account_project.kept\n  lifecycle {\n    destroy = false\n  }\n}\nremoved {\n  from = module.old\n}\n",
        )],
        &prior,
    )
    .expect("plans");
    let kept = plan
        .change(&addr("scaleway_account_project.kept"))
        .expect("planned");
    assert_eq!(kept.action, Action::Forget);
    let gone = plan
        .change(&addr("module.old[0].scaleway_account_project.p"))
        .expect("planned");
    assert_eq!(gone.action, Action::Delete, "destroy defaults to true");
    assert_eq!(plan.order.steps().len(), 1, "only the delete calls the API");
    let text = render::text::render(&plan, &TextOptions { width: 78 });
    assert!(text.contains(" # scaleway_account_project.kept will no longer be managed by Terraform, but will not be destroyed\n # (destroy = false is set in the configuration)\n . resource \"scaleway_account_project\" \"kept\" {\n"), "{text}");
    assert!(
        text.contains("Plan: 0 to add, 0 to change, 1 to destroy."),
        "{text}"
    );
}

/// The quickstart as a module called with `for_each`: applied, planned empty, then the call
/// renamed with a `moved` block: planned and applied as moves, with no API call at all.
#[test]
fn renaming_a_module_call_with_moved_makes_no_api_call() {
    let api = Api::start();
    let w = Workdir::copy_of(&repo_root().join("examples/quickstart-modules"));
    api.run(&w, &["apply", "--auto-approve"]).expect(0);
    let plan = api.run(&w, &["plan", "--detailed-exitcode"]);
    plan.expect(0);
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
    let main = w.path().join("main.tf");
    let text = std::fs::read_to_string(&main).expect("main.tf");
    let renamed = text
        .replace("module \"stack\" {", "module \"env\" {")
        .replace("module.stack", "module.env");
    std::fs::write(
        &main,
        format!("{renamed}\nmoved {{\n  from = module.stack\n  to   = module.env\n}}\n"),
    )
    .expect("write main.tf");
    api.take_requests();
    let plan = api.run(&w, &["plan", "--refresh=false", "--detailed-exitcode"]);
    plan.expect(2);
    assert!(
        plan.stdout.contains("  # module.stack[\"staging\"].scaleway_container.hello has moved to module.env[\"staging\"].scaleway_container.hello\n"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("Plan: 0 to add, 0 to change, 0 to destroy.")
    );
    assert_eq!(
        api.take_requests(),
        Vec::<String>::new(),
        "planning moves calls nothing"
    );
    let apply = api.run(&w, &["apply", "--auto-approve", "--refresh=false"]);
    apply.expect(0);
    assert!(
        apply.stderr.contains("0 added, 0 changed, 0 destroyed"),
        "{}",
        apply.stderr
    );
    assert_eq!(
        api.take_requests(),
        Vec::<String>::new(),
        "applying moves calls nothing"
    );
    let state = w.state("scwform.tfstate");
    let modules: Vec<&str> = state["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(|r| r["module"].as_str())
        .collect();
    assert!(
        !modules.is_empty() && modules.iter().all(|m| m.starts_with("module.env[")),
        "{modules:?}"
    );
    // With refresh, the moved objects are read, never written.
    let after = api.run(&w, &["plan", "--detailed-exitcode"]);
    after.expect(0);
    let requests = api.take_requests();
    assert!(
        requests.iter().all(|r| r.starts_with("GET ")),
        "{requests:#?}"
    );
}
