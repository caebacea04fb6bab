//! The Scaleway HTTP API as seen from Rust: wire types (requests, responses, error bodies) for
//! every product scwform manages.
//!
//! Invariants: field names, enum spellings and nullability follow the real API exactly (see
//! `docs/emulator.md` and the shared API reference); response types never deny unknown fields,
//! so that new server fields do not break old clients.
//!
//! Must not depend on parsing, the model, planning or the emulator: both the API client and the
//! emulator build on these types, never the other way round.

pub mod types;
