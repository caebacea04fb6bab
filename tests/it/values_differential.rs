//! The differential suite against the real Terraform: small configurations (only `variable`,
//! `locals` and `output` blocks) under `tests/fixtures/values/<group>/`, each with Terraform
//! 1.11's answer recorded beside it (`<case>.expected.json`: the `terraform output -json`
//! document, or `{"rejected": summary, "detail": …}`). See `tests/fixtures/values/README.md`.
//!
//! - [`scwform_agrees_with_terraform_on_every_case`] evaluates every case in-process and compares
//!   each output's value (numbers as written), type and sensitivity with the record; a rejected
//!   case must be an error. Mismatches must be listed in `KNOWN_DIFFERENCES`, and a listed case
//!   that now matches fails too, so the list only shrinks and stays true; the figure (agreeing
//!   cases of all) in `docs/expressions.md` must be the current one.
//! - [`recorded_answers_are_what_terraform_answers`] re-runs Terraform on every case when a
//!   binary is present and fails on any record that no longer matches.
//! - [`batched_answers_are_the_answers_of_single_runs`] checks, on a few cases, that running
//!   Terraform in batches (as the two tests above do) answers exactly as single runs.
//! - [`record_terraform_answers`] (ignored) writes the records.
//!
//! `SCWFORM_VALUES_CASES=text` restricts all three to the cases whose name contains `text`.

mod json;
pub(crate) mod terraform;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use json::Json;
use scwform::cli::commands::output::evaluate_json;

use crate::common::repo_root;

/// One case of the corpus.
#[derive(Debug, Clone)]
pub(crate) struct Case {
    /// `group/case`.
    name: String,
    /// The `.tf` file, or the directory of a case that needs several files (`terraform.tfvars`,
    /// files read by functions).
    input: PathBuf,
    /// `<case>.expected.json`, beside the input.
    expected: PathBuf,
}

impl Case {
    /// The file whose first line is the case's header comment.
    fn main_file(&self) -> PathBuf {
        if self.input.is_dir() {
            self.input.join("main.tf")
        } else {
            self.input.clone()
        }
    }

    /// Whether the answer was written by hand (a header comment line says `hand-recorded:`):
    /// Terraform cannot compute it offline (provider functions), so neither the recorder nor
    /// the re-check runs it.
    fn hand_recorded(&self) -> bool {
        std::fs::read_to_string(self.main_file()).is_ok_and(|t| {
            t.lines()
                .take_while(|l| l.starts_with('#'))
                .any(|l| l.contains("hand-recorded:"))
        })
    }
}

/// Terraform's recorded answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expected {
    /// The `output -json` document.
    Outputs(Json),
    /// Terraform refused the configuration.
    Rejected { summary: String, detail: String },
}

fn corpus_dir() -> PathBuf {
    repo_root().join("tests/fixtures/values")
}

/// Every case, sorted by name (restricted by `SCWFORM_VALUES_CASES`).
fn cases() -> Vec<Case> {
    cases_matching(&std::env::var("SCWFORM_VALUES_CASES").unwrap_or_default())
}

