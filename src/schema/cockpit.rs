//! `scaleway_cockpit_token` (cockpit v1, regional).
//!
//! Data only; mirrors the provider's `internal/services/cockpit/token.go` (see
//! `provider-schema.md` §2). Every configurable field forces replacement: tokens have no
//! update call.

use super::{
    AttrType, AttributeSchema, BlockSchema, DefaultValue, ID, IdForm, PROJECT_ID, REGION,
    ResourceSchema, Timeouts, Validation, timestamp,
};

const fn scope(name: &'static str, default: bool) -> AttributeSchema {
    AttributeSchema::new(name, AttrType::Bool)
        .optional()
        .force_new()
        .default(DefaultValue::Bool(default))
}

/// `scaleway_cockpit_token`.
pub(super) static TOKEN: ResourceSchema = ResourceSchema {
    type_name: "scaleway_cockpit_token",
    attributes: &[
        ID,
        AttributeSchema::new("name", AttrType::String)
            .required()
            .force_new()
            .validate(Validation::Regex {
                pattern: "^[A-Za-z0-9_-]{3,50}$",
                description: "a cockpit token name is 3 to 50 letters, digits, `-` or `_`",
            }),
        AttributeSchema::new("secret_key", AttrType::String)
            .computed()
            .sensitive(),
        timestamp("created_at"),
        timestamp("updated_at"),
        PROJECT_ID,
        REGION,
    ],
    blocks: &[BlockSchema::single(
        "scopes",
        &[
            scope("query_metrics", false),
            scope("write_metrics", true),
            scope("setup_metrics_rules", false),
            scope("query_logs", false),
            scope("write_logs", true),
            scope("setup_logs_rules", false),
            scope("setup_alerts", false),
            scope("query_traces", false),
            scope("write_traces", false),
        ],
        &[],
    )
    .computed()
    .force_new()],
    id_form: IdForm::Regional,
    name_prefix: None,
    constraints: &[],
    timeouts: Timeouts::all(5 * 60, true),
    deprecated: None,
};
