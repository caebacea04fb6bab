//! What the commands that reach the API or the state share: where the configuration is, its
//! backend and the selected workspace, the settings and API context (real API or
//! `--sandbox`), the state lock, and the configuration loader.
//!
//! The backend comes from one place ([`open_backend`]): `--sandbox` keeps its state in
//! `.scwform/sandbox.tfstate` (so sandbox objects never mix with real ones, whatever backend
//! the configuration names), `--state FILE` names a local file, and otherwise the
//! configuration's backend is used (a local `scwform.tfstate` when it names none).
//!
//! `--sandbox` starts the emulator in-process on an ephemeral loopback port, its store kept in
//! `.scwform/sandbox.json` beside the configuration. An API URL on a loopback address (a
//! `scwform emulator` named by `SCW_API_URL`) gets the same fast waits and retries as the
//! sandbox.
//!
//! Invariants: the secret key only travels inside `Settings`/`Client` (never printed); nothing
//! here prints (errors are returned as diagnostics for the command to show).
//!
//! Depends on `config`, `api`, `emulator`, `state`, `model::load` and `apply`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use crate::api::client::{Client, ClientConfig};
use crate::api::resources::{ApiContext, Defaults, WaitSettings};
use crate::api::retry::RetryPolicy;
use crate::api::throttle::ThrottleConfig;
use crate::api::types::{OrganizationId, ProjectId};
use crate::apply::SharedInput;
use crate::cli::args::{StateArgs, VarArgs};
use crate::config::{ProviderBlock, SettingsError};
use crate::diag::{Diagnostic, Diagnostics, SourceMap};
use crate::emulator::{Emulator, EmulatorConfig, EmulatorHandle, Settle};
use crate::model::config::Config;
use crate::model::evaluate::{EvalOptions, ResourceValues};
use crate::model::load::{LoadOptions, Parsed, evaluate_parsed, load_path};
use crate::model::settings::SettingsBlock;
use crate::model::value::Value;
use crate::state::backend::{
    self, Backend, BackendSpec, IMPLICIT_STATE_FILE, OpenError, OpenOptions,
};
use crate::state::lock::POLL_INTERVAL;
use crate::state::{DEFAULT_WORKSPACE, LockGuard, LockInfo, StateError};

/// The sandbox directory beside the configuration.
pub const SANDBOX_DIR: &str = ".scwform";

/// Where things are.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The configuration path as given (a `.tf` file or a directory).
    pub config: PathBuf,
    /// The configuration directory.
    pub dir: PathBuf,
    /// `--state FILE`: this local file instead of the backend's.
    pub state: Option<PathBuf>,
    /// `--sandbox`.
    pub sandbox: bool,
}

impl Paths {
    /// Resolves the paths from a configuration path and the state options.
    #[must_use]
    pub fn new(config: Option<&PathBuf>, state: &StateArgs) -> Self {
        let config = config.cloned().unwrap_or_else(|| PathBuf::from("."));
        // A path that does not exist yet is taken as a directory unless it names a `.tf` file.
        let dir = config_dir(&config);
        Self {
            config,
            dir,
            state: state.state.clone(),
            sandbox: state.sandbox,
        }
    }

    /// Fails when the configuration directory does not exist (a mistyped `--dir` must not
    /// look like an empty state).
    ///
    /// # Errors
    /// A diagnostic naming the directory.
    pub fn check_dir(&self) -> Result<(), Diagnostic> {
        if self.dir.is_dir() {
            return Ok(());
        }
        Err(Diagnostic::error(
            "scw::cli::no_directory",
            format!("No such directory: {}", self.dir.display()),
        )
        .with_detail(
            "The configuration directory (the path argument, or --dir) does not exist, so there is no state to read there.",
        ))
    }

    /// The sandbox emulator's store file.
    #[must_use]
    pub fn sandbox_store(&self) -> PathBuf {
        self.dir.join(SANDBOX_DIR).join("sandbox.json")
    }
}

