//! Loading a configuration: files on disk → parsed, lowered, evaluated [`Config`].
//!
//! Shared by every command that reads a configuration (`validate`, `graph`, and later `plan` /
//! `apply`), so that they agree on which files are read and how variables get their values.
//!
//! - A path is a `.tf` (or `.tf.json`) file or a directory, whose `*.tf` and `*.tf.json`
//!   files are read (not recursively), in name order; override files (`override.tf`,
//!   `*_override.tf`, and `.tf.json`) are merged into the others afterwards (see
//!   [`overrides`]).
//! - Variable values, later sources winning (Terraform's precedence): declared defaults <
//!   `TF_VAR_name` environment variables < `terraform.tfvars` (or `.json`) <
//!   `*.auto.tfvars` (and `.json`, in name order) < `--var-file` and `--var` in command-line
//!   order. Values given as text (environment, `--var`) are strings, then converted, for
//!   variables without a type or of a primitive type, and HCL expressions otherwise (Terraform's
//!   literal and HCL parsing modes); tfvars files hold constant
//!   expressions.
//! - In `validate` mode a variable without a value is unknown instead of an error.
//!
//! - Reading and evaluating are two steps: [`parse_path`] reads and parses every file once (the
//!   root module's, the called modules', the variables files) into a [`Parsed`], which
//!   [`evaluate_parsed`] evaluates as many times as a run needs; [`load_path`] does both.
//!
//! Invariant: every diagnostic is collected, sorted and deduplicated; nothing here prints.
//! Depends on `parse`, `diag` and the sibling model modules. The only module of `model` that
//! touches the file system (reading configuration and variable files).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use super::config::Config;
use super::evaluate::{EvalOptions, ResourceValues, evaluate};
use super::expr::{self, EvalContext};
use super::json_shape::TerraformShape;
use super::lower::{Module, VariableDecl, header_span, lower};
use super::modules;
use super::overrides;
use super::settings::{self, TerraformSettings};
use super::types::{self, Type};
use super::value::Value;
use crate::diag::{Diagnostic, Diagnostics, SourceMap, Span};
use crate::parse::{self, ast};

/// A variable source given on the command line, in order. Its `Debug` shows a `--var`'s name,
/// never its value (the variable may be sensitive).
#[derive(Clone, PartialEq, Eq)]
pub enum VarSource {
    /// `--var NAME=VALUE`
    Var(String),
    /// `--var-file FILE`
    File(PathBuf),
}

impl std::fmt::Debug for VarSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Var(text) => {
                let name = text.split_once('=').map_or(text.as_str(), |(n, _)| n);
                write!(f, "--var {name}=[REDACTED]")
            }
            Self::File(path) => write!(f, "--var-file {}", path.display()),
        }
    }
}

/// What to load and how. Its `Debug` shows no value (variables may be sensitive, and
/// `TF_ENCRYPTION` holds passphrases): names and file paths only.
#[derive(Clone, Default)]
pub struct LoadOptions {
    /// `--var` / `--var-file`, in command-line order.
    pub var_sources: Vec<VarSource>,
    /// `TF_VAR_*` environment variables as (name without the prefix, value).
    pub env: Vec<(String, String)>,
    /// Evaluation settings (`validate` mode, workspace, paths).
    pub eval: EvalOptions,
    /// `TF_ENCRYPTION`: an encryption configuration merged over the `encryption` block.
    pub encryption_env: Option<String>,
}

impl std::fmt::Debug for LoadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let env: Vec<String> = self
            .env
            .iter()
            .map(|(name, _)| format!("TF_VAR_{name}=[REDACTED]"))
            .collect();
        f.debug_struct("LoadOptions")
            .field("var_sources", &self.var_sources)
            .field("env", &env)
            .field("eval", &self.eval)
            .field(
                "encryption_env",
                &self.encryption_env.as_ref().map(|_| "[REDACTED]"),
            )
            .finish()
    }
}

impl LoadOptions {
    /// The `TF_VAR_*` variables of this process, sorted by name.
    #[must_use]
    pub fn env_from_process() -> Vec<(String, String)> {
        let mut vars: Vec<(String, String)> = std::env::vars()
            .filter_map(|(k, v)| k.strip_prefix("TF_VAR_").map(|n| (n.to_owned(), v)))
            .collect();
        vars.sort();
        vars
    }
}

