//! Discovery (`scwform import --discover`, beyond Terraform): every object of the managed
//! types that the credentials can see, read through the types' list endpoints.
//!
//! The lists are the ones list refresh reads ([`ResourceApi::listing`], narrowed to a project
//! or a parent), and each listed item becomes state-form attributes through the type's own
//! [`ResourceApi::read_listed`] (or a `read` when the item cannot stand for one, as for an
//! object in a transient status): there is no other mapping from API objects to attributes,
//! so what is discovered is what an import records.
//!
//! Order of discovery (each list filtered, so that the real API accepts it): the projects
//! (the given ones, or the organization's), then in each region and project the Cockpit
//! tokens and the two kinds of namespace, then each container namespace's containers and
//! tokens, each container's tokens, each function namespace's tokens, and the tokens of each
//! function of a function namespace. Functions themselves are not a managed type: they are
//! listed only to find the tokens scoped to them, and given back by name
//! ([`Discovery::functions`]) so that the configuration can say which function a token is for.
//!
//! Depends on `api::resources` and `schema`.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use super::ApiLookup;
use crate::api::client::Query;
use crate::api::resources::{ApiContext, Attributes, ListRequest, ResourceApi};

/// What to look through.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// These projects (UUIDs); empty: every project of the organization.
    pub projects: Vec<String>,
    /// These regions (the caller checks them and chooses the default, every region).
    pub regions: Vec<String>,
}

/// One object found.
#[derive(Debug, Clone)]
pub struct Discovered {
    /// Its type.
    pub type_name: &'static str,
    /// Its ID, as the state records it (and `import` takes it).
    pub id: String,
    /// Its attributes in state form.
    pub attributes: Attributes,
}

/// A function (`scaleway_function`, which scwform does not manage) that discovered function
/// tokens may be scoped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// Its ID, `{region}/{uuid}` (as a token's `function_id` records it).
    pub id: String,
    /// Its name.
    pub name: String,
}

/// What discovery found.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// The objects of the managed types, parents before children.
    pub objects: Vec<Discovered>,
    /// The functions of the function namespaces found (listed to find the tokens scoped to
    /// them).
    pub functions: Vec<Function>,
}

/// Why discovery stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscoverError {
    /// No project was given and the organization is not known.
    #[error(
        "no organization to list the projects of: give --project, or set the organization (SCW_DEFAULT_ORGANIZATION_ID)"
    )]
    NoOrganization,
    /// A project given does not exist (or cannot be seen).
    #[error("project {0} not found")]
    ProjectNotFound(String),
    /// A project ID or region given is malformed.
    #[error("{0}")]
    Invalid(String),
    /// A list or read failed.
    #[error("{what}: {message}")]
    Api {
        /// What was being read.
        what: String,
        /// The API's answer.
        message: String,
    },
}

const NIL: &str = "00000000-0000-0000-0000-000000000000";

/// Finds every object in `scope`, parents before children.
///
/// # Errors
/// A malformed scope, a project that does not exist, a list or read that failed.
pub async fn discover(
    cx: &ApiContext,
    lookup: &ApiLookup,
    scope: &Scope,
) -> Result<Discovery, DiscoverError> {
    let mapping = |t: &str| {
        lookup(t).ok_or_else(|| DiscoverError::Invalid(format!("no API mapping for {t}")))
    };
    let regions = &scope.regions;
    let mut found = Vec::new();
    let mut functions = Vec::new();
    let projects = projects(cx, mapping("scaleway_account_project")?, scope).await?;
    let project_ids: Vec<String> = projects.iter().map(|p| p.id.clone()).collect();
    found.extend(projects);
    for region in regions {
        for project in &project_ids {
            let mut in_project = Vec::new();
            for ty in [
                "scaleway_cockpit_token",
                "scaleway_container_namespace",
                "scaleway_function_namespace",
            ] {
                let api = mapping(ty)?;
                let prior = stub(region, &[("project_id", project)]);
                in_project.extend(listed(cx, api, &prior, region).await?);
            }
            let mut children = Vec::new();
            for parent in &in_project {
                let parent_ref = &parent.id;
                match parent.type_name {
                    "scaleway_container_namespace" => {
                        let containers = listed(
                            cx,
                            mapping("scaleway_container")?,
                            &stub(region, &[("namespace_id", parent_ref)]),
                            region,
                        )
                        .await?;
                        let tokens = mapping("scaleway_container_token")?;
                        children.extend(
                            listed(
                                cx,
                                tokens,
                                &stub(region, &[("namespace_id", parent_ref)]),
                                region,
                            )
                            .await?,
                        );
                        for c in &containers {
                            children.extend(
                                listed(
                                    cx,
                                    tokens,
                                    &stub(region, &[("container_id", &c.id)]),
                                    region,
                                )
                                .await?,
                            );
                        }
                        children.extend(containers);
                    }
                    "scaleway_function_namespace" => {
                        let tokens = mapping("scaleway_function_token")?;
                        children.extend(
                            listed(
                                cx,
                                tokens,
                                &stub(region, &[("namespace_id", parent_ref)]),
                                region,
                            )
                            .await?,
                        );
                        // A token scoped to one function is not in its namespace's list.
                        for f in functions_of(cx, region, parent_ref).await? {
                            children.extend(
                                listed(
                                    cx,
                                    tokens,
                                    &stub(region, &[("function_id", &f.id)]),
                                    region,
                                )
                                .await?,
                            );
                            functions.push(f);
                        }
                    }
                    _ => {}
                }
            }
            found.extend(in_project);
            found.extend(children);
        }
    }
    // A token listed under both its container and its namespace is one object.
    let mut seen = BTreeSet::new();
    found.retain(|d| seen.insert((d.type_name, d.id.clone())));
    Ok(Discovery {
        objects: found,
        functions,
    })
}

