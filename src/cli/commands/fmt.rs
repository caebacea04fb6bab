//! `scwform fmt`: rewrites `.tf` and `.tfvars` files in the canonical format, exactly as
//! `terraform fmt` does (same output bytes, same file selection, same listing and exit codes).
//!
//! Invariants: a file that does not parse is never written; a file is only written when its
//! formatted text parses to the same syntax tree, spans aside ([`crate::format::meaning`]).
//! Writes are atomic (a temporary file in the same directory, renamed over the original,
//! keeping its permissions). Exit codes: 0 = success, 2 = some file could not be read, parsed
//! or written, 3 = `--check` found files to format.

use std::fs;
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

use crate::cli::ExitStatus;
use crate::cli::args::FmtArgs;
use crate::cli::printer::Printer;
use crate::diag::{Diagnostic, Diagnostics, FileId, SourceMap};
use crate::format::{format_source, meaning};
use crate::parse::{self, ast};

/// File name endings `fmt` formats (Terraform also formats its test files; scwform has none).
const EXTENSIONS: [&str; 2] = [".tf", ".tfvars"];

/// The name stdin is reported under.
const STDIN_NAME: &str = "<stdin>";

/// Runs the command.
#[must_use]
pub fn run(args: &FmtArgs, printer: Printer) -> ExitStatus {
    let mut run = Run {
        args,
        printer,
        failed: false,
        needs_formatting: false,
        stdout_closed: false,
        cwd: std::env::current_dir().ok().map(|d| clean(&d)),
    };
    if args.paths.first().is_some_and(|p| p.as_os_str() == "-") {
        run.stdin();
    } else {
        let default = [PathBuf::from(".")];
        let paths = if args.paths.is_empty() {
            &default[..]
        } else {
            &args.paths[..]
        };
        for given in paths {
            // Terraform shows (and opens) every path relative to the working directory.
            let normalized = normalize(given, run.cwd.as_deref());
            let path = normalized.as_path();
            match fs::metadata(path) {
                Err(_) => {
                    // Like Terraform, a missing path stops the run.
                    run.error(
                        "scw::fmt::path_not_found",
                        format!("No file or directory at {}", path.display()),
                    );
                    break;
                }
                Ok(meta) if meta.is_dir() => run.dir(path),
                Ok(_) if is_supported(&path.to_string_lossy()) => run.file(path, &display(path)),
                Ok(_) => run.error(
                    "scw::fmt::unsupported_file",
                    format!(
                        "Only .tf and .tfvars files can be processed with scwform fmt: {}",
                        path.display()
                    ),
                ),
            }
        }
    }
    if run.failed {
        ExitStatus::Two
    } else if args.check && run.needs_formatting {
        ExitStatus::Three
    } else {
        ExitStatus::Success
    }
}

/// State of one `fmt` run.
struct Run<'a> {
    args: &'a FmtArgs,
    printer: Printer,
    /// Some file could not be read, parsed, checked or written.
    failed: bool,
    /// Some file's formatting differs from its text.
    needs_formatting: bool,
    /// The working directory (cleaned), which paths are shown relative to.
    cwd: Option<PathBuf>,
    /// Stdout was closed by the reader (`scwform fmt --diff | head`): stop writing to it.
    stdout_closed: bool,
}

