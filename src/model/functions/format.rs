//! `format` and `formatlist`: printf-style formatting with Terraform's verbs.
//!
//! A verb is `%[flags][width][.precision]verb`, optionally with an explicit argument index
//! `%[n]v` (1-based). Flags: `-` (left-align), `+` (always a sign), ` ` (space for a sign),
//! `0` (zero padding), `#` (alternate form: `%#v` is JSON). Verbs: `%v` (default format,
//! JSON for collections), `%t` (bool), `%d` `%b` `%o` `%x` `%X` (integers; `%x` also
//! hex-encodes strings), `%e` `%E` `%f` `%g` `%G` (floats), `%s` (string), `%q` (quoted
//! string), `%%`. Every argument must be used by a verb.
//!
//! Depends on `model::value` and `model::types`.

use std::fmt::Write as _;

use super::{FnError, FnResult, arg_str};
use crate::model::types::{self, Type};
use crate::model::value::Value;
use crate::number::Number;

pub(super) fn format(args: Vec<Value>) -> FnResult {
    let spec = arg_str(&args, 0)?;
    render(spec, &args[1..]).map(Value::String)
}

/// `formatlist(spec, args...)`: list arguments are iterated together (all of one length),
/// other arguments are repeated; the result is a list of strings.
pub(super) fn formatlist(args: Vec<Value>) -> FnResult {
    let spec = arg_str(&args, 0)?;
    let rest = &args[1..];
    let mut len: Option<(usize, usize)> = None;
    for (i, a) in rest.iter().enumerate() {
        if let Some(items) = a.as_list() {
            match len {
                None => len = Some((items.len(), i)),
                Some((n, first)) if n != items.len() => {
                    return Err(FnError::Arg(
                        i + 1,
                        format!(
                            "argument {} has length {}, which does not match argument {} of \
                             length {n}",
                            i + 1,
                            items.len(),
                            first + 1
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    let n = len.map_or(1, |(n, _)| n);
    let mut out = Vec::with_capacity(n);
    for row in 0..n {
        let row_args: Vec<Value> = rest
            .iter()
            .map(|a| match a.as_list() {
                Some(items) => items[row].clone(),
                None => a.clone(),
            })
            .collect();
        out.push(Value::String(render(spec, &row_args)?));
    }
    Ok(Value::list(Type::String, out))
}

/// The printf flags; plain bools mirror the syntax one to one.
#[allow(clippy::struct_excessive_bools)]
#[derive(Default)]
struct Flags {
    minus: bool,
    plus: bool,
    space: bool,
    zero: bool,
    sharp: bool,
}

/// Formats `spec` with `args` (0-based here; messages count from 1 like Terraform).
fn render(spec: &str, args: &[Value]) -> Result<String, FnError> {
    let err = |m: String| FnError::Arg(0, m);
    let mut out = String::with_capacity(spec.len());
    let mut chars = spec.char_indices().peekable();
    let mut next_arg = 0usize;
    let mut used = vec![false; args.len()];
    while let Some((offset, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = Flags::default();
        while let Some(&(_, f)) = chars.peek() {
            match f {
                '-' => flags.minus = true,
                '+' => flags.plus = true,
                ' ' => flags.space = true,
                '0' => flags.zero = true,
                '#' => flags.sharp = true,
                _ => break,
            }
            chars.next();
        }
        if let Some(&(_, '[')) = chars.peek() {
            chars.next();
            let mut digits = String::new();
            while let Some(&(_, d)) = chars.peek() {
                if d == ']' {
                    break;
                }
                digits.push(d);
                chars.next();
            }
            if chars.next().map(|(_, c)| c) != Some(']') {
                return Err(err(format!(
                    "unterminated argument index at offset {offset}"
                )));
            }
            let n: usize = digits.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
                err(format!(
                    "invalid argument index {digits:?} at offset {offset}"
                ))
            })?;
            next_arg = n - 1;
        }
        let width = read_number(&mut chars);
        let precision = if let Some(&(_, '.')) = chars.peek() {
            chars.next();
            Some(read_number(&mut chars).unwrap_or(0))
        } else {
            None
        };
        let Some((_, verb)) = chars.next() else {
            return Err(err(format!("unterminated format verb at offset {offset}")));
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next_arg) else {
            return Err(err(format!(
                "not enough arguments for \"%{verb}\" at offset {offset}: need argument {} but \
                 have {} in total",
                next_arg + 1,
                args.len()
            )));
        };
        used[next_arg] = true;
        let arg_index = next_arg + 1;
        next_arg += 1;
        let text = format_one(verb, arg, &flags, precision).map_err(|m| {
            FnError::Arg(
                arg_index,
                format!("unsupported value for \"%{verb}\" at offset {offset}: {m}"),
            )
        })?;
        pad(
            &mut out,
            &text,
            width,
            &flags,
            matches!(
                verb,
                'd' | 'b' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'g' | 'G'
            ),
        );
    }
    if let Some(unused) = used.iter().position(|u| !u) {
        return Err(FnError::Arg(
            unused + 1,
            format!("too many arguments; no verb uses argument {}", unused + 1),
        ));
    }
    Ok(out)
}

fn read_number(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>) -> Option<usize> {
    let mut n: Option<usize> = None;
    while let Some(&(_, d)) = chars.peek() {
        let Some(digit) = d.to_digit(10) else { break };
        // Widths beyond a few thousand are typos; cap them rather than allocate gigabytes.
        n = Some((n.unwrap_or(0) * 10 + digit as usize).min(4096));
        chars.next();
    }
    n
}

fn pad(out: &mut String, text: &str, width: Option<usize>, flags: &Flags, numeric: bool) {
    let len = text.chars().count();
    let Some(width) = width.filter(|w| *w > len) else {
        out.push_str(text);
        return;
    };
    let fill = width - len;
    if flags.minus {
        out.push_str(text);
        out.extend(std::iter::repeat_n(' ', fill));
    } else if flags.zero && numeric {
        // Zeros go after the sign.
        let (sign, digits) = match text.chars().next() {
            Some(c @ ('-' | '+' | ' ')) => (Some(c), &text[1..]),
            _ => (None, text),
        };
        if let Some(s) = sign {
            out.push(s);
        }
        out.extend(std::iter::repeat_n('0', fill));
        out.push_str(digits);
    } else {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(text);
    }
}

fn sign_prefix(negative: bool, flags: &Flags) -> &'static str {
    if negative {
        "-"
    } else if flags.plus {
        "+"
    } else if flags.space {
        " "
    } else {
        ""
    }
}

fn number_of(arg: &Value) -> Result<Number, String> {
    match types::convert(arg.clone(), &Type::Number) {
        Ok(Value::Number(n)) => Ok(n),
        _ => Err(format!("a number is required, got {}", arg.kind_name())),
    }
}

fn string_of(arg: &Value) -> Result<String, String> {
    match arg {
        v if v.is_structural() => Err(format!("a string is required, got {}", arg.kind_name())),
        v => match types::convert(v.clone(), &Type::String) {
            Ok(Value::String(s)) => Ok(s),
            _ => Err(format!("a string is required, got {}", arg.kind_name())),
        },
    }
}

fn format_one(
    verb: char,
    arg: &Value,
    flags: &Flags,
    precision: Option<usize>,
) -> Result<String, String> {
    if arg.is_null() && verb != 'v' {
        return Err("a null value cannot be formatted".into());
    }
    match verb {
        'v' => Ok(if flags.sharp {
            arg.to_json_encoded().to_string()
        } else {
            match arg {
                Value::Null | Value::TypedNull(_) => "null".into(),
                Value::String(s) => s.clone(),
                // Go's `%v` of a big.Float: shortest digits, an exponent when large or small.
                Value::Number(n) => n.to_text_g(),
                Value::Bool(b) => b.to_string(),
                other => other.to_json_encoded().to_string(),
            }
        }),
        't' => match types::convert(arg.clone(), &Type::Bool) {
            Ok(Value::Bool(b)) => Ok(b.to_string()),
            _ => Err(format!("a bool is required, got {}", arg.kind_name())),
        },
        's' => {
            let s = string_of(arg)?;
            Ok(match precision {
                Some(p) => s.chars().take(p).collect(),
                None => s,
            })
        }
        'q' => {
            let s = string_of(arg)?;
            Ok(serde_json::Value::String(s).to_string())
        }
        'x' | 'X'
            if matches!(arg, Value::String(_))
                && types::parse_number(arg.as_str().unwrap_or("")).is_none() =>
        {
            let s = string_of(arg)?;
            let mut out = String::with_capacity(s.len() * 2);
            for b in s.bytes() {
                // Writing to a String cannot fail.
                let _ = if verb == 'x' {
                    write!(out, "{b:02x}")
                } else {
                    write!(out, "{b:02X}")
                };
            }
            Ok(out)
        }
        'd' | 'b' | 'o' | 'x' | 'X' => {
            let n = number_of(arg)?;
            let (i, exact) = n.trunc_bigint();
            if !exact {
                return Err("an integer is required".into());
            }
            let abs = i.magnitude();
            let digits = match verb {
                'd' => abs.to_string(),
                'b' => format!("{abs:b}"),
                'o' => format!("{abs:o}"),
                'x' => format!("{abs:x}"),
                _ => format!("{abs:X}"),
            };
            let prefix = match (flags.sharp, verb) {
                (true, 'b') => "0b",
                (true, 'o') => "0",
                (true, 'x') => "0x",
                (true, 'X') => "0X",
                _ => "",
            };
            Ok(format!(
                "{}{prefix}{digits}",
                sign_prefix(i.sign() == num_bigint::Sign::Minus, flags)
            ))
        }
        'f' | 'e' | 'E' | 'g' | 'G' => {
            let n = number_of(arg)?;
            // Go formats the big.Float itself: exact digits, rounded half to even.
            let (negative, body) = n.format_verb(verb, precision);
            Ok(format!("{}{body}", sign_prefix(negative, flags)))
        }
        other => Err(format!("unrecognized format verb \"%{other}\"")),
    }
}
