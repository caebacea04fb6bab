//! Runtime values of the configuration language.
//!
//! A [`Value`] is what an expression evaluates to. Two extras beyond JSON-like data:
//! - [`Value::Unknown`]: a value only known after apply (a resource's `id`, `timestamp()`).
//!   Operations on an unknown yield an unknown (propagation), never an error about its content.
//! - [`Value::Sensitive`]: a mark wrapping a value that must never be shown. Any operation that
//!   reads a sensitive input returns a sensitive result, so the mark survives every operation.
//!
//! Values carry Terraform's (cty's) types: [`Value::List`] is a tuple and [`Value::Object`] an
//! object (structural types, each element with its own type), while [`Value::Collection`] is a
//! list, set or map whose elements all have one declared element type, and
//! [`Value::TypedNull`] a null of a known type (plain [`Value::Null`] and [`Value::Unknown`] are
//! of type `dynamic`). [`Value::ty`] gives a value's type. Values given to the rest of the crate
//! (resource attributes) are converted to schema types and may drop the collection types with
//! [`Value::into_untyped`]: outside `model` a list is a list.
//!
//! Objects and maps use `BTreeMap` so that printing and serialising are deterministic (Terraform
//! also orders object attributes lexicographically).
//!
//! Depends on `model::types` (the [`Type`] of a collection's elements) only.

use std::collections::BTreeMap;
use std::fmt;

use crate::model::types::Type;
use crate::number::Number;

/// A value of the language. Its `Debug` shows a sensitive value as `Sensitive([REDACTED])`.
#[derive(Clone, PartialEq, Default)]
pub enum Value {
    /// `null`
    #[default]
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, exact as Terraform's (see [`crate::number`]).
    Number(Number),
    /// A string.
    String(String),
    /// A tuple, list or set (sets hold unique elements in a canonical order).
    List(Vec<Self>),
    /// An object or map.
    Object(BTreeMap<String, Self>),
    /// Known only after apply.
    Unknown,
    /// A sensitive value; shown as `(sensitive value)`.
    Sensitive(Box<Self>),
    /// A list, set or map: elements of one type.
    Collection(Box<Collection>),
    /// A null of a known type (never `dynamic`: that is [`Value::Null`]).
    TypedNull(Box<Type>),
}

/// A collection value: a list, set or map whose elements all convert to one element type.
#[derive(Debug, Clone, PartialEq)]
pub enum Collection {
    /// `list(T)`: the element type and the elements.
    List(Type, Vec<Value>),
    /// `set(T)`: unique elements in canonical order (see [`crate::model::types::canonical_set`]).
    Set(Type, Vec<Value>),
    /// `map(T)`: the element type and the entries.
    Map(Type, BTreeMap<String, Value>),
}

impl Collection {
    /// The element type.
    #[must_use]
    pub fn element_type(&self) -> &Type {
        match self {
            Self::List(t, _) | Self::Set(t, _) | Self::Map(t, _) => t,
        }
    }

    /// The collection's type (`list(T)`, `set(T)`, `map(T)`).
    #[must_use]
    pub fn ty(&self) -> Type {
        match self {
            Self::List(t, _) => Type::list(t.clone()),
            Self::Set(t, _) => Type::set(t.clone()),
            Self::Map(t, _) => Type::map(t.clone()),
        }
    }

    fn values(&self) -> Box<dyn Iterator<Item = &Value> + '_> {
        match self {
            Self::List(_, items) | Self::Set(_, items) => Box::new(items.iter()),
            Self::Map(_, map) => Box::new(map.values()),
        }
    }

    fn map_values(self, f: &mut impl FnMut(Value) -> Value) -> Self {
        match self {
            Self::List(t, items) => Self::List(t, items.into_iter().map(&mut *f).collect()),
            Self::Set(t, items) => Self::Set(t, items.into_iter().map(&mut *f).collect()),
            Self::Map(t, map) => Self::Map(t, map.into_iter().map(|(k, v)| (k, f(v))).collect()),
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("Null"),
            Self::Bool(b) => f.debug_tuple("Bool").field(b).finish(),
            Self::Number(n) => f.debug_tuple("Number").field(n).finish(),
            Self::String(s) => f.debug_tuple("String").field(s).finish(),
            Self::List(items) => f.debug_tuple("List").field(items).finish(),
            Self::Object(fields) => f.debug_tuple("Object").field(fields).finish(),
            Self::Unknown => f.write_str("Unknown"),
            Self::Sensitive(_) => f.write_str("Sensitive([REDACTED])"),
            Self::Collection(c) => f.debug_tuple("Collection").field(c).finish(),
            Self::TypedNull(t) => f.debug_tuple("TypedNull").field(t).finish(),
        }
    }
}

