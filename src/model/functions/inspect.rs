//! Functions that look at a value's marks rather than its content: `issensitive` and
//! `ephemeralasnull`.
//!
//! `issensitive` is true when the value itself is marked sensitive (not an element inside it),
//! as Terraform's `HasMark`; it is known even for an unknown value. scwform has no ephemeral
//! values, so `ephemeralasnull` returns its argument unchanged, marks included.
//!
//! Depends on `model::value`.

use super::FnResult;
use crate::model::value::Value;

pub(super) fn issensitive(args: Vec<Value>) -> FnResult {
    let v = args.into_iter().next().unwrap_or_default();
    Ok(Value::Bool(matches!(v, Value::Sensitive(_))))
}

pub(super) fn ephemeralasnull(args: Vec<Value>) -> FnResult {
    Ok(args.into_iter().next().unwrap_or_default())
}
