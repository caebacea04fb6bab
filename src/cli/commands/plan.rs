//! `scwform plan`: show what `apply` would do, in Terraform's text layout, Terraform's JSON
//! plan, or Markdown for a pull request.
//!
//! Exit codes: 0 success (with `--detailed-exitcode`: no changes), 2 changes present (only with
//! `--detailed-exitcode`), 4 deletes or replaces (only with `--destructive-exitcode`), 1 errors
//! (errors win over changes). Nothing is written to the state.

use std::fmt::Write as _;
use std::path::Path;

use crate::cli::ExitStatus;
use crate::cli::args::{PlanArgs, PlanFormat};
use crate::cli::json_ui;
use crate::cli::printer::Printer;
use crate::cli::session;
use crate::diag::Diagnostic;
use crate::plan::Plan;
use crate::planfile::{self, Rendered, SavedOptions};
use crate::render::{self, JsonInput, MarkdownInput, TextOptions};
use crate::state::State;

use super::run::{Prepared, prepare, prepare_generating};
use super::saved;
use crate::cli::printer::text_width;

/// Runs the command.
#[must_use]
pub fn run(args: &PlanArgs, printer: Printer) -> ExitStatus {
    let printer = Printer {
        json: args.run.json,
        ..printer
    };
    if printer.json {
        let _ = printer.out(&json_ui::version());
    }
    let rt = match session::runtime() {
        Ok(rt) => rt,
        Err(d) => {
            printer.error(&format!("Error: {}", d.summary));
            return ExitStatus::Failure;
        }
    };
    rt.block_on(async {
        let destroy = args.destroy;
        let prepared = match &args.generate_config_out {
            Some(out) => prepare_generating(printer, &args.run, destroy, out).await,
            None => prepare(printer, &args.run, destroy, "plan").await,
        };
        let prepared = match prepared {
            Ok(p) => p,
            Err(status) => return status,
        };
        let saved = match (&args.out, prepared.plan.errored) {
            (Some(out), false) => match save(&prepared, args, out) {
                Ok(digest) => Some((out.display().to_string(), digest)),
                Err(status) => return status,
            },
            _ => None,
        };
        if printer.json {
            let operation = if destroy { "destroy" } else { "plan" };
            let _ = printer.out(&json_ui::plan_messages(&prepared.plan, operation).concat());
            let Prepared { plan, .. } = prepared;
            return exit_status(&plan, args);
        }
        let mut text = render_plan(&prepared, args.run.format, saved.as_ref());
        if let (Some(file), PlanFormat::Text) = (&prepared.generated_config, args.run.format) {
            text.push_str(&generated_note(&file.display().to_string(), text_width()));
        }
        if let (Some((file, _)), PlanFormat::Text) = (&saved, args.run.format) {
            text.push_str(&saved_note(file, text_width()));
        }
        let _ = printer.out(&text);
        if let Some(cost) = &prepared.refresh_cost {
            printer.note(&cost.line());
        }
        let Prepared { plan, .. } = prepared;
        exit_status(&plan, args)
    })
}

/// Terraform's closing lines of a saved plan.
fn saved_note(file: &str, width: usize) -> String {
    format!(
        "\n{}\n\nSaved the plan to: {file}\n\nTo perform exactly these actions, run the following command to apply:\n    scwform apply \"{file}\"\n",
        render::text::horizontal_rule(width)
    )
}

/// Terraform's closing lines when `--generate-config-out` wrote configuration.
fn generated_note(file: &str, width: usize) -> String {
    format!(
        "\n{}\n\n{}\n",
        render::text::horizontal_rule(width),
        render::text::wrap(
            &format!(
                "Terraform has generated configuration and written it to {file}. Please review the configuration and edit it as necessary before adding it to version control."
            ),
            width
        )
    )
}

