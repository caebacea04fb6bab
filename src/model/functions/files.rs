//! Functions that read files: `file`, `fileexists`, `fileset`, `filebase64` and the file
//! hashes (`filemd5`, `filesha1`, `filesha256`, `filesha512`, `filebase64sha256`,
//! `filebase64sha512`).
//!
//! Paths are read as Terraform reads them: a leading `~` is the home directory, and a relative
//! path is relative to the working directory (Terraform's base directory `.`), which is why
//! configurations write `"${path.module}/name"` (`path.module` is relative to the working
//! directory too). Error texts and the argument or call they are reported on are Terraform's:
//! a missing file is an argument error for `file` and `filebase64` (with Terraform's advice
//! about files created by resources) and a call error (Go's `open` message) for the hashes.
//!
//! `fileset` globs with the rules of the doublestar package Terraform uses: `*` and `?` within
//! one path segment, `**` for any number of whole segments, `[...]` classes (`!` or `^`
//! negates), `{a,b}` alternatives and `\` escapes; only regular files are listed, relative to
//! the given directory with `/` separators, as a set of strings.
//!
//! Depends on `model::value`, `model::types`, the sibling `paths` and `hash` helpers, and the
//! file system (read only).

use std::io::ErrorKind;

use super::hash;
use super::paths::{clean, expand};
use super::{FnError, FnResult, arg_str};
use crate::model::types::Type;
use crate::model::value::Value;

/// `~` expanded (the home directory from `$HOME`).
fn expanded(path: &str, arg: usize) -> Result<String, FnError> {
    let home = std::env::var("HOME").ok();
    expand(path, home.as_deref()).map_err(|e| FnError::Arg(arg, format!("failed to expand ~: {e}")))
}

/// Go's `filepath.Join(".", path)`: the cleaned path, as Go's error messages print it.
fn joined(path: &str) -> String {
    clean(path)
}

/// The bytes of a file, with the errors of Terraform's `file` and `filebase64`.
fn read_for_file(path: &str) -> Result<Vec<u8>, FnError> {
    let full = expanded(path, 0)?;
    match std::fs::read(joined(&full)) {
        Ok(bytes) => Ok(bytes),
        Err(e) if e.kind() == ErrorKind::NotFound => Err(FnError::Arg(
            0,
            format!(
                "no file exists at {}; this function works only with files that are \
                 distributed as part of the configuration source code, so if this file will be \
                 created by a resource in this configuration you must instead obtain this \
                 result from an attribute of that resource",
                go_quote(&full)
            ),
        )),
        Err(e) => Err(FnError::Arg(
            0,
            format!("failed to read file {}: {}", go_quote(&full), go_error(&e)),
        )),
    }
}

