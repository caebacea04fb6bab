//! The canonical formatter: prints `.tf` text exactly as `terraform fmt` does.
//!
//! `terraform fmt` is HashiCorp's `hclwrite` formatter (whitespace decided token by token:
//! indentation by bracket nesting, spacing by neighbouring token kinds, `=` and end-of-line
//! comments aligned across consecutive lines) plus a few rewrites of Terraform's own
//! (interpolation-only strings unwrapped, legacy `variable` types, quoted block labels).
//! This module reproduces both, in three passes over a token stream:
//! [`lexer`] (the token kinds of `hclsyntax`), `rewrite` (Terraform's rewrites) and `layout`
//! (`hclwrite`'s rules).
//!
//! Invariants: the output depends only on the input text; only whitespace between tokens
//! changes, plus the rewrites above; string contents, heredoc bodies and comments are kept
//! byte for byte (line endings included, so CRLF files stay CRLF); on text that parses,
//! formatting formatted text changes nothing (the property tests in `tests/it/fmt_props.rs`
//! check it). Any text is accepted without panicking, but the result is only meaningful for
//! text that parses: callers check that first (the CLI does, with [`crate::parse`]).
//!
//! Text nested deeper than the parser accepts is returned unchanged, so formatting is linear
//! in the input and never recurses deeper than [`crate::parse::MAX_DEPTH`] levels.
//!
//! Depends on nothing else in the crate, except [`meaning`], which compares syntax trees
//! ([`crate::parse::ast`]), and the parser's depth limit.

mod layout;
pub mod lexer;
pub mod meaning;
mod rewrite;

use layout::Texts;

/// Formats `.tf` (or `.tfvars`) source text the way `terraform fmt` does.
///
/// Text longer than `u32::MAX` bytes is returned unchanged.
#[must_use]
pub fn format_source(src: &str) -> String {
    if u32::try_from(src.len()).is_err() {
        return src.to_owned();
    }
    let tokens = lexer::tokenize(src);
    if too_deep(&tokens) {
        return src.to_owned();
    }
    // Blanks before the end of input are the only spaces kept from the source; they are
    // measured in bytes, as hclwrite does (so a tab counts as one space).
    let eof_spaces = match tokens.as_slice() {
        [.., prev, eof] => eof.start - prev.end,
        [eof] => eof.start,
        [] => 0,
    };
    let rewrite::Rewritten {
        tokens: mut out_tokens,
        extra,
    } = rewrite::rewrite(src, &tokens);
    drop(tokens);
    let texts = Texts { src, extra: &extra };
    layout::layout(&mut out_tokens, &texts);
    if let Some(last) = out_tokens.last_mut() {
        last.spaces = eof_spaces;
    }
    let mut text = String::with_capacity(src.len() + src.len() / 8);
    for t in &out_tokens {
        for _ in 0..t.spaces {
            text.push(' ');
        }
        text.push_str(texts.get(t));
    }
    text
}

