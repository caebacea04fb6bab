//! Override files (`override.tf`, `*_override.tf` and their `.tf.json` forms) merged into the
//! primary files, as Terraform merges them, before lowering.
//!
//! Override files are applied after every primary file, in name order, each block onto the
//! primary block it names:
//!
//! - `variable`: `type`, `default`, `description`, `sensitive`, `nullable` replace the base's;
//!   `validation` blocks are not merged (the base's stay).
//! - `locals`: each local replaces the base definition of the same name.
//! - `output`: `value`, `description`, `sensitive` replace the base's; `depends_on` cannot be
//!   overridden; conditions are not merged.
//! - `resource` / `data` / `module`: every argument replaces the base's (`count`, `for_each`,
//!   `provider`, `source`... included); a nested block type present in the override replaces
//!   all base blocks of that type; `lifecycle` settings (`create_before_destroy`,
//!   `prevent_destroy`, `ignore_changes`) replace the base's one by one; `depends_on` cannot
//!   be overridden.
//! - `provider`: merged like a resource body, matched by name and `alias`; a default
//!   (unaliased) configuration with no base is simply added.
//! - `terraform`: a `backend` or `cloud` block replaces the base's; the rest is added.
//! - `moved` blocks are refused; other blocks are added as if in a primary file.
//!
//! A block that overrides nothing in the primary files is an error (Terraform's "Missing …
//! to override" diagnostics, code `scw::model::missing_override_base`).
//!
//! Depends on `parse::ast` and `diag`.

use crate::diag::{Diagnostic, Diagnostics};
use crate::parse::ast::{self, Attribute, Block, Body, ExprKind, Structure};

/// Whether a configuration file name is an override file: its stem (without `.tf` or
/// `.tf.json`) is `override` or ends with `_override`.
#[must_use]
pub fn is_override_file(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = base
        .strip_suffix(".tf.json")
        .or_else(|| base.strip_suffix(".tf"));
    stem.is_some_and(|s| s == "override" || s.ends_with("_override"))
}

/// Merges `overrides` (in order) into `primary`. Blocks that are not merged into a primary
/// block (added ones, and anything lowering must still judge) go into one extra file
/// appended to `primary`.
pub fn merge(primary: &mut Vec<ast::File>, overrides: Vec<ast::File>, diags: &mut Diagnostics) {
    let mut extra: Vec<Structure> = Vec::new();
    let mut extra_id = None;
    for file in overrides {
        for item in file.body.items {
            let block = match item {
                Structure::Block(b) => b,
                attribute @ Structure::Attribute(_) => {
                    extra_id.get_or_insert(file.id);
                    extra.push(attribute);
                    continue;
                }
            };
            if let Some(added) = merge_block(primary, block, diags) {
                extra_id.get_or_insert(file.id);
                extra.push(Structure::Block(added));
            }
        }
    }
    if let Some(id) = extra_id {
        let span = extra
            .iter()
            .map(crate::parse::ast::Structure::span)
            .reduce(crate::diag::Span::to)
            .unwrap_or_default();
        primary.push(ast::File {
            id,
            body: Body { items: extra, span },
            comments: Vec::new(),
        });
    }
}

