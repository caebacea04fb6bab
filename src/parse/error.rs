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
