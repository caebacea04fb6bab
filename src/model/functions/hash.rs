//! Hash and name-based identifier functions: `sha1`, `sha512`, `base64sha256`,
//! `base64sha512`, `uuidv5`.
//!
//! Each hashes the UTF-8 bytes of its string argument, as Terraform does. `uuidv5` follows
//! Google's `uuid` package that Terraform uses: the four named namespaces (`dns`, `url`, `oid`,
//! `x500`) or a namespace UUID in any form `uuid.Parse` accepts (hyphenated, braced, `urn:uuid:`
//! prefixed, or 32 bare hex digits), with its error texts.
//!
//! Depends on `model::value` (through thin adapters), `sha1`, `sha2` and `base64`.

use std::fmt::Write as _;

use base64::Engine as _;
use sha2::Digest as _;

use super::{FnError, FnResult, arg_str};
use crate::model::value::Value;

/// Lowercase hexadecimal.
pub(super) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Standard base64 with padding.
pub(super) fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(super) fn sha1_digest(bytes: &[u8]) -> Vec<u8> {
    sha1::Sha1::digest(bytes).to_vec()
}

pub(super) fn sha256_digest(bytes: &[u8]) -> Vec<u8> {
    sha2::Sha256::digest(bytes).to_vec()
}

pub(super) fn sha512_digest(bytes: &[u8]) -> Vec<u8> {
    sha2::Sha512::digest(bytes).to_vec()
}

/// The well-known namespaces of RFC 4122 appendix C.
const NAMESPACE_DNS: [u8; 16] = uuid_bytes(0x6ba7_b810_9dad_11d1_80b4_00c0_4fd4_30c8);
const NAMESPACE_URL: [u8; 16] = uuid_bytes(0x6ba7_b811_9dad_11d1_80b4_00c0_4fd4_30c8);
const NAMESPACE_OID: [u8; 16] = uuid_bytes(0x6ba7_b812_9dad_11d1_80b4_00c0_4fd4_30c8);
const NAMESPACE_X500: [u8; 16] = uuid_bytes(0x6ba7_b814_9dad_11d1_80b4_00c0_4fd4_30c8);

const fn uuid_bytes(v: u128) -> [u8; 16] {
    v.to_be_bytes()
}

/// Two hex digits as a byte (Go's `xtob`).
fn xtob(hi: u8, lo: u8) -> Option<u8> {
    let h = char::from(hi).to_digit(16)?;
    let l = char::from(lo).to_digit(16)?;
    u8::try_from(h * 16 + l).ok()
}

/// Where each byte's two hex digits start in a hyphenated UUID.
const HEX_STARTS: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/// Google's `uuid.Parse`, with its error texts.
pub(super) fn parse_uuid(s: &str) -> Result<[u8; 16], String> {
    let format_error = || "invalid UUID format".to_owned();
    let b = s.as_bytes();
    let mut out = [0u8; 16];
    let body = match b.len() {
        36 => b,
        45 => {
            if !b[..9].eq_ignore_ascii_case(b"urn:uuid:") {
                return Err(format!(
                    "invalid urn prefix: {:?}",
                    String::from_utf8_lossy(&b[..9])
                ));
            }
            &b[9..]
        }
        38 => &b[1..],
        32 => {
            for (i, slot) in out.iter_mut().enumerate() {
                *slot = xtob(b[i * 2], b[i * 2 + 1]).ok_or_else(format_error)?;
            }
            return Ok(out);
        }
        n => return Err(format!("invalid UUID length: {n}")),
    };
    if body[8] != b'-' || body[13] != b'-' || body[18] != b'-' || body[23] != b'-' {
        return Err(format_error());
    }
    for (slot, x) in out.iter_mut().zip(HEX_STARTS) {
        *slot = xtob(body[x], body[x + 1]).ok_or_else(format_error)?;
    }
    Ok(out)
}

