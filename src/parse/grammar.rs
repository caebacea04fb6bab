//! The pest parser generated from `grammar/hcl.pest` and `grammar/expr.pest`.
//!
//! Only `crate::parse` may use this module: pest types never leave it. The grammar rules and
//! their conventions are documented in the `.pest` files and `grammar/README.md`.

#![allow(missing_docs, clippy::pedantic, unreachable_pub)]

use pest_derive::Parser;

/// The generated HCL parser.
#[derive(Parser)]
#[grammar = "grammar/hcl.pest"]
#[grammar = "grammar/expr.pest"]
pub(crate) struct HclParser;

#[cfg(test)]
mod tests {
    use pest::{consumes_to, fails_with, parses_to};

    use super::{HclParser, Rule};

    #[test]
    fn tokens() {
        parses_to! { parser: HclParser, input: "foo-bar_1", rule: Rule::ident, tokens: [ident(0, 9)] };
        parses_to! { parser: HclParser, input: "é1", rule: Rule::ident, tokens: [ident(0, 3)] };
        parses_to! { parser: HclParser, input: "1.5e-3", rule: Rule::number, tokens: [number(0, 6)] };
        parses_to! { parser: HclParser, input: "null", rule: Rule::keyword, tokens: [keyword(0, 4)] };
        parses_to! { parser: HclParser, input: "p::n::f", rule: Rule::qname, tokens: [qname(0, 7)] };
        parses_to! { parser: HclParser, input: "\"a b\"", rule: Rule::plain_str, tokens: [plain_str(0, 5)] };
        parses_to! { parser: HclParser, input: "# hi", rule: Rule::line_comment, tokens: [line_comment(0, 4)] };
    }

    #[test]
    fn keywords_need_a_word_boundary() {
        fails_with! {
            parser: HclParser, input: "trueish", rule: Rule::keyword,
            positives: vec![Rule::keyword], negatives: vec![], pos: 0
        };
    }

    #[test]
    fn templates() {
        parses_to! {
            parser: HclParser, input: "\"a${b.c}\"", rule: Rule::string,
            tokens: [string(0, 9, [qlit(1, 2), fast_interp(2, 8, [qname(4, 5), dot_step(5, 7)])])]
        };
        parses_to! {
            parser: HclParser, input: "\"${ b~}\"", rule: Rule::string,
            tokens: [string(0, 8, [interp(1, 7, [expr_nl(4, 5, [qname(4, 5)])])])]
        };
        parses_to! {
            parser: HclParser, input: "\"%{if c}x%{endif}\"", rule: Rule::string,
            tokens: [string(0, 18, [qif(1, 17, [
                if_open(1, 8, [expr_nl(6, 7, [qname(6, 7)])]),
                qseq(8, 9, [qlit(8, 9)]),
                endif_tag(9, 17)
            ])])]
        };
        parses_to! {
            parser: HclParser, input: "<<EOT\nhi\nEOT", rule: Rule::heredoc,
            tokens: [heredoc(0, 12, [heredoc_open(0, 5), hlit(6, 8), heredoc_close(8, 12)])]
        };
    }

    #[test]
    fn expressions_are_flat_for_the_pratt_parser() {
        parses_to! {
            parser: HclParser, input: "-a + b.c", rule: Rule::expr,
            tokens: [expr(0, 8, [op_neg(0, 1), qname(1, 2), op_add(3, 4), qname(5, 6), dot_step(6, 8)])]
        };
        parses_to! {
            parser: HclParser, input: "a[*]", rule: Rule::expr,
            tokens: [expr(0, 4, [qname(0, 1), bracket_step(1, 4, [splat_star(2, 3)])])]
        };
        // An inner expression's pair keeps the spaces pest skipped after its last term; the
        // builder takes node spans from the terms, never from `expr` pairs.
        parses_to! {
            parser: HclParser, input: "c ? 1 : 2", rule: Rule::expr,
            tokens: [expr(0, 9, [qname(0, 1), cond(2, 9, [expr(4, 6, [number(4, 5)]), expr(8, 9, [number(8, 9)])])])]
        };
        parses_to! {
            parser: HclParser, input: "f(x...)", rule: Rule::expr,
            tokens: [expr(0, 7, [qname(0, 1), call_args(1, 7, [expr_nl(2, 3, [qname(2, 3)]), ellipsis(3, 6)])])]
        };
    }

    #[test]
    fn body_items() {
        parses_to! {
            parser: HclParser, input: "a = 1\n", rule: Rule::chunk,
            tokens: [chunk(0, 6, [ident(0, 1), fast_tail(2, 6, [number(4, 5)])])]
        };
        parses_to! {
            parser: HclParser, input: "a = 1 + 2\n", rule: Rule::chunk,
            tokens: [chunk(0, 10, [ident(0, 1), attr_tail(2, 9, [expr(4, 9, [number(4, 5), op_add(6, 7), number(8, 9)])])])]
        };
        parses_to! {
            parser: HclParser, input: "b \"l\" {\n}\n", rule: Rule::chunk,
            tokens: [chunk(0, 10, [ident(0, 1), block_tail(2, 10, [label_str(2, 5), lbrace(6, 7), rbrace(8, 9)])])]
        };
    }

    #[test]
    fn whole_file() {
        parses_to! {
            parser: HclParser, input: "a = 1\nb {\n}\n", rule: Rule::file,
            tokens: [file(0, 12, [
                ident(0, 1), fast_tail(2, 6, [number(4, 5)]),
                ident(6, 7), block_tail(8, 12, [lbrace(8, 9), rbrace(10, 11)]),
                EOI(12, 12)
            ])]
        };
    }

    #[test]
    fn attributes_need_a_newline() {
        fails_with! {
            parser: HclParser, input: "a = 1 b = 2\n", rule: Rule::chunk,
            positives: vec![Rule::line_comment, Rule::cond], negatives: vec![], pos: 6
        };
    }
}
