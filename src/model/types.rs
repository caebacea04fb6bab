//! Type constraints (`string`, `list(string)`, `object({a = optional(number, 1)})`...) and the
//! conversions between values that Terraform performs when a value meets a constraint.
//!
//! A [`Type`] is parsed from a type expression ([`parse_type`], as written in a `variable`
//! block's `type` argument) and applied with [`convert`]. Values carry no static type (a
//! [`Value::List`] is a tuple, list or set; a [`Value::Object`] an object or map), so
//! conversion is about contents: primitives convert between each other where Terraform allows
//! (`1` ↔ `"1"`, `"true"` ↔ `true`), tuples become lists, optional attributes get their
//! defaults, sets lose duplicates and take a canonical order.
//!
//! Invariants: unknown converts to unknown and null to null for every type; sensitive marks
//! are kept (a marked input gives a marked output, deep marks stay in place).
//!
//! Depends on `parse::ast`, `diag`, `model::value` and, for `optional` defaults,
//! `model::expr`.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use crate::diag::{Diagnostic, Diagnostics, Span, suggest};
use crate::model::expr::{self, EvalContext, codes, values_equal};
use crate::model::value::{Value, format_number};
use crate::parse::ast::{Expr, ExprKind, ObjectKey};

/// A type constraint.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// `any`: no constraint (inside a collection: the elements' common type).
    Any,
    /// `string`
    String,
    /// `number`
    Number,
    /// `bool`
    Bool,
    /// `list(T)`
    List(Box<Self>),
    /// `set(T)`
    Set(Box<Self>),
    /// `map(T)`
    Map(Box<Self>),
    /// `tuple([T1, T2...])`
    Tuple(Vec<Self>),
    /// `object({name = T, other = optional(T, default)})`
    Object(BTreeMap<String, ObjectAttr>),
}

/// One attribute of an object type.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectAttr {
    /// The attribute's type.
    pub ty: Type,
    /// Declared with `optional(...)`: may be absent (or null) in the value.
    pub optional: bool,
    /// The second argument of `optional(T, default)`, already converted to `T`.
    pub default: Option<Value>,
}

impl ObjectAttr {
    /// A required attribute of type `ty`.
    #[must_use]
    pub fn required(ty: Type) -> Self {
        Self {
            ty,
            optional: false,
            default: None,
        }
    }

    /// An optional attribute of type `ty`, null when absent unless `default` is given.
    #[must_use]
    pub fn optional(ty: Type, default: Option<Value>) -> Self {
        Self {
            ty,
            optional: true,
            default,
        }
    }
}

impl Type {
    /// `list(ty)`.
    #[must_use]
    pub fn list(ty: Self) -> Self {
        Self::List(Box::new(ty))
    }

    /// `set(ty)`.
    #[must_use]
    pub fn set(ty: Self) -> Self {
        Self::Set(Box::new(ty))
    }

    /// `map(ty)`.
    #[must_use]
    pub fn map(ty: Self) -> Self {
        Self::Map(Box::new(ty))
    }

    /// Whether this is `string`, `number` or `bool`.
    #[must_use]
    pub fn is_primitive(&self) -> bool {
        matches!(self, Self::String | Self::Number | Self::Bool)
    }

    /// The type of `value` (Terraform's: an untyped null or an unknown is `dynamic`, written
    /// [`Type::Any`]; a tuple or object literal has a tuple or object type; a collection its
    /// declared type).
    #[must_use]
    pub fn of(value: &Value) -> Self {
        use crate::model::expr::{STACK_RED_ZONE, STACK_SEGMENT};
        stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || Self::of_guarded(value))
    }

    fn of_guarded(value: &Value) -> Self {
        match value.unmark().0 {
            Value::Null | Value::Unknown | Value::Sensitive(_) => Self::Any,
            Value::TypedNull(t) => (**t).clone(),
            Value::Bool(_) => Self::Bool,
            Value::Number(_) => Self::Number,
            Value::String(_) => Self::String,
            Value::List(items) => Self::Tuple(items.iter().map(Self::of).collect()),
            Value::Object(map) => Self::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), ObjectAttr::required(Self::of(v))))
                    .collect(),
            ),
            Value::Collection(c) => c.ty(),
        }
    }

    /// Whether `dynamic` (`any`) appears anywhere in the type.
    #[must_use]
    pub fn has_dynamic(&self) -> bool {
        match self {
            Self::Any => true,
            Self::String | Self::Number | Self::Bool => false,
            Self::List(e) | Self::Set(e) | Self::Map(e) => e.has_dynamic(),
            Self::Tuple(ts) => ts.iter().any(Self::has_dynamic),
            Self::Object(attrs) => attrs.values().any(|a| a.ty.has_dynamic()),
        }
    }

    /// Terraform's JSON form of the type, as `output -json` and the JSON plan print it:
    /// `"string"`, `["list","number"]`, `["object",{"a":"bool"}]`, `"dynamic"`.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        use crate::model::expr::{STACK_RED_ZONE, STACK_SEGMENT};
        stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || self.to_json_guarded())
    }

    fn to_json_guarded(&self) -> serde_json::Value {
        use serde_json::Value as J;
        // Built directly (not with `json!`, which re-serialises each nested part: quadratic
        // and deeply recursive for deeply nested types).
        let pair = |kind: &str, inner: J| J::Array(vec![J::String(kind.to_owned()), inner]);
        match self {
            Self::Any => J::String("dynamic".to_owned()),
            Self::String => J::String("string".to_owned()),
            Self::Number => J::String("number".to_owned()),
            Self::Bool => J::String("bool".to_owned()),
            Self::List(e) => pair("list", e.to_json()),
            Self::Set(e) => pair("set", e.to_json()),
            Self::Map(e) => pair("map", e.to_json()),
            Self::Tuple(ts) => pair("tuple", J::Array(ts.iter().map(Self::to_json).collect())),
            Self::Object(attrs) => pair(
                "object",
                J::Object(
                    attrs
                        .iter()
                        .map(|(k, a)| (k.clone(), a.ty.to_json()))
                        .collect(),
                ),
            ),
        }
    }
}

