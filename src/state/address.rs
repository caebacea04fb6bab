//! Resource and instance addresses as Terraform writes them: `TYPE.NAME`, `data.TYPE.NAME`,
//! `TYPE.NAME[0]`, `TYPE.NAME["key"]`, optionally behind a `module.NAME[KEY].` path.
//!
//! Invariant: `parse(display(a)) == a` for every address this module builds.
//! Depends on nothing outside `state`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::StateError;

/// Whether a resource is managed (created by us) or read (a data source).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    // Declared first so data sources sort before managed resources, as in Terraform's files
    // (which order modes by their letters, `D` before `M`).
    /// `data` blocks.
    Data,
    /// `resource` blocks.
    Managed,
}

/// The key of one instance (`index_key` in state): the same type the model expands.
pub use crate::addr::InstanceKey as IndexKey;

/// A resource (all its instances): `scaleway_container.app`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceAddr {
    /// Module path such as `module.app` or `module.a["x"].module.b`; `None` for the root module.
    pub module: Option<String>,
    /// Managed resource or data source.
    pub mode: Mode,
    /// Resource type, e.g. `scaleway_container`.
    pub type_name: String,
    /// Name given in the configuration.
    pub name: String,
}

impl ResourceAddr {
    /// A managed resource of the root module.
    #[must_use]
    pub fn managed(type_name: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            module: None,
            mode: Mode::Managed,
            type_name: type_name.into(),
            name: name.into(),
        }
    }

    /// The address of one of this resource's instances.
    #[must_use]
    pub fn instance(&self, key: Option<IndexKey>) -> InstanceAddr {
        InstanceAddr {
            resource: self.clone(),
            key,
        }
    }
}

impl fmt::Display for ResourceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(module) = &self.module {
            write!(f, "{module}.")?;
        }
        if self.mode == Mode::Data {
            f.write_str("data.")?;
        }
        write!(f, "{}.{}", self.type_name, self.name)
    }
}

/// One instance of a resource: `scaleway_container.app`, `scaleway_container.app["blue"]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InstanceAddr {
    /// The resource.
    pub resource: ResourceAddr,
    /// The instance key, `None` for a resource without `count` or `for_each`.
    pub key: Option<IndexKey>,
}

impl InstanceAddr {
    /// A managed, unkeyed instance of the root module.
    #[must_use]
    pub fn managed(type_name: impl Into<String>, name: impl Into<String>) -> Self {
        ResourceAddr::managed(type_name, name).instance(None)
    }

    /// The same resource with another key.
    #[must_use]
    pub fn with_key(mut self, key: IndexKey) -> Self {
        self.key = Some(key);
        self
    }
}

impl fmt::Display for InstanceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.resource)?;
        if let Some(key) = &self.key {
            write!(f, "{key}")?;
        }
        Ok(())
    }
}

impl FromStr for InstanceAddr {
    type Err = StateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_instance(s).ok_or_else(|| StateError::InvalidAddress {
            address: s.to_owned(),
        })
    }
}

impl FromStr for ResourceAddr {
    type Err = StateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match parse_instance(s) {
            Some(InstanceAddr {
                resource,
                key: None,
            }) => Ok(resource),
            _ => Err(StateError::InvalidAddress {
                address: s.to_owned(),
            }),
        }
    }
}

