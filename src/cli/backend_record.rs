//! The record of the backend a configuration directory was initialized with, and the backend
//! every command uses, as Terraform decides it.
//!
//! - `init` records the backend's type and settings in `.scwform/backend.json`
//!   (`{"type", "config", "block"}`): `config` is what the backend was opened with (the
//!   `backend` block's settings merged with `init -backend-config`, Terraform's partial
//!   configuration), `block` the block's own settings. scwform does not write Terraform's
//!   `.terraform/terraform.tfstate` (Terraform keeps a hash of its internal representation of
//!   the block there, and a file whose hash differs makes Terraform demand `init` again), but
//!   reads it when it has no record of its own.
//! - Every other command ([`resolve`]) uses the recorded backend when the block is still the
//!   one recorded (so the `-backend-config` settings need not be repeated), the block itself
//!   when it says exactly what is recorded, and otherwise refuses, as Terraform does, with
//!   "Backend initialization required" until `init -migrate-state` or `init -reconfigure`.
//!   Without any record, the block is used as it is (scwform needs no `init` for a backend
//!   that never changed).
//! - A record that cannot be read is an error naming the file; nothing is written.
//!
//! Depends on `state::backend` (specifications) and `model::settings` (backend files).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, Diagnostics, SourceMap};
use crate::state::backend::{BackendSpec, IMPLICIT_STATE_FILE};

/// Where scwform records the backend, under the configuration directory.
pub const RECORD_FILE: &str = ".scwform/backend.json";

/// Terraform's record of the backend, read when scwform has none.
pub const TERRAFORM_RECORD: &str = ".terraform/terraform.tfstate";

/// Settings as recorded: constant values by name, nulls left out.
pub type RecordedSettings = BTreeMap<String, serde_json::Value>;

/// A backend configuration as recorded. Its `Debug` shows the settings' names only (a `pg`
/// connection string may hold a password).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendRecord {
    /// The backend type.
    #[serde(rename = "type")]
    pub kind: String,
    /// The settings the backend is opened with (the block's, merged with
    /// `-backend-config`).
    #[serde(default)]
    pub config: RecordedSettings,
    /// The `backend` block's own settings; `None` in Terraform's record (which keeps a hash
    /// instead) and in records written before `-backend-config` existed (where they equal
    /// `config`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<RecordedSettings>,
}

impl std::fmt::Debug for BackendRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackendRecord")
            .field("kind", &self.kind)
            .field("config", &self.config.keys().collect::<Vec<_>>())
            .field(
                "block",
                &self.block.as_ref().map(|b| b.keys().collect::<Vec<_>>()),
            )
            .finish()
    }
}

/// A specification's settings as recorded (nulls left out).
#[must_use]
pub fn settings_of(spec: &BackendSpec) -> RecordedSettings {
    spec.settings
        .iter()
        .filter(|(_, s)| !s.value.is_null())
        .map(|(k, s)| (k.clone(), s.value.clone()))
        .collect()
}

impl BackendRecord {
    /// The record of a backend opened as `opened`, written as `block` in the configuration.
    #[must_use]
    pub fn new(opened: &BackendSpec, block: &BackendSpec) -> Self {
        Self {
            kind: opened.kind.clone(),
            config: settings_of(opened),
            block: Some(settings_of(block)),
        }
    }

    /// Whether `other` names the same backend (type and settings; the block aside).
    #[must_use]
    pub fn same_backend(&self, other: &Self) -> bool {
        self.kind == other.kind && self.config == other.config
    }

