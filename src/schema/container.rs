//! `scaleway_container_namespace`, `scaleway_container` (containers v1) and
//! `scaleway_container_token` (containers v1beta1), all regional.
//!
//! Data only; mirrors `provider-schema.md` §3–5. One deliberate difference from the provider:
//! a container may set neither `image` nor `registry_image` (the engine supplies a default
//! image): the provider's `ExactlyOneOf(image, registry_image)` is
//! [`Constraint::ExactlyOneOfOrDefault`] here, both set is the provider's error and neither a
//! warning that says Terraform would refuse it. The provider's own documented
//! `scaleway_container_token` example sets neither, and the seed examples must work verbatim.

use super::{
    AttrType, AttributeSchema, BlockSchema, Constraint, DefaultValue, ID, IdForm, PROJECT_ID,
    REGION, ResourceSchema, Timeouts, Validation,
};

/// Key and value limits of environment variable maps.
pub(super) const ENV_LIMITS: Validation = Validation::MapLengths {
    key_max: 100,
    value_max: 1000,
};

/// Why the serverless token resources are deprecated.
pub(super) const TOKEN_DEPRECATION: &str = "deprecated in favor of IAM authentication";

const NO_EFFECT: &str = "has no effect";

/// `scaleway_container_namespace`.
pub(super) static NAMESPACE: ResourceSchema = ResourceSchema {
    type_name: "scaleway_container_namespace",
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
        AttributeSchema::new("registry_endpoint", AttrType::String)
            .computed()
            .deprecated("no longer set: containers v1 has no registry"),
        AttributeSchema::new("registry_namespace_id", AttrType::String)
            .computed()
            .deprecated("no longer set: containers v1 has no registry"),
        AttributeSchema::new("destroy_registry", AttrType::Bool)
            .optional()
            .updatable()
            .default(DefaultValue::Bool(false))
            .deprecated(NO_EFFECT),
        REGION,
        AttributeSchema::new("organization_id", AttrType::String).computed(),
        PROJECT_ID,
    ],
    blocks: &[],
    id_form: IdForm::Regional,
    name_prefix: Some("ns"),
    constraints: &[],
    timeouts: Timeouts::all(5 * 60, true),
    deprecated: None,
};

/// An optional, computed, updatable container setting.
const fn setting(name: &'static str, ty: AttrType) -> AttributeSchema {
    AttributeSchema::new(name, ty)
        .optional()
        .computed()
        .updatable()
}

/// An optional, updatable container setting that the API does not fill.
const fn plain(name: &'static str, ty: AttrType) -> AttributeSchema {
    AttributeSchema::new(name, ty).optional().updatable()
}

const PROBE_HTTP: BlockSchema = BlockSchema::single(
    "http",
    &[AttributeSchema::new("path", AttrType::String)
        .required()
        .updatable()],
    &[],
);

const PROBE_ATTRIBUTES: &[AttributeSchema] = &[
    AttributeSchema::new("failure_threshold", AttrType::Int)
        .required()
        .updatable(),
    AttributeSchema::new("interval", AttrType::String)
        .required()
        .updatable()
        .validate(Validation::Duration),
    AttributeSchema::new("timeout", AttrType::String)
        .required()
        .updatable()
        .validate(Validation::Duration),
    plain("tcp", AttrType::Bool),
];

