//! `scwform apply` and `scwform destroy`: plan, show the plan, ask for approval (Terraform's
//! words; only `yes` approves; no terminal on stdin and no `--auto-approve` is an error), run
//! the executor with progress on stderr, save the state, and print the summary and outputs.
//!
//! Ctrl-C once: nothing new starts, running operations finish, the state is saved, exit 130.
//! Twice: stop waiting, save what is known, exit 130.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use crate::apply::events::{Event, Events};
use crate::apply::journal::{self, Journal};
use crate::apply::writer::StateWriter;
use crate::apply::{Apply, ApplyOptions, Cancel, api_lookup, apply, failure_diagnostic};
use crate::cli::ExitStatus;
use crate::cli::args::{ApplyArgs, DestroyArgs, PlanFormat, RunArgs};
use crate::cli::json_ui;
use crate::cli::printer::Printer;
use crate::cli::progress;
use crate::cli::session;
use crate::diag::{Diagnostic, Diagnostics};

use super::plan::render_plan;
use super::run::{Prepared, apply_cost_line, prepare, prepare_saved};
use super::saved;

/// Runs `scwform apply` (`apply FILE`: the saved plan, as it is).
#[must_use]
pub fn run(args: &ApplyArgs, printer: Printer) -> ExitStatus {
    let printer = json_printer(printer, args.run.json);
    if let Some(file) = args.run.path.as_ref().filter(|p| saved::is_plan_file(p)) {
        return apply_saved(&args.run, file, printer);
    }
    execute(&args.run, args.auto_approve, args.destroy, printer)
}

/// Applies a saved plan: no approval asked (reviewing it was the approval), no refresh, no new
/// plan; every binding is checked first and the run refused with the failed check's code.
fn apply_saved(args: &RunArgs, file: &Path, printer: Printer) -> ExitStatus {
    if !args.vars.vars.is_empty() || !args.vars.var_files.is_empty() {
        printer.diagnostics(
            &Diagnostic::error(
                "scw::cli::saved_plan_options",
                "Can't set variables when applying a saved plan",
            )
            .with_detail("The saved plan holds the variable values it was made with; --var and --var-file cannot change them.")
            .into(),
            &crate::diag::SourceMap::new(),
        );
        return ExitStatus::Failure;
    }
    let encryption = match saved::plan_encryption(args.dir.as_ref(), printer) {
        Ok(e) => e,
        Err(status) => return status,
    };
    let saved_plan = match saved::read(file, encryption.as_ref(), printer) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let rt = match session::runtime() {
        Ok(rt) => rt,
        Err(d) => {
            printer.error(&format!("Error: {}", d.summary));
            return ExitStatus::Failure;
        }
    };
    rt.block_on(async {
        let prepared = match prepare_saved(printer, args, file, &saved_plan).await {
            Ok(p) => p,
            Err(status) => return status,
        };
        printer.note(&format!(
            "Applying the saved plan {} (plan digest {}).",
            file.display(),
            saved_plan.digest
        ));
        if prepared.plan.errored {
            return ExitStatus::Failure;
        }
        let destroy = saved_plan.binding.options.destroy;
        run_plan(printer, args, prepared, destroy).await
    })
}

/// Runs `scwform destroy`.
#[must_use]
pub fn run_destroy(args: &DestroyArgs, printer: Printer) -> ExitStatus {
    let printer = json_printer(printer, args.run.json);
    execute(&args.run, args.auto_approve, true, printer)
}

/// With `-json`: the printer of Terraform's machine-readable UI, after the `version` message.
fn json_printer(printer: Printer, json: bool) -> Printer {
    if json {
        let _ = printer.out(&json_ui::version());
    }
    Printer { json, ..printer }
}

