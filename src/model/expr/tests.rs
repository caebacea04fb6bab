//! Unit tests of the evaluator, on hand-built syntax trees (text-based tests live in
//! `tests/it/eval.rs`).

use super::*;
use crate::model::value::Value;

/// Small constructors for syntax trees. Every node gets its own span (a running counter), so
/// tests can check which node a diagnostic points at.
pub(crate) mod build {
    use std::cell::Cell;

    use crate::diag::{FileId, Span};
    use crate::parse::ast::{
        BinaryOp, Expr, ExprKind, ForExpr, FuncCall, Ident, ObjectItem, ObjectKey, Step, StepKind,
        Template, TemplatePart, UnaryOp,
    };

    thread_local! {
        static NEXT: Cell<u32> = const { Cell::new(0) };
    }

    /// A fresh span, distinct from every other one in this thread.
    pub(crate) fn span() -> Span {
        NEXT.with(|n| {
            let start = n.get();
            n.set(start + 2);
            Span {
                file: FileId(0),
                start,
                end: start + 1,
            }
        })
    }

    fn expr(kind: ExprKind) -> Expr {
        Expr { kind, span: span() }
    }

    pub(crate) fn ident(name: &str) -> Ident {
        Ident {
            name: name.to_owned(),
            span: span(),
        }
    }

    pub(crate) fn null() -> Expr {
        expr(ExprKind::Null)
    }

    pub(crate) fn boolean(b: bool) -> Expr {
        expr(ExprKind::Bool(b))
    }

    pub(crate) fn num(n: f64) -> Expr {
        expr(ExprKind::Number(crate::number::Number::from_f64(n)))
    }

    pub(crate) fn lit(s: &str) -> TemplatePart {
        TemplatePart::Literal {
            value: s.to_owned(),
            span: span(),
        }
    }

    pub(crate) fn interp(e: Expr) -> TemplatePart {
        TemplatePart::Interpolation {
            expr: e,
            span: span(),
        }
    }

    pub(crate) fn tmpl_if(
        cond: Expr,
        then: Vec<TemplatePart>,
        otherwise: Vec<TemplatePart>,
    ) -> TemplatePart {
        TemplatePart::If {
            cond,
            then,
            otherwise,
            span: span(),
        }
    }

    pub(crate) fn tmpl_for(
        key: Option<&str>,
        value: &str,
        coll: Expr,
        body: Vec<TemplatePart>,
    ) -> TemplatePart {
        TemplatePart::For {
            key_var: key.map(ident),
            value_var: ident(value),
            collection: coll,
            body,
            span: span(),
        }
    }

    pub(crate) fn tmpl(parts: Vec<TemplatePart>) -> Expr {
        expr(ExprKind::Template(Template {
            parts,
            heredoc: None,
        }))
    }

    /// A quoted string literal.
    pub(crate) fn s(text: &str) -> Expr {
        tmpl(vec![lit(text)])
    }

    pub(crate) fn var(name: &str) -> Expr {
        expr(ExprKind::Variable(ident(name)))
    }

    pub(crate) fn step_attr(name: &str) -> Step {
        Step {
            kind: StepKind::GetAttr(ident(name)),
            span: span(),
        }
    }

    pub(crate) fn step_index(key: Expr) -> Step {
        Step {
            kind: StepKind::Index(key),
            span: span(),
        }
    }

    /// Appends a step to a traversal (or starts one).
    pub(crate) fn step(e: Expr, step: Step) -> Expr {
        match e.kind {
            ExprKind::Traversal { root, mut steps } => {
                steps.push(step);
                Expr {
                    kind: ExprKind::Traversal { root, steps },
                    span: span(),
                }
            }
            _ => expr(ExprKind::Traversal {
                root: Box::new(e),
                steps: vec![step],
            }),
        }
    }

    pub(crate) fn attr(e: Expr, name: &str) -> Expr {
        step(e, step_attr(name))
    }

    pub(crate) fn index(e: Expr, key: Expr) -> Expr {
        step(e, step_index(key))
    }

    pub(crate) fn legacy_index(e: Expr, i: u64) -> Expr {
        step(
            e,
            Step {
                kind: StepKind::LegacyIndex(i),
                span: span(),
            },
        )
    }

    pub(crate) fn splat(e: Expr, full: bool, each: Vec<Step>) -> Expr {
        step(
            e,
            Step {
                kind: StepKind::Splat { full, each },
                span: span(),
            },
        )
    }

    pub(crate) fn call(name: &str, args: Vec<Expr>) -> Expr {
        expr(ExprKind::Call(FuncCall {
            name: ident(name),
            args,
            expand_final: false,
        }))
    }

    pub(crate) fn call_expand(name: &str, args: Vec<Expr>) -> Expr {
        expr(ExprKind::Call(FuncCall {
            name: ident(name),
            args,
            expand_final: true,
        }))
    }

    pub(crate) fn tuple(items: Vec<Expr>) -> Expr {
        expr(ExprKind::Tuple(items))
    }

