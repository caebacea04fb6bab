//! What `plan`, `apply` and `destroy` share: load the configuration, connect to the API (or
//! the sandbox), lock and read the state, report what an earlier crashed run left in the
//! journal, refresh, and plan.
//!
//! Every problem is printed here as a diagnostic and turned into an exit status.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use crate::addr::AddrParseError;
use crate::apply::adopt::{Adoption, adopt};
use crate::apply::events::{Event, Events};
use crate::apply::journal::{self, Unreconciled};
use crate::apply::refresh::{RefreshOptions, refresh_with};
use crate::apply::{SharedInput, api_lookup};
use crate::cli::ExitStatus;
use crate::cli::args::RunArgs;
use crate::cli::printer::Printer;
use crate::cli::progress;
use crate::cli::session::{self, Connection, Paths, StateSite};
use crate::diag::{Diagnostic, Diagnostics, SourceMap};
use crate::model::evaluate::NoPriorValues;
use crate::model::load::{evaluate_parsed, parse_path};
use crate::plan::{Plan, PlanOptions, plan_with};
use crate::planfile::{self, SavedPlan};
use crate::state::{Lineage, LockGuard, State, StateStore};

use super::saved;

/// Everything a planned run holds.
pub(crate) struct Prepared {
    pub(crate) printer: Printer,
    pub(crate) paths: Paths,
    pub(crate) site: StateSite,
    pub(crate) sources: SourceMap,
    pub(crate) input: SharedInput,
    pub(crate) connection: Connection,
    pub(crate) store: Arc<StateStore>,
    /// The state lock (none with `--lock=false`).
    pub(crate) lock: Option<LockGuard>,
    pub(crate) prior: State,
    pub(crate) refreshed: State,
    pub(crate) plan: Plan,
    pub(crate) unreconciled: Vec<Unreconciled>,
    /// What the refresh cost (none when nothing was refreshed).
    pub(crate) refresh_cost: Option<RefreshCost>,
    /// The file `plan --generate-config-out` wrote (none when it generated nothing).
    pub(crate) generated_config: Option<PathBuf>,
}

/// What a refresh cost, for the line that closes the plan.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RefreshCost {
    pub(crate) objects: usize,
    pub(crate) requests: u64,
    pub(crate) elapsed: std::time::Duration,
}

impl RefreshCost {
    /// `Refreshed 10000 objects with 112 API calls in 1.42s.`
    pub(crate) fn line(&self) -> String {
        format!(
            "Refreshed {} object{} with {} API call{} in {:.2}s.",
            self.objects,
            if self.objects == 1 { "" } else { "s" },
            self.requests,
            if self.requests == 1 { "" } else { "s" },
            self.elapsed.as_secs_f64()
        )
    }
}

/// The line that closes an apply: the refresh's cost (when there was one), then the apply's.
/// `Refreshed 10 objects with 2 API calls in 0.05s; applied with 12 API calls in 1.20s.`
pub(crate) fn apply_cost_line(
    refresh: Option<&RefreshCost>,
    requests: u64,
    elapsed: std::time::Duration,
) -> String {
    let applied = format!(
        "pplied with {requests} API call{} in {:.2}s.",
        if requests == 1 { "" } else { "s" },
        elapsed.as_secs_f64()
    );
    match refresh {
        Some(r) => format!("{}; a{applied}", r.line().trim_end_matches('.')),
        None => format!("A{applied}"),
    }
}

fn fail(printer: Printer, diags: &Diagnostics, sources: &SourceMap) -> ExitStatus {
    printer.diagnostics(diags, sources);
    ExitStatus::Failure
}