/// Parses `--lock-timeout` as Terraform does, a Go duration (`0`, `500ms`, `30s`, `2m`, `1h30m`).
///
/// # Errors
/// A message naming the expected forms.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    crate::timefmt::parse_go_duration(text)
        .and_then(|d| Duration::try_from(d).ok())
        .ok_or_else(|| {
            format!(
                "invalid duration {text:?}: expected a number and a unit (ns, us, ms, s, m or h), \
                 such as 30s, 2m or 1h30m"
            )
        })
}

/// Load options for commands that plan or apply (`validate` mode off: every variable needs a
/// value).
#[must_use]
pub fn load_options(vars: &VarArgs, path: &Path) -> LoadOptions {
    let mut options = super::commands::offline_load_options(vars, path);
    options.eval = EvalOptions {
        validate_only: false,
        ..options.eval
    };
    options
}

/// The configuration as something the planner and the executor can evaluate again and again:
/// every evaluation uses the syntax trees `parsed` holds, read once, so an edit of a file
/// during the run is not seen.
#[must_use]
pub fn config_input(parsed: Arc<Parsed>, options: &LoadOptions) -> SharedInput {
    let options = options.clone();
    Arc::new(move |values: &dyn ResourceValues| {
        let loaded = evaluate_parsed(&parsed, &options, values);
        (loaded.config, loaded.diagnostics)
    })
}

/// The provider block's values, as the settings resolver takes them.
#[must_use]
pub fn provider_block(config: &Config) -> ProviderBlock {
    provider_block_of(&config.provider)
}

/// One provider block's values (the default block's, or an aliased one's), as the settings
/// resolver takes them.
fn provider_block_of(values: &std::collections::BTreeMap<&'static str, Value>) -> ProviderBlock {
    let get = |name: &str| {
        values
            .get(name)
            .and_then(|v| v.unmark().0.as_str().map(str::to_owned))
    };
    ProviderBlock {
        access_key: get("access_key"),
        secret_key: get("secret_key"),
        organization_id: get("organization_id"),
        project_id: get("project_id"),
        region: get("region"),
        zone: get("zone"),
        api_url: get("api_url"),
        profile: get("profile"),
    }
}

/// A connection to the API: the context the mappings use, and the sandbox emulator when one
/// was started (it stops when this is dropped).
#[derive(Debug)]
pub struct Connection {
    /// The API context.
    pub cx: Arc<ApiContext>,
    /// The in-process emulator of `--sandbox`.
    pub sandbox: Option<EmulatorHandle>,
    /// Settings warnings (config file permissions, unknown regions).
    pub warnings: Diagnostics,
}

/// Connects to the API: the sandbox emulator (started here, on the current runtime) or the
/// endpoint the settings name.
///
/// # Errors
/// Settings problems (a missing secret key names the ways to give one and suggests
/// `--sandbox`), or an emulator that cannot start.
pub async fn connect(
    paths: &Paths,
    config: &Config,
    parallelism: usize,
) -> Result<Connection, Diagnostics> {
    let mut connection = connect_default(paths, config, parallelism).await?;
    let cx = Arc::get_mut(&mut connection.cx).expect("invariant: the context is not shared yet");
    for (alias, values) in &config.provider_aliases {
        let block = provider_block_of(values);
        let defaults = if paths.sandbox {
            // The sandbox's organization, with the block's region and project.
            let project = block
                .project_id
                .as_deref()
                .and_then(|p| uuid::Uuid::parse_str(p).ok())
                .map(ProjectId)
                .or(cx.defaults.project_id);
            Defaults {
                organization_id: cx.defaults.organization_id,
                project_id: project,
                region: block
                    .region
                    .clone()
                    .filter(|r| !r.is_empty())
                    .unwrap_or_else(|| crate::config::DEFAULT_REGION.to_owned()),
            }
        } else {
            let resolved = crate::config::from_process(&block).map_err(|errors| {
                let mut diags = Diagnostics::new();
                for e in &errors.errors {
                    let mut d = settings_diagnostic(e);
                    d.summary = format!("{} (provider configuration scaleway.{alias})", d.summary);
                    diags.push(d);
                }
                diags
            })?;
            connection.warnings.extend(resolved.warnings);
            let settings = resolved.settings;
            Defaults {
                organization_id: settings.organization_id.map(|o| OrganizationId(o.0)),
                project_id: settings.project_id.map(|p| ProjectId(p.0)),
                region: settings.region.as_str().to_owned(),
            }
        };
        cx.providers.insert(alias.clone(), defaults);
    }
    Ok(connection)
}

