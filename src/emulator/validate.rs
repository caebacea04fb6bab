//! Request validation: JSON bodies checked field by field (so each bad field becomes one
//! `invalid_arguments` detail), query strings with repeated keys, names, regions and pages.
//!
//! Invariant: a body that passed [`check_body`] deserializes into its wire type.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::errors::ApiError;
use crate::api::types::ScwDuration;
use crate::api::types::common::ListOrder;
use crate::api::types::error::{InvalidArgument, InvalidArgumentReason as Reason};

/// The regions every emulated regional product offers.
pub(crate) const REGIONS: [&str; 3] = ["fr-par", "nl-ams", "pl-waw"];

/// Collects invalid arguments so that one response reports them all.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<InvalidArgument>);

impl Problems {
    pub(crate) fn add(&mut self, name: &str, reason: Reason, help: impl Into<String>) {
        self.0.push(InvalidArgument {
            argument_name: name.to_owned(),
            help_message: help.into(),
            reason,
        });
    }

    pub(crate) fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::InvalidArguments(self.0))
        }
    }
}

/// The JSON type a body field must have.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Str,
    Uuid,
    U32,
    U64,
    Bool,
    Duration,
    Timestamp,
    Enum(&'static [&'static str]),
    EnumList(&'static [&'static str]),
    StrMap,
    StrList,
    /// `[{"key": …, "value": … | null}]`
    SecretList,
    /// Any JSON object (checked further by the handler).
    Object,
}

/// One expected body field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) required: bool,
}

pub(crate) const fn req(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: true,
    }
}

pub(crate) const fn opt(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: false,
    }
}

/// Parses a request body as a JSON object (an empty body is `{}`).
pub(crate) fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::invalid(
            "body",
            Reason::Format,
            "the request body must be a JSON object",
        )),
        Err(e) => Err(ApiError::invalid(
            "body",
            Reason::Format,
            format!("the request body is not valid JSON: {e}"),
        )),
    }
}

/// Checks every field's presence and type, then deserializes.
pub(crate) fn check_body<T: DeserializeOwned>(
    body: Map<String, Value>,
    fields: &[Field],
) -> Result<T, ApiError> {
    let mut problems = Problems::default();
    for f in fields {
        match body.get(f.name) {
            None | Some(Value::Null) => {
                if f.required {
                    problems.add(f.name, Reason::Required, "required");
                }
            }
            Some(v) => check_kind(f.name, f.kind, v, &mut problems),
        }
    }
    problems.finish()?;
    serde_json::from_value(Value::Object(body))
        .map_err(|e| ApiError::invalid("body", Reason::Unknown, e.to_string()))
}

fn check_kind(name: &str, kind: Kind, v: &Value, p: &mut Problems) {
    let ok = match kind {
        Kind::Str => v.is_string(),
        Kind::Uuid => {
            if let Some(s) = v.as_str() {
                if uuid::Uuid::parse_str(s).is_err() {
                    p.add(name, Reason::Format, "must be a UUID");
                }
                true
            } else {
                false
            }
        }
        Kind::U32 => v.as_u64().is_some_and(|n| u32::try_from(n).is_ok()),
        Kind::U64 => v.as_u64().is_some(),
        Kind::Bool => v.is_boolean(),
        Kind::Duration => {
            if let Some(s) = v.as_str() {
                if s.parse::<ScwDuration>().is_err() {
                    p.add(
                        name,
                        Reason::Format,
                        "must be a duration in seconds such as \"300s\"",
                    );
                }
                true
            } else {
                false
            }
        }
        Kind::Timestamp => {
            if let Some(s) = v.as_str() {
                if s.parse::<jiff::Timestamp>().is_err() {
                    p.add(name, Reason::Format, "must be an RFC 3339 timestamp");
                }
                true
            } else {
                false
            }
        }
        Kind::Enum(values) => {
            if let Some(s) = v.as_str() {
                if !values.contains(&s) {
                    p.add(name, Reason::Format, one_of(values));
                }
                true
            } else {
                false
            }
        }
        Kind::EnumList(values) => {
            if let Some(items) = v.as_array() {
                for item in items {
                    if !item.as_str().is_some_and(|s| values.contains(&s)) {
                        p.add(name, Reason::Format, one_of(values));
                        break;
                    }
                }
                true
            } else {
                false
            }
        }
        Kind::StrMap => v
            .as_object()
            .is_some_and(|m| m.values().all(Value::is_string)),
        Kind::StrList => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        Kind::SecretList => v.as_array().is_some_and(|a| {
            a.iter().all(|item| {
                item.get("key").is_some_and(Value::is_string)
                    && item
                        .get("value")
                        .is_none_or(|x| x.is_string() || x.is_null())
            })
        }),
        Kind::Object => v.is_object(),
    };
    if !ok {
        p.add(name, Reason::Format, format!("must be {}", kind_name(kind)));
    }
}

