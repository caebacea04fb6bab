//! `scaleway_container_namespace`: create, read, update, delete and find by name; plus what
//! both Serverless products' namespaces share (the project to use, search by exact name).

use std::time::Duration;

use serde_json::Value as Json;

use super::{
    NAMESPACE, NAMESPACE_TIMEOUT, POLL, base_path, merged, own_id, secret_patch, secrets,
    status_name,
};
use crate::api::client::Query;
use crate::api::error::ClientError;
use crate::api::resources::fields::{
    Fields, check_region, json_map, json_strings, regional_id, unless_unset,
};
use crate::api::resources::{
    ApiContext, Attributes, Changed, Listing, Outcome, ResourceError, id_region, reference_uuid,
};
use crate::api::retry::wait_until_settled;
use crate::api::types::containers::{
    CreateNamespaceRequest, Namespace as ApiNamespace, UpdateNamespaceRequest,
};
use crate::api::types::{NamespaceId, ProjectId};

pub(super) async fn wait_namespace(
    cx: &ApiContext,
    region: &str,
    id: NamespaceId,
    provider_timeout: Duration,
) -> Result<ApiNamespace, ClientError> {
    let path = format!("{}/namespaces/{id}", base_path(region));
    let query = Query::new();
    wait_until_settled(
        "container namespace",
        cx.waits.wait(POLL, provider_timeout),
        || cx.client.get::<ApiNamespace>(&path, &query),
        |ns| ns.status.is_transient().then(|| status_name(ns.status)),
    )
    .await
}

/// The mapping of `scaleway_container_namespace`.
#[derive(Debug, Clone, Copy)]
pub struct Namespace;

fn namespace_state(base: &Attributes, ns: &ApiNamespace) -> Attributes {
    let mut out = base.clone();
    out.insert("id".into(), Json::String(regional_id(&ns.region, ns.id)));
    out.insert("name".into(), Json::String(ns.name.clone()));
    // As the provider's Read: an unset description is `""`.
    out.insert("description".into(), Json::String(ns.description.clone()));
    out.insert(
        "tags".into(),
        unless_unset(base, "tags", json_strings(&ns.tags)),
    );
    out.insert(
        "environment_variables".into(),
        unless_unset(
            base,
            "environment_variables",
            json_map(&ns.environment_variables),
        ),
    );
    out.insert(
        "secret_environment_variables".into(),
        unless_unset(
            base,
            "secret_environment_variables",
            json_map(&ns.secret_environment_variables),
        ),
    );
    // Containers v1 has no registry: the provider leaves these empty.
    out.insert("registry_endpoint".into(), Json::String(String::new()));
    out.insert("registry_namespace_id".into(), Json::String(String::new()));
    if out.get("destroy_registry").is_none_or(Json::is_null) {
        out.insert("destroy_registry".into(), Json::Bool(false));
    }
    out.insert("region".into(), Json::String(ns.region.clone()));
    out.insert(
        "organization_id".into(),
        Json::String(ns.organization_id.to_string()),
    );
    out.insert("project_id".into(), Json::String(ns.project_id.to_string()));
    out
}

/// The namespace PATCH body for a change from `prior` to `desired`: the fields of the
/// attributes in `changed`, nothing else.
pub fn namespace_update_request(
    prior: &Attributes,
    desired: &Attributes,
    changed: &Changed,
) -> Result<UpdateNamespaceRequest, ResourceError> {
    let f = Fields::new(NAMESPACE, desired);
    let p = Fields::new(NAMESPACE, prior);
    let mut request = UpdateNamespaceRequest::default();
    if changed.contains("description") {
        request.description = Some(f.str("description")?.unwrap_or_default().to_owned());
    }
    if changed.contains("tags") {
        request.tags = Some(f.strings("tags")?.unwrap_or_default());
    }
    if changed.contains("environment_variables") {
        request.environment_variables =
            Some(f.string_map("environment_variables")?.unwrap_or_default());
    }
    if changed.contains("secret_environment_variables") {
        request.secret_environment_variables = Some(secret_patch(
            &f.string_map("secret_environment_variables")?
                .unwrap_or_default(),
            &p.string_map("secret_environment_variables")?
                .unwrap_or_default(),
        ));
    }
    Ok(request)
}

