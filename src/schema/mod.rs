//! Resource schemas: the single source of truth for every managed resource type.
//!
//! One static [`ResourceSchema`] per resource type (plus [`PROVIDER`], the `provider "scaleway"`
//! block) describes every attribute and nested block: its type, whether it is required,
//! optional or computed, its default, whether a change forces replacement or can be applied in
//! place, whether it is sensitive or deprecated, and how its value is validated. The lowering
//! code, the planner, the renderers and the state code are generic over this data: adding a
//! resource type means adding one entry to [`RESOURCES`], nothing else here.
//!
//! Invariants: attribute and block names are unique within a schema; every schema lists an
//! `id` attribute (computed); [`RESOURCES`] is sorted by type name.
//!
//! Data only, plus pure checks on primitive values ([`validation`]) and the provider's state
//! upgraders ([`StateUpgrader`], over a recorded object's JSON attributes); depends on nothing
//! else in the crate but [`locality`](crate::locality) (not even `model`: values are checked
//! as `&str`/`f64`).

mod account;
mod cockpit;
mod container;
mod data;
mod function;
mod provider;
pub mod validation;

use std::collections::BTreeMap;

pub use data::{DataSource, data_source, data_source_by_key, data_source_names};
pub use provider::PROVIDER;
pub use validation::Validation;

/// The type of an attribute's value, in Terraform's type system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    /// A string.
    String,
    /// A whole number (Terraform `number`, checked to be an integer).
    Int,
    /// Any number.
    Float,
    /// `true` / `false`.
    Bool,
    /// A list of elements of one type.
    List(&'static Self),
    /// A set of elements of one type.
    Set(&'static Self),
    /// A map from strings to elements of one type.
    Map(&'static Self),
}

impl AttrType {
    /// The Terraform spelling of the type, e.g. `list(string)`.
    #[must_use]
    pub fn terraform_name(self) -> String {
        match self {
            Self::String => "string".to_owned(),
            Self::Int | Self::Float => "number".to_owned(),
            Self::Bool => "bool".to_owned(),
            Self::List(e) => format!("list({})", e.terraform_name()),
            Self::Set(e) => format!("set({})", e.terraform_name()),
            Self::Map(e) => format!("map({})", e.terraform_name()),
        }
    }
}

/// A default value written in the schema.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DefaultValue {
    /// A boolean default.
    Bool(bool),
    /// An integer default.
    Int(i64),
    /// A string default.
    Str(&'static str),
}

/// One attribute of a resource or nested block.
// The flags mirror the provider's schema flags one for one; an enum set would hide that.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttributeSchema {
    /// The attribute name.
    pub name: &'static str,
    /// Its type.
    pub ty: AttrType,
    /// Must be set in configuration.
    pub required: bool,
    /// May be set in configuration.
    pub optional: bool,
    /// Set by the API when not configured (or always, when not optional).
    pub computed: bool,
    /// A change forces the resource to be replaced.
    pub force_new: bool,
    /// A change can be applied in place (an update call exists for it).
    pub updatable: bool,
    /// The value is secret: never shown, marked sensitive when evaluated.
    pub sensitive: bool,
    /// The API keeps only an argon2 hash of each value of this map (secret environment
    /// variables): a configured plaintext matches a recorded hash of it.
    pub stored_as_hash: bool,
    /// Why the attribute is deprecated, when it is.
    pub deprecated: Option<&'static str>,
    /// The value used when the attribute is not configured.
    pub default: Option<DefaultValue>,
    /// Extra checks on known values.
    pub validation: Option<Validation>,
}

impl AttributeSchema {
    /// A new attribute with no flags set (callers chain the builders below).
    #[must_use]
    pub const fn new(name: &'static str, ty: AttrType) -> Self {
        Self {
            name,
            ty,
            required: false,
            optional: false,
            computed: false,
            force_new: false,
            updatable: false,
            sensitive: false,
            stored_as_hash: false,
            deprecated: None,
            default: None,
            validation: None,
        }
    }

    /// Marks the attribute required.
    #[must_use]
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Marks the attribute optional.
    #[must_use]
    pub const fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// Marks the attribute computed.
    #[must_use]
    pub const fn computed(mut self) -> Self {
        self.computed = true;
        self
    }

    /// Marks the attribute as forcing replacement.
    #[must_use]
    pub const fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }

    /// Marks the attribute as updatable in place.
    #[must_use]
    pub const fn updatable(mut self) -> Self {
        self.updatable = true;
        self
    }

    /// Marks the attribute sensitive.
    #[must_use]
    pub const fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Marks a sensitive map whose values the API stores as argon2 hashes.
    #[must_use]
    pub const fn stored_as_hash(mut self) -> Self {
        self.sensitive = true;
        self.stored_as_hash = true;
        self
    }

    /// Marks the attribute deprecated, with the reason.
    #[must_use]
    pub const fn deprecated(mut self, why: &'static str) -> Self {
        self.deprecated = Some(why);
        self
    }

    /// Sets the default value.
    #[must_use]
    pub const fn default(mut self, value: DefaultValue) -> Self {
        self.default = Some(value);
        self
    }

    /// Sets the validation.
    #[must_use]
    pub const fn validate(mut self, validation: Validation) -> Self {
        self.validation = Some(validation);
        self
    }

    /// Whether configuration may set the attribute.
    #[must_use]
    pub const fn configurable(&self) -> bool {
        self.required || self.optional
    }
}

