//! `scaleway_cockpit_token` ↔ Cockpit v1 regional tokens
//! (`/cockpit/v1/regions/{region}/tokens`).
//!
//! State form: `id` (`{region}/{uuid}`), `name`, `project_id`, `region`, `scopes` (one block of
//! nine booleans), `secret_key` (from the creation answer only; reads keep the recorded one),
//! `created_at`, `updated_at`. There is no update call. Every call is retried while Cockpit
//! answers 403 right after a project was created (IAM propagation: every 2 s for up to 2 min).
//! A delete that finds the token already gone succeeds (the provider reports an error there).
//! `find` lists the project's tokens in the region and keeps those with the name.

use serde_json::{Map, Value as Json};

use super::fields::{Fields, check_region, parse_regional_id, regional_id, timestamp};
use super::{ApiContext, Attributes, Listing, Outcome, ResourceError, id_region, reference_uuid};
use crate::api::client::Query;
use crate::api::retry::retry_on_permission_denied;
use crate::api::types::ProjectId;
use crate::api::types::cockpit::{CreateTokenRequest, Token as ApiToken, TokenScope};

const TYPE: &str = "scaleway_cockpit_token";

/// The `scopes` block's booleans, their API scope, and their default (the provider sends the
/// defaults when no block is configured).
const SCOPES: [(&str, TokenScope, bool); 9] = [
    ("query_metrics", TokenScope::ReadOnlyMetrics, false),
    ("write_metrics", TokenScope::WriteOnlyMetrics, true),
    (
        "setup_metrics_rules",
        TokenScope::FullAccessMetricsRules,
        false,
    ),
    ("query_logs", TokenScope::ReadOnlyLogs, false),
    ("write_logs", TokenScope::WriteOnlyLogs, true),
    ("setup_logs_rules", TokenScope::FullAccessLogsRules, false),
    ("setup_alerts", TokenScope::FullAccessAlertManager, false),
    ("query_traces", TokenScope::ReadOnlyTraces, false),
    ("write_traces", TokenScope::WriteOnlyTraces, false),
];

/// The mapping of `scaleway_cockpit_token`.
#[derive(Debug, Clone, Copy)]
pub struct Token;

fn tokens_path(region: &str) -> String {
    format!("/cockpit/v1/regions/{region}/tokens")
}

/// The API scopes a configured `scopes` block asks for.
fn requested_scopes(f: &Fields<'_>) -> Result<Vec<TokenScope>, ResourceError> {
    let block = f.block("scopes")?;
    let mut scopes = Vec::new();
    for (name, scope, default) in SCOPES {
        let value = match block.and_then(|b| b.get(name)) {
            None | Some(Json::Null) => default,
            Some(Json::Bool(b)) => *b,
            Some(other) => {
                return Err(ResourceError::invalid(
                    TYPE,
                    format!("scopes.0.{name}"),
                    format!("must be a boolean, not {other}"),
                ));
            }
        };
        if value {
            scopes.push(scope);
        }
    }
    Ok(scopes)
}

/// The `scopes` block for the scopes a token has (the server's order does not matter).
fn scopes_block(scopes: &[TokenScope]) -> Json {
    let block: Map<String, Json> = SCOPES
        .iter()
        .map(|(name, scope, _)| ((*name).to_owned(), Json::Bool(scopes.contains(scope))))
        .collect();
    Json::Array(vec![Json::Object(block)])
}

fn state(base: &Attributes, t: &ApiToken) -> Attributes {
    let mut out = base.clone();
    out.insert("id".into(), Json::String(regional_id(&t.region, t.id)));
    out.insert("name".into(), Json::String(t.name.clone()));
    out.insert("project_id".into(), Json::String(t.project_id.to_string()));
    out.insert("region".into(), Json::String(t.region.clone()));
    out.insert("scopes".into(), scopes_block(&t.scopes));
    out.insert("created_at".into(), timestamp(t.created_at));
    out.insert("updated_at".into(), timestamp(t.updated_at));
    if let Some(secret) = &t.secret_key {
        out.insert(
            "secret_key".into(),
            Json::String(secret.expose().to_owned()),
        );
    }
    out
}

fn token_path(attrs: &Attributes) -> Result<String, ResourceError> {
    let id = Fields::new(TYPE, attrs)
        .str("id")?
        .ok_or_else(|| ResourceError::invalid(TYPE, "id", "is not set"))?;
    let (region, uuid) = parse_regional_id(TYPE, "id", id)?;
    Ok(format!("{}/{uuid}", tokens_path(&region)))
}

async fn create(cx: &ApiContext, desired: &Attributes) -> Result<Outcome, ResourceError> {
    let f = Fields::new(TYPE, desired);
    let region = f
        .ok_str("region")?
        .unwrap_or(&cx.defaults.region)
        .to_owned();
    check_region(TYPE, &region)?;
    let project_id: ProjectId = match f.ok_str("project_id")? {
        Some(p) => p.parse().map_err(|_| {
            ResourceError::invalid(TYPE, "project_id", format!("{p:?} is not a UUID"))
        })?,
        None => cx.defaults.project().ok_or_else(|| {
            ResourceError::invalid(
                TYPE,
                "project_id",
                "is not set and no default project is configured",
            )
        })?,
    };
    let name = f
        .ok_str("name")?
        .ok_or_else(|| ResourceError::invalid(TYPE, "name", "is required"))?
        .to_owned();
    let request = CreateTokenRequest {
        project_id,
        name,
        token_scopes: requested_scopes(&f)?,
    };
    let path = tokens_path(&region);
    // A 403 means the server refused the request, so repeating the create is safe.
    let token: ApiToken =
        retry_on_permission_denied(cx.waits.propagation(), || cx.client.post(&path, &request))
            .await?;
    Ok(Outcome::new(state(desired, &token)))
}

