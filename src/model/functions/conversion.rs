//! Type conversion functions (`tostring`, `tolist`...) and the sensitive-mark functions.
//!
//! These are registered `raw`: they see marks and unknowns as given, because
//! [`types::convert`] already keeps marks (deep ones included) and maps unknown to unknown.
//!
//! Depends on `model::value` and `model::types`.

use super::{FnError, FnResult};
use crate::model::types::{self, Type};
use crate::model::value::Value;

fn convert_arg(args: Vec<Value>, ty: &Type) -> FnResult {
    let v = args.into_iter().next().unwrap_or_default();
    let kind = v.kind_name();
    // A collection never becomes a primitive, whatever its contents.
    if ty.is_primitive() && v.is_structural() {
        return Err(FnError::Arg(0, format!("cannot convert {kind} to {ty}")));
    }
    types::convert(v, ty).map_err(|e| FnError::Arg(0, format!("cannot convert to {ty}: {e}")))
}

pub(super) fn tostring(args: Vec<Value>) -> FnResult {
    convert_arg(args, &Type::String)
}

pub(super) fn tonumber(args: Vec<Value>) -> FnResult {
    convert_arg(args, &Type::Number)
}

pub(super) fn tobool(args: Vec<Value>) -> FnResult {
    convert_arg(args, &Type::Bool)
}

pub(super) fn tolist(args: Vec<Value>) -> FnResult {
    convert_arg(args, &Type::list(Type::Any))
}

pub(super) fn toset(args: Vec<Value>) -> FnResult {
    convert_arg(args, &Type::set(Type::Any))
}

pub(super) fn tomap(args: Vec<Value>) -> FnResult {
    convert_arg(args, &Type::map(Type::Any))
}

/// Marks the value sensitive.
pub(super) fn sensitive(args: Vec<Value>) -> FnResult {
    Ok(args.into_iter().next().unwrap_or_default().mark_sensitive())
}

/// Removes the value's own sensitive mark (marks inside a collection stay, as in Terraform).
pub(super) fn nonsensitive(args: Vec<Value>) -> FnResult {
    Ok(args
        .into_iter()
        .next()
        .unwrap_or_default()
        .into_unmarked()
        .0)
}
