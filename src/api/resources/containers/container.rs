//! `scaleway_container`: the state ⇄ wire mapping (probes, scaling options, deprecated
//! `*_limit` and `health_check` spellings), pure request builders, and the calls.

use std::time::Duration;

use serde_json::{Map, Value as Json};

use super::namespace::wait_namespace;
use super::{
    CONTAINER, CONTAINER_TIMEOUT, HEALTH_CHECK_TIMEOUT, MB, POLL, base_path, merged, own_id,
    secret_patch, secrets, status_name,
};
use crate::api::client::Query;
use crate::api::error::ClientError;
use crate::api::resources::fields::{
    Fields, check_region, expand_id, format_go_duration, json_map, json_strings, parse_go_duration,
    regional_id, unless_unset,
};
use crate::api::resources::{
    ApiContext, Attributes, Changed, Listing, Outcome, ResourceError, id_region, reference_uuid,
};
use crate::api::retry::wait_until_settled;
use crate::api::types::common::ScwDuration;
use crate::api::types::containers::{
    Container as ApiContainer, ContainerPrivacy, ContainerProtocol, ContainerSandbox,
    CreateContainerRequest, Probe, ProbeHttp, ProbeTcp, ScalingOption, UpdateContainerRequest,
};
use crate::api::types::{ContainerId, NamespaceId, PrivateNetworkId};

pub(super) async fn wait_container(
    cx: &ApiContext,
    region: &str,
    id: ContainerId,
    provider_timeout: Duration,
) -> Result<ApiContainer, ClientError> {
    let path = format!("{}/containers/{id}", base_path(region));
    let query = Query::new();
    wait_until_settled(
        "container",
        cx.waits.wait(POLL, provider_timeout),
        || cx.client.get::<ApiContainer>(&path, &query),
        |c| c.status.is_transient().then(|| status_name(c.status)),
    )
    .await
}

/// The mapping of `scaleway_container`.
#[derive(Debug, Clone, Copy)]
pub struct Container;

fn invalid(attribute: impl Into<String>, message: impl std::fmt::Display) -> ResourceError {
    ResourceError::invalid(CONTAINER, attribute, message)
}

fn privacy(value: &str) -> Result<ContainerPrivacy, ResourceError> {
    match value {
        "public" => Ok(ContainerPrivacy::Public),
        "private" => Ok(ContainerPrivacy::Private),
        other => Err(invalid(
            "privacy",
            format!("{other:?} is not public or private"),
        )),
    }
}

fn protocol(value: &str) -> Result<ContainerProtocol, ResourceError> {
    match value {
        "http1" => Ok(ContainerProtocol::Http1),
        "h2c" => Ok(ContainerProtocol::H2c),
        other => Err(invalid(
            "protocol",
            format!("{other:?} is not http1 or h2c"),
        )),
    }
}

fn sandbox(value: &str) -> Result<ContainerSandbox, ResourceError> {
    match value {
        "v1" => Ok(ContainerSandbox::V1),
        "v2" => Ok(ContainerSandbox::V2),
        other => Err(invalid("sandbox", format!("{other:?} is not v1 or v2"))),
    }
}

fn http_option(value: &str) -> Result<bool, ResourceError> {
    match value {
        "enabled" => Ok(false),
        "redirected" => Ok(true),
        other => Err(invalid(
            "http_option",
            format!("{other:?} is not enabled or redirected"),
        )),
    }
}

/// A required duration attribute of a probe block (Go syntax: `"10s"`, `"1m30s"`).
fn duration_field(
    block: &Map<String, Json>,
    path: &str,
    key: &str,
) -> Result<ScwDuration, ResourceError> {
    match block.get(key) {
        Some(Json::String(s)) if !s.is_empty() => {
            parse_go_duration(s).map(ScwDuration).ok_or_else(|| {
                invalid(
                    format!("{path}.{key}"),
                    format!("{s:?} is not a duration such as \"10s\""),
                )
            })
        }
        _ => Err(invalid(format!("{path}.{key}"), "is required")),
    }
}

fn http_path(block: &Map<String, Json>, path: &str) -> Result<Option<String>, ResourceError> {
    let http = match block.get("http") {
        None | Some(Json::Null) => return Ok(None),
        Some(Json::Array(items)) => match items.first() {
            None => return Ok(None),
            Some(item) => item,
        },
        Some(obj @ Json::Object(_)) => obj,
        Some(_) => return Err(invalid(format!("{path}.http"), "must be a block")),
    };
    match http.get("path") {
        Some(Json::String(p)) => Ok(Some(p.clone())),
        _ => Err(invalid(format!("{path}.http.0.path"), "is required")),
    }
}

