//! Schema-driven comparison of one desired object (evaluated configuration) with its recorded
//! object (refreshed state), giving the planned object and which paths changed or force
//! replacement.
//!
//! Rules (the Scaleway provider's, as far as they show in a plan):
//! - an attribute not set in configuration that is computed keeps the recorded value (no diff);
//!   a default applies when one is declared; an optional attribute left unset is null;
//! - null, `""`, `[]`, `{}`, `false` and `0` are the same "empty" value, as the legacy SDK
//!   stores them;
//! - sets compare as sets, references to regional objects compare modulo locality (`uuid` vs
//!   `region/uuid`), RFC 3339 timestamps compare as instants, secret maps compare each configured
//!   plaintext with the stored argon2 hash;
//! - when equal, the planned value is the recorded one (so the stored form is kept);
//! - a changed attribute or block forces replacement when its schema says `force_new`, or when
//!   it cannot be updated at all.
//!
//! Pure; depends on `schema`, `model` (values, evaluated instances) and [`super::secrets`].

use std::collections::BTreeMap;

use crate::diag::Span;
use crate::model::config::BlockValue;
use crate::model::lower::IgnoreChanges;
use crate::model::value::Value;
use crate::schema::{AttrType, AttributeSchema, BlockSchema, DefaultValue, Validation};

use crate::secret::secret_matches;
use crate::timefmt::parse_rfc3339;

/// One object as configuration gives it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Desired<'a> {
    /// Attribute values (defaults applied; unset computed attributes unknown).
    pub attributes: &'a BTreeMap<&'static str, Value>,
    /// Nested blocks.
    pub blocks: &'a BTreeMap<&'static str, Vec<BlockValue>>,
    /// Which attributes configuration sets (`None` inside nested blocks, where only the value
    /// tells: an unknown computed attribute there is taken as unset).
    pub configured: Option<&'a BTreeMap<&'static str, Span>>,
}

/// Whether the recorded object exists, and so what unset computed attributes become.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Base<'a> {
    /// A new object: unset computed attributes are unknown.
    New,
    /// An existing object with these recorded attributes.
    Existing(&'a BTreeMap<String, Value>),
    /// An existing object being replaced: its replacement keeps configured values equivalent
    /// to the recorded ones in their recorded form, but computed values become unknown.
    Replacing(&'a BTreeMap<String, Value>),
}

/// What comparing one object gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ObjectDiff {
    /// The planned object: every schema attribute and block (blocks as lists of objects).
    pub planned: BTreeMap<String, Value>,
    /// Paths (`name`, `scopes.0.write_logs`) whose value changes.
    pub changed: Vec<String>,
    /// The changed paths that force replacement.
    pub replace: Vec<String>,
}

/// Compares `desired` with `base` under `schema`. `ignore` applies to top-level names only.
pub(crate) fn diff_object(
    schema: &BlockSchema,
    desired: Desired<'_>,
    base: Base<'_>,
    ignore: &IgnoreChanges,
    prefix: &str,
) -> ObjectDiff {
    let mut out = ObjectDiff::default();
    let (prior, replacing) = match base {
        Base::Existing(p) => (Some(p), false),
        Base::Replacing(p) => (Some(p), true),
        Base::New => (None, false),
    };
    for attr in schema.attributes {
        let path = join(prefix, attr.name);
        let given = desired.attributes.get(attr.name).unwrap_or(&Value::Null);
        let wanted = wanted_value(attr, given, desired.configured);
        let recorded = prior.map(|p| p.get(attr.name).unwrap_or(&Value::Null));
        let planned = match (wanted, recorded) {
            (None, None) => Value::Unknown,
            (None, Some(_)) if replacing => Value::Unknown,
            (None, Some(r)) => r.clone(),
            (Some(w), None) => w.clone(),
            (Some(w), Some(r)) if replacing => {
                if equivalent(attr, w, r) {
                    with_marks_of(w, r)
                } else {
                    w.clone()
                }
            }
            (Some(w), Some(r)) => {
                if equivalent(attr, w, r) {
                    with_marks_of(w, r)
                } else if is_ignored(ignore, attr.name) {
                    r.clone()
                } else {
                    if attr.force_new || !attr.updatable {
                        out.replace.push(path.clone());
                    }
                    out.changed.push(path);
                    w.clone()
                }
            }
        };
        out.planned
            .insert(attr.name.to_owned(), planned.marked_if(attr.sensitive));
    }
    for block in schema.blocks {
        let given = desired
            .blocks
            .get(block.name)
            .map_or(&[][..], Vec::as_slice);
        let recorded = prior.map(|p| p.get(block.name).and_then(Value::as_list).unwrap_or(&[]));
        let path = join(prefix, block.name);
        let planned = if replacing {
            // The replacement's blocks are what configuration says (or the defaults).
            let mut scratch = ObjectDiff::default();
            diff_blocks(block, given, None, &path, &mut scratch)
        } else if is_ignored(ignore, block.name) && recorded.is_some() {
            recorded.map_or(Value::Unknown, |r| Value::List(r.to_vec()))
        } else {
            diff_blocks(block, given, recorded, &path, &mut out)
        };
        out.planned.insert(block.name.to_owned(), planned);
    }
    out
}

