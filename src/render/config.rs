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
use crate::schema::{
    AttributeSchema, BlockSchema, Constraint, RawAttributes, ResourceSchema, Validation,
};

/// The first line of a generated file, as Terraform writes it.
pub const FILE_HEADER: &str = "# __generated__ by Terraform\n# Please review these resources and move them into your main configuration files.\n";

/// Writes an argument's value as an expression (a reference) instead of a literal: given the
/// argument's schema and its recorded value, `Some("scaleway_x.y.id")` or `None` for the
/// literal.
pub type Referencer<'a> = &'a dyn Fn(&AttributeSchema, &Json) -> Option<String>;

/// The `resource "TYPE" "NAME" { ... }` block for an object recorded with `attributes`,
/// formatted, without a final newline (Terraform's `generated_config`).
///
/// `provider` is the provider configuration the object is read through when it is not the
/// type's default one (`scaleway.par`, from an import block's `provider`): Terraform writes it
/// as the block's first line, `provider = scaleway.par`, aligned with the arguments.
#[must_use]
pub fn resource_block(
    schema: &ResourceSchema,
    name: &str,
    attributes: &RawAttributes,
    provider: Option<&str>,
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
    if let Some(provider) = provider {
        let _ = writeln!(text, "  provider = {provider}");
    }
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

/// One object of a discovered configuration ([`discovered`]).
#[derive(Debug, Clone, Copy)]
pub struct Object<'a> {
    /// Its type's schema.
    pub schema: &'static ResourceSchema,
    /// Its ID, as an import takes it.
    pub id: &'a str,
    /// Its attributes in state form.
    pub attributes: &'a RawAttributes,
}

/// An object that discovered objects refer to but that is not of a managed type (a function,
/// which function tokens may be scoped to): it has no `resource` block, so an argument naming
/// it stays its literal ID, followed by a comment that says what it is.
#[derive(Debug, Clone, Copy)]
pub struct Unmanaged<'a> {
    /// Its Terraform type (`scaleway_function`).
    pub type_name: &'a str,
    /// Its ID, as an argument naming it records it (`{region}/{uuid}`).
    pub id: &'a str,
    /// Its name.
    pub name: &'a str,
}

/// One file of a discovered configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFile {
    /// Its name (`container.tf`, `imports.tf`).
    pub name: String,
    /// Its text, formatted.
    pub text: String,
}

/// The first line of each file `import --discover` writes.
const DISCOVERED_HEADER: &str = "# __generated__ by scwform import --discover\n";

/// The configuration `import --discover` writes for `objects`: one file per type
/// (`container.tf` for `scaleway_container`…) holding a `resource` block per object, as
/// [`resource_block`] writes it, and `imports.tf` with an `import` block per object.
///
/// - Names come from the objects' names (`name`, else `description`, else the parent's name,
///   else the type's last word), lower-cased, with `_` for anything but letters and digits;
///   a name taken already within the type gets `_2`, `_3`… in the order of (name, ID), so the
///   result depends only on the objects.
/// - An argument that names another object (the schema validates it as a UUID or a regional
///   ID: `project_id`, `namespace_id`, `container_id`…) whose ID is among `objects` is written
///   as a reference to it (`scaleway_container_namespace.api.id`), so the configuration says
///   what depends on what. One that names an [`Unmanaged`] object (a function token's
///   `function_id`) stays its literal ID, with a comment naming it: `"fr-par/…" #
///   scaleway_function "hello", not managed by scwform`.
/// - Secrets are never written (sensitive arguments are `null # sensitive`; computed secrets
///   are not arguments).
#[must_use]
pub fn discovered(objects: &[Object<'_>], unmanaged: &[Unmanaged<'_>]) -> Vec<ConfigFile> {
    let names = resource_names(objects, unmanaged);
    let addr_by_id: std::collections::HashMap<String, String> = objects
        .iter()
        .zip(&names)
        .map(|(o, n)| {
            (
                o.id.to_ascii_lowercase(),
                format!("{}.{n}", o.schema.type_name),
            )
        })
        .collect();
    let refer = |a: &AttributeSchema, v: &Json| {
        if !names_an_object(a) {
            return None;
        }
        let id = v.as_str()?.to_ascii_lowercase();
        if let Some(addr) = addr_by_id.get(&id) {
            return Some(format!("{addr}.id"));
        }
        let other = unmanaged.iter().find(|u| u.id.eq_ignore_ascii_case(&id))?;
        let mut text = String::new();
        literal(&mut text, v);
        let _ = write!(
            text,
            " # {} {}, not managed by scwform",
            other.type_name,
            hcl_quoted(other.name)
        );
        Some(text)
    };
    let mut order: Vec<usize> = (0..objects.len()).collect();
    order.sort_by(|&a, &b| {
        (objects[a].schema.type_name, &names[a]).cmp(&(objects[b].schema.type_name, &names[b]))
    });
    let mut files: Vec<ConfigFile> = Vec::new();
    let mut imports = DISCOVERED_HEADER.to_owned();
    for i in order {
        let o = objects[i];
        let file = format!(
            "{}.tf",
            o.schema
                .type_name
                .strip_prefix("scaleway_")
                .unwrap_or(o.schema.type_name)
        );
        if files.last().is_none_or(|f| f.name != file) {
            files.push(ConfigFile {
                name: file,
                text: DISCOVERED_HEADER.to_owned(),
            });
        }
        let block = resource_block(o.schema, &names[i], o.attributes, None, Some(&refer));
        if let Some(f) = files.last_mut() {
            let _ = write!(f.text, "\n{block}\n");
        }
        let _ = write!(
            imports,
            "\nimport {{\n  to = {}.{}\n  id = {}\n}}\n",
            o.schema.type_name,
            names[i],
            hcl_quoted(o.id)
        );
    }
    files.push(ConfigFile {
        name: "imports.tf".to_owned(),
        text: crate::format::format_source(&imports),
    });
    files
}