/// `s` in Unicode normalization form C, as every cty string is: Terraform normalises each
/// string it makes, so `"é"` written precomposed or as `e` + a combining accent is one value
/// (equal, one object key, one length, one hash).
#[must_use]
pub fn nfc(s: String) -> String {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    if is_nfc_quick(s.chars()) == IsNormalized::Yes {
        s
    } else {
        s.nfc().collect()
    }
}

fn is_nfc(s: &str) -> bool {
    use unicode_normalization::{IsNormalized, is_nfc_quick};
    s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes
}

impl Value {
    /// The value with every string and key in normalization form C ([`nfc`]); a set whose
    /// elements change is put back in canonical order (two elements may become one).
    #[must_use]
    pub fn into_nfc(self) -> Self {
        if self.is_nfc() {
            return self;
        }
        let keys = |map: BTreeMap<String, Self>| -> BTreeMap<String, Self> {
            map.into_iter()
                .map(|(k, v)| (nfc(k), v.into_nfc()))
                .collect()
        };
        match self {
            Self::String(s) => Self::String(nfc(s)),
            Self::List(items) => Self::List(items.into_iter().map(Self::into_nfc).collect()),
            Self::Object(map) => Self::Object(keys(map)),
            Self::Sensitive(v) => Self::Sensitive(Box::new(v.into_nfc())),
            Self::Collection(c) => match *c {
                Collection::List(t, items) => {
                    Self::list(t, items.into_iter().map(Self::into_nfc).collect())
                }
                Collection::Set(t, items) => Self::set(
                    t,
                    crate::model::types::canonical_set(
                        items.into_iter().map(Self::into_nfc).collect(),
                    ),
                ),
                Collection::Map(t, map) => Self::map(t, keys(map)),
            },
            other => other,
        }
    }

    /// Whether every string and key of the value is in normalization form C.
    fn is_nfc(&self) -> bool {
        let entries_nfc =
            |map: &BTreeMap<String, Self>| map.iter().all(|(k, v)| is_nfc(k) && v.is_nfc());
        match self {
            Self::String(s) => is_nfc(s),
            Self::List(items) => items.iter().all(Self::is_nfc),
            Self::Object(map) => entries_nfc(map),
            Self::Sensitive(v) => v.is_nfc(),
            Self::Collection(c) => match c.as_ref() {
                Collection::List(_, items) | Collection::Set(_, items) => {
                    items.iter().all(Self::is_nfc)
                }
                Collection::Map(_, map) => entries_nfc(map),
            },
            _ => true,
        }
    }

    /// A string value.
    #[must_use]
    pub fn string(s: impl Into<String>) -> Self {
        Self::String(s.into())
    }

    /// A `list(elem)` value (elements already of type `elem`).
    #[must_use]
    pub fn list(elem: Type, items: Vec<Self>) -> Self {
        Self::Collection(Box::new(Collection::List(elem, items)))
    }

    /// A `set(elem)` value (elements already of type `elem`, unique and in canonical order).
    #[must_use]
    pub fn set(elem: Type, items: Vec<Self>) -> Self {
        Self::Collection(Box::new(Collection::Set(elem, items)))
    }

    /// A `map(elem)` value (elements already of type `elem`).
    #[must_use]
    pub fn map(elem: Type, entries: BTreeMap<String, Self>) -> Self {
        Self::Collection(Box::new(Collection::Map(elem, entries)))
    }

