//! Built-in functions: the registry, argument checking, and the unknown/sensitive rules shared
//! by every function.
//!
//! Each function is a [`FunctionDef`]: named parameters with a type, optional and variadic
//! parameters, and two policies that keep Terraform's semantics in one place instead of in
//! every implementation:
//!
//! - [`Unknowns`]: `Whole` (default) makes the result unknown when any argument contains an
//!   unknown anywhere; `TopLevel` only when an argument itself is unknown (the function copes
//!   with unknown elements, e.g. `length([unknown])` is 1); `Handles` gives the function every
//!   value as is.
//! - [`Marks`]: `Deep` (default) strips every sensitive mark before the call and marks the
//!   result if any argument contained one; `PassThrough` strips only top-level marks, so marks
//!   on elements that the function moves around unchanged (`concat`, `element`, `merge`) stay
//!   on those elements; `Raw` leaves marks alone (`sensitive`, `nonsensitive`, conversions).
//!
//! Argument errors name the function and the parameter and are labelled on the argument.
//!
//! `try` and `can` are not here: they need their arguments unevaluated, so the evaluator
//! handles them. The only I/O is reading: the working directory (`abspath`), `$HOME` (`~`) and
//! files (`files`); `timestamp()` and `uuid()` are unknown until apply.
//!
//! Depends on `diag`, `model::value` and `model::types`.

// Every implementation has the registry's uniform signature `fn(Vec<Value>) -> FnResult`,
// whether or not it consumes its arguments or can fail.
#![allow(clippy::needless_pass_by_value, clippy::unnecessary_wraps)]

mod collections;
mod conversion;
mod csv;
mod datefmt;
mod encoding;
mod files;
mod format;
mod hash;
mod inspect;
mod ipnet;
mod numbers;
mod paths;
mod provider;
mod sets;
mod strings;
mod textenc;
mod time;
mod yaml;

use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::model::expr::codes;
use crate::model::types::{self, Type};
use crate::model::value::Value;

/// An evaluated argument and the span of the expression it came from.
#[derive(Debug, Clone)]
pub(crate) struct Arg {
    /// The value.
    pub(crate) value: Value,
    /// The argument expression (for an expanded `list...`, the list expression).
    pub(crate) span: Span,
}

/// What a parameter accepts. Primitive types convert as Terraform does (`upper(1)` is `"1"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamType {
    /// Anything.
    Any,
    /// A string (numbers and bools convert).
    String,
    /// A number (numeric strings convert).
    Number,
    /// A bool (`"true"` and `"false"` convert).
    Bool,
    /// A list, tuple or set.
    List,
    /// A map or object.
    Object,
}

/// A named parameter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Param {
    name: &'static str,
    ty: ParamType,
    nullable: bool,
}

/// A parameter that must not be null.
const fn p(name: &'static str, ty: ParamType) -> Param {
    Param {
        name,
        ty,
        nullable: false,
    }
}

/// A parameter that may be null.
const fn nullable(name: &'static str, ty: ParamType) -> Param {
    Param {
        name,
        ty,
        nullable: true,
    }
}

/// How a function treats unknown arguments (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unknowns {
    Whole,
    TopLevel,
    Handles,
}

/// How a function treats sensitive arguments (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marks {
    Deep,
    PassThrough,
    Raw,
}

/// Why a function call failed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FnError {
    /// The argument at this index (0-based, after `...` expansion) is unsuitable.
    Arg(usize, String),
    /// The call as a whole has a wrong number of arguments.
    Arity(String),
    /// The call failed for a reason not tied to one argument.
    Call(String),
}

type FnResult = Result<Value, FnError>;

/// One built-in function.
pub(crate) struct FunctionDef {
    name: &'static str,
    params: &'static [Param],
    optional: &'static [Param],
    variadic: Option<Param>,
    unknowns: Unknowns,
    marks: Marks,
    imp: fn(Vec<Value>) -> FnResult,
}

impl FunctionDef {
    const fn new(
        name: &'static str,
        params: &'static [Param],
        imp: fn(Vec<Value>) -> FnResult,
    ) -> Self {
        Self {
            name,
            params,
            optional: &[],
            variadic: None,
            unknowns: Unknowns::Whole,
            marks: Marks::Deep,
            imp,
        }
    }

