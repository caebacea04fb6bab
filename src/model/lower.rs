//! Lowering: syntax trees of a configuration's files → [`Module`], checked against the schemas.
//!
//! Everything that can be known without evaluating expressions is checked here, and every
//! problem is collected (never just the first): unknown block types and resource types
//! (did-you-mean), unknown, duplicate, computed-only and missing required attributes, block
//! count limits, duplicate declarations, meta-arguments (`count`, `for_each`, `depends_on`,
//! `lifecycle`, `provider`), and every reference each expression makes (undeclared variables,
//! locals and resources, attributes a resource type does not have, `count.index` / `each.*`
//! outside `count` / `for_each`).
//!
//! Invariant: a [`Module`] borrows the syntax trees (no expression is cloned), and every
//! reference listed in it names a declared variable, local or resource — or a resource in
//! [`Module::broken_resources`] (declared with an unknown type), whose value is unknown.
//!
//! Depends on `parse::ast`, `schema`, `diag` and the sibling `refs`/`ids` modules.

use std::collections::HashSet;

use indexmap::IndexMap;

use super::refs::{self, RefTarget, Reference};
use crate::addr::is_identifier;
use crate::diag::{Diagnostic, Diagnostics, Span, suggest};
use crate::parse::ast::{self, Attribute, Block, Expr, ExprKind, Step, StepKind, Structure};
use crate::schema::{self, AttributeSchema, BlockSchema, ResourceSchema};

/// A configuration's declarations, checked but not evaluated.
#[derive(Debug, Default)]
pub struct Module<'a> {
    /// `terraform { ... }` blocks (accepted, not interpreted).
    pub terraform: Vec<&'a Block>,
    /// The `provider "scaleway"` block.
    pub provider: Option<ProviderDecl<'a>>,
    /// `provider "scaleway"` blocks with an `alias`, by alias, in source order.
    pub provider_aliases: IndexMap<&'a str, ProviderDecl<'a>>,
    /// `variable` blocks, in source order.
    pub variables: IndexMap<&'a str, VariableDecl<'a>>,
    /// `locals` entries, in source order.
    pub locals: IndexMap<&'a str, LocalDecl<'a>>,
    /// `output` blocks, in source order.
    pub outputs: IndexMap<&'a str, OutputDecl<'a>>,
    /// `check` blocks, in source order.
    pub checks: IndexMap<&'a str, CheckDecl<'a>>,
    /// `resource` blocks with a known type, keyed by (type, name), in source order. (Looked
    /// up several times per reference: hashed with Fx, not `SipHash`; the keys come from the
    /// configuration being read, not from an adversary.)
    pub resources: IndexMap<(&'a str, &'a str), ResourceDecl<'a>, rustc_hash::FxBuildHasher>,
    /// Resources declared with an unknown type (already diagnosed); references to them are
    /// accepted and evaluate to unknown values, so one mistake does not cascade.
    pub broken_resources: HashSet<(&'a str, &'a str)>,
    /// `module` blocks, in source order.
    pub calls: IndexMap<&'a str, ModuleCallDecl<'a>>,
    /// The module each call with a readable local source calls, lowered (filled by the
    /// loader, which reads the called directories).
    pub children: IndexMap<&'a str, ChildModule<'a>>,
    /// `import` blocks, in source order.
    pub imports: Vec<ImportDecl<'a>>,
    /// `moved` blocks, in source order (their `module` empty: relative to this module).
    pub moves: Vec<super::refactor::MoveStatement>,
    /// `removed` blocks, in source order (their `module` empty: relative to this module).
    pub removals: Vec<super::refactor::RemoveStatement>,
}

/// A `module "NAME" { source = "./dir" ... }` block.
#[derive(Debug)]
pub struct ModuleCallDecl<'a> {
    /// The call's name (the block's label).
    pub name: &'a str,
    /// The block.
    pub block: &'a Block,
    /// The `source` string, when it is a literal.
    pub source: Option<(String, Span)>,
    /// `count`, if set.
    pub count: Option<&'a Attribute>,
    /// `for_each`, if set.
    pub for_each: Option<&'a Attribute>,
    /// `depends_on` entries.
    pub depends_on: Vec<DependsOn>,
    /// `providers = { scaleway = scaleway.ALIAS }`: the alias the called module's default
    /// provider configuration is, with where it is written.
    pub providers: Option<(&'a str, Span)>,
    /// The input variables' arguments (every argument that is not a meta-argument).
    pub inputs: Vec<&'a Attribute>,
    /// Every reference the block makes (`count`, `for_each` and the inputs).
    pub refs: Vec<Reference>,
}

/// A called module: its declarations and where it is.
#[derive(Debug)]
pub struct ChildModule<'a> {
    /// The module's declarations (and, recursively, its own calls).
    pub module: Module<'a>,
    /// Its directory relative to the root module's (`path.module`), e.g. `modules/app`.
    pub dir: String,
}

/// An `import` block: bring the object `id` under management at `to`.
#[derive(Debug)]
pub struct ImportDecl<'a> {
    /// The block.
    pub block: &'a Block,
    /// The target resource's type and name (`to = TYPE.NAME` or `TYPE.NAME[KEY]`).
    pub type_name: &'a str,
    /// The target resource's name.
    pub name: &'a str,
    /// The instance key expression of `to`, if any.
    pub key: Option<&'a Expr>,
    /// Where `to` is written.
    pub to_span: Span,
    /// `id = ...`
    pub id: &'a Attribute,
    /// `for_each = ...`
    pub for_each: Option<&'a Attribute>,
    /// The alias of `provider = scaleway.ALIAS`; `None` for the default configuration.
    pub provider: Option<&'a str>,
    /// References made by `id`, `for_each` and the key of `to`.
    pub refs: Vec<Reference>,
}

/// The provider block.
#[derive(Debug)]
pub struct ProviderDecl<'a> {
    /// The block.
    pub block: &'a Block,
    /// Its attributes, checked against [`schema::PROVIDER`].
    pub body: BodyDecl<'a>,
    /// References its expressions make.
    pub refs: Vec<Reference>,
}

/// A `variable` block.
#[derive(Debug)]
pub struct VariableDecl<'a> {
    /// The name.
    pub name: &'a str,
    /// The block.
    pub block: &'a Block,
    /// `type = ...`, a type expression.
    pub type_expr: Option<&'a Expr>,
    /// `default = ...`
    pub default: Option<&'a Expr>,
    /// `description = "..."`
    pub description: Option<String>,
    /// `sensitive = true`
    pub sensitive: bool,
    /// `nullable = false` makes null values fall back to the default.
    pub nullable: bool,
    /// `validation { condition, error_message }` blocks.
    pub validations: Vec<Condition<'a>>,
    /// References made by the validation blocks.
    pub refs: Vec<Reference>,
}

/// One `locals` entry.
#[derive(Debug)]
pub struct LocalDecl<'a> {
    /// The name.
    pub name: &'a str,
    /// The attribute defining it.
    pub attribute: &'a Attribute,
    /// References its expression makes.
    pub refs: Vec<Reference>,
}

/// An `output` block.
#[derive(Debug)]
pub struct OutputDecl<'a> {
    /// The name.
    pub name: &'a str,
    /// The block.
    pub block: &'a Block,
    /// `value = ...`
    pub value: Option<&'a Attribute>,
    /// `sensitive = true`
    pub sensitive: bool,
    /// `description = "..."`
    pub description: Option<String>,
    /// `depends_on = [...]`
    pub depends_on: Vec<DependsOn>,
    /// `precondition` blocks, checked before the value is used.
    pub preconditions: Vec<Condition<'a>>,
    /// References its value and its preconditions make.
    pub refs: Vec<Reference>,
}

/// A condition block: a variable's `validation`, an output's `precondition`, a check's
/// `assert`. The condition must be `true`; the message is shown when it is not.
#[derive(Debug)]
pub struct Condition<'a> {
    /// `condition = ...`
    pub condition: &'a Expr,
    /// `error_message = ...`
    pub error_message: &'a Expr,
}

/// A `check` block: assertions reported as warnings.
#[derive(Debug)]
pub struct CheckDecl<'a> {
    /// The name.
    pub name: &'a str,
    /// The block.
    pub block: &'a Block,
    /// Its `assert` blocks.
    pub asserts: Vec<Condition<'a>>,
    /// References its assertions make.
    pub refs: Vec<Reference>,
}

/// One entry of `depends_on`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependsOn {
    /// The resource depended on (type, name).
    pub target: RefTarget,
    /// Where it is written.
    pub span: Span,
}

/// `ignore_changes` of a lifecycle block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum IgnoreChanges {
    /// Nothing ignored.
    #[default]
    None,
    /// These attributes.
    Attributes(Vec<String>),
    /// `ignore_changes = all`
    All,
}

/// A resource's `lifecycle` block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lifecycle {
    /// Create the replacement before destroying the old object.
    pub create_before_destroy: bool,
    /// Refuse any plan that destroys this resource.
    pub prevent_destroy: bool,
    /// Attributes whose changes are ignored.
    pub ignore_changes: IgnoreChanges,
}

