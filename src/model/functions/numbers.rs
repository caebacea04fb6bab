//! Numeric functions.
//!
//! Results that are not finite numbers (overflow, `log(0, 10)`) are errors, never `inf`/`NaN`
//! values.
//!
//! Depends on `model::value`.

use num_bigint::BigInt;

use super::{FnError, FnResult, arg_int, arg_num, arg_str};
use crate::model::value::Value;
use crate::number::Number;

/// A float64 result (`pow`, `log`), as cty's `NumberFloatVal`.
fn finite(n: f64) -> FnResult {
    if n.is_finite() {
        Ok(Value::float(n))
    } else {
        Err(FnError::Call("the result is not a finite number".into()))
    }
}

pub(super) fn abs(args: Vec<Value>) -> FnResult {
    Ok(Value::Number(arg_num(&args, 0)?.abs()))
}

pub(super) fn ceil(args: Vec<Value>) -> FnResult {
    Ok(Value::Number(arg_num(&args, 0)?.ceil()))
}

pub(super) fn floor(args: Vec<Value>) -> FnResult {
    Ok(Value::Number(arg_num(&args, 0)?.floor()))
}

/// `signum`: cty reads the number as a Go `int` first, so a fraction is an error.
pub(super) fn signum(args: Vec<Value>) -> FnResult {
    let n = arg_num(&args, 0)?;
    if n.to_i64().is_none() {
        return Err(FnError::Call(format!(
            "value must be a whole number, between {} and {}",
            i64::MIN,
            i64::MAX
        )));
    }
    Ok(Value::int(n.signum()))
}

/// `min`/`max`: the first number that beats every other, unchanged (its precision kept).
fn fold(args: &[Value], better: fn(&Number, &Number) -> bool) -> FnResult {
    if args.is_empty() {
        return Err(FnError::Arity("at least one number is required".into()));
    }
    let mut acc = arg_num(args, 0)?;
    for i in 1..args.len() {
        let n = arg_num(args, i)?;
        if better(&n, &acc) {
            acc = n;
        }
    }
    Ok(Value::Number(acc))
}

pub(super) fn min(args: Vec<Value>) -> FnResult {
    fold(&args, |n, acc| n < acc)
}

pub(super) fn max(args: Vec<Value>) -> FnResult {
    fold(&args, |n, acc| n > acc)
}

/// `pow`: computed in float64, as Terraform does (so `pow(2, 64)` prints
/// `18446744073709550000`).
pub(super) fn pow(args: Vec<Value>) -> FnResult {
    finite(
        arg_num(&args, 0)?
            .to_f64()
            .powf(arg_num(&args, 1)?.to_f64()),
    )
}

pub(super) fn log(args: Vec<Value>) -> FnResult {
    let n = arg_num(&args, 0)?.to_f64();
    let base = arg_num(&args, 1)?.to_f64();
    if n <= 0.0 {
        return Err(FnError::Arg(
            0,
            "the number must be greater than zero".into(),
        ));
    }
    if base <= 0.0 || (base - 1.0).abs() < f64::EPSILON {
        return Err(FnError::Arg(
            1,
            "the base must be greater than zero and not one".into(),
        ));
    }
    finite(n.ln() / base.ln())
}

/// `parseint(string, base)`, base 2 to 62: digits `0-9`, then `a-z`, then `A-Z` (letters are
/// case-insensitive up to base 36), with an optional sign.
pub(super) fn parseint(args: Vec<Value>) -> FnResult {
    let s = arg_str(&args, 0)?;
    let base = arg_int(&args, 1)?;
    if !(2..=62).contains(&base) {
        return Err(FnError::Arg(
            1,
            "the base must be a whole number between 2 and 62".into(),
        ));
    }
    let base_u = u32::try_from(base).unwrap_or(10);
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let fail = || FnError::Arg(0, format!("cannot parse {s:?} as a base {base} integer"));
    if digits.is_empty() {
        return Err(fail());
    }
    let mut acc = BigInt::from(0u32);
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => u32::from(c) - u32::from('0'),
            'a'..='z' => u32::from(c) - u32::from('a') + 10,
            'A'..='Z' if base_u <= 36 => u32::from(c) - u32::from('A') + 10,
            'A'..='Z' => u32::from(c) - u32::from('A') + 36,
            _ => return Err(fail()),
        };
        if d >= base_u {
            return Err(fail());
        }
        acc = acc * base_u + d;
        if acc.bits() > 1 << 20 {
            return Err(fail());
        }
    }
    // cty: `SetInt` on a new float, so as many bits as the integer needs (at least 64).
    Ok(Value::Number(Number::from_bigint(&if negative {
        -acc
    } else {
        acc
    })))
}