/// A loaded configuration. Its `Debug` leaves out the parsed files (their literals may be
/// passphrases); the sources and settings redact themselves.
#[derive(Default)]
pub struct Loaded {
    /// Every file read (configuration, variable files, `--var` texts), for rendering
    /// diagnostics.
    pub sources: SourceMap,
    /// The evaluated configuration (partial when there are errors).
    pub config: Config,
    /// Every problem found, sorted.
    pub diagnostics: Diagnostics,
    /// The settings of the `terraform` blocks (backend, encryption).
    pub settings: TerraformSettings,
    /// The problems found in those settings (also in `diagnostics`).
    pub settings_diagnostics: Diagnostics,
    /// The parsed configuration files (kept so that callers may reuse them, and so that a
    /// short-lived process can skip freeing them).
    pub files: Vec<ast::File>,
    /// Root variables that need a value and were given none (each also reported as
    /// `scw::model::missing_variable`): `(name, description)`, so that the CLI may ask.
    pub missing_variables: Vec<(String, Option<String>)>,
}

impl std::fmt::Debug for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loaded")
            .field("sources", &self.sources)
            .field("config", &self.config)
            .field("diagnostics", &self.diagnostics)
            .field("settings", &self.settings)
            .field("settings_diagnostics", &self.settings_diagnostics)
            .field(
                "files",
                &format_args!("<{} parsed files>", self.files.len()),
            )
            .field("missing_variables", &self.missing_variables)
            .finish()
    }
}

/// One input value before it is converted to its variable's type.
struct Input {
    value: RawValue,
    /// Where the value was given (for diagnostics), if in a file.
    span: Option<Span>,
}

enum RawValue {
    /// Text from the environment or `--var`: a raw string or an expression, by type.
    /// `origin` names it in a source label, `set_using` in Terraform's sentences
    /// ("… set using the `TF_VAR_n` environment variable").
    Text {
        text: String,
        origin: String,
        set_using: String,
    },
    /// An already evaluated constant (tfvars).
    Value(Value),
}

/// A configuration read and parsed, ready to be evaluated any number of times: the files of
/// the root module and of every module it calls, and the variables files, each read from disk
/// once. Every evaluation of a run ([`evaluate_parsed`]) uses these same syntax trees, so an
/// edit of a file during the run is never seen halfway.
pub struct Parsed {
    /// Every configuration file read (root and called modules).
    sources: SourceMap,
    /// The root module's files, parsed.
    files: Vec<ast::File>,
    /// The called modules' files, parsed.
    called: modules::ModuleArena,
    /// `terraform.tfvars` and `*.auto.tfvars` (and `.json`) beside the configuration.
    auto_files: Vec<PathBuf>,
    /// The text of every variables file (automatic and `--var-file`), or why it is unreadable.
    var_texts: HashMap<PathBuf, Result<String, String>>,
    /// Problems reading and parsing.
    diags: Diagnostics,
}

impl std::fmt::Debug for Parsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parsed")
            .field("files", &self.files.len())
            .field("auto_files", &self.auto_files)
            .finish_non_exhaustive()
    }
}

impl Parsed {
    /// Whether the root module has a `resource "TYPE" "NAME"` block.
    #[must_use]
    pub fn declares_resource(&self, type_name: &str, name: &str) -> bool {
        self.files.iter().any(|f| {
            f.body.items.iter().any(|item| match item {
                ast::Structure::Block(b) => {
                    b.ident.name == "resource"
                        && matches!(b.labels.as_slice(), [t, n] if t.value == type_name && n.value == name)
                }
                ast::Structure::Attribute(_) => false,
            })
        })
    }

    /// Adds a root module file that was not on disk when the configuration was read (the
    /// configuration `plan --generate-config-out` generates); its problems are the
    /// configuration's.
    pub fn add_file(&mut self, name: &str, path: Option<&Path>, text: &str) {
        let id = self.sources.add(name.to_owned(), path, text.to_owned());
        match parse_config_text(name, text, id) {
            Ok(file) => self.files.push(file),
            Err(d) => self.diags.extend(d),
        }
    }
}

/// Loads the configuration at `path` (a `.tf` file or a directory).
pub fn load_path(path: &Path, options: &LoadOptions, values: &dyn ResourceValues) -> Loaded {
    let parsed = parse_path(path, options);
    let mut loaded = evaluate_parsed(&parsed, options, values);
    loaded.files = parsed.files;
    loaded.files.extend(parsed.called.into_files());
    loaded
}

