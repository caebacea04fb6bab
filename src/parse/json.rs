//! Terraform's JSON configuration syntax (`.tf.json`), read into the same [`ast`] as the
//! native syntax.
//!
//! Two steps. First the text is read as strict JSON (RFC 8259) into a small tree whose every
//! value and property name keeps its byte span. Then that tree is interpreted as HCL's JSON
//! syntax does it, which needs to know, for each body, which property names are nested blocks
//! (and how many labels they take) — a [`JsonShape`] the caller supplies, since that is
//! language knowledge (`model`) and schema knowledge (`schema`), not syntax:
//!
//! - A body is an object (or an array of objects, whose properties are taken in order); a
//!   property named `//` is a comment and is skipped.
//! - A block property's value is nested one object level per label (`"resource": {"TYPE":
//!   {"NAME": {...}}}`); at the last level an object is one block body and an array of
//!   objects is one block per element. An array of objects may stand for an object at every
//!   label level.
//! - Any other property is an attribute. Its value becomes an expression according to the
//!   attribute's [`AttrMode`]: strings are templates (`"${var.x}"`), whole expressions
//!   (`depends_on`, `type`...) or literal text (a variable's `default`); arrays become tuples
//!   and objects become object constructors (whose keys are templates too).
//!
//! Spans point into the `.tf.json` text, also inside strings: a string holding JSON escapes is
//! parsed with a table from decoded bytes to file offsets. Diagnostics: `scw::parse::invalid_json`
//! for text that is not JSON or not HCL's JSON shape, and the native parser's codes for
//! expressions and templates inside strings.
//!
//! Invariant: no input makes this panic or recurse deeper than [`MAX_DEPTH`]
//! (arrays and objects nested deeper are refused).

use super::ast::{
    Attribute, Block, BlockLabel, Body, Expr, ExprKind, File, Ident, ObjectItem, ObjectKey,
    Structure, Template, TemplatePart,
};
use super::{MAX_DEPTH, build::Builder, grammar::HclParser, grammar::Rule};
use crate::diag::{Diagnostic, Diagnostics, FileId, Span};

use pest::Parser as _;

/// How a JSON attribute's strings are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrMode {
    /// As string templates: `"${var.x}"` is the value of `var.x`, `"a-${x}"` a string.
    Template,
    /// As whole expressions: `"scaleway_container.main"` in `depends_on`, `"list(string)"`
    /// in a variable's `type`.
    Expression,
    /// As literal text, no template (Terraform evaluates these with no context).
    Literal,
}

/// One enclosing block of a body being read: its type and labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonBlock {
    /// The block type, e.g. `resource`.
    pub kind: String,
    /// Its labels.
    pub labels: Vec<String>,
}

/// What the language says about the bodies of a JSON configuration. `path` lists the blocks
/// enclosing the body, outermost first (empty for the file's top level).
pub trait JsonShape {
    /// The number of labels of `name` when it is a nested block type in this body, `None`
    /// when it is an attribute.
    fn block_labels(&self, path: &[JsonBlock], name: &str) -> Option<usize>;
    /// How attribute `name` of this body reads strings.
    fn attribute_mode(&self, path: &[JsonBlock], name: &str) -> AttrMode;
}

/// Parses one `.tf.json` file into the native syntax tree.
///
/// # Errors
/// Text that is not JSON, JSON that is not HCL's JSON shape (a block given a string...), and
/// syntax errors in the expressions and templates its strings hold.
pub fn parse_json_source(
    text: &str,
    file: FileId,
    shape: &dyn JsonShape,
) -> Result<File, Diagnostics> {
    super::check_len(text.len())?;
    stacker::grow(super::PARSER_STACK, || parse_json_inner(text, file, shape))
}

fn parse_json_inner(text: &str, file: FileId, shape: &dyn JsonShape) -> Result<File, Diagnostics> {
    let value = Reader::new(text, file).document()?;
    let mut reader = Interpreter {
        file,
        shape,
        path: Vec::new(),
        diags: Diagnostics::new(),
    };
    let items = reader.body(&value);
    if reader.diags.has_errors() {
        return Err(reader.diags);
    }
    let span = match (items.first(), items.last()) {
        (Some(first), Some(last)) => {
            super::build::structure_span(first).to(super::build::structure_span(last))
        }
        _ => Span::new(file, 0, 0),
    };
    Ok(File {
        id: file,
        body: Body { items, span },
        comments: Vec::new(),
    })
}

