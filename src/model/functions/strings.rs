//! String functions: case, trimming, searching, splitting, joining, regular expressions.
//!
//! "Character" means Unicode scalar value here (Terraform counts grapheme clusters; the two
//! differ only for combining sequences such as emoji with modifiers).
//!
//! Depends on `model::value` and the `regex` crate (whose syntax matches Go's RE2 for every
//! common construct).

use std::collections::BTreeMap;

use regex::Regex;
use unicode_segmentation::UnicodeSegmentation;

use super::{FnError, FnResult, arg_int, arg_list, arg_str};
use crate::model::types::{ObjectAttr, Type};
use crate::model::value::{Value, format_number};

pub(super) fn lower(args: Vec<Value>) -> FnResult {
    Ok(Value::String(
        arg_str(&args, 0)?.chars().map(go_lower).collect(),
    ))
}

pub(super) fn upper(args: Vec<Value>) -> FnResult {
    Ok(Value::String(
        arg_str(&args, 0)?.chars().map(go_upper).collect(),
    ))
}

/// Title-cases the first letter of each word; a word starts after anything that is not a
/// letter, digit or underscore (Go's `strings.Title` rules).
pub(super) fn title(args: Vec<Value>) -> FnResult {
    let s = arg_str(&args, 0)?;
    let mut out = String::with_capacity(s.len());
    let mut prev_separator = true;
    for c in s.chars() {
        out.push(if prev_separator { go_title(c) } else { c });
        prev_separator = is_word_separator(c);
    }
    Ok(Value::String(out))
}

// Go maps case one rune to one rune (Unicode's simple case mappings: `unicode.ToUpper`,
// `ToLower`, `ToTitle`), so `upper("straße")` keeps its `ß`, a ligature stays whole, and a
// final capital sigma becomes `σ`. Rust's mappings are the full ones (`ß` → `SS`); where the
// full mapping is a single character it is the simple one, and the few characters whose full
// mapping is several characters are handled here: most have no simple mapping (they map to
// themselves), the exceptions are listed.

/// Go's `unicode.ToUpper`.
fn go_upper(c: char) -> char {
    single(c.to_uppercase()).unwrap_or_else(|| match u32::from(c) {
        // Greek letters with ypogegrammeni: the simple mapping is the titlecase letter with
        // prosgegrammeni (ᾳ → ᾼ), which maps to itself.
        cp @ (0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7) => {
            char::from_u32(cp + 8).unwrap_or(c)
        }
        0x1FB3 => '\u{1FBC}',
        0x1FC3 => '\u{1FCC}',
        0x1FF3 => '\u{1FFC}',
        _ => c,
    })
}

/// Go's `unicode.ToLower`.
fn go_lower(c: char) -> char {
    // `İ` is the only character whose full lower-case mapping is longer (`i` + a combining dot).
    single(c.to_lowercase()).unwrap_or(if c == '\u{130}' { 'i' } else { c })
}

/// Go's `unicode.ToTitle`: the upper-case mapping except for the Latin digraphs (DŽ, Dž, dž →
/// Dž) and the Georgian letters, whose title case is themselves.
fn go_title(c: char) -> char {
    match u32::from(c) {
        0x1C4..=0x1C6 => '\u{1C5}',
        0x1C7..=0x1C9 => '\u{1C8}',
        0x1CA..=0x1CC => '\u{1CB}',
        0x1F1..=0x1F3 => '\u{1F2}',
        0x10D0..=0x10FA | 0x10FD..=0x10FF => c,
        _ => go_upper(c),
    }
}

/// The one character of a case mapping, if it is one.
fn single(mut mapped: impl Iterator<Item = char>) -> Option<char> {
    let first = mapped.next()?;
    mapped.next().is_none().then_some(first)
}

fn is_word_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphanumeric() {
        return false;
    }
    c.is_whitespace()
}

pub(super) fn trimspace(args: Vec<Value>) -> FnResult {
    Ok(Value::string(arg_str(&args, 0)?.trim()))
}

pub(super) fn trim(args: Vec<Value>) -> FnResult {
    let s = arg_str(&args, 0)?;
    let cutset = arg_str(&args, 1)?;
    Ok(Value::string(s.trim_matches(|c| cutset.contains(c))))
}

pub(super) fn trimprefix(args: Vec<Value>) -> FnResult {
    let s = arg_str(&args, 0)?;
    let prefix = arg_str(&args, 1)?;
    Ok(Value::string(s.strip_prefix(prefix).unwrap_or(s)))
}

pub(super) fn trimsuffix(args: Vec<Value>) -> FnResult {
    let s = arg_str(&args, 0)?;
    let suffix = arg_str(&args, 1)?;
    Ok(Value::string(s.strip_suffix(suffix).unwrap_or(s)))
}

pub(super) fn startswith(args: Vec<Value>) -> FnResult {
    Ok(Value::Bool(
        arg_str(&args, 0)?.starts_with(arg_str(&args, 1)?),
    ))
}

