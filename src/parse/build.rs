//! Pest pairs to [`ast`] nodes.
//!
//! The grammar guarantees the shape of every pair this module walks, so the walk never
//! re-validates structure; it only decodes (escapes, numbers), folds operators with pest's
//! `PrattParser`, nests splat steps, and turns template tokens into final parts (see
//! [`super::template`]). Every node gets a byte span: pair offsets are relative to the parsed
//! slice, and `base` moves them to file offsets.
//!
//! Comment pairs can appear among the children of any rule (pest inserts `/* */` wherever it
//! skips whitespace); [`kids`] filters them out, and the caller collects them separately.
//!
//! Depends on `parse::grammar` (pairs) and `parse::ast`; nothing outside `parse`.

use std::cell::Cell;

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, ConstPrattParser, Op};

use super::MAX_DEPTH;
use super::ast::{
    Attribute, BinaryOp, Block, BlockLabel, Body, Expr, ExprKind, ForExpr, FuncCall, Heredoc,
    Ident, ObjectItem, ObjectKey, Step, StepKind, Structure, Template, TemplatePart, UnaryOp,
};
use super::grammar::Rule;
use super::template::{self, Tok};
use crate::diag::{Diagnostic, FileId, Span};

/// Result of building one node: the first problem found stops the build of that file.
pub(crate) type Built<T> = Result<T, Diagnostic>;

/// HCL's precedence levels, lowest first; unary operators bind tighter than any binary one and
/// traversal steps (and call arguments) tighter still.
static PRATT: ConstPrattParser<Rule, 18> = ConstPrattParser::new_const([
    (Op::infix(Rule::op_or, Assoc::Left), true),
    (Op::infix(Rule::op_and, Assoc::Left), true),
    (Op::infix(Rule::op_eq, Assoc::Left), true),
    (Op::infix(Rule::op_ne, Assoc::Left), false),
    (Op::infix(Rule::op_lt, Assoc::Left), true),
    (Op::infix(Rule::op_le, Assoc::Left), false),
    (Op::infix(Rule::op_gt, Assoc::Left), false),
    (Op::infix(Rule::op_ge, Assoc::Left), false),
    (Op::infix(Rule::op_add, Assoc::Left), true),
    (Op::infix(Rule::op_sub, Assoc::Left), false),
    (Op::infix(Rule::op_mul, Assoc::Left), true),
    (Op::infix(Rule::op_div, Assoc::Left), false),
    (Op::infix(Rule::op_mod, Assoc::Left), false),
    (Op::prefix(Rule::op_neg), true),
    (Op::prefix(Rule::op_not), false),
    (Op::postfix(Rule::dot_step), true),
    (Op::postfix(Rule::bracket_step), false),
    (Op::postfix(Rule::call_args), false),
]);

/// Whether a rule is a comment (collected apart by `parse::scan`, skipped by the walk).
pub(crate) fn is_comment(rule: Rule) -> bool {
    rule == Rule::line_comment
}

/// The children of `pair`, without comments.
fn kids(pair: Pair<'_, Rule>) -> impl Iterator<Item = Pair<'_, Rule>> {
    pair.into_inner().filter(|p| !is_comment(p.as_rule()))
}

fn is_operator(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::op_neg
            | Rule::op_not
            | Rule::op_or
            | Rule::op_and
            | Rule::op_eq
            | Rule::op_ne
            | Rule::op_lt
            | Rule::op_le
            | Rule::op_gt
            | Rule::op_ge
            | Rule::op_add
            | Rule::op_sub
            | Rule::op_mul
            | Rule::op_div
            | Rule::op_mod
    )
}

/// Turns pairs of one parsed slice into AST nodes.
pub(crate) struct Builder {
    file: FileId,
    base: usize,
    /// For text decoded from a JSON string: the file offset of each byte of the parsed text
    /// (and one past its end), so that spans point into the `.tf.json` file; `base` is then
    /// unused.
    offsets: Option<Vec<u32>>,
    depth: Cell<usize>,
}

