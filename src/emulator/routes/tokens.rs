//! v1beta1 tokens: `/containers/v1beta1/regions/{region}/tokens` and
//! `/functions/v1beta1/regions/{region}/tokens` (same behaviour, different scope field).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::get;

use super::{AppStateRef, Caller, ok};
use crate::api::types::error::InvalidArgumentReason as Reason;
use crate::api::types::{
    ContainerId, FunctionId, NamespaceId, Secret, TokenId, containers, functions,
};
use crate::emulator::AppState;
use crate::emulator::errors::ApiError;
use crate::emulator::lifecycle::{self, Table};
use crate::emulator::secrets::{TokenClaims, make_jwt, make_public_key};
use crate::emulator::store::{Store, Target, TokenRec};
use crate::emulator::validate::{
    CREATED_ORDERS, Kind, Problems, Query, check_body, check_region, opt, parse_id, parse_object,
};

/// Which product a token route belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Product {
    Containers,
    Functions,
}

impl Product {
    fn table(self) -> Table<TokenId, TokenRec> {
        match self {
            Self::Containers => Table {
                get: |s: &Store| &s.container_tokens,
                get_mut: |s: &mut Store| &mut s.container_tokens,
            },
            Self::Functions => Table {
                get: |s: &Store| &s.function_tokens,
                get_mut: |s: &mut Store| &mut s.function_tokens,
            },
        }
    }

    fn scope_field(self) -> &'static str {
        match self {
            Self::Containers => "container_id",
            Self::Functions => "function_id",
        }
    }

    fn scope_not_found(self) -> ApiError {
        match self {
            Self::Containers => ApiError::LegacyNotFound("Container was not found"),
            Self::Functions => ApiError::LegacyNotFound("Function was not found"),
        }
    }
}

const NOT_FOUND: ApiError = ApiError::LegacyNotFound("Token was not found");

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/containers/v1beta1/regions/{region}/tokens",
            get(|st, c, p, q| async move { list(Product::Containers, st, c, p, q) })
                .post(|st, c, p, b| async move { create(Product::Containers, st, c, p, &b) }),
        )
        .route(
            "/containers/v1beta1/regions/{region}/tokens/{token_id}",
            get(|st, c, p| async move { read(Product::Containers, st, c, p) })
                .delete(|st, c, p| async move { delete(Product::Containers, st, c, p) }),
        )
        .route(
            "/functions/v1beta1/regions/{region}/tokens",
            get(|st, c, p, q| async move { list(Product::Functions, st, c, p, q) })
                .post(|st, c, p, b| async move { create(Product::Functions, st, c, p, &b) }),
        )
        .route(
            "/functions/v1beta1/regions/{region}/tokens/{token_id}",
            get(|st, c, p| async move { read(Product::Functions, st, c, p) })
                .delete(|st, c, p| async move { delete(Product::Functions, st, c, p) }),
        )
}

/// The secret as shown: the JWT on creation, `<hidden>` afterwards, `""` once deleting.
#[derive(Clone, Copy)]
enum Shown {
    Created,
    Hidden,
}

fn shown_secret(t: &TokenRec, shown: Shown) -> Secret {
    match (shown, t.status) {
        (Shown::Created, _) => t.jwt.clone(),
        (Shown::Hidden, containers::TokenStatus::Deleting) => Secret::default(),
        (Shown::Hidden, _) => Secret::new("<hidden>"),
    }
}

fn container_token(t: &TokenRec, shown: Shown, public_key: &str) -> containers::Token {
    containers::Token {
        token: shown_secret(t, shown),
        public_key: public_key.to_owned(),
        container_id: t.scope_id.map(ContainerId),
        namespace_id: t.scoped_to_namespace.then_some(t.namespace_id),
        id: t.id,
        status: t.status,
        expires_at: t.expires_at,
        description: t.description.clone(),
    }
}