pub(super) fn endswith(args: Vec<Value>) -> FnResult {
    Ok(Value::Bool(
        arg_str(&args, 0)?.ends_with(arg_str(&args, 1)?),
    ))
}

/// `strcontains`: whether `substr` occurs in `str` (byte-wise, as Go's `strings.Contains`).
pub(super) fn strcontains(args: Vec<Value>) -> FnResult {
    Ok(Value::Bool(arg_str(&args, 0)?.contains(arg_str(&args, 1)?)))
}

pub(super) fn strrev(args: Vec<Value>) -> FnResult {
    // By grapheme cluster, as Terraform: "👍🏽" and "é" (e + combining accent) stay whole.
    Ok(Value::String(
        arg_str(&args, 0)?.graphemes(true).rev().collect(),
    ))
}

/// Removes every trailing `\n`, `\r\n` or `\r`.
pub(super) fn chomp(args: Vec<Value>) -> FnResult {
    Ok(Value::string(
        arg_str(&args, 0)?.trim_end_matches(['\r', '\n']),
    ))
}

/// Adds `spaces` spaces after every newline (so to every line but the first).
pub(super) fn indent(args: Vec<Value>) -> FnResult {
    let spaces = arg_int(&args, 0)?;
    let spaces = usize::try_from(spaces)
        .ok()
        .filter(|n| *n <= 1024)
        .ok_or_else(|| FnError::Arg(0, "the number of spaces must be between 0 and 1024".into()))?;
    let pad = format!("\n{}", " ".repeat(spaces));
    Ok(Value::String(arg_str(&args, 1)?.replace('\n', &pad)))
}

/// `substr(str, offset, length)`: a negative offset counts from the end; a negative length
/// takes the rest; ranges past the end are clipped.
pub(super) fn substr(args: Vec<Value>) -> FnResult {
    let s = arg_str(&args, 0)?;
    let offset = arg_int(&args, 1)?;
    let length = arg_int(&args, 2)?;
    // Offsets and lengths count grapheme clusters, as Terraform's.
    let chars: Vec<&str> = s.graphemes(true).collect();
    let len = i64::try_from(chars.len()).unwrap_or(i64::MAX);
    let start = if offset < 0 {
        (offset + len).max(0)
    } else {
        offset
    };
    if start >= len || length == 0 {
        return Ok(Value::string(""));
    }
    let end = if length < 0 {
        len
    } else {
        (start + length).min(len)
    };
    // Invariant: 0 <= start < end <= len, all derived from a usize length.
    let (start, end) = (
        usize::try_from(start).unwrap_or(0),
        usize::try_from(end).unwrap_or(0),
    );
    Ok(Value::String(chars[start..end].concat()))
}

/// `split(separator, str)` with Go's rules: an empty separator splits into characters.
pub(super) fn split(args: Vec<Value>) -> FnResult {
    let sep = arg_str(&args, 0)?;
    let s = arg_str(&args, 1)?;
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        s.split(sep).map(Value::string).collect()
    };
    Ok(Value::list(Type::String, parts))
}

/// `join(separator, list...)`: elements must be strings (numbers and bools convert).
pub(super) fn join(args: Vec<Value>) -> FnResult {
    let sep = arg_str(&args, 0)?;
    if args.len() < 2 {
        return Err(FnError::Arity("at least one list is required".into()));
    }
    let mut parts: Vec<String> = Vec::new();
    for (li, _) in args.iter().enumerate().skip(1) {
        for (ei, v) in arg_list(&args, li)?.iter().enumerate() {
            match v {
                Value::String(s) => parts.push(s.clone()),
                Value::Number(n) => parts.push(format_number(n)),
                Value::Bool(b) => parts.push(b.to_string()),
                Value::Null | Value::TypedNull(_) => {
                    return Err(FnError::Arg(
                        li,
                        format!("element {ei} is null; cannot concatenate null values"),
                    ));
                }
                other => {
                    return Err(FnError::Arg(
                        li,
                        format!(
                            "element {ei} is a {}; a string is required",
                            other.kind_name()
                        ),
                    ));
                }
            }
        }
    }
    Ok(Value::String(parts.join(sep)))
}

fn compile(pattern: &str, arg: usize) -> Result<Regex, FnError> {
    Regex::new(&ascii_perl_classes(pattern)).map_err(|e| {
        FnError::Arg(
            arg,
            format!("invalid regular expression: {}", one_line(&e.to_string())),
        )
    })
}

