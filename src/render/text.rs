//! The human plan, in Terraform's layout and sentences (so PR tools that scrape Terraform's
//! output keep working: see `docs/plan.md`).
//!
//! Layout rules: a 3-character action column before `resource "TYPE" "NAME" {`; attribute
//! lines at 4 spaces per depth plus a 4-character marker field; names sorted, `=` aligned on
//! the longest non-null name of the block (hidden ones included); unchanged attributes hidden
//! and counted, except `id`, `name` and `tags`; nested blocks after the attributes, separated
//! by a blank line; prose paragraphs wrapped at the given width.
//!
//! Invariant: a sensitive value is never written, only `(sensitive value)`.
//! Depends on `plan`, `schema` and `model::value`; pure (returns a `String`).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::model::value::{Value, format_number};
use crate::plan::{Action, ActionReason, OutputChange, Plan, ResourceChange};
use crate::schema::BlockSchema;

/// Text rendering settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextOptions {
    /// Column at which prose paragraphs wrap (Terraform: the terminal width, or 78).
    pub width: usize,
}

impl Default for TextOptions {
    fn default() -> Self {
        Self { width: 78 }
    }
}

const PROVIDERS_SENTENCE: &str = "Terraform used the selected providers to generate the following execution plan. Resource actions are indicated with the following symbols:";
const DRIFT_SENTENCE: &str = "Terraform detected the following changes made outside of Terraform since the last \"terraform apply\" which may have affected this plan:";
const DRIFT_AFTER: &str = "Unless you have made equivalent changes to your configuration, or ignored the relevant attributes using ignore_changes, the following plan may include actions to undo or respond to these changes.";
const NO_CHANGES_SENTENCE: &str = "Terraform has compared your real infrastructure against your configuration and found no differences, so no changes are needed.";
const NO_DESTROY_SENTENCE: &str = "Either you have not created any objects yet or the existing objects were already deleted outside of Terraform.";
const REFRESH_ONLY_SENTENCE: &str = "This is a refresh-only plan, so Terraform will not take any actions to undo these. If you were expecting these changes then you can apply this plan to record the updated values in the Terraform state without changing any remote objects.";
const STILL_MATCHES_SENTENCE: &str = "Terraform has checked that the real remote objects still match the result of your most recent changes, and found no differences.";
const OUTPUTS_ONLY_SENTENCE: &str = "You can apply this plan to save these new output values to the Terraform state, without changing any real infrastructure.";

/// Renders the whole plan as Terraform's `plan` output (without the refresh lines and the
/// diagnostics, which the CLI prints around it).
#[must_use]
pub fn render(plan: &Plan, options: &TextOptions) -> String {
    let mut out = String::new();
    if plan.options.refresh_only {
        if plan.drift.is_empty() {
            out.push_str("No changes. Your infrastructure still matches the configuration.\n\n");
            paragraph(&mut out, STILL_MATCHES_SENTENCE, options.width);
        } else {
            out.push_str("Note: Objects have changed outside of Terraform\n\n");
            paragraph(&mut out, DRIFT_SENTENCE, options.width);
            for change in &plan.drift {
                out.push('\n');
                resource_block(&mut out, change, Mode::Drift);
            }
            out.push('\n');
            paragraph(&mut out, REFRESH_ONLY_SENTENCE, options.width);
        }
        return out;
    }
    // Imports and moves are shown even when nothing else happens to the object.
    let changed: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp || c.importing.is_some() || c.previous.is_some())
        .collect();
    let acting: Vec<&ResourceChange> = changed
        .iter()
        .copied()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    let outputs: Vec<&OutputChange> = plan
        .outputs
        .iter()
        .filter(|o| o.action != Action::NoOp)
        .collect();
    if !plan.drift.is_empty() && (!changed.is_empty() || !outputs.is_empty()) {
        render_drift(&mut out, &plan.drift, *options);
    }
    if changed.is_empty() && outputs.is_empty() {
        if plan.options.destroy {
            out.push_str("No changes. No objects need to be destroyed.\n\n");
            paragraph(&mut out, NO_DESTROY_SENTENCE, options.width);
        } else {
            out.push_str("No changes. Your infrastructure matches the configuration.\n\n");
            paragraph(&mut out, NO_CHANGES_SENTENCE, options.width);
        }
        return out;
    }
    if !changed.is_empty() {
        if !acting.is_empty() {
            paragraph(&mut out, PROVIDERS_SENTENCE, options.width);
            for (symbol, word, present) in legend(&acting) {
                if present {
                    let _ = writeln!(out, "{symbol} {word}");
                }
            }
        }
        out.push('\n');
        if plan.errored {
            out.push_str(
                "Terraform planned the following actions, but then encountered a problem:\n",
            );
        } else {
            out.push_str("Terraform will perform the following actions:\n");
        }
        for change in &changed {
            out.push('\n');
            resource_block(&mut out, change, Mode::Plan);
        }
        let _ = writeln!(out, "\n{}", summary(plan));
    }
    if !outputs.is_empty() {
        out.push_str("\nChanges to Outputs:\n");
        render_outputs(&mut out, &outputs);
        if changed.is_empty() {
            out.push('\n');
            paragraph(&mut out, OUTPUTS_ONLY_SENTENCE, options.width);
        }
    }
    if out.starts_with('\n') {
        out.remove(0);
    }
    out
}