async fn namespace_create(cx: &ApiContext, desired: &Attributes) -> Result<Outcome, ResourceError> {
    let f = Fields::new(NAMESPACE, desired);
    let region = f
        .ok_str("region")?
        .unwrap_or(&cx.defaults.region)
        .to_owned();
    check_region(NAMESPACE, &region)?;
    let project_id = project_id(NAMESPACE, cx, &f)?;
    let request = CreateNamespaceRequest {
        project_id,
        name: match f.ok_str("name")? {
            Some(n) => n.to_owned(),
            None => cx.names.generate("ns"),
        },
        description: f.ok_str("description")?.map(str::to_owned),
        environment_variables: f.ok_string_map("environment_variables")?,
        secret_environment_variables: f
            .ok_string_map("secret_environment_variables")?
            .map(secrets),
        tags: f.ok_strings("tags")?,
    };
    let created: ApiNamespace = cx
        .client
        .post(&format!("{}/namespaces", base_path(&region)), &request)
        .await?;
    let ns = wait_namespace(cx, &region, created.id, NAMESPACE_TIMEOUT)
        .await
        .map_err(|e| {
            ResourceError::created_not_ready(NAMESPACE, namespace_state(desired, &created), &e)
        })?;
    Ok(Outcome::new(namespace_state(desired, &ns)))
}

/// `project_id` as configured, else the default project.
pub(crate) fn project_id(
    ty: &'static str,
    cx: &ApiContext,
    f: &Fields<'_>,
) -> Result<ProjectId, ResourceError> {
    match f.ok_str("project_id")? {
        Some(p) => p
            .parse()
            .map_err(|_| ResourceError::invalid(ty, "project_id", format!("{p:?} is not a UUID"))),
        None => cx.defaults.project().ok_or_else(|| {
            ResourceError::invalid(
                ty,
                "project_id",
                "is not set and no default project is configured",
            )
        }),
    }
}

