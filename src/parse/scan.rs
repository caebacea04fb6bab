//! A small lexical scanner over HCL source: comments and open delimiters.
//!
//! It knows just enough of the syntax (strings with escapes and nested `${}`, heredocs and their
//! closing lines, comments, brackets) to answer two questions without pest:
//! - where are the comments of a parsed item (the grammar skips them without producing pairs,
//!   which keeps the hot path lean);
//! - what is still open at the spot where pest failed, so that syntax errors can say "this
//!   block is never closed" and point at the right brace.
//!
//! Invariant: on text the grammar accepts, the comments found here are exactly the grammar's
//! comments (tested against crafted strings, heredocs and templates). On broken text it does its
//! best and never panics.
//!
//! Depends on `parse::ast` (comment kinds) only.

use super::ast::CommentKind;

/// What is open at a point of the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Open {
    /// `{` of a block body.
    BlockBrace,
    /// `{` of an object constructor or a `{for ...}`.
    ObjectBrace,
    /// `[`
    Bracket,
    /// `(`
    Paren,
    /// `"` of a quoted template.
    Quote,
    /// `${`
    Interp,
    /// `%{`
    Directive,
    /// `<<EOT`: the marker's byte range follows in the frame.
    Heredoc,
}

/// An opening delimiter and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Frame {
    /// What was opened.
    pub(crate) open: Open,
    /// Byte offset of the opener.
    pub(crate) at: usize,
    /// The opener's length in bytes (for a heredoc: up to the end of the marker).
    pub(crate) len: usize,
    /// For heredocs: the marker's byte range.
    pub(crate) marker: (usize, usize),
}

/// The result of a scan.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// Comments found: kind and byte range.
    pub(crate) comments: Vec<(CommentKind, usize, usize)>,
    /// Delimiters still open where the scan stopped, outermost first.
    pub(crate) stack: Vec<Frame>,
    /// A quoted string that reached the end of its line: (opening quote, line end).
    pub(crate) unterminated_string: Option<(usize, usize)>,
    /// A `/*` never closed.
    pub(crate) unclosed_comment: Option<usize>,
    /// A closing delimiter with nothing open to close: its offset.
    pub(crate) stray_close: Option<usize>,
    /// Whether the scan stopped inside an attribute value at body level (after `=`).
    pub(crate) in_attribute_value: bool,
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b >= 0x80
}

