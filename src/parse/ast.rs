//! The syntax tree of HCL native syntax, as `scwform` reads it.
//!
//! Every node carries a [`Span`] (file id + byte range). Literal values are final: string escapes
//! are decoded, heredoc indentation (`<<-`) is removed and template strip markers (`~`) are
//! already applied to the neighbouring literals, so evaluation never looks at source text.
//! Comments are kept at the file level ([`File::comments`]) with their spans.
//!
//! This module names no pest type; it is the only parse output other layers see.

use crate::diag::{FileId, Span};

/// One parsed `.tf` file.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    /// Which file this is.
    pub id: FileId,
    /// The top-level body.
    pub body: Body,
    /// Every comment in the file, in source order.
    pub comments: Vec<Comment>,
}

/// A comment, kept so that tools that print files back lose nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comment {
    /// `#`, `//` or `/* */`.
    pub kind: CommentKind,
    /// The whole comment including its markers (a line comment's span excludes the newline).
    pub span: Span,
}

/// The three comment forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentKind {
    /// `# ...`
    Hash,
    /// `// ...`
    DoubleSlash,
    /// `/* ... */`
    Block,
}

/// A sequence of attributes and blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// Attributes and blocks in source order.
    pub items: Vec<Structure>,
    /// From the first to the last item (empty span at the body start when there are none).
    pub span: Span,
}

/// One body item.
#[derive(Debug, Clone, PartialEq)]
pub enum Structure {
    /// `name = expr`
    Attribute(Attribute),
    /// `type "label" { ... }`
    Block(Block),
}

/// `name = expr`
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// The attribute name.
    pub name: Ident,
    /// Its value.
    pub expr: Expr,
    /// From the name to the end of the expression.
    pub span: Span,
}

/// `type label* { body }`
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// The block type, e.g. `resource`.
    pub ident: Ident,
    /// Its labels, e.g. `"scaleway_account_project"`, `"main"`.
    pub labels: Vec<BlockLabel>,
    /// The contents.
    pub body: Body,
    /// The `{`.
    pub open_brace: Span,
    /// The `}`.
    pub close_brace: Span,
    /// From the type to the closing brace.
    pub span: Span,
}

/// A block label: quoted (`"main"`) or bare (`main`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockLabel {
    /// The label's value (escapes decoded for quoted labels).
    pub value: String,
    /// Whether it was written in quotes.
    pub quoted: bool,
    /// Including the quotes, if any.
    pub span: Span,
}

/// An identifier with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The name. Function names may contain `::` (Terraform provider functions).
    pub name: String,
    /// Where it is.
    pub span: Span,
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// The whole expression (for parentheses, including them).
    pub span: Span,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number literal.
    Number(crate::number::Number),
    /// A quoted string or heredoc; a plain `"abc"` is a template with one literal part.
    Template(Template),
    /// `[a, b]`
    Tuple(Vec<Expr>),
    /// `{ k = v, ... }`
    Object(Vec<ObjectItem>),
    /// A bare name used as a value: `var`, `local`, `scaleway_account_project`, `count`, `each`.
    Variable(Ident),
    /// A traversal applied to an expression: `a.b[0].c`, `a[*].id`, `f(x)[0]`.
    Traversal {
        /// The expression traversed (usually [`ExprKind::Variable`]).
        root: Box<Expr>,
        /// The steps, in order.
        steps: Vec<Step>,
    },
    /// `name(args...)`
    Call(FuncCall),
    /// `[for ...]` / `{for ...}`
    For(Box<ForExpr>),
    /// `-x`, `!x`
    Unary {
        /// The operator.
        op: UnaryOp,
        /// Its operand.
        operand: Box<Expr>,
    },
    /// `a op b`
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `cond ? a : b`
    Conditional {
        /// The condition.
        cond: Box<Expr>,
        /// Value when true.
        then: Box<Expr>,
        /// Value when false.
        otherwise: Box<Expr>,
    },
    /// `( expr )`; kept so that an object key in parentheses is an expression, not a name.
    Parens(Box<Expr>),
}

/// One traversal step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// What the step does.
    pub kind: StepKind,
    /// The step's own text (`.name`, `[expr]`, `.0`, `[*]`...).
    pub span: Span,
}

/// The kinds of traversal step.
#[derive(Debug, Clone, PartialEq)]
pub enum StepKind {
    /// `.name`
    GetAttr(Ident),
    /// `[expr]`
    Index(Expr),
    /// `.0` (legacy index syntax)
    LegacyIndex(u64),
    /// `.*` (`full == false`) or `[*]` (`full == true`), with the steps applied to each element.
    /// After `.*` only attribute steps apply per element; after `[*]` attribute and index steps do.
    Splat {
        /// `[*]` rather than `.*`.
        full: bool,
        /// Steps applied to each element.
        each: Vec<Step>,
    },
}

