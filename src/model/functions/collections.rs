//! Collection functions: lists, sets, maps.
//!
//! Functions registered with `pass_marks` move elements around unchanged, so an element's
//! sensitive mark stays on that element; functions registered with `top_level_unknowns` see
//! unknown elements and must treat them explicitly (usually: a result that depends on an
//! unknown element is unknown).
//!
//! Depends on `model::value`, `model::types` and `model::expr` (equality).

use std::collections::BTreeMap;

use unicode_segmentation::UnicodeSegmentation;

use super::{
    FnError, FnResult, arg_int, arg_list, arg_num, arg_str, num, same_kind, string_list, take_list,
    take_object, unified_list,
};
use crate::model::expr::values_equal;
use crate::model::types::{self, Type};
use crate::model::value::{Collection, Value, format_number};
use crate::number::Number;

/// Most elements `range` may produce, so a typo cannot allocate without bound.
const RANGE_LIMIT: usize = 1024;

/// `length(string | list | map)`. Unknown elements do not make the length unknown.
pub(super) fn length(args: Vec<Value>) -> FnResult {
    if let Some(items) = args.first().and_then(Value::as_list) {
        return Ok(num(items.len()));
    }
    if let Some(map) = args.first().and_then(Value::as_object) {
        return Ok(num(map.len()));
    }
    match args.first() {
        // Grapheme clusters, as Terraform counts: `length("👍🏽")` is 1.
        Some(Value::String(s)) => Ok(num(s.graphemes(true).count())),
        Some(other) => Err(FnError::Arg(
            0,
            format!(
                "a string, list, set, tuple, map or object is required, got {}",
                other.kind_name()
            ),
        )),
        None => Err(FnError::Arity("one argument is required".into())),
    }
}

pub(super) fn concat(mut args: Vec<Value>) -> FnResult {
    if args.is_empty() {
        return Err(FnError::Arity("at least one argument is required".into()));
    }
    // Lists of one element type give a list of that type; anything else a tuple.
    let elem = args
        .first()
        .and_then(Value::as_collection)
        .and_then(|c| match c {
            Collection::List(t, _) => Some(t.clone()),
            _ => None,
        });
    let all_lists = elem.as_ref().is_some_and(|e| {
        args.iter()
            .all(|a| matches!(a.as_collection(), Some(Collection::List(t, _)) if t == e))
    });
    let mut out = Vec::new();
    for i in 0..args.len() {
        out.extend(take_list(&mut args, i)?);
    }
    match elem {
        Some(e) if all_lists => Ok(Value::list(e, out)),
        _ => Ok(Value::List(out)),
    }
}

/// Later maps win; null arguments are skipped.
pub(super) fn merge(mut args: Vec<Value>) -> FnResult {
    let mut out = BTreeMap::new();
    let elem = args
        .iter()
        .find_map(|a| a.as_collection().map(|c| c.element_type().clone()));
    // Maps of one element type merge into a map of that type; anything else an object.
    let all_maps = args.iter().filter(|a| !a.is_null()).all(
        |a| matches!(a.as_collection(), Some(Collection::Map(t, _)) if Some(t) == elem.as_ref()),
    );
    let mut any = false;
    for i in 0..args.len() {
        if args[i].is_null() {
            continue;
        }
        any = true;
        out.extend(take_object(&mut args, i)?);
    }
    if all_maps && any {
        // Maps merge into a map of the element type they unify to.
        return types::convert(Value::Object(out), &Type::map(Type::Any))
            .map_err(|e| FnError::Call(format!("cannot merge the maps: {e}")));
    }
    Ok(Value::Object(out))
}

