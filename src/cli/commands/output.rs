//! `scwform output`: the root module's output values, as recorded in the state by the last
//! apply.
//!
//! As Terraform: the list form shows sensitive outputs as `<sensitive>`; a single output given
//! by name is printed in full, and `--json` / `--raw` print values as they are (sensitive ones
//! included: asking for one by name, or for JSON, is asking for the value).
//!
//! [`evaluate_json`] gives the same JSON document for a configuration that manages no resources,
//! straight from the configuration (no state, no API): what `apply` then `output --json` would
//! print. The differential suite against Terraform (`tests/fixtures/values`) runs it in-process.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::apply::values::output_state;
use crate::cli::ExitStatus;
use crate::cli::args::OutputArgs;
use crate::cli::printer::Printer;
use crate::cli::session::{self, Failure, Paths};
use crate::diag::{Diagnostic, Diagnostics, SourceMap};
use crate::model::evaluate::{EvalOptions, NoPriorValues};
use crate::model::load::{LoadOptions, Loaded, load_path};
use crate::model::value::{Value, format_number};
use crate::state::{OutputState, State};

/// Runs the command.
#[must_use]
pub fn run(args: &OutputArgs, printer: Printer) -> ExitStatus {
    let paths = Paths::new(args.dir.as_ref(), &args.state);
    let state = match read_state(&paths) {
        Ok(s) => s,
        Err(f) => {
            printer.diagnostics(&f.diagnostics, &f.sources);
            return ExitStatus::Failure;
        }
    };
    match render(&state, args) {
        Ok(text) => {
            if text.is_empty() && args.name.is_none() && !args.json {
                printer.diagnostics(
                    &Diagnostics::from(
                        Diagnostic::warning("scw::cli::no_outputs", "No outputs found")
                            .with_detail("The state has no outputs. If the configuration declares some, run `scwform apply` to record them."),
                    ),
                    &SourceMap::new(),
                );
            }
            let _ = printer.out(&text);
            ExitStatus::Success
        }
        Err(d) => {
            printer.diagnostics(&d.into(), &SourceMap::new());
            ExitStatus::Failure
        }
    }
}

/// Reads the selected workspace's state (an empty one when there is none yet), without
/// locking (as Terraform's read-only commands do).
pub(crate) fn read_state(paths: &Paths) -> Result<State, Failure> {
    paths.check_dir()?;
    let configured = session::configured(paths)?;
    let site = session::state_site(
        paths,
        configured.backend.as_ref(),
        configured.encryption.as_ref(),
    )
    .map_err(|d| Failure {
        diagnostics: d,
        sources: configured.sources,
    })?;
    site.backend
        .store(&site.workspace)
        .load()
        .map(Option::unwrap_or_default)
        .map_err(|e| session::state_diagnostic(&e, "Error reading the state").into())
}

/// The command's output text.
pub(crate) fn render(state: &State, args: &OutputArgs) -> Result<String, Diagnostic> {
    let Some(name) = &args.name else {
        if args.json {
            return Ok(json_document(&state.outputs));
        }
        return Ok(list(&state.outputs));
    };
    let Some(output) = state.outputs.get(name) else {
        return Err(Diagnostic::error(
            "scw::cli::output_not_found",
            format!("Output \"{name}\" not found"),
        )
        .with_detail("The output variable requested could not be found in the state file. If you recently added it to your configuration, run `scwform apply` to record it."));
    };
    if args.json {
        let mut text = serde_json::to_string(&output.value).expect("JSON values serialise");
        text.push('\n');
        return Ok(text);
    }
    if args.raw {
        return match &output.value {
            serde_json::Value::String(s) => Ok(s.clone()),
            serde_json::Value::Number(n) => Ok(n.to_string()),
            serde_json::Value::Bool(b) => Ok(b.to_string()),
            _ => Err(Diagnostic::error(
                "scw::cli::output_not_raw",
                "Unsupported value for raw output",
            )
            .with_detail(format!("The -raw option only supports strings, numbers, and boolean values, but output value \"{name}\" is not. Use --json instead."))),
        };
    }
    Ok(format!(
        "{}\n",
        format_output(&output.value, &output.type_, 0)
    ))
}

