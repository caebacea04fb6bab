//! The textual time forms the provider accepts, one parser each: RFC 3339 timestamps as Go's
//! `time.Parse(time.RFC3339, …)` reads them (the provider's `verify.IsDate` and
//! `dsf.TimeRFC3339`).
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
}