async fn read(cx: &ApiContext, prior: &Attributes) -> Result<Option<Outcome>, ResourceError> {
    let path = token_path(prior)?;
    let query = Query::new();
    let answer: Result<ApiToken, _> =
        retry_on_permission_denied(cx.waits.propagation(), || cx.client.get(&path, &query)).await;
    match answer {
        // `secret_key` is only in the creation answer: `state` keeps the recorded one.
        Ok(token) => Ok(Some(Outcome::new(state(prior, &token)))),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

async fn delete(cx: &ApiContext, prior: &Attributes) -> Result<(), ResourceError> {
    let path = token_path(prior)?;
    let answer = retry_on_permission_denied(cx.waits.propagation(), || {
        cx.client.delete_no_content(&path)
    })
    .await;
    match answer {
        Ok(()) => Ok(()),
        // Already gone: what a delete wants (e.g. a retried DELETE whose first answer was lost).
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The tokens of the project and region a create with `lookup` would use that bear its name.
async fn find(cx: &ApiContext, lookup: &Attributes) -> Result<Option<Vec<Outcome>>, ResourceError> {
    let f = Fields::new(TYPE, lookup);
    let Some(name) = f.ok_str("name")? else {
        return Ok(None);
    };
    let region = f
        .ok_str("region")?
        .unwrap_or(&cx.defaults.region)
        .to_owned();
    check_region(TYPE, &region)?;
    let project_id = match f.ok_str("project_id")? {
        Some(p) => p.to_owned(),
        None => match cx.defaults.project() {
            Some(p) => p.to_string(),
            None => return Ok(None),
        },
    };
    let path = tokens_path(&region);
    let query = Query::new()
        .with("project_id", &project_id)
        .with("order_by", "created_at_asc");
    let tokens: Vec<ApiToken> = retry_on_permission_denied(cx.waits.propagation(), || {
        cx.client.list_all(&path, &query, "tokens", 1000)
    })
    .await?;
    Ok(Some(
        tokens
            .iter()
            .filter(|t| t.name == name)
            .map(|t| Outcome::new(state(lookup, t)))
            .collect(),
    ))
}

/// The project's tokens in the token's region (the API allows 1,000 a page).
fn listing(prior: &Attributes) -> Option<Listing> {
    let region = id_region(prior)?;
    let project = reference_uuid(prior, "project_id")?;
    let id = prior.get("id")?.as_str()?;
    Some(Listing::new(
        &tokens_path(region),
        Some(("project_id", &project.to_string())),
        "tokens",
        1000,
        id,
    ))
}

fn read_listed(prior: &Attributes, item: Json) -> Option<Outcome> {
    let token: ApiToken = serde_json::from_value(item).ok()?;
    Some(Outcome::new(state(prior, &token)))
}

resource_api! {
    Token => TYPE,
    create(cx, desired) => create(cx, desired),
    read(cx, prior) => read(cx, prior),
    update: none,
    delete(cx, prior) => delete(cx, prior),
    find(cx, lookup) => find(cx, lookup),
    listing(prior) => listing(prior),
    read_listed(prior, item) => read_listed(prior, item),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(json: Json) -> Attributes {
        serde_json::from_value(json).expect("an object")
    }

    #[test]
    fn no_scopes_block_means_the_default_scopes() {
        let a = attrs(serde_json::json!({"name": "t"}));
        assert_eq!(
            requested_scopes(&Fields::new(TYPE, &a)).unwrap(),
            [TokenScope::WriteOnlyMetrics, TokenScope::WriteOnlyLogs]
        );
        let a = attrs(serde_json::json!({"scopes": []}));
        assert_eq!(requested_scopes(&Fields::new(TYPE, &a)).unwrap().len(), 2);
    }

    #[test]
    fn scope_booleans_map_to_enums_and_back() {
        let a = attrs(serde_json::json!({"scopes": [{
            "query_metrics": true, "write_metrics": false, "write_logs": false,
            "query_traces": true, "setup_alerts": true
        }]}));
        let scopes = requested_scopes(&Fields::new(TYPE, &a)).unwrap();
        assert_eq!(
            scopes,
            [
                TokenScope::ReadOnlyMetrics,
                TokenScope::FullAccessAlertManager,
                TokenScope::ReadOnlyTraces
            ]
        );
        let block = scopes_block(&scopes);
        assert_eq!(block[0]["query_metrics"], Json::Bool(true));
        assert_eq!(block[0]["write_metrics"], Json::Bool(false));
        assert_eq!(block[0]["setup_alerts"], Json::Bool(true));
        assert_eq!(block[0].as_object().map(Map::len), Some(9));
        let bad = attrs(serde_json::json!({"scopes": [{"query_logs": "yes"}]}));
        assert!(requested_scopes(&Fields::new(TYPE, &bad)).is_err());
    }
}
