//! The evaluated configuration: what the planner compares with state and the real objects.
//!
//! A [`Config`] holds variable, local and output values and one [`ResourceInstance`] per
//! expanded instance (`count`/`for_each` already applied), each with its attribute values as
//! the schema sees them: configured values converted to the schema type, defaults applied,
//! unset computed attributes [`Value::Unknown`] (the planner's planned values for them live in the
//! plan, not here), and schema-sensitive attributes marked sensitive.
//!
//! Invariants: `instances` is sorted by address; every dependency names a resource that has at
//! least one instance or none at all (count = 0), never an undeclared one.
//!
//! Depends on `schema`, `diag` and the sibling model modules.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use indexmap::IndexMap;

use super::lower::Lifecycle;
use super::refactor::{MoveStatement, RemoveStatement};
use super::refs::Reference;
use super::value::Value;
use crate::addr::{InstanceAddr, ModuleAddr, ResourceAddr};
use crate::diag::Span;
use crate::schema::{ResourceSchema, Timeouts};

/// A configuration after evaluation.
#[derive(Debug, Default)]
pub struct Config {
    /// Input variable values (sensitive variables marked), in declaration order.
    pub variables: IndexMap<String, Value>,
    /// Local values, in declaration order.
    pub locals: IndexMap<String, Value>,
    /// Outputs, in declaration order.
    pub outputs: IndexMap<String, OutputValue>,
    /// Resource instances, sorted by address.
    pub instances: IndexMap<InstanceAddr, ResourceInstance>,
    /// The provider block's attribute values (only those configured).
    pub provider: BTreeMap<&'static str, Value>,
    /// The aliased provider blocks' attribute values (only those configured), by alias.
    pub provider_aliases: BTreeMap<String, BTreeMap<&'static str, Value>>,
    /// What the `variable` blocks declare, by name, in declaration order (for the JSON
    /// plan's `configuration` and `checks`).
    pub variable_decls: IndexMap<String, VariableInfo>,
    /// What the `import` blocks ask for, one entry per target (`for_each` expanded), in
    /// source order.
    pub imports: Vec<ImportTarget>,
    /// The `moved` blocks of every module (each with its module's path), root module first.
    pub moves: Vec<MoveStatement>,
    /// The `removed` blocks of every module (each with its module's path), root module first.
    pub removals: Vec<RemoveStatement>,
    /// Every module instance evaluated, the root module included.
    pub module_instances: BTreeSet<ModuleAddr>,
    /// Every resource declared in an evaluated module instance (even with no instance).
    pub declared: BTreeSet<ResourceAddr>,
    /// Whether some module declares `check` blocks (the apply judges them again at its end).
    pub has_checks: bool,
    /// The instances whose `postcondition` failed, with the first failure's message.
    pub failed_postconditions: BTreeMap<InstanceAddr, String>,
}

/// One object an `import` block brings under management.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportTarget {
    /// The address it is recorded at.
    pub addr: InstanceAddr,
    /// Its ID; `None` while unknown (only in `validate`, which knows no variable values).
    pub id: Option<String>,
    /// The alias of the block's `provider = scaleway.ALIAS`; `None` for the default
    /// configuration (a generated `resource` block says so with the same line).
    pub provider: Option<String>,
    /// The `import` block's header.
    pub span: Span,
}

/// What a `variable` block declares besides its value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VariableInfo {
    /// `description = "..."`
    pub description: Option<String>,
    /// `sensitive = true`
    pub sensitive: bool,
    /// Whether it has a `default`.
    pub has_default: bool,
    /// How many `validation` blocks it has.
    pub validations: usize,
}

impl Config {
    /// The alias of the provider configuration the configured instance `addr` uses (`None`:
    /// the default one, or not configured): what the state records it with.
    #[must_use]
    pub fn provider_alias(&self, addr: &InstanceAddr) -> Option<&str> {
        self.instances.get(addr).and_then(|i| i.provider.as_deref())
    }

    /// The instances of one resource (`type.name`), in address order.
    pub fn instances_of<'c>(
        &'c self,
        resource: &'c ResourceAddr,
    ) -> impl Iterator<Item = &'c ResourceInstance> + 'c {
        self.instances
            .values()
            .filter(move |i| i.addr.is_instance_of(resource))
    }
}

/// An output's value.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputValue {
    /// The value (possibly unknown, possibly holding sensitive parts).
    pub value: Value,
    /// Declared `sensitive = true`.
    pub sensitive: bool,
    /// The description, if any.
    pub description: Option<String>,
    /// The `output "NAME"` header.
    pub span: Span,
    /// The references its value makes.
    pub references: Vec<Reference>,
    /// Its value expression's Terraform constant (see [`super::refs::terraform_constant`]).
    pub constant: Option<Value>,
}

/// Why one resource depends on another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DependencyKind {
    /// An expression of the resource refers to the other one.
    Reference,
    /// An expression refers to this local value, which (directly or through other locals)
    /// refers to the other resource.
    ThroughLocal(String),
    /// Listed in `depends_on`.
    DependsOn,
}

