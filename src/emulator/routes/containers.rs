//! `/containers/v1/regions/{region}/namespaces` and `…/containers`

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::get;

use super::namespaces::{self, Identity, NamespaceRecord, status_name};
use super::{AppStateRef, Caller, ok};
use crate::api::types::containers::{
    Container, ContainerPrivacy, ContainerProtocol, ContainerSandbox, ContainerStatus,
    CreateContainerRequest, CreateNamespaceRequest, ListContainersResponse, ListNamespacesResponse,
    Namespace, NamespaceStatus, Probe, ProbeTcp, ScalingOption, UpdateContainerRequest,
    UpdateNamespaceRequest,
};
use crate::api::types::error::InvalidArgumentReason as Reason;
use crate::api::types::{
    ContainerId, NamespaceId, OrganizationId, PrivateNetworkId, ProjectId, ScwDuration, Secret,
};
use crate::emulator::AppState;
use crate::emulator::errors::ApiError;
use crate::emulator::lifecycle::{self, Table};
use crate::emulator::secrets::hash_secret;
use crate::emulator::store::{ContainerRec, NamespaceRec, Store, Target};
use crate::emulator::validate::{
    ALL_ORDERS, Field, Kind, Problems, Query, check_body, check_dns_name, check_env, check_region,
    opt, parse_id, parse_object, req,
};

const PRIVACY: [&str; 3] = ["unknown_privacy", "public", "private"];
const PROTOCOL: [&str; 3] = ["unknown_protocol", "http1", "h2c"];
const SANDBOX: [&str; 3] = ["unknown_sandbox", "v1", "v2"];

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/containers/v1/regions/{region}/namespaces",
            get(namespaces::list::<NamespaceRec>).post(create_namespace),
        )
        .route(
            "/containers/v1/regions/{region}/namespaces/{namespace_id}",
            get(namespaces::get::<NamespaceRec>)
                .patch(update_namespace)
                .delete(namespaces::delete::<NamespaceRec>),
        )
        .route(
            "/containers/v1/regions/{region}/containers",
            get(list_containers).post(create_container),
        )
        .route(
            "/containers/v1/regions/{region}/containers/{container_id}",
            get(get_container)
                .patch(update_container)
                .delete(delete_container),
        )
}

pub(crate) const CONTAINERS: Table<ContainerId, ContainerRec> = Table {
    get: |s: &Store| &s.containers,
    get_mut: |s: &mut Store| &mut s.containers,
};

fn ns_not_found(id: &str) -> ApiError {
    ApiError::NotFound {
        resource: "namespace",
        id: id.to_owned(),
    }
}

fn container_not_found(id: &str) -> ApiError {
    ApiError::NotFound {
        resource: "container",
        id: id.to_owned(),
    }
}

/// Hashes every non-empty secret (outside any lock: argon2 is the slow part of a write).
fn hash_all(st: &AppState, secrets: &BTreeMap<String, Secret>) -> BTreeMap<String, String> {
    let mut rng = st.rng();
    secrets
        .iter()
        .filter(|(_, v)| !v.expose().is_empty())
        .map(|(k, v)| (k.clone(), hash_secret(v.expose(), st.hash_params, &mut rng)))
        .collect()
}

/// v1 PATCH semantics: the map replaces the old one; `""` keeps the current value.
fn replace_secrets(
    old_plain: &BTreeMap<String, Secret>,
    old_hashes: &BTreeMap<String, String>,
    new: &BTreeMap<String, Secret>,
    new_hashes: &BTreeMap<String, String>,
) -> (BTreeMap<String, Secret>, BTreeMap<String, String>) {
    let mut plain = BTreeMap::new();
    let mut hashes = BTreeMap::new();
    for (k, v) in new {
        if v.expose().is_empty() {
            if let (Some(p), Some(h)) = (old_plain.get(k), old_hashes.get(k)) {
                plain.insert(k.clone(), p.clone());
                hashes.insert(k.clone(), h.clone());
            }
        } else if let Some(h) = new_hashes.get(k) {
            plain.insert(k.clone(), v.clone());
            hashes.insert(k.clone(), h.clone());
        }
    }
    (plain, hashes)
}