/// Scans `text[from..until]`, starting at body level.
pub(crate) fn scan(text: &str, from: usize, until: usize) -> Scan {
    let bytes = &text.as_bytes()[..until.min(text.len())];
    let mut out = Scan::default();
    let mut i = from;
    // Inside a heredoc, whether we are at the start of a body line.
    let mut line_start = false;
    while i < bytes.len() {
        let top = out.stack.last().map(|f| f.open);
        match top {
            Some(Open::Quote) => {
                match bytes[i] {
                    b'\\' => i += 2,
                    b'"' => {
                        out.stack.pop();
                        i += 1;
                    }
                    b'\n' | b'\r' if bytes[i] == b'\n' || bytes.get(i + 1) == Some(&b'\n') => {
                        let quote = out.stack.pop().map_or(i, |f| f.at);
                        if out.unterminated_string.is_none() {
                            out.unterminated_string = Some((quote, i));
                        }
                    }
                    b @ (b'$' | b'%') => i += template_intro(bytes, i, b, &mut out.stack),
                    _ => i += 1,
                }
                continue;
            }
            Some(Open::Heredoc) => {
                if line_start {
                    line_start = false;
                    let frame = *out.stack.last().expect("top is a heredoc");
                    if let Some(end) = closing_line(bytes, i, &text[frame.marker.0..frame.marker.1])
                    {
                        out.stack.pop();
                        i = end;
                        continue;
                    }
                }
                match bytes[i] {
                    b'\n' => {
                        line_start = true;
                        i += 1;
                    }
                    b @ (b'$' | b'%') => i += template_intro(bytes, i, b, &mut out.stack),
                    _ => i += 1,
                }
                continue;
            }
            _ => {}
        }
        // Code: body level, or inside brackets, interpolations and directives.
        let at_body = matches!(top, None | Some(Open::BlockBrace));
        match bytes[i] {
            b'#' => i = line_comment(bytes, i, 1, CommentKind::Hash, &mut out),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = line_comment(bytes, i, 2, CommentKind::DoubleSlash, &mut out);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                if let Some(rel) = text[i + 2..bytes.len()].find("*/") {
                    let end = i + 2 + rel + 2;
                    out.comments.push((CommentKind::Block, i, end));
                    i = end;
                } else {
                    out.unclosed_comment = Some(i);
                    i = bytes.len();
                }
            }
            b'"' => {
                out.stack.push(frame(Open::Quote, i, 1));
                i += 1;
            }
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                let indented = bytes.get(i + 2) == Some(&b'-');
                let m0 = i + 2 + usize::from(indented);
                let mut m1 = m0;
                while m1 < bytes.len() && is_ident_byte(bytes[m1]) {
                    m1 += 1;
                }
                let mut j = m1;
                while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
                    j += 1;
                }
                let newline = match (bytes.get(j), bytes.get(j + 1)) {
                    (Some(b'\n'), _) => Some(1),
                    (Some(b'\r'), Some(b'\n')) => Some(2),
                    _ => None,
                };
                if let (true, Some(n)) = (m1 > m0, newline) {
                    out.stack.push(Frame {
                        open: Open::Heredoc,
                        at: i,
                        len: m1 - i,
                        marker: (m0, m1),
                    });
                    line_start = true;
                    i = j + n;
                } else {
                    i += 2;
                }
            }
            b'{' => {
                let open = if at_body && !out.in_attribute_value {
                    Open::BlockBrace
                } else {
                    Open::ObjectBrace
                };
                out.stack.push(frame(open, i, 1));
                i += 1;
            }
            b'[' => {
                out.stack.push(frame(Open::Bracket, i, 1));
                i += 1;
            }
            b'(' => {
                out.stack.push(frame(Open::Paren, i, 1));
                i += 1;
            }
            b @ (b'}' | b']' | b')') => {
                let matches = matches!(
                    (b, top),
                    (
                        b'}',
                        Some(Open::BlockBrace | Open::ObjectBrace | Open::Interp | Open::Directive)
                    ) | (b']', Some(Open::Bracket))
                        | (b')', Some(Open::Paren))
                );
                if matches {
                    out.stack.pop();
                } else if out.stray_close.is_none() {
                    out.stray_close = Some(i);
                }
                i += 1;
            }
            b'=' if at_body && bytes.get(i + 1) != Some(&b'=') => {
                out.in_attribute_value = true;
                i += 1;
            }
            b'\n' => {
                if at_body {
                    out.in_attribute_value = false;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

fn frame(open: Open, at: usize, len: usize) -> Frame {
    Frame {
        open,
        at,
        len,
        marker: (0, 0),
    }
}

/// `$` or `%` in a template: opens an interpolation or directive, skips an escaped one.
/// Returns how many bytes to advance.
fn template_intro(bytes: &[u8], i: usize, b: u8, stack: &mut Vec<Frame>) -> usize {
    match (bytes.get(i + 1), bytes.get(i + 2)) {
        (Some(&n), Some(b'{')) if n == b => 3,
        (Some(b'{'), _) => {
            let open = if b == b'$' {
                Open::Interp
            } else {
                Open::Directive
            };
            stack.push(frame(open, i, 2));
            2
        }
        _ => 1,
    }
}

/// A line comment from `i` (marker of `marker_len` bytes) to the end of its line.
fn line_comment(
    bytes: &[u8],
    i: usize,
    marker_len: usize,
    kind: CommentKind,
    out: &mut Scan,
) -> usize {
    let mut end = i + marker_len;
    while end < bytes.len() && bytes[end] != b'\n' {
        end += 1;
    }
    // A CRLF line's comment stops before the CR, as the grammar's does.
    let stop = if end > i && bytes.get(end) == Some(&b'\n') && bytes[end - 1] == b'\r' {
        end - 1
    } else {
        end
    };
    out.comments.push((kind, i, stop));
    stop
}

/// If the heredoc line starting at `i` is the closing line for `marker`, the offset just after
/// the marker and its trailing spaces.
fn closing_line(bytes: &[u8], i: usize, marker: &str) -> Option<usize> {
    let mut j = i;
    while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
        j += 1;
    }
    if !bytes[j..].starts_with(marker.as_bytes()) {
        return None;
    }
    j += marker.len();
    while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
        j += 1;
    }
    match bytes.get(j) {
        None | Some(b'\n') => Some(j),
        Some(b'\r') if bytes.get(j + 1) == Some(&b'\n') => Some(j),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments(src: &str) -> Vec<&str> {
        scan(src, 0, src.len())
            .comments
            .iter()
            .map(|&(_, a, b)| &src[a..b])
            .collect()
    }

    #[test]
    fn finds_each_comment_kind() {
        let src = "# a\nx = 1 // b\r\n/* c\n */ y = [ # d\n 2 /* e */ ]\n";
        assert_eq!(
            comments(src),
            ["# a", "// b", "/* c\n */", "# d", "/* e */"]
        );
    }

    #[test]
    fn ignores_comment_markers_in_strings_and_heredocs() {
        let src = "a = \"# not // a /* comment\"\nb = \"${\"#x\"} \\\" # y\"\nc = <<EOT\n# no\n${x} // no\nEOT\n# yes\n";
        assert_eq!(comments(src), ["# yes"]);
    }

    #[test]
    fn finds_comments_inside_interpolations() {
        let src = "a = \"${ x /* in */ }\"\n";
        assert_eq!(comments(src), ["/* in */"]);
    }

    #[test]
    fn reports_what_is_left_open() {
        let src = "resource \"a\" \"b\" {\n  x = {\n    y = [1,\n";
        let s = scan(src, 0, src.len());
        let opens: Vec<_> = s.stack.iter().map(|f| f.open).collect();
        assert_eq!(opens, [Open::BlockBrace, Open::ObjectBrace, Open::Bracket]);
    }

    #[test]
    fn reports_an_unterminated_string() {
        let src = "a = \"abc\nb = 1\n";
        let s = scan(src, 0, src.len());
        assert_eq!(s.unterminated_string, Some((4, 8)));
        assert!(s.stack.is_empty());
    }

    #[test]
    fn closes_heredocs_on_their_marker_line() {
        let src = "a = <<-EOT\n  EOTX\n  EOT\nb = {\n";
        let s = scan(src, 0, src.len());
        let opens: Vec<_> = s.stack.iter().map(|f| f.open).collect();
        assert_eq!(opens, [Open::ObjectBrace]);
    }
}