fn threshold(block: &Map<String, Json>, path: &str, key: &str) -> Result<u32, ResourceError> {
    let n = crate::api::resources::fields::json_u64(block.get(key).unwrap_or(&Json::Null))
        .map_err(|m| invalid(format!("{path}.{key}"), m))?
        .unwrap_or(0);
    u32::try_from(n).map_err(|_| invalid(format!("{path}.{key}"), "is too large"))
}

/// A `liveness_probe`/`startup_probe` block as an API probe: exactly one of `http` and
/// `tcp = true`.
fn probe(block: &Map<String, Json>, path: &str) -> Result<Probe, ResourceError> {
    let http = http_path(block, path)?;
    let tcp = matches!(block.get("tcp"), Some(Json::Bool(true)));
    if http.is_some() == tcp {
        return Err(invalid(
            path,
            format!(
                "exactly one of \"{path}.http\" or \"{path}.tcp\" (set to true) must be defined"
            ),
        ));
    }
    Ok(Probe {
        failure_threshold: threshold(block, path, "failure_threshold")?,
        interval: duration_field(block, path, "interval")?,
        timeout: duration_field(block, path, "timeout")?,
        http: http.map(|path| ProbeHttp { path }),
        tcp: tcp.then_some(ProbeTcp {}),
    })
}

/// A deprecated `health_check` block as the liveness probe it stands for (timeout 1 s).
fn health_check_probe(block: &Map<String, Json>) -> Result<Probe, ResourceError> {
    let path = "health_check";
    let http = http_path(block, path)?;
    let tcp = matches!(block.get("tcp"), Some(Json::Bool(true))) && http.is_none();
    if http.is_none() && !tcp {
        return Err(invalid(path, "needs an http block or tcp = true"));
    }
    Ok(Probe {
        failure_threshold: threshold(block, path, "failure_threshold")?,
        interval: duration_field(block, path, "interval")?,
        timeout: ScwDuration(HEALTH_CHECK_TIMEOUT),
        http: http.map(|path| ProbeHttp { path }),
        tcp: tcp.then_some(ProbeTcp {}),
    })
}

/// The `scaling_option` block: at most one non-zero threshold.
fn scaling_option(f: &Fields<'_>) -> Result<Option<ScalingOption>, ResourceError> {
    let block = match f.raw("scaling_option") {
        Json::Null => return Ok(None),
        Json::Array(items) => match items.as_slice() {
            [] => return Ok(None),
            [Json::Object(o)] => o,
            _ => return Err(invalid("scaling_option", "must be a single block")),
        },
        Json::Object(o) => o,
        _ => return Err(invalid("scaling_option", "must be a block")),
    };
    let path = "scaling_option";
    let nonzero = |n: u32| (n != 0).then_some(n);
    let option = ScalingOption {
        concurrent_requests_threshold: nonzero(threshold(
            block,
            path,
            "concurrent_requests_threshold",
        )?),
        cpu_usage_threshold: nonzero(threshold(block, path, "cpu_usage_threshold")?),
        memory_usage_threshold: nonzero(threshold(block, path, "memory_usage_threshold")?),
    };
    let set = [
        option.concurrent_requests_threshold,
        option.cpu_usage_threshold,
        option.memory_usage_threshold,
    ]
    .iter()
    .filter(|t| t.is_some())
    .count();
    match set {
        0 => Ok(None),
        1 => Ok(Some(option)),
        _ => Err(invalid(path, "a maximum of one scaling option can be set")),
    }
}

fn liveness(f: &Fields<'_>) -> Result<Option<Probe>, ResourceError> {
    f.block("liveness_probe")?
        .map(|b| probe(b, "liveness_probe"))
        .transpose()
}

fn health_check(f: &Fields<'_>) -> Result<Option<Probe>, ResourceError> {
    f.block("health_check")?.map(health_check_probe).transpose()
}

fn startup(f: &Fields<'_>) -> Result<Option<Probe>, ResourceError> {
    f.block("startup_probe")?
        .map(|b| probe(b, "startup_probe"))
        .transpose()
}

fn private_network(f: &Fields<'_>) -> Result<Option<PrivateNetworkId>, ResourceError> {
    f.ok_str("private_network_id")?
        .map(|v| expand_id(CONTAINER, "private_network_id", v).map(|(_, u)| PrivateNetworkId(u)))
        .transpose()
}