    /// A null of type `ty` (plain [`Value::Null`] for `dynamic`).
    #[must_use]
    pub fn null_of(ty: &Type) -> Self {
        if *ty == Type::Any {
            Self::Null
        } else {
            Self::TypedNull(Box::new(ty.clone()))
        }
    }

    /// The value's type (looking through marks): `dynamic` for an untyped null or an unknown.
    #[must_use]
    pub fn ty(&self) -> Type {
        Type::of(self)
    }

    /// Whether this is a tuple, list or set (looking through a mark).
    #[must_use]
    pub fn is_sequence(&self) -> bool {
        self.as_list().is_some()
    }

    /// Whether this is a list, set, tuple, map or object (looking through a mark).
    #[must_use]
    pub fn is_structural(&self) -> bool {
        matches!(
            self.unmark().0,
            Self::List(_) | Self::Object(_) | Self::Collection(_)
        )
    }

    /// The value with every collection type dropped at any depth (lists and sets become tuples,
    /// maps objects, typed nulls `null`), for the rest of the crate, which knows lists and
    /// objects only.
    #[must_use]
    pub fn into_untyped(self) -> Self {
        match self {
            Self::Sensitive(inner) => Self::Sensitive(Box::new(inner.into_untyped())),
            Self::TypedNull(_) => Self::Null,
            Self::List(items) => Self::List(items.into_iter().map(Self::into_untyped).collect()),
            Self::Object(map) => Self::Object(
                map.into_iter()
                    .map(|(k, v)| (k, v.into_untyped()))
                    .collect(),
            ),
            Self::Collection(c) => match *c {
                Collection::List(_, items) | Collection::Set(_, items) => {
                    Self::List(items.into_iter().map(Self::into_untyped).collect())
                }
                Collection::Map(_, map) => Self::Object(
                    map.into_iter()
                        .map(|(k, v)| (k, v.into_untyped()))
                        .collect(),
                ),
            },
            other => other,
        }
    }

    /// Consumes a tuple, list or set (looking through a mark, which is reported), giving its
    /// elements; any other value is given back.
    ///
    /// # Errors
    /// The value itself when it is not a sequence.
    pub fn into_sequence(self) -> Result<(Vec<Self>, bool), Self> {
        let (inner, marked) = self.into_unmarked();
        match inner {
            Self::List(items) => Ok((items, marked)),
            Self::Collection(c) => match *c {
                Collection::List(_, items) | Collection::Set(_, items) => Ok((items, marked)),
                other @ Collection::Map(..) => {
                    Err(Self::Collection(Box::new(other)).marked_if(marked))
                }
            },
            other => Err(other.marked_if(marked)),
        }
    }

    /// Consumes an object or map (looking through a mark, which is reported), giving its
    /// entries; any other value is given back.
    ///
    /// # Errors
    /// The value itself when it is not an object or map.
    pub fn into_entries(self) -> Result<(BTreeMap<String, Self>, bool), Self> {
        let (inner, marked) = self.into_unmarked();
        match inner {
            Self::Object(map) => Ok((map, marked)),
            Self::Collection(c) => match *c {
                Collection::Map(_, map) => Ok((map, marked)),
                other => Err(Self::Collection(Box::new(other)).marked_if(marked)),
            },
            other => Err(other.marked_if(marked)),
        }
    }

    /// The collection inside, if this is a list, set or map (looking through a mark).
    #[must_use]
    pub fn as_collection(&self) -> Option<&Collection> {
        match self.unmark().0 {
            Self::Collection(c) => Some(c),
            _ => None,
        }
    }

    /// Whether this is a set (looking through a mark).
    #[must_use]
    pub fn is_set(&self) -> bool {
        matches!(self.as_collection(), Some(Collection::Set(..)))
    }

    /// Wraps the value in a sensitive mark (no-op if already marked).
    #[must_use]
    pub fn mark_sensitive(self) -> Self {
        match self {
            Self::Sensitive(_) => self,
            other => Self::Sensitive(Box::new(other)),
        }
    }

    /// Re-applies a mark if `sensitive`.
    #[must_use]
    pub fn marked_if(self, sensitive: bool) -> Self {
        if sensitive {
            self.mark_sensitive()
        } else {
            self
        }
    }

