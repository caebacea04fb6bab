//! The textual time forms the provider accepts, one parser each: RFC 3339 timestamps as Go's
//! `time.Parse(time.RFC3339, …)` reads them (the provider's `verify.IsDate` and
//! `dsf.TimeRFC3339`), and durations as Go's `time.ParseDuration` reads them (probe intervals,
//! `timeouts` blocks, Terraform's `timeadd`, `-lock-timeout`).
//!
//! This is the one place the rule lives: the schema's validation, the planner's comparison of
//! timestamps and the API mappings all ask here, so a value accepted at plan is one the apply
//! can send. The grammar is checked here and the arithmetic left to jiff, which on its own
//! accepts much more (a space for `T`, a missing seconds field, offsets without `:`, lower-case
//! `t` and `z`, annotations).
//!
//! Depends on nothing in the crate.

/// Parses a strict RFC 3339 timestamp: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of a second
/// (`.` or `,` and one to nine digits, as Go reads it), then `Z` or `±HH:MM`. Upper-case `T`
/// and `Z` only, every field two digits (four for the year) and in range (the day for its
/// month). `None` for anything else.
#[must_use]
pub fn parse_rfc3339(text: &str) -> Option<jiff::Timestamp> {
    let b = text.as_bytes();
    let num = |at: usize, len: usize| -> Option<u32> {
        let digits = b.get(at..at + len)?;
        digits.iter().try_fold(0_u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let byte = |at: usize| b.get(at).copied();
    num(0, 4)?;
    let month = num(5, 2)?;
    let day = num(8, 2)?;
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, c)| byte(at) != Some(c))
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut at = 19;
    if matches!(byte(at), Some(b'.' | b',')) {
        let digits = b[at + 1..]
            .iter()
            .take_while(|d| d.is_ascii_digit())
            .count();
        if !(1..=9).contains(&digits) {
            return None;
        }
        at += 1 + digits;
    }
    match byte(at)? {
        b'Z' => at += 1,
        b'+' | b'-' => {
            let (oh, om) = (num(at + 1, 2)?, num(at + 4, 2)?);
            if byte(at + 3) != Some(b':') || oh > 23 || om > 59 {
                return None;
            }
            at += 6;
        }
        _ => return None,
    }
    if at != b.len() {
        return None;
    }
    // The grammar is checked: what is left (the day within its month, the instant) is jiff's.
    // A leap second (`:60`), which jiff would read as `:59`, was refused above, as Go does.
    text.replacen(',', ".", 1).parse().ok()
}