    const fn optional(mut self, optional: &'static [Param]) -> Self {
        self.optional = optional;
        self
    }

    const fn variadic(mut self, param: Param) -> Self {
        self.variadic = Some(param);
        self
    }

    /// Copes with unknown elements; only a wholly unknown argument makes the result unknown.
    const fn top_level_unknowns(mut self) -> Self {
        self.unknowns = Unknowns::TopLevel;
        self
    }

    /// Moves elements around unchanged: element marks stay on the elements.
    const fn pass_marks(mut self) -> Self {
        self.marks = Marks::PassThrough;
        self
    }

    /// Sees arguments exactly as given, marks and unknowns included.
    const fn raw(mut self) -> Self {
        self.marks = Marks::Raw;
        self.unknowns = Unknowns::Handles;
        self
    }

    fn param(&self, index: usize) -> Option<&Param> {
        self.params
            .get(index)
            .or_else(|| self.optional.get(index - self.params.len()))
            .or(self.variadic.as_ref())
    }
}

use ParamType::{Any, Bool, List, Number, Object, String as Str};

/// Every built-in function, sorted by name.
static FUNCTIONS: &[FunctionDef] = &[
    FunctionDef::new("abs", &[p("num", Number)], numbers::abs),
    FunctionDef::new("abspath", &[p("path", Str)], paths::abspath),
    FunctionDef::new("alltrue", &[p("list", List)], collections::alltrue).top_level_unknowns(),
    FunctionDef::new("anytrue", &[p("list", List)], collections::anytrue).top_level_unknowns(),
    FunctionDef::new("base64decode", &[p("str", Str)], encoding::base64decode),
    FunctionDef::new("base64encode", &[p("str", Str)], encoding::base64encode),
    FunctionDef::new("base64sha256", &[p("str", Str)], hash::base64sha256),
    FunctionDef::new("base64sha512", &[p("str", Str)], hash::base64sha512),
    FunctionDef::new("basename", &[p("path", Str)], paths::basename),
    FunctionDef::new("ceil", &[p("num", Number)], numbers::ceil),
    FunctionDef::new("chomp", &[p("str", Str)], strings::chomp),
    FunctionDef::new(
        "chunklist",
        &[p("list", List), p("size", Number)],
        sets::chunklist,
    )
    .pass_marks(),
    FunctionDef::new(
        "cidrhost",
        &[p("prefix", Str), p("hostnum", Number)],
        ipnet::cidrhost,
    ),
    FunctionDef::new("cidrnetmask", &[p("prefix", Str)], ipnet::cidrnetmask),
    FunctionDef::new(
        "cidrsubnet",
        &[p("prefix", Str), p("newbits", Number), p("netnum", Number)],
        ipnet::cidrsubnet,
    ),
    FunctionDef::new("cidrsubnets", &[p("prefix", Str)], ipnet::cidrsubnets)
        .variadic(p("newbits", Number)),
    FunctionDef::new("coalesce", &[], collections::coalesce)
        .variadic(nullable("vals", Any))
        .raw(),
    FunctionDef::new("coalescelist", &[], collections::coalescelist)
        .variadic(p("vals", List))
        .top_level_unknowns()
        .pass_marks(),
    FunctionDef::new("compact", &[p("list", List)], collections::compact),
    FunctionDef::new("concat", &[], collections::concat)
        .variadic(p("seqs", List))
        .top_level_unknowns()
        .pass_marks(),
    FunctionDef::new(
        "contains",
        &[p("list", List), nullable("value", Any)],
        collections::contains,
    )
    .top_level_unknowns(),
    FunctionDef::new("csvdecode", &[p("str", Str)], csv::csvdecode),
    FunctionDef::new("dirname", &[p("path", Str)], paths::dirname),
    FunctionDef::new("distinct", &[p("list", List)], collections::distinct),
    FunctionDef::new(
        "element",
        &[p("list", List), p("index", Number)],
        collections::element,
    )
    .top_level_unknowns()
    .pass_marks(),
    FunctionDef::new(
        "endswith",
        &[p("str", Str), p("suffix", Str)],
        strings::endswith,
    ),
    FunctionDef::new(
        "ephemeralasnull",
        &[nullable("value", Any)],
        inspect::ephemeralasnull,
    )
    .raw(),
    FunctionDef::new("file", &[p("path", Str)], files::file),
    FunctionDef::new("filebase64", &[p("path", Str)], files::filebase64),
    FunctionDef::new(
        "filebase64sha256",
        &[p("path", Str)],
        files::filebase64sha256,
    ),
    FunctionDef::new(
        "filebase64sha512",
        &[p("path", Str)],
        files::filebase64sha512,
    ),
    FunctionDef::new("fileexists", &[p("path", Str)], files::fileexists),
    FunctionDef::new("filemd5", &[p("path", Str)], files::filemd5),
    FunctionDef::new(
        "fileset",
        &[p("path", Str), p("pattern", Str)],
        files::fileset,
    ),
    FunctionDef::new("filesha1", &[p("path", Str)], files::filesha1),
    FunctionDef::new("filesha256", &[p("path", Str)], files::filesha256),
    FunctionDef::new("filesha512", &[p("path", Str)], files::filesha512),
    FunctionDef::new("flatten", &[p("list", List)], collections::flatten)
        .top_level_unknowns()
        .pass_marks(),
    FunctionDef::new("floor", &[p("num", Number)], numbers::floor),
    FunctionDef::new("format", &[p("format", Str)], format::format).variadic(nullable("args", Any)),
    FunctionDef::new(
        "formatdate",
        &[p("format", Str), p("time", Str)],
        time::formatdate,
    ),
    FunctionDef::new("formatlist", &[p("format", Str)], format::formatlist)
        .variadic(nullable("args", Any)),
    FunctionDef::new(
        "indent",
        &[p("spaces", Number), p("str", Str)],
        strings::indent,
    ),
    FunctionDef::new(
        "index",
        &[p("list", List), nullable("value", Any)],
        sets::index,
    ),
    FunctionDef::new(
        "issensitive",
        &[nullable("value", Any)],
        inspect::issensitive,
    )
    .raw(),
    FunctionDef::new("join", &[p("separator", Str)], strings::join).variadic(p("lists", List)),
    FunctionDef::new("jsondecode", &[p("str", Str)], encoding::jsondecode),
    FunctionDef::new("jsonencode", &[nullable("val", Any)], encoding::jsonencode),
    FunctionDef::new("keys", &[p("inputMap", Object)], collections::keys)
        .top_level_unknowns()
        .pass_marks(),
    FunctionDef::new("length", &[p("value", Any)], collections::length)
        .top_level_unknowns()
        .pass_marks(),
    FunctionDef::new("log", &[p("num", Number), p("base", Number)], numbers::log),
    FunctionDef::new(
        "lookup",
        &[p("inputMap", Object), p("key", Str)],
        collections::lookup,
    )
    .optional(&[nullable("default", Any)])
    .top_level_unknowns()
    .pass_marks(),
    FunctionDef::new("lower", &[p("str", Str)], strings::lower),
    FunctionDef::new(
        "matchkeys",
        &[p("values", List), p("keys", List), p("searchset", List)],
        sets::matchkeys,
    ),
    FunctionDef::new("max", &[], numbers::max).variadic(p("numbers", Number)),
    FunctionDef::new("md5", &[p("str", Str)], encoding::md5),
    FunctionDef::new("merge", &[], collections::merge)
        .variadic(nullable("maps", Object))
        .top_level_unknowns()
        .pass_marks(),
    FunctionDef::new("min", &[], numbers::min).variadic(p("numbers", Number)),
    FunctionDef::new(
        "nonsensitive",
        &[nullable("value", Any)],
        conversion::nonsensitive,
    )
    .raw(),
    FunctionDef::new("one", &[nullable("list", List)], collections::one)
        .top_level_unknowns()
        .pass_marks(),
    FunctionDef::new(
        "parseint",
        &[p("number", Str), p("base", Number)],
        numbers::parseint,
    ),
    FunctionDef::new("pathexpand", &[p("path", Str)], paths::pathexpand),
    FunctionDef::new(
        "pow",
        &[p("base", Number), p("exponent", Number)],
        numbers::pow,
    ),
    FunctionDef::new(
        "provider::scaleway::id_from_regional_id",
        &[
            p("regional_id", Str),
            nullable("skip_region_validation", Bool),
        ],
        provider::id_from_regional_id,
    ),
    FunctionDef::new(
        "provider::scaleway::region_from_id",
        &[p("id", Str), nullable("skip_region_validation", Bool)],
        provider::region_from_id,
    ),
    FunctionDef::new("range", &[], collections::range).variadic(p("params", Number)),
    FunctionDef::new(
        "regex",
        &[p("pattern", Str), p("string", Str)],
        strings::regex,
    ),
    FunctionDef::new(
        "regexall",
        &[p("pattern", Str), p("string", Str)],
        strings::regexall,
    ),
    FunctionDef::new(
        "replace",
        &[p("str", Str), p("substr", Str), p("replace", Str)],
        strings::replace,
    ),
    FunctionDef::new("reverse", &[p("list", List)], collections::reverse)
        .top_level_unknowns()
        .pass_marks(),
    FunctionDef::new(
        "sensitive",
        &[nullable("value", Any)],
        conversion::sensitive,
    )
    .raw(),
    FunctionDef::new(
        "setintersection",
        &[p("first_set", List)],
        sets::setintersection,
    )
    .variadic(p("other_sets", List)),
    FunctionDef::new("setproduct", &[], sets::setproduct).variadic(p("sets", List)),
    FunctionDef::new(
        "setsubtract",
        &[p("a", List), p("b", List)],
        sets::setsubtract,
    ),
    FunctionDef::new("setunion", &[], collections::setunion).variadic(p("sets", List)),
    FunctionDef::new("sha1", &[p("str", Str)], hash::sha1),
    FunctionDef::new("sha256", &[p("str", Str)], encoding::sha256),
    FunctionDef::new("sha512", &[p("str", Str)], hash::sha512),
    FunctionDef::new("signum", &[p("num", Number)], numbers::signum),
    FunctionDef::new(
        "slice",
        &[
            p("list", List),
            p("start_index", Number),
            p("end_index", Number),
        ],
        collections::slice,
    )
    .top_level_unknowns()
    .pass_marks(),
    FunctionDef::new("sort", &[p("list", List)], collections::sort),
    FunctionDef::new(
        "split",
        &[p("separator", Str), p("str", Str)],
        strings::split,
    ),
    FunctionDef::new(
        "startswith",
        &[p("str", Str), p("prefix", Str)],
        strings::startswith,
    ),
    FunctionDef::new(
        "strcontains",
        &[p("str", Str), p("substr", Str)],
        strings::strcontains,
    ),
    FunctionDef::new("strrev", &[p("str", Str)], strings::strrev),
    FunctionDef::new(
        "substr",
        &[p("str", Str), p("offset", Number), p("length", Number)],
        strings::substr,
    ),
    FunctionDef::new("sum", &[p("list", List)], collections::sum),
    FunctionDef::new(
        "templatefile",
        &[p("path", Str), p("vars", Object)],
        rendered_by_the_evaluator,
    )
    .top_level_unknowns()
    .pass_marks(),
    FunctionDef::new(
        "templatestring",
        &[p("template", Str), p("vars", Object)],
        rendered_by_the_evaluator,
    )
    .top_level_unknowns()
    .pass_marks(),
    FunctionDef::new(
        "textdecodebase64",
        &[p("source", Str), p("encoding", Str)],
        textenc::textdecodebase64,
    ),
    FunctionDef::new(
        "textencodebase64",
        &[p("string", Str), p("encoding", Str)],
        textenc::textencodebase64,
    ),
    FunctionDef::new(
        "timeadd",
        &[p("timestamp", Str), p("duration", Str)],
        time::timeadd,
    ),
    FunctionDef::new(
        "timecmp",
        &[p("timestamp_a", Str), p("timestamp_b", Str)],
        time::timecmp,
    ),
    FunctionDef::new("timestamp", &[], time::timestamp),
    FunctionDef::new("title", &[p("str", Str)], strings::title),
    FunctionDef::new("tobool", &[nullable("v", Any)], conversion::tobool).raw(),
    FunctionDef::new("tolist", &[nullable("v", Any)], conversion::tolist).raw(),
    FunctionDef::new("tomap", &[nullable("v", Any)], conversion::tomap).raw(),
    FunctionDef::new("tonumber", &[nullable("v", Any)], conversion::tonumber).raw(),
    FunctionDef::new("toset", &[nullable("v", Any)], conversion::toset).raw(),
    FunctionDef::new("tostring", &[nullable("v", Any)], conversion::tostring).raw(),
    FunctionDef::new("transpose", &[p("values", Object)], sets::transpose),
    FunctionDef::new("trim", &[p("str", Str), p("cutset", Str)], strings::trim),
    FunctionDef::new(
        "trimprefix",
        &[p("str", Str), p("prefix", Str)],
        strings::trimprefix,
    ),
    FunctionDef::new("trimspace", &[p("str", Str)], strings::trimspace),
    FunctionDef::new(
        "trimsuffix",
        &[p("str", Str), p("suffix", Str)],
        strings::trimsuffix,
    ),
    FunctionDef::new("upper", &[p("str", Str)], strings::upper),
    FunctionDef::new("urlencode", &[p("str", Str)], encoding::urlencode),
    FunctionDef::new("uuid", &[], time::uuid),
    FunctionDef::new(
        "uuidv5",
        &[p("namespace", Str), p("name", Str)],
        hash::uuidv5,
    ),
    FunctionDef::new("values", &[p("mapping", Object)], collections::values)
        .top_level_unknowns()
        .pass_marks(),
    FunctionDef::new("yamldecode", &[p("src", Str)], yaml::yamldecode),
    FunctionDef::new("yamlencode", &[nullable("value", Any)], yaml::yamlencode),
    FunctionDef::new(
        "zipmap",
        &[p("keys", List), p("values", List)],
        collections::zipmap,
    )
    .top_level_unknowns()
    .pass_marks(),
];