/// Plans the occurrences of one block type; records changed and forcing paths in `out`.
fn diff_blocks(
    block: &'static BlockSchema,
    given: &[BlockValue],
    recorded: Option<&[Value]>,
    path: &str,
    out: &mut ObjectDiff,
) -> Value {
    if given.is_empty() {
        return match recorded {
            // Optional+computed blocks left out keep what the API set.
            Some(r) if block.computed => Value::List(r.to_vec()),
            Some(r) => {
                if !r.is_empty() {
                    changed_block(block, path, out);
                }
                Value::List(Vec::new())
            }
            None if block.computed => {
                default_block(block).map_or(Value::Unknown, |b| Value::List(vec![b]))
            }
            None => Value::List(Vec::new()),
        };
    }
    let none = BTreeMap::new();
    let mut planned = Vec::with_capacity(given.len());
    let mut changed_any = false;
    let mut forced = Vec::new();
    if block.set {
        // A set: each configured element must match some recorded element, ignoring order.
        let recorded = recorded.unwrap_or(&[]);
        let mut used = vec![false; recorded.len()];
        let mut all_matched = given.len() == recorded.len();
        for occurrence in given {
            let desired = block_desired(occurrence);
            let found = recorded.iter().enumerate().find(|(i, r)| {
                !used[*i]
                    && r.as_object().is_some_and(|r| {
                        diff_object(block, desired, Base::Existing(r), &IgnoreChanges::None, "")
                            .changed
                            .is_empty()
                    })
            });
            if let Some((i, r)) = found {
                used[i] = true;
                planned.push(r.clone());
            } else {
                all_matched = false;
                let d = diff_object(block, desired, Base::New, &IgnoreChanges::None, "");
                planned.push(Value::Object(d.planned));
            }
        }
        if !all_matched && recorded_some(recorded) {
            changed_any = true;
        }
        if !all_matched && !recorded_some(recorded) && !given.is_empty() {
            changed_any = true;
        }
    } else {
        let recorded_list = recorded.unwrap_or(&[]);
        for (i, occurrence) in given.iter().enumerate() {
            let desired = block_desired(occurrence);
            let sub_path = format!("{path}.{i}");
            let base = match (recorded, recorded_list.get(i).and_then(Value::as_object)) {
                (Some(_), Some(r)) => Base::Existing(r),
                (Some(_), None) => Base::Existing(&none),
                (None, _) => Base::New,
            };
            let d = diff_object(block, desired, base, &IgnoreChanges::None, &sub_path);
            if recorded.is_some() {
                changed_any |= !d.changed.is_empty();
                if block.force_new {
                    forced.extend(d.changed.iter().cloned());
                } else {
                    forced.extend(d.replace.iter().cloned());
                }
                out.changed.extend(d.changed);
            }
            planned.push(Value::Object(d.planned));
        }
        if recorded.is_some() && recorded_list.len() > given.len() {
            changed_any = true;
        }
    }
    if recorded.is_some() && changed_any {
        if forced.is_empty() {
            changed_block(block, path, out);
        } else {
            if !out.changed.iter().any(|c| c.starts_with(path)) {
                out.changed.push(path.to_owned());
            }
            out.replace.extend(forced);
        }
    }
    Value::List(planned)
}

fn recorded_some(recorded: &[Value]) -> bool {
    !recorded.is_empty()
}