/// The attributes and nested blocks of a body, matched to their schemas.
#[derive(Debug, Default)]
pub struct BodyDecl<'a> {
    /// Configured attributes, in source order.
    pub attributes: Vec<(&'static AttributeSchema, &'a Attribute)>,
    /// Nested blocks, in source order.
    pub blocks: Vec<NestedBlockDecl<'a>>,
}

/// One nested block occurrence.
#[derive(Debug)]
pub struct NestedBlockDecl<'a> {
    /// Its schema.
    pub schema: &'static BlockSchema,
    /// The block.
    pub block: &'a Block,
    /// Its contents.
    pub body: BodyDecl<'a>,
}

/// A `resource` block with a known type.
#[derive(Debug)]
pub struct ResourceDecl<'a> {
    /// The type label; for a data source, its key `data.TYPE` (a data source and a resource
    /// may share a type and a name).
    pub type_name: &'a str,
    /// The name label.
    pub name: &'a str,
    /// The type's schema.
    pub schema: &'static ResourceSchema,
    /// For a data source declared in a `check` block, the check's name (its read failures
    /// are warnings).
    pub check: Option<&'a str>,
    /// `provider = scaleway.ALIAS`: the alias, with where it is written.
    pub provider: Option<(&'a str, Span)>,
    /// The block.
    pub block: &'a Block,
    /// Schema attributes and blocks.
    pub body: BodyDecl<'a>,
    /// `count = ...`
    pub count: Option<&'a Attribute>,
    /// `for_each = ...`
    pub for_each: Option<&'a Attribute>,
    /// `depends_on = [...]`
    pub depends_on: Vec<DependsOn>,
    /// `lifecycle { ... }`
    pub lifecycle: Lifecycle,
    /// `lifecycle { precondition { ... } }` blocks: checked before the instance is planned.
    pub preconditions: Vec<Condition<'a>>,
    /// `lifecycle { postcondition { ... } }` blocks: checked once the object is known, with
    /// `self` the object.
    pub postconditions: Vec<Condition<'a>>,
    /// `timeouts { ... }` (operation → duration text), when the type allows it.
    pub timeouts: Option<&'a Block>,
    /// References made by every expression of the block (attributes, nested blocks, count,
    /// `for_each`), shared with every instance.
    pub refs: std::sync::Arc<[Reference]>,
}

/// The root-module address of the resource declared under `key` (a type, or `data.TYPE` for a
/// data source) and `name`.
#[must_use]
pub fn resource_addr(key: &str, name: &str) -> crate::addr::ResourceAddr {
    match key.strip_prefix("data.") {
        Some(type_name) => crate::addr::ResourceAddr {
            mode: crate::addr::Mode::Data,
            ..crate::addr::ResourceAddr::managed(type_name, name)
        },
        None => crate::addr::ResourceAddr::managed(key, name),
    }
}

impl ResourceDecl<'_> {
    /// Whether this is a data source (a `data` block).
    #[must_use]
    pub fn is_data(&self) -> bool {
        self.type_name.starts_with("data.")
    }

    /// The span of `resource "TYPE" "NAME"`, where diagnostics about the whole block point.
    #[must_use]
    pub fn header_span(&self) -> Span {
        header_span(self.block)
    }
}

/// The span from a block's type keyword to its last label.
#[must_use]
pub fn header_span(block: &Block) -> Span {
    block
        .labels
        .last()
        .map_or(block.ident.span, |l| block.ident.span.to(l.span))
}

const TOP_LEVEL: &[&str] = &[
    "module",
    "terraform",
    "provider",
    "variable",
    "locals",
    "output",
    "resource",
    "data",
    "check",
    "import",
    "moved",
    "removed",
];

const RESOURCE_META: &[&str] = &["count", "for_each", "depends_on", "provider", "lifecycle"];

/// Lowers the files of one configuration into a [`Module`], collecting every diagnostic.
pub fn lower<'a>(files: &'a [ast::File], diags: &mut Diagnostics) -> Module<'a> {
    let mut lowerer = Lowerer {
        module: Module::default(),
        diags,
        deprecated_types: IndexMap::new(),
        alias_uses: Vec::new(),
    };
    // Sized up front: on large configurations, growing the map by doubling would copy every
    // declaration several times and briefly hold two copies.
    let resource_blocks = files
        .iter()
        .flat_map(|f| f.body.blocks())
        .filter(|b| b.ident.name == "resource")
        .count();
    lowerer.module.resources.reserve(resource_blocks);
    for file in files {
        for item in &file.body.items {
            match item {
                Structure::Attribute(a) => lowerer.diags.push(
                    Diagnostic::error("scw::model::unsupported_argument", "Unsupported argument")
                        .with_primary(a.name.span, "not expected here")
                        .with_detail(format!(
                            "An argument named \"{}\" is not expected at the top level of a configuration file; only blocks are.",
                            a.name.name
                        )),
                ),
                Structure::Block(b) => lowerer.top_block(b),
            }
        }
    }
    lowerer.check_references();
    for (type_name, (span, count)) in std::mem::take(&mut lowerer.deprecated_types) {
        let why = schema::resource(type_name)
            .and_then(|s| s.deprecated)
            .unwrap_or_default();
        let others = match count {
            1 => String::new(),
            2 => " This configuration has 1 more resource of this type.".to_owned(),
            n => format!(
                " This configuration has {} more resources of this type.",
                n - 1
            ),
        };
        lowerer.diags.push(
            Diagnostic::warning("scw::model::deprecated", "Deprecated resource type")
                .with_primary(span, "deprecated")
                .with_detail(format!("The {type_name} resource type is {why}.{others}")),
        );
    }
    lowerer.module
}

struct Lowerer<'a, 'd> {
    module: Module<'a>,
    diags: &'d mut Diagnostics,
    /// Deprecated resource types seen: how many resources use each. One warning per type
    /// (at its first use) keeps large configurations readable.
    deprecated_types: IndexMap<&'a str, (Span, usize)>,
    /// Provider aliases referred to (`provider = scaleway.nl`, `providers = {...}`), with what
    /// refers to them: each must be declared in this module.
    alias_uses: Vec<(&'a str, Span, String)>,
}

fn literal_bool(expr: &Expr) -> Option<bool> {
    match &expr.kind {
        ExprKind::Bool(b) => Some(*b),
        ExprKind::Parens(inner) => literal_bool(inner),
        _ => None,
    }
}

/// A string literal without interpolation, borrowed from the syntax tree.
fn literal_str(expr: &Expr) -> Option<&str> {
    match &expr.kind {
        ExprKind::Template(t) => match t.parts.as_slice() {
            [ast::TemplatePart::Literal { value, .. }] => Some(value.as_str()),
            _ => None,
        },
        ExprKind::Parens(inner) => literal_str(inner),
        _ => None,
    }
}

pub(super) fn literal_string(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Template(t) => t.as_literal(),
        ExprKind::Parens(inner) => literal_string(inner),
        _ => None,
    }
}

/// A bare name (`all`, `name`), as used in `ignore_changes` and type expressions.
fn bare_name(expr: &Expr) -> Option<&str> {
    match &expr.kind {
        ExprKind::Variable(i) => Some(&i.name),
        _ => None,
    }
}

