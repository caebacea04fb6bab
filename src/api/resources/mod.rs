//! Per-resource-type API mappings: how the state-form attributes of each managed resource type
//! become API calls, and how the API's answers become state-form attributes again.
//!
//! One file per product ([`account`], [`cockpit`], [`containers`], [`functions`]); each
//! implements [`ResourceApi`] for its types, and [`resource_api`] finds the mapping for a
//! Terraform type name.
//!
//! Invariants:
//! - The boundary is [`Attributes`]: a JSON object exactly as the Terraform provider stores the
//!   resource in state (attribute names from the schema, nested blocks as lists of objects,
//!   regional ids `{region}/{uuid}`, references stored as `{region}/{uuid}`).
//! - Every `create`/`read`/`update` returns the whole object after the call and after waiting
//!   for it to settle; write-once secrets (Cockpit `secret_key`, serverless `token`) come only
//!   from the creation answer and are carried over from the prior attributes afterwards.
//! - Waits and retries follow the provider's intervals and timeouts, scaled by
//!   [`WaitSettings`]; all sleeping goes through tokio's clock.
//! - A configured attribute left `null` (or absent) is "not configured": the provider's
//!   default applies (`region`, `project_id`, generated names...).
//!
//! Depends on `api::{client, error, retry, types}` and `api::names` only: nothing here knows
//! about HCL, `model::Value`, the planner or the state file.

/// Implements [`ResourceApi`] for a mapping type by forwarding each operation to an `async`
/// expression over the named arguments. `update: none` marks a type without an update call
/// (every configurable attribute forces replacement, so the planner never asks for one).
macro_rules! resource_api {
    (
        $mapping:ty => $type_name:expr,
        create($ccx:ident, $cdesired:ident) => $create:expr,
        read($rcx:ident, $rprior:ident) => $read:expr,
        update($ucx:pat, $uprior:pat, $udesired:pat, $uchanged:pat) => $update:expr,
        delete($dcx:ident, $dprior:ident) => $delete:expr
        $(, find($fcx:ident, $flookup:ident) => $find:expr)?
        $(, listing($lprior:ident) => $listing:expr,
            read_listed($rlprior:ident, $rlitem:ident) => $read_listed:expr)? $(,)?
    ) => {
        impl $crate::api::resources::ResourceApi for $mapping {
            fn type_name(&self) -> &'static str {
                $type_name
            }

            fn create<'a>(
                &'a self,
                $ccx: &'a $crate::api::resources::ApiContext,
                $cdesired: &'a $crate::api::resources::Attributes,
            ) -> $crate::api::resources::BoxFuture<
                'a,
                Result<$crate::api::resources::Outcome, $crate::api::resources::ResourceError>,
            > {
                Box::pin($create)
            }

            fn read<'a>(
                &'a self,
                $rcx: &'a $crate::api::resources::ApiContext,
                $rprior: &'a $crate::api::resources::Attributes,
            ) -> $crate::api::resources::BoxFuture<
                'a,
                Result<
                    Option<$crate::api::resources::Outcome>,
                    $crate::api::resources::ResourceError,
                >,
            > {
                Box::pin($read)
            }

            fn update<'a>(
                &'a self,
                $ucx: &'a $crate::api::resources::ApiContext,
                $uprior: &'a $crate::api::resources::Attributes,
                $udesired: &'a $crate::api::resources::Attributes,
                $uchanged: &'a $crate::api::resources::Changed,
            ) -> $crate::api::resources::BoxFuture<
                'a,
                Result<$crate::api::resources::Outcome, $crate::api::resources::ResourceError>,
            > {
                Box::pin($update)
            }

            fn delete<'a>(
                &'a self,
                $dcx: &'a $crate::api::resources::ApiContext,
                $dprior: &'a $crate::api::resources::Attributes,
            ) -> $crate::api::resources::BoxFuture<
                'a,
                Result<(), $crate::api::resources::ResourceError>,
            > {
                Box::pin($delete)
            }

            $(
                fn find<'a>(
                    &'a self,
                    $fcx: &'a $crate::api::resources::ApiContext,
                    $flookup: &'a $crate::api::resources::Attributes,
                ) -> $crate::api::resources::BoxFuture<
                    'a,
                    Result<
                        Option<Vec<$crate::api::resources::Outcome>>,
                        $crate::api::resources::ResourceError,
                    >,
                > {
                    Box::pin($find)
                }
            )?

            $(
                fn listing(
                    &self,
                    $lprior: &$crate::api::resources::Attributes,
                ) -> Option<$crate::api::resources::Listing> {
                    $listing
                }

                fn read_listed(
                    &self,
                    $rlprior: &$crate::api::resources::Attributes,
                    $rlitem: serde_json::Value,
                ) -> Option<$crate::api::resources::Outcome> {
                    $read_listed
                }
            )?
        }
    };
    (
        $mapping:ty => $type_name:expr,
        create($ccx:ident, $cdesired:ident) => $create:expr,
        read($rcx:ident, $rprior:ident) => $read:expr,
        update: none,
        delete($dcx:ident, $dprior:ident) => $delete:expr
        $(, find($fcx:ident, $flookup:ident) => $find:expr)?
        $(, listing($lprior:ident) => $listing:expr,
            read_listed($rlprior:ident, $rlitem:ident) => $read_listed:expr)? $(,)?
    ) => {
        resource_api! {
            $mapping => $type_name,
            create($ccx, $cdesired) => $create,
            read($rcx, $rprior) => $read,
            update(_, _, _, _) => async {
                Err($crate::api::resources::ResourceError::UpdateUnsupported {
                    type_name: $type_name,
                })
            },
            delete($dcx, $dprior) => $delete,
            $(find($fcx, $flookup) => $find,)?
            $(listing($lprior) => $listing,
              read_listed($rlprior, $rlitem) => $read_listed,)?
        }
    };
}