/// `recorded` (the form to keep) with the sensitive marks of `wanted` (an equivalent
/// configured value): a value taken from a sensitive variable stays hidden whatever form it is
/// recorded in.
fn with_marks_of(wanted: &Value, recorded: &Value) -> Value {
    match (wanted, recorded.unmark()) {
        (Value::Sensitive(_), (r, _)) => r.clone().mark_sensitive(),
        (Value::Object(w), (Value::Object(r), false)) => Value::Object(
            r.iter()
                .map(|(k, rv)| {
                    let v = w
                        .get(k)
                        .map_or_else(|| rv.clone(), |wv| with_marks_of(wv, rv));
                    (k.clone(), v)
                })
                .collect(),
        ),
        (Value::List(w), (Value::List(r), false)) => Value::List(
            r.iter()
                .enumerate()
                .map(|(i, rv)| {
                    w.get(i)
                        .map_or_else(|| rv.clone(), |wv| with_marks_of(wv, rv))
                })
                .collect(),
        ),
        _ => recorded.clone(),
    }
}

/// Records a whole-block change.
fn changed_block(block: &BlockSchema, path: &str, out: &mut ObjectDiff) {
    if !out.changed.iter().any(|c| c == path) {
        out.changed.push(path.to_owned());
    }
    let updatable = block.attributes.iter().any(|a| a.updatable);
    if block.force_new || !updatable {
        out.replace.push(path.to_owned());
    }
}

/// The desired side of a nested block occurrence.
fn block_desired(b: &BlockValue) -> Desired<'_> {
    Desired {
        attributes: &b.attributes,
        blocks: &b.blocks,
        configured: None,
    }
}

/// The block the provider creates when configuration omits a computed block whose attributes
/// all have defaults (cockpit token `scopes`), or `None`.
fn default_block(block: &BlockSchema) -> Option<Value> {
    if block.attributes.is_empty() || block.attributes.iter().any(|a| a.default.is_none()) {
        return None;
    }
    Some(Value::Object(
        block
            .attributes
            .iter()
            .filter_map(|a| Some((a.name.to_owned(), default_value(a.default?))))
            .collect(),
    ))
}

/// A schema default as a value.
pub(crate) fn default_value(d: DefaultValue) -> Value {
    match d {
        DefaultValue::Bool(b) => Value::Bool(b),
        DefaultValue::Int(i) => Value::int(i),
        DefaultValue::Str(s) => Value::string(s),
    }
}

/// What configuration asks for: `None` when it leaves the attribute to the API (computed and
/// unset), else the value (null when an optional attribute is unset).
fn wanted_value<'v>(
    attr: &AttributeSchema,
    given: &'v Value,
    configured: Option<&BTreeMap<&'static str, Span>>,
) -> Option<&'v Value> {
    if !attr.configurable() {
        return None;
    }
    let set = match configured {
        Some(c) => c.contains_key(attr.name) && !given.is_null(),
        None => !(given.is_null() || given.is_unknown() && attr.computed),
    };
    if set || attr.default.is_some() {
        Some(given)
    } else if attr.computed {
        None
    } else {
        Some(given)
    }
}

