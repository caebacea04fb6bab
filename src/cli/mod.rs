//! The command-line interface: arguments, settings, dispatch, and all printing.
//!
//! Only this module (through [`printer::Printer`]) writes to stdout and stderr; every layer
//! below returns values and diagnostics. `miette::Report` stays in here.

pub mod args;
pub mod commands;
pub mod exit;
pub mod printer;

use std::process::ExitCode;

use clap::Parser;

pub use exit::ExitStatus;
use printer::Printer;

/// Entry point of the binary: parses `std::env::args` and runs the command.
#[must_use]
pub fn main() -> ExitCode {
    let cli = args::Cli::parse();
    run(cli).into()
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
        _ => ExitStatus::Failure,
    }
}
