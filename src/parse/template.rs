//! Template post-processing: escapes, heredoc indentation and strip markers.
//!
//! The builder flattens a template into [`Tok`]ens in source order, exactly the token stream
//! HCL's own template parser works on, then this module:
//! 1. removes the common leading whitespace of `<<-` heredoc lines ([`flush_heredoc`], HCL's
//!    rule: only line-leading literals count, blank lines neither count nor change, a line that
//!    starts with an interpolation or directive disables trimming);
//! 2. applies strip markers (`${~`, `~}`, `%{~`...) to the neighbouring literal tokens;
//! 3. nests `if`/`for` directives into [`TemplatePart`]s, dropping literals left empty.
//!
//! Literal spans keep pointing at their source: when whitespace is removed from a literal that
//! had no escapes, its span shrinks to match.
//!
//! Depends only on `parse::ast` and `diag`.

use super::ast::{Expr, Ident, TemplatePart};
use crate::diag::{Diagnostic, Span};

/// One template token.
pub(crate) enum Tok {
    /// Literal text (escapes decoded).
    Lit {
        value: String,
        span: Span,
        /// The value is byte-for-byte the source (no escape was decoded), so trimming can
        /// move the span along.
        verbatim: bool,
    },
    /// `${ expr }`
    Interp {
        expr: Expr,
        strip_left: bool,
        strip_right: bool,
        span: Span,
    },
    /// `%{ if cond }`
    If {
        cond: Expr,
        strip_left: bool,
        strip_right: bool,
        span: Span,
    },
    /// `%{ for k, v in coll }`
    For {
        key_var: Option<Ident>,
        value_var: Ident,
        collection: Expr,
        strip_left: bool,
        strip_right: bool,
        span: Span,
    },
    /// `%{ else }` (`rule_else`), `%{ endif }` or `%{ endfor }`.
    Tag {
        rule_else: bool,
        strip_left: bool,
        strip_right: bool,
        span: Span,
    },
}

impl Tok {
    fn strips(&self) -> (bool, bool) {
        match self {
            Self::Lit { .. } => (false, false),
            Self::Interp {
                strip_left,
                strip_right,
                ..
            }
            | Self::If {
                strip_left,
                strip_right,
                ..
            }
            | Self::For {
                strip_left,
                strip_right,
                ..
            }
            | Self::Tag {
                strip_left,
                strip_right,
                ..
            } => (*strip_left, *strip_right),
        }
    }
}

/// Decodes the escapes of a quoted string's literal text (`raw` excludes the quotes).
///
/// `span_of(a, b)` maps a byte range of `raw` to a file span, for the error label.
pub(crate) fn decode_quoted(
    raw: &str,
    span_of: impl Fn(usize, usize) -> Span,
) -> Result<String, Diagnostic> {
    let bytes = raw.as_bytes();
    if !bytes.iter().any(|&b| b == b'\\' || b == b'$' || b == b'%') {
        return Ok(raw.to_owned());
    }
    let mut out = String::with_capacity(raw.len());
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                out.push_str(&raw[last..i]);
                let (ch, len) = escape(&raw[i..])
                    .map_err(|len| invalid_escape(&raw[i..i + len], span_of(i, i + len)))?;
                out.push(ch);
                i += len;
                last = i;
            }
            b @ (b'$' | b'%')
                if bytes.get(i + 1) == Some(&b) && bytes.get(i + 2) == Some(&b'{') =>
            {
                out.push_str(&raw[last..i]);
                out.push(char::from(b));
                out.push('{');
                i += 3;
                last = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&raw[last..]);
    Ok(out)
}

/// Decodes one escape at the start of `s` (which starts with `\`): the character and the
/// escape's length, or the length of the invalid sequence.
fn escape(s: &str) -> Result<(char, usize), usize> {
    let mut chars = s[1..].chars();
    let Some(c) = chars.next() else {
        return Err(1);
    };
    let simple = match c {
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        '"' => Some('"'),
        '\\' => Some('\\'),
        _ => None,
    };
    if let Some(ch) = simple {
        return Ok((ch, 2));
    }
    let digits = match c {
        'u' => 4,
        'U' => 8,
        _ => return Err(1 + c.len_utf8()),
    };
    let hex: &str = s.get(2..).unwrap_or("");
    let run = hex
        .bytes()
        .take(digits)
        .take_while(u8::is_ascii_hexdigit)
        .count();
    if run < digits {
        return Err(2 + run);
    }
    u32::from_str_radix(&hex[..digits], 16)
        .ok()
        .and_then(char::from_u32)
        .map(|ch| (ch, 2 + digits))
        .ok_or(2 + digits)
}

