//! `formatdate(spec, timestamp)`: Terraform's date formatting.
//!
//! The spec is split as Terraform splits it: runs of one repeated letter are verbs, `'…'` is
//! literal text (`''` is a quote), anything else is copied. The verbs and their error texts
//! are Terraform's (`YY`/`YYYY`, `M`…`MMMM`, `D`/`DD`, `EEE`/`EEEE`, `h`/`hh` 24-hour,
//! `H`/`HH` 12-hour, `AA`/`aa`, `m`/`mm`, `s`/`ss`, `Z`, `ZZZ`, `ZZZZ`, `ZZZZZ`). The time is
//! printed in the timestamp's own offset; `ZZZ` is `UTC` for a zero offset, else `±hhmm`, as
//! Go prints a fixed zone without a name.
//!
//! Depends on `jiff` and `model::value` (thin adapter).

use std::fmt::Write as _;

use jiff::civil::DateTime;

/// The parts of a timestamp the verbs need.
pub(super) struct Moment {
    pub(super) dt: DateTime,
    /// The UTC offset in seconds.
    pub(super) offset: i32,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Splits the spec into Terraform's tokens; an unterminated literal is kept as one token.
fn tokens(spec: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = spec;
    while let Some(first) = rest.chars().next() {
        let len = if first == '\'' {
            if rest[1..].starts_with('\'') {
                2
            } else {
                let b = rest.as_bytes();
                let mut i = 1;
                let mut end = rest.len();
                while i < b.len() {
                    if b[i] == b'\'' {
                        if b.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        end = i + 1;
                        break;
                    }
                    i += 1;
                }
                end
            }
        } else if first.is_ascii_alphabetic() {
            rest.find(|c| c != first).unwrap_or(rest.len())
        } else {
            first.len_utf8()
        };
        out.push(&rest[..len]);
        rest = &rest[len..];
    }
    out
}

fn offset_text(offset: i32, colon: bool) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let abs = offset.unsigned_abs();
    let (h, m) = (abs / 3600, (abs % 3600) / 60);
    if colon {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}")
    }
}