/// `name(args...)`
#[derive(Debug, Clone, PartialEq)]
pub struct FuncCall {
    /// The function name.
    pub name: Ident,
    /// The arguments.
    pub args: Vec<Expr>,
    /// A final `...` expands the last argument (a list or tuple) into arguments.
    pub expand_final: bool,
}

/// A `for` expression.
#[derive(Debug, Clone, PartialEq)]
pub struct ForExpr {
    /// `k` in `for k, v in ...` (absent with one variable).
    pub key_var: Option<Ident>,
    /// `v` in `for k, v in ...`.
    pub value_var: Ident,
    /// The collection iterated over.
    pub collection: Expr,
    /// For the object form `{for ...: key => value}`, the key expression.
    pub key_expr: Option<Expr>,
    /// The element (tuple form) or value (object form).
    pub value_expr: Expr,
    /// Object form only: `...` groups values of equal keys into tuples.
    pub group: bool,
    /// `if cond`
    pub cond: Option<Expr>,
}

/// An object constructor item.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectItem {
    /// The key.
    pub key: ObjectKey,
    /// The value.
    pub value: Expr,
}

/// An object key: a bare identifier is a literal name; anything else is an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectKey {
    /// `name = ...` (the literal string "name", not a variable).
    Ident(Ident),
    /// `"name" = ...`, `(var.k) = ...`, `a.b = ...`.
    Expr(Expr),
}

impl ObjectKey {
    /// The key's span.
    #[must_use]
    pub fn span(&self) -> Span {
        match self {
            Self::Ident(i) => i.span,
            Self::Expr(e) => e.span,
        }
    }
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-`
    Neg,
    /// `!`
    Not,
}

/// Binary operators, HCL precedence (high to low): `* / %`, `+ -`, `> >= < <=`, `== !=`, `&&`, `||`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `||`
    Or,
    /// `&&`
    And,
    /// `==`
    Eq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
}

impl BinaryOp {
    /// The operator as written.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Or => "||",
            Self::And => "&&",
            Self::Eq => "==",
            Self::NotEq => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Add => "+",
            Self::Sub => "-",
            Self::Mul => "*",
            Self::Div => "/",
            Self::Mod => "%",
        }
    }
}

/// A string template: quoted (`"..."`) or heredoc.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// Literal text, interpolations and directives.
    pub parts: Vec<TemplatePart>,
    /// Set for heredocs.
    pub heredoc: Option<Heredoc>,
}

/// Heredoc details (for tools that print the file back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter word, e.g. `EOT`.
    pub marker: String,
    /// `<<-` (indented) rather than `<<`.
    pub indented: bool,
}

/// One piece of a template.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    /// Literal text, escapes decoded, strip markers applied.
    Literal {
        /// The text.
        value: String,
        /// Its source.
        span: Span,
    },
    /// `${ expr }`
    Interpolation {
        /// The expression.
        expr: Expr,
        /// From `${` to `}`.
        span: Span,
    },
    /// `%{ if cond }...%{ else }...%{ endif }`
    If {
        /// The condition.
        cond: Expr,
        /// Parts when true.
        then: Vec<Self>,
        /// Parts when false (empty when there is no `%{ else }`).
        otherwise: Vec<Self>,
        /// From `%{ if` to the closing `}` of `%{ endif }`.
        span: Span,
    },
    /// `%{ for k, v in coll }...%{ endfor }`
    For {
        /// Optional key variable.
        key_var: Option<Ident>,
        /// Value variable.
        value_var: Ident,
        /// The collection.
        collection: Expr,
        /// Parts repeated per element.
        body: Vec<Self>,
        /// From `%{ for` to the closing `}` of `%{ endfor }`.
        span: Span,
    },
}

impl Template {
    /// If the template is only literal text, that text.
    #[must_use]
    pub fn as_literal(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                TemplatePart::Literal { value, .. } => out.push_str(value),
                _ => return None,
            }
        }
        Some(out)
    }
}

impl Structure {
    /// The item's span: an attribute's, or a block's from its type to its closing brace.
    #[must_use]
    pub fn span(&self) -> Span {
        match self {
            Self::Attribute(a) => a.span,
            Self::Block(b) => b.span,
        }
    }
}

impl Body {
    /// The attributes of this body, in order.
    pub fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.items.iter().filter_map(|s| match s {
            Structure::Attribute(a) => Some(a),
            Structure::Block(_) => None,
        })
    }

    /// The blocks of this body, in order.
    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.items.iter().filter_map(|s| match s {
            Structure::Block(b) => Some(b),
            Structure::Attribute(_) => None,
        })
    }
}
