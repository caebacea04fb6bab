//! `scwform emulator`.

use crate::cli::ExitStatus;
use crate::cli::args::EmulatorArgs;
use crate::cli::printer::Printer;

/// Runs the command.
#[must_use]
pub fn run(_args: &EmulatorArgs, printer: Printer) -> ExitStatus {
    printer
        .error("error: `scwform emulator` is being built in this release and is not available yet");
    ExitStatus::Failure
}
