//! `hclwrite`'s whitespace rules, applied to a token stream: only the spaces before tokens
//! change, never the tokens themselves.
//!
//! The stream is cut into lines (a line ends with a newline token or a `#`/`//` comment, which
//! carries its newline). Each line has up to three cells: the *lead*; the *assign* cell, from
//! the first `=` after the first token when the rest of the line has balanced brackets; and the
//! *comment* cell, a comment ending a line that has other tokens. Then:
//!
//! 1. indentation: two spaces per open bracket level, counted per line (a line opening several
//!    brackets indents the next lines by one level only);
//! 2. spacing: one space or none between neighbours within a cell, by their kinds;
//! 3. alignment: `=` cells of consecutive lines line up one column after the longest lead, and
//!    comment cells of consecutive lines one column after the longest lead + assign.
//!
//! Invariants: every token but the end-of-input token gets its spaces from these rules; the
//! end-of-input token keeps the spaces it had (trailing blanks of a last line without newline).
//! Columns count grapheme clusters, as `hclwrite` does.
//!
//! Depends only on [`super::lexer`] and [`super::rewrite`]'s token type.

use unicode_segmentation::UnicodeSegmentation;

use super::lexer::TokenKind;
use super::rewrite::FmtToken;

const NONE: u32 = u32::MAX;

/// One line's cells, as token indices.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: u32,
    /// Index of the `=` starting the assign cell, or [`NONE`].
    assign: u32,
    /// Index of the trailing comment, or [`NONE`].
    comment: u32,
    /// One past the last token of the line.
    end: u32,
}

impl Line {
    fn lead_end(self) -> u32 {
        if self.assign != NONE {
            self.assign
        } else if self.comment != NONE {
            self.comment
        } else {
            self.end
        }
    }

    fn assign_end(self) -> u32 {
        if self.comment == NONE {
            self.end
        } else {
            self.comment
        }
    }
}

/// Gives access to token text.
pub(crate) struct Texts<'a> {
    pub(crate) src: &'a str,
    pub(crate) extra: &'a str,
}

impl Texts<'_> {
    pub(crate) fn get(&self, t: &FmtToken) -> &str {
        let base = if t.synthetic { self.extra } else { self.src };
        base.get(t.start as usize..t.end as usize).unwrap_or("")
    }
}

/// Sets `spaces` on every token of `tokens` except the final end-of-input token.
pub(crate) fn layout(tokens: &mut [FmtToken], texts: &Texts<'_>) {
    let lines = split_lines(tokens, texts);
    indent(tokens, &lines);
    space(tokens, &lines, texts);
    align(tokens, &lines, texts);
}

fn ends_line(t: &FmtToken, texts: &Texts<'_>) -> bool {
    match t.kind {
        TokenKind::Newline => true,
        TokenKind::Comment => texts.get(t).ends_with('\n'),
        _ => false,
    }
}

#[allow(clippy::cast_possible_truncation)] // token counts are bounded by the input size (< u32::MAX)
fn split_lines(tokens: &[FmtToken], texts: &Texts<'_>) -> Vec<Line> {
    let mut lines = Vec::with_capacity(tokens.len() / 6 + 1);
    let mut start = 0usize;
    for (i, t) in tokens.iter().enumerate() {
        if t.kind == TokenKind::Eof {
            lines.push(cells(tokens, start, i));
            return lines;
        }
        if ends_line(t, texts) {
            lines.push(cells(tokens, start, i + 1));
            start = i + 1;
        }
    }
    if start < tokens.len() {
        lines.push(cells(tokens, start, tokens.len()));
    }
    lines
}

/// Splits the line `start..end` into its cells.
#[allow(clippy::cast_possible_truncation)]
fn cells(tokens: &[FmtToken], start: usize, end: usize) -> Line {
    let mut line = Line {
        start: start as u32,
        assign: NONE,
        comment: NONE,
        end: end as u32,
    };
    if end <= start {
        return line;
    }
    let mut lead_end = end;
    if end - start > 1 && tokens[end - 1].kind == TokenKind::Comment {
        line.comment = (end - 1) as u32;
        lead_end = end - 1;
    }
    if let Some(eq) = (start + 1..lead_end).find(|&i| tokens[i].kind == TokenKind::Equal) {
        // Only a complete value on this line makes an alignable assignment; an opening
        // bracket means a multi-line value follows.
        let net: i32 = tokens[eq..lead_end]
            .iter()
            .map(|t| t.kind.bracket_change())
            .sum();
        if net == 0 {
            line.assign = eq as u32;
        }
    }
    line
}

fn indent(tokens: &mut [FmtToken], lines: &[Line]) {
    let mut levels: Vec<i32> = Vec::with_capacity(16);
    for line in lines {
        let (start, lead_end) = (line.start as usize, line.lead_end() as usize);
        if lead_end <= start {
            continue;
        }
        if tokens[start].kind == TokenKind::Newline {
            tokens[start].spaces = 0;
            continue;
        }
        let mut net = 0;
        for t in &tokens[start..lead_end] {
            net += t.kind.bracket_change();
            // A heredoc's body is not code: its interpolations do not indent.
            if t.kind == TokenKind::OHeredoc {
                break;
            }
        }
        if line.assign != NONE {
            net += tokens[line.assign as usize..line.assign_end() as usize]
                .iter()
                .map(|t| t.kind.bracket_change())
                .sum::<i32>();
        }
        if net < 0 {
            let mut closed = -net;
            while closed > 0 {
                let Some(top) = levels.last_mut() else { break };
                if closed >= *top {
                    closed -= *top;
                    levels.pop();
                } else {
                    *top -= closed;
                    closed = 0;
                }
            }
        }
        #[allow(clippy::cast_possible_truncation)]
        let width = 2 * levels.len() as u32;
        tokens[start].spaces = width;
        if net > 0 {
            levels.push(net);
        }
    }
}