/// Go's `%q` for the paths in messages (Terraform's texts quote them so).
fn go_quote(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// An I/O error as Go words it (`no such file or directory`, `is a directory`...).
fn go_error(e: &std::io::Error) -> String {
    match e.kind() {
        ErrorKind::NotFound => "no such file or directory".into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        ErrorKind::IsADirectory => "is a directory".into(),
        _ => {
            let text = e.to_string();
            // Rust appends " (os error N)"; Go does not.
            let text = text.split(" (os error").next().unwrap_or(&text).to_owned();
            let mut chars = text.chars();
            chars.next().map_or(text.clone(), |first| {
                first.to_lowercase().collect::<String>() + chars.as_str()
            })
        }
    }
}

pub(super) fn file(args: Vec<Value>) -> FnResult {
    let path = arg_str(&args, 0)?;
    let bytes = read_for_file(path)?;
    String::from_utf8(bytes).map(Value::String).map_err(|_| {
        FnError::Call(format!(
            "contents of {} are not valid UTF-8; use the filebase64 function to obtain the \
             Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to \
             obtain file hashing results instead",
            go_quote(path)
        ))
    })
}

pub(super) fn filebase64(args: Vec<Value>) -> FnResult {
    let bytes = read_for_file(arg_str(&args, 0)?)?;
    Ok(Value::String(hash::base64(&bytes)))
}

/// The bytes of a file for the hash functions: errors are Go's `open` errors, as a call error.
fn read_for_hash(path: &str) -> Result<Vec<u8>, FnError> {
    let full = joined(&expanded(path, 0)?);
    std::fs::read(&full).map_err(|e| FnError::Call(format!("open {full}: {}", go_error(&e))))
}

fn hex_of(args: &[Value], digest: fn(&[u8]) -> Vec<u8>) -> FnResult {
    let bytes = read_for_hash(arg_str(args, 0)?)?;
    Ok(Value::String(hash::hex(&digest(&bytes))))
}

fn base64_of(args: &[Value], digest: fn(&[u8]) -> Vec<u8>) -> FnResult {
    let bytes = read_for_hash(arg_str(args, 0)?)?;
    Ok(Value::String(hash::base64(&digest(&bytes))))
}

fn md5_digest(bytes: &[u8]) -> Vec<u8> {
    use md5::Digest as _;
    md5::Md5::digest(bytes).to_vec()
}

pub(super) fn filemd5(args: Vec<Value>) -> FnResult {
    hex_of(&args, md5_digest)
}

pub(super) fn filesha1(args: Vec<Value>) -> FnResult {
    hex_of(&args, hash::sha1_digest)
}

pub(super) fn filesha256(args: Vec<Value>) -> FnResult {
    hex_of(&args, hash::sha256_digest)
}

pub(super) fn filesha512(args: Vec<Value>) -> FnResult {
    hex_of(&args, hash::sha512_digest)
}

pub(super) fn filebase64sha256(args: Vec<Value>) -> FnResult {
    base64_of(&args, hash::sha256_digest)
}

pub(super) fn filebase64sha512(args: Vec<Value>) -> FnResult {
    base64_of(&args, hash::sha512_digest)
}

pub(super) fn fileexists(args: Vec<Value>) -> FnResult {
    let path = arg_str(&args, 0)?;
    let full = joined(&expanded(path, 0)?);
    match std::fs::metadata(&full) {
        Ok(meta) if meta.is_file() => Ok(Value::Bool(true)),
        Ok(meta) if meta.is_dir() => Err(FnError::Call(format!(
            "{} is a directory, not a file",
            go_quote(path)
        ))),
        Ok(_) => Err(FnError::Call(format!(
            "{} is not a regular file, but {}",
            go_quote(path),
            "a special file"
        ))),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(Value::Bool(false)),
        Err(e) => Err(FnError::Call(format!(
            "failed to stat {}: {}",
            go_quote(path),
            go_error(&e)
        ))),
    }
}

pub(super) fn fileset(args: Vec<Value>) -> FnResult {
    let dir = arg_str(&args, 0)?;
    let pattern = arg_str(&args, 1)?;
    let root = joined(&expanded(dir, 0)?);
    let full_pattern = clean(&format!("{root}/{pattern}"));
    let bad = || {
        FnError::Call(format!(
            "failed to glob pattern {}: syntax error in pattern",
            go_quote(&full_pattern)
        ))
    };
    let alternatives = expand_braces(&full_pattern).ok_or_else(bad)?;
    let patterns: Vec<Vec<String>> = alternatives
        .iter()
        .map(|p| p.split('/').map(str::to_owned).collect())
        .collect();
    if patterns.iter().flatten().any(|seg| !valid_segment(seg)) {
        return Err(bad());
    }
    let mut found = Vec::new();
    let mut stack = vec![(root.clone(), String::new())];
    // Walk every regular file below `root` (directories are followed, not listed).
    while let Some((dir_path, rel)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir_path) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let child_rel = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let child_path = format!("{dir_path}/{name}");
            let Ok(meta) = std::fs::metadata(&child_path) else {
                continue;
            };
            if meta.is_dir() {
                stack.push((child_path, child_rel));
            } else if meta.is_file() {
                let full = clean(&format!("{root}/{child_rel}"));
                let segments: Vec<&str> = full.split('/').collect();
                if patterns.iter().any(|p| match_segments(p, &segments)) {
                    found.push(child_rel);
                }
            }
        }
    }
    found.sort();
    found.dedup();
    Ok(Value::set(
        Type::String,
        found.into_iter().map(Value::String).collect(),
    ))
}

/// `{a,b}` alternatives expanded (nested too); `None` for an unbalanced brace.
fn expand_braces(pattern: &str) -> Option<Vec<String>> {
    let bytes = pattern.as_bytes();
    let mut depth = 0usize;
    let mut open = None;
    let mut commas = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'{' => {
                if depth == 0 {
                    open = Some(i);
                    commas.clear();
                }
                depth += 1;
            }
            b',' if depth == 1 => commas.push(i),
            b'}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    let start = open?;
                    let prefix = &pattern[..start];
                    let suffix = &pattern[i + 1..];
                    let mut bounds = vec![start];
                    bounds.extend(&commas);
                    bounds.push(i);
                    let mut out = Vec::new();
                    for w in bounds.windows(2) {
                        let choice = &pattern[w[0] + 1..w[1]];
                        out.extend(expand_braces(&format!("{prefix}{choice}{suffix}"))?);
                    }
                    return Some(out);
                }
            }
            _ => {}
        }
        i += 1;
    }
    if depth > 0 {
        return None;
    }
    Some(vec![pattern.to_owned()])
}

/// Whether a segment's classes are closed and it does not end with a lone `\`.
fn valid_segment(seg: &str) -> bool {
    let chars: Vec<char> = seg.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                if i + 1 >= chars.len() {
                    return false;
                }
                i += 2;
            }
            '[' => match class_end(&chars, i) {
                Some(end) => i = end + 1,
                None => return false,
            },
            _ => i += 1,
        }
    }
    true
}

