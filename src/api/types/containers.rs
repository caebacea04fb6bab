//! Serverless Containers: namespaces and containers (v1,
//! `/containers/v1/regions/{region}/…`) and tokens (v1beta1, the only API that has them).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::common::{
    ContainerId, NamespaceId, OrganizationId, PrivateNetworkId, ProjectId, ScwDuration, Secret,
    TokenId, rfc3339, rfc3339_opt,
};

/// Status of a v1 namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NamespaceStatus {
    /// Being created (transient).
    Creating,
    /// Usable.
    Ready,
    /// Being updated (transient).
    Updating,
    /// Being deleted (transient).
    Deleting,
    /// Failed.
    Error,
    /// Being locked (transient).
    Locking,
    /// Locked.
    Locked,
    /// Being upgraded (transient).
    Upgrading,
    /// Unknown; also any value this version does not know.
    #[serde(rename = "unknown_status", other)]
    Unknown,
}

impl NamespaceStatus {
    /// Whether SDK waiters keep polling in this status.
    #[must_use]
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            Self::Creating | Self::Updating | Self::Deleting | Self::Locking | Self::Upgrading
        )
    }
}

/// Status of a v1 container (same values as namespaces).
pub type ContainerStatus = NamespaceStatus;

/// `POST /containers/v1/regions/{region}/namespaces`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateNamespaceRequest {
    /// The owning project.
    pub project_id: ProjectId,
    /// Unique in the project; immutable.
    pub name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Plain environment variables (`null` = none).
    #[serde(default)]
    pub environment_variables: Option<BTreeMap<String, String>>,
    /// Secret environment variables (`null` = none); the server keeps only hashes.
    #[serde(default)]
    pub secret_environment_variables: Option<BTreeMap<String, Secret>>,
    /// Tags (`null` = none).
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// `PATCH /containers/v1/regions/{region}/namespaces/{namespace_id}`: absent or `null` fields are
/// unchanged; maps and lists replace the whole value; a secret sent as `""` keeps its current
/// value and a secret left out is deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateNamespaceRequest {
    /// New description (`""` clears).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New plain variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_variables: Option<BTreeMap<String, String>>,
    /// New secret variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_environment_variables: Option<BTreeMap<String, Secret>>,
    /// New tags (`[]` clears).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

/// A v1 namespace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Namespace {
    /// Its ID.
    pub id: NamespaceId,
    /// Its name.
    pub name: String,
    /// The owning organization.
    pub organization_id: OrganizationId,
    /// The owning project.
    pub project_id: ProjectId,
    /// `""` when unset.
    #[serde(default)]
    pub description: String,
    /// Lifecycle status.
    pub status: NamespaceStatus,
    /// Why it failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// Plain variables.
    #[serde(default)]
    pub environment_variables: BTreeMap<String, String>,
    /// Secret variables as argon2id PHC hashes (never the values).
    #[serde(default)]
    pub secret_environment_variables: BTreeMap<String, String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Creation time.
    #[serde(with = "rfc3339")]
    pub created_at: jiff::Timestamp,
    /// Last update time.
    #[serde(with = "rfc3339")]
    pub updated_at: jiff::Timestamp,
    /// Its region.
    pub region: String,
}

/// `GET …/namespaces`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListNamespacesResponse {
    /// This page.
    #[serde(default)]
    pub namespaces: Vec<Namespace>,
    /// Number of namespaces matching the filters (all pages).
    pub total_count: u64,
}

/// Who may call a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerPrivacy {
    /// Anyone.
    Public,
    /// Token holders only.
    Private,
    /// Not set (in PATCH: unchanged); also any unknown value.
    #[serde(rename = "unknown_privacy", other)]
    Unknown,
}

/// The HTTP protocol a container speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerProtocol {
    /// HTTP/1.1.
    Http1,
    /// HTTP/2 cleartext.
    H2c,
    /// Not set (in PATCH: unchanged); also any unknown value.
    #[serde(rename = "unknown_protocol", other)]
    Unknown,
}

/// The sandbox generation a container runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerSandbox {
    /// First generation.
    V1,
    /// Second generation.
    V2,
    /// Not set (on create the server picks `v2`; in PATCH: unchanged); also any unknown value.
    #[serde(rename = "unknown_sandbox", other)]
    Unknown,
}

