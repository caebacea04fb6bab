//! Addresses of modules, resources and resource instances, as Terraform writes them.
//!
//! One type per kind of thing addressed, shared by the configuration model, the plan, the
//! executor and the state file:
//! - [`InstanceKey`]: `[0]` (from `count`) or `["web"]` (from `for_each`);
//! - [`ModuleAddr`]: a path of module calls with their keys, `module.a["x"].module.b`
//!   (empty for the root module);
//! - [`ResourceAddr`]: a resource (all its instances), `module.a.data.scaleway_x.y`;
//! - [`InstanceAddr`]: one instance of a resource, `module.a.scaleway_x.y[2]`;
//! - [`Target`]: whichever of the three a `--target` names.
//!
//! Invariants: `parse(display(a)) == a` for every address; [`Display`](fmt::Display) prints
//! what Terraform prints (string keys quoted and escaped as HCL strings); [`Ord`] sorts as
//! Terraform sorts addresses (shorter module paths first, data sources before managed
//! resources, no key before numbers before strings, numbers by value).
//!
//! Depends on nothing else in the crate.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The key of one instance of a resource or module call with `count` or `for_each`.
///
/// Ordering: numbers before strings, each in natural order (so `[2]` sorts before `[10]`).
/// In state it is written as a bare JSON number or string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum InstanceKey {
    /// `[0]`: an index from `count`.
    Int(i64),
    /// `["key"]`: a key from `for_each`.
    Str(String),
}

impl fmt::Display for InstanceKey {
    /// `[0]` or `["key"]`, the string quoted as [`hcl_quoted`] quotes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Int(i) => write!(f, "[{i}]"),
            Self::Str(s) => write!(f, "[{}]", hcl_quoted(s)),
        }
    }
}

/// `s` as an HCL quoted string literal, as Terraform writes one (`hclwrite`'s escaping): `"`,
/// `\`, newlines and tabs escaped, `${`/`%{` doubled, other unprintable characters as
/// `\uXXXX`.
#[must_use]
pub fn hcl_quoted(s: &str) -> String {
    use fmt::Write as _;
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if !is_printable(c) => {
                let code = u32::from(c);
                let _ = if code < 0x1_0000 {
                    write!(out, "\\u{code:04x}")
                } else {
                    write!(out, "\\U{code:08x}")
                };
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `s` is an HCL identifier (`hclsyntax.ValidIdentifier`): a letter or `_`, then
/// letters, digits, `_` and `-`.
#[must_use]
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// Go's `unicode.IsPrint`, approximated (the rule by which `hclwrite` and `strconv.Quote` escape):
/// letters, marks, numbers, punctuation, symbols and the ASCII space. Controls, other spaces, format characters and private-use characters
/// are not printable.
#[must_use]
pub fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(
        u32::from(c),
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0xE000..=0xF8FF
            | 0xE_0001..=0xE_007F
            | 0xF_0000..=0x10_FFFF
    )
}

/// One call in a module path: `module.NAME` with its key when the call has `count`/`for_each`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModuleStep {
    /// The module call's name (the `module` block's label).
    pub name: String,
    /// The instance of the call, for calls with `count` or `for_each`.
    pub key: Option<InstanceKey>,
}

/// A module instance: the path of module calls from the root, empty for the root module.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ModuleAddr {
    steps: Vec<ModuleStep>,
}

impl ModuleAddr {
    /// The root module.
    #[must_use]
    pub fn root() -> Self {
        Self::default()
    }

    /// Whether this is the root module.
    #[must_use]
    pub fn is_root(&self) -> bool {
        self.steps.is_empty()
    }

    /// The calls from the root, outermost first.
    #[must_use]
    pub fn steps(&self) -> &[ModuleStep] {
        &self.steps
    }

    /// The instance of the call `name` (with `key`) inside this module.
    #[must_use]
    pub fn child(&self, name: impl Into<String>, key: Option<InstanceKey>) -> Self {
        let mut steps = self.steps.clone();
        steps.push(ModuleStep {
            name: name.into(),
            key,
        });
        Self { steps }
    }

    /// Whether `self` is `other` or one of the modules it calls, at any depth.
    #[must_use]
    pub fn contains(&self, other: &Self) -> bool {
        other.steps.starts_with(&self.steps)
    }
}

