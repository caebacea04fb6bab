//! The `provider "scaleway"` block.
//!
//! Data only. Values set here sit between the config file profile and the `SCW_*` environment
//! variables in precedence (`provider-schema.md` §0.2); resolving them is the CLI settings'
//! job, not this module's.

use super::{AttrType, AttributeSchema, BlockSchema, Validation};

/// The provider block's schema (seen as a block named `provider`).
pub static PROVIDER: BlockSchema = BlockSchema {
    name: "provider",
    min_items: 0,
    max_items: Some(1),
    attributes: &[
        AttributeSchema::new("access_key", AttrType::String).optional(),
        AttributeSchema::new("secret_key", AttrType::String)
            .optional()
            .sensitive(),
        AttributeSchema::new("project_id", AttrType::String)
            .optional()
            .validate(Validation::Uuid),
        AttributeSchema::new("organization_id", AttrType::String)
            .optional()
            .validate(Validation::Uuid),
        AttributeSchema::new("region", AttrType::String)
            .optional()
            .validate(Validation::Region),
        AttributeSchema::new("zone", AttrType::String)
            .optional()
            .validate(Validation::Regex {
                pattern: "^[a-z]{2}-[a-z]{3,7}-[0-9]+$",
                description: "a zone looks like fr-par-1",
            }),
        AttributeSchema::new("api_url", AttrType::String).optional(),
        AttributeSchema::new("profile", AttrType::String).optional(),
    ],
    blocks: &[],
    optional: true,
    computed: false,
    force_new: false,
    set: false,
    deprecated: None,
};
