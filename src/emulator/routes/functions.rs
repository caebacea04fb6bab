//! `/functions/v1beta1/regions/{region}/namespaces` and the minimal `…/functions` objects.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::get;

use super::namespaces::{self, Identity, NamespaceRecord, status_name};
use super::{AppStateRef, Caller, ok};
use crate::api::types::error::InvalidArgumentReason as Reason;
use crate::api::types::functions::{
    CreateFunctionRequest, CreateNamespaceRequest, Function, FunctionStatus, ListFunctionsResponse,
    ListNamespacesResponse, Namespace, NamespaceStatus, SecretHashedValue, SecretVariable,
    UpdateNamespaceRequest,
};
use crate::api::types::{FunctionId, NamespaceId, ProjectId, ScwDuration, Secret};
use crate::emulator::AppState;
use crate::emulator::errors::ApiError;
use crate::emulator::lifecycle::{self, Table};
use crate::emulator::secrets::hash_secret;
use crate::emulator::store::{FnNamespaceRec, FunctionRec, Store, Target};
use crate::emulator::validate::{
    ALL_ORDERS, Kind, Problems, Query, check_body, check_dns_name, check_env, check_region, opt,
    parse_id, parse_object, req,
};

const FUNCTIONS: Table<FunctionId, FunctionRec> = Table {
    get: |s: &Store| &s.functions,
    get_mut: |s: &mut Store| &mut s.functions,
};

const NS_NOT_FOUND: ApiError = ApiError::LegacyNotFound("Namespace was not found");
const FN_NOT_FOUND: ApiError = ApiError::LegacyNotFound("Function was not found");

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/functions/v1beta1/regions/{region}/namespaces",
            get(namespaces::list::<FnNamespaceRec>).post(create_namespace),
        )
        .route(
            "/functions/v1beta1/regions/{region}/namespaces/{namespace_id}",
            get(namespaces::get::<FnNamespaceRec>)
                .patch(update_namespace)
                .delete(namespaces::delete::<FnNamespaceRec>),
        )
        .route(
            "/functions/v1beta1/regions/{region}/functions",
            get(list_functions).post(create_function),
        )
        .route(
            "/functions/v1beta1/regions/{region}/functions/{function_id}",
            get(get_function).delete(delete_function),
        )
}

fn check_secret_list(
    p: &mut Problems,
    secrets: Option<&Vec<SecretVariable>>,
    env: Option<&BTreeMap<String, String>>,
) {
    if let Some(env) = env {
        check_env(
            p,
            "environment_variables",
            env.iter().map(|(k, v)| (k.as_str(), v.chars().count())),
        );
    }
    if let Some(secrets) = secrets {
        check_env(
            p,
            "secret_environment_variables",
            secrets.iter().map(|s| {
                (
                    s.key.as_str(),
                    s.value.as_ref().map_or(0, |v| v.expose().chars().count()),
                )
            }),
        );
    }
}

/// v1beta1 merge semantics: listed keys are set, `value: null` deletes.
fn merge_secrets(
    st: &AppState,
    plain: &mut BTreeMap<String, Secret>,
    hashed: &mut Vec<SecretHashedValue>,
    changes: &[SecretVariable],
) {
    let mut by_key: BTreeMap<String, String> =
        hashed.drain(..).map(|h| (h.key, h.hashed_value)).collect();
    let mut rng = st.rng();
    for change in changes {
        if let Some(v) = &change.value {
            by_key.insert(
                change.key.clone(),
                hash_secret(v.expose(), st.hash_params, &mut rng),
            );
            plain.insert(change.key.clone(), v.clone());
        } else {
            by_key.remove(&change.key);
            plain.remove(&change.key);
        }
    }
    *hashed = by_key
        .into_iter()
        .map(|(key, hashed_value)| SecretHashedValue { hashed_value, key })
        .collect();
}