impl Ord for ModuleAddr {
    /// Shorter paths first, then call by call (name, then key).
    fn cmp(&self, other: &Self) -> Ordering {
        self.steps
            .len()
            .cmp(&other.steps.len())
            .then_with(|| self.steps.cmp(&other.steps))
    }
}

impl PartialOrd for ModuleAddr {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for ModuleAddr {
    /// `module.a["x"].module.b`; the root module prints as nothing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "module.{}", step.name)?;
            if let Some(key) = &step.key {
                write!(f, "{key}")?;
            }
        }
        Ok(())
    }
}

/// Whether a resource is managed (created by us) or read (a data source).
///
/// Declared with `Data` first so data sources sort before managed resources, as Terraform
/// sorts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// `data` blocks.
    Data,
    /// `resource` blocks.
    Managed,
}

/// A resource (all its instances): `scaleway_container.app`, `module.a.data.t.n`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceAddr {
    /// The module instance the resource is declared in (root when empty).
    pub module: ModuleAddr,
    /// Managed resource or data source.
    pub mode: Mode,
    /// Resource type, e.g. `scaleway_container`.
    pub type_name: String,
    /// Name given in the configuration (the block's second label).
    pub name: String,
}

impl ResourceAddr {
    /// A managed resource of the root module.
    #[must_use]
    pub fn managed(type_name: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            module: ModuleAddr::root(),
            mode: Mode::Managed,
            type_name: type_name.into(),
            name: name.into(),
        }
    }

    /// The same resource declared in `module`.
    #[must_use]
    pub fn in_module(mut self, module: ModuleAddr) -> Self {
        self.module = module;
        self
    }

    /// The address of one of this resource's instances.
    #[must_use]
    pub fn instance(&self, key: Option<InstanceKey>) -> InstanceAddr {
        InstanceAddr {
            resource: self.clone(),
            key,
        }
    }
}

impl fmt::Display for ResourceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.module.is_root() {
            write!(f, "{}.", self.module)?;
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
    pub key: Option<InstanceKey>,
}

impl InstanceAddr {
    /// A managed, unkeyed instance of the root module.
    #[must_use]
    pub fn managed(type_name: impl Into<String>, name: impl Into<String>) -> Self {
        ResourceAddr::managed(type_name, name).instance(None)
    }

    /// The same resource with another key.
    #[must_use]
    pub fn with_key(mut self, key: InstanceKey) -> Self {
        self.key = Some(key);
        self
    }

    /// Whether this instance belongs to `resource`.
    #[must_use]
    pub fn is_instance_of(&self, resource: &ResourceAddr) -> bool {
        self.resource == *resource
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

/// What a `--target` (or any address argument) names: a module instance with everything in
/// it, a resource with all its instances, or one instance.
///
/// As Terraform does, a resource address without key is a [`Target::Resource`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// `module.a["x"]`: every resource in that module instance and the modules it calls.
    Module(ModuleAddr),
    /// `module.a.t.n`: every instance of a resource.
    Resource(ResourceAddr),
    /// `t.n[0]`: one instance.
    Instance(InstanceAddr),
}

impl Target {
    /// Whether the instance `addr` is among what this target names.
    #[must_use]
    pub fn contains(&self, addr: &InstanceAddr) -> bool {
        match self {
            Self::Module(m) => m.contains(&addr.resource.module),
            Self::Resource(r) => addr.resource == *r,
            Self::Instance(i) => addr == i,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Module(m) => m.fmt(f),
            Self::Resource(r) => r.fmt(f),
            Self::Instance(i) => i.fmt(f),
        }
    }
}

/// Why a string is not the address expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid address {input:?}: {reason}")]
pub struct AddrParseError {
    /// The text given.
    pub input: String,
    /// What is wrong with it, in Terraform's words where it has some.
    pub reason: String,
}

impl FromStr for Target {
    type Err = AddrParseError;

    /// Every form Terraform accepts:
    /// `[module.NAME[KEY].]…[data.|resource.]TYPE.NAME[KEY]` or a module path alone.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_target(s).map_err(|reason| AddrParseError {
            input: s.to_owned(),
            reason: reason.to_owned(),
        })
    }
}

impl FromStr for InstanceAddr {
    type Err = AddrParseError;

    /// A resource instance; an address without key names the unkeyed instance.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<Target>()? {
            Target::Instance(i) => Ok(i),
            Target::Resource(r) => Ok(r.instance(None)),
            Target::Module(_) => Err(AddrParseError {
                input: s.to_owned(),
                reason: "A resource instance address is required here. The module path must be followed by a resource instance specification.".to_owned(),
            }),
        }
    }
}