/// A nested block (`scopes { ... }`), repeated between `min_items` and `max_items` times.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockSchema {
    /// The block type name.
    pub name: &'static str,
    /// Fewest occurrences allowed.
    pub min_items: usize,
    /// Most occurrences allowed (`None`: unbounded).
    pub max_items: Option<usize>,
    /// The block's attributes.
    pub attributes: &'static [AttributeSchema],
    /// Blocks nested inside it.
    pub blocks: &'static [Self],
    /// May be omitted.
    pub optional: bool,
    /// Filled by the API when omitted.
    pub computed: bool,
    /// A change forces replacement.
    pub force_new: bool,
    /// A set of blocks (order does not matter) rather than a list.
    pub set: bool,
    /// Why the block is deprecated, when it is.
    pub deprecated: Option<&'static str>,
}

impl BlockSchema {
    /// A new optional block that may appear at most once.
    #[must_use]
    pub const fn single(
        name: &'static str,
        attributes: &'static [AttributeSchema],
        blocks: &'static [Self],
    ) -> Self {
        Self {
            name,
            min_items: 0,
            max_items: Some(1),
            attributes,
            blocks,
            optional: true,
            computed: false,
            force_new: false,
            set: false,
            deprecated: None,
        }
    }

    /// Marks the block computed.
    #[must_use]
    pub const fn computed(mut self) -> Self {
        self.computed = true;
        self
    }

    /// Marks the block as forcing replacement.
    #[must_use]
    pub const fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }

    /// Makes the block a set, repeatable without limit.
    #[must_use]
    pub const fn set_of(mut self) -> Self {
        self.set = true;
        self.max_items = None;
        self
    }

    /// Marks the block deprecated.
    #[must_use]
    pub const fn deprecated(mut self, why: &'static str) -> Self {
        self.deprecated = Some(why);
        self
    }

    /// The attribute with this name.
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<&'static AttributeSchema> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The nested block with this name.
    #[must_use]
    pub fn block(&self, name: &str) -> Option<&'static Self> {
        self.blocks.iter().find(|b| b.name == name)
    }
}

/// How a resource's `id` looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdForm {
    /// A bare UUID (account projects).
    Global,
    /// `{region}/{uuid}`.
    Regional,
}

