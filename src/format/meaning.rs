//! Whether two syntax trees mean the same configuration: equal once spans are ignored and
//! the rewrites `terraform fmt` makes on purpose are undone.
//!
//! The formatter only moves whitespace, except for three rewrites that keep meaning (see
//! [`super`]); so after normalising both sides the same way, the trees must be equal:
//! - an attribute value that is one interpolation (`"${x}"`), or in parentheses, is its inner
//!   expression;
//! - a top-level `variable` block's `type` written as `"string"`, `"list"`, `"map"` or a bare
//!   `list`/`map`/`set` is the type expression Terraform rewrites it to;
//! - a block label is its value, quoted or not.
//!
//! Comments are not compared: they are not meaning (and Terraform drops comments written
//! between block labels).
//!
//! Depends only on [`crate::parse::ast`].

use crate::parse::ast::{
    Attribute, Block, Body, Expr, ExprKind, File, ForExpr, FuncCall, Heredoc, Ident, ObjectItem,
    ObjectKey, Step, StepKind, Structure, Template, TemplatePart,
};

/// Whether `a` and `b` describe the same configuration (spans and formatting aside).
#[must_use]
pub fn same_meaning(a: &File, b: &File) -> bool {
    body(&a.body, &b.body, Context::TopLevel)
}

/// Where a body sits, for the rewrites that depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    TopLevel,
    VariableBlock,
    Nested,
}

fn body(a: &Body, b: &Body, ctx: Context) -> bool {
    a.items.len() == b.items.len()
        && a.items.iter().zip(&b.items).all(|pair| match pair {
            (Structure::Attribute(x), Structure::Attribute(y)) => attribute(x, y, ctx),
            (Structure::Block(x), Structure::Block(y)) => block(x, y, ctx),
            _ => false,
        })
}

fn attribute(a: &Attribute, b: &Attribute, ctx: Context) -> bool {
    if !ident(&a.name, &b.name) {
        return false;
    }
    if ctx == Context::VariableBlock
        && a.name.name == "type"
        && let (Some(x), Some(y)) = (legacy_type(&a.expr), legacy_type(&b.expr))
    {
        return x == y;
    }
    expr(attribute_value(&a.expr), attribute_value(&b.expr))
}

fn block(a: &Block, b: &Block, ctx: Context) -> bool {
    let inner = if ctx == Context::TopLevel && a.ident.name == "variable" {
        Context::VariableBlock
    } else {
        Context::Nested
    };
    ident(&a.ident, &b.ident)
        && a.labels.len() == b.labels.len()
        && a.labels
            .iter()
            .zip(&b.labels)
            .all(|(x, y)| x.value == y.value)
        && body(&a.body, &b.body, inner)
}

/// An attribute value with unwrapped single interpolations and parentheses removed.
fn attribute_value(mut e: &Expr) -> &Expr {
    loop {
        match &e.kind {
            ExprKind::Parens(inner) => e = inner,
            ExprKind::Template(Template {
                parts,
                heredoc: None,
            }) => match parts.as_slice() {
                [TemplatePart::Interpolation { expr, .. }] => e = expr,
                _ => return e,
            },
            _ => return e,
        }
    }
}

/// The type a `variable`'s `type` names when written in a form Terraform rewrites:
/// `(collection, element)`, with `element` empty for a plain `string`.
fn legacy_type(e: &Expr) -> Option<(&'static str, &'static str)> {
    match &e.kind {
        ExprKind::Template(t) if t.heredoc.is_none() => match t.as_literal()?.as_str() {
            "string" => Some(("string", "")),
            "list" => Some(("list", "string")),
            "map" => Some(("map", "string")),
            _ => None,
        },
        ExprKind::Variable(v) => match v.name.as_str() {
            "string" => Some(("string", "")),
            "list" => Some(("list", "any")),
            "map" => Some(("map", "any")),
            "set" => Some(("set", "any")),
            _ => None,
        },
        ExprKind::Call(FuncCall {
            name,
            args,
            expand_final: false,
        }) => {
            let collection = match name.name.as_str() {
                "list" => "list",
                "map" => "map",
                "set" => "set",
                _ => return None,
            };
            match args.as_slice() {
                [
                    Expr {
                        kind: ExprKind::Variable(v),
                        ..
                    },
                ] => match v.name.as_str() {
                    "any" => Some((collection, "any")),
                    "string" => Some((collection, "string")),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

fn ident(a: &Ident, b: &Ident) -> bool {
    a.name == b.name
}

fn exprs(a: &[Expr], b: &[Expr]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| expr(x, y))
}

fn opt_expr(a: Option<&Expr>, b: Option<&Expr>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => expr(x, y),
        (None, None) => true,
        _ => false,
    }
}

fn opt_ident(a: Option<&Ident>, b: Option<&Ident>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => ident(x, y),
        (None, None) => true,
        _ => false,
    }
}

#[allow(clippy::float_cmp)] // both numbers come from the same literal text
fn expr(a: &Expr, b: &Expr) -> bool {
    use ExprKind as K;
    match (&a.kind, &b.kind) {
        (K::Null, K::Null) => true,
        (K::Bool(x), K::Bool(y)) => x == y,
        (K::Number(x), K::Number(y)) => x == y,
        (K::Template(x), K::Template(y)) => template(x, y),
        (K::Tuple(x), K::Tuple(y)) => exprs(x, y),
        (K::Object(x), K::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| object_item(p, q))
        }
        (K::Variable(x), K::Variable(y)) => ident(x, y),
        (
            K::Traversal {
                root: r1,
                steps: s1,
            },
            K::Traversal {
                root: r2,
                steps: s2,
            },
        ) => expr(r1, r2) && steps(s1, s2),
        (K::Call(x), K::Call(y)) => {
            ident(&x.name, &y.name) && x.expand_final == y.expand_final && exprs(&x.args, &y.args)
        }
        (K::For(x), K::For(y)) => for_expr(x, y),
        (
            K::Unary {
                op: o1,
                operand: e1,
            },
            K::Unary {
                op: o2,
                operand: e2,
            },
        ) => o1 == o2 && expr(e1, e2),
        (
            K::Binary {
                op: o1,
                lhs: l1,
                rhs: r1,
            },
            K::Binary {
                op: o2,
                lhs: l2,
                rhs: r2,
            },
        ) => o1 == o2 && expr(l1, l2) && expr(r1, r2),
        (
            K::Conditional {
                cond: c1,
                then: t1,
                otherwise: f1,
            },
            K::Conditional {
                cond: c2,
                then: t2,
                otherwise: f2,
            },
        ) => expr(c1, c2) && expr(t1, t2) && expr(f1, f2),
        (K::Parens(x), K::Parens(y)) => expr(x, y),
        _ => false,
    }
}

fn object_item(a: &ObjectItem, b: &ObjectItem) -> bool {
    let keys = match (&a.key, &b.key) {
        (ObjectKey::Ident(x), ObjectKey::Ident(y)) => ident(x, y),
        (ObjectKey::Expr(x), ObjectKey::Expr(y)) => expr(x, y),
        _ => false,
    };
    keys && expr(&a.value, &b.value)
}

fn steps(a: &[Step], b: &[Step]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| step(x, y))
}

