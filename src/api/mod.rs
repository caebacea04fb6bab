//! The Scaleway HTTP API: the client core (auth, errors, retries, pagination, waiting).
//!
//! Invariants: the secret key is sent only in the `X-Auth-Token` header and never appears in
//! `Debug` output, logs or errors; a request whose effect is unknown (a create that may have
//! happened) is never silently repeated.
//!
//! Depends on serde types and reqwest only: nothing here knows about HCL, plans or state.

pub mod client;
pub mod error;
pub mod retry;