impl<'a> Lowerer<'a, '_> {
    fn error(
        &mut self,
        code: &'static str,
        summary: &str,
        span: Span,
        label: &str,
    ) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::error(code, summary).with_primary(span, label));
        self.diags.0.last_mut().expect("just pushed")
    }

    fn labels_ok(&mut self, block: &Block, want: usize, what: &str) -> bool {
        let have = block.labels.len();
        if have == want {
            return true;
        }
        if have < want {
            let missing = if want == 2 && have == 1 {
                "name"
            } else if want == 2 {
                "type and name"
            } else {
                "name"
            };
            self.error(
                "scw::model::missing_label",
                &format!("Missing {missing} for {what}"),
                header_span(block),
                "",
            )
            .detail = Some(format!(
                "A {what} block needs {want} label{}: {}.",
                if want == 1 { "" } else { "s" },
                match (block.ident.name.as_str(), want) {
                    ("resource", _) =>
                        "the resource type and name, as in resource \"scaleway_account_project\" \"main\"",
                    (_, 1) => "its name",
                    _ => "none",
                }
            ));
        } else {
            let extra = &block.labels[want];
            self.error(
                "scw::model::extraneous_label",
                "Extraneous label",
                extra.span,
                "not expected",
            )
            .detail = Some(format!(
                "A {what} block expects {want} label{}.",
                if want == 1 { "" } else { "s" }
            ));
        }
        false
    }

    fn top_block(&mut self, block: &'a Block) {
        let kind = block.ident.name.as_str();
        match kind {
            "terraform" => {
                if self.labels_ok(block, 0, "terraform") {
                    self.module.terraform.push(block);
                }
            }
            "provider" => self.provider(block),
            "variable" => self.variable(block),
            "locals" => self.locals(block),
            "output" => self.output(block),
            "resource" => self.resource(block),
            "data" => self.resource_or_data(block, true, None),
            "check" => self.check(block),
            "module" => self.module_call(block),
            "import" => self.import(block),
            "moved" => {
                if self.labels_ok(block, 0, "moved")
                    && let Some(m) = super::refactor::moved(block, self.diags)
                {
                    self.module.moves.push(m);
                }
            }
            "removed" => {
                if self.labels_ok(block, 0, "removed")
                    && let Some(r) = super::refactor::removed(block, self.diags)
                {
                    self.module.removals.push(r);
                }
            }
            other => {
                let d = self.error(
                    "scw::model::unknown_block",
                    "Unsupported block type",
                    block.ident.span,
                    "unknown block type",
                );
                d.detail = Some(format!("Blocks of type \"{other}\" are not expected here."));
                d.help = suggest::did_you_mean(other, TOP_LEVEL.iter().copied());
            }
        }
    }

    fn provider(&mut self, block: &'a Block) {
        if !self.labels_ok(block, 1, "provider") {
            return;
        }
        let label = &block.labels[0];
        if label.value != "scaleway" {
            let d = self.error(
                "scw::model::unsupported_provider",
                "Unsupported provider",
                label.span,
                "not a provider scwform knows",
            );
            d.detail = Some(format!(
                "scwform manages Scaleway resources only; there is no provider \"{}\".",
                label.value
            ));
            d.help = suggest::did_you_mean(&label.value, ["scaleway"]);
            return;
        }
        let alias = match block.body.attributes().find(|a| a.name.name == "alias") {
            None => None,
            Some(a) => match literal_str(&a.expr) {
                Some(name) if is_identifier(name) => Some((name, a.expr.span)),
                _ => {
                    self.error(
                        "scw::model::invalid_provider_alias",
                        "Invalid provider configuration alias",
                        a.expr.span,
                        "a literal name is required",
                    )
                    .detail = Some("An alias must be a literal string that is a valid identifier, such as alias = \"nl\".".into());
                    return;
                }
            },
        };
        if let Some((alias, span)) = alias {
            if let Some(first) = self.module.provider_aliases.get(alias) {
                let first = header_span(first.block);
                self.duplicate(
                    "scw::model::duplicate_provider",
                    "Duplicate provider configuration",
                    span,
                    first,
                );
                self.diags.0.last_mut().expect("just pushed").detail = Some(format!(
                    "A provider configuration for \"scaleway\" with alias \"{alias}\" was already given. Each configuration for the same provider must have a distinct alias."
                ));
                return;
            }
            let body = self.body(
                &block.body,
                &schema::PROVIDER,
                "the provider block",
                &["alias"],
                header_span(block),
            );
            let mut refs = Vec::new();
            self.collect_body_refs(&body, &mut refs);
            self.module
                .provider_aliases
                .insert(alias, ProviderDecl { block, body, refs });
            return;
        }
        if let Some(first) = &self.module.provider {
            let first = header_span(first.block);
            self.error(
                "scw::model::duplicate_provider",
                "Duplicate provider configuration",
                header_span(block),
                "second configuration",
            )
            .labels
            .push(crate::diag::Label {
                span: first,
                message: "first configured here".into(),
                primary: false,
            });
            self.diags.0.last_mut().expect("just pushed").detail =
                Some("A default (non-aliased) provider configuration for \"scaleway\" was already given. If multiple configurations are required, set the \"alias\" argument for alternative configurations.".into());
            return;
        }
        let body = self.body(
            &block.body,
            &schema::PROVIDER,
            "the provider block",
            &[],
            header_span(block),
        );
        let mut refs = Vec::new();
        self.collect_body_refs(&body, &mut refs);
        self.module.provider = Some(ProviderDecl { block, body, refs });
    }

    /// The alias of `scaleway.ALIAS` (`None` for `scaleway`, the default configuration);
    /// anything else is reported, and `None`.
    fn provider_reference(&mut self, expr: &'a Expr) -> Option<(&'a str, Span)> {
        match &expr.kind {
            ExprKind::Variable(i) if i.name == "scaleway" => return None,
            ExprKind::Traversal { root, steps } => {
                if let (ExprKind::Variable(i), [step]) = (&root.kind, steps.as_slice())
                    && i.name == "scaleway"
                    && let StepKind::GetAttr(alias) = &step.kind
                {
                    return Some((alias.name.as_str(), expr.span));
                }
            }
            _ => {}
        }
        self.error(
            "scw::model::invalid_provider_reference",
            "Invalid provider reference",
            expr.span,
            "expected scaleway or scaleway.ALIAS",
        )
        .detail = Some("A provider configuration reference is the provider's local name, scaleway, optionally followed by an alias: scaleway.nl.".into());
        None
    }

    /// `providers = { scaleway = scaleway.ALIAS }` of a module call: the alias passed on as the
    /// called module's default configuration.
    fn providers_map(&mut self, a: &'a Attribute) -> Option<(&'a str, Span)> {
        let ExprKind::Object(items) = &a.expr.kind else {
            self.error(
                "scw::model::invalid_providers",
                "Invalid providers argument",
                a.expr.span,
                "a map of provider configurations is required",
            )
            .detail = Some("providers must be a map such as { scaleway = scaleway.nl }.".into());
            return None;
        };
        let mut passed = None;
        for item in items {
            let key = match &item.key {
                ast::ObjectKey::Expr(e) => bare_name(e),
                ast::ObjectKey::Ident(i) => Some(i.name.as_str()),
            };
            if key != Some("scaleway") {
                self.error(
                    "scw::model::invalid_providers",
                    "Invalid providers argument",
                    item.value.span,
                    "only scaleway can be passed",
                )
                .detail = Some(
                    "scwform has one provider, scaleway: the only key of providers is scaleway."
                        .into(),
                );
                continue;
            }
            if let Some(alias) = self.provider_reference(&item.value) {
                passed = Some(alias);
            }
        }
        passed
    }

    /// A variable's or output's name must be an identifier, and a variable's must not be one
    /// that module blocks reserve (as Terraform checks).
    fn check_block_name(&mut self, block: &'a Block, kind: &str) {
        let label = &block.labels[0];
        let name = label.value.as_str();
        if !is_identifier(name) {
            self.error(
                "scw::model::invalid_name",
                &format!("Invalid {kind} name"),
                label.span,
                "not a valid name",
            )
            .detail = Some("A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.".into());
        } else if kind == "variable" && RESERVED_VARIABLE_NAMES.contains(&name) {
            self.error(
                "scw::model::invalid_name",
                "Invalid variable name",
                label.span,
                "reserved name",
            )
            .detail = Some(format!(
                "The variable name \"{name}\" is reserved due to its special meaning inside module blocks."
            ));
        }
    }

    fn variable(&mut self, block: &'a Block) {
        if !self.labels_ok(block, 1, "variable") {
            return;
        }
        let name = block.labels[0].value.as_str();
        self.check_block_name(block, "variable");
        let mut decl = VariableDecl {
            name,
            block,
            type_expr: None,
            default: None,
            description: None,
            sensitive: false,
            nullable: true,
            validations: Vec::new(),
            refs: Vec::new(),
        };
        self.check_duplicate_attributes(&block.body);
        for item in &block.body.items {
            match item {
                Structure::Attribute(a) => match a.name.name.as_str() {
                    "type" => decl.type_expr = Some(&a.expr),
                    "default" => {
                        let mut found = Vec::new();
                        let mut scratch = Diagnostics::new();
                        refs::collect(&a.expr, &mut found, &mut scratch);
                        if let Some(r) = found.first() {
                            self.error(
                                "scw::model::variables_not_allowed",
                                "Variables not allowed",
                                r.span,
                                "not allowed in a default",
                            )
                            .detail = Some("A variable's default value must be a constant: it cannot refer to variables, locals or resources.".into());
                        }
                        decl.default = Some(&a.expr);
                    }
                    "description" => decl.description = self.static_string(a),
                    "sensitive" => decl.sensitive = self.static_bool(a),
                    "nullable" => decl.nullable = self.static_bool(a),
                    _ => {
                        self.unknown_argument(
                            a,
                            "a variable block",
                            &["type", "default", "description", "sensitive", "nullable"],
                        );
                    }
                },
                Structure::Block(b) if b.ident.name == "validation" => {
                    self.check_duplicate_attributes(&b.body);
                    let mut condition = None;
                    let mut message = None;
                    for a in b.body.attributes() {
                        match a.name.name.as_str() {
                            "condition" => condition = Some(&a.expr),
                            "error_message" => message = Some(&a.expr),
                            _ => {
                                self.unknown_argument(
                                    a,
                                    "a validation block",
                                    &["condition", "error_message"],
                                );
                            }
                        }
                    }
                    for inner in b.body.blocks() {
                        self.unexpected_block(inner, "a validation block", &[]);
                    }
                    match (condition, message) {
                        (Some(condition), Some(error_message)) => {
                            refs::collect(condition, &mut decl.refs, self.diags);
                            refs::collect(error_message, &mut decl.refs, self.diags);
                            decl.validations.push(Condition {
                                condition,
                                error_message,
                            });
                        }
                        (c, _) => {
                            let missing = if c.is_none() {
                                "condition"
                            } else {
                                "error_message"
                            };
                            self.missing_argument(missing, header_span(b), "a validation block");
                        }
                    }
                }
                Structure::Block(b) => {
                    self.unexpected_block(b, "a variable block", &["validation"]);
                }
            }
        }
        if let Some(first) = self.module.variables.get(name) {
            let first = header_span(first.block);
            self.duplicate(
                "scw::model::duplicate_variable",
                &format!("Duplicate variable declaration \"{name}\""),
                header_span(block),
                first,
            );
            return;
        }
        self.module.variables.insert(name, decl);
    }

    fn locals(&mut self, block: &'a Block) {
        if !self.labels_ok(block, 0, "locals") {
            return;
        }
        for item in &block.body.items {
            match item {
                Structure::Attribute(a) => {
                    let name = a.name.name.as_str();
                    if let Some(first) = self.module.locals.get(name) {
                        let first = first.attribute.name.span;
                        self.duplicate(
                            "scw::model::duplicate_local",
                            &format!("Duplicate local value definition \"{name}\""),
                            a.name.span,
                            first,
                        );
                        continue;
                    }
                    let mut refs = Vec::new();
                    refs::collect(&a.expr, &mut refs, self.diags);
                    self.module.locals.insert(
                        name,
                        LocalDecl {
                            name,
                            attribute: a,
                            refs,
                        },
                    );
                }
                Structure::Block(b) => self.unexpected_block(b, "a locals block", &[]),
            }
        }
    }

    fn output(&mut self, block: &'a Block) {
        if !self.labels_ok(block, 1, "output") {
            return;
        }
        let name = block.labels[0].value.as_str();
        self.check_block_name(block, "output");
        self.check_duplicate_attributes(&block.body);
        let mut decl = OutputDecl {
            name,
            block,
            value: None,
            sensitive: false,
            description: None,
            depends_on: Vec::new(),
            preconditions: Vec::new(),
            refs: Vec::new(),
        };
        for item in &block.body.items {
            match item {
                Structure::Attribute(a) => match a.name.name.as_str() {
                    "value" => {
                        refs::collect(&a.expr, &mut decl.refs, self.diags);
                        decl.value = Some(a);
                    }
                    "sensitive" => decl.sensitive = self.static_bool(a),
                    "description" => decl.description = self.static_string(a),
                    "depends_on" => decl.depends_on = self.depends_on(a),
                    _ => {
                        self.unknown_argument(
                            a,
                            "an output block",
                            &["value", "sensitive", "description", "depends_on"],
                        );
                    }
                },
                Structure::Block(b) if b.ident.name == "precondition" => {
                    if let Some(c) = self.condition_block(b, &mut decl.refs) {
                        decl.preconditions.push(c);
                    }
                }
                Structure::Block(b) => {
                    self.unexpected_block(b, "an output block", &["precondition"]);
                }
            }
        }
        if decl.value.is_none() {
            self.missing_argument("value", header_span(block), "an output block");
        }
        if let Some(first) = self.module.outputs.get(name) {
            let first = header_span(first.block);
            self.duplicate(
                "scw::model::duplicate_output",
                &format!("Duplicate output definition \"{name}\""),
                header_span(block),
                first,
            );
            return;
        }
        self.module.outputs.insert(name, decl);
    }

    fn import(&mut self, block: &'a Block) {
        if !self.labels_ok(block, 0, "import") {
            return;
        }
        self.check_duplicate_attributes(&block.body);
        let (mut to, mut id, mut for_each, mut provider) = (None, None, None, None);
        for item in &block.body.items {
            match item {
                Structure::Attribute(a) => match a.name.name.as_str() {
                    "to" => to = Some(a),
                    "id" => id = Some(a),
                    "for_each" => for_each = Some(a),
                    "provider" => provider = self.import_provider(a),
                    _ => self.unknown_argument(
                        a,
                        "an import block",
                        &["to", "id", "for_each", "provider"],
                    ),
                },
                Structure::Block(b) => self.unexpected_block(b, "an import block", &[]),
            }
        }
        let (Some(to), Some(id)) = (to, id) else {
            for (name, present) in [("to", to.is_some()), ("id", id.is_some())] {
                if !present {
                    self.missing_argument(name, header_span(block), "an import block");
                }
            }
            return;
        };
        let Some((type_name, name, key)) = self.import_target(to) else {
            return;
        };
        let mut refs = Vec::new();
        refs::collect(&id.expr, &mut refs, self.diags);
        if let Some(f) = for_each {
            refs::collect(&f.expr, &mut refs, self.diags);
        }
        if let Some(k) = key {
            refs::collect(k, &mut refs, self.diags);
        }
        self.module.imports.push(ImportDecl {
            block,
            type_name,
            name,
            key,
            to_span: to.expr.span,
            id,
            for_each,
            provider,
            refs,
        });
    }

    /// `to` of an import block: `TYPE.NAME` or `TYPE.NAME[KEY]`, of a managed resource type.
    fn import_target(&mut self, to: &'a Attribute) -> Option<(&'a str, &'a str, Option<&'a Expr>)> {
        let parsed = match &to.expr.kind {
            ExprKind::Traversal { root, steps } => match (&root.kind, steps.as_slice()) {
                (
                    ExprKind::Variable(t),
                    [
                        Step {
                            kind: StepKind::GetAttr(n),
                            ..
                        },
                    ],
                ) => Some((t, n, None)),
                (
                    ExprKind::Variable(t),
                    [
                        Step {
                            kind: StepKind::GetAttr(n),
                            ..
                        },
                        Step {
                            kind: StepKind::Index(k),
                            ..
                        },
                    ],
                ) => Some((t, n, Some(k))),
                _ => None,
            },
            _ => None,
        };
        let Some((t, n, key)) = parsed else {
            self.error(
                "scw::model::invalid_import",
                "Invalid import address",
                to.expr.span,
                "expected a resource address",
            )
            .detail = Some("The \"to\" argument of an import block names a managed resource of this configuration, as in scaleway_container.main or scaleway_container.main[\"key\"].".into());
            return None;
        };
        if schema::resource(&t.name).is_none() {
            self.error(
                "scw::model::invalid_import",
                "Invalid import address",
                t.span,
                "not a resource type scwform manages",
            )
            .detail = Some(format!(
                "scwform cannot import objects of type \"{}\": it manages {}.",
                t.name,
                schema::type_names().collect::<Vec<_>>().join(", ")
            ));
            return None;
        }
        Some((t.name.as_str(), n.name.as_str(), key))
    }

    /// `provider` of an import block: the Scaleway provider, its default configuration
    /// (`None`) or an alias (checked as declared with the other uses).
    fn import_provider(&mut self, a: &'a Attribute) -> Option<&'a str> {
        let (alias, span) = self.provider_reference(&a.expr)?;
        self.alias_uses
            .push((alias, span, "an import block".to_owned()));
        Some(alias)
    }

    /// A `precondition`, `postcondition` or `assert` block: `condition` and `error_message`,
    /// the condition referring to something (else Terraform's "Invalid … expression").
    fn condition_block(
        &mut self,
        b: &'a Block,
        refs: &mut Vec<Reference>,
    ) -> Option<Condition<'a>> {
        let kind = b.ident.name.as_str();
        let what = format!("a {kind} block");
        self.check_duplicate_attributes(&b.body);
        let mut condition = None;
        let mut message = None;
        for a in b.body.attributes() {
            match a.name.name.as_str() {
                "condition" => condition = Some(&a.expr),
                "error_message" => message = Some(&a.expr),
                _ => self.unknown_argument(a, &what, &["condition", "error_message"]),
            }
        }
        for inner in b.body.blocks() {
            self.unexpected_block(inner, &what, &[]);
        }
        let (Some(condition), Some(error_message)) = (condition, message) else {
            let missing = if condition.is_none() {
                "condition"
            } else {
                "error_message"
            };
            self.missing_argument(missing, header_span(b), &what);
            return None;
        };
        let before = refs.len();
        let reads_self = if kind == "postcondition" {
            refs::collect_in_postcondition(condition, refs, self.diags)
        } else {
            refs::collect(condition, refs, self.diags);
            false
        };
        if refs.len() == before && !reads_self {
            self.error(
                "scw::model::invalid_condition",
                &format!("Invalid {kind} expression"),
                condition.span,
                "refers to nothing",
            )
            .detail = Some("The condition expression must refer to at least one object from elsewhere in the configuration, or else its result would not be checking anything.".into());
        }
        if kind == "postcondition" {
            refs::collect_in_postcondition(error_message, refs, self.diags);
        } else {
            refs::collect(error_message, refs, self.diags);
        }
        Some(Condition {
            condition,
            error_message,
        })
    }

    fn check(&mut self, block: &'a Block) {
        if !self.labels_ok(block, 1, "check") {
            return;
        }
        let name = block.labels[0].value.as_str();
        self.check_block_name(block, "check");
        let mut decl = CheckDecl {
            name,
            block,
            asserts: Vec::new(),
            refs: Vec::new(),
        };
        let mut asserts = 0;
        let mut data: Option<&Block> = None;
        for item in &block.body.items {
            match item {
                Structure::Attribute(a) => self.unknown_argument(a, "a check block", &[]),
                Structure::Block(b) if b.ident.name == "assert" => {
                    asserts += 1;
                    if let Some(c) = self.condition_block(b, &mut decl.refs) {
                        decl.asserts.push(c);
                    }
                }
                Structure::Block(b) if b.ident.name == "data" => {
                    if let Some(first) = data {
                        self.duplicate(
                            "scw::model::invalid_check",
                            "Multiple data resource blocks",
                            header_span(b),
                            header_span(first),
                        );
                        self.diags.0.last_mut().expect("just pushed").detail =
                            Some("A check block can contain at most one data resource.".into());
                        continue;
                    }
                    data = Some(b);
                    self.resource_or_data(b, true, Some(name));
                }
                Structure::Block(b) => {
                    self.unexpected_block(b, "a check block", &["assert", "data"]);
                }
            }
        }
        if asserts == 0 {
            self.error(
                "scw::model::invalid_check",
                "Zero assert blocks",
                header_span(block),
                "no assert block",
            )
            .detail = Some("Check blocks must have at least one assert block.".into());
        }
        if let Some(first) = self.module.checks.get(name) {
            let first = header_span(first.block);
            self.duplicate(
                "scw::model::duplicate_check",
                &format!("Duplicate check \"{name}\" configuration"),
                header_span(block),
                first,
            );
            return;
        }
        self.module.checks.insert(name, decl);
    }

    fn resource(&mut self, block: &'a Block) {
        self.resource_or_data(block, false, None);
    }

    /// A `resource` block, or a `data` block (`data`; `check` names the enclosing `check` block
    /// when it is scoped to one).
    fn resource_or_data(&mut self, block: &'a Block, data: bool, check: Option<&'a str>) {
        let what = if data { "data" } else { "resource" };
        if !self.labels_ok(block, 2, what) {
            return;
        }
        let type_name = block.labels[0].value.as_str();
        let name = block.labels[1].value.as_str();
        let data_source = schema::data_source(type_name).filter(|_| data);
        let key: (&'a str, &'a str) = match (data, data_source) {
            (false, _) => (type_name, name),
            (true, Some(d)) => (d.key, name),
            // A leaked key for an unknown data source type: a few bytes per such mistake,
            // so that references to it stay quiet (they evaluate to unknown).
            (true, None) => (
                Box::leak(format!("data.{type_name}").into_boxed_str()),
                name,
            ),
        };
        if let Some(first) = self.module.resources.get(&key) {
            let first = first.header_span();
            let (summary, detail) = if data {
                (
                    format!("Duplicate data \"{type_name}\" configuration"),
                    format!(
                        "A {type_name} data resource named \"{name}\" was already declared. Resource names must be unique per type in each module."
                    ),
                )
            } else {
                (
                    format!("Duplicate resource \"{type_name}\" configuration"),
                    format!(
                        "A {type_name} resource named \"{name}\" was already declared. Resource names must be unique per resource type."
                    ),
                )
            };
            self.duplicate(
                "scw::model::duplicate_resource",
                &summary,
                header_span(block),
                first,
            );
            self.diags.0.last_mut().expect("just pushed").detail = Some(detail);
            return;
        }
        let schema = if data {
            data_source.map(|d| &d.schema)
        } else {
            schema::resource(type_name)
        };
        let Some(schema) = schema else {
            let (summary, label, detail, help) = if data {
                (
                    "Invalid data source",
                    "not a data source scwform reads",
                    format!(
                        "The provider scaleway/scaleway does not support data source \"{type_name}\". scwform reads: {}.",
                        schema::data_source_names().collect::<Vec<_>>().join(", ")
                    ),
                    suggest::did_you_mean(type_name, schema::data_source_names()),
                )
            } else {
                (
                    "Invalid resource type",
                    "not a resource type scwform manages",
                    format!(
                        "The resource type \"{type_name}\" is not supported. scwform manages: {}.",
                        schema::type_names().collect::<Vec<_>>().join(", ")
                    ),
                    suggest::did_you_mean(type_name, schema::type_names()),
                )
            };
            let d = self.error(
                "scw::model::unknown_resource_type",
                summary,
                block.labels[0].span,
                label,
            );
            d.detail = Some(detail);
            d.help = help;
            self.module.broken_resources.insert(key);
            return;
        };
        if schema.deprecated.is_some() {
            self.deprecated_types
                .entry(type_name)
                .or_insert((block.labels[0].span, 0))
                .1 += 1;
        }
        let mut decl = ResourceDecl {
            type_name: key.0,
            name,
            schema,
            check,
            provider: None,
            block,
            body: BodyDecl::default(),
            count: None,
            for_each: None,
            depends_on: Vec::new(),
            lifecycle: Lifecycle::default(),
            preconditions: Vec::new(),
            postconditions: Vec::new(),
            timeouts: None,
            refs: std::sync::Arc::from(Vec::new()),
        };
        let mut condition_refs = Vec::new();
        for a in block.body.attributes() {
            match a.name.name.as_str() {
                "count" => decl.count = Some(a),
                "for_each" => decl.for_each = Some(a),
                "depends_on" => decl.depends_on = self.depends_on(a),
                "provider" => {
                    decl.provider = self.provider_reference(&a.expr);
                    if let Some((alias, span)) = decl.provider {
                        let what = resource_addr(key.0, name).to_string();
                        self.alias_uses.push((alias, span, what));
                    }
                }
                _ => {}
            }
        }
        if let (Some(c), Some(f)) = (decl.count, decl.for_each) {
            let (first, second) = if c.span.start < f.span.start {
                (c, f)
            } else {
                (f, c)
            };
            self.diags.push(
                Diagnostic::error(
                    "scw::model::count_and_for_each",
                    "Invalid combination of \"count\" and \"for_each\"",
                )
                .with_primary(second.name.span, "cannot be combined")
                .with_label(first.name.span, "with this"),
            );
            self.diags.0.last_mut().expect("just pushed").detail = Some(
                "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.".into(),
            );
        }
        for b in block.body.blocks() {
            match b.ident.name.as_str() {
                "lifecycle" if data => {
                    self.error(
                        "scw::model::unsupported",
                        "Unsupported lifecycle block",
                        b.ident.span,
                        "not allowed in a data block",
                    )
                    .detail = Some("Data resources do not have lifecycle settings, so a lifecycle block is not allowed.".into());
                }
                "lifecycle" => {
                    decl.lifecycle = self.lifecycle(b, schema);
                    for cb in b.body.blocks() {
                        let post = cb.ident.name == "postcondition";
                        if (post || cb.ident.name == "precondition")
                            && let Some(c) = self.condition_block(cb, &mut condition_refs)
                        {
                            if post {
                                decl.postconditions.push(c);
                            } else {
                                decl.preconditions.push(c);
                            }
                        }
                    }
                }
                "timeouts" if schema.timeouts.configurable => {
                    self.timeouts_block(b);
                    decl.timeouts = Some(b);
                }
                "provisioner" | "connection" => {
                    self.error(
                        "scw::model::unsupported",
                        &format!("{} blocks are not supported", b.ident.name),
                        b.ident.span,
                        "not supported",
                    )
                    .detail = Some("scwform does not run provisioners.".into());
                }
                _ => {}
            }
        }
        decl.body = self.body(
            &block.body,
            &schema.as_block(),
            &if data {
                format!("a {type_name} data source")
            } else {
                format!("a {type_name} resource")
            },
            RESOURCE_META,
            header_span(block),
        );
        let mut refs = Vec::new();
        for a in [decl.count, decl.for_each].into_iter().flatten() {
            refs::collect(&a.expr, &mut refs, self.diags);
        }
        self.collect_body_refs(&decl.body, &mut refs);
        refs.extend(condition_refs);
        decl.refs = refs.into();
        self.module.resources.insert(key, decl);
    }

    fn module_call(&mut self, block: &'a Block) {
        if !self.labels_ok(block, 1, "module") {
            return;
        }
        let name = block.labels[0].value.as_str();
        self.check_block_name(block, "module");
        self.check_duplicate_attributes(&block.body);
        let mut decl = ModuleCallDecl {
            name,
            block,
            source: None,
            count: None,
            for_each: None,
            depends_on: Vec::new(),
            providers: None,
            inputs: Vec::new(),
            refs: Vec::new(),
        };
        let mut version = None;
        for a in block.body.attributes() {
            match a.name.name.as_str() {
                "source" => match literal_string(&a.expr) {
                    Some(s) => decl.source = Some((s, a.expr.span)),
                    None => {
                        self.error(
                            "scw::model::module_source",
                            "Invalid module source",
                            a.expr.span,
                            "a literal string is required",
                        )
                        .detail = Some("The module source must be a literal string, such as source = \"./modules/app\"; it cannot be computed.".into());
                    }
                },
                "version" => version = Some(a),
                "count" => decl.count = Some(a),
                "for_each" => decl.for_each = Some(a),
                "depends_on" => decl.depends_on = self.depends_on(a),
                "providers" => {
                    decl.providers = self.providers_map(a);
                    if let Some((alias, span)) = decl.providers {
                        self.alias_uses
                            .push((alias, span, format!("module.{name}")));
                    }
                }
                _ => decl.inputs.push(a),
            }
        }
        match (&decl.source, version) {
            // A `source` that is not a literal was reported above.
            (None, _) if block.body.attributes().any(|a| a.name.name == "source") => {}
            (None, _) => self.missing_argument("source", header_span(block), "a module block"),
            (Some((source, _)), Some(v)) if is_local_source(source) => {
                self.error(
                    "scw::model::module_source",
                    "Invalid registry module source address",
                    v.expr.span,
                    "no version for a local module",
                )
                .detail = Some(format!(
                    "Cannot use a version constraint with the local module source \"{source}\": a local module has no versions."
                ));
            }
            _ => {}
        }
        if let (Some(c), Some(f)) = (decl.count, decl.for_each) {
            let second = if c.span.start < f.span.start { f } else { c };
            self.error(
                "scw::model::count_and_for_each",
                "Invalid combination of \"count\" and \"for_each\"",
                second.name.span,
                "cannot be combined",
            )
            .detail = Some("The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of module instances to be created.".into());
        }
        for b in block.body.blocks() {
            self.unexpected_block(b, "a module block", &[]);
        }
        for a in [decl.count, decl.for_each].into_iter().flatten() {
            refs::collect(&a.expr, &mut decl.refs, self.diags);
        }
        for a in &decl.inputs {
            refs::collect(&a.expr, &mut decl.refs, self.diags);
        }
        if let Some(first) = self.module.calls.get(name) {
            let first = header_span(first.block);
            self.duplicate(
                "scw::model::duplicate_module",
                &format!("Duplicate module call \"{name}\""),
                header_span(block),
                first,
            );
            return;
        }
        self.module.calls.insert(name, decl);
    }

    fn collect_body_refs(&mut self, body: &BodyDecl<'a>, out: &mut Vec<Reference>) {
        for (_, a) in &body.attributes {
            refs::collect(&a.expr, out, self.diags);
        }
        for b in &body.blocks {
            self.collect_body_refs(&b.body, out);
        }
    }

    /// Matches a body against a block schema. `meta` names attributes and blocks handled by the
    /// caller (meta-arguments), which are skipped here.
    fn body(
        &mut self,
        body: &'a ast::Body,
        schema: &BlockSchema,
        context: &str,
        meta: &[&str],
        header: Span,
    ) -> BodyDecl<'a> {
        self.check_duplicate_attributes(body);
        let mut out = BodyDecl::default();
        let mut seen_attrs: HashSet<&str> = HashSet::new();
        let mut misspelt: Vec<&str> = Vec::new();
        for item in &body.items {
            match item {
                Structure::Attribute(a) => {
                    let name = a.name.name.as_str();
                    if meta.contains(&name) {
                        continue;
                    }
                    if !seen_attrs.insert(name) {
                        // Already reported by check_duplicate_attributes.
                        continue;
                    }
                    match schema.attribute(name) {
                        Some(attr) if attr.configurable() => {
                            if let Some(why) = attr.deprecated {
                                self.diags.push(
                                    Diagnostic::warning(
                                        "scw::model::deprecated",
                                        "Argument is deprecated",
                                    )
                                    .with_primary(a.name.span, "deprecated")
                                    .with_detail(format!("\"{name}\" is deprecated: {why}.")),
                                );
                            }
                            out.attributes.push((attr, a));
                        }
                        Some(_) => {
                            self.error(
                                "scw::model::computed_attribute",
                                "Invalid or unknown key",
                                a.name.span,
                                "read-only attribute",
                            )
                            .detail = Some(format!(
                                "Can't configure a value for \"{name}\": its value will be decided automatically based on the result of applying this configuration."
                            ));
                        }
                        None if schema.block(name).is_some() => {
                            self.error(
                                "scw::model::unsupported_argument",
                                "Unsupported argument",
                                a.name.span,
                                "this is a block, not an argument",
                            )
                            .detail = Some(format!(
                                "An argument named \"{name}\" is not expected here. Did you mean to define a block of type \"{name}\"?"
                            ));
                        }
                        None => {
                            let d = self.error(
                                "scw::model::unsupported_argument",
                                "Unsupported argument",
                                a.name.span,
                                "unknown argument",
                            );
                            d.detail = Some(format!(
                                "An argument named \"{name}\" is not expected in {context}."
                            ));
                            let closest = suggest::closest(
                                name,
                                schema
                                    .attributes
                                    .iter()
                                    .filter(|a| a.configurable())
                                    .map(|a| a.name)
                                    .chain(meta.iter().copied()),
                            );
                            d.help = closest.map(|c| format!("Did you mean \"{c}\"?"));
                            // A misspelt required argument is reported once, as misspelt.
                            misspelt.extend(closest);
                        }
                    }
                }
                Structure::Block(b) => {
                    let name = b.ident.name.as_str();
                    if meta.contains(&name) || (name == "timeouts" && meta == RESOURCE_META) {
                        continue;
                    }
                    if let Some(block_schema) = schema.block(name) {
                        if let Some(extra) = b.labels.first() {
                            self.error(
                                "scw::model::extraneous_label",
                                "Extraneous label",
                                extra.span,
                                "not expected",
                            )
                            .detail = Some(format!("A {name} block expects no labels."));
                        }
                        if let Some(why) = block_schema.deprecated {
                            self.diags.push(
                                Diagnostic::warning(
                                    "scw::model::deprecated",
                                    "Block is deprecated",
                                )
                                .with_primary(b.ident.span, "deprecated")
                                .with_detail(format!("\"{name}\" is deprecated: {why}.")),
                            );
                        }
                        let inner = self.body(
                            &b.body,
                            block_schema,
                            &format!("a {name} block"),
                            &[],
                            header_span(b),
                        );
                        out.blocks.push(NestedBlockDecl {
                            schema: block_schema,
                            block: b,
                            body: inner,
                        });
                    } else if schema.attribute(name).is_some() {
                        self.error(
                            "scw::model::unsupported_block",
                            "Unsupported block type",
                            b.ident.span,
                            "this is an argument, not a block",
                        )
                        .detail = Some(format!(
                            "Blocks of type \"{name}\" are not expected here. Did you mean to define argument \"{name}\"? If so, use the equals sign to assign it a value."
                        ));
                    } else {
                        let names: Vec<&str> = schema
                            .blocks
                            .iter()
                            .map(|b| b.name)
                            .chain(meta.iter().copied())
                            .collect();
                        self.unexpected_block(b, context, &names);
                    }
                }
            }
        }
        // Required attributes and block counts.
        for attr in schema.attributes.iter().filter(|a| a.required) {
            if !out.attributes.iter().any(|(s, _)| s.name == attr.name)
                && !misspelt.contains(&attr.name)
            {
                self.missing_argument(attr.name, header, context);
            }
        }
        for block_schema in schema.blocks {
            let found: Vec<&NestedBlockDecl<'_>> = out
                .blocks
                .iter()
                .filter(|b| b.schema.name == block_schema.name)
                .collect();
            if let Some(max) = block_schema.max_items
                && found.len() > max
            {
                let extra = found[max].block;
                self.error(
                    "scw::model::too_many_blocks",
                    &format!("Too many {} blocks", block_schema.name),
                    extra.ident.span,
                    "one too many",
                )
                .detail = Some(format!(
                    "No more than {max} \"{}\" block{} allowed.",
                    block_schema.name,
                    if max == 1 { " is" } else { "s are" }
                ));
            }
            if found.len() < block_schema.min_items {
                self.error(
                    "scw::model::missing_block",
                    &format!("Insufficient {} blocks", block_schema.name),
                    header,
                    "",
                )
                .detail = Some(format!(
                    "At least {} \"{}\" block{} required.",
                    block_schema.min_items,
                    block_schema.name,
                    if block_schema.min_items == 1 {
                        " is"
                    } else {
                        "s are"
                    }
                ));
            }
        }
        out
    }

    fn missing_argument(&mut self, name: &str, span: Span, context: &str) {
        self.error(
            "scw::model::missing_argument",
            "Missing required argument",
            span,
            &format!("\"{name}\" is required"),
        )
        .detail = Some(format!(
            "The argument \"{name}\" is required in {context}, but no definition was found."
        ));
    }

    /// An argument that a fixed-shape block (variable, output, lifecycle...) does not take.
    fn unknown_argument(&mut self, a: &Attribute, context: &str, candidates: &[&str]) {
        let name = a.name.name.as_str();
        let d = self.error(
            "scw::model::unsupported_argument",
            "Unsupported argument",
            a.name.span,
            "not expected here",
        );
        d.detail = Some(format!(
            "An argument named \"{name}\" is not expected in {context}."
        ));
        d.help = suggest::did_you_mean(name, candidates.iter().copied());
    }

    fn unexpected_block(&mut self, block: &Block, context: &str, candidates: &[&str]) {
        let name = block.ident.name.as_str();
        let d = self.error(
            "scw::model::unsupported_block",
            "Unsupported block type",
            block.ident.span,
            "unknown block type",
        );
        d.detail = Some(format!(
            "Blocks of type \"{name}\" are not expected in {context}."
        ));
        d.help = suggest::did_you_mean(name, candidates.iter().copied());
    }

    fn duplicate(&mut self, code: &'static str, summary: &str, second: Span, first: Span) {
        self.diags.push(
            Diagnostic::error(code, summary)
                .with_primary(second, "declared again here")
                .with_label(first, "first declared here"),
        );
    }

    fn check_duplicate_attributes(&mut self, body: &ast::Body) {
        let mut seen: Vec<(&str, Span)> = Vec::new();
        for a in body.attributes() {
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == a.name.name) {
                let first = *first;
                self.diags.push(
                    Diagnostic::error("scw::model::duplicate_attribute", "Attribute redefined")
                        .with_primary(a.name.span, "defined again here")
                        .with_label(first, "first defined here")
                        .with_detail(format!(
                            "The argument \"{}\" was already set. Each argument may be set only once.",
                            a.name.name
                        )),
                );
            } else {
                seen.push((&a.name.name, a.name.span));
            }
        }
    }

    fn static_bool(&mut self, a: &Attribute) -> bool {
        literal_bool(&a.expr).unwrap_or_else(|| {
            self.error(
                "scw::model::not_a_constant",
                "Invalid value",
                a.expr.span,
                "expected true or false",
            )
            .detail = Some(format!(
                "\"{}\" must be the literal true or false.",
                a.name.name
            ));
            false
        })
    }

    fn static_string(&mut self, a: &Attribute) -> Option<String> {
        let s = literal_string(&a.expr);
        if s.is_none() {
            self.error(
                "scw::model::not_a_constant",
                "Invalid value",
                a.expr.span,
                "expected a string without interpolation",
            )
            .detail = Some(format!("\"{}\" must be a literal string.", a.name.name));
        }
        s
    }

    fn depends_on(&mut self, a: &Attribute) -> Vec<DependsOn> {
        let ExprKind::Tuple(items) = &a.expr.kind else {
            self.error(
                "scw::model::invalid_depends_on",
                "Invalid depends_on",
                a.expr.span,
                "expected a list of resources",
            )
            .detail = Some("depends_on is a list of resource references, as in depends_on = [scaleway_account_project.main].".into());
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            let mut found = Vec::new();
            let mut scratch = Diagnostics::new();
            refs::collect(item, &mut found, &mut scratch);
            let plain = match &item.kind {
                ExprKind::Traversal { steps, .. } => {
                    steps.len() == 1 && matches!(steps[0].kind, StepKind::GetAttr(_))
                }
                _ => false,
            };
            match found.as_slice() {
                [
                    r @ Reference {
                        target: RefTarget::Resource { .. } | RefTarget::Module(_),
                        ..
                    },
                ] if plain => out.push(DependsOn {
                    target: r.target.clone(),
                    span: item.span,
                }),
                _ => {
                    self.error(
                        "scw::model::invalid_depends_on",
                        "Invalid depends_on reference",
                        item.span,
                        "expected TYPE.NAME",
                    )
                    .detail = Some("Each depends_on entry must name a whole resource, as in scaleway_account_project.main, without attributes or instance keys.".into());
                }
            }
        }
        out
    }

    fn lifecycle(&mut self, block: &Block, schema: &ResourceSchema) -> Lifecycle {
        let mut out = Lifecycle::default();
        self.check_duplicate_attributes(&block.body);
        for a in block.body.attributes() {
            match a.name.name.as_str() {
                "create_before_destroy" => out.create_before_destroy = self.static_bool(a),
                "prevent_destroy" => out.prevent_destroy = self.static_bool(a),
                "ignore_changes" => {
                    out.ignore_changes = match &a.expr.kind {
                        ExprKind::Variable(i) if i.name == "all" => IgnoreChanges::All,
                        ExprKind::Tuple(items) => {
                            let mut names = Vec::new();
                            for item in items {
                                let name = bare_name(item)
                                    .map(str::to_owned)
                                    .or_else(|| literal_string(item));
                                match name {
                                    Some(n)
                                        if schema
                                            .attribute(&n)
                                            .is_some_and(AttributeSchema::configurable)
                                            || schema.block(&n).is_some() =>
                                    {
                                        names.push(n);
                                    }
                                    Some(n) => {
                                        let d = self.error(
                                            "scw::model::unsupported_attribute",
                                            "Unsupported attribute",
                                            item.span,
                                            "not an argument of this resource",
                                        );
                                        d.detail = Some(format!(
                                            "ignore_changes names \"{n}\", which {} does not have as a configurable argument.",
                                            schema.type_name
                                        ));
                                        d.help =
                                            suggest::did_you_mean(&n, schema.configurable_names());
                                    }
                                    None => {
                                        self.error("scw::model::invalid_ignore_changes", "Invalid ignore_changes", item.span, "expected an attribute name")
                                            .detail = Some("ignore_changes lists attribute names, as in ignore_changes = [description, tags].".into());
                                    }
                                }
                            }
                            IgnoreChanges::Attributes(names)
                        }
                        _ => {
                            self.error(
                                "scw::model::invalid_ignore_changes",
                                "Invalid ignore_changes",
                                a.expr.span,
                                "expected a list or `all`",
                            )
                            .detail = Some(
                                "ignore_changes is a list of attribute names, or the keyword all."
                                    .into(),
                            );
                            IgnoreChanges::None
                        }
                    };
                }
                "replace_triggered_by" => {
                    self.error(
                        "scw::model::unsupported",
                        "replace_triggered_by is not supported yet",
                        a.name.span,
                        "not supported yet",
                    );
                }
                _ => {
                    self.unknown_argument(
                        a,
                        "a lifecycle block",
                        &["create_before_destroy", "prevent_destroy", "ignore_changes"],
                    );
                }
            }
        }
        for b in block.body.blocks() {
            // Condition blocks are read by the resource (they borrow the syntax tree).
            if !matches!(b.ident.name.as_str(), "precondition" | "postcondition") {
                self.unexpected_block(b, "a lifecycle block", &["precondition", "postcondition"]);
            }
        }
        out
    }

    fn timeouts_block(&mut self, block: &Block) {
        self.check_duplicate_attributes(&block.body);
        for a in block.body.attributes() {
            let name = a.name.name.as_str();
            if !matches!(name, "create" | "read" | "update" | "delete" | "default") {
                self.unknown_argument(
                    a,
                    "a timeouts block",
                    &["create", "read", "update", "delete", "default"],
                );
                continue;
            }
            match literal_string(&a.expr) {
                Some(text) if crate::timefmt::parse_go_duration(&text).is_some() => {}
                _ => {
                    self.error(
                        "scw::model::invalid_timeout",
                        "Invalid timeout",
                        a.expr.span,
                        "expected a duration such as \"10m\"",
                    )
                    .detail = Some(
                        "Timeouts are literal duration strings, as in create = \"10m\".".into(),
                    );
                }
            }
        }
        for b in block.body.blocks() {
            self.unexpected_block(b, "a timeouts block", &[]);
        }
    }
}

