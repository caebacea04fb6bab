//! Encoding and hashing functions: JSON, base64, URL query escaping, SHA-256, MD5.
//!
//! `jsonencode` writes what Terraform writes: compact, keys sorted, and `<`, `>`, `&`, U+2028
//! and U+2029 escaped as `\u003c`... (Go's HTML-safe JSON), so outputs compare equal.
//!
//! Depends on `model::value`, `serde_json`, `base64`, `sha2`, `md-5`.

use std::fmt::Write as _;

use base64::Engine as _;
use md5::Digest as _;

use super::{FnError, FnResult, arg_str};
use crate::model::value::Value;

pub(super) fn jsonencode(args: Vec<Value>) -> FnResult {
    let v = args.into_iter().next().unwrap_or_default();
    let text = v.to_json_encoded().to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    Ok(Value::String(out))
}

pub(super) fn jsondecode(args: Vec<Value>) -> FnResult {
    let text = arg_str(&args, 0)?;
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|e| FnError::Arg(0, format!("invalid JSON: {e}")))?;
    Ok(Value::from_json(&json))
}

pub(super) fn base64encode(args: Vec<Value>) -> FnResult {
    let s = arg_str(&args, 0)?;
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(s.as_bytes()),
    ))
}

pub(super) fn base64decode(args: Vec<Value>) -> FnResult {
    let s = arg_str(&args, 0)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.as_bytes())
        .map_err(|e| FnError::Arg(0, format!("invalid base64 data: {e}")))?;
    String::from_utf8(bytes).map(Value::String).map_err(|_| {
        FnError::Arg(
            0,
            "the result of decoding the provided string is not valid UTF-8".into(),
        )
    })
}

/// Go's `url.QueryEscape`: letters, digits and `-_.~` stay, a space becomes `+`, every other
/// byte becomes `%XX`.
pub(super) fn urlencode(args: Vec<Value>) -> FnResult {
    let s = arg_str(&args, 0)?;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => {
                // Writing to a String cannot fail.
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    Ok(Value::String(out))
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

pub(super) fn sha256(args: Vec<Value>) -> FnResult {
    let s = arg_str(&args, 0)?;
    Ok(Value::String(hex(&sha2::Sha256::digest(s.as_bytes()))))
}

pub(super) fn md5(args: Vec<Value>) -> FnResult {
    let s = arg_str(&args, 0)?;
    Ok(Value::String(hex(&md5::Md5::digest(s.as_bytes()))))
}
