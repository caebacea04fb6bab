//! References: which named things an expression reads.
//!
//! [`collect`] walks an expression and lists every reference it makes (`var.x`, `local.x`,
//! `TYPE.NAME[...].attr`, `module.NAME[...].output`, `count.index`, `each.key`/`each.value`, `path.module`,
//! `terraform.workspace`) with its span. Names bound by `for` expressions and template `for`
//! directives shadow these roots and are not references. References that can never be valid
//! whatever the configuration (`count.foo`, a bare resource type, `data.…`) are reported here;
//! whether a named variable, local or resource exists is checked by the lowering code, which
//! knows the declarations.
//!
//! Depends on `parse::ast` and `diag` only.

use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::parse::ast::{Expr, ExprKind, Step, StepKind, TemplatePart};

/// What a reference points at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefTarget {
    /// `var.NAME`
    Variable(String),
    /// `local.NAME`
    Local(String),
    /// `TYPE.NAME` or `data.TYPE.NAME` (any instance, any attribute)
    Resource {
        /// The resource type; `data.TYPE` for a data source.
        type_name: String,
        /// The resource name.
        name: String,
    },
    /// `module.NAME` (any instance, any output)
    Module(String),
    /// `count.index`
    CountIndex,
    /// `each.key`
    EachKey,
    /// `each.value`
    EachValue,
    /// `path.module`, `path.root` or `path.cwd`
    Path(&'static str),
    /// `terraform.workspace`
    Workspace,
}

impl RefTarget {
    /// The root name this target is looked up under in an evaluation context.
    #[must_use]
    pub fn root(&self) -> &str {
        match self {
            Self::Variable(_) => "var",
            Self::Local(_) => "local",
            Self::Resource { type_name, .. } => type_name,
            Self::Module(_) => "module",
            Self::CountIndex => "count",
            Self::EachKey | Self::EachValue => "each",
            Self::Path(_) => "path",
            Self::Workspace => "terraform",
        }
    }
}

/// One reference found in an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// What it points at.
    pub target: RefTarget,
    /// From the root name to the end of the name step (`var.x`, `scaleway_container.main`).
    pub span: Span,
    /// For resources: the attribute read after the optional instance key or splat
    /// (`id` in `scaleway_container.main[0].id`), with its span.
    pub attribute: Option<(String, Span)>,
    /// The static steps after the name step, as Terraform writes them (`.attr`, `[0]`,
    /// `["key"]`), up to the first step that is not static (a computed index or a splat):
    /// `["[\"a\"]", ".id"]` for `scaleway_container_namespace.ns["a"].id`. The JSON plan's
    /// `references` lists are made of these.
    pub steps: Vec<String>,
}

/// Appends every reference `expr` makes to `out`; impossible references become diagnostics.
pub fn collect(expr: &Expr, out: &mut Vec<Reference>, diags: &mut Diagnostics) {
    let mut walker = Walker {
        scope: Vec::new(),
        out,
        diags,
        static_steps: Vec::new(),
        calls: 0,
        self_allowed: false,
        saw_self: false,
    };
    walker.expr(expr);
}

/// Terraform's value of an expression evaluated with no variables and no functions (HCL's
/// `Value(nil)`), which its JSON configuration writes as `constant_value`: the value when the
/// expression makes no reference, calls no function and evaluates to a known value; `None`
/// otherwise (`length(["a"])`, `"${var.x}"`).
#[must_use]
pub fn terraform_constant(expr: &Expr) -> Option<crate::model::value::Value> {
    let mut refs = Vec::new();
    let mut diags = Diagnostics::new();
    let mut walker = Walker {
        scope: Vec::new(),
        out: &mut refs,
        diags: &mut diags,
        static_steps: Vec::new(),
        calls: 0,
        self_allowed: false,
        saw_self: false,
    };
    walker.expr(expr);
    if walker.calls > 0 || !refs.is_empty() || diags.has_errors() {
        return None;
    }
    let value = crate::model::expr::eval(expr, &crate::model::expr::EvalContext::new()).ok()?;
    value.is_wholly_known().then_some(value)
}

