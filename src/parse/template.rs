//! Template post-processing: escapes, heredoc indentation and strip markers.
//!
//! The builder flattens a template into [`Tok`]ens in source order, exactly the token stream
//! HCL's own template parser works on (a heredoc's text is one literal token per line:
//! [`split_heredoc_lines`]), then this module, in HCL's order:
//! 1. applies strip markers (`${~`, `~}`, `%{~`...) to the neighbouring literal tokens only —
//!    in a heredoc that is the rest of the line before or after the marker, never more;
//! 2. removes the common leading whitespace of `<<-` heredoc lines ([`flush_heredoc`], HCL's
//!    rule: only line-leading literal tokens count, blank lines neither count nor change, a
//!    line that starts with an interpolation or directive, or whose leading literal a strip
//!    marker emptied, disables trimming);
//! 3. nests `if`/`for` directives into [`TemplatePart`]s, joining neighbouring literals and
//!    dropping those left empty.
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

/// Splits a heredoc's literal tokens after each newline, so that each holds at most one line,
/// as HCL's scanner makes them.
pub(crate) fn split_heredoc_lines(toks: &mut Vec<Tok>) {
    let needs_split = |t: &Tok| match t {
        Tok::Lit { value, .. } => value.trim_end_matches('\n').contains('\n'),
        _ => false,
    };
    if !toks.iter().any(needs_split) {
        return;
    }
    let mut out = Vec::with_capacity(toks.len() * 2);
    for tok in toks.drain(..) {
        match tok {
            Tok::Lit {
                value,
                span,
                verbatim,
            } if value.trim_end_matches('\n').contains('\n') => {
                let mut start = span.start;
                for line in value.split_inclusive('\n') {
                    let piece = if verbatim {
                        let end = start + u32::try_from(line.len()).unwrap_or(0);
                        let piece = Span { start, end, ..span };
                        start = end;
                        piece
                    } else {
                        span
                    };
                    out.push(Tok::Lit {
                        value: line.to_owned(),
                        span: piece,
                        verbatim,
                    });
                }
            }
            other => out.push(other),
        }
    }
    *toks = out;
}

/// Removes the common leading whitespace of a `<<-` heredoc's lines (HCL's flush rule), on
/// tokens already split per line and stripped.
pub(crate) fn flush_heredoc(toks: &mut [Tok]) {
    let mut min = usize::MAX;
    let mut at_line_start = true;
    let mut adjust: Vec<usize> = Vec::new();
    for (index, tok) in toks.iter().enumerate() {
        if let Tok::Lit { value, .. } = tok {
            if at_line_start {
                let rest = value.trim_start();
                // A blank line neither counts nor gets trimmed; a leading literal a strip
                // marker emptied counts as no indentation at all.
                if !(rest.is_empty() && value.ends_with('\n')) {
                    min = min.min(value[..value.len() - rest.len()].chars().count());
                    adjust.push(index);
                }
            }
            at_line_start = value.ends_with('\n');
        } else if at_line_start {
            // An interpolation or directive at a line start has no indentation at all.
            min = 0;
            at_line_start = false;
        }
    }
    if min == 0 || min == usize::MAX {
        return;
    }
    for index in adjust {
        if let Tok::Lit {
            value,
            span,
            verbatim,
        } = &mut toks[index]
        {
            let removed: usize = value.chars().take(min).map(char::len_utf8).sum();
            value.replace_range(..removed, "");
            if *verbatim {
                span.start += u32::try_from(removed).unwrap_or(0);
            }
        }
    }
}

/// Applies strip markers to the literal token before (`${~`, `%{~`) and after (`~}`) each
/// interpolation or directive.
pub(crate) fn apply_strips(toks: &mut [Tok]) {
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
}

/// Nests directives: the final template parts.
pub(crate) fn finish(toks: Vec<Tok>) -> Vec<TemplatePart> {
    let mut iter = toks.into_iter();
    nest(&mut iter).0
}

/// Builds parts until a closing tag (returned) or the end.
fn nest(iter: &mut std::vec::IntoIter<Tok>) -> (Vec<TemplatePart>, Option<(bool, Span)>) {
    let mut parts = Vec::new();
    while let Some(tok) = iter.next() {
        match tok {
            Tok::Lit { value, span, .. } => {
                if value.is_empty() {
                    continue;
                }
                // A heredoc's lines were separate tokens: one literal part again.
                if let Some(TemplatePart::Literal {
                    value: previous,
                    span: previous_span,
                }) = parts.last_mut()
                {
                    previous.push_str(&value);
                    *previous_span = previous_span.to(span);
                } else {
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
