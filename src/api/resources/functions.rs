//! Serverless Functions v1beta1: `scaleway_function_namespace`
//! (`/functions/v1beta1/regions/{region}/namespaces`) and `scaleway_function_token`.
//!
//! Namespaces wait as the provider does: polled every 5 s while `creating`, `pending` or
//! `deleting`, 5 min per operation. Secret variables travel as `[{key, value}]` lists; an
//! update sends only new or changed secrets plus `{key, value: null}` for removed ones.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value as Json;

use super::fields::{
    Fields, check_region, json_map, json_strings, parse_regional_id, regional_id, unless_unset,
};
use super::tokens::{NewToken, TokenKind, TokenView};
use super::{
    ApiContext, Attributes, Changed, Listing, Outcome, ResourceError, id_region, reference_uuid,
    secret_matches,
};
use crate::api::client::Query;
use crate::api::error::ClientError;
use crate::api::retry::wait_until_settled;
use crate::api::types::common::Secret;
use crate::api::types::functions::{
    CreateNamespaceRequest, CreateTokenRequest, Namespace as ApiNamespace, SecretVariable,
    Token as ApiToken, UpdateNamespaceRequest,
};
use crate::api::types::{FunctionId, NamespaceId};

const NAMESPACE: &str = "scaleway_function_namespace";
const TOKEN: &str = "scaleway_function_token";
const POLL: Duration = Duration::from_secs(5);
const TIMEOUT: Duration = Duration::from_secs(5 * 60);

fn namespace_path(region: &str, id: NamespaceId) -> String {
    format!("/functions/v1beta1/regions/{region}/namespaces/{id}")
}

fn status_name(ns: &ApiNamespace) -> String {
    serde_json::to_value(ns.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

async fn wait_namespace(
    cx: &ApiContext,
    region: &str,
    id: NamespaceId,
) -> Result<ApiNamespace, ClientError> {
    let path = namespace_path(region, id);
    let query = Query::new();
    wait_until_settled(
        "function namespace",
        cx.waits.wait(POLL, TIMEOUT),
        || cx.client.get::<ApiNamespace>(&path, &query),
        |ns| ns.status.is_transient().then(|| status_name(ns)),
    )
    .await
}

/// The mapping of `scaleway_function_namespace`.
#[derive(Debug, Clone, Copy)]
pub struct Namespace;

fn own_id(attrs: &Attributes) -> Result<(String, NamespaceId), ResourceError> {
    let id = Fields::new(NAMESPACE, attrs)
        .str("id")?
        .ok_or_else(|| ResourceError::invalid(NAMESPACE, "id", "is not set"))?;
    parse_regional_id(NAMESPACE, "id", id).map(|(r, u)| (r, NamespaceId(u)))
}

fn namespace_state(base: &Attributes, ns: &ApiNamespace) -> Attributes {
    let mut out = base.clone();
    let hashes: BTreeMap<String, String> = ns
        .secret_environment_variables
        .iter()
        .map(|s| (s.key.clone(), s.hashed_value.clone()))
        .collect();
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
        unless_unset(base, "secret_environment_variables", json_map(&hashes)),
    );
    out.insert(
        "registry_endpoint".into(),
        Json::String(ns.registry_endpoint.clone()),
    );
    out.insert(
        "registry_namespace_id".into(),
        Json::String(ns.registry_namespace_id.clone()),
    );
    out.insert("region".into(), Json::String(ns.region.clone()));
    out.insert(
        "organization_id".into(),
        Json::String(ns.organization_id.to_string()),
    );
    out.insert("project_id".into(), Json::String(ns.project_id.to_string()));
    out
}

/// The v1beta1 secret changes (merge semantics), or `None` when nothing changed: new or
/// changed keys with their plaintext, removed keys with `value: null`; unchanged keys (whose
/// configured value still verifies against the recorded hash) are left out.
pub(crate) fn secret_changes(
    desired: &BTreeMap<String, String>,
    prior: &BTreeMap<String, String>,
) -> Option<Vec<SecretVariable>> {
    let mut changes: Vec<SecretVariable> = desired
        .iter()
        .filter(|(key, value)| {
            !prior
                .get(*key)
                .is_some_and(|hash| value.starts_with("$argon2id") || secret_matches(value, hash))
        })
        .map(|(key, value)| SecretVariable {
            key: key.clone(),
            value: Some(Secret::new(value.clone())),
        })
        .collect();
    changes.extend(
        prior
            .keys()
            .filter(|key| !desired.contains_key(*key))
            .map(|key| SecretVariable {
                key: key.clone(),
                value: None,
            }),
    );
    (!changes.is_empty()).then_some(changes)
}

/// The namespace PATCH body for a change from `prior` to `desired` (only changed fields).
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
        request.secret_environment_variables = secret_changes(
            &f.string_map("secret_environment_variables")?
                .unwrap_or_default(),
            &p.string_map("secret_environment_variables")?
                .unwrap_or_default(),
        );
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
    let request = CreateNamespaceRequest {
        name: match f.ok_str("name")? {
            Some(n) => n.to_owned(),
            None => cx.names.generate("func"),
        },
        environment_variables: f.ok_string_map("environment_variables")?,
        project_id: super::containers::project_id(NAMESPACE, cx, &f)?,
        description: f.ok_str("description")?.map(str::to_owned),
        secret_environment_variables: f.ok_string_map("secret_environment_variables")?.map(|m| {
            m.into_iter()
                .map(|(key, value)| SecretVariable {
                    key,
                    value: Some(Secret::new(value)),
                })
                .collect()
        }),
        tags: f.ok_strings("tags")?,
    };
    let created: ApiNamespace = cx
        .client
        .post(
            &format!("/functions/v1beta1/regions/{region}/namespaces"),
            &request,
        )
        .await?;
    let ns = wait_namespace(cx, &region, created.id).await.map_err(|e| {
        ResourceError::created_not_ready(NAMESPACE, namespace_state(desired, &created), &e)
    })?;
    Ok(Outcome::new(namespace_state(desired, &ns)))
}