/// Terraform's `Plan: [N to import, ]X to add, Y to change, Z to destroy.`
#[must_use]
pub fn summary(plan: &Plan) -> String {
    let counts = plan.counts();
    let imports = match plan.import_count() {
        0 => String::new(),
        n => format!("{n} to import, "),
    };
    format!(
        "Plan: {imports}{} to add, {} to change, {} to destroy.",
        counts.add, counts.change, counts.destroy
    )
}

fn legend(changed: &[&ResourceChange]) -> [(&'static str, &'static str, bool); 6] {
    let has = |f: &dyn Fn(Action) -> bool| changed.iter().any(|c| f(c.action));
    [
        ("  +", "create", has(&|a| a == Action::Create)),
        ("  ~", "update in-place", has(&|a| a == Action::Update)),
        ("  -", "destroy", has(&|a| a == Action::Delete)),
        (
            "-/+",
            "destroy and then create replacement",
            has(&|a| {
                a == Action::Replace {
                    create_before_destroy: false,
                }
            }),
        ),
        (
            "+/-",
            "create replacement and then destroy",
            has(&|a| {
                a == Action::Replace {
                    create_before_destroy: true,
                }
            }),
        ),
        (" <=", "read (data resources)", has(&|a| a == Action::Read)),
    ]
}

fn render_drift(out: &mut String, drift: &[ResourceChange], options: TextOptions) {
    out.push_str("\nNote: Objects have changed outside of Terraform\n\n");
    paragraph(out, DRIFT_SENTENCE, options.width);
    for change in drift {
        out.push('\n');
        resource_block(out, change, Mode::Drift);
    }
    out.push('\n');
    paragraph(out, DRIFT_AFTER, options.width);
    out.push('\n');
    out.push_str(&horizontal_rule(options.width));
    out.push_str("\n\n");
}

/// A row of `─` as wide as the output.
#[must_use]
pub fn horizontal_rule(width: usize) -> String {
    "─".repeat(width)
}

/// Appends `text` wrapped at `width`, followed by a newline.
fn paragraph(out: &mut String, text: &str, width: usize) {
    out.push_str(&wrap(text, width));
    out.push('\n');
}

