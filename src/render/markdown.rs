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
    /// Largest output allowed, in characters.
    pub budget: usize,
}

impl Default for MarkdownInput {
    fn default() -> Self {
        Self {
            digest: None,
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
    match c.action {
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
        Action::NoOp => format!("`{addr}` has no changes"),
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

/// Renders the plan as Markdown within `input.budget` characters (when even the skeleton is
/// longer, the skeleton is returned as is).
#[must_use]
pub fn render(plan: &Plan, input: &MarkdownInput) -> String {
    let counts = plan.counts();
    let mut changed: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    // Destructive first, then by address (the changes are already sorted by address).
    changed.sort_by_key(|c| !c.action.is_destructive());
    let noops: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::NoOp)
        .collect();
    let outputs: Vec<&OutputChange> = plan
        .outputs
        .iter()
        .filter(|o| o.action != Action::NoOp)
        .collect();

    let mut head = String::new();
    let title = if plan.errored {
        "## :x: Plan failed".to_owned()
    } else if changed.is_empty() && outputs.is_empty() {
        "## Plan: no changes".to_owned()
    } else {
        format!(
            "## Plan: {} to add, {} to change, {} to destroy",
            counts.add, counts.change, counts.destroy
        )
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
            ("no changes", noops.len()),
        ] {
            if n > 0 {
                let _ = writeln!(head, "| {label} | {n} |");
            }
        }
        head.push('\n');
    }
    let destructive: Vec<&&ResourceChange> = changed
        .iter()
        .filter(|c| c.action.is_destructive())
        .collect();
    if !destructive.is_empty() {
        head.push_str("### :warning: Destructive changes\n\n");
        for c in &destructive {
            let _ = writeln!(head, "- {}", summary(c));
        }
        head.push('\n');
    }

    let resource_blocks: Vec<(String, String)> = changed
        .iter()
        .map(|c| {
            (
                details(&html_summary(c), &resource_text(c, false)),
                summary(c),
            )
        })
        .collect();
    let drift_blocks: Vec<(String, String)> = plan
        .drift
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
        .collect();
    let mut tail = String::new();
    if !outputs.is_empty() {
        let _ = write!(
            tail,
            "### Changes to outputs\n\n```diff\n{}```\n\n",
            diff_lines(&outputs_text(&outputs))
        );
    }
    let noop_list = if noops.is_empty() {
        String::new()
    } else {
        let mut s = format!(
            "<details><summary>{} unchanged resource{}</summary>\n\n",
            noops.len(),
            if noops.len() == 1 { "" } else { "s" }
        );
        for c in &noops {
            let _ = writeln!(s, "- `{}`", c.addr);
        }
        s.push_str("\n</details>\n\n");
        s
    };
    let mut footer = String::new();
    if let Some(d) = &input.digest {
        let _ = writeln!(
            footer,
            "<sub>Plan digest `{d}` (configuration files, state lineage and serial)</sub>"
        );
    }

    // Fit the budget: full, then without the unchanged list, then diffs until the budget.
    let assemble = |noop: &str, kept: usize, drift_kept: usize| -> String {
        let mut out = head.clone();
        if !resource_blocks.is_empty() {
            out.push_str("### Changes\n\n");
            for (i, (full, short)) in resource_blocks.iter().enumerate() {
                if i < kept {
                    out.push_str(full);
                    out.push('\n');
                } else {
                    let _ = writeln!(out, "- {short}");
                }
            }
            if kept < resource_blocks.len() {
                let _ = writeln!(
                    out,
                    "\n> [!NOTE]\n> {} resource diff{} left out to stay within GitHub's comment size limit; run `scwform plan` to see {}.\n",
                    resource_blocks.len() - kept,
                    if resource_blocks.len() - kept == 1 {
                        " was"
                    } else {
                        "s were"
                    },
                    if resource_blocks.len() - kept == 1 {
                        "it"
                    } else {
                        "them"
                    },
                );
            }
        }
        let has_changes = !changed.is_empty() || !outputs.is_empty();
        if !drift_blocks.is_empty() && has_changes {
            out.push_str("### Changes outside scwform\n\nRefreshing found these objects changed since the last apply; the plan above may undo or respond to them.\n\n");
            for (i, (full, short)) in drift_blocks.iter().enumerate() {
                if i < drift_kept {
                    out.push_str(full);
                    out.push('\n');
                } else {
                    let _ = writeln!(out, "- {short}");
                }
            }
            out.push('\n');
        }
        out.push_str(&tail);
        out.push_str(noop);
        out.push_str(&footer);
        out
    };
    let full = assemble(&noop_list, resource_blocks.len(), drift_blocks.len());
    if full.chars().count() <= input.budget {
        return full;
    }
    let noop_note = if noops.is_empty() {
        String::new()
    } else {
        format!(
            "{} unchanged resource{} not listed.\n\n",
            noops.len(),
            if noops.len() == 1 { "" } else { "s" }
        )
    };
    let without_noops = assemble(&noop_note, resource_blocks.len(), drift_blocks.len());
    if without_noops.chars().count() <= input.budget {
        return without_noops;
    }
    // Keep drift diffs only if every resource diff fits; otherwise drop them first.
    let mut drift_kept = 0;
    let mut kept = 0;
    while kept < resource_blocks.len()
        && assemble(&noop_note, kept + 1, 0).chars().count() <= input.budget
    {
        kept += 1;
    }
    if kept == resource_blocks.len() {
        while drift_kept < drift_blocks.len()
            && assemble(&noop_note, kept, drift_kept + 1).chars().count() <= input.budget
        {
            drift_kept += 1;
        }
    }
    assemble(&noop_note, kept, drift_kept)
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
}
