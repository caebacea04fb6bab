//! Expression evaluation: an [`ast::Expr`] plus an [`EvalContext`] gives a [`Value`].
//!
//! Responsibility: the meaning of HCL native-syntax expressions (literals, templates, tuples and
//! objects, traversals and splats, operators, conditionals, `for` expressions and function
//! calls), with Terraform's semantics for unknown values and sensitive marks:
//!
//! - **Unknown propagates.** Any operation whose result depends on an unknown input yields
//!   [`Value::Unknown`]; the result is known only when it cannot depend on the unknown part
//!   (`true || unknown`, `length([unknown])`, a known index into a list holding unknowns).
//! - **Sensitive marks survive.** A result that depends on a sensitive input is sensitive.
//!   Marks deep inside a collection stay where they are when the collection passes through
//!   unchanged (indexing, `concat`, splats).
//! - **Errors are diagnostics**, `scw::eval::<kind>`, whose primary label is the offending
//!   sub-expression. Independent errors (tuple elements, object items, arguments, `for`
//!   iterations) are all reported, not only the first.
//!
//! What a root name (`var`, `local`, `count`, `each`, a resource type...) means is not decided
//! here: the caller binds names in the [`EvalContext`]. Evaluation has no clock and no
//! randomness (`timestamp()` and `uuid()` are unknown until apply); its only I/O is the file
//! functions (`file`, `fileset`, `templatefile`...), which read the files they are given.
//!
//! Depends on `parse::ast`, `diag`, [`crate::model::value`], [`crate::model::types`] and
//! [`crate::model::functions`]; nothing above `model`.

mod ops;
mod templates;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use crate::diag::{Diagnostic, Diagnostics, Span, suggest};
use crate::model::functions;
use crate::model::types::{self, Type};
use crate::model::value::{Collection, Value, format_number, nfc};
use crate::parse::ast::{
    self, Expr, ExprKind, ForExpr, FuncCall, ObjectItem, ObjectKey, Step, StepKind, Template,
    TemplatePart,
};

pub(crate) use ops::values_equal;

/// Where root names come from during evaluation.
///
/// A context maps root names (`var`, `local`, `count`, `each`, `path`, resource type names...)
/// to values. `for` expressions and template `for` directives evaluate their bodies in a
/// [`child`](Self::child) context that adds the iteration variables and sees every name of
/// its parents; a name bound in a child shadows the same name in its parents.
///
/// ```
/// use scwform::model::expr::EvalContext;
/// use scwform::model::value::Value;
///
/// let ctx = EvalContext::new().with_variable("count", Value::float(2.0));
/// assert_eq!(ctx.get("count"), Some(&Value::float(2.0)));
/// let inner = ctx.child().with_variable("each", Value::Null);
/// assert!(inner.get("count").is_some() && inner.get("each").is_some());
/// ```
#[derive(Debug, Default)]
pub struct EvalContext<'a> {
    names: BTreeMap<String, Value>,
    parent: Option<&'a Self>,
    /// Function calls are refused (a variables file holds constants only).
    no_functions: bool,
}

