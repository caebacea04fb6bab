//! `scwform show`: the state (`show`, `show --json`) or a saved plan (`show FILE`,
//! `show --json FILE`, `show --markdown FILE`), as Terraform's `show` prints them.
//!
//! A saved plan is shown as it was rendered when it was made (the file holds its text,
//! Markdown and JSON forms, covered by its digests), so what a reviewer reads is what the plan
//! file applies. Reading never locks the state or reaches the API.

use std::fmt::Write as _;

use crate::cli::ExitStatus;
use crate::cli::args::ShowArgs;
use crate::cli::printer::Printer;
use crate::cli::session::{Failure, Paths};
use crate::render;

use super::output::read_state;
use super::saved;
use super::state::show_instance;

/// Runs the command.
#[must_use]
pub fn run(args: &ShowArgs, printer: Printer) -> ExitStatus {
    if let Some(file) = &args.file {
        let encryption = match saved::plan_encryption(args.dir.as_ref(), printer) {
            Ok(e) => e,
            Err(status) => return status,
        };
        let plan = match saved::read(file, encryption.as_ref(), printer) {
            Ok(p) => p,
            Err(status) => return status,
        };
        let text = if args.json {
            plan.rendered.json
        } else if args.markdown {
            plan.rendered.markdown
        } else {
            plan.rendered.text
        };
        let _ = printer.out(&text);
        return ExitStatus::Success;
    }
    let paths = Paths::new(args.dir.as_ref(), &args.state);
    match state_text(&paths, args.json) {
        Ok(text) => {
            let _ = printer.out(&text);
            ExitStatus::Success
        }
        Err(f) => {
            printer.diagnostics(&f.diagnostics, &f.sources);
            ExitStatus::Failure
        }
    }
}

/// The state as `terraform show` prints it: every instance in `state show`'s layout, then the
/// outputs; or Terraform's JSON state representation on one line.
fn state_text(paths: &Paths, json: bool) -> Result<String, Failure> {
    let state = read_state(paths)?;
    if json {
        let doc = render::json::prior_state(&state);
        let mut text = serde_json::to_string(&doc).expect("JSON values serialise");
        text.push('\n');
        return Ok(text);
    }
    if state.is_empty() {
        return Ok("The state file is empty. No resources are represented.\n".to_owned());
    }
    let mut out = String::new();
    for r in &state.resources {
        for i in r.instances.iter().filter(|i| i.deposed.is_none()) {
            let addr = r.addr().instance(i.index_key.clone());
            let _ = writeln!(out, "# {addr}:");
            out.push_str(&show_instance(&addr, i));
            out.push('\n');
        }
    }
    if !state.outputs.is_empty() {
        let _ = write!(out, "\nOutputs:\n\n{}", super::output::list(&state.outputs));
    }
    Ok(out)
}