impl FromStr for ResourceAddr {
    type Err = AddrParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let reason = match s.parse::<Target>()? {
            Target::Resource(r) => return Ok(r),
            Target::Instance(_) => {
                "A resource address is required. This instance key identifies a specific resource instance, which is not expected here."
            }
            Target::Module(_) => {
                "A resource address is required here. The module path must be followed by a resource specification."
            }
        };
        Err(AddrParseError {
            input: s.to_owned(),
            reason: reason.to_owned(),
        })
    }
}

impl FromStr for ModuleAddr {
    type Err = AddrParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<Target>()? {
            Target::Module(m) => Ok(m),
            _ => Err(AddrParseError {
                input: s.to_owned(),
                reason: "A module address is required here.".to_owned(),
            }),
        }
    }
}

/// Serialized as its text (`dependencies` and `module` in state files).
macro_rules! serde_as_text {
    ($ty:ty) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

serde_as_text!(ModuleAddr);
serde_as_text!(ResourceAddr);
serde_as_text!(InstanceAddr);

/// One step of an address: `.name` or `[key]`.
enum Step<'a> {
    Name(&'a str),
    Key(InstanceKey),
    Splat,
}

/// Splits an address into its steps (HCL's absolute traversal syntax: a root name, then
/// `.name` and `[key]` steps, whitespace allowed around each).
fn steps(s: &str) -> Result<Vec<Step<'_>>, &'static str> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    let mut first = true;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let (step, after) = key(after.trim_start())?;
            let after = after
                .trim_start()
                .strip_prefix(']')
                .ok_or("Missing close bracket on index: the index must end with `]`.")?;
            out.push(step);
            rest = after;
        } else {
            let after = if first {
                rest
            } else {
                rest.strip_prefix('.')
                    .ok_or("Expected a dot or an open bracket after a name.")?
                    .trim_start()
            };
            let (name, after) =
                identifier(after).ok_or("Expected an attribute name after a dot.")?;
            out.push(Step::Name(name));
            rest = after;
        }
        first = false;
        rest = rest.trim_start();
    }
    if out.is_empty() {
        return Err("An address is required.");
    }
    Ok(out)
}

/// An HCL identifier at the start of `s`: a letter or `_`, then letters, digits, `_` or `-`.
fn identifier(s: &str) -> Option<(&str, &str)> {
    let first = s.chars().next()?;
    if !(first.is_alphabetic() || first == '_') {
        return None;
    }
    let end = s
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .map_or(s.len(), |(i, _)| i);
    Some(s.split_at(end))
}

/// The inside of `[…]`: a whole number, a quoted string or `*`.
fn key(s: &str) -> Result<(Step<'_>, &str), &'static str> {
    if let Some(after) = s.strip_prefix('*') {
        return Ok((Step::Splat, after));
    }
    if let Some(body) = s.strip_prefix('"') {
        let (text, after) = quoted(body)?;
        return Ok((Step::Key(InstanceKey::Str(text)), after));
    }
    let end = s
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
        .map_or(s.len(), |(i, _)| i);
    let number = s[..end]
        .parse()
        .map_err(|_| "Invalid resource instance key: either a string or an integer is required.")?;
    Ok((Step::Key(InstanceKey::Int(number)), &s[end..]))
}

/// A quoted HCL string without template sequences, after its opening `"`: its text and what
/// follows the closing `"`.
fn quoted(s: &str) -> Result<(String, &str), &'static str> {
    const UNCLOSED: &str = "Unterminated string: a quoted key must end with `\"`.";
    let mut out = String::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &s[i + 1..])),
            '\\' => {
                let (_, escaped) = chars.next().ok_or(UNCLOSED)?;
                match escaped {
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    '"' | '\\' => out.push(escaped),
                    'u' | 'U' => {
                        let len = if escaped == 'u' { 4 } else { 8 };
                        let start = i + 2;
                        let hex = s
                            .get(start..start + len)
                            .ok_or("Invalid escape sequence.")?;
                        let c = u32::from_str_radix(hex, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .ok_or("Invalid escape sequence.")?;
                        out.push(c);
                        for _ in 0..len {
                            chars.next();
                        }
                    }
                    _ => return Err("Invalid escape sequence."),
                }
            }
            '$' | '%' => {
                let after = &s[i + 1..];
                if after.starts_with(c) && after[1..].starts_with('{') {
                    // `$${` is a literal `${` (and `%%{` a literal `%{`).
                    chars.next();
                } else if after.starts_with('{') {
                    return Err("Template sequences are not allowed in an address.");
                }
                out.push(c);
            }
            '\n' => return Err(UNCLOSED),
            c => out.push(c),
        }
    }
    Err(UNCLOSED)
}