// ---------------------------------------------------------------------------------------------
// JSON text → spanned values

/// A JSON value with its span.
#[derive(Debug)]
struct JValue {
    kind: JKind,
    span: Span,
}

#[derive(Debug)]
enum JKind {
    Null,
    Bool(bool),
    Number(crate::number::Number),
    String(JString),
    Array(Vec<JValue>),
    Object(Vec<JProperty>),
}

/// A decoded JSON string.
#[derive(Debug)]
struct JString {
    value: String,
    /// The file offset of each byte of `value` and one past its end, when escapes make
    /// decoded and raw offsets differ; else the content starts at `content_start`.
    offsets: Option<Vec<u32>>,
    /// The file offset just after the opening quote.
    content_start: usize,
}

impl JString {
    /// The file offsets of the decoded text's bytes (one more entry than bytes).
    fn offset_table(&self) -> Vec<u32> {
        self.offsets.clone().unwrap_or_else(|| {
            (0..=self.value.len())
                .map(|i| u32::try_from(self.content_start + i).unwrap_or(u32::MAX))
                .collect()
        })
    }
}

#[derive(Debug)]
struct JProperty {
    name: JString,
    /// Including the quotes.
    name_span: Span,
    value: JValue,
}

fn invalid_json(span: Span, label: &str, detail: impl Into<String>) -> Diagnostic {
    Diagnostic::error("scw::parse::invalid_json", "Invalid JSON")
        .with_primary(span, label)
        .with_detail(detail)
}

/// A strict JSON reader that keeps spans.
struct Reader<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    file: FileId,
    depth: usize,
}

impl<'t> Reader<'t> {
    fn new(text: &'t str, file: FileId) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            file,
            depth: 0,
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    /// The span of the character at the current position (empty at the end).
    fn here(&self) -> Span {
        let len = self.text[self.pos..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        self.span(self.pos, self.pos + len)
    }

    fn found(&self) -> String {
        match self.text[self.pos..].chars().next() {
            None => "the end of the file".to_owned(),
            Some(c) => format!("{c:?}"),
        }
    }

    fn unexpected(&self, expected: &str) -> Diagnostic {
        invalid_json(
            self.here(),
            &format!("expected {expected}"),
            format!("Expected {expected}, found {}.", self.found()),
        )
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn document(mut self) -> Result<JValue, Diagnostics> {
        if self.text.starts_with('\u{feff}') {
            return Err(invalid_json(
                self.span(0, 3),
                "remove this invisible character",
                "The file starts with a byte order mark, which JSON does not allow.",
            )
            .into());
        }
        self.skip_ws();
        let value = self.value()?;
        self.skip_ws();
        if self.pos < self.bytes.len() {
            return Err(self
                .unexpected("the end of the file after the top-level value")
                .into());
        }
        Ok(value)
    }

    fn value(&mut self) -> Result<JValue, Diagnostic> {
        let start = self.pos;
        let kind = match self.bytes.get(self.pos) {
            Some(b'{') => self.nested(Self::object)?,
            Some(b'[') => self.nested(Self::array)?,
            Some(b'"') => JKind::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => JKind::Number(self.number()?),
            Some(b'a'..=b'z' | b'A'..=b'Z') => {
                let end = self.bytes[start..]
                    .iter()
                    .position(|b| !b.is_ascii_alphanumeric() && *b != b'_')
                    .map_or(self.bytes.len(), |n| start + n);
                let word = &self.text[start..end];
                let kind = match word {
                    "null" => JKind::Null,
                    "true" => JKind::Bool(true),
                    "false" => JKind::Bool(false),
                    _ => {
                        return Err(invalid_json(
                            self.span(start, end),
                            "not a JSON keyword",
                            format!(
                                "\"{word}\" is not a JSON value: the keywords are true, false and null; a string is written in double quotes."
                            ),
                        ));
                    }
                };
                self.pos = end;
                kind
            }
            _ => return Err(self.unexpected("a JSON value")),
        };
        Ok(JValue {
            kind,
            span: self.span(start, self.pos),
        })
    }

    fn nested(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<JKind, Diagnostic>,
    ) -> Result<JKind, Diagnostic> {
        if self.depth >= MAX_DEPTH {
            return Err(Diagnostic::error(
                "scw::parse::too_complex",
                format!("this is nested more than {MAX_DEPTH} levels deep"),
            )
            .with_primary(self.here(), "too deep here"));
        }
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        out
    }

    fn array(&mut self) -> Result<JKind, Diagnostic> {
        let open = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(JKind::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value()?);
            if self.closes_after_item(open, b']', "element of an array", "array")? {
                return Ok(JKind::Array(items));
            }
        }
    }

    /// After an array element or object property: a `,` (then more must follow: a trailing
    /// comma is refused) or the closing `close`, true when it closed.
    fn closes_after_item(
        &mut self,
        open: usize,
        close: u8,
        item: &str,
        what: &str,
    ) -> Result<bool, Diagnostic> {
        self.skip_ws();
        match self.bytes.get(self.pos) {
            Some(b',') => {
                let comma = self.pos;
                self.pos += 1;
                self.skip_ws();
                if self.bytes.get(self.pos) == Some(&close) {
                    return Err(invalid_json(
                        self.span(comma, comma + 1),
                        "trailing comma",
                        format!("JSON does not allow a comma after the last {item}."),
                    ));
                }
                Ok(false)
            }
            Some(&b) if b == close => {
                self.pos += 1;
                Ok(true)
            }
            None => {
                let close = char::from(close);
                Err(invalid_json(
                    self.span(open, open + 1),
                    &format!("this {what} is never closed"),
                    format!("The file ends before the `{close}` that closes this {what}."),
                ))
            }
            _ => Err(self.unexpected(&format!("`,` or `{}`", char::from(close)))),
        }
    }

    fn object(&mut self) -> Result<JKind, Diagnostic> {
        let open = self.pos;
        self.pos += 1;
        let mut props = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(JKind::Object(props));
        }
        loop {
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.unexpected("a property name in double quotes"));
            }
            let name_start = self.pos;
            let name = self.string()?;
            let name_span = self.span(name_start, self.pos);
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.unexpected("`:` after the property name"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value()?;
            props.push(JProperty {
                name,
                name_span,
                value,
            });
            if self.closes_after_item(open, b'}', "property of an object", "object")? {
                return Ok(JKind::Object(props));
            }
        }
    }

