//! Operators: arithmetic, comparison, equality and logic, with HCL's conversions (a numeric
//! string is a number operand, `"true"` is a bool operand), unknown propagation and sensitive
//! marks.
//!
//! Invariant: every result that depends on a sensitive operand is marked sensitive; every
//! result that depends on an unknown operand is unknown.
//!
//! Depends on `diag`, `parse::ast` (operator kinds), `model::value` and `model::types`.

use std::collections::BTreeMap;

use super::codes;
use crate::diag::{Diagnostic, Span};
use crate::model::types::{self, Type};
use crate::model::value::Value;
use crate::number::Number;
use crate::parse::ast::{BinaryOp, UnaryOp};

/// `-x` and `!x`.
pub(super) fn unary(op: UnaryOp, v: Value, span: Span) -> Result<Value, Diagnostic> {
    let (v, marked) = v.into_unmarked();
    if matches!(v, Value::Unknown) {
        return Ok(Value::Unknown.marked_if(marked));
    }
    let result = match op {
        UnaryOp::Neg => Value::Number(number_operand(v, span, "operand")?.neg()),
        UnaryOp::Not => Value::Bool(!bool_operand(v, span, "operand")?),
    };
    Ok(result.marked_if(marked))
}

/// `a && b`, `a || b`, as Terraform 1.11 computes them (cty's `And`/`Or` functions): both
/// operands are bools; a null operand is an error even when the other side would decide; an
/// unknown operand makes the result unknown (`false && unknown` too).
pub(super) fn logical(
    op: BinaryOp,
    l: Value,
    r: Value,
    l_span: Span,
    r_span: Span,
) -> Result<Value, Diagnostic> {
    let (l, l_marked) = l.into_unmarked();
    let (r, r_marked) = r.into_unmarked();
    let marked = l_marked || r_marked;
    let l = logical_operand(l, l_span, "left operand");
    let r = logical_operand(r, r_span, "right operand");
    let (l, r) = match (l, r) {
        (Err(e), _) | (_, Err(e)) => return Err(e),
        (Ok(l), Ok(r)) => (l, r),
    };
    if matches!(l, Logical::Null) || matches!(r, Logical::Null) {
        return Err(Diagnostic::error(codes::NULL_VALUE, "Operation failed")
            .with_primary(l_span.to(r_span), "an operand is null")
            .with_detail("Error during operation: argument must not be null."));
    }
    Ok(match (l, r) {
        (Logical::Known(l), Logical::Known(r)) => {
            Value::Bool(if op == BinaryOp::And { l && r } else { l || r })
        }
        _ => Value::Unknown,
    }
    .marked_if(marked))
}

/// An operand of `&&` or `||` once converted to bool.
enum Logical {
    Known(bool),
    Null,
    Unknown,
}

fn logical_operand(v: Value, span: Span, which: &str) -> Result<Logical, Diagnostic> {
    match v {
        Value::Unknown => Ok(Logical::Unknown),
        Value::Null => Ok(Logical::Null),
        other => match types::convert(other.clone(), &Type::Bool) {
            Ok(Value::Bool(b)) => Ok(Logical::Known(b)),
            Ok(v) if v.is_null() => Ok(Logical::Null),
            Ok(Value::Unknown) => Ok(Logical::Unknown),
            _ => Err(invalid_operand(span, which, "bool", &other)),
        },
    }
}

/// Every binary operator except `&&` and `||`.
pub(super) fn binary(
    op: BinaryOp,
    l: Value,
    r: Value,
    l_span: Span,
    r_span: Span,
) -> Result<Value, Diagnostic> {
    if matches!(op, BinaryOp::Eq | BinaryOp::NotEq) {
        let marked = l.contains_sensitive() || r.contains_sensitive();
        let eq = values_equal(&l, &r);
        let v = match eq {
            Some(eq) => Value::Bool(if op == BinaryOp::Eq { eq } else { !eq }),
            None => Value::Unknown,
        };
        return Ok(v.marked_if(marked));
    }
    let (l, l_marked) = l.into_unmarked();
    let (r, r_marked) = r.into_unmarked();
    let marked = l_marked || r_marked;
    // Type errors are reported even when the other operand is unknown.
    let l = known_number(l, l_span, "left operand");
    let r = known_number(r, r_span, "right operand");
    let (l, r) = match (l, r) {
        (Err(e), _) | (_, Err(e)) => return Err(e),
        (Ok(Some(l)), Ok(Some(r))) => (l, r),
        _ => return Ok(Value::Unknown.marked_if(marked)),
    };
    let failed = |e: crate::number::NumberError| {
        Diagnostic::error(codes::INVALID_OPERAND, "Operation failed")
            .with_primary(l_span.to(r_span), e.0)
            .with_detail(format!("Error during operation: {e}."))
    };
    let v = match op {
        BinaryOp::Add => Value::Number(l.add(&r).map_err(failed)?),
        BinaryOp::Sub => Value::Number(l.sub(&r).map_err(failed)?),
        BinaryOp::Mul => Value::Number(l.mul(&r).map_err(failed)?),
        BinaryOp::Div => {
            if r.is_zero() && !l.is_zero() {
                // Terraform computes an infinity here, which no output or attribute can hold
                // (saving it fails); scwform reports it where it happens.
                return Err(
                    Diagnostic::error(codes::DIVISION_BY_ZERO, "Division by zero")
                        .with_primary(r_span, "this is zero")
                        .with_detail("Can't divide by zero."),
                );
            }
            Value::Number(l.div(&r).map_err(failed)?)
        }
        // cty's modulo: truncated, the sign follows the dividend, and `x % 0` is `x`.
        BinaryOp::Mod => Value::Number(l.rem(&r).map_err(failed)?),
        BinaryOp::Lt => Value::Bool(l < r),
        BinaryOp::Le => Value::Bool(l <= r),
        BinaryOp::Gt => Value::Bool(l > r),
        BinaryOp::Ge => Value::Bool(l >= r),
        BinaryOp::And | BinaryOp::Or | BinaryOp::Eq | BinaryOp::NotEq => {
            unreachable!("handled before: logical and equality operators")
        }
    };
    if let Value::Number(n) = &v
        && n.is_infinite()
    {
        return Err(
            Diagnostic::error(codes::INVALID_OPERAND, "Number out of range")
                .with_primary(l_span.to(r_span), "the result is too large")
                .with_detail(format!(
                    "The result of this \"{}\" operation is too large to be represented.",
                    op.as_str()
                )),
        );
    }
    Ok(v.marked_if(marked))
}

