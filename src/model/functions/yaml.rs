//! `yamlencode` and `yamldecode`, as Terraform's (go-cty-yaml, a Go port of libyaml).
//!
//! Encoding reproduces libyaml's emitter byte for byte for the events Terraform sends it: block
//! style, two-space indentation, every string double-quoted (or a `|` literal block when it has
//! a newline and a block can hold it), numbers, bools and `null` plain, `[]` and `{}` for empty
//! collections, long double-quoted strings folded after column 80, keys that cannot be simple
//! keys written as `? key` / `: value`, and a root plain scalar followed by `...`.
//!
//! Decoding parses with `yaml_serde` (libyaml's parser translated to Rust, so the same syntax
//! and the same parser messages) and types scalars with Terraform's resolution rules, which are
//! YAML 1.1's for words (`yes`, `on`, `y` are `true`; `no`, `off`, `n` are `false`), YAML 1.2's
//! for numbers (decimal, `0o` octal, `0x` hex), and turn timestamps into RFC 3339 strings.
//! Quoted scalars are always strings. Sequences are tuples, mappings objects.
//!
//! Known differences (documented in docs/functions.md): `yaml_serde` resolves signed hex,
//! octal and `0b` binary literals to numbers before this module sees their text (Terraform
//! keeps them as strings); merge keys (`<<`) are ordinary keys; error positions are the
//! parser's, which may differ from Terraform's by a line for some syntax errors.
//!
//! Depends on `model::value`, `yaml_serde`, `serde`.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::{FnError, FnResult, arg_str};
use crate::model::value::Value;
use crate::number::Number;

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

pub(super) fn yamlencode(args: Vec<Value>) -> FnResult {
    let v = args.into_iter().next().unwrap_or_default();
    let mut e = Emitter::new();
    e.node(&v, Context::ROOT)?;
    e.finish();
    Ok(Value::String(e.out))
}

/// libyaml's preferred line width and indentation.
const BEST_WIDTH: usize = 80;
const BEST_INDENT: isize = 2;

/// Where a node is written (libyaml's `root_context` / `mapping_context` / `simple_key_context`).
#[derive(Clone, Copy)]
struct Context {
    root: bool,
    mapping: bool,
    simple_key: bool,
}

impl Context {
    const ROOT: Self = Self {
        root: true,
        mapping: false,
        simple_key: false,
    };
    const ITEM: Self = Self {
        root: false,
        mapping: false,
        simple_key: false,
    };
    const KEY: Self = Self {
        root: false,
        mapping: true,
        simple_key: true,
    };
    const VALUE: Self = Self {
        root: false,
        mapping: true,
        simple_key: false,
    };
}

/// The state of libyaml's emitter that decides the output's layout.
struct Emitter {
    out: String,
    column: usize,
    indent: isize,
    indents: Vec<isize>,
    whitespace: bool,
    indention: bool,
    open_ended: bool,
}

/// What libyaml's scalar analysis says about a string.
struct Analysis {
    multiline: bool,
    block_allowed: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    DoubleQuoted,
    Literal,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// libyaml's `is_printable` as go-yaml writes it (characters beyond the BMP are not printable).
fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}')
        || (('\u{E000}'..='\u{FFFD}').contains(&c) && c != '\u{FEFF}')
}

fn analyze(value: &str) -> Analysis {
    let mut line_breaks = false;
    let mut special = false;
    let mut trailing_space = false;
    let mut space_break = false;
    let mut previous_space = false;
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        let last = chars.peek().is_none();
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            trailing_space |= last;
            previous_space = true;
        } else if is_break(c) {
            line_breaks = true;
            space_break |= previous_space;
            previous_space = false;
        } else {
            previous_space = false;
        }
    }
    Analysis {
        multiline: line_breaks,
        block_allowed: !value.is_empty() && !trailing_space && !space_break && !special,
    }
}

