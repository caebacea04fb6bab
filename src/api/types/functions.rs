//! Serverless Functions v1beta1 (`/functions/v1beta1/regions/{region}/…`): namespaces, tokens,
//! and the minimal function objects that function-scoped tokens refer to.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::common::{
    FunctionId, NamespaceId, OrganizationId, PrivateNetworkId, ProjectId, ScwDuration, Secret,
    TokenId, rfc3339, rfc3339_opt,
};
pub use super::containers::TokenStatus;

/// Status of a functions namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NamespaceStatus {
    /// Usable.
    Ready,
    /// Being deleted (transient).
    Deleting,
    /// Failed.
    Error,
    /// Locked.
    Locked,
    /// Being created (transient).
    Creating,
    /// Being provisioned or reconfigured (transient).
    Pending,
    /// Unknown; also any value this version does not know.
    #[serde(rename = "unknown", other)]
    Unknown,
}

impl NamespaceStatus {
    /// Whether SDK waiters keep polling in this status.
    #[must_use]
    pub fn is_transient(self) -> bool {
        matches!(self, Self::Creating | Self::Pending | Self::Deleting)
    }
}

/// A secret variable in a request: `value: null` (in PATCH) deletes the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretVariable {
    /// The variable name.
    pub key: String,
    /// The value; `None` deletes.
    #[serde(default)]
    pub value: Option<Secret>,
}

/// A secret variable in a response: only its argon2id hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretHashedValue {
    /// argon2id PHC string.
    pub hashed_value: String,
    /// The variable name.
    pub key: String,
}

/// `POST /functions/v1beta1/regions/{region}/namespaces`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateNamespaceRequest {
    /// Unique in the project.
    pub name: String,
    /// Plain variables.
    #[serde(default)]
    pub environment_variables: Option<BTreeMap<String, String>>,
    /// The owning project.
    pub project_id: ProjectId,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Secret variables.
    #[serde(default)]
    pub secret_environment_variables: Option<Vec<SecretVariable>>,
    /// Tags.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// `PATCH …/namespaces/{namespace_id}`: secrets merge (listed keys set, `value: null` deletes,
/// `null`/absent = unchanged); plain variables and tags replace the whole value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateNamespaceRequest {
    /// New plain variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_variables: Option<BTreeMap<String, String>>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Secret changes.
    #[serde(default)]
    pub secret_environment_variables: Option<Vec<SecretVariable>>,
    /// New tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

/// A functions namespace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Namespace {
    /// Creation time.
    #[serde(with = "rfc3339")]
    pub created_at: jiff::Timestamp,
    /// `""` when unset.
    #[serde(default)]
    pub description: String,
    /// Plain variables.
    #[serde(default)]
    pub environment_variables: BTreeMap<String, String>,
    /// Always present, `null` unless the namespace failed.
    #[serde(default)]
    pub error_message: Option<String>,
    /// Its ID.
    pub id: NamespaceId,
    /// Its name.
    pub name: String,
    /// The owning organization.
    pub organization_id: OrganizationId,
    /// The owning project.
    pub project_id: ProjectId,
    /// Its region.
    pub region: String,
    /// `""` until ready, then `rg.<region>.scw.cloud/funcscw<name>…`.
    #[serde(default)]
    pub registry_endpoint: String,
    /// `""` until ready, then a UUID.
    #[serde(default)]
    pub registry_namespace_id: String,
    /// Secret variables, hashed.
    #[serde(default)]
    pub secret_environment_variables: Vec<SecretHashedValue>,
    /// Lifecycle status.
    pub status: NamespaceStatus,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Last update time.
    #[serde(with = "rfc3339")]
    pub updated_at: jiff::Timestamp,
    /// Deprecated; always `false` here.
    #[serde(default)]
    pub vpc_integration_activated: bool,
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

/// Status of a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunctionStatus {
    /// Deployed and serving.
    Ready,
    /// Being deleted (transient).
    Deleting,
    /// Failed.
    Error,
    /// Locked.
    Locked,
    /// Being created (transient).
    Creating,
    /// Being deployed (transient).
    Pending,
    /// Created, no code deployed yet.
    Created,
    /// Unknown; also any value this version does not know.
    #[serde(rename = "unknown", other)]
    Unknown,
}

