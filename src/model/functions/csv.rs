//! `csvdecode(str)`: CSV text with a header line to a list of objects, as Terraform decodes it
//! with Go's `encoding/csv` (comma separator, `"` quoting with `""` escapes, CRLF or LF line
//! ends, blank lines skipped, every record as long as the header, no bare quote inside an
//! unquoted field). Errors are Terraform's `CSV parse error on line N: …` texts.
//!
//! Depends on `model::value` (thin adapter).

use std::collections::BTreeMap;

use super::{FnError, FnResult, arg_str};
use crate::model::types::{ObjectAttr, Type};
use crate::model::value::Value;

/// Go's `csv.Reader` records: each one's fields and the line it starts on.
fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut expected: Option<usize> = None;
    while chars.peek().is_some() {
        // Blank lines are skipped.
        if matches!(chars.peek(), Some('\n')) {
            chars.next();
            line += 1;
            continue;
        }
        if matches!(chars.peek(), Some('\r')) {
            let mut ahead = chars.clone();
            ahead.next();
            if matches!(ahead.peek(), Some('\n')) {
                chars.next();
                chars.next();
                line += 1;
                continue;
            }
        }
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        loop {
            if chars.peek() == Some(&'"') {
                chars.next();
                let quote_line = line;
                loop {
                    match chars.next() {
                        None => {
                            return Err(format!(
                                "CSV parse error on line {quote_line}: extraneous or missing \" in quoted-field"
                            ));
                        }
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(c) => {
                            if c == '\n' {
                                line += 1;
                            }
                            field.push(c);
                        }
                    }
                }
                match chars.peek() {
                    None | Some(',' | '\n' | '\r') => {}
                    Some(_) => {
                        return Err(format!(
                            "CSV parse error on line {line}: extraneous or missing \" in quoted-field"
                        ));
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == ',' || c == '\n' {
                        break;
                    }
                    if c == '\r' {
                        let mut ahead = chars.clone();
                        ahead.next();
                        if matches!(ahead.peek(), Some('\n') | None) {
                            break;
                        }
                    }
                    if c == '"' {
                        return Err(format!(
                            "CSV parse error on line {line}: bare \" in non-quoted-field"
                        ));
                    }
                    field.push(c);
                    chars.next();
                }
            }
            fields.push(std::mem::take(&mut field));
            match chars.next() {
                Some(',') => {}
                Some('\r') => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    line += 1;
                    break;
                }
                Some('\n') => {
                    line += 1;
                    break;
                }
                _ => break,
            }
        }
        match expected {
            None => expected = Some(fields.len()),
            Some(n) if n != fields.len() => {
                return Err(format!(
                    "CSV parse error on line {start}: wrong number of fields"
                ));
            }
            Some(_) => {}
        }
        out.push((start, fields));
    }
    Ok(out)
}

/// A decoded CSV text: the header's names, and the records as objects keyed by them.
type Decoded = (Vec<String>, Vec<BTreeMap<String, String>>);

/// The header's names and the records as objects keyed by them.
pub(super) fn decode(text: &str) -> Result<Decoded, String> {
    let mut rows = records(text)?.into_iter();
    let Some((_, header)) = rows.next() else {
        return Err("missing header line".to_owned());
    };
    let objects = rows
        .map(|(_, fields)| header.iter().cloned().zip(fields).collect())
        .collect();
    Ok((header, objects))
}

/// `csvdecode(text)`: a `list(object({column = string…}))`, typed by the header even when no
/// record follows it.
pub(super) fn csvdecode(args: Vec<Value>) -> FnResult {
    let (header, rows) = decode(arg_str(&args, 0)?).map_err(FnError::Call)?;
    let row_type = Type::Object(
        header
            .into_iter()
            .map(|name| (name, ObjectAttr::required(Type::String)))
            .collect(),
    );
    Ok(Value::list(
        row_type,
        rows.into_iter()
            .map(|r| Value::Object(r.into_iter().map(|(k, v)| (k, Value::String(v))).collect()))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn decodes_records_under_the_header() {
        let rows = |text: &str| decode(text).unwrap().1;
        assert_eq!(
            rows("a,b\n1,2\n3,4\n"),
            [
                row(&[("a", "1"), ("b", "2")]),
                row(&[("a", "3"), ("b", "4")])
            ]
        );
        assert_eq!(
            decode("a,b\n").unwrap(),
            (vec!["a".to_owned(), "b".to_owned()], Vec::new())
        );
        assert_eq!(
            rows("name,note\n\"x, y\",\"say \"\"hi\"\"\"\n"),
            [row(&[("name", "x, y"), ("note", "say \"hi\"")])]
        );
        assert_eq!(rows("a\r\n\r\n1\r\n"), [row(&[("a", "1")])]);
        assert_eq!(rows("a\n\"x\ny\"\n"), [row(&[("a", "x\ny")])]);
    }

    #[test]
    fn errors_are_terraforms() {
        assert_eq!(decode("").unwrap_err(), "missing header line");
        assert_eq!(
            decode("a,b\n1\n").unwrap_err(),
            "CSV parse error on line 2: wrong number of fields"
        );
        assert_eq!(
            decode("a\nx\"y\n").unwrap_err(),
            "CSV parse error on line 2: bare \" in non-quoted-field"
        );
    }
}