/// [`connect`] with the default provider configuration only.
async fn connect_default(
    paths: &Paths,
    config: &Config,
    parallelism: usize,
) -> Result<Connection, Diagnostics> {
    let provider = provider_block(config);
    if paths.sandbox {
        return start_sandbox(paths, &provider, parallelism).await;
    }
    let resolved = crate::config::from_process(&provider).map_err(|errors| {
        let mut diags = Diagnostics::new();
        for e in &errors.errors {
            diags.push(settings_diagnostic(e));
        }
        diags
    })?;
    let settings = resolved.settings;
    let mut warnings = Diagnostics::new();
    warnings.extend(resolved.warnings);
    let client = client(&settings.api_url, settings.secret_key.clone(), parallelism)?;
    let mut cx = ApiContext::new(
        client,
        Defaults {
            organization_id: settings.organization_id.map(|o| OrganizationId(o.0)),
            project_id: settings.project_id.map(|p| ProjectId(p.0)),
            region: settings.region.as_str().to_owned(),
        },
    );
    if is_loopback(&settings.api_url) {
        cx.waits = WaitSettings::fast();
    }
    Ok(Connection {
        cx: Arc::new(cx),
        sandbox: None,
        warnings,
    })
}

async fn start_sandbox(
    paths: &Paths,
    provider: &ProviderBlock,
    parallelism: usize,
) -> Result<Connection, Diagnostics> {
    let store = paths.sandbox_store();
    if let Some(parent) = store.parent()
        && let Err(e) = std::fs::create_dir_all(parent)
    {
        return Err(Diagnostic::error(
            "scw::cli::sandbox",
            format!(
                "cannot create the sandbox directory {}: {e}",
                parent.display()
            ),
        )
        .into());
    }
    let config = EmulatorConfig {
        data: Some(store.clone()),
        // Transient statuses last one read: the executor's fast polls see them settle at once.
        settle: Settle::Reads { reads: 1 },
        ..EmulatorConfig::default()
    };
    let handle = Emulator::start(config).await.map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "scw::cli::sandbox",
            format!(
                "cannot start the sandbox emulator (store {}): {e}",
                store.display()
            ),
        ))
    })?;
    let region = provider
        .region
        .clone()
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| crate::config::DEFAULT_REGION.to_owned());
    let client = client(
        &handle.base_url(),
        SecretString::from(handle.secret_key().to_owned()),
        parallelism,
    )?;
    let mut cx = ApiContext::new(
        client,
        Defaults {
            organization_id: Some(handle.organization_id()),
            project_id: Some(handle.default_project_id()),
            region,
        },
    );
    cx.waits = WaitSettings::fast();
    Ok(Connection {
        cx: Arc::new(cx),
        sandbox: Some(handle),
        warnings: Diagnostics::new(),
    })
}

/// The API client, with at most `parallelism` requests in flight (refresh and apply share its
/// pace); on a loopback URL (the emulator) it retries after milliseconds, not seconds.
fn client(url: &str, secret: SecretString, parallelism: usize) -> Result<Client, Diagnostics> {
    let mut config = ClientConfig::new(url, Some(secret));
    config.throttle = ThrottleConfig::with_parallelism(parallelism);
    if is_loopback(url) {
        config.retry = RetryPolicy::fast();
    }
    Client::new(config).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "scw::cli::api_client",
            format!("cannot set up the API client: {e}"),
        ))
    })
}

fn is_loopback(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| crate::api::client::is_loopback(&u))
}