pub mod account;
pub mod cockpit;
pub mod containers;
pub mod data;
mod fields;
pub mod functions;
mod tokens;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::client::{Client, Query};
use super::error::ClientError;
use super::names::NameGenerator;
use super::retry::{PropagationWait, WaitOptions};
use super::types::{OrganizationId, ProjectId};

/// A resource's attributes in state form: a JSON object as the Terraform provider stores it.
pub type Attributes = BTreeMap<String, serde_json::Value>;

/// A boxed, sendable future (the trait's methods return these; no async-trait crate needed).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Provider-level defaults applied to attributes left unset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defaults {
    /// The default organization (projects are created in it).
    pub organization_id: Option<OrganizationId>,
    /// The default project; when unset, the organization's default project (same UUID as the
    /// organization) is used.
    pub project_id: Option<ProjectId>,
    /// The default region (`fr-par` unless configured otherwise).
    pub region: String,
}

impl Default for Defaults {
    fn default() -> Self {
        Self {
            organization_id: None,
            project_id: None,
            region: "fr-par".to_owned(),
        }
    }
}

impl Defaults {
    /// Sets, in an object about to be created (state form, every attribute present), what
    /// this provider configuration supplies and the object leaves null: `region`,
    /// `project_id`, `organization_id`. (The mappings apply the connection's own defaults
    /// the same way; this is how an aliased configuration's take their place.)
    pub fn fill(&self, attributes: &mut Attributes) {
        let unset =
            |a: &Attributes, name: &str| a.get(name).is_some_and(serde_json::Value::is_null);
        if unset(attributes, "region") {
            attributes.insert("region".into(), self.region.clone().into());
        }
        if unset(attributes, "project_id")
            && let Some(project) = self.project()
        {
            attributes.insert("project_id".into(), project.to_string().into());
        }
        if unset(attributes, "organization_id")
            && let Some(org) = self.organization_id
        {
            attributes.insert("organization_id".into(), org.to_string().into());
        }
    }

    /// The project to use when `project_id` is not configured.
    pub(crate) fn project(&self) -> Option<ProjectId> {
        self.project_id
            .or_else(|| self.organization_id.map(|org| ProjectId(org.0)))
    }
}

/// How long and how often to wait for resources to settle.
///
/// The provider's values (5 s polls for serverless resources, 2 s for the Cockpit permission
/// window, its per-type timeouts) apply unless overridden: tests set a short `poll_interval`
/// and a small `timeout_scale` so they run in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaitSettings {
    /// Replaces every poll and retry interval when set.
    pub poll_interval: Option<Duration>,
    /// Multiplies every timeout (1.0 = the provider's).
    pub timeout_scale: f64,
}

impl Default for WaitSettings {
    fn default() -> Self {
        Self {
            poll_interval: None,
            timeout_scale: 1.0,
        }
    }
}