    /// An object constructor with bare-name keys.
    pub(crate) fn object(items: Vec<(&str, Expr)>) -> Expr {
        expr(ExprKind::Object(
            items
                .into_iter()
                .map(|(k, v)| ObjectItem {
                    key: ObjectKey::Ident(ident(k)),
                    value: v,
                })
                .collect(),
        ))
    }

    /// An object constructor with expression keys.
    pub(crate) fn object_exprs(items: Vec<(Expr, Expr)>) -> Expr {
        expr(ExprKind::Object(
            items
                .into_iter()
                .map(|(k, v)| ObjectItem {
                    key: ObjectKey::Expr(k),
                    value: v,
                })
                .collect(),
        ))
    }

    pub(crate) fn bin(op: BinaryOp, l: Expr, r: Expr) -> Expr {
        expr(ExprKind::Binary {
            op,
            lhs: Box::new(l),
            rhs: Box::new(r),
        })
    }

    pub(crate) fn un(op: UnaryOp, e: Expr) -> Expr {
        expr(ExprKind::Unary {
            op,
            operand: Box::new(e),
        })
    }

    pub(crate) fn cond(c: Expr, t: Expr, f: Expr) -> Expr {
        expr(ExprKind::Conditional {
            cond: Box::new(c),
            then: Box::new(t),
            otherwise: Box::new(f),
        })
    }

    pub(crate) fn parens(e: Expr) -> Expr {
        expr(ExprKind::Parens(Box::new(e)))
    }

    /// `[for k, v in coll : value if cond]`
    pub(crate) fn for_list(
        key: Option<&str>,
        value: &str,
        coll: Expr,
        value_expr: Expr,
        cond: Option<Expr>,
    ) -> Expr {
        expr(ExprKind::For(Box::new(ForExpr {
            key_var: key.map(ident),
            value_var: ident(value),
            collection: coll,
            key_expr: None,
            value_expr,
            group: false,
            cond,
        })))
    }

    /// `{for k, v in coll : key => value... if cond}`
    pub(crate) fn for_object(
        key: Option<&str>,
        value: &str,
        coll: Expr,
        key_expr: Expr,
        value_expr: Expr,
        group: bool,
        cond: Option<Expr>,
    ) -> Expr {
        expr(ExprKind::For(Box::new(ForExpr {
            key_var: key.map(ident),
            value_var: ident(value),
            collection: coll,
            key_expr: Some(key_expr),
            value_expr,
            group,
            cond,
        })))
    }
}

use crate::parse::ast::{BinaryOp, UnaryOp};
use build::*;

pub(crate) fn sv(s: &str) -> Value {
    Value::string(s)
}

pub(crate) fn n(x: f64) -> Value {
    Value::float(x)
}

pub(crate) fn list(items: Vec<Value>) -> Value {
    Value::List(items)
}

pub(crate) fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

fn ctx() -> EvalContext<'static> {
    EvalContext::new()
        .with_variable(
            "var",
            obj(vec![
                ("name", sv("web")),
                ("port", n(8080.0)),
                ("tags", list(vec![sv("a"), sv("b")])),
                ("secret", sv("hunter2").mark_sensitive()),
                ("unknown", Value::Unknown),
                ("nothing", Value::Null),
                (
                    "servers",
                    list(vec![
                        obj(vec![("id", sv("s1")), ("ip", sv("10.0.0.1"))]),
                        obj(vec![("id", sv("s2")), ("ip", Value::Unknown)]),
                    ]),
                ),
                ("enabled", Value::Bool(true)),
            ]),
        )
        .with_variable("count", obj(vec![("index", n(1.0))]))
}

fn ok(e: &Expr) -> Value {
    match eval(e, &ctx()) {
        Ok(v) => v,
        Err(d) => panic!("unexpected errors: {d:#?}"),
    }
}

fn err(e: &Expr) -> Diagnostics {
    match eval(e, &ctx()) {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(d) => d,
    }
}

fn codes_of(d: &Diagnostics) -> Vec<&'static str> {
    d.iter().map(|d| d.code).collect()
}

#[test]
fn literals_evaluate_to_themselves() {
    assert_eq!(ok(&null()), Value::Null);
    assert_eq!(ok(&boolean(true)), Value::Bool(true));
    assert_eq!(ok(&num(1.5)), n(1.5));
    assert_eq!(ok(&s("abc")), sv("abc"));
    assert_eq!(
        ok(&tuple(vec![num(1.0), s("x")])),
        list(vec![n(1.0), sv("x")])
    );
    assert_eq!(
        ok(&object(vec![("a", num(1.0)), ("b", boolean(false))])),
        obj(vec![("a", n(1.0)), ("b", Value::Bool(false))])
    );
}

#[test]
fn context_scopes_shadow_and_fall_back() {
    let outer = EvalContext::new()
        .with_variable("a", n(1.0))
        .with_variable("b", n(2.0));
    let mut inner = outer.child();
    inner.set("a", n(10.0));
    assert_eq!(inner.get("a"), Some(&n(10.0)));
    assert_eq!(inner.get("b"), Some(&n(2.0)));
    assert_eq!(inner.names(), vec!["a", "b"]);
    assert_eq!(inner.remove("a"), Some(n(10.0)));
    assert_eq!(inner.get("a"), Some(&n(1.0)));
}