/// Formats `t` by `spec`; the error is Terraform's text about the spec.
pub(super) fn format(spec: &str, t: &Moment) -> Result<String, String> {
    let mut out = String::new();
    let dt = t.dt;
    for tok in tokens(spec) {
        if let Some(lit) = tok.strip_prefix('\'') {
            if tok == "''" {
                out.push('\'');
                continue;
            }
            let Some(inner) = lit.strip_suffix('\'') else {
                return Err("unterminated literal '".to_owned());
            };
            out.push_str(&inner.replace("''", "'"));
            continue;
        }
        let first = tok.chars().next().unwrap_or(' ');
        if !first.is_ascii_alphabetic() {
            out.push_str(tok);
            continue;
        }
        let bad = |what: &str| format!("invalid date format verb {tok:?}: {what}");
        let n = tok.len();
        // Writing to a String cannot fail.
        let _ = match (first, n) {
            ('Y', 2) => write!(out, "{:02}", i32::from(dt.year()).rem_euclid(100)),
            ('Y', 4) => write!(out, "{:04}", dt.year()),
            ('Y', _) => return Err(bad("year must either be \"YY\" or \"YYYY\"")),
            ('M', 1) => write!(out, "{}", dt.month()),
            ('M', 2) => write!(out, "{:02}", dt.month()),
            ('M', 3 | 4) => {
                let name = MONTHS[usize::try_from(dt.month() - 1).unwrap_or(0)];
                out.push_str(if n == 3 { &name[..3] } else { name });
                Ok(())
            }
            ('M', _) => {
                return Err(bad("month must be \"M\", \"MM\", \"MMM\", or \"MMMM\""));
            }
            ('D', 1) => write!(out, "{}", dt.day()),
            ('D', 2) => write!(out, "{:02}", dt.day()),
            ('D', _) => return Err(bad("day of month must either be \"D\" or \"DD\"")),
            ('E', 3 | 4) => {
                let name =
                    WEEKDAYS[usize::try_from(dt.weekday().to_monday_zero_offset()).unwrap_or(0)];
                out.push_str(if n == 3 { &name[..3] } else { name });
                Ok(())
            }
            ('E', _) => return Err(bad("day of week must either be \"EEE\" or \"EEEE\"")),
            ('h', 1) => write!(out, "{}", dt.hour()),
            ('h', 2) => write!(out, "{:02}", dt.hour()),
            ('h', _) => return Err(bad("24-hour must either be \"h\" or \"hh\"")),
            ('H', 1 | 2) => {
                let h = match dt.hour() % 12 {
                    0 => 12,
                    h => h,
                };
                if n == 1 {
                    write!(out, "{h}")
                } else {
                    write!(out, "{h:02}")
                }
            }
            ('H', _) => return Err(bad("12-hour must either be \"H\" or \"HH\"")),
            ('A' | 'a', 2) => {
                let pm = dt.hour() >= 12;
                out.push_str(match (first, pm) {
                    ('A', false) => "AM",
                    ('A', true) => "PM",
                    (_, false) => "am",
                    (_, true) => "pm",
                });
                Ok(())
            }
            ('A' | 'a', _) => return Err(bad(&format!("must be \"{first}{first}\""))),
            ('m', 1) => write!(out, "{}", dt.minute()),
            ('m', 2) => write!(out, "{:02}", dt.minute()),
            ('m', _) => return Err(bad("minute must either be \"m\" or \"mm\"")),
            ('s', 1) => write!(out, "{}", dt.second()),
            ('s', 2) => write!(out, "{:02}", dt.second()),
            ('s', _) => return Err(bad("second must either be \"s\" or \"ss\"")),
            ('Z', 1) if t.offset == 0 => write!(out, "Z"),
            ('Z', 1 | 5) => write!(out, "{}", offset_text(t.offset, true)),
            ('Z', 3) if t.offset == 0 => write!(out, "UTC"),
            ('Z', 3 | 4) => write!(out, "{}", offset_text(t.offset, false)),
            ('Z', _) => return Err(bad("timezone must be Z, ZZZZ, or ZZZZZ")),
            _ => return Err(format!("invalid date format verb {tok:?}")),
        };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str, offset: i32) -> Moment {
        Moment {
            dt: s.parse().unwrap(),
            offset,
        }
    }

    #[test]
    fn verbs_print_as_terraform() {
        // Terraform 1.11's answers.
        let t = at("2018-01-02T23:12:01", 0);
        assert_eq!(
            format("EEEE, EEE h:mm AA aa", &t).unwrap(),
            "Tuesday, Tue 23:12 PM pm"
        );
        let t = at("2018-01-02T23:12:01", -8 * 3600);
        assert_eq!(
            format("DD MMM YYYY hh:mm ZZZ", &t).unwrap(),
            "02 Jan 2018 23:12 -0800"
        );
        let t = at("2006-01-02T15:04:05", 0);
        assert_eq!(format("'Year' YY, ''M/D", &t).unwrap(), "Year 06, '1/2");
        let t = at("2020-06-01T00:05:09", 0);
        assert_eq!(
            format("ZZZ|Z|ZZZZ|ZZZZZ|H|HH|M|MMMM|D", &t).unwrap(),
            "UTC|Z|+0000|+00:00|12|12|6|June|1"
        );
        let t = at("2020-06-01T12:05:09", 5 * 3600 + 1800);
        assert_eq!(
            format("ZZZ|Z|ZZZZZ|aa|ss|s|m", &t).unwrap(),
            "+0530|+05:30|+05:30|pm|09|9|5"
        );
        assert_eq!(format("'it''s'", &t).unwrap(), "it's");
    }

    #[test]
    fn bad_specs_give_terraform_texts() {
        let t = at("2020-06-01T12:00:00", 0);
        assert_eq!(
            format("YYYY x Q", &t).unwrap_err(),
            "invalid date format verb \"x\""
        );
        assert_eq!(
            format("YYYYY", &t).unwrap_err(),
            "invalid date format verb \"YYYYY\": year must either be \"YY\" or \"YYYY\""
        );
        assert_eq!(format("'abc", &t).unwrap_err(), "unterminated literal '");
        assert!(format("ZZ", &t).is_err());
        assert!(format("A", &t).is_err());
    }
}
