//! Data source schemas: `data "scaleway_…" "NAME"` blocks.
//!
//! The provider builds each data source's schema from its resource's schema
//! (`datasource.SchemaFromResourceSchema`: every attribute and block becomes computed, nothing
//! is required, forces replacement, has a default or is validated), then makes the lookup
//! arguments optional (`AddOptionalFieldsToSchema`: optional and no longer computed) and adds
//! its own (`project_id`, `namespace_id`, `container_id`, `projects`). The same derivation is
//! made here from the resource schemas of this module's parent, so that a data source never
//! states an attribute of its resource a second time. One deliberate difference: sensitive
//! attributes stay sensitive (the provider's copy drops the flag, and Terraform would show a
//! container's secret environment variables read through the data source).
//!
//! Invariant: [`DATA_SOURCES`] is sorted by type name; each data source's schema is a
//! [`ResourceSchema`] whose `type_name` is the data source's (the same name as its resource).
//!
//! Data only; depends on its parent module.

use std::sync::LazyLock;

use super::{
    AttrType, AttributeSchema, BlockSchema, Constraint, ResourceSchema, Timeouts, Validation,
    account, container, function,
};

/// One data source type.
#[derive(Debug)]
pub struct DataSource {
    /// `data.TYPE`: how configuration references name the type (`data.TYPE.NAME.attr`), and
    /// the key data blocks are declared under beside resources.
    pub key: &'static str,
    /// Its schema (the derived one), with the data source's type name.
    pub schema: ResourceSchema,
}

/// How one data source is derived from its resource.
struct Derivation {
    key: &'static str,
    resource: &'static ResourceSchema,
    /// Attributes made optional and no longer computed (`AddOptionalFieldsToSchema`).
    optional: &'static [&'static str],
    /// Attributes added or replaced, in the provider's words.
    extra: &'static [AttributeSchema],
    /// Nested blocks added (computed lists of objects).
    extra_blocks: &'static [BlockSchema],
    /// `ConflictsWith` between two arguments.
    conflicts: &'static [Constraint],
}

const PROJECT_CONFLICTS: &[Constraint] = &[Constraint::ConflictsWith("name", "project_id")];
const NAMESPACE_CONFLICTS: &[Constraint] = &[Constraint::ConflictsWith("name", "namespace_id")];
const CONTAINER_CONFLICTS: &[Constraint] = &[Constraint::ConflictsWith("name", "container_id")];

const fn optional_uuid(name: &'static str) -> AttributeSchema {
    AttributeSchema::new(name, AttrType::String)
        .optional()
        .validate(Validation::Uuid)
}

const fn optional_locality_id(name: &'static str) -> AttributeSchema {
    AttributeSchema::new(name, AttrType::String)
        .optional()
        .validate(Validation::UuidOrRegional)
}

/// The computed object attributes of each element of `scaleway_account_projects.projects`.
const PROJECT_ITEM: &[AttributeSchema] = &[
    AttributeSchema::new("id", AttrType::String).computed(),
    AttributeSchema::new("name", AttrType::String).computed(),
    AttributeSchema::new("organization_id", AttrType::String).computed(),
    AttributeSchema::new("created_at", AttrType::String).computed(),
    AttributeSchema::new("updated_at", AttrType::String).computed(),
    AttributeSchema::new("description", AttrType::String).computed(),
];

const PROJECTS_BLOCK: BlockSchema = BlockSchema {
    name: "projects",
    min_items: 0,
    max_items: None,
    attributes: PROJECT_ITEM,
    blocks: &[],
    optional: false,
    computed: true,
    force_new: false,
    set: false,
    deprecated: None,
};

static DERIVATIONS: &[Derivation] = &[
    Derivation {
        key: "data.scaleway_account_project",
        resource: &account::PROJECT,
        optional: &["name", "organization_id"],
        extra: &[AttributeSchema::new("project_id", AttrType::String)
            .optional()
            .computed()
            .validate(Validation::Uuid)],
        extra_blocks: &[],
        conflicts: PROJECT_CONFLICTS,
    },
    Derivation {
        key: "data.scaleway_account_projects",
        resource: &account::PROJECT,
        optional: &[],
        extra: &[AttributeSchema::new("organization_id", AttrType::String)
            .optional()
            .computed()
            .validate(Validation::Uuid)],
        extra_blocks: &[PROJECTS_BLOCK],
        conflicts: &[],
    },
    Derivation {
        key: "data.scaleway_container",
        resource: &container::CONTAINER,
        optional: &["name", "region"],
        extra: &[
            optional_locality_id("container_id"),
            AttributeSchema::new("namespace_id", AttrType::String)
                .required()
                .validate(Validation::UuidOrRegional),
            optional_uuid("project_id"),
        ],
        extra_blocks: &[],
        conflicts: CONTAINER_CONFLICTS,
    },
    Derivation {
        key: "data.scaleway_container_namespace",
        resource: &container::NAMESPACE,
        optional: &["name", "region", "project_id"],
        extra: &[optional_locality_id("namespace_id")],
        extra_blocks: &[],
        conflicts: NAMESPACE_CONFLICTS,
    },
    Derivation {
        key: "data.scaleway_function_namespace",
        resource: &function::NAMESPACE,
        optional: &["name", "region", "project_id"],
        extra: &[optional_locality_id("namespace_id")],
        extra_blocks: &[],
        conflicts: NAMESPACE_CONFLICTS,
    },
];

