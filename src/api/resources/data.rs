//! Data source reads: what the provider's `ReadContext` of each data source does, over the
//! same API calls and with the same messages.
//!
//! A singular data source finds its object's ID (given, or by an exact name among the API's
//! list answer, which filters loosely), then reads the object through its resource's mapping
//! ([`super::resource_api`]), exactly as the provider's data sources call their resource's
//! read; the lookup arguments the provider sets are added (`project_id`, `namespace_id`,
//! `container_id`). `scaleway_account_projects` lists the organization's projects.
//!
//! Invariants: nothing is written; the messages are the provider's (`no element found with the
//! name …`, `multiple elements found with the name …`, `organization_id is required with name`).
//!
//! Depends on the sibling mappings, `api::client` and `api::types`.

use serde_json::{Value as Json, json};

use super::fields::expand_id;
use super::{ApiContext, Attributes, Defaults, resource_api};
use crate::api::client::Query;

/// The string argument `name` of `args`, when set (null and `""` are unset, as the SDK's
/// `GetOk`).
fn arg<'a>(args: &'a Attributes, name: &str) -> Option<&'a str> {
    args.get(name)
        .and_then(Json::as_str)
        .filter(|s| !s.is_empty())
}

/// The provider's `datasource.FindExact`: the one item named `name`.
fn find_exact<'a>(items: &'a [Json], name: &str) -> Result<&'a Json, String> {
    let mut found = items
        .iter()
        .filter(|i| i.get("name").and_then(Json::as_str) == Some(name));
    match (found.next(), found.next()) {
        (Some(one), None) => Ok(one),
        (Some(_), Some(_)) => Err(format!("multiple elements found with the name {name}")),
        (None, _) => Err(format!("no element found with the name {name}")),
    }
}

fn item_id(item: &Json) -> Result<String, String> {
    item.get("id")
        .and_then(Json::as_str)
        .map(str::to_owned)
        .ok_or_else(|| "the API's answer has no id".to_owned())
}

/// `datasource.NewRegionalID`: `id` with its own region, or `region` when it has none.
fn regional_id(id: &str, region: &str) -> Result<String, String> {
    let (own, uuid) = expand_id("data source", "id", id).map_err(|e| e.to_string())?;
    Ok(format!("{}/{uuid}", own.as_deref().unwrap_or(region)))
}

/// Reads the resource of type `resource_type` whose state ID is `id` through its mapping.
async fn read_object(
    cx: &ApiContext,
    resource_type: &str,
    id: &str,
    not_found: impl FnOnce() -> String,
) -> Result<Attributes, String> {
    let api = resource_api(resource_type)
        .ok_or_else(|| format!("scwform has no API mapping for {resource_type}"))?;
    let prior = Attributes::from([("id".to_owned(), Json::from(id))]);
    match api.read(cx, &prior).await {
        Ok(Some(outcome)) => Ok(outcome.attributes),
        Ok(None) => Err(not_found()),
        Err(e) => Err(e.to_string()),
    }
}

/// Reads the data source `type_name` with the arguments `args` (state form), the provider
/// configuration's defaults (region, project, organization) being `defaults`.
///
/// # Errors
/// The provider's message for a lookup that matched nothing or several objects, or the
/// API's.
pub async fn read_data(
    cx: &ApiContext,
    defaults: &Defaults,
    type_name: &str,
    args: &Attributes,
) -> Result<Attributes, String> {
    let d = defaults;
    match type_name {
        "scaleway_account_project" => account_project(cx, d, args).await,
        "scaleway_account_projects" => account_projects(cx, d, args).await,
        "scaleway_container_namespace" => {
            namespace(cx, d, args, type_name, "/containers/v1/regions").await
        }
        "scaleway_function_namespace" => {
            namespace(cx, d, args, type_name, "/functions/v1beta1/regions").await
        }
        "scaleway_container" => container(cx, d, args).await,
        other => Err(format!("scwform cannot read the data source {other}")),
    }
}

fn organization(defaults: &Defaults, args: &Attributes) -> Option<String> {
    arg(args, "organization_id")
        .map(str::to_owned)
        .or_else(|| defaults.organization_id.map(|o| o.to_string()))
}

async fn list(cx: &ApiContext, path: &str, query: &Query, key: &str) -> Result<Vec<Json>, String> {
    cx.client
        .list_all::<Json>(path, query, key, 100)
        .await
        .map_err(|e| e.to_string())
}

async fn account_project(
    cx: &ApiContext,
    defaults: &Defaults,
    args: &Attributes,
) -> Result<Attributes, String> {
    let id = if let Some(name) = arg(args, "name") {
        let org = organization(defaults, args).ok_or("organization_id is required with name")?;
        let query = Query::new()
            .with("organization_id", &org)
            .with("name", name);
        let projects = list(cx, "/account/v3/projects", &query, "projects").await?;
        item_id(find_exact(&projects, name)?)?
    } else {
        match arg(args, "project_id") {
            Some(id) => id.to_owned(),
            None => defaults
                .project()
                .map(|p| p.to_string())
                .ok_or("project_id was not specified nor found in the provider configuration")?,
        }
    };
    let mut attributes = read_object(cx, "scaleway_account_project", &id, || {
        format!("account project ({id}) not found")
    })
    .await?;
    attributes.insert("project_id".into(), Json::from(id));
    Ok(attributes)
}

