//! Refresh: read every recorded object through its API mapping, so that the planner compares
//! the configuration with the real objects.
//!
//! Reads run concurrently (at most `parallelism` at a time). With list refresh on, objects that
//! share a list endpoint are read a page at a time (see [`refresh_with`]); an object a list does
//! not show is read with its own `GET`. An object the API no longer has (its own `GET` answers
//! 404) is removed from the refreshed state; any other error is reported for that object and
//! its recorded attributes are kept (the caller decides whether planning may go on).
//!
//! Deposed objects (left by a create-first replacement whose delete failed) are read too, as
//! Terraform does: one deleted outside is dropped, so the plan does not try to delete it again.
//!
//! Invariants: the input state is never changed (a refreshed copy is returned); only managed
//! root-module objects of types with a mapping are read; a deposed object keeps its key; an
//! object is declared gone only from its own read, never from a list's silence; list refresh
//! and one read per object give the same refreshed state.
//!
//! Depends on `api::resources`, `state` and the executor's events and values.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::ApiLookup;
use super::events::{Event, Events};
use super::values::instance_state;
use crate::addr::InstanceAddr;
use crate::api::client::ListPage;
use crate::api::error::ClientError;
use crate::api::resources::{ApiContext, Attributes, ListRequest, Listing, Outcome, ResourceApi};
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

/// Objects of one list are read through it when at least this many share it; fewer are read
/// with one `GET` each. A list page costs one call however many objects it holds, and a single
/// object absent from its list costs a confirming `GET` on top: with one object a `GET` is never
/// more calls, from two on a one-page list is fewer (see docs/performance.md, *Refresh*).
pub const LIST_THRESHOLD: usize = 2;

/// How to refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshOptions {
    /// At most this many API calls at once.
    pub parallelism: usize,
    /// Read objects that share a list through it (`false`: one `GET` per object).
    pub lists: bool,
}

/// What a refresh found.
#[derive(Debug)]
pub struct RefreshReport {
    /// The state with every readable object as the API sees it now.
    pub state: State,
    /// How many read operations were made: one per object read on its own, one per list page.
    pub calls: usize,
    /// How many objects were read (current and deposed).
    pub objects: usize,
    /// How many HTTP requests the client sent meanwhile (retries and status polls included).
    pub requests: u64,
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

/// One object to read.
struct Pending {
    object: Object,
    model: InstanceAddr,
    attributes: Attributes,
    api: &'static dyn ResourceApi,
    /// Where it is listed (`None`: read on its own).
    listing: Option<Listing>,
}

impl Pending {
    fn announce(&self, events: &Events) {
        events.send(Event::Refreshing {
            addr: self.model.clone(),
            deposed: self.object.1.clone(),
            id: self
                .attributes
                .get("id")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned),
        });
    }
}

/// Which of an object's lists a list read reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Width {
    Wide,
    Narrow,
}

/// What one task found.
enum Found {
    /// One object read on its own.
    Read(Object, InstanceAddr, Result<Option<Outcome>, String>),
    /// A list read: the objects it answered for; those it could not (absent from the whole
    /// list, their item unable to stand for a read, or the list failed); those it gave up on
    /// because the pages left cost more than other reads (`abandoned`); how many pages it read.
    Listed {
        width: Width,
        read: Vec<(Object, InstanceAddr, Outcome)>,
        unresolved: Vec<Pending>,
        abandoned: Vec<Pending>,
        pages: usize,
    },
}

/// Reads every recorded object of `prior`, each with its own `GET`.
pub async fn refresh(
    prior: &State,
    cx: Arc<ApiContext>,
    lookup: &ApiLookup,
    parallelism: usize,
    events: &Events,
) -> RefreshReport {
    let options = RefreshOptions {
        parallelism,
        lists: false,
    };
    refresh_with(prior, cx, lookup, options, events).await
}

