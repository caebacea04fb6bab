//! One file per subcommand, plus what several of them share.

pub mod apply;
pub mod drift;
pub mod emulator;
pub mod fmt;
pub mod graph;
pub mod import;
pub mod init;
pub mod output;
pub mod plan;
pub(crate) mod run;
pub(crate) mod saved;
pub mod show;
pub mod state;
pub mod validate;
pub mod workspace;

use std::path::PathBuf;

use crate::cli::args::{VarArgKind, VarArgs};
use crate::model::evaluate::EvalOptions;
use crate::model::load::{LoadOptions, VarSource};

/// `--var` / `--var-file` in command-line order.
pub(crate) fn var_sources(args: &VarArgs) -> Vec<VarSource> {
    let mut vars = args.vars.iter();
    let mut files = args.var_files.iter();
    let mut out = Vec::with_capacity(args.vars.len() + args.var_files.len());
    for kind in &args.order {
        let next = match kind {
            VarArgKind::Var => vars.next().cloned().map(VarSource::Var),
            VarArgKind::File => files.next().cloned().map(VarSource::File),
        };
        out.extend(next);
    }
    // Without a recorded order (or with leftovers), files come before single values.
    out.extend(files.cloned().map(VarSource::File));
    out.extend(vars.cloned().map(VarSource::Var));
    out
}

/// Load options for a command that only reads the configuration (no API, no state).
pub(crate) fn offline_load_options(args: &VarArgs, path: &std::path::Path) -> LoadOptions {
    LoadOptions {
        var_sources: var_sources(args),
        env: LoadOptions::env_from_process(),
        eval: EvalOptions {
            validate_only: true,
            module_path: path.to_string_lossy().into_owned(),
            module_dir: None,
            module: crate::addr::ModuleAddr::root(),
            cwd: std::env::current_dir()
                .map_or_else(|_| ".".into(), |d| d.to_string_lossy().into_owned()),
            workspace: super::session::selected_workspace(&super::session::config_dir(path)).0,
            provider: None,
        },
        encryption_env: std::env::var(super::session::ENCRYPTION_ENV)
            .ok()
            .filter(|t| !t.trim().is_empty()),
    }
}

/// The configuration path argument, defaulting to the current directory.
pub(crate) fn config_path(path: Option<&PathBuf>) -> PathBuf {
    path.cloned().unwrap_or_else(|| PathBuf::from("."))
}
