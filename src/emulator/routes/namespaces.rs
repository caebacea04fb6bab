//! What the namespace routes of Serverless Containers (v1) and Serverless Functions (v1beta1)
//! share. Both products keep namespaces the same way: visible to their organization in one
//! region, names unique per project and region, the same read, list, delete and "refuse while
//! transient" behaviour. They differ in their request bodies, their secret semantics (v1
//! replaces the map, v1beta1 merges a list), the status an update moves to, what a delete
//! cascades to and their "not found" answer: those stay in each product's file, behind
//! [`NamespaceRecord`].
//!
//! Invariants: every helper checks visibility on the record it reads or changes, settles the
//! record's lifecycle before changing it, and persists the store after a write.
//!
//! Depends on the emulator's store, lifecycle and validation, and `api::types` only.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use serde::Serialize;

use super::{AppStateRef, Caller, ok};
use crate::api::types::{NamespaceId, OrganizationId, ProjectId};
use crate::emulator::AppState;
use crate::emulator::errors::ApiError;
use crate::emulator::lifecycle::{self, Lifecycle, Table};
use crate::emulator::store::{Store, Target};
use crate::emulator::validate::{ALL_ORDERS, Problems, Query, check_region, parse_id};

/// The fields of a namespace the shared routes look at.
pub(super) struct Identity<'a> {
    pub(super) id: NamespaceId,
    pub(super) organization_id: OrganizationId,
    pub(super) project_id: ProjectId,
    pub(super) region: &'a str,
    pub(super) name: &'a str,
    pub(super) created_at: jiff::Timestamp,
}

/// A product's namespace record in the emulator's store.
pub(super) trait NamespaceRecord: Lifecycle + Sized {
    /// The namespace as the API answers it.
    type Namespace: Serialize + Clone;

    /// The list answer.
    type List: Serialize;

    /// The store table.
    const TABLE: Table<NamespaceId, Self>;

    /// The product's answer for a namespace it does not have (`id` as given in the path).
    fn not_found(id: &str) -> ApiError;

    /// The list answer for one page and the total.
    fn list_response(namespaces: Vec<Self::Namespace>, total_count: u64) -> Self::List;

    /// Removes what a namespace being deleted takes with it.
    fn cascade(store: &mut Store, id: NamespaceId);

    /// The fields the shared routes look at.
    fn identity(ns: &Self::Namespace) -> Identity<'_>;

    /// The namespace.
    fn namespace(&self) -> &Self::Namespace;

    /// Its status's API name when it is transient (a change is then refused).
    fn transient_status(&self) -> Option<String>;

    /// Whether it is being deleted.
    fn is_deleting(&self) -> bool;

    /// Moves it to `deleting` at `now` (its pending step is set by the caller).
    fn start_deleting(&mut self, now: jiff::Timestamp);
}

/// The API name of a status enum value (`""` if it has none).
pub(super) fn status_name<T: Serialize>(status: T) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Whether the caller sees `rec` in `region`.
pub(super) fn visible<R: NamespaceRecord>(caller: Caller, region: &str) -> impl Fn(&R) -> bool {
    move |rec| {
        let n = R::identity(rec.namespace());
        n.organization_id == caller.org && n.region == region
    }
}

/// The path's region and namespace ID, checked.
pub(super) fn path_id(region: &str, id: &str) -> Result<NamespaceId, ApiError> {
    check_region(region)?;
    parse_id("namespace_id", id)
}

/// Records a new namespace, unless its project already has one of that name in that region:
/// `make` builds the record (under the store's lock).
pub(super) fn insert<R: NamespaceRecord>(
    st: &AppState,
    ns: R::Namespace,
    make: impl FnOnce(R::Namespace) -> R,
) -> Result<Response, ApiError> {
    let answer = {
        let mut store = st.write();
        let new = R::identity(&ns);
        if let Some(other) = (R::TABLE.get)(&store).values().find(|rec| {
            let n = R::identity(rec.namespace());
            n.project_id == new.project_id && n.region == new.region && n.name == new.name
        }) {
            return Err(ApiError::AlreadyExists {
                resource: "namespace",
                id: R::identity(other.namespace()).id.to_string(),
                help: format!(
                    "a namespace named {:?} already exists in this project",
                    new.name
                ),
            });
        }
        let id = new.id;
        let rec = make(ns);
        let answer = ok(rec.namespace());
        (R::TABLE.get_mut)(&mut store).insert(id, rec);
        answer
    };
    st.persist();
    Ok(answer)
}