impl IdForm {
    /// The form an `id` of this kind takes, as the provider's import documentation writes it
    /// (`{region}/{id}`, e.g. `fr-par/1111…`, or a bare UUID).
    #[must_use]
    pub const fn expected(self) -> &'static str {
        match self {
            Self::Global => "a UUID, e.g. 11111111-1111-1111-1111-111111111111",
            Self::Regional => "{region}/{uuid}, e.g. fr-par/11111111-1111-1111-1111-111111111111",
        }
    }

    /// Whether `id` has this form: what `import` accepts as an object's ID (the provider's
    /// importers take exactly the ID its state records).
    #[must_use]
    pub fn accepts(self, id: &str) -> bool {
        match self {
            Self::Global => validation::is_uuid(id),
            Self::Regional => id.split_once('/').is_some_and(|(region, uuid)| {
                crate::locality::is_region(region) && validation::is_uuid(uuid)
            }),
        }
    }
}

/// Whether `name` is a sensitive top-level attribute of some resource type: what code holding
/// attributes without their type (an API call's outcome) must hide.
#[must_use]
pub fn sensitive_anywhere(name: &str) -> bool {
    RESOURCES
        .iter()
        .any(|s| s.attribute(name).is_some_and(|a| a.sensitive))
}

/// A rule across several attributes of one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
    /// Exactly one of these attributes must be set (non-null).
    ExactlyOneOf(&'static [&'static str]),
    /// The provider's `ExactlyOneOf` that scwform relaxes: setting several is the same error,
    /// setting none is a warning (the API supplies a default) instead of an error.
    ExactlyOneOfOrDefault(&'static [&'static str]),
    /// These attributes may not both be set.
    ConflictsWith(&'static str, &'static str),
    /// These references (`{region}/{uuid}`) must name objects in the resource's own region,
    /// as the provider's `cdf.LocalityCheck` requires at plan: checked wherever the reference
    /// and the resource's region are both known.
    SameRegion(&'static [&'static str]),
}

/// Default operation timeouts, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Create.
    pub create: u32,
    /// Read.
    pub read: u32,
    /// Update.
    pub update: u32,
    /// Delete.
    pub delete: u32,
    /// Whether configuration may override them with a `timeouts { ... }` block.
    pub configurable: bool,
}

impl Timeouts {
    /// The SDK's default of 20 minutes per operation, not configurable.
    pub const SDK_DEFAULT: Self = Self::all(20 * 60, false);

    /// The same timeout for every operation.
    #[must_use]
    pub const fn all(seconds: u32, configurable: bool) -> Self {
        Self {
            create: seconds,
            read: seconds,
            update: seconds,
            delete: seconds,
            configurable,
        }
    }
}

/// A recorded object's attributes, as a state holds them (the provider's raw state).
pub type RawAttributes = BTreeMap<String, serde_json::Value>;

/// How the provider upgrades a recorded object of one resource type from schema version
/// `from` to `from + 1` (one entry of its `StateUpgraders`).
#[derive(Clone, Copy)]
pub struct StateUpgrader {
    /// The version it upgrades from.
    pub from: u64,
    /// Rewrites the attributes in place; an error says why the object cannot be upgraded (the
    /// provider's upgrader would fail on it too).
    pub upgrade: fn(&mut RawAttributes) -> Result<(), String>,
}

impl std::fmt::Debug for StateUpgrader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateUpgrader")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl PartialEq for StateUpgrader {
    fn eq(&self, other: &Self) -> bool {
        self.from == other.from && std::ptr::fn_addr_eq(self.upgrade, other.upgrade)
    }
}

/// The schema of one resource type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResourceSchema {
    /// The Terraform type name, e.g. `scaleway_container`.
    pub type_name: &'static str,
    /// The provider's schema version for the type (its `SchemaVersion`): what a state records
    /// in each instance's `schema_version`, and what Terraform upgrades older objects to.
    pub schema_version: u64,
    /// The provider's state upgraders (its `StateUpgraders`), one per older version, so that
    /// objects recorded at an older `schema_version` are read as the provider would read them.
    pub state_upgraders: &'static [StateUpgrader],
    /// Top-level attributes (including the computed `id`).
    pub attributes: &'static [AttributeSchema],
    /// Top-level nested blocks.
    pub blocks: &'static [BlockSchema],
    /// The form of the id.
    pub id_form: IdForm,
    /// Prefix of generated names (`tf-<prefix>-<adjective>-<surname>`), when `name` is generated.
    pub name_prefix: Option<&'static str>,
    /// Cross-attribute rules.
    pub constraints: &'static [Constraint],
    /// Default timeouts.
    pub timeouts: Timeouts,
    /// Why the resource type is deprecated, when it is.
    pub deprecated: Option<&'static str>,
}