async fn account_projects(
    cx: &ApiContext,
    defaults: &Defaults,
    args: &Attributes,
) -> Result<Attributes, String> {
    let org = organization(defaults, args)
        .ok_or("organization_id was not specified nor found in the provider configuration")?;
    let query = Query::new().with("organization_id", &org);
    let projects = list(cx, "/account/v3/projects", &query, "projects").await?;
    let field = |p: &Json, name: &str| p.get(name).cloned().unwrap_or(Json::from(""));
    let listed: Vec<Json> = projects
        .iter()
        .map(|p| {
            json!({
                "id": field(p, "id"),
                "name": field(p, "name"),
                "organization_id": field(p, "organization_id"),
                "created_at": field(p, "created_at"),
                "updated_at": field(p, "updated_at"),
                "description": field(p, "description"),
            })
        })
        .collect();
    // The provider gives each read a random UUID; the organization's is stable, so that a
    // plan after an apply shows nothing changed.
    Ok(Attributes::from([
        ("id".to_owned(), Json::from(org.clone())),
        ("organization_id".to_owned(), Json::from(org)),
        ("projects".to_owned(), Json::Array(listed)),
    ]))
}

fn region(defaults: &Defaults, args: &Attributes) -> String {
    arg(args, "region").map_or_else(|| defaults.region.clone(), str::to_owned)
}

async fn namespace(
    cx: &ApiContext,
    defaults: &Defaults,
    args: &Attributes,
    type_name: &str,
    regions_path: &str,
) -> Result<Attributes, String> {
    let region = region(defaults, args);
    let id = if let Some(id) = arg(args, "namespace_id") {
        id.to_owned()
    } else {
        let name = arg(args, "name").unwrap_or_default();
        let mut query = Query::new().with("name", name);
        if let Some(project) = arg(args, "project_id") {
            query = query.with("project_id", project);
        }
        let path = format!("{regions_path}/{region}/namespaces");
        let namespaces = list(cx, &path, &query, "namespaces").await?;
        item_id(find_exact(&namespaces, name)?)?
    };
    let id = regional_id(&id, &region)?;
    let mut attributes = read_object(cx, type_name, &id, || {
        format!("{type_name} ({id}) not found")
    })
    .await?;
    attributes.insert("namespace_id".into(), Json::from(id));
    Ok(attributes)
}

async fn container(
    cx: &ApiContext,
    defaults: &Defaults,
    args: &Attributes,
) -> Result<Attributes, String> {
    let region = region(defaults, args);
    let namespace = arg(args, "namespace_id").unwrap_or_default();
    let id = if let Some(id) = arg(args, "container_id") {
        id.to_owned()
    } else {
        let name = arg(args, "name").unwrap_or_default();
        let (_, namespace_uuid) = expand_id("scaleway_container", "namespace_id", namespace)
            .map_err(|e| e.to_string())?;
        let mut query = Query::new()
            .with("name", name)
            .with("namespace_id", namespace_uuid);
        if let Some(project) = arg(args, "project_id") {
            query = query.with("project_id", project);
        }
        let path = format!("/containers/v1/regions/{region}/containers");
        let containers = list(cx, &path, &query, "containers").await?;
        item_id(find_exact(&containers, name)?)?
    };
    let id = regional_id(&id, &region)?;
    let mut attributes = read_object(cx, "scaleway_container", &id, || {
        format!("scaleway_container ({id}) not found")
    })
    .await?;
    attributes.insert("container_id".into(), Json::from(id));
    if let Some(project) = arg(args, "project_id") {
        attributes.insert("project_id".into(), Json::from(project));
    }
    Ok(attributes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_exact_keeps_the_one_exact_name_with_the_providers_messages() {
        let items = vec![
            json!({"id": "1", "name": "app"}),
            json!({"id": "2", "name": "app-2"}),
            json!({"id": "3", "name": "twin"}),
            json!({"id": "4", "name": "twin"}),
        ];
        assert_eq!(item_id(find_exact(&items, "app").unwrap()).unwrap(), "1");
        assert_eq!(
            find_exact(&items, "ap").unwrap_err(),
            "no element found with the name ap"
        );
        assert_eq!(
            find_exact(&items, "twin").unwrap_err(),
            "multiple elements found with the name twin"
        );
    }

    #[test]
    fn regional_ids_keep_their_own_region() {
        let uuid = "11111111-1111-1111-1111-111111111111";
        assert_eq!(
            regional_id(uuid, "fr-par").unwrap(),
            format!("fr-par/{uuid}")
        );
        assert_eq!(
            regional_id(&format!("nl-ams/{uuid}"), "fr-par").unwrap(),
            format!("nl-ams/{uuid}")
        );
    }
}