/// Greedy word wrap by display width, so wide characters (CJK, emoji) count as the two
/// columns they take (words longer than the width stay whole).
#[must_use]
pub fn wrap(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut out = String::new();
    let mut line_len = 0;
    for word in text.split(' ') {
        let len = word.width();
        if line_len > 0 && line_len + 1 + len > width {
            out.push('\n');
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += len;
    }
    out
}

/// One resource block as in the plan (`drift`: as in the "changed outside" section).
pub(crate) fn resource_text(change: &ResourceChange, drift: bool) -> String {
    let mut out = String::new();
    resource_block(
        &mut out,
        change,
        if drift { Mode::Drift } else { Mode::Plan },
    );
    out
}

/// The lines of `Changes to Outputs:` for these changes.
pub(crate) fn outputs_text(outputs: &[&OutputChange]) -> String {
    let mut out = String::new();
    render_outputs(&mut out, outputs);
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Plan,
    Drift,
}

/// How Terraform names the object of a change: `ADDR`, or `ADDR (deposed object KEY)`.
#[must_use]
pub fn display_addr(change: &ResourceChange) -> String {
    match &change.deposed {
        Some(key) => format!("{} (deposed object {key})", change.addr),
        None => change.addr.to_string(),
    }
}

/// The header comment and notes of a change.
fn header(change: &ResourceChange, mode: Mode) -> Vec<String> {
    let addr = &change.addr;
    let shown = display_addr(change);
    let mut lines = Vec::new();
    let what = match (mode, change.action) {
        (Mode::Drift, Action::Delete) => "has been deleted".to_owned(),
        (Mode::Drift, _) => "has changed".to_owned(),
        (_, Action::Create) => "will be created".to_owned(),
        (_, Action::Update) => "will be updated in-place".to_owned(),
        (_, Action::Delete) => "will be destroyed".to_owned(),
        (_, Action::Replace { .. }) => match change.reason {
            Some(ActionReason::ReplaceByRequest) => "will be replaced, as requested".to_owned(),
            Some(ActionReason::ReplaceBecauseTainted) => {
                "is tainted, so must be replaced".to_owned()
            }
            _ => "must be replaced".to_owned(),
        },
        (_, Action::Read) => "will be read during apply".to_owned(),
        (_, Action::NoOp) if change.importing.is_some() => "will be imported".to_owned(),
        (_, Action::NoOp) => match &change.previous {
            // Terraform names the old address first for a pure move.
            Some(old) if mode == Mode::Plan => {
                lines.push(format!("  # {old} has moved to {shown}"));
                return lines;
            }
            _ => "has no changes".to_owned(),
        },
        (_, Action::Forget) => {
            // Terraform's text, indented one column less than the others.
            lines.push(format!(
                " # {shown} will no longer be managed by Terraform, but will not be destroyed"
            ));
            lines.push(" # (destroy = false is set in the configuration)".to_owned());
            return lines;
        }
    };
    lines.push(format!("  # {shown} {what}"));
    if mode == Mode::Plan && change.action == Action::NoOp && change.generated_config.is_some() {
        lines.push("  # (config will be generated)".to_owned());
    }
    if let (Mode::Plan, Some(old)) = (mode, &change.previous) {
        lines.push(format!("  # (moved from {old})"));
    }
    if let (Mode::Plan, Some(id)) = (mode, &change.importing)
        && change.action != Action::NoOp
    {
        lines.push(format!("  # (imported from {})", quoted(id)));
        if change.action.is_destructive() {
            lines.push("  # Warning: this will destroy the imported resource".to_owned());
        }
    }
    let note = match change.reason {
        Some(ActionReason::ReadBecauseConfigUnknown) => {
            Some("  # (config refers to values not yet known)".to_owned())
        }
        Some(ActionReason::ReadBecauseDependencyPending) => {
            Some("  # (depends on a resource or a module with changes pending)".to_owned())
        }
        Some(ActionReason::DeleteBecauseNoResourceConfig) => Some(format!(
            "  # (because {} is not in configuration)",
            addr.resource
        )),
        Some(ActionReason::DeleteBecauseCountIndex) => addr
            .key
            .as_ref()
            .map(|k| format!("  # (because index {k} is out of range for count)")),
        Some(ActionReason::DeleteBecauseEachKey) => addr
            .key
            .as_ref()
            .map(|k| format!("  # (because key {k} is not in for_each map)")),
        Some(ActionReason::DeleteBecauseWrongRepetition) => Some(match &addr.key {
            Some(_) => format!("  # (because resource uses a different repetition than {addr})"),
            None => "  # (because resource uses count or for_each)".to_owned(),
        }),
        _ => None,
    };
    lines.extend(note);
    if change.deposed.is_some() && change.action == Action::Delete && mode == Mode::Plan {
        lines.push("  # (left over from a partially-failed replacement of this instance)".into());
    }
    lines
}

fn symbol(action: Action) -> &'static str {
    match action {
        Action::Create => "  +",
        Action::Update => "  ~",
        Action::NoOp => "   ",
        Action::Forget => " .",
        Action::Delete => "  -",
        Action::Replace {
            create_before_destroy: false,
        } => "-/+",
        Action::Replace {
            create_before_destroy: true,
        } => "+/-",
        Action::Read => " <=",
    }
}

