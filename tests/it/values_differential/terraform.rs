//! Running the real Terraform on a case: what the recorder writes and the re-check compares.
//!
//! A case is applied in a fresh temporary directory, offline (`TF_CLI_CONFIG_FILE=/dev/null`,
//! no provider; `init` only for a case that calls local modules), with `terraform apply -json` so that errors come back as
//! data; its answer is then `terraform output -json`, verbatim.
//!
//! One Terraform run per case would take minutes, so [`answers`] runs most cases in batches:
//! each case becomes a child module `cN` of one generated root module, which exposes the whole
//! module object as the output `cN`; an output of the case is then an attribute of it (a null
//! one is left out, as Terraform leaves a null root output out). That is sound only where a
//! child module evaluates as the root module does, so a case is batched only when it is one
//! file that mentions none of `path.`, files, `terraform` settings, sensitivity (a child's
//! `sensitive = true` output is not visible through the module object), ephemeral values,
//! modules or provider functions. Whatever a batch cannot answer exactly (a case with an error,
//! and in the re-check any case whose batched answer differs from its record) is run on its own,
//! so a batch only ever speeds up an agreement.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::json::{self, Json};
use super::{Case, Expected, parallel_map};

/// The Terraform binary: `SCWFORM_TERRAFORM`, else `/usr/local/bin/terraform`, else
/// `terraform` on the `PATH`; `None` when there is none.
pub(crate) fn binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SCWFORM_TERRAFORM") {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let fixed = PathBuf::from("/usr/local/bin/terraform");
    if fixed.is_file() {
        return Some(fixed);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("terraform"))
        .find(|p| p.is_file())
}

/// What Terraform answered for one case.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    /// `terraform output -json`, as printed.
    Outputs(String),
    /// The first error's summary and detail.
    Rejected { summary: String, detail: String },
}

impl Answer {
    /// The answer as it is recorded in `<case>.expected.json`.
    pub(crate) fn recorded_text(&self) -> String {
        match self {
            Self::Outputs(text) => text.clone(),
            Self::Rejected { summary, detail } => {
                let quote = |s: &str| serde_json::to_string(s).expect("strings serialise");
                format!(
                    "{{\n  \"rejected\": {},\n  \"detail\": {}\n}}\n",
                    quote(summary),
                    quote(detail)
                )
            }
        }
    }

    /// Whether this answer is what `expected` records (outputs compared as values, numbers as
    /// written; a rejection by its summary and detail).
    pub(crate) fn agrees_with(&self, expected: &Expected) -> Result<(), String> {
        match (self, expected) {
            (Self::Outputs(text), Expected::Outputs(recorded)) => {
                let now = json::parse(text)?;
                if &now == recorded {
                    Ok(())
                } else {
                    Err(format!(
                        "Terraform now answers {} but {} is recorded",
                        now.to_text(),
                        recorded.to_text()
                    ))
                }
            }
            (
                Self::Rejected { summary, detail },
                Expected::Rejected {
                    summary: s,
                    detail: d,
                },
            ) => {
                if same_error((summary, detail), (s, d)) {
                    Ok(())
                } else {
                    Err(format!(
                        "Terraform now rejects it with {summary:?} ({detail:?}) but {s:?} ({d:?}) is recorded"
                    ))
                }
            }
            (Self::Outputs(text), Expected::Rejected { summary, .. }) => Err(format!(
                "Terraform now accepts it ({}) but a rejection ({summary:?}) is recorded",
                json::parse(text).map_or_else(|e| e, |j| j.to_text())
            )),
            (Self::Rejected { summary, .. }, Expected::Outputs(_)) => Err(format!(
                "Terraform now rejects it ({summary:?}) but outputs are recorded"
            )),
        }
    }
}

/// Whether two errors (summary, detail) are the same. Terraform names the members of a cycle in
/// no fixed order (`Cycle: local.a (expand), local.b (expand)`), so they are compared as a set.
fn same_error(a: (&str, &str), b: (&str, &str)) -> bool {
    fn members(summary: &str) -> Option<Vec<&str>> {
        summary.strip_prefix("Cycle: ").map(|rest| {
            let mut m: Vec<&str> = rest.split(", ").collect();
            m.sort_unstable();
            m
        })
    }
    a.1 == b.1
        && match (members(a.0), members(b.0)) {
            (Some(x), Some(y)) => x == y,
            _ => a.0 == b.0,
        }
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("cannot copy {}: {e}", from.display()))
}