impl WaitSettings {
    /// Fast waits for tests and the sandbox: 10 ms polls, timeouts at 2 % (a container's
    /// 12 min 30 s becomes 15 s).
    #[must_use]
    pub fn fast() -> Self {
        Self {
            poll_interval: Some(Duration::from_millis(10)),
            timeout_scale: 0.02,
        }
    }

    /// The poll interval to use where the provider uses `base`.
    #[must_use]
    pub fn interval(&self, base: Duration) -> Duration {
        self.poll_interval.unwrap_or(base)
    }

    /// The timeout to use where the provider uses `base`.
    #[must_use]
    pub fn timeout(&self, base: Duration) -> Duration {
        let scale = if self.timeout_scale.is_finite() && self.timeout_scale > 0.0 {
            self.timeout_scale
        } else {
            1.0
        };
        base.mul_f64(scale)
    }

    /// Wait options for a status poll where the provider polls every `interval` for up to
    /// `timeout`: both are the provider's values, adjusted here and only here (a timeout
    /// already passed through [`Self::timeout`] would be scaled twice).
    pub(crate) fn wait(&self, interval: Duration, timeout: Duration) -> WaitOptions {
        WaitOptions {
            interval: self.interval(interval),
            timeout: self.timeout(timeout),
        }
    }

    /// The Cockpit "403 until IAM has propagated" retry window (2 s / 2 min in the provider).
    pub(crate) fn propagation(&self) -> PropagationWait {
        let base = PropagationWait::default();
        PropagationWait {
            interval: self.interval(base.interval),
            timeout: self.timeout(base.timeout),
        }
    }
}

/// Everything a mapping needs to make calls.
#[derive(Debug)]
pub struct ApiContext {
    /// The API client (its `Debug` redacts the secret key).
    pub client: Client,
    /// Provider-level defaults.
    pub defaults: Defaults,
    /// Waiting intervals and timeouts.
    pub waits: WaitSettings,
    /// Where generated names (`tf-ns-…`) come from; seed it for reproducible names.
    pub names: NameGenerator,
    /// The defaults of each aliased provider configuration (`provider "scaleway" { alias =
    /// "nl" ... }`), by alias.
    pub providers: BTreeMap<String, Defaults>,
}

impl ApiContext {
    /// The defaults of the provider configuration `alias` (`None`, or an alias not
    /// configured: the connection's own).
    #[must_use]
    pub fn defaults_of(&self, alias: Option<&str>) -> &Defaults {
        alias
            .and_then(|a| self.providers.get(a))
            .unwrap_or(&self.defaults)
    }

    /// A context with the provider's waits and randomly seeded name generation.
    #[must_use]
    pub fn new(client: Client, defaults: Defaults) -> Self {
        Self {
            client,
            defaults,
            waits: WaitSettings::default(),
            names: NameGenerator::from_entropy(),
            providers: BTreeMap::new(),
        }
    }
}

/// The top-level attributes and blocks an update changes, as the plan decided them. The
/// planner is the only place that compares configuration with state (its rules on empty
/// values, computed attributes, sets, secret hashes...); a mapping sends exactly these.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changed(BTreeSet<String>);

impl Changed {
    /// From the plan's changed paths: `scopes.0.write_logs` counts as a change of `scopes`.
    pub fn from_paths<'a>(paths: impl IntoIterator<Item = &'a str>) -> Self {
        Self(
            paths
                .into_iter()
                .map(|p| p.split('.').next().unwrap_or(p).to_owned())
                .collect(),
        )
    }

    /// Whether the attribute or block `name` changes.
    #[must_use]
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains(name)
    }

    /// Whether nothing changes.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The changed names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

/// The result of a create, read or update. Its `Debug` output redacts secret attributes.
#[derive(Clone, PartialEq)]
pub struct Outcome {
    /// The whole object in state form after the call.
    pub attributes: Attributes,
    /// Things the user should know that did not make the call fail (a container that settled
    /// in `error`).
    pub warnings: Vec<String>,
}

impl fmt::Debug for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted: BTreeMap<&str, &dyn fmt::Debug> = self
            .attributes
            .iter()
            .map(|(k, v)| {
                // An outcome does not know its type: hide what any type holds secret.
                let shown: &dyn fmt::Debug = if crate::schema::sensitive_anywhere(k) && !v.is_null()
                {
                    &"<redacted>"
                } else {
                    v
                };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("Outcome")
            .field("attributes", &redacted)
            .field("warnings", &self.warnings)
            .finish()
    }
}

impl Outcome {
    fn new(attributes: Attributes) -> Self {
        Self {
            attributes,
            warnings: Vec::new(),
        }
    }
}

