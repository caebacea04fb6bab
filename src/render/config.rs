//! Configuration text from recorded objects: the `resource` blocks that `plan
//! --generate-config-out` and `import --discover` write for objects read from the API.
//!
//! The rules are Terraform 1.11's configuration generator (`internal/genconfig`, with the
//! filter `generateHCLStringAttributes` applies for a legacy-SDK provider such as Scaleway's):
//! - every argument the schema lets configuration set, in name order, with the value the
//!   object has (`null` when it has none; an optional string recorded `""` is `null`, the
//!   legacy SDK's empty value); computed-only attributes are left out, and so are deprecated
//!   arguments and blocks;
//! - a sensitive argument is written `null # sensitive`, never with its value;
//! - nested blocks, one per recorded element, with the same rules inside;
//! - values as `hclwrite.TokensForValue` writes them, and the whole block formatted as `terraform
//!   fmt` formats it ([`crate::format::format_source`]).
//!
//! Two differences, both so that the text validates and plans no change: of the arguments a
//! schema constraint says cannot be set together ([`Constraint::ConflictsWith`],
//! `ExactlyOneOf`), only the first one the object has is written (Terraform writes both, and
//! the configuration then fails validation); and a string holding JSON is written as the string,
//! not as `jsonencode(...)` of its value (which is only equal when the JSON was compact).
//!
//! Pure: depends on `schema`, `addr` (HCL quoting) and `format`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::Value as Json;

use crate::addr::{hcl_quoted, is_identifier};
use crate::schema::{AttributeSchema, BlockSchema, Constraint, RawAttributes, ResourceSchema};

/// The first line of a generated file, as Terraform writes it.
pub const FILE_HEADER: &str = "# __generated__ by Terraform\n# Please review these resources and move them into your main configuration files.\n";

/// Writes an argument's value as an expression (a reference) instead of a literal: given the
/// argument's schema and its recorded value, `Some("scaleway_x.y.id")` or `None` for the
/// literal.
pub type Referencer<'a> = &'a dyn Fn(&AttributeSchema, &Json) -> Option<String>;

/// The `resource "TYPE" "NAME" { ... }` block for an object recorded with `attributes`,
/// formatted, without a final newline (Terraform's `generated_config`).
#[must_use]
pub fn resource_block(
    schema: &ResourceSchema,
    name: &str,
    attributes: &RawAttributes,
    refer: Option<Referencer<'_>>,
) -> String {
    let object: serde_json::Map<String, Json> = attributes
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut text = format!(
        "resource {} {} {{\n",
        hcl_quoted(schema.type_name),
        hcl_quoted(name)
    );
    let left_out = conflicting(schema.constraints, &object, &schema.as_block());
    body(&mut text, &schema.as_block(), &object, &left_out, refer, 1);
    text.push('}');
    crate::format::format_source(&text)
}

/// A whole generated file: [`FILE_HEADER`], then each `(import ID, block)` after a
/// `# __generated__ by Terraform from "ID"` line, as Terraform's `-generate-config-out` writes
/// it.
#[must_use]
pub fn generated_file<'a>(blocks: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = FILE_HEADER.to_owned();
    for (id, block) in blocks {
        let _ = write!(
            out,
            "\n# __generated__ by Terraform from {}\n{block}\n",
            hcl_quoted(id)
        );
    }
    out
}

/// Whether configuration may write this argument: settable and not deprecated.
fn written(a: &AttributeSchema) -> bool {
    a.configurable() && a.deprecated.is_none()
}

/// The value to write for `a` in `object`: `null` when absent, and an optional string recorded
/// `""` is `null` (the legacy SDK's empty value).
fn value_of<'v>(a: &AttributeSchema, object: &'v serde_json::Map<String, Json>) -> &'v Json {
    static NULL: Json = Json::Null;
    match object.get(a.name) {
        Some(Json::String(s)) if s.is_empty() && a.optional => &NULL,
        Some(v) => v,
        None => &NULL,
    }
}

/// Whether a block has something recorded (a non-empty list of elements).
fn block_present(object: &serde_json::Map<String, Json>, name: &str) -> bool {
    object
        .get(name)
        .and_then(Json::as_array)
        .is_some_and(|a| !a.is_empty())
}