impl Builder {
    /// A builder for pairs parsed from the slice starting at byte `base` of `file`.
    pub(crate) fn new(file: FileId, base: usize) -> Self {
        Self {
            file,
            base,
            offsets: None,
            depth: Cell::new(0),
        }
    }

    /// A builder for pairs parsed from text whose byte `i` sits at file offset `offsets[i]`
    /// (`offsets` has one more entry than the text has bytes).
    pub(crate) fn with_offsets(file: FileId, offsets: Vec<u32>) -> Self {
        Self {
            file,
            base: 0,
            offsets: Some(offsets),
            depth: Cell::new(0),
        }
    }

    /// The file offset of slice offset `at`.
    pub(crate) fn offset(&self, at: usize) -> usize {
        match &self.offsets {
            Some(map) => map.get(at).or(map.last()).map_or(0, |&o| o as usize),
            None => self.base + at,
        }
    }

    /// Runs `f` one nesting level deeper, refusing to go past [`MAX_DEPTH`].
    fn nested<T>(&self, pair: &Pair<'_, Rule>, f: impl FnOnce() -> Built<T>) -> Built<T> {
        self.deeper(1, pair.as_span().start(), f)
    }

    /// Runs `f` `levels` nesting levels deeper (the tree levels an operator chain or a run of
    /// splats adds below the current node), refusing to go past [`MAX_DEPTH`]; `at` is the
    /// slice offset the refusal points at.
    fn deeper<T>(&self, levels: usize, at: usize, f: impl FnOnce() -> Built<T>) -> Built<T> {
        let outer = self.depth.get();
        let depth = outer.saturating_add(levels);
        if depth > MAX_DEPTH {
            return Err(Diagnostic::error(
                "scw::parse::too_complex",
                format!("this is nested more than {MAX_DEPTH} levels deep"),
            )
            .with_primary(self.span_at(at, at), "too deep here")
            .with_help("flatten the structure, e.g. by moving parts of it into locals"));
        }
        self.depth.set(depth);
        let out = f();
        self.depth.set(outer);
        out
    }

