//! The language knowledge the `.tf.json` reader needs ([`JsonShape`]): which names are nested
//! blocks in each body (Terraform's block types, the schema's nested blocks) and how each
//! attribute reads its strings (templates, whole expressions such as `depends_on`, or literal
//! text such as a variable's `default`, which Terraform evaluates without a context).
//!
//! Depends on `parse` (the trait) and `schema`.

use crate::parse::{AttrMode, JsonBlock, JsonShape};
use crate::schema::{self, BlockSchema};

/// Terraform's configuration language over scwform's schemas.
#[derive(Debug, Clone, Copy, Default)]
pub struct TerraformShape;

/// Top-level block types and their label counts.
const TOP_LEVEL: &[(&str, usize)] = &[
    ("check", 1),
    ("data", 2),
    ("import", 0),
    ("locals", 0),
    ("module", 1),
    ("moved", 0),
    ("output", 1),
    ("provider", 1),
    ("removed", 0),
    ("resource", 2),
    ("terraform", 0),
    ("variable", 1),
];

impl TerraformShape {
    /// The schema block of the body at `path` inside a resource (below its top body).
    fn schema_block(resource: &JsonBlock, inner: &[JsonBlock]) -> Option<&'static BlockSchema> {
        let schema = schema::resource(resource.labels.first()?)?;
        let (first, rest) = inner.split_first()?;
        let mut block = schema.block(&first.kind)?;
        for b in rest {
            block = block.block(&b.kind)?;
        }
        Some(block)
    }
}

impl JsonShape for TerraformShape {
    fn block_labels(&self, path: &[JsonBlock], name: &str) -> Option<usize> {
        let kinds: Vec<&str> = path.iter().map(|b| b.kind.as_str()).collect();
        match kinds.as_slice() {
            [] => TOP_LEVEL.iter().find(|(k, _)| *k == name).map(|(_, n)| *n),
            ["resource" | "data"] | ["check", "data"] => {
                let resource = path.last()?;
                match name {
                    "lifecycle" | "connection" => Some(0),
                    "provisioner" => Some(1),
                    _ => {
                        let schema = schema::resource(resource.labels.first()?)?;
                        if name == "timeouts" && schema.timeouts.configurable {
                            return Some(0);
                        }
                        schema.block(name).map(|_| 0)
                    }
                }
            }
            ["resource" | "data", "lifecycle"] => {
                matches!(name, "precondition" | "postcondition").then_some(0)
            }
            ["resource" | "data", ..] => {
                let block = Self::schema_block(&path[0], &path[1..])?;
                block.block(name).map(|_| 0)
            }
            ["variable"] => (name == "validation").then_some(0),
            ["output"] => (name == "precondition").then_some(0),
            ["check"] => match name {
                "assert" => Some(0),
                "data" => Some(2),
                _ => None,
            },
            ["removed"] => match name {
                "lifecycle" | "connection" => Some(0),
                "provisioner" => Some(1),
                _ => None,
            },
            ["terraform"] => match name {
                "backend" | "provider_meta" => Some(1),
                "required_providers" | "cloud" | "encryption" => Some(0),
                _ => None,
            },
            ["terraform", "cloud"] => (name == "workspaces").then_some(0),
            ["terraform", "encryption"] => match name {
                "key_provider" | "method" => Some(2),
                "state" | "plan" | "remote_state_data_sources" => Some(0),
                _ => None,
            },
            ["terraform", "encryption", "state" | "plan"] => (name == "fallback").then_some(0),
            ["terraform", "encryption", "remote_state_data_sources"] => match name {
                "default" => Some(0),
                "remote_state_data_source" => Some(1),
                _ => None,
            },
            _ => None,
        }
    }

    fn attribute_mode(&self, path: &[JsonBlock], name: &str) -> AttrMode {
        let kinds: Vec<&str> = path.iter().map(|b| b.kind.as_str()).collect();
        match (kinds.as_slice(), name) {
            (["variable"], "default" | "description" | "sensitive" | "nullable")
            | (["output"], "description" | "sensitive")
            | (["module"], "source" | "version")
            | (["provider"], "alias")
            | (["terraform"], "required_version")
            | (["terraform", "required_providers"], _)
            | (["resource" | "data", "lifecycle"], "create_before_destroy" | "prevent_destroy") => {
                AttrMode::Literal
            }
            (["variable"], "type")
            | (["resource" | "data" | "output" | "module"], "depends_on")
            | (["resource" | "data"], "provider")
            | (["module"], "providers")
            | (["resource" | "data", "lifecycle"], "ignore_changes" | "replace_triggered_by")
            | (["moved" | "removed"], "from" | "to")
            | (["import"], "to" | "provider") => AttrMode::Expression,
            _ => AttrMode::Template,
        }
    }
}