/// The arguments and blocks left out because a constraint says they cannot be set together
/// with one written before them: of each group, the first one the object has is kept.
fn conflicting(
    constraints: &[Constraint],
    object: &serde_json::Map<String, Json>,
    block: &BlockSchema,
) -> BTreeSet<&'static str> {
    let mut out = BTreeSet::new();
    let has = |name: &str| {
        if let Some(a) = block.attribute(name) {
            written(a) && !value_of(a, object).is_null()
        } else if let Some(b) = block.block(name) {
            b.deprecated.is_none() && block_present(object, name)
        } else {
            false
        }
    };
    for c in constraints {
        let group: Vec<&'static str> = match c {
            Constraint::ExactlyOneOf(names) | Constraint::ExactlyOneOfOrDefault(names) => {
                names.to_vec()
            }
            Constraint::ConflictsWith(a, b) => vec![*a, *b],
            Constraint::SameRegion(_) => continue,
        };
        let mut present = group.into_iter().filter(|n| has(n));
        if present.next().is_some() {
            out.extend(present);
        }
    }
    out
}

/// Writes the arguments and blocks of `block` recorded in `object`, at `depth` (two spaces a
/// level; the formatter settles the layout anyway).
fn body(
    out: &mut String,
    block: &BlockSchema,
    object: &serde_json::Map<String, Json>,
    left_out: &BTreeSet<&'static str>,
    refer: Option<Referencer<'_>>,
    depth: usize,
) {
    let indent = "  ".repeat(depth);
    let mut attributes: Vec<&AttributeSchema> = block
        .attributes
        .iter()
        .filter(|a| written(a) && !left_out.contains(a.name))
        .collect();
    attributes.sort_by_key(|a| a.name);
    for a in attributes {
        let value = value_of(a, object);
        let _ = write!(out, "{indent}{} = ", a.name);
        if a.sensitive {
            out.push_str("null # sensitive");
        } else if let Some(expr) = refer.and_then(|r| r(a, value)) {
            out.push_str(&expr);
        } else {
            literal(out, value);
        }
        out.push('\n');
    }
    let mut blocks: Vec<&BlockSchema> = block
        .blocks
        .iter()
        .filter(|b| b.deprecated.is_none() && !left_out.contains(b.name))
        .collect();
    blocks.sort_by_key(|b| b.name);
    for b in blocks {
        let Some(elements) = object.get(b.name).and_then(Json::as_array) else {
            continue;
        };
        for element in elements {
            let Some(inner) = element.as_object() else {
                continue;
            };
            let _ = writeln!(out, "{indent}{} {{", b.name);
            body(out, b, inner, &BTreeSet::new(), None, depth + 1);
            let _ = writeln!(out, "{indent}}}");
        }
    }
}