#[test]
fn unknown_root_names_suggest_close_ones() {
    let e = attr(var("vars"), "name");
    let d = err(&e);
    assert_eq!(codes_of(&d), vec![codes::UNKNOWN_NAME]);
    assert_eq!(d.0[0].help.as_deref(), Some("Did you mean \"var\"?"));
}

#[test]
fn attribute_access_and_did_you_mean() {
    assert_eq!(ok(&attr(var("var"), "name")), sv("web"));
    let bad = step_attr("nmae");
    let bad_span = bad.span;
    let d = err(&step(var("var"), bad));
    assert_eq!(codes_of(&d), vec![codes::UNSUPPORTED_ATTRIBUTE]);
    assert_eq!(d.0[0].primary_span(), Some(bad_span));
    assert_eq!(d.0[0].help.as_deref(), Some("Did you mean \"name\"?"));
}

#[test]
fn attribute_errors_on_lists_null_and_primitives() {
    let d = err(&attr(attr(var("var"), "tags"), "x"));
    assert_eq!(codes_of(&d), vec![codes::UNSUPPORTED_ATTRIBUTE]);
    assert!(d.0[0].help.as_deref().unwrap_or("").contains("[*].x"));
    let d = err(&attr(attr(var("var"), "nothing"), "x"));
    assert_eq!(codes_of(&d), vec![codes::NULL_VALUE]);
    let d = err(&attr(attr(var("var"), "name"), "x"));
    assert_eq!(codes_of(&d), vec![codes::UNSUPPORTED_ATTRIBUTE]);
}

#[test]
fn indexing_lists_and_objects() {
    let tags = || attr(var("var"), "tags");
    assert_eq!(ok(&index(tags(), num(1.0))), sv("b"));
    assert_eq!(ok(&index(tags(), s("0"))), sv("a"));
    assert_eq!(ok(&legacy_index(tags(), 0)), sv("a"));
    assert_eq!(ok(&index(var("var"), s("port"))), n(8080.0));
    for bad in [num(2.0), num(-1.0), num(0.5), s("x"), null()] {
        let key_span = bad.span;
        let d = err(&index(tags(), bad));
        assert_eq!(codes_of(&d), vec![codes::INVALID_INDEX]);
        assert_eq!(d.0[0].primary_span(), Some(key_span));
    }
    let d = err(&index(var("var"), s("prot")));
    assert_eq!(d.0[0].help.as_deref(), Some("Did you mean \"port\"?"));
    let d = err(&index(attr(var("var"), "name"), num(0.0)));
    assert_eq!(codes_of(&d), vec![codes::INVALID_INDEX]);
    let d = err(&index(attr(var("var"), "nothing"), num(0.0)));
    assert_eq!(codes_of(&d), vec![codes::NULL_VALUE]);
}

#[test]
fn traversal_of_unknown_is_unknown_but_keys_are_still_checked() {
    assert_eq!(ok(&attr(attr(var("var"), "unknown"), "x")), Value::Unknown);
    assert_eq!(
        ok(&index(var("var"), attr(var("var"), "unknown"))),
        Value::Unknown
    );
    let d = err(&index(attr(var("var"), "unknown"), var("nope")));
    assert_eq!(codes_of(&d), vec![codes::UNKNOWN_NAME]);
}

#[test]
fn selecting_from_sensitive_values_is_sensitive() {
    let secret_obj = EvalContext::new()
        .with_variable("x", obj(vec![("a", list(vec![sv("p")]))]).mark_sensitive());
    let e = index(attr(var("x"), "a"), num(0.0));
    assert_eq!(eval(&e, &secret_obj), Ok(sv("p").mark_sensitive()));
    // A sensitive element of a plain list: only that element is sensitive.
    let c = EvalContext::new().with_variable("l", list(vec![sv("a"), sv("b").mark_sensitive()]));
    assert_eq!(eval(&index(var("l"), num(0.0)), &c), Ok(sv("a")));
    assert_eq!(
        eval(&index(var("l"), num(1.0)), &c),
        Ok(sv("b").mark_sensitive())
    );
    // A sensitive key makes the selected element sensitive.
    let c = EvalContext::new()
        .with_variable("l", list(vec![sv("a")]))
        .with_variable("k", n(0.0).mark_sensitive());
    assert_eq!(
        eval(&index(var("l"), var("k")), &c),
        Ok(sv("a").mark_sensitive())
    );
}