/// An attribute as `SchemaFromResourceSchema` copies it: computed, nothing else (but the
/// sensitive mark, see the module docs).
const fn computed_copy(a: &AttributeSchema) -> AttributeSchema {
    let mut copy = AttributeSchema::new(a.name, a.ty).computed();
    copy.sensitive = a.sensitive;
    copy
}

fn computed_block(b: &BlockSchema) -> BlockSchema {
    let attributes: Vec<AttributeSchema> = b.attributes.iter().map(computed_copy).collect();
    let blocks: Vec<BlockSchema> = b.blocks.iter().map(computed_block).collect();
    BlockSchema {
        name: b.name,
        min_items: 0,
        max_items: b.max_items,
        attributes: Box::leak(attributes.into_boxed_slice()),
        blocks: Box::leak(blocks.into_boxed_slice()),
        optional: false,
        computed: true,
        force_new: false,
        set: b.set,
        deprecated: None,
    }
}

fn derive(d: &Derivation) -> DataSource {
    let mut attributes: Vec<AttributeSchema> = d
        .resource
        .attributes
        .iter()
        .map(|a| {
            let mut copy = computed_copy(a);
            if d.optional.contains(&a.name) {
                copy.computed = false;
                copy.optional = true;
            }
            copy
        })
        .collect();
    for extra in d.extra {
        match attributes.iter_mut().find(|a| a.name == extra.name) {
            Some(a) => *a = *extra,
            None => attributes.push(*extra),
        }
    }
    let mut blocks: Vec<BlockSchema> = d.resource.blocks.iter().map(computed_block).collect();
    blocks.extend(d.extra_blocks.iter().copied());
    let type_name = d
        .key
        .strip_prefix("data.")
        .expect("invariant: data source keys start with data.");
    DataSource {
        key: d.key,
        schema: ResourceSchema {
            type_name,
            schema_version: 0,
            state_upgraders: &[],
            attributes: Box::leak(attributes.into_boxed_slice()),
            blocks: Box::leak(blocks.into_boxed_slice()),
            id_form: d.resource.id_form,
            name_prefix: None,
            constraints: d.conflicts,
            timeouts: Timeouts::SDK_DEFAULT,
            deprecated: None,
        },
    }
}

/// Every data source type, sorted by type name.
static DATA_SOURCES: LazyLock<Vec<DataSource>> =
    LazyLock::new(|| DERIVATIONS.iter().map(derive).collect());

/// The data source of a type name (`scaleway_container`), if scwform reads it.
#[must_use]
pub fn data_source(type_name: &str) -> Option<&'static DataSource> {
    DATA_SOURCES
        .iter()
        .find(|d| d.schema.type_name == type_name)
}

/// The data source whose [`DataSource::key`] is `key` (`data.scaleway_container`).
#[must_use]
pub fn data_source_by_key(key: &str) -> Option<&'static DataSource> {
    key.strip_prefix("data.").and_then(data_source)
}

/// Every data source type name, sorted (for did-you-mean and docs).
pub fn data_source_names() -> impl Iterator<Item = &'static str> {
    DATA_SOURCES.iter().map(|d| d.schema.type_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_sources_are_sorted_and_derived_from_their_resources() {
        let names: Vec<_> = data_source_names().collect();
        assert_eq!(
            names,
            [
                "scaleway_account_project",
                "scaleway_account_projects",
                "scaleway_container",
                "scaleway_container_namespace",
                "scaleway_function_namespace",
            ]
        );
        let ns = data_source("scaleway_container_namespace").unwrap();
        let name = ns.schema.attribute("name").unwrap();
        assert!(name.optional && !name.computed && !name.force_new);
        let description = ns.schema.attribute("description").unwrap();
        assert!(description.computed && !description.optional && !description.updatable);
        let secrets = ns.schema.attribute("secret_environment_variables").unwrap();
        assert!(secrets.sensitive && secrets.computed && !secrets.optional);
        assert!(ns.schema.attribute("namespace_id").unwrap().optional);
        let container = data_source("scaleway_container").unwrap();
        assert!(container.schema.attribute("namespace_id").unwrap().required);
        assert!(container.schema.blocks.iter().all(|b| b.computed));
        let project = data_source_by_key("data.scaleway_account_project").unwrap();
        let id = project.schema.attribute("project_id").unwrap();
        assert!(id.optional && id.computed);
        assert!(data_source("scaleway_cockpit_token").is_none());
        assert!(data_source_by_key("scaleway_container").is_none());
    }
}
