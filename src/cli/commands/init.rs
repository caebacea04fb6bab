//! `scwform init`: sets up the configuration's backend as Terraform's `init` does for a
//! backend, and copies the states across when the backend changed (`-migrate-state`).
//!
//! - The backend block is checked and the backend opened: for `pg` that connects and creates
//!   the schema and tables unless `skip_*_creation` says not to.
//! - The backend configuration is recorded in `.scwform/backend.json` (`{"type", "config"}`),
//!   so the next `init` knows what the previous backend was. scwform does not write Terraform's
//!   `.terraform/terraform.tfstate`: Terraform keeps a hash of the backend block there,
//!   computed from its own internal value representation, and a file whose hash differs makes
//!   Terraform demand `init` again in that directory. It reads it, though: without a record of
//!   its own, the backend Terraform recorded is the previous one.
//! - When the configured backend differs from the previous one: `-migrate-state` copies every
//!   workspace's state (both sides locked, nothing written if a destination already holds a
//!   different state, unless `-force-copy`); `-reconfigure` ignores the previous backend;
//!   neither is an error. A configuration without a recorded previous backend whose implicit
//!   local state (`scwform.tfstate`, `terraform.tfstate.d/`) holds something counts as
//!   changed from that.
//!
//! Depends on `session` (configuration, backends) and `state::backend::migrate`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::cli::ExitStatus;
use crate::cli::args::{InitArgs, StateArgs};
use crate::cli::printer::Printer;
use crate::cli::session::{self, Failure, Paths, SANDBOX_DIR};
use crate::diag::Diagnostic;
use crate::state::backend::migrate::{self, Copied};
use crate::state::backend::{BackendSpec, IMPLICIT_STATE_FILE};
use crate::state::{Backend, LockInfo};

/// Where the backend configuration is recorded, in the configuration directory.
pub const RECORD_FILE: &str = "backend.json";

/// Terraform's record of the backend, read when scwform has none.
const TERRAFORM_RECORD: &str = ".terraform/terraform.tfstate";

/// A backend configuration as recorded: its type and settings. Its `Debug` shows the
/// settings' names only (a `pg` connection string may hold a password).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendRecord {
    /// The backend type.
    #[serde(rename = "type")]
    pub kind: String,
    /// The settings (null values left out).
    #[serde(default)]
    pub config: BTreeMap<String, serde_json::Value>,
}

