//! Properties of `scwform fmt` over generated configurations written with random whitespace:
//! formatting is idempotent and keeps the meaning (the syntax tree, spans aside).

use std::fmt::Write as _;

use proptest::prelude::*;
use scwform::diag::FileId;
use scwform::format::{format_source, meaning::same_meaning};
use scwform::parse::parse_source;

/// An expression to write out.
#[derive(Debug, Clone)]
enum Gen {
    Number(u16),
    Bool(bool),
    Text(String),
    /// `"text ${ref} text"`
    Template(String, Vec<String>, String),
    /// `"${ref}"`: Terraform unwraps it.
    InterpolationOnly(Vec<String>),
    Reference(Vec<String>),
    Tuple(Vec<Self>, bool),
    Object(Vec<(String, Self)>, bool),
    Call(String, Vec<Self>),
    Binary(Box<Self>, &'static str, Box<Self>),
    Negative(u16),
    Not(Vec<String>),
    Conditional(Box<Self>, Box<Self>, Box<Self>),
    ForTuple(String, Vec<String>, Box<Self>),
    /// `ref[*].name`
    Splat(Vec<String>, String),
    /// `ref["key"]`
    Index(Vec<String>, String),
    /// `"%{ if ref }a%{ else }b%{ endif }"`
    Directive(Vec<String>, String, String),
    Heredoc(bool, Vec<String>),
}

/// A body item.
#[derive(Debug, Clone)]
enum Item {
    Attribute(String, Gen, Option<String>),
    Block(String, Vec<String>, Vec<Self>),
    Blank,
    Comment(String),
}

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a",
        "name",
        "project_id",
        "description",
        "tags",
        "x",
        "long_attribute_name",
        "region",
    ])
    .prop_map(str::to_owned)
}

fn reference() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(name(), 1..4).prop_map(|mut parts| {
        parts.insert(0, "var".to_owned());
        parts
    })
}

fn text() -> impl Strategy<Value = String> {
    "[a-z0-9 :/._-]{0,12}"
}

fn expression() -> impl Strategy<Value = Gen> {
    let leaf = prop_oneof![
        any::<u16>().prop_map(Gen::Number),
        any::<bool>().prop_map(Gen::Bool),
        text().prop_map(Gen::Text),
        (text(), reference(), text()).prop_map(|(a, r, b)| Gen::Template(a, r, b)),
        reference().prop_map(Gen::InterpolationOnly),
        reference().prop_map(Gen::Reference),
        any::<u16>().prop_map(Gen::Negative),
        reference().prop_map(Gen::Not),
        (reference(), name()).prop_map(|(r, n)| Gen::Splat(r, n)),
        (reference(), text()).prop_map(|(r, k)| Gen::Index(r, k)),
        (reference(), text(), text()).prop_map(|(r, a, b)| Gen::Directive(r, a, b)),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            (prop::collection::vec(inner.clone(), 0..4), any::<bool>())
                .prop_map(|(items, multi)| Gen::Tuple(items, multi)),
            (
                prop::collection::vec((name(), inner.clone()), 0..4),
                any::<bool>()
            )
                .prop_map(|(items, multi)| Gen::Object(items, multi)),
            (
                prop::sample::select(vec!["max", "concat", "format", "lookup"]),
                prop::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(f, args)| Gen::Call(f.to_owned(), args)),
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*", "==", "&&", "<="]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| Gen::Binary(Box::new(a), op, Box::new(b))),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, t, f)| { Gen::Conditional(Box::new(c), Box::new(t), Box::new(f)) }),
            (name(), reference(), inner).prop_map(|(v, coll, body)| Gen::ForTuple(
                v,
                coll,
                Box::new(body)
            )),
        ]
    })
}

/// An attribute value: any expression, or a heredoc (which must end its line, so it is only
/// generated here).
fn value() -> impl Strategy<Value = Gen> {
    prop_oneof![
        8 => expression(),
        1 => (any::<bool>(), prop::collection::vec("[ a-z${}=]{0,10}", 0..3))
            .prop_map(|(indented, lines)| Gen::Heredoc(indented, lines)),
    ]
}

