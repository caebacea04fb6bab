//! The dependency graph of resource instances (petgraph), with deterministic ordering and
//! cycle diagnostics.
//!
//! Depends on `model`.
