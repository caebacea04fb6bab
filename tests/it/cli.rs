//! Terraform's command-line surface: every flag in Terraform's single-dash spelling behaves
//! exactly as its double-dash form, `-chdir`, usage errors exit 1 (never 2, even under
//! `-detailed-exitcode`), `--destructive-exitcode`, `--target` checks, prompting, `show`.

use crate::e2e::harness::{Run, Workdir};

const CONFIG: &str = r#"
variable "suffix" {
  type    = string
  default = "a"
}

resource "scaleway_account_project" "main" {
  name = "cli-${var.suffix}"
}

resource "scaleway_cockpit_token" "main" {
  project_id = scaleway_account_project.main.id
  name       = "tok-${var.suffix}"
}

output "project" {
  value = scaleway_account_project.main.name
}
"#;

/// What a case starts from.
#[derive(Clone, Copy, PartialEq)]
enum Setup {
    /// The configuration, nothing applied.
    Fresh,
    /// The configuration applied in the sandbox.
    Applied,
    /// Plus a variable without a value.
    MissingVar,
}

fn workdir(setup: Setup) -> Workdir {
    let w = Workdir::new();
    w.write(CONFIG);
    std::fs::write(w.path().join("b.tfvars"), "suffix = \"b\"\n").expect("write tfvars");
    match setup {
        Setup::Fresh => {}
        Setup::Applied => {
            w.sandbox(&["apply", "--auto-approve"]).expect(0);
        }
        Setup::MissingVar => {
            std::fs::write(w.path().join("needed.tf"), "variable \"needed\" {}\n")
                .expect("write needed.tf");
        }
    }
    w
}

/// Replaces what differs between two runs of the same command: digests, temp paths, times.
fn normalise(text: &str, w: &Workdir) -> String {
    let text = text.replace(&w.path().display().to_string(), "<dir>");
    let digest = regex::Regex::new(r"sha256:[0-9a-f]{64}").expect("regex");
    let time = regex::Regex::new(r"after \d+s").expect("regex");
    // The cost line's wall times (`… API calls in 0.03s; applied with 4 API calls in 0.20s.`)
    // vary from run to run, and so may the apply's status polls.
    let took = regex::Regex::new(r"in \d+\.\d+s([.;])").expect("regex");
    let calls = regex::Regex::new(r"applied with \d+ API calls?").expect("regex");
    let uuid = regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        .expect("regex");
    let stamp = regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z").expect("regex");
    let text = digest.replace_all(&text, "sha256:<digest>");
    let text = uuid.replace_all(&text, "<id>");
    let text = stamp.replace_all(&text, "<time>");
    let text = took.replace_all(&text, "in <t>s$1");
    let text = calls.replace_all(&text, "applied with <n> API calls");
    time.replace_all(&text, "after <t>").into_owned()
}

struct Case {
    setup: Setup,
    /// The command with Terraform's spelling, then with clap's; `--sandbox` is added.
    single: &'static [&'static str],
    double: &'static [&'static str],
    code: i32,
    /// A text the output must hold (so the case shows the flag took effect).
    shows: &'static str,
}

fn run_case(case: &Case, args: &[&str]) -> (Run, String, String) {
    let w = workdir(case.setup);
    let run = w.sandbox(args);
    let out = normalise(&run.stdout, &w);
    // Refreshes and independent operations run in parallel: their lines may come in any order.
    let mut lines: Vec<String> = normalise(&run.stderr, &w)
        .lines()
        .map(str::to_owned)
        .collect();
    lines.sort();
    (run, out, lines.join("\n"))
}

