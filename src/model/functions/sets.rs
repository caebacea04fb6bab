//! Collection functions added for Terraform 1.11's full library: `chunklist`, `index`,
//! `matchkeys`, `setintersection`, `setproduct`, `setsubtract`, `transpose`.
//!
//! Element equality is the language's `==` ([`values_equal`]); a comparison that depends on an
//! unknown makes the result unknown. Set results are in the canonical set order
//! ([`types::canonical_set`]). Error texts are Terraform's.
//!
//! Depends on `model::value`, `model::types` and `model::expr::values_equal`.

use std::collections::BTreeMap;

use super::{FnError, FnResult, arg_int, take_list, take_object};
use crate::model::expr::values_equal;
use crate::model::types::{self, Type};
use crate::model::value::{Collection, Value};

/// Where `needle` is in `items`.
enum Found {
    At(usize),
    Absent,
    /// An unknown could decide it.
    Unknown,
}

fn find(items: &[Value], needle: &Value) -> Found {
    for (i, item) in items.iter().enumerate() {
        match values_equal(item, needle) {
            Some(true) => return Found::At(i),
            Some(false) => {}
            None => return Found::Unknown,
        }
    }
    Found::Absent
}

/// Argument `i` as a `list(any)` (or `set(any)`) parameter takes it: its elements converted
/// to their common type, and that type (`dynamic` for an empty one).
fn take_typed(args: &mut [Value], i: usize, set: bool) -> Result<(Type, Vec<Value>), FnError> {
    let value = args.get_mut(i).map(std::mem::take).unwrap_or_default();
    let any = Box::new(Type::Any);
    let target = if set { Type::Set(any) } else { Type::List(any) };
    let converted = types::convert(value, &target).map_err(|e| FnError::Arg(i, e))?;
    match converted.into_unmarked().0 {
        Value::Collection(c) => match *c {
            Collection::List(t, items) | Collection::Set(t, items) => Ok((t, items)),
            Collection::Map(..) => Err(FnError::Arg(i, "a list is required".into())),
        },
        _ => Err(FnError::Arg(i, "a list is required".into())),
    }
}

/// `chunklist(list, size)`: consecutive chunks of `size` elements (0: one chunk of all), a
/// `list(list(T))`.
pub(super) fn chunklist(mut args: Vec<Value>) -> FnResult {
    let size = arg_int(&args, 1)?;
    let (elem, items) = take_typed(&mut args, 0, false)?;
    let size = usize::try_from(size)
        .map_err(|_| FnError::Call("the size argument must be positive".into()))?;
    let chunk_type = Type::List(Box::new(elem.clone()));
    if items.is_empty() {
        return Ok(Value::list(chunk_type, Vec::new()));
    }
    if size == 0 {
        return Ok(Value::list(chunk_type, vec![Value::list(elem, items)]));
    }
    Ok(Value::list(
        chunk_type,
        items
            .chunks(size)
            .map(|c| Value::list(elem.clone(), c.to_vec()))
            .collect(),
    ))
}

/// `index(list, value)`: the index of the first element equal to `value`.
pub(super) fn index(mut args: Vec<Value>) -> FnResult {
    let needle = args.get(1).cloned().unwrap_or_default();
    let items = take_list(&mut args, 0)?;
    if items.is_empty() {
        return Err(FnError::Call("cannot search an empty list".into()));
    }
    match find(&items, &needle) {
        Found::Unknown => Ok(Value::Unknown),
        Found::At(i) => Ok(super::num(i)),
        Found::Absent => Err(FnError::Call("item not found".into())),
    }
}

/// `matchkeys(values, keys, searchset)`: the values whose key is in `searchset`.
pub(super) fn matchkeys(mut args: Vec<Value>) -> FnResult {
    let (elem, values) = take_typed(&mut args, 0, false)?;
    let keys = take_list(&mut args, 1)?;
    let search = take_list(&mut args, 2)?;
    if values.len() != keys.len() {
        return Err(FnError::Call(
            "length of keys and values should be equal".into(),
        ));
    }
    let mut out = Vec::new();
    for (value, key) in values.into_iter().zip(keys) {
        match find(&search, &key) {
            Found::Unknown => return Ok(Value::Unknown),
            Found::At(_) => out.push(value),
            Found::Absent => {}
        }
    }
    Ok(Value::list(elem, out))
}