#[test]
fn splats_map_wrap_and_empty() {
    let servers = || attr(var("var"), "servers");
    assert_eq!(
        ok(&splat(servers(), true, vec![step_attr("id")])),
        list(vec![sv("s1"), sv("s2")])
    );
    assert_eq!(
        ok(&splat(servers(), false, vec![step_attr("ip")])),
        list(vec![sv("10.0.0.1"), Value::Unknown])
    );
    // A non-list value is wrapped; null gives an empty list; unknown stays unknown.
    assert_eq!(
        ok(&splat(attr(var("var"), "name"), true, vec![])),
        list(vec![sv("web")])
    );
    assert_eq!(
        ok(&splat(attr(var("var"), "nothing"), true, vec![])),
        list(vec![])
    );
    assert_eq!(
        ok(&splat(
            attr(var("var"), "unknown"),
            true,
            vec![step_attr("id")]
        )),
        Value::Unknown
    );
    // Per-element errors are all reported.
    let d = err(&splat(servers(), true, vec![step_attr("nope")]));
    assert_eq!(d.0.len(), 2);
}

#[test]
fn arithmetic_and_comparison() {
    let b = |op, l, r| ok(&bin(op, l, r));
    assert_eq!(b(BinaryOp::Add, num(1.0), num(2.0)), n(3.0));
    assert_eq!(b(BinaryOp::Sub, num(1.0), num(2.0)), n(-1.0));
    assert_eq!(b(BinaryOp::Mul, num(3.0), num(2.0)), n(6.0));
    assert_eq!(b(BinaryOp::Div, num(1.0), num(4.0)), n(0.25));
    assert_eq!(b(BinaryOp::Mod, num(-5.0), num(3.0)), n(-2.0));
    assert_eq!(b(BinaryOp::Add, s("5"), num(1.0)), n(6.0));
    assert_eq!(b(BinaryOp::Lt, num(1.0), num(2.0)), Value::Bool(true));
    assert_eq!(b(BinaryOp::Ge, num(1.0), num(2.0)), Value::Bool(false));
    assert_eq!(ok(&un(UnaryOp::Neg, num(2.0))), n(-2.0));
    assert_eq!(ok(&un(UnaryOp::Not, boolean(true))), Value::Bool(false));
}

#[test]
fn operator_errors_point_at_the_operand() {
    let rhs = s("x");
    let rhs_span = rhs.span;
    let d = err(&bin(BinaryOp::Add, num(1.0), rhs));
    assert_eq!(codes_of(&d), vec![codes::INVALID_OPERAND]);
    assert_eq!(d.0[0].primary_span(), Some(rhs_span));
    assert_eq!(
        d.0[0].detail.as_deref(),
        Some("Unsuitable value for right operand: a number is required, got string.")
    );
    let zero = num(0.0);
    let zero_span = zero.span;
    let d = err(&bin(BinaryOp::Div, num(1.0), zero));
    assert_eq!(codes_of(&d), vec![codes::DIVISION_BY_ZERO]);
    assert_eq!(d.0[0].primary_span(), Some(zero_span));
    // cty's modulo: `x % 0` is `x`; `0 / 0` is an operation failure.
    assert_eq!(ok(&bin(BinaryOp::Mod, num(1.0), num(0.0))), n(1.0));
    let d = err(&bin(BinaryOp::Div, num(0.0), num(0.0)));
    assert_eq!(d.0[0].summary, "Operation failed");
    assert_eq!(
        codes_of(&err(&un(UnaryOp::Not, num(1.0)))),
        vec![codes::INVALID_OPERAND]
    );
    assert_eq!(
        codes_of(&err(&bin(BinaryOp::Lt, null(), num(1.0)))),
        vec![codes::NULL_VALUE]
    );
    // Both operands' errors are reported.
    let d = err(&bin(BinaryOp::Add, var("nope1"), var("nope2")));
    assert_eq!(d.0.len(), 2);
}

#[test]
fn operators_propagate_unknown_and_sensitive() {
    let unknown = || attr(var("var"), "unknown");
    let secret = || attr(var("var"), "secret");
    assert_eq!(ok(&bin(BinaryOp::Add, unknown(), num(1.0))), Value::Unknown);
    assert_eq!(ok(&bin(BinaryOp::Lt, num(1.0), unknown())), Value::Unknown);
    assert_eq!(ok(&un(UnaryOp::Neg, unknown())), Value::Unknown);
    // Type errors are still found next to an unknown.
    assert_eq!(
        codes_of(&err(&bin(BinaryOp::Add, unknown(), s("x")))),
        vec![codes::INVALID_OPERAND]
    );
    assert_eq!(
        ok(&bin(BinaryOp::Eq, secret(), s("hunter2"))),
        Value::Bool(true).mark_sensitive()
    );
    let c = EvalContext::new().with_variable("x", n(2.0).mark_sensitive());
    assert_eq!(
        eval(&bin(BinaryOp::Mul, var("x"), num(3.0)), &c),
        Ok(n(6.0).mark_sensitive())
    );
    assert_eq!(
        eval(&bin(BinaryOp::Add, var("x"), attr(var("x"), "nope")), &c).map_err(|d| d.0.len()),
        Err(1)
    );
}

