//! `scwform state list | show | rm | mv | pull | push`, and `scwform force-unlock`: look at and
//! edit the recorded state, and release a lock left by a run that cannot release it.
//!
//! `pull` prints the state as stored, decrypted; `push` replaces it under the lock, refusing
//! (without `--force`) a state of another lineage or an older serial, as Terraform does; the
//! rules are the store's ([`crate::state::StateStore::push`]).
//!
//! `show` redacts sensitive attributes (by schema, or listed in the instance's
//! `sensitive_attributes`) as `(sensitive value)`. `rm` and `mv` take the state lock and save
//! through the backend (backup, atomic rename); they never touch the real objects. As in
//! Terraform, an instance's deposed objects are listed with it (once), never shown, and removed
//! or moved along with it.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::cli::ExitStatus;
use crate::cli::args::{StateArgs, StateCommand};
use crate::cli::printer::Printer;
use crate::cli::session::{self, Failure, Paths};
use crate::diag::{Diagnostic, Diagnostics};
use crate::state::{InstanceAddr, InstanceState, State, StateError};

use super::output::{format_marked, read_state};
use crate::model::value::Value;

/// Runs the command.
#[must_use]
pub fn run(command: &StateCommand, printer: Printer) -> ExitStatus {
    let result = match command {
        StateCommand::List(a) => list(&Paths::new(a.dir.as_ref(), &a.state), &a.addresses),
        StateCommand::Show(a) => show(&Paths::new(a.dir.as_ref(), &a.state), &a.address),
        StateCommand::Rm(a) => edit(&a.state, a.dir.as_ref(), "state rm", |state| {
            let mut text = String::new();
            let mut removed = 0;
            for address in &a.addresses {
                let addr = parse(address)?;
                for gone in remove(state, &addr)
                    .map_err(|e| session::state_diagnostic(&e, "Error removing from the state"))?
                {
                    let _ = writeln!(text, "Removed {gone}");
                    removed += 1;
                }
            }
            let _ = writeln!(text, "Successfully removed {removed} resource instance(s).");
            Ok(text)
        }),
        StateCommand::Mv(a) => edit(&a.state, a.dir.as_ref(), "state mv", |state| {
            let from = parse(&a.source)?;
            let to = parse(&a.destination)?;
            move_to(state, &from, &to)
                .map_err(|e| session::state_diagnostic(&e, "Error moving in the state"))?;
            Ok(format!(
                "Move \"{from}\" to \"{to}\"\nSuccessfully moved 1 object(s).\n"
            ))
        }),
        StateCommand::Pull(a) => pull(&Paths::new(a.dir.as_ref(), &a.state)),
        StateCommand::Push(a) => push(a, printer),
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

/// `state rm` of one address: [`State::remove`], and as in Terraform the deposed objects of a
/// removed instance are forgotten too (otherwise the next plan would delete an object the user
/// meant to let go); an instance with only deposed objects left can be removed as well.
fn remove(state: &mut State, addr: &InstanceAddr) -> Result<Vec<InstanceAddr>, StateError> {
    let deposed = take_deposed(state, addr);
    let gone = match state.remove(addr) {
        // Only deposed objects were left of the instance.
        Ok(gone) if gone.is_empty() && !deposed.is_empty() => vec![addr.clone()],
        Ok(gone) => gone,
        Err(_) if !deposed.is_empty() => vec![addr.clone()],
        Err(e) => {
            put_deposed(state, addr, deposed);
            return Err(e);
        }
    };
    drop_empty_resource(state, addr);
    Ok(gone)
}

/// `state mv`: [`State::move_to`], with the instance's deposed objects moving along, as in
/// Terraform.
fn move_to(state: &mut State, from: &InstanceAddr, to: &InstanceAddr) -> Result<(), StateError> {
    let deposed = take_deposed(state, from);
    if let Err(e) = state.move_to(from, to) {
        put_deposed(state, from, deposed);
        return Err(e);
    }
    put_deposed(state, to, deposed);
    drop_empty_resource(state, from);
    Ok(())
}

/// Takes the deposed objects of instance `addr` out of its resource (which stays, even empty).
fn take_deposed(state: &mut State, addr: &InstanceAddr) -> Vec<InstanceState> {
    let Some(resource) = state
        .resources
        .iter_mut()
        .find(|r| r.addr() == addr.resource)
    else {
        return Vec::new();
    };
    let (taken, kept) = std::mem::take(&mut resource.instances)
        .into_iter()
        .partition(|i| i.deposed.is_some() && i.index_key == addr.key);
    resource.instances = kept;
    taken
}

/// Puts deposed objects back at instance `addr`, whose resource exists (the caller just moved
/// or took from it).
fn put_deposed(state: &mut State, addr: &InstanceAddr, deposed: Vec<InstanceState>) {
    if deposed.is_empty() {
        return;
    }
    if let Some(resource) = state
        .resources
        .iter_mut()
        .find(|r| r.addr() == addr.resource)
    {
        resource.instances.extend(deposed.into_iter().map(|mut i| {
            i.index_key.clone_from(&addr.key);
            i
        }));
    }
    state.normalize();
}

/// Drops the resource of `addr` if no instance is left in it.
fn drop_empty_resource(state: &mut State, addr: &InstanceAddr) {
    state
        .resources
        .retain(|r| r.addr() != addr.resource || !r.instances.is_empty());
}

fn parse(address: &str) -> Result<InstanceAddr, Diagnostics> {
    address.parse::<InstanceAddr>().map_err(|e| {
        Diagnostic::error(
            "scw::cli::invalid_address",
            format!("Invalid address {address:?}"),
        )
        .with_detail(e.to_string())
        .into()
    })
}

fn list(paths: &Paths, filters: &[String]) -> Result<String, Failure> {
    let state = read_state(paths)?;
    let filters = filters
        .iter()
        .map(|f| parse(f))
        .collect::<Result<Vec<_>, _>>()?;
    // One line per instance, as Terraform lists them: an instance left with only a deposed
    // object (its current one deleted, the deposed one not yet) is listed too, once.
    let instances: BTreeSet<InstanceAddr> = state
        .resources
        .iter()
        .flat_map(|r| {
            let base = r.addr();
            r.instances
                .iter()
                .map(move |i| base.instance(i.index_key.clone()))
        })
        .collect();
    let mut out = String::new();
    for addr in instances {
        let keep = filters.is_empty()
            || filters
                .iter()
                .any(|f| *f == addr || (f.key.is_none() && f.resource == addr.resource));
        if keep {
            let _ = writeln!(out, "{addr}");
        }
    }
    Ok(out)
}

fn show(paths: &Paths, address: &str) -> Result<String, Failure> {
    let state = read_state(paths)?;
    let addr = parse(address)?;
    let Some(instance) = state.instance(&addr) else {
        return Err(Diagnostic::error(
            "scw::cli::no_such_instance",
            format!("No instance found for the given address {addr}"),
        )
        .with_help("`scwform state list` shows the recorded addresses")
        .into());
    };
    Ok(show_instance(&addr, instance))
}

/// Terraform's `state show` layout, sensitive values redacted: by schema and at every path the
/// state records in `sensitive_attributes` (a map element, a block field).
#[must_use]
pub(crate) fn show_instance(addr: &InstanceAddr, instance: &InstanceState) -> String {
    let schema = crate::schema::resource(&addr.resource.type_name);
    let object = crate::plan::sensitive::marked_object(
        schema,
        &instance.attributes,
        &instance.sensitive_attributes,
    );
    let empty = std::collections::BTreeMap::new();
    let map = object.as_object().unwrap_or(&empty);
    let is_block = |name: &str| schema.is_some_and(|s| s.block(name).is_some());
    let mut out = format!(
        "# {addr}:\nresource \"{}\" \"{}\" {{\n",
        addr.resource.type_name, addr.resource.name
    );
    let plain: Vec<(&String, &Value)> = map
        .iter()
        .filter(|(k, v)| !v.is_null() && !is_block(k))
        .collect();
    let width = plain.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (name, value) in &plain {
        let _ = writeln!(out, "    {name:width$} = {}", format_marked(value, 4));
    }
    for (name, value) in map.iter().filter(|(k, _)| is_block(k)) {
        for item in value.as_list().into_iter().flatten() {
            let Some(fields) = item.as_object() else {
                continue;
            };
            let _ = writeln!(out, "\n    {name} {{");
            let fields: Vec<_> = fields.iter().filter(|(_, v)| !v.is_null()).collect();
            let w = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (k, v) in fields {
                let _ = writeln!(out, "        {k:w$} = {}", format_marked(v, 8));
            }
            out.push_str("    }\n");
        }
    }
    out.push_str("}\n");
    out
}

fn pull(paths: &Paths) -> Result<String, Failure> {
    paths.check_dir()?;
    let site = site(paths)?;
    let state = site
        .backend
        .store(&site.workspace)
        .load()
        .map_err(|e| session::state_diagnostic(&e, "Error reading the state"))?;
    Ok(state.map(|s| s.to_json()).unwrap_or_default())
}

/// The configuration's backend and selected workspace.
fn site(paths: &Paths) -> Result<session::StateSite, Failure> {
    let configured = session::configured(paths)?;
    session::state_site(
        paths,
        configured.backend.as_ref(),
        configured.encryption.as_ref(),
    )
    .map_err(|d| Failure {
        diagnostics: d,
        sources: configured.sources,
    })
}

fn push(args: &crate::cli::args::StatePushArgs, printer: Printer) -> Result<String, Failure> {
    let paths = Paths::new(args.dir.as_ref(), &args.state);
    paths.check_dir()?;
    let origin = args.file.display().to_string();
    let text = if origin == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(&args.file)
    }
    .map_err(|e| {
        Diagnostic::error("scw::cli::state_file", format!("Cannot read {origin}"))
            .with_detail(e.to_string())
    })?;
    let mut state = State::from_json(&text, &origin)
        .map_err(|e| session::state_diagnostic(&e, "The pushed file is not a state"))?;
    let timeout = session::parse_duration(&args.state.lock_timeout).map_err(|e| {
        Diagnostic::error("scw::cli::invalid_duration", "Invalid --lock-timeout").with_detail(e)
    })?;
    let site = site(&paths)?;
    let _lock = if args.state.lock {
        Some(session::lock(&site, "state push", timeout)?)
    } else {
        None
    };
    let outcome = site
        .backend
        .store(&site.workspace)
        .push(&mut state, args.force)
        .map_err(|e| session::state_diagnostic(&e, "Failed to push the state"))?;
    if let crate::state::SaveOutcome::Written { serial } = outcome {
        printer.note(&format!(
            "Pushed the state (lineage {}, serial {serial}).",
            state.lineage
        ));
    }
    Ok(String::new())
}

/// `scwform force-unlock ID`: releases the selected workspace's lock if `ID` is its holder's.
#[must_use]
pub fn force_unlock(args: &crate::cli::args::ForceUnlockArgs, printer: Printer) -> ExitStatus {
    let paths = Paths::new(args.dir.as_ref(), &args.state);
    let result = paths.check_dir().map_err(Failure::from).and_then(|()| {
        let site = site(&paths)?;
        site.backend
            .force_unlock(&site.workspace, &args.id)
            .map_err(|e| Failure::from(session::state_diagnostic(&e, "Failed to unlock state")))
    });
    match result {
        Ok(()) => {
            printer.note(
                "scwform state has been successfully unlocked!\n\nThe state has been unlocked, and scwform commands should now be able to obtain a new lock on the remote state.",
            );
            ExitStatus::Success
        }
        Err(f) => {
            printer.diagnostics(&f.diagnostics, &f.sources);
            ExitStatus::Failure
        }
    }
}

fn edit(
    args: &StateArgs,
    dir: Option<&std::path::PathBuf>,
    operation: &str,
    change: impl FnOnce(&mut State) -> Result<String, Diagnostics>,
) -> Result<String, Failure> {
    let paths = Paths::new(dir, args);
    paths.check_dir()?;
    let timeout = session::parse_duration(&args.lock_timeout).map_err(|e| {
        Diagnostic::error("scw::cli::invalid_duration", "Invalid --lock-timeout").with_detail(e)
    })?;
    let configured = session::configured(&paths)?;
    let site = session::state_site(
        &paths,
        configured.backend.as_ref(),
        configured.encryption.as_ref(),
    )
    .map_err(|d| Failure {
        diagnostics: d,
        sources: configured.sources,
    })?;
    let _lock = if args.lock {
        Some(session::lock(&site, operation, timeout)?)
    } else {
        None
    };
    let store = site.backend.store(&site.workspace);
    let mut state = store
        .load()
        .map_err(|e| session::state_diagnostic(&e, "Error reading the state"))?
        .unwrap_or_default();
    let text = change(&mut state)?;
    store
        .save(&mut state)
        .map_err(|e| session::state_diagnostic(&e, "Failed to save the state"))?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn with_deposed(state: &mut State, addr: &InstanceAddr, id: &str, key: &str) {
        state.set_instance(
            addr,
            InstanceState::new(BTreeMap::from([("id".to_owned(), json!(id))])),
        );
        let mut old = InstanceState::new(BTreeMap::from([("id".to_owned(), json!("old"))]));
        old.index_key.clone_from(&addr.key);
        old.deposed = Some(key.to_owned());
        put_deposed(state, addr, vec![old]);
    }

    fn deposed_keys(state: &State, addr: &InstanceAddr) -> Vec<Option<String>> {
        state
            .resource(&addr.resource)
            .map(|r| r.instances.iter().map(|i| i.deposed.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn deposed_objects_go_with_their_instance_when_moved_or_removed() {
        let mut state = State::default();
        let a = InstanceAddr::managed("scaleway_cockpit_token", "a");
        let b = InstanceAddr::managed("scaleway_cockpit_token", "b");
        let other = InstanceAddr::managed("scaleway_cockpit_token", "other");
        with_deposed(&mut state, &a, "new", "1a2b3c4d");
        with_deposed(&mut state, &other, "x", "0f0f0f0f");
        let before = state.clone();

        // A refused move leaves everything where it was.
        assert!(matches!(
            move_to(&mut state, &a, &other),
            Err(StateError::AddressTaken { .. })
        ));
        assert_eq!(state, before);

        move_to(&mut state, &a, &b).expect("b is free");
        assert!(state.resource(&a.resource).is_none(), "nothing left at a");
        assert_eq!(
            deposed_keys(&state, &b),
            [None, Some("1a2b3c4d".to_owned())]
        );

        // Removing b forgets its deposed object too, and nothing of `other`.
        assert_eq!(
            remove(&mut state, &b).expect("recorded"),
            std::slice::from_ref(&b)
        );
        assert!(state.resource(&b.resource).is_none());
        assert_eq!(deposed_keys(&state, &other).len(), 2);

        // An instance with only a deposed object left can be removed.
        state.remove_instance(&other);
        assert_eq!(
            remove(&mut state, &other).expect("recorded"),
            std::slice::from_ref(&other)
        );
        assert!(state.resources.is_empty());
        assert!(matches!(
            remove(&mut state, &other),
            Err(StateError::NoSuchAddress { .. })
        ));
    }

    #[test]
    fn show_redacts_secrets_and_lays_out_blocks() {
        let addr = InstanceAddr::managed("scaleway_cockpit_token", "main");
        let instance = InstanceState::new(BTreeMap::from([
            ("id".to_owned(), json!("fr-par/1")),
            ("name".to_owned(), json!("main")),
            ("secret_key".to_owned(), json!("very-secret")),
            (
                "scopes".to_owned(),
                json!([{"query_logs": true, "write_logs": false}]),
            ),
        ]));
        let text = show_instance(&addr, &instance);
        assert!(!text.contains("very-secret"), "{text}");
        assert_eq!(
            text,
            "# scaleway_cockpit_token.main:\nresource \"scaleway_cockpit_token\" \"main\" {\n    id         = \"fr-par/1\"\n    name       = \"main\"\n    secret_key = (sensitive value)\n\n    scopes {\n        query_logs = true\n        write_logs = false\n    }\n}\n"
        );
    }
}