async fn namespace_read(
    cx: &ApiContext,
    prior: &Attributes,
) -> Result<Option<Outcome>, ResourceError> {
    let (region, id) = own_id(prior)?;
    match wait_namespace(cx, &region, id).await {
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
    let (region, id) = own_id(prior)?;
    wait_namespace(cx, &region, id).await?;
    let request = namespace_update_request(prior, desired, changed)?;
    if request != UpdateNamespaceRequest::default() {
        let _: ApiNamespace = cx
            .client
            .patch(&namespace_path(&region, id), &request)
            .await?;
    }
    let ns = wait_namespace(cx, &region, id).await?;
    let mut base = prior.clone();
    base.extend(desired.iter().map(|(k, v)| (k.clone(), v.clone())));
    Ok(Outcome::new(namespace_state(&base, &ns)))
}

async fn namespace_delete(cx: &ApiContext, prior: &Attributes) -> Result<(), ResourceError> {
    let (region, id) = own_id(prior)?;
    // Already gone at any step means deleted (the provider reports an error there).
    match wait_namespace(cx, &region, id).await {
        Ok(_) => {}
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    match cx
        .client
        .delete::<serde::de::IgnoredAny>(&namespace_path(&region, id))
        .await
    {
        Ok(_) => {}
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    match wait_namespace(cx, &region, id).await {
        Ok(ns) => Err(ResourceError::invalid(
            NAMESPACE,
            "id",
            format!(
                "is still present after delete (status {})",
                status_name(&ns)
            ),
        )),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e.into()),
    }
}

async fn namespace_find(
    cx: &ApiContext,
    lookup: &Attributes,
) -> Result<Option<Vec<Outcome>>, ResourceError> {
    super::containers::find_namespaces(
        NAMESPACE,
        cx,
        lookup,
        |region| format!("/functions/v1beta1/regions/{region}/namespaces"),
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
        &format!("/functions/v1beta1/regions/{region}/namespaces"),
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

/// The mapping of `scaleway_function_token`.
#[derive(Debug, Clone, Copy)]
pub struct Token;

const TOKEN_KIND: TokenKind = TokenKind {
    ty: TOKEN,
    product: "functions",
    parent: "function_id",
};

fn token_view(t: ApiToken) -> TokenView {
    TokenView {
        id: t.id.0,
        token: t.token,
        parent_id: t.function_id.map(|f| f.0),
        namespace_id: t.namespace_id.map(|n| n.0),
        description: t.description,
        expires_at: t.expires_at,
    }
}

fn token_request(new: NewToken) -> CreateTokenRequest {
    CreateTokenRequest {
        function_id: new.parent_id.map(FunctionId),
        namespace_id: new.namespace_id.map(NamespaceId),
        description: new.description,
        expires_at: new.expires_at,
    }
}

resource_api! {
    Token => TOKEN,
    create(cx, desired) => TOKEN_KIND.create(cx, desired, token_request, token_view),
    read(cx, prior) => TOKEN_KIND.read(cx, prior, token_view),
    update: none,
    delete(cx, prior) => TOKEN_KIND.delete(cx, prior),
    listing(prior) => TOKEN_KIND.listing(prior),
    read_listed(prior, item) => TOKEN_KIND.read_listed::<ApiToken>(prior, item, token_view),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_changes_send_new_values_and_null_for_removed_keys() {
        let prior: BTreeMap<String, String> = [
            ("KEEP".to_owned(), "KEEP-hash".to_owned()),
            ("OLD".to_owned(), "x".to_owned()),
        ]
        .into();
        // "KEEP-hash" is not an argon2 hash: the stored value is compared as text.
        let desired: BTreeMap<String, String> = [
            ("KEEP".to_owned(), "KEEP-hash".to_owned()),
            ("NEW".to_owned(), "v".to_owned()),
        ]
        .into();
        let changes = secret_changes(&desired, &prior).expect("changed");
        let body = serde_json::to_value(&changes).expect("json");
        assert_eq!(
            body,
            serde_json::json!([{"key": "NEW", "value": "v"}, {"key": "OLD", "value": null}])
        );
        assert_eq!(secret_changes(&prior, &prior), None);
    }
}