/// The image to deploy: `registry_image`, else `image`, else the default image the provider's
/// documentation uses, `rg.<region>.scw.cloud/<namespace name>/<container name>:latest`.
fn image(
    f: &Fields<'_>,
    region: &str,
    namespace_name: &str,
    name: &str,
) -> Result<String, ResourceError> {
    Ok(match f.ok_str("registry_image")?.or(f.ok_str("image")?) {
        Some(image) => image.to_owned(),
        None => format!("rg.{region}.scw.cloud/{namespace_name}/{name}:latest"),
    })
}

/// The create body. `region` and `namespace_name` come from the namespace the container goes
/// in; `name` is the configured or generated name.
pub fn container_create_request(
    desired: &Attributes,
    namespace_id: NamespaceId,
    region: &str,
    namespace_name: &str,
    name: &str,
) -> Result<CreateContainerRequest, ResourceError> {
    let f = Fields::new(CONTAINER, desired);
    let live = liveness(&f)?;
    let hc = health_check(&f)?;
    if live.is_some() && hc.is_some() {
        return Err(invalid(
            "health_check",
            "only one of health_check and liveness_probe must be set, we recommend using liveness_probe",
        ));
    }
    let https = match f.bool("https_connections_only")? {
        Some(true) => Some(true),
        _ => f.ok_str("http_option")?.map(http_option).transpose()?,
    };
    Ok(CreateContainerRequest {
        namespace_id,
        name: name.to_owned(),
        image: image(&f, region, namespace_name, name)?,
        environment_variables: f.ok_string_map("environment_variables")?,
        secret_environment_variables: f
            .ok_string_map("secret_environment_variables")?
            .map(secrets),
        min_scale: f.ok_u32("min_scale")?,
        max_scale: f.ok_u32("max_scale")?,
        memory_limit_bytes: match f.ok_u64("memory_limit_bytes")? {
            Some(b) => Some(b),
            None => f.ok_u64("memory_limit")?.map(|mb| mb.saturating_mul(MB)),
        },
        mvcpu_limit: f.ok_u32("cpu_limit")?,
        timeout: f.ok_u64("timeout")?.map(ScwDuration::from_secs),
        // The provider always sends privacy and protocol, with their schema defaults.
        privacy: Some(privacy(f.ok_str("privacy")?.unwrap_or("public"))?),
        description: f.ok_str("description")?.map(str::to_owned),
        protocol: Some(protocol(f.ok_str("protocol")?.unwrap_or("http1"))?),
        port: f.ok_u32("port")?,
        https_connections_only: https,
        sandbox: f.ok_str("sandbox")?.map(sandbox).transpose()?,
        local_storage_limit_bytes: match f.ok_u64("local_storage_limit_bytes")? {
            Some(b) => Some(b),
            None => f
                .ok_u64("local_storage_limit")?
                .map(|mb| mb.saturating_mul(MB)),
        },
        scaling_option: scaling_option(&f)?,
        liveness_probe: live.or(hc),
        startup_probe: startup(&f)?,
        tags: f.ok_strings("tags")?,
        private_network_id: private_network(&f)?,
        command: f.ok_strings("command")?,
        args: f.ok_strings("args")?,
    })
}

