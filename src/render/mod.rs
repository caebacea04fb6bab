//! Plan renderers: the human text (Terraform's layout), Terraform's JSON plan, and Markdown for
//! pull-request review; and [`config`], configuration text generated from recorded objects.
//!
//! Invariants: every renderer is pure (a `Plan` in, a `String` or JSON value out) and
//! deterministic; none ever writes a sensitive value (text and Markdown say
//! `(sensitive value)`, JSON writes `null` and flags it).
//!
//! Depends on `plan`, `state`, `schema`, `model::value` and `format` (generated configuration
//! in `fmt`'s layout); only `cli` prints what they return.

pub mod config;
pub mod json;
pub mod markdown;
pub mod text;

use sha2::{Digest, Sha256};

pub use json::JsonInput;
pub use markdown::MarkdownInput;
pub use text::TextOptions;

/// The output formats of `plan --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Terraform's human layout.
    #[default]
    Text,
    /// Terraform's JSON plan (format 1.2).
    Json,
    /// Markdown for a pull-request comment.
    Markdown,
}

/// A digest binding a plan to what was reviewed: SHA-256 over the configuration files (sorted
/// by name, each as name, NUL, length, NUL, content) then the state's lineage and serial.
/// Written `sha256:<hex>`.
#[must_use]
pub fn plan_digest(files: &[(String, String)], lineage: &str, serial: u64) -> String {
    let mut sorted: Vec<&(String, String)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut h = Sha256::new();
    for (name, text) in sorted {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.len().to_string().as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
    }
    h.update(b"lineage\0");
    h.update(lineage.as_bytes());
    h.update(b"\0serial\0");
    h.update(serial.to_string().as_bytes());
    let hex: String = h.finalize().iter().fold(String::new(), |mut s, b| {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
        s
    });
    format!("sha256:{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_ignores_file_order_but_not_content_or_serial() {
        let a = ("a.tf".to_owned(), "x".to_owned());
        let b = ("b.tf".to_owned(), "y".to_owned());
        let d1 = plan_digest(&[a.clone(), b.clone()], "l", 1);
        assert_eq!(d1, plan_digest(&[b.clone(), a.clone()], "l", 1));
        assert!(d1.starts_with("sha256:") && d1.len() == 7 + 64);
        assert_ne!(d1, plan_digest(&[a.clone(), b.clone()], "l", 2));
        assert_ne!(d1, plan_digest(&[a, ("b.tf".into(), "z".into())], "l", 1));
    }
}