impl Run<'_> {
    fn out(&mut self, text: &str) {
        if self.stdout_closed {
            return;
        }
        if let Err(e) = self.printer.out(text) {
            if e.kind() == io::ErrorKind::BrokenPipe {
                self.stdout_closed = true;
            } else {
                self.error(
                    "scw::fmt::write_failed",
                    format!("Failed to write output: {e}"),
                );
                self.stdout_closed = true;
            }
        }
    }

    fn error(&mut self, code: &'static str, summary: String) {
        self.failed = true;
        self.printer.diagnostics(
            &Diagnostics::from(Diagnostic::error(code, summary)),
            &SourceMap::new(),
        );
    }

    fn stdin(&mut self) {
        let mut bytes = Vec::new();
        if let Err(e) = io::stdin().lock().read_to_end(&mut bytes) {
            self.error(
                "scw::fmt::read_failed",
                format!("Failed to read {STDIN_NAME}: {e}"),
            );
            return;
        }
        self.process(STDIN_NAME, None, bytes);
    }

    fn dir(&mut self, dir: &Path) {
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                self.error(
                    "scw::fmt::read_failed",
                    format!("Cannot read directory {}: {e}", dir.display()),
                );
                return;
            }
        };
        let mut entries: Vec<fs::DirEntry> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(fs::DirEntry::file_name);
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_ignored(&name) {
                continue;
            }
            // As Terraform does, every path is shown relative to the working directory:
            // `./x.tf` as `x.tf`, and `../here/x.tf` as `x.tf`.
            let path = normalize(&dir.join(&name), self.cwd.as_deref());
            // The entry's own type: a symlink to a directory is not followed.
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                if self.args.recursive {
                    self.dir(&path);
                }
                continue;
            }
            if is_supported(&name) {
                let shown = display(&path);
                self.file(&path, &shown);
            }
        }
    }

    fn file(&mut self, path: &Path, name: &str) {
        match fs::read(path) {
            Ok(bytes) => self.process(name, Some(path), bytes),
            Err(e) => self.error(
                "scw::fmt::read_failed",
                format!("Failed to read file {name}: {e}"),
            ),
        }
    }

    /// Checks, formats and reports one input; `path` is `None` for stdin.
    fn process(&mut self, name: &str, path: Option<&Path>, bytes: Vec<u8>) {
        let Ok(text) = String::from_utf8(bytes) else {
            self.error(
                "scw::fmt::not_utf8",
                format!("{name} is not valid UTF-8 text"),
            );
            return;
        };
        let formatted = format_source(&text);
        let changed = formatted != text;
        let (before, after) = parse_both(&text, changed.then_some(formatted.as_str()));
        let before = match before {
            Ok(tree) => tree,
            Err(diagnostics) => {
                self.failed = true;
                let mut sources = SourceMap::new();
                sources.add(name, path, text);
                self.printer.diagnostics(&diagnostics, &sources);
                return;
            }
        };
        if changed {
            // Comparing trees, not tokens: the parser is the judge of what the text means,
            // including where it is more lenient than HashiCorp's scanner that the formatter
            // follows (there, moving blanks can break what the parser had accepted).
            if !after.is_some_and(|after| meaning::same_meaning(&before, &after)) {
                self.error(
                    "scw::fmt::meaning_changed",
                    format!(
                        "Formatting {name} would change its meaning, so it was left as is \
                         (see scw::fmt::meaning_changed in docs/errors.md)"
                    ),
                );
                return;
            }
            self.needs_formatting = true;
            let stdin = path.is_none();
            if !stdin {
                self.out(&format!("{name}\n"));
            }
            if let (Some(path), false) = (path, self.args.check)
                && let Err(e) = write_atomically(path, &formatted)
            {
                self.error(
                    "scw::fmt::write_failed",
                    format!("Failed to write {name}: {e}"),
                );
                return;
            }
            if self.args.diff {
                let diff = unified_diff(name, &text, &formatted);
                self.out(&diff);
            }
        }
        if path.is_none() && !self.args.check && !self.args.diff {
            // Terraform prints stdin's result as a line of its UI, which always ends with a
            // newline; formatted files keep their ending as it was.
            self.out(&formatted);
            if !formatted.ends_with('\n') {
                self.out("\n");
            }
        }
    }
}

/// Parses the original text and, when given, the formatted one (on a second thread: each is a
/// full parse, and the machine has the cores). The formatted tree is `None` when it does not
/// parse: only whether it does matters, its diagnostics would point at text nobody wrote.
fn parse_both(
    text: &str,
    formatted: Option<&str>,
) -> (Result<ast::File, Diagnostics>, Option<ast::File>) {
    let Some(formatted) = formatted else {
        return (parse::parse_source(text, FileId(0)), None);
    };
    std::thread::scope(|scope| {
        let after = scope.spawn(|| parse::parse_source(formatted, FileId(1)).ok());
        let before = parse::parse_source(text, FileId(0));
        // A panic while parsing the output counts as "does not parse": nothing is written.
        (before, after.join().ok().flatten())
    })
}

/// Whether `name` ends with a formatted extension.
fn is_supported(name: &str) -> bool {
    EXTENSIONS.iter().any(|ext| name.ends_with(ext))
}

