//! The review plan: Markdown for a pull-request comment.
//!
//! Shape: a summary line and a table of counts; destructive changes (deletes, replacements)
//! listed first, each replacement with its forcing attributes spelled out; one collapsed
//! `<details>` per changed resource holding its text diff in a ```` ```diff ```` fence (markers
//! moved to the first column so GitHub colours them); the changes made outside; outputs; and a
//! digest line binding the plan to the reviewed configuration and state.
//!
//! Budget: the whole comment stays under [`GITHUB_COMMENT_LIMIT`] characters. When it would
//! not, it degrades in steps, never cutting text in the middle: first the list of unchanged
//! resources goes, then per-resource diffs beyond the budget are replaced by one line each, and
//! a note says so.
//!
//! Invariant: built only from the text renderer's blocks, so a sensitive value never appears.
//! Depends on `plan` and the sibling [`super::text`]; pure.

use std::fmt::Write as _;

use crate::plan::{Action, ActionReason, OutputChange, Plan, ResourceChange};

use super::text::{outputs_text, resource_text};

/// GitHub's limit on the length of an issue or pull-request comment.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;

/// What the Markdown plan needs besides the plan.
#[derive(Debug, Clone)]
pub struct MarkdownInput {
    /// The digest of the reviewed inputs ([`super::plan_digest`]), if known.
    pub digest: Option<String>,
    /// The saved plan file, when the plan was saved (`plan --out`): `digest` is then the plan
    /// file's plan digest, which `apply FILE` and `show FILE` print too.
    pub saved_as: Option<String>,
    /// Largest output allowed, in characters.
    pub budget: usize,
}

impl Default for MarkdownInput {
    fn default() -> Self {
        Self {
            digest: None,
            saved_as: None,
            budget: GITHUB_COMMENT_LIMIT,
        }
    }
}

/// `scopes.0.query_logs` → `scopes[0].query_logs`.
fn display_path(path: &str) -> String {
    let mut out = String::new();
    for step in path.split('.') {
        if step.parse::<u64>().is_ok() {
            let _ = write!(out, "[{step}]");
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(step);
        }
    }
    out
}

