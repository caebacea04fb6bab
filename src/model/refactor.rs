//! Refactoring blocks: `moved { from = A; to = B }` and `removed { from = A; lifecycle {
//! destroy = false } }`, read from the syntax tree into statements with static addresses.
//!
//! Addresses in these blocks are relative to the module that declares them, static (instance
//! keys are literals), and never reach into a parent module. Moves are unified as Terraform
//! unifies them (`UnifyMoveEndpoints`): when either side names an instance (`a[0]`,
//! `module.a["x"]`), both are instance addresses; otherwise both are whole resources or whole
//! module calls.
//!
//! Invariant: a [`MoveStatement`]'s two endpoints are of the same [`MoveKind`] (a resource
//! address on both sides, or a module address on both sides).
//!
//! Depends on `parse::ast`, `addr` and `diag` only.

use crate::addr::{InstanceKey, ModuleStep};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::parse::ast::{Attribute, Block, Expr, ExprKind, StepKind, Structure, TemplatePart};

/// What a move endpoint names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveKind {
    /// `module.a` on both sides: every instance of the call, keys kept.
    ModuleCall,
    /// `module.a[0]` (or one keyed side): one module instance.
    ModuleInstance,
    /// `TYPE.NAME` on both sides: every instance of the resource, keys kept.
    Resource,
    /// `TYPE.NAME[KEY]` (or one keyed side): one resource instance.
    ResourceInstance,
}

/// The resource part of an address in a refactoring block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointResource {
    /// The resource type.
    pub type_name: String,
    /// The resource name.
    pub name: String,
    /// The instance key, when written.
    pub key: Option<InstanceKey>,
}

/// A `from` or `to` address, relative to the module declaring the block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The module calls leading to the object (`module.a["x"].module.b`), possibly none.
    pub calls: Vec<ModuleStep>,
    /// The resource, absent when the address names a module.
    pub resource: Option<EndpointResource>,
}

impl Endpoint {
    /// The address as written relative to its module (`module.a.scaleway_x.y[0]`).
    #[must_use]
    pub fn relative(&self) -> String {
        let mut parts: Vec<String> = self
            .calls
            .iter()
            .map(|s| match &s.key {
                Some(k) => format!("module.{}{k}", s.name),
                None => format!("module.{}", s.name),
            })
            .collect();
        if let Some(r) = &self.resource {
            let key = r.key.as_ref().map(ToString::to_string).unwrap_or_default();
            parts.push(format!("{}.{}{key}", r.type_name, r.name));
        }
        parts.join(".")
    }
}

/// A `moved` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveStatement {
    /// The calls (without keys) from the root module to the declaring module: empty for the
    /// root module. Every instance of that module applies the move.
    pub module: Vec<String>,
    /// The old address.
    pub from: Endpoint,
    /// The new address.
    pub to: Endpoint,
    /// What both endpoints name.
    pub kind: MoveKind,
    /// The block's header.
    pub span: Span,
}

impl MoveStatement {
    /// The declaring module with its instance keys as `[*]`, then `addr`: Terraform's text of
    /// an endpoint in a module (`module.a[*].x.y`).
    #[must_use]
    pub fn display(&self, endpoint: &Endpoint) -> String {
        let mut text = String::new();
        for m in &self.module {
            text.push_str("module.");
            text.push_str(m);
            text.push('.');
        }
        text.push_str(&endpoint.relative());
        text
    }
}

/// A `removed` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveStatement {
    /// The calls (without keys) from the root module to the declaring module.
    pub module: Vec<String>,
    /// The module calls (no keys) leading to what is removed.
    pub calls: Vec<String>,
    /// The resource removed (type, name); absent when a whole module call is removed.
    pub resource: Option<(String, String)>,
    /// `lifecycle { destroy = ... }` (true when absent, as in Terraform 1.7+).
    pub destroy: bool,
    /// The block's header.
    pub span: Span,
}

impl RemoveStatement {
    /// The removed address from the root (`module.a.scaleway_x.y`, `module.a`).
    #[must_use]
    pub fn display(&self) -> String {
        let mut parts: Vec<String> = self
            .module
            .iter()
            .chain(&self.calls)
            .map(|m| format!("module.{m}"))
            .collect();
        if let Some((t, n)) = &self.resource {
            parts.push(format!("{t}.{n}"));
        }
        parts.join(".")
    }
}

/// One step of an address written in a refactoring block.
enum Part<'a> {
    Name(&'a str, Span),
    Key(InstanceKey),
}

