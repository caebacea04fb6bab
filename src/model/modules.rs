//! Reading the modules a configuration calls: each `module` block's local `source` directory,
//! its `.tf` and `.tf.json` files (override files merged in) read and parsed once per command,
//! recursively, then lowered into the calling [`Module`]'s `children`.
//!
//! Invariants: only local paths (`./…`, `../…`) are read; any other source (registry, Git,
//! HTTP, S3…) is refused with a diagnostic naming it and its kind, and nothing is fetched. A
//! directory called several times is read and parsed once. A module that calls itself (at any
//! depth) is refused instead of recursing forever.
//!
//! Depends on `parse`, `diag` and the sibling `lower` module. Touches the file system only to
//! read the called directories.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::lower::{self, ChildModule, Module, is_local_source, remote_source_kind};
use crate::diag::{Diagnostic, Diagnostics, SourceMap, Span};
use crate::parse::ast;

/// The parsed files of one called directory and the calls they make.
#[derive(Debug)]
pub struct ModuleFiles {
    /// The directory relative to the root module's (`path.module`): `modules/app`.
    pub dir: String,
    /// Its configuration files, parsed.
    pub files: Vec<ast::File>,
    /// Its module calls whose directory was read: (call name, index in the arena).
    calls: Vec<(String, usize)>,
}

/// Every directory a configuration calls, read once.
#[derive(Debug, Default)]
pub struct ModuleArena {
    /// The called directories, each once.
    pub modules: Vec<ModuleFiles>,
    /// The root module's calls whose directory was read.
    root_calls: Vec<(String, usize)>,
}

/// Reads the modules `files` (the root module's, in `root_dir`) call, recursively.
pub fn read(
    files: &[ast::File],
    root_dir: &Path,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> ModuleArena {
    let mut reader = Reader {
        arena: ModuleArena::default(),
        by_dir: HashMap::new(),
        in_progress: Vec::new(),
        sources,
        diags,
    };
    let root_calls = reader.calls_of(files, root_dir, "");
    reader.arena.root_calls = root_calls;
    reader.arena
}

/// `module` blocks with a literal source: (name, source, span of the source).
fn module_blocks(files: &[ast::File]) -> Vec<(&str, String, Span)> {
    let mut out = Vec::new();
    for block in files.iter().flat_map(|f| f.body.blocks()) {
        if block.ident.name != "module" || block.labels.len() != 1 {
            continue;
        }
        let source = block.body.attributes().find(|a| a.name.name == "source");
        if let Some(a) = source
            && let ast::ExprKind::Template(t) = &a.expr.kind
            && let Some(text) = t.as_literal()
        {
            out.push((block.labels[0].value.as_str(), text, a.expr.span));
        }
    }
    out
}

/// `parent/source` with `.` and `..` resolved, as Terraform shows `path.module`
/// (`modules/app`; `.` for the root).
fn join_relative(parent: &str, source: &str) -> String {
    let mut parts: Vec<&str> = parent
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for part in source.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

struct Reader<'s> {
    arena: ModuleArena,
    /// Directories already read (canonical path → index).
    by_dir: HashMap<PathBuf, usize>,
    /// The directories being read (the chain of calls), to refuse a module calling itself.
    in_progress: Vec<PathBuf>,
    sources: &'s mut SourceMap,
    diags: &'s mut Diagnostics,
}

impl Reader<'_> {
    fn calls_of(&mut self, files: &[ast::File], dir: &Path, rel: &str) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        for (name, source, span) in module_blocks(files) {
            if !is_local_source(&source) {
                self.diags.push(
                    Diagnostic::error("scw::model::module_source", "Unsupported module source")
                        .with_primary(span, "not a local directory")
                        .with_detail(format!(
                            "The module \"{name}\" comes from \"{source}\", {}. scwform reads modules from local directories only (a source starting with ./ or ../) and never downloads code.",
                            remote_source_kind(&source)
                        ))
                        .with_help("download the module into a directory of this configuration and call it with a local path, as in source = \"./modules/NAME\""),
                );
                continue;
            }
            if let Some(index) = self.directory(name, &source, span, dir, rel) {
                out.push((name.to_owned(), index));
            }
        }
        out
    }

    /// The arena index of the directory `source` names (read now if it was not yet).
    fn directory(
        &mut self,
        name: &str,
        source: &str,
        span: Span,
        parent: &Path,
        parent_rel: &str,
    ) -> Option<usize> {
        let path = parent.join(source);
        let unreadable = |this: &mut Self, why: String| {
            this.diags.push(
                Diagnostic::error(
                    "scw::model::module_unreadable",
                    "Unreadable module directory",
                )
                .with_primary(span, "cannot be read")
                .with_detail(format!(
                    "The directory {} of module \"{name}\" {why}.",
                    path.display()
                )),
            );
            None
        };
        let canonical = match path.canonicalize() {
            Ok(c) => c,
            Err(e) => return unreadable(self, format!("cannot be read: {e}")),
        };
        if self.in_progress.contains(&canonical) {
            self.diags.push(
                Diagnostic::error("scw::model::module_cycle", "Module calls itself")
                    .with_primary(span, "calls a module that is calling it")
                    .with_detail(format!("The module \"{name}\" ({source}) is already being called by this chain of module calls, so calling it would never end.")),
            );
            return None;
        }
        if let Some(&index) = self.by_dir.get(&canonical) {
            return Some(index);
        }
        let listed = match super::load::list_dir(&path) {
            Ok(files) => files,
            Err(e) => return unreadable(self, format!("cannot be read: {e}")),
        };
        if listed.is_empty() {
            return unreadable(self, "has no .tf or .tf.json files".to_owned());
        }
        let mut files = Vec::with_capacity(listed.len());
        let mut override_files = Vec::new();
        for file in listed {
            let text = match std::fs::read_to_string(&file) {
                Ok(t) if u32::try_from(t.len()).is_ok() => t,
                Ok(_) => {
                    return unreadable(
                        self,
                        format!("holds {}, larger than 4 GiB", file.display()),
                    );
                }
                Err(e) => {
                    return unreadable(self, format!("cannot be read ({}: {e})", file.display()));
                }
            };
            let shown = file.to_string_lossy().trim_start_matches("./").to_owned();
            let is_override = super::overrides::is_override_file(&shown);
            let id = self.sources.add(shown.clone(), Some(&file), text);
            let text = self.sources.file(id).text.clone();
            match super::load::parse_config_text(&shown, &text, id) {
                Ok(f) if is_override => override_files.push(f),
                Ok(f) => files.push(f),
                Err(d) => self.diags.extend(d),
            }
        }
        super::overrides::merge(&mut files, override_files, self.diags);
        let rel = join_relative(parent_rel, source);
        self.in_progress.push(canonical.clone());
        let calls = self.calls_of(&files, &path, &rel);
        self.in_progress.pop();
        let index = self.arena.modules.len();
        self.arena.modules.push(ModuleFiles {
            dir: rel,
            files,
            calls,
        });
        self.by_dir.insert(canonical, index);
        Some(index)
    }
}

