//! The settings of `terraform` blocks that scwform uses: the `backend` block and the
//! `encryption` block (OpenTofu's state and plan encryption), lowered to plain data.
//!
//! - `backend "TYPE" { … }`: its settings must be constant values (strings, numbers, bools), as
//!   in Terraform: references to variables, locals or resources are errors. At most one
//!   backend per configuration; a `cloud` block is refused (scwform has no HCP backend).
//! - `encryption { … }`: key providers, methods and targets as a tree of [`SettingsBlock`]s.
//!   Values may use variables and locals (OpenTofu's static evaluation); `key_provider.T.N` and
//!   `method.T.N` references are kept as references for the state layer to resolve. The same
//!   tree comes from the `TF_ENCRYPTION` environment variable ([`encryption_from_text`]).
//!
//! What the settings mean (backend types, key providers) is decided by the state layer, which
//! receives these blocks through the CLI; here only their shape and values are checked.
//!
//! Depends on `parse` (the syntax tree, and the parser for `TF_ENCRYPTION`), `diag` and the
//! sibling model modules.

use std::collections::BTreeMap;

use super::expr::{self, EvalContext};
use super::value::{Value, format_number};
use crate::diag::{Diagnostic, Diagnostics, SourceMap, Span};
use crate::parse::{self, ast};

/// The settings of a configuration's `terraform` blocks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TerraformSettings {
    /// The `backend` block, if any.
    pub backend: Option<BackendBlock>,
    /// The `encryption` block, if any.
    pub encryption: Option<SettingsBlock>,
}

/// `backend "TYPE" { name = value … }`. Its `Debug` shows the settings' names, never their
/// values (a `pg` connection string may hold a password).
#[derive(Clone, PartialEq)]
pub struct BackendBlock {
    /// The type label.
    pub kind: String,
    /// `backend "TYPE"`.
    pub span: Span,
    /// The settings, by name: constant values and where they are written.
    pub settings: BTreeMap<String, (serde_json::Value, Span)>,
}

impl std::fmt::Debug for BackendBlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackendBlock")
            .field("kind", &self.kind)
            .field("span", &self.span)
            .field("settings", &self.settings.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// A nested block of settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsBlock {
    /// The block type (`key_provider`, `method`, `state`...).
    pub kind: String,
    /// Its labels.
    pub labels: Vec<String>,
    /// The header (`key_provider "pbkdf2" "main"`).
    pub span: Span,
    /// Its attributes, in order.
    pub attributes: Vec<SettingsAttribute>,
    /// Its nested blocks, in order.
    pub blocks: Vec<Self>,
}

/// One attribute of a [`SettingsBlock`].
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsAttribute {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: SettingValue,
    /// Where it is written.
    pub span: Span,
}

/// The value of a setting. Its `Debug` shows values as `[REDACTED]`: an encryption block
/// holds passphrases.
#[derive(Clone, PartialEq)]
pub enum SettingValue {
    /// A value (sensitive marks removed: the whole block is treated as secret).
    Value(serde_json::Value),
    /// A reference to another block of the same tree: `key_provider.pbkdf2.main` is
    /// `["key_provider", "pbkdf2", "main"]`.
    Reference(Vec<String>),
    /// A value not known before apply (it refers to a resource): unusable here.
    Unknown,
}

impl std::fmt::Debug for SettingValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Value(_) => f.write_str("Value([REDACTED])"),
            Self::Reference(path) => f.debug_tuple("Reference").field(path).finish(),
            Self::Unknown => f.write_str("Unknown"),
        }
    }
}

impl SettingsBlock {
    /// The attribute `name`, if set.
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<&SettingsAttribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The nested blocks of type `kind`.
    pub fn blocks_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Self> + 'a {
        self.blocks.iter().filter(move |b| b.kind == kind)
    }
}

/// The roots an encryption setting may refer to without evaluating.
const BLOCK_REFERENCES: &[&str] = &["key_provider", "method"];