/// Gives repeated attribute names a numeric suffix (a body may not repeat one).
fn unique_names(mut items: Vec<Item>) -> Vec<Item> {
    let mut seen = std::collections::HashSet::new();
    for (i, item) in items.iter_mut().enumerate() {
        if let Item::Attribute(n, _, _) = item
            && !seen.insert(n.clone())
        {
            n.push_str(&i.to_string());
            seen.insert(n.clone());
        }
    }
    items
}

fn body(depth: u32) -> BoxedStrategy<Vec<Item>> {
    let attribute = (name(), value(), prop::option::of("[ a-z]{0,8}"))
        .prop_map(|(n, e, c)| Item::Attribute(n, e, c));
    let simple = prop_oneof![
        6 => attribute,
        1 => Just(Item::Blank),
        1 => "[ a-z]{0,10}".prop_map(Item::Comment),
    ];
    if depth == 0 {
        return prop::collection::vec(simple, 0..5)
            .prop_map(unique_names)
            .boxed();
    }
    let block = (
        prop::sample::select(vec!["resource", "variable", "locals", "scopes"]),
        prop::collection::vec(name(), 0..3),
        body(depth - 1),
    )
        .prop_map(|(t, labels, items)| Item::Block(t.to_owned(), labels, items));
    prop::collection::vec(prop_oneof![3 => simple, 1 => block], 0..6)
        .prop_map(unique_names)
        .boxed()
}

/// Writes items with whitespace chosen by `noise` (read cyclically).
struct Writer<'a> {
    out: String,
    noise: &'a [u8],
    at: usize,
}

