//! Path functions that read no file: `basename`, `dirname`, `abspath`, `pathexpand`.
//!
//! They are Go's `filepath.Base`, `filepath.Dir`, `filepath.Abs` and go-homedir's `Expand`, as
//! Terraform uses them, on `/`-separated paths. `abspath` joins a relative path to the
//! process's working directory; `pathexpand` reads `HOME`.
//!
//! Depends on `model::value` (thin adapters).

use super::{FnError, FnResult, arg_str};
use crate::model::value::Value;

/// Go's `path.Clean`: one `/` between elements, `.` removed, `..` resolved where it can be.
pub(super) fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// Go's `filepath.Base`: the last element, trailing slashes ignored.
pub(super) fn base(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_owned();
    }
    trimmed
        .rsplit_once('/')
        .map_or(trimmed, |(_, last)| last)
        .to_owned()
}

/// Go's `filepath.Dir`: everything but the last element, cleaned.
pub(super) fn dir(path: &str) -> String {
    let head = path.rfind('/').map_or("", |i| &path[..=i]);
    clean(head)
}

/// go-homedir's `Expand`: a leading `~` (alone or before `/`) becomes the home directory.
pub(super) fn expand(path: &str, home: Option<&str>) -> Result<String, String> {
    let Some(rest) = path.strip_prefix('~') else {
        return Ok(path.to_owned());
    };
    if !rest.is_empty() && !rest.starts_with('/') && !rest.starts_with('\\') {
        return Err("cannot expand user-specific home dir".to_owned());
    }
    let home = home
        .filter(|h| !h.is_empty())
        .ok_or_else(|| "$HOME is not defined".to_owned())?;
    Ok(clean(&format!("{home}/{rest}")))
}

/// Go's `filepath.Abs`: a relative path joined to `cwd`, then cleaned.
pub(super) fn absolute(path: &str, cwd: &str) -> String {
    if path.starts_with('/') {
        clean(path)
    } else {
        clean(&format!("{cwd}/{path}"))
    }
}

pub(super) fn basename(args: Vec<Value>) -> FnResult {
    Ok(Value::String(base(arg_str(&args, 0)?)))
}

pub(super) fn dirname(args: Vec<Value>) -> FnResult {
    Ok(Value::String(dir(arg_str(&args, 0)?)))
}

pub(super) fn abspath(args: Vec<Value>) -> FnResult {
    let cwd = std::env::current_dir()
        .map_err(|e| FnError::Call(format!("cannot read the working directory: {e}")))?;
    Ok(Value::String(absolute(
        arg_str(&args, 0)?,
        &cwd.to_string_lossy(),
    )))
}

pub(super) fn pathexpand(args: Vec<Value>) -> FnResult {
    let home = std::env::var("HOME").ok();
    expand(arg_str(&args, 0)?, home.as_deref())
        .map(Value::String)
        .map_err(FnError::Call)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_follows_go() {
        assert_eq!(clean("/a/./b/../c/"), "/a/c");
        assert_eq!(clean("/"), "/");
        assert_eq!(clean("/.."), "/");
        assert_eq!(clean("../a/.."), "..");
        assert_eq!(clean("a//b"), "a/b");
        assert_eq!(clean(""), ".");
    }

    #[test]
    fn base_and_dir_follow_go() {
        assert_eq!(base("a/b/c.txt"), "c.txt");
        assert_eq!(base("/"), "/");
        assert_eq!(base(""), ".");
        assert_eq!(base("a/b/"), "b");
        assert_eq!(dir("a/b/c.txt"), "a/b");
        assert_eq!(dir("file"), ".");
        assert_eq!(dir("/"), "/");
        assert_eq!(dir(""), ".");
        assert_eq!(dir("a/b/"), "a/b");
        assert_eq!(dir("/x"), "/");
    }

    #[test]
    fn expand_replaces_a_leading_tilde_only() {
        assert_eq!(expand("~/a/b", Some("/home/u")).unwrap(), "/home/u/a/b");
        assert_eq!(expand("~", Some("/home/u")).unwrap(), "/home/u");
        assert_eq!(expand("rel/~x", Some("/home/u")).unwrap(), "rel/~x");
        assert_eq!(
            expand("~bob/x", Some("/home/u")).unwrap_err(),
            "cannot expand user-specific home dir"
        );
        assert!(expand("~/x", None).is_err());
    }

    #[test]
    fn absolute_joins_the_working_directory() {
        assert_eq!(absolute("/a/./b/../c/", "/w"), "/a/c");
        assert_eq!(absolute("x/../y", "/w"), "/w/y");
        assert_eq!(absolute("/", "/w"), "/");
    }
}