/// Every case whose name contains `filter`, sorted by name.
fn cases_matching(filter: &str) -> Vec<Case> {
    let mut out = Vec::new();
    let mut groups: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/fixtures/values exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    groups.sort();
    for group in groups {
        let group_name = group.file_name().unwrap().to_string_lossy().into_owned();
        for entry in std::fs::read_dir(&group).expect("readable group directory") {
            let path = entry.expect("readable directory entry").path();
            let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
            let stem = if path.is_dir() {
                file_name.clone()
            } else if let Some(stem) = file_name.strip_suffix(".tf") {
                stem.to_owned()
            } else {
                continue;
            };
            let name = format!("{group_name}/{stem}");
            if !name.contains(filter) {
                continue;
            }
            out.push(Case {
                name,
                expected: group.join(format!("{stem}.expected.json")),
                input: path,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn read_expected(case: &Case) -> Result<Expected, String> {
    let text = std::fs::read_to_string(&case.expected).map_err(|e| {
        format!(
            "no recorded answer ({e}); record it with `cargo test --test it values_differential::record -- --ignored`"
        )
    })?;
    parse_expected(&text)
}

/// A recorded answer from its text.
fn parse_expected(text: &str) -> Result<Expected, String> {
    let doc = json::parse(text)?;
    if let Some(summary) = doc.get("rejected") {
        return Ok(Expected::Rejected {
            summary: summary.as_str().unwrap_or_default().to_owned(),
            detail: doc
                .get("detail")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_owned(),
        });
    }
    Ok(Expected::Outputs(doc))
}

/// What scwform answers: the `output --json` document, or the first error's summary.
fn scwform_answer(case: &Case) -> Result<Result<Json, String>, String> {
    let outcome = std::panic::catch_unwind(|| evaluate_json(&case.input))
        .map_err(|_| "scwform panicked".to_owned())?;
    match outcome {
        Ok(text) => json::parse(&text)
            .map(Ok)
            .map_err(|e| format!("scwform printed invalid JSON ({e}): {text}")),
        Err(loaded) => {
            let first = loaded
                .diagnostics
                .iter()
                .find(|d| d.severity == scwform::diag::Severity::Error)
                .map_or_else(String::new, |d| d.summary.clone());
            Ok(Err(first))
        }
    }
}

/// How scwform's answer differs from Terraform's, if it does.
fn difference(expected: &Expected, actual: &Result<Json, String>) -> Option<String> {
    match (expected, actual) {
        (Expected::Rejected { .. }, Err(_)) => None,
        (Expected::Rejected { summary, .. }, Ok(doc)) => Some(format!(
            "Terraform rejects it ({summary}); scwform accepts it: {}",
            doc.to_text()
        )),
        (Expected::Outputs(_), Err(error)) => Some(format!("scwform rejects it: {error}")),
        (Expected::Outputs(want), Ok(got)) => {
            let (Json::Object(want), Json::Object(got)) = (want, got) else {
                return Some(format!(
                    "not an output document: {} vs {}",
                    want.to_text(),
                    got.to_text()
                ));
            };
            let mut diffs = Vec::new();
            for (name, w) in want {
                let Some(g) = got.get(name) else {
                    diffs.push(format!("output {name} missing"));
                    continue;
                };
                for part in ["value", "type", "sensitive"] {
                    let (wp, gp) = (w.get(part), g.get(part));
                    if wp != gp {
                        let text =
                            |j: Option<&Json>| j.map_or_else(|| "-".to_owned(), Json::to_text);
                        diffs.push(format!(
                            "output {name}: {part} {} (Terraform: {})",
                            text(gp),
                            text(wp)
                        ));
                    }
                }
            }
            for name in got.keys().filter(|n| !want.contains_key(*n)) {
                diffs.push(format!("output {name} is not in Terraform's answer"));
            }
            (!diffs.is_empty()).then(|| diffs.join("; "))
        }
    }
}

/// `KNOWN_DIFFERENCES`: case name → reason (lines `group/case reason`; `#` lines are comments
/// and cause headings).
fn known_differences() -> Result<BTreeMap<String, String>, String> {
    let path = corpus_dir().join("KNOWN_DIFFERENCES");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, reason) = line
            .split_once(char::is_whitespace)
            .ok_or_else(|| format!("KNOWN_DIFFERENCES line {}: a case name and a reason", n + 1))?;
        if out
            .insert(name.to_owned(), reason.trim().to_owned())
            .is_some()
        {
            return Err(format!(
                "KNOWN_DIFFERENCES line {}: {name} listed twice",
                n + 1
            ));
        }
    }
    Ok(out)
}

/// Runs `f` on every item on `jobs` threads; results in the items' order.
pub(crate) fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    results.lock().unwrap()[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every item was processed"))
        .collect()
}

fn terraform_jobs() -> usize {
    std::env::var("SCWFORM_TERRAFORM_JOBS")
        .ok()
        .and_then(|j| j.parse().ok())
        .unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(2, std::num::NonZero::get) * 2
        })
}

fn has_header_comment(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| {
        let first = t.lines().next().unwrap_or_default();
        first.starts_with('#') || first.starts_with("//")
    })
}

