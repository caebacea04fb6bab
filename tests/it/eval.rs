//! Expression evaluation from source text: values, unknown and sensitive propagation, and the
//! diagnostics users see (codes, the text each label points at, rendered snapshots).

use scwform::diag::{Diagnostics, FileId, SourceMap, render_plain};
use scwform::model::expr::{EvalContext, codes, eval};
use scwform::model::value::Value;
use scwform::parse::parse_expression;

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

fn strings(items: &[&str]) -> Value {
    Value::List(items.iter().map(|s| Value::string(*s)).collect())
}

/// The names a configuration would see: `var`, `local`, `count`, `each`.
fn context() -> EvalContext<'static> {
    EvalContext::new()
        .with_variable(
            "var",
            obj(vec![
                ("name", Value::string("web")),
                ("port", Value::float(8080.0)),
                ("tags", strings(&["a", "b"])),
                ("secret", Value::string("hunter2").mark_sensitive()),
                ("unknown", Value::Unknown),
                ("nothing", Value::Null),
                (
                    "servers",
                    Value::List(vec![
                        obj(vec![
                            ("id", Value::string("s1")),
                            ("ip", Value::string("10.0.0.1")),
                        ]),
                        obj(vec![("id", Value::string("s2")), ("ip", Value::Unknown)]),
                    ]),
                ),
                (
                    "config",
                    obj(vec![
                        ("region", Value::string("fr-par")),
                        ("zones", strings(&["fr-par-1", "fr-par-2", "fr-par-3"])),
                    ]),
                ),
            ]),
        )
        .with_variable("local", obj(vec![("prefix", Value::string("prod"))]))
        .with_variable("count", obj(vec![("index", Value::float(1.0))]))
        .with_variable(
            "each",
            obj(vec![
                ("key", Value::string("k")),
                ("value", Value::string("v")),
            ]),
        )
}

fn eval_text(text: &str) -> Result<Value, Diagnostics> {
    let expr = parse_expression(text, FileId(0))
        .unwrap_or_else(|d| panic!("{text:?} does not parse: {d:#?}"));
    eval(&expr, &context())
}

/// Each expression and the value it shows as (`Value`'s display: strings quoted, unknown as
/// `(known after apply)`, sensitive as `(sensitive value)`).
const CASES: &[(&str, &str)] = &[
    // Literals, operators, precedence.
    ("1 + 2 * 3", "7"),
    ("(1 + 2) * 3", "9"),
    ("10 % 4 - 7 / 2", "-1.5"),
    ("-var.port", "-8080"),
    ("!true || false", "false"),
    ("\"5\" + 1", "6"),
    ("1 == \"1\"", "false"),
    ("[1, \"a\"] == [1, \"a\"]", "true"),
    ("var.port >= 8080 && var.name != \"db\"", "true"),
    ("null == var.nothing", "true"),
    // References and traversals.
    ("var.config.zones[1]", "\"fr-par-2\""),
    ("var.config[\"region\"]", "\"fr-par\""),
    ("var.servers.0.id", "\"s1\""),
    ("var.servers[*].id", "[\"s1\", \"s2\"]"),
    ("var.servers.*.ip", "[\"10.0.0.1\", (known after apply)]"),
    ("var.name[*]", "[\"web\"]"),
    ("var.nothing[*]", "[]"),
    ("each.key", "\"k\""),
    // Templates.
    (
        "\"${local.prefix}-${var.name}-${count.index}\"",
        "\"prod-web-1\"",
    ),
    ("\"${var.tags}\"", "[\"a\", \"b\"]"),
    ("\"%{ for t in var.tags }${t};%{ endfor }\"", "\"a;b;\""),
    (
        "\"%{ if var.port > 80 }big%{ else }small%{ endif }\"",
        "\"big\"",
    ),
    (
        "\"[%{ for t in var.tags ~} ${t} %{~ endfor }]\"",
        "\"[ab]\"",
    ),
    ("\"id=${var.servers[1].ip}\"", "(known after apply)"),
    ("\"pw=${var.secret}\"", "(sensitive value)"),
    // Conditionals, for expressions.
    ("var.port > 1000 ? \"high\" : \"low\"", "\"high\""),
    ("var.unknown ? 1 : 2", "(known after apply)"),
    (
        "[for i, t in var.tags : \"${i}:${t}\"]",
        "[\"0:a\", \"1:b\"]",
    ),
    ("[for t in var.tags : upper(t) if t != \"a\"]", "[\"B\"]"),
    (
        "{for s in var.servers : s.id => s.ip}",
        "{s1 = \"10.0.0.1\", s2 = (known after apply)}",
    ),
    (
        "{for k, v in {a = 1, b = 2} : v => k}",
        "{1 = \"a\", 2 = \"b\"}",
    ),
    (
        "{for s in [\"a\", \"a\", \"b\"] : s => s...}",
        "{a = [\"a\", \"a\"], b = [\"b\"]}",
    ),
    // An unknown operand of && or || makes the result unknown (Terraform 1.11).
    ("true || var.unknown", "(known after apply)"),
    ("var.unknown && false", "(known after apply)"),
    ("var.unknown + 1", "(known after apply)"),
    // Functions.
    ("upper(\"a\")", "\"A\""),
    ("format(\"%s-%03d\", var.name, 7)", "\"web-007\""),
    (
        "formatlist(\"%s.example\", var.tags)",
        "[\"a.example\", \"b.example\"]",
    ),
    ("join(\",\", var.tags)", "\"a,b\""),
    ("join(\",\", var.servers[*].ip)", "(known after apply)"),
    ("length(var.servers[*].ip)", "2"),
    ("max([1, 5, 3]...)", "5"),
    (
        "jsonencode({b = [true, null], a = 1})",
        "\"{\\\"a\\\":1,\\\"b\\\":[true,null]}\"",
    ),
    ("merge({a = 1}, {b = 2}, {a = 3})", "{a = 3, b = 2}"),
    ("lookup({a = 1}, \"b\", 0)", "0"),
    ("coalesce(\"\", var.name)", "\"web\""),
    ("element(var.config.zones, 4)", "\"fr-par-2\""),
    ("toset([\"b\", \"a\", \"b\"])", "[\"a\", \"b\"]"),
    ("try(var.nope, \"fallback\")", "\"fallback\""),
    ("can(regex(\"^[a-z]+$\", var.name))", "true"),
    (
        "timeadd(\"2024-01-01T00:00:00Z\", \"36h\")",
        "\"2024-01-02T12:00:00Z\"",
    ),
    ("timestamp()", "(known after apply)"),
    (
        "replace(var.config.region, \"/-(\\\\w+)/\", \"_$1\")",
        "\"fr_par\"",
    ),
    ("upper(var.secret)", "(sensitive value)"),
    ("nonsensitive(upper(var.secret))", "\"HUNTER2\""),
    ("length(var.secret)", "(sensitive value)"),
    ("length([var.secret])", "1"),
    (
        "concat([var.secret], [\"x\"])",
        "[(sensitive value), \"x\"]",
    ),
];

