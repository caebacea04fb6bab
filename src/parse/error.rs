//! pest failures to diagnostics in words.
//!
//! pest reports the furthest position it reached and the rules it tried there. Rule names mean
//! nothing to a user, so this adapter combines three things to say what was expected:
//! - the position (a byte offset from `InputLocation`, never `line_col`);
//! - what is still open at that position (`parse::scan`: blocks, brackets, strings, heredocs),
//!   which names the construct ("this block is never closed") and its opening delimiter;
//! - a coarse reading of the rules pest tried (a value was expected, a name was just read, a
//!   complete value was just read).
//!
//! Depends on `parse::grammar` (rule names), `parse::scan` and `diag`.

use pest::error::{Error, ErrorVariant, InputLocation};

use super::grammar::Rule;
use super::scan::{self, Frame, Open};
use crate::diag::{Diagnostic, FileId, Span};

/// What the rules pest tried at the failure point say about the parser's situation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Situation {
    /// A value (expression) was expected.
    WantValue,
    /// A body item's name was just read: `=` or a block was expected.
    AfterName,
    /// Block labels were read: `{` was expected.
    AfterLabels,
    /// A complete value was just read.
    AfterValue,
    /// A new body item (attribute or block name) was expected.
    WantItem,
    /// Inside a heredoc body.
    InHeredoc,
    /// Nothing recognisable.
    Unknown,
}

fn situation(positives: &[Rule]) -> Situation {
    let has = |r: Rule| positives.contains(&r);
    if has(Rule::heredoc_close) {
        Situation::InHeredoc
    } else if has(Rule::fast_tail) || has(Rule::attr_tail) || has(Rule::block_tail) {
        Situation::AfterName
    } else if has(Rule::lbrace) || has(Rule::label_str) {
        Situation::AfterLabels
    } else if positives.iter().any(|r| {
        matches!(
            r,
            Rule::expr
                | Rule::expr_nl
                | Rule::keyword
                | Rule::qname
                | Rule::number
                | Rule::plain_str
                | Rule::string
                | Rule::tuple
                | Rule::object
                | Rule::paren
                | Rule::heredoc_open
                | Rule::object_item
                | Rule::fast_tuple
        )
    }) {
        Situation::WantValue
    } else if positives.iter().any(|r| {
        matches!(
            r,
            Rule::cond
                | Rule::cond_nl
                | Rule::call_args
                | Rule::ellipsis
                | Rule::line_comment
                | Rule::dot_step
                | Rule::bracket_step
        )
    }) {
        Situation::AfterValue
    } else if has(Rule::chunk) || has(Rule::ident) || has(Rule::rbrace) {
        Situation::WantItem
    } else {
        Situation::Unknown
    }
}