/// Reads every recorded object of `prior`.
///
/// With [`RefreshOptions::lists`], objects of one type and region are read through their
/// type's region-wide list when they are at least [`LIST_THRESHOLD`]; when that list holds so
/// many other objects that its pages would cost more than reading the objects otherwise, it is
/// given up after its first page and the objects are read through their parents' lists
/// (again from [`LIST_THRESHOLD`] objects a parent), or one by one. An object absent from its
/// list, or whose item cannot stand for a read, is read on its own, so "gone" is only ever
/// concluded from its own `GET` answering 404.
pub async fn refresh_with(
    prior: &State,
    cx: Arc<ApiContext>,
    lookup: &ApiLookup,
    options: RefreshOptions,
    events: &Events,
) -> RefreshReport {
    let started = Instant::now();
    let requests_before = cx.client.requests();
    let semaphore = Arc::new(Semaphore::new(options.parallelism.max(1)));
    let mut tasks: JoinSet<Found> = JoinSet::new();
    let mut pending = Vec::new();
    for (addr, deposed, instance) in objects(prior) {
        let Some(model) = model_addr(&addr) else {
            continue;
        };
        let Some(api) = lookup(&addr.resource.type_name) else {
            continue;
        };
        let attributes = instance.attributes.clone();
        let listing = if options.lists {
            api.listing(&attributes)
        } else {
            None
        };
        let p = Pending {
            object: (addr, deposed),
            model,
            attributes,
            api,
            listing,
        };
        p.announce(events);
        pending.push(p);
    }
    let objects_read = pending.len();
    spawn_lists(&mut tasks, &cx, &semaphore, pending, Width::Wide);
    let mut state = prior.clone();
    let mut calls = 0;
    let mut removed = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let Ok(found) = joined else {
            continue;
        };
        match found {
            Found::Read(object, model, result) => {
                calls += 1;
                match result {
                    Ok(Some(outcome)) => {
                        record(&mut state, &mut warnings, &object, &model, &outcome);
                        refreshed(events, &object, &model, Some(&outcome));
                    }
                    Ok(None) => {
                        refreshed(events, &object, &model, None);
                        let (addr, deposed) = &object;
                        match deposed {
                            Some(key) => super::remove_deposed(&mut state, addr, key),
                            None => {
                                state.remove_instance(addr);
                            }
                        }
                        removed.push(model);
                    }
                    Err(message) => errors.push((model, message)),
                }
            }
            Found::Listed {
                width,
                read,
                unresolved,
                abandoned,
                pages,
            } => {
                calls += pages;
                for (object, model, outcome) in &read {
                    record(&mut state, &mut warnings, object, model, outcome);
                    refreshed(events, object, model, Some(outcome));
                }
                for p in unresolved {
                    spawn_read(&mut tasks, &cx, &semaphore, p);
                }
                match width {
                    Width::Wide => {
                        spawn_lists(&mut tasks, &cx, &semaphore, abandoned, Width::Narrow);
                    }
                    Width::Narrow => {
                        for p in abandoned {
                            spawn_read(&mut tasks, &cx, &semaphore, p);
                        }
                    }
                }
            }
        }
    }
    removed.sort();
    errors.sort();
    warnings.sort();
    RefreshReport {
        state,
        calls,
        objects: objects_read,
        requests: cx.client.requests().saturating_sub(requests_before),
        removed,
        errors,
        warnings,
        elapsed: started.elapsed(),
    }
}

/// Groups `pending` by their `width` list and starts a list read for each group of at least
/// [`LIST_THRESHOLD`]; the others are read on their own.
fn spawn_lists(
    tasks: &mut JoinSet<Found>,
    cx: &Arc<ApiContext>,
    semaphore: &Arc<Semaphore>,
    pending: Vec<Pending>,
    width: Width,
) {
    let mut groups: BTreeMap<ListRequest, Vec<Pending>> = BTreeMap::new();
    let mut singles = Vec::new();
    for p in pending {
        let list = p.listing.as_ref().and_then(|l| match width {
            Width::Wide => Some(l.wide.clone()),
            Width::Narrow => l.narrow.clone(),
        });
        match list {
            Some(list) => groups.entry(list).or_default().push(p),
            None => singles.push(p),
        }
    }
    for (list, members) in groups {
        if members.len() < LIST_THRESHOLD {
            singles.extend(members);
        } else {
            tasks.spawn(read_list(
                Arc::clone(cx),
                list,
                members,
                Arc::clone(semaphore),
                width,
            ));
        }
    }
    for p in singles {
        spawn_read(tasks, cx, semaphore, p);
    }
}

/// Reads one object with its own `read` (a `GET`, waiting out transient statuses).
fn spawn_read(
    tasks: &mut JoinSet<Found>,
    cx: &Arc<ApiContext>,
    semaphore: &Arc<Semaphore>,
    pending: Pending,
) {
    let cx = Arc::clone(cx);
    let semaphore = Arc::clone(semaphore);
    tasks.spawn(async move {
        // The semaphore is never closed, so acquiring only waits.
        let _permit = semaphore.acquire_owned().await;
        let result = pending
            .api
            .read(&cx, &pending.attributes)
            .await
            .map_err(|e| e.to_string());
        Found::Read(pending.object, pending.model, result)
    });
}