/// The `--json` document of every output: `{"NAME": {"sensitive": …, "type": …, "value": …}}`,
/// pretty-printed, as Terraform prints it.
fn json_document(outputs: &BTreeMap<String, OutputState>) -> String {
    let doc: serde_json::Map<String, serde_json::Value> = outputs
        .iter()
        .map(|(k, o)| {
            (
                k.clone(),
                serde_json::json!({"sensitive": o.sensitive, "type": o.type_, "value": o.value}),
            )
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&doc).expect("JSON values serialise");
    text.push('\n');
    text
}

/// What `scwform output --json` prints after `scwform apply` of the configuration at `path`
/// (a `.tf` file or a directory, with its `terraform.tfvars` and `*.auto.tfvars`) when it
/// manages no resources, evaluated here without state or API. Variables take their values from
/// those files and their defaults only (no `TF_VAR_*`, no `--var`). As after an apply, an
/// output whose value is not wholly known is left out.
///
/// # Errors
///
/// The loaded configuration, for its diagnostics and sources, when it has errors.
pub fn evaluate_json(path: &Path) -> Result<String, Box<Loaded>> {
    let options = LoadOptions {
        var_sources: Vec::new(),
        env: Vec::new(),
        eval: EvalOptions {
            validate_only: false,
            module_path: path.to_string_lossy().into_owned(),
            module_dir: None,
            module: crate::addr::ModuleAddr::root(),
            ..EvalOptions::default()
        },
        encryption_env: None,
    };
    let loaded = load_path(path, &options, &NoPriorValues);
    if loaded.diagnostics.has_errors() {
        return Err(Box::new(loaded));
    }
    let outputs = loaded
        .config
        .outputs
        .iter()
        .filter_map(|(name, output)| Some((name.clone(), output_state(output)?)))
        .collect();
    Ok(json_document(&outputs))
}

/// Every output as `name = value` lines, sensitive ones as `<sensitive>` (Terraform's list
/// form; also printed after an apply).
#[must_use]
pub(crate) fn list(outputs: &BTreeMap<String, OutputState>) -> String {
    let mut out = String::new();
    for (name, o) in outputs {
        if o.sensitive {
            let _ = writeln!(out, "{name} = <sensitive>");
        } else {
            let _ = writeln!(out, "{name} = {}", format_output(&o.value, &o.type_, 0));
        }
    }
    out
}

/// A recorded output as Terraform's `output` command and the end of an apply print it (its
/// `repl.FormatValue`): strings quoted as Go quotes them, or as a heredoc when they span lines;
/// every object key quoted and not aligned; `tolist(…)`, `toset(…)` and `tomap(…)` around
/// collections; a typed null as `tostring(null)`, `tolist(null) /* of string */`…. `ty` is the
/// output's type as the state records it (`"string"`, `["list","string"]`, …).
#[must_use]
pub(crate) fn format_output(
    value: &serde_json::Value,
    ty: &serde_json::Value,
    indent: usize,
) -> String {
    use serde_json::Value as J;
    const DYNAMIC: &J = &J::Null;
    let kind = ty.as_array().and_then(|a| a.first()).and_then(J::as_str);
    let inner = ty.as_array().and_then(|a| a.get(1)).unwrap_or(DYNAMIC);
    if value.is_null() {
        return match (ty.as_str(), kind) {
            (Some("string"), _) => "tostring(null)".to_owned(),
            (Some("number"), _) => "tonumber(null)".to_owned(),
            (Some("bool"), _) => "tobool(null)".to_owned(),
            (_, Some(k @ ("list" | "set" | "map"))) => {
                format!("to{k}(null) /* of {} */", friendly_type(inner))
            }
            (_, Some(_)) => format!("null /* {} */", friendly_type(ty)),
            _ => "null".to_owned(),
        };
    }
    let pad = " ".repeat(indent + 2);
    let close = " ".repeat(indent);
    match value {
        J::String(s) => heredoc(s, indent).unwrap_or_else(|| go_quote(s)),
        J::Array(items) => {
            let mut out = String::from("[");
            for (i, item) in items.iter().enumerate() {
                let element = match kind {
                    Some("tuple") => inner.get(i).unwrap_or(DYNAMIC),
                    Some("list" | "set") => inner,
                    _ => DYNAMIC,
                };
                let _ = write!(out, "\n{pad}{},", format_output(item, element, indent + 2));
            }
            if !items.is_empty() {
                let _ = write!(out, "\n{close}");
            }
            out.push(']');
            match kind {
                Some("list") => format!("tolist({out})"),
                Some("set") => format!("toset({out})"),
                _ => out,
            }
        }
        J::Object(map) => {
            let mut out = String::from("{");
            for (key, item) in map {
                let element = match kind {
                    Some("object") => inner.get(key).unwrap_or(DYNAMIC),
                    Some("map") => inner,
                    _ => DYNAMIC,
                };
                let _ = write!(
                    out,
                    "\n{pad}{} = {}",
                    heredoc(key, indent + 2).unwrap_or_else(|| go_quote(key)),
                    format_output(item, element, indent + 2)
                );
            }
            if !map.is_empty() {
                let _ = write!(out, "\n{close}");
            }
            out.push('}');
            if kind == Some("map") {
                format!("tomap({out})")
            } else {
                out
            }
        }
        other => format_value(other, indent),
    }
}

/// cty's `FriendlyName` of a type in the state's JSON form.
fn friendly_type(ty: &serde_json::Value) -> String {
    let kind = ty
        .as_array()
        .and_then(|a| a.first())
        .and_then(serde_json::Value::as_str);
    match (ty.as_str(), kind) {
        (Some(name), _) => name.to_owned(),
        (_, Some(k @ ("list" | "set" | "map"))) => format!("{k} of {}", friendly_type(&ty[1])),
        (_, Some(k)) => k.to_owned(),
        _ => "dynamic".to_owned(),
    }
}

/// A string spanning lines as Terraform's console writes it: `<<EOT` (`<<-EOT` when indented),
/// the lines indented, and a delimiter no line equals once trimmed (`EOT_`, `EOT__`…).
fn heredoc(s: &str, indent: usize) -> Option<String> {
    let lines: Vec<&str> = s.split('\n').collect();
    if lines.len() < 2 {
        return None;
    }
    let mut delimiter = String::from("EOT");
    while lines.iter().any(|line| line.trim() == delimiter) {
        delimiter.push('_');
    }
    let pad = " ".repeat(indent);
    let mut out = String::from(if indent > 0 { "<<-" } else { "<<" });
    out.push_str(&delimiter);
    for line in lines {
        let _ = write!(out, "\n{pad}{line}");
    }
    let _ = write!(out, "\n{pad}{delimiter}");
    Some(out)
}

/// Go's `strconv.Quote`: `\"`, `\\` and the C escapes, other unprintable characters as `\xNN`
/// (ASCII) or `\uNNNN`/`\UNNNNNNNN`; printable text as it is.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if u32::from(c) < 0x80 && !crate::addr::is_printable(c) => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if !crate::addr::is_printable(c) => {
                let code = u32::from(c);
                let _ = if code < 0x1_0000 {
                    write!(out, "\\u{code:04x}")
                } else {
                    write!(out, "\\U{code:08x}")
                };
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value in Terraform's console form: strings quoted, lists and objects over several lines.
#[must_use]
pub(crate) fn format_value(v: &serde_json::Value, indent: usize) -> String {
    format_marked(&Value::from_json(v), indent)
}

/// As [`format_value`], with each sensitive part shown as `(sensitive value)`.
#[must_use]
pub(crate) fn format_marked(v: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent + 2);
    let close = " ".repeat(indent);
    match v {
        Value::Collection(_) => format_marked(&v.clone().into_untyped(), indent),
        Value::Sensitive(_) => "(sensitive value)".to_owned(),
        Value::Null | Value::TypedNull(_) => "null".to_owned(),
        // Recorded values are known; an unknown here is shown as Terraform's plans show one.
        Value::Unknown => "(known after apply)".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(n),
        Value::String(s) => serde_json::to_string(s).expect("strings serialise"),
        Value::List(items) if items.is_empty() => "[]".to_owned(),
        Value::List(items) => {
            let mut out = String::from("[\n");
            for item in items {
                let _ = writeln!(out, "{pad}{},", format_marked(item, indent + 2));
            }
            let _ = write!(out, "{close}]");
            out
        }
        Value::Object(map) if map.is_empty() => "{}".to_owned(),
        Value::Object(map) => {
            let keys: Vec<String> = map
                .keys()
                .map(|k| {
                    if crate::addr::is_identifier(k) {
                        k.clone()
                    } else {
                        serde_json::to_string(k).expect("strings serialise")
                    }
                })
                .collect();
            let width = keys.iter().map(String::len).max().unwrap_or(0);
            let mut out = String::from("{\n");
            for (key, value) in keys.iter().zip(map.values()) {
                let _ = writeln!(
                    out,
                    "{pad}{key:width$} = {}",
                    format_marked(value, indent + 2)
                );
            }
            let _ = write!(out, "{close}}}");
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn state() -> State {
        let mut s = State::default();
        s.outputs.insert(
            "id".into(),
            OutputState {
                value: json!("p-1"),
                type_: json!("string"),
                sensitive: false,
            },
        );
        s.outputs.insert(
            "token".into(),
            OutputState {
                value: json!("s3cr3t"),
                type_: json!("string"),
                sensitive: true,
            },
        );
        s.outputs.insert(
            "all".into(),
            OutputState {
                value: json!({"a": [1, true], "b-c": {}}),
                type_: json!("dynamic"),
                sensitive: false,
            },
        );
        s
    }

    fn args(name: Option<&str>, json: bool, raw: bool) -> OutputArgs {
        OutputArgs {
            name: name.map(str::to_owned),
            json,
            raw,
            dir: None,
            state: crate::cli::args::StateArgs::default(),
        }
    }

    #[test]
    fn the_list_hides_sensitive_values_and_names_show_them() {
        let s = state();
        let text = render(&s, &args(None, false, false)).expect("renders");
        assert_eq!(
            text,
            "all = {\n  \"a\" = [\n    1,\n    true,\n  ]\n  \"b-c\" = {}\n}\nid = \"p-1\"\ntoken = <sensitive>\n"
        );
        assert_eq!(
            render(&s, &args(Some("token"), false, true)).expect("raw"),
            "s3cr3t"
        );
        assert_eq!(
            render(&s, &args(Some("token"), true, false)).expect("json"),
            "\"s3cr3t\"\n"
        );
        assert!(render(&s, &args(Some("all"), false, true)).is_err());
        assert!(render(&s, &args(Some("nope"), false, false)).is_err());
        let all: serde_json::Value =
            serde_json::from_str(&render(&s, &args(None, true, false)).expect("json"))
                .expect("valid JSON");
        assert_eq!(all["token"]["sensitive"], json!(true));
    }
}
