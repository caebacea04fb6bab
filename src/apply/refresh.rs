//! Refresh: read every recorded object through its API mapping, so that the planner compares
//! the configuration with the real objects.
//!
//! Reads run concurrently (at most `parallelism` at a time). An object the API no longer has
//! (404) is removed from the refreshed state; any other error is reported for that object and
//! its recorded attributes are kept (the caller decides whether planning may go on).
//!
//! Deposed objects (left by a create-first replacement whose delete failed) are read too, as
//! Terraform does: one deleted outside is dropped, so the plan does not try to delete it again.
//!
//! Invariants: the input state is never changed (a refreshed copy is returned); only managed
//! root-module objects of types with a mapping are read; a deposed object keeps its key.
//!
//! Depends on `api::resources`, `state` and the executor's events and values.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::ApiLookup;
use super::events::{Event, Events};
use super::values::instance_state;
use crate::addr::InstanceAddr;
use crate::api::resources::{ApiContext, Attributes, Outcome};
use crate::plan::model_addr;
use crate::state::{InstanceState, State};

/// One recorded object: its instance address and, for a deposed object, its key.
type Object = (InstanceAddr, Option<String>);

/// Every recorded object of `state`, current and deposed, in state order.
fn objects(state: &State) -> impl Iterator<Item = (InstanceAddr, Option<String>, &InstanceState)> {
    state.resources.iter().flat_map(|r| {
        let base = r.addr();
        r.instances
            .iter()
            .map(move |i| (base.instance(i.index_key.clone()), i.deposed.clone(), i))
    })
}

/// The recorded object at `addr` (the deposed one `deposed`, or the current one), mutably.
fn object_mut<'s>(
    state: &'s mut State,
    addr: &InstanceAddr,
    deposed: Option<&str>,
) -> Option<&'s mut InstanceState> {
    state
        .resources
        .iter_mut()
        .find(|r| r.addr() == addr.resource)?
        .instances
        .iter_mut()
        .find(|i| i.index_key == addr.key && i.deposed.as_deref() == deposed)
}

/// What a refresh found.
#[derive(Debug)]
pub struct RefreshReport {
    /// The state with every readable object as the API sees it now.
    pub state: State,
    /// How many read operations were made (one per object).
    pub calls: usize,
    /// Objects the API no longer has (dropped from the refreshed state), sorted; deposed
    /// objects are listed under their instance's address.
    pub removed: Vec<InstanceAddr>,
    /// Objects that could not be read, with the API's message, sorted.
    pub errors: Vec<(InstanceAddr, String)>,
    /// Warnings from the mappings.
    pub warnings: Vec<(InstanceAddr, String)>,
    /// How long it took.
    pub elapsed: Duration,
}

/// Reads every recorded object of `prior`.
pub async fn refresh(
    prior: &State,
    cx: Arc<ApiContext>,
    lookup: &ApiLookup,
    parallelism: usize,
    events: &Events,
) -> RefreshReport {
    let started = Instant::now();
    let semaphore = Arc::new(Semaphore::new(parallelism.max(1)));
    let mut tasks: JoinSet<(Object, InstanceAddr, Result<Option<Outcome>, String>)> =
        JoinSet::new();
    let mut calls = 0;
    for (addr, deposed, instance) in objects(prior) {
        let Some(model) = model_addr(&addr) else {
            continue;
        };
        let Some(api) = lookup(&addr.resource.type_name) else {
            continue;
        };
        let attributes: Attributes = instance.attributes.clone();
        calls += 1;
        let cx = Arc::clone(&cx);
        let semaphore = Arc::clone(&semaphore);
        let events = events.clone();
        tasks.spawn(async move {
            // The semaphore is never closed, so acquiring only waits.
            let _permit = semaphore.acquire_owned().await;
            events.send(Event::Refreshing {
                addr: model.clone(),
                deposed: deposed.clone(),
                id: attributes
                    .get("id")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned),
            });
            let result = api.read(&cx, &attributes).await.map_err(|e| e.to_string());
            ((addr, deposed), model, result)
        });
    }
    let mut state = prior.clone();
    let mut removed = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let Ok(((addr, deposed), model, result)) = joined else {
            continue;
        };
        match result {
            Ok(Some(outcome)) => {
                warnings.extend(outcome.warnings.iter().map(|w| (model.clone(), w.clone())));
                let Some(schema) = crate::schema::resource(&addr.resource.type_name) else {
                    continue;
                };
                let Some(old) = object_mut(&mut state, &addr, deposed.as_deref()) else {
                    continue;
                };
                // What configuration made sensitive stays recorded as such, as Terraform keeps
                // the prior marks through a refresh.
                let fresh = instance_state(schema, outcome.attributes, &[], false)
                    .with_sensitive_paths(std::mem::take(&mut old.sensitive_attributes));
                // Only what the API returns changes: the key, status, deposed key, dependencies
                // and private data stay as recorded.
                old.attributes = fresh.attributes;
                old.sensitive_attributes = fresh.sensitive_attributes;
            }
            Ok(None) => {
                match &deposed {
                    Some(key) => super::remove_deposed(&mut state, &addr, key),
                    None => {
                        state.remove_instance(&addr);
                    }
                }
                removed.push(model);
            }
            Err(message) => errors.push((model, message)),
        }
    }
    removed.sort();
    errors.sort();
    warnings.sort();
    RefreshReport {
        state,
        calls,
        removed,
        errors,
        warnings,
        elapsed: started.elapsed(),
    }
}
