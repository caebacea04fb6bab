//! The desired configuration: lowering the syntax tree against resource schemas, evaluating
//! expressions, and the values they produce.
//!
//! Depends on `parse` (the AST only), `schema` and `diag`.

pub mod config;
pub mod eval;
pub(crate) mod functions;
pub mod ids;
pub mod lower;
pub mod order;
pub mod refs;
pub mod types;
pub mod value;

pub use ids::{InstanceKey, ResourceAddr};