async fn namespace_read(
    cx: &ApiContext,
    prior: &Attributes,
) -> Result<Option<Outcome>, ResourceError> {
    let (region, id) = own_id(NAMESPACE, prior)?;
    match wait_namespace(cx, &region, NamespaceId(id), NAMESPACE_TIMEOUT).await {
        Ok(ns) => Ok(Some(Outcome::new(namespace_state(prior, &ns)))),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

async fn namespace_update(
    cx: &ApiContext,
    prior: &Attributes,
    desired: &Attributes,
    changed: &Changed,
) -> Result<Outcome, ResourceError> {
    let (region, id) = own_id(NAMESPACE, prior)?;
    let id = NamespaceId(id);
    wait_namespace(cx, &region, id, NAMESPACE_TIMEOUT).await?;
    let request = namespace_update_request(prior, desired, changed)?;
    if request != UpdateNamespaceRequest::default() {
        let _: ApiNamespace = cx
            .client
            .patch(&format!("{}/namespaces/{id}", base_path(&region)), &request)
            .await?;
    }
    let ns = wait_namespace(cx, &region, id, NAMESPACE_TIMEOUT).await?;
    Ok(Outcome::new(namespace_state(&merged(prior, desired), &ns)))
}

async fn namespace_delete(cx: &ApiContext, prior: &Attributes) -> Result<(), ResourceError> {
    let (region, id) = own_id(NAMESPACE, prior)?;
    let id = NamespaceId(id);
    match wait_namespace(cx, &region, id, NAMESPACE_TIMEOUT).await {
        Ok(_) => {}
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    let path = format!("{}/namespaces/{id}", base_path(&region));
    match cx.client.delete::<serde::de::IgnoredAny>(&path).await {
        Ok(_) => {}
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    // Gone means done; a namespace still `deleting` at the timeout is an error.
    match wait_namespace(cx, &region, id, NAMESPACE_TIMEOUT).await {
        Ok(ns) => Err(ResourceError::invalid(
            NAMESPACE,
            "id",
            format!(
                "is still present after delete (status {})",
                status_name(ns.status)
            ),
        )),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The namespaces of the project and region a create with `lookup` would use that bear its
/// name, for both Serverless products: `list_path` gives a region's namespaces path. The API's
/// name filter is loose for namespaces, so the match is exact here.
pub(crate) async fn find_namespaces<T: serde::de::DeserializeOwned>(
    ty: &'static str,
    cx: &ApiContext,
    lookup: &Attributes,
    list_path: impl Fn(&str) -> String,
    name_of: impl Fn(&T) -> &str,
    state_of: impl Fn(&Attributes, &T) -> Attributes,
) -> Result<Option<Vec<Outcome>>, ResourceError> {
    let f = Fields::new(ty, lookup);
    let Some(name) = f.ok_str("name")? else {
        return Ok(None);
    };
    let region = f
        .ok_str("region")?
        .unwrap_or(&cx.defaults.region)
        .to_owned();
    check_region(ty, &region)?;
    let Ok(project_id) = project_id(ty, cx, &f) else {
        return Ok(None);
    };
    let query = Query::new()
        .with("project_id", project_id.to_string())
        .with("name", name)
        .with("order_by", "created_at_asc");
    let namespaces: Vec<T> = cx
        .client
        .list_all(&list_path(&region), &query, "namespaces", 100)
        .await?;
    Ok(Some(
        namespaces
            .iter()
            .filter(|ns| name_of(ns) == name)
            .map(|ns| Outcome::new(state_of(lookup, ns)))
            .collect(),
    ))
}

async fn namespace_find(
    cx: &ApiContext,
    lookup: &Attributes,
) -> Result<Option<Vec<Outcome>>, ResourceError> {
    find_namespaces(
        NAMESPACE,
        cx,
        lookup,
        |region| format!("{}/namespaces", base_path(region)),
        |ns: &ApiNamespace| &ns.name,
        namespace_state,
    )
    .await
}

/// The project's namespaces in the namespace's region (100 a page).
fn namespace_listing(prior: &Attributes) -> Option<Listing> {
    let region = id_region(prior)?;
    let project = reference_uuid(prior, "project_id")?;
    Some(Listing::new(
        &format!("{}/namespaces", base_path(region)),
        Some(("project_id", &project.to_string())),
        "namespaces",
        100,
        prior.get("id")?.as_str()?,
    ))
}

/// A listed namespace stands for a read once settled (a read waits out transient statuses).
fn namespace_read_listed(prior: &Attributes, item: Json) -> Option<Outcome> {
    let ns: ApiNamespace = serde_json::from_value(item).ok()?;
    (!ns.status.is_transient()).then(|| Outcome::new(namespace_state(prior, &ns)))
}

resource_api! {
    Namespace => NAMESPACE,
    create(cx, desired) => namespace_create(cx, desired),
    read(cx, prior) => namespace_read(cx, prior),
    update(cx, prior, desired, changed) => namespace_update(cx, prior, desired, changed),
    delete(cx, prior) => namespace_delete(cx, prior),
    find(cx, lookup) => namespace_find(cx, lookup),
    listing(prior) => namespace_listing(prior),
    read_listed(prior, item) => namespace_read_listed(prior, item),
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn attrs(value: Json) -> Attributes {
        serde_json::from_value(value).expect("an object")
    }

    #[test]
    fn namespace_secrets_patch_keeps_matching_values_and_drops_missing_keys() {
        let salt =
            argon2::password_hash::SaltString::encode_b64(b"0123456789abcdef").expect("salt");
        let params = argon2::Params::new(256, 1, 1, None).expect("params");
        let hash = |v: &str| {
            use argon2::password_hash::PasswordHasher;
            argon2::Argon2::new(
                argon2::Algorithm::Argon2id,
                argon2::Version::V0x13,
                params.clone(),
            )
            .hash_password(v.as_bytes(), &salt)
            .expect("hash")
            .to_string()
        };
        let prior = attrs(
            json!({"secret_environment_variables": {"A": hash("1"), "B": hash("2")}, "tags": ["t"]}),
        );
        let same =
            attrs(json!({"secret_environment_variables": {"A": "1", "B": "2"}, "tags": ["t"]}));
        let secrets = Changed::from_paths(["secret_environment_variables"]);
        let body =
            serde_json::to_value(namespace_update_request(&prior, &same, &secrets).expect("valid"))
                .expect("json");
        assert_eq!(
            body,
            json!({"secret_environment_variables": {"A": "", "B": ""}}),
            "values still matching their hash are kept"
        );
        let changed = attrs(json!({"secret_environment_variables": {"A": "1", "C": "3"}}));
        let both = Changed::from_paths(["secret_environment_variables", "tags"]);
        let body =
            serde_json::to_value(namespace_update_request(&prior, &changed, &both).expect("valid"))
                .expect("json");
        assert_eq!(
            body,
            json!({"secret_environment_variables": {"A": "", "C": "3"}, "tags": []})
        );
    }
}
