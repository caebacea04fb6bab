//! Parser behaviour: shared fixtures, structure and newline rules, spans of every node kind,
//! templates and heredocs, operator precedence, syntax errors (snapshots), deep nesting.

use scwform::diag::{FileId, SourceMap, Span, render_plain};
use scwform::parse::ast::{
    CommentKind, Expr, ExprKind, ObjectKey, Step, StepKind, Structure, Template, TemplatePart,
    UnaryOp,
};
use scwform::parse::{parse_expression, parse_source};

use crate::common;

fn text(src: &str, span: Span) -> &str {
    &src[span.range()]
}

/// The expression of the only attribute of `x = <value>`.
fn value(value: &str) -> Expr {
    let src = format!("x = {value}\n");
    let file = parse_source(&src, FileId(0)).unwrap_or_else(|d| panic!("{src:?}: {:?}", d.0));
    let Structure::Attribute(attr) = file.body.items.into_iter().next().expect("one item") else {
        panic!("not an attribute")
    };
    attr.expr
}

/// A compact prefix notation for operator tests.
fn sexpr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Variable(i) => i.name.clone(),
        ExprKind::Number(n) => n.to_string(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Null => "null".into(),
        ExprKind::Unary { op, operand } => {
            let op = if *op == UnaryOp::Neg { "neg" } else { "!" };
            format!("({op} {})", sexpr(operand))
        }
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", op.as_str(), sexpr(lhs), sexpr(rhs))
        }
        ExprKind::Conditional {
            cond,
            then,
            otherwise,
        } => format!("(? {} {} {})", sexpr(cond), sexpr(then), sexpr(otherwise)),
        ExprKind::Parens(inner) => format!("[{}]", sexpr(inner)),
        ExprKind::Traversal { root, steps } => {
            format!(
                "{}{}",
                sexpr(root),
                steps.iter().map(step).collect::<String>()
            )
        }
        ExprKind::Call(c) => format!(
            "{}({}{})",
            c.name.name,
            c.args.iter().map(sexpr).collect::<Vec<_>>().join(", "),
            if c.expand_final { "..." } else { "" }
        ),
        ExprKind::Template(t) => format!("{:?}", literal(t)),
        other => format!("{other:?}"),
    }
}

fn step(s: &Step) -> String {
    match &s.kind {
        StepKind::GetAttr(i) => format!(".{}", i.name),
        StepKind::Index(e) => format!("[{}]", sexpr(e)),
        StepKind::LegacyIndex(n) => format!(".#{n}"),
        StepKind::Splat { full, each } => format!(
            "{}{{{}}}",
            if *full { "[*]" } else { ".*" },
            each.iter().map(step).collect::<String>()
        ),
    }
}

fn literal(t: &Template) -> String {
    t.as_literal().expect("a literal template")
}