fn step(a: &Step, b: &Step) -> bool {
    match (&a.kind, &b.kind) {
        (StepKind::GetAttr(x), StepKind::GetAttr(y)) => ident(x, y),
        (StepKind::Index(x), StepKind::Index(y)) => expr(x, y),
        (StepKind::LegacyIndex(x), StepKind::LegacyIndex(y)) => x == y,
        (StepKind::Splat { full: f1, each: e1 }, StepKind::Splat { full: f2, each: e2 }) => {
            f1 == f2 && steps(e1, e2)
        }
        _ => false,
    }
}

fn for_expr(a: &ForExpr, b: &ForExpr) -> bool {
    opt_ident(a.key_var.as_ref(), b.key_var.as_ref())
        && ident(&a.value_var, &b.value_var)
        && expr(&a.collection, &b.collection)
        && opt_expr(a.key_expr.as_ref(), b.key_expr.as_ref())
        && expr(&a.value_expr, &b.value_expr)
        && a.group == b.group
        && opt_expr(a.cond.as_ref(), b.cond.as_ref())
}

fn template(a: &Template, b: &Template) -> bool {
    heredoc(a.heredoc.as_ref(), b.heredoc.as_ref()) && parts(&a.parts, &b.parts)
}

fn heredoc(a: Option<&Heredoc>, b: Option<&Heredoc>) -> bool {
    a == b
}

fn parts(a: &[TemplatePart], b: &[TemplatePart]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| part(x, y))
}

fn part(a: &TemplatePart, b: &TemplatePart) -> bool {
    use TemplatePart as P;
    match (a, b) {
        (P::Literal { value: x, .. }, P::Literal { value: y, .. }) => x == y,
        (P::Interpolation { expr: x, .. }, P::Interpolation { expr: y, .. }) => expr(x, y),
        (
            P::If {
                cond: c1,
                then: t1,
                otherwise: o1,
                ..
            },
            P::If {
                cond: c2,
                then: t2,
                otherwise: o2,
                ..
            },
        ) => expr(c1, c2) && parts(t1, t2) && parts(o1, o2),
        (
            P::For {
                key_var: k1,
                value_var: v1,
                collection: c1,
                body: b1,
                ..
            },
            P::For {
                key_var: k2,
                value_var: v2,
                collection: c2,
                body: b2,
                ..
            },
        ) => opt_ident(k1.as_ref(), k2.as_ref()) && ident(v1, v2) && expr(c1, c2) && parts(b1, b2),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{attribute_value, legacy_type};
    use crate::diag::{FileId, Span};
    use crate::parse::ast::{Expr, ExprKind, Ident, Template, TemplatePart};

    fn span(n: usize) -> Span {
        Span::new(FileId(0), n, n + 1)
    }

    fn var(name: &str, at: usize) -> Expr {
        Expr {
            kind: ExprKind::Variable(Ident {
                name: name.to_owned(),
                span: span(at),
            }),
            span: span(at),
        }
    }

    #[test]
    fn single_interpolation_is_its_expression() {
        let wrapped = Expr {
            kind: ExprKind::Template(Template {
                parts: vec![TemplatePart::Interpolation {
                    expr: var("x", 3),
                    span: span(1),
                }],
                heredoc: None,
            }),
            span: span(0),
        };
        let bare = var("x", 9);
        assert!(super::expr(
            attribute_value(&wrapped),
            attribute_value(&bare)
        ));
        assert!(!super::expr(attribute_value(&wrapped), &var("y", 0)));
    }

    #[test]
    fn bare_collection_types_mean_any_elements() {
        assert_eq!(legacy_type(&var("list", 0)), Some(("list", "any")));
        assert_eq!(legacy_type(&var("number", 0)), None);
    }
}