    /// The recorded backend as a specification.
    #[must_use]
    pub fn spec(&self) -> BackendSpec {
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
    #[must_use]
    pub fn describe(&self) -> String {
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

/// Whose record a backend record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordSource {
    /// scwform's `.scwform/backend.json`.
    Scwform,
    /// Terraform's `.terraform/terraform.tfstate`.
    Terraform,
}

/// Help for a damaged record of scwform's.
const OURS_HELP: &str = "nothing was changed; remove the file and run `scwform init -reconfigure` (or `-migrate-state`) to record the configured backend again";

/// Help for a damaged record of Terraform's.
const THEIRS_HELP: &str = "nothing was changed; this is Terraform's record of the backend: run `terraform init` to repair it, or remove it and run `scwform init`";

/// The backend recorded for the configuration in `dir`: scwform's record, else Terraform's.
/// `None` when neither exists.
///
/// # Errors
/// A record that cannot be read or is not a record (`scw::cli::backend_record`), naming the
/// file.
pub fn read(dir: &Path) -> Result<Option<(BackendRecord, RecordSource)>, Diagnostic> {
    let unreadable = |path: &Path, e: String, help: &str| {
        Diagnostic::error(
            "scw::cli::backend_record",
            format!("Cannot read the backend record {}", path.display()),
        )
        .with_detail(e)
        .with_help(help.to_owned())
    };
    let ours = dir.join(RECORD_FILE);
    match std::fs::read_to_string(&ours) {
        Ok(text) => {
            return serde_json::from_str::<BackendRecord>(&text)
                .map(|mut r| {
                    r.config.retain(|_, v| !v.is_null());
                    Some((r, RecordSource::Scwform))
                })
                .map_err(|e| unreadable(&ours, e.to_string(), OURS_HELP));
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(unreadable(&ours, e.to_string(), OURS_HELP));
        }
        Err(_) => {}
    }
    let theirs = dir.join(TERRAFORM_RECORD);
    match std::fs::read_to_string(&theirs) {
        Ok(text) => serde_json::from_str::<TerraformRecord>(&text)
            .map(|r| {
                r.backend.map(|mut b| {
                    b.config.retain(|_, v| !v.is_null());
                    b.block = None;
                    (b, RecordSource::Terraform)
                })
            })
            .map_err(|e| unreadable(&theirs, e.to_string(), THEIRS_HELP)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(unreadable(&theirs, e.to_string(), THEIRS_HELP)),
    }
}

/// Writes scwform's record, atomically, mode 0600 (a `pg` connection string may hold a
/// password).
///
/// # Errors
/// The file cannot be written (`scw::cli::backend_record`).
pub fn write(dir: &Path, record: &BackendRecord) -> Result<(), Diagnostic> {
    let path = dir.join(RECORD_FILE);
    let folder = path
        .parent()
        .map_or_else(|| dir.to_path_buf(), Path::to_path_buf);
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
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(&path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// The configuration's backend block, or the implicit local state without one.
#[must_use]
pub fn block_or_implicit(configured: Option<&BackendSpec>) -> BackendSpec {
    configured
        .cloned()
        .unwrap_or_else(|| BackendSpec::local(IMPLICIT_STATE_FILE))
}

/// `block` with the recorded settings: the block's spans are kept for the settings it
/// writes.
fn recorded_spec(block: &BackendSpec, record: &BackendRecord) -> BackendSpec {
    let mut spec = record.spec();
    spec.span = block.span;
    for (name, setting) in &mut spec.settings {
        setting.span = block.settings.get(name).and_then(|s| s.span);
    }
    spec
}

/// The backend a command other than `init` uses, given the configuration's block
/// (`None`: no block) and what is recorded (see the module docs).
///
/// # Errors
/// An unreadable record, or a block that differs from the recorded backend
/// (`scw::cli::backend_init_required`).
pub fn resolve(dir: &Path, configured: Option<&BackendSpec>) -> Result<BackendSpec, Diagnostic> {
    let block = block_or_implicit(configured);
    let Some((record, source)) = read(dir)? else {
        return Ok(block);
    };
    let written = settings_of(&block);
    if record.kind == block.kind {
        if record.block.as_ref() == Some(&written) {
            return Ok(recorded_spec(&block, &record));
        }
        if record.config == written {
            return Ok(block);
        }
    }
    let reason = if configured.is_none() {
        format!("Unsetting the previously set backend {}", record.describe())
    } else if record.kind != block.kind {
        format!(
            "Backend type changed from \"{}\" to \"{}\"",
            record.kind, block.kind
        )
    } else {
        "Backend configuration block has changed".to_owned()
    };
    let recorded_in = match source {
        RecordSource::Scwform => RECORD_FILE,
        RecordSource::Terraform => TERRAFORM_RECORD,
    };
    let mut d = Diagnostic::error(
        "scw::cli::backend_init_required",
        "Backend initialization required, please run \"scwform init\"",
    )
    .with_detail(format!(
        "Reason: {reason}\n\nThe backend recorded in {recorded_in} is not the one the configuration now describes. Changes to backend configurations require reinitialization, so that the states can be copied to the new backend or left behind deliberately. No changes to your existing configuration or state have been made."
    ))
    .with_help(
        "run `scwform init -migrate-state` to copy the states to the configured backend, or `scwform init -reconfigure` to use it as it is",
    );
    if let Some(span) = block.span {
        d = d.with_primary(span, "the configured backend");
    }
    Err(d)
}

/// The backend `init` opens: the block with the `-backend-config` settings (each `KEY=VALUE`,
/// or a file of `name = value` lines) merged over it, in the order given; without any, the
/// recorded backend when the block is still the one recorded (as for [`resolve`]), else the
/// block.
///
/// # Errors
/// `-backend-config` without a `backend` block, an unreadable or invalid file, a malformed
/// `KEY=VALUE`.
pub fn for_init(
    configured: Option<&BackendSpec>,
    overrides: &[String],
    recorded: Option<&BackendRecord>,
    sources: &mut SourceMap,
) -> Result<BackendSpec, Diagnostics> {
    let block = block_or_implicit(configured);
    if overrides.is_empty() {
        let keep = recorded
            .filter(|r| r.kind == block.kind && r.block.as_ref() == Some(&settings_of(&block)));
        return Ok(keep.map_or_else(|| block.clone(), |r| recorded_spec(&block, r)));
    }
    if configured.is_none() {
        return Err(Diagnostic::error(
            "scw::cli::backend_config",
            "-backend-config used without a backend block",
        )
        .with_detail(
            "-backend-config completes the configuration's `backend` block (Terraform's partial backend configuration), and the configuration has none.",
        )
        .with_help("add a block such as `terraform { backend \"local\" {} }`, or drop -backend-config")
        .into());
    }
    let mut spec = block;
    let mut diags = Diagnostics::new();
    for item in overrides {
        if let Some((name, value)) = item.split_once('=') {
            if name.is_empty() {
                diags.push(
                    Diagnostic::error("scw::cli::backend_config", "Invalid -backend-config value")
                        .with_detail(format!(
                            "\"{item}\" has no setting name before `=`: give KEY=VALUE or the path of a file."
                        )),
                );
                continue;
            }
            // Terraform converts a command-line value to the setting's type; the backends'
            // settings are strings and bools.
            let value = match value {
                "true" => serde_json::Value::Bool(true),
                "false" => serde_json::Value::Bool(false),
                other => serde_json::Value::String(other.to_owned()),
            };
            spec.set(name, value);
            continue;
        }
        // A file, relative to the working directory (after -chdir), as in Terraform.
        let full = PathBuf::from(item);
        let text = match std::fs::read_to_string(&full) {
            Ok(t) => t,
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        "scw::cli::backend_config",
                        format!("Cannot read the backend configuration file {item}"),
                    )
                    .with_detail(e.to_string()),
                );
                continue;
            }
        };
        match crate::model::settings::backend_settings_file(item, &full, text, sources) {
            Ok(values) => {
                for (name, (value, span)) in values {
                    spec.set(name.clone(), value);
                    if let Some(s) = spec.settings.get_mut(&name) {
                        s.span = Some(span);
                    }
                }
            }
            Err(d) => diags.extend(d),
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(spec)
    }
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
        let record = BackendRecord::new(&spec, &spec);
        assert_eq!(record.spec(), spec);
        for text in [format!("{record:?}"), record.describe()] {
            assert!(!text.contains("s3cret"), "{text}");
        }
        let local = BackendSpec::local("x.tfstate");
        assert_eq!(
            BackendRecord::new(&local, &local).describe(),
            "\"local\" (x.tfstate)"
        );
    }

    fn local_block(settings: &[(&str, &str)]) -> BackendSpec {
        let mut spec = BackendSpec {
            kind: "local".into(),
            settings: BTreeMap::new(),
            span: None,
        };
        for (k, v) in settings {
            spec.set(*k, serde_json::json!(v));
        }
        spec
    }

    #[test]
    fn commands_use_the_recorded_backend_while_the_block_is_the_recorded_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        // No record: the block as it is (and the implicit state without one).
        let block = local_block(&[]);
        assert_eq!(resolve(dir.path(), Some(&block)).expect("ok"), block);
        assert_eq!(
            resolve(dir.path(), None).expect("ok"),
            BackendSpec::local(IMPLICIT_STATE_FILE)
        );
        // Recorded with a -backend-config path: a block that is still the recorded one gets
        // the recorded path.
        let opened = local_block(&[("path", "custom.tfstate")]);
        write(dir.path(), &BackendRecord::new(&opened, &block)).expect("write");
        assert_eq!(resolve(dir.path(), Some(&block)).expect("ok"), opened);
        // A block that writes the recorded settings out is the same backend.
        assert_eq!(resolve(dir.path(), Some(&opened)).expect("ok"), opened);
        // Anything else needs init.
        for (other, reason) in [
            (
                Some(local_block(&[("path", "other.tfstate")])),
                "Backend configuration block has changed",
            ),
            (
                Some(BackendSpec {
                    kind: "pg".into(),
                    settings: BTreeMap::new(),
                    span: None,
                }),
                "Backend type changed from \"local\" to \"pg\"",
            ),
            (
                None,
                "Unsetting the previously set backend \"local\" (custom.tfstate)",
            ),
        ] {
            let e = resolve(dir.path(), other.as_ref()).expect_err("refused");
            assert_eq!(e.code, "scw::cli::backend_init_required");
            assert!(
                e.detail.as_deref().is_some_and(|d| d.contains(reason)),
                "{e:?}"
            );
        }
        // A damaged record is an error naming it, and stays as it was.
        std::fs::write(dir.path().join(RECORD_FILE), "{ not json").expect("damage");
        let e = resolve(dir.path(), Some(&block)).expect_err("refused");
        assert_eq!(e.code, "scw::cli::backend_record");
        assert_eq!(
            std::fs::read_to_string(dir.path().join(RECORD_FILE)).expect("kept"),
            "{ not json"
        );
    }

    #[test]
    fn backend_config_values_merge_over_the_block_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("pg.tfbackend");
        std::fs::write(
            &file,
            "path = \"from-file.tfstate\"\nworkspace_dir = \"ws\"\n",
        )
        .expect("write");
        let block = local_block(&[("path", "block.tfstate")]);
        let mut sources = SourceMap::new();
        let spec = for_init(
            Some(&block),
            &[
                file.to_string_lossy().into_owned(),
                "path=cli.tfstate".to_owned(),
            ],
            None,
            &mut sources,
        )
        .expect("merged");
        assert_eq!(
            settings_of(&spec),
            [
                ("path".to_owned(), serde_json::json!("cli.tfstate")),
                ("workspace_dir".to_owned(), serde_json::json!("ws")),
            ]
            .into_iter()
            .collect()
        );
        // Without a block, and with a bad file, refused.
        assert!(for_init(None, &["path=x".into()], None, &mut sources).is_err());
        std::fs::write(&file, "path = var.x\n").expect("write");
        let e = for_init(
            Some(&block),
            &[file.to_string_lossy().into_owned()],
            None,
            &mut sources,
        )
        .expect_err("not a constant");
        assert!(
            e.iter().any(|d| d.code == "scw::model::backend_value"),
            "{e:?}"
        );
    }
}