fn function_token(t: &TokenRec, shown: Shown, public_key: &str) -> functions::Token {
    functions::Token {
        description: t.description.clone(),
        expires_at: t.expires_at,
        function_id: t.scope_id.map(FunctionId),
        id: t.id,
        namespace_id: t.scoped_to_namespace.then_some(t.namespace_id),
        public_key: public_key.to_owned(),
        status: t.status,
        token: shown_secret(t, shown),
    }
}

fn view(product: Product, t: &TokenRec, shown: Shown, public_key: &str) -> Response {
    match product {
        Product::Containers => ok(&container_token(t, shown, public_key)),
        Product::Functions => ok(&function_token(t, shown, public_key)),
    }
}

/// Where a token points: (namespace, scope object, project, organization).
fn resolve_scope(
    product: Product,
    st: &AppState,
    caller: Caller,
    region: &str,
    namespace: Option<NamespaceId>,
    scope: Option<uuid::Uuid>,
) -> Result<
    (
        NamespaceId,
        Option<uuid::Uuid>,
        crate::api::types::ProjectId,
    ),
    ApiError,
> {
    let store = st.read();
    match (product, namespace, scope) {
        (Product::Containers, None, Some(id)) => store
            .containers
            .get(&ContainerId(id))
            .filter(|c| c.organization_id == caller.org && c.container.region == region)
            .map(|c| (c.container.namespace_id, Some(id), c.project_id))
            .ok_or(product.scope_not_found()),
        (Product::Functions, None, Some(id)) => store
            .functions
            .get(&FunctionId(id))
            .filter(|f| f.organization_id == caller.org && f.function.region == region)
            .map(|f| (f.function.namespace_id, Some(id), f.project_id))
            .ok_or(product.scope_not_found()),
        (Product::Containers, Some(ns), None) => store
            .namespaces
            .get(&ns)
            .filter(|n| n.ns.organization_id == caller.org && n.ns.region == region)
            .map(|n| (ns, None, n.ns.project_id))
            .ok_or(ApiError::LegacyNotFound("Namespace was not found")),
        (Product::Functions, Some(ns), None) => store
            .function_namespaces
            .get(&ns)
            .filter(|n| n.ns.organization_id == caller.org && n.ns.region == region)
            .map(|n| (ns, None, n.ns.project_id))
            .ok_or(ApiError::LegacyNotFound("Namespace was not found")),
        _ => Err(ApiError::invalid(
            product.scope_field(),
            Reason::Constraint,
            format!(
                "exactly one of {} and namespace_id must be set",
                product.scope_field()
            ),
        )),
    }
}

fn create(
    product: Product,
    State(st): AppStateRef,
    caller: Caller,
    Path(region): Path<String>,
    body: &Bytes,
) -> Result<Response, ApiError> {
    check_region(&region)?;
    let raw = parse_object(body)?;
    let fields = [
        opt(product.scope_field(), Kind::Uuid),
        opt("namespace_id", Kind::Uuid),
        opt("description", Kind::Str),
        opt("expires_at", Kind::Timestamp),
    ];
    let (namespace_id, scope, description, expires_at) = match product {
        Product::Containers => {
            let b: containers::CreateTokenRequest = check_body(raw, &fields)?;
            (
                b.namespace_id,
                b.container_id.map(|c| c.0),
                b.description,
                b.expires_at,
            )
        }
        Product::Functions => {
            let b: functions::CreateTokenRequest = check_body(raw, &fields)?;
            (
                b.namespace_id,
                b.function_id.map(|f| f.0),
                b.description,
                b.expires_at,
            )
        }
    };
    // An `expires_at` already in the past is accepted: the token is created already expired.
    // The real API's answer to a past date is not recorded, and the provider's own
    // documentation example (`2022-10-18T11:35:15+02:00`) must keep working (docs/emulator.md).
    let now = st.now();
    let (namespace_id, scope_id, project_id) =
        resolve_scope(product, &st, caller, &region, namespace_id, scope)?;
    let id = TokenId(st.ids.next_id());
    let (jwt, public_key) = {
        let mut rng = st.rng();
        let ns_claim = if scope_id.is_none() {
            namespace_id.to_string()
        } else {
            String::new()
        };
        let app_claim = scope_id.map(|s| s.to_string()).unwrap_or_default();
        let jwt = make_jwt(
            &TokenClaims {
                token_id: &id.to_string(),
                namespace_id: &ns_claim,
                application_id: &app_claim,
                issued_at: now.as_second(),
                expires_at: expires_at.map(jiff::Timestamp::as_second),
            },
            &mut rng,
        );
        (jwt, make_public_key(&mut rng))
    };
    let rec = TokenRec {
        id,
        scope_id,
        namespace_id,
        scoped_to_namespace: scope_id.is_none(),
        organization_id: caller.org,
        project_id,
        region,
        status: containers::TokenStatus::Creating,
        description: description.unwrap_or_default(),
        // Whole seconds, as the API answers.
        expires_at: expires_at.map(|e| e.round(jiff::Unit::Second).unwrap_or(e)),
        created_at: now,
        jwt: Secret::new(jwt),
        pending: Some(st.pending(Target::Ready)),
    };
    let answer = view(product, &rec, Shown::Created, &public_key);
    (product.table().get_mut)(&mut st.write()).insert(id, rec);
    st.persist();
    Ok(answer)
}