fn one_of(values: &[&str]) -> String {
    format!("must be one of: {}", values.join(", "))
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Str | Kind::Enum(_) | Kind::Uuid | Kind::Duration | Kind::Timestamp => "a string",
        Kind::U32 => "an unsigned 32-bit integer",
        Kind::U64 => "an unsigned 64-bit integer",
        Kind::Bool => "a boolean",
        Kind::EnumList(_) | Kind::StrList => "an array of strings",
        Kind::StrMap => "an object of strings",
        Kind::SecretList => "an array of {\"key\", \"value\"} objects",
        Kind::Object => "an object",
    }
}

/// Checks a name: length in characters and allowed characters.
pub(crate) fn check_name(
    p: &mut Problems,
    field: &str,
    name: &str,
    len: std::ops::RangeInclusive<usize>,
    allowed: fn(char) -> bool,
    rule: &str,
) {
    let n = name.chars().count();
    if !len.contains(&n) {
        p.add(
            field,
            Reason::Constraint,
            format!(
                "length must be between {} and {} characters",
                len.start(),
                len.end()
            ),
        );
    } else if !name.chars().all(allowed) {
        p.add(field, Reason::Format, format!("must match {rule}"));
    }
}

/// Namespace, container and function names: a lowercase DNS label (they end up in host names).
pub(crate) fn check_dns_name(p: &mut Problems, field: &str, name: &str) {
    let n = name.len();
    if !(1..=63).contains(&n) {
        p.add(
            field,
            Reason::Constraint,
            "length must be between 1 and 63 characters",
        );
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        || name.starts_with('-')
        || name.ends_with('-')
    {
        p.add(
            field,
            Reason::Format,
            "must match ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        );
    }
}

/// Environment variables: keys 1–100 characters, values up to 1000.
pub(crate) fn check_env<'a>(
    p: &mut Problems,
    field: &str,
    vars: impl IntoIterator<Item = (&'a str, usize)>,
) {
    for (key, value_len) in vars {
        if key.is_empty() || key.chars().count() > 100 {
            p.add(
                field,
                Reason::Constraint,
                format!("key {key:?}: length must be between 1 and 100 characters"),
            );
        }
        if value_len > 1000 {
            p.add(
                field,
                Reason::Constraint,
                format!("value of {key:?}: length must be at most 1000 characters"),
            );
        }
    }
}

/// Checks the `{region}` path segment.
pub(crate) fn check_region(region: &str) -> Result<(), ApiError> {
    if REGIONS.contains(&region) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "region",
            Reason::Constraint,
            format!("must be one of: {}", REGIONS.join(", ")),
        ))
    }
}

/// Parses an ID path segment.
pub(crate) fn parse_id<T: std::str::FromStr>(name: &str, s: &str) -> Result<T, ApiError> {
    s.parse()
        .map_err(|_| ApiError::invalid(name, Reason::Format, "must be a UUID"))
}