/// A settings problem as a diagnostic (its help says how to fix it).
#[must_use]
pub fn settings_diagnostic(e: &SettingsError) -> Diagnostic {
    let code = match e {
        SettingsError::MissingSecretKey { .. } => "scw::config::missing_secret_key",
        SettingsError::Invalid { .. } => "scw::config::invalid_value",
        SettingsError::UnknownProfile { .. } => "scw::config::unknown_profile",
        SettingsError::File { .. } => "scw::config::file",
    };
    let mut d = Diagnostic::error(code, e.to_string());
    if let Some(help) = miette::Diagnostic::help(e) {
        d = d.with_help(help.to_string());
    }
    d
}

/// A command's failure: its diagnostics and the sources they point into.
#[derive(Debug, Default)]
pub struct Failure {
    /// What went wrong.
    pub diagnostics: Diagnostics,
    /// The files the diagnostics point into.
    pub sources: SourceMap,
}

impl From<Diagnostics> for Failure {
    fn from(diagnostics: Diagnostics) -> Self {
        Self {
            diagnostics,
            sources: SourceMap::new(),
        }
    }
}

impl From<Diagnostic> for Failure {
    fn from(d: Diagnostic) -> Self {
        Diagnostics::from(d).into()
    }
}

/// What the state commands need of the configuration: its backend and encryption settings,
/// and the sources to show their diagnostics with.
#[derive(Debug, Default)]
pub struct Configured {
    /// The `backend` block, as the state layer takes it.
    pub backend: Option<BackendSpec>,
    /// The `encryption` block.
    pub encryption: Option<crate::model::settings::SettingsBlock>,
    /// The files read.
    pub sources: SourceMap,
}

/// A state layer backend specification from the configuration's `backend` block.
#[must_use]
pub fn backend_spec(block: &crate::model::settings::BackendBlock) -> BackendSpec {
    BackendSpec {
        kind: block.kind.clone(),
        settings: block
            .settings
            .iter()
            .map(|(name, (value, span))| {
                (
                    name.clone(),
                    backend::Setting {
                        value: value.clone(),
                        span: Some(*span),
                    },
                )
            })
            .collect(),
        span: Some(block.span),
    }
}

/// Reads the configuration's `terraform` settings for a command that works on the state
/// only (`state`, `output`, `workspace`...): a directory without `.tf` files has none. Only
/// syntax errors and problems in those settings stop the command; the rest of the
/// configuration is `plan`'s business.
///
/// # Errors
/// The diagnostics, with the sources to render them.
pub fn configured(paths: &Paths) -> Result<Configured, Failure> {
    let has_files = if paths.config.is_dir() {
        std::fs::read_dir(&paths.config).is_ok_and(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| crate::model::load::is_config_file(&e.path()))
        })
    } else {
        paths.config.is_file()
    };
    if !has_files {
        return Ok(Configured::default());
    }
    let options = super::commands::offline_load_options(&VarArgs::default(), &paths.config);
    let loaded = load_path(
        &paths.config,
        &options,
        &crate::model::evaluate::DiagnosticsOnly,
    );
    let mut errors: Diagnostics = loaded
        .diagnostics
        .iter()
        .filter(|d| {
            d.is_error() && (d.code.starts_with("scw::parse::") || d.code == "scw::model::io")
        })
        .cloned()
        .collect::<Vec<_>>()
        .into();
    errors.extend(
        loaded
            .settings_diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned(),
    );
    if errors.has_errors() {
        return Err(Failure {
            diagnostics: errors,
            sources: loaded.sources,
        });
    }
    Ok(Configured {
        backend: loaded.settings.backend.as_ref().map(backend_spec),
        encryption: loaded.settings.encryption.clone(),
        sources: loaded.sources,
    })
}

/// The backend the command uses (see the module docs for which one), and the workspace it
/// works in.
#[derive(Debug, Clone)]
pub struct StateSite {
    /// The backend.
    pub backend: Backend,
    /// The selected workspace.
    pub workspace: String,
}