pub(super) fn lookup(mut args: Vec<Value>) -> FnResult {
    let key = arg_str(&args, 1)?.to_owned();
    let default = args.get_mut(2).map(std::mem::take);
    // Of a map, the default must convert to the element type, and is returned converted.
    let element = args
        .first()
        .and_then(Value::as_collection)
        .map(|c| c.element_type().clone());
    let default = match (default, element) {
        (Some(d), Some(elem)) => Some(types::convert(d, &elem).map_err(|_| {
            FnError::Arg(
                2,
                "the default value must have the same type as the map elements".into(),
            )
        })?),
        (d, _) => d,
    };
    let mut map = take_object(&mut args, 0)?;
    match (map.remove(&key), default) {
        (Some(v), _) => Ok(v),
        (None, Some(d)) => Ok(d),
        (None, None) => Err(FnError::Arg(
            1,
            format!("the map has no element with key \"{key}\" and no default was given"),
        )),
    }
}

/// `element(list, index)`: the index wraps around the list's length.
pub(super) fn element(mut args: Vec<Value>) -> FnResult {
    let index = arg_int(&args, 1)?;
    let mut items = take_list(&mut args, 0)?;
    if items.is_empty() {
        return Err(FnError::Arg(
            0,
            "cannot use element function with an empty list".into(),
        ));
    }
    // A negative index counts from the end, wrapping around as a positive one does.
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let i = usize::try_from(index.rem_euclid(len)).unwrap_or(0);
    Ok(items.swap_remove(i))
}

/// True when found; unknown when not found but an unknown element could be it.
pub(super) fn contains(args: Vec<Value>) -> FnResult {
    let list = arg_list(&args, 0)?;
    let needle = args.get(1).cloned().unwrap_or_default();
    let mut maybe = false;
    for item in list {
        match values_equal(item, &needle) {
            Some(true) => return Ok(Value::Bool(true)),
            None => maybe = true,
            Some(false) => {}
        }
    }
    Ok(if maybe {
        Value::Unknown
    } else {
        Value::Bool(false)
    })
}

/// Keys in lexical order (the order of the map).
pub(super) fn keys(mut args: Vec<Value>) -> FnResult {
    let is_map = args.first().and_then(Value::as_collection).is_some();
    let map = take_object(&mut args, 0)?;
    if is_map {
        return Ok(string_list(map.into_keys()));
    }
    Ok(Value::List(map.into_keys().map(Value::String).collect()))
}

/// Values in the lexical order of their keys.
pub(super) fn values(mut args: Vec<Value>) -> FnResult {
    let elem = args
        .first()
        .and_then(Value::as_collection)
        .map(|c| c.element_type().clone());
    let map = take_object(&mut args, 0)?;
    match elem {
        Some(e) => Ok(Value::list(e, map.into_values().collect())),
        None => Ok(Value::List(map.into_values().collect())),
    }
}

/// First occurrences, in order.
pub(super) fn distinct(mut args: Vec<Value>) -> FnResult {
    let items = take_list(&mut args, 0)?;
    let Ok((elem, items)) = as_list_of(items) else {
        return Err(FnError::Arg(
            0,
            "all elements must have the same type".into(),
        ));
    };
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        if !out.iter().any(|e| values_equal(e, &item) == Some(true)) {
            out.push(item);
        }
    }
    Ok(Value::list(elem, out))
}

/// The elements converted to the type they unify to, and that type.
fn as_list_of(items: Vec<Value>) -> Result<(Type, Vec<Value>), FnError> {
    match unified_list(items)?.into_sequence() {
        Ok((items, _)) => {
            let elem = items.first().map_or(Type::Any, Type::of);
            let elem = if items.iter().all(|i| Type::of(i) == elem) {
                elem
            } else {
                Type::Any
            };
            Ok((elem, items))
        }
        Err(_) => Err(FnError::Call("a list is required".into())),
    }
}

/// Replaces nested lists by their elements, recursively. An unknown element might be a list,
/// so it makes the result unknown.
pub(super) fn flatten(mut args: Vec<Value>) -> FnResult {
    let items = take_list(&mut args, 0)?;
    let mut out = Vec::new();
    if flatten_into(items, false, &mut out) {
        Ok(Value::List(out))
    } else {
        Ok(Value::Unknown)
    }
}

