//! The command-line interface: arguments, settings, dispatch, and all printing.
//!
//! Only this module (through [`printer::Printer`]) writes to stdout and stderr; every layer
//! below returns values and diagnostics. `miette::Report` stays in here.

pub mod args;
pub mod commands;
pub mod exit;
pub mod printer;
pub mod progress;
pub mod session;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

pub use exit::ExitStatus;
use printer::Printer;

/// Entry point of the binary: parses `std::env::args` and runs the command.
#[must_use]
pub fn main() -> ExitCode {
    install_logging();
    let matches = args::Cli::command().get_matches();
    let mut cli = match args::Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if let Some((_, sub)) = matches.subcommand() {
        let vars = match &mut cli.command {
            args::Command::Validate(a) => Some(&mut a.vars),
            args::Command::Graph(a) => Some(&mut a.vars),
            args::Command::Plan(a) => Some(&mut a.run.vars),
            args::Command::Apply(a) => Some(&mut a.run.vars),
            args::Command::Destroy(a) => Some(&mut a.run.vars),
            _ => None,
        };
        if let Some(vars) = vars {
            vars.order = var_order(sub);
        }
    }
    run(cli).into()
}

/// The interleaving of `--var` and `--var-file` on the command line (Terraform applies them in
/// the order given, later ones winning).
fn var_order(matches: &clap::ArgMatches) -> Vec<args::VarArgKind> {
    let indices = |id: &str, kind: args::VarArgKind| {
        matches
            .try_get_raw(id)
            .ok()
            .flatten()
            .and_then(|_| matches.indices_of(id))
            .into_iter()
            .flatten()
            .map(move |i| (i, kind))
    };
    let mut all: Vec<(usize, args::VarArgKind)> = indices("vars", args::VarArgKind::Var)
        .chain(indices("var_files", args::VarArgKind::File))
        .collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, k)| k).collect()
}

/// Runs a parsed command line.
#[must_use]
pub fn run(cli: args::Cli) -> ExitStatus {
    let printer = Printer { quiet: cli.quiet };
    match cli.command {
        args::Command::Validate(a) => commands::validate::run(&a, printer),
        args::Command::Graph(a) => commands::graph::run(&a, printer),
        args::Command::Fmt(a) => commands::fmt::run(&a, printer),
        args::Command::Emulator(a) => commands::emulator::run(&a, printer),
        args::Command::Plan(a) => commands::plan::run(&a, printer),
        args::Command::Apply(a) => commands::apply::run(&a, printer),
        args::Command::Destroy(a) => commands::apply::run_destroy(&a, printer),
        args::Command::Output(a) => commands::output::run(&a, printer),
        args::Command::State(c) => commands::state::run(&c, printer),
    }
}

/// Sends `tracing` events to stderr, filtered by `RUST_LOG` (default: warnings and errors).
///
/// Events name API calls by method and path only, never headers, query strings or bodies, so
/// no secret reaches a log at any level.
fn install_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // Another subscriber already installed (tests calling `main` twice) is not an error.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .with_target(false)
        .try_init();
}