    fn string(&mut self) -> Result<JString, Diagnostic> {
        let open = self.pos;
        self.pos += 1;
        let content_start = self.pos;
        let mut value = String::new();
        let mut offsets: Option<Vec<u32>> = None;
        let offset = |at: usize| u32::try_from(at).unwrap_or(u32::MAX);
        loop {
            let Some(c) = self.text[self.pos..].chars().next() else {
                return Err(invalid_json(
                    self.span(open, open + 1),
                    "this string is never closed",
                    "The file ends before the `\"` that closes this string.",
                ));
            };
            match c {
                '"' => {
                    self.pos += 1;
                    if let Some(map) = offsets.as_mut() {
                        map.push(offset(self.pos - 1));
                    }
                    return Ok(JString {
                        value,
                        offsets,
                        content_start,
                    });
                }
                '\\' => {
                    let at = self.pos;
                    let decoded = self.escape()?;
                    let map =
                        offsets.get_or_insert_with(|| (content_start..at).map(offset).collect());
                    for _ in 0..decoded.len_utf8() {
                        map.push(offset(at));
                    }
                    value.push(decoded);
                }
                c if (c as u32) < 0x20 => {
                    return Err(invalid_json(
                        self.here(),
                        "control character in a string",
                        "JSON strings cannot hold a raw newline, tab or other control character; write it as an escape such as \\n.",
                    ));
                }
                c => {
                    if let Some(map) = offsets.as_mut() {
                        for i in 0..c.len_utf8() {
                            map.push(offset(self.pos + i));
                        }
                    }
                    value.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// Decodes the escape at the current `\`.
    fn escape(&mut self) -> Result<char, Diagnostic> {
        let at = self.pos;
        let bad = |r: &Self, end: usize| {
            let end = end.min(r.text.len());
            let end = (end..=r.text.len())
                .find(|&e| r.text.is_char_boundary(e))
                .unwrap_or(r.text.len());
            invalid_json(
                r.span(at, end),
                "invalid escape",
                "JSON strings accept \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX escapes.",
            )
        };
        let simple = match self.bytes.get(at + 1) {
            Some(b'"') => Some('"'),
            Some(b'\\') => Some('\\'),
            Some(b'/') => Some('/'),
            Some(b'b') => Some('\u{8}'),
            Some(b'f') => Some('\u{c}'),
            Some(b'n') => Some('\n'),
            Some(b'r') => Some('\r'),
            Some(b't') => Some('\t'),
            Some(b'u') => None,
            _ => return Err(bad(self, at + 2)),
        };
        if let Some(c) = simple {
            self.pos = at + 2;
            return Ok(c);
        }
        let unit = |r: &Self, from: usize| -> Option<u32> {
            let hex = r.text.get(from..from + 4)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            u32::from_str_radix(hex, 16).ok()
        };
        let Some(first) = unit(self, at + 2) else {
            return Err(bad(self, at + 6));
        };
        if (0xD800..0xDC00).contains(&first) {
            // A high surrogate must be followed by `\u` and a low one.
            let low = (self.text.get(at + 6..at + 8) == Some("\\u"))
                .then(|| unit(self, at + 8))
                .flatten()
                .filter(|l| (0xDC00..0xE000).contains(l));
            let Some(low) = low else {
                return Err(bad(self, at + 6));
            };
            self.pos = at + 12;
            let c = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00);
            return char::from_u32(c).ok_or_else(|| bad(self, at + 12));
        }
        self.pos = at + 6;
        char::from_u32(first).ok_or_else(|| bad(self, at + 6))
    }

    fn number(&mut self) -> Result<crate::number::Number, Diagnostic> {
        let start = self.pos;
        let digits = |r: &mut Self| {
            let from = r.pos;
            while r.bytes.get(r.pos).is_some_and(u8::is_ascii_digit) {
                r.pos += 1;
            }
            r.pos > from
        };
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        let ok = digits(self)
            && !(self.bytes[int_start] == b'0' && self.pos - int_start > 1)
            && (self.bytes.get(self.pos) != Some(&b'.') || {
                self.pos += 1;
                digits(self)
            })
            && (!matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) || {
                self.pos += 1;
                if matches!(self.bytes.get(self.pos), Some(b'+' | b'-')) {
                    self.pos += 1;
                }
                digits(self)
            });
        let end = self.pos;
        match crate::number::Number::parse(&self.text[start..end]) {
            Some(n) if ok && !n.is_infinite() => Ok(n),
            _ => Err(invalid_json(
                self.span(start, end.max(start + 1).min(self.text.len())),
                "not a valid number",
                "A JSON number is written as in -12, 0.5 or 1e3 (no leading zeros, no `+`, no trailing `.`).",
            )),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Spanned values → syntax tree

struct Interpreter<'s> {
    file: FileId,
    shape: &'s dyn JsonShape,
    path: Vec<JsonBlock>,
    diags: Diagnostics,
}

impl Interpreter<'_> {
    fn span1(&self, span: Span) -> Span {
        Span::new(self.file, span.start as usize, span.start as usize + 1)
    }

    /// The properties of a body: an object's, or those of an array of objects in order.
    fn properties<'v>(&mut self, value: &'v JValue, what: &str) -> Vec<&'v JProperty> {
        match &value.kind {
            JKind::Null => Vec::new(),
            JKind::Object(props) => props.iter().collect(),
            JKind::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    match &item.kind {
                        JKind::Object(props) => out.extend(props.iter()),
                        _ => self.diags.push(invalid_json(
                            item.span,
                            "expected an object",
                            format!("A JSON object is required here, {what}."),
                        )),
                    }
                }
                out
            }
            _ => {
                self.diags.push(invalid_json(
                    value.span,
                    "expected an object",
                    format!(
                        "Either a JSON object or a JSON array of objects is required here, {what}."
                    ),
                ));
                Vec::new()
            }
        }
    }

    fn body(&mut self, value: &JValue) -> Vec<Structure> {
        let mut items = Vec::new();
        for prop in self.properties(value, "to define arguments and child blocks") {
            let name = prop.name.value.as_str();
            if name == "//" {
                continue;
            }
            let ident = Ident {
                name: name.to_owned(),
                span: prop.name_span,
            };
            if let Some(labels) = self.shape.block_labels(&self.path, name) {
                let mut found = Vec::new();
                self.blocks(&ident, &prop.value, labels, &mut Vec::new(), &mut found);
                items.extend(found.into_iter().map(Structure::Block));
            } else {
                let mode = self.shape.attribute_mode(&self.path, name);
                if let Some(expr) = self.expr(&prop.value, mode) {
                    items.push(Structure::Attribute(Attribute {
                        span: prop.name_span.to(expr.span),
                        name: ident,
                        expr,
                    }));
                }
            }
        }
        items
    }

    /// The blocks of type `ident` found in `value`, `labels_left` label levels above the bodies.
    fn blocks(
        &mut self,
        ident: &Ident,
        value: &JValue,
        labels_left: usize,
        labels: &mut Vec<BlockLabel>,
        out: &mut Vec<Block>,
    ) {
        if labels_left > 0 {
            let what = format!("to give the labels of this {} block", ident.name);
            let props = self.properties(value, &what);
            if props.is_empty() && !matches!(value.kind, JKind::Null) {
                self.diags.push(invalid_json(
                    value.span,
                    "missing block label",
                    format!(
                        "At least one object property is required, whose name is the label of the {} block.",
                        ident.name
                    ),
                ));
            }
            for prop in props {
                labels.push(BlockLabel {
                    value: prop.name.value.clone(),
                    quoted: true,
                    span: prop.name_span,
                });
                self.blocks(ident, &prop.value, labels_left - 1, labels, out);
                labels.pop();
            }
            return;
        }
        let bodies: Vec<&JValue> = match &value.kind {
            JKind::Null => Vec::new(),
            JKind::Object(_) => vec![value],
            JKind::Array(items) => items.iter().collect(),
            _ => {
                self.diags.push(invalid_json(
                    value.span,
                    "expected an object",
                    format!(
                        "Either a JSON object or a JSON array is required, representing the contents of one or more \"{}\" blocks.",
                        ident.name
                    ),
                ));
                Vec::new()
            }
        };
        for body_value in bodies {
            self.path.push(JsonBlock {
                kind: ident.name.clone(),
                labels: labels.iter().map(|l| l.value.clone()).collect(),
            });
            let items = self.body(body_value);
            self.path.pop();
            let close_at = (body_value.span.end as usize).saturating_sub(1);
            let close_brace = Span::new(self.file, close_at, body_value.span.end as usize);
            out.push(Block {
                ident: ident.clone(),
                labels: labels.clone(),
                body: Body {
                    span: items.first().map_or(body_value.span, |first| {
                        super::build::structure_span(first)
                            .to(super::build::structure_span(items.last().unwrap_or(first)))
                    }),
                    items,
                },
                open_brace: self.span1(body_value.span),
                close_brace,
                span: ident.span.to(body_value.span),
            });
        }
    }

    fn expr(&mut self, value: &JValue, mode: AttrMode) -> Option<Expr> {
        let kind = match &value.kind {
            JKind::Null => ExprKind::Null,
            JKind::Bool(b) => ExprKind::Bool(*b),
            JKind::Number(n) => ExprKind::Number(n.clone()),
            JKind::String(s) => return self.string_expr(s, value.span, mode),
            JKind::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.expr(item, mode)?);
                }
                ExprKind::Tuple(out)
            }
            JKind::Object(props) => {
                let mut out = Vec::with_capacity(props.len());
                for prop in props {
                    let key_mode = if mode == AttrMode::Literal {
                        AttrMode::Literal
                    } else {
                        AttrMode::Template
                    };
                    let key = self.string_expr(&prop.name, prop.name_span, key_mode)?;
                    let value = self.expr(&prop.value, mode)?;
                    out.push(ObjectItem {
                        key: ObjectKey::Expr(key),
                        value,
                    });
                }
                ExprKind::Object(out)
            }
        };
        Some(Expr {
            kind,
            span: value.span,
        })
    }

    /// A string in `mode`; `span` includes the quotes.
    fn string_expr(&mut self, s: &JString, span: Span, mode: AttrMode) -> Option<Expr> {
        let literal = |s: &JString| {
            let parts = if s.value.is_empty() {
                Vec::new()
            } else {
                vec![TemplatePart::Literal {
                    value: s.value.clone(),
                    span: Span::new(
                        span.file,
                        span.start as usize + 1,
                        (span.end as usize)
                            .saturating_sub(1)
                            .max(span.start as usize + 1),
                    ),
                }]
            };
            Expr {
                kind: ExprKind::Template(Template {
                    parts,
                    heredoc: None,
                }),
                span,
            }
        };
        let result = match mode {
            AttrMode::Literal => return Some(literal(s)),
            // The common case: nothing to interpret.
            AttrMode::Template if !s.value.contains("${") && !s.value.contains("%{") => {
                return Some(literal(s));
            }
            AttrMode::Template => {
                parse_bare_template(&s.value, self.file, s.offset_table()).map(|template| Expr {
                    kind: ExprKind::Template(template),
                    span,
                })
            }
            AttrMode::Expression => {
                parse_expression_mapped(&s.value, self.file, s.offset_table()).map(|mut e| {
                    // The expression's own span, widened to the quotes, so that a
                    // diagnostic about it points at the whole string.
                    e.span = span;
                    e
                })
            }
        };
        match result {
            Ok(expr) => Some(expr),
            Err(d) => {
                self.diags.extend(d);
                None
            }
        }
    }
}

