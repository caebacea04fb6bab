//! Module calls: the arguments of one instance of a `module` block → the called module
//! evaluated with them as its input variables → the object of its outputs.
//!
//! Invariants: the arguments are checked against the called module's variables once per call
//! (Terraform's "Unsupported argument" / "Missing required argument"), before any instance is
//! evaluated; each instance's inputs are converted to their variables' types and marked
//! sensitive as declared, exactly as root variables are ([`resolve_one`] is the one rule for
//! null, defaults and `nullable`); a called module is evaluated by the same [`evaluate`] as the
//! root module, so every rule holds inside modules too.
//!
//! Depends on the sibling model modules only.

use indexmap::IndexMap;

use super::config::Config;
use super::evaluate::{EvalOptions, Outside, ResourceValues, evaluate_instance};
use super::expr::EvalContext;
use super::load::resolve_one;
use super::lower::{ChildModule, Module, ModuleCallDecl, header_span};
use super::types::{self, Type};
use super::value::Value;
use crate::addr::ModuleAddr;
use crate::diag::{Diagnostic, Diagnostics, Span, suggest};

/// Checks the call's arguments against the called module's variables; false when one is
/// unsupported or a required one is missing (each reported).
pub(super) fn check_arguments(
    call: &ModuleCallDecl<'_>,
    child: &Module<'_>,
    diags: &mut Diagnostics,
) -> bool {
    let mut ok = true;
    for a in &call.inputs {
        let name = a.name.name.as_str();
        if !child.variables.contains_key(name) {
            let mut d =
                Diagnostic::error("scw::model::unsupported_argument", "Unsupported argument")
                    .with_primary(a.name.span, "not a variable of the module")
                    .with_detail(format!(
                        "An argument named \"{name}\" is not expected here."
                    ));
            d.help = suggest::did_you_mean(name, child.variables.keys().copied());
            diags.push(d);
            ok = false;
        }
    }
    for (name, decl) in &child.variables {
        if decl.default.is_none() && !call.inputs.iter().any(|a| a.name.name == *name) {
            diags.push(
                Diagnostic::error("scw::model::missing_argument", "Missing required argument")
                    .with_primary(header_span(call.block), format!("no {name} given"))
                    .with_detail(format!(
                        "The argument \"{name}\" is required, but no definition was found."
                    )),
            );
            ok = false;
        }
    }
    ok
}

/// One instance of a call, `address`, given its arguments' values (and where each is
/// written) and what they read from outside: its value (the object of the called module's
/// outputs) and its evaluated configuration (its resource instances, addressed in it).
#[allow(clippy::too_many_arguments)]
pub(super) fn instance_value(
    call: &ModuleCallDecl<'_>,
    child: &ChildModule<'_>,
    address: &ModuleAddr,
    mut inputs: IndexMap<&str, (Value, Span)>,
    outside: &Outside,
    values: &dyn ResourceValues,
    options: &EvalOptions,
    diags: &mut Diagnostics,
) -> (Value, Config) {
    let empty = EvalContext::new();
    let mut variables = IndexMap::with_capacity(child.module.variables.len());
    for (name, decl) in &child.module.variables {
        let constraint = match decl.type_expr.map(types::parse_type) {
            Some(Ok(t)) => t,
            Some(Err(d)) => {
                diags.extend(d);
                Type::Any
            }
            None => Type::Any,
        };
        let default = super::load::default_value(decl, &constraint, &empty, diags);
        let given = inputs.shift_remove(*name).map(|(value, span)| {
            match types::convert(value.marked_if(decl.sensitive), &constraint) {
                Ok(v) => v,
                Err(message) => {
                    diags.push(
                        Diagnostic::error(
                            "scw::model::invalid_variable_value",
                            "Invalid value for input variable",
                        )
                        .with_primary(span, format!("not a valid {constraint}"))
                        .with_label(header_span(decl.block), "declared here")
                        .with_detail(format!(
                            "The given value is not suitable for module.{}.var.{name}: {message}.",
                            call.name
                        )),
                    );
                    Value::Unknown
                }
            }
        });
        // A missing required argument was reported by `check_arguments`.
        let value = if given.is_none() && decl.default.is_none() {
            Value::Unknown
        } else {
            resolve_one(decl, given, default, options.validate_only, diags)
        };
        variables.insert((*name).to_owned(), value.marked_if(decl.sensitive));
    }
    let options = EvalOptions {
        module_dir: Some(child.dir.clone()),
        module: address.clone(),
        provider: call
            .providers
            .map(|(alias, _)| alias.to_owned())
            .or_else(|| options.provider.clone()),
        ..options.clone()
    };
    let mut config = evaluate_instance(&child.module, variables, outside, values, &options, diags);
    let value = Value::Object(
        std::mem::take(&mut config.outputs)
            .into_iter()
            .map(|(name, output)| (name, output.value))
            .collect(),
    );
    (value, config)
}
