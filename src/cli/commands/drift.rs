//! `scwform drift`: refresh every object the state records and print what changed outside
//! scwform, in Terraform's "Objects have changed outside of Terraform" form (text, the JSON
//! plan's `resource_drift`, or Markdown), without writing anything: the state, its backup and
//! the journal are left as they are (the lock is taken while reading, as for `plan`).
//!
//! Exit codes: 0 nothing changed outside, 2 something did, 1 errors (an object that cannot be
//! read included; errors win), so a nightly job can open an issue from it.

use crate::cli::ExitStatus;
use crate::cli::args::DriftArgs;
use crate::cli::printer::Printer;
use crate::cli::session;

use super::plan::render_plan;
use super::run::prepare;

/// Runs the command.
#[must_use]
pub fn run(args: &DriftArgs, printer: Printer) -> ExitStatus {
    let rt = match session::runtime() {
        Ok(rt) => rt,
        Err(d) => {
            printer.error(&format!("Error: {}", d.summary));
            return ExitStatus::Failure;
        }
    };
    let run = args.run_args();
    rt.block_on(async {
        let prepared = match prepare(printer, &run, false, "drift").await {
            Ok(p) => p,
            Err(status) => return status,
        };
        let _ = printer.out(&render_plan(&prepared, run.format, None));
        if let Some(cost) = &prepared.refresh_cost {
            printer.note(&cost.line());
        }
        if prepared.plan.errored {
            ExitStatus::Failure
        } else if prepared.plan.drift.is_empty() {
            ExitStatus::Success
        } else {
            ExitStatus::Two
        }
    })
}
