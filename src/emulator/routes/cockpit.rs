//! `/cockpit/v1/regions/{region}/tokens`

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::get;

use super::{AppStateRef, Caller, no_content, ok};
use crate::api::types::cockpit::{CreateTokenRequest, ListTokensResponse, Token, TokenScope};
use crate::api::types::error::InvalidArgumentReason as Reason;
use crate::api::types::{ProjectId, Secret, TokenId};
use crate::emulator::AppState;
use crate::emulator::errors::ApiError;
use crate::emulator::store::CockpitTokenRec;
use crate::emulator::validate::{
    ALL_ORDERS, Kind, Problems, Query, check_body, check_name, check_region, parse_id,
    parse_object, req,
};

const SCOPES: [&str; 9] = [
    "read_only_metrics",
    "write_only_metrics",
    "full_access_metrics_rules",
    "read_only_logs",
    "write_only_logs",
    "full_access_logs_rules",
    "full_access_alert_manager",
    "read_only_traces",
    "write_only_traces",
];

/// The order the server answers scopes in (inferred from recordings: write before read,
/// metrics before logs before traces).
const SCOPE_ORDER: [TokenScope; 9] = [
    TokenScope::WriteOnlyMetrics,
    TokenScope::ReadOnlyMetrics,
    TokenScope::FullAccessMetricsRules,
    TokenScope::WriteOnlyLogs,
    TokenScope::ReadOnlyLogs,
    TokenScope::FullAccessLogsRules,
    TokenScope::FullAccessAlertManager,
    TokenScope::WriteOnlyTraces,
    TokenScope::ReadOnlyTraces,
];

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/cockpit/v1/regions/{region}/tokens",
            get(list).post(create),
        )
        .route(
            "/cockpit/v1/regions/{region}/tokens/{token_id}",
            get(read).delete(delete),
        )
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound {
        resource: "token",
        id: id.to_owned(),
    }
}

fn token_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Cockpit answers 403 for a while after its project is created (IAM propagation).
fn check_propagation(
    st: &AppState,
    project: ProjectId,
    action: &'static str,
) -> Result<(), ApiError> {
    let window = st.faults.cockpit_window();
    if window.is_zero() {
        return Ok(());
    }
    let created = st.read().projects.get(&project).map(|p| p.created_at);
    if let Some(created) = created {
        let window = jiff::SignedDuration::try_from(window).unwrap_or(jiff::SignedDuration::MAX);
        if created.checked_add(window).is_ok_and(|end| st.now() < end) {
            return Err(ApiError::PermissionsDenied {
                resource: "cockpit",
                action,
            });
        }
    }
    Ok(())
}

fn public_view(rec: &CockpitTokenRec) -> Token {
    let mut t = rec.token.clone();
    t.secret_key = None;
    t
}

async fn create(
    State(st): AppStateRef,
    caller: Caller,
    Path(region): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    check_region(&region)?;
    let body: CreateTokenRequest = check_body(
        parse_object(&body)?,
        &[
            req("project_id", Kind::Uuid),
            req("name", Kind::Str),
            req("token_scopes", Kind::EnumList(&SCOPES)),
        ],
    )?;
    let mut p = Problems::default();
    check_name(
        &mut p,
        "name",
        &body.name,
        3..=50,
        token_name_char,
        "^[A-Za-z0-9-_]+$",
    );
    p.finish()?;
    if st.read().project_org(body.project_id) != Some(caller.org) {
        return Err(ApiError::PermissionsDenied {
            resource: "cockpit",
            action: "write",
        });
    }
    check_propagation(&st, body.project_id, "write")?;
    let scopes: Vec<TokenScope> = SCOPE_ORDER
        .into_iter()
        .filter(|s| body.token_scopes.contains(s))
        .collect();
    let now = st.now();
    let secret = Secret::new(st.ids.next_id().to_string());
    let token = Token {
        created_at: now,
        id: TokenId(st.ids.next_id()),
        name: body.name,
        project_id: body.project_id,
        region,
        scopes,
        secret_key: None,
        updated_at: now,
    };
    let mut answer = token.clone();
    answer.secret_key = Some(secret.clone());
    st.write().cockpit_tokens.insert(
        token.id,
        CockpitTokenRec {
            token,
            secret_key: secret,
            organization_id: caller.org,
        },
    );
    st.persist();
    Ok(ok(&answer))
}

fn find(
    st: &AppState,
    caller: Caller,
    region: &str,
    id: &str,
) -> Result<CockpitTokenRec, ApiError> {
    check_region(region)?;
    let tid: TokenId = parse_id("token_id", id)?;
    st.read()
        .cockpit_tokens
        .get(&tid)
        .filter(|t| t.organization_id == caller.org && t.token.region == region)
        .cloned()
        .ok_or_else(|| not_found(id))
}

async fn read(
    State(st): AppStateRef,
    caller: Caller,
    Path((region, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let rec = find(&st, caller, &region, &id)?;
    check_propagation(&st, rec.token.project_id, "read")?;
    Ok(ok(&public_view(&rec)))
}

async fn delete(
    State(st): AppStateRef,
    caller: Caller,
    Path((region, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let rec = find(&st, caller, &region, &id)?;
    check_propagation(&st, rec.token.project_id, "write")?;
    st.write().cockpit_tokens.shift_remove(&rec.token.id);
    st.persist();
    Ok(no_content())
}

async fn list(
    State(st): AppStateRef,
    caller: Caller,
    Path(region): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    check_region(&region)?;
    let q = Query::parse(q.as_deref());
    let mut p = Problems::default();
    let page = q.page(1000, &ALL_ORDERS, &mut p);
    let project = q.uuid::<ProjectId>("project_id", &mut p);
    let mut scopes = Vec::new();
    for s in q.all("token_scopes") {
        match serde_json::from_value::<TokenScope>(serde_json::Value::String(s.to_owned())) {
            Ok(scope) if scope != TokenScope::Unknown => scopes.push(scope),
            _ => p.add(
                "token_scopes",
                Reason::Format,
                format!("must be one of: {}", SCOPES.join(", ")),
            ),
        }
    }
    p.finish()?;
    if let Some(project) = project {
        check_propagation(&st, project, "read")?;
    }
    let items: Vec<Token> = st
        .read()
        .cockpit_tokens
        .values()
        .filter(|t| t.organization_id == caller.org && t.token.region == region)
        .filter(|t| project.is_none_or(|p| t.token.project_id == p))
        .filter(|t| scopes.is_empty() || scopes.iter().any(|s| t.token.scopes.contains(s)))
        .map(public_view)
        .collect();
    let (tokens, total_count) = page.apply(items, |t| t.created_at, |t| &t.name);
    Ok(ok(&ListTokensResponse {
        total_count,
        tokens,
    }))
}