/// Names Terraform skips in a directory: hidden files and directories, editor backups
/// (`x~`) and Emacs lock files (`#x#`).
fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
}

fn display(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// `path` relative to the working directory, lexically (as Terraform's `NormalizePath`: an
/// absolute path inside the working directory becomes relative, one outside it gets `..`).
fn normalize(path: &Path, cwd: Option<&Path>) -> PathBuf {
    let Some(cwd) = cwd else {
        return clean(path);
    };
    let absolute = clean(&cwd.join(path));
    relative(cwd, &absolute).unwrap_or(absolute)
}

/// Removes `.` components and folds `name/..`, without touching the file system (Go's
/// `filepath.Clean`); an empty result is `.`.
fn clean(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut parts: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                // `/..` is `/`.
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => parts.push(c),
            },
            _ => parts.push(c),
        }
    }
    if parts.is_empty() {
        PathBuf::from(".")
    } else {
        parts.iter().collect()
    }
}

/// The relative path from `base` to `target`, both absolute and clean (Go's `filepath.Rel`).
fn relative(base: &Path, target: &Path) -> Option<PathBuf> {
    use std::path::Component;
    if base.is_absolute() != target.is_absolute() {
        return None;
    }
    let b: Vec<Component<'_>> = base.components().collect();
    let t: Vec<Component<'_>> = target.components().collect();
    let common = b.iter().zip(&t).take_while(|(x, y)| x == y).count();
    if base.is_absolute() && common == 0 {
        // Different drives.
        return None;
    }
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    Some(out)
}

/// `diff -u` between the file and its formatted text, labelled `old/NAME` and `new/NAME`
/// as Terraform labels them.
fn unified_diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("old/{name}"), &format!("new/{name}"))
        .to_string()
}

/// Replaces the file at `path` (or, for a symlink, the file it points to) with `contents`:
/// written to a temporary file beside it, flushed to disk, given the original's permissions,
/// then renamed over it, so a crash leaves either the old or the new file, never a mix.
fn write_atomically(path: &Path, contents: &str) -> io::Result<()> {
    let target = fs::canonicalize(path)?;
    let dir = target.parent().unwrap_or_else(|| Path::new("."));
    let permissions = fs::metadata(&target)?.permissions();
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(contents.as_bytes())?;
    tmp.as_file().set_permissions(permissions)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{is_ignored, is_supported, unified_diff};

    #[test]
    fn selects_files_as_terraform_does() {
        assert!(is_supported("main.tf"));
        assert!(is_supported("prod.tfvars"));
        assert!(!is_supported("main.tf.json"));
        assert!(!is_supported("notes.txt"));
        assert!(is_ignored(".hidden.tf"));
        assert!(is_ignored("main.tf~"));
        assert!(is_ignored("#main.tf#"));
        assert!(!is_ignored("main.tf"));
    }

    #[test]
    fn paths_are_cleaned_and_made_relative_as_terraform_does() {
        use super::{clean, relative};
        use std::path::{Path, PathBuf};
        assert_eq!(clean(Path::new("./a/./b/../c.tf")), PathBuf::from("a/c.tf"));
        assert_eq!(clean(Path::new("./")), PathBuf::from("."));
        assert_eq!(clean(Path::new("../x/../y")), PathBuf::from("../y"));
        assert_eq!(clean(Path::new("/../a")), PathBuf::from("/a"));
        let rel = |b: &str, t: &str| relative(Path::new(b), Path::new(t));
        assert_eq!(
            rel("/w/repo", "/w/repo/m/x.tf"),
            Some(PathBuf::from("m/x.tf"))
        );
        assert_eq!(
            rel("/w/repo", "/w/other/x.tf"),
            Some(PathBuf::from("../other/x.tf"))
        );
        assert_eq!(rel("/w/repo", "/w/repo"), Some(PathBuf::from(".")));
        assert_eq!(rel("/w/repo", "rel"), None);
    }

    #[test]
    fn diff_is_labelled_old_and_new() {
        let diff = unified_diff("a.tf", "a=1\n", "a = 1\n");
        assert_eq!(
            diff,
            "--- old/a.tf\n+++ new/a.tf\n@@ -1 +1 @@\n-a=1\n+a = 1\n"
        );
    }
}