/// Three-valued equality, ignoring marks: `Some(true|false)` when decided, `None` when an
/// unknown part could change the answer. Values of different kinds are never equal.
pub(crate) fn values_equal(a: &Value, b: &Value) -> Option<bool> {
    let (a, _) = a.unmark();
    let (b, _) = b.unmark();
    if let (Value::Unknown, _) | (_, Value::Unknown) = (a, b) {
        return None;
    }
    if a.is_null() || b.is_null() {
        // Nulls are equal whatever their types; a null is never equal to a non-null.
        return Some(a.is_null() && b.is_null());
    }
    // Values of different types are never equal (a list is not a tuple); types that are not
    // wholly known yet (an unknown inside) are compared by content.
    let (ta, tb) = (a.ty(), b.ty());
    if ta != tb && !ta.has_dynamic() && !tb.has_dynamic() {
        return Some(false);
    }
    if let (Some(x), Some(y)) = (a.as_list(), b.as_list()) {
        if x.len() != y.len() {
            return Some(false);
        }
        return all_equal(x.iter().zip(y));
    }
    if let (Some(x), Some(y)) = (a.as_object(), b.as_object()) {
        return objects_equal(x, y);
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::Number(x), Value::Number(y)) => Some(x == y),
        (Value::String(x), Value::String(y)) => Some(x == y),
        (Value::List(x), Value::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            all_equal(x.iter().zip(y))
        }
        (Value::Object(x), Value::Object(y)) => objects_equal(x, y),
        _ => Some(false),
    }
}

fn objects_equal(x: &BTreeMap<String, Value>, y: &BTreeMap<String, Value>) -> Option<bool> {
    if x.len() != y.len() || x.keys().zip(y.keys()).any(|(a, b)| a != b) {
        return Some(false);
    }
    all_equal(x.values().zip(y.values()))
}

/// False if any pair is surely different, else unknown if any pair is unknown, else true.
fn all_equal<'a>(pairs: impl Iterator<Item = (&'a Value, &'a Value)>) -> Option<bool> {
    let mut unknown = false;
    for (a, b) in pairs {
        match values_equal(a, b) {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    if unknown { None } else { Some(true) }
}

fn invalid_operand(span: Span, which: &str, required: &str, got: &Value) -> Diagnostic {
    Diagnostic::error(codes::INVALID_OPERAND, "Invalid operand")
        .with_primary(
            span,
            format!("a {required} is required, got {}", got.kind_name()),
        )
        .with_detail(format!(
            "Unsuitable value for {which}: a {required} is required, got {}.",
            got.kind_name()
        ))
}

fn number_operand(v: Value, span: Span, which: &str) -> Result<Number, Diagnostic> {
    match v {
        Value::Null => Err(Diagnostic::error(codes::NULL_VALUE, "Invalid operand")
            .with_primary(span, "this value is null")
            .with_detail(format!(
                "Unsuitable value for {which}: a number is required, got null."
            ))),
        other => match types::convert(other.clone(), &Type::Number) {
            Ok(Value::Number(n)) => Ok(n),
            _ => Err(invalid_operand(span, which, "number", &other)),
        },
    }
}

fn known_number(v: Value, span: Span, which: &str) -> Result<Option<Number>, Diagnostic> {
    match v {
        Value::Unknown => Ok(None),
        other => number_operand(other, span, which).map(Some),
    }
}

fn bool_operand(v: Value, span: Span, which: &str) -> Result<bool, Diagnostic> {
    match v {
        Value::Null => Err(Diagnostic::error(codes::NULL_VALUE, "Invalid operand")
            .with_primary(span, "this value is null")
            .with_detail(format!(
                "Unsuitable value for {which}: a bool is required, got null."
            ))),
        other => match types::convert(other.clone(), &Type::Bool) {
            Ok(Value::Bool(b)) => Ok(b),
            _ => Err(invalid_operand(span, which, "bool", &other)),
        },
    }
}