/// Writes the plan file; gives its plan digest.
fn save(prepared: &Prepared, args: &PlanArgs, out: &Path) -> Result<String, ExitStatus> {
    let created_at = jiff::Timestamp::now().to_string();
    let binding = saved::binding(&saved::RunFacts {
        config_path: &prepared.paths.config,
        config_dir: &prepared.paths.dir,
        prior: &prepared.prior,
        refreshed: &prepared.refreshed,
        plan: &prepared.plan,
        options: SavedOptions {
            destroy: args.destroy,
            refresh: args.run.refresh,
            refresh_only: args.run.refresh_only,
            targets: args.run.targets.clone(),
            replace: args.run.replace.clone(),
            sandbox: args.run.state.sandbox,
            state_file: args
                .run
                .state
                .state
                .as_ref()
                .map(|p| p.to_string_lossy().into_owned()),
        },
        created_at: &created_at,
    });
    let digest = planfile::plan_digest(&binding);
    let file = out.display().to_string();
    let saved = Some((file.clone(), digest.clone()));
    let mut text = render_plan(prepared, PlanFormat::Text, saved.as_ref());
    text.push_str(&saved_note(&file, 78));
    let rendered = Rendered {
        text,
        markdown: render_plan(prepared, PlanFormat::Markdown, saved.as_ref()),
        json: json_with_time(&prepared.plan, &prepared.refreshed, &created_at),
    };
    let plan_encryptor = prepared.site.backend.encryption().and_then(|e| e.plan());
    let encoded = match planfile::encode(&binding, &rendered, plan_encryptor) {
        Ok(bytes) => bytes,
        Err(e) => {
            prepared
                .printer
                .diagnostics(&saved::crypto_diagnostic(out, &e).into(), &prepared.sources);
            return Err(ExitStatus::Failure);
        }
    };
    if let Err(e) = saved::write(out, &encoded) {
        prepared.printer.diagnostics(
            &Diagnostic::error(
                "scw::cli::plan_file",
                format!("Cannot write the plan file {}", out.display()),
            )
            .with_detail(e.to_string())
            .into(),
            &prepared.sources,
        );
        return Err(ExitStatus::Failure);
    }
    Ok(digest)
}

/// The exit status of a finished plan (see `docs/commands.md`, Exit codes): errors win over
/// changes; `--destructive-exitcode` tells a plan that deletes or replaces something apart.
pub(crate) fn exit_status(plan: &Plan, args: &PlanArgs) -> ExitStatus {
    if plan.errored {
        ExitStatus::Failure
    } else if args.destructive_exitcode && plan.is_destructive() {
        ExitStatus::Destructive
    } else if (args.detailed_exitcode || args.destructive_exitcode) && plan.has_changes() {
        ExitStatus::Two
    } else {
        ExitStatus::Success
    }
}

/// The plan in the chosen format; `saved` is the plan file and its plan digest, when the plan
/// was saved (the text and Markdown plans then print that digest).
pub(crate) fn render_plan(
    prepared: &Prepared,
    format: PlanFormat,
    saved: Option<&(String, String)>,
) -> String {
    match format {
        PlanFormat::Text => {
            let mut text = render::text::render(
                &prepared.plan,
                &TextOptions {
                    width: text_width(),
                },
            );
            if let Some((_, digest)) = saved {
                let _ = write!(text, "\nPlan digest: {digest}\n");
            }
            text
        }
        PlanFormat::Json => json(&prepared.plan, &prepared.refreshed),
        PlanFormat::Markdown => {
            let digest = if let Some((_, digest)) = saved {
                digest.clone()
            } else {
                {
                    let files: Vec<(String, String)> = prepared
                        .sources
                        .files()
                        .filter(|(_, f)| crate::model::load::is_config_file_name(&f.name))
                        .map(|(_, f)| (f.name.clone(), f.text.to_string()))
                        .collect();
                    render::plan_digest(&files, &prepared.prior.lineage.0, prepared.prior.serial)
                }
            };
            render::markdown::render(
                &prepared.plan,
                &MarkdownInput {
                    digest: Some(digest),
                    saved_as: saved.map(|(file, _)| file.clone()),
                    ..MarkdownInput::default()
                },
            )
        }
    }
}

fn json(plan: &Plan, refreshed: &State) -> String {
    json_with_time(plan, refreshed, &jiff::Timestamp::now().to_string())
}

/// Terraform's JSON plan on one line, as `terraform show -json` prints it.
fn json_with_time(plan: &Plan, refreshed: &State, timestamp: &str) -> String {
    let doc = render::json::render(
        plan,
        &JsonInput {
            prior: refreshed,
            timestamp,
        },
    );
    // Serialising a JSON value cannot fail.
    let mut text = serde_json::to_string(&doc).expect("JSON values serialise");
    text.push('\n');
    text
}
