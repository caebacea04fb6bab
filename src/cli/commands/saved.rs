//! What `plan --out`, `apply FILE` and `show FILE` share: the plan file's bindings gathered
//! from the run (configuration files on disk, variable values, git), writing the file (mode
//! 0600, atomically) and reading it back. The format and the checks are in
//! [`crate::planfile`].

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use crate::cli::ExitStatus;
use crate::cli::printer::Printer;
use crate::diag::{Diagnostic, SourceMap};
use crate::model::config::Config;
use crate::plan::Plan;
use crate::planfile::{self, Binding, ReadError, Refusal, SavedOptions, SavedPlan};
use crate::render::{self, JsonInput};
use crate::state::crypto::{CryptoError, Encryption};
use crate::state::{State, TERRAFORM_VERSION};

/// scwform's version, as plan files record it.
pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

/// SHA-256 of each configuration file (`*.tf` and `*.tf.json` directly in the directory, or
/// the one file named), by file name, read from disk.
pub(crate) fn configuration_files(config: &Path) -> BTreeMap<String, String> {
    let files: Vec<std::path::PathBuf> = if config.is_dir() {
        std::fs::read_dir(config)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| crate::model::load::is_config_file(p))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        vec![config.to_path_buf()]
    };
    files
        .into_iter()
        .filter_map(|p| {
            let name = p.file_name()?.to_string_lossy().into_owned();
            let bytes = std::fs::read(&p).ok()?;
            Some((name, planfile::sha256(&bytes)))
        })
        .collect()
}

/// The digest of the configuration's variable values.
pub(crate) fn variables_digest(config: &Config) -> String {
    let values: BTreeMap<String, serde_json::Value> = config
        .variables
        .iter()
        .map(|(name, v)| (name.clone(), v.to_json()))
        .collect();
    planfile::variables_digest(&values)
}

/// The commit checked out in the repository holding `dir`, if any.
pub(crate) fn git_commit(dir: &Path) -> Option<String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--verify", "-q", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// Whether `commit` is an ancestor of (or is) the checked-out commit in `dir`.
pub(crate) fn commit_included(dir: &Path, commit: &str) -> bool {
    std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["merge-base", "--is-ancestor", commit, "HEAD"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The planned changes as the plan file records them (and `apply FILE` compares them).
pub(crate) fn changes_json(plan: &Plan, refreshed: &State) -> serde_json::Value {
    let doc = render::json::render(
        plan,
        &JsonInput {
            prior: refreshed,
            timestamp: "",
        },
    );
    serde_json::json!({
        "resource_changes": doc["resource_changes"],
        "output_changes": doc["output_changes"],
        "resource_drift": doc["resource_drift"],
    })
}

fn state_json(state: &State) -> serde_json::Value {
    serde_json::from_str(&state.to_json()).expect("a state serialises to JSON")
}

/// Everything a run knows that the plan file binds.
pub(crate) struct RunFacts<'a> {
    pub(crate) config_path: &'a Path,
    pub(crate) config_dir: &'a Path,
    pub(crate) prior: &'a State,
    pub(crate) refreshed: &'a State,
    pub(crate) plan: &'a Plan,
    pub(crate) options: SavedOptions,
    pub(crate) created_at: &'a str,
}

/// The binding of a plan just made.
pub(crate) fn binding(facts: &RunFacts<'_>) -> Binding {
    Binding {
        scwform_version: VERSION.to_owned(),
        terraform_version: TERRAFORM_VERSION.to_owned(),
        created_at: facts.created_at.to_owned(),
        configuration_path: facts.config_path.to_string_lossy().into_owned(),
        configuration_files: configuration_files(facts.config_path),
        variables_digest: variables_digest(&facts.plan.config),
        git_commit: git_commit(facts.config_dir),
        lineage: facts.prior.lineage.0.clone(),
        serial: facts.prior.serial,
        options: facts.options.clone(),
        prior_state: state_json(facts.prior),
        refreshed_state: state_json(facts.refreshed),
        changes: changes_json(facts.plan, facts.refreshed),
    }
}

/// Writes a plan file: readable by its owner only (it holds the states), replaced atomically.
///
/// # Errors
/// The I/O error.
pub(crate) fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".scwform-plan")
        .tempfile_in(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The plan encryption of the configuration in `dir` (the current directory when `None`):
/// its `encryption` block merged with `TF_ENCRYPTION`, as a saved plan is read with the
/// configuration it is applied to (an encrypted plan names no configuration before it is
/// decrypted).
///
/// # Errors
/// Printed here: the exit status to end with (a configuration or encryption block that does
/// not read).
pub(crate) fn plan_encryption(
    dir: Option<&std::path::PathBuf>,
    printer: Printer,
) -> Result<Option<Encryption>, ExitStatus> {
    let paths = crate::cli::session::Paths::new(dir, &crate::cli::args::StateArgs::default());
    let configured = crate::cli::session::configured(&paths).map_err(|f| {
        printer.diagnostics(&f.diagnostics, &f.sources);
        ExitStatus::Failure
    })?;
    match configured.encryption.as_ref() {
        None => Ok(None),
        Some(block) => crate::cli::encryption::encryption(block)
            .map(Some)
            .map_err(|d| {
                printer.diagnostics(&d, &configured.sources);
                ExitStatus::Failure
            }),
    }
}

/// A plan file that cannot be encrypted or decrypted, as a diagnostic.
pub(crate) fn crypto_diagnostic(path: &Path, e: &CryptoError) -> Diagnostic {
    let mut d = Diagnostic::error(
        e.code(),
        format!("Cannot use the plan file {}", path.display()),
    )
    .with_detail(e.to_string());
    if let Some(help) = e.help() {
        d = d.with_help(help);
    }
    d
}

/// Reads and checks a plan file, decrypting it with `encryption`'s plan target when there is
/// one.
///
/// # Errors
/// Printed here: the exit status to end with.
pub(crate) fn read(
    path: &Path,
    encryption: Option<&Encryption>,
    printer: Printer,
) -> Result<SavedPlan, ExitStatus> {
    let text = std::fs::read(path).map_err(|e| {
        printer.diagnostics(
            &Diagnostic::error(
                "scw::cli::plan_file",
                format!("Cannot read the plan file {}", path.display()),
            )
            .with_detail(e.to_string())
            .into(),
            &SourceMap::new(),
        );
        ExitStatus::Failure
    })?;
    planfile::decode(&text, encryption.and_then(Encryption::plan)).map_err(|e| match e {
        ReadError::Refused(r) => refuse(printer, path, &r),
        ReadError::Crypto(e) => {
            printer.diagnostics(&crypto_diagnostic(path, &e).into(), &SourceMap::new());
            ExitStatus::Failure
        }
    })
}

/// Prints a refusal (its check named in the summary) and gives its exit status.
pub(crate) fn refuse(printer: Printer, path: &Path, refusal: &Refusal) -> ExitStatus {
    printer.diagnostics(
        &Diagnostic::error(
            "scw::cli::saved_plan_refused",
            format!(
                "Saved plan refused: {} (exit code {})",
                refusal.check_name(),
                refusal.code()
            ),
        )
        .with_detail(format!("{}: {refusal}.", path.display()))
        .with_help("make a new plan with `scwform plan --out FILE`, review it, and apply that")
        .into(),
        &SourceMap::new(),
    );
    ExitStatus::Refused(refusal.code())
}

/// Whether `path` names a saved plan rather than a configuration: a file that is not `.tf`.
pub(crate) fn is_plan_file(path: &Path) -> bool {
    path.is_file() && path.extension().is_none_or(|e| e != "tf")
}
