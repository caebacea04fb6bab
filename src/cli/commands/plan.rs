//! `scwform plan`: show what `apply` would do, in Terraform's text layout, Terraform's JSON
//! plan, or Markdown for a pull request.
//!
//! Exit codes: 0 success (with `--detailed-exitcode`: no changes), 2 changes present (only with
//! `--detailed-exitcode`), 1 errors (errors win over changes). Nothing is written to the state.

use crate::cli::ExitStatus;
use crate::cli::args::{PlanArgs, PlanFormat};
use crate::cli::printer::Printer;
use crate::cli::session;
use crate::plan::Plan;
use crate::render::{self, JsonInput, MarkdownInput, TextOptions};
use crate::state::State;

use super::run::{Prepared, prepare, text_width};

/// Runs the command.
#[must_use]
pub fn run(args: &PlanArgs, printer: Printer) -> ExitStatus {
    let rt = match session::runtime() {
        Ok(rt) => rt,
        Err(d) => {
            printer.error(&format!("Error: {}", d.summary));
            return ExitStatus::Failure;
        }
    };
    rt.block_on(async {
        let destroy = args.destroy;
        let prepared = match prepare(printer, &args.run, destroy, "plan").await {
            Ok(p) => p,
            Err(status) => return status,
        };
        let _ = printer.out(&render_plan(&prepared, args.run.format));
        let Prepared { plan, .. } = prepared;
        if plan.errored {
            ExitStatus::Failure
        } else if args.detailed_exitcode && plan.has_changes() {
            ExitStatus::Two
        } else {
            ExitStatus::Success
        }
    })
}

/// The plan in the chosen format.
pub(crate) fn render_plan(prepared: &Prepared, format: PlanFormat) -> String {
    match format {
        PlanFormat::Text => render::text::render(
            &prepared.plan,
            &TextOptions {
                width: text_width(),
            },
        ),
        PlanFormat::Json => json(&prepared.plan, &prepared.refreshed),
        PlanFormat::Markdown => {
            let files: Vec<(String, String)> = prepared
                .sources
                .files()
                .filter(|(_, f)| {
                    std::path::Path::new(&f.name)
                        .extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("tf"))
                })
                .map(|(_, f)| (f.name.clone(), f.text.to_string()))
                .collect();
            let digest =
                render::plan_digest(&files, &prepared.prior.lineage.0, prepared.prior.serial);
            render::markdown::render(
                &prepared.plan,
                &MarkdownInput {
                    digest: Some(digest),
                    ..MarkdownInput::default()
                },
            )
        }
    }
}

fn json(plan: &Plan, refreshed: &State) -> String {
    let timestamp = jiff::Timestamp::now().to_string();
    let doc = render::json::render(
        plan,
        &JsonInput {
            prior: refreshed,
            timestamp: &timestamp,
        },
    );
    // Serialising a JSON value cannot fail.
    let mut text = serde_json::to_string_pretty(&doc).expect("JSON values serialise");
    text.push('\n');
    text
}