/// When to scale out: exactly one threshold is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ScalingOption {
    /// Concurrent requests per instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrent_requests_threshold: Option<u32>,
    /// CPU usage percentage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_usage_threshold: Option<u32>,
    /// Memory usage percentage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_usage_threshold: Option<u32>,
}

/// An HTTP probe target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeHttp {
    /// The path to GET.
    pub path: String,
}

/// A TCP probe (no parameters; written `{}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProbeTcp {}

/// A liveness or startup probe: exactly one of `http` and `tcp`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    /// Failures before the instance is restarted.
    pub failure_threshold: u32,
    /// Time between probes.
    pub interval: ScwDuration,
    /// Time allowed for one probe.
    pub timeout: ScwDuration,
    /// Probe over HTTP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<ProbeHttp>,
    /// Probe by opening a TCP connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp: Option<ProbeTcp>,
}

/// `POST /containers/v1/regions/{region}/containers`. Optional fields left out take the server
/// defaults documented in `docs/emulator.md`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateContainerRequest {
    /// The namespace to create it in.
    pub namespace_id: NamespaceId,
    /// Unique in the namespace; immutable.
    pub name: String,
    /// Image reference (`nginx:latest`, `rg.fr-par.scw.cloud/ns/img:tag`).
    pub image: String,
    /// Plain variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_variables: Option<BTreeMap<String, String>>,
    /// Secret variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_environment_variables: Option<BTreeMap<String, Secret>>,
    /// Minimum instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_scale: Option<u32>,
    /// Maximum instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_scale: Option<u32>,
    /// Memory per instance, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_limit_bytes: Option<u64>,
    /// CPU per instance, in thousandths of a vCPU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mvcpu_limit: Option<u32>,
    /// Request timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<ScwDuration>,
    /// Who may call it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy: Option<ContainerPrivacy>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// HTTP protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<ContainerProtocol>,
    /// Listening port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    /// Redirect HTTP to HTTPS (plural "connections" on create).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub https_connections_only: Option<bool>,
    /// Sandbox generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<ContainerSandbox>,
    /// Local storage, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_storage_limit_bytes: Option<u64>,
    /// Scale-out threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling_option: Option<ScalingOption>,
    /// Liveness probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<Probe>,
    /// Startup probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_probe: Option<Probe>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Private network to attach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_network_id: Option<PrivateNetworkId>,
    /// Entrypoint override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    /// Arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
}

/// `PATCH /containers/v1/regions/{region}/containers/{container_id}`: absent fields are
/// unchanged, `unknown_*` enum values are unchanged, and the HTTPS flag is spelled
/// `https_connection_only` (singular) here only.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UpdateContainerRequest {
    /// Plain variables (whole map).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_variables: Option<BTreeMap<String, String>>,
    /// Secret variables (whole map; `""` keeps a value, a missing key deletes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_environment_variables: Option<BTreeMap<String, Secret>>,
    /// Minimum instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_scale: Option<u32>,
    /// Maximum instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_scale: Option<u32>,
    /// Memory per instance, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_limit_bytes: Option<u64>,
    /// CPU per instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mvcpu_limit: Option<u32>,
    /// Request timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<ScwDuration>,
    /// Who may call it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy: Option<ContainerPrivacy>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Image (a change redeploys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// HTTP protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<ContainerProtocol>,
    /// Listening port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    /// Redirect HTTP to HTTPS (singular "connection" in PATCH).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub https_connection_only: Option<bool>,
    /// Sandbox generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<ContainerSandbox>,
    /// Local storage, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_storage_limit_bytes: Option<u64>,
    /// Scale-out threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling_option: Option<ScalingOption>,
    /// Liveness probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<Probe>,
    /// Startup probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_probe: Option<Probe>,
    /// Tags (whole list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Private network; `""` detaches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_network_id: Option<String>,
    /// Entrypoint override (`[]` clears).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    /// Arguments (`[]` clears).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
}