fn visible(caller: Caller, region: &str) -> impl Fn(&TokenRec) -> bool + '_ {
    move |t| t.organization_id == caller.org && t.region == region
}

fn read(
    product: Product,
    State(st): AppStateRef,
    caller: Caller,
    Path((region, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    check_region(&region)?;
    let tid: TokenId = parse_id("token_id", &id)?;
    lifecycle::get(&st, &product.table(), &tid, visible(caller, &region), |t| {
        view(product, t, Shown::Hidden, "")
    })
    .ok_or(NOT_FOUND)
}

fn delete(
    product: Product,
    State(st): AppStateRef,
    caller: Caller,
    Path((region, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    check_region(&region)?;
    let tid: TokenId = parse_id("token_id", &id)?;
    let table = product.table();
    lifecycle::get(&st, &table, &tid, visible(caller, &region), |_| ()).ok_or(NOT_FOUND)?;
    let answer = {
        let mut store = st.write();
        let rec = (table.get_mut)(&mut store)
            .get_mut(&tid)
            .filter(|t| visible(caller, &region)(t))
            .ok_or(NOT_FOUND)?;
        if rec.status != containers::TokenStatus::Deleting {
            rec.status = containers::TokenStatus::Deleting;
            // Deleted tokens vanish at the next access (recordings show no `deleting` read).
            rec.pending = Some(st.pending_reads(Target::Gone, Some(0)));
        }
        view(product, rec, Shown::Hidden, "")
    };
    st.persist();
    Ok(answer)
}

fn list(
    product: Product,
    State(st): AppStateRef,
    caller: Caller,
    Path(region): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    check_region(&region)?;
    let q = Query::parse(q.as_deref());
    let mut p = Problems::default();
    let page = q.page(100, &CREATED_ORDERS, &mut p);
    let scope = q.uuid::<uuid::Uuid>(product.scope_field(), &mut p);
    let ns = q.uuid::<NamespaceId>("namespace_id", &mut p);
    p.finish()?;
    let vis = visible(caller, &region);
    let items = lifecycle::list(
        &st,
        &product.table(),
        |t| {
            vis(t)
                && scope.is_none_or(|s| t.scope_id == Some(s))
                && ns.is_none_or(|n| t.namespace_id == n && t.scoped_to_namespace)
        },
        Clone::clone,
    );
    let (tokens, total_count) = page.apply(items, |t| t.created_at, |_| "");
    Ok(match product {
        Product::Containers => ok(&containers::ListTokensResponse {
            tokens: tokens
                .iter()
                .map(|t| container_token(t, Shown::Hidden, ""))
                .collect(),
            total_count,
        }),
        Product::Functions => ok(&functions::ListTokensResponse {
            tokens: tokens
                .iter()
                .map(|t| function_token(t, Shown::Hidden, ""))
                .collect(),
            total_count,
        }),
    })
}