impl Writer<'_> {
    fn pick(&mut self, n: u8) -> u8 {
        let v = self
            .noise
            .get(self.at % self.noise.len().max(1))
            .copied()
            .unwrap_or(0);
        self.at += 1;
        v % n
    }

    /// Zero or more blanks (tabs included).
    fn blanks(&mut self) {
        match self.pick(6) {
            0 | 1 => {}
            2 => self.out.push(' '),
            3 => self.out.push_str("   "),
            4 => self.out.push('\t'),
            _ => self.out.push_str("  \t "),
        }
    }

    /// At least one blank.
    fn gap(&mut self) {
        self.out.push(' ');
        self.blanks();
    }

    fn items(&mut self, items: &[Item]) {
        for item in items {
            self.blanks();
            match item {
                Item::Attribute(n, e, comment) => {
                    self.out.push_str(n);
                    self.blanks();
                    self.out.push('=');
                    self.blanks();
                    if self.pick(9) == 0 {
                        self.out.push_str("/* c */");
                        self.blanks();
                    }
                    self.expr(e);
                    if let Some(c) = comment {
                        self.blanks();
                        let _ = write!(self.out, "# {c}");
                    }
                    self.blanks();
                }
                Item::Block(t, labels, body) => {
                    self.out.push_str(t);
                    for (i, l) in labels.iter().enumerate() {
                        self.gap();
                        if i % 2 == 0 || self.pick(2) == 0 {
                            let _ = write!(self.out, "\"{l}\"");
                        } else {
                            self.out.push_str(l);
                        }
                    }
                    self.blanks();
                    self.out.push_str("{\n");
                    self.items(body);
                    self.blanks();
                    self.out.push('}');
                }
                Item::Blank => {}
                Item::Comment(c) => {
                    // A line comment ends its line itself.
                    let _ = writeln!(self.out, "// {c}");
                    continue;
                }
            }
            if self.pick(4) == 0 {
                self.out.push('\r');
            }
            self.out.push('\n');
        }
    }

    fn reference(&mut self, parts: &[String]) {
        self.out.push_str(&parts.join("."));
    }

    fn list<T>(&mut self, items: &[T], multi: bool, mut each: impl FnMut(&mut Self, &T)) {
        for (i, item) in items.iter().enumerate() {
            if multi {
                self.out.push('\n');
            }
            self.blanks();
            each(self, item);
            self.blanks();
            if i + 1 < items.len() || (multi && self.pick(2) == 0) {
                self.out.push(',');
            }
            if multi && self.pick(5) == 0 {
                self.blanks();
                self.out.push_str("# note");
                // The comment ends the line itself.
                self.out.push('\n');
            }
        }
        if multi {
            self.out.push('\n');
        }
        self.blanks();
    }

    fn expr(&mut self, e: &Gen) {
        match e {
            Gen::Number(n) => {
                let _ = write!(self.out, "{n}");
            }
            Gen::Bool(b) => {
                let _ = write!(self.out, "{b}");
            }
            Gen::Text(t) => {
                let _ = write!(self.out, "\"{t}\"");
            }
            Gen::Template(a, r, b) => {
                let _ = write!(self.out, "\"{a}${{");
                self.blanks();
                self.reference(r);
                self.blanks();
                let _ = write!(self.out, "}}{b}\"");
            }
            Gen::InterpolationOnly(r) => {
                self.out.push_str("\"${");
                self.blanks();
                self.reference(r);
                self.blanks();
                self.out.push_str("}\"");
            }
            Gen::Reference(r) => self.reference(r),
            Gen::Splat(r, n) => {
                self.reference(r);
                let _ = write!(self.out, "[*].{n}");
            }
            Gen::Index(r, k) => {
                self.reference(r);
                let _ = write!(self.out, "[\"{k}\"]");
            }
            Gen::Directive(r, a, b) => {
                self.out.push_str("\"%{");
                self.blanks();
                self.out.push_str("if ");
                self.reference(r);
                self.blanks();
                let _ = write!(self.out, "}}{a}%{{");
                self.blanks();
                self.out.push_str("else");
                self.blanks();
                let _ = write!(self.out, "}}{b}%{{ endif }}\"");
            }
            Gen::Tuple(items, multi) => {
                self.out.push('[');
                self.list(items, *multi, Self::expr);
                self.out.push(']');
            }
            Gen::Object(items, multi) => {
                let mut seen = std::collections::HashSet::new();
                let items: Vec<(String, Gen)> = items
                    .iter()
                    .enumerate()
                    .map(|(i, (k, v))| {
                        let key = if seen.insert(k.clone()) {
                            k.clone()
                        } else {
                            format!("{k}{i}")
                        };
                        (key, v.clone())
                    })
                    .collect();
                let items = &items;
                self.out.push('{');
                self.list(items, *multi, |w, (k, v)| {
                    w.out.push_str(k);
                    w.blanks();
                    w.out.push('=');
                    w.blanks();
                    w.expr(v);
                });
                self.out.push('}');
            }
            Gen::Call(f, args) => {
                self.out.push_str(f);
                self.out.push('(');
                self.list(args, false, Self::expr);
                self.out.push(')');
            }
            Gen::Binary(a, op, b) => {
                self.out.push('(');
                self.expr(a);
                self.gap();
                self.out.push_str(op);
                self.gap();
                self.expr(b);
                self.out.push(')');
            }
            Gen::Negative(n) => {
                self.out.push('-');
                self.blanks();
                let _ = write!(self.out, "{n}");
            }
            Gen::Not(r) => {
                self.out.push('!');
                self.blanks();
                self.reference(r);
            }
            Gen::Conditional(c, t, f) => {
                self.out.push('(');
                self.expr(c);
                self.gap();
                self.out.push('?');
                self.gap();
                self.expr(t);
                self.gap();
                self.out.push(':');
                self.gap();
                self.expr(f);
                self.out.push(')');
            }
            Gen::ForTuple(v, coll, body) => {
                self.out.push('[');
                self.blanks();
                let _ = write!(self.out, "for {v} in ");
                self.reference(coll);
                self.gap();
                self.out.push(':');
                self.gap();
                self.expr(body);
                self.blanks();
                self.out.push(']');
            }
            Gen::Heredoc(indented, lines) => {
                self.out
                    .push_str(if *indented { "<<-EOT\n" } else { "<<EOT\n" });
                for l in lines {
                    // Keep template sequences balanced: `$`/`%` before `{` are escaped.
                    let l = l.replace("${", "$${").replace('}', ")");
                    let _ = writeln!(self.out, "{l}");
                }
                self.blanks();
                // The newline after the marker ends the attribute's line.
                self.out.push_str("EOT\n");
            }
        }
    }
}

fn render(items: &[Item], noise: &[u8]) -> String {
    let mut w = Writer {
        out: String::new(),
        noise,
        at: 0,
    };
    w.items(items);
    w.out
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(96)
}