/// Renders one resource block (header, notes, body) into `out`.
fn resource_block(out: &mut String, change: &ResourceChange, mode: Mode) {
    for line in header(change, mode) {
        out.push_str(&line);
        out.push('\n');
    }
    let shown_symbol = symbol(change.action);
    let keyword = match change.addr.resource.mode {
        crate::addr::Mode::Data => "data",
        crate::addr::Mode::Managed => "resource",
    };
    let _ = writeln!(
        out,
        "{} {keyword} \"{}\" \"{}\" {{",
        shown_symbol, change.addr.resource.type_name, change.addr.resource.name
    );
    let block = change.schema.as_block();
    let before = change.before.as_ref().and_then(Value::as_object);
    // A forgotten object is shown as it is, unchanged attributes hidden.
    let after = if change.action == Action::Forget {
        before
    } else {
        change.after.as_ref().and_then(Value::as_object)
    };
    let forced: BTreeSet<&str> = change.replace_paths.iter().map(String::as_str).collect();
    // As Terraform, an import shows every attribute, unchanged ones too.
    let show_all = matches!(
        change.action,
        Action::Create | Action::Delete | Action::Read
    ) || (mode == Mode::Plan && change.importing.is_some());
    body(out, 1, &block, before, after, show_all, &forced, "");
    out.push_str("    }\n");
}

type Object = std::collections::BTreeMap<String, Value>;

/// A shown attribute value: null and (as the legacy SDK stores null) `""` are absent.
fn get<'v>(o: Option<&'v Object>, name: &str) -> Option<&'v Value> {
    o.and_then(|o| o.get(name))
        .filter(|v| !v.is_null() && v.as_str() != Some(""))
}

/// Whether two values show the same (sensitive marks ignored).
fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            let (a, _) = a.clone().into_deep_unmarked();
            let (b, _) = b.clone().into_deep_unmarked();
            !a.contains_unknown() && a == b
        }
        _ => false,
    }
}