/// Copies the directory `from` into `to`, subdirectories (called modules) included.
fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    let entries =
        std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            std::fs::create_dir(&target)
                .map_err(|e| format!("cannot create {}: {e}", target.display()))?;
            copy_tree(&path, &target)?;
        } else if path.is_file() {
            copy(&path, &target)?;
        }
    }
    Ok(())
}

/// Copies the case into `dir`: a single file as `main.tf`, a directory as it is.
fn stage(case: &Case, dir: &Path) -> Result<(), String> {
    if case.input.is_dir() {
        copy_tree(&case.input, dir)
    } else {
        copy(&case.input, &dir.join("main.tf"))
    }
}

/// Whether the staged case calls modules, which Terraform must install (`terraform init`,
/// offline for local sources) before it applies.
fn calls_modules(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|e| {
            e.path().extension().is_some_and(|x| x == "tf")
                && std::fs::read_to_string(e.path())
                    .is_ok_and(|t| t.lines().any(|l| l.trim_start().starts_with("module ")))
        })
    })
}

fn terraform(binary: &Path, dir: &Path, args: &[&str]) -> Result<std::process::Output, String> {
    Command::new(binary)
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env_remove("TF_WORKSPACE")
        .env_remove("TF_DATA_DIR")
        .env_remove("TF_CLI_ARGS")
        .env_remove("TF_CLI_ARGS_apply")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))
}