/// The PATCH body for a change from `prior` to `desired`: the fields of the attributes and
/// blocks in `changed` (the plan's decision), enums that did not change as `unknown_*` (as the
/// Go SDK sends them), and the HTTPS flag under its PATCH spelling `https_connection_only`.
/// When both spellings of a setting changed (`memory_limit_bytes` and the deprecated
/// `memory_limit`), the current one wins.
pub fn container_update_request(
    prior: &Attributes,
    desired: &Attributes,
    changed: &Changed,
) -> Result<UpdateContainerRequest, ResourceError> {
    let f = Fields::new(CONTAINER, desired);
    let p = Fields::new(CONTAINER, prior);
    let mut r = UpdateContainerRequest {
        privacy: Some(ContainerPrivacy::Unknown),
        protocol: Some(ContainerProtocol::Unknown),
        sandbox: Some(ContainerSandbox::Unknown),
        ..UpdateContainerRequest::default()
    };
    if changed.contains("environment_variables") {
        r.environment_variables = Some(f.string_map("environment_variables")?.unwrap_or_default());
    }
    if changed.contains("secret_environment_variables") {
        r.secret_environment_variables = Some(secret_patch(
            &f.string_map("secret_environment_variables")?
                .unwrap_or_default(),
            &p.string_map("secret_environment_variables")?
                .unwrap_or_default(),
        ));
    }
    if changed.contains("tags") {
        r.tags = Some(f.strings("tags")?.unwrap_or_default());
    }
    if changed.contains("min_scale") {
        r.min_scale = Some(f.u32("min_scale")?.unwrap_or(0));
    }
    if changed.contains("max_scale") {
        r.max_scale = Some(f.u32("max_scale")?.unwrap_or(0));
    }
    if changed.contains("memory_limit_bytes") {
        r.memory_limit_bytes = f.u64("memory_limit_bytes")?;
    } else if changed.contains("memory_limit") {
        r.memory_limit_bytes = f.u64("memory_limit")?.map(|mb| mb.saturating_mul(MB));
    }
    if changed.contains("cpu_limit") {
        r.mvcpu_limit = f.u32("cpu_limit")?;
    }
    if changed.contains("timeout") {
        r.timeout = f.u64("timeout")?.map(ScwDuration::from_secs);
    }
    if changed.contains("privacy") {
        r.privacy = f.ok_str("privacy")?.map(privacy).transpose()?.or(r.privacy);
    }
    if changed.contains("description") {
        r.description = Some(f.str("description")?.unwrap_or_default().to_owned());
    }
    if changed.contains("image") {
        r.image = f.ok_str("image")?.map(str::to_owned);
    } else if changed.contains("registry_image") {
        r.image = f.ok_str("registry_image")?.map(str::to_owned);
    } else if changed.contains("registry_sha256") {
        // A new digest of the same tag: re-sending the image redeploys it.
        r.image = f
            .ok_str("image")?
            .or(f.ok_str("registry_image")?)
            .or(p.ok_str("image")?)
            .map(str::to_owned);
    }
    if changed.contains("protocol") {
        r.protocol = f
            .ok_str("protocol")?
            .map(protocol)
            .transpose()?
            .or(r.protocol);
    }
    if changed.contains("port") {
        r.port = f.u32("port")?;
    }
    if changed.contains("https_connections_only") {
        r.https_connection_only = f.bool("https_connections_only")?;
    } else if changed.contains("http_option") {
        r.https_connection_only = f.ok_str("http_option")?.map(http_option).transpose()?;
    }
    if changed.contains("sandbox") {
        r.sandbox = f.ok_str("sandbox")?.map(sandbox).transpose()?.or(r.sandbox);
    }
    if changed.contains("local_storage_limit_bytes") {
        r.local_storage_limit_bytes = f.u64("local_storage_limit_bytes")?;
    } else if changed.contains("local_storage_limit") {
        r.local_storage_limit_bytes = f
            .u64("local_storage_limit")?
            .map(|mb| mb.saturating_mul(MB));
    }
    if changed.contains("scaling_option") {
        r.scaling_option = Some(scaling_option(&f)?.unwrap_or_default());
    }
    // The deprecated `health_check` is the liveness probe under another name. As the provider:
    // a changed liveness probe wins; else a changed `health_check` is sent, even though the
    // computed liveness probe still holds the recorded value.
    if changed.contains("liveness_probe") {
        r.liveness_probe = liveness(&f)?;
    }
    if r.liveness_probe.is_none() && changed.contains("health_check") {
        r.liveness_probe = health_check(&f)?;
    }
    if changed.contains("startup_probe") {
        // The API has no way to remove a startup probe in a PATCH; only set or change it.
        r.startup_probe = startup(&f)?;
    }
    if changed.contains("command") {
        r.command = Some(f.strings("command")?.unwrap_or_default());
    }
    if changed.contains("args") {
        r.args = Some(f.strings("args")?.unwrap_or_default());
    }
    if changed.contains("private_network_id") {
        r.private_network_id = Some(
            private_network(&f)?
                .map(|id| id.to_string())
                .unwrap_or_default(),
        );
    }
    Ok(r)
}

fn probe_state(probe: Option<&Probe>, with_timeout: bool) -> Json {
    let Some(probe) = probe else {
        return Json::Array(Vec::new());
    };
    let mut block = Map::new();
    block.insert(
        "failure_threshold".into(),
        Json::from(probe.failure_threshold),
    );
    block.insert(
        "interval".into(),
        Json::String(format_go_duration(probe.interval.0)),
    );
    if with_timeout {
        block.insert(
            "timeout".into(),
            Json::String(format_go_duration(probe.timeout.0)),
        );
    }
    block.insert("tcp".into(), Json::Bool(probe.tcp.is_some()));
    block.insert(
        "http".into(),
        Json::Array(
            probe
                .http
                .iter()
                .map(|h| serde_json::json!({ "path": h.path }))
                .collect(),
        ),
    );
    Json::Array(vec![Json::Object(block)])
}