impl fmt::Display for Type {
    /// The type as it is written in configuration, e.g. `map(list(string))`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("any"),
            Self::String => f.write_str("string"),
            Self::Number => f.write_str("number"),
            Self::Bool => f.write_str("bool"),
            Self::List(t) => write!(f, "list({t})"),
            Self::Set(t) => write!(f, "set({t})"),
            Self::Map(t) => write!(f, "map({t})"),
            Self::Tuple(ts) => {
                f.write_str("tuple([")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str("])")
            }
            Self::Object(attrs) => {
                f.write_str("object({")?;
                for (i, (name, attr)) in attrs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match (&attr.optional, &attr.default) {
                        (false, _) => write!(f, "{name} = {}", attr.ty)?,
                        (true, None) => write!(f, "{name} = optional({})", attr.ty)?,
                        (true, Some(d)) => write!(f, "{name} = optional({}, {d})", attr.ty)?,
                    }
                }
                f.write_str("})")
            }
        }
    }
}

const KEYWORDS: [&str; 4] = ["any", "string", "number", "bool"];
const CONSTRUCTORS: [&str; 5] = ["list", "set", "map", "tuple", "object"];

/// Parses a type expression (`string`, `list(string)`, `map(object({a = string, b =
/// optional(number, 1)}))`, `tuple([string, number])`, `any`).
///
/// # Errors
/// Every malformed part, as `scw::eval::invalid_type` diagnostics on the offending expression
/// (unknown keywords get a did-you-mean; Terraform 0.11's quoted types get a hint).
pub fn parse_type(expr: &Expr) -> Result<Type, Diagnostics> {
    let mut diags = Diagnostics::new();
    let ty = type_expr(expr, &mut diags, false);
    match ty {
        Some(t) if !diags.has_errors() => Ok(t),
        _ => Err(diags),
    }
}

fn invalid(span: Span, label: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
    Diagnostic::error(codes::INVALID_TYPE, "Invalid type specification")
        .with_primary(span, label)
        .with_detail(detail)
}