/// The attributes and nested blocks of one object.
#[allow(clippy::too_many_arguments)]
fn body(
    out: &mut String,
    depth: usize,
    schema: &BlockSchema,
    before: Option<&Object>,
    after: Option<&Object>,
    show_all: bool,
    forced: &BTreeSet<&str>,
    prefix: &str,
) {
    let indent = " ".repeat(depth * 4);
    let mut names: Vec<&str> = schema.attributes.iter().map(|a| a.name).collect();
    names.sort_unstable();
    let width = names
        .iter()
        .filter(|n| get(before, n).is_some() || get(after, n).is_some())
        .map(|n| n.len())
        .max()
        .unwrap_or(0);
    let mut hidden = 0;
    for name in &names {
        let b = get(before, name);
        let a = get(after, name);
        if b.is_none() && a.is_none() {
            continue;
        }
        if !show_all && same(b, a) && !matches!(*name, "id" | "name" | "tags") {
            hidden += 1;
            continue;
        }
        let path = if prefix.is_empty() {
            (*name).to_owned()
        } else {
            format!("{prefix}.{name}")
        };
        attribute(
            out,
            depth,
            name,
            width,
            b,
            a,
            forced.contains(path.as_str()),
        );
    }
    if hidden > 0 {
        let _ = writeln!(
            out,
            "{indent}    # ({hidden} unchanged attribute{} hidden)",
            plural(hidden)
        );
    }
    let mut hidden_blocks = 0;
    let mut blocks: Vec<&BlockSchema> = schema.blocks.iter().collect();
    blocks.sort_by_key(|b| b.name);
    for block in blocks {
        let list = |o: Option<&Object>| -> Vec<Value> {
            o.and_then(|o| o.get(block.name))
                .and_then(Value::as_list)
                .map(<[Value]>::to_vec)
                .unwrap_or_default()
        };
        let (bs, as_) = (list(before), list(after));
        for i in 0..bs.len().max(as_.len()) {
            let b = bs.get(i).and_then(Value::as_object);
            let a = as_.get(i).and_then(Value::as_object);
            let unchanged = b.is_some() && a.is_some() && same(bs.get(i), as_.get(i));
            if unchanged && !show_all {
                hidden_blocks += 1;
                continue;
            }
            let marker = match (b, a) {
                (None, Some(_)) => "  + ",
                (Some(_), None) => "  - ",
                _ if show_all && unchanged => "    ",
                _ if show_all && after.is_none() => "  - ",
                _ if show_all => "  + ",
                _ => "  ~ ",
            };
            out.push('\n');
            let _ = writeln!(out, "{indent}{marker}{} {{", block.name);
            let path = if prefix.is_empty() {
                format!("{}.{i}", block.name)
            } else {
                format!("{prefix}.{}.{i}", block.name)
            };
            let whole = b.is_none() || a.is_none() || show_all;
            body(out, depth + 1, block, b, a, whole, forced, &path);
            let _ = writeln!(out, "{indent}    }}");
        }
    }
    if hidden_blocks > 0 {
        out.push('\n');
        let _ = writeln!(
            out,
            "{indent}    # ({hidden_blocks} unchanged block{} hidden)",
            plural(hidden_blocks)
        );
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// One attribute line (or several, for collections).
fn attribute(
    out: &mut String,
    depth: usize,
    name: &str,
    width: usize,
    before: Option<&Value>,
    after: Option<&Value>,
    forces: bool,
) {
    let indent = " ".repeat(depth * 4);
    let suffix = if forces { " # forces replacement" } else { "" };
    let sensitive = before.is_some_and(Value::contains_sensitive)
        || after.is_some_and(Value::contains_sensitive);
    let lead = |marker: &str| format!("{indent}{marker}{name:<width$} = ");
    match (before, after) {
        (None, Some(a)) => {
            out.push_str(&lead("  + "));
            if sensitive {
                out.push_str("(sensitive value)");
            } else {
                value(out, depth, a, "  + ");
            }
        }
        (Some(b), None) => {
            out.push_str(&lead("  - "));
            if sensitive {
                out.push_str("(sensitive value)");
            } else {
                value(out, depth, b, "  - ");
            }
            out.push_str(" -> null");
        }
        (Some(b), Some(a)) if same(Some(b), Some(a)) => {
            out.push_str(&lead("    "));
            if sensitive {
                out.push_str("(sensitive value)");
            } else {
                value(out, depth, a, "    ");
            }
        }
        (Some(b), Some(a)) => {
            out.push_str(&lead("  ~ "));
            if sensitive {
                out.push_str("(sensitive value)");
            } else if let (Some(bl), Some(al)) = (b.as_list(), a.as_list()) {
                list_diff(out, depth, bl, al);
            } else if let (Some(bm), Some(am)) = (b.as_object(), a.as_object()) {
                map_diff(out, depth, bm, am);
            } else {
                value(out, depth, b, "  - ");
                out.push_str(" -> ");
                value(out, depth, a, "  + ");
            }
        }
        (None, None) => return,
    }
    out.push_str(suffix);
    out.push('\n');
}

/// A value after `name = `: primitives inline, collections over several lines whose elements
/// carry `marker`.
fn value(out: &mut String, depth: usize, v: &Value, marker: &str) {
    let indent = " ".repeat(depth * 4 + 4);
    match v {
        Value::Collection(_) => value(out, depth, &v.clone().into_untyped(), marker),
        Value::Sensitive(_) => out.push_str("(sensitive value)"),
        Value::Unknown => out.push_str("(known after apply)"),
        Value::List(items) if items.is_empty() => out.push_str("[]"),
        Value::List(items) => {
            out.push_str("[\n");
            for item in items {
                let _ = write!(out, "{indent}{marker}");
                value(out, depth + 1, item, marker);
                out.push_str(",\n");
            }
            let _ = write!(out, "{indent}]");
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            out.push_str("{\n");
            let width = map.keys().map(|k| quoted(k).len()).max().unwrap_or(0);
            for (k, item) in map {
                let _ = write!(out, "{indent}{marker}{:<width$} = ", quoted(k));
                value(out, depth + 1, item, marker);
                out.push('\n');
            }
            let _ = write!(out, "{indent}}}");
        }
        other => out.push_str(&primitive(other)),
    }
}

fn primitive(v: &Value) -> String {
    match v {
        Value::Null | Value::TypedNull(_) => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(n),
        Value::String(s) => quoted(s),
        Value::Unknown => "(known after apply)".to_owned(),
        Value::Sensitive(_) => "(sensitive value)".to_owned(),
        Value::List(_) | Value::Object(_) | Value::Collection(_) => v.to_string(),
    }
}

fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// An in-place change of a list: removed and added elements marked, unchanged ones counted.
fn list_diff(out: &mut String, depth: usize, before: &[Value], after: &[Value]) {
    let indent = " ".repeat(depth * 4 + 4);
    let old: Vec<String> = before.iter().map(primitive).collect();
    let new: Vec<String> = after.iter().map(primitive).collect();
    out.push_str("[\n");
    let mut unchanged = 0;
    let flush = |out: &mut String, unchanged: &mut usize| {
        if *unchanged > 0 {
            let _ = writeln!(
                out,
                "{indent}    # ({unchanged} unchanged element{} hidden)",
                plural(*unchanged)
            );
            *unchanged = 0;
        }
    };
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &old, &new) {
        match op {
            similar::DiffOp::Equal { len, .. } => unchanged += len,
            similar::DiffOp::Delete {
                old_index, old_len, ..
            } => {
                flush(out, &mut unchanged);
                for s in &old[old_index..old_index + old_len] {
                    let _ = writeln!(out, "{indent}  - {s},");
                }
            }
            similar::DiffOp::Insert {
                new_index, new_len, ..
            } => {
                flush(out, &mut unchanged);
                for s in &new[new_index..new_index + new_len] {
                    let _ = writeln!(out, "{indent}  + {s},");
                }
            }
            similar::DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                flush(out, &mut unchanged);
                for s in &old[old_index..old_index + old_len] {
                    let _ = writeln!(out, "{indent}  - {s},");
                }
                for s in &new[new_index..new_index + new_len] {
                    let _ = writeln!(out, "{indent}  + {s},");
                }
            }
        }
    }
    flush(out, &mut unchanged);
    let _ = write!(out, "{indent}]");
}

