//! Backends: where the states of a configuration's workspaces are kept, and the one function
//! that builds one from the configuration ([`open`]).
//!
//! A [`BackendSpec`] is the `terraform { backend "TYPE" { … } }` block as plain data (or the
//! command line's override of it); [`open`] checks its settings (each problem a diagnostic
//! pointing at the block), and returns a [`Backend`]: its [`Storage`] and [`Locker`], and the
//! workspace operations built on them. Nothing outside this module names a concrete backend.
//!
//! Backend types: `local` (files, see [`local`]) and `pg` (PostgreSQL, shared with Terraform's,
//! see [`pg`]). Any other type is an error naming it, never a silent fallback to local files.
//!
//! Invariants: workspace names are checked here, once, for every backend; the default
//! workspace always exists and cannot be deleted.
//!
//! Depends on `diag` and the sibling state modules.

pub mod local;
pub mod migrate;
pub mod pg;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::crypto::Encryption;
use super::lock::{self, Holder, LockGuard, LockInfo, Locker};
use super::storage::{DEFAULT_WORKSPACE, JournalLog, Storage};
use super::{StateError, StateStore};
use crate::diag::{Diagnostic, Diagnostics, Span};

/// One setting of a backend block: its value (a string, number or bool) and where it is
/// written. Its `Debug` never shows the value (a `pg` connection string may hold a password).
#[derive(Clone, PartialEq)]
pub struct Setting {
    /// The value.
    pub value: serde_json::Value,
    /// Where it is written, when it comes from a file.
    pub span: Option<Span>,
}

impl std::fmt::Debug for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Setting")
            .field("value", &"[REDACTED]")
            .field("span", &self.span)
            .finish()
    }
}

/// A backend as described by configuration: its type and settings.
#[derive(Debug, Clone, PartialEq)]
pub struct BackendSpec {
    /// The backend type (`local`, `pg`...).
    pub kind: String,
    /// The settings by name.
    pub settings: BTreeMap<String, Setting>,
    /// The `backend "TYPE"` header, when it comes from a file.
    pub span: Option<Span>,
}

impl BackendSpec {
    /// A `local` backend keeping the default workspace's state in `path` (relative paths are
    /// taken from the configuration directory).
    #[must_use]
    pub fn local(path: impl Into<String>) -> Self {
        let mut settings = BTreeMap::new();
        settings.insert(
            "path".to_owned(),
            Setting {
                value: serde_json::Value::String(path.into()),
                span: None,
            },
        );
        Self {
            kind: "local".into(),
            settings,
            span: None,
        }
    }

    /// Sets (or replaces) a setting, e.g. from `init -backend-config KEY=VALUE`.
    pub fn set(&mut self, name: impl Into<String>, value: serde_json::Value) {
        self.settings
            .insert(name.into(), Setting { value, span: None });
    }
}

/// What [`open`] needs besides the specification.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// The configuration directory (relative paths start there).
    pub dir: PathBuf,
    /// Environment variables the backend types read (`PG_CONN_STR`...), as given.
    pub env: BTreeMap<String, String>,
}

impl OpenOptions {
    /// Options with this process's environment.
    #[must_use]
    pub fn from_process(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            env: std::env::vars().collect(),
        }
    }
}

/// Why a backend could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// The configuration is wrong (unknown type, bad settings): diagnostics pointing at it.
    Config(Diagnostics),
    /// The backend could not be reached.
    State(StateError),
}

impl From<StateError> for OpenError {
    fn from(e: StateError) -> Self {
        Self::State(e)
    }
}

/// The backend types scwform knows, for messages.
pub const KNOWN_TYPES: &[&str] = &["local", "pg"];

