//! Parsing: `.tf` text to the syntax tree in [`ast`].
//!
//! The only module that names pest types: the grammar lives in `grammar/` (see its README),
//! [`grammar`] derives the parser, `build` turns pairs into [`ast`] nodes, `template` finishes
//! string templates and `error` turns pest failures into [`Diagnostic`]s in words.
//!
//! A file is parsed one top-level item at a time (rule `chunk`): pest's token queue then only
//! ever holds one item, which keeps memory flat and the queue in cache on large files. Since a
//! chunk's parse depends only on where it starts, a large file is parsed in two halves on two
//! threads, split at a chunk boundary, with the same result as one thread. After a syntax
//! error the parse resumes at the next certain top-level item start (see `resume_point`), so a
//! file reports up to [`MAX_SYNTAX_ERRORS`] independent errors.
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
pub mod json;
mod scan;
mod template;

use std::num::NonZeroUsize;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use pest::Parser as _;

use crate::diag::{Diagnostic, Diagnostics, FileId, Span};
use build::Builder;
use grammar::{HclParser, Rule};
use scan::Open;

pub use json::{AttrMode, JsonBlock, JsonShape, parse_json_source};

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
/// than [`MAX_DEPTH`], so no input can overflow it.
const PARSER_STACK: usize = 128 * 1024 * 1024;

/// Parses one `.tf` file.
///
/// Files of at least [`PARALLEL_MIN`] bytes are parsed on two threads when the machine has two
/// cores or more (see [`parse_split`]); the result, diagnostics included, is the same as a
/// parse on one thread.
///
/// # Errors
/// Syntax errors, as diagnostics with codes `scw::parse::<kind>` and a label at the spot.
pub fn parse_source(text: &str, file: FileId) -> Result<ast::File, Diagnostics> {
    check_input(text, file)?;
    init();
    let split = if text.len() >= PARALLEL_MIN
        && std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2)
    {
        split_point(text, text.len() / 2)
    } else {
        None
    };
    match split {
        Some(at) => parse_split(text, file, at),
        None => stacker::grow(PARSER_STACK, || parse_whole(text, file)),
    }
}

/// How deeply blocks, expressions, operator chains, splats and template directives may nest
/// (counted as levels of the syntax tree). Deeper input is refused with a
/// `scw::parse::too_complex` diagnostic, so that building, walking and dropping a tree never
/// needs more stack than a thread has, whatever the input.
pub const MAX_DEPTH: usize = 1000;

/// The input size from which [`parse_source`] uses a second thread: below it, starting a
/// thread costs more than it saves.
pub const PARALLEL_MIN: usize = 1 << 20;

/// The most syntax errors reported for one file: past a few, more are rarely news and the
/// odds that one of them is an artefact of recovery grow.
pub const MAX_SYNTAX_ERRORS: usize = 10;

fn parse_whole(text: &str, file: FileId) -> Result<ast::File, Diagnostics> {
    let mut out = Parsed::with_capacity(text.len());
    parse_chunks(text, file, 0, None, None, &mut out);
    out.into_result(file)
}

/// Items, comments and syntax errors found so far, in source order.
struct Parsed {
    items: Vec<ast::Structure>,
    comments: Vec<ast::Comment>,
    /// At most [`MAX_SYNTAX_ERRORS`]; once there is one, `items` is incomplete and only the
    /// errors matter.
    errors: Vec<Diagnostic>,
}