/// `setintersection(sets...)`: the elements of the first set found in every other.
pub(super) fn setintersection(mut args: Vec<Value>) -> FnResult {
    let (first_type, first) = take_typed(&mut args, 0, true)?;
    let mut elem = first_type;
    let mut others = Vec::with_capacity(args.len().saturating_sub(1));
    for i in 1..args.len() {
        let (t, items) = take_typed(&mut args, i, true)?;
        elem = types::unify(&elem, &t).unwrap_or(elem);
        others.push(items);
    }
    let mut out = Vec::new();
    for item in first {
        let mut everywhere = true;
        for other in &others {
            match find(other, &item) {
                Found::Unknown => return Ok(Value::Unknown),
                Found::At(_) => {}
                Found::Absent => everywhere = false,
            }
        }
        if everywhere {
            out.push(item);
        }
    }
    typed_set(elem, out)
}

/// A `set(elem)` of `items` (converted to `elem`, in canonical order).
fn typed_set(elem: Type, items: Vec<Value>) -> FnResult {
    let items = items
        .into_iter()
        .map(|v| types::convert(v, &elem))
        .collect::<Result<Vec<_>, _>>()
        .map_err(FnError::Call)?;
    Ok(Value::set(elem, types::canonical_set(items)))
}

/// `setsubtract(a, b)`: the elements of `a` not in `b`.
pub(super) fn setsubtract(mut args: Vec<Value>) -> FnResult {
    let (a_type, a) = take_typed(&mut args, 0, true)?;
    let (b_type, b) = take_typed(&mut args, 1, true)?;
    let elem = types::unify(&a_type, &b_type).unwrap_or(a_type);
    let mut out = Vec::new();
    for item in a {
        match find(&b, &item) {
            Found::Unknown => return Ok(Value::Unknown),
            Found::At(_) => {}
            Found::Absent => out.push(item),
        }
    }
    typed_set(elem, out)
}

/// `setproduct(sets...)`: every combination, one element from each argument, in order.
pub(super) fn setproduct(mut args: Vec<Value>) -> FnResult {
    if args.len() < 2 {
        return Err(FnError::Call("at least two arguments are required".into()));
    }
    // Sets in, a set of tuples out; a list among the arguments makes the result a list.
    let all_sets = args
        .iter()
        .all(|a| matches!(a.as_collection(), Some(Collection::Set(..))));
    let mut elem_types = Vec::with_capacity(args.len());
    let mut lists = Vec::with_capacity(args.len());
    for i in 0..args.len() {
        let (t, items) = take_typed(&mut args, i, false)?;
        elem_types.push(t);
        lists.push(items);
    }
    let total = lists
        .iter()
        .try_fold(1usize, |acc, l| acc.checked_mul(l.len()));
    if total.is_none_or(|t| t > 1_000_000) {
        return Err(FnError::Call("the product has too many elements".into()));
    }
    let mut out: Vec<Vec<Value>> = vec![Vec::new()];
    for list in &lists {
        let mut next = Vec::with_capacity(out.len() * list.len());
        for prefix in &out {
            for item in list {
                let mut combo = prefix.clone();
                combo.push(item.clone());
                next.push(combo);
            }
        }
        out = next;
    }
    let tuples: Vec<Value> = out.into_iter().map(Value::List).collect();
    let elem = Type::Tuple(elem_types);
    Ok(if all_sets {
        Value::set(elem, types::canonical_set(tuples))
    } else {
        Value::list(elem, tuples)
    })
}

