//! Numeric functions.
//!
//! Results that are not finite numbers (overflow, `log(0, 10)`) are errors, never `inf`/`NaN`
//! values.
//!
//! Depends on `model::value`.

use super::{FnError, FnResult, arg_int, arg_num, arg_str};
use crate::model::value::Value;

fn finite(n: f64) -> FnResult {
    if n.is_finite() {
        Ok(Value::Number(n))
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

pub(super) fn signum(args: Vec<Value>) -> FnResult {
    let n = arg_num(&args, 0)?;
    Ok(Value::Number(if n > 0.0 {
        1.0
    } else if n < 0.0 {
        -1.0
    } else {
        0.0
    }))
}

fn fold(args: &[Value], pick: fn(f64, f64) -> f64) -> FnResult {
    if args.is_empty() {
        return Err(FnError::Arity("at least one number is required".into()));
    }
    let mut acc = arg_num(args, 0)?;
    for i in 1..args.len() {
        acc = pick(acc, arg_num(args, i)?);
    }
    Ok(Value::Number(acc))
}

pub(super) fn min(args: Vec<Value>) -> FnResult {
    fold(&args, f64::min)
}

pub(super) fn max(args: Vec<Value>) -> FnResult {
    fold(&args, f64::max)
}

pub(super) fn pow(args: Vec<Value>) -> FnResult {
    finite(arg_num(&args, 0)?.powf(arg_num(&args, 1)?))
}

pub(super) fn log(args: Vec<Value>) -> FnResult {
    let n = arg_num(&args, 0)?;
    let base = arg_num(&args, 1)?;
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
    let mut acc: f64 = 0.0;
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
        acc = acc.mul_add(f64::from(base_u), f64::from(d));
    }
    if !acc.is_finite() {
        return Err(fail());
    }
    Ok(Value::Number(if negative { -acc } else { acc }))
}