/// Merges one override block; returns it when it is to be added as is.
fn merge_block(primary: &mut [ast::File], over: Block, diags: &mut Diagnostics) -> Option<Block> {
    let kind = over.ident.name.as_str();
    match kind {
        "variable" | "output" | "resource" | "data" | "module" => {
            refuse_check_rules(&over, diags);
            let Some(base) = find_block(primary, kind, &over.labels) else {
                diags.push(missing_base(&over));
                return None;
            };
            match kind {
                "variable" => merge_attributes(base, &over, |_| true),
                "output" => {
                    refuse_depends_on(&over, diags);
                    merge_attributes(base, &over, |n| n != "depends_on");
                }
                _ => {
                    refuse_depends_on(&over, diags);
                    merge_attributes(base, &over, |n| n != "depends_on");
                    merge_blocks(base, &over);
                }
            }
            None
        }
        "locals" => {
            for a in over.body.attributes() {
                match find_local(primary, &a.name.name) {
                    Some(slot) => *slot = a.clone(),
                    None => diags.push(
                        Diagnostic::error(
                            "scw::model::missing_override_base",
                            "Missing base local value definition to override",
                        )
                        .with_primary(a.name.span, "not defined in a primary file")
                        .with_detail(format!("There is no local value named \"{}\". An override file can only override a local value that was already defined in a primary configuration file.", a.name.name)),
                    ),
                }
            }
            None
        }
        "provider" => {
            let alias = alias_of(&over);
            let base = primary
                .iter_mut()
                .flat_map(|f| f.body.items.iter_mut())
                .find_map(|s| match s {
                    Structure::Block(b)
                        if b.ident.name == "provider"
                            && b.labels.first().map(|l| &l.value)
                                == over.labels.first().map(|l| &l.value)
                            && alias_of(b) == alias =>
                    {
                        Some(b)
                    }
                    _ => None,
                });
            match (base, alias) {
                (Some(base), _) => {
                    merge_attributes(base, &over, |_| true);
                    merge_blocks(base, &over);
                    None
                }
                (None, None) => Some(over),
                (None, Some(alias)) => {
                    let name = over.labels.first().map_or("", |l| l.value.as_str());
                    diags.push(
                        Diagnostic::error(
                            "scw::model::missing_override_base",
                            "Missing base provider configuration for override",
                        )
                        .with_primary(crate::model::lower::header_span(&over), "no such configuration")
                        .with_detail(format!("There is no {name} provider configuration with the alias \"{alias}\". An override file can only override an aliased provider configuration that was already defined in a primary configuration file.")),
                    );
                    None
                }
            }
        }
        "terraform" => {
            let replaces = |k: &str| matches!(k, "backend" | "cloud");
            if over.body.blocks().any(|b| replaces(&b.ident.name)) {
                for base in primary
                    .iter_mut()
                    .flat_map(|f| f.body.items.iter_mut())
                    .filter_map(|s| match s {
                        Structure::Block(b) if b.ident.name == "terraform" => Some(b),
                        _ => None,
                    })
                {
                    base.body
                        .items
                        .retain(|s| !matches!(s, Structure::Block(b) if replaces(&b.ident.name)));
                }
            }
            Some(over)
        }
        "moved" => {
            diags.push(
                Diagnostic::error("scw::model::invalid_override", "Cannot override 'moved' blocks")
                    .with_primary(over.ident.span, "in an override file")
                    .with_detail("Records of moved objects can appear only in normal files, not in override files."),
            );
            None
        }
        _ => Some(over),
    }
}

fn missing_base(over: &Block) -> Diagnostic {
    let label = |i: usize| over.labels.get(i).map_or("", |l| l.value.as_str());
    let (summary, detail) = match over.ident.name.as_str() {
        "variable" => (
            "Missing base variable declaration to override",
            format!(
                "There is no variable named \"{}\". An override file can only override a variable that was already declared in a primary configuration file.",
                label(0)
            ),
        ),
        "output" => (
            "Missing base output definition to override",
            format!(
                "There is no output named \"{}\". An override file can only override an output that was already defined in a primary configuration file.",
                label(0)
            ),
        ),
        "module" => (
            "Missing module call to override",
            format!(
                "There is no module call named \"{}\". An override file can only override a module call that was defined in a primary configuration file.",
                label(0)
            ),
        ),
        "data" => (
            "Missing data resource to override",
            format!(
                "There is no {} data resource named \"{}\". An override file can only override a data block defined in a primary configuration file.",
                label(0),
                label(1)
            ),
        ),
        _ => (
            "Missing resource to override",
            format!(
                "There is no {} resource named \"{}\". An override file can only override a resource block defined in a primary configuration file.",
                label(0),
                label(1)
            ),
        ),
    };
    Diagnostic::error("scw::model::missing_override_base", summary)
        .with_primary(
            crate::model::lower::header_span(over),
            "not declared in a primary file",
        )
        .with_detail(detail)
}

/// `depends_on` in an override is an error unless it is empty (Terraform checks the length
/// of the list).
fn refuse_depends_on(over: &Block, diags: &mut Diagnostics) {
    let given = |a: &&Attribute| {
        a.name.name == "depends_on"
            && !matches!(&a.expr.kind, ExprKind::Tuple(items) if items.is_empty())
    };
    if let Some(a) = over.body.attributes().find(given) {
        diags.push(
            Diagnostic::error("scw::model::invalid_override", "Unsupported override")
                .with_primary(a.span, "cannot be overridden")
                .with_detail("The depends_on argument may not be overridden."),
        );
    }
}