/// Evaluates a configuration read by [`parse_path`] or [`parse_texts`] (the `files` of the
/// result are left empty: they stay in `parsed`).
pub fn evaluate_parsed(
    parsed: &Parsed,
    options: &LoadOptions,
    values: &dyn ResourceValues,
) -> Loaded {
    let mut loaded = Loaded {
        sources: parsed.sources.clone(),
        ..Loaded::default()
    };
    let mut diags = parsed.diags.clone();
    evaluate_into(&mut loaded, parsed, options, values, &mut diags);
    loaded.diagnostics = finish(diags);
    loaded
}

/// Reads and parses the configuration at `path` (a `.tf` file or a directory), the modules it
/// calls and its variables files (automatic ones and `options`' `--var-file`s).
#[must_use]
pub fn parse_path(path: &Path, options: &LoadOptions) -> Parsed {
    let mut diags = Diagnostics::new();
    let (tf_files, var_dir) = if path.is_dir() {
        match list_dir(path) {
            Ok(files) => (files, Some(path.to_path_buf())),
            Err(e) => {
                diags.push(Diagnostic::error(
                    "scw::model::io",
                    format!("Cannot read directory {}: {e}", path.display()),
                ));
                (Vec::new(), None)
            }
        }
    } else {
        (vec![path.to_path_buf()], None)
    };
    let mut texts = Vec::new();
    for file in &tf_files {
        match std::fs::read_to_string(file) {
            Ok(text) => texts.push((display_name(file), Some(file.clone()), text)),
            Err(e) => diags.push(Diagnostic::error(
                "scw::model::io",
                format!("Cannot read {}: {e}", file.display()),
            )),
        }
    }
    if tf_files.is_empty() && !diags.has_errors() {
        diags.push(
            Diagnostic::error("scw::model::no_configuration", "No configuration files")
                .with_detail(format!(
                    "There are no .tf or .tf.json files in {}.",
                    path.display()
                )),
        );
    }
    let mut auto_files = Vec::new();
    if let Some(dir) = &var_dir {
        for name in ["terraform.tfvars", "terraform.tfvars.json"] {
            let p = dir.join(name);
            if p.is_file() {
                auto_files.push(p);
            }
        }
        if let Ok(entries) = std::fs::read_dir(dir) {
            let mut autos: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                            n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
                        })
                })
                .collect();
            autos.sort();
            auto_files.extend(autos);
        }
    }
    let root_dir = match var_dir {
        Some(_) => path.to_path_buf(),
        None => path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
    };
    // A file named on its own is the whole configuration, whatever its name (override files
    // only exist among the files of a directory).
    let by_name = var_dir.is_some();
    parse_into(texts, &root_dir, by_name, auto_files, options, diags)
}

/// Loads a configuration from in-memory texts `(name, text)` (tests, stdin); variable files
/// and `--var`s come from `options` only.
pub fn load_texts(
    texts: Vec<(String, String)>,
    options: &LoadOptions,
    values: &dyn ResourceValues,
) -> Loaded {
    let parsed = parse_texts(texts, options);
    let mut loaded = evaluate_parsed(&parsed, options, values);
    loaded.files = parsed.files;
    loaded.files.extend(parsed.called.into_files());
    loaded
}

/// Parses a configuration given as in-memory texts `(name, text)` (modules are read relative
/// to the current directory; variables files come from `options` only).
#[must_use]
pub fn parse_texts(texts: Vec<(String, String)>, options: &LoadOptions) -> Parsed {
    let texts = texts.into_iter().map(|(n, t)| (n, None, t)).collect();
    parse_into(
        texts,
        Path::new("."),
        true,
        Vec::new(),
        options,
        Diagnostics::new(),
    )
}

