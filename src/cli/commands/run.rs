//! What `plan`, `apply` and `destroy` share: load the configuration, connect to the API (or
//! the sandbox), lock and read the state, report what an earlier crashed run left in the
//! journal, refresh, and plan.
//!
//! Every problem is printed here as a diagnostic and turned into an exit status.

use std::str::FromStr;
use std::sync::Arc;

use crate::apply::adopt::{Adoption, adopt};
use crate::apply::events::{Event, Events};
use crate::apply::journal::{self, Unreconciled};
use crate::apply::refresh::refresh;
use crate::apply::{SharedInput, api_lookup};
use crate::cli::ExitStatus;
use crate::cli::args::RunArgs;
use crate::cli::printer::Printer;
use crate::cli::progress;
use crate::cli::session::{self, Connection, Paths, StateSite};
use crate::diag::{Diagnostic, Diagnostics, SourceMap};
use crate::model::evaluate::NoPriorValues;
use crate::model::ids::ResourceAddr;
use crate::model::load::load_path;
use crate::plan::{Plan, PlanOptions, plan};
use crate::state::{LockGuard, State, StateStore};

/// Everything a planned run holds.
pub(crate) struct Prepared {
    pub(crate) site: StateSite,
    pub(crate) sources: SourceMap,
    pub(crate) input: SharedInput,
    pub(crate) connection: Connection,
    pub(crate) store: Arc<StateStore>,
    pub(crate) lock: LockGuard,
    pub(crate) prior: State,
    pub(crate) refreshed: State,
    pub(crate) plan: Plan,
    pub(crate) unreconciled: Vec<Unreconciled>,
}

fn fail(printer: Printer, diags: &Diagnostics, sources: &SourceMap) -> ExitStatus {
    printer.diagnostics(diags, sources);
    ExitStatus::Failure
}