/// Turns a pest error on the slice starting at `base` of `text` into a diagnostic.
pub(crate) fn from_pest(err: &Error<Rule>, text: &str, base: usize, file: FileId) -> Diagnostic {
    let rel = match err.location {
        InputLocation::Pos(p) | InputLocation::Span((p, _)) => p,
    };
    let pos = floor_boundary(text, (base + rel).min(text.len()));
    let span = |a: usize, b: usize| Span::new(file, a, b);
    let positives: &[Rule] = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives,
        ErrorVariant::CustomError { .. } => {
            return Diagnostic::error(
                "scw::parse::too_complex",
                "this input is too deeply nested or too complex to parse",
            )
            .with_primary(
                span(pos, next_boundary(text, pos)),
                "the parser gave up here",
            )
            .with_help("simplify the expression, e.g. by moving parts of it into locals");
        }
    };
    let scanned = scan::scan(text, base, pos);
    if let Some((quote, line_end)) = scanned.unterminated_string {
        return unterminated_string(span(quote, quote + 1), span(line_end, line_end));
    }
    // pest stops at the `/` of an unclosed `/*` (a division missing its operand), so look
    // a little past the failure for a comment that never ends.
    let unclosed_comment = scanned.unclosed_comment.or_else(|| {
        scan::scan(text, base, text.len())
            .unclosed_comment
            .filter(|&at| at <= pos + 2)
    });
    if let Some(at) = unclosed_comment {
        return Diagnostic::error(
            "scw::parse::unterminated_comment",
            "this comment is never closed",
        )
        .with_primary(span(at, at + 2), "the comment starts here")
        .with_label(span(text.len(), text.len()), "the file ends before `*/`");
    }
    let top = scanned.stack.last().copied();
    let at_end = rest_is_blank(&text[pos..]);
    let found = describe(text, pos);
    let found_span = span(pos, found_end(text, pos));

    if let Some(frame) = top {
        match frame.open {
            Open::Quote if at_end || text[pos..].starts_with(['\n', '\r']) => {
                return unterminated_string(span(frame.at, frame.at + 1), span(pos, pos));
            }
            Open::Heredoc if at_end => {
                let marker = &text[frame.marker.0..frame.marker.1];
                return Diagnostic::error(
                    "scw::parse::unterminated_heredoc",
                    format!("this heredoc is never closed: `{marker}` never appears on a line of its own"),
                )
                .with_primary(span(frame.at, frame.at + frame.len), "the heredoc starts here")
                .with_label(span(text.len(), text.len()), "the file ends here")
                .with_help(format!("end the heredoc with a line containing only `{marker}`"));
            }
            _ => {}
        }
        if at_end {
            return unclosed(frame, text, file);
        }
    }

    let closer = text[pos..]
        .chars()
        .next()
        .filter(|c| matches!(c, '}' | ']' | ')'));
    if let Some(c) = closer
        && !closes(c, top)
    {
        let d = Diagnostic::error("scw::parse::unexpected_token", format!("unexpected `{c}`"));
        return match top {
            None => d
                .with_primary(found_span, "nothing is open here")
                .with_help(
                    "remove it, or check the braces above: a block may have been closed twice",
                ),
            Some(frame) => d
                .with_primary(
                    found_span,
                    format!("expected {} first", closer_of(frame.open)),
                )
                .with_label(span(frame.at, frame.at + frame.len), "this is still open"),
        };
    }

    match situation(positives) {
        Situation::InHeredoc => unclosed_heredoc_fallback(top, text, file),
        Situation::WantValue => {
            let what = if found == "the end of the line" || found == "the end of the file" {
                "the value is missing here".to_owned()
            } else {
                format!("found {found}")
            };
            Diagnostic::error("scw::parse::expected_expression", "expected an expression")
                .with_primary(found_span, what)
                .with_help("a value is a literal (\"text\", 42, true, null), a reference (var.name), a call (f(x)), a list ([...]) or an object ({...})")
        }
        Situation::AfterName => {
            let name = last_word_before(text, pos);
            Diagnostic::error(
                "scw::parse::unexpected_token",
                format!("expected `=` or `{{` after `{name}`"),
            )
            .with_primary(found_span, format!("found {found}"))
            .with_help(format!(
                "write `{name} = <value>` for an attribute, or `{name} {{ ... }}` for a block"
            ))
        }
        Situation::AfterLabels => {
            let line_start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
            let line = text[line_start..pos].trim();
            let name = line.split_whitespace().next().unwrap_or(line);
            let rest = line[name.len()..].trim();
            Diagnostic::error(
                "scw::parse::unexpected_token",
                "expected `{` after the block labels",
            )
            .with_primary(found_span, format!("found {found}"))
            .with_help(format!(
                "a block is written `{name} {rest} {{ ... }}`; if `{name}` is an attribute, write `{name} = {rest}`"
            ))
        }
        Situation::AfterValue => after_value(top, text, pos, file, &found, found_span),
        Situation::WantItem => Diagnostic::error(
            "scw::parse::unexpected_token",
            "expected an attribute or block name",
        )
        .with_primary(found_span, format!("found {found}"))
        .with_help("each line of a body is `name = value` or a block `type \"label\" { ... }`"),
        Situation::Unknown => Diagnostic::error(
            "scw::parse::unexpected_token",
            format!("unexpected {found}"),
        )
        .with_primary(found_span, ""),
    }
}