/// Parses a duration exactly as Go's `time.ParseDuration`: an optional sign, then one or more
/// `<decimal><unit>` (`1h30m`, `1.5h`, `.5s`, `300ms`, `2µs`) with units `ns`, `us`/`µs`/`μs`,
/// `ms`, `s`, `m`, `h`; a lone `0` needs no unit. `None` for anything Go refuses, including a
/// total beyond ±2⁶³ ns (about 292 years).
///
/// jiff's own duration parsers are not used: they accept what Go refuses (spaces, unit words
/// such as `hours`, a missing unit) and refuse what Go accepts (a fraction on any but the last
/// unit, `0`), and a value accepted at plan must be one the provider accepts too.
#[must_use]
pub fn parse_go_duration(text: &str) -> Option<jiff::SignedDuration> {
    const LIMIT: u64 = 1 << 63;
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Some(jiff::SignedDuration::ZERO);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        let int_len = digits(rest);
        let whole = rest[..int_len].bytes().try_fold(0_u64, |n, d| {
            let n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            (n <= LIMIT).then_some(n)
        })?;
        rest = &rest[int_len..];
        // Go keeps the fraction's digits while they fit and drops the rest.
        let (mut fraction, mut scale, mut frac_len) = (0_u64, 1.0_f64, 0);
        if let Some(after) = rest.strip_prefix('.') {
            frac_len = digits(after);
            let mut overflowed = false;
            for d in after[..frac_len].bytes() {
                match fraction
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(u64::from(d - b'0')))
                    .filter(|&n| n <= LIMIT)
                {
                    Some(n) if !overflowed => {
                        fraction = n;
                        scale *= 10.0;
                    }
                    _ => overflowed = true,
                }
            }
            rest = &after[frac_len..];
        }
        if int_len == 0 && frac_len == 0 {
            return None;
        }
        let unit_len = rest
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit: u64 = match &rest[..unit_len] {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        rest = &rest[unit_len..];
        if whole > LIMIT / unit {
            return None;
        }
        let mut value = whole * unit;
        if fraction > 0 {
            // Go's own arithmetic, in float64, so the rounding is the same.
            #[allow(
                clippy::cast_precision_loss,
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss
            )]
            let part = (fraction as f64 * (unit as f64 / scale)) as u64;
            value = value.checked_add(part).filter(|&v| v <= LIMIT)?;
        }
        total = total.checked_add(value).filter(|&t| t <= LIMIT)?;
    }
    let nanos = if negative {
        0_i64.checked_sub_unsigned(total)?
    } else {
        i64::try_from(total).ok()?
    };
    Some(jiff::SignedDuration::from_nanos(nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_accepts_what_go_accepts() {
        for good in [
            "2022-10-18T11:35:15+02:00",
            "2022-10-18T09:35:15Z",
            "2022-10-18T09:35:15.5Z",
            "2022-10-18T09:35:15,123456789-05:30",
            "2024-02-29T23:59:59Z",
            "0001-01-01T00:00:00Z",
        ] {
            assert!(parse_rfc3339(good).is_some(), "{good}");
        }
        assert_eq!(
            parse_rfc3339("2022-10-18T11:35:15+02:00"),
            parse_rfc3339("2022-10-18T09:35:15Z")
        );
        assert_eq!(
            parse_rfc3339("2022-10-18T09:35:15,25Z"),
            parse_rfc3339("2022-10-18T09:35:15.25Z")
        );
    }

    /// Issue 9 item 11: every one of these is a timestamp jiff reads but Go's RFC 3339 layout
    /// (so the provider) refuses.
    #[test]
    fn issue_9_rfc3339_is_strict_as_the_provider() {
        for bad in [
            "2022-10-18 09:35:15Z",
            "2022-10-18t09:35:15Z",
            "2022-10-18T09:35:15z",
            "2022-10-18T09:35Z",
            "2022-10-18T09:35:15+0200",
            "2022-10-18T09:35:15+02",
            "2022-10-18T09:35:15Z[UTC]",
            "20221018T093515Z",
            "+002022-10-18T09:35:15Z",
            "2022-10-18T09:35:15.Z",
            "2022-10-18T09:35:15.1234567891Z",
            "2023-02-29T00:00:00Z",
            "2022-10-18T24:00:00Z",
            "2022-10-18T09:35:60Z",
            "2022-10-18T09:35:15+24:00",
            "2022-10-18",
            "2022-10-18T09:35:15",
            "2022-10-18T09:35:15Z ",
            "tomorrow",
            "",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    fn nanos(text: &str) -> Option<i128> {
        parse_go_duration(text).map(|d| d.as_nanos())
    }

    /// Answers of Go 1.23's `time.ParseDuration`.
    #[test]
    fn durations_parse_as_go() {
        for (text, want) in [
            ("0", 0),
            ("-0", 0),
            ("+0", 0),
            ("0s", 0),
            ("10s", 10_000_000_000),
            ("1m30s", 90_000_000_000),
            ("1h0m0s", 3_600_000_000_000),
            ("1.5h", 5_400_000_000_000),
            ("1.5h30m", 7_200_000_000_000),
            (".5s", 500_000_000),
            ("1.s", 1_000_000_000),
            ("-10s", -10_000_000_000),
            ("300ms", 300_000_000),
            ("2us", 2_000),
            ("2\u{b5}s", 2_000),
            ("2\u{3bc}s", 2_000),
            ("7ns", 7),
            ("1.0000000001s", 1_000_000_000),
            ("9223372036854775807ns", 9_223_372_036_854_775_807),
            ("-9223372036854775808ns", -9_223_372_036_854_775_808),
            ("2562047h47m16.854775807s", 9_223_372_036_854_775_807),
        ] {
            assert_eq!(nanos(text), Some(want), "{text}");
        }
        for bad in [
            "",
            "-",
            "+",
            "10",
            "s",
            ".s",
            "1x",
            "1..5s",
            "1 s",
            " 1s",
            "1s ",
            "1hours",
            "1S",
            "--1s",
            "1.2.3s",
            "1h 2m",
            "9223372036854775808ns",
            "2562048h",
            "0x",
            "1e3s",
        ] {
            assert_eq!(nanos(bad), None, "{bad}");
        }
    }
}
