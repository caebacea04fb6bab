//! The rewrites `terraform fmt` applies on top of `hclwrite`'s spacing rules, done on tokens:
//!
//! - an attribute whose value is one interpolation and nothing else (`"${var.x}"`) becomes the
//!   bare expression (`var.x`), wrapped in parentheses when it spans lines;
//! - in a top-level `variable` block, `type = list` / `map` / `set` gains `(any)`, and the
//!   pre-0.12 quoted types `"string"`, `"list"`, `"map"` become `string`, `list(string)`,
//!   `map(string)`;
//! - block labels are printed quoted (`resource aws_x y` becomes `resource "aws_x" "y"`), with
//!   escapes normalised, and comments between labels are dropped.
//!
//! Invariants: only attribute values directly in a body (never object items), `type` of a
//! top-level `variable` block, and block label runs are ever replaced; everything else is
//! passed through token for token. One deliberate difference from Terraform: a label that
//! Terraform cannot decode (one containing `$`, `%` or an invalid escape) is left as written,
//! where Terraform would silently drop it and change the configuration's meaning.
//!
//! Depends only on [`super::lexer`].

use super::lexer::{Token, TokenKind};

/// A token of the output stream: either a source token or a synthetic one whose text lives in
/// [`Rewritten::extra`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FmtToken {
    pub(crate) kind: TokenKind,
    /// Whether `start..end` indexes [`Rewritten::extra`] rather than the source.
    pub(crate) synthetic: bool,
    pub(crate) start: u32,
    pub(crate) end: u32,
    /// Spaces to print before the token (set by the layout pass).
    pub(crate) spaces: u32,
}

impl FmtToken {
    fn from_source(t: Token) -> Self {
        Self {
            kind: t.kind,
            synthetic: false,
            start: t.start,
            end: t.end,
            spaces: 0,
        }
    }
}

/// The token stream after Terraform's rewrites.
#[derive(Debug)]
pub(crate) struct Rewritten {
    pub(crate) tokens: Vec<FmtToken>,
    /// Text of synthetic tokens.
    pub(crate) extra: String,
}

/// Applies Terraform's rewrites to a token stream of `src`.
pub(crate) fn rewrite(src: &str, tokens: &[Token]) -> Rewritten {
    let mut walker = Walker {
        src,
        toks: tokens,
        edits: Vec::new(),
        extra: String::new(),
    };
    walker.body(0, false, false);
    let Walker { edits, extra, .. } = walker;
    let mut out = Vec::with_capacity(tokens.len() + edits.len() * 4);
    let mut next = 0;
    for edit in edits {
        // Edits come in source order and never overlap (each covers part of one item).
        if edit.start < next {
            continue;
        }
        out.extend(
            tokens[next..edit.start]
                .iter()
                .copied()
                .map(FmtToken::from_source),
        );
        out.extend(edit.replacement);
        next = edit.end;
    }
    out.extend(tokens[next..].iter().copied().map(FmtToken::from_source));
    Rewritten { tokens: out, extra }
}

/// Replace `start..end` (token indices) with `replacement`.
struct Edit {
    start: usize,
    end: usize,
    replacement: Vec<FmtToken>,
}

struct Walker<'a> {
    src: &'a str,
    toks: &'a [Token],
    edits: Vec<Edit>,
    extra: String,
}

fn ends_line(src: &str, t: Token) -> bool {
    match t.kind {
        TokenKind::Newline => true,
        TokenKind::Comment => src.as_bytes().get(t.end as usize - 1) == Some(&b'\n'),
        _ => false,
    }
}