/// Why a resource operation failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ResourceError {
    /// An API call failed (after the client's retries).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Client(#[from] ClientError),
    /// The attributes cannot be turned into a request (malformed id, two scaling thresholds,
    /// a probe with both `http` and `tcp`...).
    #[error("{type_name}: `{attribute}` {message}")]
    #[diagnostic(code(scw::resource::invalid_attribute))]
    InvalidAttribute {
        /// The resource type.
        type_name: &'static str,
        /// The attribute at fault (a path such as `liveness_probe.0.interval`).
        attribute: String,
        /// What is wrong with it.
        message: String,
    },
    /// The object disappeared while it was being changed.
    #[error("{type_name} {id} no longer exists")]
    #[diagnostic(code(scw::resource::gone))]
    Gone {
        /// The resource type.
        type_name: &'static str,
        /// Its id.
        id: String,
    },
    /// The resource type has no update call: every change must replace it.
    #[error("{type_name} cannot be updated in place; a change must replace it")]
    #[diagnostic(code(scw::resource::no_update))]
    UpdateUnsupported {
        /// The resource type.
        type_name: &'static str,
    },
    /// The create call made the object, but the create did not finish: waiting for the object
    /// to settle failed (an error while polling, a timeout), or the answer that alone carried
    /// its secret was lost. As Terraform does with a provider that set the ID before failing,
    /// the caller records the object tainted, so that the next apply replaces it.
    #[error(
        "{type_name} {id} was created but {why}; it is recorded tainted, and the next apply replaces it"
    )]
    #[diagnostic(code(scw::resource::created_tainted))]
    CreatedTainted {
        /// The resource type.
        type_name: &'static str,
        /// The new object's id (as recorded in state).
        id: String,
        /// The new object in state form.
        created: Box<Outcome>,
        /// What did not finish.
        why: String,
    },
    /// A create whose answer was lost may have made any of several objects (others were made
    /// at the same time with the same identifying values): none is taken or deleted here. The
    /// executor sets aside those the run recorded elsewhere (see `apply`).
    #[error(
        "{cause}; the objects it may have made are {found}: none was taken over or deleted, delete those that are not wanted"
    )]
    #[diagnostic(code(scw::resource::ambiguous_create))]
    Ambiguous {
        /// The resource type.
        type_name: &'static str,
        /// The candidates' ids, comma-separated.
        found: String,
        /// The candidates in state form.
        candidates: Vec<Outcome>,
        /// The lost answer.
        cause: Box<ClientError>,
    },
}

impl ResourceError {
    /// The object does not exist (HTTP 404).
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        match self {
            Self::Client(e) => e.is_not_found(),
            Self::Gone { .. } => true,
            _ => false,
        }
    }

    /// The underlying client error, when the API call is what failed.
    #[must_use]
    pub fn client(&self) -> Option<&ClientError> {
        match self {
            Self::Client(e) => Some(e),
            _ => None,
        }
    }

    /// The object a failed create nevertheless made ([`Self::CreatedTainted`]).
    #[must_use]
    pub fn created(&self) -> Option<&Outcome> {
        match self {
            Self::CreatedTainted { created, .. } => Some(created),
            _ => None,
        }
    }

    /// The objects an ambiguous create may have made ([`Self::Ambiguous`]); empty otherwise.
    #[must_use]
    pub fn candidates(&self) -> &[Outcome] {
        match self {
            Self::Ambiguous { candidates, .. } => candidates,
            _ => &[],
        }
    }

    /// Whether the operation may have changed something nobody knows of: a lost answer.
    #[must_use]
    pub fn is_outcome_unknown(&self) -> bool {
        match self {
            Self::Client(e) => e.is_outcome_unknown(),
            Self::Ambiguous { .. } => true,
            _ => false,
        }
    }

    /// The wait that follows a successful create failed: `created` is the new object in state
    /// form (from the create call's answer).
    pub(crate) fn created_not_ready(
        type_name: &'static str,
        created: Attributes,
        source: &ClientError,
    ) -> Self {
        Self::created_tainted(
            type_name,
            created,
            format!("did not become ready: {source}"),
        )
    }

    /// A create made `created` (in state form) but did not finish, for the reason `why`.
    pub(crate) fn created_tainted(
        type_name: &'static str,
        created: Attributes,
        why: String,
    ) -> Self {
        let id = created
            .get("id")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned();
        Self::CreatedTainted {
            type_name,
            id,
            created: Box::new(Outcome::new(created)),
            why,
        }
    }

    pub(crate) fn invalid(
        type_name: &'static str,
        attribute: impl Into<String>,
        message: impl fmt::Display,
    ) -> Self {
        Self::InvalidAttribute {
            type_name,
            attribute: attribute.into(),
            message: message.to_string(),
        }
    }
}

