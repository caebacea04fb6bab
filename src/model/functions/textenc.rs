//! `textencodebase64` and `textdecodebase64`: text in another character encoding, as base64.
//!
//! Encodings are named as Terraform names them (IANA names and aliases, any letter case, as
//! Go's `ianaindex` looks them up); messages use the IANA canonical name (`ISO_8859-1:1987`).
//! Supported: UTF-8, UTF-16 (big-endian with a byte order mark when encoding; the mark, if
//! any, decides when decoding), UTF-16LE, UTF-16BE, ISO-8859-1, windows-1252 and US-ASCII.
//! Other names are refused: Terraform's text for names IANA does not know, scwform's own for
//! IANA names it does not implement (`Shift_JIS`, `EUC-KR`...). A character the encoding cannot
//! represent is an error on the string; bytes that do not decode become U+FFFD, as Go's
//! decoders make them.
//!
//! Depends on `model::value`, the sibling `hash` helpers and `base64`.

use base64::Engine as _;

use super::hash;
use super::{FnError, FnResult, arg_str};
use crate::model::value::Value;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf16Bom,
    Utf16Le,
    Utf16Be,
    Latin1,
    Windows1252,
    Ascii,
}

/// `(alias, encoding, canonical name)`; aliases compare case-insensitively.
const NAMES: &[(&str, Encoding, &str)] = &[
    ("utf-8", Encoding::Utf8, "UTF-8"),
    ("csutf8", Encoding::Utf8, "UTF-8"),
    ("utf-16", Encoding::Utf16Bom, "UTF-16"),
    ("csutf16", Encoding::Utf16Bom, "UTF-16"),
    ("utf-16le", Encoding::Utf16Le, "UTF-16LE"),
    ("csutf16le", Encoding::Utf16Le, "UTF-16LE"),
    ("utf-16be", Encoding::Utf16Be, "UTF-16BE"),
    ("csutf16be", Encoding::Utf16Be, "UTF-16BE"),
    ("iso_8859-1:1987", Encoding::Latin1, "ISO_8859-1:1987"),
    ("iso-ir-100", Encoding::Latin1, "ISO_8859-1:1987"),
    ("iso_8859-1", Encoding::Latin1, "ISO_8859-1:1987"),
    ("iso-8859-1", Encoding::Latin1, "ISO_8859-1:1987"),
    ("latin1", Encoding::Latin1, "ISO_8859-1:1987"),
    ("l1", Encoding::Latin1, "ISO_8859-1:1987"),
    ("ibm819", Encoding::Latin1, "ISO_8859-1:1987"),
    ("cp819", Encoding::Latin1, "ISO_8859-1:1987"),
    ("csisolatin1", Encoding::Latin1, "ISO_8859-1:1987"),
    ("windows-1252", Encoding::Windows1252, "windows-1252"),
    ("cswindows1252", Encoding::Windows1252, "windows-1252"),
    ("us-ascii", Encoding::Ascii, "US-ASCII"),
    ("ascii", Encoding::Ascii, "US-ASCII"),
    ("iso-ir-6", Encoding::Ascii, "US-ASCII"),
    ("ansi_x3.4-1968", Encoding::Ascii, "US-ASCII"),
    ("ansi_x3.4-1986", Encoding::Ascii, "US-ASCII"),
    ("iso_646.irv:1991", Encoding::Ascii, "US-ASCII"),
    ("iso646-us", Encoding::Ascii, "US-ASCII"),
    ("us", Encoding::Ascii, "US-ASCII"),
    ("ibm367", Encoding::Ascii, "US-ASCII"),
    ("cp367", Encoding::Ascii, "US-ASCII"),
    ("csascii", Encoding::Ascii, "US-ASCII"),
];

/// IANA names Go knows that scwform does not implement (a different refusal text).
const KNOWN_UNSUPPORTED: &[&str] = &[
    "shift_jis",
    "euc-jp",
    "euc-kr",
    "gbk",
    "gb2312",
    "gb18030",
    "big5",
    "iso-2022-jp",
    "koi8-r",
    "koi8-u",
    "iso-8859-2",
    "iso-8859-5",
    "iso-8859-15",
    "windows-1250",
    "windows-1251",
    "macintosh",
    "ibm437",
    "utf-32",
    "utf-7",
];

/// The 32 characters windows-1252 puts at 0x80..=0x9F (undefined bytes are the C1 controls).
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}', '\u{8F}',
    '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}', '\u{178}',
];

fn lookup(name: &str, arg: usize) -> Result<(Encoding, &'static str), FnError> {
    let lower = name.to_ascii_lowercase();
    if let Some((_, enc, canonical)) = NAMES.iter().find(|(alias, _, _)| *alias == lower) {
        return Ok((*enc, canonical));
    }
    if KNOWN_UNSUPPORTED.contains(&lower.as_str()) {
        return Err(FnError::Arg(
            arg,
            format!(
                "the encoding \"{name}\" is supported by Terraform but not by scwform yet \
                 (supported: UTF-8, UTF-16, UTF-16LE, UTF-16BE, ISO-8859-1, windows-1252, \
                 US-ASCII)"
            ),
        ));
    }
    Err(FnError::Arg(
        arg,
        format!(
            "\"{name}\" is not a supported IANA encoding name or alias in this Terraform version"
        ),
    ))
}