/// Sorts, deduplicates (instances of one resource repeat the same problem) and drops
/// evaluation errors that only restate a static reference error at the same place (an
/// undeclared name or attribute is reported once, by lowering).
fn finish(mut diags: Diagnostics) -> Diagnostics {
    const STATIC: &[&str] = &[
        "scw::model::unsupported_attribute",
        "scw::model::count_outside_count",
        "scw::model::each_outside_for_each",
        "scw::model::invalid_reference",
        "scw::model::unsupported",
    ];
    let mut covered: Vec<Span> = diags
        .iter()
        .filter(|d| STATIC.contains(&d.code))
        .filter_map(Diagnostic::primary_span)
        .collect();
    if !covered.is_empty() {
        covered.sort_by_key(|s| (s.file, s.start));
        let overlaps = |span: Span| {
            // Spans starting before `span` ends, in its file; the nearest ones may overlap.
            let end = covered.partition_point(|c| (c.file, c.start) <= (span.file, span.end));
            covered[..end]
                .iter()
                .rev()
                .take_while(|c| c.file == span.file)
                .any(|c| c.end >= span.start)
        };
        diags.0.retain(|d| {
            !(d.code.starts_with("scw::eval::") && d.primary_span().is_some_and(overlaps))
        });
    }
    diags.sort();
    diags.0.dedup_by(|a, b| {
        a.code == b.code
            && a.summary == b.summary
            && a.primary_span() == b.primary_span()
            && a.detail == b.detail
    });
    diags
}

fn display_name(path: &Path) -> String {
    path.to_string_lossy().trim_start_matches("./").to_owned()
}

/// Whether a file name is a configuration file: `*.tf` (native syntax) or `*.tf.json`
/// (Terraform's JSON syntax).
#[must_use]
pub fn is_config_file_name(name: &str) -> bool {
    // Terraform matches these suffixes exactly (`main.TF` is not read).
    #[allow(clippy::case_sensitive_file_extension_comparisons)]
    let found = name.ends_with(".tf") || name.ends_with(".tf.json");
    found
}

/// Whether a path is a configuration file (see [`is_config_file_name`]).
#[must_use]
pub fn is_config_file(path: &Path) -> bool {
    path.is_file()
        && path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_config_file_name)
}

/// Parses one configuration file, by its name: Terraform's JSON syntax for `*.tf.json`, the
/// native syntax otherwise.
pub(crate) fn parse_config_text(
    name: &str,
    text: &str,
    id: crate::diag::FileId,
) -> Result<ast::File, Diagnostics> {
    #[allow(clippy::case_sensitive_file_extension_comparisons)]
    if name.ends_with(".tf.json") {
        parse::parse_json_source(text, id, &TerraformShape)
    } else {
        parse::parse_source(text, id)
    }
}

pub(crate) fn list_dir(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| is_config_file(p))
        .collect();
    files.sort();
    Ok(files)
}

fn parse_into(
    texts: Vec<(String, Option<PathBuf>, String)>,
    root_dir: &Path,
    overrides_by_name: bool,
    auto_files: Vec<PathBuf>,
    options: &LoadOptions,
    mut diags: Diagnostics,
) -> Parsed {
    let mut sources = SourceMap::new();
    let mut files = Vec::with_capacity(texts.len());
    let mut override_files = Vec::new();
    for (name, path, text) in texts {
        if u32::try_from(text.len()).is_err() {
            diags.push(Diagnostic::error(
                "scw::model::io",
                format!("{name} is larger than 4 GiB"),
            ));
            continue;
        }
        let is_override = overrides_by_name && overrides::is_override_file(&name);
        let id = sources.add(name.clone(), path.as_deref(), text);
        let text = sources.file(id).text.clone();
        match parse_config_text(&name, &text, id) {
            Ok(file) if is_override => override_files.push(file),
            Ok(file) => files.push(file),
            Err(d) => diags.extend(d),
        }
    }
    overrides::merge(&mut files, override_files, &mut diags);
    let called = modules::read(&files, root_dir, &mut sources, &mut diags);
    let mut var_texts = HashMap::new();
    let named = options.var_sources.iter().filter_map(|s| match s {
        VarSource::File(f) => Some(f),
        VarSource::Var(_) => None,
    });
    for file in auto_files.iter().chain(named) {
        let text = std::fs::read_to_string(file).map_err(|e| e.to_string());
        var_texts.insert(file.clone(), text);
    }
    Parsed {
        sources,
        files,
        called,
        auto_files,
        var_texts,
        diags,
    }
}