/// The checks every input must pass.
fn check(src: &str) -> Result<(), TestCaseError> {
    let once = format_source(src);
    let twice = format_source(&once);
    prop_assert_eq!(&twice, &once, "not idempotent for {:?}", src);
    let before = parse_source(src, FileId(0));
    // The generator only writes valid HCL.
    prop_assert!(
        before.is_ok(),
        "generated text does not parse: {:?}\n{:?}",
        src,
        before.as_ref().err()
    );
    let before = before.map_err(|_| TestCaseError::fail("checked above"))?;
    let after = parse_source(&once, FileId(1))
        .map_err(|d| TestCaseError::fail(format!("output does not parse: {d:?}\n{once}")))?;
    prop_assert!(
        same_meaning(&before, &after),
        "meaning changed:\n--- input\n{}\n--- output\n{}",
        src,
        once
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn fmt_is_idempotent_and_keeps_meaning(
        items in body(2),
        noise in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        check(&render(&items, &noise))?;
    }
}

/// The reference fixtures pass the same checks.
#[test]
fn fmt_keeps_the_meaning_of_every_fixture() {
    let Some(shared) = crate::common::shared_dir("fmt fixtures") else {
        return;
    };
    let dir = shared.join("fixtures/hcl/input");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("the fixtures directory is readable") {
        let path = entry.expect("directory entries are readable").path();
        let src = std::fs::read_to_string(&path).expect("fixtures are UTF-8");
        if let Err(e) = check(&src) {
            panic!("{}: {e}", path.display());
        }
        count += 1;
    }
    assert!(count > 0, "no fixtures in {}", dir.display());
}

fn parse(src: &str) -> scwform::parse::ast::File {
    parse_source(src, FileId(0)).expect("the test input parses")
}

#[test]
fn meaning_sees_changed_values_but_not_terraform_rewrites() {
    let same = |a: &str, b: &str| same_meaning(&parse(a), &parse(b));
    assert!(same("a = \"${x.y}\"\n", "a   =   x.y\n"));
    assert!(same("a = \"${x ?\n1 : 2}\"\n", "a = (x ?\n1 : 2)\n"));
    assert!(same("resource x y {\n}\n", "resource \"x\" \"y\" {\n}\n"));
    assert!(same(
        "variable \"v\" {\n  type = \"list\"\n}\n",
        "variable \"v\" {\n  type = list(string)\n}\n"
    ));
    assert!(!same("a = 1\n", "a = 2\n"));
    assert!(!same("a = \"x\"\n", "a = x\n"));
    assert!(!same("b \"x\" {}\n", "b \"y\" {}\n"));
    assert!(!same("a = [1, 2]\n", "a = [2, 1]\n"));
    // The type rewrite is only meaningful in a top-level variable block.
    assert!(!same(
        "x {\n  type = \"list\"\n}\n",
        "x {\n  type = list(string)\n}\n"
    ));
}

/// The `terraform` binary, when one is installed (this test compares against it).
fn terraform() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("terraform"))
        .find(|p| p.is_file())
}