/// Where a reference appears, which decides what it may name.
#[derive(Clone, Copy)]
enum RefSite<'m> {
    Resource(&'m ResourceDecl<'m>),
    ModuleCall(&'m ModuleCallDecl<'m>),
    Import(&'m ImportDecl<'m>),
    Local,
    Output,
    /// A `check` block (its name): the only place its scoped data source may be read.
    Check(&'m str),
    Provider,
    VariableValidation,
}

impl Lowerer<'_, '_> {
    fn check_references(&mut self) {
        for (alias, span, what) in std::mem::take(&mut self.alias_uses) {
            if !self.module.provider_aliases.contains_key(alias) {
                let mut d = Diagnostic::error(
                    "scw::model::undeclared_provider",
                    "Provider configuration not present",
                )
                .with_primary(span, "no such provider configuration")
                .with_detail(format!(
                    "To work with {what} its original provider configuration at provider[\"registry.terraform.io/scaleway/scaleway\"].{alias} is required, but it has been removed. Declare it with a provider \"scaleway\" block with alias = \"{alias}\"."
                ));
                d.help = suggest::did_you_mean(alias, self.module.provider_aliases.keys().copied());
                self.diags.push(d);
            }
        }
        let module = &self.module;
        let diags = &mut *self.diags;
        for decl in module.resources.values() {
            for r in decl.refs.iter() {
                check_reference(module, r, RefSite::Resource(decl), diags);
            }
            for d in &decl.depends_on {
                check_reference(
                    module,
                    &Reference {
                        target: d.target.clone(),
                        span: d.span,
                        attribute: None,
                        steps: Vec::new(),
                    },
                    RefSite::Resource(decl),
                    diags,
                );
            }
        }
        for decl in module.locals.values() {
            for r in &decl.refs {
                check_reference(module, r, RefSite::Local, diags);
            }
        }
        for decl in module.calls.values() {
            let depends_on = decl.depends_on.iter().map(|d| Reference {
                target: d.target.clone(),
                span: d.span,
                attribute: None,
                steps: Vec::new(),
            });
            for r in decl.refs.iter().cloned().chain(depends_on) {
                if r.target == RefTarget::Module(decl.name.to_owned()) {
                    diags.push(
                        Diagnostic::error("scw::model::self_reference", "Self-referential module call")
                            .with_primary(r.span, "refers to its own call")
                            .with_detail(format!("The arguments of module \"{}\" cannot refer to the module's own outputs.", decl.name)),
                    );
                    continue;
                }
                check_reference(module, &r, RefSite::ModuleCall(decl), diags);
            }
        }
        for decl in module.checks.values() {
            for r in &decl.refs {
                check_reference(module, r, RefSite::Check(decl.name), diags);
            }
        }
        for decl in module.outputs.values() {
            for r in &decl.refs {
                check_reference(module, r, RefSite::Output, diags);
            }
            for d in &decl.depends_on {
                let r = Reference {
                    target: d.target.clone(),
                    span: d.span,
                    attribute: None,
                    steps: Vec::new(),
                };
                check_reference(module, &r, RefSite::Output, diags);
            }
        }
        if let Some(p) = &module.provider {
            for r in &p.refs {
                check_reference(module, r, RefSite::Provider, diags);
            }
        }
        for decl in &module.imports {
            for r in &decl.refs {
                check_reference(module, r, RefSite::Import(decl), diags);
            }
        }
        for decl in module.variables.values() {
            for r in &decl.refs {
                check_reference(module, r, RefSite::VariableValidation, diags);
            }
        }
    }
}