async fn create_namespace(
    State(st): AppStateRef,
    caller: Caller,
    Path(region): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    check_region(&region)?;
    let body: CreateNamespaceRequest = check_body(
        parse_object(&body)?,
        &[
            req("name", Kind::Str),
            req("project_id", Kind::Uuid),
            opt("description", Kind::Str),
            opt("environment_variables", Kind::StrMap),
            opt("secret_environment_variables", Kind::SecretList),
            opt("tags", Kind::StrList),
        ],
    )?;
    let mut p = Problems::default();
    check_dns_name(&mut p, "name", &body.name);
    check_secret_list(
        &mut p,
        body.secret_environment_variables.as_ref(),
        body.environment_variables.as_ref(),
    );
    p.finish()?;
    if st.read().project_org(body.project_id) != Some(caller.org) {
        return Err(ApiError::PermissionsDenied {
            resource: "function",
            action: "write",
        });
    }
    let mut plain = BTreeMap::new();
    let mut hashed = Vec::new();
    merge_secrets(
        &st,
        &mut plain,
        &mut hashed,
        body.secret_environment_variables
            .as_deref()
            .unwrap_or_default(),
    );
    let now = st.now();
    let ns = Namespace {
        created_at: now,
        description: body.description.unwrap_or_default(),
        environment_variables: body.environment_variables.unwrap_or_default(),
        error_message: None,
        id: NamespaceId(st.ids.next_id()),
        name: body.name,
        organization_id: caller.org,
        project_id: body.project_id,
        region,
        registry_endpoint: String::new(),
        registry_namespace_id: String::new(),
        secret_environment_variables: hashed,
        status: NamespaceStatus::Pending,
        tags: body.tags.unwrap_or_default(),
        updated_at: now,
        vpc_integration_activated: false,
    };
    namespaces::insert(&st, ns, |ns| FnNamespaceRec {
        ns,
        secrets: plain,
        pending: Some(st.pending(Target::Ready)),
    })
}

async fn update_namespace(
    State(st): AppStateRef,
    caller: Caller,
    Path((region, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let nid = namespaces::path_id(&region, &id)?;
    let body: UpdateNamespaceRequest = check_body(
        parse_object(&body)?,
        &[
            opt("description", Kind::Str),
            opt("environment_variables", Kind::StrMap),
            opt("secret_environment_variables", Kind::SecretList),
            opt("tags", Kind::StrList),
        ],
    )?;
    let mut p = Problems::default();
    check_secret_list(
        &mut p,
        body.secret_environment_variables.as_ref(),
        body.environment_variables.as_ref(),
    );
    p.finish()?;
    namespaces::update(
        &st,
        caller,
        &region,
        (nid, &id),
        || (),
        |rec: &mut FnNamespaceRec, (), now| {
            let redeploy = body.environment_variables.is_some()
                || body
                    .secret_environment_variables
                    .as_ref()
                    .is_some_and(|s| !s.is_empty());
            if let Some(d) = body.description {
                rec.ns.description = d;
            }
            if let Some(t) = body.tags {
                rec.ns.tags = t;
            }
            if let Some(env) = body.environment_variables {
                rec.ns.environment_variables = env;
            }
            if let Some(changes) = &body.secret_environment_variables {
                merge_secrets(
                    &st,
                    &mut rec.secrets,
                    &mut rec.ns.secret_environment_variables,
                    changes,
                );
            }
            rec.ns.updated_at = now;
            if redeploy {
                rec.ns.status = NamespaceStatus::Pending;
                rec.pending = Some(st.pending(Target::Ready));
            }
        },
    )
}

impl NamespaceRecord for FnNamespaceRec {
    type Namespace = Namespace;
    type List = ListNamespacesResponse;

    const TABLE: Table<NamespaceId, Self> = Table {
        get: |s: &Store| &s.function_namespaces,
        get_mut: |s: &mut Store| &mut s.function_namespaces,
    };

    fn not_found(_id: &str) -> ApiError {
        NS_NOT_FOUND
    }

    fn list_response(namespaces: Vec<Namespace>, total_count: u64) -> ListNamespacesResponse {
        ListNamespacesResponse {
            namespaces,
            total_count,
        }
    }

    fn cascade(store: &mut Store, id: NamespaceId) {
        store.cascade_function_namespace(id);
    }

    fn identity(ns: &Namespace) -> Identity<'_> {
        Identity {
            id: ns.id,
            organization_id: ns.organization_id,
            project_id: ns.project_id,
            region: &ns.region,
            name: &ns.name,
            created_at: ns.created_at,
        }
    }

    fn namespace(&self) -> &Namespace {
        &self.ns
    }

    fn transient_status(&self) -> Option<String> {
        self.ns
            .status
            .is_transient()
            .then(|| status_name(self.ns.status))
    }

    fn is_deleting(&self) -> bool {
        self.ns.status == NamespaceStatus::Deleting
    }

    fn start_deleting(&mut self, now: jiff::Timestamp) {
        self.ns.status = NamespaceStatus::Deleting;
        self.ns.updated_at = now;
    }
}

// ---------------------------------------------------------------- functions

fn fn_visible(caller: Caller, region: &str) -> impl Fn(&FunctionRec) -> bool + '_ {
    move |f| f.organization_id == caller.org && f.function.region == region
}