impl ModuleArena {
    /// Lowers every called module into `root.children`, recursively, and checks what the
    /// callers read of them.
    pub fn attach<'a>(&'a self, root: &mut Module<'a>, diags: &mut Diagnostics) {
        attach_calls(root, &self.root_calls, &self.modules, diags);
        lower::check_module_outputs(root, diags);
    }

    /// Every parsed file of the called modules (kept with the root's by the caller).
    pub fn into_files(self) -> impl Iterator<Item = ast::File> {
        self.modules.into_iter().flat_map(|m| m.files)
    }
}

fn attach_calls<'a>(
    module: &mut Module<'a>,
    calls: &'a [(String, usize)],
    arena: &'a [ModuleFiles],
    diags: &mut Diagnostics,
) {
    for (name, index) in calls {
        let files = &arena[*index];
        let mut child = lower::lower(&files.files, diags);
        attach_calls(&mut child, &files.calls, arena, diags);
        lower::check_module_outputs(&child, diags);
        module.children.insert(
            name.as_str(),
            ChildModule {
                module: child,
                dir: files.dir.clone(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::join_relative;

    #[test]
    fn module_paths_are_relative_to_the_root_and_cleaned() {
        assert_eq!(join_relative("", "./modules/app"), "modules/app");
        assert_eq!(join_relative("modules/app", "../db"), "modules/db");
        assert_eq!(
            join_relative("modules/app", "./inner/"),
            "modules/app/inner"
        );
        assert_eq!(join_relative("", "../shared"), "../shared");
        assert_eq!(join_relative("modules/a", "../.."), ".");
    }
}