/// `transpose(map of lists of strings)`: each string becomes a key listing the keys it was
/// under, in key order.
pub(super) fn transpose(mut args: Vec<Value>) -> FnResult {
    let map = take_object(&mut args, 0)?;
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (key, list) in map {
        let required = || FnError::Arg(0, format!("element {key:?}: list of string required"));
        let Ok((items, _)) = list.into_sequence() else {
            return Err(required());
        };
        for item in items {
            let Ok(Value::String(s)) = types::convert(item, &Type::String) else {
                return Err(required());
            };
            out.entry(s).or_default().push(Value::String(key.clone()));
        }
    }
    let strings = Type::String;
    Ok(Value::map(
        Type::List(Box::new(strings.clone())),
        out.into_iter()
            .map(|(k, v)| (k, Value::list(strings.clone(), v)))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::string(x)
    }

    fn l(items: &[&str]) -> Value {
        Value::List(items.iter().map(|x| s(x)).collect())
    }

    #[test]
    fn chunklist_splits_and_checks_the_size() {
        let v = chunklist(vec![l(&["a", "b", "c"]), Value::float(2.0)])
            .unwrap()
            .into_untyped();
        assert_eq!(v, Value::List(vec![l(&["a", "b"]), l(&["c"])]));
        let v = chunklist(vec![l(&["a", "b"]), Value::float(0.0)])
            .unwrap()
            .into_untyped();
        assert_eq!(v, Value::List(vec![l(&["a", "b"])]));
        assert_eq!(
            chunklist(vec![l(&[]), Value::float(2.0)])
                .unwrap()
                .into_untyped(),
            l(&[])
        );
        assert_eq!(
            chunklist(vec![l(&["a"]), Value::float(-1.0)]).unwrap_err(),
            FnError::Call("the size argument must be positive".into())
        );
    }

    #[test]
    fn index_finds_the_first_equal_element() {
        assert_eq!(
            index(vec![l(&["a", "b", "b"]), s("b")])
                .unwrap()
                .into_untyped(),
            Value::float(1.0)
        );
        assert_eq!(
            index(vec![l(&["a"]), s("z")]).unwrap_err(),
            FnError::Call("item not found".into())
        );
        assert_eq!(
            index(vec![l(&[]), s("z")]).unwrap_err(),
            FnError::Call("cannot search an empty list".into())
        );
        let with_unknown = Value::List(vec![Value::Unknown, s("b")]);
        assert_eq!(
            index(vec![with_unknown, s("b")]).unwrap().into_untyped(),
            Value::Unknown
        );
    }

    #[test]
    fn matchkeys_selects_by_key() {
        let v = matchkeys(vec![
            l(&["i1", "i2", "i3"]),
            l(&["us", "eu", "us"]),
            l(&["us"]),
        ])
        .unwrap()
        .into_untyped();
        assert_eq!(v, l(&["i1", "i3"]));
        assert_eq!(
            matchkeys(vec![l(&["a"]), l(&["b", "c"]), l(&["b"])]).unwrap_err(),
            FnError::Call("length of keys and values should be equal".into())
        );
    }

    #[test]
    fn set_operations_give_canonical_sets() {
        assert_eq!(
            setintersection(vec![
                l(&["c", "a", "b"]),
                l(&["b", "c"]),
                l(&["c", "b", "x"])
            ])
            .unwrap()
            .into_untyped(),
            l(&["b", "c"])
        );
        assert_eq!(
            setsubtract(vec![l(&["c", "a", "b", "a"]), l(&["b"])])
                .unwrap()
                .into_untyped(),
            l(&["a", "c"])
        );
        assert_eq!(
            setsubtract(vec![l(&["a"]), l(&["a", "b"])])
                .unwrap()
                .into_untyped(),
            l(&[])
        );
    }

    #[test]
    fn setproduct_combines_in_order() {
        let v = setproduct(vec![l(&["a", "b"]), l(&["1", "2"])])
            .unwrap()
            .into_untyped();
        assert_eq!(
            v,
            Value::List(vec![
                l(&["a", "1"]),
                l(&["a", "2"]),
                l(&["b", "1"]),
                l(&["b", "2"])
            ])
        );
        assert_eq!(
            setproduct(vec![l(&[]), l(&["x"])]).unwrap().into_untyped(),
            l(&[])
        );
        assert_eq!(
            setproduct(vec![l(&["a"])]).unwrap_err(),
            FnError::Call("at least two arguments are required".into())
        );
    }

    #[test]
    fn transpose_swaps_keys_and_values() {
        let input = Value::Object(BTreeMap::from([
            ("a".to_owned(), l(&["1", "2"])),
            ("b".to_owned(), Value::List(vec![s("2"), Value::float(3.0)])),
        ]));
        let want = Value::Object(BTreeMap::from([
            ("1".to_owned(), l(&["a"])),
            ("2".to_owned(), l(&["a", "b"])),
            ("3".to_owned(), l(&["b"])),
        ]));
        assert_eq!(transpose(vec![input]).unwrap().into_untyped(), want);
        let bad = Value::Object(BTreeMap::from([("a".to_owned(), s("1"))]));
        assert_eq!(
            transpose(vec![bad]).unwrap_err(),
            FnError::Arg(0, "element \"a\": list of string required".into())
        );
    }
}
