//! Typed addresses of resources and their instances.
//!
//! A [`ResourceAddr`] names one instance: `scaleway_container.main`, `…main[0]` (count) or
//! `…main["prod"]` (`for_each`). Ordering is by (type, name, key), which is what makes every
//! listing, plan and graph deterministic. [`ResourceAddr::from_str`] parses the same syntax
//! (used by `--target ADDR`).
//!
//! Depends on nothing else in the crate.

use std::fmt;
use std::str::FromStr;

pub use crate::addr::InstanceKey;

/// The address of a resource instance.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceAddr {
    /// The resource type, e.g. `scaleway_container`.
    pub type_name: String,
    /// The resource name (second label).
    pub name: String,
    /// The instance key, for resources with `count` or `for_each`.
    pub key: Option<InstanceKey>,
}

impl ResourceAddr {
    /// The address of a resource without `count`/`for_each`.
    #[must_use]
    pub fn new(type_name: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            type_name: type_name.into(),
            name: name.into(),
            key: None,
        }
    }

    /// The same resource with an instance key.
    #[must_use]
    pub fn with_key(mut self, key: InstanceKey) -> Self {
        self.key = Some(key);
        self
    }

    /// The resource's address without its instance key (`type.name`).
    #[must_use]
    pub fn resource(&self) -> Self {
        Self {
            type_name: self.type_name.clone(),
            name: self.name.clone(),
            key: None,
        }
    }

    /// Whether this instance belongs to the resource `type_name.name`.
    #[must_use]
    pub fn is_instance_of(&self, type_name: &str, name: &str) -> bool {
        self.type_name == type_name && self.name == name
    }
}

impl fmt::Display for ResourceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.type_name, self.name)?;
        if let Some(key) = &self.key {
            write!(f, "{key}")?;
        }
        Ok(())
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// Why a string is not a resource address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid resource address {input:?}: {reason}")]
pub struct AddrParseError {
    /// The text given.
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl FromStr for ResourceAddr {
    type Err = AddrParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fail = |reason| AddrParseError {
            input: s.to_owned(),
            reason,
        };
        let (head, key) = match s.find('[') {
            Some(i) => {
                let inner = s[i + 1..]
                    .strip_suffix(']')
                    .ok_or_else(|| fail("an instance key must end with `]`"))?;
                (
                    &s[..i],
                    Some(parse_key(inner).ok_or_else(|| {
                        fail("an instance key is a whole number or a quoted string")
                    })?),
                )
            }
            None => (s, None),
        };
        let (type_name, name) = head
            .split_once('.')
            .ok_or_else(|| fail("expected TYPE.NAME"))?;
        if !is_identifier(type_name) || !is_identifier(name) {
            return Err(fail("TYPE and NAME must be identifiers"));
        }
        Ok(Self {
            type_name: type_name.to_owned(),
            name: name.to_owned(),
            key,
        })
    }
}

fn parse_key(inner: &str) -> Option<InstanceKey> {
    if let Some(quoted) = inner.strip_prefix('"') {
        let body = quoted.strip_suffix('"')?;
        let mut out = String::with_capacity(body.len());
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.push(match chars.next()? {
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    c @ ('"' | '\\') => c,
                    _ => return None,
                }),
                '"' => return None,
                c => out.push(c),
            }
        }
        Some(InstanceKey::Str(out))
    } else {
        inner.parse().ok().map(InstanceKey::Int)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_display_like_terraform() {
        let a = ResourceAddr::new("scaleway_container", "main");
        assert_eq!(a.to_string(), "scaleway_container.main");
        assert_eq!(
            a.clone().with_key(InstanceKey::Int(2)).to_string(),
            "scaleway_container.main[2]"
        );
        assert_eq!(
            a.with_key(InstanceKey::Str("a\"b".into())).to_string(),
            r#"scaleway_container.main["a\"b"]"#
        );
    }

    #[test]
    fn addresses_round_trip_through_from_str() {
        for text in [
            "scaleway_container.main",
            "scaleway_container.main[0]",
            "scaleway_container.main[-1]",
            r#"scaleway_container.main["prod"]"#,
            r#"scaleway_container.main["a\"b\\c"]"#,
        ] {
            let addr: ResourceAddr = text.parse().expect(text);
            assert_eq!(addr.to_string(), text);
        }
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for text in [
            "",
            "scaleway_container",
            "scaleway_container.",
            ".main",
            "a.b[",
            "a.b[x]",
            "a.b[\"x]",
            "a.b.c",
            "1a.b",
        ] {
            assert!(text.parse::<ResourceAddr>().is_err(), "{text}");
        }
    }

    #[test]
    fn ordering_is_type_then_name_then_key() {
        let mut addrs: Vec<ResourceAddr> = ["b.a", "a.b[\"x\"]", "a.b[10]", "a.b[2]", "a.a", "a.b"]
            .iter()
            .map(|s| s.parse().expect("valid"))
            .collect();
        addrs.sort();
        let shown: Vec<_> = addrs.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            ["a.a", "a.b", "a.b[2]", "a.b[10]", "a.b[\"x\"]", "b.a"]
        );
    }
}