/// Builds the backend a specification describes: the only function that names concrete
/// backends.
///
/// # Errors
/// [`OpenError::Config`] for an unknown type (named in the message) or bad settings,
/// [`OpenError::State`] when the backend cannot be reached.
pub fn open(spec: &BackendSpec, options: &OpenOptions) -> Result<Backend, OpenError> {
    let mut settings = Settings::new(spec);
    let backend = match spec.kind.as_str() {
        "local" => {
            let config = local::LocalConfig::from_settings(&mut settings, &options.dir);
            settings.finish()?;
            let storage = Arc::new(local::LocalStorage::new(config));
            Backend::from_parts(
                BackendKind::Local,
                Arc::clone(&storage) as Arc<dyn Storage>,
                storage,
            )
        }
        "pg" => {
            let config = pg::PgConfig::from_settings(&mut settings, &options.env);
            settings.finish()?;
            let storage = pg::storage(&config)?;
            Backend::from_parts(
                BackendKind::Pg,
                Arc::clone(&storage) as Arc<dyn Storage>,
                storage,
            )
        }
        other => {
            let mut d = Diagnostic::error(
                "scw::state::backend_type",
                format!("Unsupported backend type \"{other}\""),
            )
            .with_detail(format!(
                "scwform keeps states with the backend types {}; \"{other}\" is not one of them, and scwform never falls back to local files silently.",
                KNOWN_TYPES
                    .iter()
                    .map(|t| format!("\"{t}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            if let Some(span) = spec.span {
                d = d.with_primary(span, "not a backend type scwform knows");
            }
            if let Some(help) =
                crate::diag::suggest::did_you_mean(other, KNOWN_TYPES.iter().copied())
            {
                d = d.with_help(help);
            }
            return Err(OpenError::Config(d.into()));
        }
    };
    Ok(backend)
}

/// Reads a specification's settings once each, collecting every problem.
pub(crate) struct Settings<'a> {
    spec: &'a BackendSpec,
    used: Vec<&'a str>,
    diags: Diagnostics,
}

impl<'a> Settings<'a> {
    fn new(spec: &'a BackendSpec) -> Self {
        Self {
            spec,
            used: Vec::new(),
            diags: Diagnostics::new(),
        }
    }

    fn error(&mut self, name: &str, message: String) {
        let mut d = Diagnostic::error("scw::state::backend_setting", message);
        if let Some(span) = self
            .spec
            .settings
            .get(name)
            .and_then(|s| s.span)
            .or(self.spec.span)
        {
            d = d.with_primary(span, "here");
        }
        self.diags.push(d);
    }

    /// A string setting.
    pub(crate) fn string(&mut self, name: &'a str) -> Option<String> {
        self.used.push(name);
        let setting = self.spec.settings.get(name)?;
        match &setting.value {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Null => None,
            other => {
                self.error(
                    name,
                    format!(
                        "Invalid value for \"{name}\" in the \"{}\" backend: a string is required, not {other}",
                        self.spec.kind
                    ),
                );
                None
            }
        }
    }

    /// A bool setting (`true`/`false`, or the strings Go's `strconv.ParseBool` accepts).
    pub(crate) fn bool(&mut self, name: &'a str) -> Option<bool> {
        self.used.push(name);
        let setting = self.spec.settings.get(name)?;
        match &setting.value {
            serde_json::Value::Bool(b) => Some(*b),
            serde_json::Value::Null => None,
            serde_json::Value::String(s) if parse_bool(s).is_some() => parse_bool(s),
            other => {
                self.error(
                    name,
                    format!(
                        "Invalid value for \"{name}\" in the \"{}\" backend: a bool is required, not {other}",
                        self.spec.kind
                    ),
                );
                None
            }
        }
    }

    /// Records a problem found while interpreting settings.
    pub(crate) fn problem(&mut self, name: &str, message: String) {
        self.error(name, message);
    }

    /// Fails with every problem found, including settings the backend type does not have.
    fn finish(mut self) -> Result<(), OpenError> {
        let unknown: Vec<String> = self
            .spec
            .settings
            .keys()
            .filter(|k| !self.used.contains(&k.as_str()))
            .cloned()
            .collect();
        for name in unknown {
            let expected = self.used.clone();
            self.error(
                &name,
                format!(
                    "Unsupported argument \"{name}\" in the \"{}\" backend",
                    self.spec.kind
                ),
            );
            if let Some(help) = crate::diag::suggest::did_you_mean(&name, expected) {
                let last = self.diags.0.last_mut().expect("an error was just pushed");
                last.help = Some(help);
            }
        }
        if self.diags.is_empty() {
            Ok(())
        } else {
            Err(OpenError::Config(self.diags))
        }
    }
}

/// Go's `strconv.ParseBool`, which Terraform uses for boolean environment variables.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// The kind of an opened backend, for the few behaviours that differ for users (where the
/// journal and lock live is told by [`Backend::location`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// Files on this machine.
    Local,
    /// A PostgreSQL database.
    Pg,
}

/// An opened backend: its storage, its lock, and the workspace operations.
#[derive(Clone)]
pub struct Backend {
    kind: BackendKind,
    storage: Arc<dyn Storage>,
    locker: Arc<dyn Locker>,
    encryption: Option<Arc<Encryption>>,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field("kind", &self.kind)
            .field("default", &self.storage.location(DEFAULT_WORKSPACE))
            .finish_non_exhaustive()
    }
}