    /// A span from slice-relative offsets.
    pub(crate) fn span_at(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, self.offset(start), self.offset(end))
    }

    /// The span of a pair.
    pub(crate) fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        self.span_at(s.start(), s.end())
    }

    fn ident(&self, pair: &Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_owned(),
            span: self.span(pair),
        }
    }

    /// Builds the structures found among `pairs` (`ident` followed by `attr_tail`,
    /// `fast_tail` or `block_tail`), appending to `items`. Stops after a closing `}` (a block
    /// body's end) and returns its span.
    pub(crate) fn structures<'i>(
        &self,
        pairs: impl Iterator<Item = Pair<'i, Rule>>,
        items: &mut Vec<Structure>,
    ) -> Built<Option<Span>> {
        let mut name: Option<Ident> = None;
        for pair in pairs {
            match pair.as_rule() {
                Rule::rbrace => return Ok(Some(self.span(&pair))),
                Rule::ident => name = Some(self.ident(&pair)),
                Rule::attr_tail => {
                    let name = name.take().expect("grammar: attr_tail follows an ident");
                    let expr_pair = kids(pair)
                        .next()
                        .expect("grammar: attr_tail holds an expression");
                    let expr = self.expr(expr_pair)?;
                    items.push(Structure::Attribute(Attribute {
                        span: name.span.to(expr.span),
                        name,
                        expr,
                    }));
                }
                Rule::fast_tail => {
                    let name = name.take().expect("grammar: fast_tail follows an ident");
                    let parts = pair.into_inner();
                    let expr = self.reference_path(parts)?;
                    items.push(Structure::Attribute(Attribute {
                        span: name.span.to(expr.span),
                        name,
                        expr,
                    }));
                }
                Rule::block_tail => {
                    let name = name.take().expect("grammar: block_tail follows an ident");
                    let block = self.nested(&pair.clone(), || self.block(name, pair))?;
                    items.push(Structure::Block(block));
                }
                _ => {}
            }
        }
        Ok(None)
    }

    fn block(&self, ident: Ident, tail: Pair<'_, Rule>) -> Built<Block> {
        let mut labels = Vec::new();
        let mut items = Vec::new();
        let mut open_brace = None;
        let mut close_brace = None;
        let mut inner = kids(tail).peekable();
        while let Some(pair) = inner.next() {
            match pair.as_rule() {
                Rule::label_str => {
                    let raw = pair.as_str();
                    let start = pair.as_span().start();
                    if let Some(at) = template_sequence(raw) {
                        return Err(Diagnostic::error(
                            "scw::parse::unexpected_token",
                            "block labels cannot contain `${` or `%{`",
                        )
                        .with_primary(
                            self.span_at(start + at, start + at + 2),
                            "template sequence in a label",
                        )
                        .with_help(
                            "a block label is a plain string; write `$${` for a literal `${`",
                        ));
                    }
                    let value = template::decode_quoted(&raw[1..raw.len() - 1], |a, b| {
                        self.span_at(start + 1 + a, start + 1 + b)
                    })?;
                    labels.push(BlockLabel {
                        value,
                        quoted: true,
                        span: self.span(&pair),
                    });
                }
                Rule::ident if open_brace.is_none() => labels.push(BlockLabel {
                    value: pair.as_str().to_owned(),
                    quoted: false,
                    span: self.span(&pair),
                }),
                Rule::lbrace => {
                    open_brace = Some(self.span(&pair));
                    // The body's items run up to the closing brace.
                    close_brace = self.structures(inner.by_ref(), &mut items)?;
                }
                _ => {}
            }
        }
        // Exact sizes: a large file holds hundreds of thousands of these vectors, and growth
        // by doubling would leave up to half of each unused for the life of the tree.
        items.shrink_to_fit();
        labels.shrink_to_fit();
        let open_brace = open_brace.expect("grammar: a block has `{`");
        let close_brace = close_brace.expect("grammar: a block has `}`");
        let body_span = match (items.first(), items.last()) {
            (Some(first), Some(last)) => structure_span(first).to(structure_span(last)),
            _ => Span {
                start: open_brace.end,
                end: open_brace.end,
                ..open_brace
            },
        };
        let span = ident.span.to(close_brace);
        Ok(Block {
            ident,
            labels,
            body: Body {
                items,
                span: body_span,
            },
            open_brace,
            close_brace,
            span,
        })
    }

    /// Builds an `expr` / `expr_nl` pair.
    pub(crate) fn expr(&self, pair: Pair<'_, Rule>) -> Built<Expr> {
        self.nested(&pair.clone(), || self.expr_at_depth(pair))
    }

    fn expr_at_depth(&self, pair: Pair<'_, Rule>) -> Built<Expr> {
        // One pass over the direct children tells whether operators are present (rare) and
        // catches `ns::fn` names used without a call.
        // It also counts the tree levels the expression itself adds: operators fold into a
        // chain as deep as their number (at worst), and each splat nests the steps after it.
        let mut has_ops = false;
        let mut levels = 0usize;
        let mut prev_qualified: Option<Pair<'_, Rule>> = None;
        for child in kids(pair.clone()) {
            let rule = child.as_rule();
            if let Some(q) = prev_qualified.take()
                && rule != Rule::call_args
            {
                return Err(self.qualified_without_call(&q));
            }
            if rule == Rule::qname && child.as_str().contains("::") {
                prev_qualified = Some(child);
            } else if is_operator(rule) {
                has_ops = true;
                levels += 1;
            } else if is_splat(&child) {
                levels += 1;
            }
        }
        if let Some(q) = prev_qualified {
            return Err(self.qualified_without_call(&q));
        }
        let at = pair.as_span().start();
        self.deeper(levels, at, || self.expr_levels(pair, has_ops))
    }

    /// [`Self::expr_at_depth`] once the depth of its operators and splats is accounted for.
    fn expr_levels(&self, pair: Pair<'_, Rule>, has_ops: bool) -> Built<Expr> {
        let mut children = kids(pair).peekable();
        let operation = if has_ops {
            let operands = std::iter::from_fn(|| {
                children.next_if(|p| !matches!(p.as_rule(), Rule::cond | Rule::cond_nl))
            });
            PRATT
                .map_primary(|p| self.primary(p))
                .map_prefix(|op, rhs| {
                    let rhs = compact(rhs?);
                    let op_kind = if op.as_rule() == Rule::op_neg {
                        UnaryOp::Neg
                    } else {
                        UnaryOp::Not
                    };
                    let span = self.span(&op).to(rhs.span);
                    Ok(Expr {
                        kind: ExprKind::Unary {
                            op: op_kind,
                            operand: Box::new(rhs),
                        },
                        span,
                    })
                })
                .map_postfix(|lhs, step| self.postfix(lhs?, step))
                .map_infix(|lhs, op, rhs| {
                    let (lhs, rhs) = (compact(lhs?), compact(rhs?));
                    let span = lhs.span.to(rhs.span);
                    Ok(Expr {
                        kind: ExprKind::Binary {
                            op: binary_op(op.as_rule()),
                            lhs: Box::new(lhs),
                            rhs: Box::new(rhs),
                        },
                        span,
                    })
                })
                .parse(operands)
                .map(compact)?
        } else {
            let first = children.next().expect("grammar: an expression has a term");
            let mut e = self.primary(first)?;
            while let Some(step) =
                children.next_if(|p| !matches!(p.as_rule(), Rule::cond | Rule::cond_nl))
            {
                e = self.postfix(e, step)?;
            }
            compact(e)
        };
        match children.next() {
            Some(cond) => {
                let mut branches = kids(cond);
                let then = self.expr(branches.next().expect("grammar: cond has a then branch"))?;
                let otherwise =
                    self.expr(branches.next().expect("grammar: cond has an else branch"))?;
                let span = operation.span.to(otherwise.span);
                Ok(Expr {
                    kind: ExprKind::Conditional {
                        cond: Box::new(operation),
                        then: Box::new(then),
                        otherwise: Box::new(otherwise),
                    },
                    span,
                })
            }
            None => Ok(operation),
        }
    }

    /// A term and its attribute steps, as `fast_tail` and `fast_interp` hold them.
    fn reference_path<'i>(&self, mut parts: impl Iterator<Item = Pair<'i, Rule>>) -> Built<Expr> {
        let first = parts.next().expect("grammar: a fast rule holds a term");
        if first.as_rule() == Rule::qname && first.as_str().contains("::") {
            return Err(self.qualified_without_call(&first));
        }
        let at = first.as_span().start();
        let mut expr = self.primary(first)?;
        let mut splats = 0usize;
        for step in parts {
            splats += usize::from(is_splat(&step));
            expr = self.postfix(expr, step)?;
        }
        // Attribute steps only: nothing is built below the splats, the check is all.
        self.deeper(splats, at, || Ok(compact(expr)))
    }

    fn qualified_without_call(&self, q: &Pair<'_, Rule>) -> Diagnostic {
        Diagnostic::error(
            "scw::parse::unexpected_token",
            "expected `(` after a provider function name",
        )
        .with_primary(
            self.span(q),
            "`provider::namespace::name` can only be called",
        )
    }

    /// One expression term.
    fn primary(&self, pair: Pair<'_, Rule>) -> Built<Expr> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::plain_str => ExprKind::Template(self.plain_string(&pair)?),
            Rule::string => ExprKind::Template(self.template(pair, None)?),
            Rule::heredoc => {
                let mut inner = pair.clone().into_inner();
                let open = inner
                    .next()
                    .expect("grammar: heredoc starts with its opener");
                let text = open.as_str();
                let indented = text.as_bytes().get(2) == Some(&b'-');
                let marker = text[if indented { 3 } else { 2 }..].trim_end().to_owned();
                ExprKind::Template(self.template(pair, Some(Heredoc { marker, indented }))?)
            }
            Rule::keyword => match pair.as_str() {
                "true" => ExprKind::Bool(true),
                "false" => ExprKind::Bool(false),
                _ => ExprKind::Null,
            },
            Rule::qname => ExprKind::Variable(self.ident(&pair)),
            Rule::number => {
                ExprKind::Number(crate::number::Number::parse(pair.as_str()).ok_or_else(|| {
                    Diagnostic::error("scw::parse::invalid_number", "this number is not valid")
                        .with_primary(span, "")
                })?)
            }
            Rule::tuple => ExprKind::Tuple(exact(
                kids(pair).map(|p| self.expr(p)).collect::<Built<_>>()?,
            )),
            Rule::fast_tuple => ExprKind::Tuple(exact(
                pair.into_inner()
                    .map(|p| self.primary(p))
                    .collect::<Built<_>>()?,
            )),
            Rule::object => ExprKind::Object(exact(
                kids(pair)
                    .map(|item| self.object_item(item))
                    .collect::<Built<_>>()?,
            )),
            Rule::paren => ExprKind::Parens(Box::new(
                self.expr(
                    kids(pair)
                        .next()
                        .expect("grammar: parens hold an expression"),
                )?,
            )),
            Rule::for_tuple | Rule::for_object => ExprKind::For(Box::new(self.for_expr(pair)?)),
            rule => unreachable!("grammar: {rule:?} is not a term"),
        };
        Ok(Expr { kind, span })
    }

    fn object_item(&self, item: Pair<'_, Rule>) -> Built<ObjectItem> {
        let mut inner = kids(item);
        let key = self.expr(inner.next().expect("grammar: object item has a key"))?;
        let value = self.expr(inner.next().expect("grammar: object item has a value"))?;
        let key = match key.kind {
            ExprKind::Variable(ident) => ObjectKey::Ident(ident),
            // `true`, `false` and `null` written bare are names too, as in HCL.
            ExprKind::Bool(b) => ObjectKey::Ident(Ident {
                name: if b { "true" } else { "false" }.to_owned(),
                span: key.span,
            }),
            ExprKind::Null => ObjectKey::Ident(Ident {
                name: "null".to_owned(),
                span: key.span,
            }),
            _ => ObjectKey::Expr(key),
        };
        Ok(ObjectItem { key, value })
    }

    fn for_expr(&self, pair: Pair<'_, Rule>) -> Built<ForExpr> {
        let object_form = pair.as_rule() == Rule::for_object;
        let mut inner = kids(pair);
        let intro = inner.next().expect("grammar: for starts with its intro");
        let (key_var, value_var, collection) = self.for_intro(intro)?;
        let first = self.expr(inner.next().expect("grammar: for has an element"))?;
        let (key_expr, value_expr) = if object_form {
            let value = self.expr(inner.next().expect("grammar: object for has a value"))?;
            (Some(first), value)
        } else {
            (None, first)
        };
        let mut group = false;
        let mut cond = None;
        for rest in inner {
            match rest.as_rule() {
                Rule::ellipsis => group = true,
                Rule::for_cond => {
                    cond =
                        Some(self.expr(kids(rest).next().expect("grammar: if has a condition"))?);
                }
                _ => {}
            }
        }
        Ok(ForExpr {
            key_var,
            value_var,
            collection,
            key_expr,
            value_expr,
            group,
            cond,
        })
    }

    /// `for k, v in coll` (expression or directive): key variable, value variable, collection.
    fn for_intro(&self, intro: Pair<'_, Rule>) -> Built<(Option<Ident>, Ident, Expr)> {
        let mut idents = Vec::with_capacity(2);
        let mut collection = None;
        for p in kids(intro) {
            match p.as_rule() {
                Rule::ident => idents.push(self.ident(&p)),
                Rule::expr_nl => collection = Some(self.expr(p)?),
                _ => {}
            }
        }
        let collection = collection.expect("grammar: for has a collection");
        let value_var = idents.pop().expect("grammar: for names a variable");
        Ok((idents.pop(), value_var, collection))
    }

    /// A traversal step (or call arguments) applied to `lhs`.
    fn postfix(&self, lhs: Expr, step: Pair<'_, Rule>) -> Built<Expr> {
        let span = self.span(&step);
        let kind = match step.as_rule() {
            Rule::call_args => return self.call(lhs, step),
            Rule::dot_step => {
                let text = &step.as_str()[1..];
                match text.as_bytes()[0] {
                    b'*' => StepKind::Splat {
                        full: false,
                        each: Vec::new(),
                    },
                    b'0'..=b'9' => StepKind::LegacyIndex(text.parse::<u64>().map_err(|_| {
                        Diagnostic::error("scw::parse::invalid_number", "this index is too large")
                            .with_primary(span, "")
                    })?),
                    _ => StepKind::GetAttr(Ident {
                        name: text.to_owned(),
                        span: Span {
                            start: span.start + 1,
                            ..span
                        },
                    }),
                }
            }
            Rule::bracket_step => {
                let inner = kids(step)
                    .next()
                    .expect("grammar: [] holds `*` or an expression");
                if inner.as_rule() == Rule::splat_star {
                    StepKind::Splat {
                        full: true,
                        each: Vec::new(),
                    }
                } else {
                    StepKind::Index(self.expr(inner)?)
                }
            }
            rule => unreachable!("grammar: {rule:?} is not a traversal step"),
        };
        // HCL reads `.0.1` as one number after a dot: Terraform refuses it.
        if matches!(kind, StepKind::LegacyIndex(_))
            && let ExprKind::Traversal { steps, .. } = &lhs.kind
            && let Some(prev) = steps.last()
            && matches!(prev.kind, StepKind::LegacyIndex(_))
            && prev.span.end == span.start
        {
            return Err(Diagnostic::error(
                "scw::parse::invalid_legacy_index",
                "Invalid legacy index syntax",
            )
            .with_primary(prev.span.to(span), "two legacy indexes chained")
            .with_detail(
                "When using the legacy index syntax, chaining two indexes together is not \
                 permitted. Use the proper index syntax instead, like [0][1].",
            ));
        }
        let step = Step { kind, span };
        Ok(match lhs.kind {
            ExprKind::Traversal { root, mut steps } => {
                // Flat for now: `compact` nests the steps after splats, in one pass.
                steps.push(step);
                Expr {
                    span: lhs.span.to(span),
                    kind: ExprKind::Traversal { root, steps },
                }
            }
            _ => Expr {
                span: lhs.span.to(span),
                kind: ExprKind::Traversal {
                    root: Box::new(lhs),
                    steps: vec![step],
                },
            },
        })
    }

    fn call(&self, callee: Expr, args: Pair<'_, Rule>) -> Built<Expr> {
        let span = callee.span.to(self.span(&args));
        let ExprKind::Variable(name) = callee.kind else {
            unreachable!("grammar: call arguments follow a name")
        };
        let mut list = Vec::new();
        let mut expand_final = false;
        for p in kids(args) {
            if p.as_rule() == Rule::ellipsis {
                expand_final = true;
            } else {
                list.push(self.expr(p)?);
            }
        }
        list.shrink_to_fit();
        Ok(Expr {
            kind: ExprKind::Call(FuncCall {
                name,
                args: list,
                expand_final,
            }),
            span,
        })
    }

    /// A `plain_str`: final as is, except that a newline inside means the string was never
    /// closed on its line.
    fn plain_string(&self, pair: &Pair<'_, Rule>) -> Built<Template> {
        let raw = pair.as_str();
        let start = pair.as_span().start();
        let value = &raw[1..raw.len() - 1];
        if let Some(nl) = value.find('\n') {
            let line_end = start + 1 + nl;
            return Err(super::error::unterminated_string(
                self.span_at(start, start + 1),
                self.span_at(line_end, line_end),
            ));
        }
        let parts = if value.is_empty() {
            Vec::new()
        } else {
            vec![TemplatePart::Literal {
                value: value.to_owned(),
                span: self.span_at(start + 1, start + raw.len() - 1),
            }]
        };
        Ok(Template {
            parts,
            heredoc: None,
        })
    }

    /// A bare template (rule `template_input`: the text of a JSON string).
    pub(crate) fn bare_template(&self, pair: Pair<'_, Rule>) -> Built<Template> {
        let mut toks = Vec::new();
        self.template_tokens(kids(pair), &mut toks)?;
        template::apply_strips(&mut toks);
        Ok(Template {
            parts: template::finish(toks),
            heredoc: None,
        })
    }

    /// A quoted template (`string`) or a heredoc.
    fn template(&self, pair: Pair<'_, Rule>, heredoc: Option<Heredoc>) -> Built<Template> {
        let mut toks = Vec::new();
        let mut close = None;
        let mut open_end = 0;
        let pairs = kids(pair).filter(|p| {
            match p.as_rule() {
                Rule::heredoc_close => close = Some(p.as_span()),
                Rule::heredoc_open => open_end = p.as_span().end(),
                _ => {}
            }
            true
        });
        self.template_tokens(pairs, &mut toks)?;
        // The newline before a heredoc's closing line is content, unless the body is empty
        // (then that newline is the one right after `<<EOT`).
        if let Some(close) = close
            && close.start() > open_end
        {
            let nl_len = if close.as_str().starts_with("\r\n") {
                2
            } else {
                1
            };
            let nl_span = self.span_at(close.start(), close.start() + nl_len);
            match toks.last_mut() {
                Some(Tok::Lit { value, span, .. }) => {
                    value.push('\n');
                    span.end = nl_span.end;
                }
                _ => toks.push(Tok::Lit {
                    value: "\n".to_owned(),
                    span: nl_span,
                    verbatim: nl_len == 1,
                }),
            }
        }
        if heredoc.is_some() {
            template::split_heredoc_lines(&mut toks);
        }
        template::apply_strips(&mut toks);
        if heredoc.as_ref().is_some_and(|h| h.indented) {
            template::flush_heredoc(&mut toks);
        }
        let parts = template::finish(toks);
        Ok(Template { parts, heredoc })
    }

    /// Flattens template pairs into tokens, as HCL's own template parser sees them.
    fn template_tokens<'i>(
        &self,
        pairs: impl Iterator<Item = Pair<'i, Rule>>,
        out: &mut Vec<Tok>,
    ) -> Built<()> {
        for pair in pairs {
            let span = self.span(&pair);
            let text = pair.as_str();
            let strip_left = text.as_bytes().get(2) == Some(&b'~');
            let strip_right = text.len() >= 4 && text.as_bytes()[text.len() - 2] == b'~';
            match pair.as_rule() {
                Rule::qlit | Rule::hlit | Rule::blit => {
                    let start = pair.as_span().start();
                    let value = if pair.as_rule() == Rule::qlit {
                        template::decode_quoted(text, |a, b| self.span_at(start + a, start + b))?
                    } else {
                        template::decode_heredoc(text)
                    };
                    out.push(Tok::Lit {
                        verbatim: value.len() == text.len(),
                        value,
                        span,
                    });
                }
                Rule::fast_interp => {
                    let expr = self.reference_path(pair.into_inner())?;
                    out.push(Tok::Interp {
                        expr,
                        strip_left: false,
                        strip_right: false,
                        span,
                    });
                }
                Rule::interp => {
                    let expr =
                        self.expr(kids(pair).next().expect("grammar: ${} holds an expression"))?;
                    out.push(Tok::Interp {
                        expr,
                        strip_left,
                        strip_right,
                        span,
                    });
                }
                // A directive nests its body one level deeper (`template::finish` builds
                // the parts as a tree).
                Rule::qif | Rule::hif | Rule::bif | Rule::qfor | Rule::hfor | Rule::bfor => {
                    self.nested(&pair.clone(), || self.template_tokens(kids(pair), out))?;
                }
                Rule::qseq | Rule::hseq | Rule::bseq => {
                    self.template_tokens(kids(pair), out)?;
                }
                Rule::if_open => {
                    let cond =
                        self.expr(kids(pair).next().expect("grammar: %{if} has a condition"))?;
                    out.push(Tok::If {
                        cond,
                        strip_left,
                        strip_right,
                        span,
                    });
                }
                Rule::for_open => {
                    let (key_var, value_var, collection) = self.for_intro(pair)?;
                    out.push(Tok::For {
                        key_var,
                        value_var,
                        collection,
                        strip_left,
                        strip_right,
                        span,
                    });
                }
                Rule::else_tag | Rule::endif_tag | Rule::endfor_tag => out.push(Tok::Tag {
                    rule_else: pair.as_rule() == Rule::else_tag,
                    strip_left,
                    strip_right,
                    span,
                }),
                _ => {}
            }
        }
        Ok(())
    }
}