/// Why an address cannot be read, with where.
type Invalid = (Span, String);

/// The parts of a static traversal (`a.b["k"][0]`).
fn parts(expr: &Expr) -> Result<Vec<Part<'_>>, Invalid> {
    let not_static = |span: Span| {
        (
            span,
            "A static address is required: a sequence of names and literal instance keys, as in scaleway_container.main[\"blue\"] or module.app.scaleway_container.main.".to_owned(),
        )
    };
    let (root, steps) = match &expr.kind {
        ExprKind::Variable(i) => return Ok(vec![Part::Name(&i.name, i.span)]),
        ExprKind::Traversal { root, steps } => (root, steps),
        _ => return Err(not_static(expr.span)),
    };
    let ExprKind::Variable(first) = &root.kind else {
        return Err(not_static(root.span));
    };
    let mut out = vec![Part::Name(&first.name, first.span)];
    for step in steps {
        match &step.kind {
            StepKind::GetAttr(n) => out.push(Part::Name(&n.name, n.span)),
            StepKind::LegacyIndex(i) => {
                out.push(Part::Key(InstanceKey::Int(
                    i64::try_from(*i).map_err(|_| not_static(step.span))?,
                )));
            }
            StepKind::Index(k) => out.push(Part::Key(literal_key(k).ok_or_else(|| {
                (
                    k.span,
                    "An instance key must be a literal string or whole number.".to_owned(),
                )
            })?)),
            StepKind::Splat { .. } => return Err(not_static(step.span)),
        }
    }
    Ok(out)
}

/// A literal instance key: a whole number or a string without interpolation.
fn literal_key(expr: &Expr) -> Option<InstanceKey> {
    match &expr.kind {
        ExprKind::Number(n) if n.is_integer() => n.to_i64().map(InstanceKey::Int),
        ExprKind::Template(t) if t.heredoc.is_none() => {
            let mut text = String::new();
            for part in &t.parts {
                match part {
                    TemplatePart::Literal { value, .. } => text.push_str(value),
                    _ => return None,
                }
            }
            Some(InstanceKey::Str(text))
        }
        _ => None,
    }
}

/// Reads an address of a refactoring block: `[module.NAME[KEY].]…[TYPE.NAME[KEY]]`.
fn endpoint(expr: &Expr) -> Result<Endpoint, Invalid> {
    let parts = parts(expr)?;
    let mut calls = Vec::new();
    let mut i = 0;
    while let Some(Part::Name("module", span)) = parts.get(i) {
        let Some(Part::Name(name, _)) = parts.get(i + 1) else {
            return Err((
                *span,
                "Prefix \"module.\" must be followed by a module name.".to_owned(),
            ));
        };
        let key = match parts.get(i + 2) {
            Some(Part::Key(k)) => {
                i += 1;
                Some(k.clone())
            }
            _ => None,
        };
        calls.push(ModuleStep {
            name: (*name).to_owned(),
            key,
        });
        i += 2;
    }
    let rest = &parts[i..];
    let resource = match rest {
        [] => None,
        [Part::Name("data", span), ..] => {
            return Err((
                *span,
                "Data sources are not objects that can be moved or removed: only managed resources and modules are.".to_owned(),
            ));
        }
        [Part::Name(t, _), Part::Name(n, _)] => Some(EndpointResource {
            type_name: (*t).to_owned(),
            name: (*n).to_owned(),
            key: None,
        }),
        [Part::Name(t, _), Part::Name(n, _), Part::Key(k)] => Some(EndpointResource {
            type_name: (*t).to_owned(),
            name: (*n).to_owned(),
            key: Some(k.clone()),
        }),
        [Part::Name(_, span)] => {
            return Err((
                *span,
                "Resource specification must include a resource type and name.".to_owned(),
            ));
        }
        _ => {
            return Err((
                expr.span,
                "Unexpected extra operators after address.".to_owned(),
            ));
        }
    };
    Ok(Endpoint { calls, resource })
}

/// The kind both endpoints are unified to, or `None` when one names a resource and the other
/// a module.
fn unify(from: &Endpoint, to: &Endpoint) -> Option<MoveKind> {
    match (&from.resource, &to.resource) {
        (Some(a), Some(b)) => Some(if a.key.is_some() || b.key.is_some() {
            MoveKind::ResourceInstance
        } else {
            MoveKind::Resource
        }),
        (None, None) => {
            let keyed = |e: &Endpoint| e.calls.last().is_some_and(|s| s.key.is_some());
            if from.calls.is_empty() || to.calls.is_empty() {
                return None;
            }
            Some(if keyed(from) || keyed(to) {
                MoveKind::ModuleInstance
            } else {
                MoveKind::ModuleCall
            })
        }
        _ => None,
    }
}