#[test]
fn equality_across_kinds_and_unknowns() {
    let eq = |l, r| ok(&bin(BinaryOp::Eq, l, r));
    assert_eq!(eq(num(1.0), s("1")), Value::Bool(false));
    assert_eq!(eq(null(), null()), Value::Bool(true));
    assert_eq!(eq(attr(var("var"), "nothing"), null()), Value::Bool(true));
    assert_eq!(
        eq(tuple(vec![num(1.0)]), tuple(vec![num(1.0)])),
        Value::Bool(true)
    );
    assert_eq!(
        eq(object(vec![("a", num(1.0))]), object(vec![("b", num(1.0))])),
        Value::Bool(false)
    );
    assert_eq!(eq(attr(var("var"), "unknown"), num(1.0)), Value::Unknown);
    // A known difference decides even next to an unknown element.
    assert_eq!(
        eq(
            tuple(vec![attr(var("var"), "unknown"), num(1.0)]),
            tuple(vec![num(2.0), num(2.0)])
        ),
        Value::Bool(false)
    );
    assert_eq!(
        eq(
            tuple(vec![attr(var("var"), "unknown")]),
            tuple(vec![num(2.0), num(2.0)])
        ),
        Value::Bool(false)
    );
    assert_eq!(
        ok(&bin(BinaryOp::NotEq, num(1.0), num(2.0))),
        Value::Bool(true)
    );
}

#[test]
fn logic_evaluates_both_operands_as_terraform_1_11() {
    let unknown = || attr(var("var"), "unknown");
    let and = |l, r| ok(&bin(BinaryOp::And, l, r));
    let or = |l, r| ok(&bin(BinaryOp::Or, l, r));
    // cty's `And`/`Or` functions: any unknown operand makes the result unknown.
    assert_eq!(or(boolean(true), unknown()), Value::Unknown);
    assert_eq!(or(unknown(), boolean(true)), Value::Unknown);
    assert_eq!(and(boolean(false), unknown()), Value::Unknown);
    assert_eq!(and(unknown(), boolean(true)), Value::Unknown);
    assert_eq!(and(boolean(true), boolean(true)), Value::Bool(true));
    assert_eq!(and(boolean(true), boolean(false)), Value::Bool(false));
    assert_eq!(or(boolean(false), boolean(false)), Value::Bool(false));
    assert_eq!(or(boolean(false), boolean(true)), Value::Bool(true));
    // The right side is evaluated even when the left decides, and its error reported.
    assert_eq!(
        codes_of(&err(&bin(
            BinaryOp::And,
            boolean(false),
            attr(attr(var("var"), "nothing"), "x")
        ))),
        vec![codes::NULL_VALUE]
    );
    // A null operand is an error whatever the other side.
    assert_eq!(
        codes_of(&err(&bin(BinaryOp::Or, boolean(true), null()))),
        vec![codes::NULL_VALUE]
    );
    assert_eq!(
        codes_of(&err(&bin(BinaryOp::And, boolean(true), num(1.0)))),
        vec![codes::INVALID_OPERAND]
    );
    let c = EvalContext::new().with_variable("t", Value::Bool(true).mark_sensitive());
    assert_eq!(
        eval(&bin(BinaryOp::Or, var("t"), boolean(false)), &c),
        Ok(Value::Bool(true).mark_sensitive())
    );
}

#[test]
fn conditionals_pick_one_branch() {
    assert_eq!(ok(&cond(boolean(true), num(1.0), num(2.0))), n(1.0));
    assert_eq!(ok(&cond(boolean(false), num(1.0), num(2.0))), n(2.0));
    // The branch not taken may fail.
    assert_eq!(ok(&cond(boolean(false), var("nope"), num(2.0))), n(2.0));
    assert_eq!(
        ok(&cond(attr(var("var"), "unknown"), num(1.0), num(2.0))),
        Value::Unknown
    );
    assert_eq!(
        ok(&cond(
            attr(var("var"), "unknown"),
            attr(var("var"), "secret"),
            s("x")
        )),
        Value::Unknown.mark_sensitive()
    );
    let c = num(1.0);
    let c_span = c.span;
    let d = err(&cond(c, num(1.0), num(2.0)));
    assert_eq!(codes_of(&d), vec![codes::INVALID_CONDITION]);
    assert_eq!(d.0[0].primary_span(), Some(c_span));
    assert_eq!(
        codes_of(&err(&cond(null(), num(1.0), num(2.0)))),
        vec![codes::INVALID_CONDITION]
    );
    assert_eq!(ok(&cond(s("true"), num(1.0), num(2.0))), n(1.0));
}

#[test]
fn templates_convert_and_propagate() {
    let t = tmpl(vec![
        lit("port "),
        interp(attr(var("var"), "port")),
        lit(" "),
        interp(boolean(true)),
    ]);
    assert_eq!(ok(&t), sv("port 8080 true"));
    // A lone interpolation is the value itself.
    assert_eq!(
        ok(&tmpl(vec![interp(attr(var("var"), "tags"))])),
        list(vec![sv("a"), sv("b")])
    );
    assert_eq!(
        ok(&tmpl(vec![lit("x"), interp(attr(var("var"), "unknown"))])),
        Value::Unknown
    );
    assert_eq!(
        ok(&tmpl(vec![lit("pw="), interp(attr(var("var"), "secret"))])),
        sv("pw=hunter2").mark_sensitive()
    );
    let null_part = attr(var("var"), "nothing");
    let null_span = null_part.span;
    let d = err(&tmpl(vec![
        lit("x"),
        interp(null_part),
        interp(attr(var("var"), "tags")),
    ]));
    assert_eq!(
        codes_of(&d),
        vec![codes::INVALID_TEMPLATE_VALUE, codes::INVALID_TEMPLATE_VALUE]
    );
    assert_eq!(d.0[0].primary_span(), Some(null_span));
}