/// Whether an argument names another object: the schema checks it as a UUID or a regional ID.
fn names_an_object(a: &AttributeSchema) -> bool {
    matches!(
        a.validation,
        Some(Validation::Uuid | Validation::UuidOrRegional)
    )
}

/// Each object's resource name (see [`discovered`]).
fn resource_names(objects: &[Object<'_>], unmanaged: &[Unmanaged<'_>]) -> Vec<String> {
    let own = |o: &Object<'_>| {
        ["name", "description"].iter().find_map(|k| {
            o.attributes
                .get(*k)
                .and_then(Json::as_str)
                .map(identifier)
                .filter(|s| !s.is_empty())
        })
    };
    let index_by_id: std::collections::HashMap<String, usize> = objects
        .iter()
        .enumerate()
        .map(|(i, o)| (o.id.to_ascii_lowercase(), i))
        .collect();
    let last_word = |o: &Object<'_>| {
        o.schema
            .type_name
            .rsplit('_')
            .next()
            .unwrap_or(o.schema.type_name)
            .to_owned()
    };
    let own_names: Vec<Option<String>> = objects.iter().map(own).collect();
    let mut names = vec![String::new(); objects.len()];
    let mut used = BTreeSet::new();
    // Objects with a name of their own first, then the others after their parents' names.
    let with_own: Vec<usize> = (0..objects.len())
        .filter(|&i| own_names[i].is_some())
        .collect();
    let bases: Vec<String> = own_names
        .iter()
        .map(|n| n.clone().unwrap_or_default())
        .collect();
    assign(objects, &with_own, &bases, &mut names, &mut used);
    let unnamed: Vec<usize> = (0..objects.len())
        .filter(|&i| own_names[i].is_none())
        .collect();
    let mut bases = bases;
    for &i in &unnamed {
        let o = &objects[i];
        // The parent's name: the first argument naming an object that is here (discovered, or
        // known by name only, as a token's function).
        bases[i] = o
            .schema
            .attributes
            .iter()
            .filter(|a| names_an_object(a))
            .filter_map(|a| o.attributes.get(a.name)?.as_str())
            .find_map(|id| {
                if let Some(&p) = index_by_id.get(&id.to_ascii_lowercase()) {
                    return Some(names[p].clone());
                }
                unmanaged
                    .iter()
                    .find(|u| u.id.eq_ignore_ascii_case(id))
                    .map(|u| identifier(u.name))
            })
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| last_word(o));
    }
    assign(objects, &unnamed, &bases, &mut names, &mut used);
    names
}