/// Lowers the `terraform` blocks, evaluating encryption settings with the configuration's
/// variables and locals.
pub fn lower(
    blocks: &[&ast::Block],
    variables: &indexmap::IndexMap<String, Value>,
    locals: &indexmap::IndexMap<String, Value>,
    diags: &mut Diagnostics,
) -> TerraformSettings {
    let mut settings = TerraformSettings::default();
    let statics = static_context(variables, locals);
    for block in blocks {
        if let Some(attr) = block
            .body
            .attributes()
            .find(|a| a.name.name == "required_version")
        {
            check_required_version(attr, diags);
        }
        for inner in block.body.blocks() {
            match inner.ident.name.as_str() {
                "backend" => backend(inner, &mut settings, diags),
                "cloud" => diags.push(
                    Diagnostic::error("scw::model::unsupported_backend", "Unsupported cloud block")
                        .with_primary(inner.ident.span, "not supported")
                        .with_detail("HCP Terraform (the `cloud` block) is not a backend scwform has; use a `backend \"pg\"` or `backend \"local\"` block."),
                ),
                "encryption" => {
                    if let Some(first) = &settings.encryption {
                        diags.push(
                            Diagnostic::error(
                                "scw::model::duplicate_encryption",
                                "Duplicate encryption configuration",
                            )
                            .with_primary(inner.ident.span, "second encryption block")
                            .with_label(first.span, "first one here"),
                        );
                    } else {
                        settings.encryption = Some(settings_block(inner, &statics, diags));
                    }
                }
                _ => {}
            }
        }
    }
    settings
}

/// `required_version = "…"`: a literal constraint string that the Terraform release scwform
/// follows ([`crate::version::TERRAFORM_VERSION`]) must satisfy, with Terraform's messages.
fn check_required_version(attr: &ast::Attribute, diags: &mut Diagnostics) {
    use crate::version::{ConstraintError, Constraints, TERRAFORM_VERSION, Version};
    let Some(text) = super::lower::literal_string(&attr.expr) else {
        diags.push(
            Diagnostic::error(
                "scw::model::invalid_version_constraint",
                "Invalid version constraint",
            )
            .with_primary(attr.expr.span, "not a literal string")
            .with_detail("A string literal is required, containing a valid version constraint."),
        );
        return;
    };
    match Constraints::parse(&text) {
        Ok(c) if c.allows(&Version::terraform()) => {}
        Ok(_) => diags.push(
            Diagnostic::error("scw::model::unsupported_terraform_version", "Unsupported Terraform Core version")
                .with_primary(attr.expr.span, format!("not satisfied by {TERRAFORM_VERSION}"))
                .with_detail(format!("This configuration does not support Terraform version {TERRAFORM_VERSION}. To proceed, either choose another supported Terraform version or update this version constraint. Version constraints are normally set for good reason, so updating the constraint may lead to other errors or unexpected behavior.")),
        ),
        Err(ConstraintError::Syntax) => diags.push(
            Diagnostic::error("scw::model::invalid_version_constraint", "Invalid version constraint")
                .with_primary(attr.expr.span, "not a version constraint")
                .with_detail("This string does not use correct version constraint syntax."),
        ),
        Err(ConstraintError::Prerelease(item)) => diags.push(
            Diagnostic::error("scw::model::invalid_version_constraint", "Invalid required_version constraint")
                .with_primary(attr.expr.span, "a prerelease version")
                .with_detail(format!("Prerelease version constraints are not supported: {item}. Remove the prerelease information from the constraint. Prerelease versions of terraform will match constraints using their version core only.")),
        ),
    }
}