/// [`collect`] for a resource's `postcondition`, where `self` is the resource's own object:
/// `self.*` is no reference (no dependency); whether it is read is returned.
pub fn collect_in_postcondition(
    expr: &Expr,
    out: &mut Vec<Reference>,
    diags: &mut Diagnostics,
) -> bool {
    let mut walker = Walker {
        scope: Vec::new(),
        out,
        diags,
        static_steps: Vec::new(),
        calls: 0,
        self_allowed: true,
        saw_self: false,
    };
    walker.expr(expr);
    walker.saw_self
}

struct Walker<'a, 'e> {
    /// Names bound by enclosing `for` expressions/directives.
    scope: Vec<&'e str>,
    out: &'a mut Vec<Reference>,
    diags: &'a mut Diagnostics,
    /// The static steps of the traversal being recorded (see [`Reference::steps`]).
    static_steps: Vec<String>,
    /// How many function calls were seen.
    calls: usize,
    /// `self` names the resource's own object (a `postcondition`).
    self_allowed: bool,
    /// Whether `self` was read.
    saw_self: bool,
}

fn name_step(steps: &[Step]) -> Option<(&str, Span)> {
    match steps.first().map(|s| &s.kind) {
        Some(StepKind::GetAttr(ident)) => Some((&ident.name, ident.span)),
        _ => None,
    }
}