fn execute(args: &RunArgs, auto_approve: bool, destroy: bool, printer: Printer) -> ExitStatus {
    if printer.json && !auto_approve {
        // As Terraform: nothing can be asked in the middle of a JSON stream.
        printer.diagnostics(
            &Diagnostic::error(
                "scw::cli::no_approval",
                "Plan file or auto-approve required",
            )
            .with_detail("scwform cannot ask for interactive approval when -json is set. You can either apply a saved plan file, or enable the -auto-approve option.")
            .into(),
            &crate::diag::SourceMap::new(),
        );
        return ExitStatus::Failure;
    }
    let rt = match session::runtime() {
        Ok(rt) => rt,
        Err(d) => {
            printer.error(&format!("Error: {}", d.summary));
            return ExitStatus::Failure;
        }
    };
    rt.block_on(async {
        let operation = if destroy { "destroy" } else { "apply" };
        let prepared = match prepare(printer, args, destroy, operation).await {
            Ok(p) => p,
            Err(status) => return status,
        };
        if printer.json {
            let operation = if destroy { "destroy" } else { "apply" };
            let _ = printer.out(&json_ui::plan_messages(&prepared.plan, operation).concat());
        } else {
            let _ = printer.out(&render_plan(&prepared, PlanFormat::Text, None));
        }
        if prepared.plan.errored {
            return ExitStatus::Failure;
        }
        if prepared.plan.has_changes() && !auto_approve {
            match approve(printer, destroy, args.input) {
                Ok(true) => {}
                Ok(false) => {
                    printer.error(if destroy {
                        "\nDestroy cancelled."
                    } else {
                        "\nApply cancelled."
                    });
                    return ExitStatus::Failure;
                }
                Err(d) => {
                    printer.diagnostics(&d.into(), &prepared.sources);
                    return ExitStatus::Failure;
                }
            }
        }
        run_plan(printer, args, prepared, destroy).await
    })
}

/// Asks for approval on the terminal.
fn approve(printer: Printer, destroy: bool, input: bool) -> Result<bool, Diagnostic> {
    if !input {
        return Err(Diagnostic::error(
            "scw::cli::no_approval",
            "Cannot ask for approval: --input=false",
        )
        .with_detail("The plan has changes, and applying them needs an explicit approval, but --input=false forbids asking.")
        .with_help("pass --auto-approve to apply without asking"));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Diagnostic::error(
            "scw::cli::no_approval",
            "Cannot ask for approval: stdin is not a terminal",
        )
        .with_detail("The plan has changes, and applying them needs an explicit approval, but there is no terminal to ask on.")
        .with_help("run it from a terminal, or pass --auto-approve to apply without asking"));
    }
    let question = if destroy {
        "\nDo you really want to destroy all resources?\n  scwform will destroy all your managed infrastructure, as shown above.\n  There is no undo. Only 'yes' will be accepted to confirm.\n\n  Enter a value: "
    } else {
        "\nDo you want to perform these actions?\n  scwform will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
    };
    printer.prompt(question);
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return Ok(false);
    }
    Ok(answer.trim() == "yes")
}