impl ResourceSchema {
    /// The attribute with this name.
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<&'static AttributeSchema> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The nested block with this name.
    #[must_use]
    pub fn block(&self, name: &str) -> Option<&'static BlockSchema> {
        self.blocks.iter().find(|b| b.name == name)
    }

    /// The sensitive top-level attributes `attributes` (a recorded object) sets: what a state
    /// lists in `sensitive_attributes`.
    #[must_use]
    pub fn sensitive_set(&self, attributes: &RawAttributes) -> Vec<&'static str> {
        self.attributes
            .iter()
            .filter(|a| a.sensitive && attributes.get(a.name).is_some_and(|v| !v.is_null()))
            .map(|a| a.name)
            .collect()
    }

    /// Whether any attribute can be updated in place.
    #[must_use]
    pub fn has_update(&self) -> bool {
        self.attributes.iter().any(|a| a.updatable)
    }

    /// Names of everything that can be read from an instance (attributes and blocks), for
    /// did-you-mean suggestions.
    pub fn readable_names(&self) -> impl Iterator<Item = &'static str> {
        self.attributes
            .iter()
            .map(|a| a.name)
            .chain(self.blocks.iter().map(|b| b.name))
    }

    /// Names that configuration may set (attributes and blocks), for did-you-mean suggestions.
    pub fn configurable_names(&self) -> impl Iterator<Item = &'static str> {
        self.attributes
            .iter()
            .filter(|a| a.configurable())
            .map(|a| a.name)
            .chain(self.blocks.iter().map(|b| b.name))
    }

    /// The whole resource seen as a block (for code that walks blocks generically).
    #[must_use]
    pub const fn as_block(&self) -> BlockSchema {
        BlockSchema {
            name: self.type_name,
            min_items: 1,
            max_items: Some(1),
            attributes: self.attributes,
            blocks: self.blocks,
            optional: false,
            computed: false,
            force_new: false,
            set: false,
            deprecated: None,
        }
    }
}

/// Every managed resource type, sorted by type name.
pub static RESOURCES: &[&ResourceSchema] = &[
    &account::PROJECT,
    &cockpit::TOKEN,
    &container::CONTAINER,
    &container::NAMESPACE,
    &container::TOKEN,
    &function::NAMESPACE,
    &function::TOKEN,
];

/// The schema of a resource type, if scwform manages it.
#[must_use]
pub fn resource(type_name: &str) -> Option<&'static ResourceSchema> {
    RESOURCES
        .binary_search_by(|s| s.type_name.cmp(type_name))
        .ok()
        .map(|i| RESOURCES[i])
}

/// The schema of a managed resource type (`data` false) or of a data source (`data` true).
#[must_use]
pub fn schema_of(data: bool, type_name: &str) -> Option<&'static ResourceSchema> {
    if data {
        data_source(type_name).map(|d| &d.schema)
    } else {
        resource(type_name)
    }
}

/// Every managed type name, sorted (for did-you-mean and docs).
pub fn type_names() -> impl Iterator<Item = &'static str> {
    RESOURCES.iter().map(|s| s.type_name)
}

/// The `region` attribute shared by every regional resource: optional, computed (provider
/// default), forces replacement.
pub(crate) const REGION: AttributeSchema = AttributeSchema::new("region", AttrType::String)
    .optional()
    .computed()
    .force_new()
    .validate(Validation::Region);

/// The `project_id` attribute of regional resources: optional, computed (provider default
/// project), forces replacement, a UUID.
pub(crate) const PROJECT_ID: AttributeSchema = AttributeSchema::new("project_id", AttrType::String)
    .optional()
    .computed()
    .force_new()
    .validate(Validation::Uuid);