fn check_maps(
    p: &mut Problems,
    env: Option<&BTreeMap<String, String>>,
    secrets: Option<&BTreeMap<String, Secret>>,
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
            secrets
                .iter()
                .map(|(k, v)| (k.as_str(), v.expose().chars().count())),
        );
    }
}

// ---------------------------------------------------------------- namespaces

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
            req("project_id", Kind::Uuid),
            req("name", Kind::Str),
            opt("description", Kind::Str),
            opt("environment_variables", Kind::StrMap),
            opt("secret_environment_variables", Kind::StrMap),
            opt("tags", Kind::StrList),
        ],
    )?;
    let mut p = Problems::default();
    check_dns_name(&mut p, "name", &body.name);
    check_maps(
        &mut p,
        body.environment_variables.as_ref(),
        body.secret_environment_variables.as_ref(),
    );
    p.finish()?;
    if st.read().project_org(body.project_id) != Some(caller.org) {
        return Err(ApiError::PermissionsDenied {
            resource: "container",
            action: "write",
        });
    }
    let secrets = body.secret_environment_variables.unwrap_or_default();
    let hashes = hash_all(&st, &secrets);
    let (plain, hashes) = replace_secrets(&BTreeMap::new(), &BTreeMap::new(), &secrets, &hashes);
    let now = st.now();
    let ns = Namespace {
        id: NamespaceId(st.ids.next_id()),
        name: body.name,
        organization_id: caller.org,
        project_id: body.project_id,
        description: body.description.unwrap_or_default(),
        status: NamespaceStatus::Creating,
        error_message: None,
        environment_variables: body.environment_variables.unwrap_or_default(),
        secret_environment_variables: hashes,
        tags: body.tags.unwrap_or_default(),
        created_at: now,
        updated_at: now,
        region,
    };
    namespaces::insert(&st, ns, |ns| NamespaceRec {
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
            opt("secret_environment_variables", Kind::StrMap),
            opt("tags", Kind::StrList),
        ],
    )?;
    let mut p = Problems::default();
    check_maps(
        &mut p,
        body.environment_variables.as_ref(),
        body.secret_environment_variables.as_ref(),
    );
    p.finish()?;
    namespaces::update(
        &st,
        caller,
        &region,
        (nid, &id),
        || {
            body.secret_environment_variables
                .as_ref()
                .map(|s| hash_all(&st, s))
        },
        |rec: &mut NamespaceRec, new_hashes, now| {
            let redeploy =
                body.environment_variables.is_some() || body.secret_environment_variables.is_some();
            if let Some(d) = body.description {
                rec.ns.description = d;
            }
            if let Some(t) = body.tags {
                rec.ns.tags = t;
            }
            if let Some(env) = body.environment_variables {
                rec.ns.environment_variables = env;
            }
            if let (Some(secrets), Some(hashes)) = (&body.secret_environment_variables, &new_hashes)
            {
                let (plain, hashed) = replace_secrets(
                    &rec.secrets,
                    &rec.ns.secret_environment_variables,
                    secrets,
                    hashes,
                );
                rec.secrets = plain;
                rec.ns.secret_environment_variables = hashed;
            }
            rec.ns.updated_at = now;
            if redeploy {
                rec.ns.status = NamespaceStatus::Updating;
                rec.pending = Some(st.pending(Target::Ready));
            }
        },
    )
}

impl NamespaceRecord for NamespaceRec {
    type Namespace = Namespace;
    type List = ListNamespacesResponse;

    const TABLE: Table<NamespaceId, Self> = Table {
        get: |s: &Store| &s.namespaces,
        get_mut: |s: &mut Store| &mut s.namespaces,
    };

    fn not_found(id: &str) -> ApiError {
        ns_not_found(id)
    }

    fn list_response(namespaces: Vec<Namespace>, total_count: u64) -> ListNamespacesResponse {
        ListNamespacesResponse {
            namespaces,
            total_count,
        }
    }