fn check_reference(module: &Module<'_>, r: &Reference, site: RefSite<'_>, diags: &mut Diagnostics) {
    if let RefSite::VariableValidation = site
        && !matches!(r.target, RefTarget::Variable(_))
    {
        diags.push(
            Diagnostic::error("scw::model::invalid_reference", "Invalid reference in variable validation")
                .with_primary(r.span, "not allowed here")
                .with_detail("A variable's validation condition and error message may only refer to input variables."),
        );
        return;
    }
    if let RefSite::Provider = site
        && matches!(r.target, RefTarget::Resource { .. })
    {
        diags.push(
            Diagnostic::error("scw::model::invalid_reference", "Invalid reference in provider configuration")
                .with_primary(r.span, "not allowed here")
                .with_detail("The provider configuration is needed before any resource exists, so it may only refer to variables and locals."),
        );
        return;
    }
    match &r.target {
        RefTarget::Variable(name) => {
            if !module.variables.contains_key(name.as_str()) {
                let mut d = Diagnostic::error("scw::model::undeclared_variable", "Reference to undeclared input variable")
                    .with_primary(r.span, "not declared")
                    .with_detail(format!("An input variable with the name \"{name}\" has not been declared. This variable can be declared with a variable \"{name}\" {{}} block."));
                d.help = suggest::did_you_mean(name, module.variables.keys().copied());
                diags.push(d);
            }
        }
        RefTarget::Local(name) => {
            if !module.locals.contains_key(name.as_str()) {
                let mut d = Diagnostic::error(
                    "scw::model::undeclared_local",
                    "Reference to undeclared local value",
                )
                .with_primary(r.span, "not declared")
                .with_detail(format!(
                    "A local value with the name \"{name}\" has not been declared."
                ));
                d.help = suggest::did_you_mean(name, module.locals.keys().copied());
                diags.push(d);
            }
        }
        RefTarget::Resource { type_name, name } => {
            let key = (type_name.as_str(), name.as_str());
            if let Some(decl) = module.resources.get(&key)
                && let Some(check) = decl.check
                && !matches!(site, RefSite::Check(c) if c == check)
            {
                diags.push(
                    Diagnostic::error("scw::model::scoped_reference", "Reference to scoped resource")
                        .with_primary(r.span, format!("scoped to check \"{check}\""))
                        .with_detail(format!(
                            "The referenced data resource \"{}\" \"{name}\" is not available from this context.",
                            decl.schema.type_name
                        )),
                );
                return;
            }
            if let Some(decl) = module.resources.get(&key) {
                if let Some((attr, span)) = &r.attribute
                    && decl.schema.readable_names().all(|n| n != attr)
                {
                    let mut d = Diagnostic::error("scw::model::unsupported_attribute", "Unsupported attribute")
                        .with_primary(*span, "no such attribute")
                        .with_detail(format!("This object has no argument, nested block, or exported attribute named \"{attr}\"."));
                    d.help = suggest::did_you_mean(attr, decl.schema.readable_names());
                    diags.push(d);
                }
            } else if !module.broken_resources.contains(&key) {
                let mut d = Diagnostic::error("scw::model::undeclared_resource", "Reference to undeclared resource")
                    .with_primary(r.span, "not declared")
                    .with_detail(match type_name.strip_prefix("data.") {
                        Some(t) => format!("A data resource \"{t}\" \"{name}\" has not been declared in the root module."),
                        None => format!("A managed resource \"{type_name}\" \"{name}\" has not been declared in the root module."),
                    });
                let wanted = format!("{type_name}.{name}");
                let declared: Vec<String> = module
                    .resources
                    .keys()
                    .map(|(t, n)| format!("{t}.{n}"))
                    .collect();
                d.help = suggest::did_you_mean(&wanted, declared.iter().map(String::as_str));
                diags.push(d);
            }
        }
        RefTarget::Module(name) => {
            if !module.calls.contains_key(name.as_str()) {
                let mut d = Diagnostic::error(
                    "scw::model::undeclared_module",
                    "Reference to undeclared module",
                )
                .with_primary(r.span, "not declared")
                .with_detail(format!(
                    "No module call named \"{name}\" is declared in this module."
                ));
                d.help = suggest::did_you_mean(name, module.calls.keys().copied());
                diags.push(d);
            }
        }
        RefTarget::CountIndex => {
            let ok = match site {
                RefSite::Resource(decl) => decl.count.is_some(),
                RefSite::ModuleCall(decl) => decl.count.is_some(),
                _ => false,
            };
            if !ok {
                diags.push(
                    Diagnostic::error("scw::model::count_outside_count", "Reference to \"count\" in non-counted context")
                        .with_primary(r.span, "no count here")
                        .with_detail("The \"count\" object can only be used in resource blocks, and only when the \"count\" argument is set."),
                );
            }
        }
        RefTarget::EachKey | RefTarget::EachValue => {
            let ok = match site {
                RefSite::Resource(decl) => decl.for_each.is_some(),
                RefSite::ModuleCall(decl) => decl.for_each.is_some(),
                RefSite::Import(decl) => decl.for_each.is_some(),
                _ => false,
            };
            if !ok {
                diags.push(
                    Diagnostic::error("scw::model::each_outside_for_each", "Reference to \"each\" in context without for_each")
                        .with_primary(r.span, "no for_each here")
                        .with_detail("The \"each\" object can be used only in resource blocks, and only when the \"for_each\" argument is set."),
                );
            }
        }
        RefTarget::Path(_) | RefTarget::Workspace => {}
    }
}