impl Backend {
    /// A backend over any storage and lock (tests, and the backend types above).
    #[must_use]
    pub fn from_parts(
        kind: BackendKind,
        storage: Arc<dyn Storage>,
        locker: Arc<dyn Locker>,
    ) -> Self {
        Self {
            kind,
            storage,
            locker,
            encryption: None,
        }
    }

    /// The same backend, its states encrypted at rest with `encryption` (see
    /// [`crypto`](super::crypto)).
    #[must_use]
    pub fn with_encryption(mut self, encryption: Arc<Encryption>) -> Self {
        self.encryption = Some(encryption);
        self
    }

    /// The encryption of the configuration this backend was opened for (its `plan` target
    /// encrypts saved plan files).
    #[must_use]
    pub fn encryption(&self) -> Option<&Arc<Encryption>> {
        self.encryption.as_ref()
    }

    /// `workspace`'s state exactly as stored (encrypted when encryption is on): what another
    /// tool reading the backend sees.
    ///
    /// # Errors
    /// Backend errors.
    pub fn stored_bytes(&self, workspace: &str) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.storage.read(workspace)?.map(|s| s.bytes))
    }

    /// The backend's kind.
    #[must_use]
    pub fn kind(&self) -> BackendKind {
        self.kind
    }

    /// The state store of `workspace`.
    #[must_use]
    pub fn store(&self, workspace: &str) -> StateStore {
        StateStore::new(Arc::clone(&self.storage), workspace)
            .with_encryption(self.encryption.clone())
    }

    /// Where `workspace`'s state is, for messages.
    #[must_use]
    pub fn location(&self, workspace: &str) -> String {
        self.storage.location(workspace)
    }

    /// Takes `workspace`'s lock for `info.operation`, waiting up to `timeout` (polling every
    /// `poll`).
    ///
    /// # Errors
    /// [`StateError::Locked`] or [`StateError::LockTimeout`] naming the holder; backend errors.
    pub fn lock(
        &self,
        workspace: &str,
        info: &LockInfo,
        timeout: Duration,
        poll: Duration,
    ) -> Result<LockGuard, StateError> {
        let mut info = info.clone();
        info.path = self.location(workspace);
        lock::wait_for_lock(
            &*self.locker,
            workspace,
            &info.path.clone(),
            &info,
            timeout,
            poll,
        )
    }

    /// Who holds `workspace`'s lock now.
    ///
    /// # Errors
    /// Backend errors.
    pub fn holder(&self, workspace: &str) -> Result<Option<Holder>, StateError> {
        self.locker.holder(workspace)
    }

    /// `force-unlock`: releases the lock `id` of `workspace`, held by another run.
    ///
    /// # Errors
    /// See [`Locker::force_unlock`].
    pub fn force_unlock(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        self.locker.force_unlock(workspace, id)
    }

    /// The intent journal of `workspace`.
    ///
    /// # Errors
    /// Backend errors.
    pub fn journal(&self, workspace: &str) -> Result<Box<dyn JournalLog>, StateError> {
        self.storage.journal(workspace)
    }

    /// Every workspace: `default` first, the others by name.
    ///
    /// # Errors
    /// Backend errors.
    pub fn workspaces(&self) -> Result<Vec<String>, StateError> {
        self.storage.workspaces()
    }

    /// Whether `workspace` exists (the default one always does).
    ///
    /// # Errors
    /// Backend errors.
    pub fn has_workspace(&self, workspace: &str) -> Result<bool, StateError> {
        Ok(workspace == DEFAULT_WORKSPACE || self.workspaces()?.iter().any(|w| w == workspace))
    }

    /// Deletes `workspace` and its state.
    ///
    /// # Errors
    /// [`StateError::InvalidWorkspace`] for the default workspace,
    /// [`StateError::NoSuchWorkspace`], backend errors.
    pub fn delete_workspace(&self, workspace: &str) -> Result<(), StateError> {
        if workspace == DEFAULT_WORKSPACE {
            return Err(StateError::InvalidWorkspace {
                name: workspace.to_owned(),
                reason: "the default workspace cannot be deleted",
            });
        }
        if !self.has_workspace(workspace)? {
            return Err(StateError::NoSuchWorkspace {
                name: workspace.to_owned(),
            });
        }
        self.storage.delete(workspace)
    }
}