/// The computed `id` every resource has.
pub(crate) const ID: AttributeSchema = AttributeSchema::new("id", AttrType::String).computed();

/// A computed RFC 3339 timestamp (`created_at`, `updated_at`).
pub(crate) const fn timestamp(name: &'static str) -> AttributeSchema {
    AttributeSchema::new(name, AttrType::String).computed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_unique(names: &[&str], context: &str) {
        let mut seen = std::collections::BTreeSet::new();
        for n in names {
            assert!(seen.insert(*n), "{context}: duplicate name {n}");
        }
    }

    fn check_block(block: &BlockSchema, context: &str) {
        let names: Vec<_> = block
            .attributes
            .iter()
            .map(|a| a.name)
            .chain(block.blocks.iter().map(|b| b.name))
            .collect();
        check_unique(&names, context);
        for a in block.attributes {
            assert!(
                a.required || a.optional || a.computed,
                "{context}.{}: neither required, optional nor computed",
                a.name
            );
            assert!(
                !(a.required && a.default.is_some()),
                "{context}.{}: required with a default",
                a.name
            );
        }
        for b in block.blocks {
            check_block(b, &format!("{context}.{}", b.name));
        }
    }

    #[test]
    fn registry_is_sorted_and_consistent() {
        let names: Vec<_> = type_names().collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted, "RESOURCES must be sorted for binary search");
        for schema in RESOURCES {
            check_block(&schema.as_block(), schema.type_name);
            assert!(schema.attribute("id").is_some_and(|a| a.computed));
            for c in schema.constraints {
                let names: &[&str] = match c {
                    Constraint::ExactlyOneOf(n)
                    | Constraint::ExactlyOneOfOrDefault(n)
                    | Constraint::SameRegion(n) => n,
                    Constraint::ConflictsWith(a, b) => &[*a, *b],
                };
                for n in names {
                    assert!(
                        schema.attribute(n).is_some() || schema.block(n).is_some(),
                        "{}: constraint names unknown {n}",
                        schema.type_name
                    );
                }
            }
            // The provider applies every change of an argument without ForceNew in its
            // Update: an argument neither replaced nor updated would be dropped silently
            // while the apply reports success (issue 9 item 8's defect).
            for a in schema.attributes.iter().filter(|a| a.configurable()) {
                assert!(
                    a.force_new != a.updatable,
                    "{}.{}: a change must either force a replacement or be updatable, not {}",
                    schema.type_name,
                    a.name,
                    if a.force_new { "both" } else { "neither" }
                );
            }
            assert_eq!(
                schema.id_form == IdForm::Regional,
                schema.attribute("region").is_some(),
                "{}: regional iff it has a region",
                schema.type_name
            );
        }
        check_block(&PROVIDER, "provider");
    }

    #[test]
    fn schema_versions_are_the_providers_with_one_upgrader_per_older_version() {
        // The provider's `SchemaVersion` of each type (its resource files, 2026-08).
        let versions: Vec<(&str, u64)> = RESOURCES
            .iter()
            .map(|s| (s.type_name, s.schema_version))
            .collect();
        assert_eq!(
            versions,
            [
                ("scaleway_account_project", 0),
                ("scaleway_cockpit_token", 1),
                ("scaleway_container", 0),
                ("scaleway_container_namespace", 0),
                ("scaleway_container_token", 0),
                ("scaleway_function_namespace", 0),
                ("scaleway_function_token", 0),
            ]
        );
        for schema in RESOURCES {
            let froms: Vec<u64> = schema.state_upgraders.iter().map(|u| u.from).collect();
            assert_eq!(
                froms,
                (0..schema.schema_version).collect::<Vec<_>>(),
                "{}",
                schema.type_name
            );
        }
    }

    #[test]
    fn lookup_finds_every_type_and_nothing_else() {
        for schema in RESOURCES {
            assert_eq!(resource(schema.type_name), Some(*schema));
        }
        assert_eq!(resource("scaleway_instance_server"), None);
    }
}
