//! `templatefile(path, vars)` and `templatestring(template, vars)`: a template rendered with
//! the given variables only, as Terraform renders it.
//!
//! The registry checks the arguments and applies the unknown and mark policies
//! ([`functions::prepare`]); this module reads the file (with `file`'s errors), parses the text
//! as a bare template ([`crate::parse::parse_template`]: `${}`, `%{if}`, `%{for}`, strip
//! markers) and evaluates it in a context that binds the `vars` keys and nothing else, so a
//! template cannot see the configuration's variables. A template that is a single
//! interpolation gives that value, whatever its type, as Terraform's does.
//!
//! Terraform's errors: a name the template uses that `vars` lacks is an argument error on
//! `vars` naming the key and where it is referenced; `templatestring`'s first argument must be
//! a reference, not a template written in place, and its result a string; a template calling
//! `templatefile` or `templatestring` is refused. An error inside the template (syntax or
//! evaluation) is an error of the call, `FILE:LINE,COL-COL: summary; detail`, as Terraform
//! words it (the template's own text is not a configuration file, so no label points into it).

use super::{Evaluator, codes};
use crate::diag::{Diagnostic, Diagnostics, FileId, Span};
use crate::model::functions::{self, Arg, FnError, FunctionDef, Prepared};
use crate::model::types::{self, Type};
use crate::model::value::Value;
use crate::parse::ast::{Expr, ExprKind, FuncCall};

/// The file id of spans inside a rendered template (never shown: they are relabelled).
const TEMPLATE_FILE: FileId = FileId(u32::MAX);

/// Whether `name` is rendered here.
pub(super) fn is_template_function(name: &str) -> bool {
    matches!(name, "templatefile" | "templatestring")
}

impl Evaluator {
    /// `templatestring` refuses a template written in place, before anything is evaluated.
    pub(super) fn check_template_call(&mut self, name: &str, call: &FuncCall) -> Option<()> {
        if self.in_template {
            return self.error(
                Diagnostic::error(codes::FUNCTION_FAILED, "Error in function call")
                    .with_primary(call.name.span, "not allowed inside a template")
                    .with_detail(format!(
                        "Call to function \"{name}\" failed: cannot recursively call {name} \
                         from inside another template function."
                    )),
            );
        }
        if name == "templatestring"
            && let Some(first) = call.args.first()
            && matches!(first.kind, ExprKind::Template(_))
        {
            return self.error(
                Diagnostic::error(codes::INVALID_ARGUMENT, "Invalid function argument")
                    .with_primary(first.span, "a reference to a template string is required")
                    .with_detail(
                        "Invalid value for \"template\" parameter: invalid template expression: \
                         templatestring is only for rendering templates retrieved dynamically \
                         from elsewhere; to treat the inner expression as template syntax, \
                         write the reference expression directly without any template \
                         interpolation syntax.",
                    ),
            );
        }
        Some(())
    }

    /// Renders the template of a `templatefile` / `templatestring` call.
    pub(super) fn render_template_call(
        &mut self,
        def: &FunctionDef,
        name: &str,
        args: Vec<Arg>,
        span: Span,
    ) -> Option<Value> {
        let (prepared, spans) = match functions::prepare(def, args, span) {
            Ok(p) => p,
            Err(ds) => {
                self.diags.extend(ds);
                return None;
            }
        };
        let (mut values, marked) = match prepared {
            Prepared::Done(v) => return Some(v),
            Prepared::Run(values, marked) => (values, marked),
        };
        let vars = std::mem::take(&mut values[1]);
        let first = values[0].as_str().unwrap_or_default().to_owned();
        let (text, origin) = if name == "templatefile" {
            match functions::read_template_file(&first) {
                Ok(text) => (text, first),
                Err(e) => {
                    self.diags.extend(functions::report(def, e, &spans));
                    return None;
                }
            }
        } else {
            (first, "<templatestring argument>".to_owned())
        };
        let template = match crate::parse::parse_template(&text, TEMPLATE_FILE) {
            Ok(t) => t,
            Err(ds) => {
                let e = FnError::Call(inner_error(&text, &origin, &ds));
                self.diags.extend(functions::report(def, e, &spans));
                return None;
            }
        };
        let Ok((vars, _)) = vars.into_entries() else {
            let e = FnError::Arg(1, "invalid vars value: must be a map".into());
            self.diags.extend(functions::report(def, e, &spans));
            return None;
        };
        let mut ctx = super::EvalContext::new();
        for (k, v) in vars {
            ctx.set(k, v);
        }
        let mut inner = Self {
            in_template: true,
            ..Self::default()
        };
        let expr = Expr {
            kind: ExprKind::Template(template),
            span: Span::new(TEMPLATE_FILE, 0, text.len()),
        };
        let value = inner.expr(&expr, &ctx);
        if inner.diags.has_errors() || value.is_none() {
            if let Some(missing) = inner
                .diags
                .iter()
                .find(|d| d.code == codes::UNKNOWN_NAME)
                .and_then(|d| d.labels.first().map(|l| l.span))
            {
                let e = FnError::Arg(1, missing_var(&text, &origin, missing));
                self.diags.extend(functions::report(def, e, &spans));
            } else {
                let e = FnError::Call(inner_error(&text, &origin, &inner.diags));
                self.diags.extend(functions::report(def, e, &spans));
            }
            return None;
        }
        let value = value?;
        let value = if name == "templatestring" {
            let (v, m) = value.into_unmarked();
            match types::convert(v, &Type::String) {
                Ok(v) if !v.is_null() => v.marked_if(m),
                _ => {
                    let e = FnError::Call("invalid template result: string required".into());
                    self.diags.extend(functions::report(def, e, &spans));
                    return None;
                }
            }
        } else {
            value
        };
        Some(value.marked_if(marked).into_nfc())
    }
}

/// `FILE:L,C-C` of a span in the template's text (HCL's range format).
fn position(text: &str, origin: &str, at: Span) -> String {
    let (line, col) = line_col(text, at.start as usize);
    let (end_line, end_col) = line_col(text, at.end as usize);
    if end_line == line {
        format!("{origin}:{line},{col}-{end_col}")
    } else {
        format!("{origin}:{line},{col}-{end_line},{end_col}")
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

/// Terraform's text for an error inside a template: `FILE:L,C-C: summary; detail`.
fn inner_error(text: &str, origin: &str, diags: &Diagnostics) -> String {
    let Some(d) = diags
        .iter()
        .find(|d| d.severity == crate::diag::Severity::Error)
    else {
        return "the template could not be rendered".into();
    };
    let mut out = match d.labels.iter().find(|l| l.primary).or(d.labels.first()) {
        Some(l) if l.span.file == TEMPLATE_FILE => {
            format!("{}: {}", position(text, origin, l.span), d.summary)
        }
        _ => d.summary.clone(),
    };
    if let Some(detail) = &d.detail {
        out.push_str("; ");
        out.push_str(detail.trim_end_matches('.'));
    }
    out
}

/// Terraform's text for a name the template uses that `vars` does not hold.
fn missing_var(text: &str, origin: &str, at: Span) -> String {
    let start = (at.start as usize).min(text.len());
    let name: String = text[start..]
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    let end_col = col + name.chars().count();
    format!(
        "vars map does not contain key \"{name}\", referenced at {origin}:{line},{col}-{end_col}"
    )
}
