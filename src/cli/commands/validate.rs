//! `scwform validate`: parse, lower, evaluate and graph a configuration, without any API call.
//!
//! Human mode prints diagnostics on stderr and a success line on stdout; `--json` prints
//! Terraform's `validate -json` document on stdout. Exit 0 when valid, 1 when not.

use serde::Serialize;

use crate::cli::ExitStatus;
use crate::cli::args::ValidateArgs;
use crate::cli::printer::Printer;
use crate::diag::{Diagnostics, SourceMap};
use crate::model::evaluate::DiagnosticsOnly;
use crate::model::load::load_path;

/// Terraform's `validate -json` document (field order is part of the format).
#[derive(Serialize)]
struct ValidateJson {
    format_version: &'static str,
    valid: bool,
    error_count: usize,
    warning_count: usize,
    diagnostics: Vec<serde_json::Value>,
}

/// Validates a configuration: returns its diagnostics and the sources they point into.
///
/// Cycles are found on the block-level graph while evaluating (an instance-level cycle
/// implies a block-level one), so building the instance graph is not needed here, and the
/// resource instances are not kept either ([`DiagnosticsOnly`]).
#[must_use]
pub fn check(args: &ValidateArgs) -> (Diagnostics, SourceMap) {
    let path = super::config_path(args.path.as_ref());
    let options = super::offline_load_options(&args.vars, &path);
    let mut loaded = load_path(&path, &options, &DiagnosticsOnly);
    let diags = std::mem::take(&mut loaded.diagnostics);
    let sources = std::mem::take(&mut loaded.sources);
    // The process ends right after validating: freeing a large configuration's syntax trees
    // and values one by one would only add to the wall time (as rustc does).
    std::mem::forget(loaded);
    (diags, sources)
}

/// Runs the command.
#[must_use]
pub fn run(args: &ValidateArgs, printer: Printer) -> ExitStatus {
    let (diags, sources) = check(args);
    let valid = !diags.has_errors();
    let written = if args.json {
        let doc = ValidateJson {
            format_version: "1.0",
            valid,
            error_count: diags.error_count(),
            warning_count: diags.warning_count(),
            diagnostics: diags.iter().map(|d| d.to_json(&sources)).collect(),
        };
        // Serialising plain data into a String cannot fail.
        let mut text = serde_json::to_string_pretty(&doc).expect("plain data serialises");
        text.push('\n');
        printer.out(&text)
    } else {
        printer.diagnostics(&diags, &sources);
        if valid {
            printer.out(if diags.is_empty() {
                "Success! The configuration is valid.\n"
            } else {
                "Success! The configuration is valid, but there were some validation warnings as shown above.\n"
            })
        } else {
            Ok(())
        }
    };
    // A closed stdout (`scwform validate | head`) is not a failure of validation.
    let _ = written;
    if valid {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}
