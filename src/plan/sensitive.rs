//! Sensitive paths: where in a resource object the values that must never be shown are, in
//! the form of Terraform's state (`sensitive_attributes`: lists of `get_attr` / `index` steps).
//!
//! Two directions: [`marked_paths`] reads the marks a planned or evaluated object carries (a
//! value derived from a `sensitive = true` variable, a schema-sensitive attribute) and gives
//! their paths, which apply records in state; [`mark_paths`] puts the marks back on an object
//! read from state, so that every consumer of recorded objects (the planner, the JSON plan's
//! `before` and `prior_state`, `state show`) redacts the same values.
//!
//! Steps follow Terraform: object attributes and block attributes are `get_attr`, list and
//! block elements are `index` with a number, map elements are `index` with a string.
//!
//! Pure; depends on `model::value`, `schema` and `state` (path steps) only.

use std::collections::BTreeMap;

use serde_json::json;

use crate::model::value::Value;
use crate::schema::{AttrType, BlockSchema, ResourceSchema};
use crate::state::PathStep;

/// How to step into the children of a value.
#[derive(Clone, Copy)]
enum Shape {
    /// The resource's object: its attributes and blocks by name.
    Resource(&'static ResourceSchema),
    /// A block's object: attributes and nested blocks by name.
    Block(&'static BlockSchema),
    /// A list of block occurrences.
    Blocks(&'static BlockSchema),
    /// An attribute of this type.
    Attr(AttrType),
    /// Nothing known: objects are attributes, lists are indexed.
    Any,
}

impl Shape {
    fn child(self, key: &str) -> Self {
        match self {
            Self::Resource(r) => r
                .attribute(key)
                .map(|a| Self::Attr(a.ty))
                .or_else(|| r.block(key).map(Self::Blocks))
                .unwrap_or(Self::Any),
            Self::Block(b) => b
                .attribute(key)
                .map(|a| Self::Attr(a.ty))
                .or_else(|| b.block(key).map(Self::Blocks))
                .unwrap_or(Self::Any),
            Self::Blocks(b) => Self::Block(b),
            Self::Attr(AttrType::List(e) | AttrType::Set(e) | AttrType::Map(e)) => Self::Attr(*e),
            Self::Attr(_) | Self::Any => Self::Any,
        }
    }

    /// The step that reads `key` of an object of this shape.
    fn object_step(self, key: &str) -> PathStep {
        match self {
            Self::Attr(AttrType::Map(_)) => {
                PathStep::Index(json!({"value": key, "type": "string"}))
            }
            _ => PathStep::GetAttr(key.to_owned()),
        }
    }
}

fn list_step(i: usize) -> PathStep {
    PathStep::Index(json!({"value": i, "type": "number"}))
}

/// The paths of the sensitive parts of `object` (a resource object of `schema`): every marked
/// value that is not null, plus each schema-sensitive attribute that is set. Sorted, without
/// duplicates.
#[must_use]
pub fn marked_paths(schema: &'static ResourceSchema, object: &Value) -> Vec<Vec<PathStep>> {
    let mut out = Vec::new();
    walk(object, Shape::Resource(schema), &mut Vec::new(), &mut out);
    if let Some(map) = object.unmark().0.as_object() {
        for attr in schema.attributes.iter().filter(|a| a.sensitive) {
            if map.get(attr.name).is_some_and(|v| !v.unmark().0.is_null()) {
                out.push(vec![PathStep::GetAttr(attr.name.to_owned())]);
            }
        }
    }
    out.sort_by_key(|p| serde_json::to_string(p).unwrap_or_default());
    out.dedup();
    out
}

fn walk(value: &Value, shape: Shape, path: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    match value {
        Value::Sensitive(inner) => {
            if !inner.unmark().0.is_null() && !path.is_empty() {
                out.push(path.clone());
            } else if path.is_empty() {
                // A whole object marked: each of its attributes is sensitive.
                walk_children(inner, shape, path, out, true);
            }
        }
        other => walk_children(other, shape, path, out, false),
    }
}

fn walk_children(
    value: &Value,
    shape: Shape,
    path: &mut Vec<PathStep>,
    out: &mut Vec<Vec<PathStep>>,
    all: bool,
) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                path.push(shape.object_step(k));
                if all && !v.unmark().0.is_null() {
                    out.push(path.clone());
                } else {
                    walk(v, shape.child(k), path, out);
                }
                path.pop();
            }
        }
        Value::List(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(list_step(i));
                if all && !v.unmark().0.is_null() {
                    out.push(path.clone());
                } else {
                    walk(v, shape.child(""), path, out);
                }
                path.pop();
            }
        }
        _ => {}
    }
}