fn container_state(base: &Attributes, c: &ApiContainer) -> Attributes {
    let mut out = base.clone();
    let region = &c.region;
    let mut set = |k: &str, v: Json| {
        out.insert(k.to_owned(), v);
    };
    set("id", Json::String(regional_id(region, c.id)));
    set("name", Json::String(c.name.clone()));
    set(
        "namespace_id",
        Json::String(regional_id(region, c.namespace_id)),
    );
    // As the provider's Read, unset strings are `""` (description, private network, error).
    set("description", Json::String(c.description.clone()));
    set("tags", unless_unset(base, "tags", json_strings(&c.tags)));
    set("environment_variables", json_map(&c.environment_variables));
    set(
        "secret_environment_variables",
        unless_unset(
            base,
            "secret_environment_variables",
            json_map(&c.secret_environment_variables),
        ),
    );
    set("min_scale", Json::from(c.min_scale));
    set("max_scale", Json::from(c.max_scale));
    set("memory_limit_bytes", Json::from(c.memory_limit_bytes));
    set("memory_limit", Json::from(c.memory_limit_bytes / MB));
    set("cpu_limit", Json::from(c.mvcpu_limit));
    set("timeout", Json::from(c.timeout.0.as_secs()));
    set("privacy", Json::String(status_name(c.privacy)));
    set("image", Json::String(c.image.clone()));
    set("registry_image", Json::String(c.image.clone()));
    set("protocol", Json::String(status_name(c.protocol)));
    set("port", Json::from(c.port));
    set(
        "https_connections_only",
        Json::Bool(c.https_connections_only),
    );
    set(
        "http_option",
        Json::from(if c.https_connections_only {
            "redirected"
        } else {
            "enabled"
        }),
    );
    set("sandbox", Json::String(status_name(c.sandbox)));
    set(
        "local_storage_limit_bytes",
        Json::from(c.local_storage_limit_bytes),
    );
    set(
        "local_storage_limit",
        Json::from(c.local_storage_limit_bytes / MB),
    );
    set(
        "command",
        unless_unset(base, "command", json_strings(&c.command)),
    );
    set("args", unless_unset(base, "args", json_strings(&c.args)));
    set(
        "private_network_id",
        c.private_network_id.map_or_else(
            || Json::String(String::new()),
            |pn| Json::String(regional_id(region, pn)),
        ),
    );
    set("public_endpoint", Json::String(c.public_endpoint.clone()));
    set(
        "domain_name",
        Json::String(
            c.public_endpoint
                .strip_prefix("https://")
                .unwrap_or(&c.public_endpoint)
                .to_owned(),
        ),
    );
    set("status", Json::String(status_name(c.status)));
    // The provider no longer sets it (terraform-provider-scaleway#4075).
    set("cron_status", Json::Null);
    set(
        "error_message",
        Json::String(c.error_message.clone().unwrap_or_default()),
    );
    set("region", Json::String(region.clone()));
    set(
        "health_check",
        probe_state(c.liveness_probe.as_ref(), false),
    );
    set(
        "liveness_probe",
        probe_state(c.liveness_probe.as_ref(), true),
    );
    set(
        "startup_probe",
        unless_unset(
            base,
            "startup_probe",
            probe_state(c.startup_probe.as_ref(), true),
        ),
    );
    let so = c.scaling_option;
    set(
        "scaling_option",
        serde_json::json!([{
            "concurrent_requests_threshold": so.concurrent_requests_threshold.unwrap_or(0),
            "cpu_usage_threshold": so.cpu_usage_threshold.unwrap_or(0),
            "memory_usage_threshold": so.memory_usage_threshold.unwrap_or(0),
        }]),
    );
    out
}

/// The outcome for a settled container: a container in `error` is a warning, as the provider
/// reports it.
fn container_outcome(base: &Attributes, c: &ApiContainer) -> Outcome {
    let mut outcome = Outcome::new(container_state(base, c));
    if status_name(c.status) == "error" {
        let mut warning = "Container is not ready, but has status \"error\"".to_owned();
        if let Some(message) = c.error_message.as_deref().filter(|m| !m.is_empty()) {
            warning.push_str(": ");
            warning.push_str(message);
        }
        outcome.warnings.push(warning);
    }
    outcome
}