/// One dependency of a resource instance on another resource (all of its instances).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// The resource depended on, without instance key.
    pub resource: ResourceAddr,
    /// Where the dependency is written in the dependent resource's block.
    pub span: Span,
    /// How it arises.
    pub kind: DependencyKind,
}

/// The evaluated contents of one nested block occurrence.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockValue {
    /// Attribute values, as for a resource (defaults applied, unset computed ones unknown).
    pub attributes: BTreeMap<&'static str, Value>,
    /// Nested blocks.
    pub blocks: BTreeMap<&'static str, Vec<Self>>,
    /// Where the block is written.
    pub span: Span,
}

impl BlockValue {
    /// The block as an object value (nested blocks as lists of objects).
    #[must_use]
    pub fn to_value(&self) -> Value {
        object_value(&self.attributes, &self.blocks)
    }
}

fn object_value(
    attributes: &BTreeMap<&'static str, Value>,
    blocks: &BTreeMap<&'static str, Vec<BlockValue>>,
) -> Value {
    let mut map: BTreeMap<String, Value> = attributes
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    for (name, occurrences) in blocks {
        map.insert(
            (*name).to_owned(),
            Value::List(occurrences.iter().map(BlockValue::to_value).collect()),
        );
    }
    Value::Object(map)
}

/// One expanded resource instance.
#[derive(Debug, Clone)]
pub struct ResourceInstance {
    /// Its address.
    pub addr: InstanceAddr,
    /// Its type's schema.
    pub schema: &'static ResourceSchema,
    /// Every schema attribute: configured values (converted to the schema type), defaults,
    /// `Unknown` for unset computed attributes,
    /// `Null` for unset optional ones. Sensitive attributes are marked.
    pub attributes: BTreeMap<&'static str, Value>,
    /// Nested blocks by name, each a list of occurrences (unset computed blocks are absent).
    pub blocks: BTreeMap<&'static str, Vec<BlockValue>>,
    /// The attributes set in configuration, with the span of their value expression.
    pub configured: BTreeMap<&'static str, Span>,
    /// The `lifecycle` settings.
    pub lifecycle: Lifecycle,
    /// Effective timeouts (schema defaults, overridden by a `timeouts` block).
    pub timeouts: Timeouts,
    /// The resources this instance depends on (references, through locals, `depends_on`).
    pub dependencies: Vec<Dependency>,
    /// Every reference the resource block makes (shared by all instances of the resource).
    pub references: Arc<[Reference]>,
    /// The `resource "TYPE" "NAME"` header.
    pub span: Span,
    /// For a data source declared in a `check` block, the check's name.
    pub check: Option<String>,
    /// The alias of the root module's provider configuration it uses (`provider =
    /// scaleway.nl`, or passed to its module with `providers`); `None`: the default one.
    pub provider: Option<String>,
    /// Facts about the block's expressions for Terraform's JSON configuration (shared by all
    /// instances of the resource).
    pub expressions: Arc<BlockExpressions>,
    /// Whether the resource has `postcondition` blocks (checked again after each apply of
    /// the object).
    pub postconditions: bool,
}

/// What Terraform's JSON configuration shows of a resource block's expressions besides their
/// references: each one's Terraform constant (its value without variables or functions, see
/// [`super::refs::terraform_constant`]), and where `count` / `for_each` are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BlockExpressions {
    /// The constants of the top-level attributes, `count` and `for_each` that have one, by
    /// the span of their expression.
    pub constants: Vec<(Span, Value)>,
    /// The `count` expression.
    pub count: Option<Span>,
    /// The `for_each` expression.
    pub for_each: Option<Span>,
}

impl BlockExpressions {
    /// The constant of the expression at `span`, when it has one.
    #[must_use]
    pub fn constant(&self, span: Span) -> Option<&Value> {
        self.constants
            .iter()
            .find(|(s, _)| *s == span)
            .map(|(_, v)| v)
    }
}

impl ResourceInstance {
    /// The instance as an object value, as other expressions see it.
    #[must_use]
    pub fn to_value(&self) -> Value {
        object_value(&self.attributes, &self.blocks)
    }

    /// The instance as an object value holding only `names` (attributes or nested blocks),
    /// as [`to_value`](Self::to_value) would give them; `None` if one of them does not exist.
    #[must_use]
    pub fn value_of(&self, names: &[&str]) -> Option<Value> {
        let mut map = BTreeMap::new();
        for name in names {
            // As in `to_value`, a nested block wins over an attribute of the same name.
            let value = if let Some(occurrences) = self.blocks.get(name) {
                Value::List(occurrences.iter().map(BlockValue::to_value).collect())
            } else {
                self.attributes.get(name)?.clone()
            };
            map.insert((*name).to_owned(), value);
        }
        Some(Value::Object(map))
    }

    /// The value of one attribute.
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<&Value> {
        self.attributes.get(name)
    }
}
