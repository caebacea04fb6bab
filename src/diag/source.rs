//! Source files and byte spans.
//!
//! Every syntax node carries a [`Span`]: a file id and a byte range into that file's text. The
//! [`SourceMap`] owns the texts and turns byte offsets into 1-based lines and columns on demand
//! (line starts are computed once per file, lazily), so nothing on the hot parsing path pays for
//! line/column bookkeeping.
//!
//! This module depends on nothing else in the crate.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Identifies one source file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range `start..end` in one source file.
///
/// Offsets are `u32`: a single configuration file over 4 GiB is refused before parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The file the range points into.
    pub file: FileId,
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl Span {
    /// A span over `start..end` in `file`.
    #[must_use]
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        // Invariant: the parser refuses inputs longer than u32::MAX bytes, so offsets fit.
        Self {
            file,
            start: u32::try_from(start).expect("source offsets fit in u32 (checked at load)"),
            end: u32::try_from(end).expect("source offsets fit in u32 (checked at load)"),
        }
    }

    /// The smallest span covering both `self` and `other` (same file assumed).
    #[must_use]
    pub fn to(self, other: Self) -> Self {
        Self {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The byte range as `usize`s.
    #[must_use]
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Length in bytes.
    #[must_use]
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// Whether the span covers no bytes.
    #[must_use]
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// A 1-based line and column (columns count Unicode scalar values), plus the 0-based byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// 0-based byte offset.
    pub byte: usize,
}

/// One loaded source file. Its `Debug` shows the name and the length of the text, never the
/// text (a file may hold a passphrase or a sensitive variable's value, `TF_ENCRYPTION` does).
#[derive(Clone)]
pub struct SourceFile {
    /// The path as the user gave it (or `<stdin>`), used in diagnostics.
    pub name: String,
    /// The file on disk, if any.
    pub path: Option<PathBuf>,
    /// The full text.
    pub text: Arc<str>,
    line_starts: OnceLock<Vec<usize>>,
}

impl std::fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceFile")
            .field("name", &self.name)
            .field("path", &self.path)
            .field("text", &format_args!("<{} bytes>", self.text.len()))
            .finish_non_exhaustive()
    }
}

impl SourceFile {
    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(
                self.text
                    .bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| i + 1),
            );
            starts
        })
    }

    /// Line and column of a byte offset (clamped to the text).
    #[must_use]
    pub fn position(&self, byte: usize) -> Position {
        let byte = byte.min(self.text.len());
        let starts = self.line_starts();
        let line = match starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_start = starts[line];
        // A byte offset inside a multi-byte character counts as that character.
        let column = self.text[line_start..]
            .char_indices()
            .take_while(|&(i, _)| line_start + i < byte)
            .count()
            + 1;
        Position {
            line: line + 1,
            column,
            byte,
        }
    }
}

/// All source files of one run, addressed by [`FileId`].
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id.
    pub fn add(
        &mut self,
        name: impl Into<String>,
        path: Option<&Path>,
        text: impl Into<Arc<str>>,
    ) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).expect("fewer than 2^32 source files"));
        self.files.push(SourceFile {
            name: name.into(),
            path: path.map(Path::to_path_buf),
            text: text.into(),
            line_starts: OnceLock::new(),
        });
        id
    }

    /// The file with this id.
    ///
    /// # Panics
    /// If the id was not issued by this map (an invariant of every caller).
    #[must_use]
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The text a span covers.
    #[must_use]
    pub fn slice(&self, span: Span) -> &str {
        &self.file(span.file).text[span.range()]
    }

    /// Start and end positions of a span.
    #[must_use]
    pub fn range(&self, span: Span) -> (Position, Position) {
        let file = self.file(span.file);
        (
            file.position(span.start as usize),
            file.position(span.end as usize),
        )
    }

    /// All files, in the order they were added.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(u32::try_from(i).expect("fewer than 2^32 files")), f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let mut map = SourceMap::new();
        let id = map.add("a.tf", None, "ab\né = 1\n");
        let file = map.file(id);
        assert_eq!(
            file.position(0),
            Position {
                line: 1,
                column: 1,
                byte: 0
            }
        );
        assert_eq!(
            file.position(3),
            Position {
                line: 2,
                column: 1,
                byte: 3
            }
        );
        // 'é' is two bytes: the '=' after "é " is column 3.
        assert_eq!(file.position(6).column, 3);
        assert_eq!(file.position(999).line, 3);
    }
}
