//! pest failures to diagnostics in words.

use pest::error::{Error, InputLocation};

use super::grammar::Rule;
use crate::diag::{Diagnostic, FileId, Span};

/// Turns a pest error on the slice starting at `base` of `text` into a diagnostic.
pub(crate) fn from_pest(err: &Error<Rule>, text: &str, base: usize, file: FileId) -> Diagnostic {
    let pos = match err.location {
        InputLocation::Pos(p) | InputLocation::Span((p, _)) => base + p,
    };
    let end = next_boundary(text, pos);
    Diagnostic::error("scw::parse::unexpected_token", "unexpected input")
        .with_primary(Span::new(file, pos, end), "")
}

fn next_boundary(text: &str, pos: usize) -> usize {
    text[pos..]
        .chars()
        .next()
        .map_or(pos, |c| pos + c.len_utf8())
}

/// A quoted string that reaches the end of its line.
pub(crate) fn unterminated_string(open_quote: Span, line_end: Span) -> Diagnostic {
    Diagnostic::error("scw::parse::unterminated_string", "this string is never closed")
        .with_primary(open_quote, "the string starts here")
        .with_label(line_end, "the line ends before a closing `\"`")
        .with_help("close the string with `\"` on the same line, or use a heredoc (`<<EOT`) for text over several lines")
}