#[test]
fn template_directives() {
    let t = tmpl(vec![tmpl_if(
        attr(var("var"), "enabled"),
        vec![lit("on")],
        vec![lit("off")],
    )]);
    assert_eq!(ok(&t), sv("on"));
    let t = tmpl(vec![tmpl_for(
        Some("i"),
        "t",
        attr(var("var"), "tags"),
        vec![interp(var("i")), lit("="), interp(var("t")), lit(";")],
    )]);
    assert_eq!(ok(&t), sv("0=a;1=b;"));
    let t = tmpl(vec![tmpl_for(
        None,
        "k",
        object(vec![("b", num(1.0)), ("a", num(2.0))]),
        vec![interp(var("k"))],
    )]);
    assert_eq!(ok(&t), sv("21"));
    let t = tmpl(vec![tmpl_if(
        attr(var("var"), "unknown"),
        vec![lit("on")],
        vec![],
    )]);
    assert_eq!(ok(&t), Value::Unknown);
    let d = err(&tmpl(vec![tmpl_for(None, "x", num(1.0), vec![])]));
    assert_eq!(codes_of(&d), vec![codes::INVALID_ITERATION]);
}

#[test]
fn object_keys_duplicates_and_unknowns() {
    let e = object_exprs(vec![
        (s("a"), num(1.0)),
        (parens(attr(var("var"), "name")), num(2.0)),
    ]);
    assert_eq!(ok(&e), obj(vec![("a", n(1.0)), ("web", n(2.0))]));
    let e = object_exprs(vec![(num(1.0), num(1.0))]);
    assert_eq!(ok(&e), obj(vec![("1", n(1.0))]));
    // A repeated key is accepted, the later value winning (as Terraform 1.11).
    assert_eq!(
        ok(&object(vec![("a", num(1.0)), ("a", num(2.0))])),
        obj(vec![("a", n(2.0))])
    );
    assert_eq!(
        ok(&object_exprs(vec![(attr(var("var"), "unknown"), num(1.0))])),
        Value::Unknown
    );
    let d = err(&object_exprs(vec![
        (null(), num(1.0)),
        (attr(var("var"), "secret"), num(1.0)),
    ]));
    assert_eq!(codes_of(&d), vec![codes::INVALID_KEY, codes::INVALID_KEY]);
    // Every failing value is reported.
    let d = err(&object(vec![("a", var("x1")), ("b", var("x2"))]));
    assert_eq!(d.0.len(), 2);
}

#[test]
fn for_expressions_over_lists_and_objects() {
    let tags = || attr(var("var"), "tags");
    assert_eq!(
        ok(&for_list(Some("i"), "v", tags(), var("i"), None)),
        list(vec![n(0.0), n(1.0)])
    );
    assert_eq!(
        ok(&for_list(
            None,
            "v",
            tags(),
            call("upper", vec![var("v")]),
            Some(bin(BinaryOp::NotEq, var("v"), s("a")))
        )),
        list(vec![sv("B")])
    );
    let m = object(vec![("x", num(1.0)), ("y", num(2.0))]);
    assert_eq!(
        ok(&for_object(
            Some("k"),
            "v",
            m,
            var("k"),
            bin(BinaryOp::Mul, var("v"), num(10.0)),
            false,
            None
        )),
        obj(vec![("x", n(10.0)), ("y", n(20.0))])
    );
    let dup = tuple(vec![s("a"), s("a"), s("b")]);
    let d = err(&for_object(
        Some("i"),
        "v",
        dup.clone(),
        var("v"),
        var("i"),
        false,
        None,
    ));
    assert_eq!(codes_of(&d), vec![codes::DUPLICATE_KEY]);
    assert_eq!(
        ok(&for_object(
            Some("i"),
            "v",
            dup,
            var("v"),
            var("i"),
            true,
            None
        )),
        obj(vec![
            ("a", list(vec![n(0.0), n(1.0)])),
            ("b", list(vec![n(2.0)]))
        ])
    );
    assert_eq!(
        ok(&for_list(
            None,
            "v",
            attr(var("var"), "unknown"),
            var("v"),
            None
        )),
        Value::Unknown
    );
    assert_eq!(
        ok(&for_list(
            None,
            "v",
            tags(),
            var("v"),
            Some(attr(var("var"), "unknown"))
        )),
        Value::Unknown
    );
    let d = err(&for_list(
        None,
        "v",
        attr(var("var"), "nothing"),
        var("v"),
        None,
    ));
    assert_eq!(codes_of(&d), vec![codes::INVALID_ITERATION]);
    let d = err(&for_list(None, "v", tags(), var("v"), Some(num(1.0))));
    assert_eq!(
        codes_of(&d),
        vec![codes::INVALID_CONDITION, codes::INVALID_CONDITION]
    );
}

