//! Parsing: `.tf` text to the syntax tree in [`ast`].
//!
//! The only module that names pest types (the grammar lives in `grammar/`). It returns our own
//! AST with byte spans and comments, and syntax errors as [`crate::diag::Diagnostic`]s.

pub mod ast;
