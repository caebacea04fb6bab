//! The `scwform` binary: parses arguments and hands over to [`scwform::cli::run`].

use std::process::ExitCode;

fn main() -> ExitCode {
    scwform::cli::main()
}
