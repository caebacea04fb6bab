//! PLACEHOLDER for the `resources` branch's per-type API mappings: only the seam's types
//! (engine-common.md seam 2), with no mapping registered, so that the executor compiles and
//! is tested with fakes before that branch lands. The `resources` branch's file replaces this
//! one entirely on merge.
//!
//! Depends on `api::client` and `api::error` only.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::client::Client;
use super::error::ClientError;
use super::types::{OrganizationId, ProjectId};

/// A resource's attributes in state form: a JSON object as the Terraform provider stores it.
pub type Attributes = BTreeMap<String, serde_json::Value>;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Provider-level defaults applied to attributes left unset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defaults {
    /// The default organization.
    pub organization_id: Option<OrganizationId>,
    /// The default project.
    pub project_id: Option<ProjectId>,
    /// The default region.
    pub region: String,
}

/// How long and how often to wait for resources to settle.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WaitSettings {
    /// Replaces every poll and retry interval when set.
    pub poll_interval: Option<Duration>,
    /// Multiplies every timeout (1.0 = the provider's).
    pub timeout_scale: f64,
}

impl WaitSettings {
    /// Fast waits for tests and the sandbox.
    #[must_use]
    pub fn fast() -> Self {
        Self {
            poll_interval: Some(Duration::from_millis(10)),
            timeout_scale: 0.02,
        }
    }
}

/// Everything a mapping needs to make calls.
#[derive(Debug)]
pub struct ApiContext {
    /// The API client.
    pub client: Client,
    /// Provider-level defaults.
    pub defaults: Defaults,
    /// Waiting intervals and timeouts.
    pub waits: WaitSettings,
}

impl ApiContext {
    /// A context with the provider's waits.
    #[must_use]
    pub fn new(client: Client, defaults: Defaults) -> Self {
        Self {
            client,
            defaults,
            waits: WaitSettings {
                poll_interval: None,
                timeout_scale: 1.0,
            },
        }
    }
}

/// The result of a create, read or update.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The whole object in state form after the call.
    pub attributes: Attributes,
    /// Things the user should know that did not make the call fail.
    pub warnings: Vec<String>,
}

/// Why a resource operation failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ResourceError {
    /// An API call failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Client(#[from] ClientError),
    /// The attributes cannot be turned into a request.
    #[error("{type_name}: `{attribute}` {message}")]
    #[diagnostic(code(scw::resource::invalid_attribute))]
    InvalidAttribute {
        /// The resource type.
        type_name: &'static str,
        /// The attribute at fault.
        attribute: String,
        /// What is wrong with it.
        message: String,
    },
}

impl ResourceError {
    /// The underlying client error, when the API call is what failed.
    #[must_use]
    pub fn client(&self) -> Option<&ClientError> {
        match self {
            Self::Client(e) => Some(e),
            Self::InvalidAttribute { .. } => None,
        }
    }
}

/// The API mapping of one resource type.
pub trait ResourceApi: Send + Sync {
    /// The Terraform type name.
    fn type_name(&self) -> &'static str;
    /// Creates the object described by `desired`.
    fn create<'a>(
        &'a self,
        cx: &'a ApiContext,
        desired: &'a Attributes,
    ) -> BoxFuture<'a, Result<Outcome, ResourceError>>;
    /// Reads the object `prior` describes; `None` when it is gone.
    fn read<'a>(
        &'a self,
        cx: &'a ApiContext,
        prior: &'a Attributes,
    ) -> BoxFuture<'a, Result<Option<Outcome>, ResourceError>>;
    /// Changes the object from `prior` to `desired` in place.
    fn update<'a>(
        &'a self,
        cx: &'a ApiContext,
        prior: &'a Attributes,
        desired: &'a Attributes,
    ) -> BoxFuture<'a, Result<Outcome, ResourceError>>;
    /// Deletes the object.
    fn delete<'a>(
        &'a self,
        cx: &'a ApiContext,
        prior: &'a Attributes,
    ) -> BoxFuture<'a, Result<(), ResourceError>>;
}

/// The API mapping of a resource type (none in this placeholder).
#[must_use]
pub fn resource_api(_type_name: &str) -> Option<&'static dyn ResourceApi> {
    None
}