/// A recorded value as an HCL literal, as `hclwrite.TokensForValue` writes it: lists on one
/// line, maps and objects one entry a line in key order (a key that is not an identifier
/// quoted).
fn literal(out: &mut String, value: &Json) {
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => {
            if n.is_i64() || n.is_u64() {
                out.push_str(&n.to_string());
            } else if let Some(f) = n.as_f64() {
                // Shortest round-trip decimal, never an exponent (Go's `Text('f', -1)`).
                let _ = write!(out, "{f}");
            }
        }
        Json::String(s) => out.push_str(&hcl_quoted(s)),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                literal(out, item);
            }
            out.push(']');
        }
        Json::Object(map) => {
            out.push('{');
            if !map.is_empty() {
                out.push('\n');
            }
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for k in keys {
                if is_identifier(k) {
                    out.push_str(k);
                } else {
                    out.push_str(&hcl_quoted(k));
                }
                out.push_str(" = ");
                literal(out, &map[k.as_str()]);
                out.push('\n');
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{AttrType, IdForm, Timeouts};
    use serde_json::json;

    fn attrs(v: Json) -> RawAttributes {
        serde_json::from_value(v).expect("an object")
    }

    fn schema(type_name: &str) -> &'static ResourceSchema {
        crate::schema::resource(type_name).expect("a type")
    }

    #[test]
    fn arguments_in_name_order_nulls_written_computed_and_deprecated_left_out() {
        let text = resource_block(
            schema("scaleway_container_namespace"),
            "api",
            &attrs(json!({
                "id": "fr-par/11111111-1111-1111-1111-111111111111",
                "name": "api",
                "description": "",
                "tags": ["a", "b"],
                "environment_variables": {"FOO": "bar", "with space": "x"},
                "secret_environment_variables": {"S": "$argon2id$..."},
                "destroy_registry": false,
                "registry_endpoint": "rg.fr-par.scw.cloud/x",
                "organization_id": "22222222-2222-2222-2222-222222222222",
                "project_id": "33333333-3333-3333-3333-333333333333",
                "region": "fr-par",
            })),
            None,
        );
        assert_eq!(
            text,
            r#"resource "scaleway_container_namespace" "api" {
  description = null
  environment_variables = {
    FOO          = "bar"
    "with space" = "x"
  }
  name                         = "api"
  project_id                   = "33333333-3333-3333-3333-333333333333"
  region                       = "fr-par"
  secret_environment_variables = null # sensitive
  tags                         = ["a", "b"]
}"#
        );
        assert!(!text.contains("argon2"));
    }

    #[test]
    fn blocks_are_written_per_element_and_deprecated_blocks_left_out() {
        let text = resource_block(
            schema("scaleway_container"),
            "web",
            &attrs(json!({
                "name": "web",
                "namespace_id": "fr-par/11111111-1111-1111-1111-111111111111",
                "memory_limit": 256,
                "memory_limit_bytes": 268_435_456,
                "image": "nginx:latest",
                "registry_image": "nginx:latest",
                "health_check": [{"tcp": true, "failure_threshold": 3, "interval": "10s", "http": []}],
                "liveness_probe": [{"tcp": true, "failure_threshold": 3, "interval": "10s",
                                    "timeout": "1s", "http": []}],
                "scaling_option": [],
            })),
            None,
        );
        let lines: Vec<String> = text
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        assert!(
            lines.contains(&"memory_limit_bytes = 268435456".to_owned()),
            "{text}"
        );
        assert!(
            !lines.iter().any(|l| l.starts_with("memory_limit ")),
            "{text}"
        );
        assert!(
            lines.contains(&"image = \"nginx:latest\"".to_owned()),
            "{text}"
        );
        assert!(!text.contains("registry_image"), "{text}");
        assert!(!text.contains("health_check"), "{text}");
        assert!(
            text.contains(
                "  liveness_probe {\n    failure_threshold = 3\n    interval          = \"10s\"\n    tcp               = true\n    timeout           = \"1s\"\n  }\n"
            ),
            "{text}"
        );
        assert!(!text.contains("scaling_option"), "{text}");
    }

    static PAIR: ResourceSchema = ResourceSchema {
        type_name: "x_pair",
        schema_version: 0,
        state_upgraders: &[],
        attributes: &[
            crate::schema::ID,
            AttributeSchema::new("a", AttrType::String).optional(),
            AttributeSchema::new("b", AttrType::String).optional(),
            AttributeSchema::new("c", AttrType::Int).optional(),
            AttributeSchema::new("d", AttrType::Int).optional(),
        ],
        blocks: &[],
        id_form: IdForm::Global,
        name_prefix: None,
        constraints: &[
            Constraint::ExactlyOneOf(&["a", "b"]),
            Constraint::ConflictsWith("c", "d"),
        ],
        timeouts: Timeouts::SDK_DEFAULT,
        deprecated: None,
    };

    #[test]
    fn of_a_conflicting_group_only_the_first_set_argument_is_written() {
        let both = resource_block(
            &PAIR,
            "x",
            &attrs(json!({"a": "1", "b": "2", "c": 1, "d": 2})),
            None,
        );
        assert_eq!(both, "resource \"x_pair\" \"x\" {\n  a = \"1\"\n  c = 1\n}");
        let second = resource_block(&PAIR, "x", &attrs(json!({"a": "", "b": "2", "d": 2})), None);
        assert_eq!(
            second,
            "resource \"x_pair\" \"x\" {\n  a = null\n  b = \"2\"\n  c = null\n  d = 2\n}"
        );
    }

    #[test]
    fn references_replace_literals_and_strings_are_escaped() {
        let refer = |a: &AttributeSchema, v: &Json| {
            (a.name == "namespace_id" && v.as_str().is_some())
                .then(|| "scaleway_container_namespace.api.id".to_owned())
        };
        let text = resource_block(
            schema("scaleway_container_token"),
            "t",
            &attrs(json!({
                "namespace_id": "fr-par/11111111-1111-1111-1111-111111111111",
                "container_id": "",
                "description": "say \"${hi}\"\n",
                "expires_at": "",
                "token": "the secret",
                "region": "fr-par",
            })),
            Some(&refer),
        );
        assert_eq!(
            text,
            r#"resource "scaleway_container_token" "t" {
  container_id = null
  description  = "say \"$${hi}\"\n"
  expires_at   = null
  namespace_id = scaleway_container_namespace.api.id
  region       = "fr-par"
}"#
        );
    }

    #[test]
    fn a_file_has_terraforms_header_and_one_comment_per_object() {
        let file = generated_file([("fr-par/1", "resource \"a\" \"b\" {\n}")]);
        assert_eq!(
            file,
            "# __generated__ by Terraform\n# Please review these resources and move them into your main configuration files.\n\n# __generated__ by Terraform from \"fr-par/1\"\nresource \"a\" \"b\" {\n}\n"
        );
        assert_eq!(crate::format::format_source(&file), file);
    }
}