/// Checks a workspace name as Terraform does (it must be usable as one URL path segment), and
/// refuses `.` and `..`, which would name other directories.
///
/// # Errors
/// [`StateError::InvalidWorkspace`] saying why.
pub fn check_workspace_name(name: &str) -> Result<(), StateError> {
    let bad = |reason| {
        Err(StateError::InvalidWorkspace {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name == "." || name == ".." {
        return bad("`.` and `..` name directories");
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@".contains(c);
    if !name.chars().all(allowed) {
        return bad(
            "it may contain only letters, digits and URL-safe punctuation, and no path separators",
        );
    }
    Ok(())
}

/// The default local state file name when no backend is configured (scwform's own name, kept
/// so that existing configurations keep their state).
pub const IMPLICIT_STATE_FILE: &str = "scwform.tfstate";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_setting_value() {
        let mut spec = BackendSpec::local("a.tfstate");
        spec.set(
            "conn_str",
            serde_json::json!("postgres://alice:s3cret@db/tf"),
        );
        let text = format!("{spec:?}");
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("conn_str"), "names are kept: {text}");
    }

    #[test]
    fn unknown_backend_types_are_named() {
        let spec = BackendSpec {
            kind: "s3".into(),
            settings: BTreeMap::new(),
            span: None,
        };
        let options = OpenOptions {
            dir: PathBuf::from("."),
            env: BTreeMap::new(),
        };
        let Err(OpenError::Config(diags)) = open(&spec, &options) else {
            panic!("s3 is not a backend scwform has");
        };
        let d = diags.iter().next().expect("one diagnostic");
        assert_eq!(d.code, "scw::state::backend_type");
        assert_eq!(d.summary, "Unsupported backend type \"s3\"");
    }

    #[test]
    fn unknown_settings_and_wrong_types_are_reported_together() {
        let mut spec = BackendSpec::local("a.tfstate");
        spec.set("pathh", serde_json::json!("x"));
        spec.set("workspace_dir", serde_json::json!(3));
        let options = OpenOptions {
            dir: PathBuf::from("."),
            env: BTreeMap::new(),
        };
        let Err(OpenError::Config(diags)) = open(&spec, &options) else {
            panic!("two problems");
        };
        let summaries: Vec<&str> = diags.iter().map(|d| d.summary.as_str()).collect();
        assert_eq!(summaries.len(), 2, "{summaries:?}");
        assert!(summaries.iter().any(|s| s.contains("\"pathh\"")));
        assert!(summaries.iter().any(|s| s.contains("\"workspace_dir\"")));
    }

    #[test]
    fn workspace_names_are_url_path_segments() {
        for good in ["default", "prod", "eu-west_1", "a.b", "x~y"] {
            check_workspace_name(good).expect(good);
        }
        for bad in ["", ".", "..", "a/b", "a b", "é", "a?b"] {
            assert!(check_workspace_name(bad).is_err(), "{bad:?}");
        }
    }
}