#[test]
fn for_over_sensitive_collection_is_sensitive() {
    let c = EvalContext::new().with_variable("l", list(vec![sv("a")]).mark_sensitive());
    assert_eq!(
        eval(&for_list(None, "v", var("l"), var("v"), None), &c),
        Ok(list(vec![sv("a").mark_sensitive()]).mark_sensitive())
    );
}

#[test]
fn function_calls_check_names_and_expand() {
    assert_eq!(ok(&call("upper", vec![s("a")])), sv("A"));
    let d = err(&call("uper", vec![s("a")]));
    assert_eq!(codes_of(&d), vec![codes::UNKNOWN_FUNCTION]);
    assert_eq!(d.0[0].help.as_deref(), Some("Did you mean \"upper\"?"));
    assert_eq!(
        ok(&call_expand("max", vec![tuple(vec![num(1.0), num(5.0)])])),
        n(5.0)
    );
    assert_eq!(
        ok(&call_expand("max", vec![attr(var("var"), "unknown")])),
        Value::Unknown
    );
    assert_eq!(
        codes_of(&err(&call_expand("max", vec![num(1.0)]))),
        vec![codes::INVALID_EXPANSION]
    );
    assert_eq!(
        codes_of(&err(&call_expand("max", vec![null()]))),
        vec![codes::INVALID_EXPANSION]
    );
}

#[test]
fn try_and_can() {
    assert_eq!(
        ok(&call("try", vec![attr(var("var"), "nope"), s("d")])),
        sv("d")
    );
    assert_eq!(
        ok(&call("try", vec![attr(var("var"), "name"), s("d")])),
        sv("web")
    );
    assert_eq!(
        ok(&call("try", vec![attr(var("var"), "unknown"), s("d")])),
        Value::Unknown
    );
    let d = err(&call(
        "try",
        vec![
            attr(var("var"), "nope"),
            index(attr(var("var"), "tags"), num(9.0)),
        ],
    ));
    assert_eq!(codes_of(&d), vec![codes::FUNCTION_FAILED]);
    // Undeclared names are configuration mistakes, not caught.
    assert_eq!(
        codes_of(&err(&call("try", vec![var("nope"), s("d")]))),
        vec![codes::UNKNOWN_NAME]
    );
    assert_eq!(
        ok(&call("can", vec![attr(var("var"), "nope")])),
        Value::Bool(false)
    );
    assert_eq!(
        ok(&call("can", vec![attr(var("var"), "name")])),
        Value::Bool(true)
    );
    assert_eq!(
        ok(&call("can", vec![attr(var("var"), "unknown")])),
        Value::Unknown
    );
    assert_eq!(
        codes_of(&err(&call("can", vec![]))),
        vec![codes::WRONG_ARITY]
    );
    assert_eq!(
        codes_of(&err(&call("try", vec![]))),
        vec![codes::WRONG_ARITY]
    );
}

#[test]
fn eval_as_converts_to_a_type() {
    let e = num(1.0);
    assert_eq!(eval_as(&e, &ctx(), &Type::String), Ok(sv("1")));
    let d = eval_as(&s("x"), &ctx(), &Type::Number).unwrap_err();
    assert_eq!(codes_of(&d), vec![codes::TYPE_MISMATCH]);
}

#[test]
fn eval_template_always_gives_a_string() {
    let parts = vec![interp(num(1.0))];
    assert_eq!(
        eval_template(
            &Template {
                parts,
                heredoc: None
            },
            span(),
            &ctx()
        ),
        Ok(sv("1"))
    );
}

#[test]
fn tuple_errors_are_all_collected() {
    let d = err(&tuple(vec![
        var("a1"),
        num(1.0),
        var("a2"),
        call("nofunc", vec![var("a3")]),
    ]));
    assert_eq!(
        codes_of(&d),
        vec![
            codes::UNKNOWN_NAME,
            codes::UNKNOWN_NAME,
            codes::UNKNOWN_NAME,
            codes::UNKNOWN_FUNCTION
        ]
    );
}

mod never_panic {
    //! Arbitrary expression trees over arbitrary-ish values evaluate to a value or diagnostics,
    //! never a panic.

    use proptest::prelude::*;

    use super::*;

    const FUNCS: [&str; 16] = [
        "upper",
        "format",
        "concat",
        "merge",
        "lookup",
        "element",
        "flatten",
        "range",
        "try",
        "can",
        "tolist",
        "jsonencode",
        "length",
        "coalesce",
        "sensitive",
        "zipmap",
    ];
    const ATTRS: [&str; 6] = ["name", "tags", "servers", "secret", "unknown", "nothing"];
    const OPS: [BinaryOp; 13] = [
        BinaryOp::Or,
        BinaryOp::And,
        BinaryOp::Eq,
        BinaryOp::NotEq,
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Gt,
        BinaryOp::Ge,
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Mod,
    ];

