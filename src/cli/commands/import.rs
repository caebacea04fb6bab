//! `scwform import ADDR ID`: read an existing object and record it in the state at an address
//! the configuration declares, as `terraform import` does; and `scwform import --discover --out
//! DIR` (beyond Terraform): write the configuration and `import` blocks of every object the
//! credentials can see ([`crate::apply::discover`], [`crate::render::config::discovered`]).
//!
//! The configuration is loaded as `plan` loads it (variables, backend, workspace, `--state`,
//! `--sandbox`), the state is locked, and the object is read through the import path of the
//! executor ([`crate::apply::import`]). Nothing is written unless the whole import succeeded:
//! every error leaves the state file as it was.

use std::fmt::Write as _;
use std::path::Path;
use std::str::FromStr;

use crate::apply::api_lookup;
use crate::apply::discover::{Scope, discover};
use crate::apply::import::{ImportError, Imported, import};
use crate::cli::ExitStatus;
use crate::cli::args::ImportArgs;
use crate::cli::printer::Printer;
use crate::cli::session::{self, Paths};
use crate::diag::{Diagnostic, Diagnostics, SourceMap};
use crate::model::config::Config;
use crate::model::evaluate::NoPriorValues;
use crate::model::load::load_path;
use crate::plan::model_addr;
use crate::render::config::{ConfigFile, Object, Unmanaged};
use crate::state::InstanceAddr;

/// Runs the command.
#[must_use]
pub fn run(args: &ImportArgs, printer: Printer) -> ExitStatus {
    let rt = match session::runtime() {
        Ok(rt) => rt,
        Err(d) => {
            printer.error(&format!("Error: {}", d.summary));
            return ExitStatus::Failure;
        }
    };
    let mut sources = SourceMap::new();
    match rt.block_on(run_import(args, printer, &mut sources)) {
        Ok(text) => {
            let _ = printer.out(&text);
            ExitStatus::Success
        }
        Err(diagnostics) => {
            printer.diagnostics(&diagnostics, &sources);
            ExitStatus::Failure
        }
    }
}

/// An import error as a diagnostic.
#[must_use]
pub(crate) fn import_diagnostic(e: &ImportError) -> Diagnostic {
    let mut d = Diagnostic::error(e.code(), e.to_string()).with_detail(e.detail());
    if let Some(help) = miette::Diagnostic::help(e) {
        d = d.with_help(help.to_string());
    }
    d
}