/// Reads `list`: its first page, then, unless it gives up, every other page at once (each
/// page one call under the semaphore). It gives up after the first page when the pages left
/// would cost at least as many calls as there are members still to find (each of which costs
/// at most one call another way).
async fn read_list(
    cx: Arc<ApiContext>,
    list: ListRequest,
    members: Vec<Pending>,
    semaphore: Arc<Semaphore>,
    width: Width,
) -> Found {
    let mut wanted: HashMap<String, Vec<Pending>> = HashMap::new();
    for p in members {
        let id = p.listing.as_ref().map(|l| l.id.clone()).unwrap_or_default();
        wanted.entry(id).or_default().push(p);
    }
    let mut listed = Listed::default();
    let list = Arc::new(list);
    let first = read_page(
        Arc::clone(&cx),
        Arc::clone(&list),
        1,
        Arc::clone(&semaphore),
    )
    .await;
    listed.pages += 1;
    let mut complete = true;
    if let Ok(first) = first {
        let total = first.total;
        let seen = first.items.len() as u64;
        listed.take(&mut wanted, first.items);
        let left = total.saturating_sub(seen);
        let pages_left = left.div_ceil(u64::from(list.page_size.max(1)));
        if seen > 0 && left > 0 && !wanted.is_empty() {
            if pages_left >= wanted.len() as u64 {
                complete = false;
            } else {
                // Pages are numbered from 1: the first one is read.
                let last_page = u32::try_from(pages_left + 1).unwrap_or(u32::MAX);
                let mut pages = JoinSet::new();
                for page in 2..=last_page {
                    pages.spawn(read_page(
                        Arc::clone(&cx),
                        Arc::clone(&list),
                        page,
                        Arc::clone(&semaphore),
                    ));
                }
                while let Some(joined) = pages.join_next().await {
                    listed.pages += 1;
                    // A page that failed leaves its objects to their own reads, which report
                    // whatever went wrong as they always did.
                    if let Ok(Ok(page)) = joined {
                        listed.take(&mut wanted, page.items);
                    }
                }
            }
        }
    }
    let rest = wanted.into_values().flatten();
    let abandoned = if complete {
        listed.unresolved.extend(rest);
        Vec::new()
    } else {
        rest.collect()
    };
    Found::Listed {
        width,
        read: listed.read,
        unresolved: listed.unresolved,
        abandoned,
        pages: listed.pages,
    }
}

/// What a list read has settled so far.
#[derive(Default)]
struct Listed {
    read: Vec<(Object, InstanceAddr, Outcome)>,
    unresolved: Vec<Pending>,
    pages: usize,
}

impl Listed {
    /// Settles the members of `wanted` that `items` hold.
    fn take(&mut self, wanted: &mut HashMap<String, Vec<Pending>>, items: Vec<serde_json::Value>) {
        for item in items {
            let Some(members) = item
                .get("id")
                .and_then(serde_json::Value::as_str)
                .and_then(|id| wanted.remove(id))
            else {
                continue;
            };
            for p in members {
                match p.api.read_listed(&p.attributes, item.clone()) {
                    Some(outcome) => self.read.push((p.object, p.model, outcome)),
                    None => self.unresolved.push(p),
                }
            }
        }
    }
}

/// One page of `list`, under the semaphore.
async fn read_page(
    cx: Arc<ApiContext>,
    list: Arc<ListRequest>,
    page: u32,
    semaphore: Arc<Semaphore>,
) -> Result<ListPage, ClientError> {
    // The semaphore is never closed, so acquiring only waits.
    let _permit = semaphore.acquire_owned().await;
    cx.client
        .list_page(
            &list.path,
            &list.query,
            list.items_key,
            page,
            list.page_size,
        )
        .await
}

/// Tells that a read finished: what it found (`None`: the object is gone).
fn refreshed(
    events: &Events,
    (_, deposed): &Object,
    model: &InstanceAddr,
    found: Option<&Outcome>,
) {
    events.send(Event::Refreshed {
        addr: model.clone(),
        deposed: deposed.clone(),
        id: found
            .and_then(|o| o.attributes.get("id"))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned),
    });
}

/// Puts what a read found into `state`.
fn record(
    state: &mut State,
    warnings: &mut Vec<(InstanceAddr, String)>,
    (addr, deposed): &Object,
    model: &InstanceAddr,
    outcome: &Outcome,
) {
    warnings.extend(outcome.warnings.iter().map(|w| (model.clone(), w.clone())));
    let Some(schema) = crate::schema::resource(&addr.resource.type_name) else {
        return;
    };
    let Some(old) = object_mut(state, addr, deposed.as_deref()) else {
        return;
    };
    // What configuration made sensitive stays recorded as such, as Terraform keeps the prior
    // marks through a refresh.
    let fresh = instance_state(schema, outcome.attributes.clone(), &[], false)
        .with_sensitive_paths(std::mem::take(&mut old.sensitive_attributes));
    // Only what the API returns changes: the key, status, deposed key, dependencies and
    // private data stay as recorded.
    old.attributes = fresh.attributes;
    old.sensitive_attributes = fresh.sensitive_attributes;
}
