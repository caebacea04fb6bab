//! `scwform fmt`.

use crate::cli::ExitStatus;
use crate::cli::args::FmtArgs;
use crate::cli::printer::Printer;

/// Runs the command.
#[must_use]
pub fn run(_args: &FmtArgs, printer: Printer) -> ExitStatus {
    printer.error("error: `scwform fmt` is being built in this release and is not available yet");
    ExitStatus::Failure
}