/// Condition blocks (`validation`, `precondition`, `postcondition`) cannot be overridden.
fn refuse_check_rules(over: &Block, diags: &mut Diagnostics) {
    let lifecycles = over.body.blocks().filter(|b| b.ident.name == "lifecycle");
    let rules = over
        .body
        .blocks()
        .chain(lifecycles.flat_map(|l| l.body.blocks()))
        .filter(|b| {
            matches!(
                b.ident.name.as_str(),
                "validation" | "precondition" | "postcondition"
            )
        });
    for b in rules {
        diags.push(
            Diagnostic::error(
                "scw::model::invalid_override",
                format!("Can't override {} blocks", b.ident.name),
            )
            .with_primary(b.ident.span, "in an override file")
            .with_detail(format!(
                "Override files cannot override \"{}\" blocks.",
                b.ident.name
            )),
        );
    }
}

/// The first primary block of this type and labels.
fn find_block<'f>(
    primary: &'f mut [ast::File],
    kind: &str,
    labels: &[ast::BlockLabel],
) -> Option<&'f mut Block> {
    primary
        .iter_mut()
        .flat_map(|f| f.body.items.iter_mut())
        .find_map(|s| match s {
            Structure::Block(b)
                if b.ident.name == kind
                    && b.labels.len() == labels.len()
                    && b.labels.iter().zip(labels).all(|(a, b)| a.value == b.value) =>
            {
                Some(b)
            }
            _ => None,
        })
}

/// The primary definition of local `name`.
fn find_local<'f>(primary: &'f mut [ast::File], name: &str) -> Option<&'f mut Attribute> {
    primary
        .iter_mut()
        .flat_map(|f| f.body.items.iter_mut())
        .filter_map(|s| match s {
            Structure::Block(b) if b.ident.name == "locals" => Some(b),
            _ => None,
        })
        .flat_map(|b| b.body.items.iter_mut())
        .find_map(|s| match s {
            Structure::Attribute(a) if a.name.name == name => Some(a),
            _ => None,
        })
}

/// A provider block's `alias`, when it is a literal string.
fn alias_of(block: &Block) -> Option<String> {
    let a = block.body.attributes().find(|a| a.name.name == "alias")?;
    match &a.expr.kind {
        ExprKind::Template(t) => t.as_literal(),
        _ => None,
    }
}

/// Sets (replacing or adding) every attribute of `over` that `keep` accepts onto `base`.
fn merge_attributes(base: &mut Block, over: &Block, keep: impl Fn(&str) -> bool) {
    for a in over.body.attributes().filter(|a| keep(&a.name.name)) {
        set_attribute(&mut base.body, a.clone());
    }
}

fn set_attribute(body: &mut Body, attribute: Attribute) {
    let slot = body.items.iter_mut().find_map(|s| match s {
        Structure::Attribute(a) if a.name.name == attribute.name.name => Some(a),
        _ => None,
    });
    match slot {
        Some(a) => *a = attribute,
        None => body.items.push(Structure::Attribute(attribute)),
    }
}

/// Terraform's body merge for nested blocks: a block type present in `over` replaces every
/// base block of that type, except `lifecycle`, whose settings are merged one by one.
fn merge_blocks(base: &mut Block, over: &Block) {
    let mut replaced: Vec<&str> = Vec::new();
    for b in over.body.blocks() {
        if b.ident.name == "lifecycle" {
            merge_lifecycle(&mut base.body, b);
        } else if !replaced.contains(&b.ident.name.as_str()) {
            replaced.push(&b.ident.name);
        }
    }
    base.body
        .items
        .retain(|s| !matches!(s, Structure::Block(b) if replaced.contains(&b.ident.name.as_str())));
    for b in over.body.blocks() {
        if replaced.contains(&b.ident.name.as_str()) {
            base.body.items.push(Structure::Block(b.clone()));
        }
    }
}

fn merge_lifecycle(base: &mut Body, over: &Block) {
    const MERGED: [&str; 3] = ["create_before_destroy", "prevent_destroy", "ignore_changes"];
    let settings: Vec<&Attribute> = over
        .body
        .attributes()
        .filter(|a| MERGED.contains(&a.name.name.as_str()))
        .collect();
    if settings.is_empty() {
        return;
    }
    let existing = base.items.iter_mut().find_map(|s| match s {
        Structure::Block(b) if b.ident.name == "lifecycle" => Some(b),
        _ => None,
    });
    if let Some(lifecycle) = existing {
        for a in settings {
            set_attribute(&mut lifecycle.body, a.clone());
        }
    } else {
        let mut lifecycle = over.clone();
        lifecycle.body.items.retain(
            |s| matches!(s, Structure::Attribute(a) if MERGED.contains(&a.name.name.as_str())),
        );
        base.items.push(Structure::Block(lifecycle));
    }
}