impl Serialize for ResourceAddr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ResourceAddr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A tiny cursor parser; returns `None` on any syntax error.
struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn ident(&mut self) -> Option<&'a str> {
        let end = self
            .rest
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .map_or(self.rest.len(), |(i, _)| i);
        let first = self.rest.chars().next()?;
        if end == 0 || !(first.is_ascii_alphabetic() || first == '_') {
            return None;
        }
        let (ident, rest) = self.rest.split_at(end);
        self.rest = rest;
        Some(ident)
    }

    fn eat(&mut self, token: &str) -> bool {
        if let Some(rest) = self.rest.strip_prefix(token) {
            self.rest = rest;
            true
        } else {
            false
        }
    }

    /// `[123]` or `["text"]`, if the cursor is at a `[`.
    fn key(&mut self) -> Result<Option<IndexKey>, ()> {
        if !self.eat("[") {
            return Ok(None);
        }
        let key = if self.eat("\"") {
            let mut text = String::new();
            let mut chars = self.rest.char_indices();
            loop {
                let (i, c) = chars.next().ok_or(())?;
                match c {
                    '"' => {
                        self.rest = &self.rest[i + 1..];
                        break;
                    }
                    '\\' => {
                        let (_, escaped) = chars.next().ok_or(())?;
                        text.push(match escaped {
                            'n' => '\n',
                            'r' => '\r',
                            't' => '\t',
                            other => other,
                        });
                    }
                    c => text.push(c),
                }
            }
            IndexKey::Str(text)
        } else {
            let end = self.rest.find(']').ok_or(())?;
            let number = self.rest[..end].trim().parse().map_err(|_| ())?;
            self.rest = &self.rest[end..];
            IndexKey::Int(number)
        };
        if self.eat("]") {
            Ok(Some(key))
        } else {
            Err(())
        }
    }
}

fn parse_instance(s: &str) -> Option<InstanceAddr> {
    let mut cursor = Cursor { rest: s.trim() };
    let mut module = String::new();
    loop {
        let checkpoint = cursor.rest;
        if cursor.eat("module.") {
            let name = cursor.ident()?;
            let key = cursor.key().ok()?;
            if !cursor.eat(".") {
                return None;
            }
            if !module.is_empty() {
                module.push('.');
            }
            module.push_str("module.");
            module.push_str(name);
            if let Some(key) = key {
                module.push_str(&key.to_string());
            }
        } else {
            cursor.rest = checkpoint;
            break;
        }
    }
    let mode = if cursor.eat("data.") {
        Mode::Data
    } else {
        Mode::Managed
    };
    let type_name = cursor.ident()?.to_owned();
    if !cursor.eat(".") {
        return None;
    }
    let name = cursor.ident()?.to_owned();
    let key = cursor.key().ok()?;
    if !cursor.rest.is_empty() {
        return None;
    }
    Some(InstanceAddr {
        resource: ResourceAddr {
            module: (!module.is_empty()).then_some(module),
            mode,
            type_name,
            name,
        },
        key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) {
        let addr: InstanceAddr = text.parse().expect("valid address");
        assert_eq!(addr.to_string(), text);
    }

    #[test]
    fn addresses_round_trip_through_text() {
        round_trip("scaleway_container.app");
        round_trip("scaleway_container.app[0]");
        round_trip("scaleway_container.app[\"blue\"]");
        round_trip("scaleway_container.app[\"a \\\"quoted\\\" key\"]");
        round_trip("data.scaleway_account_project.main");
        round_trip("module.web[\"x\"].module.db.scaleway_container.app[3]");
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "scaleway_container",
            "scaleway_container.",
            "scaleway_container.app[",
            "scaleway_container.app[x]",
            "scaleway_container.app[\"x\"",
            "scaleway_container.app.extra",
            "module.scaleway_container",
            "1abc.name",
        ] {
            assert!(bad.parse::<InstanceAddr>().is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn resource_addresses_refuse_instance_keys() {
        assert!("scaleway_container.app[0]".parse::<ResourceAddr>().is_err());
        assert_eq!(
            "scaleway_container.app".parse::<ResourceAddr>().ok(),
            Some(ResourceAddr::managed("scaleway_container", "app"))
        );
    }

    #[test]
    fn numeric_keys_sort_numerically_and_before_strings() {
        let mut keys = vec![
            IndexKey::Str("a".into()),
            IndexKey::Int(10),
            IndexKey::Int(2),
        ];
        keys.sort();
        assert_eq!(
            keys,
            vec![
                IndexKey::Int(2),
                IndexKey::Int(10),
                IndexKey::Str("a".into())
            ]
        );
    }
}