/// The encryption configuration given in `TF_ENCRYPTION` (the body of an `encryption`
/// block, in HCL), added to `sources` as a file named `TF_ENCRYPTION` for diagnostics.
/// Values may be constants only (there are no variables in the environment).
///
/// # Errors
/// Syntax errors, and values that are not constants.
pub fn encryption_from_text(
    text: &str,
    sources: &mut SourceMap,
) -> Result<SettingsBlock, Diagnostics> {
    let id = sources.add("TF_ENCRYPTION".to_owned(), None, text.to_owned());
    let source = sources.file(id).text.clone();
    if source.trim_start().starts_with('{') {
        return Err(Diagnostic::error(
            "scw::model::encryption_json",
            "TF_ENCRYPTION in JSON syntax is not supported",
        )
        .with_detail("Give TF_ENCRYPTION in HCL syntax: the body of an encryption block (key_provider, method, state and plan blocks).")
        .into());
    }
    let file = parse::parse_source(&source, id)?;
    let mut diags = Diagnostics::new();
    let statics = EvalContext::new();
    let body = &file.body;
    let span = body.span;
    let block = SettingsBlock {
        kind: "encryption".to_owned(),
        labels: Vec::new(),
        span,
        attributes: body
            .attributes()
            .map(|a| attribute(a, &statics, &mut diags))
            .collect(),
        blocks: body
            .blocks()
            .map(|b| settings_block(b, &statics, &mut diags))
            .collect(),
    };
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(block)
    }
}

/// `TF_ENCRYPTION` (`over`) merged into the configuration's encryption block, as OpenTofu
/// merges them: a block of the same type and labels takes the environment's attributes over
/// its own (and merges its nested blocks the same way); other blocks are added.
#[must_use]
pub fn merge_encryption(base: Option<SettingsBlock>, over: SettingsBlock) -> SettingsBlock {
    match base {
        None => over,
        Some(mut base) => {
            merge_block(&mut base, over);
            base
        }
    }
}

fn merge_block(base: &mut SettingsBlock, over: SettingsBlock) {
    for attr in over.attributes {
        match base.attributes.iter_mut().find(|a| a.name == attr.name) {
            Some(slot) => *slot = attr,
            None => base.attributes.push(attr),
        }
    }
    for block in over.blocks {
        match base
            .blocks
            .iter_mut()
            .find(|b| b.kind == block.kind && b.labels == block.labels)
        {
            Some(slot) => merge_block(slot, block),
            None => base.blocks.push(block),
        }
    }
}

fn static_context(
    variables: &indexmap::IndexMap<String, Value>,
    locals: &indexmap::IndexMap<String, Value>,
) -> EvalContext<'static> {
    let object = |m: &indexmap::IndexMap<String, Value>| {
        Value::Object(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    };
    EvalContext::new()
        .with_variable("var", object(variables))
        .with_variable("local", object(locals))
}

fn header(block: &ast::Block) -> Span {
    super::lower::header_span(block)
}

fn backend(block: &ast::Block, settings: &mut TerraformSettings, diags: &mut Diagnostics) {
    let span = header(block);
    let [label] = block.labels.as_slice() else {
        diags.push(
            Diagnostic::error("scw::model::backend_labels", "Invalid backend block")
                .with_primary(span, "expected one label")
                .with_detail("A backend block has one label, its type: backend \"pg\" { … }."),
        );
        return;
    };
    if let Some(first) = &settings.backend {
        diags.push(
            Diagnostic::error(
                "scw::model::duplicate_backend",
                "Duplicate backend configuration",
            )
            .with_primary(span, "second backend block")
            .with_label(first.span, "first one here")
            .with_detail("A configuration can have only one backend block."),
        );
        return;
    }
    settings.backend = Some(BackendBlock {
        kind: label.value.clone(),
        span,
        settings: backend_settings(&block.body, diags),
    });
}