async fn container_create(cx: &ApiContext, desired: &Attributes) -> Result<Outcome, ResourceError> {
    let f = Fields::new(CONTAINER, desired);
    let namespace = f
        .ok_str("namespace_id")?
        .ok_or_else(|| invalid("namespace_id", "is required"))?;
    let (namespace_region, namespace_id) = expand_id(CONTAINER, "namespace_id", namespace)?;
    let region = match (f.ok_str("region")?, namespace_region) {
        (Some(r), _) => r.to_owned(),
        (None, Some(r)) => r,
        (None, None) => cx.defaults.region.clone(),
    };
    check_region(CONTAINER, &region)?;
    let ns = wait_namespace(cx, &region, NamespaceId(namespace_id), CONTAINER_TIMEOUT).await?;
    let name = match f.ok_str("name")? {
        Some(n) => n.to_owned(),
        None => cx.names.generate("co"),
    };
    let request = container_create_request(desired, ns.id, &region, &ns.name, &name)?;
    let created: ApiContainer = cx
        .client
        .post(&format!("{}/containers", base_path(&region)), &request)
        .await?;
    let settled = wait_container(cx, &region, created.id, CONTAINER_TIMEOUT)
        .await
        .map_err(|e| {
            ResourceError::created_not_ready(CONTAINER, container_state(desired, &created), &e)
        })?;
    Ok(container_outcome(desired, &settled))
}