/// Whether brackets nest deeper than the parser accepts ([`crate::parse::MAX_DEPTH`]: each
/// bracket level is at least one level of the syntax tree), so that the text cannot parse.
///
/// Such text is returned as is: indenting it would cost time and output quadratic in the
/// depth (two spaces per level on every line), and the rewrite pass walks nested blocks
/// recursively, so it must only ever see bounded depth.
fn too_deep(tokens: &[lexer::Token]) -> bool {
    let limit = i64::try_from(crate::parse::MAX_DEPTH).unwrap_or(i64::MAX);
    let mut depth = 0i64;
    for t in tokens {
        depth += i64::from(t.kind.bracket_change());
        if depth > limit {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::format_source as f;

    #[test]
    fn aligns_equals_of_consecutive_attributes() {
        assert_eq!(
            f("a=1\nlong_name   =   2\n\nc = 3\n"),
            "a         = 1\nlong_name = 2\n\nc = 3\n"
        );
    }

    #[test]
    fn indents_by_nesting_and_drops_trailing_spaces() {
        assert_eq!(
            f("resource \"x\" \"y\" {\n        a = [   \n1,\n    2]   \n}\n"),
            "resource \"x\" \"y\" {\n  a = [\n    1,\n  2]\n}\n"
        );
    }

    #[test]
    fn aligns_end_of_line_comments() {
        assert_eq!(
            f("a = 1 # one\nbbb = 22 // two\n"),
            "a   = 1  # one\nbbb = 22 // two\n"
        );
    }

    #[test]
    fn spacing_rules_by_token_kind() {
        assert_eq!(f("x = f( a,b ,c... )[ 0 ].y\n"), "x = f(a, b, c...)[0].y\n");
        assert_eq!(f("x = -1 - - 2*3\n"), "x = -1 - -2 * 3\n");
        assert_eq!(f("x = !a&&b\n"), "x = !a && b\n");
        assert_eq!(
            f("x = [for k,v in [1] : k=>v if v!=null]\n"),
            "x = [for k, v in [1] : k => v if v != null]\n"
        );
        assert_eq!(f("x = {a=1}\ny = {}\n"), "x = { a = 1 }\ny = {}\n");
        assert_eq!(
            f("x = \"a ${ b } ${ {c=1} }\"\n"),
            "x = \"a ${b} ${ { c = 1 } }\"\n"
        );
        assert_eq!(f("x = provider::p::f( 1 )\n"), "x = provider::p::f(1)\n");
    }

    #[test]
    fn unwraps_interpolation_only_strings() {
        assert_eq!(f("a = \"${var.x}\"\n"), "a = var.x\n");
        assert_eq!(f("a = \"${var.x}y\"\n"), "a = \"${var.x}y\"\n");
        assert_eq!(f("a = \"${f(\"${b}\")}\"\n"), "a = f(\"${b}\")\n");
        assert_eq!(f("a = \"${a}${b}\"\n"), "a = \"${a}${b}\"\n");
        // Newlines around the expression go; one inside it needs parentheses.
        assert_eq!(f("a = \"${\n  x ? 1 : 2\n}\"\n"), "a = x ? 1 : 2\n");
        assert_eq!(f("a = \"${x ?\n 1 : 2}\"\n"), "a = (x ?\n1 : 2)\n");
        // Object items are expressions, not attributes: left alone.
        assert_eq!(f("a = { b = \"${c}\" }\n"), "a = { b = \"${c}\" }\n");
    }

    #[test]
    fn rewrites_legacy_variable_types() {
        assert_eq!(
            f("variable \"a\" {\n  type = \"list\"\n}\nvariable \"b\" {\n  type = map\n}\n"),
            "variable \"a\" {\n  type = list(string)\n}\nvariable \"b\" {\n  type = map(any)\n}\n"
        );
        assert_eq!(
            f("variable \"a\" {\n  type = \"string\"\n}\n"),
            "variable \"a\" {\n  type = string\n}\n"
        );
        // Only in top-level variable blocks.
        assert_eq!(f("x {\n  type = list\n}\n"), "x {\n  type = list\n}\n");
    }

    #[test]
    fn quotes_block_labels() {
        assert_eq!(
            f("resource aws_x /* c */ y {\n}\n"),
            "resource \"aws_x\" \"y\" {\n}\n"
        );
        assert_eq!(f("a \"\\u0041\" {}\n"), "a \"A\" {}\n");
        // Terraform would drop this label; it is kept.
        assert_eq!(f("a \"x$y\" {}\n"), "a \"x$y\" {}\n");
    }

    #[test]
    fn heredocs_are_left_alone_but_interpolations_inside_are_spaced() {
        let src = "locals {\n  x = <<-EOT\n      keep   this ${ a }\n    EOT\n  y    = 1\n}\n";
        assert_eq!(
            f(src),
            "locals {\n  x = <<-EOT\n      keep   this ${a}\n    EOT\n  y = 1\n}\n"
        );
    }

    #[test]
    fn keeps_crlf_and_trailing_blanks_without_newline() {
        assert_eq!(f("a=1\r\nbb=2\r\n"), "a  = 1\r\nbb = 2\r\n");
        assert_eq!(f("a = 1\n   "), "a = 1\n   ");
        assert_eq!(f("a = 1\n\t"), "a = 1\n ");
    }

    #[test]
    fn single_line_blocks() {
        assert_eq!(f("a   b  {  c = 1  }\n"), "a \"b\" { c = 1 }\n");
    }

    #[test]
    fn formatting_is_idempotent_on_odd_input() {
        for src in [
            "a = [\n1,\n[\n2]]\n",
            "x = {\n  a = 1 # c\n  bb = { c = 2 } // d\n}\n",
            "}}}\n{{{\n",
            "a = \"${\"",
            "/* a\n b */ x = 1\n",
        ] {
            let once = f(src);
            assert_eq!(f(&once), once, "{src:?}");
        }
    }
}

#[cfg(test)]
mod robustness {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Any text, however broken, is formatted without panicking, and only blanks and
        /// Terraform's rewrites differ (so at worst it is left recognisable).
        #[test]
        fn any_text_formats_without_panicking(src in "[ \t\r\na-z0-9_=\"${}%~#/*<>()\\[\\],.:?!&|+-]{0,80}|\\PC{0,40}") {
            let out = super::format_source(&src);
            let strip = |s: &str| s.chars().filter(|c| !matches!(c, ' ' | '\t')).count();
            // Rewrites add at most a few characters per token (quotes around labels,
            // parentheses, `(any)`), and remove at most `"${` / `}"`.
            prop_assert!(strip(&out) <= strip(&src) * 4 + 8);
        }
    }
}