/// Differential test: generated configurations formatted by `terraform fmt` itself (when it is
/// installed; skipped otherwise) and by scwform must be byte-identical.
#[test]
#[allow(clippy::print_stderr)]
fn fmt_matches_an_installed_terraform_on_generated_configurations() {
    use proptest::strategy::ValueTree as _;
    use proptest::test_runner::{Config, TestRunner};
    let Some(terraform) = terraform() else {
        eprintln!("skipping the comparison with terraform fmt: no terraform on PATH");
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary directory can be created");
    let mut runner = TestRunner::new(Config::default());
    let strategy = (body(2), prop::collection::vec(any::<u8>(), 1..64));
    let n = cases() as usize * 2;
    let mut inputs = Vec::with_capacity(n);
    for i in 0..n {
        let (items, noise) = strategy
            .new_tree(&mut runner)
            .expect("the strategy generates values")
            .current();
        let src = render(&items, &noise);
        std::fs::write(dir.path().join(format!("case{i:04}.tf")), &src)
            .expect("the temporary directory is writable");
        inputs.push(src);
    }
    let status = std::process::Command::new(terraform)
        .arg("fmt")
        .arg(dir.path())
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("terraform runs");
    assert!(status.success(), "terraform fmt failed: {status}");
    let mut mismatches = 0;
    for (i, src) in inputs.iter().enumerate() {
        let want = std::fs::read_to_string(dir.path().join(format!("case{i:04}.tf")))
            .expect("terraform left the file readable");
        let got = format_source(src);
        if got != want {
            mismatches += 1;
            eprintln!("case {i}: input {src:?}\n  terraform {want:?}\n  scwform   {got:?}");
        }
    }
    eprintln!(
        "terraform fmt comparison: {} of {n} identical",
        n - mismatches
    );
    assert_eq!(mismatches, 0);
}

/// Adds blanks between tokens where they are only separators (never inside strings,
/// heredocs or before the end of input), choosing where and how many from `noise`.
fn sprinkle(src: &str, noise: &[u8]) -> String {
    use scwform::format::lexer::{TokenKind as K, tokenize};
    let mut out = String::with_capacity(src.len() * 2);
    // Open templates and interpolations: blanks are separators only in code.
    let mut open: Vec<bool> = Vec::new();
    let mut prev_end = 0;
    // Blanks after a heredoc's closing marker would belong to the marker's line.
    let mut after_marker = false;
    for (i, t) in tokenize(src).iter().enumerate() {
        let (start, end) = (t.start as usize, t.end as usize);
        out.push_str(&src[prev_end..start]);
        let in_code = open.last().is_none_or(|&code| code);
        let literal = matches!(
            t.kind,
            K::QuotedLit | K::StringLit | K::CQuote | K::CHeredoc | K::Eof
        );
        if in_code && !literal && !after_marker {
            let n = noise[i % noise.len()];
            for k in 0..n % 4 {
                out.push(if (n >> (2 + k)) & 1 == 1 { '\t' } else { ' ' });
            }
        }
        out.push_str(&src[start..end]);
        prev_end = end;
        after_marker = t.kind == K::CHeredoc;
        match t.kind {
            K::OQuote | K::OHeredoc => open.push(false),
            K::TemplateInterp | K::TemplateControl => open.push(true),
            K::CQuote | K::CHeredoc | K::TemplateSeqEnd => {
                open.pop();
            }
            _ => {}
        }
    }
    out
}

/// Inputs with Terraform's canonical forms, read once: the corner cases of
/// `tests/fixtures/fmt`, and the reference fixtures when `../shared` is present.
fn fixtures() -> &'static [(String, String)] {
    static FIXTURES: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    FIXTURES.get_or_init(|| {
        let read =
            |path: &std::path::Path| std::fs::read_to_string(path).expect("fixtures are UTF-8");
        let list = |dir: &std::path::Path, ext: &str| {
            let mut paths: Vec<_> = std::fs::read_dir(dir)
                .expect("the fixtures directory is readable")
                .map(|e| e.expect("directory entries are readable").path())
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .collect();
            paths.sort();
            paths
        };
        let corner = crate::common::repo_root().join("tests/fixtures/fmt");
        let mut all: Vec<(String, String)> = list(&corner, "in")
            .iter()
            .map(|p| (read(p), read(&p.with_extension("out"))))
            .collect();
        if let Some(shared) = crate::common::shared_dir("fmt fixtures") {
            let hcl = shared.join("fixtures/hcl");
            for p in list(&hcl.join("input"), "tf") {
                let name = p.file_name().expect("a file has a name");
                all.push((read(&p), read(&hcl.join("canonical").join(name))));
            }
        }
        all
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// Blanks between tokens never matter: a fixture with blanks sprinkled anywhere between
    /// its tokens still formats to exactly Terraform's canonical text.
    #[test]
    fn blanks_between_tokens_do_not_change_the_result(
        pick in any::<prop::sample::Index>(),
        noise in prop::collection::vec(any::<u8>(), 1..97),
    ) {
        let all = fixtures();
        let (input, canonical) = &all[pick.index(all.len())];
        let noisy = sprinkle(input, &noise);
        prop_assert_eq!(format_source(&noisy), canonical.as_str(), "for {:?}", noisy);
    }
}