/// `GET …/namespaces/{id}`.
pub(super) async fn get<R: NamespaceRecord>(
    State(st): AppStateRef,
    caller: Caller,
    Path((region, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let nid = path_id(&region, &id)?;
    lifecycle::get(&st, &R::TABLE, &nid, visible(caller, &region), |rec| {
        ok(rec.namespace())
    })
    .ok_or_else(|| R::not_found(&id))
}

/// `GET …/namespaces`, filtered by `organization_id`, `project_id` and `name`, one page of it.
pub(super) async fn list<R: NamespaceRecord>(
    State(st): AppStateRef,
    caller: Caller,
    Path(region): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    check_region(&region)?;
    let q = Query::parse(query.as_deref());
    let mut p = Problems::default();
    let page = q.page(100, &ALL_ORDERS, &mut p);
    let org = q.uuid::<OrganizationId>("organization_id", &mut p);
    let project = q.uuid::<ProjectId>("project_id", &mut p);
    p.finish()?;
    let name = q.one("name");
    let visible = visible::<R>(caller, &region);
    let items = lifecycle::list(
        &st,
        &R::TABLE,
        |rec| {
            let n = R::identity(rec.namespace());
            visible(rec)
                && org.is_none_or(|o| n.organization_id == o)
                && project.is_none_or(|p| n.project_id == p)
                && name.is_none_or(|x| n.name == x)
        },
        |rec| rec.namespace().clone(),
    );
    let (namespaces, total_count) = page.apply(
        items,
        |n| R::identity(n).created_at,
        |n| R::identity(n).name,
    );
    Ok(ok(&R::list_response(namespaces, total_count)))
}

/// `PATCH …/namespaces/{id}` once the body is checked: settles the namespace, runs `prepare`
/// (outside the store's lock: hashing secrets is slow), refuses a transient namespace, then
/// lets `change` update the record at `now` and answers the namespace.
pub(super) fn update<R: NamespaceRecord, P>(
    st: &AppState,
    caller: Caller,
    region: &str,
    (nid, id): (NamespaceId, &str),
    prepare: impl FnOnce() -> P,
    change: impl FnOnce(&mut R, P, jiff::Timestamp),
) -> Result<Response, ApiError> {
    // Settle first, so a namespace whose step is due is not refused as transient.
    lifecycle::get(st, &R::TABLE, &nid, visible(caller, region), |_| ())
        .ok_or_else(|| R::not_found(id))?;
    let prepared = prepare();
    let now = st.now();
    let ns = {
        let mut store = st.write();
        let rec = (R::TABLE.get_mut)(&mut store)
            .get_mut(&nid)
            .filter(|rec| visible::<R>(caller, region)(rec))
            .ok_or_else(|| R::not_found(id))?;
        if let Some(state) = rec.transient_status() {
            return Err(ApiError::TransientState {
                resource: "namespace",
                id: id.to_owned(),
                state,
            });
        }
        change(rec, prepared, now);
        rec.namespace().clone()
    };
    st.persist();
    Ok(ok(&ns))
}

/// `DELETE …/namespaces/{id}`: moves the namespace to `deleting` (once) and removes what it
/// takes with it.
pub(super) async fn delete<R: NamespaceRecord>(
    State(st): AppStateRef,
    caller: Caller,
    Path((region, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let nid = path_id(&region, &id)?;
    lifecycle::get(&st, &R::TABLE, &nid, visible(caller, &region), |_| ())
        .ok_or_else(|| R::not_found(&id))?;
    let now = st.now();
    let ns = {
        let mut store = st.write();
        let rec = (R::TABLE.get_mut)(&mut store)
            .get_mut(&nid)
            .filter(|rec| visible::<R>(caller, &region)(rec))
            .ok_or_else(|| R::not_found(&id))?;
        if !rec.is_deleting() {
            rec.start_deleting(now);
            *rec.pending_mut() = Some(st.pending(Target::Gone));
        }
        let ns = rec.namespace().clone();
        R::cascade(&mut store, nid);
        ns
    };
    st.persist();
    Ok(ok(&ns))
}