/// The warning that a token's secret could not be read back (said once per run).
#[must_use]
pub(crate) fn unreadable_warning(imported: &[(String, Vec<&'static str>)]) -> Option<Diagnostic> {
    let lines: Vec<String> = imported
        .iter()
        .filter(|(_, names)| !names.is_empty())
        .map(|(addr, names)| format!("{addr}: {}", names.join(", ")))
        .collect();
    if lines.is_empty() {
        return None;
    }
    Some(
        Diagnostic::warning(
            "scw::import::secret_not_read",
            "Secrets cannot be read back",
        )
        .with_detail(format!(
            "The API shows a token's secret only in the answer that created it, so an imported token has none; these are recorded null, as the Scaleway provider's import does, and no change is planned for them:\n  {}\nCreate a new token (or taint this one) to get a secret scwform knows.",
            lines.join("\n  ")
        )),
    )
}

/// Checks that the configuration declares `addr` (Terraform's messages).
pub(crate) fn check_declared(config: &Config, addr: &InstanceAddr) -> Result<(), Diagnostic> {
    let Some(model) = model_addr(addr) else {
        // Not a root-module managed address: the import check says why.
        return Ok(());
    };
    if config.instances.contains_key(&model) {
        return Ok(());
    }
    let resource = &model.resource;
    if config.instances.keys().any(|k| k.resource == *resource) {
        return Err(Diagnostic::error(
            "scw::import::not_declared",
            "Configuration for import target does not exist",
        )
        .with_detail(format!(
            "The configuration for the given import target {addr} does not exist. All target instances must have an associated configuration to be imported."
        )));
    }
    Err(Diagnostic::error(
        "scw::import::not_declared",
        format!("resource address \"{resource}\" does not exist in the configuration."),
    )
    .with_detail(format!(
        "Before importing this resource, please create its configuration in the root module. For example:\n\nresource \"{}\" \"{}\" {{\n  # (resource arguments)\n}}",
        resource.type_name, resource.name
    )))
}

/// Imports; `sources` receives the configuration's files, for the diagnostics.
async fn run_import(
    args: &ImportArgs,
    printer: Printer,
    sources: &mut SourceMap,
) -> Result<String, Diagnostics> {
    if let (true, Some(out)) = (args.discover, &args.out) {
        return run_discover(args, out).await;
    }
    let (Some(address), Some(id)) = (&args.address, &args.id) else {
        return Err(Diagnostic::error(
            "scw::cli::invalid_address",
            "import needs ADDR and ID (or --discover --out DIR)",
        )
        .into());
    };
    let paths = Paths::new(args.config.as_ref(), &args.state);
    paths.check_dir()?;
    let addr = InstanceAddr::from_str(address).map_err(|e| {
        Diagnostic::error(
            "scw::cli::invalid_address",
            format!("Invalid address {address:?}"),
        )
        .with_detail(e.to_string())
    })?;
    let options = session::load_options(&args.vars, &paths.config);
    let loaded = load_path(&paths.config, &options, &NoPriorValues);
    *sources = loaded.sources;
    if loaded.diagnostics.has_errors() {
        return Err(loaded.diagnostics);
    }
    check_declared(&loaded.config, &addr)?;
    let timeout = session::parse_duration(&args.state.lock_timeout).map_err(|e| {
        Diagnostic::error("scw::cli::invalid_duration", "Invalid --lock-timeout").with_detail(e)
    })?;
    let backend = loaded.settings.backend.as_ref().map(session::backend_spec);
    let site = tokio::task::block_in_place(|| {
        session::state_site(
            &paths,
            backend.as_ref(),
            loaded.settings.encryption.as_ref(),
        )
    })?;
    let _lock = if args.state.lock {
        Some(tokio::task::block_in_place(|| {
            session::lock(&site, "import", timeout)
        })?)
    } else {
        None
    };
    let store = site.backend.store(&site.workspace);
    let mut state = tokio::task::block_in_place(|| store.load())
        .map_err(|e| session::state_diagnostic(&e, "Error reading the state"))?
        .unwrap_or_default();
    // Everything that needs no API call is checked before connecting.
    crate::apply::import::check(&state, &addr, id).map_err(|e| import_diagnostic(&e))?;
    let connection = session::connect(
        &paths,
        &loaded.config,
        crate::cli::args::DEFAULT_PARALLELISM as usize,
    )
    .await?;
    let mut text = format!(
        "{addr}: Importing from ID \"{id}\"...\n{addr}: Import prepared!\n  Prepared {} for import\n",
        addr.resource.type_name
    );
    let Imported {
        instance,
        id,
        unreadable,
        warnings,
    } = import(&state, &addr, id, &connection.cx, &api_lookup())
        .await
        .map_err(|e| import_diagnostic(&e))?;
    let _ = writeln!(text, "{addr}: Refreshing state... [id={id}]");
    state.set_instance(&addr, instance);
    state.set_provider(&addr.resource, loaded.config.provider_alias(&addr));
    tokio::task::block_in_place(|| store.save(&mut state))
        .map_err(|e| session::state_diagnostic(&e, "Failed to save the state"))?;
    let mut notes = connection.warnings.clone();
    for w in warnings {
        notes.push(Diagnostic::warning(
            "scw::apply::warning",
            format!("{addr}: {w}"),
        ));
    }
    notes.extend(unreadable_warning(&[(addr.to_string(), unreadable)]));
    if !notes.is_empty() {
        printer.diagnostics(&notes, sources);
    }
    text.push_str(
        "\nImport successful!\n\nThe resources that were imported are shown above. These resources are now in\nyour scwform state and will henceforth be managed by scwform.\n",
    );
    Ok(text)
}

/// `scwform import --discover --out DIR`: lists every object the credentials can see (in the
/// projects and regions asked for) and writes their configuration and `import` blocks to
/// `DIR`, which must be empty or new. Nothing is written unless every object was read.
async fn run_discover(args: &ImportArgs, out: &Path) -> Result<String, Diagnostics> {
    check_out_dir(out)?;
    let paths = Paths::new(args.config.as_ref(), &args.state);
    let connection = session::connect(
        &paths,
        &Config::default(),
        crate::cli::args::DEFAULT_PARALLELISM as usize,
    )
    .await?;
    let regions: Vec<String> = if args.regions.is_empty() {
        crate::locality::ALL_REGIONS
            .iter()
            .map(|r| (*r).to_owned())
            .collect()
    } else {
        if let Some(bad) = args.regions.iter().find(|r| !crate::locality::is_region(r)) {
            return Err(Diagnostic::error(
                "scw::import::discover_failed",
                format!("Invalid --region {bad:?}"),
            )
            .with_detail(format!(
                "A region is one of {}.",
                crate::locality::ALL_REGIONS.join(", ")
            ))
            .into());
        }
        args.regions.clone()
    };
    let scope = Scope {
        projects: args.projects.clone(),
        regions,
    };
    let found = discover(&connection.cx, &api_lookup(), &scope)
        .await
        .map_err(|e| {
            Diagnostic::error(
                "scw::import::discover_failed",
                "Cannot discover the objects",
            )
            .with_detail(e.to_string())
        })?;
    let objects: Vec<Object<'_>> = found
        .objects
        .iter()
        .filter_map(|d| {
            crate::schema::resource(d.type_name).map(|schema| Object {
                schema,
                id: &d.id,
                attributes: &d.attributes,
            })
        })
        .collect();
    let functions: Vec<Unmanaged<'_>> = found
        .functions
        .iter()
        .map(|f| Unmanaged {
            type_name: "scaleway_function",
            id: &f.id,
            name: &f.name,
        })
        .collect();
    let files = crate::render::config::discovered(&objects, &functions);
    write_files(out, &files)?;
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for o in &objects {
        *counts.entry(o.schema.type_name).or_default() += 1;
    }
    let mut text = format!(
        "Discovered {} object{}:\n",
        objects.len(),
        if objects.len() == 1 { "" } else { "s" }
    );
    for (ty, n) in &counts {
        let _ = writeln!(text, "  {ty:<30} {n}");
    }
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    let _ = write!(
        text,
        "\nWrote {} to {}.\n\nReview the configuration, then run `scwform plan` in {} (it shows only imports) and `scwform apply`.\n",
        names.join(", "),
        out.display(),
        out.display()
    );
    Ok(text)
}

/// Refuses an output directory that holds anything (or is not a directory).
fn check_out_dir(out: &Path) -> Result<(), Diagnostic> {
    let refuse = |why: &str| {
        Diagnostic::error(
            "scw::import::out_not_empty",
            format!("Cannot write the discovered configuration to {}", out.display()),
        )
        .with_detail(format!(
            "{why}: --out names a directory that is empty or does not exist yet, so that nothing of yours is overwritten or mixed with the generated files."
        ))
    };
    match std::fs::read_dir(out) {
        Ok(mut entries) => match entries.next() {
            None => Ok(()),
            Some(_) => Err(refuse("the directory is not empty")),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(_) if out.exists() => Err(refuse("it is not a directory")),
        Err(e) => Err(refuse(&e.to_string())),
    }
}

/// Writes `files` into `out` (created when missing); on failure removes what it wrote.
fn write_files(out: &Path, files: &[ConfigFile]) -> Result<(), Diagnostic> {
    let created = !out.exists();
    let mut written = Vec::new();
    let result = std::fs::create_dir_all(out).and_then(|()| {
        for f in files {
            let path = out.join(&f.name);
            std::fs::write(&path, &f.text)?;
            written.push(path);
        }
        Ok(())
    });
    result.map_err(|e| {
        for p in &written {
            let _ = std::fs::remove_file(p);
        }
        if created {
            let _ = std::fs::remove_dir(out);
        }
        Diagnostic::error(
            "scw::import::write_failed",
            format!(
                "Cannot write the discovered configuration to {}",
                out.display()
            ),
        )
        .with_detail(e.to_string())
    })
}
