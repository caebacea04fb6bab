//! `scwform workspace list | show | new | select | delete`: several states for one
//! configuration, as Terraform's workspaces.
//!
//! The selected workspace is `TF_WORKSPACE` when set, else the name recorded in
//! `.terraform/environment` (Terraform's file, so both tools agree), else `default`; its name is
//! `terraform.workspace` in expressions. Each backend keeps one state per workspace (local:
//! `terraform.tfstate.d/NAME/terraform.tfstate`; pg: the row `NAME`). `list` and `show` print
//! data on stdout; the other subcommands confirm on stderr.

use std::fmt::Write as _;

use crate::cli::ExitStatus;
use crate::cli::args::{WorkspaceArgs, WorkspaceCommand};
use crate::cli::printer::Printer;
use crate::cli::session::{
    self, ENVIRONMENT_FILE, Failure, Paths, Selection, StateSite, WORKSPACE_ENV,
};
use crate::diag::Diagnostic;
use crate::state::backend::check_workspace_name;
use crate::state::{DEFAULT_WORKSPACE, State};

/// Runs the command.
#[must_use]
pub fn run(command: &WorkspaceCommand, printer: Printer) -> ExitStatus {
    let result = match command {
        WorkspaceCommand::List(a) => list(a),
        WorkspaceCommand::Show(a) => show(a),
        WorkspaceCommand::New(a) => new(&a.name, &a.common, printer),
        WorkspaceCommand::Select(a) => select(&a.name, a.or_create, &a.common, printer),
        WorkspaceCommand::Delete(a) => delete(&a.name, a.force, &a.common, printer),
    };
    match result {
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

/// The backend of the configuration in `args.dir`, and its selected workspace (which may not
/// exist).
fn site(args: &WorkspaceArgs) -> Result<(Paths, StateSite), Failure> {
    let paths = Paths::new(args.dir.as_ref(), &args.state);
    paths.check_dir()?;
    let configured = session::configured(&paths)?;
    let site = session::state_site_unchecked(
        &paths,
        configured.backend.as_ref(),
        configured.encryption.as_ref(),
    )
    .map_err(|d| Failure {
        diagnostics: d,
        sources: configured.sources,
    })?;
    Ok((paths, site))
}

fn state_error(e: &crate::state::StateError, summary: &str) -> Failure {
    session::state_diagnostic(e, summary).into()
}

fn list(args: &WorkspaceArgs) -> Result<String, Failure> {
    let (_, site) = site(args)?;
    let names = site
        .backend
        .workspaces()
        .map_err(|e| state_error(&e, "Error listing the workspaces"))?;
    let mut out = String::new();
    for name in names {
        let mark = if name == site.workspace { '*' } else { ' ' };
        let _ = writeln!(out, "{mark} {name}");
    }
    Ok(out)
}

fn show(args: &WorkspaceArgs) -> Result<String, Failure> {
    let paths = Paths::new(args.dir.as_ref(), &args.state);
    paths.check_dir()?;
    Ok(format!("{}\n", session::selected_workspace(&paths.dir).0))
}

/// Refuses to change the selection while `TF_WORKSPACE` overrides it (as Terraform does).
fn check_not_overridden(paths: &Paths) -> Result<(), Failure> {
    if session::selected_workspace(&paths.dir).1 == Selection::Environment {
        return Err(Diagnostic::error(
            "scw::cli::workspace_overridden",
            format!("The selected workspace is set by {WORKSPACE_ENV}"),
        )
        .with_detail(format!(
            "The selected workspace is currently overridden using the {WORKSPACE_ENV} environment variable. To select a new workspace, either update this environment variable or unset it and then run this command again."
        ))
        .into());
    }
    Ok(())
}

/// Records `name` as the selected workspace in `.terraform/environment`.
fn record_selection(paths: &Paths, name: &str) -> Result<(), Failure> {
    let file = paths.dir.join(ENVIRONMENT_FILE);
    let written = file
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&file, name));
    written.map_err(|e| {
        Diagnostic::error(
            "scw::cli::workspace_selection",
            format!("Cannot record the selected workspace in {}", file.display()),
        )
        .with_detail(e.to_string())
        .into()
    })
}

