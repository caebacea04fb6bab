//! `scaleway_account_project` ↔ Account v3 projects (`/account/v3/projects`, global).
//!
//! State form: `id` (bare UUID), `name`, `description`, `organization_id`, `created_at`,
//! `updated_at`. Update patches only a changed `name`/`description`; delete retries
//! `412 resource_not_usable` until the delete timeout and treats 404 as done. `find` lists the
//! organization's projects by name.

use std::time::Duration;

use serde_json::Value as Json;

use super::fields::{Fields, timestamp};
use super::{
    ApiContext, Attributes, Changed, ListRequest, Listing, Outcome, ResourceError, reference_uuid,
};
use crate::api::client::Query;
use crate::api::types::account::{
    CreateProjectRequest, Project as ApiProject, UpdateProjectRequest,
};
use crate::api::types::{OrganizationId, ProjectId};

const TYPE: &str = "scaleway_account_project";
/// The SDK's default operation timeout (the resource declares none).
const TIMEOUT: Duration = Duration::from_secs(20 * 60);
/// Time between delete attempts while the project is "not usable".
const DELETE_RETRY_INTERVAL: Duration = Duration::from_secs(5);

/// The mapping of `scaleway_account_project`.
#[derive(Debug, Clone, Copy)]
pub struct Project;

fn project_path(id: ProjectId) -> String {
    format!("/account/v3/projects/{id}")
}

fn project_id(attrs: &Attributes) -> Result<ProjectId, ResourceError> {
    let f = Fields::new(TYPE, attrs);
    let id = f
        .str("id")?
        .ok_or_else(|| ResourceError::invalid(TYPE, "id", "is not set"))?;
    id.parse()
        .map_err(|_| ResourceError::invalid(TYPE, "id", format!("{id:?} is not a UUID")))
}

/// The state form of a project; attributes the API does not hold are kept from `base`.
fn state(base: &Attributes, p: &ApiProject) -> Attributes {
    let mut out = base.clone();
    out.insert("id".into(), Json::String(p.id.to_string()));
    out.insert("name".into(), Json::String(p.name.clone()));
    out.insert("description".into(), Json::String(p.description.clone()));
    out.insert(
        "organization_id".into(),
        Json::String(p.organization_id.to_string()),
    );
    out.insert("created_at".into(), timestamp(p.created_at));
    out.insert("updated_at".into(), timestamp(p.updated_at));
    out
}