/// Moves the spans of diagnostics found in decoded text (offsets from 0) to the file.
fn remap(diags: Diagnostics, file: FileId, offsets: &[u32]) -> Diagnostics {
    let at = |i: u32| {
        offsets
            .get(i as usize)
            .or(offsets.last())
            .map_or(0, |&o| o as usize)
    };
    Diagnostics(
        diags
            .0
            .into_iter()
            .map(|mut d| {
                for label in &mut d.labels {
                    label.span = Span::new(file, at(label.span.start), at(label.span.end));
                }
                d
            })
            .collect(),
    )
}

/// Parses `text` (a decoded JSON string) as a bare template.
fn parse_bare_template(
    text: &str,
    file: FileId,
    offsets: Vec<u32>,
) -> Result<Template, Diagnostics> {
    super::init();
    let input = match HclParser::parse(Rule::template_input, text) {
        Ok(mut pairs) => pairs.next().expect("grammar: template_input is one pair"),
        Err(err) => {
            let d = super::error::from_pest(&err, text, 0, file);
            return Err(remap(d.into(), file, &offsets));
        }
    };
    let builder = Builder::with_offsets(file, offsets);
    builder.bare_template(input).map_err(Diagnostics::from)
}

/// Parses `text` (a decoded JSON string) as one expression.
fn parse_expression_mapped(
    text: &str,
    file: FileId,
    offsets: Vec<u32>,
) -> Result<Expr, Diagnostics> {
    super::init();
    let input = match HclParser::parse(Rule::expression_input, text) {
        Ok(mut pairs) => pairs.next().expect("grammar: expression_input is one pair"),
        Err(err) => {
            let d = super::error::from_pest(&err, text, 0, file);
            return Err(remap(d.into(), file, &offsets));
        }
    };
    let builder = Builder::with_offsets(file, offsets);
    let expr = input
        .into_inner()
        .find(|p| p.as_rule() == Rule::expr_nl)
        .expect("grammar: expression_input holds an expression");
    builder.expr(expr).map_err(Diagnostics::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::ast::StepKind;

    /// Blocks: `resource` (2 labels), `variable` (1), `locals` (0), `lifecycle` in resources;
    /// `depends_on` reads expressions, `default` literal text.
    struct Shape;

    impl JsonShape for Shape {
        fn block_labels(&self, path: &[JsonBlock], name: &str) -> Option<usize> {
            match (path.len(), name) {
                (0, "resource") => Some(2),
                (0, "variable") => Some(1),
                (0, "locals") | (1, "lifecycle") => Some(0),
                _ => None,
            }
        }

        fn attribute_mode(&self, _path: &[JsonBlock], name: &str) -> AttrMode {
            match name {
                "depends_on" => AttrMode::Expression,
                "default" => AttrMode::Literal,
                _ => AttrMode::Template,
            }
        }
    }

    fn parse(text: &str) -> Result<File, Diagnostics> {
        parse_json_source(text, FileId(0), &Shape)
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    fn first_error(text: &str) -> (String, String) {
        let d = parse(text).expect_err("an error");
        let d = &d.0[0];
        let span = d.primary_span().expect("a span");
        (d.summary.clone(), slice(text, span).to_owned())
    }

    #[test]
    fn blocks_labels_and_attributes_become_the_native_tree() {
        let text = r#"{"//": "c", "resource": {"t": {"a": {"x": 1}, "b": [{"y": true}, {"y": false}]}},
            "locals": [{"l": null}, {"m": "${1}"}]}"#;
        let file = parse(text).unwrap();
        let blocks: Vec<&Block> = file.body.blocks().collect();
        let header = |b: &Block| {
            let labels: Vec<&str> = b.labels.iter().map(|l| l.value.as_str()).collect();
            format!("{} {}", b.ident.name, labels.join(" "))
        };
        let headers: Vec<String> = blocks.iter().map(|b| header(b)).collect();
        assert_eq!(
            headers,
            [
                "resource t a",
                "resource t b",
                "resource t b",
                "locals ",
                "locals "
            ]
        );
        assert_eq!(slice(text, blocks[0].labels[1].span), "\"a\"");
        assert_eq!(
            slice(text, blocks[0].span),
            r#""resource": {"t": {"a": {"x": 1}"#
        );
        let x = blocks[0].body.attributes().next().unwrap();
        assert_eq!(
            (x.name.name.as_str(), slice(text, x.span)),
            ("x", "\"x\": 1")
        );
        assert_eq!(
            x.expr.kind,
            ExprKind::Number(crate::number::Number::from_i64(1))
        );
    }

    #[test]
    fn strings_are_templates_expressions_or_literals_by_attribute() {
        let text =
            r#"{"variable": {"v": {"default": "${x}", "depends_on": ["a.b"], "t": "p-${var.x}"}}}"#;
        let file = parse(text).unwrap();
        let v = file.body.blocks().next().unwrap();
        let attrs: Vec<&Attribute> = v.body.attributes().collect();
        let ExprKind::Template(t) = &attrs[0].expr.kind else {
            panic!("{:?}", attrs[0].expr)
        };
        assert_eq!(t.as_literal().as_deref(), Some("${x}"));
        let ExprKind::Tuple(items) = &attrs[1].expr.kind else {
            panic!()
        };
        let ExprKind::Traversal { root, steps } = &items[0].kind else {
            panic!("{:?}", items[0])
        };
        assert!(matches!(&root.kind, ExprKind::Variable(i) if i.name == "a"));
        assert!(matches!(&steps[0].kind, StepKind::GetAttr(i) if slice(text, i.span) == "b"));
        let ExprKind::Template(t) = &attrs[2].expr.kind else {
            panic!()
        };
        let TemplatePart::Interpolation { expr, .. } = &t.parts[1] else {
            panic!("{t:?}")
        };
        assert_eq!(slice(text, expr.span), "var.x");
    }

    #[test]
    fn spans_inside_strings_with_escapes_point_into_the_file() {
        let text = "{\"locals\": {\"a\": \"\\u00e9\\t${var.long_name}\\\"\"}}";
        let file = parse(text).unwrap();
        let a = file
            .body
            .blocks()
            .next()
            .unwrap()
            .body
            .attributes()
            .next()
            .unwrap();
        let ExprKind::Template(t) = &a.expr.kind else {
            panic!()
        };
        let TemplatePart::Literal { value, span } = &t.parts[0] else {
            panic!()
        };
        assert_eq!(value, "é\t");
        assert_eq!(slice(text, *span), "\\u00e9\\t");
        let TemplatePart::Interpolation { expr, span } = &t.parts[1] else {
            panic!()
        };
        assert_eq!(slice(text, expr.span), "var.long_name");
        assert_eq!(slice(text, *span), "${var.long_name}");
        // An error inside such a string points at the right bytes too.
        let (_, at) = first_error("{\"locals\": {\"a\": \"\\u00e9${1 + }\"}}");
        assert_eq!(at, "}");
    }

    #[test]
    fn bad_json_points_at_the_problem() {
        for (text, summary, at) in [
            ("{\"a\": 1,}", "Invalid JSON", ","),
            ("[1, 2,]", "Invalid JSON", ","),
            ("{\"a\" 1}", "Invalid JSON", "1"),
            ("{\"a\": tru}", "Invalid JSON", "tru"),
            ("{\"a\": 01}", "Invalid JSON", "01"),
            ("{\"a\": \"x\\q\"}", "Invalid JSON", "\\q"),
            ("{\"a\": \"x", "Invalid JSON", "\""),
            ("{\"a\": [1", "Invalid JSON", "["),
            ("{} {}", "Invalid JSON", "{"),
            ("{\"a\": \"\\ud800\"}", "Invalid JSON", "\\ud800"),
            ("{\"locals\": \"x\"}", "Invalid JSON", "\"x\""),
            ("{\"resource\": {\"t\": 1}}", "Invalid JSON", "1"),
        ] {
            let (got, span) = first_error(text);
            assert_eq!((got.as_str(), span.as_str()), (summary, at), "{text}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let (summary, _) = first_error(&format!("{{\"locals\": {{\"a\": {text}}}}}"));
        assert!(summary.contains("nested more than"), "{summary}");
    }
}