    fn cascade(store: &mut Store, id: NamespaceId) {
        store.cascade_container_namespace(id);
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

// ---------------------------------------------------------------- containers

fn container_fields(create: bool) -> Vec<Field> {
    let mut f = vec![
        opt("environment_variables", Kind::StrMap),
        opt("secret_environment_variables", Kind::StrMap),
        opt("min_scale", Kind::U32),
        opt("max_scale", Kind::U32),
        opt("memory_limit_bytes", Kind::U64),
        opt("mvcpu_limit", Kind::U32),
        opt("timeout", Kind::Duration),
        opt("privacy", Kind::Enum(&PRIVACY)),
        opt("description", Kind::Str),
        opt("protocol", Kind::Enum(&PROTOCOL)),
        opt("port", Kind::U32),
        opt("sandbox", Kind::Enum(&SANDBOX)),
        opt("local_storage_limit_bytes", Kind::U64),
        opt("scaling_option", Kind::Object),
        opt("liveness_probe", Kind::Object),
        opt("startup_probe", Kind::Object),
        opt("tags", Kind::StrList),
        opt("command", Kind::StrList),
        opt("args", Kind::StrList),
    ];
    if create {
        f.extend([
            req("namespace_id", Kind::Uuid),
            req("name", Kind::Str),
            req("image", Kind::Str),
            opt("https_connections_only", Kind::Bool),
            opt("private_network_id", Kind::Uuid),
        ]);
    } else {
        f.extend([
            opt("image", Kind::Str),
            opt("https_connection_only", Kind::Bool),
            opt("private_network_id", Kind::Str),
        ]);
    }
    f
}

/// Checks the nested objects and combinations the field table cannot express.
fn check_container_shape(p: &mut Problems, body: &serde_json::Map<String, serde_json::Value>) {
    if let Some(s) = body.get("scaling_option").and_then(|v| v.as_object()) {
        let set = [
            "concurrent_requests_threshold",
            "cpu_usage_threshold",
            "memory_usage_threshold",
        ]
        .iter()
        .filter(|k| s.get(**k).is_some_and(|v| !v.is_null()))
        .count();
        let numbers = s
            .values()
            .all(|v| v.is_null() || v.as_u64().is_some_and(|n| u32::try_from(n).is_ok()));
        if set != 1 || !numbers {
            p.add(
                "scaling_option",
                Reason::Constraint,
                "exactly one of concurrent_requests_threshold, cpu_usage_threshold, memory_usage_threshold must be set to an integer",
            );
        }
    }
    for probe in ["liveness_probe", "startup_probe"] {
        let Some(o) = body.get(probe).and_then(|v| v.as_object()) else {
            continue;
        };
        let http = o.get("http").is_some_and(|v| !v.is_null());
        let tcp = o.get("tcp").is_some_and(|v| !v.is_null());
        if http == tcp {
            p.add(
                probe,
                Reason::Constraint,
                "exactly one of http and tcp must be set",
            );
        }
        if http
            && !o
                .get("http")
                .and_then(|h| h.get("path"))
                .is_some_and(serde_json::Value::is_string)
        {
            p.add(probe, Reason::Required, "http.path is required");
        }
        if o.get("failure_threshold")
            .is_none_or(|v| v.as_u64().is_none())
        {
            p.add(probe, Reason::Required, "failure_threshold is required");
        }
        for d in ["interval", "timeout"] {
            if o.get(d)
                .and_then(|v| v.as_str())
                .is_none_or(|s| s.parse::<ScwDuration>().is_err())
            {
                p.add(
                    probe,
                    Reason::Format,
                    format!("{d} must be a duration such as \"10s\""),
                );
            }
        }
    }
}

fn check_container_values(p: &mut Problems, min: Option<u32>, max: Option<u32>, port: Option<u32>) {
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        p.add("min_scale", Reason::Constraint, "must not exceed max_scale");
    }
    if port.is_some_and(|port| port == 0 || port > 65535) {
        p.add("port", Reason::Constraint, "must be between 1 and 65535");
    }
}

fn public_endpoint(ns: &Namespace, name: &str) -> String {
    // The real API keeps at most 20 characters of the dash-less namespace name.
    let compact: String = ns.name.chars().filter(|c| *c != '-').take(20).collect();
    let short: String = ns.id.to_string().chars().take(8).collect();
    format!(
        "https://{compact}{short}-{name}.functions.fnc.{}.scw.cloud",
        ns.region
    )
}

fn default_liveness_probe() -> Probe {
    Probe {
        failure_threshold: 30,
        interval: ScwDuration::from_secs(10),
        timeout: ScwDuration::from_secs(1),
        http: None,
        tcp: Some(ProbeTcp {}),
    }
}

async fn create_container(
    State(st): AppStateRef,
    caller: Caller,
    Path(region): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    check_region(&region)?;
    let raw = parse_object(&body)?;
    let mut p = Problems::default();
    check_container_shape(&mut p, &raw);
    p.finish()?;
    let body: CreateContainerRequest = check_body(raw, &container_fields(true))?;
    let mut p = Problems::default();
    check_dns_name(&mut p, "name", &body.name);
    if body.image.trim().is_empty() {
        p.add("image", Reason::Required, "required");
    }
    check_maps(
        &mut p,
        body.environment_variables.as_ref(),
        body.secret_environment_variables.as_ref(),
    );
    check_container_values(
        &mut p,
        Some(body.min_scale.unwrap_or(0)),
        Some(body.max_scale.unwrap_or(5)),
        body.port,
    );
    p.finish()?;
    let ns_id = body.namespace_id;
    let namespace = lifecycle::get(
        &st,
        &NamespaceRec::TABLE,
        &ns_id,
        namespaces::visible(caller, &region),
        |n: &NamespaceRec| n.ns.clone(),
    )
    .ok_or_else(|| ns_not_found(&ns_id.to_string()))?;
    if namespace.status == NamespaceStatus::Deleting {
        return Err(ApiError::TransientState {
            resource: "namespace",
            id: ns_id.to_string(),
            state: "deleting".to_owned(),
        });
    }
    let secrets = body
        .secret_environment_variables
        .clone()
        .unwrap_or_default();
    let hashes = hash_all(&st, &secrets);
    let (plain, hashes) = replace_secrets(&BTreeMap::new(), &BTreeMap::new(), &secrets, &hashes);
    let now = st.now();
    let container = Container {
        id: ContainerId(st.ids.next_id()),
        public_endpoint: public_endpoint(&namespace, &body.name),
        name: body.name,
        namespace_id: ns_id,
        description: body.description.unwrap_or_default(),
        status: ContainerStatus::Creating,
        error_message: None,
        created_at: now,
        updated_at: now,
        min_scale: body.min_scale.unwrap_or(0),
        max_scale: body.max_scale.unwrap_or(5),
        memory_limit_bytes: body.memory_limit_bytes.unwrap_or(2_048_000_000),
        mvcpu_limit: body.mvcpu_limit.unwrap_or(1000),
        timeout: body.timeout.unwrap_or(ScwDuration::from_secs(300)),
        privacy: match body.privacy {
            Some(ContainerPrivacy::Private) => ContainerPrivacy::Private,
            _ => ContainerPrivacy::Public,
        },
        image: body.image,
        protocol: match body.protocol {
            Some(ContainerProtocol::H2c) => ContainerProtocol::H2c,
            _ => ContainerProtocol::Http1,
        },
        port: body.port.unwrap_or(8080),
        https_connections_only: body.https_connections_only.unwrap_or(false),
        sandbox: match body.sandbox {
            Some(ContainerSandbox::V1) => ContainerSandbox::V1,
            _ => ContainerSandbox::V2,
        },
        local_storage_limit_bytes: body.local_storage_limit_bytes.unwrap_or(1_000_000_000),
        scaling_option: body.scaling_option.unwrap_or(ScalingOption {
            concurrent_requests_threshold: Some(50),
            ..ScalingOption::default()
        }),
        tags: body.tags.unwrap_or_default(),
        private_network_id: body.private_network_id,
        command: body.command.unwrap_or_default(),
        args: body.args.unwrap_or_default(),
        environment_variables: body.environment_variables.unwrap_or_default(),
        liveness_probe: Some(body.liveness_probe.unwrap_or_else(default_liveness_probe)),
        startup_probe: body.startup_probe,
        secret_environment_variables: hashes,
        region,
    };
    {
        let mut store = st.write();
        if let Some(other) = store
            .containers
            .values()
            .find(|c| c.container.namespace_id == ns_id && c.container.name == container.name)
        {
            return Err(ApiError::AlreadyExists {
                resource: "container",
                id: other.container.id.to_string(),
                help: format!(
                    "a container named {:?} already exists in this namespace",
                    container.name
                ),
            });
        }
        store.containers.insert(
            container.id,
            ContainerRec {
                container: container.clone(),
                secrets: plain,
                organization_id: caller.org,
                project_id: namespace.project_id,
                pending: Some(st.pending(Target::Ready)),
            },
        );
    }
    st.persist();
    Ok(ok(&container))
}

fn container_visible(caller: Caller, region: &str) -> impl Fn(&ContainerRec) -> bool + '_ {
    move |c| c.organization_id == caller.org && c.container.region == region
}