fn create(site: &StateSite, name: &str) -> Result<(), Failure> {
    check_workspace_name(name).map_err(|e| state_error(&e, "Invalid workspace name"))?;
    let exists = site
        .backend
        .has_workspace(name)
        .map_err(|e| state_error(&e, "Error listing the workspaces"))?;
    if exists {
        return Err(state_error(
            &crate::state::StateError::WorkspaceExists {
                name: name.to_owned(),
            },
            &format!("Workspace \"{name}\" already exists"),
        ));
    }
    // A workspace exists once it has a state: an empty one, as Terraform writes.
    let mut empty = State::default();
    site.backend
        .store(name)
        .save(&mut empty)
        .map_err(|e| state_error(&e, "Error creating the workspace"))?;
    Ok(())
}

fn new(name: &str, args: &WorkspaceArgs, printer: Printer) -> Result<String, Failure> {
    let (paths, site) = site(args)?;
    check_not_overridden(&paths)?;
    create(&site, name)?;
    record_selection(&paths, name)?;
    printer.note(&format!(
        "Created and switched to workspace \"{name}\"!\n\nYou're now on a new, empty workspace. Workspaces isolate their state, so if you run \"scwform plan\" scwform will not see any existing state for this configuration."
    ));
    Ok(String::new())
}

fn select(
    name: &str,
    or_create: bool,
    args: &WorkspaceArgs,
    printer: Printer,
) -> Result<String, Failure> {
    let (paths, site) = site(args)?;
    check_not_overridden(&paths)?;
    check_workspace_name(name).map_err(|e| state_error(&e, "Invalid workspace name"))?;
    let exists = site
        .backend
        .has_workspace(name)
        .map_err(|e| state_error(&e, "Error listing the workspaces"))?;
    if !exists {
        if !or_create {
            return Err(Diagnostic::error(
                "scw::state::no_workspace",
                format!("Workspace \"{name}\" doesn't exist."),
            )
            .with_help(format!(
                "create it with `scwform workspace new {name}`, or pass --or-create"
            ))
            .into());
        }
        create(&site, name)?;
    }
    record_selection(&paths, name)?;
    printer.note(&format!("Switched to workspace \"{name}\"."));
    Ok(String::new())
}

fn delete(
    name: &str,
    force: bool,
    args: &WorkspaceArgs,
    printer: Printer,
) -> Result<String, Failure> {
    let (_, site) = site(args)?;
    if name == site.workspace {
        return Err(Diagnostic::error(
            "scw::cli::workspace_active",
            format!("Workspace \"{name}\" is your active workspace."),
        )
        .with_detail("You cannot delete the currently active workspace. Please switch to another workspace and try again.")
        .into());
    }
    if name == DEFAULT_WORKSPACE {
        return Err(state_error(
            &crate::state::StateError::InvalidWorkspace {
                name: name.to_owned(),
                reason: "the default workspace cannot be deleted",
            },
            "Cannot delete the default workspace",
        ));
    }
    let exists = site
        .backend
        .has_workspace(name)
        .map_err(|e| state_error(&e, "Error listing the workspaces"))?;
    if !exists {
        return Err(Diagnostic::error(
            "scw::state::no_workspace",
            format!("Workspace \"{name}\" doesn't exist."),
        )
        .into());
    }
    let timeout = session::parse_duration(&args.state.lock_timeout).map_err(|e| {
        Diagnostic::error("scw::cli::invalid_duration", "Invalid --lock-timeout").with_detail(e)
    })?;
    let target = StateSite {
        backend: site.backend.clone(),
        workspace: name.to_owned(),
    };
    let lock = session::lock(&target, "workspace delete", timeout)?;
    let state = target
        .backend
        .store(name)
        .load()
        .map_err(|e| state_error(&e, "Error reading the workspace's state"))?;
    let recorded = state.map(|s| s.addresses()).unwrap_or_default();
    if !recorded.is_empty() && !force {
        let list: Vec<String> = recorded.iter().map(|a| format!("- {a}")).collect();
        return Err(Diagnostic::error(
            "scw::cli::workspace_not_empty",
            format!("Workspace \"{name}\" is not empty"),
        )
        .with_detail(format!(
            "Workspace \"{name}\" is currently tracking the following resource instances:\n{}\n\nDeleting this workspace would cause scwform to lose track of any associated remote objects, which would then require you to delete them manually outside of scwform. You should destroy these objects with scwform before deleting the workspace.",
            list.join("\n")
        ))
        .with_help("pass --force to delete the workspace anyway, leaving the objects unmanaged")
        .into());
    }
    target
        .backend
        .delete_workspace(name)
        .map_err(|e| state_error(&e, "Error deleting the workspace"))?;
    drop(lock);
    printer.note(&format!("Deleted workspace \"{name}\"!"));
    Ok(String::new())
}