/// Returns false when an unknown element makes the shape unknown.
fn flatten_into(items: Vec<Value>, marked: bool, out: &mut Vec<Value>) -> bool {
    for item in items {
        let (inner, m) = item.into_unmarked();
        match inner {
            v if v.is_sequence() => {
                let Ok((nested, _)) = v.into_sequence() else {
                    unreachable!("matched as a sequence")
                };
                if !flatten_into(nested, marked || m, out) {
                    return false;
                }
            }
            Value::Unknown => return false,
            other => out.push(other.marked_if(marked || m)),
        }
    }
    true
}

/// `range(limit)`, `range(start, limit)`, `range(start, limit, step)`.
pub(super) fn range(args: Vec<Value>) -> FnResult {
    let one = Number::from_i64(1);
    let (start, limit, step) = match args.len() {
        1 => {
            let l = arg_num(&args, 0)?;
            let step = if l < Number::zero() { one.neg() } else { one };
            (Number::zero(), l, step)
        }
        2 => {
            let (s, l) = (arg_num(&args, 0)?, arg_num(&args, 1)?);
            let step = if l < s { one.neg() } else { one };
            (s, l, step)
        }
        3 => (arg_num(&args, 0)?, arg_num(&args, 1)?, arg_num(&args, 2)?),
        _ => {
            return Err(FnError::Arity(
                "one to three arguments are required: range(limit), range(start, limit) or \
                 range(start, limit, step)"
                    .into(),
            ));
        }
    };
    if step.is_zero() {
        return Err(FnError::Arg(2, "step must not be zero".into()));
    }
    if step.is_sign_negative() && limit > start {
        return Err(FnError::Arg(
            1,
            "end must be less than start when step is negative".into(),
        ));
    }
    if !step.is_sign_negative() && limit < start {
        return Err(FnError::Arg(
            1,
            "end must be greater than start when step is positive".into(),
        ));
    }
    // cty adds the step to the previous element, exactly (so `range(0, 1, 0.1)` has no
    // float64 drift).
    let up = !step.is_sign_negative();
    let mut out = Vec::new();
    let mut v = start;
    while (up && v < limit) || (!up && v > limit) {
        if out.len() >= RANGE_LIMIT {
            return Err(FnError::Call(format!(
                "more than {RANGE_LIMIT} numbers would be produced; use a larger step"
            )));
        }
        let next = v.add(&step).map_err(|e| FnError::Call(e.to_string()))?;
        out.push(Value::Number(std::mem::replace(&mut v, next)));
    }
    Ok(Value::list(Type::Number, out))
}

/// The first argument that is neither null nor an empty string.
pub(super) fn coalesce(args: Vec<Value>) -> FnResult {
    // The result has the type every argument unifies to (`coalesce(1, "a")` is `"1"`).
    let types: Vec<Type> = args.iter().map(Type::of).collect();
    let target = types::unify_all(&types)
        .ok_or_else(|| FnError::Call("all arguments must have the same type".into()))?;
    let result = coalesce_first(args)?;
    types::convert(result, &target).map_err(FnError::Call)
}

fn coalesce_first(args: Vec<Value>) -> FnResult {
    let mut sensitive_before = false;
    for v in args {
        if v.is_unknown() {
            return Ok(Value::Unknown.marked_if(sensitive_before || v.contains_sensitive()));
        }
        let skip = v.is_null() || v.as_str() == Some("");
        if !skip {
            return Ok(v.marked_if(sensitive_before));
        }
        // Skipping a sensitive argument still tells something about it.
        sensitive_before |= v.contains_sensitive();
    }
    Err(FnError::Call(
        "no non-null, non-empty-string arguments".into(),
    ))
}

/// The first non-empty list.
pub(super) fn coalescelist(mut args: Vec<Value>) -> FnResult {
    if args.is_empty() {
        return Err(FnError::Arity("at least one argument is required".into()));
    }
    for i in 0..args.len() {
        let items = take_list(&mut args, i)?;
        if !items.is_empty() {
            return Ok(Value::List(items));
        }
    }
    Err(FnError::Call("no non-empty list arguments".into()))
}