fn encode(text: &str, enc: Encoding) -> Option<Vec<u8>> {
    let single = |c: char| -> Option<u8> {
        match enc {
            Encoding::Latin1 => u8::try_from(u32::from(c)).ok(),
            Encoding::Ascii => u8::try_from(u32::from(c)).ok().filter(u8::is_ascii),
            _ => match u32::from(c) {
                v @ (0..=0x7F | 0xA0..=0xFF) => u8::try_from(v).ok(),
                _ => CP1252_HIGH
                    .iter()
                    .position(|&h| h == c)
                    .and_then(|i| u8::try_from(0x80 + i).ok()),
            },
        }
    };
    match enc {
        Encoding::Utf8 => Some(text.as_bytes().to_vec()),
        Encoding::Utf16Le => Some(text.encode_utf16().flat_map(u16::to_le_bytes).collect()),
        Encoding::Utf16Be => Some(text.encode_utf16().flat_map(u16::to_be_bytes).collect()),
        Encoding::Utf16Bom => Some(
            [0xFE, 0xFF]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
                .collect(),
        ),
        Encoding::Latin1 | Encoding::Windows1252 | Encoding::Ascii => {
            text.chars().map(single).collect()
        }
    }
}

fn decode(bytes: &[u8], enc: Encoding) -> String {
    let utf16 = |bytes: &[u8], le: bool| -> String {
        let units: Vec<u16> = bytes
            .chunks(2)
            .map(|c| match (c, le) {
                ([a, b], true) => u16::from_le_bytes([*a, *b]),
                ([a, b], false) => u16::from_be_bytes([*a, *b]),
                _ => 0xFFFD,
            })
            .collect();
        char::decode_utf16(units)
            .map(|r| r.unwrap_or('\u{FFFD}'))
            .collect()
    };
    match enc {
        Encoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        Encoding::Utf16Le => utf16(bytes, true),
        Encoding::Utf16Be => utf16(bytes, false),
        Encoding::Utf16Bom => match bytes {
            [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
            [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
            _ => utf16(bytes, false),
        },
        Encoding::Latin1 => bytes.iter().map(|&b| char::from(b)).collect(),
        Encoding::Ascii => bytes
            .iter()
            .map(|&b| {
                if b.is_ascii() {
                    char::from(b)
                } else {
                    '\u{FFFD}'
                }
            })
            .collect(),
        Encoding::Windows1252 => bytes
            .iter()
            .map(|&b| match b {
                0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
                _ => char::from(b),
            })
            .collect(),
    }
}

pub(super) fn textencodebase64(args: Vec<Value>) -> FnResult {
    let text = arg_str(&args, 0)?;
    let (enc, canonical) = lookup(arg_str(&args, 1)?, 1)?;
    let bytes = encode(text, enc).ok_or_else(|| {
        FnError::Arg(
            0,
            format!(
                "the given string contains characters that cannot be represented in {canonical}"
            ),
        )
    })?;
    Ok(Value::String(hash::base64(&bytes)))
}

pub(super) fn textdecodebase64(args: Vec<Value>) -> FnResult {
    let data = arg_str(&args, 0)?;
    let (enc, _) = lookup(arg_str(&args, 1)?, 1)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.as_bytes())
        .map_err(|e| FnError::Arg(0, format!("the given value is not valid base64: {e}")))?;
    Ok(Value::String(decode(&bytes, enc)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(t: &str) -> Value {
        Value::String(t.to_owned())
    }

    #[test]
    fn round_trips_and_refusals() {
        for name in [
            "UTF-8",
            "utf-16",
            "UTF-16LE",
            "UTF-16BE",
            "latin1",
            "windows-1252",
        ] {
            let encoded = textencodebase64(vec![s("Hé"), s(name)]).expect(name);
            assert_eq!(
                textdecodebase64(vec![encoded, s(name)]),
                Ok(s("Hé")),
                "{name}"
            );
        }
        assert_eq!(
            textencodebase64(vec![s("€"), s("windows-1252")]),
            Ok(s("gA=="))
        );
        assert_eq!(
            textencodebase64(vec![s("Hi"), s("UTF-16")]),
            Ok(s("/v8ASABp"))
        );
        assert!(matches!(
            textencodebase64(vec![s("€"), s("ISO-8859-1")]),
            Err(FnError::Arg(0, m)) if m.ends_with("ISO_8859-1:1987")
        ));
        assert!(matches!(
            textencodebase64(vec![s("é"), s("US-ASCII")]),
            Err(FnError::Arg(0, _))
        ));
        assert!(matches!(
            textdecodebase64(vec![s("SGk="), s("NOPE")]),
            Err(FnError::Arg(1, m)) if m.contains("not a supported IANA encoding")
        ));
        assert!(matches!(
            textdecodebase64(vec![s("SGk="), s("Shift_JIS")]),
            Err(FnError::Arg(1, m)) if m.contains("not by scwform")
        ));
    }
}