async fn get_container(
    State(st): AppStateRef,
    caller: Caller,
    Path((region, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    check_region(&region)?;
    let cid: ContainerId = parse_id("container_id", &id)?;
    lifecycle::get(
        &st,
        &CONTAINERS,
        &cid,
        container_visible(caller, &region),
        |c| ok(&c.container),
    )
    .ok_or_else(|| container_not_found(&id))
}

async fn list_containers(
    State(st): AppStateRef,
    caller: Caller,
    Path(region): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    check_region(&region)?;
    let q = Query::parse(q.as_deref());
    let mut p = Problems::default();
    let page = q.page(100, &ALL_ORDERS, &mut p);
    let org = q.uuid::<OrganizationId>("organization_id", &mut p);
    let project = q.uuid::<ProjectId>("project_id", &mut p);
    let ns = q.uuid::<NamespaceId>("namespace_id", &mut p);
    p.finish()?;
    let name = q.one("name");
    let visible = container_visible(caller, &region);
    let items = lifecycle::list(
        &st,
        &CONTAINERS,
        |c| {
            visible(c)
                && org.is_none_or(|o| c.organization_id == o)
                && project.is_none_or(|p| c.project_id == p)
                && ns.is_none_or(|n| c.container.namespace_id == n)
                && name.is_none_or(|x| c.container.name == x)
        },
        |c| c.container.clone(),
    );
    let (containers, total_count) = page.apply(items, |c| c.created_at, |c| &c.name);
    Ok(ok(&ListContainersResponse {
        containers,
        total_count,
    }))
}

async fn update_container(
    State(st): AppStateRef,
    caller: Caller,
    Path((region, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    check_region(&region)?;
    let cid: ContainerId = parse_id("container_id", &id)?;
    let raw = parse_object(&body)?;
    let mut p = Problems::default();
    check_container_shape(&mut p, &raw);
    if let Some(pn) = raw.get("private_network_id").and_then(|v| v.as_str())
        && !pn.is_empty()
        && pn.parse::<PrivateNetworkId>().is_err()
    {
        p.add(
            "private_network_id",
            Reason::Format,
            "must be a UUID, or \"\" to detach",
        );
    }
    p.finish()?;
    // Only these fields leave the container running as it is; anything else redeploys it.
    let cosmetic_only = raw.iter().all(|(k, v)| {
        matches!(k.as_str(), "description" | "tags")
            || v.is_null()
            || matches!(
                (k.as_str(), v.as_str()),
                ("privacy", Some("unknown_privacy"))
                    | ("protocol", Some("unknown_protocol"))
                    | ("sandbox", Some("unknown_sandbox"))
            )
    });
    let body: UpdateContainerRequest = check_body(raw, &container_fields(false))?;
    let mut p = Problems::default();
    check_maps(
        &mut p,
        body.environment_variables.as_ref(),
        body.secret_environment_variables.as_ref(),
    );
    check_container_values(&mut p, None, None, body.port);
    if body.image.as_deref().is_some_and(|i| i.trim().is_empty()) {
        p.add("image", Reason::Constraint, "must not be empty");
    }
    p.finish()?;
    lifecycle::get(
        &st,
        &CONTAINERS,
        &cid,
        container_visible(caller, &region),
        |_| (),
    )
    .ok_or_else(|| container_not_found(&id))?;
    let new_hashes = body
        .secret_environment_variables
        .as_ref()
        .map(|s| hash_all(&st, s));
    let now = st.now();
    let container = {
        let mut store = st.write();
        let rec = store
            .containers
            .get_mut(&cid)
            .filter(|c| container_visible(caller, &region)(c))
            .ok_or_else(|| container_not_found(&id))?;
        if rec.container.status.is_transient() {
            return Err(ApiError::TransientState {
                resource: "container",
                id: id.clone(),
                state: status_name(rec.container.status),
            });
        }
        apply_update(rec, body, new_hashes.as_ref());
        let c = &mut rec.container;
        // Bounds are checked against the merged values.
        if c.min_scale > c.max_scale {
            return Err(ApiError::invalid(
                "min_scale",
                Reason::Constraint,
                "must not exceed max_scale",
            ));
        }
        c.updated_at = now;
        if !cosmetic_only {
            c.status = ContainerStatus::Updating;
            c.error_message = None;
            rec.pending = Some(st.pending(Target::Ready));
        }
        rec.container.clone()
    };
    st.persist();
    Ok(ok(&container))
}

fn apply_update(
    rec: &mut ContainerRec,
    b: UpdateContainerRequest,
    new_hashes: Option<&BTreeMap<String, String>>,
) {
    let c = &mut rec.container;
    if let Some(v) = b.environment_variables {
        c.environment_variables = v;
    }
    if let (Some(secrets), Some(hashes)) = (&b.secret_environment_variables, new_hashes) {
        let (plain, hashed) = replace_secrets(
            &rec.secrets,
            &c.secret_environment_variables,
            secrets,
            hashes,
        );
        rec.secrets = plain;
        c.secret_environment_variables = hashed;
    }
    if let Some(v) = b.min_scale {
        c.min_scale = v;
    }
    if let Some(v) = b.max_scale {
        c.max_scale = v;
    }
    if let Some(v) = b.memory_limit_bytes {
        c.memory_limit_bytes = v;
    }
    if let Some(v) = b.mvcpu_limit {
        c.mvcpu_limit = v;
    }
    if let Some(v) = b.timeout {
        c.timeout = v;
    }
    if let Some(v @ (ContainerPrivacy::Public | ContainerPrivacy::Private)) = b.privacy {
        c.privacy = v;
    }
    if let Some(v) = b.description {
        c.description = v;
    }
    if let Some(v) = b.image {
        c.image = v;
    }
    if let Some(v @ (ContainerProtocol::Http1 | ContainerProtocol::H2c)) = b.protocol {
        c.protocol = v;
    }
    if let Some(v) = b.port {
        c.port = v;
    }
    if let Some(v) = b.https_connection_only {
        c.https_connections_only = v;
    }
    if let Some(v @ (ContainerSandbox::V1 | ContainerSandbox::V2)) = b.sandbox {
        c.sandbox = v;
    }
    if let Some(v) = b.local_storage_limit_bytes {
        c.local_storage_limit_bytes = v;
    }
    if let Some(v) = b.scaling_option {
        c.scaling_option = v;
    }
    if let Some(v) = b.liveness_probe {
        c.liveness_probe = Some(v);
    }
    if let Some(v) = b.startup_probe {
        c.startup_probe = Some(v);
    }
    if let Some(v) = b.tags {
        c.tags = v;
    }
    if let Some(v) = b.private_network_id {
        c.private_network_id = v.parse().ok();
    }
    if let Some(v) = b.command {
        c.command = v;
    }
    if let Some(v) = b.args {
        c.args = v;
    }
}

async fn delete_container(
    State(st): AppStateRef,
    caller: Caller,
    Path((region, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    check_region(&region)?;
    let cid: ContainerId = parse_id("container_id", &id)?;
    lifecycle::get(
        &st,
        &CONTAINERS,
        &cid,
        container_visible(caller, &region),
        |_| (),
    )
    .ok_or_else(|| container_not_found(&id))?;
    let now = st.now();
    let container = {
        let mut store = st.write();
        let rec = store
            .containers
            .get_mut(&cid)
            .filter(|c| container_visible(caller, &region)(c))
            .ok_or_else(|| container_not_found(&id))?;
        if rec.container.status != ContainerStatus::Deleting {
            rec.container.status = ContainerStatus::Deleting;
            rec.container.error_message = None;
            rec.container.updated_at = now;
            rec.pending = Some(st.pending(Target::Gone));
        }
        let c = rec.container.clone();
        store
            .container_tokens
            .retain(|_, t| t.scope_id != Some(cid.0));
        c
    };
    st.persist();
    Ok(ok(&container))
}