/// Removes null and empty-string elements.
pub(super) fn compact(mut args: Vec<Value>) -> FnResult {
    let items = take_list(&mut args, 0)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Value::Null | Value::TypedNull(_) => {}
            Value::String(s) if s.is_empty() => {}
            Value::String(_) => out.push(item),
            Value::Number(n) => out.push(Value::String(format_number(&n))),
            Value::Bool(b) => out.push(Value::String(b.to_string())),
            other => {
                return Err(FnError::Arg(
                    0,
                    format!(
                        "element {i} is a {}; a string is required",
                        other.kind_name()
                    ),
                ));
            }
        }
    }
    Ok(Value::list(Type::String, out))
}

/// Null for an empty (or null) list, the element for a one-element list, else an error.
pub(super) fn one(mut args: Vec<Value>) -> FnResult {
    if args.first().is_some_and(Value::is_null) {
        return Ok(Value::Null);
    }
    let mut items = take_list(&mut args, 0)?;
    match items.len() {
        0 => Ok(Value::Null),
        1 => Ok(items.swap_remove(0)),
        n => Err(FnError::Arg(
            0,
            format!("must be a list, set or tuple with either zero or one elements, got {n}"),
        )),
    }
}

pub(super) fn sum(args: Vec<Value>) -> FnResult {
    let items = arg_list(&args, 0)?;
    if items.is_empty() {
        return Err(FnError::Arg(0, "cannot sum an empty list".into()));
    }
    let mut total: Option<Number> = None;
    for (i, item) in items.iter().enumerate() {
        match types::convert(item.clone(), &Type::Number) {
            Ok(Value::Number(n)) => {
                total = Some(match total {
                    None => n,
                    Some(t) => t.add(&n).map_err(|e| FnError::Call(e.to_string()))?,
                });
            }
            Ok(_) => {
                return Err(FnError::Arg(
                    0,
                    format!("element {i} is null; cannot sum null values"),
                ));
            }
            Err(e) => return Err(FnError::Arg(0, format!("element {i}: {e}"))),
        }
    }
    match total {
        Some(t) if !t.is_infinite() => Ok(Value::Number(t)),
        _ => Err(FnError::Call(
            "the sum is too large to be represented".into(),
        )),
    }
}

pub(super) fn reverse(mut args: Vec<Value>) -> FnResult {
    let like = args.first().cloned().unwrap_or_default();
    let mut items = take_list(&mut args, 0)?;
    items.reverse();
    Ok(same_kind(&like, items))
}

/// Sorts strings lexically (numbers and bools convert to strings first).
pub(super) fn sort(args: Vec<Value>) -> FnResult {
    let items = arg_list(&args, 0)?;
    let mut strings = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::Null | Value::TypedNull(_) => {
                return Err(FnError::Arg(
                    0,
                    format!("element {i} is null; a null string cannot be sorted"),
                ));
            }
            v => match types::convert(v.clone(), &Type::String) {
                Ok(Value::String(s)) => strings.push(s),
                _ => {
                    return Err(FnError::Arg(
                        0,
                        format!("element {i} is a {}; a string is required", v.kind_name()),
                    ));
                }
            },
        }
    }
    strings.sort();
    Ok(string_list(strings))
}

/// `zipmap(keys, values)`: a map from the keys to the values at the same positions.
pub(super) fn zipmap(mut args: Vec<Value>) -> FnResult {
    let keys = take_list(&mut args, 0)?;
    let values = take_list(&mut args, 1)?;
    if keys.len() != values.len() {
        return Err(FnError::Call(format!(
            "number of keys ({}) does not match number of values ({})",
            keys.len(),
            values.len()
        )));
    }
    let mut out = BTreeMap::new();
    let mut unknown = false;
    let mut marked = false;
    for (i, (k, v)) in keys.into_iter().zip(values).enumerate() {
        let (k, m) = k.into_unmarked();
        marked |= m;
        let key = match k {
            Value::String(s) => s,
            Value::Number(n) => format_number(&n),
            Value::Bool(b) => b.to_string(),
            Value::Unknown => {
                unknown = true;
                continue;
            }
            Value::Null | Value::TypedNull(_) => {
                return Err(FnError::Arg(0, format!("key {i} is null")));
            }
            other => {
                return Err(FnError::Arg(
                    0,
                    format!("key {i} is a {}; a string is required", other.kind_name()),
                ));
            }
        };
        out.insert(key, v);
    }
    // A sensitive key would be visible as a map key: the whole map is sensitive instead.
    let result = if unknown {
        Value::Unknown
    } else {
        Value::Object(out)
    };
    Ok(result.marked_if(marked))
}