async fn create_function(
    State(st): AppStateRef,
    caller: Caller,
    Path(region): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    check_region(&region)?;
    let body: CreateFunctionRequest = check_body(
        parse_object(&body)?,
        &[
            req("name", Kind::Str),
            req("namespace_id", Kind::Uuid),
            opt("runtime", Kind::Str),
            opt("memory_limit", Kind::U32),
            opt("min_scale", Kind::U32),
            opt("max_scale", Kind::U32),
            opt("handler", Kind::Str),
            opt(
                "privacy",
                Kind::Enum(&["unknown_privacy", "public", "private"]),
            ),
            opt(
                "http_option",
                Kind::Enum(&["unknown_http_option", "enabled", "redirected"]),
            ),
            opt("sandbox", Kind::Enum(&["unknown_sandbox", "v1", "v2"])),
            opt("description", Kind::Str),
            opt("environment_variables", Kind::StrMap),
            opt("secret_environment_variables", Kind::SecretList),
            opt("tags", Kind::StrList),
        ],
    )?;
    let mut p = Problems::default();
    check_dns_name(&mut p, "name", &body.name);
    check_secret_list(
        &mut p,
        body.secret_environment_variables.as_ref(),
        body.environment_variables.as_ref(),
    );
    p.finish()?;
    let ns_id = body.namespace_id;
    let ns = lifecycle::get(
        &st,
        &FnNamespaceRec::TABLE,
        &ns_id,
        namespaces::visible(caller, &region),
        |n: &FnNamespaceRec| n.ns.clone(),
    )
    .ok_or(NS_NOT_FOUND)?;
    let mut plain = BTreeMap::new();
    let mut hashed = Vec::new();
    merge_secrets(
        &st,
        &mut plain,
        &mut hashed,
        body.secret_environment_variables
            .as_deref()
            .unwrap_or_default(),
    );
    let memory = body.memory_limit.unwrap_or(256);
    let host = ns
        .registry_endpoint
        .rsplit('/')
        .next()
        .and_then(|r| r.strip_prefix("funcscw"))
        .map_or_else(
            || {
                let compact: String = ns.name.chars().filter(|c| *c != '-').collect();
                format!("{compact}{}", &ns.id.to_string()[..8])
            },
            str::to_owned,
        );
    let now = st.now();
    let pick = |v: Option<String>, unknown: &str, default: &str| {
        v.filter(|v| v != unknown)
            .unwrap_or_else(|| default.to_owned())
    };
    let function = Function {
        build_message: None,
        cpu_limit: memory.saturating_mul(70) / 128,
        created_at: now,
        description: body.description.unwrap_or_default(),
        domain_name: format!("{host}-{}.functions.fnc.{region}.scw.cloud", body.name),
        environment_variables: body.environment_variables.unwrap_or_default(),
        error_message: None,
        handler: body.handler.unwrap_or_else(|| "handler.handle".to_owned()),
        http_option: pick(body.http_option, "unknown_http_option", "enabled"),
        id: FunctionId(st.ids.next_id()),
        max_scale: body.max_scale.unwrap_or(20),
        memory_limit: memory,
        min_scale: body.min_scale.unwrap_or(0),
        name: body.name,
        namespace_id: ns_id,
        privacy: pick(body.privacy, "unknown_privacy", "public"),
        private_network_id: None,
        ready_at: None,
        region,
        runtime: body.runtime.unwrap_or_default(),
        runtime_message: String::new(),
        sandbox: pick(body.sandbox, "unknown_sandbox", "v2"),
        secret_environment_variables: hashed,
        status: FunctionStatus::Created,
        tags: body.tags.unwrap_or_default(),
        timeout: ScwDuration::from_secs(300),
        updated_at: now,
    };
    if function.runtime.is_empty() {
        return Err(ApiError::invalid("runtime", Reason::Required, "required"));
    }
    st.write().functions.insert(
        function.id,
        FunctionRec {
            function: function.clone(),
            organization_id: caller.org,
            project_id: ns.project_id,
            pending: None,
        },
    );
    st.persist();
    Ok(ok(&function))
}