/// Parses one type; `in_object` allows `optional(...)` (as an attribute type) and returns it
/// through [`attr_type`] instead.
fn type_expr(expr: &Expr, diags: &mut Diagnostics, in_object: bool) -> Option<Type> {
    match &expr.kind {
        ExprKind::Variable(ident) => match ident.name.as_str() {
            "any" => Some(Type::Any),
            "string" => Some(Type::String),
            "number" => Some(Type::Number),
            "bool" => Some(Type::Bool),
            name @ ("list" | "set" | "map") => {
                diags.push(
                    invalid(expr.span, "element type missing", format!(
                        "The {name} type constructor requires one argument specifying the element type."
                    ))
                    .with_help(format!("Write {name}(string), or {name}(any) for any element type.")),
                );
                None
            }
            name => {
                let mut d = invalid(
                    expr.span,
                    "not a type",
                    format!(
                        "\"{name}\" is not a type keyword: expected one of any, string, number, bool, or a type constructor (list, set, map, tuple, object)."
                    ),
                );
                if let Some(help) =
                    suggest::did_you_mean(name, KEYWORDS.iter().chain(CONSTRUCTORS.iter()).copied())
                {
                    d = d.with_help(help);
                }
                diags.push(d);
                None
            }
        },
        ExprKind::Template(t) => {
            let d = invalid(
                expr.span,
                "quoted type",
                "Terraform 0.11 and earlier required type constraints in quotes; that form is no \
                 longer accepted.",
            );
            let d = match t.as_literal() {
                Some(lit) => d.with_help(format!("Remove the quotes around \"{lit}\".")),
                None => d,
            };
            diags.push(d);
            None
        }
        ExprKind::Call(call) => {
            let name = call.name.name.as_str();
            let one_arg = |diags: &mut Diagnostics| -> Option<&Expr> {
                if let [arg] = call.args.as_slice()
                    && !call.expand_final
                {
                    return Some(arg);
                }
                diags.push(invalid(
                    expr.span,
                    "exactly one argument is required",
                    format!("The {name} type constructor requires exactly one argument."),
                ));
                None
            };
            match name {
                "list" => Some(Type::list(type_expr(one_arg(diags)?, diags, false)?)),
                "set" => Some(Type::set(type_expr(one_arg(diags)?, diags, false)?)),
                "map" => Some(Type::map(type_expr(one_arg(diags)?, diags, false)?)),
                "tuple" => {
                    let arg = one_arg(diags)?;
                    let ExprKind::Tuple(items) = &arg.kind else {
                        diags.push(invalid(
                            arg.span,
                            "a list of types is required",
                            "The tuple type constructor requires a list of element types, e.g. tuple([string, number]).",
                        ));
                        return None;
                    };
                    let mut out = Vec::with_capacity(items.len());
                    let mut ok = true;
                    for item in items {
                        match type_expr(item, diags, false) {
                            Some(t) => out.push(t),
                            None => ok = false,
                        }
                    }
                    ok.then_some(Type::Tuple(out))
                }
                "object" => {
                    let arg = one_arg(diags)?;
                    let ExprKind::Object(items) = &arg.kind else {
                        diags.push(invalid(
                            arg.span,
                            "an object of attribute types is required",
                            "The object type constructor requires an object of attribute types, e.g. object({name = string}).",
                        ));
                        return None;
                    };
                    let mut attrs = BTreeMap::new();
                    let mut ok = true;
                    for item in items {
                        let name = match &item.key {
                            ObjectKey::Ident(i) => Some(i.name.clone()),
                            ObjectKey::Expr(Expr {
                                kind: ExprKind::Template(t),
                                ..
                            }) => t.as_literal(),
                            ObjectKey::Expr(_) => None,
                        };
                        let Some(name) = name else {
                            diags.push(invalid(
                                item.key.span(),
                                "an attribute name is required",
                                "Object type attribute names must be plain names or literal strings.",
                            ));
                            ok = false;
                            continue;
                        };
                        if attrs.contains_key(&name) {
                            diags.push(invalid(
                                item.key.span(),
                                "duplicate attribute",
                                format!("The attribute \"{name}\" is declared more than once."),
                            ));
                            ok = false;
                            continue;
                        }
                        match attr_type(&item.value, diags) {
                            Some(a) => {
                                attrs.insert(name, a);
                            }
                            None => ok = false,
                        }
                    }
                    ok.then_some(Type::Object(attrs))
                }
                "optional" => {
                    let label = if in_object {
                        "optional(...) must be the whole attribute type"
                    } else {
                        "optional(...) is only allowed in object(...)"
                    };
                    diags.push(invalid(
                        expr.span,
                        label,
                        "optional(...) marks an attribute of an object type as optional; it \
                         cannot be used elsewhere.",
                    ));
                    None
                }
                other => {
                    let mut d = invalid(
                        call.name.span,
                        "not a type constructor",
                        format!(
                            "\"{other}\" is not a type constructor: expected list, set, map, tuple or object."
                        ),
                    );
                    if let Some(help) = suggest::did_you_mean(other, CONSTRUCTORS.iter().copied()) {
                        d = d.with_help(help);
                    }
                    diags.push(d);
                    None
                }
            }
        }
        _ => {
            diags.push(invalid(
                expr.span,
                "not a type",
                "A type constraint is a type keyword (string, number, bool, any) or a type \
                 constructor call such as list(string).",
            ));
            None
        }
    }
}

/// An object attribute's type: a type, or `optional(type)` / `optional(type, default)`.
fn attr_type(expr: &Expr, diags: &mut Diagnostics) -> Option<ObjectAttr> {
    let ExprKind::Call(call) = &expr.kind else {
        return type_expr(expr, diags, true).map(ObjectAttr::required);
    };
    if call.name.name != "optional" {
        return type_expr(expr, diags, true).map(ObjectAttr::required);
    }
    match call.args.as_slice() {
        [ty] => Some(ObjectAttr::optional(type_expr(ty, diags, false)?, None)),
        [ty, default] => {
            let ty = type_expr(ty, diags, false)?;
            // Defaults are constants: evaluated without any name in scope.
            let value = match expr::eval(default, &EvalContext::new()) {
                Ok(v) => v,
                Err(ds) => {
                    diags.extend(ds);
                    return None;
                }
            };
            match convert(value, &ty) {
                Ok(v) => Some(ObjectAttr::optional(ty, Some(v))),
                Err(message) => {
                    diags.push(invalid(
                        default.span,
                        format!("not a valid {ty}"),
                        format!("The default value does not match the attribute type: {message}."),
                    ));
                    None
                }
            }
        }
        _ => {
            diags.push(invalid(
                expr.span,
                "one or two arguments are required",
                "optional(...) takes the attribute type and, optionally, a default value.",
            ));
            None
        }
    }
}

/// Converts `value` to the type `ty`, as Terraform does for variables and arguments.
///
/// - primitives: number → string (`1.5` → `"1.5"`), bool → string, numeric string → number,
///   `"true"`/`"false"` → bool; nothing else converts;
/// - `list(T)` and `set(T)` accept any list/tuple/set whose elements convert to `T` (a set is
///   deduplicated and put in canonical order); `tuple([...])` needs the exact length;
/// - `map(T)` accepts any object/map whose values convert; `object({...})` keeps only the
///   declared attributes, fills absent or null optional ones with their default (or null) and
///   requires the others;
/// - `any` keeps the value, except that inside a collection the elements are converted to
///   their common type (`list(any)` of `[1, "a"]` is `["1", "a"]`).
///
/// Null and unknown convert to any type unchanged; sensitive marks are kept.
///
/// # Errors
/// A message saying where and why the value does not fit, e.g.
/// `attribute "port": a number is required, got string`.
pub fn convert(value: Value, ty: &Type) -> Result<Value, String> {
    use crate::model::expr::{STACK_RED_ZONE, STACK_SEGMENT};
    stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || convert_guarded(value, ty))
}

