//! `/account/v3/projects`

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::response::Response;
use axum::routing::get;
use std::sync::Arc;

use super::{AppStateRef, Caller, no_content, ok};
use crate::api::types::ProjectId;
use crate::api::types::account::{
    ArchitectureType, CreateProjectRequest, ListProjectsResponse, Project, Qualification,
    UpdateProjectRequest,
};
use crate::api::types::error::InvalidArgumentReason as Reason;
use crate::emulator::AppState;
use crate::emulator::errors::ApiError;
use crate::emulator::validate::{
    ALL_ORDERS, Kind, Problems, Query, check_body, check_name, opt, parse_id, parse_object, req,
};

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/account/v3/projects", get(list).post(create))
        .route(
            "/account/v3/projects/{project_id}",
            get(read).patch(update).delete(delete),
        )
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound {
        resource: "project_id",
        id: id.to_owned(),
    }
}

/// GET and list responses carry a qualification object; POST and PATCH answers `null`.
fn with_qualification(p: &Project) -> Project {
    let mut p = p.clone();
    if p.qualification.is_none() {
        p.qualification = Some(Qualification {
            architecture_type: ArchitectureType::Unknown,
            other: serde_json::Map::new(),
        });
    }
    p
}

fn project_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ' ')
}

fn check_fields(p: &mut Problems, name: Option<&str>, description: Option<&str>) {
    if let Some(name) = name {
        check_name(
            p,
            "name",
            name,
            1..=64,
            project_name_char,
            "^[a-zA-Z0-9._\\- ]+$",
        );
    }
    if description.is_some_and(|d| d.chars().count() > 200) {
        p.add(
            "description",
            Reason::Constraint,
            "length must be at most 200 characters",
        );
    }
}

async fn create(
    axum::extract::State(st): AppStateRef,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body: CreateProjectRequest = check_body(
        parse_object(&body)?,
        &[
            req("name", Kind::Str),
            req("organization_id", Kind::Uuid),
            opt("description", Kind::Str),
        ],
    )?;
    let mut p = Problems::default();
    check_fields(&mut p, Some(&body.name), body.description.as_deref());
    p.finish()?;
    if body.organization_id != caller.org {
        return Err(ApiError::PermissionsDenied {
            resource: "project",
            action: "write",
        });
    }
    let now = st.now();
    let project = Project {
        id: ProjectId(st.ids.next_id()),
        name: body.name,
        organization_id: caller.org,
        created_at: now,
        updated_at: now,
        description: body.description.unwrap_or_default(),
        qualification: None,
    };
    st.write().projects.insert(project.id, project.clone());
    st.persist();
    Ok(ok(&project))
}

async fn read(
    axum::extract::State(st): AppStateRef,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let pid: ProjectId = parse_id("project_id", &id)?;
    let store = st.read();
    let p = store
        .projects
        .get(&pid)
        .filter(|p| p.organization_id == caller.org)
        .ok_or_else(|| not_found(&id))?;
    Ok(ok(&with_qualification(p)))
}

async fn list(
    axum::extract::State(st): AppStateRef,
    caller: Caller,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(q.as_deref());
    let mut p = Problems::default();
    let page = q.page(100, &ALL_ORDERS, &mut p);
    let org = q.uuid::<crate::api::types::OrganizationId>("organization_id", &mut p);
    let mut ids = Vec::new();
    for s in q.all("project_ids") {
        match s.parse::<ProjectId>() {
            Ok(id) => ids.push(id),
            Err(_) => p.add("project_ids", Reason::Format, "must be a list of UUIDs"),
        }
    }
    p.finish()?;
    let name = q.one("name");
    let store = st.read();
    let items: Vec<Project> = store
        .projects
        .values()
        .filter(|p| p.organization_id == caller.org)
        .filter(|p| org.is_none_or(|o| p.organization_id == o))
        .filter(|p| name.is_none_or(|n| p.name == n))
        .filter(|p| ids.is_empty() || ids.contains(&p.id))
        .map(with_qualification)
        .collect();
    drop(store);
    let (projects, total_count) = page.apply(items, |p| p.created_at, |p| &p.name);
    Ok(ok(&ListProjectsResponse {
        total_count,
        projects,
    }))
}

async fn update(
    axum::extract::State(st): AppStateRef,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let pid: ProjectId = parse_id("project_id", &id)?;
    let body: UpdateProjectRequest = check_body(
        parse_object(&body)?,
        &[opt("name", Kind::Str), opt("description", Kind::Str)],
    )?;
    let mut p = Problems::default();
    check_fields(&mut p, body.name.as_deref(), body.description.as_deref());
    p.finish()?;
    let now = st.now();
    let project = {
        let mut store = st.write();
        let project = store
            .projects
            .get_mut(&pid)
            .filter(|p| p.organization_id == caller.org)
            .ok_or_else(|| not_found(&id))?;
        if let Some(name) = body.name {
            project.name = name;
        }
        if let Some(description) = body.description {
            project.description = description;
        }
        project.updated_at = now;
        project.clone()
    };
    st.persist();
    Ok(ok(&project))
}

async fn delete(
    axum::extract::State(st): AppStateRef,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let pid: ProjectId = parse_id("project_id", &id)?;
    {
        let mut store = st.write();
        if store.project_org(pid) != Some(caller.org) {
            return Err(not_found(&id));
        }
        if pid.0 == caller.org.0 {
            return Err(ApiError::PreconditionFailed {
                precondition: "protected_resource",
                help: "the default project of an organization cannot be deleted".to_owned(),
            });
        }
        if store.project_in_use(pid) {
            return Err(ApiError::PreconditionFailed {
                precondition: "resource_still_in_use",
                help: format!("project {id:?} still has resources, delete them first"),
            });
        }
        store.projects.shift_remove(&pid);
    }
    st.persist();
    Ok(no_content())
}
