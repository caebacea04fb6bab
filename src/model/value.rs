//! Runtime values of the configuration language.
//!
//! A [`Value`] is what an expression evaluates to. Two extras beyond JSON-like data:
//! - [`Value::Unknown`]: a value only known after apply (a resource's `id`, `timestamp()`).
//!   Operations on an unknown yield an unknown (propagation), never an error about its content.
//! - [`Value::Sensitive`]: a mark wrapping a value that must never be shown. Any operation that
//!   reads a sensitive input returns a sensitive result, so the mark survives every operation.
//!
//! Objects and maps use `BTreeMap` so that printing and serialising are deterministic (Terraform
//! also orders object attributes lexicographically).
//!
//! Depends on nothing else in the crate.

use std::collections::BTreeMap;
use std::fmt;

/// A value of the language. Its `Debug` shows a sensitive value as `Sensitive([REDACTED])`.
#[derive(Clone, PartialEq, Default)]
pub enum Value {
    /// `null`
    #[default]
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number (Terraform numbers are arbitrary precision; f64 covers every value we manage).
    Number(f64),
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
        }
    }
}

impl Value {
    /// A string value.
    #[must_use]
    pub fn string(s: impl Into<String>) -> Self {
        Self::String(s.into())
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
            _ => false,
        }
    }

    /// Whether the value is null (looking through a sensitive mark).
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self.unmark().0, Self::Null)
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
    pub fn as_number(&self) -> Option<f64> {
        match self.unmark().0 {
            Self::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The elements, if this is a known list (looking through a mark).
    #[must_use]
    pub fn as_list(&self) -> Option<&[Self]> {
        match self.unmark().0 {
            Self::List(items) => Some(items),
            _ => None,
        }
    }

    /// The attributes, if this is a known object (looking through a mark).
    #[must_use]
    pub fn as_object(&self) -> Option<&BTreeMap<String, Self>> {
        match self.unmark().0 {
            Self::Object(map) => Some(map),
            _ => None,
        }
    }

    /// A short name of the value's kind, for messages: `string`, `number`, `bool`, `list`,
    /// `object`, `null`, `unknown`.
    #[must_use]
    pub fn kind_name(&self) -> &'static str {
        match self.unmark().0 {
            Self::Null => "null",
            Self::Bool(_) => "bool",
            Self::Number(_) => "number",
            Self::String(_) => "string",
            Self::List(_) => "list",
            Self::Object(_) => "object",
            Self::Unknown => "unknown",
            Self::Sensitive(_) => unreachable!("unmark removes every sensitive layer"),
        }
    }

    /// Converts to JSON. Unknown becomes `null`; the sensitive mark is dropped, so callers that
    /// show values must redact first (see [`Value::redacted`]).
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Self::Null | Self::Unknown => serde_json::Value::Null,
            Self::Bool(b) => (*b).into(),
            Self::Number(n) => number_to_json(*n),
            Self::String(s) => s.clone().into(),
            Self::List(items) => items.iter().map(Self::to_json).collect(),
            Self::Object(map) => map
                .iter()
                .map(|(k, v)| (k.clone(), v.to_json()))
                .collect::<serde_json::Map<_, _>>()
                .into(),
            Self::Sensitive(inner) => inner.to_json(),
        }
    }

    /// Converts from JSON (numbers become f64).
    #[must_use]
    pub fn from_json(json: &serde_json::Value) -> Self {
        match json {
            serde_json::Value::Null => Self::Null,
            serde_json::Value::Bool(b) => Self::Bool(*b),
            serde_json::Value::Number(n) => Self::Number(n.as_f64().unwrap_or(f64::NAN)),
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
            other => other.clone(),
        }
    }
}

/// Formats a number the way Terraform prints it: integers without a fraction, others shortest.
#[must_use]
pub fn format_number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e17 {
        // Exact integer in f64's range: print without a fraction.
        #[allow(clippy::cast_possible_truncation)]
        let i = n as i64;
        i.to_string()
    } else {
        n.to_string()
    }
}

fn number_to_json(n: f64) -> serde_json::Value {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        let i = n as i64;
        i.into()
    } else {
        serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

impl fmt::Display for Value {
    /// Shows the value in HCL-like syntax; sensitive parts are redacted, unknowns shown as
    /// `(known after apply)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("null"),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Number(n) => f.write_str(&format_number(*n)),
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
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(1.5), "1.5");
        assert_eq!(format_number(-0.25), "-0.25");
    }
}