/// `POST …/functions` (only the fields scwform's tokens need are interpreted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateFunctionRequest {
    /// Unique in the namespace.
    pub name: String,
    /// The namespace.
    pub namespace_id: NamespaceId,
    /// Runtime, such as `node26`.
    #[serde(default)]
    pub runtime: Option<String>,
    /// Memory in MB.
    #[serde(default)]
    pub memory_limit: Option<u32>,
    /// Minimum instances.
    #[serde(default)]
    pub min_scale: Option<u32>,
    /// Maximum instances.
    #[serde(default)]
    pub max_scale: Option<u32>,
    /// Entry point.
    #[serde(default)]
    pub handler: Option<String>,
    /// `public` or `private`.
    #[serde(default)]
    pub privacy: Option<String>,
    /// `enabled` or `redirected`.
    #[serde(default)]
    pub http_option: Option<String>,
    /// `v1` or `v2`.
    #[serde(default)]
    pub sandbox: Option<String>,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// Plain variables.
    #[serde(default)]
    pub environment_variables: Option<BTreeMap<String, String>>,
    /// Secret variables.
    #[serde(default)]
    pub secret_environment_variables: Option<Vec<SecretVariable>>,
    /// Tags.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// A function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Function {
    /// Build output, `null` before any build.
    #[serde(default)]
    pub build_message: Option<String>,
    /// CPU in thousandths of a vCPU (derived from memory).
    pub cpu_limit: u32,
    /// Creation time.
    #[serde(with = "rfc3339")]
    pub created_at: jiff::Timestamp,
    /// `""` when unset.
    #[serde(default)]
    pub description: String,
    /// Default host name.
    pub domain_name: String,
    /// Plain variables.
    #[serde(default)]
    pub environment_variables: BTreeMap<String, String>,
    /// `null` unless failed.
    #[serde(default)]
    pub error_message: Option<String>,
    /// Entry point.
    pub handler: String,
    /// `enabled` or `redirected`.
    pub http_option: String,
    /// Its ID.
    pub id: FunctionId,
    /// Maximum instances.
    pub max_scale: u32,
    /// Memory in MB.
    pub memory_limit: u32,
    /// Minimum instances.
    pub min_scale: u32,
    /// Its name.
    pub name: String,
    /// Its namespace.
    pub namespace_id: NamespaceId,
    /// `public` or `private`.
    pub privacy: String,
    /// Attached private network.
    #[serde(default)]
    pub private_network_id: Option<PrivateNetworkId>,
    /// When it became ready.
    #[serde(default, with = "rfc3339_opt")]
    pub ready_at: Option<jiff::Timestamp>,
    /// Its region.
    pub region: String,
    /// Runtime.
    pub runtime: String,
    /// Runtime notice.
    #[serde(default)]
    pub runtime_message: String,
    /// `v1` or `v2`.
    pub sandbox: String,
    /// Secret variables, hashed.
    #[serde(default)]
    pub secret_environment_variables: Vec<SecretHashedValue>,
    /// Lifecycle status.
    pub status: FunctionStatus,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Request timeout.
    pub timeout: ScwDuration,
    /// Last update time.
    #[serde(with = "rfc3339")]
    pub updated_at: jiff::Timestamp,
}

/// `GET …/functions`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListFunctionsResponse {
    /// This page.
    #[serde(default)]
    pub functions: Vec<Function>,
    /// Number of functions matching the filters (all pages).
    pub total_count: u64,
}

/// `POST /functions/v1beta1/regions/{region}/tokens`: exactly one of `function_id` and
/// `namespace_id`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CreateTokenRequest {
    /// Scope the token to one function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_id: Option<FunctionId>,
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

/// A function token (keys sorted as the API answers them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Token {
    /// `""` when unset.
    #[serde(default)]
    pub description: String,
    /// Expiry (`null` = never).
    #[serde(default, with = "rfc3339_opt")]
    pub expires_at: Option<jiff::Timestamp>,
    /// Set for function-scoped tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_id: Option<FunctionId>,
    /// Its ID.
    pub id: TokenId,
    /// Set for namespace-scoped tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<NamespaceId>,
    /// PEM public key in the creation response only.
    #[serde(default)]
    pub public_key: String,
    /// Lifecycle status.
    pub status: TokenStatus,
    /// The JWT in the creation response, `"<hidden>"` afterwards, `""` when deleted.
    pub token: Secret,
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