fn evaluate_into(
    loaded: &mut Loaded,
    parsed: &Parsed,
    options: &LoadOptions,
    values: &dyn ResourceValues,
    diags: &mut Diagnostics,
) {
    let sources = &mut loaded.sources;
    let mut module = lower(&parsed.files, diags);
    parsed.called.attach(&mut module, diags);

    // Inputs, lowest precedence first: later inserts replace earlier ones.
    let mut inputs: IndexMap<String, Input> = IndexMap::new();
    for (name, value) in &options.env {
        if module.variables.contains_key(name.as_str()) {
            inputs.insert(
                name.clone(),
                Input {
                    value: RawValue::Text {
                        text: value.clone(),
                        origin: format!("TF_VAR_{name}"),
                        set_using: format!("the TF_VAR_{name} environment variable"),
                    },
                    span: None,
                },
            );
        }
    }
    let text_of = |file: &Path| {
        parsed
            .var_texts
            .get(file)
            .cloned()
            .unwrap_or_else(|| std::fs::read_to_string(file).map_err(|e| e.to_string()))
    };
    for file in &parsed.auto_files {
        read_var_file(file, text_of(file), &module, sources, &mut inputs, diags);
    }
    for source in &options.var_sources {
        match source {
            VarSource::File(file) => {
                read_var_file(file, text_of(file), &module, sources, &mut inputs, diags);
            }
            VarSource::Var(assignment) => {
                let Some((name, value)) = assignment.split_once('=') else {
                    diags.push(
                        Diagnostic::error("scw::model::invalid_var_option", "Invalid --var option")
                            .with_detail(format!("The given --var option {assignment:?} is not correctly specified. It must be a variable name and its value separated by an equals sign, as in --var name=value.")),
                    );
                    continue;
                };
                let name = name.trim();
                if !module.variables.contains_key(name) {
                    let mut d = Diagnostic::error("scw::model::undeclared_variable_value", "Value for undeclared variable")
                        .with_detail(format!("A variable named \"{name}\" was assigned on the command line, but the configuration does not declare a variable of that name. To use this value, add a variable \"{name}\" block to the configuration."));
                    d.help =
                        crate::diag::suggest::did_you_mean(name, module.variables.keys().copied());
                    diags.push(d);
                    continue;
                }
                inputs.insert(
                    name.to_owned(),
                    Input {
                        value: RawValue::Text {
                            text: value.to_owned(),
                            origin: format!("--var {name}"),
                            set_using: format!("-var=\"{name}=...\""),
                        },
                        span: None,
                    },
                );
            }
        }
    }
    let errors_before = diags.error_count();
    let variables = resolve_variables(
        &module,
        inputs,
        sources,
        options.eval.validate_only,
        diags,
        &mut loaded.missing_variables,
    );
    // A variable with no valid value is unknown from here on. Terraform stops at such errors;
    // we still check the rest of the configuration, but as `validate` does, so that a `count`
    // or `for_each` made unknown by the bad value is not reported a second time as "known only
    // after apply".
    let eval_options = if diags.error_count() > errors_before && !options.eval.validate_only {
        EvalOptions {
            validate_only: true,
            ..options.eval.clone()
        }
    } else {
        options.eval.clone()
    };
    loaded.config = evaluate(&module, variables, values, &eval_options, diags);
    let mut settings_diags = Diagnostics::new();
    loaded.settings = settings::lower(
        &module.terraform,
        &loaded.config.variables,
        &loaded.config.locals,
        &mut settings_diags,
    );
    if let Some(text) = &options.encryption_env {
        match settings::encryption_from_text(text, sources) {
            Ok(env) => {
                loaded.settings.encryption = Some(settings::merge_encryption(
                    loaded.settings.encryption.take(),
                    env,
                ));
            }
            Err(d) => settings_diags.extend(d),
        }
    }
    diags.extend(settings_diags.iter().cloned());
    loaded.settings_diagnostics = settings_diags;
    drop(module);
}