#[test]
fn expressions_evaluate_to_their_terraform_values() {
    let mut failures = Vec::new();
    for (text, expected) in CASES {
        match eval_text(text) {
            Ok(v) if v.to_string() == *expected => {}
            Ok(v) => failures.push(format!("{text}\n  expected {expected}\n  got      {v}")),
            Err(d) => failures.push(format!("{text}\n  expected {expected}\n  got errors {d:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn heredoc_templates_evaluate() {
    let v = eval_text("<<-EOT\n  hello ${var.name}\n  bye\n  EOT\n").unwrap();
    assert_eq!(v, Value::string("hello web\nbye\n"));
}

#[test]
fn sensitive_marks_stay_on_the_right_elements() {
    let v = eval_text("concat([var.secret], [\"x\"])").unwrap();
    let items = v.as_list().expect("a list");
    assert!(matches!(items[0], Value::Sensitive(_)));
    assert_eq!(items[1], Value::string("x"));
    let v = eval_text("{for k, v in {a = var.secret} : k => v}").unwrap();
    assert!(!matches!(v, Value::Sensitive(_)));
    assert!(v.contains_sensitive());
    // Secrets never reach the displayed form.
    for text in ["upper(var.secret)", "[var.secret]", "\"x${var.secret}\""] {
        let shown = eval_text(text).unwrap().to_string();
        assert!(!shown.contains("hunter2"), "{text} shows {shown}");
        assert!(!shown.contains("HUNTER2"), "{text} shows {shown}");
    }
}

/// The error cases: expression, expected code, and the source text the primary label covers.
const ERRORS: &[(&str, &str, &str)] = &[
    ("var.nmae", codes::UNSUPPORTED_ATTRIBUTE, ".nmae"),
    ("vars.name", codes::UNKNOWN_NAME, "vars"),
    ("uppr(\"a\")", codes::UNKNOWN_FUNCTION, "uppr"),
    ("1 + \"a\"", codes::INVALID_OPERAND, "\"a\""),
    ("var.tags[5]", codes::INVALID_INDEX, "5"),
    (
        "10 / (var.port - 8080)",
        codes::DIVISION_BY_ZERO,
        "(var.port - 8080)",
    ),
    (
        "\"x${var.nothing}\"",
        codes::INVALID_TEMPLATE_VALUE,
        "var.nothing",
    ),
    (
        "{for t in [\"a\", \"a\"] : t => 1}",
        codes::DUPLICATE_KEY,
        "t",
    ),
    (
        "substr(\"abc\", \"x\", 1)",
        codes::INVALID_ARGUMENT,
        "\"x\"",
    ),
    ("var.port ? 1 : 2", codes::INVALID_CONDITION, "var.port"),
    (
        "[for x in var.nothing : x]",
        codes::INVALID_ITERATION,
        "var.nothing",
    ),
    ("upper()", codes::WRONG_ARITY, "upper()"),
    ("var.nothing.id", codes::NULL_VALUE, ".id"),
    ("max(1...)", codes::INVALID_EXPANSION, "1"),
    ("{(var.secret) = 1}", codes::INVALID_KEY, "(var.secret)"),
    (
        "regex(\"z\", \"abc\")",
        codes::FUNCTION_FAILED,
        "regex(\"z\", \"abc\")",
    ),
];

#[test]
fn errors_point_at_the_offending_expression() {
    let mut failures = Vec::new();
    for (text, code, label) in ERRORS {
        let mut sources = SourceMap::new();
        let file = sources.add("test.tf", None, *text);
        let expr = parse_expression(text, file).expect("parses");
        match eval(&expr, &context()) {
            Ok(v) => failures.push(format!("{text}: expected {code}, got value {v}")),
            Err(d) => {
                let first = &d.0[0];
                let covered = first.primary_span().map(|s| sources.slice(s).to_owned());
                if first.code != *code || covered.as_deref() != Some(*label) {
                    failures.push(format!(
                        "{text}: expected {code} on {label:?}, got {} on {covered:?}",
                        first.code
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn independent_errors_are_all_reported() {
    let d = eval_text("[nope1, 1 + true, nope2, var.tags[9]]").unwrap_err();
    let found: Vec<&str> = d.iter().map(|d| d.code).collect();
    assert_eq!(
        found,
        vec![
            codes::UNKNOWN_NAME,
            codes::INVALID_OPERAND,
            codes::UNKNOWN_NAME,
            codes::INVALID_INDEX
        ]
    );
}

#[test]
fn diagnostics_render_for_people() {
    let mut out = String::new();
    for text in [
        "var.nmae",
        "1 + \"a\"",
        "uppr(var.name)",
        "join(\",\", [var.nothing])",
        "{for t in [\"a\", \"a\"] : t => 1}",
    ] {
        let mut sources = SourceMap::new();
        let file = sources.add("main.tf", None, text);
        let expr = parse_expression(text, file).expect("parses");
        let d = eval(&expr, &context()).expect_err("fails");
        out.push_str(&render_plain(&d, &sources));
        out.push('\n');
    }
    insta::assert_snapshot!(out);
}

#[test]
fn every_eval_code_is_documented() {
    let doc = std::fs::read_to_string(crate::common::repo_root().join("docs/errors.md"))
        .expect("docs/errors.md exists");
    let documented = crate::common::documented_codes(&doc);
    for code in codes::ALL {
        assert!(
            documented.contains(code),
            "{code} has no heading of its own in docs/errors.md"
        );
    }
}

/// Runs `f` on a thread with the default 2 MiB stack (what a test or a caller's thread has), so
/// that a stack overflow in parsing or evaluation aborts the test binary.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("thread starts")
        .join()
        .expect("no panic")
}

/// Parses and evaluates `expr` on a 2 MiB stack, giving the value's display or the first
/// error's code.
fn output_of(expr: String) -> Result<String, String> {
    on_small_stack(move || {
        let first = |d: &Diagnostics| d.0.first().map(|d| d.code.to_string()).unwrap_or_default();
        let parsed = parse_expression(&expr, FileId(0)).map_err(|d| first(&d))?;
        eval(&parsed, &context())
            .map(|v| v.to_string())
            .map_err(|d| first(&d))
    })
}

/// Issue 10, item 5: no input crashes evaluation. 10,000-term expressions and 10,000-deep
/// nesting give a result or a diagnostic (never a stack overflow), on a 2 MiB stack; 450
/// levels of each kind of nesting evaluate.
#[test]
fn issue_10_huge_and_deep_expressions_give_a_value_or_a_diagnostic() {
    let nest = |open: &str, leaf: &str, close: &str, n: usize| {
        format!("{}{leaf}{}", open.repeat(n), close.repeat(n))
    };
    for n in [450, 10_000] {
        let cases = [
            ("sum", format!("{}1", "1 + ".repeat(n - 1))),
            ("parens", nest("(", "1", ")", n)),
            ("lists", nest("[", "1", "]", n)),
            ("calls", nest("abs(", "-1", ")", n)),
            ("conditionals", nest("true ? (", "1", ") : 0", n)),
            ("objects", nest("{a = ", "1", "}", n)),
            ("templates", nest("\"${", "1", "}\"", n)),
            ("negations", format!("{}1", "-".repeat(n))),
        ];
        for (kind, expr) in cases {
            match output_of(expr) {
                Ok(shown) => assert!(!shown.is_empty(), "{kind} {n}"),
                Err(code) => {
                    assert!(n > 450, "{kind} at depth {n} must evaluate, got {code}");
                    assert_eq!(code, "scw::parse::too_complex", "{kind} {n}");
                }
            }
        }
    }
    assert_eq!(
        output_of(format!("{}1", "1 + ".repeat(999))),
        Ok("1000".to_owned())
    );
}

/// Issue 10, item 5: a 5 MB string goes through functions and templates.
#[test]
fn issue_10_a_five_megabyte_string_is_evaluated() {
    let big = "ab".repeat(5 << 19);
    let shown = output_of(format!(
        "length(upper(\"{big}\")) + length(\"${{replace(\"{big}\", \"a\", \"\")}}\")"
    ));
    assert_eq!(shown, Ok((5 * (1 << 20) + 5 * (1 << 19)).to_string()));
}