/// A one-line description of a change.
fn summary(c: &ResourceChange) -> String {
    let addr = &c.addr;
    if let Some(key) = &c.deposed {
        // Always a delete: the old object of an earlier create-first replacement.
        return format!(
            "`{addr}` (deposed object `{key}`) will be **destroyed** (left over from a partially-failed replacement)"
        );
    }
    let what = match c.action {
        Action::Create => format!("`{addr}` will be created"),
        Action::Update => format!("`{addr}` will be updated in-place"),
        Action::Delete => match c.reason {
            Some(ActionReason::DeleteBecauseNoResourceConfig) => {
                format!("`{addr}` will be **destroyed** (no longer in the configuration)")
            }
            Some(ActionReason::DeleteBecauseCountIndex) => {
                format!("`{addr}` will be **destroyed** (index out of range for `count`)")
            }
            Some(ActionReason::DeleteBecauseEachKey) => {
                format!("`{addr}` will be **destroyed** (key no longer in `for_each`)")
            }
            _ => format!("`{addr}` will be **destroyed**"),
        },
        Action::Replace {
            create_before_destroy,
        } => {
            let how = if create_before_destroy {
                "created first, then the old one destroyed"
            } else {
                "destroyed, then created again"
            };
            let why = match c.reason {
                Some(ActionReason::ReplaceByRequest) => "replacement requested".to_owned(),
                Some(ActionReason::ReplaceBecauseTainted) => "the object is tainted".to_owned(),
                _ if c.replace_paths.is_empty() => "a change that cannot be made in place".into(),
                _ => c
                    .replace_paths
                    .iter()
                    .map(|p| format!("`{}` forces replacement", display_path(p)))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            format!("`{addr}` will be **replaced** ({how}): {why}")
        }
        Action::Read => format!("`{addr}` will be read during apply"),
        Action::Forget => format!(
            "`{addr}` will no longer be managed, but will **not** be destroyed (`removed` with `destroy = false`)"
        ),
        Action::NoOp if c.importing.is_some() => format!("`{addr}` will be imported"),
        Action::NoOp => match &c.previous {
            Some(old) => format!("`{old}` has moved to `{addr}`"),
            None => format!("`{addr}` has no changes"),
        },
    };
    let what = match &c.previous {
        Some(old) if c.action != Action::NoOp => format!("{what} (moved from `{old}`)"),
        _ => what,
    };
    match &c.importing {
        Some(id) if c.action != Action::NoOp => format!("{what} (imported from `{id}`)"),
        _ => what,
    }
}

/// Moves each line's action marker to the first column, so a `diff` fence colours it.
fn diff_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        let marker = trimmed.chars().next();
        match marker {
            Some(m @ ('+' | '-' | '~')) if lead > 0 && !trimmed.starts_with("-/+") => {
                let m = if m == '~' { '!' } else { m };
                out.push(m);
                out.push_str(&line[1..lead]);
                out.push(' ');
                out.push_str(&trimmed[1..]);
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

fn details(summary_html: &str, body: &str) -> String {
    format!(
        "<details><summary>{summary_html}</summary>\n\n```diff\n{}```\n\n</details>\n",
        diff_lines(body)
    )
}

fn html_summary(c: &ResourceChange) -> String {
    // The summary line is HTML: turn `code` spans into <code> elements.
    let s = summary(c);
    let mut out = String::new();
    let mut open = true;
    for (i, part) in s.split('`').enumerate() {
        if i > 0 {
            out.push_str(if open { "<code>" } else { "</code>" });
            open = !open;
        }
        out.push_str(&part.replace("**", ""));
    }
    out
}

/// A piece of the comment with its length in characters, counted once.
struct Piece {
    text: String,
    chars: usize,
}

impl Piece {
    fn new(text: String) -> Self {
        let chars = text.chars().count();
        Self { text, chars }
    }
}

/// Per-object blocks that degrade one by one: each is either its full `<details>` diff or a
/// one-line list item. Prefix and suffix sums make the length of any mix a constant-time sum.
struct Blocks {
    full: Vec<Piece>,
    short: Vec<Piece>,
    /// `full_before[k]`: characters of the first `k` full blocks, each with its blank line.
    full_before: Vec<usize>,
    /// `short_from[k]`: characters of the list items from the `k`-th on.
    short_from: Vec<usize>,
}

impl Blocks {
    /// `(full, short)` pairs; `short` is the list item's text without `- ` and newline.
    fn new(pairs: Vec<(String, String)>) -> Self {
        let (full, short): (Vec<Piece>, Vec<Piece>) = pairs
            .into_iter()
            .map(|(f, s)| (Piece::new(f + "\n"), Piece::new(format!("- {s}\n"))))
            .unzip();
        let mut full_before = vec![0];
        for p in &full {
            full_before.push(full_before[full_before.len() - 1] + p.chars);
        }
        let mut short_from = vec![0; short.len() + 1];
        for (i, p) in short.iter().enumerate().rev() {
            short_from[i] = short_from[i + 1] + p.chars;
        }
        Self {
            full,
            short,
            full_before,
            short_from,
        }
    }

    fn len(&self) -> usize {
        self.full.len()
    }

    fn is_empty(&self) -> bool {
        self.full.is_empty()
    }
}

/// Where the comment goes: a string being written, or a count of its characters (which never
/// builds it), so that fitting the budget and writing follow one layout.
trait Sink {
    fn piece(&mut self, piece: &Piece);
    fn text(&mut self, text: &str);
    /// The first `kept` blocks in full, the rest as list items.
    fn blocks(&mut self, blocks: &Blocks, kept: usize);
}

struct Counter(usize);

impl Sink for Counter {
    fn piece(&mut self, piece: &Piece) {
        self.0 += piece.chars;
    }
    fn text(&mut self, text: &str) {
        self.0 += text.chars().count();
    }
    fn blocks(&mut self, blocks: &Blocks, kept: usize) {
        self.0 += blocks.full_before[kept] + blocks.short_from[kept];
    }
}

impl Sink for String {
    fn piece(&mut self, piece: &Piece) {
        self.push_str(&piece.text);
    }
    fn text(&mut self, text: &str) {
        self.push_str(text);
    }
    fn blocks(&mut self, blocks: &Blocks, kept: usize) {
        for p in &blocks.full[..kept] {
            self.push_str(&p.text);
        }
        for p in &blocks.short[kept..] {
            self.push_str(&p.text);
        }
    }
}

/// The comment's parts, each built once; [`Document::emit`] lays them out with some resource
/// and drift diffs reduced to one line.
struct Document {
    head: Piece,
    resources: Blocks,
    drift: Blocks,
    /// Whether the plan changes anything (drift is only shown then, or in a refresh-only plan).
    has_changes: bool,
    /// A refresh-only plan (`plan -refresh-only`, `drift`): the drift is what it is about.
    refresh_only: bool,
    tail: Piece,
    noop_list: Piece,
    noop_note: Piece,
    footer: Piece,
}

impl Document {
    fn emit(&self, out: &mut impl Sink, list_noops: bool, kept: usize, drift_kept: usize) {
        out.piece(&self.head);
        if !self.resources.is_empty() {
            out.text("### Changes\n\n");
            out.blocks(&self.resources, kept);
            let left_out = self.resources.len() - kept;
            if left_out > 0 {
                let (were, them) = if left_out == 1 {
                    (" was", "it")
                } else {
                    ("s were", "them")
                };
                out.text(&format!(
                    "\n> [!NOTE]\n> {left_out} resource diff{were} left out to stay within GitHub's comment size limit; run `scwform plan` to see {them}.\n\n",
                ));
            }
        }
        if !self.drift.is_empty() && self.refresh_only {
            out.text("### Changes outside scwform\n\n");
            out.blocks(&self.drift, drift_kept);
            out.text("\nThis is a refresh-only plan: nothing is done to undo these. `scwform apply -refresh-only` records them in the state; `scwform apply` makes the objects match the configuration again.\n\n");
        } else if !self.drift.is_empty() && self.has_changes {
            out.text("### Changes outside scwform\n\nRefreshing found these objects changed since the last apply; the plan above may undo or respond to them.\n\n");
            out.blocks(&self.drift, drift_kept);
            out.text("\n");
        }
        out.piece(&self.tail);
        out.piece(if list_noops {
            &self.noop_list
        } else {
            &self.noop_note
        });
        out.piece(&self.footer);
    }

    fn chars(&self, list_noops: bool, kept: usize, drift_kept: usize) -> usize {
        let mut counter = Counter(0);
        self.emit(&mut counter, list_noops, kept, drift_kept);
        counter.0
    }

    fn write(&self, list_noops: bool, kept: usize, drift_kept: usize) -> String {
        let mut out = String::new();
        self.emit(&mut out, list_noops, kept, drift_kept);
        out
    }

    /// The most complete layout within `budget`: full; then without the unchanged list; then
    /// resource diffs in order while they fit, and drift diffs only if every resource diff
    /// does. Linear in the plan's size: lengths are sums of counts made once.
    fn fit(&self, budget: usize) -> String {
        let (all, all_drift) = (self.resources.len(), self.drift.len());
        if self.chars(true, all, all_drift) <= budget {
            return self.write(true, all, all_drift);
        }
        if self.chars(false, all, all_drift) <= budget {
            return self.write(false, all, all_drift);
        }
        let mut kept = 0;
        while kept < all && self.chars(false, kept + 1, 0) <= budget {
            kept += 1;
        }
        let mut drift_kept = 0;
        if kept == all {
            while drift_kept < all_drift && self.chars(false, kept, drift_kept + 1) <= budget {
                drift_kept += 1;
            }
        }
        self.write(false, kept, drift_kept)
    }
}

/// Renders the plan as Markdown within `input.budget` characters (when even the skeleton is
/// longer, the skeleton is returned as is).
#[must_use]
pub fn render(plan: &Plan, input: &MarkdownInput) -> String {
    let mut changed: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp || c.importing.is_some() || c.previous.is_some())
        .collect();
    // Destructive first, then by address (the changes are already sorted by address).
    changed.sort_by_key(|c| !c.action.is_destructive());
    let noops: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::NoOp && c.importing.is_none() && c.previous.is_none())
        .collect();
    let outputs: Vec<&OutputChange> = plan
        .outputs
        .iter()
        .filter(|o| o.action != Action::NoOp)
        .collect();
    let document = Document {
        head: Piece::new(if plan.options.refresh_only {
            drift_head(plan)
        } else {
            head(plan, &changed, noops.len(), &outputs)
        }),
        resources: resource_blocks(&changed),
        drift: drift_blocks(plan),
        has_changes: !changed.is_empty() || !outputs.is_empty(),
        refresh_only: plan.options.refresh_only,
        tail: Piece::new(outputs_section(&outputs)),
        noop_list: Piece::new(noop_list(&noops)),
        noop_note: Piece::new(noop_note(noops.len())),
        footer: Piece::new(footer(input.digest.as_deref(), input.saved_as.as_deref())),
    };
    document.fit(input.budget)
}

/// The title, the table of counts and the list of destructive changes.
fn head(
    plan: &Plan,
    changed: &[&ResourceChange],
    noops: usize,
    outputs: &[&OutputChange],
) -> String {
    let mut head = String::new();
    let title = if plan.errored {
        "## :x: Plan failed".to_owned()
    } else if changed.is_empty() && outputs.is_empty() {
        "## Plan: no changes".to_owned()
    } else {
        let summary = crate::render::text::summary(plan);
        format!("## {}", summary.trim_end_matches('.'))
    };
    let _ = writeln!(head, "{title}\n");
    if plan.errored {
        head.push_str(
            "Planning found errors (see the run's log); this plan cannot be applied.\n\n",
        );
    }
    if changed.is_empty() && outputs.is_empty() {
        head.push_str("No changes. Your infrastructure matches the configuration.\n\n");
    } else {
        let count = |f: &dyn Fn(Action) -> bool| changed.iter().filter(|c| f(c.action)).count();
        head.push_str("| Action | Resources |\n|---|---:|\n");
        for (label, n) in [
            ("create", count(&|a| a == Action::Create)),
            ("update in-place", count(&|a| a == Action::Update)),
            ("replace", count(&|a| matches!(a, Action::Replace { .. }))),
            ("destroy", count(&|a| a == Action::Delete)),
            ("forget (not destroyed)", count(&|a| a == Action::Forget)),
            (
                "move",
                changed.iter().filter(|c| c.previous.is_some()).count(),
            ),
            ("import", plan.import_count()),
            ("no changes", noops),
        ] {
            if n > 0 {
                let _ = writeln!(head, "| {label} | {n} |");
            }
        }
        head.push('\n');
    }
    let mut destructive = changed
        .iter()
        .filter(|c| c.action.is_destructive())
        .peekable();
    if destructive.peek().is_some() {
        head.push_str("### :warning: Destructive changes\n\n");
        for c in destructive {
            let _ = writeln!(head, "- {}", summary(c));
        }
        head.push('\n');
    }
    head
}

/// The title and table of counts of a refresh-only plan: what changed outside.
fn drift_head(plan: &Plan) -> String {
    let mut head = String::new();
    if plan.errored {
        head.push_str("## :x: Refresh failed\n\nRefreshing found errors (see the run's log).\n\n");
        return head;
    }
    if plan.drift.is_empty() {
        head.push_str("## Drift: none\n\nNo changes. Your infrastructure still matches the configuration.\n\n");
        return head;
    }
    let deleted = plan
        .drift
        .iter()
        .filter(|c| c.action == Action::Delete)
        .count();
    let changed = plan.drift.len() - deleted;
    let _ = writeln!(
        head,
        "## Drift: {} object{} changed outside scwform\n",
        plan.drift.len(),
        plural(plan.drift.len())
    );
    head.push_str("| Change | Resources |\n|---|---:|\n");
    for (label, n) in [("changed", changed), ("deleted", deleted)] {
        if n > 0 {
            let _ = writeln!(head, "| {label} | {n} |");
        }
    }
    head.push('\n');
    head
}

fn resource_blocks(changed: &[&ResourceChange]) -> Blocks {
    Blocks::new(
        changed
            .iter()
            .map(|c| {
                (
                    details(&html_summary(c), &resource_text(c, false)),
                    summary(c),
                )
            })
            .collect(),
    )
}

fn drift_blocks(plan: &Plan) -> Blocks {
    Blocks::new(
        plan.drift
            .iter()
            .map(|c| {
                let what = if c.action == Action::Delete {
                    "has been deleted"
                } else {
                    "has changed"
                };
                (
                    details(
                        &format!("<code>{}</code> {what}", c.addr),
                        &resource_text(c, true),
                    ),
                    format!("`{}` {what}", c.addr),
                )
            })
            .collect(),
    )
}

fn outputs_section(outputs: &[&OutputChange]) -> String {
    if outputs.is_empty() {
        return String::new();
    }
    format!(
        "### Changes to outputs\n\n```diff\n{}```\n\n",
        diff_lines(&outputs_text(outputs))
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn noop_list(noops: &[&ResourceChange]) -> String {
    if noops.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "<details><summary>{} unchanged resource{}</summary>\n\n",
        noops.len(),
        plural(noops.len())
    );
    for c in noops {
        let _ = writeln!(s, "- `{}`", c.addr);
    }
    s.push_str("\n</details>\n\n");
    s
}

fn noop_note(noops: usize) -> String {
    if noops == 0 {
        return String::new();
    }
    format!(
        "{noops} unchanged resource{} not listed.\n\n",
        plural(noops)
    )
}

fn footer(digest: Option<&str>, saved_as: Option<&str>) -> String {
    match (digest, saved_as) {
        (None, _) => String::new(),
        (Some(d), None) => format!(
            "<sub>Plan digest `{d}` (configuration files, state lineage and serial)</sub>\n"
        ),
        (Some(d), Some(file)) => format!(
            "<sub>Plan digest `{d}` (saved plan `{file}`: `scwform apply {file}` applies exactly this plan)</sub>\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_move_to_the_first_column() {
        let text = "  # a will be created\n  + resource \"t\" \"a\" {\n      + id = (known after apply)\n    }\n-/+ resource \"t\" \"b\" {\n      ~ x = 1 -> 2\n";
        assert_eq!(
            diff_lines(text),
            "  # a will be created\n+   resource \"t\" \"a\" {\n+       id = (known after apply)\n    }\n-/+ resource \"t\" \"b\" {\n!       x = 1 -> 2\n"
        );
    }

    #[test]
    fn paths_display_with_indexes() {
        assert_eq!(display_path("scopes.0.query_logs"), "scopes[0].query_logs");
        assert_eq!(display_path("description"), "description");
    }

    #[test]
    fn counted_length_is_the_written_length_for_every_layout() {
        let blocks = |n: usize| {
            Blocks::new(
                (0..n)
                    .map(|i| {
                        (
                            format!("<details>é{}</details>\n", "x".repeat(i)),
                            format!("`r{i}` ü"),
                        )
                    })
                    .collect(),
            )
        };
        let document = Document {
            head: Piece::new("## Plan ✓\n\n".into()),
            resources: blocks(3),
            drift: blocks(2),
            has_changes: true,
            refresh_only: false,
            tail: Piece::new("### Changes to outputs\n\n".into()),
            noop_list: Piece::new("<details>1 unchanged</details>\n\n".into()),
            noop_note: Piece::new("1 unchanged resource not listed.\n\n".into()),
            footer: Piece::new("<sub>digest</sub>\n".into()),
        };
        for list in [true, false] {
            for kept in 0..=3 {
                for drift_kept in 0..=2 {
                    assert_eq!(
                        document.chars(list, kept, drift_kept),
                        document.write(list, kept, drift_kept).chars().count(),
                        "{list} {kept} {drift_kept}"
                    );
                }
            }
        }
    }
}
