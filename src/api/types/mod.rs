//! Serde wire types, one module per Scaleway product, plus the shapes they share.
//!
//! Enums carry a catch-all variant (the API's `unknown_*` value) that also absorbs values this
//! version does not know, so a response from a newer API still deserializes.
//!
//! Depends on serde, uuid and jiff only.

pub mod account;
pub mod cockpit;
pub mod common;
pub mod containers;
pub mod error;
pub mod functions;

pub use common::{
    ContainerId, FunctionId, NamespaceId, OrganizationId, PrivateNetworkId, ProjectId, ScwDuration,
    Secret, TokenId, redacting,
};