async fn get_function(
    State(st): AppStateRef,
    caller: Caller,
    Path((region, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    check_region(&region)?;
    let fid: FunctionId = parse_id("function_id", &id)?;
    lifecycle::get(&st, &FUNCTIONS, &fid, fn_visible(caller, &region), |f| {
        ok(&f.function)
    })
    .ok_or(FN_NOT_FOUND)
}

async fn list_functions(
    State(st): AppStateRef,
    caller: Caller,
    Path(region): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    check_region(&region)?;
    let q = Query::parse(q.as_deref());
    let mut p = Problems::default();
    let page = q.page(100, &ALL_ORDERS, &mut p);
    let ns = q.uuid::<NamespaceId>("namespace_id", &mut p);
    let project = q.uuid::<ProjectId>("project_id", &mut p);
    p.finish()?;
    let name = q.one("name");
    let visible = fn_visible(caller, &region);
    let items = lifecycle::list(
        &st,
        &FUNCTIONS,
        |f| {
            visible(f)
                && ns.is_none_or(|n| f.function.namespace_id == n)
                && project.is_none_or(|p| f.project_id == p)
                && name.is_none_or(|x| f.function.name == x)
        },
        |f| f.function.clone(),
    );
    let (functions, total_count) = page.apply(items, |f| f.created_at, |f| &f.name);
    Ok(ok(&ListFunctionsResponse {
        functions,
        total_count,
    }))
}

async fn delete_function(
    State(st): AppStateRef,
    caller: Caller,
    Path((region, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    check_region(&region)?;
    let fid: FunctionId = parse_id("function_id", &id)?;
    lifecycle::get(&st, &FUNCTIONS, &fid, fn_visible(caller, &region), |_| ())
        .ok_or(FN_NOT_FOUND)?;
    let now = st.now();
    let function = {
        let mut store = st.write();
        let rec = store
            .functions
            .get_mut(&fid)
            .filter(|f| fn_visible(caller, &region)(f))
            .ok_or(FN_NOT_FOUND)?;
        if rec.function.status != FunctionStatus::Deleting {
            rec.function.status = FunctionStatus::Deleting;
            rec.function.updated_at = now;
            rec.pending = Some(st.pending(Target::Gone));
        }
        let f = rec.function.clone();
        store
            .function_tokens
            .retain(|_, t| t.scope_id != Some(fid.0));
        f
    };
    st.persist();
    Ok(ok(&function))
}