/// A complete value was read and something other than what may follow it came next.
fn after_value(
    top: Option<Frame>,
    text: &str,
    pos: usize,
    file: FileId,
    found: &str,
    found_span: Span,
) -> Diagnostic {
    let span = |a: usize, b: usize| Span::new(file, a, b);
    let expected = |what: &str| {
        Diagnostic::error("scw::parse::unexpected_token", format!("expected {what}"))
            .with_primary(found_span, format!("found {found}"))
    };
    match top.map(|f| (f.open, f)) {
        None | Some((Open::BlockBrace, _)) => Diagnostic::error(
            "scw::parse::missing_newline",
            "expected a newline after the attribute's value",
        )
        .with_primary(found_span, format!("found {found}"))
        .with_help("each attribute and each block ends at the end of its line; put the next one on a new line"),
        Some((Open::Bracket, f)) => {
            let inner = &text[f.at + 1..pos];
            if starts_with_keyword(inner, "for") && !inner.contains(':') {
                expected("`:` after the collection of the `for` expression")
            } else if is_index(text, f.at) {
                expected("`]` to close the index")
            } else {
                expected("`,` or `]` in the list")
            }
            .with_label(span(f.at, f.at + 1), "opened here")
        }
        Some((Open::Paren, f)) => if is_index(text, f.at) {
            expected("`,` or `)` in the function arguments")
        } else {
            expected("`)`")
        }
        .with_label(span(f.at, f.at + 1), "opened here"),
        Some((Open::ObjectBrace, f)) => {
            let inner = &text[f.at + 1..pos];
            if starts_with_keyword(inner, "for") {
                expected("`:`, `=>` or `}` in the `for` expression")
            } else if item_has_separator(inner) {
                expected("`,`, a newline or `}` after the object item")
            } else {
                expected("`=` or `:` after the object key")
            }
            .with_label(span(f.at, f.at + 1), "the object starts here")
        }
        Some((Open::Interp | Open::Directive, f)) => {
            expected("`}` to close the template sequence").with_label(span(f.at, f.at + 2), "opened here")
        }
        Some((Open::Quote | Open::Heredoc, f)) => {
            expected("the end of the string").with_label(span(f.at, f.at + 1), "the string starts here")
        }
    }
}

fn unclosed_heredoc_fallback(top: Option<Frame>, text: &str, file: FileId) -> Diagnostic {
    match top {
        Some(frame) => unclosed(frame, text, file),
        None => Diagnostic::error(
            "scw::parse::unterminated_heredoc",
            "this heredoc is never closed",
        )
        .with_primary(
            Span::new(file, text.len(), text.len()),
            "the file ends here",
        ),
    }
}

/// Something opened and never closed before the end of the input.
fn unclosed(frame: Frame, text: &str, file: FileId) -> Diagnostic {
    let open = Span::new(file, frame.at, frame.at + frame.len);
    let eof = Span::new(file, text.len(), text.len());
    match frame.open {
        Open::BlockBrace => {
            Diagnostic::error("scw::parse::unclosed_block", "this block is never closed")
                .with_primary(open, "this `{` has no matching `}`")
                .with_label(eof, "the file ends here")
                .with_help("add the missing `}` on a line of its own")
        }
        Open::Quote => unterminated_string(open, eof),
        Open::Heredoc => {
            let marker = &text[frame.marker.0..frame.marker.1];
            Diagnostic::error(
                "scw::parse::unterminated_heredoc",
                format!(
                    "this heredoc is never closed: `{marker}` never appears on a line of its own"
                ),
            )
            .with_primary(open, "the heredoc starts here")
            .with_label(eof, "the file ends here")
        }
        other => {
            let what = match other {
                Open::ObjectBrace => "`{`",
                Open::Bracket => "`[`",
                Open::Paren => "`(`",
                Open::Interp => "`${`",
                _ => "`%{`",
            };
            Diagnostic::error(
                "scw::parse::unclosed_delimiter",
                format!("this {what} is never closed"),
            )
            .with_primary(open, format!("expected {} to match this", closer_of(other)))
            .with_label(eof, "the file ends here")
        }
    }
}

