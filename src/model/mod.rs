//! The desired configuration: lowering the syntax tree against resource schemas, evaluating
//! expressions, and the values they produce.
//!
//! Depends on `parse` (the AST only), `schema` and `diag`.

pub mod eval;
pub(crate) mod functions;
pub mod types;
pub mod value;