/// Gives each of `indices` its base name, or the first of `base_2`, `base_3`… not taken within
/// its type, in the order of (type, base, ID).
fn assign(
    objects: &[Object<'_>],
    indices: &[usize],
    bases: &[String],
    names: &mut [String],
    used: &mut BTreeSet<(&'static str, String)>,
) {
    let mut order = indices.to_vec();
    order.sort_by(|&a, &b| {
        (objects[a].schema.type_name, &bases[a], objects[a].id).cmp(&(
            objects[b].schema.type_name,
            &bases[b],
            objects[b].id,
        ))
    });
    for i in order {
        let ty = objects[i].schema.type_name;
        let mut name = bases[i].clone();
        let mut n = 2;
        while used.contains(&(ty, name.clone())) {
            name = format!("{}_{n}", bases[i]);
            n += 1;
        }
        used.insert((ty, name.clone()));
        names[i] = name;
    }
}

/// `text` as a resource name: lower-case letters, digits and single `_`s, starting with a
/// letter or `_` (empty when `text` has no letter or digit).
fn identifier(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
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
            None,
        );
        assert_eq!(both, "resource \"x_pair\" \"x\" {\n  a = \"1\"\n  c = 1\n}");
        let second = resource_block(
            &PAIR,
            "x",
            &attrs(json!({"a": "", "b": "2", "d": 2})),
            None,
            None,
        );
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
            None,
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

    #[test]
    fn discovered_names_are_unique_identifiers_and_references_replace_ids() {
        let project =
            attrs(json!({"id": "11111111-1111-1111-1111-111111111111", "name": "My Project!"}));
        let ns_a = attrs(
            json!({"id": "fr-par/22222222-2222-2222-2222-222222222222", "name": "api",
                               "project_id": "11111111-1111-1111-1111-111111111111", "region": "fr-par"}),
        );
        let ns_b = attrs(
            json!({"id": "fr-par/33333333-3333-3333-3333-333333333333", "name": "API",
                               "project_id": "44444444-4444-4444-4444-444444444444", "region": "fr-par"}),
        );
        let token = attrs(json!({"id": "fr-par/55555555-5555-5555-5555-555555555555",
                                "namespace_id": "fr-par/33333333-3333-3333-3333-333333333333",
                                "container_id": "", "description": "", "token": "s3cret"}));
        let objects = [
            Object {
                schema: schema("scaleway_container_token"),
                id: "fr-par/55555555-5555-5555-5555-555555555555",
                attributes: &token,
            },
            Object {
                schema: schema("scaleway_container_namespace"),
                id: "fr-par/33333333-3333-3333-3333-333333333333",
                attributes: &ns_b,
            },
            Object {
                schema: schema("scaleway_container_namespace"),
                id: "fr-par/22222222-2222-2222-2222-222222222222",
                attributes: &ns_a,
            },
            Object {
                schema: schema("scaleway_account_project"),
                id: "11111111-1111-1111-1111-111111111111",
                attributes: &project,
            },
        ];
        let files = discovered(&objects, &[]);
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "account_project.tf",
                "container_namespace.tf",
                "container_token.tf",
                "imports.tf"
            ]
        );
        let text = |n: &str| {
            files
                .iter()
                .find(|f| f.name == n)
                .map(|f| f.text.clone())
                .unwrap_or_default()
        };
        assert!(
            text("account_project.tf")
                .contains("resource \"scaleway_account_project\" \"my_project\" {")
        );
        let namespaces = text("container_namespace.tf");
        // Same name twice: the second by ID gets a suffix; a project not discovered stays literal.
        assert!(
            namespaces
                .contains("resource \"scaleway_container_namespace\" \"api\" {\n  description")
        );
        assert!(namespaces.contains("\"api_2\""));
        assert!(
            namespaces
                .contains("project_id                   = scaleway_account_project.my_project.id"),
            "{namespaces}"
        );
        assert!(namespaces.contains("\"44444444-4444-4444-4444-444444444444\""));
        let tokens = text("container_token.tf");
        // No name of its own: its parent's.
        assert!(
            tokens.contains("resource \"scaleway_container_token\" \"api_2\" {"),
            "{tokens}"
        );
        assert!(
            tokens.contains("namespace_id = scaleway_container_namespace.api_2.id"),
            "{tokens}"
        );
        assert!(!tokens.contains("s3cret"));
        assert!(text("imports.tf").contains("import {\n  to = scaleway_container_token.api_2\n  id = \"fr-par/55555555-5555-5555-5555-555555555555\"\n}"));
        for f in &files {
            assert_eq!(crate::format::format_source(&f.text), f.text, "{}", f.name);
        }
        assert_eq!(discovered(&objects, &[]), files, "deterministic");
    }

    #[test]
    fn identifiers_from_any_name() {
        assert_eq!(identifier("My Project!"), "my_project");
        assert_eq!(identifier("web-front.v2"), "web_front_v2");
        assert_eq!(identifier("2048"), "_2048");
        assert_eq!(identifier("--"), "");
        assert_eq!(identifier("Été"), "t");
    }
}