fn is_ignored(ignore: &IgnoreChanges, name: &str) -> bool {
    match ignore {
        IgnoreChanges::None => false,
        IgnoreChanges::All => true,
        IgnoreChanges::Attributes(names) => names.iter().any(|n| {
            let head = n.split(['.', '[']).next().unwrap_or(n);
            head == name
        }),
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Whether the configured `wanted` and the recorded `recorded` are the same for this attribute.
pub(crate) fn equivalent(attr: &AttributeSchema, wanted: &Value, recorded: &Value) -> bool {
    let wanted = wanted.unmark().0;
    let recorded = recorded.unmark().0;
    if wanted.contains_unknown() {
        return false;
    }
    values_equal(
        attr.ty,
        attr.validation,
        attr.stored_as_hash,
        wanted,
        recorded,
    )
}

/// Null and the zero values are one "empty" value in the legacy SDK.
fn is_empty(v: &Value) -> bool {
    match v.unmark().0 {
        Value::Null | Value::TypedNull(_) => true,
        Value::Collection(_) => {
            v.as_list().is_some_and(<[Value]>::is_empty)
                || v.as_object().is_some_and(BTreeMap::is_empty)
        }
        Value::String(s) => s.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Bool(b) => !b,
        Value::Number(n) => n.is_zero(),
        Value::Unknown | Value::Sensitive(_) => false,
    }
}

#[allow(clippy::many_single_char_names)]
fn values_equal(
    ty: AttrType,
    validation: Option<Validation>,
    secret_map: bool,
    a: &Value,
    b: &Value,
) -> bool {
    let a = a.unmark().0;
    let b = b.unmark().0;
    if is_empty(a) && is_empty(b) {
        return true;
    }
    match (ty, a, b) {
        (AttrType::String, Value::String(x), Value::String(y)) => match validation {
            Some(Validation::UuidOrRegional) => strip_locality(x) == strip_locality(y),
            Some(Validation::Rfc3339) => same_instant(x, y),
            Some(Validation::Duration) => same_duration(x, y),
            _ => x == y,
        },
        (AttrType::List(e), Value::List(x), Value::List(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(x, y)| values_equal(*e, None, false, x, y))
        }
        (AttrType::Set(e), Value::List(x), Value::List(y)) => {
            if x.len() != y.len() {
                return false;
            }
            let mut used = vec![false; y.len()];
            x.iter().all(|x| {
                let hit = y
                    .iter()
                    .enumerate()
                    .find(|(i, y)| !used[*i] && values_equal(*e, None, false, x, y));
                hit.is_some_and(|(i, _)| {
                    used[i] = true;
                    true
                })
            })
        }
        (AttrType::Map(e), Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, xv)| {
                    y.get(k).is_some_and(|yv| {
                        if secret_map {
                            match (xv.unmark().0, yv.unmark().0) {
                                (Value::String(p), Value::String(h)) => secret_matches(p, h),
                                (x, y) => x == y,
                            }
                        } else {
                            values_equal(*e, None, false, xv, yv)
                        }
                    })
                })
        }
        (_, x, y) => x == y,
    }
}

/// `fr-par/uuid` → `uuid`; anything else unchanged.
pub(crate) fn strip_locality(id: &str) -> &str {
    match id.split_once('/') {
        Some((_, rest)) if !rest.contains('/') => rest,
        _ => id,
    }
}