fn read_var_file(
    path: &Path,
    text: Result<String, String>,
    module: &Module<'_>,
    sources: &mut SourceMap,
    inputs: &mut IndexMap<String, Input>,
    diags: &mut Diagnostics,
) {
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            diags.push(Diagnostic::error(
                "scw::model::io",
                format!("Cannot read variables file {}: {e}", path.display()),
            ));
            return;
        }
    };
    if u32::try_from(text.len()).is_err() {
        diags.push(Diagnostic::error(
            "scw::model::io",
            format!("{} is larger than 4 GiB", path.display()),
        ));
        return;
    }
    let id = sources.add(display_name(path), Some(path), text);
    let text = sources.file(id).text.clone();
    let mut assign = |name: &str, value: Value, span: Span, diags: &mut Diagnostics| {
        if module.variables.contains_key(name) {
            inputs.insert(
                name.to_owned(),
                Input {
                    value: RawValue::Value(value),
                    span: Some(span),
                },
            );
        } else {
            let mut d = Diagnostic::warning("scw::model::undeclared_variable_value", "Value for undeclared variable")
                .with_primary(span, "not declared")
                .with_detail(format!("The variables file assigns a value to \"{name}\", but the configuration does not declare a variable of that name."));
            d.help = crate::diag::suggest::did_you_mean(name, module.variables.keys().copied());
            diags.push(d);
        }
    };
    if path.extension().is_some_and(|e| e == "json") {
        let whole = Span::new(id, 0, 0);
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(map)) => {
                for (k, v) in &map {
                    assign(k, Value::from_json(v), whole, diags);
                }
            }
            Ok(_) => diags.push(
                Diagnostic::error("scw::model::invalid_var_file", "Invalid variables file")
                    .with_primary(whole, "")
                    .with_detail("A JSON variables file must hold one object."),
            ),
            Err(e) => diags.push(
                Diagnostic::error("scw::model::invalid_var_file", "Invalid variables file")
                    .with_primary(whole, "")
                    .with_detail(format!("This file is not valid JSON: {e}.")),
            ),
        }
        return;
    }
    let file = match parse::parse_source(&text, id) {
        Ok(f) => f,
        Err(d) => {
            diags.extend(d);
            return;
        }
    };
    let ctx = EvalContext::constants();
    for item in &file.body.items {
        match item {
            ast::Structure::Attribute(a) => match expr::eval(&a.expr, &ctx) {
                Ok(v) => assign(&a.name.name, v, a.expr.span, diags),
                Err(d) => diags.extend(d),
            },
            ast::Structure::Block(b) => diags.push(
                Diagnostic::error(
                    "scw::model::invalid_var_file",
                    "Unexpected block in variables file",
                )
                .with_primary(b.ident.span, "not allowed here")
                .with_detail(
                    "A variables file only assigns values to variables, as in name = \"value\".",
                ),
            ),
        }
    }
}