/// The offset of a `${` or `%{` that is not escaped as `$${` / `%%{`.
fn template_sequence(raw: &str) -> Option<usize> {
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'$', b'$') | (b'%', b'%') | (b'\\', _) => i += 2,
            (b'$' | b'%', b'{') => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The span of a body item.
pub(crate) fn structure_span(s: &Structure) -> Span {
    match s {
        Structure::Attribute(a) => a.span,
        Structure::Block(b) => b.span,
    }
}

/// `items` without spare capacity (see [`Builder::block`]).
fn exact<T>(mut items: Vec<T>) -> Vec<T> {
    items.shrink_to_fit();
    items
}

/// Whether a traversal step pair is a splat (`.*` or `[*]`).
fn is_splat(step: &Pair<'_, Rule>) -> bool {
    match step.as_rule() {
        Rule::dot_step => step.as_str().ends_with('*'),
        Rule::bracket_step => step
            .clone()
            .into_inner()
            .any(|p| p.as_rule() == Rule::splat_star),
        _ => false,
    }
}

/// A finished expression: its traversal steps (pushed flat, one at a time) nested into their
/// splats, and trimmed to size.
///
/// Invariant: called exactly once on each traversal, after its last step was pushed (the
/// builder compacts every expression it finishes; nothing pushes steps afterwards).
fn compact(mut e: Expr) -> Expr {
    if let ExprKind::Traversal { steps, .. } = &mut e.kind {
        if steps
            .iter()
            .any(|s| matches!(s.kind, StepKind::Splat { .. }))
        {
            *steps = nest_splats(std::mem::take(steps));
        }
        steps.shrink_to_fit();
    }
    e
}

