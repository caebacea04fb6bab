//! `scwform init`: sets up the configuration's backend as Terraform's `init` does for a
//! backend, and copies the states across when the backend changed (`-migrate-state`).
//!
//! - The backend block is checked and the backend opened: for `pg` that connects and creates
//!   the schema and tables unless `skip_*_creation` says not to.
//! - `-backend-config KEY=VALUE` / `-backend-config FILE` complete the block (Terraform's
//!   partial backend configuration); the backend opened, and the block, are recorded by
//!   [`backend_record`] (which also decides the backend of every other command).
//! - When the configured backend differs from the previous one: `-migrate-state` copies every
//!   workspace's state (both sides locked, nothing written if a destination already holds a
//!   different state, unless `-force-copy`); `-reconfigure` ignores the previous backend;
//!   neither is an error. A configuration without a recorded previous backend whose implicit
//!   local state (`scwform.tfstate`, `terraform.tfstate.d/`) holds something counts as
//!   changed from that.
//!
//! Depends on `session` (configuration, backends), `backend_record` and
//! `state::backend::migrate`.

use std::fmt::Write as _;

use crate::cli::ExitStatus;
use crate::cli::args::{InitArgs, StateArgs};
use crate::cli::backend_record::{self, BackendRecord};
use crate::cli::printer::Printer;
use crate::cli::session::{self, Failure, Paths};
use crate::diag::{Diagnostic, SourceMap};
use crate::state::backend::migrate::{self, Copied};
use crate::state::backend::{BackendSpec, IMPLICIT_STATE_FILE};
use crate::state::{Backend, LockInfo};

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
        if state.is_some_and(|s| !s.is_empty()) {
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
    let mut sources: SourceMap = configured.sources;
    let fail = |diagnostics, sources| Failure {
        diagnostics,
        sources,
    };
    let recorded = match backend_record::read(&paths.dir) {
        Ok(r) => r.map(|(record, _)| record),
        Err(d) => return Err(fail(d.into(), sources)),
    };
    let block = backend_record::block_or_implicit(configured.backend.as_ref());
    let spec = match backend_record::for_init(
        configured.backend.as_ref(),
        &args.backend_config,
        recorded.as_ref(),
        &mut sources,
    ) {
        Ok(spec) => spec,
        Err(d) => return Err(fail(d, sources)),
    };
    set_up(
        args,
        &paths,
        &spec,
        &block,
        recorded,
        configured.encryption.as_ref(),
        timeout,
    )
    .map_err(|d| fail(d, sources))
}

/// The command's work once the configuration is read: `spec` is the backend to open,
/// `block` the configuration's block (or the implicit local state), `recorded` the previous
/// backend's record; errors as diagnostics.
fn set_up(
    args: &InitArgs,
    paths: &Paths,
    spec: &BackendSpec,
    block: &BackendSpec,
    recorded: Option<BackendRecord>,
    encryption: Option<&crate::model::settings::SettingsBlock>,
    timeout: std::time::Duration,
) -> Result<String, crate::diag::Diagnostics> {
    let current = BackendRecord::new(spec, block);
    let mut out = String::from("Initializing the backend...\n");
    // Opening checks the settings and, for pg, connects and creates the schema and tables.
    let to = session::open_backend(paths, Some(spec), encryption)?;
    let implicit_spec = BackendSpec::local(IMPLICIT_STATE_FILE);
    let implicit = BackendRecord::new(&implicit_spec, &implicit_spec);
    let previous = match recorded {
        Some(recorded) => Some(recorded),
        None if !current.same_backend(&implicit) => {
            let old = session::open_backend(paths, Some(&implicit_spec), encryption)?;
            holds_state(&old)?.then(|| implicit.clone())
        }
        None => None,
    };
    if previous.is_none() && (args.migrate_state || args.force_copy) {
        let _ = writeln!(
            out,
            "No previous backend is recorded here (`scwform init` has not recorded one, and Terraform has no record in .terraform/), so there is nothing to migrate."
        );
    }
    if let Some(previous) = previous.filter(|p| !p.same_backend(&current)) {
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
    backend_record::write(&paths.dir, &current)?;
    let _ = write!(
        out,
        "\nSuccessfully configured the backend {}! scwform will use this backend unless the\nbackend configuration changes.\n\nscwform has been successfully initialized!\n",
        current.describe()
    );
    Ok(out)
}