/// Opens the command's backend: the sandbox's, a `--state FILE`, or the configuration's
/// (`spec`, `None` when it names no backend), encrypting its states as the configuration's
/// `encryption` block (merged with `TF_ENCRYPTION`) says.
///
/// # Errors
/// Configuration problems (an unknown backend type, bad settings, a bad encryption block)
/// pointing at the block, or a backend that cannot be reached.
pub fn open_backend(
    paths: &Paths,
    spec: Option<&BackendSpec>,
    encryption: Option<&SettingsBlock>,
) -> Result<Backend, Diagnostics> {
    let encryption = encryption
        .map(super::encryption::encryption)
        .transpose()?
        .map(Arc::new);
    let spec = if paths.sandbox {
        let mut spec = BackendSpec::local(
            Path::new(SANDBOX_DIR)
                .join("sandbox.tfstate")
                .to_string_lossy()
                .into_owned(),
        );
        // The sandbox's other workspaces stay in the sandbox directory too.
        spec.set(
            "workspace_dir",
            serde_json::Value::String(
                Path::new(SANDBOX_DIR)
                    .join("terraform.tfstate.d")
                    .to_string_lossy()
                    .into_owned(),
            ),
        );
        spec
    } else if let Some(path) = &paths.state {
        if let Some(configured) = spec.filter(|s| s.kind != "local") {
            let mut d = Diagnostic::error(
                "scw::cli::state_option",
                "--state names a local file, but the configuration has another backend",
            )
            .with_detail(format!(
                "The configuration keeps its state in the \"{}\" backend; --state FILE only replaces a local state file.",
                configured.kind
            ));
            if let Some(span) = configured.span {
                d = d.with_primary(span, "the configured backend");
            }
            return Err(d.into());
        }
        BackendSpec::local(path.to_string_lossy().into_owned())
    } else {
        spec.cloned()
            .unwrap_or_else(|| BackendSpec::local(IMPLICIT_STATE_FILE))
    };
    let backend =
        backend::open(&spec, &OpenOptions::from_process(&paths.dir)).map_err(|e| match e {
            OpenError::Config(d) => d,
            OpenError::State(e) => state_diagnostic(&e, "Error opening the state backend").into(),
        })?;
    Ok(match encryption {
        Some(e) => backend.with_encryption(e),
        None => backend,
    })
}

/// The environment variable holding an encryption configuration, merged over the
/// configuration's `encryption` block (OpenTofu's).
pub const ENCRYPTION_ENV: &str = "TF_ENCRYPTION";

/// The environment variable that selects a workspace, overriding the selection file.
pub const WORKSPACE_ENV: &str = "TF_WORKSPACE";

/// The file recording the selected workspace, in the configuration directory (Terraform's).
pub const ENVIRONMENT_FILE: &str = ".terraform/environment";

/// The configuration directory of a configuration path (a `.tf` file or a directory).
#[must_use]
pub fn config_dir(config: &Path) -> PathBuf {
    let is_file = config.is_file() || config.extension().is_some_and(|e| e == "tf");
    if is_file {
        config
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    } else {
        config.to_path_buf()
    }
}

/// Where the selected workspace comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// `TF_WORKSPACE`.
    Environment,
    /// `.terraform/environment`.
    File,
    /// Nothing selected: `default`.
    Default,
}

/// The selected workspace of the configuration in `dir`, as Terraform selects it:
/// `TF_WORKSPACE`, else the name in `.terraform/environment`, else `default`.
#[must_use]
pub fn selected_workspace(dir: &Path) -> (String, Selection) {
    if let Ok(name) = std::env::var(WORKSPACE_ENV)
        && !name.is_empty()
    {
        return (name, Selection::Environment);
    }
    match std::fs::read_to_string(dir.join(ENVIRONMENT_FILE)) {
        Ok(text) if !text.trim().is_empty() => (text.trim().to_owned(), Selection::File),
        _ => (DEFAULT_WORKSPACE.to_owned(), Selection::Default),
    }
}