/// Durations compare by length, as the provider's `dsf.Duration` diff suppression does:
/// `"1m"`, `"60s"` and `"1m0s"` (the form the API's answer is recorded in) are the same.
fn same_duration(a: &str, b: &str) -> bool {
    use crate::timefmt::parse_go_duration;
    match (parse_go_duration(a), parse_go_duration(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn same_instant(a: &str, b: &str) -> bool {
    match (parse_rfc3339(a), parse_rfc3339(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema;

    fn attr(type_name: &str, name: &str) -> &'static AttributeSchema {
        schema::resource(type_name)
            .and_then(|s| s.attribute(name))
            .expect("attribute exists in the schema")
    }

    #[test]
    fn ids_compare_modulo_locality() {
        let a = attr("scaleway_container", "namespace_id");
        let uuid = "11111111-1111-1111-1111-111111111111";
        assert!(equivalent(
            a,
            &Value::string(uuid),
            &Value::string(format!("fr-par/{uuid}"))
        ));
        assert!(!equivalent(
            a,
            &Value::string("22222222-2222-2222-2222-222222222222"),
            &Value::string(format!("fr-par/{uuid}"))
        ));
    }

    #[test]
    fn timestamps_compare_as_instants() {
        let a = attr("scaleway_container_token", "expires_at");
        assert!(equivalent(
            a,
            &Value::string("2030-01-01T01:00:00+01:00"),
            &Value::string("2030-01-01T00:00:00Z")
        ));
        assert!(!equivalent(
            a,
            &Value::string("2030-01-01T01:00:00Z"),
            &Value::string("2030-01-01T00:00:00Z")
        ));
    }

    // https://github.com/scwform/scwform/issues/9 (item 9): a probe written `"1m"` against the
    // recorded `"1m0s"` (Go's spelling, which the API's answer is recorded in) diffed forever.
    #[test]
    fn issue_9_probe_durations_compare_by_length() {
        let container = schema::resource("scaleway_container").expect("registered");
        for block in ["liveness_probe", "startup_probe", "health_check"] {
            let interval = container
                .block(block)
                .and_then(|b| b.attribute("interval"))
                .expect("probes have an interval");
            let same =
                |a: &str, b: &str| equivalent(interval, &Value::string(a), &Value::string(b));
            assert!(same("1m", "1m0s"), "{block}");
            assert!(same("60s", "1m0s"), "{block}");
            assert!(same("1m30s", "90s"), "{block}");
            assert!(same("1.5s", "1500ms"), "{block}");
            assert!(same("0.5s", "500ms"), "{block}");
            assert!(!same("1m", "61s"), "{block}");
            assert!(!same("10s", "1s"), "{block}");
        }
        let timeout = container
            .block("liveness_probe")
            .and_then(|b| b.attribute("timeout"))
            .expect("probes have a timeout");
        assert!(equivalent(
            timeout,
            &Value::string("1m"),
            &Value::string("60s")
        ));
        // Text that is not a duration only equals itself.
        assert!(!equivalent(
            timeout,
            &Value::string("soon"),
            &Value::string("1s")
        ));
    }

    #[test]
    fn empty_values_are_null() {
        let a = attr("scaleway_container_namespace", "tags");
        assert!(equivalent(a, &Value::Null, &Value::List(vec![])));
        let d = attr("scaleway_account_project", "description");
        assert!(equivalent(d, &Value::Null, &Value::string("")));
        assert!(!equivalent(d, &Value::Null, &Value::string("x")));
    }

    #[test]
    fn unknown_is_never_equal() {
        let d = attr("scaleway_account_project", "description");
        assert!(!equivalent(d, &Value::Unknown, &Value::string("x")));
    }

    #[test]
    fn lists_keep_order_and_sets_do_not() {
        static SET: AttributeSchema =
            AttributeSchema::new("s", AttrType::Set(&AttrType::String)).optional();
        let ab = Value::List(vec![Value::string("a"), Value::string("b")]);
        let ba = Value::List(vec![Value::string("b"), Value::string("a")]);
        assert!(equivalent(&SET, &ab, &ba));
        let tags = attr("scaleway_container_namespace", "tags");
        assert!(!equivalent(tags, &ab, &ba));
    }

    #[test]
    fn secret_maps_compare_plaintext_with_hash() {
        use argon2::password_hash::{PasswordHasher, SaltString};
        let salt = SaltString::encode_b64(b"0123456789abcdef").expect("valid salt");
        let hash = argon2::Argon2::default()
            .hash_password(b"s3cret", &salt)
            .expect("valid params")
            .to_string();
        let a = attr(
            "scaleway_container_namespace",
            "secret_environment_variables",
        );
        let config = Value::Object(BTreeMap::from([(
            "KEY".to_owned(),
            Value::string("s3cret"),
        )]))
        .mark_sensitive();
        let stored = Value::Object(BTreeMap::from([("KEY".to_owned(), Value::string(hash))]));
        assert!(equivalent(a, &config, &stored));
        let other = Value::Object(BTreeMap::from([("KEY".to_owned(), Value::string("nope"))]));
        assert!(!equivalent(a, &other, &stored));
    }

    /// Issue 9 item 15: only a map the schema says is stored as hashes compares plaintext with
    /// a hash; another sensitive map compares its values as they are.
    #[test]
    fn only_maps_stored_as_hashes_compare_plaintext_with_hash() {
        use argon2::password_hash::{PasswordHasher, SaltString};
        const PLAIN: AttributeSchema =
            AttributeSchema::new("m", AttrType::Map(&AttrType::String)).sensitive();
        let salt = SaltString::encode_b64(b"0123456789abcdef").expect("valid salt");
        let hash = argon2::Argon2::default()
            .hash_password(b"s3cret", &salt)
            .expect("valid params")
            .to_string();
        let config = Value::Object(BTreeMap::from([(
            "KEY".to_owned(),
            Value::string("s3cret"),
        )]));
        let stored = Value::Object(BTreeMap::from([("KEY".to_owned(), Value::string(hash))]));
        assert!(!equivalent(&PLAIN, &config, &stored));
        assert!(equivalent(&PLAIN, &config, &config));
    }

    #[test]
    fn strip_locality_only_strips_one_region_prefix() {
        assert_eq!(strip_locality("fr-par/abc"), "abc");
        assert_eq!(strip_locality("abc"), "abc");
        assert_eq!(strip_locality("a/b/c"), "a/b/c");
    }
}