/// `scaleway_container`.
pub(super) static CONTAINER: ResourceSchema = ResourceSchema {
    type_name: "scaleway_container",
    schema_version: 0,
    state_upgraders: &[],
    attributes: &[
        ID,
        AttributeSchema::new("name", AttrType::String)
            .optional()
            .computed()
            .force_new(),
        AttributeSchema::new("namespace_id", AttrType::String)
            .required()
            .force_new()
            .validate(Validation::UuidOrRegional),
        plain("description", AttrType::String),
        plain("tags", AttrType::List(&AttrType::String)),
        setting("environment_variables", AttrType::Map(&AttrType::String)).validate(ENV_LIMITS),
        plain(
            "secret_environment_variables",
            AttrType::Map(&AttrType::String),
        )
        .stored_as_hash()
        .validate(ENV_LIMITS),
        setting("min_scale", AttrType::Int),
        setting("max_scale", AttrType::Int),
        setting("memory_limit_bytes", AttrType::Int),
        setting("memory_limit", AttrType::Int).deprecated("use memory_limit_bytes instead"),
        setting("cpu_limit", AttrType::Int),
        setting("timeout", AttrType::Int),
        plain("privacy", AttrType::String)
            .default(DefaultValue::Str("public"))
            .validate(Validation::OneOf(&["public", "private"])),
        setting("image", AttrType::String),
        setting("registry_image", AttrType::String).deprecated("use image instead"),
        plain("registry_sha256", AttrType::String),
        plain("protocol", AttrType::String)
            .default(DefaultValue::Str("http1"))
            .validate(Validation::OneOf(&["http1", "h2c"])),
        setting("port", AttrType::Int),
        plain("deploy", AttrType::Bool).deprecated(NO_EFFECT),
        setting("https_connections_only", AttrType::Bool),
        setting("http_option", AttrType::String)
            .deprecated("use https_connections_only instead")
            .validate(Validation::OneOf(&["enabled", "redirected"])),
        setting("sandbox", AttrType::String).validate(Validation::OneOf(&["v1", "v2"])),
        setting("local_storage_limit_bytes", AttrType::Int),
        setting("local_storage_limit", AttrType::Int)
            .deprecated("use local_storage_limit_bytes instead"),
        plain("command", AttrType::List(&AttrType::String)),
        plain("args", AttrType::List(&AttrType::String)),
        plain("private_network_id", AttrType::String),
        AttributeSchema::new("domain_name", AttrType::String)
            .computed()
            .deprecated("use public_endpoint instead"),
        AttributeSchema::new("public_endpoint", AttrType::String).computed(),
        AttributeSchema::new("status", AttrType::String).computed(),
        // The provider stopped setting it (terraform-provider-scaleway#4075): always null.
        AttributeSchema::new("cron_status", AttrType::String)
            .computed()
            .deprecated("refer to the scaleway_container_trigger resource instead"),
        AttributeSchema::new("error_message", AttrType::String).computed(),
        REGION,
    ],
    blocks: &[
        BlockSchema::single(
            "health_check",
            &[
                setting("tcp", AttrType::Bool),
                setting("failure_threshold", AttrType::Int),
                setting("interval", AttrType::String).validate(Validation::Duration),
            ],
            &[BlockSchema::single("http", &[setting("path", AttrType::String)], &[]).computed()],
        )
        .computed()
        .deprecated("use liveness_probe instead"),
        BlockSchema::single("liveness_probe", PROBE_ATTRIBUTES, &[PROBE_HTTP]).computed(),
        BlockSchema::single("startup_probe", PROBE_ATTRIBUTES, &[PROBE_HTTP]),
        BlockSchema::single(
            "scaling_option",
            &[
                plain("concurrent_requests_threshold", AttrType::Int),
                plain("cpu_usage_threshold", AttrType::Int),
                plain("memory_usage_threshold", AttrType::Int),
            ],
            &[],
        )
        .computed()
        .set_of(),
    ],
    id_form: IdForm::Regional,
    name_prefix: Some("co"),
    constraints: &[
        Constraint::ConflictsWith("memory_limit_bytes", "memory_limit"),
        Constraint::ConflictsWith("local_storage_limit_bytes", "local_storage_limit"),
        Constraint::ConflictsWith("https_connections_only", "http_option"),
        Constraint::ExactlyOneOfOrDefault(&["image", "registry_image"]),
        Constraint::ConflictsWith("health_check", "liveness_probe"),
    ],
    timeouts: Timeouts::all(750, true),
    deprecated: None,
};

/// The attributes of a serverless token (container or function): it belongs to exactly one of a
/// namespace or its `parent` (`container_id` / `function_id`), and nothing can be updated.
pub(super) const fn token_attributes(parent: &'static str) -> [AttributeSchema; 7] {
    [
        ID,
        AttributeSchema::new(parent, AttrType::String)
            .optional()
            .force_new()
            .validate(Validation::UuidOrRegional),
        AttributeSchema::new("namespace_id", AttrType::String)
            .optional()
            .force_new()
            .validate(Validation::UuidOrRegional),
        AttributeSchema::new("description", AttrType::String)
            .optional()
            .force_new(),
        AttributeSchema::new("expires_at", AttrType::String)
            .optional()
            .force_new()
            .validate(Validation::Rfc3339),
        AttributeSchema::new("token", AttrType::String)
            .computed()
            .sensitive(),
        REGION,
    ]
}

static TOKEN_ATTRIBUTES: [AttributeSchema; 7] = token_attributes("container_id");

/// `scaleway_container_token`.
pub(super) static TOKEN: ResourceSchema = ResourceSchema {
    type_name: "scaleway_container_token",
    schema_version: 0,
    state_upgraders: &[],
    attributes: &TOKEN_ATTRIBUTES,
    blocks: &[],
    id_form: IdForm::Regional,
    name_prefix: None,
    constraints: &[
        Constraint::ExactlyOneOf(&["container_id", "namespace_id"]),
        Constraint::SameRegion(&["container_id", "namespace_id"]),
    ],
    timeouts: Timeouts::SDK_DEFAULT,
    deprecated: Some(TOKEN_DEPRECATION),
};