/// Opens the command's backend and selects its workspace, which must exist.
///
/// # Errors
/// As [`open_backend`]; an invalid or missing selected workspace.
pub fn state_site(
    paths: &Paths,
    spec: Option<&BackendSpec>,
    encryption: Option<&SettingsBlock>,
) -> Result<StateSite, Diagnostics> {
    let site = state_site_unchecked(paths, spec, encryption)?;
    let exists = site
        .backend
        .has_workspace(&site.workspace)
        .map_err(|e| state_diagnostic(&e, "Error listing the workspaces"))?;
    if !exists {
        let (_, from) = selected_workspace(&paths.dir);
        let how = match from {
            Selection::Environment => format!("by {WORKSPACE_ENV}"),
            Selection::File => format!("in {ENVIRONMENT_FILE}"),
            Selection::Default => "by default".to_owned(),
        };
        return Err(Diagnostic::error(
            "scw::state::no_workspace",
            format!("Currently selected workspace \"{}\" does not exist", site.workspace),
        )
        .with_detail(format!(
            "The workspace \"{}\" is selected ({how}), but the backend has no such workspace.",
            site.workspace
        ))
        .with_help(format!(
            "create it with `scwform workspace new {}`, or select another one (`scwform workspace list`)",
            site.workspace
        ))
        .into());
    }
    Ok(site)
}

/// Opens the command's backend and selects its workspace, whether or not it exists yet
/// (`workspace new`, `init`).
///
/// # Errors
/// As [`open_backend`]; an invalid selected workspace name.
pub fn state_site_unchecked(
    paths: &Paths,
    spec: Option<&BackendSpec>,
    encryption: Option<&SettingsBlock>,
) -> Result<StateSite, Diagnostics> {
    let (workspace, _) = selected_workspace(&paths.dir);
    backend::check_workspace_name(&workspace)
        .map_err(|e| state_diagnostic(&e, "Invalid selected workspace"))?;
    // The sandbox and `--state FILE` replace the backend; otherwise it is the one recorded by
    // `init`, which must still be the configured one.
    let resolved = if paths.sandbox || paths.state.is_some() {
        spec.cloned()
    } else {
        Some(super::backend_record::resolve(&paths.dir, spec)?)
    };
    let backend = open_backend(paths, resolved.as_ref(), encryption)?;
    Ok(StateSite { backend, workspace })
}

/// Takes the workspace's state lock for `operation`, waiting up to `timeout`.
///
/// # Errors
/// The lock is held by another run (the message names the holder), or the backend's errors.
pub fn lock(site: &StateSite, operation: &str, timeout: Duration) -> Result<LockGuard, Diagnostic> {
    site.backend
        .lock(
            &site.workspace,
            &LockInfo::for_current_process(operation),
            timeout,
            POLL_INTERVAL,
        )
        .map_err(|e| state_diagnostic(&e, "Error acquiring the state lock"))
}

/// A state error as a diagnostic, with the error's own code (`scw::state::locked`...).
#[must_use]
pub fn state_diagnostic(e: &StateError, summary: &str) -> Diagnostic {
    let mut d = Diagnostic::error(e.code(), summary.to_owned()).with_detail(e.to_string());
    if let Some(help) = e.help() {
        d = d.with_help(help);
    }
    d
}

/// A multi-threaded runtime for one command.
///
/// # Errors
/// The runtime cannot be built (out of threads or file descriptors).
pub fn runtime() -> Result<tokio::runtime::Runtime, Diagnostic> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Diagnostic::error(
                "scw::cli::runtime",
                format!("cannot start the async runtime: {e}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_the_usual_units() {
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        // Terraform reads the flag with Go's time.ParseDuration: a unit is required.
        assert!(parse_duration("3").is_err());
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("3d").is_err());
    }

    #[test]
    fn sandbox_state_lives_beside_the_configuration() {
        let args = StateArgs {
            sandbox: true,
            ..StateArgs::default()
        };
        let paths = Paths::new(Some(&PathBuf::from("examples/x")), &args);
        let backend = open_backend(&paths, None, None).expect("local");
        assert_eq!(
            backend.location(DEFAULT_WORKSPACE),
            "examples/x/.scwform/sandbox.tfstate"
        );
        assert_eq!(
            paths.sandbox_store(),
            PathBuf::from("examples/x/.scwform/sandbox.json")
        );
        let paths = Paths::new(Some(&PathBuf::from("main.tf")), &StateArgs::default());
        let backend = open_backend(&paths, None, None).expect("local");
        assert_eq!(backend.location(DEFAULT_WORKSPACE), "./scwform.tfstate");
    }
}
