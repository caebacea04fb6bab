//! docs/architecture.md's table of modules is the one-way rule: each top-level module of the
//! library may use only the modules its row names. This test reads the table and every module's
//! non-test source, and fails on a `crate::X` path the row does not allow, or on a top-level
//! module the table does not describe, so the document stays true as the code moves.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What a row allows: `Some(set)` of module names, or `None` for "everything".
type Allowed = Option<BTreeSet<String>>;

/// The rows of the table under "| module | owns | may use |": module name → allowed modules.
fn table(doc: &str) -> BTreeMap<String, Allowed> {
    let mut rows = BTreeMap::new();
    let mut in_table = false;
    for line in doc.lines() {
        if line.starts_with("| module | owns | may use |") {
            in_table = true;
            continue;
        }
        if !in_table {
            continue;
        }
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // ["", module, owns, may use, ""]
        let [_, module, _, may_use, ..] = cells.as_slice() else {
            continue;
        };
        if module.starts_with("---") {
            continue;
        }
        let module = module.trim_matches('`').to_owned();
        let allowed = if may_use.trim() == "everything" {
            None
        } else {
            Some(backticked(may_use).into_iter().map(str::to_owned).collect())
        };
        rows.insert(module, allowed);
    }
    rows
}

/// The text between each pair of backticks.
fn backticked(cell: &str) -> Vec<&str> {
    cell.split('`').skip(1).step_by(2).collect()
}

/// The library's top-level modules, from `pub mod X;` lines of src/lib.rs.
fn top_level_modules(lib: &str) -> BTreeSet<String> {
    lib.lines()
        .filter_map(|line| line.trim().strip_prefix("pub mod "))
        .map(|rest| rest.trim_end_matches(';').trim().to_owned())
        .collect()
}

/// The module's source files: `src/X.rs`, or every `.rs` file under `src/X/`, without the files
/// that only hold tests.
fn sources(module: &str) -> Vec<PathBuf> {
    let file = root().join("src").join(format!("{module}.rs"));
    if file.is_file() {
        return vec![file];
    }
    let mut found = Vec::new();
    let mut dirs = vec![root().join("src").join(module)];
    while let Some(dir) = dirs.pop() {
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "tests") {
                    dirs.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "tests.rs")
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The paths a file's code names as `crate::a::b` (or `crate::{a::b, …}`, `crate::a::{b, c}`),
/// as `a::b` strings, outside comments and outside its `#[cfg(test)]` part.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("#[cfg(test)]") {
            break;
        }
        let code = code.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
                continue; // `$crate::` or `some_crate::`
            }
            expand("", rest, &mut used);
        }
    }
    used
}

/// Adds the path (or, for a `{…}` group, each path of the group) at the start of `text`.
fn expand(prefix: &str, text: &str, used: &mut BTreeSet<String>) {
    if let Some(group) = text.strip_prefix('{') {
        let end = group.find('}').unwrap_or(group.len());
        for item in group[..end].split(',') {
            expand(prefix, item.trim(), used);
        }
        return;
    }
    let mut path = prefix.to_owned();
    let mut rest = text;
    loop {
        let name = ident(rest);
        if name.is_empty() {
            break;
        }
        if !path.is_empty() {
            path.push_str("::");
        }
        path.push_str(name);
        rest = &rest[name.len()..];
        match rest.strip_prefix("::") {
            Some(after) if after.starts_with('{') => return expand(&path, after, used),
            Some(after) => rest = after,
            None => break,
        }
    }
    if !path.is_empty() {
        used.insert(path);
    }
}

/// Whether `path` (`a::b::c`) is inside one of the allowed paths (`a`, or `a::b`).
fn allowed_path(path: &str, allowed: &BTreeSet<String>) -> bool {
    allowed
        .iter()
        .any(|entry| path == entry || path.starts_with(&format!("{entry}::")))
}

fn ident(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn every_module_uses_only_what_the_architecture_table_allows() {
    let doc =
        fs::read_to_string(root().join("docs/architecture.md")).expect("docs/architecture.md");
    let lib = fs::read_to_string(root().join("src/lib.rs")).expect("src/lib.rs");
    let rows = table(&doc);
    let modules = top_level_modules(&lib);
    assert!(
        modules.len() > 10,
        "src/lib.rs lists too few modules: {modules:?}"
    );

    let mut problems = Vec::new();
    for module in &modules {
        if !rows.contains_key(module) {
            problems.push(format!(
                "`{module}` is a top-level module but has no row in docs/architecture.md"
            ));
        }
    }
    for row in rows.keys() {
        if !modules.contains(row) {
            problems.push(format!(
                "docs/architecture.md describes `{row}`, which src/lib.rs does not declare"
            ));
        }
    }
    for (module, allowed) in &rows {
        let Some(allowed) = allowed else { continue };
        if !modules.contains(module) {
            continue;
        }
        for file in sources(module) {
            let text = fs::read_to_string(&file).expect("source file");
            for used in crate_paths(&text) {
                let top = used.split("::").next().unwrap_or_default();
                if top != module && !allowed_path(&used, allowed) {
                    problems.push(format!(
                        "{} uses `crate::{used}`, but `{module}` may use only {allowed:?}",
                        relative(&file)
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_scanner_sees_grouped_and_plain_paths_and_skips_comments_and_tests() {
    let text = "use crate::{diag::Diagnostic, schema};\n\
                // crate::plan in a comment\n\
                let x = crate::state::load(); // crate::apply\n\
                let y = $crate::inner;\n\
                #[cfg(test)]\n\
                mod tests { use crate::cli; }\n";
    let found: Vec<String> = crate_paths(text).into_iter().collect();
    assert_eq!(found, ["diag::Diagnostic", "schema", "state::load"]);
    let nested: Vec<String> = crate_paths("use crate::api::{types::Region, client};")
        .into_iter()
        .collect();
    assert_eq!(nested, ["api::client", "api::types::Region"]);
    let rows = table(
        "| module | owns | may use |\n|---|---|---|\n| `a` | x | `b`, `c::types` only |\n\
         | `cli` | y | everything |\n| `n` | z | nothing |\n\ntext",
    );
    assert_eq!(
        rows["a"]
            .as_ref()
            .map(|s| s.iter().cloned().collect::<Vec<_>>()),
        Some(vec!["b".to_owned(), "c::types".to_owned()])
    );
    let a = rows["a"].as_ref().expect("a row");
    assert!(allowed_path("c::types::Region", a));
    assert!(allowed_path("b", a));
    assert!(!allowed_path("c::client", a));
    assert!(!allowed_path("bb", a));
    assert_eq!(rows["cli"], None);
    assert_eq!(rows["n"], Some(BTreeSet::new()));
}