impl Emitter {
    fn new() -> Self {
        Self {
            out: String::new(),
            column: 0,
            indent: -1,
            indents: Vec::new(),
            whitespace: true,
            indention: true,
            open_ended: false,
        }
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn decrease_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn write_indent(&mut self) {
        let indent = usize::try_from(self.indent).unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in indicator.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
        self.open_ended = false;
    }

    fn node(&mut self, v: &Value, ctx: Context) -> Result<(), FnError> {
        let (v, _) = v.unmark();
        match v {
            Value::Unknown => Err(FnError::Call(
                "cannot serialize unknown value as YAML".into(),
            )),
            Value::Null | Value::TypedNull(_) => {
                self.scalar("null", Style::Plain, ctx);
                Ok(())
            }
            Value::Bool(b) => {
                self.scalar(if *b { "true" } else { "false" }, Style::Plain, ctx);
                Ok(())
            }
            Value::Number(n) => {
                self.scalar(&n.to_text(), Style::Plain, ctx);
                Ok(())
            }
            Value::String(s) => {
                let style = if s.contains('\n') {
                    Style::Literal
                } else {
                    Style::DoubleQuoted
                };
                self.scalar(s, style, ctx);
                Ok(())
            }
            Value::Sensitive(_) => unreachable_marks(),
            other => {
                if let Some(items) = other.as_list() {
                    self.sequence(items, ctx)
                } else if let Some(entries) = other.as_object() {
                    self.mapping(entries, ctx)
                } else {
                    Err(FnError::Call(format!(
                        "can't marshal {} as YAML",
                        other.kind_name()
                    )))
                }
            }
        }
    }

    fn sequence(&mut self, items: &[Value], ctx: Context) -> Result<(), FnError> {
        if items.is_empty() {
            self.write_indicator("[", true, true, false);
            self.write_indicator("]", false, false, false);
            return Ok(());
        }
        self.increase_indent(false, ctx.mapping && !self.indention);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, Context::ITEM)?;
        }
        self.decrease_indent();
        Ok(())
    }

    fn mapping(&mut self, entries: &BTreeMap<String, Value>, _ctx: Context) -> Result<(), FnError> {
        if entries.is_empty() {
            self.write_indicator("{", true, true, false);
            self.write_indicator("}", false, false, false);
            return Ok(());
        }
        self.increase_indent(false, false);
        for (key, value) in entries {
            self.write_indent();
            // libyaml's check_simple_key: single-line and at most 128 bytes.
            if !analyze(key).multiline && key.len() <= 128 {
                self.scalar(key, Style::DoubleQuoted, Context::KEY);
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                let style = if key.contains('\n') {
                    Style::Literal
                } else {
                    Style::DoubleQuoted
                };
                self.scalar(key, style, Context::VALUE);
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(value, Context::VALUE)?;
        }
        self.decrease_indent();
        Ok(())
    }

    fn scalar(&mut self, value: &str, requested: Style, ctx: Context) {
        let analysis = analyze(value);
        let mut style = requested;
        if ctx.simple_key && analysis.multiline {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal && (!analysis.block_allowed || ctx.simple_key) {
            style = Style::DoubleQuoted;
        }
        self.increase_indent(true, false);
        match style {
            Style::Plain => self.write_plain(value, ctx.root),
            Style::DoubleQuoted => self.write_double_quoted(value, !ctx.simple_key),
            Style::Literal => self.write_literal(value),
        }
        self.decrease_indent();
    }

    /// Numbers, bools and `null`: no spaces or breaks to fold.
    fn write_plain(&mut self, value: &str, root: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        for c in value.chars() {
            self.put(c);
        }
        self.whitespace = false;
        self.indention = false;
        if root {
            self.open_ended = true;
        }
    }

    fn write_double_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        // go-yaml's is_bom looks at the start of the value, not at the character: a value
        // starting with a byte order mark has every character escaped.
        let bom = value.starts_with('\u{FEFF}');
        let mut spaces = false;
        let mut iter = value.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            if !is_printable(c) || bom || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                self.write_escape(c);
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i < value.len() - 1
                {
                    self.write_indent();
                    if iter.peek().is_some_and(|&(_, next)| next == ' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_escape(&mut self, c: char) {
        let short = match c {
            '\0' => Some('0'),
            '\u{7}' => Some('a'),
            '\u{8}' => Some('b'),
            '\t' => Some('t'),
            '\n' => Some('n'),
            '\u{b}' => Some('v'),
            '\u{c}' => Some('f'),
            '\r' => Some('r'),
            '\u{1b}' => Some('e'),
            '"' => Some('"'),
            '\\' => Some('\\'),
            '\u{85}' => Some('N'),
            '\u{a0}' => Some('_'),
            '\u{2028}' => Some('L'),
            '\u{2029}' => Some('P'),
            _ => None,
        };
        if let Some(s) = short {
            self.put(s);
            return;
        }
        let v = u32::from(c);
        let (prefix, width) = if v <= 0xFF {
            ('x', 2)
        } else if v <= 0xFFFF {
            ('u', 4)
        } else {
            ('U', 8)
        };
        self.put(prefix);
        for k in (0..width).rev() {
            let digit = (v >> (k * 4)) & 0xF;
            self.put(char::from_digit(digit, 16).map_or('0', |d| d.to_ascii_uppercase()));
        }
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        // Block scalar hints: an indentation indicator when the text starts with a space or a
        // break, and a chomping indicator from how many breaks end it.
        if value.starts_with(|c: char| c == ' ' || is_break(c)) {
            self.write_indicator("2", false, false, false);
        }
        let mut rev = value.chars().rev();
        let chomp = match (rev.next(), rev.next()) {
            (Some(last), _) if !is_break(last) => Some("-"),
            (Some(_), None) => Some("+"),
            (Some(_), Some(before)) if is_break(before) => Some("+"),
            _ => None,
        };
        if let Some(chomp) = chomp {
            self.write_indicator(chomp, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in value.chars() {
            if is_break(c) {
                if c == '\n' {
                    self.put_break();
                } else {
                    self.out.push(c);
                    self.column = 0;
                }
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }

    /// Document end (implicit) and stream end: a final break, and `...` after an open-ended
    /// root scalar.
    fn finish(&mut self) {
        self.indent = -1;
        self.write_indent();
        if self.open_ended {
            self.write_indicator("...", true, false, false);
            self.write_indent();
        }
    }
}

/// Marks are removed by the registry before the call (`Marks::Deep`).
fn unreachable_marks() -> Result<(), FnError> {
    Err(FnError::Call(
        "cannot serialize a marked value as YAML".into(),
    ))
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

pub(super) fn yamldecode(args: Vec<Value>) -> FnResult {
    let src = arg_str(&args, 0)?;
    decode(src).map_err(FnError::Call)
}

/// The value of a YAML document, or Terraform's error text.
fn decode(src: &str) -> Result<Value, String> {
    if !has_document(src) {
        // go-cty-yaml reads "" as "\n"; the stream ends on the line after the last break.
        let lines = src.matches('\n').count().max(usize::from(src.is_empty()));
        return Err(positioned(lines, 1, "missing start of document"));
    }
    let de = yaml_serde::Deserializer::from_str(src);
    match (Node { src }).deserialize(de) {
        Ok(v) => Ok(v),
        Err(e) => Err(error_text(src, &e)),
    }
}

/// go-cty-yaml's error text: `on line L, column C: problem` (its lines count from 0 for event
/// errors, as its marks do; no position on the first line).
fn positioned(line: usize, column: usize, problem: &str) -> String {
    if line == 0 {
        problem.to_owned()
    } else {
        format!("on line {line}, column {column}: {problem}")
    }
}

/// Whether the text holds anything but blank lines, comments and a document end marker.
fn has_document(src: &str) -> bool {
    src.lines().any(|l| {
        let t = l.trim_start_matches([' ', '\t', '\u{feff}']);
        !(t.is_empty() || t.starts_with('#'))
    })
}

fn error_text(src: &str, e: &yaml_serde::Error) -> String {
    let text = e.to_string();
    if text.contains("more than one document") {
        // The second document's start: the first `---` line after the first line.
        let line = src
            .lines()
            .enumerate()
            .skip(1)
            .find(|(_, l)| l.starts_with("---"))
            .map_or(1, |(i, _)| i);
        return positioned(line, 1, "unexpected extra content after value");
    }
    if let Some(custom) = text.strip_prefix(CUSTOM) {
        return custom.to_owned();
    }
    // Parser messages: "PROBLEM at line L column C[, while CONTEXT ...]".
    let problem = text.split(" at line ").next().unwrap_or(&text);
    match e.location() {
        Some(loc) => positioned(loc.line(), loc.column(), problem),
        None => problem.to_owned(),
    }
}

/// Prefix of errors raised by this module's visitor (already in Terraform's words).
const CUSTOM: &str = "scwform-yaml: ";

/// Deserializes one node; holds the source to tell quoted scalars from plain ones.
#[derive(Clone, Copy)]
struct Node<'de> {
    src: &'de str,
}

impl<'de> DeserializeSeed<'de> for Node<'de> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

fn custom<E: de::Error>(message: &str) -> E {
    E::custom(format!("{CUSTOM}{message}"))
}

impl<'de> Visitor<'de> for Node<'de> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        Ok(Value::int(n))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(Number::from_bigint(&n.into())))
    }

    fn visit_i128<E: de::Error>(self, n: i128) -> Result<Value, E> {
        Ok(Value::Number(Number::from_bigint(&n.into())))
    }

    fn visit_u128<E: de::Error>(self, n: u128) -> Result<Value, E> {
        Ok(Value::Number(Number::from_bigint(&n.into())))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
        if n.is_nan() {
            return Err(custom("floating point NaN is not supported"));
        }
        Ok(Value::float(n))
    }

    /// A scalar that is a slice of the source: plain, or quoted without escapes. A quoted one
    /// is preceded by its quote (a plain scalar never starts right after a quote).
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Value, E> {
        let offset = s.as_ptr().addr().wrapping_sub(self.src.as_ptr().addr());
        let quoted = offset <= self.src.len()
            && offset > 0
            && matches!(self.src.as_bytes()[offset - 1], b'"' | b'\'');
        if quoted || (offset <= self.src.len() && str_tagged(&self.src[..offset])) {
            Ok(Value::String(s.to_owned()))
        } else {
            resolve_plain(s).map_err(|m| custom(&m))
        }
    }

    /// A scalar with escapes, folded lines or a block style: a string.
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            items.push(v);
        }
        Ok(Value::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = BTreeMap::new();
        while let Some(key) = map.next_key_seed(self)? {
            let key = match key {
                Value::String(s) => s,
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => crate::model::value::format_number(&n),
                Value::Null => return Err(custom("mapping key cannot be null")),
                _ => return Err(custom("only strings are allowed as mapping keys")),
            };
            let value = map.next_value_seed(self)?;
            entries.insert(key, value);
        }
        Ok(Value::Object(entries))
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, _data: A) -> Result<Value, A::Error> {
        Err(custom("unsupported tag"))
    }
}

/// Whether the text before a plain scalar ends with an explicit string tag (`!!str`).
fn str_tagged(before: &str) -> bool {
    let before = before.trim_end_matches([' ', '\t']);
    before.ends_with("!!str") || before.ends_with("!<tag:yaml.org,2002:str>")
}

/// Terraform's resolution of a plain scalar that `yaml_serde` left as a string.
fn resolve_plain(s: &str) -> Result<Value, String> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Ok(Value::Bool(true));
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Ok(Value::Bool(false));
        }
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Ok(Value::float(f64::INFINITY));
        }
        "-.inf" | "-.Inf" | "-.INF" => return Ok(Value::float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Err("floating point NaN is not supported".into()),
        _ => {}
    }
    let first = s.as_bytes().first().copied().unwrap_or(b' ');
    if first == b'.' {
        return Ok(parse_decimal(s).map_or_else(|| Value::String(s.to_owned()), Value::float));
    }
    if first.is_ascii_digit() || first == b'+' || first == b'-' {
        if let Some(ts) = timestamp(s) {
            return Ok(Value::String(ts));
        }
        if is_integer_literal(s) || is_float_literal(s) {
            if let Ok(i) = s.parse::<i64>() {
                return Ok(Value::int(i));
            }
            if let Some(n) = parse_decimal(s) {
                return Ok(Value::float(n));
            }
            if let Some(n) = parse_prefixed_int(s) {
                return Ok(Value::float(n));
            }
            return Err(format!(
                "cannot parse \"{s}\" as tag:yaml.org,2002:{}",
                if is_integer_literal(s) {
                    "int"
                } else {
                    "float"
                }
            ));
        }
    }
    Ok(Value::String(s.to_owned()))
}