fn space(tokens: &mut [FmtToken], lines: &[Line], texts: &Texts<'_>) {
    for line in lines {
        space_cell(tokens, line.start as usize, line.lead_end() as usize, texts);
        if line.assign != NONE {
            let a = line.assign as usize;
            tokens[a].spaces = 1;
            space_cell(tokens, a, line.assign_end() as usize, texts);
        }
    }
}

fn space_cell(tokens: &mut [FmtToken], start: usize, end: usize, texts: &Texts<'_>) {
    for i in start..end.saturating_sub(1) {
        let before = if i > start {
            Some(tokens[i - 1].kind)
        } else {
            None
        };
        let subject = tokens[i];
        let is_in = subject.kind == TokenKind::Ident && texts.get(&subject) == "in";
        let after = tokens[i + 1].kind;
        tokens[i + 1].spaces = u32::from(space_after(subject.kind, is_in, before, after));
    }
}

/// Whether a space separates `subject` from the `after` token that follows it in a cell.
///
/// The arms are rules tried in order (the first that matches decides), so arms with equal
/// results stay apart.
#[allow(clippy::match_same_arms)]
fn space_after(
    subject: TokenKind,
    subject_is_in: bool,
    before: Option<TokenKind>,
    after: TokenKind,
) -> bool {
    use TokenKind as K;
    match (subject, after) {
        (_, K::Newline) => false,
        (K::Ident, K::OParen) => false,
        (K::Ident, K::DoubleColon) | (K::DoubleColon, K::Ident) => false,
        (K::Dot, _) | (_, K::Dot) => false,
        (_, K::Comma | K::Ellipsis) => false,
        (K::Comma, _) => true,
        (K::QuotedLit | K::StringLit | K::OQuote | K::OHeredoc, _)
        | (_, K::QuotedLit | K::StringLit | K::CQuote | K::CHeredoc) => false,
        // `for x in [a]`: `in` is a keyword there, not a name being indexed.
        (K::Ident, _) if subject_is_in && before == Some(K::Ident) => true,
        (s, K::OBrack) if matches!(s, K::Ident | K::NumberLit) || s.bracket_change() < 0 => false,
        (K::Bang, _) => false,
        // A minus after something that cannot end an operand is a negation.
        (K::Minus, _) => !matches!(
            before,
            None | Some(
                K::OParen
                    | K::OBrace
                    | K::OBrack
                    | K::Equal
                    | K::Colon
                    | K::Comma
                    | K::Question
                    | K::Plus
                    | K::Star
                    | K::Slash
                    | K::Percent
                    | K::Minus
                    | K::EqualOp
                    | K::NotEqual
                    | K::GreaterThan
                    | K::GreaterThanEq
                    | K::LessThan
                    | K::LessThanEq
                    | K::And
                    | K::Or
                    | K::Bang
            )
        ),
        (K::OBrace, K::CBrace) => false,
        (K::OBrace, _) | (_, K::CBrace) => true,
        (K::TemplateInterp | K::TemplateControl, K::OBrace) => true,
        (K::CBrace, K::TemplateSeqEnd) => true,
        (K::TemplateSeqEnd, K::TemplateInterp | K::TemplateControl) => false,
        (s, _) if s.bracket_change() > 0 => false,
        (_, a) if a.bracket_change() < 0 => false,
        _ => true,
    }
}

fn align(tokens: &mut [FmtToken], lines: &[Line], texts: &Texts<'_>) {
    let columns = |tokens: &[FmtToken], s: u32, e: u32| -> u32 {
        tokens[s as usize..e as usize]
            .iter()
            .map(|t| t.spaces + width(texts.get(t)))
            .sum()
    };
    // Assign cells first: moving them moves the comment cells.
    let mut i = 0;
    while i < lines.len() {
        if lines[i].assign == NONE {
            i += 1;
            continue;
        }
        let chain_start = i;
        let mut widest = 0;
        while i < lines.len() && lines[i].assign != NONE {
            widest = widest.max(columns(tokens, lines[i].start, lines[i].assign));
            i += 1;
        }
        for line in &lines[chain_start..i] {
            let lead = columns(tokens, line.start, line.assign);
            tokens[line.assign as usize].spaces = widest - lead + 1;
        }
    }
    let mut i = 0;
    while i < lines.len() {
        if lines[i].comment == NONE {
            i += 1;
            continue;
        }
        let chain_start = i;
        let mut widest = 0;
        while i < lines.len() && lines[i].comment != NONE {
            widest = widest.max(columns(tokens, lines[i].start, lines[i].comment));
            i += 1;
        }
        for line in &lines[chain_start..i] {
            let before = columns(tokens, line.start, line.comment);
            tokens[line.comment as usize].spaces = widest - before + 1;
        }
    }
}

/// The number of grapheme clusters in `text`.
#[allow(clippy::cast_possible_truncation)]
fn width(text: &str) -> u32 {
    if text.is_ascii() {
        let crlf = if text.contains('\r') {
            text.matches("\r\n").count()
        } else {
            0
        };
        (text.len() - crlf) as u32
    } else {
        text.graphemes(true).count() as u32
    }
}