/// A quoted string that reaches the end of its line.
pub(crate) fn unterminated_string(open_quote: Span, line_end: Span) -> Diagnostic {
    Diagnostic::error("scw::parse::unterminated_string", "this string is never closed")
        .with_primary(open_quote, "the string starts here")
        .with_label(line_end, "the line ends before a closing `\"`")
        .with_help("close the string with `\"` on the same line, or use a heredoc (`<<EOT`) for text over several lines")
}

fn closer_of(open: Open) -> &'static str {
    match open {
        Open::BlockBrace | Open::ObjectBrace | Open::Interp | Open::Directive => "`}`",
        Open::Bracket => "`]`",
        Open::Paren => "`)`",
        Open::Quote => "`\"`",
        Open::Heredoc => "the closing marker",
    }
}

fn closes(c: char, top: Option<Frame>) -> bool {
    matches!(
        (c, top.map(|f| f.open)),
        (
            '}',
            Some(Open::BlockBrace | Open::ObjectBrace | Open::Interp | Open::Directive)
        ) | (']', Some(Open::Bracket))
            | (')', Some(Open::Paren))
    )
}

/// Whether the `[` or `(` at `at` follows a value (an index or a call) rather than starting one.
fn is_index(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ']' | ')' | '"' | '*'))
}

fn starts_with_keyword(s: &str, kw: &str) -> bool {
    let s = s.trim_start();
    s.strip_prefix(kw)
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_whitespace()))
}

/// Whether the last object item in `inner` (the text after `{`) already has its `=` or `:`.
fn item_has_separator(inner: &str) -> bool {
    let mut depth = 0_i32;
    let mut in_string = false;
    let mut seen = false;
    let mut prev = '\0';
    for c in inner.chars() {
        if in_string {
            if c == '"' && prev != '\\' {
                in_string = false;
            }
        } else {
            match c {
                '"' => in_string = true,
                '{' | '[' | '(' => depth += 1,
                '}' | ']' | ')' => depth -= 1,
                ',' | '\n' if depth == 0 => seen = false,
                '=' | ':' if depth == 0 => seen = true,
                _ => {}
            }
        }
        prev = c;
    }
    seen
}

fn rest_is_blank(rest: &str) -> bool {
    rest.chars().all(char::is_whitespace)
}

fn floor_boundary(text: &str, mut pos: usize) -> usize {
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

fn next_boundary(text: &str, pos: usize) -> usize {
    text[pos..]
        .chars()
        .next()
        .map_or(pos, |c| pos + c.len_utf8())
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// The end of the token found at `pos`: a word, or one character; empty at a line end.
fn found_end(text: &str, pos: usize) -> usize {
    let rest = &text[pos..];
    match rest.chars().next() {
        None | Some('\n' | '\r') => pos,
        Some(c) if is_word_char(c) => {
            pos + rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len())
        }
        // A quoted string on one line reads better whole: found `"b"`.
        Some('"') => {
            let line = rest.find('\n').unwrap_or(rest.len());
            rest[1..line]
                .find('"')
                .map_or(pos + 1, |close| pos + close + 2)
        }
        Some(c) => pos + c.len_utf8(),
    }
}

/// Says in words what is at `pos`.
fn describe(text: &str, pos: usize) -> String {
    let rest = &text[pos..];
    match rest.chars().next() {
        None => "the end of the file".to_owned(),
        Some('\n' | '\r') => "the end of the line".to_owned(),
        Some(_) => {
            let word = &text[pos..found_end(text, pos)];
            format!("`{word}`")
        }
    }
}

/// The word (identifier) just before `pos`, skipping spaces.
fn last_word_before(text: &str, pos: usize) -> &str {
    let before = text[..pos].trim_end();
    let start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word_char(c))
        .last()
        .map_or(before.len(), |(i, _)| i);
    &before[start..]
}
