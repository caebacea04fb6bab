//! `scaleway_function_namespace` and `scaleway_function_token` (functions v1beta1, regional).
//!
//! Data only; mirrors `provider-schema.md` §6–7.

use super::{
    AttrType, AttributeSchema, Constraint, ID, IdForm, PROJECT_ID, REGION, ResourceSchema,
    Timeouts,
    container::{ENV_LIMITS, TOKEN_DEPRECATION, token_attributes},
};

/// `scaleway_function_namespace`.
pub(super) static NAMESPACE: ResourceSchema = ResourceSchema {
    type_name: "scaleway_function_namespace",
    schema_version: 0,
    state_upgraders: &[],
    attributes: &[
        ID,
        AttributeSchema::new("name", AttrType::String)
            .optional()
            .computed()
            .force_new(),
        AttributeSchema::new("description", AttrType::String)
            .optional()
            .updatable(),
        AttributeSchema::new("tags", AttrType::List(&AttrType::String))
            .optional()
            .updatable(),
        AttributeSchema::new("environment_variables", AttrType::Map(&AttrType::String))
            .optional()
            .updatable()
            .validate(ENV_LIMITS),
        AttributeSchema::new(
            "secret_environment_variables",
            AttrType::Map(&AttrType::String),
        )
        .optional()
        .updatable()
        .stored_as_hash()
        .validate(ENV_LIMITS),
        AttributeSchema::new("registry_endpoint", AttrType::String).computed(),
        AttributeSchema::new("registry_namespace_id", AttrType::String).computed(),
        REGION,
        AttributeSchema::new("organization_id", AttrType::String).computed(),
        PROJECT_ID,
    ],
    blocks: &[],
    id_form: IdForm::Regional,
    name_prefix: Some("func"),
    constraints: &[],
    timeouts: Timeouts::all(5 * 60, true),
    deprecated: None,
};

static TOKEN_ATTRIBUTES: [AttributeSchema; 7] = token_attributes("function_id");

/// `scaleway_function_token`: the container token's schema with `function_id`.
pub(super) static TOKEN: ResourceSchema = ResourceSchema {
    type_name: "scaleway_function_token",
    schema_version: 0,
    state_upgraders: &[],
    attributes: &TOKEN_ATTRIBUTES,
    blocks: &[],
    id_form: IdForm::Regional,
    name_prefix: None,
    constraints: &[
        Constraint::ExactlyOneOf(&["function_id", "namespace_id"]),
        Constraint::SameRegion(&["function_id", "namespace_id"]),
    ],
    timeouts: Timeouts::SDK_DEFAULT,
    deprecated: Some(TOKEN_DEPRECATION),
};