/// Reports each `module.NAME.OUTPUT` reference of `module` whose called module (already in
/// `children`) declares no such output.
pub fn check_module_outputs(module: &Module<'_>, diags: &mut Diagnostics) {
    let refs = module
        .locals
        .values()
        .flat_map(|l| l.refs.iter())
        .chain(module.resources.values().flat_map(|r| r.refs.iter()))
        .chain(module.outputs.values().flat_map(|o| o.refs.iter()))
        .chain(module.calls.values().flat_map(|c| c.refs.iter()));
    for r in refs {
        if let RefTarget::Module(name) = &r.target
            && let (Some((output, span)), Some(child)) =
                (&r.attribute, module.children.get(name.as_str()))
            && !child.module.outputs.contains_key(output.as_str())
        {
            let mut d =
                Diagnostic::error("scw::model::unsupported_attribute", "Unsupported attribute")
                    .with_primary(*span, "no such output")
                    .with_detail(format!(
                        "This object does not have an attribute named \"{output}\"."
                    ));
            d.help = suggest::did_you_mean(output, child.module.outputs.keys().copied());
            diags.push(d);
        }
    }
}

/// Whether a module source is a local path (`./dir`, `../dir`), the only kind scwform reads.
#[must_use]
pub fn is_local_source(source: &str) -> bool {
    ["./", "../", ".\\", "..\\"]
        .iter()
        .any(|p| source.starts_with(p))
}