impl<'e> Walker<'_, 'e> {
    fn expr(&mut self, expr: &'e Expr) {
        match &expr.kind {
            ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) => {}
            ExprKind::Template(t) => self.parts(&t.parts),
            ExprKind::Tuple(items) => {
                for item in items {
                    self.expr(item);
                }
            }
            ExprKind::Object(items) => {
                for item in items {
                    if let crate::parse::ast::ObjectKey::Expr(k) = &item.key {
                        // A bare traversal used as a key (`a.b = 1`) is still an expression.
                        self.expr(k);
                    }
                    self.expr(&item.value);
                }
            }
            ExprKind::Variable(ident) => self.root(&ident.name, ident.span, &[], expr.span),
            ExprKind::Traversal { root, steps } => {
                if let ExprKind::Variable(ident) = &root.kind {
                    self.root(&ident.name, ident.span, steps, expr.span);
                } else {
                    self.expr(root);
                }
                self.steps(steps);
            }
            ExprKind::Call(call) => {
                self.calls += 1;
                for arg in &call.args {
                    self.expr(arg);
                }
            }
            ExprKind::For(f) => {
                self.expr(&f.collection);
                let depth = self.scope.len();
                self.scope.push(&f.value_var.name);
                if let Some(k) = &f.key_var {
                    self.scope.push(&k.name);
                }
                if let Some(k) = &f.key_expr {
                    self.expr(k);
                }
                self.expr(&f.value_expr);
                if let Some(c) = &f.cond {
                    self.expr(c);
                }
                self.scope.truncate(depth);
            }
            ExprKind::Unary { operand, .. } => self.expr(operand),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Conditional {
                cond,
                then,
                otherwise,
            } => {
                self.expr(cond);
                self.expr(then);
                self.expr(otherwise);
            }
            ExprKind::Parens(inner) => self.expr(inner),
        }
    }

    fn parts(&mut self, parts: &'e [TemplatePart]) {
        for part in parts {
            match part {
                TemplatePart::Literal { .. } => {}
                TemplatePart::Interpolation { expr, .. } => self.expr(expr),
                TemplatePart::If {
                    cond,
                    then,
                    otherwise,
                    ..
                } => {
                    self.expr(cond);
                    self.parts(then);
                    self.parts(otherwise);
                }
                TemplatePart::For {
                    key_var,
                    value_var,
                    collection,
                    body,
                    ..
                } => {
                    self.expr(collection);
                    let depth = self.scope.len();
                    self.scope.push(&value_var.name);
                    if let Some(k) = key_var {
                        self.scope.push(&k.name);
                    }
                    self.parts(body);
                    self.scope.truncate(depth);
                }
            }
        }
    }

    /// Index expressions inside steps may reference things too.
    fn steps(&mut self, steps: &'e [Step]) {
        for step in steps {
            match &step.kind {
                StepKind::Index(e) => self.expr(e),
                StepKind::Splat { each, .. } => self.steps(each),
                StepKind::GetAttr(_) | StepKind::LegacyIndex(_) => {}
            }
        }
    }

    fn invalid(&mut self, span: Span, summary: &str, detail: String) {
        self.diags.push(
            Diagnostic::error("scw::model::invalid_reference", summary)
                .with_primary(span, "")
                .with_detail(detail),
        );
    }

    fn push(&mut self, target: RefTarget, span: Span, attribute: Option<(String, Span)>) {
        self.out.push(Reference {
            target,
            span,
            attribute,
            steps: self.static_steps.clone(),
        });
    }

    fn root(&mut self, root: &str, root_span: Span, steps: &'e [Step], whole: Span) {
        if self.scope.contains(&root) {
            return;
        }
        self.static_steps = static_steps(steps.get(1..).unwrap_or_default());
        let step = name_step(steps);
        let span = step.map_or(root_span, |(_, s)| root_span.to(s));
        match root {
            "var" | "local" => match step {
                Some((name, _)) => {
                    let target = if root == "var" {
                        RefTarget::Variable(name.to_owned())
                    } else {
                        RefTarget::Local(name.to_owned())
                    };
                    self.push(target, span, None);
                }
                None => self.invalid(
                    whole,
                    "Invalid reference",
                    format!("The \"{root}\" object cannot be accessed directly. Instead, access one of its attributes, as in {root}.NAME."),
                ),
            },
            "count" => match step {
                Some(("index", _)) => self.push(RefTarget::CountIndex, span, None),
                _ => self.invalid(
                    whole,
                    "Invalid \"count\" attribute",
                    "The \"count\" object has only one attribute, \"index\".".to_owned(),
                ),
            },
            "each" => match step {
                Some(("key", _)) => self.push(RefTarget::EachKey, span, None),
                Some(("value", _)) => self.push(RefTarget::EachValue, span, None),
                _ => self.invalid(
                    whole,
                    "Invalid \"each\" attribute",
                    "The \"each\" object has two attributes: \"each.key\" and \"each.value\"."
                        .to_owned(),
                ),
            },
            "path" => match step {
                Some(("module", _)) => self.push(RefTarget::Path("module"), span, None),
                Some(("root", _)) => self.push(RefTarget::Path("root"), span, None),
                Some(("cwd", _)) => self.push(RefTarget::Path("cwd"), span, None),
                _ => self.invalid(
                    whole,
                    "Invalid \"path\" attribute",
                    "The \"path\" object has three attributes: \"module\", \"root\" and \"cwd\"."
                        .to_owned(),
                ),
            },
            "terraform" => match step {
                Some(("workspace", _)) => self.push(RefTarget::Workspace, span, None),
                _ => self.invalid(
                    whole,
                    "Invalid \"terraform\" attribute",
                    "The \"terraform\" object has only one attribute, \"workspace\".".to_owned(),
                ),
            },
            "module" => match step {
                Some((name, _)) => {
                    let output = resource_attribute(&steps[1..]);
                    self.push(RefTarget::Module(name.to_owned()), span, output);
                }
                None => self.invalid(
                    whole,
                    "Invalid reference",
                    "The \"module\" object cannot be accessed directly. Instead, access one of its attributes, as in module.NAME.".to_owned(),
                ),
            },
            "data" => {
                let name = match steps.get(1).map(|s| &s.kind) {
                    Some(StepKind::GetAttr(ident)) => Some((ident.name.as_str(), ident.span)),
                    _ => None,
                };
                match (step, name) {
                    (Some((type_name, _)), Some((name, name_span))) => {
                        self.static_steps = static_steps(steps.get(2..).unwrap_or_default());
                        let attribute = resource_attribute(&steps[2..]);
                        self.push(
                            RefTarget::Resource {
                                type_name: format!("data.{type_name}"),
                                name: name.to_owned(),
                            },
                            root_span.to(name_span),
                            attribute,
                        );
                    }
                    _ => self.invalid(
                        whole,
                        "Invalid data resource reference",
                        "A data resource reference must be followed by the data source type and name, as in data.TYPE.NAME.".to_owned(),
                    ),
                }
            }
            "self" if self.self_allowed => self.saw_self = true,
            "self" => self.invalid(
                whole,
                "Invalid \"self\" reference",
                "The \"self\" object is only available in a resource's postcondition blocks (and in provisioner and connection blocks, which scwform does not support).".to_owned(),
            ),
            _ => match step {
                Some((name, _)) => {
                    let attribute = resource_attribute(&steps[1..]);
                    self.push(
                        RefTarget::Resource {
                            type_name: root.to_owned(),
                            name: name.to_owned(),
                        },
                        span,
                        attribute,
                    );
                }
                None => self.invalid(
                    whole,
                    "Invalid reference",
                    format!("\"{root}\" is not a known name. A reference to a resource type must be followed by at least one attribute access, specifying the resource name."),
                ),
            },
        }
    }
}