/// A parsed query string; keys may repeat (`project_ids=a&project_ids=b`).
#[derive(Debug, Default)]
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        let Some(raw) = raw else {
            return Self::default();
        };
        Self(
            raw.split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    (decode(k), decode(v))
                })
                .collect(),
        )
    }

    /// The last value of a key.
    pub(crate) fn one(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a key.
    pub(crate) fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// An optional UUID filter.
    pub(crate) fn uuid<T: std::str::FromStr>(&self, key: &str, p: &mut Problems) -> Option<T> {
        let s = self.one(key)?;
        if let Ok(v) = s.parse() {
            Some(v)
        } else {
            p.add(key, Reason::Format, "must be a UUID");
            None
        }
    }

    /// Pagination and ordering; `max_page_size` is the product's limit.
    pub(crate) fn page(&self, max_page_size: u32, orders: &[ListOrder], p: &mut Problems) -> Page {
        let mut page = Page {
            page: 1,
            page_size: max_page_size.min(100),
            order: ListOrder::CreatedAtAsc,
        };
        if let Some(s) = self.one("page") {
            match s.parse::<u32>() {
                Ok(n) if n >= 1 => page.page = n,
                _ => p.add("page", Reason::Constraint, "must be an integer >= 1"),
            }
        }
        if let Some(s) = self.one("page_size") {
            match s.parse::<u32>() {
                Ok(n) if (1..=max_page_size).contains(&n) => page.page_size = n,
                _ => p.add(
                    "page_size",
                    Reason::Constraint,
                    format!("must be an integer between 1 and {max_page_size}"),
                ),
            }
        }
        if let Some(s) = self.one("order_by") {
            if let Some(o) = orders.iter().find(|o| o.as_str() == s) {
                page.order = *o;
            } else {
                let names: Vec<&str> = orders.iter().map(|o| o.as_str()).collect();
                p.add("order_by", Reason::Format, one_of(&names));
            }
        }
        page
    }
}

/// All four orders.
pub(crate) const ALL_ORDERS: [ListOrder; 4] = [
    ListOrder::CreatedAtAsc,
    ListOrder::CreatedAtDesc,
    ListOrder::NameAsc,
    ListOrder::NameDesc,
];

/// The v1beta1 token orders.
pub(crate) const CREATED_ORDERS: [ListOrder; 2] =
    [ListOrder::CreatedAtAsc, ListOrder::CreatedAtDesc];

/// A requested page.
#[derive(Debug, Clone, Copy)]
#[allow(clippy::struct_field_names)] // named after the query parameters
pub(crate) struct Page {
    pub(crate) page: u32,
    pub(crate) page_size: u32,
    pub(crate) order: ListOrder,
}

impl Page {
    /// Sorts (stably, so equal keys keep creation order) and cuts the page.
    pub(crate) fn apply<T>(
        &self,
        mut items: Vec<T>,
        created: impl Fn(&T) -> jiff::Timestamp,
        name: impl Fn(&T) -> &str,
    ) -> (Vec<T>, u64) {
        match self.order {
            ListOrder::CreatedAtAsc => items.sort_by_key(|a| created(a)),
            ListOrder::CreatedAtDesc => items.sort_by_key(|a| std::cmp::Reverse(created(a))),
            ListOrder::NameAsc => items.sort_by(|a, b| name(a).cmp(name(b))),
            ListOrder::NameDesc => items.sort_by(|a, b| name(b).cmp(name(a))),
        }
        let total = items.len() as u64;
        let start = (self.page as usize - 1).saturating_mul(self.page_size as usize);
        let page = items
            .into_iter()
            .skip(start)
            .take(self.page_size as usize)
            .collect();
        (page, total)
    }
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    out.push(b);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_keeps_repeated_keys_and_decodes() {
        let q = Query::parse(Some("project_ids=a&project_ids=b&name=x%20y+z&bad=%zz"));
        assert_eq!(q.all("project_ids"), ["a", "b"]);
        assert_eq!(q.one("name"), Some("x y z"));
        assert_eq!(q.one("bad"), Some("%zz"));
    }

    #[test]
    fn pages_are_one_based_and_bounded() {
        let mut p = Problems::default();
        let page = Query::parse(Some("page=2&page_size=2")).page(100, &ALL_ORDERS, &mut p);
        assert!(p.0.is_empty());
        let (items, total) =
            page.apply(vec![1, 2, 3, 4, 5], |_| jiff::Timestamp::UNIX_EPOCH, |_| "");
        assert_eq!((items, total), (vec![3, 4], 5));
        Query::parse(Some("page=0&page_size=101&order_by=x")).page(100, &ALL_ORDERS, &mut p);
        assert_eq!(p.0.len(), 3);
    }

    #[test]
    fn body_problems_are_all_reported() {
        let body = parse_object(br#"{"name": 5, "project_id": "nope"}"#).unwrap();
        let err = check_body::<serde_json::Value>(
            body,
            &[
                req("name", Kind::Str),
                req("project_id", Kind::Uuid),
                req("image", Kind::Str),
            ],
        )
        .unwrap_err();
        let ApiError::InvalidArguments(details) = err else {
            panic!("expected invalid_arguments");
        };
        assert_eq!(details.len(), 3);
    }
}