const RESERVED: &[&str] = &[
    "count",
    "each",
    "local",
    "module",
    "path",
    "self",
    "terraform",
    "var",
    "template",
    "lazy",
    "arg",
];

fn parse_target(s: &str) -> Result<Target, &'static str> {
    let steps = steps(s)?;
    let mut rest = steps.as_slice();
    let mut module = ModuleAddr::root();
    while let [Step::Name("module"), after @ ..] = rest {
        let [Step::Name(name), after @ ..] = after else {
            return Err("Module address prefix must be followed by dot and then a name.");
        };
        let (key, after) = match after {
            [Step::Key(k), after @ ..] => (Some(k.clone()), after),
            [Step::Splat, ..] => {
                return Err("Module instance key must be given in square brackets.");
            }
            _ => (None, after),
        };
        module = module.child(*name, key);
        rest = after;
    }
    if rest.is_empty() {
        return Ok(Target::Module(module));
    }
    let mode = match rest {
        [Step::Name("data"), after @ ..] => {
            rest = after;
            Mode::Data
        }
        [Step::Name("resource"), after @ ..] => {
            rest = after;
            Mode::Managed
        }
        [Step::Name(root), ..] if RESERVED.contains(root) => {
            return Err(
                "This keyword is reserved and cannot be used to target a resource address. If you are targeting a resource type that uses a reserved keyword, please prefix your address with \"resource.\".",
            );
        }
        _ => Mode::Managed,
    };
    let (type_name, name, after) = match rest {
        [Step::Name(t), Step::Name(n), after @ ..] => (*t, *n, after),
        [Step::Name(_)] | [] => {
            return Err("Resource specification must include a resource type and name.");
        }
        [Step::Name(_), ..] => return Err("A resource name is required."),
        _ if mode == Mode::Data => return Err("A data source name is required."),
        _ => return Err("A resource type name is required."),
    };
    let resource = ResourceAddr {
        module,
        mode,
        type_name: type_name.to_owned(),
        name: name.to_owned(),
    };
    match after {
        [] => Ok(Target::Resource(resource)),
        [Step::Key(k)] => Ok(Target::Instance(resource.instance(Some(k.clone())))),
        [_] => Err("Resource instance key must be given in square brackets."),
        _ => Err("Unexpected extra operators after address."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(s: &str) -> Target {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn every_form_round_trips_through_text() {
        for text in [
            "scaleway_container.main",
            "scaleway_container.main[0]",
            "scaleway_container.main[-1]",
            r#"scaleway_container.main["prod"]"#,
            r#"scaleway_container.main["a\"b\\c\n"]"#,
            "data.scaleway_account_project.main",
            "module.app",
            r#"module.app["a"]"#,
            r#"module.a["x"].module.b[0].data.t.n[2]"#,
            r#"module.web["x"].module.db.scaleway_container.app[3]"#,
            r#"t.n["$${x} %%{y} $ % $$x"]"#,
            "t.n[\"tab\\tnbsp\\u00a0\"]",
        ] {
            assert_eq!(target(text).to_string(), text);
        }
    }

    #[test]
    fn the_parser_tells_modules_resources_and_instances_apart() {
        let Target::Instance(i) = target(r#"module.a["x"].module.b[0].data.t.n[2]"#) else {
            panic!("an instance");
        };
        assert_eq!(i.key, Some(InstanceKey::Int(2)));
        assert_eq!(i.resource.mode, Mode::Data);
        assert_eq!(i.resource.type_name, "t");
        assert_eq!(i.resource.name, "n");
        assert_eq!(
            i.resource.module,
            ModuleAddr::root()
                .child("a", Some(InstanceKey::Str("x".into())))
                .child("b", Some(InstanceKey::Int(0)))
        );
        assert!(matches!(target("module.a.module.b"), Target::Module(_)));
        assert!(matches!(target("t.n"), Target::Resource(_)));
        // `resource.` is optional and lets a reserved word be a type.
        assert_eq!(
            target("resource.module.x"),
            Target::Resource(ResourceAddr::managed("module", "x"))
        );
        assert_eq!(
            target(" t . n [ \"k\" ] ").to_string(),
            r#"t.n["k"]"#,
            "whitespace between steps, as HCL traversals"
        );
    }

    #[test]
    fn malformed_addresses_say_why() {
        for (text, why) in [
            ("", "An address is required."),
            ("t", "must include a resource type and name"),
            ("t.", "attribute name after a dot"),
            (".n", "attribute name"),
            ("t.n[", "either a string or an integer"),
            ("t.n[x]", "either a string or an integer"),
            ("t.n[1.5]", "close bracket"),
            ("t.n[\"x]", "Unterminated string"),
            ("t.n[\"x\"", "close bracket"),
            ("t.n.c", "must be given in square brackets"),
            ("t.n.c.d", "Unexpected extra operators"),
            ("t.n[0][1]", "Unexpected extra operators"),
            ("t.n[*]", "square brackets"),
            ("1a.b", "attribute name"),
            ("var.x", "reserved"),
            ("module.", "attribute name"),
            ("module[0]", "followed by dot and then a name"),
            ("t.n[\"${x}\"]", "Template sequences"),
            ("t.n[\"\\q\"]", "Invalid escape"),
        ] {
            let err = text.parse::<Target>().expect_err(text);
            assert_eq!(err.input, text);
            assert!(err.reason.contains(why), "{text:?}: {}", err.reason);
        }
    }

    #[test]
    fn each_type_refuses_the_other_kinds() {
        assert!("t.n[0]".parse::<ResourceAddr>().is_err());
        assert!("module.a".parse::<ResourceAddr>().is_err());
        assert!("module.a".parse::<InstanceAddr>().is_err());
        assert!("t.n".parse::<ModuleAddr>().is_err());
        assert_eq!(
            "t.n".parse::<InstanceAddr>(),
            Ok(InstanceAddr::managed("t", "n"))
        );
    }

    #[test]
    fn ordering_is_terraforms() {
        let mut addrs: Vec<InstanceAddr> = [
            "module.b.a.a",
            "module.a.module.a.a.a",
            "module.a[1].a.a",
            "module.a[\"z\"].a.a",
            "module.a[0].a.a",
            "module.a.a.a",
            "b.a",
            "a.b[\"x\"]",
            "a.b[10]",
            "a.b[2]",
            "data.z.z",
            "a.a",
            "a.b",
        ]
        .iter()
        .map(|s| s.parse().expect("valid"))
        .collect();
        addrs.sort();
        let shown: Vec<_> = addrs.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "data.z.z",
                "a.a",
                "a.b",
                "a.b[2]",
                "a.b[10]",
                "a.b[\"x\"]",
                "b.a",
                "module.a.a.a",
                "module.a[0].a.a",
                "module.a[1].a.a",
                "module.a[\"z\"].a.a",
                "module.b.a.a",
                "module.a.module.a.a.a",
            ]
        );
    }

    #[test]
    fn targets_contain_what_they_name() {
        let inner: InstanceAddr = "module.a[\"x\"].module.b.t.n[1]".parse().expect("valid");
        for (t, yes) in [
            ("module.a", false),
            ("module.a[\"x\"]", true),
            ("module.a[\"x\"].module.b", true),
            ("module.a[\"y\"]", false),
            ("module.a[\"x\"].module.b.t.n", true),
            ("module.a[\"x\"].module.b.t.n[1]", true),
            ("module.a[\"x\"].module.b.t.n[0]", false),
            ("t.n", false),
        ] {
            assert_eq!(target(t).contains(&inner), yes, "{t}");
        }
    }

    #[test]
    fn keys_serialise_bare_and_addresses_as_text() {
        assert_eq!(
            serde_json::to_string(&InstanceKey::Int(3)).expect("serialises"),
            "3"
        );
        let r: ResourceAddr = "module.a[\"x\"].t.n".parse().expect("valid");
        let json = serde_json::to_string(&r).expect("serialises");
        assert_eq!(json, r#""module.a[\"x\"].t.n""#);
        assert_eq!(
            serde_json::from_str::<ResourceAddr>(&json).expect("reads"),
            r
        );
        assert!(serde_json::from_str::<ResourceAddr>("\"t.n[0]\"").is_err());
    }
}