/// What kind of remote source a module source that is not local is, in Terraform's terms.
#[must_use]
pub fn remote_source_kind(source: &str) -> &'static str {
    let (forced, rest) = source
        .split_once("::")
        .filter(|(f, _)| f.chars().all(|c| c.is_ascii_alphanumeric()))
        .map_or(("", source), |(f, r)| (f, r));
    match forced {
        "git" => return "a Git repository",
        "hg" => return "a Mercurial repository",
        "s3" => return "an Amazon S3 bucket",
        "gcs" => return "a Google Cloud Storage bucket",
        "http" | "https" => return "an HTTP URL",
        _ => {}
    }
    if rest.starts_with("github.com/") || rest.starts_with("git@github.com:") {
        "a GitHub repository"
    } else if rest.starts_with("bitbucket.org/") {
        "a Bitbucket repository"
    } else if rest.starts_with("http://") || rest.starts_with("https://") {
        "an HTTP URL"
    } else if rest.starts_with("git@") || rest.starts_with("ssh://") {
        "a Git repository"
    } else if rest.starts_with('/') {
        "an absolute path (Terraform requires local paths to start with ./ or ../)"
    } else {
        "a module registry address"
    }
}

/// Variable names Terraform reserves for module block arguments.
const RESERVED_VARIABLE_NAMES: [&str; 8] = [
    "count",
    "depends_on",
    "for_each",
    "lifecycle",
    "locals",
    "providers",
    "source",
    "version",
];