/// `--target` (any [`Target`]) or `--replace` (an [`InstanceAddr`]) arguments.
fn parse_addrs<A: FromStr<Err = AddrParseError>>(
    texts: &[String],
    flag: &str,
) -> Result<Vec<A>, Diagnostics> {
    let mut out = Vec::new();
    let mut diags = Diagnostics::new();
    for t in texts {
        match A::from_str(t) {
            Ok(a) => out.push(a),
            Err(e) => diags.push(
                Diagnostic::error(
                    "scw::cli::invalid_address",
                    format!("Invalid {flag} address"),
                )
                .with_detail(format!("{t:?}: {}", e.reason)),
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
    prepare_with(printer, args, destroy, operation, None, None).await
}

/// [`prepare`] for `plan --generate-config-out=FILE`: the `import` blocks whose target has no
/// `resource` block get one, written to `FILE` (which must not exist) and used for this plan,
/// as Terraform does.
pub(crate) async fn prepare_generating(
    printer: Printer,
    args: &RunArgs,
    destroy: bool,
    out: &Path,
) -> Result<Prepared, ExitStatus> {
    prepare_with(printer, args, destroy, "plan", None, Some(out)).await
}

/// For `apply FILE`: checks every binding of the saved plan (refusing with the failed
/// check's exit code), then rebuilds the plan from the recorded states without reaching the
/// API, and refuses unless it has exactly the recorded changes.
pub(crate) async fn prepare_saved(
    printer: Printer,
    args: &RunArgs,
    file: &Path,
    saved: &SavedPlan,
) -> Result<Prepared, ExitStatus> {
    let o = &saved.binding.options;
    let mut args = args.clone();
    args.path = Some(
        args.dir
            .take()
            .unwrap_or_else(|| PathBuf::from(&saved.binding.configuration_path)),
    );
    args.state.sandbox |= o.sandbox;
    if args.state.state.is_none() {
        args.state.state = o.state_file.as_ref().map(PathBuf::from);
    }
    args.targets.clone_from(&o.targets);
    args.replace.clone_from(&o.replace);
    args.refresh = o.refresh;
    args.refresh_only = o.refresh_only;
    let operation = if o.destroy { "destroy" } else { "apply" };
    prepare_with(
        printer,
        &args,
        o.destroy,
        operation,
        Some((file, saved)),
        None,
    )
    .await
}

async fn prepare_with(
    printer: Printer,
    args: &RunArgs,
    destroy: bool,
    operation: &str,
    saved: Option<(&Path, &SavedPlan)>,
    generate: Option<&Path>,
) -> Result<Prepared, ExitStatus> {
    if let Some(out) = generate {
        check_generate_target(out, destroy || args.refresh_only)
            .map_err(|d| fail(printer, &d.into(), &SourceMap::new()))?;
    }
    let paths = Paths::new(args.path.as_ref().or(args.dir.as_ref()), &args.state);
    if let Some((file, plan)) = saved {
        // The configuration is compared before it is loaded: a changed file is a refusal, not
        // whatever error its new text may have.
        let files = saved::configuration_files(&paths.config);
        let now = planfile::Current {
            scwform_version: saved::VERSION,
            configuration_files: &files,
            variables_digest: &plan.binding.variables_digest,
            git_commit: None,
            commit_included: true,
        };
        planfile::check(&plan.binding, &now).map_err(|r| saved::refuse(printer, file, &r))?;
    }
    let mut options = session::load_options(&args.vars, &paths.config);
    // Read and parsed once: every evaluation of this run uses these syntax trees.
    let mut parsed = Arc::new(parse_path(&paths.config, &options));
    let mut loaded = evaluate_parsed(&parsed, &options, &NoPriorValues);
    if !loaded.missing_variables.is_empty() && args.input && std::io::stdin().is_terminal() {
        for (name, description) in &loaded.missing_variables {
            let value = ask_variable(printer, name, description.as_deref());
            options
                .var_sources
                .push(crate::model::load::VarSource::Var(format!(
                    "{name}={value}"
                )));
        }
        loaded = evaluate_parsed(&parsed, &options, &NoPriorValues);
    }
    if loaded.diagnostics.has_errors() {
        return Err(fail(printer, &loaded.diagnostics, &loaded.sources));
    }
    if let Some((file, plan)) = saved {
        let files = saved::configuration_files(&paths.config);
        let variables = saved::variables_digest(&loaded.config);
        let commit = saved::git_commit(&paths.dir);
        let included = plan
            .binding
            .git_commit
            .as_deref()
            .is_some_and(|c| saved::commit_included(&paths.dir, c));
        let now = planfile::Current {
            scwform_version: saved::VERSION,
            configuration_files: &files,
            variables_digest: &variables,
            git_commit: commit.as_deref(),
            commit_included: included,
        };
        planfile::check(&plan.binding, &now).map_err(|r| saved::refuse(printer, file, &r))?;
    }
    let mut sources = loaded.sources.clone();
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
    let site = tokio::task::block_in_place(|| {
        session::state_site(
            &paths,
            backend.as_ref(),
            loaded.settings.encryption.as_ref(),
        )
    })
    .map_err(|d| fail(printer, &d, &sources))?;
    let connection = session::connect(&paths, &loaded.config, args.parallelism as usize)
        .await
        .map_err(|d| fail(printer, &d, &sources))?;
    warnings.extend(connection.warnings.iter().cloned());

    let store = Arc::new(site.backend.store(&site.workspace));
    let lock = if args.state.lock {
        Some(
            tokio::task::block_in_place(|| session::lock(&site, operation, lock_timeout))
                .map_err(|d| fail(printer, &d.into(), &sources))?,
        )
    } else {
        None
    };
    let stored = tokio::task::block_in_place(|| store.load()).map_err(|e| {
        fail(
            printer,
            &session::state_diagnostic(&e, "Error reading the state").into(),
            &sources,
        )
    })?;
    let mut prior = match (stored, &saved) {
        (Some(state), _) => state,
        // No state yet, and a saved plan made when there was none either: the plan chose the
        // lineage the first state will have, as Terraform's does, so applying it is applying
        // against the same (absent) state.
        (None, Some((_, plan))) if plan.binding.serial == 0 => {
            let planned = State::from_json(&plan.binding.prior_state.to_string(), "the plan file")
                .ok()
                .filter(State::is_empty);
            planned.map_or_else(State::default, |_| {
                State::new(Lineage(plan.binding.lineage.clone()))
            })
        }
        (None, _) => State::default(),
    };

    let journal_log = site.backend.journal(&site.workspace).map_err(|e| {
        fail(
            printer,
            &session::state_diagnostic(&e, "Error opening the journal").into(),
            &sources,
        )
    })?;
    let unreconciled = tokio::task::block_in_place(|| journal::unreconciled(&*journal_log, &prior))
        .unwrap_or_default();
    if let Some((file, plan)) = saved {
        let recorded = State::from_json(&plan.binding.prior_state.to_string(), "the plan file")
            .ok()
            .is_some_and(|s| s.same_content(&prior));
        let mut checked =
            planfile::check_state(&plan.binding, &prior.lineage.0, prior.serial, recorded);
        if checked.is_ok() && !unreconciled.is_empty() {
            checked = Err(planfile::Refusal::State {
                detail: format!(
                    "an earlier run left unfinished operations in the journal {}",
                    journal_log.location()
                ),
            });
        }
        checked.map_err(|r| saved::refuse(printer, file, &r))?;
    }
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
    // Adopting is for runs that write the state; `plan` and `drift` only report.
    if !matches!(operation, "plan" | "drift") && !unreconciled.is_empty() {
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
    let mut refresh_cost = None;
    let refreshed = if let Some((file, plan)) = saved {
        // The plan is applied as it was made: against the objects as they were read then.
        State::from_json(&plan.binding.refreshed_state.to_string(), "the plan file").map_err(
            |_| {
                saved::refuse(
                    printer,
                    file,
                    &planfile::Refusal::Altered {
                        what: "the refreshed state does not parse",
                    },
                )
            },
        )?
    } else if args.refresh && !prior.resources.is_empty() {
        let (events, mut rx) = Events::channel();
        let view = printer.progress(0);
        let print = tokio::spawn(async move {
            let mut hooks = crate::cli::json_ui::Hooks::default();
            while let Some(event) = rx.recv().await {
                if printer.json {
                    if let (Event::Refreshing { .. } | Event::Refreshed { .. }, Some(line)) =
                        (&event, hooks.message(&event))
                    {
                        let _ = printer.out(&line);
                    }
                    continue;
                }
                if let (Event::Refreshing { .. }, Some(line)) = (&event, progress::line(&event)) {
                    view.line(&line);
                }
            }
            view.finish();
        });
        let options = RefreshOptions {
            parallelism: args.parallelism as usize,
            lists: args.list_refresh,
        };
        let report = refresh_with(
            &prior,
            Arc::clone(&connection.cx),
            &lookup,
            options,
            &events,
        )
        .await;
        drop(events);
        let _ = print.await;
        refresh_cost = Some(RefreshCost {
            objects: report.objects,
            requests: report.requests,
            elapsed: report.elapsed,
        });
        tracing::info!(
            calls = report.calls,
            requests = report.requests,
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

    let mut refreshed = refreshed;
    let mut generated = BTreeMap::new();
    let mut generated_config = None;
    if let Some(out) = generate {
        let made = generate_config(
            printer,
            &parsed,
            &loaded.config,
            &prior,
            &mut refreshed,
            &connection.cx,
            &lookup,
        )
        .await;
        let (blocks, unreadable) = match made {
            Ok(made) => made,
            Err(d) => {
                let mut diags = warnings;
                diags.extend(d);
                return Err(fail(printer, &diags, &sources));
            }
        };
        if !blocks.is_empty() {
            let text = crate::render::config::generated_file(
                blocks
                    .iter()
                    .map(|(_, id, block)| (id.as_str(), block.as_str())),
            );
            write_generated(out, &text).map_err(|d| {
                let mut diags = warnings.clone();
                diags.push(d);
                fail(printer, &diags, &sources)
            })?;
            // Nothing else holds the parsed configuration before the planner's input is made.
            Arc::get_mut(&mut parsed)
                .expect("the parsed configuration is not shared yet")
                .add_file(&out.display().to_string(), Some(out), &text);
            loaded = evaluate_parsed(&parsed, &options, &NoPriorValues);
            sources = loaded.sources.clone();
            if loaded.diagnostics.has_errors() {
                let mut diags = warnings;
                diags.extend(loaded.diagnostics);
                return Err(fail(printer, &diags, &sources));
            }
            warnings.extend(super::import::unreadable_warning(&unreadable));
            warnings.push(
                Diagnostic::warning(
                    "scw::cli::config_generation",
                    "Config generation is experimental",
                )
                .with_detail(
                    "Generating configuration during import is currently experimental, and the generated configuration format may change in future versions.",
                ),
            );
            generated = blocks
                .into_iter()
                .map(|(addr, _, block)| (addr, block))
                .collect();
            generated_config = Some(out.to_path_buf());
        }
    }
    let imports = if destroy || args.refresh_only {
        BTreeMap::new()
    } else {
        let read = read_imports(
            printer,
            &loaded.config,
            &prior,
            &mut refreshed,
            &connection.cx,
            &lookup,
        )
        .await;
        match read {
            Ok((imports, notes)) => {
                warnings.extend(notes);
                imports
            }
            Err(d) => {
                let mut diags = warnings;
                diags.extend(d);
                return Err(fail(printer, &diags, &sources));
            }
        }
    };
    let input = session::config_input(Arc::clone(&parsed), &options);
    let plan_options = PlanOptions {
        targets,
        replace,
        destroy,
        refresh: args.refresh,
        refresh_only: args.refresh_only,
        moves: loaded.config.moves.clone(),
        removals: loaded.config.removals.clone(),
    };
    let reader = crate::apply::data::ApiDataReader::new(Arc::clone(&connection.cx));
    let planned = tokio::task::block_in_place(|| {
        plan_with(&*input, &prior, &refreshed, &plan_options, &reader)
    });
    let mut planned = match planned {
        Ok(p) => p,
        Err(d) => {
            let mut diags = warnings;
            diags.extend(d);
            return Err(fail(printer, &diags, &sources));
        }
    };
    planned.mark_imports(&imports);
    planned.mark_generated(&generated);
    if let Some((file, plan)) = saved
        && saved::changes_json(&planned, &refreshed) != plan.binding.changes
    {
        return Err(saved::refuse(
            printer,
            file,
            &planfile::Refusal::NotReproducible,
        ));
    }
    let mut diags = warnings;
    diags.extend(planned.diagnostics.iter().cloned());
    if !diags.is_empty() {
        printer.diagnostics(&diags, &sources);
    }
    Ok(Prepared {
        printer,
        paths,
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
        refresh_cost,
        generated_config,
    })
}

/// Terraform's checks of `-generate-config-out=FILE` before anything is read: a normal plan,
/// and a file that does not exist yet.
fn check_generate_target(out: &Path, not_normal: bool) -> Result<(), Diagnostic> {
    if not_normal {
        return Err(Diagnostic::error(
            "scw::cli::generate_config",
            "Invalid generate-config-out flag",
        )
        .with_detail(
            "Config can only be generated during a normal plan operation, and not during a refresh-only or destroy plan.",
        ));
    }
    // As Go's `os.Stat`: anything but "does not exist" counts as existing.
    match std::fs::metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        _ => Err(Diagnostic::error(
            "scw::cli::generate_config",
            "Target generated file already exists",
        )
        .with_detail(
            "Terraform can only write generated config into a new file. Either choose a different target location or move all existing configuration out of the target file, delete it and try again.",
        )),
    }
}

/// Creates `out` (it must not exist) with the generated configuration.
fn write_generated(out: &Path, text: &str) -> Result<(), Diagnostic> {
    use std::io::Write as _;
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .and_then(|mut f| f.write_all(text.as_bytes()));
    written.map_err(|e| {
        let detail = if e.kind() == std::io::ErrorKind::PermissionDenied {
            format!(
                "Terraform did not have permission to create the generated file ({}) in the target directory. Please modify permissions over the target directory, and try again.",
                out.display()
            )
        } else {
            format!(
                "Terraform could not create the generated file ({}) in the target directory: {e}.",
                out.display()
            )
        };
        Diagnostic::error(
            "scw::cli::generate_config",
            "Failed to create target generated file",
        )
        .with_detail(detail)
    })
}

/// Generated blocks: `(address, import ID, resource block)`.
type GeneratedBlocks = Vec<(crate::addr::InstanceAddr, String, String)>;

/// For `plan --generate-config-out`: reads the object of each `import` block whose target has
/// no `resource` block (and is not in the prior state yet), records it in `refreshed` as
/// [`read_imports`] would, and writes its block ([`crate::render::config`]). Gives the blocks
/// in the order of the `import` blocks (Terraform's order is its concurrent graph walk's), and
/// the secrets that could not be read back.
async fn generate_config(
    printer: Printer,
    parsed: &crate::model::load::Parsed,
    config: &crate::model::config::Config,
    prior: &State,
    refreshed: &mut State,
    cx: &crate::api::resources::ApiContext,
    lookup: &crate::apply::ApiLookup,
) -> Result<(GeneratedBlocks, Vec<(String, Vec<&'static str>)>), Diagnostics> {
    let mut blocks = Vec::new();
    let mut unreadable = Vec::new();
    let mut errors = Diagnostics::new();
    let view = printer.progress(0);
    for target in &config.imports {
        let (Some(id), addr) = (&target.id, &target.addr) else {
            continue;
        };
        let resource = &addr.resource;
        if prior.instance(addr).is_some()
            || parsed.declares_resource(&resource.type_name, &resource.name)
        {
            continue;
        }
        if addr.key.is_some() {
            errors.push(
                Diagnostic::error(
                    "scw::import::not_declared",
                    "Configuration for import target does not exist",
                )
                .with_primary(target.span, "import block")
                .with_detail(
                    "The given import block is not compatible with config generation. The -generate-config-out option cannot be used with import blocks which use for_each, or resources which use for_each or count.",
                ),
            );
            continue;
        }
        view.line(&format!("{addr}: Preparing import... [id={id}]"));
        match crate::apply::import::import(refreshed, addr, id, cx, lookup).await {
            Ok(imported) => {
                view.line(&format!("{addr}: Refreshing state... [id={}]", imported.id));
                let Some(schema) = crate::schema::resource(&resource.type_name) else {
                    continue;
                };
                let provider = target.provider.as_ref().map(|a| format!("scaleway.{a}"));
                let block = crate::render::config::resource_block(
                    schema,
                    &resource.name,
                    &imported.instance.attributes,
                    provider.as_deref(),
                    None,
                );
                unreadable.push((addr.to_string(), imported.unreadable));
                refreshed.set_instance(addr, imported.instance);
                blocks.push((addr.clone(), id.clone(), block));
            }
            Err(e) => errors.push(
                super::import::import_diagnostic(&e).with_primary(target.span, "import block"),
            ),
        }
    }
    view.finish();
    if errors.has_errors() {
        return Err(errors);
    }
    Ok((blocks, unreadable))
}

/// The objects `import` blocks bring in: each target the prior state does not record is read
/// (unless `refreshed` has it already: a saved plan's refreshed state holds what its plan
/// read) and recorded in `refreshed`, for the planner to plan from. Gives the imported
/// addresses with their IDs, and warnings (secrets that cannot be read back).
///
/// A target already in the prior state is left alone, as in Terraform: the import is done.
async fn read_imports(
    printer: Printer,
    config: &crate::model::config::Config,
    prior: &State,
    refreshed: &mut State,
    cx: &crate::api::resources::ApiContext,
    lookup: &crate::apply::ApiLookup,
) -> Result<(BTreeMap<crate::addr::InstanceAddr, String>, Diagnostics), Diagnostics> {
    let mut imports = BTreeMap::new();
    let mut unreadable = Vec::new();
    let mut errors = Diagnostics::new();
    // Progress lines go to stderr, as the refresh's.
    let view = printer.progress(0);
    for target in &config.imports {
        let Some(id) = &target.id else {
            continue;
        };
        let addr = &target.addr;
        if prior.instance(addr).is_some() {
            continue;
        }
        if !config.instances.contains_key(&target.addr) {
            errors.push(
                Diagnostic::error(
                    "scw::import::not_declared",
                    "Configuration for import target does not exist",
                )
                .with_primary(target.span, "import block")
                .with_detail(format!(
                    "The configuration for the given import target {} does not exist. All target instances must have an associated configuration to be imported: write its resource block first.",
                    target.addr
                )),
            );
            continue;
        }
        if refreshed.instance(addr).is_none() {
            view.line(&format!("{addr}: Preparing import... [id={id}]"));
            match crate::apply::import::import(refreshed, addr, id, cx, lookup).await {
                Ok(imported) => {
                    view.line(&format!("{addr}: Refreshing state... [id={}]", imported.id));
                    unreadable.push((addr.to_string(), imported.unreadable));
                    refreshed.set_instance(addr, imported.instance);
                }
                Err(e) => {
                    errors.push(
                        super::import::import_diagnostic(&e)
                            .with_primary(target.span, "import block"),
                    );
                    continue;
                }
            }
        }
        imports.insert(target.addr.clone(), id.clone());
    }
    view.finish();
    if errors.has_errors() {
        return Err(errors);
    }
    let mut notes = Diagnostics::new();
    notes.extend(super::import::unreadable_warning(&unreadable));
    Ok((imports, notes))
}

/// Asks for a variable's value on the terminal, as Terraform does (`var.NAME`, its
/// description, `Enter a value:`). The answer is taken as `--var NAME=ANSWER` would be.
fn ask_variable(printer: Printer, name: &str, description: Option<&str>) -> String {
    let mut question = format!("var.{name}\n");
    if let Some(d) = description.filter(|d| !d.is_empty()) {
        question.push_str("  ");
        question.push_str(d);
        question.push('\n');
    }
    question.push_str("\n  Enter a value: ");
    printer.prompt(&question);
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    printer.prompt("\n");
    answer.trim_end_matches(['\r', '\n']).to_owned()
}
