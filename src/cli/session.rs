//! What the commands that reach the API or the state share: where the configuration and the
//! state are, the settings and API context (real API or `--sandbox`), the state lock, and the
//! configuration loader.
//!
//! `--sandbox` starts the emulator in-process on an ephemeral loopback port, its store kept in
//! `.scwform/sandbox.json` beside the configuration, and uses `.scwform/sandbox.tfstate` as the
//! default state, so sandbox objects never mix with real ones. An API URL on a loopback address
//! (a `scwform emulator` named by `SCW_API_URL`) gets the same fast waits as the sandbox.
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
use crate::api::types::{OrganizationId, ProjectId};
use crate::apply::SharedInput;
use crate::cli::args::{StateArgs, VarArgs};
use crate::config::{ProviderBlock, SettingsError};
use crate::diag::{Diagnostic, Diagnostics};
use crate::emulator::{Emulator, EmulatorConfig, EmulatorHandle, Settle};
use crate::model::config::Config;
use crate::model::evaluate::{EvalOptions, ResourceValues};
use crate::model::load::{LoadOptions, load_path};
use crate::state::local::DEFAULT_STATE_FILE;
use crate::state::{LocalBackend, LockGuard, LockInfo, StateBackend, StateError};

/// The sandbox directory beside the configuration.
pub const SANDBOX_DIR: &str = ".scwform";

/// Where things are.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The configuration path as given (a `.tf` file or a directory).
    pub config: PathBuf,
    /// The configuration directory.
    pub dir: PathBuf,
    /// The state file.
    pub state: PathBuf,
    /// `--sandbox`.
    pub sandbox: bool,
}

impl Workspace {
    /// Resolves the paths from a configuration path and the state options.
    #[must_use]
    pub fn new(config: Option<&PathBuf>, state: &StateArgs) -> Self {
        let config = config.cloned().unwrap_or_else(|| PathBuf::from("."));
        // A path that does not exist yet is taken as a directory unless it names a `.tf` file.
        let is_file = config.is_file() || config.extension().is_some_and(|e| e == "tf");
        let dir = if is_file {
            config
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        } else {
            config.clone()
        };
        let state_path = state.state.clone().unwrap_or_else(|| {
            if state.sandbox {
                dir.join(SANDBOX_DIR).join("sandbox.tfstate")
            } else {
                dir.join(DEFAULT_STATE_FILE)
            }
        });
        Self {
            config,
            dir,
            state: state_path,
            sandbox: state.sandbox,
        }
    }

    /// The sandbox emulator's store file.
    #[must_use]
    pub fn sandbox_store(&self) -> PathBuf {
        self.dir.join(SANDBOX_DIR).join("sandbox.json")
    }
}

/// Parses `--lock-timeout`: `0`, `500ms`, `30s`, `2m`, `1h`.
///
/// # Errors
/// A message naming the expected forms.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().map_err(|_| {
        format!("invalid duration {text:?}: expected a number and a unit, such as 30s or 2m")
    })?;
    let d = match unit {
        "" | "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        "h" => Duration::from_secs(n.saturating_mul(3600)),
        _ => {
            return Err(format!(
                "invalid duration {text:?}: the unit must be ms, s, m or h"
            ));
        }
    };
    Ok(d)
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

/// The configuration as something the planner and the executor can evaluate again and again
/// (each evaluation reads the files again, so they must not change during a run).
#[must_use]
pub fn config_input(path: &Path, options: &LoadOptions) -> SharedInput {
    let path = path.to_path_buf();
    let options = options.clone();
    Arc::new(move |values: &dyn ResourceValues| {
        let loaded = load_path(&path, &options, values);
        (loaded.config, loaded.diagnostics)
    })
}

/// The provider block's values, as the settings resolver takes them.
#[must_use]
pub fn provider_block(config: &Config) -> ProviderBlock {
    let get = |name: &str| {
        config
            .provider
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
pub async fn connect(workspace: &Workspace, config: &Config) -> Result<Connection, Diagnostics> {
    let provider = provider_block(config);
    if workspace.sandbox {
        return start_sandbox(workspace, &provider).await;
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
    let loopback = is_loopback(&settings.api_url);
    let client = client(&settings.api_url, settings.secret_key.clone())?;
    let mut cx = ApiContext::new(
        client,
        Defaults {
            organization_id: settings.organization_id.map(|o| OrganizationId(o.0)),
            project_id: settings.project_id.map(|p| ProjectId(p.0)),
            region: settings.region.as_str().to_owned(),
        },
    );
    if loopback {
        cx.waits = WaitSettings::fast();
    }
    Ok(Connection {
        cx: Arc::new(cx),
        sandbox: None,
        warnings,
    })
}

async fn start_sandbox(
    workspace: &Workspace,
    provider: &ProviderBlock,
) -> Result<Connection, Diagnostics> {
    let store = workspace.sandbox_store();
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

fn client(url: &str, secret: SecretString) -> Result<Client, Diagnostics> {
    Client::new(ClientConfig::new(url, Some(secret))).map_err(|e| {
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

/// Takes the state lock for `operation`, waiting up to `timeout`.
///
/// # Errors
/// The lock is held by another run (the message names the holder), or an I/O error.
pub fn lock(
    backend: &LocalBackend,
    operation: &str,
    timeout: Duration,
) -> Result<LockGuard, Diagnostic> {
    if let Some(parent) = backend.path().parent()
        && !parent.as_os_str().is_empty()
    {
        let _ = std::fs::create_dir_all(parent);
    }
    backend
        .lock(LockInfo::for_current_process(operation), Some(timeout))
        .map_err(|e| state_diagnostic(&e, "Error acquiring the state lock"))
}

/// A state error as a diagnostic.
#[must_use]
pub fn state_diagnostic(e: &StateError, summary: &str) -> Diagnostic {
    let mut d = Diagnostic::error("scw::cli::state", summary.to_owned()).with_detail(e.to_string());
    if let Some(help) = miette::Diagnostic::help(e) {
        d = d.with_help(help.to_string());
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
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("3d").is_err());
    }

    #[test]
    fn sandbox_state_lives_beside_the_configuration() {
        let args = StateArgs {
            sandbox: true,
            ..StateArgs::default()
        };
        let ws = Workspace::new(Some(&PathBuf::from("examples/x")), &args);
        assert_eq!(
            ws.state,
            PathBuf::from("examples/x/.scwform/sandbox.tfstate")
        );
        assert_eq!(
            ws.sandbox_store(),
            PathBuf::from("examples/x/.scwform/sandbox.json")
        );
        let ws = Workspace::new(Some(&PathBuf::from("main.tf")), &StateArgs::default());
        assert_eq!(ws.state, PathBuf::from("./scwform.tfstate"));
    }
}