/// The settings of a backend block's body, or of a backend configuration file: attributes
/// with constant values (a backend is set up before anything is evaluated), no blocks.
fn backend_settings(
    body: &ast::Body,
    diags: &mut Diagnostics,
) -> BTreeMap<String, (serde_json::Value, Span)> {
    let mut values = BTreeMap::new();
    for attr in body.attributes() {
        let value = expr::eval(&attr.expr, &EvalContext::new())
            .ok()
            .and_then(|v| constant(&v));
        match value {
            Some(v) => {
                values.insert(attr.name.name.clone(), (v, attr.expr.span));
            }
            None => diags.push(
                Diagnostic::error("scw::model::backend_value", "Invalid backend setting")
                    .with_primary(attr.expr.span, "not a constant")
                    .with_detail(format!(
                        "The setting \"{}\" of a backend block must be a constant string, number or bool: a backend is set up before anything else is evaluated, so it cannot refer to variables, locals or resources.",
                        attr.name.name
                    )),
            ),
        }
    }
    for nested in body.blocks() {
        diags.push(
            Diagnostic::error("scw::model::backend_value", "Unexpected block in backend")
                .with_primary(nested.ident.span, "not expected here")
                .with_detail("Backend settings are attributes (name = value)."),
        );
    }
    values
}

/// The settings of a backend configuration file (`init -backend-config=FILE`, Terraform's
/// partial backend configuration: `name = value` lines, as in a backend block), added to
/// `sources` for its diagnostics.
///
/// # Errors
/// Syntax errors, blocks, and values that are not constants.
pub fn backend_settings_file(
    name: &str,
    path: &std::path::Path,
    text: String,
    sources: &mut SourceMap,
) -> Result<BTreeMap<String, (serde_json::Value, Span)>, Diagnostics> {
    let id = sources.add(name, Some(path), text);
    let text = sources.file(id).text.clone();
    let file = parse::parse_source(&text, id)?;
    let mut diags = Diagnostics::new();
    let values = backend_settings(&file.body, &mut diags);
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(values)
    }
}

/// A scalar value as JSON; `None` for anything else.
fn constant(value: &Value) -> Option<serde_json::Value> {
    let (value, _) = value.unmark();
    Some(match value {
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => serde_json::from_str(&format_number(n)).ok()?,
        _ => return None,
    })
}

fn settings_block(
    block: &ast::Block,
    statics: &EvalContext<'_>,
    diags: &mut Diagnostics,
) -> SettingsBlock {
    SettingsBlock {
        kind: block.ident.name.clone(),
        labels: block.labels.iter().map(|l| l.value.clone()).collect(),
        span: header(block),
        attributes: block
            .body
            .attributes()
            .map(|a| attribute(a, statics, diags))
            .collect(),
        blocks: block
            .body
            .blocks()
            .map(|b| settings_block(b, statics, diags))
            .collect(),
    }
}

fn attribute(
    attr: &ast::Attribute,
    statics: &EvalContext<'_>,
    diags: &mut Diagnostics,
) -> SettingsAttribute {
    let value = if let Some(path) = block_reference(&attr.expr) {
        SettingValue::Reference(path)
    } else {
        match expr::eval(&attr.expr, statics) {
            Ok(v) if v.contains_unknown() => SettingValue::Unknown,
            Ok(v) => SettingValue::Value(to_json(&v)),
            Err(d) => {
                diags.extend(d);
                SettingValue::Unknown
            }
        }
    };
    SettingsAttribute {
        name: attr.name.name.clone(),
        value,
        span: attr.expr.span,
    }
}

/// `key_provider.T.N` or `method.T.N` as its three names.
fn block_reference(expr: &ast::Expr) -> Option<Vec<String>> {
    let ast::ExprKind::Traversal { root, steps } = &expr.kind else {
        return None;
    };
    let ast::ExprKind::Variable(root) = &root.kind else {
        return None;
    };
    if !BLOCK_REFERENCES.contains(&root.name.as_str()) {
        return None;
    }
    let mut path = vec![root.name.clone()];
    for step in steps {
        let ast::StepKind::GetAttr(name) = &step.kind else {
            return None;
        };
        path.push(name.name.clone());
    }
    Some(path)
}

/// A known value as JSON (marks removed; the encryption block is secret as a whole).
fn to_json(value: &Value) -> serde_json::Value {
    let (value, _) = value.unmark();
    match value {
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(_) => constant(value).unwrap_or(serde_json::Value::Null),
        Value::List(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Value::Object(map) => {
            serde_json::Value::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
        _ => serde_json::Value::Null,
    }
}