/// An in-place change of a map: changed, added and removed entries, unchanged ones counted.
fn map_diff(out: &mut String, depth: usize, before: &Object, after: &Object) {
    let indent = " ".repeat(depth * 4 + 4);
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let width = keys.iter().map(|k| quoted(k).len()).max().unwrap_or(0);
    out.push_str("{\n");
    let mut unchanged = 0;
    for key in keys {
        let k = quoted(key);
        match (before.get(key), after.get(key)) {
            (Some(b), Some(a)) if same(Some(b), Some(a)) => unchanged += 1,
            (Some(b), Some(a)) => {
                let _ = writeln!(
                    out,
                    "{indent}  ~ {k:<width$} = {} -> {}",
                    primitive(b),
                    primitive(a)
                );
            }
            (None, Some(a)) => {
                let _ = writeln!(out, "{indent}  + {k:<width$} = {}", primitive(a));
            }
            (Some(b), None) => {
                let _ = writeln!(out, "{indent}  - {k:<width$} = {} -> null", primitive(b));
            }
            (None, None) => {}
        }
    }
    if unchanged > 0 {
        let _ = writeln!(
            out,
            "{indent}    # ({unchanged} unchanged element{} hidden)",
            plural(unchanged)
        );
    }
    let _ = write!(out, "{indent}}}");
}