fn convert_guarded(value: Value, ty: &Type) -> Result<Value, String> {
    let (value, marked) = value.into_unmarked();
    match convert_unmarked(value, ty) {
        Ok(out) => Ok(out.marked_if(marked)),
        // A sensitive value never appears in a message, nor do its keys or elements.
        Err(_) if marked => Err(format!(
            "{} is required (the given value is sensitive, so it is not shown)",
            article(ty)
        )),
        Err(e) => Err(e),
    }
}

fn convert_unmarked(value: Value, ty: &Type) -> Result<Value, String> {
    let out = match (value, ty) {
        (v, Type::Any) => v,
        (Value::Unknown, _) => Value::Unknown,
        (Value::Null | Value::TypedNull(_), t) => Value::null_of(t),
        (Value::String(s), Type::String) => Value::String(s),
        (Value::Number(n), Type::String) => Value::String(format_number(&n)),
        (Value::Bool(b), Type::String) => Value::String(b.to_string()),
        (Value::Number(n), Type::Number) => Value::Number(n),
        // cty's words, which never quote the string (it may be a secret given as text).
        (Value::String(s), Type::Number) => match parse_number(&s) {
            Some(n) => Value::Number(n),
            None => return Err("a number is required".to_owned()),
        },
        (Value::Bool(b), Type::Bool) => Value::Bool(b),
        (Value::String(s), Type::Bool) => match s.as_str() {
            "true" | "1" => Value::Bool(true),
            "false" | "0" => Value::Bool(false),
            other => {
                let lower = other.to_lowercase();
                return Err(if lower == "true" || lower == "false" {
                    format!("a bool is required; to convert from string, use lowercase \"{lower}\"")
                } else {
                    "a bool is required".to_owned()
                });
            }
        },
        (v @ (Value::List(_) | Value::Collection(_)), Type::List(elem)) if v.is_sequence() => {
            let (items, _) = v.into_sequence().map_err(|v| mismatch(ty, &v))?;
            let (elem, items) = convert_elements(items, elem)?;
            Value::list(elem, items)
        }
        (v @ (Value::List(_) | Value::Collection(_)), Type::Set(elem)) if v.is_sequence() => {
            let (items, _) = v.into_sequence().map_err(|v| mismatch(ty, &v))?;
            let (elem, items) = convert_elements(items, elem)?;
            Value::set(elem, canonical_set(items))
        }
        (v @ (Value::List(_) | Value::Collection(_)), Type::Tuple(types)) if v.is_sequence() => {
            let (items, _) = v.into_sequence().map_err(|v| mismatch(ty, &v))?;
            if items.len() != types.len() {
                return Err(format!(
                    "a tuple of {} element{} is required, got {}",
                    types.len(),
                    plural(types.len()),
                    items.len()
                ));
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, (item, t)) in items.into_iter().zip(types).enumerate() {
                out.push(convert(item, t).map_err(|e| format!("element {i}: {e}"))?);
            }
            Value::List(out)
        }
        (v @ (Value::Object(_) | Value::Collection(_)), Type::Map(elem))
            if v.as_object().is_some() =>
        {
            let (map, _) = v.into_entries().map_err(|v| mismatch(ty, &v))?;
            let keys: Vec<String> = map.keys().cloned().collect();
            let (elem, values) = convert_elements(map.into_values().collect(), elem)
                .map_err(|e| rename_element_error(&e, &keys))?;
            Value::map(elem, keys.into_iter().zip(values).collect())
        }
        (v @ (Value::Object(_) | Value::Collection(_)), Type::Object(attrs))
            if v.as_object().is_some() =>
        {
            let (mut map, _) = v.into_entries().map_err(|v| mismatch(ty, &v))?;
            let mut out = BTreeMap::new();
            for (name, attr) in attrs {
                let v = match map.remove(name) {
                    // A required attribute may be null; an optional one that is null gets
                    // its default, as if it were absent.
                    Some(v) if !(attr.optional && v.is_null()) => {
                        convert(v, &attr.ty).map_err(|e| format!("attribute \"{name}\": {e}"))?
                    }
                    _ if attr.optional => attr
                        .default
                        .clone()
                        .unwrap_or_else(|| Value::null_of(&attr.ty)),
                    _ => return Err(format!("attribute \"{name}\" is required")),
                };
                out.insert(name.clone(), v);
            }
            Value::Object(out)
        }
        (v, t) => return Err(mismatch(t, &v)),
    };
    Ok(out)
}

fn mismatch(t: &Type, v: &Value) -> String {
    format!("{} is required, got {}", article(t), v.kind_name())
}

