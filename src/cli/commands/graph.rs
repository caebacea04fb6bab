//! `scwform graph`: print the dependency graph of a configuration's resource instances, as
//! Graphviz DOT or a Mermaid flowchart. Deterministic: nodes and edges sorted by address.
//!
//! The configuration must be valid (as `validate` sees it); otherwise the diagnostics are
//! printed and nothing goes to stdout.

use crate::cli::ExitStatus;
use crate::cli::args::{GraphArgs, GraphFormat};
use crate::cli::printer::Printer;
use crate::graph::DependencyGraph;
use crate::model::evaluate::NoPriorValues;
use crate::model::load::load_path;

/// Runs the command.
#[must_use]
pub fn run(args: &GraphArgs, printer: Printer) -> ExitStatus {
    let path = super::config_path(args.path.as_ref());
    let options = super::offline_load_options(&args.vars, &path);
    let loaded = load_path(&path, &options, &NoPriorValues);
    // Cycles were reported while evaluating (on the block-level graph).
    let diags = &loaded.diagnostics;
    printer.diagnostics(diags, &loaded.sources);
    if diags.has_errors() {
        return ExitStatus::Failure;
    }
    let graph = DependencyGraph::new(&loaded.config);
    let text = match args.format {
        GraphFormat::Dot => graph.to_dot(),
        GraphFormat::Mermaid => graph.to_mermaid(),
    };
    // A closed stdout is not an error (see Printer::out).
    let _ = printer.out(&text);
    ExitStatus::Success
}
