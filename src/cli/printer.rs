//! The only place that writes to stdout and stderr.
//!
//! Stdout carries data (plans, JSON, formatted files); stderr carries messages for people,
//! progress and diagnostics. A closed stdout (`scwform plan | head`) is not an error: writes
//! report it and the command exits 0, as ripgrep does.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{self, Write};

use crate::diag::{Diagnostics, Rendered, SourceMap};

/// Writes to the process's standard streams.
// Each bool is an independent global option.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy, Default)]
pub struct Printer {
    /// Suppress messages on stderr (diagnostics are still printed).
    pub quiet: bool,
    /// `--no-color`: never print colour codes.
    pub no_color: bool,
    /// `--compact-warnings`: when there are no errors, warnings as one line each.
    pub compact_warnings: bool,
    /// `-json` (plan, apply, destroy): everything goes to stdout as Terraform's machine-readable
    /// UI messages (see [`super::json_ui`]); lines for people are left out.
    pub json: bool,
}

impl Printer {
    /// Writes data to stdout, as is.
    ///
    /// # Errors
    /// The underlying I/O error (a broken pipe included: callers treat it as success).
    pub fn out(&self, text: &str) -> io::Result<()> {
        let mut stdout = io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        stdout.flush()
    }

    /// Writes a line for people to stderr (unless quiet).
    pub fn note(&self, text: &str) {
        if !self.quiet && !self.json {
            let _ = writeln!(io::stderr().lock(), "{text}");
        }
    }

    /// Writes a line to stderr even when quiet (errors and warnings).
    pub fn error(&self, text: &str) {
        if self.json {
            let _ = self.out(&super::json_ui::log("error", text.trim()));
            return;
        }
        let _ = writeln!(io::stderr().lock(), "{text}");
    }

    /// Renders diagnostics to stderr with miette's graphical handler (colour only on a terminal
    /// and when `NO_COLOR` is unset).
    pub fn diagnostics(&self, diagnostics: &Diagnostics, sources: &SourceMap) {
        if self.json {
            for d in diagnostics {
                let error = d.severity == crate::diag::Severity::Error;
                let line = super::json_ui::message(
                    if error { "error" } else { "warn" },
                    &format!("{}: {}", if error { "Error" } else { "Warning" }, d.summary),
                    "diagnostic",
                    std::iter::once(("diagnostic".to_owned(), d.to_json(sources))).collect(),
                );
                let _ = self.out(&line);
            }
            return;
        }
        if self.compact_warnings && !diagnostics.is_empty() && !diagnostics.has_errors() {
            // Terraform's `-compact-warnings` layout.
            let mut text = String::from("\nWarnings:\n\n");
            for d in diagnostics {
                text.push_str("- ");
                text.push_str(&d.summary);
                text.push('\n');
            }
            text.push_str("\nTo see the full warning notes, run without --compact-warnings.\n");
            let _ = io::stderr().lock().write_all(text.as_bytes());
            return;
        }
        let theme = if colors_on_stderr(self.no_color) {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        let width = terminal_width();
        let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(width);
        let mut text = String::new();
        for d in diagnostics {
            // Rendering into a String cannot fail.
            let _ = handler.render_report(&mut text, &Rendered::new(d, sources));
        }
        let _ = io::stderr().lock().write_all(text.as_bytes());
    }
}

/// Whether what goes to stderr may be coloured: not with `-no-color`, and otherwise as
/// anstream decides from the environment (`NO_COLOR`, `CLICOLOR`, `CLICOLOR_FORCE`, `TERM`) and
/// whether stderr is a terminal.
pub(crate) fn colors_on_stderr(no_color_flag: bool) -> bool {
    !no_color_flag && anstream::AutoStream::choice(&io::stderr()) != anstream::ColorChoice::Never
}

/// The width `COLUMNS` gives, when it is a number of at least 40.
fn columns_variable() -> Option<usize> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&w: &usize| w >= 40)
}

/// The terminal's width: `COLUMNS` when set, else the width of the terminal the process writes
/// to (when at least 40 columns).
fn terminal_columns() -> Option<usize> {
    columns_variable().or_else(|| {
        terminal_size::terminal_size()
            .map(|(w, _)| usize::from(w.0))
            .filter(|&w| w >= 40)
    })
}

/// The width to wrap diagnostics at: the terminal's when stderr is one, else `COLUMNS`, else
/// 100.
fn terminal_width() -> usize {
    use std::io::IsTerminal;
    if io::stderr().is_terminal() {
        terminal_columns()
    } else {
        columns_variable()
    }
    .unwrap_or(100)
}

/// The width for prose on stdout (plan notes): the terminal's, or 78 when stdout is not a
/// terminal, as Terraform.
pub(crate) fn text_width() -> usize {
    use std::io::IsTerminal;
    if io::stdout().is_terminal() {
        terminal_columns().unwrap_or(78)
    } else {
        78
    }
}

/// Progress on stderr while operations run: plain lines, or on a terminal the same lines above
/// a spinner that counts what is running and done.
#[derive(Debug)]
pub struct ProgressView {
    bar: Option<indicatif::ProgressBar>,
    quiet: bool,
}

impl Printer {
    /// Starts a progress view for `total` operations (a spinner only on a terminal and when
    /// not quiet).
    #[must_use]
    pub fn progress(&self, total: u64) -> ProgressView {
        use std::io::IsTerminal;
        let bar =
            (!self.quiet && !self.json && io::stderr().is_terminal() && total > 0).then(|| {
                let bar = indicatif::ProgressBar::new(total);
                bar.set_style(
                    indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} done {msg}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                );
                bar.enable_steady_tick(std::time::Duration::from_millis(120));
                bar
            });
        ProgressView {
            bar,
            quiet: self.quiet || self.json,
        }
    }

    /// Writes a question to stderr, without a newline, for the answer typed after it.
    pub fn prompt(&self, text: &str) {
        let mut err = io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    }
}

impl ProgressView {
    /// Prints one progress line.
    pub fn line(&self, text: &str) {
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(bar) => bar.println(text),
            None => {
                let _ = writeln!(io::stderr().lock(), "{text}");
            }
        }
    }

    /// Counts one finished operation and says how many are running.
    pub fn advance(&self, running: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(format!("({running} running)"));
        }
    }

    /// Removes the spinner.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