/// `element 2: …` of a map's values becomes `element "key": …`.
fn rename_element_error(e: &str, keys: &[String]) -> String {
    if let Some(rest) = e.strip_prefix("element ")
        && let Some((index, tail)) = rest.split_once(':')
        && let Ok(i) = index.parse::<usize>()
        && let Some(k) = keys.get(i)
    {
        return format!("element \"{k}\":{tail}");
    }
    e.to_owned()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// "a string", "a list of string", "an object"... for messages.
fn article(t: &Type) -> String {
    match t {
        Type::Any => "a value".into(),
        Type::Object(_) => "an object".into(),
        Type::Tuple(_) => "a tuple".into(),
        other => format!("a {other}"),
    }
}

/// Converts the elements of a collection to `elem`; where `elem` has `dynamic` parts, the
/// elements are then unified to one type, which becomes the element type (`list(any)` of
/// `[1, "a"]` is a `list(string)`).
fn convert_elements(items: Vec<Value>, elem: &Type) -> Result<(Type, Vec<Value>), String> {
    let mut out = Vec::with_capacity(items.len());
    for (i, v) in items.into_iter().enumerate() {
        out.push(convert(v, elem).map_err(|e| format!("element {i}: {e}"))?);
    }
    if !elem.has_dynamic() {
        return Ok((elem.clone(), out));
    }
    let types: Vec<Type> = out.iter().map(Type::of).collect();
    let Some(unified) = unify_all(&types) else {
        return Err("all elements must have the same type".to_owned());
    };
    if types.iter().all(|t| *t == unified) {
        return Ok((unified, out));
    }
    let mut converted = Vec::with_capacity(out.len());
    for (i, v) in out.into_iter().enumerate() {
        converted.push(convert(v, &unified).map_err(|e| format!("element {i}: {e}"))?);
    }
    // A unified type with `dynamic` inside (`list(any)`) may still leave the elements of
    // different types (`list(number)`, `list(bool)`): one collection holds one element type.
    let first = Type::of(&converted[0]);
    if unified.has_dynamic() && converted.iter().any(|v| Type::of(v) != first) {
        return Err("all elements must have the same type".to_owned());
    }
    Ok((unified, converted))
}

/// The common type of two types, if any: Terraform's (cty's) unification, as a conditional's
/// two results are unified.
#[must_use]
pub fn unify(a: &Type, b: &Type) -> Option<Type> {
    unify_all(&[a.clone(), b.clone()])
}

/// The type every one of `types` converts to, if any (cty's unsafe unification): equal types
/// stay; collections unify their element types (tuples with lists give lists, objects with
/// maps give maps); tuples and objects unify element by element; otherwise the most general
/// of the given types that all of them convert to (a string for mixed primitives). No types
/// give `dynamic`.
#[must_use]
pub fn unify_all(types: &[Type]) -> Option<Type> {
    let Some(first) = types.first() else {
        return Some(Type::Any);
    };
    if types.iter().all(|t| t == first) {
        return Some(first.clone());
    }
    let count = |f: fn(&Type) -> bool| types.iter().filter(|t| f(t)).count();
    let maps = count(|t| matches!(t, Type::Map(_)));
    let lists = count(|t| matches!(t, Type::List(_)));
    let sets = count(|t| matches!(t, Type::Set(_)));
    let objects = count(|t| matches!(t, Type::Object(_)));
    let tuples = count(|t| matches!(t, Type::Tuple(_)));
    let dynamics = count(|t| matches!(t, Type::Any));
    let n = types.len();
    let elements = |t: &Type| -> Vec<Type> {
        match t {
            Type::List(e) | Type::Set(e) | Type::Map(e) => vec![(**e).clone()],
            Type::Tuple(ts) => ts.clone(),
            Type::Object(attrs) => attrs.values().map(|a| a.ty.clone()).collect(),
            _ => Vec::new(),
        }
    };
    let all_elements = || -> Vec<Type> { types.iter().flat_map(elements).collect() };
    if maps > 0 && maps + dynamics == n {
        return unify_all(&all_elements()).map(Type::map);
    }
    if maps > 0
        && maps + objects + dynamics == n
        && let Some(e) = unify_all(&all_elements())
    {
        return Some(Type::map(e));
    }
    if lists > 0 && lists + dynamics == n {
        return unify_all(&all_elements()).map(Type::list);
    }
    if lists > 0
        && lists + tuples + dynamics == n
        && let Some(e) = unify_all(&all_elements())
    {
        return Some(Type::list(e));
    }
    if sets > 0 && sets + dynamics == n {
        return unify_all(&all_elements()).map(Type::set);
    }
    if objects > 0 && objects + dynamics == n {
        if dynamics > 0 {
            return Some(Type::Any);
        }
        return unify_objects(types);
    }
    if tuples > 0 && tuples + dynamics == n {
        if dynamics > 0 {
            return Some(Type::Any);
        }
        return unify_tuples(types);
    }
    if objects > 0 && tuples > 0 {
        return None;
    }
    let mut order: Vec<&Type> = types.iter().collect();
    order.sort_by(|a, b| preference(a, b));
    order
        .into_iter()
        .find(|want| types.iter().all(|t| convertible(t, want)))
        .cloned()
}

/// Objects with the same attribute names unify attribute by attribute; objects whose names
/// differ unify to a map of every attribute's type (cty's `unifyObjectTypesToMap`).
fn unify_objects(types: &[Type]) -> Option<Type> {
    let objects: Vec<&BTreeMap<String, ObjectAttr>> = types
        .iter()
        .map(|t| match t {
            Type::Object(a) => Some(a),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let first = objects[0];
    let same_names = objects
        .iter()
        .all(|a| a.len() == first.len() && a.keys().all(|k| first.contains_key(k)));
    if !same_names {
        let all: Vec<Type> = objects
            .iter()
            .flat_map(|a| a.values().map(|x| x.ty.clone()))
            .collect();
        return unify_all(&all).map(Type::map);
    }
    let mut attrs = BTreeMap::new();
    for name in first.keys() {
        let of_name: Vec<Type> = objects.iter().map(|a| a[name].ty.clone()).collect();
        attrs.insert(name.clone(), ObjectAttr::required(unify_all(&of_name)?));
    }
    Some(Type::Object(attrs))
}

/// Tuples of one length unify element by element; tuples of different lengths unify to a list
/// of every element's type (cty's `unifyTupleTypesToList`).
fn unify_tuples(types: &[Type]) -> Option<Type> {
    let tuples: Vec<&Vec<Type>> = types
        .iter()
        .map(|t| match t {
            Type::Tuple(ts) => Some(ts),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let first = tuples[0];
    if tuples.iter().any(|ts| ts.len() != first.len()) {
        let all: Vec<Type> = tuples.iter().flat_map(|ts| ts.iter().cloned()).collect();
        return unify_all(&all).map(Type::list);
    }
    let mut out = Vec::with_capacity(first.len());
    for i in 0..first.len() {
        let at: Vec<Type> = tuples.iter().map(|ts| ts[i].clone()).collect();
        out.push(unify_all(&at)?);
    }
    Some(Type::Tuple(out))
}

/// cty's preference order for unification (`compareTypes`): the more general type first
/// (`dynamic` last, a string before other primitives, a list or tuple before a set, a list
/// before a tuple, a map before an object).
fn preference(a: &Type, b: &Type) -> Ordering {
    use Ordering::{Equal, Greater, Less};
    let general = |x: &Type, y: &Type| -> bool {
        matches!(
            (x, y),
            (Type::List(_) | Type::Tuple(_), Type::Set(_))
                | (Type::List(_), Type::Tuple(_))
                | (Type::Map(_), Type::Object(_))
        ) || (*y == Type::Any && *x != Type::Any)
            || (*x == Type::String && y.is_primitive() && *y != Type::String)
    };
    match (a, b) {
        (Type::List(x), Type::List(y))
        | (Type::Set(x), Type::Set(y))
        | (Type::Map(x), Type::Map(y)) => preference(x, y),
        _ if general(a, b) => Less,
        _ if general(b, a) => Greater,
        _ => Equal,
    }
}

/// Whether a value of type `from` may convert to `to` (cty's unsafe conversions, decided on
/// types: a string may become a number, a list a set...).
#[must_use]
pub fn convertible(from: &Type, to: &Type) -> bool {
    match (from, to) {
        (_, Type::Any) | (Type::Any, _) => true,
        _ if from == to => true,
        (Type::String, Type::Number | Type::Bool) | (Type::Number | Type::Bool, Type::String) => {
            true
        }
        (Type::List(e) | Type::Set(e), Type::List(t) | Type::Set(t))
        | (Type::Map(e), Type::Map(t)) => convertible(e, t),
        (Type::Tuple(es), Type::List(t) | Type::Set(t)) => es.iter().all(|e| convertible(e, t)),
        (Type::Object(attrs), Type::Map(t)) => attrs.values().all(|a| convertible(&a.ty, t)),
        (Type::Tuple(es), Type::Tuple(ts)) => {
            es.len() == ts.len() && es.iter().zip(ts).all(|(e, t)| convertible(e, t))
        }
        (Type::Map(e), Type::Object(attrs)) => attrs.values().all(|a| convertible(e, &a.ty)),
        (Type::Object(have), Type::Object(want)) => want.iter().all(|(k, a)| {
            have.get(k)
                .map_or(a.optional, |h| convertible(&h.ty, &a.ty))
        }),
        _ => false,
    }
}

/// Parses a number the way Terraform converts a string to a number (`cty.ParseNumberVal`):
/// optional sign, decimal digits with an optional fraction and exponent, exactly at 512 bits.
/// No hex, no `inf`/`NaN`, no spaces.
#[must_use]
pub fn parse_number(s: &str) -> Option<crate::number::Number> {
    crate::number::Number::parse(s).filter(|n| !n.is_infinite())
}

/// Deduplicates (ignoring marks; a duplicate's mark moves to the kept element) and sorts set
/// elements into a canonical order: by kind, then numbers ascending, strings lexically, bools
/// false first, structures by their JSON text; unknown elements last, never merged.
#[must_use]
pub fn canonical_set(items: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        if let Some(existing) = out
            .iter_mut()
            .find(|e| values_equal(e, &item) == Some(true))
        {
            if item.contains_sensitive() && !existing.contains_sensitive() {
                *existing = std::mem::take(existing).mark_sensitive();
            }
            continue;
        }
        out.push(item);
    }
    out.sort_by(set_order);
    out
}

fn kind_rank(v: &Value) -> u8 {
    match v.unmark().0 {
        Value::Bool(_) => 1,
        Value::Number(_) => 2,
        Value::String(_) => 3,
        Value::List(_) | Value::Collection(_) => 4,
        Value::Object(_) => 5,
        // Terraform orders null elements after every known one.
        Value::Null | Value::TypedNull(_) => 6,
        Value::Unknown | Value::Sensitive(_) => 7,
    }
}

fn set_order(left: &Value, right: &Value) -> Ordering {
    let (left, right) = (left.unmark().0, right.unmark().0);
    kind_rank(left)
        .cmp(&kind_rank(right))
        .then_with(|| match (left, right) {
            (Value::Bool(l), Value::Bool(r)) => l.cmp(r),
            (Value::Number(l), Value::Number(r)) => l.cmp(r),
            (Value::String(l), Value::String(r)) => l.cmp(r),
            (Value::List(_) | Value::Collection(_), Value::List(_) | Value::Collection(_))
            | (Value::Object(_), Value::Object(_)) => {
                left.to_json().to_string().cmp(&right.to_json().to_string())
            }
            _ => Ordering::Equal,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::expr::tests::build::{self, call, num, object, tuple, var};

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    fn s(x: &str) -> Value {
        Value::string(x)
    }

    #[test]
    fn primitives_convert_where_terraform_allows() {
        assert_eq!(convert(Value::float(1.5), &Type::String), Ok(s("1.5")));
        assert_eq!(convert(Value::Bool(true), &Type::String), Ok(s("true")));
        assert_eq!(convert(s("42"), &Type::Number), Ok(Value::float(42.0)));
        assert_eq!(convert(s("-1e3"), &Type::Number), Ok(Value::float(-1000.0)));
        assert_eq!(convert(s("false"), &Type::Bool), Ok(Value::Bool(false)));
        assert!(convert(s("0x10"), &Type::Number).is_err());
        assert!(convert(s(" 1"), &Type::Number).is_err());
        assert!(convert(s("yes"), &Type::Bool).is_err());
        assert!(convert(Value::float(1.0), &Type::Bool).is_err());
        assert!(convert(Value::Bool(true), &Type::Number).is_err());
        assert_eq!(
            convert(Value::List(vec![]), &Type::String),
            Err("a string is required, got list".into())
        );
    }

    #[test]
    fn null_and_unknown_convert_to_every_type() {
        for t in [
            Type::String,
            Type::list(Type::Number),
            Type::Object(BTreeMap::new()),
        ] {
            assert_eq!(convert(Value::Null, &t), Ok(Value::null_of(&t)));
            assert_eq!(convert(Value::Null, &t).map(|v| v.ty()), Ok(t.clone()));
            assert_eq!(convert(Value::Unknown, &t), Ok(Value::Unknown));
        }
    }

    #[test]
    fn marks_are_kept_through_conversion() {
        let v = Value::float(3.0).mark_sensitive();
        assert_eq!(convert(v, &Type::String), Ok(s("3").mark_sensitive()));
        let list = Value::List(vec![Value::float(1.0).mark_sensitive(), Value::float(2.0)]);
        assert_eq!(
            convert(list, &Type::list(Type::String)),
            Ok(Value::list(
                Type::String,
                vec![s("1").mark_sensitive(), s("2")]
            ))
        );
    }

    #[test]
    fn collections_convert_elementwise_with_paths_in_errors() {
        let v = Value::List(vec![Value::float(1.0), s("x")]);
        assert_eq!(
            convert(v.clone(), &Type::list(Type::String)),
            Ok(Value::list(Type::String, vec![s("1"), s("x")]))
        );
        assert_eq!(
            convert(v, &Type::list(Type::Number)),
            Err("element 1: a number is required".into())
        );
        let m = obj(&[("a", Value::float(1.0))]);
        assert_eq!(
            convert(m.clone(), &Type::map(Type::String)),
            Ok(Value::map(
                Type::String,
                BTreeMap::from([("a".to_owned(), s("1"))])
            ))
        );
        assert!(convert(m, &Type::list(Type::String)).is_err());
    }

    #[test]
    fn sets_are_deduplicated_and_sorted() {
        let v = Value::List(vec![s("b"), s("a"), s("b")]);
        assert_eq!(
            convert(v, &Type::set(Type::String)),
            Ok(Value::set(Type::String, vec![s("a"), s("b")]))
        );
        let nums = Value::List(vec![Value::float(10.0), Value::float(2.0)]);
        assert_eq!(
            convert(nums, &Type::set(Type::Number)),
            Ok(Value::set(
                Type::Number,
                vec![Value::float(2.0), Value::float(10.0)]
            ))
        );
    }

    #[test]
    fn any_inside_a_collection_unifies_elements() {
        let v = Value::List(vec![Value::float(1.0), s("a"), Value::Bool(true)]);
        assert_eq!(
            convert(v, &Type::list(Type::Any)),
            Ok(Value::list(Type::String, vec![s("1"), s("a"), s("true")]))
        );
        let objs = Value::List(vec![
            obj(&[("a", Value::float(1.0))]),
            obj(&[("b", s("x"))]),
        ]);
        // Objects of different attributes unify to a map (cty's `unifyObjectTypesToMap`).
        assert_eq!(
            convert(objs, &Type::list(Type::Any)),
            Ok(Value::list(
                Type::map(Type::String),
                vec![
                    Value::map(Type::String, [("a".to_owned(), s("1"))].into()),
                    Value::map(Type::String, [("b".to_owned(), s("x"))].into()),
                ]
            ))
        );
        let kept = obj(&[("a", Value::List(vec![]))]);
        assert_eq!(convert(kept.clone(), &Type::Any), Ok(kept));
    }

    #[test]
    fn tuples_need_the_exact_length() {
        let t = Type::Tuple(vec![Type::String, Type::Number]);
        assert_eq!(
            convert(Value::List(vec![Value::float(1.0), s("2")]), &t),
            Ok(Value::List(vec![s("1"), Value::float(2.0)]))
        );
        assert!(convert(Value::List(vec![s("a")]), &t).is_err());
    }

    #[test]
    fn objects_fill_optional_attributes_and_drop_extras() {
        let mut attrs = BTreeMap::new();
        attrs.insert("name".to_owned(), ObjectAttr::required(Type::String));
        attrs.insert(
            "port".to_owned(),
            ObjectAttr::optional(Type::Number, Some(Value::float(80.0))),
        );
        attrs.insert("tag".to_owned(), ObjectAttr::optional(Type::String, None));
        let t = Type::Object(attrs);
        let v = obj(&[("name", s("web")), ("extra", Value::Bool(true))]);
        assert_eq!(
            convert(v, &t),
            Ok(obj(&[
                ("name", s("web")),
                ("port", Value::float(80.0)),
                ("tag", Value::null_of(&Type::String))
            ]))
        );
        let null_port = obj(&[("name", s("web")), ("port", Value::Null)]);
        assert_eq!(
            convert(null_port, &t).map(|v| v.as_object().map(|m| m["port"].clone())),
            Ok(Some(Value::float(80.0)))
        );
        assert_eq!(
            convert(obj(&[]), &t),
            Err("attribute \"name\" is required".into())
        );
        assert_eq!(
            convert(obj(&[("name", s("a")), ("port", s("x"))]), &t),
            Err("attribute \"port\": a number is required".into())
        );
    }

    #[test]
    fn numbers_parse_strictly() {
        let f = |x: f64| Some(crate::number::Number::from_f64(x));
        assert_eq!(parse_number("1"), f(1.0));
        assert_eq!(parse_number("-0.5"), f(-0.5));
        assert_eq!(parse_number(".5"), f(0.5));
        assert_eq!(parse_number("1e2"), f(100.0));
        for bad in ["", "-", "1e", "e1", "inf", "NaN", "1_000", "1.2.3", "0x1"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn types_parse_from_expressions() {
        let e = call(
            "map",
            vec![call(
                "object",
                vec![object(vec![
                    ("a", var("string")),
                    ("b", call("optional", vec![var("number"), num(1.0)])),
                ])],
            )],
        );
        let t = parse_type(&e).unwrap();
        assert_eq!(
            t.to_string(),
            "map(object({a = string, b = optional(number, 1)}))"
        );
        let e = call(
            "tuple",
            vec![tuple(vec![
                var("string"),
                call("list", vec![var("bool")]),
                call("set", vec![var("any")]),
            ])],
        );
        let t = parse_type(&e).unwrap();
        assert_eq!(t.to_string(), "tuple([string, list(bool), set(any)])");
        assert_eq!(parse_type(&var("any")).unwrap(), Type::Any);
    }

    #[test]
    fn bad_types_are_diagnosed() {
        let d = parse_type(&var("strin")).unwrap_err();
        assert_eq!(d.0[0].code, codes::INVALID_TYPE);
        assert_eq!(d.0[0].help.as_deref(), Some("Did you mean \"string\"?"));
        let d = parse_type(&build::s("string")).unwrap_err();
        assert_eq!(
            d.0[0].help.as_deref(),
            Some("Remove the quotes around \"string\".")
        );
        assert!(parse_type(&var("list")).is_err());
        assert!(parse_type(&call("list", vec![var("string"), var("number")])).is_err());
        assert!(parse_type(&call("optional", vec![var("string")])).is_err());
        let bad_default = call(
            "object",
            vec![object(vec![(
                "a",
                call("optional", vec![var("number"), build::s("x")]),
            )])],
        );
        assert!(parse_type(&bad_default).is_err());
        assert!(parse_type(&call("tuple", vec![var("string")])).is_err());
        assert!(parse_type(&num(1.0)).is_err());
        // Every independent error is reported.
        let two = call(
            "object",
            vec![object(vec![("a", var("strng")), ("b", var("numbr"))])],
        );
        assert_eq!(parse_type(&two).unwrap_err().0.len(), 2);
    }

    mod laws {
        //! Property tests of conversion and equality.

        use proptest::collection::{btree_map, vec};
        use proptest::prelude::*;

        use super::*;
        use crate::model::expr::values_equal;

        fn value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                (-1000i64..1000).prop_map(Value::int),
                any::<f64>()
                    .prop_filter("finite", |f| f.is_finite())
                    .prop_map(Value::float),
                "[a-c1]{0,3}".prop_map(Value::String),
            ];
            leaf.prop_recursive(3, 16, 4, |inner| {
                prop_oneof![
                    vec(inner.clone(), 0..4).prop_map(Value::List),
                    btree_map("[a-c]", inner, 0..3).prop_map(Value::Object),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(128))]

            #[test]
            fn converting_a_value_to_its_own_type_changes_nothing(v in value()) {
                prop_assert_eq!(convert(v.clone(), &v.ty()), Ok(v));
            }

            #[test]
            fn equality_is_reflexive_and_symmetric(a in value(), b in value()) {
                prop_assert_eq!(values_equal(&a, &a), Some(true));
                prop_assert_eq!(values_equal(&a, &b), values_equal(&b, &a));
            }

            #[test]
            fn a_list_made_from_a_set_has_no_duplicates(items in vec(value(), 0..6)) {
                if let Ok(set) = convert(Value::List(items), &Type::set(Type::Any)) {
                    let list = convert(set, &Type::list(Type::Any)).expect("a set converts to a list");
                    let elems = list.as_list().expect("a list");
                    for (i, a) in elems.iter().enumerate() {
                        for b in &elems[i + 1..] {
                            prop_assert_ne!(values_equal(a, b), Some(true));
                        }
                    }
                }
            }
        }
    }
}