impl EvalContext<'_> {
    /// An empty context: no names are bound, every function is available.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty context in which function calls are refused, as Terraform refuses them in a
    /// variables file (`.tfvars`).
    #[must_use]
    pub fn constants() -> Self {
        Self {
            no_functions: true,
            ..Self::default()
        }
    }

    /// Binds `name` to `value` (builder form of [`set`](Self::set)).
    #[must_use]
    pub fn with_variable(mut self, name: impl Into<String>, value: Value) -> Self {
        self.set(name, value);
        self
    }

    /// Binds `name` to `value` in this scope, replacing any previous binding in this scope.
    pub fn set(&mut self, name: impl Into<String>, value: Value) {
        self.names.insert(name.into(), value);
    }

    /// Removes a binding from this scope (not from parents), returning its value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.names.remove(name)
    }

    /// A mutable reference to a binding of this scope, e.g. to add a `local.x` attribute to an
    /// already bound `local` object.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        self.names.get_mut(name)
    }

    /// A new, empty scope whose lookups fall back to `self`.
    #[must_use]
    pub fn child(&self) -> EvalContext<'_> {
        EvalContext {
            names: BTreeMap::new(),
            parent: Some(self),
            no_functions: self.no_functions,
        }
    }

    /// The value bound to `name` in this scope or the nearest parent that binds it.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value> {
        let mut scope = Some(self);
        while let Some(s) = scope {
            if let Some(v) = s.names.get(name) {
                return Some(v);
            }
            scope = s.parent;
        }
        None
    }

    /// Every visible name, sorted and without duplicates (used for did-you-mean).
    #[must_use]
    pub fn names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let mut scope = Some(self);
        while let Some(s) = scope {
            out.extend(s.names.keys().map(String::as_str));
            scope = s.parent;
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Evaluates an expression.
///
/// Returns the value (possibly [`Value::Unknown`] or holding unknowns and sensitive marks), or
/// every error found, each a `scw::eval::*` diagnostic labelled on the offending
/// sub-expression.
///
/// # Errors
/// Unknown names and functions, type errors in operators and function arguments, invalid
/// indexes and attributes, null where a value is required, duplicate object keys...
pub fn eval(expr: &Expr, ctx: &EvalContext<'_>) -> Result<Value, Diagnostics> {
    let mut ev = Evaluator::default();
    let value = ev.expr(expr, ctx);
    ev.finish(value)
}

/// Evaluates a template (the parts of a quoted string or heredoc) to a string.
///
/// Unlike [`eval`] on a template expression, a template that is a single interpolation is
/// still converted to a string here, as a standalone template would be.
///
/// # Errors
/// As [`eval`], plus values that cannot be converted to a string.
pub fn eval_template(
    template: &Template,
    span: Span,
    ctx: &EvalContext<'_>,
) -> Result<Value, Diagnostics> {
    let mut ev = Evaluator::default();
    let value = ev.template_parts(&template.parts, span, ctx);
    ev.finish(value)
}

/// Evaluates an expression and converts the result to a type constraint (a variable's `type`,
/// a schema attribute's type), reporting a failed conversion on the expression.
///
/// # Errors
/// As [`eval`], plus `scw::eval::type_mismatch` when the value does not convert.
pub fn eval_as(expr: &Expr, ctx: &EvalContext<'_>, ty: &Type) -> Result<Value, Diagnostics> {
    let value = eval(expr, ctx)?;
    types::convert(value, ty).map_err(|message| {
        Diagnostics::from(
            Diagnostic::error(codes::TYPE_MISMATCH, "Incorrect value type")
                .with_primary(expr.span, format!("a value of type {ty} is required"))
                .with_detail(message),
        )
    })
}

/// The diagnostic codes of this module (each listed in `docs/errors.md`).
pub mod codes {
    /// A root name that nothing binds.
    pub const UNKNOWN_NAME: &str = "scw::eval::unknown_name";
    /// `.name` on a value that has no such attribute.
    pub const UNSUPPORTED_ATTRIBUTE: &str = "scw::eval::unsupported_attribute";
    /// `[key]` that selects nothing (out of range, wrong key type, missing key).
    pub const INVALID_INDEX: &str = "scw::eval::invalid_index";
    /// A null value where a value is required.
    pub const NULL_VALUE: &str = "scw::eval::null_value";
    /// An operator applied to a value of the wrong type.
    pub const INVALID_OPERAND: &str = "scw::eval::invalid_operand";
    /// `x / 0` or `x % 0`.
    pub const DIVISION_BY_ZERO: &str = "scw::eval::division_by_zero";
    /// A condition (`? :`, `if`, `%{if}`) that is not a bool.
    pub const INVALID_CONDITION: &str = "scw::eval::invalid_condition";
    /// A template interpolation whose value cannot become a string.
    pub const INVALID_TEMPLATE_VALUE: &str = "scw::eval::invalid_template_value";
    /// `for` over something that is not a collection.
    pub const INVALID_ITERATION: &str = "scw::eval::invalid_iteration";
    /// Two items producing the same object key.
    pub const DUPLICATE_KEY: &str = "scw::eval::duplicate_key";
    /// An object key that is not a string (or is null or sensitive).
    pub const INVALID_KEY: &str = "scw::eval::invalid_key";
    /// A call to a function that does not exist.
    pub const UNKNOWN_FUNCTION: &str = "scw::eval::unknown_function";
    /// Too few or too many arguments.
    pub const WRONG_ARITY: &str = "scw::eval::wrong_arity";
    /// An argument of the wrong type or value.
    pub const INVALID_ARGUMENT: &str = "scw::eval::invalid_function_argument";
    /// A function failed for a reason not tied to one argument (e.g. `try` with no success).
    pub const FUNCTION_FAILED: &str = "scw::eval::function_failed";
    /// `f(args...)` whose last argument is not a list.
    pub const INVALID_EXPANSION: &str = "scw::eval::invalid_expansion";
    /// A function call where only constants are allowed (a variables file).
    pub const FUNCTIONS_NOT_ALLOWED: &str = "scw::eval::functions_not_allowed";
    /// A malformed type constraint.
    pub const INVALID_TYPE: &str = "scw::eval::invalid_type";
    /// A value that does not convert to the required type.
    pub const TYPE_MISMATCH: &str = "scw::eval::type_mismatch";

    /// Every code above (a test checks each one is documented in `docs/errors.md`).
    pub const ALL: [&str; 19] = [
        UNKNOWN_NAME,
        UNSUPPORTED_ATTRIBUTE,
        INVALID_INDEX,
        NULL_VALUE,
        INVALID_OPERAND,
        DIVISION_BY_ZERO,
        INVALID_CONDITION,
        INVALID_TEMPLATE_VALUE,
        INVALID_ITERATION,
        DUPLICATE_KEY,
        INVALID_KEY,
        UNKNOWN_FUNCTION,
        WRONG_ARITY,
        INVALID_ARGUMENT,
        FUNCTION_FAILED,
        INVALID_EXPANSION,
        FUNCTIONS_NOT_ALLOWED,
        INVALID_TYPE,
        TYPE_MISMATCH,
    ];
}

/// Errors that `try` and `can` never swallow: they are mistakes in the configuration, not
/// properties of the data (Terraform treats references to undeclared things the same way).
const STATIC_ERRORS: [&str; 3] = [
    codes::UNKNOWN_NAME,
    codes::UNKNOWN_FUNCTION,
    codes::FUNCTIONS_NOT_ALLOWED,
];

/// The evaluation walk. Errors are pushed into `diags`; a sub-evaluation that failed returns
/// `None` so that callers stop using its value but can carry on with independent siblings.
#[derive(Default)]
struct Evaluator {
    diags: Diagnostics,
    /// Inside a `templatefile` / `templatestring` template (which may not call them again).
    in_template: bool,
}

impl Evaluator {
    fn finish(self, value: Option<Value>) -> Result<Value, Diagnostics> {
        match value {
            Some(v) if !self.diags.has_errors() => Ok(v),
            _ => {
                let mut diags = self.diags;
                if diags.is_empty() {
                    // Invariant: every `None` is produced right after pushing an error; keep
                    // the API honest even if a path forgot to.
                    diags.push(Diagnostic::error(
                        codes::FUNCTION_FAILED,
                        "Expression could not be evaluated",
                    ));
                }
                Err(diags)
            }
        }
    }

    fn error<T>(&mut self, diagnostic: Diagnostic) -> Option<T> {
        self.diags.push(diagnostic);
        None
    }

    fn report(&mut self, result: Result<Value, Diagnostic>) -> Option<Value> {
        result.map_or_else(|d| self.error(d), Some)
    }

    fn expr(&mut self, e: &Expr, ctx: &EvalContext<'_>) -> Option<Value> {
        // Expressions nest as deep as the parser allows (`parse::MAX_DEPTH`), each level a few
        // frames: grow the stack on the heap when it runs low rather than overflow a small
        // thread's stack.
        stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
            self.expr_unguarded(e, ctx)
        })
    }

    fn expr_unguarded(&mut self, e: &Expr, ctx: &EvalContext<'_>) -> Option<Value> {
        match &e.kind {
            ExprKind::Null => Some(Value::Null),
            ExprKind::Bool(b) => Some(Value::Bool(*b)),
            ExprKind::Number(n) => Some(Value::Number(n.clone())),
            ExprKind::Template(t) => self.template(t, e.span, ctx),
            ExprKind::Tuple(items) => self.tuple(items, ctx),
            ExprKind::Object(items) => self.object(items, ctx),
            ExprKind::Variable(ident) => self.variable(ident, ctx).cloned(),
            ExprKind::Traversal { root, steps } => self.traversal(root, steps, ctx),
            ExprKind::Call(call) => self.call(call, e.span, ctx),
            ExprKind::For(f) => self.for_expr(f, ctx),
            ExprKind::Unary { op, operand } => {
                let v = self.expr(operand, ctx)?;
                self.report(ops::unary(*op, v, operand.span))
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, ctx),
            ExprKind::Conditional {
                cond,
                then,
                otherwise,
            } => self.conditional(cond, then, otherwise, ctx),
            ExprKind::Parens(inner) => self.expr(inner, ctx),
        }
    }

    fn tuple(&mut self, items: &[Expr], ctx: &EvalContext<'_>) -> Option<Value> {
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in items {
            match self.expr(item, ctx) {
                Some(v) => out.push(v),
                None => ok = false,
            }
        }
        ok.then_some(Value::List(out))
    }

    fn object(&mut self, items: &[ObjectItem], ctx: &EvalContext<'_>) -> Option<Value> {
        let mut out = BTreeMap::new();
        let mut ok = true;
        let mut unknown_key = false;
        for item in items {
            let key = match &item.key {
                ObjectKey::Ident(ident) => Some(Key::Known(nfc(ident.name.clone()))),
                ObjectKey::Expr(e) => self
                    .expr(e, ctx)
                    .and_then(|k| self.object_key(k, e.span, "object constructor")),
            };
            let value = self.expr(&item.value, ctx);
            match (key, value) {
                // As Terraform 1.11: a repeated key is not an error, the later value wins.
                (Some(Key::Known(k)), Some(v)) => {
                    out.insert(k, v);
                }
                (Some(Key::Unknown), Some(_)) => unknown_key = true,
                _ => ok = false,
            }
        }
        if !ok {
            None
        } else if unknown_key {
            // The set of attributes is not known, so neither is the object.
            Some(Value::Unknown)
        } else {
            Some(Value::Object(out))
        }
    }

    /// Turns an evaluated key expression into an object key.
    fn object_key(&mut self, key: Value, span: Span, what: &str) -> Option<Key> {
        let (key, sensitive) = key.into_unmarked();
        if sensitive {
            return self.error(
                Diagnostic::error(codes::INVALID_KEY, "Invalid object key")
                    .with_primary(span, "this key is sensitive")
                    .with_detail(format!(
                        "A sensitive value cannot be used as a key in an {what}: the key would be \
                         shown in plans."
                    )),
            );
        }
        match key {
            Value::Unknown => Some(Key::Unknown),
            Value::String(s) => Some(Key::Known(nfc(s))),
            Value::Number(n) => Some(Key::Known(format_number(&n))),
            Value::Bool(b) => Some(Key::Known(b.to_string())),
            Value::Null | Value::TypedNull(_) => self.error(
                Diagnostic::error(codes::INVALID_KEY, "Invalid object key")
                    .with_primary(span, "this key is null")
                    .with_detail(format!("A key in an {what} must not be null.")),
            ),
            other => self.error(
                Diagnostic::error(codes::INVALID_KEY, "Invalid object key")
                    .with_primary(
                        span,
                        format!("a string is required, got {}", other.kind_name()),
                    )
                    .with_detail(format!("A key in an {what} must be a string.")),
            ),
        }
    }

    fn variable<'c>(&mut self, ident: &ast::Ident, ctx: &'c EvalContext<'_>) -> Option<&'c Value> {
        if let Some(v) = ctx.get(&ident.name) {
            return Some(v);
        }
        let names = ctx.names();
        let mut d = Diagnostic::error(codes::UNKNOWN_NAME, "Reference to undeclared name")
            .with_primary(ident.span, "not declared")
            .with_detail(format!(
                "There is no name \"{}\" in this scope.",
                ident.name
            ));
        if let Some(help) = suggest::did_you_mean(&ident.name, names.iter().copied()) {
            d = d.with_help(help);
        }
        self.diags.push(d);
        None
    }

    fn traversal(&mut self, root: &Expr, steps: &[Step], ctx: &EvalContext<'_>) -> Option<Value> {
        // A name root is borrowed from the context, so that `var.big_object.one_field` copies
        // only the field, not the whole object.
        let root_value: Cow<'_, Value> = match &root.kind {
            ExprKind::Variable(ident) => Cow::Borrowed(self.variable(ident, ctx)?),
            _ => Cow::Owned(self.expr(root, ctx)?),
        };
        self.apply_steps(root_value, steps, ctx)
    }

    fn apply_steps(
        &mut self,
        start: Cow<'_, Value>,
        steps: &[Step],
        ctx: &EvalContext<'_>,
    ) -> Option<Value> {
        let mut cur = start;
        let mut sensitive = false;
        for (i, step) in steps.iter().enumerate() {
            // Peel the mark off: what is selected from a sensitive value is sensitive.
            cur = match cur {
                Cow::Borrowed(Value::Sensitive(inner)) => {
                    sensitive = true;
                    Cow::Borrowed(inner.unmark().0)
                }
                Cow::Owned(Value::Sensitive(inner)) => {
                    sensitive = true;
                    Cow::Owned(inner.into_unmarked().0)
                }
                other => other,
            };
            if matches!(*cur, Value::Unknown) {
                // Still evaluate index keys, so that errors in them are reported.
                self.check_step_keys(&steps[i..], ctx)?;
                return Some(Value::Unknown.marked_if(sensitive));
            }
            match &step.kind {
                StepKind::GetAttr(ident) => {
                    cur = self.get_attr(cur, ident, step.span)?;
                }
                StepKind::LegacyIndex(n) => {
                    let key = Value::Number(crate::number::Number::from_bigint(&(*n).into()));
                    cur = self.index(cur, key, step.span, step.span)?;
                }
                StepKind::Index(key_expr) => {
                    let key = self.expr(key_expr, ctx)?;
                    let (key, key_sensitive) = key.into_unmarked();
                    sensitive |= key_sensitive;
                    if matches!(key, Value::Unknown) {
                        return Some(Value::Unknown.marked_if(sensitive));
                    }
                    cur = self.index(cur, key, key_expr.span, step.span)?;
                }
                StepKind::Splat { each, .. } => {
                    let result = self.splat(cur, each, step.span, ctx)?;
                    let rest = &steps[i + 1..];
                    let result = if rest.is_empty() {
                        result
                    } else {
                        self.apply_steps(Cow::Owned(result), rest, ctx)?
                    };
                    return Some(result.marked_if(sensitive));
                }
            }
        }
        Some(cur.into_owned().marked_if(sensitive))
    }

    /// Evaluates the index keys of steps that will not be applied (the value is unknown), so
    /// that their errors are still reported.
    fn check_step_keys(&mut self, steps: &[Step], ctx: &EvalContext<'_>) -> Option<()> {
        let mut ok = true;
        for step in steps {
            match &step.kind {
                StepKind::Index(e) => ok &= self.expr(e, ctx).is_some(),
                StepKind::Splat { each, .. } => ok &= self.check_step_keys(each, ctx).is_some(),
                StepKind::GetAttr(_) | StepKind::LegacyIndex(_) => {}
            }
        }
        ok.then_some(())
    }

    fn get_attr<'v>(
        &mut self,
        cur: Cow<'v, Value>,
        ident: &ast::Ident,
        span: Span,
    ) -> Option<Cow<'v, Value>> {
        let name = ident.name.as_str();
        if let Value::Collection(c) = &*cur
            && let Collection::Map(_, map) = &**c
        {
            return match map.get(name) {
                Some(v) => Some(Cow::Owned(v.clone())),
                None => self.missing_attribute(map, ident, span),
            };
        }
        match cur {
            Cow::Borrowed(Value::Object(map)) => {
                if let Some(v) = map.get(name) {
                    return Some(Cow::Borrowed(v));
                }
                self.missing_attribute(map, ident, span)
            }
            Cow::Owned(Value::Object(mut map)) => {
                if let Some(v) = map.remove(name) {
                    return Some(Cow::Owned(v));
                }
                self.missing_attribute(&map, ident, span)
            }
            other => {
                let d = match &*other {
                    Value::Null | Value::TypedNull(_) => Diagnostic::error(
                        codes::NULL_VALUE,
                        "Attempt to get attribute from null value",
                    )
                    .with_primary(span, "this value is null")
                    .with_detail(format!(
                        "This value is null, so it does not have an attribute named \"{name}\"."
                    )),
                    Value::List(_) | Value::Collection(_) => Diagnostic::error(
                        codes::UNSUPPORTED_ATTRIBUTE,
                        "Unsupported attribute",
                    )
                    .with_primary(span, "a list has no attributes")
                    .with_detail(format!(
                        "Can't access attributes on a list. Did you mean to access attribute \
                         \"{name}\" for a specific element of the list, or across all elements \
                         of the list?"
                    ))
                    .with_help(format!(
                        "Use [N].{name} for one element, or [*].{name} for all of them."
                    )),
                    v => Diagnostic::error(codes::UNSUPPORTED_ATTRIBUTE, "Unsupported attribute")
                        .with_primary(span, format!("a {} has no attributes", v.kind_name()))
                        .with_detail(format!(
                            "Can't access attribute \"{name}\" on a value of type {}.",
                            v.kind_name()
                        )),
                };
                self.error(d)
            }
        }
    }

    fn missing_attribute<'v>(
        &mut self,
        map: &BTreeMap<String, Value>,
        ident: &ast::Ident,
        span: Span,
    ) -> Option<Cow<'v, Value>> {
        let mut d = Diagnostic::error(codes::UNSUPPORTED_ATTRIBUTE, "Unsupported attribute")
            .with_primary(span, "no such attribute")
            .with_detail(format!(
                "This object does not have an attribute named \"{}\".",
                ident.name
            ));
        if let Some(help) = suggest::did_you_mean(&ident.name, map.keys().map(String::as_str)) {
            d = d.with_help(help);
        }
        self.error(d)
    }

    /// `cur[key]`. `key_span` is the key expression, `step_span` the whole `[...]`.
    fn index<'v>(
        &mut self,
        cur: Cow<'v, Value>,
        key: Value,
        key_span: Span,
        step_span: Span,
    ) -> Option<Cow<'v, Value>> {
        let invalid = |summary: &str, label: String, detail: String| {
            Diagnostic::error(codes::INVALID_INDEX, summary.to_owned())
                .with_primary(key_span, label)
                .with_detail(detail)
        };
        if let Value::Collection(c) = &*cur {
            if let Collection::Set(..) = &**c {
                return self.error(
                    Diagnostic::error(codes::INVALID_INDEX, "Invalid index")
                        .with_primary(step_span, "a set cannot be indexed")
                        .with_detail(
                            "Elements of a set are identified only by their value and don't \
                             have any separate index or key to select with, so it's only \
                             possible to perform operations across all elements of the set.",
                        ),
                );
            }
            let plain = match cur.into_owned() {
                Value::Collection(c) => match *c {
                    Collection::List(_, items) => Value::List(items),
                    Collection::Map(_, map) => Value::Object(map),
                    Collection::Set(..) => unreachable!("sets were rejected above"),
                },
                _ => unreachable!("value was matched as a collection"),
            };
            return self
                .index(Cow::Owned(plain), key, key_span, step_span)
                .map(|v| Cow::Owned(v.into_owned()));
        }
        match &*cur {
            Value::List(items) => {
                let len = items.len();
                let index = match types::convert(key, &Type::Number) {
                    Ok(Value::Number(n)) => n,
                    Ok(Value::Null) => {
                        return self.error(invalid(
                            "Invalid index",
                            "this key is null".into(),
                            "Can't use a null value as an index.".into(),
                        ));
                    }
                    _ => {
                        return self.error(invalid(
                            "Invalid index",
                            "a number is required".into(),
                            "A list can only be indexed by a whole number.".into(),
                        ));
                    }
                };
                let Some(i) = whole_index(&index) else {
                    return self.error(invalid(
                        "Invalid index",
                        format!("{} is not a valid index", format_number(&index)),
                        "A list index must be a whole number, 0 or more.".into(),
                    ));
                };
                if i >= len {
                    return self.error(invalid(
                        "Invalid index",
                        format!("index {i} is out of range"),
                        format!(
                            "The given key does not identify an element in this collection \
                                 value: the list has {len} element{}.",
                            if len == 1 { "" } else { "s" }
                        ),
                    ));
                }
                Some(match cur {
                    Cow::Borrowed(Value::List(items)) => Cow::Borrowed(&items[i]),
                    Cow::Owned(Value::List(mut items)) => Cow::Owned(items.swap_remove(i)),
                    // Invariant: matched as a list just above.
                    _ => unreachable!("value was matched as a list"),
                })
            }
            Value::Object(map) => {
                let k = match key {
                    Value::String(s) => s,
                    Value::Number(n) => format_number(&n),
                    Value::Bool(b) => b.to_string(),
                    Value::Null => {
                        return self.error(invalid(
                            "Invalid index",
                            "this key is null".into(),
                            "Can't use a null value as a key.".into(),
                        ));
                    }
                    other => {
                        return self.error(invalid(
                            "Invalid index",
                            format!("a string is required, got {}", other.kind_name()),
                            "An object or map can only be indexed by a string key.".into(),
                        ));
                    }
                };
                if !map.contains_key(&k) {
                    let mut d = invalid(
                        "Invalid index",
                        format!("no element with key \"{k}\""),
                        format!(
                            "The given key \"{k}\" does not identify an element in this object."
                        ),
                    );
                    if let Some(help) = suggest::did_you_mean(&k, map.keys().map(String::as_str)) {
                        d = d.with_help(help);
                    }
                    return self.error(d);
                }
                Some(match cur {
                    Cow::Borrowed(Value::Object(map)) => Cow::Borrowed(&map[&k]),
                    Cow::Owned(Value::Object(mut map)) => {
                        Cow::Owned(map.remove(&k).unwrap_or_default())
                    }
                    // Invariant: matched as an object just above.
                    _ => unreachable!("value was matched as an object"),
                })
            }
            Value::Null | Value::TypedNull(_) => self.error(
                Diagnostic::error(codes::NULL_VALUE, "Attempt to index null value")
                    .with_primary(step_span, "this value is null")
                    .with_detail("This value is null, so it does not have any elements."),
            ),
            other => self.error(
                Diagnostic::error(codes::INVALID_INDEX, "Invalid index")
                    .with_primary(
                        step_span,
                        format!("a {} cannot be indexed", other.kind_name()),
                    )
                    .with_detail(format!(
                        "This value does not have any indices: only lists, tuples, maps and \
                             objects can be indexed, and this is a {}.",
                        other.kind_name()
                    )),
            ),
        }
    }

    fn splat(
        &mut self,
        cur: Cow<'_, Value>,
        each: &[Step],
        _span: Span,
        ctx: &EvalContext<'_>,
    ) -> Option<Value> {
        if let Value::Collection(c) = &*cur
            && !matches!(**c, Collection::Map(..))
        {
            // A splat over a list or set gives a list.
            let Ok((items, _)) = cur.into_owned().into_sequence() else {
                unreachable!("value was matched as a list or set")
            };
            let mut out = Vec::with_capacity(items.len());
            let mut ok = true;
            for item in items {
                match self.apply_steps(Cow::Owned(item), each, ctx) {
                    Some(v) => out.push(v),
                    None => ok = false,
                }
            }
            if !ok {
                return None;
            }
            return Some(
                types::convert(Value::List(out.clone()), &Type::list(Type::Any))
                    .unwrap_or(Value::List(out)),
            );
        }
        match cur {
            Cow::Borrowed(Value::Null | Value::TypedNull(_))
            | Cow::Owned(Value::Null | Value::TypedNull(_)) => Some(Value::List(Vec::new())),
            Cow::Borrowed(Value::List(items)) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for item in items {
                    match self.apply_steps(Cow::Borrowed(item), each, ctx) {
                        Some(v) => out.push(v),
                        None => ok = false,
                    }
                }
                ok.then_some(Value::List(out))
            }
            Cow::Owned(Value::List(items)) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for item in items {
                    match self.apply_steps(Cow::Owned(item), each, ctx) {
                        Some(v) => out.push(v),
                        None => ok = false,
                    }
                }
                ok.then_some(Value::List(out))
            }
            // Any other value behaves as a one-element list of itself.
            single => {
                let v = self.apply_steps(single, each, ctx)?;
                Some(Value::List(vec![v]))
            }
        }
    }

    fn binary(
        &mut self,
        op: ast::BinaryOp,
        lhs: &Expr,
        rhs: &Expr,
        ctx: &EvalContext<'_>,
    ) -> Option<Value> {
        use ast::BinaryOp::{And, Or};
        if matches!(op, And | Or) {
            // Terraform 1.11 (HCL 2.23) evaluates both operands, always: an error on the
            // right is reported even when the left decides (`var.x != null && var.x.a`
            // fails when `var.x` is null), as Terraform does.
            let l = self.expr(lhs, ctx);
            let r = self.expr(rhs, ctx);
            let (l, r) = (l?, r?);
            return self.report(ops::logical(op, l, r, lhs.span, rhs.span));
        }
        let l = self.expr(lhs, ctx);
        let r = self.expr(rhs, ctx);
        let (l, r) = (l?, r?);
        self.report(ops::binary(op, l, r, lhs.span, rhs.span))
    }

    fn conditional(
        &mut self,
        cond: &Expr,
        then: &Expr,
        otherwise: &Expr,
        ctx: &EvalContext<'_>,
    ) -> Option<Value> {
        let c = self.expr(cond, ctx)?;
        match self.condition(c, cond.span, "conditional expression")? {
            Cond::Known(b, marked) => {
                let (branch, other) = if b {
                    (then, otherwise)
                } else {
                    (otherwise, then)
                };
                let value = self.expr(branch, ctx)?;
                // The result has the type both results unify to (Terraform evaluates both;
                // only the chosen one's errors count).
                let mut quiet = Self::default();
                let other_ty = quiet.expr(other, ctx).map_or(Type::Any, |v| v.ty());
                let ty = value.ty();
                let (ty_then, ty_else) = if b {
                    (&ty, &other_ty)
                } else {
                    (&other_ty, &ty)
                };
                let target = match (value.unmark().0, ty_then, ty_else) {
                    (Value::Null, ..) if ty == Type::Any => other_ty.clone(),
                    _ if matches!(ty, Type::Any) || matches!(other_ty, Type::Any) => Type::Any,
                    _ => match types::unify(ty_then, ty_else) {
                        Some(t) => t,
                        None => {
                            return self.error(
                                Diagnostic::error(
                                    codes::TYPE_MISMATCH,
                                    "Inconsistent conditional result types",
                                )
                                .with_primary(
                                    then.span.to(otherwise.span),
                                    format!("{ty_then} and {ty_else} have no common type"),
                                )
                                .with_detail(format!(
                                    "The true and false result expressions must have consistent \
                                     types: the true result is {ty_then}, the false result {ty_else}."
                                )),
                            );
                        }
                    },
                };
                let value = if target == ty || target == Type::Any {
                    value
                } else {
                    match types::convert(value, &target) {
                        Ok(v) => v,
                        Err(e) => {
                            return self.error(
                                Diagnostic::error(codes::TYPE_MISMATCH, "Incorrect value type")
                                    .with_primary(branch.span, format!("a {target} is required"))
                                    .with_detail(e),
                            );
                        }
                    }
                };
                Some(value.marked_if(marked))
            }
            Cond::Unknown(marked) => {
                // The branch is not known; only errors in both would be certain, and the
                // result is unknown either way. A sensitive branch keeps the result sensitive.
                let mut quiet = Self::default();
                let a = quiet.expr(then, ctx);
                let b = quiet.expr(otherwise, ctx);
                let branch_sensitive = a.is_some_and(|v| v.contains_sensitive())
                    || b.is_some_and(|v| v.contains_sensitive());
                Some(Value::Unknown.marked_if(marked || branch_sensitive))
            }
        }
    }

    /// Checks that a condition is a bool (strings "true"/"false" convert, as in Terraform).
    fn condition(&mut self, c: Value, span: Span, what: &str) -> Option<Cond> {
        let (c, marked) = c.into_unmarked();
        match c {
            Value::Unknown => Some(Cond::Unknown(marked)),
            Value::Null | Value::TypedNull(_) => self.error(
                Diagnostic::error(codes::INVALID_CONDITION, "Null condition")
                    .with_primary(span, "this condition is null")
                    .with_detail(format!(
                        "The condition of a {what} must be true or false, not null."
                    )),
            ),
            other => match types::convert(other.clone(), &Type::Bool) {
                Ok(Value::Bool(b)) => Some(Cond::Known(b, marked)),
                _ => self.error(
                    Diagnostic::error(codes::INVALID_CONDITION, "Incorrect condition type")
                        .with_primary(
                            span,
                            format!("a bool is required, got {}", other.kind_name()),
                        )
                        .with_detail(format!("The condition of a {what} must be true or false.")),
                ),
            },
        }
    }

    fn template(&mut self, t: &Template, span: Span, ctx: &EvalContext<'_>) -> Option<Value> {
        // `"${x}"` is x itself, unconverted (HCL's template wrap): `"${var.list}"` is a list.
        if t.heredoc.is_none()
            && let [TemplatePart::Interpolation { expr, .. }] = t.parts.as_slice()
        {
            return self.expr(expr, ctx);
        }
        if let Some(literal) = t.as_literal() {
            return Some(Value::String(nfc(literal)));
        }
        self.template_parts(&t.parts, span, ctx)
    }

    fn template_parts(
        &mut self,
        parts: &[TemplatePart],
        _span: Span,
        ctx: &EvalContext<'_>,
    ) -> Option<Value> {
        let mut out = TemplateOut::default();
        let ok = self.render_parts(parts, ctx, &mut out);
        ok.then(|| {
            let v = if out.unknown {
                Value::Unknown
            } else {
                // Joining normalised parts can make a string that is not (`e` + `\u0301`).
                Value::String(nfc(out.text))
            };
            v.marked_if(out.sensitive)
        })
    }

    /// Appends the rendering of `parts` to `out`; false if any error was reported.
    fn render_parts(
        &mut self,
        parts: &[TemplatePart],
        ctx: &EvalContext<'_>,
        out: &mut TemplateOut,
    ) -> bool {
        let mut ok = true;
        for part in parts {
            match part {
                TemplatePart::Literal { value, .. } => out.text.push_str(value),
                TemplatePart::Interpolation { expr, .. } => {
                    let Some(v) = self.expr(expr, ctx) else {
                        ok = false;
                        continue;
                    };
                    ok &= self.interpolate(v, expr.span, out);
                }
                TemplatePart::If {
                    cond,
                    then,
                    otherwise,
                    ..
                } => {
                    let Some(c) = self.expr(cond, ctx) else {
                        ok = false;
                        continue;
                    };
                    match self.condition(c, cond.span, "template if directive") {
                        None => ok = false,
                        Some(Cond::Known(b, marked)) => {
                            out.sensitive |= marked;
                            ok &= self.render_parts(if b { then } else { otherwise }, ctx, out);
                        }
                        Some(Cond::Unknown(marked)) => {
                            out.sensitive |= marked;
                            out.unknown = true;
                            // Render both branches for their errors only.
                            let mut scratch = TemplateOut::default();
                            ok &= self.render_parts(then, ctx, &mut scratch);
                            ok &= self.render_parts(otherwise, ctx, &mut scratch);
                            out.sensitive |= scratch.sensitive;
                        }
                    }
                }
                TemplatePart::For {
                    key_var,
                    value_var,
                    collection,
                    body,
                    ..
                } => {
                    let Some(coll) = self.expr(collection, ctx) else {
                        ok = false;
                        continue;
                    };
                    match self.iteration_items(coll, collection.span, "template for directive") {
                        None => ok = false,
                        Some(Items::Unknown(marked)) => {
                            out.unknown = true;
                            out.sensitive |= marked;
                        }
                        Some(Items::Known(items, marked)) => {
                            out.sensitive |= marked;
                            for (k, v) in items {
                                let mut scope = ctx.child();
                                if let Some(kv) = key_var {
                                    scope.set(kv.name.clone(), k.marked_if(marked));
                                }
                                scope.set(value_var.name.clone(), v.marked_if(marked));
                                ok &= self.render_parts(body, &scope, out);
                            }
                        }
                    }
                }
            }
        }
        ok
    }

    fn interpolate(&mut self, v: Value, span: Span, out: &mut TemplateOut) -> bool {
        let (v, marked) = v.into_unmarked();
        out.sensitive |= marked;
        match v {
            Value::String(s) => out.text.push_str(&s),
            Value::Number(n) => out.text.push_str(&format_number(&n)),
            Value::Bool(b) => out.text.push_str(if b { "true" } else { "false" }),
            Value::Unknown => out.unknown = true,
            Value::Null | Value::TypedNull(_) => {
                self.diags.push(
                    Diagnostic::error(
                        codes::INVALID_TEMPLATE_VALUE,
                        "Invalid template interpolation value",
                    )
                    .with_primary(span, "this value is null")
                    .with_detail(
                        "The expression result is null. Cannot include a null value in a string \
                         template.",
                    ),
                );
                return false;
            }
            other => {
                self.diags.push(
                    Diagnostic::error(
                        codes::INVALID_TEMPLATE_VALUE,
                        "Invalid template interpolation value",
                    )
                    .with_primary(
                        span,
                        format!("a string is required, got {}", other.kind_name()),
                    )
                    .with_detail(format!(
                        "Cannot include a {} in a string template: only strings, numbers and \
                         bools can be interpolated.",
                        other.kind_name()
                    ))
                    .with_help("Use jsonencode(...) or join(...) to turn it into a string."),
                );
                return false;
            }
        }
        true
    }

    /// The (key, value) pairs a `for` iterates over: index/element for lists, name/attribute
    /// (sorted by name) for objects.
    fn iteration_items(&mut self, coll: Value, span: Span, what: &str) -> Option<Items> {
        let (coll, marked) = coll.into_unmarked();
        let coll = match coll {
            Value::Collection(c) => match *c {
                // A set's elements are their own keys.
                Collection::Set(_, items) => {
                    return Some(Items::Known(
                        items.into_iter().map(|v| (v.clone(), v)).collect(),
                        marked,
                    ));
                }
                Collection::List(_, items) => Value::List(items),
                Collection::Map(_, map) => Value::Object(map),
            },
            other => other,
        };
        match coll {
            Value::Unknown => Some(Items::Unknown(marked)),
            Value::List(items) => Some(Items::Known(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (index_value(i), v))
                    .collect(),
                marked,
            )),
            Value::Object(map) => Some(Items::Known(
                map.into_iter()
                    .map(|(k, v)| (Value::String(k), v))
                    .collect(),
                marked,
            )),
            Value::Null | Value::TypedNull(_) => self.error(
                Diagnostic::error(codes::INVALID_ITERATION, "Iteration over null value")
                    .with_primary(span, "this value is null")
                    .with_detail(format!(
                        "A null value cannot be used as the collection in a {what}."
                    )),
            ),
            other => self.error(
                Diagnostic::error(
                    codes::INVALID_ITERATION,
                    "Iteration over non-iterable value",
                )
                .with_primary(span, format!("a {} cannot be iterated", other.kind_name()))
                .with_detail(format!(
                    "A value of type {} cannot be used as the collection in a {what}: \
                             it must be a list, set, tuple, map or object.",
                    other.kind_name()
                )),
            ),
        }
    }

    fn for_expr(&mut self, f: &ForExpr, ctx: &EvalContext<'_>) -> Option<Value> {
        let coll = self.expr(&f.collection, ctx)?;
        let (items, coll_marked) =
            match self.iteration_items(coll, f.collection.span, "'for' expression")? {
                Items::Unknown(marked) => return Some(Value::Unknown.marked_if(marked)),
                Items::Known(items, marked) => (items, marked),
            };
        let mut ok = true;
        let mut unknown = false;
        let mut sensitive = coll_marked;
        let mut tuple_out = Vec::new();
        let mut object_out: BTreeMap<String, Value> = BTreeMap::new();
        let mut grouped: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for (k, v) in items {
            let mut scope = ctx.child();
            if let Some(kv) = &f.key_var {
                scope.set(kv.name.clone(), k.marked_if(coll_marked));
            }
            scope.set(f.value_var.name.clone(), v.marked_if(coll_marked));
            if let Some(cond) = &f.cond {
                let Some(c) = self.expr(cond, &scope) else {
                    ok = false;
                    continue;
                };
                match self.condition(c, cond.span, "'for' expression filter") {
                    None => {
                        ok = false;
                        continue;
                    }
                    Some(Cond::Unknown(marked)) => {
                        // Which elements are kept is unknown, so the result is too.
                        sensitive |= marked;
                        unknown = true;
                        continue;
                    }
                    Some(Cond::Known(keep, marked)) => {
                        sensitive |= marked;
                        if !keep {
                            continue;
                        }
                    }
                }
            }
            match &f.key_expr {
                None => match self.expr(&f.value_expr, &scope) {
                    Some(v) => tuple_out.push(v),
                    None => ok = false,
                },
                Some(key_expr) => {
                    let key = self
                        .expr(key_expr, &scope)
                        .and_then(|k| self.object_key(k, key_expr.span, "object 'for' expression"));
                    let value = self.expr(&f.value_expr, &scope);
                    match (key, value) {
                        (Some(Key::Known(k)), Some(v)) => {
                            if f.group {
                                grouped.entry(k).or_default().push(v);
                            } else {
                                match object_out.entry(k) {
                                    Entry::Vacant(slot) => {
                                        slot.insert(v);
                                    }
                                    Entry::Occupied(slot) => {
                                        ok = false;
                                        let d = duplicate_for_key(slot.key(), key_expr.span);
                                        self.diags.push(d);
                                    }
                                }
                            }
                        }
                        (Some(Key::Unknown), Some(_)) => unknown = true,
                        _ => ok = false,
                    }
                }
            }
        }
        if !ok {
            return None;
        }
        let result = if unknown {
            Value::Unknown
        } else if f.key_expr.is_none() {
            Value::List(tuple_out)
        } else if f.group {
            Value::Object(
                grouped
                    .into_iter()
                    .map(|(k, v)| (k, Value::List(v)))
                    .collect(),
            )
        } else {
            Value::Object(object_out)
        };
        Some(result.marked_if(sensitive))
    }

    fn call(&mut self, call: &FuncCall, span: Span, ctx: &EvalContext<'_>) -> Option<Value> {
        let full_name = call.name.name.as_str();
        // `core::NAME` is Terraform's explicit namespace for every built-in function.
        let name = full_name.strip_prefix("core::").unwrap_or(full_name);
        if ctx.no_functions {
            return self.error(
                Diagnostic::error(codes::FUNCTIONS_NOT_ALLOWED, "Function calls not allowed")
                    .with_primary(call.name.span, "not allowed here")
                    .with_detail("Functions may not be called here."),
            );
        }
        match name {
            "try" => return self.call_try(call, span, ctx),
            "can" => return self.call_can(call, span, ctx),
            _ if templates::is_template_function(name) => self.check_template_call(name, call)?,
            _ => {}
        }
        let Some(def) = functions::lookup(name) else {
            let mut d = Diagnostic::error(codes::UNKNOWN_FUNCTION, "Call to unknown function")
                .with_primary(call.name.span, "no such function")
                .with_detail(format!("There is no function named \"{full_name}\"."));
            if let Some(help) = suggest::did_you_mean(name, functions::names()) {
                d = d.with_help(help);
            }
            // Arguments are still evaluated, for their own errors.
            for arg in &call.args {
                self.expr(arg, ctx);
            }
            return self.error(d);
        };
        let mut args = Vec::with_capacity(call.args.len());
        let mut ok = true;
        for arg in &call.args {
            match self.expr(arg, ctx) {
                Some(v) => args.push(functions::Arg {
                    value: v,
                    span: arg.span,
                }),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        if call.expand_final {
            let Some(last) = args.pop() else {
                return self.error(
                    Diagnostic::error(codes::INVALID_EXPANSION, "Invalid expanding argument")
                        .with_primary(span, "nothing to expand")
                        .with_detail("The ellipsis (...) needs a final argument to expand."),
                );
            };
            let (expanded, marked) = last.value.into_unmarked();
            let expanded = match expanded.into_sequence() {
                Ok((items, _)) => Value::List(items),
                Err(other) => other,
            };
            match expanded {
                Value::List(items) => args.extend(items.into_iter().map(|v| functions::Arg {
                    value: v.marked_if(marked),
                    span: last.span,
                })),
                // How many arguments there are is not known yet.
                Value::Unknown => return Some(Value::Unknown.marked_if(marked)),
                Value::Null | Value::TypedNull(_) => {
                    return self.error(
                        Diagnostic::error(
                            codes::INVALID_EXPANSION,
                            "Invalid expanding argument value",
                        )
                        .with_primary(last.span, "this value is null")
                        .with_detail("The expanding argument (indicated by ...) must not be null."),
                    );
                }
                other => {
                    return self.error(
                        Diagnostic::error(
                            codes::INVALID_EXPANSION,
                            "Invalid expanding argument value",
                        )
                        .with_primary(
                            last.span,
                            format!("a list is required, got {}", other.kind_name()),
                        )
                        .with_detail(
                            "The expanding argument (indicated by ...) must be a list, tuple \
                                 or set.",
                        ),
                    );
                }
            }
        }
        if templates::is_template_function(name) {
            return self.render_template_call(def, name, args, span);
        }
        match functions::call(def, args, span) {
            // Every string a function makes is normalised, as cty's are.
            Ok(v) => Some(v.into_nfc()),
            Err(ds) => {
                self.diags.extend(ds);
                None
            }
        }
    }

    /// `try(a, b, ...)`: the first argument that evaluates without error.
    fn call_try(&mut self, call: &FuncCall, span: Span, ctx: &EvalContext<'_>) -> Option<Value> {
        if call.args.is_empty() {
            return self.error(
                Diagnostic::error(codes::WRONG_ARITY, "Not enough function arguments")
                    .with_primary(span, "at least one argument is required")
                    .with_detail("Function \"try\" expects at least one argument."),
            );
        }
        let mut failures: Vec<Diagnostic> = Vec::new();
        for arg in &call.args {
            let mut sub = Self::default();
            let v = sub.expr(arg, ctx);
            if sub.diags.has_errors() || v.is_none() {
                if sub.diags.iter().any(|d| STATIC_ERRORS.contains(&d.code)) {
                    self.diags.extend(sub.diags);
                    return None;
                }
                failures.extend(sub.diags);
                continue;
            }
            let v = v?;
            // Whether it would fail once known cannot be decided yet.
            if v.contains_unknown() {
                return Some(Value::Unknown.marked_if(v.contains_sensitive()));
            }
            return Some(v);
        }
        let mut detail = String::from("Call to function \"try\" failed: no expression succeeded:");
        for f in &failures {
            detail.push_str("\n- ");
            detail.push_str(&f.summary);
            if let Some(d) = &f.detail {
                detail.push_str(": ");
                detail.push_str(d);
            }
        }
        let mut d = Diagnostic::error(codes::FUNCTION_FAILED, "Error in function call")
            .with_primary(span, "no argument succeeded")
            .with_detail(detail);
        for f in &failures {
            if let Some(s) = f.primary_span() {
                d = d.with_label(s, f.summary.clone());
            }
        }
        self.error(d)
    }

    /// `can(expr)`: whether `expr` evaluates without error.
    fn call_can(&mut self, call: &FuncCall, span: Span, ctx: &EvalContext<'_>) -> Option<Value> {
        let [arg] = call.args.as_slice() else {
            let summary = if call.args.is_empty() {
                "Not enough function arguments"
            } else {
                "Too many function arguments"
            };
            return self.error(
                Diagnostic::error(codes::WRONG_ARITY, summary)
                    .with_primary(span, "exactly one argument is required")
                    .with_detail("Function \"can\" expects exactly one argument."),
            );
        };
        let mut sub = Self::default();
        let v = sub.expr(arg, ctx);
        if sub.diags.iter().any(|d| STATIC_ERRORS.contains(&d.code)) {
            self.diags.extend(sub.diags);
            return None;
        }
        match v {
            Some(v) if !sub.diags.has_errors() => {
                if v.contains_unknown() {
                    Some(Value::Unknown.marked_if(v.contains_sensitive()))
                } else {
                    Some(Value::Bool(true))
                }
            }
            _ => Some(Value::Bool(false)),
        }
    }
}

/// An evaluated object key.
enum Key {
    Known(String),
    Unknown,
}

/// An evaluated condition: its value (or unknown) and whether it was sensitive.
enum Cond {
    Known(bool, bool),
    Unknown(bool),
}

/// What a `for` iterates over, and whether the collection was sensitive.
enum Items {
    Known(Vec<(Value, Value)>, bool),
    Unknown(bool),
}

#[derive(Default)]
struct TemplateOut {
    text: String,
    unknown: bool,
    sensitive: bool,
}

fn duplicate_for_key(key: &str, span: Span) -> Diagnostic {
    Diagnostic::error(codes::DUPLICATE_KEY, "Duplicate object key")
        .with_primary(span, format!("produces \"{key}\" more than once"))
        .with_detail(format!(
            "Two different items produced the key \"{key}\" in this 'for' expression."
        ))
        .with_help(
            "If duplicates are expected, use the ellipsis (...) after the value expression to \
             group the values by key.",
        )
}

/// The stack left below which evaluation (and conversion) continue on a new segment.
pub(crate) const STACK_RED_ZONE: usize = 128 * 1024;
/// The size of each new stack segment.
pub(crate) const STACK_SEGMENT: usize = 4 * 1024 * 1024;

/// A list index as a value.
fn index_value(i: usize) -> Value {
    Value::Number(crate::number::Number::from_usize(i))
}

/// `n` as a list index, if it is a whole number in range.
pub(crate) fn whole_index(n: &crate::number::Number) -> Option<usize> {
    n.to_i64().and_then(|i| usize::try_from(i).ok())
}

#[cfg(test)]
pub(crate) mod tests;