async fn container_read(
    cx: &ApiContext,
    prior: &Attributes,
) -> Result<Option<Outcome>, ResourceError> {
    let (region, id) = own_id(CONTAINER, prior)?;
    match wait_container(cx, &region, ContainerId(id), CONTAINER_TIMEOUT).await {
        Ok(c) => Ok(Some(container_outcome(prior, &c))),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

async fn container_update(
    cx: &ApiContext,
    prior: &Attributes,
    desired: &Attributes,
    changed: &Changed,
) -> Result<Outcome, ResourceError> {
    let (region, id) = own_id(CONTAINER, prior)?;
    let id = ContainerId(id);
    let request = container_update_request(prior, desired, changed)?;
    let current = wait_container(cx, &region, id, CONTAINER_TIMEOUT).await?;
    wait_namespace(cx, &region, current.namespace_id, CONTAINER_TIMEOUT).await?;
    let unchanged = UpdateContainerRequest {
        privacy: Some(ContainerPrivacy::Unknown),
        protocol: Some(ContainerProtocol::Unknown),
        sandbox: Some(ContainerSandbox::Unknown),
        ..UpdateContainerRequest::default()
    };
    let settled = if request == unchanged {
        current
    } else {
        let _: ApiContainer = cx
            .client
            .patch(&format!("{}/containers/{id}", base_path(&region)), &request)
            .await?;
        wait_container(cx, &region, id, CONTAINER_TIMEOUT).await?
    };
    Ok(container_outcome(&merged(prior, desired), &settled))
}

async fn container_delete(cx: &ApiContext, prior: &Attributes) -> Result<(), ResourceError> {
    let (region, id) = own_id(CONTAINER, prior)?;
    let id = ContainerId(id);
    match wait_container(cx, &region, id, CONTAINER_TIMEOUT).await {
        Ok(_) => {}
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    // As the provider: no wait for the container to disappear.
    match cx
        .client
        .delete::<serde::de::IgnoredAny>(&format!("{}/containers/{id}", base_path(&region)))
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The containers of the namespace a create with `lookup` would use that bear its name.
async fn container_find(
    cx: &ApiContext,
    lookup: &Attributes,
) -> Result<Option<Vec<Outcome>>, ResourceError> {
    let f = Fields::new(CONTAINER, lookup);
    let (Some(name), Some(namespace)) = (f.ok_str("name")?, f.ok_str("namespace_id")?) else {
        return Ok(None);
    };
    let (namespace_region, namespace_id) = expand_id(CONTAINER, "namespace_id", namespace)?;
    let region = match (f.ok_str("region")?, namespace_region) {
        (Some(r), _) => r.to_owned(),
        (None, Some(r)) => r,
        (None, None) => cx.defaults.region.clone(),
    };
    check_region(CONTAINER, &region)?;
    let query = Query::new()
        .with("namespace_id", namespace_id.to_string())
        .with("name", name)
        .with("order_by", "created_at_asc");
    let containers: Vec<ApiContainer> = cx
        .client
        .list_all(
            &format!("{}/containers", base_path(&region)),
            &query,
            "containers",
            100,
        )
        .await?;
    Ok(Some(
        containers
            .iter()
            .filter(|c| c.name == name)
            .map(|c| container_outcome(lookup, c))
            .collect(),
    ))
}

/// The namespace's containers (100 a page).
fn container_listing(prior: &Attributes) -> Option<Listing> {
    let region = id_region(prior)?;
    let namespace = reference_uuid(prior, "namespace_id")?;
    Some(Listing::new(
        &format!("{}/containers", base_path(region)),
        Some(("namespace_id", &namespace.to_string())),
        "containers",
        100,
        prior.get("id")?.as_str()?,
    ))
}

/// A listed container stands for a read once settled (a read waits out transient statuses).
fn container_read_listed(prior: &Attributes, item: Json) -> Option<Outcome> {
    let c: ApiContainer = serde_json::from_value(item).ok()?;
    (!c.status.is_transient()).then(|| container_outcome(prior, &c))
}

resource_api! {
    Container => CONTAINER,
    create(cx, desired) => container_create(cx, desired),
    read(cx, prior) => container_read(cx, prior),
    update(cx, prior, desired, changed) => container_update(cx, prior, desired, changed),
    delete(cx, prior) => container_delete(cx, prior),
    find(cx, lookup) => container_find(cx, lookup),
    listing(prior) => container_listing(prior),
    read_listed(prior, item) => container_read_listed(prior, item),
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn attrs(value: Json) -> Attributes {
        serde_json::from_value(value).expect("an object")
    }

    /// A container as state records it after a create with defaults.
    fn prior() -> Attributes {
        attrs(json!({
            "id": "fr-par/11111111-1111-1111-1111-111111111111",
            "namespace_id": "fr-par/22222222-2222-2222-2222-222222222222",
            "name": "app", "image": "nginx:latest", "registry_image": "nginx:latest",
            "privacy": "public", "protocol": "http1", "sandbox": "v2", "port": 80,
            "min_scale": 0, "max_scale": 5, "memory_limit_bytes": 2_048_000_000_u64,
            "memory_limit": 2048, "cpu_limit": 1000, "timeout": 300,
            "https_connections_only": false, "http_option": "enabled",
            "local_storage_limit_bytes": 1_000_000_000_u64, "local_storage_limit": 1000,
            "environment_variables": {}, "tags": null, "command": null, "args": null,
            "description": null, "private_network_id": null, "startup_probe": null,
            "liveness_probe": [{"failure_threshold": 30, "interval": "10s", "timeout": "1s", "tcp": true, "http": []}],
            "health_check": [{"failure_threshold": 30, "interval": "10s", "tcp": true, "http": []}],
            "scaling_option": [{"concurrent_requests_threshold": 50, "cpu_usage_threshold": 0, "memory_usage_threshold": 0}],
        }))
    }

    fn patch_json(prior: &Attributes, desired: &Attributes, changed: &[&str]) -> Json {
        let changed = Changed::from_paths(changed.iter().copied());
        serde_json::to_value(container_update_request(prior, desired, &changed).expect("valid"))
            .expect("serializes")
    }

    #[test]
    fn what_the_plan_did_not_change_is_not_sent() {
        let p = prior();
        // Whatever the attributes say: deciding what changed is the planner's job.
        let mut desired = p.clone();
        desired.insert("port".into(), json!(8080));
        desired.insert("description".into(), json!("d"));
        assert_eq!(
            patch_json(&p, &desired, &[]),
            json!({"privacy": "unknown_privacy", "protocol": "unknown_protocol", "sandbox": "unknown_sandbox"})
        );
        assert_eq!(patch_json(&p, &desired, &["port"])["port"], json!(8080));
        assert!(
            patch_json(&p, &desired, &["port"])
                .get("description")
                .is_none()
        );
    }

    #[test]
    fn container_patch_carries_only_changed_fields_with_patch_spellings() {
        let p = prior();
        let mut desired = p.clone();
        desired.insert("https_connections_only".into(), json!(true));
        desired.insert("privacy".into(), json!("private"));
        desired.insert("memory_limit".into(), json!(1024));
        desired.insert("description".into(), json!("d"));
        desired.insert(
            "private_network_id".into(),
            json!("fr-par/33333333-3333-3333-3333-333333333333"),
        );
        let changed = [
            "https_connections_only",
            "privacy",
            "memory_limit",
            "description",
            "private_network_id",
        ];
        assert_eq!(
            patch_json(&p, &desired, &changed),
            json!({
                "https_connection_only": true,
                "privacy": "private",
                "protocol": "unknown_protocol",
                "sandbox": "unknown_sandbox",
                "memory_limit_bytes": 1_024_000_000_u64,
                "description": "d",
                "private_network_id": "33333333-3333-3333-3333-333333333333",
            })
        );
        // Detaching and clearing send the empty values.
        let attached = desired.clone();
        let mut detached = desired.clone();
        detached.insert("private_network_id".into(), Json::Null);
        detached.insert("description".into(), Json::Null);
        let patch = patch_json(&attached, &detached, &["private_network_id", "description"]);
        assert_eq!(patch["private_network_id"], json!(""));
        assert_eq!(patch["description"], json!(""));
        // The deprecated http_option maps to the same flag.
        let mut redirected = p.clone();
        redirected.insert("http_option".into(), json!("redirected"));
        assert_eq!(
            patch_json(&p, &redirected, &["http_option"])["https_connection_only"],
            json!(true)
        );
    }

    #[test]
    fn a_new_registry_digest_redeploys_the_same_image() {
        let p = prior();
        let mut desired = p.clone();
        desired.insert("registry_sha256".into(), json!("abc"));
        assert_eq!(
            patch_json(&p, &desired, &["registry_sha256"])["image"],
            json!("nginx:latest")
        );
    }

    #[test]
    fn health_check_becomes_a_liveness_probe_with_a_one_second_timeout() {
        let p = prior();
        let mut desired = p.clone();
        desired.remove("liveness_probe");
        desired.insert(
            "health_check".into(),
            json!([{"failure_threshold": 5, "interval": "20s", "http": [{"path": "/up"}]}]),
        );
        assert_eq!(
            patch_json(&p, &desired, &["health_check"])["liveness_probe"],
            json!({"failure_threshold": 5, "interval": "20s", "timeout": "1s", "http": {"path": "/up"}})
        );
    }

    #[test]
    fn create_body_follows_the_providers_get_ok_rules() {
        let desired = attrs(json!({
            "namespace_id": "fr-par/22222222-2222-2222-2222-222222222222",
            "min_scale": 0, "max_scale": 3, "memory_limit": 256, "timeout": 60,
            "http_option": "redirected", "tags": [], "environment_variables": {},
            "startup_probe": [{"failure_threshold": 3, "interval": "1m", "timeout": "500ms", "tcp": true}],
        }));
        let ns = NamespaceId(
            "22222222-2222-2222-2222-222222222222"
                .parse()
                .expect("uuid"),
        );
        let request =
            container_create_request(&desired, ns, "nl-ams", "shop", "tf-co-x").expect("valid");
        let body = serde_json::to_value(&request).expect("serializes");
        assert_eq!(
            body,
            json!({
                "namespace_id": "22222222-2222-2222-2222-222222222222",
                "name": "tf-co-x",
                "image": "rg.nl-ams.scw.cloud/shop/tf-co-x:latest",
                "max_scale": 3,
                "memory_limit_bytes": 256_000_000,
                "timeout": "60s",
                "privacy": "public",
                "protocol": "http1",
                "https_connections_only": true,
                "startup_probe": {"failure_threshold": 3, "interval": "60s", "timeout": "0.5s", "tcp": {}},
            })
        );
    }

    #[test]
    fn invalid_probes_and_conflicts_are_refused() {
        let ns = NamespaceId(uuid::Uuid::nil());
        for (desired, attribute) in [
            (
                json!({"liveness_probe": [{"failure_threshold": 1, "interval": "1s", "timeout": "1s"}]}),
                "liveness_probe",
            ),
            (
                json!({"liveness_probe": [{"failure_threshold": 1, "interval": "1s", "timeout": "1s", "tcp": true, "http": [{"path": "/"}]}]}),
                "liveness_probe",
            ),
            (
                json!({"liveness_probe": [{"failure_threshold": 1, "interval": "soon", "timeout": "1s", "tcp": true}]}),
                "liveness_probe.interval",
            ),
            (
                json!({"health_check": [{"failure_threshold": 1, "interval": "1s", "tcp": true}],
                    "liveness_probe": [{"failure_threshold": 1, "interval": "1s", "timeout": "1s", "tcp": true}]}),
                "health_check",
            ),
            (json!({"privacy": "secret"}), "privacy"),
            (json!({"min_scale": -1}), "min_scale"),
        ] {
            let err = container_create_request(&attrs(desired.clone()), ns, "fr-par", "n", "c")
                .expect_err("invalid");
            assert!(
                matches!(&err, ResourceError::InvalidAttribute { attribute: a, .. } if a == attribute),
                "{desired}: {err}"
            );
        }
    }
}