/// The leading static steps of a traversal, as Terraform prints them: attribute names, and
/// indexes that are a number or a plain quoted string (HCL makes those part of the traversal;
/// any other index, and a splat, ends it).
fn static_steps(steps: &[Step]) -> Vec<String> {
    let mut out = Vec::new();
    for step in steps {
        let text = match &step.kind {
            StepKind::GetAttr(ident) => format!(".{}", ident.name),
            StepKind::LegacyIndex(i) => format!("[{i}]"),
            StepKind::Index(key) => match &key.kind {
                // Integral keys print without a fraction (`[0]`), as cty's numbers do.
                ExprKind::Number(n) => format!("[{n}]"),
                ExprKind::Template(t) if t.heredoc.is_none() => {
                    let mut text = String::new();
                    for part in &t.parts {
                        match part {
                            TemplatePart::Literal { value, .. } => text.push_str(value),
                            _ => return out,
                        }
                    }
                    // Go's %q, as Terraform quotes a string key; JSON's escapes agree for the
                    // characters a key holds in practice.
                    format!("[{}]", serde_json::Value::from(text))
                }
                _ => return out,
            },
            StepKind::Splat { .. } => return out,
        };
        out.push(text);
    }
    out
}

/// The attribute read from a resource after its name: skips one instance key or a splat.
fn resource_attribute(steps: &[Step]) -> Option<(String, Span)> {
    let first = steps.first()?;
    let attr = match &first.kind {
        StepKind::GetAttr(ident) => Some(ident),
        StepKind::Index(_) | StepKind::LegacyIndex(_) => match steps.get(1).map(|s| &s.kind) {
            Some(StepKind::GetAttr(ident)) => Some(ident),
            _ => None,
        },
        StepKind::Splat { each, .. } => match each.first().map(|s| &s.kind) {
            Some(StepKind::GetAttr(ident)) => Some(ident),
            _ => None,
        },
    }?;
    Some((attr.name.clone(), attr.span))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::diag::FileId;
    use crate::parse::ast::{ForExpr, Ident};

    pub(crate) fn sp(start: usize, end: usize) -> Span {
        Span::new(FileId(0), start, end)
    }

    pub(crate) fn ident(name: &str) -> Ident {
        Ident {
            name: name.to_owned(),
            span: sp(0, name.len()),
        }
    }

    pub(crate) fn e(kind: ExprKind) -> Expr {
        Expr {
            kind,
            span: sp(0, 1),
        }
    }

    /// `a.b.c` with attribute steps only.
    pub(crate) fn path(parts: &[&str]) -> Expr {
        let root = e(ExprKind::Variable(ident(parts[0])));
        if parts.len() == 1 {
            return root;
        }
        e(ExprKind::Traversal {
            root: Box::new(root),
            steps: parts[1..]
                .iter()
                .map(|p| Step {
                    kind: StepKind::GetAttr(ident(p)),
                    span: sp(0, 1),
                })
                .collect(),
        })
    }

    fn refs(expr: &Expr) -> (Vec<RefTarget>, Diagnostics) {
        let mut out = Vec::new();
        let mut diags = Diagnostics::new();
        collect(expr, &mut out, &mut diags);
        (out.into_iter().map(|r| r.target).collect(), diags)
    }

    #[test]
    fn finds_variables_locals_and_resources() {
        let expr = e(ExprKind::Tuple(vec![
            path(&["var", "env"]),
            path(&["local", "x", "y"]),
            path(&["scaleway_container", "main", "id"]),
            path(&["count", "index"]),
            path(&["each", "value"]),
        ]));
        let (targets, diags) = refs(&expr);
        assert!(diags.is_empty());
        assert_eq!(
            targets,
            [
                RefTarget::Variable("env".into()),
                RefTarget::Local("x".into()),
                RefTarget::Resource {
                    type_name: "scaleway_container".into(),
                    name: "main".into()
                },
                RefTarget::CountIndex,
                RefTarget::EachValue,
            ]
        );
    }

    #[test]
    fn resource_attribute_skips_index_and_splat() {
        let expr = e(ExprKind::Traversal {
            root: Box::new(e(ExprKind::Variable(ident("scaleway_container")))),
            steps: vec![
                Step {
                    kind: StepKind::GetAttr(ident("main")),
                    span: sp(0, 1),
                },
                Step {
                    kind: StepKind::Index(e(ExprKind::Number(crate::number::Number::from_f64(
                        0.0,
                    )))),
                    span: sp(0, 1),
                },
                Step {
                    kind: StepKind::GetAttr(ident("idd")),
                    span: sp(0, 1),
                },
            ],
        });
        let mut out = Vec::new();
        collect(&expr, &mut out, &mut Diagnostics::new());
        assert_eq!(out[0].attribute.as_ref().map(|a| a.0.as_str()), Some("idd"));
        assert_eq!(out[0].steps, ["[0]", ".idd"]);
    }

    #[test]
    fn static_steps_stop_at_a_computed_index_or_a_splat() {
        let step = |kind| Step {
            kind,
            span: sp(0, 1),
        };
        let key = |text: &str| {
            e(ExprKind::Template(crate::parse::ast::Template {
                parts: vec![TemplatePart::Literal {
                    value: text.to_owned(),
                    span: sp(0, 1),
                }],
                heredoc: None,
            }))
        };
        let traversal = |steps| {
            e(ExprKind::Traversal {
                root: Box::new(e(ExprKind::Variable(ident("scaleway_container_namespace")))),
                steps,
            })
        };
        let cases = [
            (
                vec![
                    step(StepKind::GetAttr(ident("ns"))),
                    step(StepKind::Index(key("a"))),
                    step(StepKind::GetAttr(ident("id"))),
                ],
                vec!["[\"a\"]", ".id"],
            ),
            (
                vec![
                    step(StepKind::GetAttr(ident("ns"))),
                    step(StepKind::LegacyIndex(1)),
                    step(StepKind::GetAttr(ident("id"))),
                ],
                vec!["[1]", ".id"],
            ),
            (
                vec![
                    step(StepKind::GetAttr(ident("ns"))),
                    step(StepKind::Index(path(&["each", "key"]))),
                    step(StepKind::GetAttr(ident("id"))),
                ],
                vec![],
            ),
            (
                vec![
                    step(StepKind::GetAttr(ident("ns"))),
                    step(StepKind::Splat {
                        full: true,
                        each: vec![step(StepKind::GetAttr(ident("id")))],
                    }),
                ],
                vec![],
            ),
        ];
        for (steps, expected) in cases {
            let mut out = Vec::new();
            collect(&traversal(steps), &mut out, &mut Diagnostics::new());
            assert_eq!(out[0].steps, expected);
        }
    }

    #[test]
    fn for_variables_shadow_roots() {
        let expr = e(ExprKind::For(Box::new(ForExpr {
            key_var: None,
            value_var: ident("var"),
            collection: path(&["local", "list"]),
            key_expr: None,
            value_expr: path(&["var", "x"]),
            group: false,
            cond: None,
        })));
        let (targets, diags) = refs(&expr);
        assert!(diags.is_empty());
        assert_eq!(targets, [RefTarget::Local("list".into())]);
    }

    #[test]
    fn data_references_name_the_data_source_and_its_attribute() {
        let mut out = Vec::new();
        let mut diags = Diagnostics::new();
        collect(
            &path(&["data", "scaleway_account_project", "default", "id"]),
            &mut out,
            &mut diags,
        );
        assert!(diags.is_empty());
        assert_eq!(
            out[0].target,
            RefTarget::Resource {
                type_name: "data.scaleway_account_project".into(),
                name: "default".into()
            }
        );
        assert_eq!(out[0].attribute.as_ref().map(|a| a.0.as_str()), Some("id"));
        assert_eq!(out[0].steps, [".id"]);
    }

    #[test]
    fn impossible_references_are_diagnosed() {
        for parts in [
            &["var"][..],
            &["count", "value"],
            &["each", "index"],
            &["scaleway_container"],
            &["path", "x"],
            &["data", "x"],
            &["self", "id"],
        ] {
            let (targets, diags) = refs(&path(parts));
            assert!(targets.is_empty(), "{parts:?}");
            assert_eq!(diags.error_count(), 1, "{parts:?}");
        }
    }
}