impl Walker<'_> {
    fn kind(&self, i: usize) -> TokenKind {
        self.toks.get(i).map_or(TokenKind::Eof, |t| t.kind)
    }

    fn text(&self, i: usize) -> &str {
        self.toks
            .get(i)
            .and_then(|t| self.src.get(t.start as usize..t.end as usize))
            .unwrap_or("")
    }

    /// Skips block comments (which the parser ignores) from `i`.
    fn skip_inline_comments(&self, mut i: usize) -> usize {
        while let Some(&t) = self.toks.get(i) {
            if t.kind == TokenKind::Comment && !ends_line(self.src, t) {
                i += 1;
            } else {
                break;
            }
        }
        i
    }

    /// Walks a body from token `i`; returns the index of the `}` that closes it (when
    /// `nested`) or of the end of input.
    fn body(&mut self, mut i: usize, nested: bool, variable_body: bool) -> usize {
        loop {
            match self.kind(i) {
                TokenKind::Eof => return i,
                TokenKind::CBrace if nested => return i,
                TokenKind::Ident => {
                    let j = self.skip_inline_comments(i + 1);
                    i = if self.kind(j) == TokenKind::Equal {
                        self.attribute(i, j, variable_body)
                    } else {
                        self.block(i, !nested)
                    };
                }
                _ => i += 1,
            }
        }
    }

    /// An attribute `name = expr`; returns the index of the token that ends it.
    fn attribute(&mut self, name: usize, equals: usize, variable_body: bool) -> usize {
        let mut depth = 0i32;
        let mut k = equals + 1;
        while let Some(&t) = self.toks.get(k) {
            let at_top = depth <= 0;
            if t.kind == TokenKind::Eof
                || (at_top && ends_line(self.src, t))
                || (at_top && t.kind == TokenKind::CBrace)
            {
                break;
            }
            depth += t.kind.bracket_change();
            k += 1;
        }
        let end = k;
        // The expression proper: comments before and after it belong to the attribute.
        let mut s = equals + 1;
        let mut e = end;
        while s < e && self.kind(s) == TokenKind::Comment {
            s += 1;
        }
        while e > s && self.kind(e - 1) == TokenKind::Comment {
            e -= 1;
        }
        let replacement = if variable_body && self.text(name) == "type" {
            self.type_expr(s, e)
        } else {
            self.value_expr(s, e)
        };
        if let Some(replacement) = replacement {
            self.edits.push(Edit {
                start: s,
                end: e,
                replacement,
            });
        }
        end
    }

    /// A block `type label* { body }`; returns the index after its closing brace.
    fn block(&mut self, ty: usize, top_level: bool) -> usize {
        let mut k = ty + 1;
        let mut labels: Vec<(usize, usize)> = Vec::new();
        loop {
            match self.kind(k) {
                TokenKind::Comment if !ends_line(self.src, self.toks[k]) => k += 1,
                TokenKind::Ident => {
                    labels.push((k, k + 1));
                    k += 1;
                }
                TokenKind::OQuote => {
                    let mut m = k + 1;
                    let mut quotes = 1;
                    loop {
                        match self.kind(m) {
                            TokenKind::Eof => return m,
                            TokenKind::OQuote => quotes += 1,
                            TokenKind::CQuote => {
                                quotes -= 1;
                                if quotes == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        m += 1;
                    }
                    labels.push((k, m + 1));
                    k = m + 1;
                }
                TokenKind::OBrace => break,
                // Not a block this walker understands: resume after its first token.
                _ => return ty + 1,
            }
        }
        if let (Some(first), Some(last)) = (labels.first(), labels.last()) {
            let region = (ty + 1, last.1);
            let has_comments = first.0 != region.0 || labels.windows(2).any(|w| w[0].1 != w[1].0);
            if let Some(replacement) = self.labels(&labels, has_comments) {
                self.edits.push(Edit {
                    start: region.0,
                    end: region.1,
                    replacement,
                });
            }
        }
        let variable_body = top_level && self.text(ty) == "variable";
        let close = self.body(k + 1, true, variable_body);
        if self.kind(close) == TokenKind::CBrace {
            close + 1
        } else {
            close
        }
    }

    /// Quoted, normalised labels, if that differs from the source.
    fn labels(&mut self, labels: &[(usize, usize)], mut changed: bool) -> Option<Vec<FmtToken>> {
        let mut values = Vec::with_capacity(labels.len());
        for &(s, e) in labels {
            let value = match (e - s, self.kind(s)) {
                (1, TokenKind::Ident) => {
                    changed = true;
                    self.text(s).to_owned()
                }
                (2, TokenKind::OQuote) => String::new(),
                (3, TokenKind::OQuote) if self.kind(s + 1) == TokenKind::QuotedLit => {
                    let raw = self.text(s + 1);
                    let value = unescape(raw)?;
                    if escape(&value) != raw {
                        changed = true;
                    }
                    value
                }
                _ => return None,
            };
            values.push(value);
        }
        if !changed {
            return None;
        }
        let mut out = Vec::with_capacity(values.len() * 3);
        for value in values {
            out.push(self.synthetic(TokenKind::OQuote, "\""));
            let escaped = escape(&value);
            if !escaped.is_empty() {
                out.push(self.synthetic(TokenKind::QuotedLit, &escaped));
            }
            out.push(self.synthetic(TokenKind::CQuote, "\""));
        }
        Some(out)
    }

    fn synthetic(&mut self, kind: TokenKind, text: &str) -> FmtToken {
        let start = self.extra.len();
        self.extra.push_str(text);
        #[allow(clippy::cast_possible_truncation)] // bounded by the input size, checked < u32::MAX
        FmtToken {
            kind,
            synthetic: true,
            start: start as u32,
            end: self.extra.len() as u32,
            spaces: 0,
        }
    }

    fn source(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = FmtToken> + '_ {
        self.toks[range].iter().copied().map(FmtToken::from_source)
    }

    /// `"${ expr }"` alone becomes `expr`.
    fn value_expr(&mut self, s: usize, e: usize) -> Option<Vec<FmtToken>> {
        if e < s + 5
            || self.kind(s) != TokenKind::OQuote
            || self.kind(s + 1) != TokenKind::TemplateInterp
            || self.kind(e - 2) != TokenKind::TemplateSeqEnd
            || self.kind(e - 1) != TokenKind::CQuote
        {
            return None;
        }
        let (inner_s, inner_e) = (s + 2, e - 2);
        let mut quotes = 0i32;
        for i in inner_s..inner_e {
            match self.kind(i) {
                TokenKind::OQuote => quotes += 1,
                TokenKind::CQuote => quotes -= 1,
                // Interpolations inside a nested string are part of the inner expression.
                _ if quotes > 0 => {}
                TokenKind::TemplateInterp | TokenKind::TemplateSeqEnd | TokenKind::QuotedLit => {
                    return None;
                }
                _ => {}
            }
        }
        let (mut a, mut b) = (inner_s, inner_e);
        while a < b && self.kind(a) == TokenKind::Newline {
            a += 1;
        }
        while b > a && self.kind(b - 1) == TokenKind::Newline {
            b -= 1;
        }
        if a == b {
            return None;
        }
        let multi_line = (a..b).any(|i| self.kind(i) == TokenKind::Newline);
        let parenthesised =
            self.kind(a) == TokenKind::OParen && b - a > 1 && self.kind(b - 1) == TokenKind::CParen;
        if multi_line && !parenthesised {
            let mut out = Vec::with_capacity(b - a + 2);
            out.push(self.synthetic(TokenKind::OParen, "("));
            out.extend(self.source(a..b));
            out.push(self.synthetic(TokenKind::CParen, ")"));
            Some(out)
        } else {
            Some(self.source(a..b).collect())
        }
    }

    /// Legacy and bare collection type keywords in `variable` blocks.
    fn type_expr(&mut self, s: usize, e: usize) -> Option<Vec<FmtToken>> {
        let (name, element) = match e.checked_sub(s)? {
            1 if self.kind(s) == TokenKind::Ident => match self.text(s) {
                "list" | "map" | "set" => (None, "any"),
                _ => return None,
            },
            3 if self.kind(s) == TokenKind::OQuote
                && self.kind(s + 1) == TokenKind::QuotedLit
                && self.kind(s + 2) == TokenKind::CQuote =>
            {
                match self.text(s + 1) {
                    "string" => {
                        return Some(vec![self.synthetic(TokenKind::Ident, "string")]);
                    }
                    "list" => (Some("list"), "string"),
                    "map" => (Some("map"), "string"),
                    _ => return None,
                }
            }
            _ => return None,
        };
        let head = match name {
            Some(n) => self.synthetic(TokenKind::Ident, n),
            None => FmtToken::from_source(self.toks[s]),
        };
        Some(vec![
            head,
            self.synthetic(TokenKind::OParen, "("),
            self.synthetic(TokenKind::Ident, element),
            self.synthetic(TokenKind::CParen, ")"),
        ])
    }
}

/// Decodes a quoted-literal's escapes (`\n \r \t \" \\ \uXXXX \UXXXXXXXX`); `None` when one
/// is invalid.
fn unescape(raw: &str) -> Option<String> {
    if !raw.contains('\\') {
        return Some(raw.to_owned());
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            u @ ('u' | 'U') => {
                let digits = if u == 'u' { 4 } else { 8 };
                let hex: String = chars.by_ref().take(digits).collect();
                if hex.len() != digits {
                    return None;
                }
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Encodes a string as a quoted literal's body the way `hclwrite` does (the one rule,
/// [`crate::addr::hcl_quoted`], without its quotes).
fn escape(value: &str) -> String {
    let quoted = crate::addr::hcl_quoted(value);
    quoted[1..quoted.len() - 1].to_owned()
}

#[cfg(test)]
mod tests {
    use super::{escape, unescape};

    #[test]
    fn escapes_round_trip() {
        let raw = r#"a\"b\\c\n\u00e9"#;
        let value = unescape(raw).unwrap_or_default();
        assert_eq!(value, "a\"b\\c\né");
        assert_eq!(escape(&value), r#"a\"b\\c\né"#);
        assert_eq!(escape("\u{a0}${"), "\\u00a0$${");
        assert_eq!(unescape(r"\q"), None);
        assert_eq!(unescape(r"\u12"), None);
    }
}