    /// The value without its top-level sensitive mark, and whether it had one.
    #[must_use]
    pub fn unmark(&self) -> (&Self, bool) {
        match self {
            Self::Sensitive(inner) => (inner.unmark().0, true),
            other => (other, false),
        }
    }

    /// Consumes the value, returning it without its top-level mark and whether it had one.
    #[must_use]
    pub fn into_unmarked(self) -> (Self, bool) {
        match self {
            Self::Sensitive(inner) => (inner.into_unmarked().0, true),
            other => (other, false),
        }
    }

    /// Whether the value or anything inside it is sensitive.
    #[must_use]
    pub fn contains_sensitive(&self) -> bool {
        match self {
            Self::Sensitive(_) => true,
            Self::List(items) => items.iter().any(Self::contains_sensitive),
            Self::Object(map) => map.values().any(Self::contains_sensitive),
            Self::Collection(c) => c.values().any(Self::contains_sensitive),
            _ => false,
        }
    }

    /// Consumes the value, removing every sensitive mark at any depth, and says whether there
    /// was one. Callers that compute a result from the contents re-mark that result.
    #[must_use]
    pub fn into_deep_unmarked(self) -> (Self, bool) {
        match self {
            Self::Sensitive(inner) => (inner.into_deep_unmarked().0, true),
            Self::List(items) => {
                let mut any = false;
                let items = items
                    .into_iter()
                    .map(|v| {
                        let (v, marked) = v.into_deep_unmarked();
                        any |= marked;
                        v
                    })
                    .collect();
                (Self::List(items), any)
            }
            Self::Object(map) => {
                let mut any = false;
                let map = map
                    .into_iter()
                    .map(|(k, v)| {
                        let (v, marked) = v.into_deep_unmarked();
                        any |= marked;
                        (k, v)
                    })
                    .collect();
                (Self::Object(map), any)
            }
            Self::Collection(c) => {
                let mut any = false;
                let c = c.map_values(&mut |v| {
                    let (v, marked) = v.into_deep_unmarked();
                    any |= marked;
                    v
                });
                (Self::Collection(Box::new(c)), any)
            }
            other => (other, false),
        }
    }

    /// Whether the value is wholly known: neither it nor anything inside it is unknown.
    #[must_use]
    pub fn is_wholly_known(&self) -> bool {
        !self.contains_unknown()
    }

    /// Whether the value is unknown at the top level (looking through a sensitive mark).
    #[must_use]
    pub fn is_unknown(&self) -> bool {
        matches!(self.unmark().0, Self::Unknown)
    }

    /// Whether the value or anything inside it is unknown.
    #[must_use]
    pub fn contains_unknown(&self) -> bool {
        match self {
            Self::Unknown => true,
            Self::Sensitive(inner) => inner.contains_unknown(),
            Self::List(items) => items.iter().any(Self::contains_unknown),
            Self::Object(map) => map.values().any(Self::contains_unknown),
            Self::Collection(c) => c.values().any(Self::contains_unknown),
            _ => false,
        }
    }