async fn get(cx: &ApiContext, id: ProjectId) -> Result<Option<ApiProject>, ResourceError> {
    match cx.client.get(&project_path(id), &Query::new()).await {
        Ok(p) => Ok(Some(p)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

async fn create(cx: &ApiContext, desired: &Attributes) -> Result<Outcome, ResourceError> {
    let f = Fields::new(TYPE, desired);
    let name = match f.ok_str("name")? {
        Some(name) => name.to_owned(),
        None => cx.names.generate("project"),
    };
    let organization_id: OrganizationId = match f.ok_str("organization_id")? {
        Some(org) => org.parse().map_err(|_| {
            ResourceError::invalid(TYPE, "organization_id", format!("{org:?} is not a UUID"))
        })?,
        None => cx.defaults.organization_id.ok_or_else(|| {
            ResourceError::invalid(
                TYPE,
                "organization_id",
                "is not set and no default organization is configured",
            )
        })?,
    };
    let request = CreateProjectRequest {
        name,
        organization_id,
        // The Go SDK always sends a description, empty when unset.
        description: Some(f.str("description")?.unwrap_or_default().to_owned()),
    };
    let project: ApiProject = cx.client.post("/account/v3/projects", &request).await?;
    Ok(Outcome::new(state(desired, &project)))
}

async fn read(cx: &ApiContext, prior: &Attributes) -> Result<Option<Outcome>, ResourceError> {
    let id = project_id(prior)?;
    Ok(get(cx, id).await?.map(|p| Outcome::new(state(prior, &p))))
}

/// The PATCH body for the attributes in `changed` (the plan's decision).
pub fn project_update_request(
    desired: &Attributes,
    changed: &Changed,
) -> Result<UpdateProjectRequest, ResourceError> {
    let f = Fields::new(TYPE, desired);
    let mut request = UpdateProjectRequest::default();
    if changed.contains("name") {
        request.name = f.ok_str("name")?.map(str::to_owned);
    }
    if changed.contains("description") {
        request.description = Some(f.str("description")?.unwrap_or_default().to_owned());
    }
    Ok(request)
}

async fn update(
    cx: &ApiContext,
    prior: &Attributes,
    desired: &Attributes,
    changed: &Changed,
) -> Result<Outcome, ResourceError> {
    let id = project_id(prior)?;
    let request = project_update_request(desired, changed)?;
    let mut base = prior.clone();
    base.extend(desired.iter().map(|(k, v)| (k.clone(), v.clone())));
    let project: ApiProject = if request == UpdateProjectRequest::default() {
        get(cx, id).await?.ok_or_else(|| ResourceError::Gone {
            type_name: TYPE,
            id: id.to_string(),
        })?
    } else {
        cx.client.patch(&project_path(id), &request).await?
    };
    Ok(Outcome::new(state(&base, &project)))
}

async fn delete(cx: &ApiContext, prior: &Attributes) -> Result<(), ResourceError> {
    let id = project_id(prior)?;
    let path = project_path(id);
    let deadline = tokio::time::Instant::now() + cx.waits.timeout(TIMEOUT);
    let interval = cx.waits.interval(DELETE_RETRY_INTERVAL);
    loop {
        match cx.client.delete_no_content(&path).await {
            Ok(()) => return Ok(()),
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e)
                if e.api().is_some_and(|a| {
                    a.status == 412 && a.precondition.as_deref() == Some("resource_not_usable")
                }) && tokio::time::Instant::now() + interval <= deadline =>
            {
                tracing::debug!(error = %e, "project not usable yet; retrying the delete");
                tokio::time::sleep(interval).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The projects of the organization a create with `lookup` would use that bear its name (the
/// API's `name` filter also matches parts of names: only exact matches are kept).
async fn find(cx: &ApiContext, lookup: &Attributes) -> Result<Option<Vec<Outcome>>, ResourceError> {
    let f = Fields::new(TYPE, lookup);
    let Some(name) = f.ok_str("name")? else {
        return Ok(None);
    };
    let organization_id = match f.ok_str("organization_id")? {
        Some(org) => org.to_owned(),
        None => match cx.defaults.organization_id {
            Some(org) => org.to_string(),
            None => return Ok(None),
        },
    };
    let query = Query::new()
        .with("organization_id", &organization_id)
        .with("name", name)
        .with("order_by", "created_at_asc");
    let projects: Vec<ApiProject> = cx
        .client
        .list_all("/account/v3/projects", &query, "projects", 100)
        .await?;
    Ok(Some(
        projects
            .iter()
            .filter(|p| p.name == name)
            .map(|p| Outcome::new(state(lookup, p)))
            .collect(),
    ))
}

/// The organization's projects (the API allows 100 a page).
fn listing(prior: &Attributes) -> Option<Listing> {
    let id = project_id(prior).ok()?;
    let organization = reference_uuid(prior, "organization_id")?;
    Some(Listing {
        wide: ListRequest {
            path: "/account/v3/projects".to_owned(),
            query: Query::new().with("organization_id", organization),
            items_key: "projects",
            page_size: 100,
        },
        narrow: None,
        id: id.to_string(),
    })
}

fn read_listed(prior: &Attributes, item: Json) -> Option<Outcome> {
    let project: ApiProject = serde_json::from_value(item).ok()?;
    Some(Outcome::new(state(prior, &project)))
}

resource_api! {
    Project => TYPE,
    create(cx, desired) => create(cx, desired),
    read(cx, prior) => read(cx, prior),
    update(cx, prior, desired, changed) => update(cx, prior, desired, changed),
    delete(cx, prior) => delete(cx, prior),
    find(cx, lookup) => find(cx, lookup),
    listing(prior) => listing(prior),
    read_listed(prior, item) => read_listed(prior, item),
}
