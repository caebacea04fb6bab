//! The Scaleway HTTP API: wire types (requests, responses, error bodies) for every product
//! scwform manages, the client core (auth, errors, retries, pagination, waiting), and the
//! per-resource-type mappings between state-form attributes and API calls ([`resources`]).
//!
//! Invariants: field names, enum spellings and nullability follow the real API exactly;
//! response types never deny unknown fields; the secret key is sent only in the `X-Auth-Token`
//! header and never appears in `Debug` output, logs or errors; a request whose effect is unknown
//! (a create that may have happened) is never silently repeated.
//!
//! Depends on serde types and reqwest only: nothing here knows about HCL, plans or state. The
//! emulator builds on [`types`], never the other way round.

pub mod client;
pub mod error;
pub mod names;
pub mod resources;
pub mod retry;
pub mod throttle;
pub mod types;