/// The functions of the function namespace `namespace` (`{region}/{uuid}`).
async fn functions_of(
    cx: &ApiContext,
    region: &str,
    namespace: &str,
) -> Result<Vec<Function>, DiscoverError> {
    let uuid = namespace.rsplit('/').next().unwrap_or(namespace);
    let path = format!("/functions/v1beta1/regions/{region}/functions");
    let items: Vec<Json> = cx
        .client
        .list_all(
            &path,
            &Query::new().with("namespace_id", uuid),
            "functions",
            100,
        )
        .await
        .map_err(|e| DiscoverError::Api {
            what: format!("listing the functions of {namespace} ({path})"),
            message: e.to_string(),
        })?;
    Ok(items
        .iter()
        .filter_map(|item| {
            Some(Function {
                id: format!("{region}/{}", item.get("id")?.as_str()?),
                name: item.get("name")?.as_str()?.to_owned(),
            })
        })
        .collect())
}

/// The attributes a list is chosen from: a regional `id` (no object's) and the filters.
fn stub(region: &str, filters: &[(&str, &String)]) -> Attributes {
    let mut a = Attributes::from([("id".to_owned(), Json::String(format!("{region}/{NIL}")))]);
    for (k, v) in filters {
        a.insert((*k).to_owned(), Json::String((*v).clone()));
    }
    a
}

/// The projects of the scope.
async fn projects(
    cx: &ApiContext,
    api: &'static dyn ResourceApi,
    scope: &Scope,
) -> Result<Vec<Discovered>, DiscoverError> {
    if scope.projects.is_empty() {
        let organization = cx
            .defaults
            .organization_id
            .ok_or(DiscoverError::NoOrganization)?;
        let prior = Attributes::from([
            ("id".to_owned(), Json::String(NIL.to_owned())),
            (
                "organization_id".to_owned(),
                Json::String(organization.0.to_string()),
            ),
        ]);
        return listed(cx, api, &prior, "").await;
    }
    let mut out = Vec::new();
    for p in &scope.projects {
        if !crate::schema::validation::is_uuid(p) {
            return Err(DiscoverError::Invalid(format!(
                "--project {p:?} is not a project ID (a UUID)"
            )));
        }
        let prior = Attributes::from([("id".to_owned(), Json::String(p.clone()))]);
        match api.read(cx, &prior).await {
            Ok(Some(outcome)) => out.push(discovered(api, outcome.attributes)),
            Ok(None) => return Err(DiscoverError::ProjectNotFound(p.clone())),
            Err(e) if e.is_not_found() => return Err(DiscoverError::ProjectNotFound(p.clone())),
            Err(e) => {
                return Err(DiscoverError::Api {
                    what: format!("reading the project {p}"),
                    message: e.to_string(),
                });
            }
        }
    }
    Ok(out)
}

fn discovered(api: &'static dyn ResourceApi, attributes: Attributes) -> Discovered {
    Discovered {
        type_name: api.type_name(),
        id: attributes
            .get("id")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_owned(),
        attributes,
    }
}

/// The objects of `api`'s type in the list that `prior` (a stub: a regional ID and the list's
/// filter) would be refreshed through: its narrow list when it has one.
async fn listed(
    cx: &ApiContext,
    api: &'static dyn ResourceApi,
    prior: &Attributes,
    region: &str,
) -> Result<Vec<Discovered>, DiscoverError> {
    let Some(listing) = api.listing(prior) else {
        return Err(DiscoverError::Invalid(format!(
            "{} cannot be listed",
            api.type_name()
        )));
    };
    let list: ListRequest = listing.narrow.unwrap_or(listing.wide);
    let items: Vec<Json> = cx
        .client
        .list_all(&list.path, &list.query, list.items_key, list.page_size)
        .await
        .map_err(|e| DiscoverError::Api {
            what: format!("listing {} ({})", api.type_name(), list.path),
            message: e.to_string(),
        })?;
    let mut out = Vec::new();
    for item in items {
        let Some(uuid) = item.get("id").and_then(Json::as_str).map(str::to_owned) else {
            continue;
        };
        let id = if region.is_empty() {
            uuid
        } else {
            format!("{region}/{uuid}")
        };
        let prior = Attributes::from([("id".to_owned(), Json::String(id.clone()))]);
        let outcome = match api.read_listed(&prior, item) {
            Some(outcome) => outcome,
            // A transient status: the read waits it out.
            None => match api.read(cx, &prior).await {
                Ok(Some(outcome)) => outcome,
                Ok(None) => continue,
                Err(e) if e.is_not_found() => continue,
                Err(e) => {
                    return Err(DiscoverError::Api {
                        what: format!("reading {} {id}", api.type_name()),
                        message: e.to_string(),
                    });
                }
            },
        };
        out.push(discovered(api, outcome.attributes));
    }
    Ok(out)
}
