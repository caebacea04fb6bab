//! scwform: infrastructure as code for Scaleway.
//!
//! `.tf` files in Terraform's HCL syntax are parsed ([`parse`], a pest grammar in `grammar/`),
//! lowered and evaluated against resource schemas ([`model`], [`schema`]) into resource
//! instances, whose references form a dependency graph ([`graph`]). The planner compares that
//! with the recorded state and the real objects; the executor applies the plan through the
//! Scaleway API client. A local emulator of the API serves `--sandbox` and the tests.
//!
//! Data only flows down this list; see `docs/architecture.md` for the dependency rule.

pub mod addr;
pub mod api;
pub mod apply;
pub mod cli;
pub mod config;
pub mod diag;
pub mod emulator;
pub mod format;
pub mod graph;
pub mod locality;
pub mod model;
pub mod number;
pub mod parse;
pub mod plan;
pub mod planfile;
pub mod render;
pub mod schema;
pub mod secret;
pub mod state;
pub mod timefmt;
pub mod version;
