//! Time and identity functions.
//!
//! `timestamp()` and `uuid()` are unknown during planning (they are only known at apply
//! time), which also keeps evaluation deterministic. `timeadd` is pure: an RFC 3339 timestamp
//! plus a Go duration string (`"1h30m"`, `"-10s"`, `"1.5h"`), printed back in RFC 3339 in the
//! timestamp's own UTC offset, without fractional seconds (Go's `time.RFC3339` layout).
//!
//! Depends on `model::value` and `jiff`.

use jiff::Timestamp;
use jiff::tz::Offset;

use super::{FnError, FnResult, arg_str};
use crate::model::value::Value;

pub(super) fn timestamp(_args: Vec<Value>) -> FnResult {
    Ok(Value::Unknown)
}

pub(super) fn uuid(_args: Vec<Value>) -> FnResult {
    Ok(Value::Unknown)
}

pub(super) fn timeadd(args: Vec<Value>) -> FnResult {
    let ts_text = arg_str(&args, 0)?;
    let duration_text = arg_str(&args, 1)?;
    let (ts, offset) = parse_rfc3339(ts_text).ok_or_else(|| {
        FnError::Arg(
            0,
            format!("{ts_text:?} is not a valid RFC 3339 timestamp, e.g. \"2024-01-31T12:00:00Z\""),
        )
    })?;
    let span = crate::timefmt::parse_go_duration(duration_text).ok_or_else(|| {
        FnError::Arg(
            1,
            format!(
                "{duration_text:?} is not a valid duration, e.g. \"1h30m\", \"-10s\" or \"1.5h\""
            ),
        )
    })?;
    let out_of_range = || FnError::Call("the resulting time is out of range".into());
    let sum = ts.checked_add(span).map_err(|_| out_of_range())?;
    Ok(Value::String(format_rfc3339(sum, offset)))
}

/// `formatdate(spec, timestamp)`: see [`super::datefmt`].
pub(super) fn formatdate(args: Vec<Value>) -> FnResult {
    let spec = arg_str(&args, 0)?;
    let text = arg_str(&args, 1)?;
    let (ts, offset) = parse_rfc3339(text).ok_or_else(|| {
        FnError::Arg(
            1,
            format!("not a valid RFC3339 timestamp: {text:?} is not of the form 2006-01-02T15:04:05Z07:00"),
        )
    })?;
    let moment = super::datefmt::Moment {
        dt: offset.to_datetime(ts),
        offset: offset.seconds(),
    };
    super::datefmt::format(spec, &moment)
        .map(Value::String)
        .map_err(|e| FnError::Arg(0, e))
}

/// `timecmp(a, b)`: -1, 0 or 1 as instant `a` is before, the same as or after `b` (offsets
/// taken into account).
pub(super) fn timecmp(args: Vec<Value>) -> FnResult {
    let parse = |i: usize| -> Result<Timestamp, FnError> {
        let text = arg_str(&args, i)?;
        parse_rfc3339(text).map(|(ts, _)| ts).ok_or_else(|| {
            FnError::Arg(
                i,
                format!("not a valid RFC3339 timestamp: {text:?} is not of the form 2006-01-02T15:04:05Z07:00"),
            )
        })
    };
    let (a, b) = (parse(0)?, parse(1)?);
    Ok(super::num(match a.cmp(&b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }))
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, keeping the offset for printing.
fn parse_rfc3339(s: &str) -> Option<(Timestamp, Offset)> {
    let bytes = s.as_bytes();
    if bytes.len() < 20 || !matches!(bytes.get(10), Some(b'T' | b't')) {
        return None;
    }
    let offset = if s.ends_with(['Z', 'z']) {
        Offset::UTC
    } else {
        let tail = s.get(s.len().checked_sub(6)?..)?;
        let sign = match tail.as_bytes().first()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        if tail.as_bytes().get(3) != Some(&b':') {
            return None;
        }
        let hours: i32 = tail.get(1..3)?.parse().ok()?;
        let minutes: i32 = tail.get(4..6)?.parse().ok()?;
        if hours > 23 || minutes > 59 {
            return None;
        }
        Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()?
    };
    let ts: Timestamp = s.parse().ok()?;
    Some((ts, offset))
}

fn format_rfc3339(ts: Timestamp, offset: Offset) -> String {
    let dt = offset.to_datetime(ts);
    let base = dt.strftime("%Y-%m-%dT%H:%M:%S").to_string();
    let secs = offset.seconds();
    if secs == 0 {
        format!("{base}Z")
    } else {
        let sign = if secs < 0 { '-' } else { '+' };
        let abs = secs.unsigned_abs();
        format!("{base}{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_keep_their_offset() {
        let (ts, off) = parse_rfc3339("2024-01-31T23:30:00+02:00").unwrap();
        assert_eq!(format_rfc3339(ts, off), "2024-01-31T23:30:00+02:00");
        let (ts, off) = parse_rfc3339("2024-01-31T23:30:00.5Z").unwrap();
        assert_eq!(format_rfc3339(ts, off), "2024-01-31T23:30:00Z");
        assert!(parse_rfc3339("2024-01-31").is_none());
        assert!(parse_rfc3339("2024-01-31 23:30:00Z").is_none());
    }
}