/// The union of sets, deduplicated, in canonical set order.
pub(super) fn setunion(mut args: Vec<Value>) -> FnResult {
    if args.is_empty() {
        return Err(FnError::Arity("at least one set is required".into()));
    }
    let mut all = Vec::new();
    for i in 0..args.len() {
        all.extend(take_list(&mut args, i)?);
    }
    types::convert(Value::List(all), &Type::set(Type::Any))
        .map_err(|e| FnError::Call(format!("cannot make a set: {e}")))
}

/// `slice(list, start, end)`: elements `start..end`.
pub(super) fn slice(mut args: Vec<Value>) -> FnResult {
    let start = arg_int(&args, 1)?;
    let end = arg_int(&args, 2)?;
    let like = args.first().cloned().unwrap_or_default();
    let items = take_list(&mut args, 0)?;
    let len = items.len();
    let start = usize::try_from(start)
        .map_err(|_| FnError::Arg(1, "the start index must not be negative".into()))?;
    let end = usize::try_from(end)
        .map_err(|_| FnError::Arg(2, "the end index must not be negative".into()))?;
    if end > len {
        return Err(FnError::Arg(
            2,
            format!("the end index must not be greater than the length of the list ({len})"),
        ));
    }
    if start > end {
        return Err(FnError::Arg(
            1,
            "the start index must not be greater than the end index".into(),
        ));
    }
    Ok(same_kind(
        &like,
        items.into_iter().skip(start).take(end - start).collect(),
    ))
}

/// Shared by `alltrue` (`target == false`: any false decides) and `anytrue` (any true does).
/// An element of `alltrue`/`anytrue`'s list.
enum Truth {
    Known(bool),
    Null,
    Unknown,
}

/// The elements of `alltrue`/`anytrue`'s list.
fn bools(args: &[Value]) -> Result<Vec<Truth>, FnError> {
    let items = arg_list(args, 0)?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item.unmark().0 {
            Value::Unknown => Ok(Truth::Unknown),
            Value::Null | Value::TypedNull(_) => Ok(Truth::Null),
            v => match types::convert(v.clone(), &Type::Bool) {
                Ok(Value::Bool(b)) => Ok(Truth::Known(b)),
                Ok(_) => Ok(Truth::Unknown),
                Err(e) => Err(FnError::Arg(0, format!("element {i}: {e}"))),
            },
        })
        .collect()
}

/// Terraform's `alltrue`: in order, an unknown element makes the result unknown and a null or
/// false one makes it false.
pub(super) fn alltrue(args: Vec<Value>) -> FnResult {
    for b in bools(&args)? {
        match b {
            Truth::Unknown => return Ok(Value::Unknown),
            Truth::Null | Truth::Known(false) => return Ok(Value::Bool(false)),
            Truth::Known(true) => {}
        }
    }
    Ok(Value::Bool(true))
}

/// Terraform's `anytrue`: a true element makes it true; null elements are skipped; otherwise
/// unknown if an element is.
pub(super) fn anytrue(args: Vec<Value>) -> FnResult {
    let mut unknown = false;
    for b in bools(&args)? {
        match b {
            Truth::Unknown => unknown = true,
            Truth::Known(true) => return Ok(Value::Bool(true)),
            Truth::Null | Truth::Known(false) => {}
        }
    }
    Ok(if unknown {
        Value::Unknown
    } else {
        Value::Bool(false)
    })
}