/// Nests the steps that HCL applies per element into the splat before them: after `[*]` every
/// later step (further splats included, which nest in turn); after `.*` only the attribute
/// (and legacy index) steps that follow it directly.
///
/// One pass from the end, so the cost is linear in the number of steps however many splats
/// there are: `tail` holds the already nested steps that follow the current one.
fn nest_splats(flat: Vec<Step>) -> Vec<Step> {
    let mut tail: Vec<Step> = Vec::new();
    for mut step in flat.into_iter().rev() {
        if let StepKind::Splat { full, each } = &mut step.kind {
            let taken = if *full {
                tail.len()
            } else {
                tail.iter()
                    .rev()
                    .take_while(|s| {
                        matches!(s.kind, StepKind::GetAttr(_) | StepKind::LegacyIndex(_))
                    })
                    .count()
            };
            let keep = tail.len() - taken;
            each.extend(tail.drain(keep..).rev());
            each.shrink_to_fit();
        }
        tail.push(step);
    }
    tail.reverse();
    tail
}

fn binary_op(rule: Rule) -> BinaryOp {
    match rule {
        Rule::op_or => BinaryOp::Or,
        Rule::op_and => BinaryOp::And,
        Rule::op_eq => BinaryOp::Eq,
        Rule::op_ne => BinaryOp::NotEq,
        Rule::op_lt => BinaryOp::Lt,
        Rule::op_le => BinaryOp::Le,
        Rule::op_gt => BinaryOp::Gt,
        Rule::op_ge => BinaryOp::Ge,
        Rule::op_add => BinaryOp::Add,
        Rule::op_sub => BinaryOp::Sub,
        Rule::op_mul => BinaryOp::Mul,
        Rule::op_div => BinaryOp::Div,
        Rule::op_mod => BinaryOp::Mod,
        rule => unreachable!("grammar: {rule:?} is not a binary operator"),
    }
}