fn parse_addrs(texts: &[String], flag: &str) -> Result<Vec<ResourceAddr>, Diagnostics> {
    let mut out = Vec::new();
    let mut diags = Diagnostics::new();
    for t in texts {
        match ResourceAddr::from_str(t) {
            Ok(a) => out.push(a),
            Err(e) => diags.push(
                Diagnostic::error(
                    "scw::cli::invalid_address",
                    format!("Invalid {flag} address"),
                )
                .with_detail(format!("{t:?}: {e}")),
            ),
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

/// Loads, connects, locks, refreshes and plans (printing refresh progress and diagnostics).
pub(crate) async fn prepare(
    printer: Printer,
    args: &RunArgs,
    destroy: bool,
    operation: &str,
) -> Result<Prepared, ExitStatus> {
    let paths = Paths::new(args.path.as_ref(), &args.state);
    let options = session::load_options(&args.vars, &paths.config);
    let loaded = load_path(&paths.config, &options, &NoPriorValues);
    if loaded.diagnostics.has_errors() {
        return Err(fail(printer, &loaded.diagnostics, &loaded.sources));
    }
    let sources = loaded.sources;
    // Configuration warnings come again from the planner's own evaluation: keep those.
    let mut warnings = Diagnostics::new();
    let targets =
        parse_addrs(&args.targets, "--target").map_err(|d| fail(printer, &d, &sources))?;
    let replace =
        parse_addrs(&args.replace, "--replace").map_err(|d| fail(printer, &d, &sources))?;
    let lock_timeout = session::parse_duration(&args.state.lock_timeout).map_err(|e| {
        fail(
            printer,
            &Diagnostic::error("scw::cli::invalid_duration", "Invalid --lock-timeout")
                .with_detail(e)
                .into(),
            &sources,
        )
    })?;

    let backend = loaded.settings.backend.as_ref().map(session::backend_spec);
    let site = tokio::task::block_in_place(|| session::state_site(&paths, backend.as_ref()))
        .map_err(|d| fail(printer, &d, &sources))?;
    let connection = session::connect(&paths, &loaded.config)
        .await
        .map_err(|d| fail(printer, &d, &sources))?;
    warnings.extend(connection.warnings.iter().cloned());

    let store = Arc::new(site.backend.store(&site.workspace));
    let lock = tokio::task::block_in_place(|| session::lock(&site, operation, lock_timeout))
        .map_err(|d| fail(printer, &d.into(), &sources))?;
    let mut prior = tokio::task::block_in_place(|| store.load())
        .map_err(|e| {
            fail(
                printer,
                &session::state_diagnostic(&e, "Error reading the state").into(),
                &sources,
            )
        })?
        .unwrap_or_default();

    let journal_log = site.backend.journal(&site.workspace).map_err(|e| {
        fail(
            printer,
            &session::state_diagnostic(&e, "Error opening the journal").into(),
            &sources,
        )
    })?;
    let unreconciled = tokio::task::block_in_place(|| journal::unreconciled(&*journal_log, &prior))
        .unwrap_or_default();
    for u in &unreconciled {
        warnings.push(
            Diagnostic::warning(
                "scw::apply::unreconciled_intent",
                "An earlier run may have left an object behind",
            )
            .with_detail(format!(
                "{} (journal {}). `scwform apply` adopts objects whose ID the journal knows, and looks for the others by name where their type has one; look for what it cannot find in the Scaleway console and import or delete it.",
                u.describe(),
                journal_log.location()
            )),
        );
    }

    let lookup = api_lookup();
    if operation != "plan" && !unreconciled.is_empty() {
        for adoption in adopt(&unreconciled, &mut prior, &connection.cx, &lookup).await {
            let text = match adoption {
                Adoption::Adopted { addr, id } => {
                    format!(
                        "{addr}: adopted the object [id={id}] an earlier run created but did not record"
                    )
                }
                Adoption::Gone { addr, id } => {
                    format!("{addr}: the object [id={id}] an earlier run created no longer exists")
                }
                Adoption::NotCreated { addr } => {
                    format!("{addr}: the create an earlier run abandoned made no object")
                }
                Adoption::Skipped { addr, reason } => {
                    format!("{addr}: the object an earlier run created was not adopted: {reason}")
                }
            };
            warnings.push(Diagnostic::warning("scw::apply::adopted", text));
        }
    }
    let refreshed = if args.refresh && !prior.resources.is_empty() {
        let (events, mut rx) = Events::channel();
        let view = printer.progress(0);
        let print = tokio::spawn(async move {
            while let Some(event) = rx.recv().await {
                if let (Event::Refreshing { .. }, Some(line)) = (&event, progress::line(&event)) {
                    view.line(&line);
                }
            }
            view.finish();
        });
        let report = refresh(
            &prior,
            Arc::clone(&connection.cx),
            &lookup,
            args.parallelism as usize,
            &events,
        )
        .await;
        drop(events);
        let _ = print.await;
        tracing::info!(
            calls = report.calls,
            elapsed_ms = u64::try_from(report.elapsed.as_millis()).unwrap_or(u64::MAX),
            "refresh"
        );
        for (addr, w) in &report.warnings {
            warnings.push(Diagnostic::warning(
                "scw::apply::warning",
                format!("{addr}: {w}"),
            ));
        }
        if !report.errors.is_empty() {
            let mut diags = warnings;
            for (addr, message) in &report.errors {
                diags.push(
                    Diagnostic::error(
                        "scw::apply::refresh_failed",
                        format!("{addr}: cannot read the object"),
                    )
                    .with_detail(message.clone()),
                );
            }
            return Err(fail(printer, &diags, &sources));
        }
        report.state
    } else {
        prior.clone()
    };

    let input = session::config_input(&paths.config, &options);
    let plan_options = PlanOptions {
        targets,
        replace,
        destroy,
        refresh: args.refresh,
    };
    let planned = tokio::task::block_in_place(|| plan(&*input, &prior, &refreshed, &plan_options));
    let planned = match planned {
        Ok(p) => p,
        Err(d) => {
            let mut diags = warnings;
            diags.extend(d);
            return Err(fail(printer, &diags, &sources));
        }
    };
    let mut diags = warnings;
    diags.extend(planned.diagnostics.iter().cloned());
    if !diags.is_empty() {
        printer.diagnostics(&diags, &sources);
    }
    Ok(Prepared {
        site,
        sources,
        input,
        connection,
        store,
        lock,
        prior,
        refreshed,
        plan: planned,
        unreconciled,
    })
}

/// The terminal width for prose (78 when stdout is not a terminal, as Terraform).
pub(crate) fn text_width() -> usize {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .filter(|&w: &usize| w >= 40)
            .unwrap_or(78)
    } else {
        78
    }
}
