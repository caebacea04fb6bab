//! `scwform validate`.

use crate::cli::ExitStatus;
use crate::cli::args::ValidateArgs;
use crate::cli::printer::Printer;

/// Runs the command.
#[must_use]
pub fn run(_args: &ValidateArgs, printer: Printer) -> ExitStatus {
    printer
        .error("error: `scwform validate` is being built in this release and is not available yet");
    ExitStatus::Failure
}