/// A decimal number as Go's `big.ParseFloat` base 10 reads it (sign, digits, fraction,
/// exponent).
fn parse_decimal(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let ok = !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && body
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.');
    if !ok {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// `0o17`, `0x1F` (YAML 1.2 core schema integers with a base prefix; unsigned).
#[allow(clippy::cast_precision_loss)]
fn parse_prefixed_int(s: &str) -> Option<f64> {
    let (digits, radix) = if let Some(d) = s.strip_prefix("0x") {
        (d, 16)
    } else if let Some(d) = s.strip_prefix("0o") {
        (d, 8)
    } else {
        return None;
    };
    u128::from_str_radix(digits, radix).ok().map(|n| n as f64)
}

/// `[-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+`.
fn is_integer_literal(s: &str) -> bool {
    let all = |d: &str, f: fn(&u8) -> bool| !d.is_empty() && d.as_bytes().iter().all(f);
    if let Some(d) = s.strip_prefix("0o") {
        return all(d, |b| (b'0'..=b'7').contains(b));
    }
    if let Some(d) = s.strip_prefix("0x") {
        return all(d, u8::is_ascii_hexdigit);
    }
    all(s.strip_prefix(['+', '-']).unwrap_or(s), u8::is_ascii_digit)
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_float_literal(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => !frac.is_empty() && digits(frac),
        Some((int, frac)) => !int.is_empty() && digits(int) && digits(frac),
        None => !mantissa.is_empty() && digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// A YAML timestamp in one of the forms Terraform accepts, as an RFC 3339 string (seconds
/// precision, `Z` for UTC): `2006-1-2`, `2006-1-2T15:4:5[.frac](Z|±07:00)` (`t` too), and
/// `2006-1-2 15:4:5[.frac]` (UTC).
fn timestamp(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    if bytes.len() < 5 || !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' {
        return None;
    }
    let mut p = Cursor { s: bytes, i: 5 };
    let year = &s[..4];
    let month = p.num(1, 2).filter(|m| (1..=12).contains(m))?;
    p.byte(b'-')?;
    let day = p.num(1, 2)?;
    if day == 0 || day > days_in_month(year.parse().ok()?, month) {
        return None;
    }
    if p.done() {
        return Some(format!("{year}-{month:02}-{day:02}T00:00:00Z"));
    }
    let sep = p.next()?;
    let hour = p.num(1, 2).filter(|h| *h < 24)?;
    p.byte(b':')?;
    let minute = p.num(1, 2).filter(|m| *m < 60)?;
    p.byte(b':')?;
    let second = p.num(1, 2).filter(|s| *s < 60)?;
    if p.peek() == Some(b'.') {
        p.i += 1;
        p.num(1, 9)?;
    }
    let zone = match sep {
        b' ' => {
            if !p.done() {
                return None;
            }
            "Z".to_owned()
        }
        b'T' | b't' => match p.next()? {
            b'Z' => {
                if !p.done() {
                    return None;
                }
                "Z".to_owned()
            }
            sign @ (b'+' | b'-') => {
                let off_h = p.num(2, 2).filter(|h| *h < 24)?;
                p.byte(b':')?;
                let off_m = p.num(2, 2).filter(|m| *m < 60)?;
                if !p.done() {
                    return None;
                }
                if off_h == 0 && off_m == 0 {
                    "Z".to_owned()
                } else {
                    format!("{}{off_h:02}:{off_m:02}", char::from(sign))
                }
            }
            _ => return None,
        },
        _ => return None,
    };
    Some(format!(
        "{year}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{zone}"
    ))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A byte cursor for [`timestamp`].
struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn done(&self) -> bool {
        self.i >= self.s.len()
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.i += 1;
        Some(b)
    }

    fn byte(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    /// Between `min` and `max` digits.
    fn num(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        while self.i - start < max && self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
        if self.i - start < min {
            return None;
        }
        std::str::from_utf8(&self.s[start..self.i])
            .ok()?
            .parse()
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: &Value) -> String {
        match yamlencode(vec![v.clone()]) {
            Ok(Value::String(s)) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn encodes_like_libyaml() {
        let obj = |pairs: &[(&str, Value)]| {
            Value::Object(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.clone()))
                    .collect(),
            )
        };
        let s = |t: &str| Value::String(t.to_owned());
        assert_eq!(enc(&Value::float(1.0)), "1\n...\n");
        assert_eq!(enc(&s("a")), "\"a\"\n");
        assert_eq!(enc(&s("a\nb\n")), "|\n  a\n  b\n");
        assert_eq!(enc(&s("a\nb")), "|-\n  a\n  b\n");
        assert_eq!(enc(&s("a\n\n")), "|+\n  a\n\n");
        assert_eq!(enc(&s(" a\nb")), "|2-\n   a\n  b\n");
        assert_eq!(enc(&s("a \nb")), "\"a \\nb\"\n");
        assert_eq!(enc(&s("t\tb")), "\"t\\tb\"\n");
        assert_eq!(enc(&s("👍")), "\"\\U0001F44D\"\n");
        assert_eq!(
            enc(&obj(&[
                ("a", Value::List(vec![s("x"), obj(&[("b", Value::Null)])])),
                ("c", obj(&[("d", Value::List(vec![]))])),
            ])),
            "\"a\":\n- \"x\"\n- \"b\": null\n\"c\":\n  \"d\": []\n"
        );
        assert_eq!(
            enc(&Value::List(vec![Value::List(vec![Value::Bool(true)])])),
            "- - true\n"
        );
        assert_eq!(enc(&obj(&[("k\nl", s("v"))])), "? |-\n  k\n  l\n: \"v\"\n");
        let long = "word ".repeat(20) + "end";
        let folded = enc(&s(&long));
        assert!(folded.contains("\n  word"), "{folded}");
    }

    #[test]
    fn decodes_with_terraforms_resolution() {
        let d = |t: &str| decode(t).unwrap_or_else(|e| panic!("{t}: {e}"));
        assert_eq!(
            d("[yes, 'yes', \"on\", y, off, ~, 0x1F, 0o17, 00012, 1e3, .5, -1]"),
            Value::List(vec![
                Value::Bool(true),
                Value::String("yes".into()),
                Value::String("on".into()),
                Value::Bool(true),
                Value::Bool(false),
                Value::Null,
                Value::float(31.0),
                Value::float(15.0),
                Value::float(12.0),
                Value::float(1000.0),
                Value::float(0.5),
                Value::float(-1.0),
            ])
        );
        assert_eq!(
            d("2024-01-02"),
            Value::String("2024-01-02T00:00:00Z".into())
        );
        assert_eq!(
            d("2024-1-2T03:04:05.5+01:00"),
            Value::String("2024-01-02T03:04:05+01:00".into())
        );
        assert_eq!(
            d("a: &x [1]\nb: *x\n").as_object().map(BTreeMap::len),
            Some(2)
        );
        assert_eq!(
            decode("").unwrap_err(),
            "on line 1, column 1: missing start of document"
        );
        assert_eq!(
            decode("a: 1\n---\nb: 2\n").unwrap_err(),
            "on line 1, column 1: unexpected extra content after value"
        );
        assert_eq!(
            decode(".nan").unwrap_err(),
            "floating point NaN is not supported"
        );
        assert!(decode("{").is_err());
    }
}
