//! A local, faithful emulator of the Scaleway HTTP API for the managed resource types.
//!
//! Depends on the API wire types only, never on planning or applying.