/// A list request that answers with many objects of one type at once: a page after page
/// read of one parent's (or project's, or organization's) objects in one region.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ListRequest {
    /// The list path, e.g. `/containers/v1/regions/fr-par/containers`.
    pub path: String,
    /// The filters (`namespace_id=…`, `project_id=…`), without `page`/`page_size`.
    pub query: Query,
    /// The key of the items in the answer (`containers`).
    pub items_key: &'static str,
    /// The largest page size the API allows for this list.
    pub page_size: u32,
}

/// Where a recorded object appears in lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The widest list that holds it: every object of its type in its region that the key can
    /// see (the organization's projects, for projects).
    pub wide: ListRequest,
    /// A narrower list that holds it: its parent's, project's or namespace's objects.
    pub narrow: Option<ListRequest>,
    /// Its `id` as list items carry it (a bare UUID).
    pub id: String,
}

impl Listing {
    /// The listing of the object whose recorded id is `id` (`{region}/{uuid}` or a bare UUID)
    /// in the list at `path`: unfiltered, and filtered by `filter` (`key`, value) when there is
    /// one.
    pub(crate) fn new(
        path: &str,
        filter: Option<(&str, &str)>,
        items_key: &'static str,
        page_size: u32,
        id: &str,
    ) -> Self {
        let bare = id.rsplit_once('/').map_or(id, |(_, uuid)| uuid);
        let list = |query: Query| ListRequest {
            path: path.to_owned(),
            query,
            items_key,
            page_size,
        };
        Self {
            wide: list(Query::new()),
            narrow: filter.map(|(key, value)| list(Query::new().with(key, value))),
            id: bare.to_owned(),
        }
    }
}

/// The UUID in a recorded reference (`{region}/{uuid}` or a bare UUID); `None` when unset or
/// malformed.
pub(crate) fn reference_uuid(attrs: &Attributes, name: &str) -> Option<uuid::Uuid> {
    let value = attrs.get(name)?.as_str()?;
    let bare = value.rsplit_once('/').map_or(value, |(_, uuid)| uuid);
    uuid::Uuid::parse_str(bare).ok()
}

/// The region of a recorded regional `id` (`{region}/{uuid}`).
pub(crate) fn id_region(attrs: &Attributes) -> Option<&str> {
    let (region, uuid) = attrs.get("id")?.as_str()?.split_once('/')?;
    uuid::Uuid::parse_str(uuid).ok()?;
    Some(region)
}

/// The API mapping of one resource type.
pub trait ResourceApi: Send + Sync {
    /// The Terraform type name, e.g. `scaleway_container`.
    fn type_name(&self) -> &'static str;

