//! `scwform graph`.

use crate::cli::ExitStatus;
use crate::cli::args::GraphArgs;
use crate::cli::printer::Printer;

/// Runs the command.
#[must_use]
pub fn run(_args: &GraphArgs, printer: Printer) -> ExitStatus {
    printer.error("error: `scwform graph` is being built in this release and is not available yet");
    ExitStatus::Failure
}
