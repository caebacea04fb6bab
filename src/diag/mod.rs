//! Diagnostics shared by every layer: what went wrong, where, and how to fix it.
//!
//! A [`Diagnostic`] is plain data (a code, a severity, a summary, labelled spans, help). Layers
//! build them; only the CLI renders them, either through miette ([`Rendered`], graphical) or as
//! Terraform's `validate -json` objects ([`Diagnostic::to_json`]). Keeping data apart from
//! rendering lets one error be shown as a terminal snippet, a JSON record and a snapshot.
//!
//! Invariants: every diagnostic has a code of the form `scw::<layer>::<kind>` listed in
//! `docs/errors.md`; spans point into files of the [`SourceMap`] the diagnostic is rendered with.
//!
//! Depends on nothing else in the crate.

mod source;
pub mod suggest;

use std::fmt;

pub use source::{FileId, Position, SourceFile, SourceMap, Span};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Something suspicious that does not stop the command.
    Warning,
    /// The command cannot go on.
    Error,
}

/// A labelled span inside a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say at that spot (may be empty).
    pub message: String,
    /// The primary label is the one the diagnostic's range points at.
    pub primary: bool,
}

/// One problem found in the user's input, or while carrying out a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code, `scw::<layer>::<kind>`.
    pub code: &'static str,
    /// One-line summary, in words, e.g. `Unsupported argument`.
    pub summary: String,
    /// Optional longer explanation.
    pub detail: Option<String>,
    /// Labelled spans; the first primary one (or the first one) gives the diagnostic's range.
    pub labels: Vec<Label>,
    /// Optional advice, e.g. a did-you-mean.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A new error with a code and a summary.
    #[must_use]
    pub fn error(code: &'static str, summary: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            summary: summary.into(),
            detail: None,
            labels: Vec::new(),
            help: None,
        }
    }

    /// A new warning with a code and a summary.
    #[must_use]
    pub fn warning(code: &'static str, summary: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, summary)
        }
    }

    /// Sets the detail text.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Adds the primary label.
    #[must_use]
    pub fn with_primary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: true,
        });
        self
    }

    /// Adds a secondary label.
    #[must_use]
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    /// Sets the help text.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this is an error (not a warning).
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The span the diagnostic is about: the first primary label, else the first label.
    #[must_use]
    pub fn primary_span(&self) -> Option<Span> {
        self.labels
            .iter()
            .find(|l| l.primary)
            .or_else(|| self.labels.first())
            .map(|l| l.span)
    }

    /// Terraform's `validate -json` diagnostic object.
    #[must_use]
    pub fn to_json(&self, sources: &SourceMap) -> serde_json::Value {
        let mut object = serde_json::Map::new();
        object.insert(
            "severity".into(),
            match self.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            }
            .into(),
        );
        object.insert("summary".into(), self.summary.clone().into());
        let mut detail = self.detail.clone().unwrap_or_default();
        if let Some(help) = &self.help {
            if !detail.is_empty() {
                detail.push_str("\n\n");
            }
            detail.push_str(help);
        }
        object.insert("detail".into(), detail.into());
        object.insert("code".into(), self.code.into());
        if let Some(span) = self.primary_span() {
            let (start, end) = sources.range(span);
            object.insert(
                "range".into(),
                serde_json::json!({
                    "filename": sources.file(span.file).name,
                    "start": start,
                    "end": end,
                }),
            );
        }
        serde_json::Value::Object(object)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary)
    }
}

/// A list of diagnostics collected across a phase.
///
/// Phases never stop at the first error: they push into this and carry on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// An empty list.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Adds many.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    /// Whether any of them is an error.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// Number of errors.
    #[must_use]
    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    #[must_use]
    pub fn warning_count(&self) -> usize {
        self.0.len() - self.error_count()
    }

    /// Whether the list is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Iterates over them.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// Sorts by file, then position, then code, so output is deterministic.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            let key = |d: &Diagnostic| d.primary_span().map(|s| (s.file, s.start, s.end));
            key(a).cmp(&key(b)).then_with(|| a.code.cmp(b.code))
        });
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Self(vec![d])
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(v: Vec<Diagnostic>) -> Self {
        Self(v)
    }
}

/// A diagnostic bound to its sources, ready for miette's graphical renderer.
pub struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
    source: Option<miette::NamedSource<String>>,
    file: Option<FileId>,
}

impl<'a> Rendered<'a> {
    /// Binds `diagnostic` to the file of its primary span.
    #[must_use]
    pub fn new(diagnostic: &'a Diagnostic, sources: &SourceMap) -> Self {
        let file = diagnostic.primary_span().map(|s| s.file);
        let source = file.map(|id| {
            let f = sources.file(id);
            miette::NamedSource::new(f.name.clone(), f.text.to_string()).with_language("hcl")
        });
        Self {
            diagnostic,
            source,
            file,
        }
    }
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.summary)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        match (&self.diagnostic.detail, &self.diagnostic.help) {
            (None, None) => None,
            (Some(d), None) => Some(Box::new(d)),
            (None, Some(h)) => Some(Box::new(h)),
            (Some(d), Some(h)) => Some(Box::new(format!("{d}\n{h}"))),
        }
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let file = self.file?;
        Some(Box::new(
            self.diagnostic
                .labels
                .iter()
                .filter(move |l| l.span.file == file)
                .map(|l| {
                    let text = (!l.message.is_empty()).then(|| l.message.clone());
                    let span =
                        miette::SourceSpan::new((l.span.start as usize).into(), l.span.len());
                    if l.primary {
                        miette::LabeledSpan::new_primary_with_span(text, span)
                    } else {
                        miette::LabeledSpan::new_with_span(text, span)
                    }
                }),
        ))
    }
}

/// Renders diagnostics the way tests snapshot them: unicode, no colour, 80 columns.
#[must_use]
pub fn render_plain(diagnostics: &Diagnostics, sources: &SourceMap) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(80);
    let mut out = String::new();
    for d in diagnostics {
        // Writing into a String cannot fail.
        handler
            .render_report(&mut out, &Rendered::new(d, sources))
            .expect("fmt::Write to String");
    }
    out
}