/// Gives every declared variable its value: the winning input converted to the declared type,
/// else the default, else unknown (`validate`) or a diagnostic.
fn resolve_variables(
    module: &Module<'_>,
    mut inputs: IndexMap<String, Input>,
    sources: &mut SourceMap,
    validate_only: bool,
    diags: &mut Diagnostics,
    missing: &mut Vec<(String, Option<String>)>,
) -> IndexMap<String, Value> {
    let mut out = IndexMap::with_capacity(module.variables.len());
    let empty = EvalContext::new();
    for (name, decl) in &module.variables {
        let ty = match decl.type_expr.map(types::parse_type) {
            Some(Ok(t)) => Some(t),
            Some(Err(d)) => {
                diags.extend(d);
                None
            }
            None => None,
        };
        let constraint = ty.clone().unwrap_or(Type::Any);
        let default = default_value(decl, &constraint, &empty, diags);
        let given = inputs.shift_remove(*name).and_then(|input| {
            let span = input.span;
            let mut given_as_text = None;
            let value = match input.value {
                RawValue::Value(v) => v,
                RawValue::Text {
                    text,
                    origin,
                    set_using,
                } => {
                    given_as_text = Some(set_using);
                    // As Terraform: the text for a variable of a primitive type (or of none) is
                    // the string itself, converted to the type below (`n=abc` for a number is
                    // a type error, `n=1+1` is not 2); other types read it as an expression.
                    if ty.as_ref().is_none_or(Type::is_primitive) {
                        Value::String(super::value::nfc(text))
                    } else {
                        let id = sources.add(format!("<value for {origin}>"), None, text);
                        let text = sources.file(id).text.clone();
                        let parsed = parse::parse_expression(&text, id)
                            .and_then(|expr| expr::eval(&expr, &empty));
                        match parsed {
                            Ok(v) => v,
                            // The parser's diagnostics quote the text: not for a secret.
                            Err(_) if decl.sensitive => {
                                diags.push(
                                    Diagnostic::error(
                                        "scw::model::invalid_variable_value",
                                        "Invalid value for input variable",
                                    )
                                    .with_primary(header_span(decl.block), format!("var.{name} needs a {constraint}"))
                                    .with_detail(format!("The value given for var.{name} ({origin}) is not a valid expression; it is sensitive, so it is not shown.")),
                                );
                                return Some(Value::Unknown);
                            }
                            Err(d) => {
                                diags.extend(d);
                                return None;
                            }
                        }
                    }
                }
            };
            match types::convert(value.marked_if(decl.sensitive), &constraint) {
                Ok(v) => Some(v),
                Err(message) => {
                    let mut d = Diagnostic::error(
                        "scw::model::invalid_variable_value",
                        "Invalid value for input variable",
                    )
                    .with_detail(given_as_text.as_ref().map_or_else(
                        || {
                            let header = header_span(decl.block);
                            let (from, to) = sources.range(header);
                            let end = if to.line == from.line {
                                to.column.to_string()
                            } else {
                                format!("{},{}", to.line, to.column)
                            };
                            format!(
                                "The given value is not suitable for var.{name} declared at {}:{},{}-{end}: {message}.",
                                sources.file(header.file).name,
                                from.line,
                                from.column,
                            )
                        },
                        |set_using| {
                            format!(
                                "Unsuitable value for var.{name} set using {set_using}: {message}."
                            )
                        },
                    ));
                    // The source of a sensitive value is not quoted either: the diagnostic
                    // points at the declaration.
                    d = match span.filter(|_| !decl.sensitive) {
                        Some(s) => d
                            .with_primary(s, format!("not a valid {constraint}"))
                            .with_label(header_span(decl.block), "declared here"),
                        None => d.with_primary(
                            header_span(decl.block),
                            format!("var.{name} needs a {constraint}"),
                        ),
                    };
                    diags.push(d);
                    Some(Value::Unknown)
                }
            }
        });
        let errors = diags.error_count();
        let value = resolve_one(decl, given, default, validate_only, diags);
        if diags.error_count() > errors {
            missing.push(((*name).to_owned(), decl.description.clone()));
        }
        out.insert((*name).to_owned(), value.marked_if(decl.sensitive));
    }
    out
}

/// A variable's default, evaluated and converted to its type constraint; `None` (reported) when
/// it does not convert, or is null where `nullable = false` (Terraform's rules, for root and
/// child modules alike).
pub(super) fn default_value(
    decl: &VariableDecl<'_>,
    constraint: &Type,
    empty: &EvalContext<'_>,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let expr = decl.default?;
    let v = expr::eval(expr, empty).map_err(|d| diags.extend(d)).ok()?;
    let invalid = |label: String, detail: String| {
        Diagnostic::error(
            "scw::model::invalid_default",
            "Invalid default value for variable",
        )
        .with_primary(expr.span, label)
        .with_detail(detail)
    };
    match types::convert(v, constraint) {
        Ok(v) if v.is_null() && !decl.nullable => {
            diags.push(invalid(
                "null".to_owned(),
                "A null default value is not valid when nullable=false.".to_owned(),
            ));
            None
        }
        Ok(v) => Some(v),
        Err(message) => {
            diags.push(invalid(
                format!("not a valid {constraint}"),
                format!("This default value is not compatible with the variable's type constraint: {message}."),
            ));
            None
        }
    }
}

pub(super) fn resolve_one(
    decl: &VariableDecl<'_>,
    given: Option<Value>,
    default: Option<Value>,
    validate_only: bool,
    diags: &mut Diagnostics,
) -> Value {
    match given {
        Some(v) if !v.is_null() => return v,
        Some(v) if decl.nullable => return v,
        _ => {}
    }
    if let Some(d) = default {
        return d;
    }
    if decl.default.is_some() {
        // The default itself was invalid (already reported).
        return Value::Unknown;
    }
    if validate_only {
        return Value::Unknown;
    }
    diags.push(
        Diagnostic::error("scw::model::missing_variable", "No value for required variable")
            .with_primary(header_span(decl.block), "no value given")
            .with_detail(format!("The root module input variable \"{}\" is not set, and has no default value. Use a --var or --var-file command line argument, a TF_VAR_{} environment variable or a terraform.tfvars file to provide a value for this variable.", decl.name, decl.name)),
    );
    Value::Unknown
}
