//! The desired configuration: lowering the syntax tree against resource schemas, evaluating
//! expressions, and the values they produce.
//!
//! The pipeline is [`load`] (files and variable values) → [`lower`] (checked declarations,
//! [`refs`]) → [`evaluate`] (ordered by [`order`], expressions through [`expr`]) → [`config`].
//!
//! Depends on `parse` (the AST, and the parser for loading), `schema` and `diag`.

mod call;
pub mod config;
pub mod evaluate;
pub mod expr;
pub(crate) mod functions;
pub mod json_shape;
pub mod load;
pub mod lower;
pub mod modules;
pub mod order;
pub mod overrides;
pub mod refactor;
pub mod refs;
pub mod settings;
pub mod types;
pub mod value;

pub use crate::addr::{InstanceAddr, InstanceKey};