impl Parsed {
    fn with_capacity(bytes: usize) -> Self {
        // ~200 bytes per top-level item in typical files; a rough reserve avoids most regrowth.
        Self {
            items: Vec::with_capacity(bytes / 512),
            comments: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn into_result(self, file: FileId) -> Result<ast::File, Diagnostics> {
        if self.errors.is_empty() {
            Ok(self.into_file(file))
        } else {
            Err(Diagnostics(self.errors))
        }
    }

    fn into_file(mut self, file: FileId) -> ast::File {
        self.items.shrink_to_fit();
        let span = match (self.items.first(), self.items.last()) {
            (Some(first), Some(last)) => {
                build::structure_span(first).to(build::structure_span(last))
            }
            _ => Span::new(file, 0, 0),
        };
        ast::File {
            id: file,
            body: ast::Body {
                items: self.items,
                span,
            },
            comments: self.comments,
        }
    }
}

/// How a call to [`parse_chunks`] ended.
#[derive(Debug, PartialEq, Eq)]
enum Ended {
    /// At the end of the input, or after a syntax error with no safe place to resume, or at
    /// [`MAX_SYNTAX_ERRORS`].
    Input,
    /// At the requested stop offset, which was the start of a chunk.
    Stop,
    /// Cancelled from another thread (the output is incomplete and must be dropped).
    Cancelled,
}

/// Parses `text` from byte `pos` (the start of a chunk) one top-level item at a time, into
/// `out`. With `stop`, returns as soon as a chunk starts exactly there; a `stop` that is not
/// the start of a chunk is passed over, and the parse goes on to the end. `cancel` is checked
/// between chunks.
///
/// After a syntax error the parse resumes where [`resume_point`] says it safely can, so that
/// one pass reports several independent errors; what it does after an error depends only on
/// where the failed chunk started, which keeps a split parse equal to a whole one.
fn parse_chunks(
    text: &str,
    file: FileId,
    mut pos: usize,
    stop: Option<usize>,
    cancel: Option<&AtomicBool>,
    out: &mut Parsed,
) -> Ended {
    loop {
        if stop == Some(pos) {
            return Ended::Stop;
        }
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Ended::Cancelled;
        }
        let rest = &text[pos..];
        let chunk = match HclParser::parse(Rule::chunk, rest) {
            Ok(mut pairs) => pairs.next().expect("grammar: chunk is one pair"),
            Err(err) => {
                out.errors.push(error::from_pest(&err, text, pos, file));
                let failed_at = match err.location {
                    pest::error::InputLocation::Pos(p)
                    | pest::error::InputLocation::Span((p, _)) => pos + p,
                };
                match resume_point(text, pos, failed_at) {
                    Some(next) if out.errors.len() < MAX_SYNTAX_ERRORS => {
                        pos = next;
                        continue;
                    }
                    _ => return Ended::Input,
                }
            }
        };
        let end = chunk.as_span().end();
        let builder = Builder::new(file, pos);
        collect_comments(text, pos, pos + end, file, &mut out.comments);
        let before = out.items.len();
        if let Err(d) = builder.structures(chunk.into_inner(), &mut out.items) {
            // The chunk is well-formed, so the next one starts right after it.
            out.errors.push(d);
            if out.errors.len() >= MAX_SYNTAX_ERRORS {
                return Ended::Input;
            }
        } else if out.items.len() == before {
            // Only blank lines and comments were left: the end of input.
            return Ended::Input;
        }
        pos += end;
    }
}

/// Where parsing may resume after the chunk starting at `chunk` failed at `failed_at`, or
/// `None` when there is no place that is surely the start of a new top-level item.
///
/// The rule is deliberately narrow, because an error that only comes from resuming in the
/// wrong place is worse than a missing one. The candidate is the first line after the failing
/// line that starts, at column 0, with a name followed by a label, `{` or `=`. It is taken
/// only when the source from the chunk start up to it is lexically closed: no string,
/// heredoc, template or comment left open, and every brace balanced, or else only `(`/`[`
/// left open inside the one top-level block, which a line holding just `}` at column 0 then
/// closes (the formatted end of a block), with only blank and comment lines after it.
fn resume_point(text: &str, chunk: usize, failed_at: usize) -> Option<usize> {
    let failed_at = failed_at.min(text.len());
    let mut line = failed_at + text[failed_at..].find('\n')? + 1;
    while !starts_item(line_at(text, line)) {
        line += line_at(text, line).len();
        if line >= text.len() {
            return None;
        }
    }
    let scanned = scan::scan(text, chunk, line);
    if scanned.unclosed_comment.is_some() {
        return None;
    }
    let closed = match (scanned.stack.as_slice(), scanned.stray_close) {
        ([], None) => true,
        ([block, open @ ..], Some(brace)) => {
            block.open == Open::BlockBrace
                && !open.is_empty()
                && open
                    .iter()
                    .all(|f| matches!(f.open, Open::Paren | Open::Bracket))
                && brace > open[0].at
                && text[..brace].ends_with('\n')
                && line_at(text, brace).trim_end() == "}"
                && text[brace + line_at(text, brace).len()..line]
                    .lines()
                    .all(|l| {
                        let l = l.trim();
                        l.is_empty() || l.starts_with('#') || l.starts_with("//")
                    })
        }
        _ => false,
    };
    closed.then_some(line)
}

/// The line starting at `at`, with its newline.
fn line_at(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    rest.find('\n').map_or(rest, |i| &rest[..=i])
}

/// Whether `line` starts, at column 0, like a top-level item: a name, then a label, `{` or
/// `=` (not `==`).
fn starts_item(line: &str) -> bool {
    let bytes = line.as_bytes();
    if !bytes
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
    {
        return false;
    }
    let name = bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
        .count();
    let after = line[name..].trim_start_matches([' ', '\t']);
    match after.as_bytes() {
        [b'=', b'=', ..] | [] => false,
        [b'=' | b'{' | b'"', ..] => true,
        [b, ..] => b.is_ascii_alphabetic() || *b == b'_',
    }
}

/// A likely chunk boundary at or after `from`: just after a `}` alone at the start of a line,
/// which is how a top-level block ends in formatted files. It is only a guess (the same text
/// may sit inside a heredoc); [`parse_split`] checks it.
fn split_point(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = from;
    while let Some(i) = text.get(at..)?.find("\n}") {
        let close = at + i + 1;
        let after = close + 1;
        let end = match bytes.get(after..) {
            Some([b'\n', ..]) => after + 1,
            Some([b'\r', b'\n', ..]) => after + 2,
            _ => {
                at = after;
                continue;
            }
        };
        return (end < bytes.len()).then_some(end);
    }
    None
}

/// Parses on two threads: this one from the start up to `at`, another from `at` to the end.
///
/// The result is exactly that of one thread. Each chunk's parse, and where parsing resumes
/// after a syntax error, depend only on where the chunk starts, so when the first half ends on
/// a chunk boundary at `at`, the second half's items, comments and errors are what one thread
/// would have found after `at` (cut to [`MAX_SYNTAX_ERRORS`] in all). When the first half
/// stops for good before `at` (an error it cannot resume after, or the error cap), that is the
/// result, as on one thread; and when `at` turns out not to be a chunk boundary (it sat inside
/// a heredoc, or error recovery jumped over it), the first half simply goes on to the end and
/// the second half is cancelled and dropped.
fn parse_split(text: &str, file: FileId, at: usize) -> Result<ast::File, Diagnostics> {
    let cancel = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let second = std::thread::Builder::new()
            .name("scwform-parse".into())
            .spawn_scoped(scope, || {
                let mut out = Parsed::with_capacity(text.len() - at);
                let ended = stacker::grow(PARSER_STACK, || {
                    parse_chunks(text, file, at, None, Some(&cancel), &mut out)
                });
                (ended, out)
            });
        let Ok(second) = second else {
            // No thread to be had: one is enough.
            return stacker::grow(PARSER_STACK, || parse_whole(text, file));
        };
        let mut out = Parsed::with_capacity(at);
        let first = stacker::grow(PARSER_STACK, || {
            parse_chunks(text, file, 0, Some(at), None, &mut out)
        });
        if first != Ended::Stop {
            cancel.store(true, Ordering::Relaxed);
        }
        let second = match second.join() {
            Ok(result) => result,
            // The parser does not panic (module invariant); if it did, so does this thread.
            Err(panic) => std::panic::resume_unwind(panic),
        };
        match first {
            Ended::Stop => {
                let (_, rest) = second;
                out.items.extend(rest.items);
                out.comments.extend(rest.comments);
                let room = MAX_SYNTAX_ERRORS.saturating_sub(out.errors.len());
                out.errors.extend(rest.errors.into_iter().take(room));
            }
            Ended::Input | Ended::Cancelled => {}
        }
        out.into_result(file)
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

/// Parses a whole text as a bare template (a `templatefile` file, a `templatestring` value):
/// literal text with `${...}` interpolations and `%{...}` directives; only `$${` and `%%{`
/// escape (no backslash escapes).
///
/// # Errors
/// Syntax errors, as for [`parse_source`].
pub fn parse_template(text: &str, file: FileId) -> Result<ast::Template, Diagnostics> {
    check_len(text.len())?;
    init();
    stacker::grow(PARSER_STACK, || {
        let input = match HclParser::parse(Rule::template_input, text) {
            Ok(mut pairs) => pairs.next().expect("grammar: template_input is one pair"),
            Err(err) => return Err(error::from_pest(&err, text, 0, file).into()),
        };
        Builder::new(file, 0)
            .bare_template(input)
            .map_err(Diagnostics::from)
    })
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
    use super::*;

    /// Parses `text` split at every line start, and checks that the result (tree or
    /// diagnostics) is always the one-thread result.
    fn same_at_every_split(text: &str, valid: bool) {
        let file = FileId(0);
        let whole = stacker::grow(PARSER_STACK, || parse_whole(text, file));
        assert_eq!(whole.is_ok(), valid, "{whole:?}");
        let mut splits = 0;
        for (i, _) in text.match_indices('\n') {
            let at = i + 1;
            if at >= text.len() {
                continue;
            }
            splits += 1;
            assert_eq!(
                parse_split(text, file, at),
                whole,
                "split at byte {at} of {text:?}"
            );
        }
        assert!(splits > 3, "the text has lines to split at");
    }

    #[test]
    fn a_split_parse_equals_a_whole_parse_wherever_it_is_split() {
        same_at_every_split(
            "# head\nterraform {\n  x = 1\n}\n\n// c\nresource \"a\" \"b\" {\n  n = \"x\"\n  l {\n    v = [1, 2]\n  }\n}\n/* block\n}\n*/\nlocals {\n  h = <<EOT\n}\nx\n}\nEOT\n}\r\nvariable \"v\" {}\n\n# tail\n",
            true,
        );
    }

    #[test]
    fn a_split_parse_reports_the_errors_a_whole_parse_does() {
        // An error before, and another after, most split points.
        same_at_every_split(
            "a {\n  x = 1\n}\nb {\n  y = = 2\n}\nc {\n  z = 3\n}\nd {\n  w = (\n}\ne {}\n",
            false,
        );
        // Only one error, near the end.
        same_at_every_split(
            "a {\n  x = 1\n}\nb {\n  y = 2\n}\nc {\n  z = \"\n}\n",
            false,
        );
    }

    #[test]
    fn a_split_parse_recovers_and_caps_errors_as_a_whole_parse_does() {
        // Recovery after an unclosed `(`, a heredoc that stops recovery, a one-line block.
        let text = "a {\n  x = (1 +\n}\n# c\nb { y = = 1 }\nc {\n  z = 1\n}\nd {\n  w = = <<EOT\n}\ne {\nEOT\n}\nf = = 2\n";
        same_at_every_split(text, false);
        let errors = parse_whole(text, FileId(0)).expect_err("broken").0;
        let starts: Vec<_> = errors
            .iter()
            .map(|d| d.primary_span().expect("a label").start as usize)
            .collect();
        let [a, b, d] = starts[..] else {
            panic!("three errors, not {errors:?}")
        };
        assert!(a > text.find('(').expect("a") && a < text.find("# c").expect("c"));
        assert!(b > text.find("b {").expect("b") && b < text.find("c {").expect("c"));
        assert!(d > text.find("d {").expect("d") && d < text.find("e {").expect("e"));
        // More errors than the cap, on both sides of every split point.
        same_at_every_split(&"b {\n  x = = 1\n}\n".repeat(14), false);
        let errors = parse_whole(&"b {\n  x = = 1\n}\n".repeat(14), FileId(0))
            .expect_err("broken")
            .0;
        assert_eq!(errors.len(), MAX_SYNTAX_ERRORS);
    }

    #[test]
    fn recovery_resumes_only_at_a_top_level_item_start_in_closed_text() {
        let text = "a {\n  x = = 1\n}\n\nb = 2\n";
        let failed_at = text.find("= 1").expect("error spot");
        assert_eq!(resume_point(text, 0, failed_at), text.find("b = 2"));
        // Not on the failing line itself, even when an item starts later on it.
        assert_eq!(resume_point("x = = 1 b = 2\n", 0, 4), None);
        // Indented lines are not top-level items.
        assert_eq!(resume_point("a {\n  x = = 1\n  b {}\n", 0, 10), None);
        // A string left open past the candidate line.
        assert_eq!(resume_point("a = \"${x\nb = 1\n", 0, 8), None);
        assert!(starts_item("resource \"a\" \"b\" {\n"));
        assert!(starts_item("locals {}\n"));
        assert!(starts_item("x_1-y = 3\n"));
        assert!(starts_item("module m {\n"));
        assert!(!starts_item("x == 3\n"));
        assert!(!starts_item("}\n"));
        assert!(!starts_item("  a = 1\n"));
        assert!(!starts_item("# a = 1\n"));
        assert!(!starts_item("EOT\n"));
    }

    #[test]
    fn split_points_are_after_a_closing_brace_line() {
        let text = "a {\n  b {\n  }\n}\nc {}\n";
        assert_eq!(split_point(text, 0), Some(text.find("c {").expect("c")));
        assert_eq!(split_point("a {\n}", 0), None, "nothing after the brace");
        assert_eq!(split_point("a {\r\n}\r\nb {}\n", 0), Some(8));
    }

    #[test]
    fn inputs_over_u32_max_bytes_are_refused() {
        let limit = u32::MAX as usize;
        assert!(check_len(limit).is_ok());
        let err = check_len(limit + 1).expect_err("too large");
        assert_eq!(err.0[0].code, "scw::parse::too_large");
    }
}