    fn leaf() -> impl Strategy<Value = Expr> {
        prop_oneof![
            Just(()).prop_map(|()| null()),
            any::<bool>().prop_map(boolean),
            (-3i32..4).prop_map(|i| num(f64::from(i))),
            "[a-z0-9%]{0,4}".prop_map(|t| s(&t)),
            (0..ATTRS.len()).prop_map(|i| attr(var("var"), ATTRS[i])),
            Just(()).prop_map(|()| var("v")),
            Just(()).prop_map(|()| var("nope")),
        ]
    }

    fn expr() -> impl Strategy<Value = Expr> {
        leaf().prop_recursive(4, 32, 3, |inner| {
            prop_oneof![
                (0..OPS.len(), inner.clone(), inner.clone())
                    .prop_map(|(op, l, r)| bin(OPS[op], l, r)),
                (any::<bool>(), inner.clone())
                    .prop_map(|(neg, e)| { un(if neg { UnaryOp::Neg } else { UnaryOp::Not }, e) }),
                (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, t, f)| cond(c, t, f)),
                prop::collection::vec(inner.clone(), 0..3).prop_map(tuple),
                prop::collection::vec((inner.clone(), inner.clone()), 0..3).prop_map(object_exprs),
                (inner.clone(), inner.clone()).prop_map(|(e, k)| index(e, k)),
                (inner.clone(), 0..ATTRS.len()).prop_map(|(e, a)| attr(e, ATTRS[a])),
                (inner.clone(), any::<bool>(), 0..ATTRS.len()).prop_map(|(e, full, a)| splat(
                    e,
                    full,
                    vec![step_attr(ATTRS[a])]
                )),
                (
                    0..FUNCS.len(),
                    prop::collection::vec(inner.clone(), 0..3),
                    any::<bool>()
                )
                    .prop_map(|(f, args, expand)| {
                        if expand && !args.is_empty() {
                            call_expand(FUNCS[f], args)
                        } else {
                            call(FUNCS[f], args)
                        }
                    }),
                (
                    inner.clone(),
                    inner.clone(),
                    proptest::option::of(inner.clone())
                )
                    .prop_map(|(c, v, f)| for_list(Some("k"), "v", c, v, f)),
                (inner.clone(), inner.clone(), inner.clone(), any::<bool>())
                    .prop_map(|(c, k, v, g)| for_object(None, "v", c, k, v, g, None)),
                (inner.clone(), inner.clone(), inner.clone()).prop_map(|(a, c, coll)| tmpl(vec![
                    lit("x"),
                    interp(a),
                    tmpl_if(c, vec![lit("y")], vec![]),
                    tmpl_for(None, "v", coll, vec![interp(var("v"))]),
                ])),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn evaluation_never_panics(e in expr()) {
            let _ = eval(&e, &ctx());
        }
    }
}

/// `templatestring` / `templatefile`: vars only, strip markers, Terraform's errors.
#[test]
fn templates_render_with_their_vars_only() {
    let parse = |src: &str| {
        crate::parse::parse_expression(src, crate::diag::FileId(0)).expect("expression parses")
    };
    let ctx = EvalContext::new()
        .with_variable(
            "tpl",
            sv("%{ for x in xs ~}\n[${x}]\n%{ endfor ~}\n${upper(who)}"),
        )
        .with_variable("outside", sv("hidden"))
        .with_variable("one", sv("${v}"))
        .with_variable("missing", sv("a\n  ${outside}"));
    let eval_src = |src: &str| eval(&parse(src), &ctx);
    assert_eq!(
        eval_src(r#"templatestring(tpl, { xs = ["a", "b"], who = "me" })"#),
        Ok(sv("[a]\n[b]\nME"))
    );
    // A single interpolation of a non-string is refused by templatestring.
    let d = eval_src("templatestring(one, { v = [1] })").expect_err("not a string");
    assert!(d.iter().any(|d| d.summary == "Error in function call"));
    // The configuration's names are not visible: a missing key names where it is used.
    let d = eval_src("templatestring(missing, {})").expect_err("missing var");
    assert!(
        d.iter().any(|d| d.detail.as_deref().is_some_and(|t| t.contains(
            "vars map does not contain key \"outside\", referenced at <templatestring argument>:2,5-12"
        ))),
        "{d:?}"
    );
    // A template written in place is refused; so is a template calling templatestring.
    assert!(eval_src(r#"templatestring("${1}", {})"#).is_err());
    let nested = EvalContext::new().with_variable("t", sv("${templatestring(t, {})}"));
    let d = eval(&parse("templatestring(t, { t = t })"), &nested).expect_err("recursive");
    assert!(
        d.iter().any(|d| d
            .detail
            .as_deref()
            .is_some_and(|t| t.contains("cannot recursively call"))),
        "{d:?}"
    );
    // Unknown vars give an unknown result; sensitive vars a sensitive one.
    assert_eq!(
        eval_src("templatestring(one, { v = sensitive(\"s\") })").map(|v| v.contains_sensitive()),
        Ok(true)
    );
}