fn header(block: &Block) -> Span {
    super::lower::header_span(block)
}

fn address_error(diags: &mut Diagnostics, (span, detail): Invalid) {
    diags.push(
        Diagnostic::error("scw::model::invalid_address", "Invalid address")
            .with_primary(span, "not a valid address here")
            .with_detail(detail),
    );
}

/// `from` and `to`, each required once; anything else is refused.
fn arguments<'a>(
    block: &'a Block,
    what: &str,
    allowed_blocks: &[&str],
    diags: &mut Diagnostics,
) -> (Option<&'a Attribute>, Option<&'a Attribute>) {
    let (mut from, mut to) = (None, None);
    for item in &block.body.items {
        match item {
            Structure::Attribute(a) => match a.name.name.as_str() {
                "from" if from.is_none() => from = Some(a),
                "to" if to.is_none() && what == "moved" => to = Some(a),
                "from" | "to" if what == "moved" || a.name.name == "from" => diags.push(
                    Diagnostic::error("scw::model::duplicate_attribute", "Attribute redefined")
                        .with_primary(a.name.span, "defined again")
                        .with_detail(format!(
                            "The argument \"{}\" was already set. Each argument may be set only once.",
                            a.name.name
                        )),
                ),
                other => diags.push(
                    Diagnostic::error("scw::model::unsupported_argument", "Unsupported argument")
                        .with_primary(a.name.span, "not expected here")
                        .with_detail(format!(
                            "An argument named \"{other}\" is not expected here: a {what} block takes {}.",
                            if what == "moved" { "from and to" } else { "from and a lifecycle block" }
                        )),
                ),
            },
            Structure::Block(b) if allowed_blocks.contains(&b.ident.name.as_str()) => {}
            Structure::Block(b) => diags.push(
                Diagnostic::error("scw::model::unsupported_block", "Unsupported block type")
                    .with_primary(b.ident.span, "unknown block type")
                    .with_detail(format!(
                        "Blocks of type \"{}\" are not expected in a {what} block.",
                        b.ident.name
                    )),
            ),
        }
    }
    let mut required = vec![("from", from.is_some())];
    if what == "moved" {
        required.push(("to", to.is_some()));
    }
    for (name, present) in required {
        if !present {
            diags.push(
                Diagnostic::error("scw::model::missing_argument", "Missing required argument")
                    .with_primary(header(block), format!("\"{name}\" is required"))
                    .with_detail(format!(
                        "The argument \"{name}\" is required, but no definition was found."
                    )),
            );
        }
    }
    (from, to)
}

/// Reads a `moved` block (labels already checked by the caller).
pub fn moved(block: &Block, diags: &mut Diagnostics) -> Option<MoveStatement> {
    let (from, to) = arguments(block, "moved", &[], diags);
    let (from, to) = (from?, to?);
    let ends = (endpoint(&from.expr), endpoint(&to.expr));
    let (from, to) = match ends {
        (Ok(f), Ok(t)) => (f, t),
        (f, t) => {
            for e in [f.err(), t.err()].into_iter().flatten() {
                address_error(diags, e);
            }
            return None;
        }
    };
    let Some(kind) = unify(&from, &to) else {
        diags.push(
            Diagnostic::error(
                "scw::model::invalid_moved",
                "Invalid \"moved\" addresses",
            )
            .with_primary(header(block), "from and to differ in kind")
            .with_detail("The \"from\" and \"to\" addresses must either both refer to resources or both refer to modules."),
        );
        return None;
    };
    Some(MoveStatement {
        module: Vec::new(),
        from,
        to,
        kind,
        span: header(block),
    })
}