#[cfg(test)]
mod tests {
    use super::{is_override_file, merge};
    use crate::diag::{Diagnostics, FileId};
    use crate::parse::{ast, parse_source};

    fn merged(base: &str, over: &str) -> (Vec<ast::File>, Diagnostics) {
        let mut files = vec![parse_source(base, FileId(0)).unwrap()];
        let mut diags = Diagnostics::new();
        merge(
            &mut files,
            vec![parse_source(over, FileId(1)).unwrap()],
            &mut diags,
        );
        (files, diags)
    }

    /// The attribute names and nested block types of the first block, in order, with the
    /// file each comes from.
    fn outline(files: &[ast::File]) -> Vec<String> {
        let block = files[0].body.blocks().next().unwrap();
        block
            .body
            .items
            .iter()
            .map(|s| match s {
                ast::Structure::Attribute(a) => format!("{}@{}", a.name.name, a.span.file.0),
                ast::Structure::Block(b) => {
                    let inner: Vec<String> = b
                        .body
                        .attributes()
                        .map(|a| format!("{}@{}", a.name.name, a.span.file.0))
                        .collect();
                    format!("{}{{{}}}", b.ident.name, inner.join(","))
                }
            })
            .collect()
    }

    #[test]
    fn a_resource_override_replaces_arguments_and_block_types_and_merges_lifecycle() {
        let (files, diags) = merged(
            "resource \"t\" \"a\" {\n  name = 1\n  count = 2\n  probe {\n    x = 1\n  }\n  probe {\n    x = 2\n  }\n  lifecycle {\n    prevent_destroy = true\n    ignore_changes = [name]\n  }\n}\n",
            "resource \"t\" \"a\" {\n  name = 3\n  tags = []\n  probe {\n    y = 1\n  }\n  lifecycle {\n    ignore_changes = []\n  }\n}\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(files.len(), 1);
        assert_eq!(
            outline(&files),
            [
                "name@1",
                "count@0",
                "lifecycle{prevent_destroy@0,ignore_changes@1}",
                "tags@1",
                "probe{y@1}"
            ]
        );
    }

    #[test]
    fn overriding_what_no_primary_file_declares_is_an_error() {
        for (over, summary) in [
            ("resource \"t\" \"b\" {}\n", "Missing resource to override"),
            ("data \"t\" \"b\" {}\n", "Missing data resource to override"),
            (
                "variable \"v\" {}\n",
                "Missing base variable declaration to override",
            ),
            (
                "provider \"p\" {\n  alias = \"x\"\n}\n",
                "Missing base provider configuration for override",
            ),
            ("moved {}\n", "Cannot override 'moved' blocks"),
            (
                "resource \"t\" \"a\" {\n  lifecycle {\n    precondition {}\n  }\n}\n",
                "Can't override precondition blocks",
            ),
        ] {
            let (_, diags) = merged("resource \"t\" \"a\" {}\n", over);
            assert_eq!(diags.0.len(), 1, "{over}: {diags:?}");
            assert_eq!(diags.0[0].summary, summary, "{over}");
        }
    }

    #[test]
    fn an_unaliased_provider_override_without_base_is_added() {
        let (files, diags) = merged("locals {\n  a = 1\n}\n", "provider \"p\" {\n  x = 1\n}\n");
        assert!(diags.is_empty());
        assert_eq!(files.len(), 2);
        assert_eq!(
            files[1].body.blocks().next().unwrap().ident.name,
            "provider"
        );
    }

    #[test]
    fn override_file_names_are_terraforms() {
        for name in [
            "override.tf",
            "override.tf.json",
            "a_override.tf",
            "dir/x_override.tf.json",
        ] {
            assert!(is_override_file(name), "{name}");
        }
        for name in [
            "main.tf",
            "overrides.tf",
            "override.tfvars",
            "myoverride.tf",
            "x_override.json",
        ] {
            assert!(!is_override_file(name), "{name}");
        }
    }
}