impl std::fmt::Debug for BackendRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackendRecord")
            .field("kind", &self.kind)
            .field("config", &self.config.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl BackendRecord {
    fn of(spec: &BackendSpec) -> Self {
        Self {
            kind: spec.kind.clone(),
            config: spec
                .settings
                .iter()
                .filter(|(_, s)| !s.value.is_null())
                .map(|(k, s)| (k.clone(), s.value.clone()))
                .collect(),
        }
    }

    fn spec(&self) -> BackendSpec {
        let mut spec = BackendSpec {
            kind: self.kind.clone(),
            settings: BTreeMap::new(),
            span: None,
        };
        for (k, v) in &self.config {
            spec.set(k.clone(), v.clone());
        }
        spec
    }

    /// The backend for people: its type, and a local backend's path (a `pg` connection
    /// string may hold a password, so it is never shown).
    fn describe(&self) -> String {
        match self.config.get("path").and_then(serde_json::Value::as_str) {
            Some(path) if self.kind == "local" => format!("\"local\" ({path})"),
            _ => format!("\"{}\"", self.kind),
        }
    }
}

/// Terraform's `.terraform/terraform.tfstate`, the part scwform reads.
#[derive(Deserialize)]
struct TerraformRecord {
    backend: Option<BackendRecord>,
}

/// The previous backend recorded in `dir`: scwform's record, else Terraform's. `None` when
/// neither exists.
fn previous(dir: &Path) -> Result<Option<BackendRecord>, Diagnostic> {
    let ours = dir.join(SANDBOX_DIR).join(RECORD_FILE);
    let unreadable = |path: &Path, e: String| {
        Diagnostic::error(
            "scw::cli::backend_record",
            format!("Cannot read the backend record {}", path.display()),
        )
        .with_detail(e)
        .with_help("remove the file and run `scwform init -reconfigure`")
    };
    match std::fs::read_to_string(&ours) {
        Ok(text) => {
            return serde_json::from_str::<BackendRecord>(&text)
                .map(|mut r| {
                    r.config.retain(|_, v| !v.is_null());
                    Some(r)
                })
                .map_err(|e| unreadable(&ours, e.to_string()));
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(unreadable(&ours, e.to_string()));
        }
        Err(_) => {}
    }
    let theirs = dir.join(TERRAFORM_RECORD);
    match std::fs::read_to_string(&theirs) {
        Ok(text) => serde_json::from_str::<TerraformRecord>(&text)
            .map(|r| {
                r.backend.map(|mut b| {
                    b.config.retain(|_, v| !v.is_null());
                    b
                })
            })
            .map_err(|e| unreadable(&theirs, e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(unreadable(&theirs, e.to_string())),
    }
}

/// Writes the record (mode 0600: a `pg` connection string may hold a password).
fn write_record(dir: &Path, record: &BackendRecord) -> Result<(), Diagnostic> {
    let folder = dir.join(SANDBOX_DIR);
    let path = folder.join(RECORD_FILE);
    let fail = |e: std::io::Error| {
        Diagnostic::error(
            "scw::cli::backend_record",
            format!("Cannot write the backend record {}", path.display()),
        )
        .with_detail(e.to_string())
    };
    std::fs::create_dir_all(&folder).map_err(fail)?;
    let mut text = serde_json::to_string_pretty(record).expect("records are JSON data");
    text.push('\n');
    let mut tmp = tempfile::Builder::new()
        .prefix(".backend")
        .tempfile_in(&folder)
        .map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(fail)?;
    }
    std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(fail)?;
    tmp.persist(&path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Whether any workspace of `backend` holds a state.
fn holds_state(backend: &Backend) -> Result<bool, Diagnostic> {
    let workspaces = backend
        .workspaces()
        .map_err(|e| session::state_diagnostic(&e, "Error reading the previous backend"))?;
    for workspace in workspaces {
        let state = backend
            .store(&workspace)
            .load()
            .map_err(|e| session::state_diagnostic(&e, "Error reading the previous backend"))?;
        if state.is_some_and(|s| !s.resources.is_empty() || !s.outputs.is_empty()) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Runs the command.
#[must_use]
pub fn run(args: &InitArgs, printer: Printer) -> ExitStatus {
    match init(args) {
        Ok(text) => {
            let _ = printer.out(&text);
            ExitStatus::Success
        }
        Err(f) => {
            printer.diagnostics(&f.diagnostics, &f.sources);
            ExitStatus::Failure
        }
    }
}

fn init(args: &InitArgs) -> Result<String, Failure> {
    let paths = Paths::new(args.dir.as_ref(), &StateArgs::default());
    paths.check_dir()?;
    let timeout = session::parse_duration(&args.lock_timeout).map_err(|e| {
        Diagnostic::error("scw::cli::invalid_duration", "Invalid --lock-timeout").with_detail(e)
    })?;
    let configured = session::configured(&paths)?;
    let encryption = configured.encryption.clone();
    let backend = configured.backend.clone();
    set_up(args, &paths, backend, encryption.as_ref(), timeout).map_err(|diagnostics| Failure {
        diagnostics,
        sources: configured.sources,
    })
}

/// The command's work once the configuration is read; errors as diagnostics.
fn set_up(
    args: &InitArgs,
    paths: &Paths,
    configured: Option<BackendSpec>,
    encryption: Option<&crate::model::settings::SettingsBlock>,
    timeout: std::time::Duration,
) -> Result<String, crate::diag::Diagnostics> {
    let spec = configured.unwrap_or_else(|| BackendSpec::local(IMPLICIT_STATE_FILE));
    let current = BackendRecord::of(&spec);
    let mut out = String::from("Initializing the backend...\n");
    // Opening checks the settings and, for pg, connects and creates the schema and tables.
    let to = session::open_backend(paths, Some(&spec), encryption)?;
    let implicit = BackendRecord::of(&BackendSpec::local(IMPLICIT_STATE_FILE));
    let previous = match previous(&paths.dir)? {
        Some(recorded) => Some(recorded),
        None if current != implicit => {
            let old = session::open_backend(paths, Some(&implicit.spec()), encryption)?;
            holds_state(&old)?.then(|| implicit.clone())
        }
        None => None,
    };
    if let Some(previous) = previous.filter(|p| *p != current) {
        if args.reconfigure {
            let _ = writeln!(
                out,
                "Ignoring the previous backend {} (-reconfigure): its states are left as they are.",
                previous.describe()
            );
        } else if args.migrate_state || args.force_copy {
            let from = session::open_backend(paths, Some(&previous.spec()), encryption)?;
            let migrated = migrate::migrate(
                &from,
                &to,
                args.force_copy,
                &LockInfo::for_current_process("init"),
                timeout,
            )
            .map_err(|e| session::state_diagnostic(&e, "Error migrating the state"))?;
            let _ = writeln!(
                out,
                "Migrating the states from the backend {} to the backend {}:",
                previous.describe(),
                current.describe()
            );
            for m in migrated {
                let what = match m.copied {
                    Copied::Written { serial } => format!("copied (serial {serial})"),
                    Copied::Unchanged => "already there".to_owned(),
                    Copied::Empty => "no state to copy".to_owned(),
                    Copied::SamePlace => "the same place in both".to_owned(),
                };
                let _ = writeln!(out, "  workspace {:?}: {what}", m.workspace);
            }
        } else {
            return Err(Diagnostic::error(
                "scw::cli::backend_changed",
                "Backend configuration changed",
            )
            .with_detail(format!(
                "The previous backend was {}; the configuration now names {}. The states in the previous backend are not copied unless you ask.",
                previous.describe(),
                current.describe()
            ))
            .with_help("run `scwform init -migrate-state` to copy every workspace's state to the new backend, or `scwform init -reconfigure` to use the new backend as it is")
            .into());
        }
    }
    write_record(&paths.dir, &current)?;
    let _ = write!(
        out,
        "\nSuccessfully configured the backend {}! scwform will use this backend unless the\nbackend configuration changes.\n\nscwform has been successfully initialized!\n",
        current.describe()
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_show_no_setting_value_in_debug_or_messages() {
        let mut spec = BackendSpec {
            kind: "pg".into(),
            settings: BTreeMap::new(),
            span: None,
        };
        spec.set(
            "conn_str",
            serde_json::json!("postgres://alice:s3cret@db/tf"),
        );
        let record = BackendRecord::of(&spec);
        assert_eq!(record.spec(), spec);
        for text in [format!("{record:?}"), record.describe()] {
            assert!(!text.contains("s3cret"), "{text}");
        }
        assert_eq!(
            BackendRecord::of(&BackendSpec::local("x.tfstate")).describe(),
            "\"local\" (x.tfstate)"
        );
    }
}