/// `value` with a sensitive mark at each of `paths` that leads somewhere (paths into values
/// that are no longer there are ignored).
#[must_use]
pub fn mark_paths(mut value: Value, paths: &[Vec<PathStep>]) -> Value {
    for path in paths.iter().filter(|p| !p.is_empty()) {
        mark_at(&mut value, path);
    }
    value
}

fn mark_at(value: &mut Value, steps: &[PathStep]) {
    let Some((first, rest)) = steps.split_first() else {
        if !value.is_null() {
            *value = std::mem::take(value).mark_sensitive();
        }
        return;
    };
    let child = match (value, first) {
        // Already hidden as a whole.
        (Value::Sensitive(_), _) => return,
        (Value::Object(map), PathStep::GetAttr(name)) => map.get_mut(name),
        (Value::Object(map), PathStep::Index(key)) => key
            .get("value")
            .and_then(|k| k.as_str())
            .and_then(|k| map.get_mut(k)),
        (Value::List(items), PathStep::Index(key)) => key
            .get("value")
            .and_then(serde_json::Value::as_u64)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| items.get_mut(i)),
        _ => None,
    };
    if let Some(child) = child {
        mark_at(child, rest);
    }
}

/// The recorded attributes of an instance as one value, with the marks of its recorded
/// `sensitive_attributes` and of its schema-sensitive attributes.
#[must_use]
pub fn marked_object(
    schema: Option<&ResourceSchema>,
    attributes: &BTreeMap<String, serde_json::Value>,
    paths: &[Vec<PathStep>],
) -> Value {
    let object = Value::Object(
        attributes
            .iter()
            .map(|(k, v)| {
                let sensitive = schema
                    .and_then(|s| s.attribute(k))
                    .is_some_and(|a| a.sensitive);
                let value = Value::from_json(v);
                let value = if sensitive && !value.is_null() {
                    value.mark_sensitive()
                } else {
                    value
                };
                (k.clone(), value)
            })
            .collect(),
    );
    mark_paths(object, paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema;

    fn s(text: &str) -> Value {
        Value::string(text)
    }

    fn attr(name: &str) -> PathStep {
        PathStep::GetAttr(name.to_owned())
    }

    #[test]
    fn paths_follow_terraforms_steps() {
        let container = schema::resource("scaleway_container").expect("registered");
        let object = Value::Object(BTreeMap::from([
            ("description".to_owned(), s("d").mark_sensitive()),
            ("name".to_owned(), s("app")),
            (
                "environment_variables".to_owned(),
                Value::Object(BTreeMap::from([
                    ("A".to_owned(), s("x").mark_sensitive()),
                    ("B".to_owned(), s("y")),
                ])),
            ),
            (
                "args".to_owned(),
                Value::List(vec![s("a"), s("b").mark_sensitive()]),
            ),
            (
                "liveness_probe".to_owned(),
                Value::List(vec![Value::Object(BTreeMap::from([(
                    "interval".to_owned(),
                    s("10s").mark_sensitive(),
                )]))]),
            ),
            (
                "secret_environment_variables".to_owned(),
                Value::Object(BTreeMap::from([("K".to_owned(), s("h"))])),
            ),
            (
                "private_network_id".to_owned(),
                Value::Null.mark_sensitive(),
            ),
        ]));
        let paths = marked_paths(container, &object);
        let expected = [
            vec![attr("args"), list_step(1)],
            vec![attr("description")],
            vec![
                attr("environment_variables"),
                PathStep::Index(json!({"value": "A", "type": "string"})),
            ],
            vec![attr("liveness_probe"), list_step(0), attr("interval")],
            // Schema-sensitive, though not marked here.
            vec![attr("secret_environment_variables")],
        ];
        assert_eq!(paths.len(), expected.len(), "{paths:?}");
        for e in &expected {
            assert!(paths.contains(e), "{e:?} in {paths:?}");
        }
        // Marking the plain object again at those paths gives the same marks back.
        let plain = Value::from_json(&object.to_json());
        let marked = mark_paths(plain, &paths);
        assert_eq!(marked_paths(container, &marked), paths);
        let map = marked.as_object().expect("object");
        assert!(matches!(map["description"], Value::Sensitive(_)));
        assert!(matches!(map["name"], Value::String(_)));
        assert!(matches!(
            map["environment_variables"].as_object().expect("map")["A"],
            Value::Sensitive(_)
        ));
    }

    #[test]
    fn paths_that_lead_nowhere_are_ignored() {
        let plain = Value::Object(BTreeMap::from([("tags".to_owned(), Value::List(vec![]))]));
        let marked = mark_paths(
            plain.clone(),
            &[
                vec![attr("tags"), list_step(3)],
                vec![attr("gone")],
                vec![attr("tags"), attr("x")],
            ],
        );
        assert_eq!(marked, plain);
    }
}