async fn run_plan(
    printer: Printer,
    args: &RunArgs,
    prepared: Prepared,
    destroy: bool,
) -> ExitStatus {
    let Prepared {
        site,
        sources,
        input,
        connection,
        store,
        lock,
        refreshed,
        plan,
        unreconciled,
        refresh_cost,
        ..
    } = prepared;
    // Imported objects are in the refreshed state the writer starts from: recorded whatever
    // else the apply does.
    let imported = plan.import_count();
    let view = printer.progress(0);
    for c in plan.changes.iter().filter(|c| c.importing.is_some()) {
        let id = c.importing.as_deref().unwrap_or_default();
        view.line(&format!("{}: Importing... [id={id}]", c.addr));
        view.line(&format!("{}: Import complete [id={id}]", c.addr));
    }
    view.finish();
    // An imported object belongs to the provider configuration of its resource (an alias, as
    // an import block's `provider`), also when nothing else is done to it.
    let mut refreshed = refreshed;
    for c in plan.changes.iter().filter(|c| c.importing.is_some()) {
        refreshed.set_provider(&c.addr.resource, plan.config.provider_alias(&c.addr));
    }
    let writer = StateWriter::start(store, refreshed);
    // The refreshed state (and anything adopted) is recorded even when nothing changes.
    writer.update(|_| {});
    let journal = match site.backend.journal(&site.workspace) {
        Ok(log) => {
            if !unreconciled.is_empty() {
                // Reported (and adopted where possible) by `prepare`: this run starts afresh.
                let _ = tokio::task::block_in_place(|| journal::retire(&*log));
            }
            Arc::new(Journal::start(log))
        }
        Err(e) => {
            printer.diagnostics(
                &session::state_diagnostic(&e, "Error opening the journal").into(),
                &sources,
            );
            let _ = writer.finish().await;
            return ExitStatus::Failure;
        }
    };
    let journal_location = journal.location();

    let cancel = Cancel::default();
    let signals = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                cancel.stop.cancel();
                if tokio::signal::ctrl_c().await.is_ok() {
                    cancel.abort.cancel();
                }
            }
        })
    };
    let (events, mut rx) = Events::channel();
    let view = printer.progress(plan.order.steps().len() as u64);
    let json = printer.json;
    let show = tokio::spawn(async move {
        let mut running = 0usize;
        let mut hooks = json_ui::Hooks::default();
        while let Some(event) = rx.recv().await {
            if json {
                if let Some(line) = hooks.message(&event) {
                    let _ = printer.out(&line);
                }
                continue;
            }
            match &event {
                Event::Started { .. } => running += 1,
                Event::Completed { .. } | Event::Failed { .. } => {
                    running = running.saturating_sub(1);
                    view.advance(running);
                }
                _ => {}
            }
            if let Some(line) = progress::line(&event) {
                view.line(&line);
            }
        }
        view.finish();
    });

    let requests_before = connection.cx.client.requests();
    let apply_started = std::time::Instant::now();
    let report = apply(Apply {
        plan: &plan,
        input,
        cx: Arc::clone(&connection.cx),
        lookup: api_lookup(),
        writer: &writer,
        journal: Some(Arc::clone(&journal)),
        options: ApplyOptions {
            parallelism: args.parallelism as usize,
            ..ApplyOptions::default()
        },
        events,
        cancel,
    })
    .await;
    signals.abort();
    let _ = show.await;
    let (final_state, writer_stats, saved) = writer.finish().await;
    let cost_line = apply_cost_line(
        refresh_cost.as_ref(),
        connection.cx.client.requests() - requests_before,
        apply_started.elapsed(),
    );
    tracing::info!(
        changes = writer_stats.changes,
        writes = writer_stats.writes,
        save_ms = u64::try_from(writer_stats.save_time.as_millis()).unwrap_or(u64::MAX),
        evaluations = report.evaluations,
        "apply"
    );
    let journal = Arc::into_inner(journal);
    let kept = journal.map(|j| tokio::task::block_in_place(|| j.finish(saved.is_ok())));
    drop(lock);

    let mut diags = Diagnostics::new();
    for (addr, warning) in &report.warnings {
        diags.push(Diagnostic::warning(
            "scw::apply::warning",
            format!("{addr}: {warning}"),
        ));
    }
    for failure in &report.failures {
        diags.push(failure_diagnostic(failure));
    }
    diags.extend(report.diagnostics.iter().cloned());
    if let Err(e) = &saved {
        diags.push(session::state_diagnostic(e, "Failed to save the state"));
    }
    if let Some(Err(e)) = kept {
        diags.push(Diagnostic::warning(
            "scw::apply::journal",
            format!("cannot clean up the journal {journal_location}: {e}"),
        ));
    }
    if !report.abandoned.is_empty() {
        let list: Vec<String> = report
            .abandoned
            .iter()
            .map(|(a, _)| a.to_string())
            .collect();
        diags.push(
            Diagnostic::warning("scw::apply::abandoned", "Operations abandoned while running")
                .with_detail(format!(
                    "The run stopped waiting for: {}. Their outcome is unknown; the next run reports them from the journal {}.",
                    list.join(", "),
                    journal_location
                )),
        );
    }
    if !plan.options.targets.is_empty() && !report.interrupted {
        diags.push(
            Diagnostic::warning("scw::apply::incomplete", "Applied changes may be incomplete")
                .with_detail("The plan was created with the --target option in effect, so some changes requested in the configuration may have been ignored and the output values may not be fully updated. Run the following command to verify that no other changes are pending:\n    scwform plan\n\nNote that the --target option is not suitable for routine use, and is provided only for exceptional situations such as recovering from errors or mistakes, or when scwform specifically suggests to use it as part of an error message."),
        );
    }
    printer.diagnostics(&diags, &sources);
    drop(connection);

    if report.interrupted {
        printer.error("Interrupted: the state records everything that finished.");
        return ExitStatus::Interrupted;
    }
    if !report.succeeded() || saved.is_err() {
        printer.note(&cost_line);
        return ExitStatus::Failure;
    }
    if printer.json {
        let _ = printer.out(&json_ui::apply_summary(
            destroy,
            imported,
            report.added,
            report.changed,
            report.destroyed,
        ));
        if !destroy {
            let _ = printer.out(&json_ui::applied_outputs(&final_state));
        }
    } else if destroy {
        printer.note(&format!(
            "\nDestroy complete! Resources: {} destroyed.",
            report.destroyed
        ));
    } else {
        printer.note(&format!(
            "\n{}",
            json_ui::apply_complete(imported, report.added, report.changed, report.destroyed)
        ));
        if !final_state.outputs.is_empty() {
            let _ = printer.out(&format!(
                "\nOutputs:\n\n{}",
                super::output::list(&final_state.outputs)
            ));
        }
    }
    printer.note(&cost_line);
    ExitStatus::Success
}