#[test]
fn every_terraform_flag_spelling_behaves_as_its_double_dash_form() {
    let cases = [
        Case {
            setup: Setup::Fresh,
            single: &["plan", "-var=suffix=x"],
            double: &["plan", "--var=suffix=x"],
            code: 0,
            shows: "\"cli-x\"",
        },
        Case {
            setup: Setup::Fresh,
            single: &["plan", "-var", "suffix=y"],
            double: &["plan", "--var", "suffix=y"],
            code: 0,
            shows: "\"cli-y\"",
        },
        Case {
            setup: Setup::Fresh,
            single: &["plan", "-var-file=b.tfvars"],
            double: &["plan", "--var-file=b.tfvars"],
            code: 0,
            shows: "\"cli-b\"",
        },
        Case {
            setup: Setup::Fresh,
            single: &["plan", "-out=p.plan"],
            double: &["plan", "--out=p.plan"],
            code: 0,
            shows: "Saved the plan to: p.plan",
        },
        Case {
            setup: Setup::Fresh,
            single: &["apply", "-auto-approve"],
            double: &["apply", "--auto-approve"],
            code: 0,
            shows: "Apply complete! Resources: 2 added",
        },
        Case {
            setup: Setup::MissingVar,
            single: &["plan", "-input=false"],
            double: &["plan", "--input=false"],
            code: 1,
            shows: "scw::model::missing_variable",
        },
        Case {
            setup: Setup::Fresh,
            single: &["apply", "-input=false"],
            double: &["apply", "--input=false"],
            code: 1,
            shows: "Cannot ask for approval: --input=false",
        },
        Case {
            setup: Setup::Fresh,
            single: &["plan", "-no-color"],
            double: &["plan", "--no-color"],
            code: 0,
            shows: "Plan: 2 to add",
        },
        Case {
            setup: Setup::Fresh,
            single: &["plan", "-lock=false"],
            double: &["plan", "--lock=false"],
            code: 0,
            shows: "Plan: 2 to add",
        },
        Case {
            setup: Setup::Fresh,
            single: &["plan", "-lock-timeout=2s"],
            double: &["plan", "--lock-timeout=2s"],
            code: 0,
            shows: "Plan: 2 to add",
        },
        Case {
            setup: Setup::Fresh,
            single: &["plan", "-parallelism=1"],
            double: &["plan", "--parallelism=1"],
            code: 0,
            shows: "Plan: 2 to add",
        },
        Case {
            setup: Setup::Fresh,
            single: &["plan", "-target=scaleway_account_project.main"],
            double: &["plan", "--target=scaleway_account_project.main"],
            code: 0,
            shows: "Resource targeting is in effect",
        },
        Case {
            setup: Setup::Applied,
            single: &["plan", "-replace=scaleway_cockpit_token.main"],
            double: &["plan", "--replace=scaleway_cockpit_token.main"],
            code: 0,
            shows: "will be replaced, as requested",
        },
        Case {
            setup: Setup::Applied,
            single: &["plan", "-refresh=false", "-var=suffix=z"],
            double: &["plan", "--refresh=false", "--var=suffix=z"],
            code: 0,
            shows: "\"cli-a\" -> \"cli-z\"",
        },
        Case {
            setup: Setup::Applied,
            single: &["plan", "-refresh-only"],
            double: &["plan", "--refresh-only"],
            code: 0,
            shows: "No changes. Your infrastructure still matches the configuration.",
        },
        Case {
            setup: Setup::Applied,
            single: &["plan", "-destroy"],
            double: &["plan", "--destroy"],
            code: 0,
            shows: "Plan: 0 to add, 0 to change, 2 to destroy.",
        },
        Case {
            setup: Setup::Fresh,
            single: &["plan", "-detailed-exitcode"],
            double: &["plan", "--detailed-exitcode"],
            code: 2,
            shows: "Plan: 2 to add",
        },
        Case {
            setup: Setup::Fresh,
            single: &[
                "plan",
                "-compact-warnings",
                "-target=scaleway_account_project.main",
            ],
            double: &[
                "plan",
                "--compact-warnings",
                "--target=scaleway_account_project.main",
            ],
            code: 0,
            shows: "- Resource targeting is in effect",
        },
        Case {
            setup: Setup::Fresh,
            single: &["plan", "-json"],
            double: &["plan", "--json"],
            code: 0,
            shows: "\"type\":\"change_summary\"",
        },
        Case {
            setup: Setup::Fresh,
            single: &["apply", "-json", "-auto-approve"],
            double: &["apply", "--json", "--auto-approve"],
            code: 0,
            shows: "\"type\":\"apply_complete\"",
        },
        Case {
            setup: Setup::Applied,
            single: &["show", "-json"],
            double: &["show", "--json"],
            code: 0,
            shows: "\"root_module\"",
        },
        Case {
            setup: Setup::Applied,
            single: &["apply", "-destroy", "-auto-approve"],
            double: &["apply", "--destroy", "--auto-approve"],
            code: 0,
            shows: "Destroy complete! Resources: 2 destroyed.",
        },
    ];
    for case in &cases {
        let (a, a_out, a_err) = run_case(case, case.single);
        let (b, b_out, b_err) = run_case(case, case.double);
        assert_eq!(
            a.code, case.code,
            "{:?}\n{}\n{}",
            case.single, a.stdout, a.stderr
        );
        assert_eq!(b.code, case.code, "{:?}", case.double);
        assert_eq!(a_out, b_out, "stdout of {:?}", case.single);
        assert_eq!(a_err, b_err, "stderr of {:?}", case.single);
        assert!(
            a.all().contains(case.shows),
            "{:?} shows {:?}:\n{}",
            case.single,
            case.shows,
            a.all()
        );
    }
}

