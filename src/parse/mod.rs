//! Parsing: `.tf` text to the syntax tree in [`ast`].
//!
//! The only module that names pest types: the grammar lives in `grammar/` (see its README),
//! [`grammar`] derives the parser, `build` turns pairs into [`ast`] nodes, `template` finishes
//! string templates and `error` turns pest failures into [`Diagnostic`]s in words.
//!
//! A file is parsed one top-level item at a time (rule `chunk`): pest's token queue then only
//! ever holds one item, which keeps memory flat and the queue in cache on large files.
//!
//! Invariants: every AST node carries a byte span into the parsed text; literal values are
//! final; no input makes these functions panic, recurse without bound or run longer than
//! linear time (the grammar has no shared recursive prefixes, and `pest::set_call_limit` is a
//! safety net). Inputs over `u32::MAX` bytes are refused.
//!
//! Depends on `diag` only.

pub mod ast;
mod build;
mod error;
mod grammar;
mod scan;
mod template;

use std::num::NonZeroUsize;
use std::sync::Once;

use pest::Parser as _;

use crate::diag::{Diagnostic, Diagnostics, FileId, Span};
use build::Builder;
use grammar::{HclParser, Rule};

/// pest's process-wide budget of rule calls per parse. The grammar is linear, so this only
/// bites on input that would otherwise take unreasonably long; ~10 calls per byte is typical,
/// and one top-level item is parsed per call.
const CALL_LIMIT: usize = 50_000_000;

static CALL_LIMIT_ONCE: Once = Once::new();

fn init() {
    CALL_LIMIT_ONCE.call_once(|| pest::set_call_limit(NonZeroUsize::new(CALL_LIMIT)));
}

/// The stack the parser runs on (virtual memory, committed only as it is used). pest fails
/// cleanly ("stack limit reached") when it runs low, and the builder refuses nesting deeper
/// than [`build::MAX_DEPTH`], so no input can overflow it.
const PARSER_STACK: usize = 128 * 1024 * 1024;

/// Parses one `.tf` file.
///
/// # Errors
/// Syntax errors, as diagnostics with codes `scw::parse::<kind>` and a label at the spot.
pub fn parse_source(text: &str, file: FileId) -> Result<ast::File, Diagnostics> {
    check_input(text, file)?;
    init();
    stacker::grow(PARSER_STACK, || parse_chunks(text, file))
}

fn parse_chunks(text: &str, file: FileId) -> Result<ast::File, Diagnostics> {
    // ~200 bytes per top-level item in typical files; a rough reserve avoids most regrowth.
    let mut items = Vec::with_capacity(text.len() / 512);
    let mut comments = Vec::new();
    let mut pos = 0;
    loop {
        let rest = &text[pos..];
        let chunk = match HclParser::parse(Rule::chunk, rest) {
            Ok(mut pairs) => pairs.next().expect("grammar: chunk is one pair"),
            Err(err) => return Err(error::from_pest(&err, text, pos, file).into()),
        };
        let end = chunk.as_span().end();
        let builder = Builder::new(file, pos);
        collect_comments(text, pos, pos + end, file, &mut comments);
        let before = items.len();
        builder
            .structures(chunk.into_inner(), &mut items)
            .map_err(Diagnostics::from)?;
        pos += end;
        if items.len() == before {
            // Only blank lines and comments were left: the end of input.
            break;
        }
    }
    let span = match (items.first(), items.last()) {
        (Some(first), Some(last)) => build::structure_span(first).to(build::structure_span(last)),
        _ => Span::new(file, 0, 0),
    };
    Ok(ast::File {
        id: file,
        body: ast::Body { items, span },
        comments,
    })
}

/// Parses a lone expression (a `--var name=value` value, a type constraint).
///
/// # Errors
/// Syntax errors, as for [`parse_source`].
pub fn parse_expression(text: &str, file: FileId) -> Result<ast::Expr, Diagnostics> {
    check_input(text, file)?;
    init();
    stacker::grow(PARSER_STACK, || parse_expression_inner(text, file))
}

fn parse_expression_inner(text: &str, file: FileId) -> Result<ast::Expr, Diagnostics> {
    let input = match HclParser::parse(Rule::expression_input, text) {
        Ok(mut pairs) => pairs.next().expect("grammar: expression_input is one pair"),
        Err(err) => return Err(error::from_pest(&err, text, 0, file).into()),
    };
    let builder = Builder::new(file, 0);
    let expr = input
        .into_inner()
        .find(|p| p.as_rule() == Rule::expr_nl)
        .expect("grammar: expression_input holds an expression");
    builder.expr(expr).map_err(Diagnostics::from)
}

/// Refuses inputs the spans cannot address, and byte order marks (which HCL forbids).
fn check_input(text: &str, file: FileId) -> Result<(), Diagnostics> {
    check_len(text.len())?;
    if text.starts_with('\u{feff}') {
        return Err(Diagnostic::error(
            "scw::parse::unexpected_token",
            "the file starts with a byte order mark, which HCL does not allow",
        )
        .with_primary(Span::new(file, 0, 3), "remove this invisible character")
        .into());
    }
    Ok(())
}

/// Spans are `u32` byte offsets: longer inputs cannot be addressed.
fn check_len(len: usize) -> Result<(), Diagnostics> {
    if u32::try_from(len).is_err() {
        return Err(Diagnostic::error(
            "scw::parse::too_large",
            "this file is too large to parse (over 4 GiB)",
        )
        .with_detail(format!("it has {len} bytes"))
        .into());
    }
    Ok(())
}

/// Gathers the comments of one parsed chunk (`text[start..end]`), in source order.
fn collect_comments(
    text: &str,
    start: usize,
    end: usize,
    file: FileId,
    out: &mut Vec<ast::Comment>,
) {
    let chunk = &text.as_bytes()[start..end];
    if !chunk.iter().any(|&b| b == b'#' || b == b'/') {
        return;
    }
    for (kind, a, b) in scan::scan(text, start, end).comments {
        out.push(ast::Comment {
            kind,
            span: Span::new(file, a, b),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::check_len;

    #[test]
    fn inputs_over_u32_max_bytes_are_refused() {
        let limit = u32::MAX as usize;
        assert!(check_len(limit).is_ok());
        let err = check_len(limit + 1).expect_err("too large");
        assert_eq!(err.0[0].code, "scw::parse::too_large");
    }
}
