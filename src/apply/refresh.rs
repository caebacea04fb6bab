//! Refresh: read every recorded object through its API mapping, so that the planner compares
//! the configuration with the real objects.
//!
//! Reads run concurrently (at most `parallelism` at a time). An object the API no longer has
//! (404) is removed from the refreshed state; any other error is reported for that object and
//! its recorded attributes are kept (the caller decides whether planning may go on).
//!
//! Invariants: the input state is never changed (a refreshed copy is returned); only managed
//! root-module objects of types with a mapping are read; deposed objects are left as they are.
//!
//! Depends on `api::resources`, `state` and the executor's events and values.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::ApiLookup;
use super::events::{Event, Events};
use super::values::instance_state;
use crate::api::resources::{ApiContext, Attributes, Outcome};
use crate::model::ids::ResourceAddr;
use crate::plan::model_addr;
use crate::state::{InstanceAddr, State};

/// What a refresh found.
#[derive(Debug)]
pub struct RefreshReport {
    /// The state with every readable object as the API sees it now.
    pub state: State,
    /// How many read operations were made (one per object).
    pub calls: usize,
    /// Objects the API no longer has (dropped from the refreshed state), sorted.
    pub removed: Vec<ResourceAddr>,
    /// Objects that could not be read, with the API's message, sorted.
    pub errors: Vec<(ResourceAddr, String)>,
    /// Warnings from the mappings.
    pub warnings: Vec<(ResourceAddr, String)>,
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
    let mut tasks: JoinSet<(InstanceAddr, ResourceAddr, Result<Option<Outcome>, String>)> =
        JoinSet::new();
    let mut calls = 0;
    for addr in prior.addresses() {
        let Some(model) = model_addr(&addr) else {
            continue;
        };
        let Some(api) = lookup(&addr.resource.type_name) else {
            continue;
        };
        let Some(instance) = prior.instance(&addr) else {
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
                id: attributes
                    .get("id")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned),
            });
            let result = api.read(&cx, &attributes).await.map_err(|e| e.to_string());
            (addr, model, result)
        });
    }
    let mut state = prior.clone();
    let mut removed = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let Ok((addr, model, result)) = joined else {
            continue;
        };
        match result {
            Ok(Some(outcome)) => {
                warnings.extend(outcome.warnings.iter().map(|w| (model.clone(), w.clone())));
                if let (Some(schema), Some(old)) = (
                    crate::schema::resource(&addr.resource.type_name),
                    state.instance(&addr).cloned(),
                ) {
                    let deps: Vec<ResourceAddr> = old
                        .dependencies
                        .iter()
                        .map(|d| ResourceAddr::new(&d.type_name, &d.name))
                        .collect();
                    let mut fresh = instance_state(
                        schema,
                        outcome.attributes,
                        &deps,
                        old.create_before_destroy,
                    );
                    fresh.dependencies = old.dependencies;
                    fresh.status = old.status;
                    fresh.schema_version = old.schema_version;
                    fresh.private = old.private;
                    fresh.extra = old.extra;
                    state.set_instance(&addr, fresh);
                }
            }
            Ok(None) => {
                state.remove_instance(&addr);
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