#[test]
fn validate_json_and_chdir_take_terraform_spellings() {
    let parent = Workdir::new();
    let w = parent.path().join("conf");
    std::fs::create_dir(&w).expect("mkdir");
    std::fs::write(w.join("main.tf"), CONFIG).expect("write");
    for args in [
        &["-chdir=conf", "validate", "-json"][..],
        &["--chdir=conf", "validate", "--json"][..],
        &["--chdir", "conf", "validate", "--json"][..],
    ] {
        let run = parent.run_with(parent.command(args));
        run.expect(0);
        assert!(
            run.stdout.contains("\"valid\": true"),
            "{args:?}: {}",
            run.stdout
        );
    }
    let run = parent.run_with(parent.command(&["-chdir=nowhere", "validate"]));
    run.expect(1);
    assert!(
        run.stderr.contains("Error handling -chdir option"),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_1_even_under_detailed_exitcode() {
    let w = workdir(Setup::Fresh);
    for args in [
        &["plan", "-detailed-exitcode", "-no-such-flag"][..],
        &["plan", "--detailed-exitcode", "--no-such-flag"][..],
        &["plan", "-detailed-exitcode", "-parallelism=many"][..],
        &["plan", "-detailed-exitcode", "-refresh=maybe"][..],
        &["no-such-command"][..],
    ] {
        let run = w.run_with(w.command(args));
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("error:"), "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
    }
    let help = w.run_with(w.command(&["plan", "-help"]));
    help.expect(0);
    assert!(
        help.stdout.contains("--detailed-exitcode"),
        "{}",
        help.stdout
    );
}

#[test]
fn destructive_exitcode_tells_deletes_and_replaces_from_other_changes() {
    let w = workdir(Setup::Applied);
    // An update only: 2.
    std::fs::write(
        w.path().join("main.tf"),
        CONFIG.replace("\"cli-${var.suffix}\"", "\"cli-renamed\""),
    )
    .expect("write");
    let run = w.sandbox(&["plan", "-destructive-exitcode"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    // A replacement: 4; without the opt-in, still 2.
    let run = w.sandbox(&[
        "plan",
        "-destructive-exitcode",
        "-replace=scaleway_cockpit_token.main",
    ]);
    assert_eq!(run.code, 4, "{}", run.stdout);
    let run = w.sandbox(&[
        "plan",
        "-detailed-exitcode",
        "-replace=scaleway_cockpit_token.main",
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    // Nothing to do: 0.
    std::fs::write(w.path().join("main.tf"), CONFIG).expect("write");
    w.sandbox(&["plan", "-destructive-exitcode"]).expect(0);
}

#[test]
fn a_target_that_matches_nothing_names_the_closest_address() {
    let w = workdir(Setup::Fresh);
    let run = w.sandbox(&["plan", "-target=scaleway_account_project.mian"]);
    run.expect(1);
    assert!(
        run.stderr.contains("scw::plan::target_not_found")
            && run
                .stderr
                .contains("the closest address is scaleway_account_project.main"),
        "{}",
        run.stderr
    );
}

#[test]
fn output_state_and_show_take_the_directory_as_plan_does() {
    let parent = Workdir::new();
    let conf = parent.path().join("conf");
    std::fs::create_dir(&conf).expect("mkdir");
    std::fs::write(conf.join("main.tf"), CONFIG).expect("write");
    parent
        .sandbox(&["apply", "-auto-approve", "--dir", "conf"])
        .expect(0);
    for args in [
        &["output", "project", "--dir", "conf"][..],
        &["-chdir=conf", "output", "project"][..],
    ] {
        let run = parent.sandbox(args);
        run.expect(0);
        assert_eq!(run.stdout, "\"cli-a\"\n", "{args:?}");
    }
    let listed = parent.sandbox(&["-chdir=conf", "state", "list"]);
    listed.expect(0);
    assert_eq!(
        listed.stdout,
        "scaleway_account_project.main\nscaleway_cockpit_token.main\n"
    );
    let shown = parent.sandbox(&["show", "--dir", "conf"]);
    shown.expect(0);
    assert!(
        shown.stdout.contains("# scaleway_cockpit_token.main:")
            && shown.stdout.contains("(sensitive value)"),
        "{}",
        shown.stdout
    );
    let plan = parent.sandbox(&["plan", "-chdir=conf", "-detailed-exitcode"]);
    plan.expect(0);
}

#[cfg(unix)]
#[test]
#[allow(clippy::print_stderr)] // says why it skips
fn a_missing_variable_is_asked_for_on_a_terminal_unless_input_is_false() {
    use std::io::Write as _;
    use std::process::Stdio;
    // `script` gives the command a terminal; its stdin is typed into it.
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipping: `script` (util-linux) is not installed, so no terminal can be made");
        return;
    }
    let w = workdir(Setup::MissingVar);
    std::fs::write(
        w.path().join("needed.tf"),
        "variable \"needed\" {\n  description = \"Something the plan needs\"\n}\n\noutput \"needed\" {\n  value = var.needed\n}\n",
    )
    .expect("write");
    let bin = crate::common::scwform_bin();
    let run = |extra: &str| {
        let mut cmd = w.command(&[]);
        cmd.env("TERM", "dumb");
        let mut child = std::process::Command::new("script")
            .args(["-qec"])
            .arg(format!("{} plan --sandbox{extra}", bin.display()))
            .arg("/dev/null")
            .current_dir(w.path())
            .env_clear()
            .envs(cmd.get_envs().filter_map(|(k, v)| Some((k, v?))))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("script runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(b"typed-value\n")
            .expect("type");
        let out = child.wait_with_output().expect("script ends");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, text) = run("");
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("var.needed")
            && text.contains("Something the plan needs")
            && text.contains("Enter a value:")
            && text.contains("\"typed-value\""),
        "{text}"
    );
    let (code, text) = run(" -input=false");
    assert_eq!(code, 1, "{text}");
    assert!(!text.contains("Enter a value:"), "{text}");
}

/// Issue 9 item 16: colours follow the usual conventions through anstream, not a hand check of
/// `NO_COLOR` alone: `CLICOLOR_FORCE` colours diagnostics even into a pipe, `NO_COLOR` or
/// `-no-color` turns them off, and without either a pipe gets none.
#[test]
fn diagnostics_colour_follows_clicolor_force_no_color_and_the_flag() {
    let w = Workdir::new();
    w.write("resource \"scaleway_cockpit_token\" \"t\" {\n  nme = \"x\"\n}\n");
    let run = |env: &[(&str, &str)], extra: &[&str]| {
        let mut args = vec!["validate"];
        args.extend_from_slice(extra);
        let mut cmd = w.command(&args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let run = w.run_with(cmd);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(run.stderr.contains("nme"), "{}", run.stderr);
        run.stderr.contains('\u{1b}')
    };
    assert!(!run(&[], &[]), "a pipe gets no colour by default");
    assert!(
        run(&[("CLICOLOR_FORCE", "1")], &[]),
        "CLICOLOR_FORCE colours"
    );
    assert!(
        !run(&[("CLICOLOR_FORCE", "1")], &["-no-color"]),
        "the flag wins"
    );
    assert!(!run(&[("NO_COLOR", "1")], &[]));
}