/// Reads a `removed` block (labels already checked by the caller).
pub fn removed(block: &Block, diags: &mut Diagnostics) -> Option<RemoveStatement> {
    let (from, _) = arguments(block, "removed", &["lifecycle"], diags);
    let mut destroy = true;
    for b in block.body.blocks() {
        for item in &b.body.items {
            match item {
                Structure::Attribute(a) if a.name.name == "destroy" => match &a.expr.kind {
                    ExprKind::Bool(v) => destroy = *v,
                    _ => diags.push(
                        Diagnostic::error("scw::model::invalid_removed", "Invalid lifecycle destroy")
                            .with_primary(a.expr.span, "expected true or false")
                            .with_detail("The destroy argument of a removed block's lifecycle must be the literal true or false."),
                    ),
                },
                Structure::Attribute(a) => diags.push(
                    Diagnostic::error("scw::model::unsupported_argument", "Unsupported argument")
                        .with_primary(a.name.span, "not expected here")
                        .with_detail(format!(
                            "An argument named \"{}\" is not expected here: the lifecycle block of a removed block takes destroy only.",
                            a.name.name
                        )),
                ),
                Structure::Block(inner) => diags.push(
                    Diagnostic::error("scw::model::unsupported_block", "Unsupported block type")
                        .with_primary(inner.ident.span, "unknown block type")
                        .with_detail(format!(
                            "Blocks of type \"{}\" are not expected in the lifecycle block of a removed block.",
                            inner.ident.name
                        )),
                ),
            }
        }
    }
    let from = from?;
    let ep = match endpoint(&from.expr) {
        Ok(e) => e,
        Err(e) => {
            address_error(diags, e);
            return None;
        }
    };
    if ep.resource.as_ref().is_some_and(|r| r.key.is_some()) {
        diags.push(
            Diagnostic::error("scw::model::invalid_removed", "Resource instance keys not allowed")
                .with_primary(from.expr.span, "instance keys are not allowed here")
                .with_detail("Resource address must be a resource (e.g. \"test_instance.foo\"), not a resource instance (e.g. \"test_instance.foo[1]\")."),
        );
        return None;
    }
    if ep.calls.iter().any(|c| c.key.is_some()) {
        diags.push(
            Diagnostic::error("scw::model::invalid_removed", "Module instance keys not allowed")
                .with_primary(from.expr.span, "instance keys are not allowed here")
                .with_detail("Module address must be a module (e.g. \"module.foo\"), not a module instance (e.g. \"module.foo[1]\")."),
        );
        return None;
    }
    Some(RemoveStatement {
        module: Vec::new(),
        calls: ep.calls.into_iter().map(|c| c.name).collect(),
        resource: ep.resource.map(|r| (r.type_name, r.name)),
        destroy,
        span: header(block),
    })
}

/// The `moved` and `removed` blocks of `root` and of every module it calls (each module
/// once, however many instances it has), with their module paths; a `removed` block whose
/// resource or module call is still declared is an error, as in Terraform.
pub fn collect(
    root: &super::lower::Module<'_>,
    diags: &mut Diagnostics,
) -> (Vec<MoveStatement>, Vec<RemoveStatement>) {
    let mut moves = Vec::new();
    let mut removals = Vec::new();
    collect_into(root, &mut Vec::new(), &mut moves, &mut removals, diags);
    (moves, removals)
}

fn collect_into(
    module: &super::lower::Module<'_>,
    path: &mut Vec<String>,
    moves: &mut Vec<MoveStatement>,
    removals: &mut Vec<RemoveStatement>,
    diags: &mut Diagnostics,
) {
    for m in &module.moves {
        moves.push(MoveStatement {
            module: path.clone(),
            ..m.clone()
        });
    }
    for r in &module.removals {
        let r = RemoveStatement {
            module: path.clone(),
            ..r.clone()
        };
        // The module the removed object would be declared in (for a module, its caller).
        let (parent_calls, last_call) = match &r.resource {
            Some(_) => (&r.calls[..], None),
            None => (&r.calls[..r.calls.len().saturating_sub(1)], r.calls.last()),
        };
        let mut declaring = Some(module);
        for call in parent_calls {
            declaring = declaring
                .and_then(|m| m.children.get(call.as_str()))
                .map(|c| &c.module);
        }
        let still = declaring.is_some_and(|m| match (&r.resource, last_call) {
            (Some((t, n)), _) => m.resources.contains_key(&(t.as_str(), n.as_str())),
            (None, Some(call)) => m.calls.contains_key(call.as_str()),
            (None, None) => false,
        });
        if still {
            let (summary, label) = match &r.resource {
                Some(_) => ("Removed resource still exists", "resource still declared"),
                None => ("Removed module still exists", "module still called"),
            };
            diags.push(
                Diagnostic::error("scw::model::removed_still_declared", summary)
                    .with_primary(r.span, label)
                    .with_detail(format!(
                        "This statement declares that {} was removed, but it is still declared in configuration.",
                        r.display()
                    )),
            );
            continue;
        }
        removals.push(r);
    }
    for (name, child) in &module.children {
        path.push((*name).to_owned());
        collect_into(&child.module, path, moves, removals, diags);
        path.pop();
    }
}