/// A v1 container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Container {
    /// Its ID.
    pub id: ContainerId,
    /// Its name.
    pub name: String,
    /// Its namespace.
    pub namespace_id: NamespaceId,
    /// `""` when unset.
    #[serde(default)]
    pub description: String,
    /// Lifecycle status.
    pub status: ContainerStatus,
    /// Present (`""` or the reason) once the container has settled; absent while transient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// Creation time.
    #[serde(with = "rfc3339")]
    pub created_at: jiff::Timestamp,
    /// Last update time.
    #[serde(with = "rfc3339")]
    pub updated_at: jiff::Timestamp,
    /// Minimum instances.
    pub min_scale: u32,
    /// Maximum instances.
    pub max_scale: u32,
    /// Memory per instance, in bytes.
    pub memory_limit_bytes: u64,
    /// CPU per instance.
    pub mvcpu_limit: u32,
    /// Request timeout.
    pub timeout: ScwDuration,
    /// Who may call it.
    pub privacy: ContainerPrivacy,
    /// Image reference.
    pub image: String,
    /// HTTP protocol.
    pub protocol: ContainerProtocol,
    /// Listening port.
    pub port: u32,
    /// Redirect HTTP to HTTPS.
    pub https_connections_only: bool,
    /// Sandbox generation.
    pub sandbox: ContainerSandbox,
    /// Local storage, in bytes.
    pub local_storage_limit_bytes: u64,
    /// Scale-out threshold.
    pub scaling_option: ScalingOption,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Attached private network (absent when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_network_id: Option<PrivateNetworkId>,
    /// Entrypoint override.
    #[serde(default)]
    pub command: Vec<String>,
    /// Arguments.
    #[serde(default)]
    pub args: Vec<String>,
    /// Plain variables.
    #[serde(default)]
    pub environment_variables: BTreeMap<String, String>,
    /// `https://<namespace name without '-'><8 hex of namespace id>-<name>.functions.fnc.<region>.scw.cloud`
    pub public_endpoint: String,
    /// Liveness probe.
    pub liveness_probe: Option<Probe>,
    /// Startup probe (`null` when none).
    pub startup_probe: Option<Probe>,
    /// Secret variables as argon2id PHC hashes.
    #[serde(default)]
    pub secret_environment_variables: BTreeMap<String, String>,
    /// Its region.
    pub region: String,
}

/// `GET …/containers`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListContainersResponse {
    /// This page.
    #[serde(default)]
    pub containers: Vec<Container>,
    /// Number of containers matching the filters (all pages).
    pub total_count: u64,
}

/// Status of a v1beta1 token (containers and functions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenStatus {
    /// Being created (transient).
    Creating,
    /// Usable.
    Ready,
    /// Being deleted (transient).
    Deleting,
    /// Failed.
    Error,
    /// Unknown; also any value this version does not know.
    #[serde(rename = "unknown", other)]
    Unknown,
}

/// `POST /containers/v1beta1/regions/{region}/tokens`: exactly one of `container_id` and
/// `namespace_id`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CreateTokenRequest {
    /// Scope the token to one container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_id: Option<ContainerId>,
    /// Scope the token to a whole namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<NamespaceId>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Expiry (any offset; answered in UTC).
    #[serde(default, with = "rfc3339_opt", skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<jiff::Timestamp>,
}

/// A container token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Token {
    /// The JWT in the creation response, `"<hidden>"` afterwards, `""` in the DELETE response.
    pub token: Secret,
    /// Deprecated PEM public key: in the creation response only, `""` afterwards.
    #[serde(default)]
    pub public_key: String,
    /// Set for container-scoped tokens (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_id: Option<ContainerId>,
    /// Set for namespace-scoped tokens (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<NamespaceId>,
    /// Its ID.
    pub id: TokenId,
    /// Lifecycle status.
    pub status: TokenStatus,
    /// Expiry (`null` = never).
    #[serde(default, with = "rfc3339_opt")]
    pub expires_at: Option<jiff::Timestamp>,
    /// `""` when unset.
    #[serde(default)]
    pub description: String,
}

/// `GET …/tokens`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListTokensResponse {
    /// This page.
    #[serde(default)]
    pub tokens: Vec<Token>,
    /// Number of tokens matching the filters (all pages).
    pub total_count: u64,
}