/// The index of the `]` closing the class opened at `start`.
fn class_end(chars: &[char], start: usize) -> Option<usize> {
    let mut i = start + 1;
    if matches!(chars.get(i), Some('!' | '^')) {
        i += 1;
    }
    let first = i;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            ']' if i > first => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn match_segments(pattern: &[String], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((first, rest)) if first == "**" => {
            (0..=path.len()).any(|skip| match_segments(rest, &path[skip..]))
        }
        Some((first, rest)) => path
            .split_first()
            .is_some_and(|(name, more)| match_one(first, name) && match_segments(rest, more)),
    }
}

/// One segment against a name: `*`, `?`, classes and escapes.
fn match_one(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_from(&p, &n)
}

fn match_from(p: &[char], n: &[char]) -> bool {
    let Some((&first, rest)) = p.split_first() else {
        return n.is_empty();
    };
    match first {
        '*' => (0..=n.len()).any(|k| match_from(rest, &n[k..])),
        '?' => !n.is_empty() && match_from(rest, &n[1..]),
        '[' => {
            let Some(end) = class_end(p, 0) else {
                return false;
            };
            let Some((&c, more)) = n.split_first() else {
                return false;
            };
            class_matches(&p[1..end], c) && match_from(&p[end + 1..], more)
        }
        '\\' => match (rest.split_first(), n.split_first()) {
            (Some((&lit, prest)), Some((&c, more))) => lit == c && match_from(prest, more),
            _ => false,
        },
        lit => n
            .split_first()
            .is_some_and(|(&c, more)| c == lit && match_from(rest, more)),
    }
}

/// A class body (between the brackets) against a character.
fn class_matches(body: &[char], c: char) -> bool {
    let (negated, body) = match body.split_first() {
        Some(('!' | '^', rest)) => (true, rest),
        _ => (false, body),
    };
    let mut i = 0;
    let mut hit = false;
    while i < body.len() {
        let mut lo = body[i];
        if lo == '\\' && i + 1 < body.len() {
            i += 1;
            lo = body[i];
        }
        if i + 2 < body.len() && body[i + 1] == '-' {
            let mut hi = body[i + 2];
            i += 2;
            if hi == '\\' && i + 1 < body.len() {
                i += 1;
                hi = body[i];
            }
            hit |= lo <= c && c <= hi;
        } else {
            hit |= lo == c;
        }
        i += 1;
    }
    hit != negated
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(pattern: &str, path: &str) -> bool {
        let segments: Vec<&str> = path.split('/').collect();
        expand_braces(pattern).is_some_and(|alts| {
            alts.iter().any(|a| {
                let p: Vec<String> = a.split('/').map(str::to_owned).collect();
                match_segments(&p, &segments)
            })
        })
    }

    #[test]
    fn doublestar_rules() {
        assert!(glob("*.txt", "a.txt"));
        assert!(!glob("*.txt", "d/a.txt"));
        assert!(glob("**/*.txt", "a.txt"));
        assert!(glob("**/*.txt", "d/e/a.txt"));
        assert!(glob("d/**", "d/e/a.txt"));
        assert!(glob("?.{txt,md}", "a.md"));
        assert!(!glob("?.{txt,md}", "ab.md"));
        assert!(glob("[a-c].txt", "b.txt"));
        assert!(!glob("[!a-c].txt", "b.txt"));
        assert!(glob("\\*.txt", "*.txt"));
        assert!(!glob("\\*.txt", "a.txt"));
        assert!(!valid_segment("["));
        assert!(!valid_segment("a\\"));
        assert!(expand_braces("{a,b").is_none());
    }

    #[test]
    fn reads_relative_to_the_working_directory() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().to_string_lossy().into_owned();
        std::fs::write(dir.path().join("a.txt"), "hi\n").expect("write");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        std::fs::write(dir.path().join("sub/b.txt"), [0xff, 0xfe]).expect("write");
        let s = |t: &str| Value::String(t.to_owned());
        assert_eq!(file(vec![s(&format!("{root}/a.txt"))]), Ok(s("hi\n")));
        assert!(matches!(
            file(vec![s(&format!("{root}/sub/b.txt"))]),
            Err(FnError::Call(m)) if m.contains("not valid UTF-8")
        ));
        assert!(matches!(
            file(vec![s(&format!("{root}/none"))]),
            Err(FnError::Arg(0, m)) if m.starts_with("no file exists at")
        ));
        assert!(matches!(
            filemd5(vec![s(&format!("{root}/none"))]),
            Err(FnError::Call(m)) if m.starts_with("open ") && m.ends_with("no such file or directory")
        ));
        assert_eq!(
            fileexists(vec![s(&format!("{root}/a.txt"))]),
            Ok(Value::Bool(true))
        );
        assert!(fileexists(vec![s(&root)]).is_err());
        let set = fileset(vec![s(&root), s("**/*.txt")]).expect("fileset");
        assert_eq!(
            set.as_list().map(<[Value]>::to_vec),
            Some(vec![s("a.txt"), s("sub/b.txt")])
        );
    }
}