#[test]
fn every_case_is_recorded_and_says_what_it_checks() {
    let cases = cases();
    let filtered = std::env::var_os("SCWFORM_VALUES_CASES").is_some();
    assert!(
        filtered || cases.len() >= 600,
        "the corpus has {} cases; it must keep at least 600",
        cases.len()
    );
    let mut problems = Vec::new();
    for case in &cases {
        if !has_header_comment(&case.main_file()) {
            problems.push(format!(
                "{}: no header comment saying what it checks",
                case.name
            ));
        }
        if let Err(e) = read_expected(case) {
            problems.push(format!("{}: {e}", case.name));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn scwform_agrees_with_terraform_on_every_case() {
    let cases = cases();
    let known = known_differences().expect("KNOWN_DIFFERENCES is readable");
    let mut unexpected = String::new();
    let mut fixed = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for case in &cases {
        seen.insert(case.name.as_str());
        let expected = match read_expected(case) {
            Ok(e) => e,
            Err(e) => {
                let _ = writeln!(unexpected, "{} {e}", case.name);
                continue;
            }
        };
        let diff = match scwform_answer(case) {
            Ok(actual) => difference(&expected, &actual),
            Err(panic) => Some(panic),
        };
        match (diff, known.contains_key(&case.name)) {
            (Some(d), false) => {
                let _ = writeln!(unexpected, "{} {d}", case.name);
            }
            (None, true) => fixed.push(case.name.clone()),
            _ => {}
        }
    }
    let filtered = std::env::var_os("SCWFORM_VALUES_CASES").is_some();
    let stale: Vec<&String> = known
        .keys()
        .filter(|k| !filtered && !seen.contains(k.as_str()))
        .collect();
    let mut report = String::new();
    if !unexpected.is_empty() {
        let _ = writeln!(
            report,
            "scwform differs from Terraform on cases not listed in tests/fixtures/values/KNOWN_DIFFERENCES:\n{unexpected}"
        );
    }
    if !fixed.is_empty() {
        let _ = writeln!(
            report,
            "these cases now agree with Terraform: remove them from KNOWN_DIFFERENCES:\n{}\n",
            fixed.join("\n")
        );
    }
    if !stale.is_empty() {
        let _ = writeln!(
            report,
            "KNOWN_DIFFERENCES names cases that do not exist:\n{}",
            stale
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    if !filtered {
        let figure = format!("**{} of {}**", cases.len() - known.len(), cases.len());
        let docs = std::fs::read_to_string(repo_root().join("docs/expressions.md"))
            .expect("docs/expressions.md is readable");
        if !docs.contains(&figure) {
            let _ = writeln!(
                report,
                "docs/expressions.md must give the figure {figure} (cases that agree with Terraform)"
            );
        }
    }
    assert!(report.is_empty(), "{report}");
}

#[test]
#[allow(clippy::print_stderr)]
fn recorded_answers_are_what_terraform_answers() {
    let Some(binary) = terraform::binary() else {
        eprintln!(
            "skipping the re-check of the recorded answers: no terraform binary (set SCWFORM_TERRAFORM, or put terraform on the PATH)"
        );
        return;
    };
    let (cases, by_hand): (Vec<Case>, Vec<Case>) =
        cases().into_iter().partition(|c| !c.hand_recorded());
    if !by_hand.is_empty() {
        eprintln!(
            "not re-checked ({} answers recorded by hand, Terraform cannot compute them offline): {}",
            by_hand.len(),
            by_hand
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let expected: Vec<Result<Expected, String>> = cases.iter().map(read_expected).collect();
    let answers = terraform::answers(&binary, &cases, Some(&expected), terraform_jobs());
    let results = answers
        .into_iter()
        .zip(&expected)
        .map(|(answer, expected)| answer?.agrees_with(expected.as_ref().map_err(String::clone)?));
    let failures: Vec<String> = cases
        .iter()
        .zip(results)
        .filter_map(|(case, r)| r.err().map(|e| format!("{}: {e}", case.name)))
        .collect();
    assert!(
        failures.is_empty(),
        "recorded answers that Terraform ({}) no longer gives; re-record them with `SCWFORM_RECORD=all cargo test --test it values_differential::record -- --ignored` after checking why:\n{}",
        binary.display(),
        failures.join("\n")
    );
}

/// Cases that exercise the batching: nested types, numbers, Unicode, an output that is null and
/// one that stays unknown (both null in the module object), and errors at load and at apply.
const BATCH_PROBES: &[&str] = &[
    "conversions/null_output",
    "conversions/var_optional_nested",
    "for_splat/splat_of_set_typed",
    "functions_string/format_null_arg",
    "invalid/bad_escape",
    "numbers/one_third",
    "operators/divide_by_zero",
    "templates/heredoc_strip_markers",
    "unicode/nfc_equality",
];

/// Batching is only a faster way to get the answers single runs give: the recorder's (no
/// records) and the re-check's (with records) batched answers are, byte for byte, what
/// Terraform answers when each case runs on its own.
#[test]
#[allow(clippy::print_stderr)]
fn batched_answers_are_the_answers_of_single_runs() {
    let Some(binary) = terraform::binary() else {
        eprintln!(
            "skipping the batching check: no terraform binary (set SCWFORM_TERRAFORM, or put terraform on the PATH)"
        );
        return;
    };
    let all = cases_matching("");
    let probes: Vec<Case> = BATCH_PROBES
        .iter()
        .map(|name| {
            all.iter()
                .find(|c| c.name == *name)
                .unwrap_or_else(|| panic!("probe case {name} exists"))
                .clone()
        })
        .collect();
    let text = |a: Result<terraform::Answer, String>| a.map(|a| a.recorded_text());
    let single: Vec<Result<String, String>> = parallel_map(&probes, terraform_jobs(), |c| {
        text(terraform::run(&binary, c))
    });
    let records: Vec<Result<Expected, String>> = single
        .iter()
        .map(|t| parse_expected(t.as_ref().map_err(String::clone)?))
        .collect();
    for (mode, expected) in [("recorder", None), ("re-check", Some(records.as_slice()))] {
        let batched = terraform::answers(&binary, &probes, expected, terraform_jobs());
        for ((case, single), batched) in probes.iter().zip(&single).zip(batched) {
            assert_eq!(
                &text(batched),
                single,
                "{mode}: {} batched vs alone",
                case.name
            );
        }
    }
}

/// Records Terraform's answers: the cases without one (`SCWFORM_RECORD` unset or `missing`),
/// or every selected case (`SCWFORM_RECORD=all`).
#[test]
#[ignore = "writes the recorded answers; run it by hand with a terraform binary"]
#[allow(clippy::print_stderr)]
fn record_terraform_answers() {
    let binary = terraform::binary().expect("a terraform binary (SCWFORM_TERRAFORM or PATH)");
    let all = std::env::var("SCWFORM_RECORD").is_ok_and(|v| v == "all");
    let cases: Vec<Case> = cases()
        .into_iter()
        .filter(|c| !c.hand_recorded() && (all || !c.expected.exists()))
        .collect();
    let answers = terraform::answers(&binary, &cases, None, terraform_jobs());
    let results = cases.iter().zip(answers).map(|(case, answer)| {
        let answer = answer?;
        std::fs::write(&case.expected, answer.recorded_text())
            .map_err(|e| format!("cannot write {}: {e}", case.expected.display()))?;
        Ok::<_, String>(answer)
    });
    let mut failures = Vec::new();
    for (case, r) in cases.iter().zip(results) {
        match r {
            Ok(terraform::Answer::Outputs(_)) => eprintln!("recorded {}", case.name),
            Ok(terraform::Answer::Rejected { summary, .. }) => {
                eprintln!("recorded {} (rejected: {summary})", case.name);
            }
            Err(e) => failures.push(format!("{}: {e}", case.name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
