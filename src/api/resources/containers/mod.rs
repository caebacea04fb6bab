//! Serverless Containers: `scaleway_container_namespace` ([`namespace`]) and
//! `scaleway_container` ([`container`]) (containers v1, `/containers/v1/regions/{region}/…`)
//! and `scaleway_container_token` ([`token`], v1beta1 tokens); this file holds what they
//! share (paths, ids, the poll interval, secret variables).
//!
//! Waits follow the provider: namespaces and containers are polled every 5 s until their
//! status is no longer transient (`creating`, `updating`, `deleting`, `locking`, `upgrading`);
//! namespace operations time out after 5 min, container operations after 12 min 30 s. A
//! container that settles in `error` is a warning, not a failure.
//!
//! Request builders are pure functions ([`container_create_request`],
//! [`container_update_request`], [`namespace_update_request`]) so what goes on the wire is
//! testable without a server.

mod container;
mod namespace;
mod token;

use std::collections::BTreeMap;
use std::time::Duration;

use super::fields::{Fields, parse_regional_id};
use super::{Attributes, ResourceError, secret_matches};
use crate::api::types::common::Secret;

pub use container::{Container, container_create_request, container_update_request};
pub use namespace::{Namespace, namespace_update_request};
pub(crate) use namespace::{find_namespaces, project_id};
pub use token::Token;

pub(super) const NAMESPACE: &str = "scaleway_container_namespace";
pub(super) const CONTAINER: &str = "scaleway_container";
pub(super) const TOKEN: &str = "scaleway_container_token";

/// The provider's poll interval for namespaces and containers.
pub(super) const POLL: Duration = Duration::from_secs(5);
/// Namespace operations' timeout.
pub(super) const NAMESPACE_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// Container operations' timeout.
pub(super) const CONTAINER_TIMEOUT: Duration = Duration::from_secs(12 * 60 + 30);
/// The timeout a probe derived from a deprecated `health_check` gets (the API's default).
pub(super) const HEALTH_CHECK_TIMEOUT: Duration = Duration::from_secs(1);
/// Sizes are in SI units: the deprecated `*_limit` attributes are in MB.
pub(super) const MB: u64 = 1_000_000;

pub(super) fn base_path(region: &str) -> String {
    format!("/containers/v1/regions/{region}")
}

pub(super) fn status_name<T: serde::Serialize>(status: T) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// `id` → (region, uuid).
pub(super) fn own_id(
    ty: &'static str,
    attrs: &Attributes,
) -> Result<(String, uuid::Uuid), ResourceError> {
    let id = Fields::new(ty, attrs)
        .str("id")?
        .ok_or_else(|| ResourceError::invalid(ty, "id", "is not set"))?;
    parse_regional_id(ty, "id", id)
}

/// `prior` overlaid with `desired`: the base of an update's result.
pub(super) fn merged(prior: &Attributes, desired: &Attributes) -> Attributes {
    let mut base = prior.clone();
    base.extend(desired.iter().map(|(k, v)| (k.clone(), v.clone())));
    base
}

// ---------------------------------------------------------------------------------------------
// Secrets

pub(super) fn secrets(map: BTreeMap<String, String>) -> BTreeMap<String, Secret> {
    map.into_iter().map(|(k, v)| (k, Secret::new(v))).collect()
}

/// The v1 PATCH map for secret variables (sent when the plan says they changed): every
/// configured key is sent, as `""` (keep) when its value still matches the recorded hash, as
/// the new plaintext otherwise; recorded keys left out are deleted by the API.
pub(super) fn secret_patch(
    desired: &BTreeMap<String, String>,
    prior: &BTreeMap<String, String>,
) -> BTreeMap<String, Secret> {
    let mut patch = BTreeMap::new();
    for (key, value) in desired {
        let keep = value.starts_with("$argon2id")
            || prior
                .get(key)
                .is_some_and(|hash| secret_matches(value, hash));
        if keep && prior.contains_key(key) {
            patch.insert(key.clone(), Secret::new(""));
        } else {
            patch.insert(key.clone(), Secret::new(value.clone()));
        }
    }
    patch
}
