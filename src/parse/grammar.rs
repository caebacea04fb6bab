//! The pest parser generated from `grammar/hcl.pest` and `grammar/expr.pest`.
//!
//! Only `crate::parse` may use this module: pest types never leave it. The grammar rules and
//! their conventions are documented in the `.pest` files and `grammar/README.md`.

#![allow(missing_docs, clippy::pedantic, unreachable_pub)]

use pest_derive::Parser;

/// The generated HCL parser.
#[derive(Parser)]
#[grammar = "grammar/hcl.pest"]
#[grammar = "grammar/expr.pest"]
pub(crate) struct HclParser;