/// The function named `name`, if it is built in (`try` and `can` excepted: see the module
/// docs).
pub(crate) fn lookup(name: &str) -> Option<&'static FunctionDef> {
    FUNCTIONS
        .binary_search_by(|f| f.name.cmp(name))
        .ok()
        .map(|i| &FUNCTIONS[i])
}

/// Every function name, including `try` and `can` (for did-you-mean and docs).
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.iter().map(|f| f.name).chain(["can", "try"])
}

/// `templatefile` and `templatestring` render a template, which needs the evaluator: it calls
/// [`prepare`] for the registry's checks and renders itself; this is never reached.
fn rendered_by_the_evaluator(_args: Vec<Value>) -> FnResult {
    Err(FnError::Call(
        "this function is evaluated by the evaluator".into(),
    ))
}

/// The arguments of a call after the registry's checks and unknown/mark policies.
pub(crate) enum Prepared {
    /// The function must run on these values; its result is marked sensitive if `marked`.
    Run(Vec<Value>, bool),
    /// The result is already decided (an unknown argument made it unknown).
    Done(Value),
}

/// The argument spans of a call, for [`report`].
pub(crate) struct CallSpans {
    args: Vec<Span>,
    call: Span,
}

/// Checks arity and parameter types and applies the unknown and mark policies of `def`.
pub(crate) fn prepare(
    def: &FunctionDef,
    args: Vec<Arg>,
    span: Span,
) -> Result<(Prepared, CallSpans), Diagnostics> {
    check_arity(def, args.len(), &args, span)?;
    let spans: Vec<Span> = args.iter().map(|a| a.span).collect();
    let mut diags = Diagnostics::new();
    let mut values = Vec::with_capacity(args.len());
    for (i, arg) in args.into_iter().enumerate() {
        // Invariant: check_arity guarantees a parameter for every argument index.
        let param = def
            .param(i)
            .expect("arity checked: a parameter exists for each argument");
        match check_param(param, arg.value) {
            Ok(v) => values.push(v),
            Err(message) => diags.push(invalid_argument(def, param, arg.span, &message)),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }

    let any_sensitive = values.iter().any(Value::contains_sensitive);
    let unknown = match def.unknowns {
        Unknowns::Whole => values.iter().any(Value::contains_unknown),
        Unknowns::TopLevel => values.iter().any(Value::is_unknown),
        Unknowns::Handles => false,
    };
    let spans = CallSpans {
        args: spans,
        call: span,
    };
    if unknown {
        return Ok((
            Prepared::Done(Value::Unknown.marked_if(any_sensitive)),
            spans,
        ));
    }
    let (values, marked) = match def.marks {
        Marks::Deep => (
            values
                .into_iter()
                .map(|v| v.into_deep_unmarked().0)
                .collect(),
            any_sensitive,
        ),
        Marks::PassThrough => {
            let mut marked = false;
            let values = values
                .into_iter()
                .map(|v| {
                    let (v, m) = v.into_unmarked();
                    marked |= m;
                    v
                })
                .collect();
            (values, marked)
        }
        Marks::Raw => (values, false),
    };
    Ok((Prepared::Run(values, marked), spans))
}

/// Calls `def` with evaluated arguments. `span` is the whole call.
pub(crate) fn call(def: &FunctionDef, args: Vec<Arg>, span: Span) -> Result<Value, Diagnostics> {
    match prepare(def, args, span)? {
        (Prepared::Done(v), _) => Ok(v),
        (Prepared::Run(values, marked), spans) => match (def.imp)(values) {
            Ok(v) => Ok(v.marked_if(marked)),
            Err(e) => Err(report(def, e, &spans)),
        },
    }
}

/// The diagnostic of a failed call, in Terraform's words, on the argument it is about.
pub(crate) fn report(def: &FunctionDef, error: FnError, spans: &CallSpans) -> Diagnostics {
    let span = spans.call;
    match error {
        FnError::Arg(i, message) => {
            let param = def.param(i).copied().unwrap_or(p("?", Any));
            let arg_span = spans.args.get(i).copied().unwrap_or(span);
            invalid_argument(def, &param, arg_span, &message).into()
        }
        FnError::Arity(message) => {
            Diagnostic::error(codes::WRONG_ARITY, "Wrong number of function arguments")
                .with_primary(span, message.clone())
                .with_detail(format!("Function \"{}\": {message}.", def.name))
                .into()
        }
        FnError::Call(message) => {
            Diagnostic::error(codes::FUNCTION_FAILED, "Error in function call")
                .with_primary(span, message.clone())
                .with_detail(format!(
                    "Call to function \"{}\" failed: {message}.",
                    def.name
                ))
                .into()
        }
    }
}

/// The text of a template file for `templatefile`, with `file`'s errors (argument 0).
pub(crate) fn read_template_file(path: &str) -> Result<String, FnError> {
    match files::file(vec![Value::String(path.to_owned())])? {
        Value::String(s) => Ok(s),
        _ => Err(FnError::Call("the file is not text".into())),
    }
}

fn check_arity(def: &FunctionDef, n: usize, args: &[Arg], span: Span) -> Result<(), Diagnostics> {
    let min = def.params.len();
    let max = min + def.optional.len();
    if n < min {
        let missing = def.params[n].name;
        return Err(
            Diagnostic::error(codes::WRONG_ARITY, "Not enough function arguments")
                .with_primary(span, format!("missing \"{missing}\""))
                .with_detail(format!(
                    "Function \"{}\" expects {}{min} argument{}. Missing value for \"{missing}\".",
                    def.name,
                    if max > min || def.variadic.is_some() {
                        "at least "
                    } else {
                        ""
                    },
                    if min == 1 { "" } else { "s" }
                ))
                .into(),
        );
    }
    if n > max && def.variadic.is_none() {
        return Err(
            Diagnostic::error(codes::WRONG_ARITY, "Too many function arguments")
                .with_primary(args[max].span, "unexpected argument")
                .with_detail(format!(
                    "Function \"{}\" expects {}{max} argument{}.",
                    def.name,
                    if max == 0 {
                        "no arguments, got "
                    } else {
                        "only "
                    },
                    if max == 1 { "" } else { "s" }
                ))
                .into(),
        );
    }
    Ok(())
}

fn invalid_argument(def: &FunctionDef, param: &Param, span: Span, message: &str) -> Diagnostic {
    Diagnostic::error(codes::INVALID_ARGUMENT, "Invalid function argument")
        .with_primary(span, message.to_owned())
        .with_detail(format!(
            "Invalid value for \"{}\" parameter of function \"{}\": {message}.",
            param.name, def.name
        ))
}

/// Checks (and for primitives converts) one argument against its parameter, looking through
/// marks (which are kept) and letting unknowns through.
fn check_param(param: &Param, value: Value) -> Result<Value, String> {
    let (inner, marked) = value.into_unmarked();
    let checked = match inner {
        Value::Unknown => Value::Unknown,
        v @ (Value::Null | Value::TypedNull(_)) if param.nullable => v,
        Value::Null | Value::TypedNull(_) => return Err("the argument must not be null".into()),
        v => match param.ty {
            ParamType::Any => v,
            ParamType::String => convert_primitive(v, &Type::String, "string")?,
            ParamType::Number => convert_primitive(v, &Type::Number, "number")?,
            ParamType::Bool => convert_primitive(v, &Type::Bool, "bool")?,
            ParamType::List => match v {
                _ if v.is_sequence() => v,
                other => return Err(format!("a list is required, got {}", other.kind_name())),
            },
            ParamType::Object => match v {
                _ if v.as_object().is_some() => v,
                other => {
                    return Err(format!(
                        "a map or object is required, got {}",
                        other.kind_name()
                    ));
                }
            },
        },
    };
    Ok(checked.marked_if(marked))
}

fn convert_primitive(v: Value, ty: &Type, name: &str) -> Result<Value, String> {
    let kind = v.kind_name();
    match v {
        v if v.is_structural() => Err(format!("a {name} is required, got {kind}")),
        v => types::convert(v, ty),
    }
}

// Helpers for implementations: arguments have been checked, so these only fail on a broken
// invariant, and then with an error rather than a panic.

fn arg_str(args: &[Value], i: usize) -> Result<&str, FnError> {
    args.get(i)
        .and_then(Value::as_str)
        .ok_or_else(|| FnError::Arg(i, "a string is required".into()))
}

fn arg_num(args: &[Value], i: usize) -> Result<crate::number::Number, FnError> {
    args.get(i)
        .and_then(Value::as_number)
        .cloned()
        .ok_or_else(|| FnError::Arg(i, "a number is required".into()))
}

/// A number argument that must be a whole number fitting an i64.
fn arg_int(args: &[Value], i: usize) -> Result<i64, FnError> {
    let n = arg_num(args, i)?;
    to_int(&n).ok_or_else(|| {
        FnError::Arg(
            i,
            format!(
                "a whole number is required, got {}",
                crate::model::value::format_number(&n)
            ),
        )
    })
}

/// `n` as an i64 if it is a whole number in range.
fn to_int(n: &crate::number::Number) -> Option<i64> {
    n.to_i64()
}

/// An integer as a number value (64-bit precision, as cty's `NumberIntVal`).
fn num(i: impl TryInto<i64>) -> Value {
    Value::int(i.try_into().unwrap_or(i64::MAX))
}

/// A `list(string)` of the given strings.
fn string_list(items: impl IntoIterator<Item = String>) -> Value {
    Value::list(Type::String, items.into_iter().map(Value::String).collect())
}

/// A list of the elements, of the type they unify to (`list(string)` for `[1, "a"]`).
fn unified_list(items: Vec<Value>) -> FnResult {
    types::convert(Value::List(items), &Type::list(Type::Any))
        .map_err(|e| FnError::Call(format!("cannot make a list: {e}")))
}

/// The elements as a sequence of the same kind as `like` (a list stays a list of the same
/// element type, a set becomes a list, a tuple stays a tuple).
fn same_kind(like: &Value, items: Vec<Value>) -> Value {
    match like.as_collection() {
        Some(c) => Value::list(c.element_type().clone(), items),
        None => Value::List(items),
    }
}

fn arg_list(args: &[Value], i: usize) -> Result<&[Value], FnError> {
    args.get(i)
        .and_then(Value::as_list)
        .ok_or_else(|| FnError::Arg(i, "a list is required".into()))
}

fn take_list(args: &mut [Value], i: usize) -> Result<Vec<Value>, FnError> {
    match args
        .get_mut(i)
        .map(std::mem::take)
        .map(Value::into_sequence)
    {
        Some(Ok((items, _))) => Ok(items),
        _ => Err(FnError::Arg(i, "a list is required".into())),
    }
}

fn take_object(
    args: &mut [Value],
    i: usize,
) -> Result<std::collections::BTreeMap<String, Value>, FnError> {
    match args.get_mut(i).map(std::mem::take).map(Value::into_entries) {
        Some(Ok((map, _))) => Ok(map),
        _ => Err(FnError::Arg(i, "a map or object is required".into())),
    }
}

#[cfg(test)]
mod tests;