fn render_outputs(out: &mut String, outputs: &[&OutputChange]) {
    let width = outputs.iter().map(|o| o.name.len()).max().unwrap_or(0);
    for o in outputs {
        let redact = |v: &Option<Value>| {
            v.as_ref().map(|v| {
                if o.sensitive || v.contains_sensitive() {
                    Value::Sensitive(Box::new(Value::Null))
                } else {
                    v.clone()
                }
            })
        };
        let before = redact(&o.before);
        let after = redact(&o.after);
        attribute_output(out, &o.name, width, before.as_ref(), after.as_ref());
    }
}

fn attribute_output(
    out: &mut String,
    name: &str,
    width: usize,
    before: Option<&Value>,
    after: Option<&Value>,
) {
    let lead = |marker: &str| format!("{marker}{name:<width$} = ");
    match (before, after) {
        (None, Some(a)) => {
            out.push_str(&lead("  + "));
            value(out, 0, a, "  + ");
        }
        (Some(b), None) => {
            out.push_str(&lead("  - "));
            value(out, 0, b, "  - ");
            out.push_str(" -> null");
        }
        (Some(b), Some(a)) => {
            out.push_str(&lead("  ~ "));
            if matches!(b, Value::Sensitive(_)) || matches!(a, Value::Sensitive(_)) {
                out.push_str("(sensitive value)");
            } else {
                value(out, 0, b, "  - ");
                out.push_str(" -> ");
                value(out, 0, a, "  + ");
            }
        }
        (None, None) => return,
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_the_width_between_words() {
        assert_eq!(wrap("aaa bbb ccc", 7), "aaa bbb\nccc");
        assert_eq!(wrap("a verylongword b", 4), "a\nverylongword\nb");
        let wrapped = wrap(PROVIDERS_SENTENCE, 78);
        assert!(wrapped.lines().all(|l| l.chars().count() <= 78));
        assert_eq!(
            wrapped,
            "Terraform used the selected providers to generate the following execution\nplan. Resource actions are indicated with the following symbols:"
        );
    }

    /// Issue 9 item 16: a wide character takes two columns, so a line of them is full at half
    /// as many characters.
    #[test]
    fn wrap_counts_display_columns_not_characters() {
        assert_eq!(wrap("日本 語語", 5), "日本\n語語");
        assert_eq!(wrap("ab cd", 5), "ab cd");
        assert_eq!(wrap("é́ cd", 4), "é́ cd");
    }

    #[test]
    fn list_diffs_mark_added_and_removed_elements() {
        let mut out = String::new();
        let a = [Value::string("a"), Value::string("b")];
        let b = [Value::string("b"), Value::string("c")];
        list_diff(&mut out, 1, &a, &b);
        assert_eq!(
            out,
            "[\n          - \"a\",\n            # (1 unchanged element hidden)\n          + \"c\",\n        ]"
        );
    }
}
