//! `scaleway_account_project` (account v3, global).
//!
//! Data only; mirrors the provider's `internal/services/account/project.go` (see
//! `provider-schema.md` §1).

use super::{
    AttrType, AttributeSchema, ID, IdForm, ResourceSchema, Timeouts, Validation, timestamp,
};

/// `scaleway_account_project`.
pub(super) static PROJECT: ResourceSchema = ResourceSchema {
    type_name: "scaleway_account_project",
    schema_version: 0,
    state_upgraders: &[],
    attributes: &[
        ID,
        AttributeSchema::new("name", AttrType::String)
            .optional()
            .computed()
            .updatable(),
        AttributeSchema::new("description", AttrType::String)
            .optional()
            .updatable(),
        AttributeSchema::new("organization_id", AttrType::String)
            .optional()
            .computed()
            .force_new()
            .validate(Validation::Uuid),
        timestamp("created_at"),
        timestamp("updated_at"),
    ],
    blocks: &[],
    id_form: IdForm::Global,
    name_prefix: Some("project"),
    constraints: &[],
    timeouts: Timeouts::SDK_DEFAULT,
    deprecated: None,
};