fn template(value_src: &str) -> Template {
    match value(value_src).kind {
        ExprKind::Template(t) => t,
        other => panic!("not a template: {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Shared fixtures

#[test]
#[allow(clippy::print_stderr)]
fn every_shared_fixture_parses() {
    let Some(shared) = common::shared_dir("shared HCL fixtures") else {
        return;
    };
    let dir = shared.join("fixtures/hcl/input");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures dir is readable")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    paths.sort();
    let mut failures = Vec::new();
    for path in &paths {
        let src = std::fs::read_to_string(path).expect("fixture is UTF-8");
        if let Err(d) = parse_source(&src, FileId(0)) {
            failures.push(format!("{}: {:?}", path.display(), d.0));
        }
    }
    eprintln!(
        "parsed {} of {} shared fixtures",
        paths.len() - failures.len(),
        paths.len()
    );
    assert!(
        paths.len() > 100,
        "expected the shared corpus, found {}",
        paths.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Structure and newline rules

#[test]
fn parses_blocks_labels_and_attributes() {
    let src = "resource \"scaleway_account_project\" main {\n  name = \"p\"\n  inner {\n    a = 1\n  }\n}\n";
    let file = parse_source(src, FileId(0)).expect("valid");
    let block = file.body.blocks().next().expect("a block");
    assert_eq!(block.ident.name, "resource");
    let labels: Vec<_> = block
        .labels
        .iter()
        .map(|l| (l.value.as_str(), l.quoted))
        .collect();
    assert_eq!(
        labels,
        [("scaleway_account_project", true), ("main", false)]
    );
    assert_eq!(block.body.attributes().count(), 1);
    assert_eq!(
        block.body.blocks().next().expect("nested").ident.name,
        "inner"
    );
}

#[test]
fn one_line_blocks_hold_at_most_one_attribute() {
    let file = parse_source("a \"b\" { x = 1 }\nc {}\nd { }\n", FileId(0)).expect("valid");
    let blocks: Vec<_> = file.body.blocks().collect();
    assert_eq!(blocks.len(), 3);
    assert_eq!(blocks[0].body.items.len(), 1);
    assert!(blocks[1].body.items.is_empty());
    assert!(parse_source("a { x = 1 y = 2 }\n", FileId(0)).is_err());
    assert!(parse_source("a { x = 1\n}\n", FileId(0)).is_err());
}

#[test]
fn attributes_end_at_a_newline_but_not_inside_brackets() {
    assert!(parse_source("a = 1 b = 2\n", FileId(0)).is_err());
    assert!(parse_source("a = 1\n+ 2\n", FileId(0)).is_err());
    assert!(parse_source("a = x ?\n 1 : 2\n", FileId(0)).is_err());
    let e = value("(x\n  ? 1\n  : 2\n)");
    assert_eq!(sexpr(&e), "[(? x 1 2)]");
    let e = value("[\n  1,\n  # one\n  2 +\n  3\n]");
    let ExprKind::Tuple(items) = e.kind else {
        panic!("tuple")
    };
    assert_eq!(items.len(), 2);
    let e = value("f(\n  a,\n  b\n)");
    assert_eq!(sexpr(&e), "f(a, b)");
}

#[test]
fn objects_separate_items_by_commas_or_newlines() {
    let e = value("{\n  a = 1\n  b : 2,\n  \"c\" = 3, (d) = 4\n  e.f = 5,\n}");
    let ExprKind::Object(items) = e.kind else {
        panic!("object")
    };
    let keys: Vec<_> = items
        .iter()
        .map(|i| match &i.key {
            ObjectKey::Ident(id) => format!("ident {}", id.name),
            ObjectKey::Expr(e) => format!("expr {}", sexpr(e)),
        })
        .collect();
    assert_eq!(
        keys,
        ["ident a", "ident b", "expr \"c\"", "expr [d]", "expr e.f"]
    );
    // Inside an object, a newline still ends an item's value.
    assert!(parse_source("x = {\n a = 1\n + 2\n}\n", FileId(0)).is_err());
    assert!(parse_source("x = { a = 1 b = 2 }\n", FileId(0)).is_err());
}

#[test]
fn comments_are_kept_with_spans_and_kinds() {
    let src =
        "# one\nx = 1 // two\n/* three\n */ y = [ # four\n  2, /* five */\n]\nz = \"# not\"\n";
    let file = parse_source(src, FileId(0)).expect("valid");
    let found: Vec<_> = file
        .comments
        .iter()
        .map(|c| (c.kind, text(src, c.span)))
        .collect();
    assert_eq!(
        found,
        [
            (CommentKind::Hash, "# one"),
            (CommentKind::DoubleSlash, "// two"),
            (CommentKind::Block, "/* three\n */"),
            (CommentKind::Hash, "# four"),
            (CommentKind::Block, "/* five */"),
        ]
    );
}

#[test]
fn crlf_line_endings_are_newlines() {
    let src = "a = 1\r\nb {\r\n  c = \"x\" # note\r\n}\r\n";
    let file = parse_source(src, FileId(0)).expect("valid");
    assert_eq!(file.body.items.len(), 2);
    assert_eq!(text(src, file.comments[0].span), "# note");
}

#[test]
fn empty_and_comment_only_files_parse() {
    for src in ["", "\n\n", "# just a comment", "/* c */\n// d\n"] {
        let file = parse_source(src, FileId(0)).expect(src);
        assert!(file.body.items.is_empty());
    }
}

// ---------------------------------------------------------------------------------------------
// Literals and expressions

#[test]
fn literals_have_final_values() {
    assert_eq!(
        value("1.5e3").kind,
        ExprKind::Number(scwform::number::Number::from_f64(1500.0))
    );
    assert_eq!(
        value("42").kind,
        ExprKind::Number(scwform::number::Number::from_f64(42.0))
    );
    assert_eq!(value("true").kind, ExprKind::Bool(true));
    assert_eq!(value("null").kind, ExprKind::Null);
    assert_eq!(sexpr(&value("nullable")), "nullable");
    assert_eq!(
        literal(&template(r#""a\n\t\"\\ \u00e9 \U0001F600 $${x} %%{y}""#)),
        "a\n\t\"\\ é 😀 ${x} %{y}"
    );
    assert_eq!(literal(&template("\"100%\"")), "100%");
    assert_eq!(literal(&template("\"$$ and $\"")), "$$ and $");
}

#[test]
fn operators_follow_hcl_precedence_and_associativity() {
    let cases = [
        ("a - b - c", "(- (- a b) c)"),
        ("a || b && c", "(|| a (&& b c))"),
        ("!a == b", "(== (! a) b)"),
        ("-x * y", "(* (neg x) y)"),
        ("a + b * c % d", "(+ a (% (* b c) d))"),
        ("a < b == c >= d", "(== (< a b) (>= c d))"),
        ("a / b * c", "(* (/ a b) c)"),
        ("-a.b[0]", "(neg a.b[0])"),
        ("a ? b : c ? d : e", "(? a b (? c d e))"),
        ("a == 1 ? b + 1 : c", "(? (== a 1) (+ b 1) c)"),
        ("(a + b) * c", "(* [(+ a b)] c)"),
        ("!!a", "(! (! a))"),
    ];
    for (src, want) in cases {
        assert_eq!(sexpr(&value(src)), want, "{src}");
    }
}

#[test]
fn traversals_splats_and_calls() {
    let cases = [
        ("a.b[0].c", "a.b[0].c"),
        ("a.0.b", "a.#0.b"),
        ("a.*.b.c[0]", "a.*{.b.c}[0]"),
        ("a[*].b[0].c", "a[*]{.b[0].c}"),
        ("a[*].b.*.c[1]", "a[*]{.b.*{.c}[1]}"),
        ("f(x)[0]", "f(x)[0]"),
        ("f(a, b...)", "f(a, b...)"),
        ("f()", "f()"),
        ("provider::ns::fn(1)", "provider::ns::fn(1)"),
        ("a[b.c]", "a[b.c]"),
    ];
    for (src, want) in cases {
        assert_eq!(sexpr(&value(src)), want, "{src}");
    }
    assert!(parse_source("x = provider::ns::fn\n", FileId(0)).is_err());
}

#[test]
fn for_expressions_in_both_forms() {
    let ExprKind::For(f) = value("[for i, v in xs : v * 2 if i < 3]").kind else {
        panic!("for")
    };
    assert_eq!(f.key_var.as_ref().map(|k| k.name.as_str()), Some("i"));
    assert_eq!(f.value_var.name, "v");
    assert_eq!(sexpr(&f.collection), "xs");
    assert!(f.key_expr.is_none());
    assert_eq!(sexpr(&f.value_expr), "(* v 2)");
    assert_eq!(f.cond.as_ref().map(sexpr).as_deref(), Some("(< i 3)"));

    let ExprKind::For(f) = value("{\n  for k, v in m :\n  k => v...\n  if v != null\n}").kind
    else {
        panic!("for")
    };
    assert_eq!(f.key_expr.as_ref().map(sexpr).as_deref(), Some("k"));
    assert!(f.group);
    assert_eq!(f.cond.as_ref().map(sexpr).as_deref(), Some("(!= v null)"));

    // `for_each` is a name, not the keyword.
    assert!(matches!(value("[for_each]").kind, ExprKind::Tuple(_)));
}

#[test]
fn parse_expression_reads_a_lone_value() {
    let e = parse_expression("[\n\"a\",\n  1 + 2]", FileId(0)).expect("valid");
    assert!(matches!(e.kind, ExprKind::Tuple(ref items) if items.len() == 2));
    assert!(parse_expression("list(string)", FileId(0)).is_ok());
    assert!(parse_expression("1 +", FileId(0)).is_err());
}

// ---------------------------------------------------------------------------------------------
// Templates and heredocs

#[test]
fn interpolations_and_strip_markers() {
    let t = template("\"a ${x} b\"");
    assert_eq!(t.parts.len(), 3);
    let t = template("\"hello ${~ \"world\" }\"");
    let TemplatePart::Literal { value, .. } = &t.parts[0] else {
        panic!("literal")
    };
    assert_eq!(value, "hello");
    let t = template("\"%{ if true ~} hello %{~ endif }\"");
    let TemplatePart::If {
        then, otherwise, ..
    } = &t.parts[0]
    else {
        panic!("if")
    };
    assert!(otherwise.is_empty());
    let TemplatePart::Literal { value, .. } = &then[0] else {
        panic!("literal")
    };
    assert_eq!(value, "hello");
    // Stripping is syntactic: the value of an interpolation is never stripped.
    let t = template("\"${\"hello \" ~}${\" world\"}\"");
    assert_eq!(t.parts.len(), 2);
}

#[test]
fn directives_may_hold_quoted_strings() {
    let t = template("\"%{ if a == \"b\" }yes%{ else }no%{ endif }\"");
    let TemplatePart::If { cond, .. } = &t.parts[0] else {
        panic!("if")
    };
    assert_eq!(sexpr(cond), "(== a \"b\")");
    let t = template("\"%{ for x in [\"a\"] }${x}%{ endfor }\"");
    assert!(matches!(t.parts[0], TemplatePart::For { .. }));
    assert_eq!(literal(&template("\"100% sure\"")), "100% sure");
}

#[test]
fn directives_nest_if_else_and_for() {
    let t = template("\"%{ for k, v in m }${k}=%{ if v }yes%{ else }no%{ endif };%{ endfor }\"");
    let TemplatePart::For {
        key_var,
        value_var,
        body,
        ..
    } = &t.parts[0]
    else {
        panic!("for")
    };
    assert_eq!(key_var.as_ref().map(|k| k.name.as_str()), Some("k"));
    assert_eq!(value_var.name, "v");
    assert_eq!(body.len(), 4);
    let TemplatePart::If {
        then, otherwise, ..
    } = &body[2]
    else {
        panic!("if")
    };
    assert_eq!(then.len(), 1);
    assert_eq!(otherwise.len(), 1);
}

#[test]
fn heredocs_keep_text_and_interpolate() {
    let t = template("<<EOT\nhello ${name}\n  \\n is literal\nEOT");
    let heredoc = t.heredoc.as_ref().expect("heredoc");
    assert_eq!(heredoc.marker, "EOT");
    assert!(!heredoc.indented);
    assert_eq!(t.parts.len(), 3);
    let TemplatePart::Literal { value, .. } = &t.parts[2] else {
        panic!("literal")
    };
    assert_eq!(value, "\n  \\n is literal\n");
    assert_eq!(literal(&template("<<EOT\nEOT")), "");
    assert_eq!(literal(&template("<<EOT\n\nEOT")), "\n");
    assert_eq!(literal(&template("<<EOT\nEOTX\n EOT")), "EOTX\n");
    assert_eq!(literal(&template("<<EOT\n$${x}\nEOT")), "${x}\n");
}

#[test]
fn indented_heredocs_remove_the_common_indentation() {
    assert_eq!(
        literal(&template("<<-EOT\n    a\n      b\n\n    c\n    EOT")),
        "a\n  b\n\nc\n"
    );
    // Blank lines keep their spaces and do not count.
    assert_eq!(
        literal(&template("<<-EOT\n    a\n  \n    b\n  EOT")),
        "a\n  \nb\n"
    );
    // A line that starts with an interpolation has no indentation, so nothing is removed.
    let t = template("<<-EOT\n  a\n${x}\n  EOT");
    let TemplatePart::Literal { value, .. } = &t.parts[0] else {
        panic!("literal")
    };
    assert_eq!(value, "  a\n");
    // Indentation before an interpolation counts.
    let t = template("<<-EOT\n    a\n    ${x}\n  EOT");
    let TemplatePart::Literal { value, .. } = &t.parts[0] else {
        panic!("literal")
    };
    assert_eq!(value, "a\n");
}

#[test]
fn heredocs_inside_calls_and_nested_heredocs() {
    let e = value("jsonencode(<<EOT\n{\"a\": 1}\nEOT\n)");
    assert_eq!(sexpr(&e), "jsonencode(\"{\\\"a\\\": 1}\\n\")");
    let t = template("<<A\nx ${<<B\ninner\nB\n} y\nA");
    assert_eq!(t.parts.len(), 3);
}

// ---------------------------------------------------------------------------------------------
// Spans

#[test]
fn every_node_kind_has_the_right_span() {
    let src = r#"resource "t" n {
  a = -x.y[0] + f(1, "s${v}") * 2
  b = c ? [1, 2] : {k = true, (d) = null}
  d = [for i in l : i if i]
  e = <<-EOT
    h ${z}
  EOT
  f = a[*].b
  g = "%{ if c }y%{ endif }"
}
"#;
    let file = parse_source(src, FileId(0)).expect("valid");
    let block = file.body.blocks().next().expect("block");
    assert_eq!(text(src, block.span), src.trim_end());
    assert_eq!(text(src, block.ident.span), "resource");
    assert_eq!(text(src, block.labels[0].span), "\"t\"");
    assert_eq!(text(src, block.labels[1].span), "n");
    assert_eq!(text(src, block.open_brace), "{");
    assert_eq!(text(src, block.close_brace), "}");
    let attrs: Vec<_> = block.body.attributes().collect();
    assert_eq!(text(src, block.body.span), &src[19..src.len() - 3]);
    assert_eq!(
        text(src, attrs[0].span),
        "a = -x.y[0] + f(1, \"s${v}\") * 2"
    );
    assert_eq!(text(src, attrs[0].name.span), "a");

    let ExprKind::Binary { lhs, rhs, .. } = &attrs[0].expr.kind else {
        panic!("binary")
    };
    assert_eq!(
        text(src, attrs[0].expr.span),
        "-x.y[0] + f(1, \"s${v}\") * 2"
    );
    assert_eq!(text(src, lhs.span), "-x.y[0]");
    let ExprKind::Unary { operand, .. } = &lhs.kind else {
        panic!("unary")
    };
    assert_eq!(text(src, operand.span), "x.y[0]");
    let ExprKind::Traversal { root, steps } = &operand.kind else {
        panic!("traversal")
    };
    assert_eq!(text(src, root.span), "x");
    assert_eq!(text(src, steps[0].span), ".y");
    assert_eq!(text(src, steps[1].span), "[0]");
    let StepKind::GetAttr(y) = &steps[0].kind else {
        panic!("attr")
    };
    assert_eq!(text(src, y.span), "y");
    let StepKind::Index(zero) = &steps[1].kind else {
        panic!("index")
    };
    assert_eq!(text(src, zero.span), "0");
    assert_eq!(text(src, rhs.span), "f(1, \"s${v}\") * 2");
    let ExprKind::Binary { lhs: call, .. } = &rhs.kind else {
        panic!("binary")
    };
    assert_eq!(text(src, call.span), "f(1, \"s${v}\")");
    let ExprKind::Call(c) = &call.kind else {
        panic!("call")
    };
    assert_eq!(text(src, c.name.span), "f");
    assert_eq!(text(src, c.args[1].span), "\"s${v}\"");
    let ExprKind::Template(t) = &c.args[1].kind else {
        panic!("template")
    };
    let spans: Vec<_> = t
        .parts
        .iter()
        .map(|p| match p {
            TemplatePart::Literal { span, .. } | TemplatePart::Interpolation { span, .. } => {
                text(src, *span)
            }
            _ => "?",
        })
        .collect();
    assert_eq!(spans, ["s", "${v}"]);

    let ExprKind::Conditional {
        cond,
        then,
        otherwise,
    } = &attrs[1].expr.kind
    else {
        panic!("conditional")
    };
    assert_eq!(
        text(src, attrs[1].expr.span),
        "c ? [1, 2] : {k = true, (d) = null}"
    );
    assert_eq!(text(src, cond.span), "c");
    assert_eq!(text(src, then.span), "[1, 2]");
    let ExprKind::Object(items) = &otherwise.kind else {
        panic!("object")
    };
    assert_eq!(text(src, items[0].key.span()), "k");
    assert_eq!(text(src, items[0].value.span), "true");
    assert_eq!(text(src, items[1].key.span()), "(d)");

    let ExprKind::For(f) = &attrs[2].expr.kind else {
        panic!("for")
    };
    assert_eq!(text(src, attrs[2].expr.span), "[for i in l : i if i]");
    assert_eq!(text(src, f.value_var.span), "i");
    assert_eq!(text(src, f.collection.span), "l");

    let ExprKind::Template(t) = &attrs[3].expr.kind else {
        panic!("heredoc")
    };
    assert_eq!(text(src, attrs[3].expr.span), "<<-EOT\n    h ${z}\n  EOT");
    let TemplatePart::Literal { value, span } = &t.parts[0] else {
        panic!("literal")
    };
    assert_eq!((value.as_str(), text(src, *span)), ("h ", "h "));
    let TemplatePart::Literal { value, span } = &t.parts[2] else {
        panic!("literal")
    };
    assert_eq!((value.as_str(), text(src, *span)), ("\n", "\n"));

    let ExprKind::Traversal { steps, .. } = &attrs[4].expr.kind else {
        panic!("splat")
    };
    assert_eq!(text(src, steps[0].span), "[*]");
    let StepKind::Splat { each, .. } = &steps[0].kind else {
        panic!("splat")
    };
    assert_eq!(text(src, each[0].span), ".b");

    let ExprKind::Template(t) = &attrs[5].expr.kind else {
        panic!("template")
    };
    let TemplatePart::If { span, cond, .. } = &t.parts[0] else {
        panic!("if")
    };
    assert_eq!(text(src, *span), "%{ if c }y%{ endif }");
    assert_eq!(text(src, cond.span), "c");
    assert_eq!(text(src, file.body.span), src.trim_end());
}

#[test]
fn spans_are_file_offsets_across_top_level_items() {
    let src = "a = 1\n\n# c\nb = \"x\"\nblk {\n}\n";
    let file = parse_source(src, FileId(3)).expect("valid");
    let spans: Vec<_> = file
        .body
        .items
        .iter()
        .map(|i| match i {
            Structure::Attribute(a) => text(src, a.span),
            Structure::Block(b) => text(src, b.span),
        })
        .collect();
    assert_eq!(spans, ["a = 1", "b = \"x\"", "blk {\n}"]);
    assert!(file.body.items.iter().all(|i| match i {
        Structure::Attribute(a) => a.span.file == FileId(3),
        Structure::Block(b) => b.span.file == FileId(3),
    }));
    assert_eq!(text(src, file.comments[0].span), "# c");
}

// ---------------------------------------------------------------------------------------------
// Errors

fn rendered(src: &str) -> String {
    let mut map = SourceMap::new();
    let id = map.add("main.tf", None, src);
    let diagnostics = parse_source(src, id).expect_err("invalid input");
    // Each snapshot shows how many errors there are; none may name a grammar rule.
    for d in &diagnostics.0 {
        assert!(
            !d.summary.contains("rule"),
            "rule names leaked: {}",
            d.summary
        );
    }
    render_plain(&diagnostics, &map)
}

fn code_of(src: &str) -> &'static str {
    parse_source(src, FileId(0)).expect_err(src).0[0].code
}

#[test]
fn error_kinds_have_stable_codes() {
    let cases = [
        ("x {\n  a = 1\n", "scw::parse::unclosed_block"),
        ("a = \"abc\nb = 1\n", "scw::parse::unterminated_string"),
        ("a = \"x${y}\n", "scw::parse::unterminated_string"),
        ("a = \"\\q\"\n", "scw::parse::invalid_escape"),
        ("a = \"\\u12\"\n", "scw::parse::invalid_escape"),
        ("a = \"${x} \\d\"\n", "scw::parse::invalid_escape"),
        ("foo\n", "scw::parse::unexpected_token"),
        ("}\n", "scw::parse::unexpected_token"),
        ("a = 1 b = 2\n", "scw::parse::missing_newline"),
        ("a = \n", "scw::parse::expected_expression"),
        ("x = [1, 2\n", "scw::parse::unclosed_delimiter"),
        ("x = <<EOT\nabc\n", "scw::parse::unterminated_heredoc"),
        ("x = 1 /* never", "scw::parse::unterminated_comment"),
        ("\u{feff}a = 1\n", "scw::parse::unexpected_token"),
        ("b \"${x}\" {\n}\n", "scw::parse::unexpected_token"),
    ];
    for (src, code) in cases {
        assert_eq!(code_of(src), code, "{src:?}");
    }
}

#[test]
fn error_labels_point_at_the_exact_spot() {
    let src = "resource \"a\" \"b\" {\n  name = \"x\"\n";
    let d = &parse_source(src, FileId(0)).expect_err("unclosed").0[0];
    let primary = d.primary_span().expect("a label");
    assert_eq!(primary.start as usize, src.find('{').expect("brace"));
    assert!(d.labels.iter().any(|l| l.span.start as usize == src.len()));

    let src = "a = \"a\\zb\"\n";
    let d = &parse_source(src, FileId(0)).expect_err("escape").0[0];
    assert_eq!(text(src, d.primary_span().expect("label")), "\\z");
}

#[test]
fn unclosed_block_is_rendered_in_words() {
    insta::assert_snapshot!(rendered(
        "resource \"scaleway_account_project\" \"main\" {\n  name = \"demo\"\n"
    ));
}

#[test]
fn missing_equals_is_rendered_in_words() {
    insta::assert_snapshot!(rendered("locals {\n  region \"fr-par\"\n}\n"));
}

#[test]
fn unterminated_string_is_rendered_in_words() {
    insta::assert_snapshot!(rendered("variable \"env\" {\n  default = \"prod\n}\n"));
}

#[test]
fn invalid_escape_is_rendered_in_words() {
    insta::assert_snapshot!(rendered("x = \"C:\\temp\\new\\dir\"\n"));
}

#[test]
fn missing_newline_is_rendered_in_words() {
    insta::assert_snapshot!(rendered("a = 1 b = 2\n"));
}

#[test]
fn list_missing_comma_is_rendered_in_words() {
    insta::assert_snapshot!(rendered("tags = [\"a\" \"b\"]\n"));
}

/// The code and 1-based line of each syntax error in `src`.
fn errors_by_line(src: &str) -> Vec<(&'static str, usize)> {
    parse_source(src, FileId(0))
        .expect_err(src)
        .0
        .iter()
        .map(|d| {
            let at = d.primary_span().expect("a label").start as usize;
            (d.code, src[..at].matches('\n').count() + 1)
        })
        .collect()
}

#[test]
fn independent_errors_in_three_blocks_are_all_reported_at_their_lines() {
    let src = "resource \"a\" \"one\" {\n  name = = \"x\"\n}\n\n# second\nlocals {\n  ok = 1\n  tags = [\"a\" \"b\"]\n}\nvariable \"v\" {\n  default = \"open\n}\nlocals {\n  fine = true\n}\n";
    assert_eq!(
        errors_by_line(src),
        [
            ("scw::parse::expected_expression", 2),
            ("scw::parse::unexpected_token", 8),
            ("scw::parse::unterminated_string", 11),
        ]
    );
}

#[test]
fn an_unclosed_parenthesis_does_not_hide_the_next_blocks_error() {
    // The `}` at column 0 ends the block even though the `(` is never closed.
    let src = "a {\n  x = (1 +\n}\n\n// next\nb {\n  y = = 2\n}\n";
    assert_eq!(
        errors_by_line(src),
        [
            ("scw::parse::unexpected_token", 3),
            ("scw::parse::expected_expression", 7),
        ]
    );
}

#[test]
fn no_error_is_reported_from_text_that_recovery_would_misread() {
    // Resuming at `b {` would land inside the heredoc and report `EOT` as a broken item.
    let in_heredoc = "a {\n  x = = 1\n  h = <<EOT\n}\nb {\nEOT\n}\n";
    assert_eq!(
        errors_by_line(in_heredoc),
        [("scw::parse::expected_expression", 2)]
    );
    // The `}` at column 0 closes the inner block, so `c = 2` is still inside `a`; resuming
    // there would report the last `}` as unexpected.
    let inner_close = "a {\n  x = = 1\n  b {\n}\nc = 2\n}\n";
    assert_eq!(
        errors_by_line(inner_close),
        [("scw::parse::expected_expression", 2)]
    );
    // An object left open: the `}` may close it rather than the block.
    let open_object = "a {\n  x = {\n    y = = 1\n}\nb = }\n";
    assert_eq!(
        errors_by_line(open_object),
        [("scw::parse::expected_expression", 3)]
    );
    // Inside a `/* */` comment that the error hid.
    let in_comment = "a {\n  x = = 1 /*\n}\nb = }\n*/\n}\n";
    assert_eq!(
        errors_by_line(in_comment),
        [("scw::parse::expected_expression", 2)]
    );
}

#[test]
fn at_most_ten_syntax_errors_are_reported_per_file() {
    let src = "b {\n  x = = 1\n}\n".repeat(12);
    let lines: Vec<usize> = errors_by_line(&src).iter().map(|&(_, l)| l).collect();
    assert_eq!(lines, (0..10).map(|i| 3 * i + 2).collect::<Vec<_>>());
}

#[test]
fn several_syntax_errors_are_rendered_in_words() {
    insta::assert_snapshot!(rendered(
        "locals {\n  region \"fr-par\"\n}\n\nvariable \"env\" {\n  default = \"prod\n}\n"
    ));
}

// ---------------------------------------------------------------------------------------------
// Deep nesting

fn nested(kind: &str, depth: usize, closed: bool) -> String {
    let (open, close) = match kind {
        "object" => ("{a = ", "}"),
        "tuple" => ("[", "]"),
        "call" => ("f(", ")"),
        _ => ("\"${", "}\""),
    };
    let mut s = format!("x = {}1", open.repeat(depth));
    if closed {
        s.push_str(&close.repeat(depth));
    }
    s.push('\n');
    s
}

#[test]
fn deep_nesting_200_levels_parses_when_closed_and_fails_when_not() {
    for kind in ["object", "tuple", "call", "template"] {
        let ok = nested(kind, 200, true);
        parse_source(&ok, FileId(0)).unwrap_or_else(|d| panic!("{kind}: {:?}", d.0[0].summary));
        let err = parse_source(&nested(kind, 200, false), FileId(0)).expect_err(kind);
        assert!(err.0[0].code.starts_with("scw::parse::"), "{kind}");
    }
}

#[test]
fn absurdly_deep_nesting_is_refused_not_a_crash() {
    for kind in ["object", "tuple", "call", "template"] {
        for closed in [true, false] {
            let src = nested(kind, 1_500, closed);
            let err = parse_source(&src, FileId(0)).expect_err(kind);
            assert!(
                err.0[0].code.starts_with("scw::parse::"),
                "{kind}: {}",
                err.0[0].code
            );
        }
    }
}

#[test]
fn deep_blocks_parse() {
    let depth = 200;
    let src = format!("{}a = 1\n{}", "b {\n".repeat(depth), "}\n".repeat(depth));
    let file = parse_source(&src, FileId(0)).expect("deep blocks");
    assert_eq!(file.body.items.len(), 1);
}

/// `n` levels of one way HCL nests, as a whole file.
fn deep(kind: &str, n: usize) -> String {
    match kind {
        "blocks" => format!("{}{}", "a {\n".repeat(n), "}\n".repeat(n)),
        "not" => format!("x = {}a\n", "!".repeat(n)),
        "neg" => format!("x = {}1\n", "-".repeat(n)),
        "binary" => format!("x = {}a\n", "a + ".repeat(n)),
        "conditional" => format!("x = {}c\n", "a ? b : ".repeat(n)),
        "splat" => format!("x = a{}\n", "[*].b".repeat(n)),
        "attribute_splat" => format!("x = a{}\n", ".*.b".repeat(n)),
        "splat_in_template" => format!("x = \"${{a{}}}\"\n", ".*.b".repeat(n)),
        "directive" => format!("x = \"{}{}\"\n", "%{if a}".repeat(n), "%{endif}".repeat(n)),
        "index" => format!("x = {}0{}\n", "a[".repeat(n), "]".repeat(n)),
        "for" => format!("x = {}y{}\n", "[for v in ".repeat(n), " : v]".repeat(n)),
        "parens" => format!("x = {}1{}\n", "(".repeat(n), ")".repeat(n)),
        _ => nested(kind, n, true),
    }
}

const DEEP_KINDS: [&str; 16] = [
    "blocks",
    "not",
    "neg",
    "binary",
    "conditional",
    "splat",
    "attribute_splat",
    "splat_in_template",
    "directive",
    "index",
    "for",
    "parens",
    "object",
    "tuple",
    "call",
    "template",
];

/// Issue 9, item 6: operator chains, splat chains and template directives nested without
/// limit (a crash of the parser's or the caller's stack, and splat chains in quadratic time).
#[test]
fn issue_9_every_kind_of_nesting_past_the_limit_is_refused_not_a_crash() {
    for kind in DEEP_KINDS {
        let src = deep(kind, 50_000);
        let err = parse_source(&src, FileId(0)).expect_err(kind);
        assert_eq!(err.0[0].code, "scw::parse::too_complex", "{kind}");
    }
}

#[test]
fn every_kind_of_nesting_up_to_the_limit_parses() {
    for kind in DEEP_KINDS {
        let src = deep(kind, 900);
        parse_source(&src, FileId(0)).unwrap_or_else(|d| panic!("{kind}: {}", d.0[0].summary));
    }
    // Each `[*]` nests the steps after it: 900 levels.
    let mut levels = 0;
    let mut steps = match value(&format!("a{}", "[*].b".repeat(900))).kind {
        ExprKind::Traversal { steps, .. } => steps,
        other => panic!("not a traversal: {other:?}"),
    };
    while let Some(Step {
        kind: StepKind::Splat { each, .. },
        ..
    }) = steps.pop()
    {
        levels += 1;
        assert_eq!(each.len(), if levels == 900 { 1 } else { 2 });
        steps = each;
    }
    assert_eq!(levels, 900);
}

#[test]
fn splat_steps_nest_alike_in_every_kind_of_expression() {
    let cases = [
        ("a.*.b.*.c", "a.*{.b}.*{.c}"),
        ("a.*[0]", "a.*{}[0]"),
        ("a.*.0.b", "a.*{.#0.b}"),
        ("a[*][0][*].b", "a[*]{[0][*]{.b}}"),
        ("a[*].b.*.c[1].d", "a[*]{.b.*{.c}[1].d}"),
        ("a[*]", "a[*]{}"),
        ("a[*].b + 1", "(+ a[*]{.b} 1)"),
        ("!a.*.b", "(! a.*{.b})"),
        ("-a[*].b[c[*].d]", "(neg a[*]{.b[c[*]{.d}]})"),
        ("x ? a[*].b : c.*.d", "(? x a[*]{.b} c.*{.d})"),
    ];
    for (src, want) in cases {
        assert_eq!(sexpr(&value(src)), want, "{src}");
    }
    // The fast paths (a plain reference alone on its line, `${a.b}` in a template) agree.
    let file = parse_source("x = a.*.b.*.c\ny = \"${a.*.b}\"\n", FileId(0)).expect("parses");
    let exprs: Vec<&Expr> = file
        .body
        .items
        .iter()
        .map(|s| match s {
            Structure::Attribute(a) => &a.expr,
            Structure::Block(_) => panic!("no blocks"),
        })
        .collect();
    assert_eq!(sexpr(exprs[0]), "a.*{.b}.*{.c}");
    let ExprKind::Template(t) = &exprs[1].kind else {
        panic!("template")
    };
    let TemplatePart::Interpolation { expr, .. } = &t.parts[0] else {
        panic!("interpolation")
    };
    assert_eq!(sexpr(expr), "a.*{.b}");
}