/// Applies the case with Terraform and returns its answer.
pub(crate) fn run(binary: &Path, case: &Case) -> Result<Answer, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    stage(case, dir.path())?;
    if calls_modules(dir.path()) {
        let init = terraform(
            binary,
            dir.path(),
            &["init", "-input=false", "-no-color", "-json"],
        )?;
        let stdout = String::from_utf8_lossy(&init.stdout);
        if let Some((summary, detail)) = first_error(&stdout) {
            return Ok(Answer::Rejected { summary, detail });
        }
        if !init.status.success() {
            return Err(format!(
                "terraform init failed without an error diagnostic: {stdout}{}",
                String::from_utf8_lossy(&init.stderr)
            ));
        }
    }
    let apply = terraform(
        binary,
        dir.path(),
        &[
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-json",
        ],
    )?;
    let stdout = String::from_utf8_lossy(&apply.stdout);
    if let Some((summary, detail)) = first_error(&stdout) {
        return Ok(Answer::Rejected { summary, detail });
    }
    if !apply.status.success() {
        return Err(format!(
            "terraform apply failed without an error diagnostic: {stdout}{}",
            String::from_utf8_lossy(&apply.stderr)
        ));
    }
    let output = terraform(binary, dir.path(), &["output", "-json", "-no-color"])?;
    if !output.status.success() {
        return Err(format!(
            "terraform output -json failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout)
        .map(Answer::Outputs)
        .map_err(|e| format!("terraform output -json is not UTF-8: {e}"))
}

/// The first error diagnostic (summary, detail) of a `-json` run's messages.
fn first_error(stdout: &str) -> Option<(String, String)> {
    stdout.lines().find_map(|line| {
        let message = json::parse(line).ok()?;
        let diagnostic = message.get("diagnostic")?;
        (diagnostic.get("severity")?.as_str()? == "error").then(|| {
            let text = |name| {
                diagnostic
                    .get(name)
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            (text("summary"), text("detail"))
        })
    })
}

/// Words whose presence makes a case run on its own (see the module documentation).
const NOT_BATCHED: &[&str] = &[
    "path.",
    "file",
    "terraform",
    "sensitive",
    "ephemeral",
    "module",
    "provider",
    "import",
    "moved",
    "removed",
];

/// How many cases one batch holds.
const BATCH: usize = 40;

/// Whether the case can run as a child module of a batch.
fn batchable(case: &Case) -> bool {
    !case.input.is_dir()
        && std::fs::read_to_string(&case.input)
            .is_ok_and(|text| !NOT_BATCHED.iter().any(|w| text.contains(w)))
}

/// Terraform's answer for every case, in order: batched where sound (see the module
/// documentation), each other case on its own, `jobs` Terraform runs at a time. With
/// `expected` (the records, in the same order), a batch's answer stands only where it agrees
/// with the record; every other case is run on its own.
pub(crate) fn answers(
    binary: &Path,
    cases: &[Case],
    expected: Option<&[Result<Expected, String>]>,
    jobs: usize,
) -> Vec<Result<Answer, String>> {
    let record = |i: usize| expected.and_then(|e| e[i].as_ref().ok());
    // Cases recorded as rejected go in batches of their own: a batch with errors stops early.
    let (mut accepted, mut rejected) = (Vec::new(), Vec::new());
    for (i, case) in cases.iter().enumerate() {
        if batchable(case) {
            if matches!(record(i), Some(Expected::Rejected { .. })) {
                rejected.push(i);
            } else {
                accepted.push(i);
            }
        }
    }
    let chunks: Vec<Vec<usize>> = accepted
        .chunks(BATCH)
        .chain(rejected.chunks(BATCH))
        .map(<[usize]>::to_vec)
        .collect();
    let batched = parallel_map(&chunks, jobs, |chunk| {
        let members: Vec<(usize, &Case, Option<&Expected>)> =
            chunk.iter().map(|&i| (i, &cases[i], record(i))).collect();
        run_batch(binary, members)
    });
    let mut results: Vec<Option<Result<Answer, String>>> = cases.iter().map(|_| None).collect();
    for (i, answer) in batched.into_iter().flatten() {
        results[i] = Some(Ok(answer));
    }
    let alone: Vec<usize> = (0..cases.len()).filter(|&i| results[i].is_none()).collect();
    let single = parallel_map(&alone, jobs, |&i| run(binary, &cases[i]));
    for (i, answer) in alone.into_iter().zip(single) {
        results[i] = Some(answer);
    }
    results
        .into_iter()
        .map(|r| r.expect("every case has an answer"))
        .collect()
}

/// Runs cases together as child modules; the answers it could give exactly. A case with an
/// error is left out (a recorded rejection found among its errors is its answer) and the
/// others are run again, until a run succeeds or nothing is left.
fn run_batch(
    binary: &Path,
    mut members: Vec<(usize, &Case, Option<&Expected>)>,
) -> Vec<(usize, Answer)> {
    let mut found = Vec::new();
    while !members.is_empty() {
        let Ok(outcome) = apply_batch(binary, &members.iter().map(|m| m.1).collect::<Vec<_>>())
        else {
            break;
        };
        match outcome {
            BatchOutcome::Outputs(doc) => {
                for (n, (i, _, record)) in members.iter().enumerate() {
                    let Some(answer) = member_outputs(&doc, n) else {
                        continue;
                    };
                    let answer = Answer::Outputs(answer.to_terraform_text());
                    if record.is_none_or(|r| answer.agrees_with(r).is_ok()) {
                        found.push((*i, answer));
                    }
                }
                break;
            }
            BatchOutcome::Errors(errors) => {
                if errors.is_empty() {
                    break;
                }
                for (n, (i, _, record)) in members.iter().enumerate() {
                    let Some(Expected::Rejected { summary, detail }) = record else {
                        continue;
                    };
                    if errors.get(&n).is_some_and(|e| {
                        e.iter().any(|(s, d)| same_error((s, d), (summary, detail)))
                    }) {
                        found.push((
                            *i,
                            Answer::Rejected {
                                summary: summary.clone(),
                                detail: detail.clone(),
                            },
                        ));
                    }
                }
                members = members
                    .into_iter()
                    .enumerate()
                    .filter(|(n, _)| !errors.contains_key(n))
                    .map(|(_, m)| m)
                    .collect();
            }
        }
    }
    found
}

/// What a batch run gave: the `output -json` document, or the errors by member (position in
/// the batch); errors that name no member are left out.
enum BatchOutcome {
    Outputs(Json),
    Errors(std::collections::BTreeMap<usize, Vec<(String, String)>>),
}

/// The root module of a batch: for member `n`, lines `2n + 1` and `2n + 2`.
fn batch_root(count: usize) -> String {
    let mut text = String::new();
    for n in 0..count {
        let _ = writeln!(text, "module \"c{n}\" {{ source = \"./c{n}\" }}");
        let _ = writeln!(text, "output \"c{n}\" {{ value = module.c{n} }}");
    }
    text
}

/// Applies the cases as child modules of one root module. The module manifest `terraform
/// init` would write for local modules is written directly (one Terraform run less).
fn apply_batch(binary: &Path, members: &[&Case]) -> Result<BatchOutcome, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let write = |path: PathBuf, text: &str| {
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    let mut manifest = vec![serde_json::json!({"Key": "", "Source": "", "Dir": "."})];
    for (n, case) in members.iter().enumerate() {
        let module = dir.path().join(format!("c{n}"));
        std::fs::create_dir(&module).map_err(|e| e.to_string())?;
        stage(case, &module)?;
        manifest.push(serde_json::json!({"Key": format!("c{n}"), "Source": format!("./c{n}"), "Dir": format!("c{n}")}));
    }
    write(dir.path().join("main.tf"), &batch_root(members.len()))?;
    let modules = dir.path().join(".terraform/modules");
    std::fs::create_dir_all(&modules).map_err(|e| e.to_string())?;
    write(
        modules.join("modules.json"),
        &serde_json::json!({ "Modules": manifest }).to_string(),
    )?;
    let apply = terraform(
        binary,
        dir.path(),
        &[
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-json",
        ],
    )?;
    let stdout = String::from_utf8_lossy(&apply.stdout);
    let mut errors: std::collections::BTreeMap<usize, Vec<(String, String)>> =
        std::collections::BTreeMap::new();
    let mut any_error = false;
    for line in stdout.lines() {
        let Some(diagnostic) = json::parse(line)
            .ok()
            .and_then(|m| m.get("diagnostic").cloned())
        else {
            continue;
        };
        if diagnostic.get("severity").and_then(Json::as_str) != Some("error") {
            continue;
        }
        any_error = true;
        let text = |name| {
            diagnostic
                .get(name)
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let range = diagnostic.get("range");
        let file = range
            .and_then(|r| r.get("filename"))
            .and_then(Json::as_str)
            .unwrap_or_default();
        let member = if let Some(rest) = file.strip_prefix('c') {
            rest.split_once('/')
                .and_then(|(n, _)| n.parse::<usize>().ok())
        } else if file == "main.tf" {
            range
                .and_then(|r| r.get("start"))
                .and_then(|s| s.get("line"))
                .and_then(|l| match l {
                    Json::Number(n) => n.parse::<usize>().ok(),
                    _ => None,
                })
                .map(|line| line.saturating_sub(1) / 2)
        } else {
            // An error without a place, such as an infinity that cannot be saved, names the
            // root output.
            text("detail")
                .split_once("output value \"c")
                .and_then(|(_, rest)| rest.split_once('"'))
                .and_then(|(n, _)| n.parse::<usize>().ok())
        };
        if let Some(n) = member.filter(|&n| n < members.len()) {
            errors
                .entry(n)
                .or_default()
                .push((text("summary"), text("detail")));
        }
    }
    if any_error || !apply.status.success() {
        return Ok(BatchOutcome::Errors(errors));
    }
    let output = terraform(binary, dir.path(), &["output", "-json", "-no-color"])?;
    if !output.status.success() {
        return Err(format!(
            "terraform output -json failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    json::parse(&String::from_utf8_lossy(&output.stdout)).map(BatchOutcome::Outputs)
}

/// Member `n`'s `output -json` document, taken apart from the module object: each attribute is
/// an output. `None` when the batch's document does not have the shape expected, or when an
/// attribute is null: a null root output is left out, but an output whose value is still
/// unknown after the apply (`format("%v", null)` is) is printed as null, and the module object
/// shows both as null.
fn member_outputs(doc: &Json, n: usize) -> Option<Json> {
    let entry = doc.get(&format!("c{n}"))?;
    if entry.get("sensitive")? != &Json::Bool(false) {
        return None;
    }
    let Json::Array(object_type) = entry.get("type")? else {
        return None;
    };
    let (Some(Json::String(kind)), Some(Json::Object(attribute_types))) =
        (object_type.first(), object_type.get(1))
    else {
        return None;
    };
    let Json::Object(values) = entry.get("value")? else {
        return None;
    };
    if kind != "object" || attribute_types.len() != values.len() {
        return None;
    }
    let mut outputs = std::collections::BTreeMap::new();
    for (name, value) in values {
        if *value == Json::Null {
            return None;
        }
        let mut output = std::collections::BTreeMap::new();
        output.insert("sensitive".to_owned(), Json::Bool(false));
        output.insert("type".to_owned(), attribute_types.get(name)?.clone());
        output.insert("value".to_owned(), value.clone());
        outputs.insert(name.clone(), Json::Object(output));
    }
    Some(Json::Object(outputs))
}