    /// Creates the object described by `desired` (every attribute with a known value;
    /// `null`/absent = not configured) and returns it as stored in state.
    fn create<'a>(
        &'a self,
        cx: &'a ApiContext,
        desired: &'a Attributes,
    ) -> BoxFuture<'a, Result<Outcome, ResourceError>>;

    /// Reads the object `prior` (as recorded in state; at least its `id`) describes; `None`
    /// when it is gone (404).
    fn read<'a>(
        &'a self,
        cx: &'a ApiContext,
        prior: &'a Attributes,
    ) -> BoxFuture<'a, Result<Option<Outcome>, ResourceError>>;

    /// Changes the object from `prior` to `desired` in place, sending exactly the attributes
    /// and blocks in `changed` (the plan's decision: a mapping never compares `prior` with
    /// `desired` to decide what changed).
    fn update<'a>(
        &'a self,
        cx: &'a ApiContext,
        prior: &'a Attributes,
        desired: &'a Attributes,
        changed: &'a Changed,
    ) -> BoxFuture<'a, Result<Outcome, ResourceError>>;

    /// Deletes the object; an object already gone counts as deleted.
    fn delete<'a>(
        &'a self,
        cx: &'a ApiContext,
        prior: &'a Attributes,
    ) -> BoxFuture<'a, Result<(), ResourceError>>;

    /// Lists the objects that a create with these identifying values could have made: same
    /// name, same parent, same region (`lookup` is the journal's copy of the desired name,
    /// parents and region; unset ones take the same defaults as a create). Used to adopt what
    /// a run abandoned during its create call, whose answer (and so its ID) never came.
    ///
    /// `None` when this type cannot be searched (its objects have no name, or `lookup` lacks
    /// one), the default.
    fn find<'a>(
        &'a self,
        cx: &'a ApiContext,
        lookup: &'a Attributes,
    ) -> BoxFuture<'a, Result<Option<Vec<Outcome>>, ResourceError>> {
        let _ = (cx, lookup);
        Box::pin(async { Ok(None) })
    }

    /// The list in which the object `prior` (as recorded in state) appears, so that a refresh
    /// can read many objects with one call per page instead of one `read` each. `None` (the
    /// default) when the type or this object can only be read one by one.
    fn listing(&self, prior: &Attributes) -> Option<Listing> {
        let _ = prior;
        None
    }

    /// What [`Self::read`] would return for `prior`, from the object's `item` in the answer of
    /// its [`Self::listing`] (list items are the objects as a `GET` returns them). `None` when
    /// the item cannot stand in for a read (a transient status that `read` would wait out, an
    /// item that does not decode): the object is then read with `read`.
    fn read_listed(&self, prior: &Attributes, item: serde_json::Value) -> Option<Outcome> {
        let _ = (prior, item);
        None
    }
}

static MAPPINGS: [&dyn ResourceApi; 7] = [
    &account::Project,
    &cockpit::Token,
    &containers::Container,
    &containers::Namespace,
    &containers::Token,
    &functions::Namespace,
    &functions::Token,
];

/// The API mapping of a resource type, if scwform manages it.
#[must_use]
pub fn resource_api(type_name: &str) -> Option<&'static dyn ResourceApi> {
    MAPPINGS
        .iter()
        .copied()
        .find(|m| m.type_name() == type_name)
}

/// Every type name with a mapping, sorted.
pub fn type_names() -> impl Iterator<Item = &'static str> {
    MAPPINGS.iter().map(|m| m.type_name())
}

pub use crate::secret::secret_matches;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_type_has_a_mapping_and_the_list_is_sorted() {
        let names: Vec<_> = type_names().collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        let schemas: Vec<_> = crate::schema::type_names().collect();
        assert_eq!(names, schemas);
        assert!(resource_api("scaleway_instance_server").is_none());
        assert_eq!(
            resource_api("scaleway_container").map(ResourceApi::type_name),
            Some("scaleway_container")
        );
    }

    /// Issue 9 item 15: an outcome's `Debug` hides every attribute the schema marks
    /// sensitive, in every type (no list of names of its own).
    #[test]
    fn outcome_debug_redacts_every_sensitive_attribute_of_the_schema() {
        let mut seen = 0;
        for type_name in crate::schema::type_names() {
            let schema = crate::schema::resource(type_name).expect("registered");
            for a in schema.attributes.iter().filter(|a| a.sensitive) {
                let attributes =
                    Attributes::from([(a.name.to_owned(), serde_json::json!("hunter2-s3cret"))]);
                let shown = format!("{:?}", Outcome::new(attributes));
                assert!(
                    !shown.contains("hunter2"),
                    "{type_name}.{}: {shown}",
                    a.name
                );
                seen += 1;
            }
        }
        assert!(seen >= 4, "the schema has secrets in several types");
        let plain = Attributes::from([("name".to_owned(), serde_json::json!("visible"))]);
        assert!(format!("{:?}", Outcome::new(plain)).contains("visible"));
    }

    #[test]
    fn wait_settings_scale_timeouts_and_replace_intervals() {
        let provider = WaitSettings::default();
        assert_eq!(
            provider.interval(Duration::from_secs(5)),
            Duration::from_secs(5)
        );
        assert_eq!(
            provider.timeout(Duration::from_secs(300)),
            Duration::from_secs(300)
        );
        let fast = WaitSettings::fast();
        assert_eq!(
            fast.interval(Duration::from_secs(5)),
            Duration::from_millis(10)
        );
        assert_eq!(
            fast.timeout(Duration::from_secs(750)),
            Duration::from_secs(15)
        );
        let bad = WaitSettings {
            poll_interval: None,
            timeout_scale: f64::NAN,
        };
        assert_eq!(bad.timeout(Duration::from_secs(1)), Duration::from_secs(1));
    }
}