/// Go's RE2 reads `\d`, `\w`, `\s` and `\b` as ASCII classes (`[0-9]`, `[0-9A-Za-z_]`,
/// `[\t\n\f\r ]`, an ASCII word boundary); the `regex` crate reads them as Unicode ones. The
/// pattern is rewritten with the ASCII classes spelt out, in and out of brackets, and RE2's
/// `\Q…\E` quotes (which the crate lacks) as escaped text; POSIX classes (ASCII in both)
/// and `\p{…}` (Unicode in both) stay.
fn ascii_perl_classes(pattern: &str) -> std::borrow::Cow<'_, str> {
    if !pattern.contains('\\') {
        return pattern.into();
    }
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(next) = chars.next() else {
                    out.push('\\');
                    break;
                };
                let replacement = match (next, in_class) {
                    ('d', false) => "[0-9]",
                    ('w', false) => "[0-9A-Za-z_]",
                    ('s', false) => "[\\t\\n\\f\\r ]",
                    ('b', false) => "(?-u:\\b)",
                    ('B', false) => "(?-u:\\B)",
                    ('d', true) => "0-9",
                    ('w', true) => "0-9A-Za-z_",
                    ('s', true) => "\\t\\n\\f\\r ",
                    ('D', _) => "[^0-9]",
                    ('W', _) => "[^0-9A-Za-z_]",
                    ('S', _) => "[^\\t\\n\\f\\r ]",
                    ('Q', _) => {
                        // Literal text up to `\E` (or the end): RE2 has this quoting, the
                        // `regex` crate does not, so it is escaped character by character.
                        let mut literal = String::new();
                        while let Some(q) = chars.next() {
                            if q == '\\' && chars.peek() == Some(&'E') {
                                chars.next();
                                break;
                            }
                            literal.push(q);
                        }
                        out.push_str(&regex::escape(&literal));
                        continue;
                    }
                    _ => {
                        out.push('\\');
                        out.push(next);
                        continue;
                    }
                };
                out.push_str(replacement);
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                // A `]` first in a class is a literal.
                if chars.peek() == Some(&']') {
                    out.push(']');
                    chars.next();
                }
            }
            '[' if chars.peek() == Some(&':') => {
                // `[:alpha:]` inside a class.
                out.push('[');
                for p in chars.by_ref() {
                    out.push(p);
                    if p == ']' {
                        break;
                    }
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    out.into()
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `replace(str, substr, replacement)`; a `substr` wrapped in slashes is a regular expression
/// and the replacement may use `$1` / `${name}`.
pub(super) fn replace(args: Vec<Value>) -> FnResult {
    let s = arg_str(&args, 0)?;
    let substr = arg_str(&args, 1)?;
    let replacement = arg_str(&args, 2)?;
    if substr.len() > 1 && substr.starts_with('/') && substr.ends_with('/') {
        let re = compile(&substr[1..substr.len() - 1], 1)?;
        return Ok(Value::String(re.replace_all(s, replacement).into_owned()));
    }
    Ok(Value::String(s.replace(substr, replacement)))
}

/// The shape of one match for `regex`/`regexall`: the matched text when the pattern has no
/// groups, a list of groups when they are unnamed, an object when they are named.
fn match_value(re: &Regex, caps: &regex::Captures<'_>) -> Value {
    let group = |i: usize| {
        caps.get(i)
            .map_or(Value::null_of(&Type::String), |m| Value::string(m.as_str()))
    };
    if re.captures_len() == 1 {
        return group(0);
    }
    if re.capture_names().flatten().next().is_some() {
        let map: BTreeMap<String, Value> = re
            .capture_names()
            .enumerate()
            .filter_map(|(i, name)| name.map(|n| (n.to_owned(), group(i))))
            .collect();
        return Value::Object(map);
    }
    Value::List((1..re.captures_len()).map(group).collect())
}

fn check_groups(re: &Regex) -> Result<(), FnError> {
    let named = re.capture_names().skip(1).flatten().count();
    let total = re.captures_len() - 1;
    if named > 0 && named < total {
        return Err(FnError::Arg(
            0,
            "the pattern cannot mix named and unnamed capture groups".into(),
        ));
    }
    Ok(())
}

pub(super) fn regex(args: Vec<Value>) -> FnResult {
    let re = compile(arg_str(&args, 0)?, 0)?;
    check_groups(&re)?;
    let s = arg_str(&args, 1)?;
    match re.captures(s) {
        Some(caps) => Ok(match_value(&re, &caps)),
        None => Err(FnError::Call(
            "the pattern did not match any part of the given string".into(),
        )),
    }
}

pub(super) fn regexall(args: Vec<Value>) -> FnResult {
    let re = compile(arg_str(&args, 0)?, 0)?;
    check_groups(&re)?;
    let s = arg_str(&args, 1)?;
    let matches: Vec<Value> = re.captures_iter(s).map(|c| match_value(&re, &c)).collect();
    let elem = if re.captures_len() == 1 {
        Type::String
    } else if re.capture_names().flatten().next().is_some() {
        Type::Object(
            re.capture_names()
                .flatten()
                .map(|n| (n.to_owned(), ObjectAttr::required(Type::String)))
                .collect(),
        )
    } else {
        Type::Tuple(vec![Type::String; re.captures_len() - 1])
    };
    Ok(Value::list(elem, matches))
}