fn format_uuid(u: &[u8; 16]) -> String {
    let h = hex(u);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// A name-based (SHA-1, version 5) UUID of `name` in `namespace`.
pub(super) fn uuid_v5(namespace: &str, name: &str) -> Result<String, String> {
    let ns = match namespace {
        "dns" => NAMESPACE_DNS,
        "url" => NAMESPACE_URL,
        "oid" => NAMESPACE_OID,
        "x500" => NAMESPACE_X500,
        other => parse_uuid(other)
            .map_err(|e| format!("uuidv5() doesn't support namespace {other} ({e})"))?,
    };
    let mut hasher = sha1::Sha1::new();
    hasher.update(ns);
    hasher.update(name.as_bytes());
    let digest = hasher.finalize();
    let mut u = [0u8; 16];
    u.copy_from_slice(&digest[..16]);
    u[6] = (u[6] & 0x0f) | 0x50;
    u[8] = (u[8] & 0x3f) | 0x80;
    Ok(format_uuid(&u))
}

// Adapters to the registry.

pub(super) fn sha1(args: Vec<Value>) -> FnResult {
    Ok(Value::String(hex(&sha1_digest(
        arg_str(&args, 0)?.as_bytes(),
    ))))
}

pub(super) fn sha512(args: Vec<Value>) -> FnResult {
    Ok(Value::String(hex(&sha512_digest(
        arg_str(&args, 0)?.as_bytes(),
    ))))
}

pub(super) fn base64sha256(args: Vec<Value>) -> FnResult {
    Ok(Value::String(base64(&sha256_digest(
        arg_str(&args, 0)?.as_bytes(),
    ))))
}

pub(super) fn base64sha512(args: Vec<Value>) -> FnResult {
    Ok(Value::String(base64(&sha512_digest(
        arg_str(&args, 0)?.as_bytes(),
    ))))
}

pub(super) fn uuidv5(args: Vec<Value>) -> FnResult {
    uuid_v5(arg_str(&args, 0)?, arg_str(&args, 1)?)
        .map(Value::String)
        .map_err(FnError::Call)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_known_vectors() {
        assert_eq!(
            hex(&sha1_digest(b"")),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
        assert_eq!(
            hex(&sha1_digest(b"hello")),
            "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"
        );
        assert!(hex(&sha512_digest(b"")).starts_with("cf83e1357eefb8bdf1542850d66d8007"));
        assert_eq!(
            base64(&sha256_digest(b"")),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        assert_eq!(
            base64(&sha512_digest(b"1")),
            "Tf9Oo0DwqCPxXT9PAati6uDl2lecy4Ufjbnf6ExYsrN7iZA6dA4e4XLaeTpuedVg5ff5vQWKEqKAQz7W+kZRCg=="
        );
    }

    #[test]
    fn uuid_v5_uses_named_and_parsed_namespaces() {
        // Terraform 1.11's answers.
        assert_eq!(
            uuid_v5("6ba7b812-9dad-11d1-80b4-00c04fd430c8", "1.3.6.1").unwrap(),
            "1447fa61-5277-5fef-a9b3-fbc6e44f4af3"
        );
        assert_eq!(
            uuid_v5("oid", "1.3.6.1").unwrap(),
            "1447fa61-5277-5fef-a9b3-fbc6e44f4af3"
        );
        let braced = uuid_v5("{6ba7b812-9dad-11d1-80b4-00c04fd430c8}", "x").unwrap();
        assert_eq!(braced, "8558d34a-d3c6-5881-a6e3-bf8f3e6110ea");
        assert_eq!(
            uuid_v5("6ba7b8129dad11d180b400c04fd430c8", "x").unwrap(),
            braced
        );
        assert_eq!(
            uuid_v5("URN:uuid:6ba7b812-9dad-11d1-80b4-00c04fd430c8", "x").unwrap(),
            braced
        );
    }

    #[test]
    fn uuid_v5_rejects_bad_namespaces_with_go_texts() {
        assert_eq!(
            uuid_v5("bad", "x").unwrap_err(),
            "uuidv5() doesn't support namespace bad (invalid UUID length: 3)"
        );
        assert_eq!(
            uuid_v5("6ba7b812-9dad-11d1-80b4-00c04fd430cX", "x").unwrap_err(),
            "uuidv5() doesn't support namespace 6ba7b812-9dad-11d1-80b4-00c04fd430cX (invalid UUID format)"
        );
        assert_eq!(
            parse_uuid("urn:uuix:6ba7b812-9dad-11d1-80b4-00c04fd430c8").unwrap_err(),
            "invalid urn prefix: \"urn:uuix:\""
        );
        assert_eq!(
            parse_uuid("6ba7b812x9dad-11d1-80b4-00c04fd430c8").unwrap_err(),
            "invalid UUID format"
        );
        // A multi-byte character counts its bytes, as Go's len does.
        assert_eq!(parse_uuid("é").unwrap_err(), "invalid UUID length: 2");
    }
}