fn invalid_escape(seq: &str, span: Span) -> Diagnostic {
    let seq = seq.replace('\n', "\\n");
    Diagnostic::error(
        "scw::parse::invalid_escape",
        format!("invalid escape sequence `{seq}` in a string"),
    )
    .with_primary(span, "not a valid escape")
    .with_help(
        "strings accept \\n, \\r, \\t, \\\", \\\\, \\uNNNN and \\UNNNNNNNN; write \\\\ for a backslash",
    )
}

/// Decodes a heredoc literal: heredocs have no backslash escapes, only `$${` and `%%{`.
pub(crate) fn decode_heredoc(raw: &str) -> String {
    if raw.contains("$${") || raw.contains("%%{") {
        raw.replace("$${", "${").replace("%%{", "%{")
    } else {
        raw.to_owned()
    }
}

/// Removes the common leading whitespace of a `<<-` heredoc's lines (HCL's flush rule).
pub(crate) fn flush_heredoc(toks: &mut [Tok]) {
    let mut min = usize::MAX;
    let mut at_line_start = true;
    // (token index, byte offset of a line-leading segment in its literal)
    let mut adjust: Vec<(usize, usize)> = Vec::new();
    for (index, tok) in toks.iter().enumerate() {
        if let Tok::Lit { value, .. } = tok {
            let mut offset = 0;
            for segment in value.split_inclusive('\n') {
                if at_line_start {
                    let rest = segment.trim_start();
                    // A blank line neither counts nor gets trimmed.
                    if !(rest.is_empty() && segment.ends_with('\n')) {
                        let spaces = segment[..segment.len() - rest.len()].chars().count();
                        min = min.min(spaces);
                        adjust.push((index, offset));
                    }
                }
                at_line_start = segment.ends_with('\n');
                offset += segment.len();
            }
        } else if at_line_start {
            // An interpolation or directive at a line start has no indentation at all.
            min = 0;
            at_line_start = false;
        }
    }
    if min == 0 || min == usize::MAX {
        return;
    }
    for &(index, offset) in adjust.iter().rev() {
        if let Tok::Lit {
            value,
            span,
            verbatim,
        } = &mut toks[index]
        {
            let removed: usize = value[offset..].chars().take(min).map(char::len_utf8).sum();
            value.replace_range(offset..offset + removed, "");
            if offset == 0 && *verbatim {
                span.start += u32::try_from(removed).unwrap_or(0);
            }
        }
    }
}

/// Applies strip markers and nests directives: the final template parts.
pub(crate) fn finish(mut toks: Vec<Tok>) -> Vec<TemplatePart> {
    for i in 0..toks.len() {
        let (left, right) = toks[i].strips();
        if left
            && i > 0
            && let Tok::Lit {
                value,
                span,
                verbatim,
            } = &mut toks[i - 1]
        {
            let keep = value.trim_end().len();
            let removed = value.len() - keep;
            value.truncate(keep);
            if *verbatim {
                span.end -= u32::try_from(removed).unwrap_or(0);
            }
        }
        if right
            && i + 1 < toks.len()
            && let Tok::Lit {
                value,
                span,
                verbatim,
            } = &mut toks[i + 1]
        {
            let removed = value.len() - value.trim_start().len();
            value.replace_range(..removed, "");
            if *verbatim {
                span.start += u32::try_from(removed).unwrap_or(0);
            }
        }
    }
    let mut iter = toks.into_iter();
    nest(&mut iter).0
}

/// Builds parts until a closing tag (returned) or the end.
fn nest(iter: &mut std::vec::IntoIter<Tok>) -> (Vec<TemplatePart>, Option<(bool, Span)>) {
    let mut parts = Vec::new();
    while let Some(tok) = iter.next() {
        match tok {
            Tok::Lit { value, span, .. } => {
                if !value.is_empty() {
                    parts.push(TemplatePart::Literal { value, span });
                }
            }
            Tok::Interp { expr, span, .. } => {
                parts.push(TemplatePart::Interpolation { expr, span });
            }
            Tok::If { cond, span, .. } => {
                let (then, tag) = nest(iter);
                let (otherwise, end) = match tag {
                    Some((true, _)) => nest(iter),
                    other => (Vec::new(), other),
                };
                let span = end.map_or(span, |(_, end)| span.to(end));
                parts.push(TemplatePart::If {
                    cond,
                    then,
                    otherwise,
                    span,
                });
            }
            Tok::For {
                key_var,
                value_var,
                collection,
                span,
                ..
            } => {
                let (body, end) = nest(iter);
                let span = end.map_or(span, |(_, end)| span.to(end));
                parts.push(TemplatePart::For {
                    key_var,
                    value_var,
                    collection,
                    body,
                    span,
                });
            }
            Tok::Tag {
                rule_else, span, ..
            } => {
                parts.shrink_to_fit();
                return (parts, Some((rule_else, span)));
            }
        }
    }
    // Exact size: template parts are large and a file holds many templates.
    parts.shrink_to_fit();
    (parts, None)
}