    /// Whether the value is null (looking through a sensitive mark).
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self.unmark().0, Self::Null | Self::TypedNull(_))
    }

    /// The string inside, if this is a known string (looking through a mark).
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self.unmark().0 {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bool inside, if this is a known bool (looking through a mark).
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self.unmark().0 {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number inside, if this is a known number (looking through a mark).
    #[must_use]
    pub fn as_number(&self) -> Option<&Number> {
        match self.unmark().0 {
            Self::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The nearest float64 to the number inside, if this is a known number (looking through a
    /// mark).
    #[must_use]
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().map(Number::to_f64)
    }

    /// A number value of an integer (64-bit precision, as Terraform's integer results).
    #[must_use]
    pub fn int(i: i64) -> Self {
        Self::Number(Number::from_i64(i))
    }

    /// A number value of a float64 result (53-bit precision, as Terraform's).
    #[must_use]
    pub fn float(f: f64) -> Self {
        Self::Number(Number::from_f64(f))
    }

    /// The elements, if this is a known tuple, list or set (looking through a mark).
    #[must_use]
    pub fn as_list(&self) -> Option<&[Self]> {
        match self.unmark().0 {
            Self::List(items) => Some(items),
            Self::Collection(c) => match &**c {
                Collection::List(_, items) | Collection::Set(_, items) => Some(items),
                Collection::Map(..) => None,
            },
            _ => None,
        }
    }

    /// The attributes, if this is a known object or map (looking through a mark).
    #[must_use]
    pub fn as_object(&self) -> Option<&BTreeMap<String, Self>> {
        match self.unmark().0 {
            Self::Object(map) => Some(map),
            Self::Collection(c) => match &**c {
                Collection::Map(_, map) => Some(map),
                _ => None,
            },
            _ => None,
        }
    }

    /// A short name of the value's kind, for messages: `string`, `number`, `bool`, `tuple`,
    /// `list`, `set`, `map`, `object`, `null`, `unknown`.
    #[must_use]
    pub fn kind_name(&self) -> &'static str {
        match self.unmark().0 {
            Self::Null | Self::TypedNull(_) => "null",
            Self::Collection(c) => match **c {
                Collection::List(..) => "list",
                Collection::Set(..) => "set",
                Collection::Map(..) => "map",
            },
            Self::Bool(_) => "bool",
            Self::Number(_) => "number",
            Self::String(_) => "string",
            Self::List(_) => "list",
            Self::Object(_) => "object",
            Self::Unknown => "unknown",
            Self::Sensitive(_) => unreachable!("unmark removes every sensitive layer"),
        }
    }

    /// Converts to JSON, as Terraform's outputs and state hold values (negative zero is `0`).
    /// Unknown becomes `null`; the sensitive mark is dropped, so callers that show values must
    /// redact first (see [`Value::redacted`]).
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        self.json(false)
    }

    /// Converts to JSON as `jsonencode` writes a value: as [`Value::to_json`], but negative
    /// zero stays `-0`.
    #[must_use]
    pub fn to_json_encoded(&self) -> serde_json::Value {
        self.json(true)
    }

    fn json(&self, negative_zero: bool) -> serde_json::Value {
        use crate::model::expr::{STACK_RED_ZONE, STACK_SEGMENT};
        stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
            self.json_guarded(negative_zero)
        })
    }

    fn json_guarded(&self, negative_zero: bool) -> serde_json::Value {
        let entries = |map: &BTreeMap<String, Self>| -> serde_json::Value {
            map.iter()
                .map(|(k, v)| (k.clone(), v.json(negative_zero)))
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        match self {
            Self::Null | Self::TypedNull(_) | Self::Unknown => serde_json::Value::Null,
            Self::Collection(c) => match &**c {
                Collection::List(_, items) | Collection::Set(_, items) => {
                    items.iter().map(|v| v.json(negative_zero)).collect()
                }
                Collection::Map(_, map) => entries(map),
            },
            Self::Bool(b) => (*b).into(),
            Self::Number(n) => number_to_json(n, negative_zero),
            Self::String(s) => s.clone().into(),
            Self::List(items) => items.iter().map(|v| v.json(negative_zero)).collect(),
            Self::Object(map) => entries(map),
            Self::Sensitive(inner) => inner.json(negative_zero),
        }
    }

    /// Converts from JSON (numbers exactly, at 512 bits as Terraform's JSON decoding).
    #[must_use]
    pub fn from_json(json: &serde_json::Value) -> Self {
        match json {
            serde_json::Value::Null => Self::Null,
            serde_json::Value::Bool(b) => Self::Bool(*b),
            serde_json::Value::Number(n) => {
                Self::Number(Number::parse(&n.to_string()).unwrap_or_else(Number::zero))
            }
            serde_json::Value::String(s) => Self::String(s.clone()),
            serde_json::Value::Array(items) => {
                Self::List(items.iter().map(Self::from_json).collect())
            }
            serde_json::Value::Object(map) => Self::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Self::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// A copy with every sensitive part replaced by the string `(sensitive value)`.
    #[must_use]
    pub fn redacted(&self) -> Self {
        match self {
            Self::Sensitive(_) => Self::String("(sensitive value)".to_owned()),
            Self::List(items) => Self::List(items.iter().map(Self::redacted).collect()),
            Self::Object(map) => {
                Self::Object(map.iter().map(|(k, v)| (k.clone(), v.redacted())).collect())
            }
            Self::Collection(c) => {
                Self::Collection(Box::new((**c).clone().map_values(&mut |v| v.redacted())))
            }
            other => other.clone(),
        }
    }
}

/// Formats a number the way Terraform prints it: the shortest exact decimal, no exponent.
#[must_use]
pub fn format_number(n: &Number) -> String {
    n.to_text()
}

/// A number as JSON, exact and without an exponent (Terraform's JSON); negative zero is `0`
/// unless `negative_zero` (Terraform's output and state documents show `0`, `jsonencode`
/// writes `-0`), and an infinity, which JSON cannot hold, `null`.
fn number_to_json(n: &Number, negative_zero: bool) -> serde_json::Value {
    if n.is_infinite() {
        return serde_json::Value::Null;
    }
    let text = if n.is_zero() && !negative_zero {
        "0".to_owned()
    } else {
        n.to_text()
    };
    text.parse::<serde_json::Number>()
        .map_or(serde_json::Value::Null, serde_json::Value::Number)
}

impl fmt::Display for Value {
    /// Shows the value in HCL-like syntax; sensitive parts are redacted, unknowns shown as
    /// `(known after apply)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null | Self::TypedNull(_) => f.write_str("null"),
            Self::Collection(c) => match &**c {
                Collection::List(_, items) | Collection::Set(_, items) => {
                    write!(f, "{}", Self::List(items.clone()))
                }
                Collection::Map(_, map) => write!(f, "{}", Self::Object(map.clone())),
            },
            Self::Bool(b) => write!(f, "{b}"),
            Self::Number(n) => f.write_str(&format_number(n)),
            Self::String(s) => write!(f, "{}", serde_json::Value::String(s.clone())),
            Self::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Self::Object(map) => {
                f.write_str("{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} = {v}")?;
                }
                f.write_str("}")
            }
            Self::Unknown => f.write_str("(known after apply)"),
            Self::Sensitive(_) => f.write_str("(sensitive value)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfc_composes_strings_and_keys_and_merges_set_elements() {
        let decomposed = "e\u{301}".to_owned();
        assert_eq!(nfc(decomposed.clone()), "\u{e9}");
        let set = Value::set(
            Type::String,
            vec![Value::string("\u{e9}"), Value::String(decomposed.clone())],
        )
        .into_nfc();
        assert_eq!(set, Value::set(Type::String, vec![Value::string("\u{e9}")]));
        let object = Value::Object([(decomposed, Value::string("a\u{30a}"))].into()).into_nfc();
        assert_eq!(
            object,
            Value::Object([("\u{e9}".to_owned(), Value::string("\u{e5}"))].into())
        );
        let ascii = Value::List(vec![Value::string("plain")]);
        assert_eq!(ascii.clone().into_nfc(), ascii);
    }

    #[test]
    fn sensitive_values_never_display() {
        let v = Value::List(vec![
            Value::string("a"),
            Value::string("hunter2").mark_sensitive(),
        ]);
        assert_eq!(v.to_string(), "[\"a\", (sensitive value)]");
        assert!(v.contains_sensitive());
        assert!(!v.redacted().contains_sensitive());
    }

    #[test]
    fn numbers_print_like_terraform() {
        let n = |s: &str| Number::parse(s).unwrap();
        assert_eq!(format_number(&n("3")), "3");
        assert_eq!(format_number(&n("1.5")), "1.5");
        assert_eq!(format_number(&n("-0.25")), "-0.25");
        assert_eq!(
            Value::Number(n("1e30")).to_json().to_string(),
            "1000000000000000000000000000000"
        );
        assert_eq!(Value::Number(n("-0")).to_json().to_string(), "0");
        let big = serde_json::from_str::<serde_json::Value>("9007199254740993").unwrap();
        assert_eq!(Value::from_json(&big), Value::Number(n("9007199254740993")));
    }
}
