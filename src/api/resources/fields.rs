//! Reading state-form attributes and writing them back: typed getters with the provider's
//! "unset" rules, locality ids, timestamps and Go-style durations.
//!
//! Conventions (the provider's, from terraform-plugin-sdk):
//! - `null`/absent means "not configured". For creates, the provider's `GetOk` also treats a
//!   zero value (`""`, `0`, `false`, empty list/map) as not configured: [`Fields::ok_str`] and
//!   friends follow that.
//! - Numbers may arrive as JSON floats (`300.0`) from the configuration language; integral
//!   values are accepted as integers.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value as Json};
use uuid::Uuid;

use super::{Attributes, ResourceError};

/// Typed access to one object's attributes, naming the resource type in errors.
#[derive(Clone, Copy)]
pub(crate) struct Fields<'a> {
    pub(crate) ty: &'static str,
    pub(crate) attrs: &'a Attributes,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(ty: &'static str, attrs: &'a Attributes) -> Self {
        Self { ty, attrs }
    }

    fn err(&self, key: &str, message: impl std::fmt::Display) -> ResourceError {
        ResourceError::invalid(self.ty, key, message)
    }

    /// The raw value (`Json::Null` when absent).
    pub(crate) fn raw(&self, key: &str) -> &'a Json {
        self.attrs.get(key).unwrap_or(&Json::Null)
    }

    /// A string attribute, `None` when null.
    pub(crate) fn str(&self, key: &str) -> Result<Option<&'a str>, ResourceError> {
        match self.raw(key) {
            Json::Null => Ok(None),
            Json::String(s) => Ok(Some(s)),
            other => Err(self.err(key, format!("must be a string, not {other}"))),
        }
    }

    /// A string attribute that is set and not empty (the provider's `GetOk`).
    pub(crate) fn ok_str(&self, key: &str) -> Result<Option<&'a str>, ResourceError> {
        Ok(self.str(key)?.filter(|s| !s.is_empty()))
    }

    /// A whole non-negative number.
    pub(crate) fn u64(&self, key: &str) -> Result<Option<u64>, ResourceError> {
        json_u64(self.raw(key)).map_err(|m| self.err(key, m))
    }

    /// A whole number that fits 32 bits.
    pub(crate) fn u32(&self, key: &str) -> Result<Option<u32>, ResourceError> {
        self.u64(key)?
            .map(|n| u32::try_from(n).map_err(|_| self.err(key, "is too large")))
            .transpose()
    }

    /// A non-zero 32-bit number (the provider's `GetOk` on an int).
    pub(crate) fn ok_u32(&self, key: &str) -> Result<Option<u32>, ResourceError> {
        Ok(self.u32(key)?.filter(|n| *n != 0))
    }

    /// A non-zero 64-bit number.
    pub(crate) fn ok_u64(&self, key: &str) -> Result<Option<u64>, ResourceError> {
        Ok(self.u64(key)?.filter(|n| *n != 0))
    }

    /// A boolean.
    pub(crate) fn bool(&self, key: &str) -> Result<Option<bool>, ResourceError> {
        match self.raw(key) {
            Json::Null => Ok(None),
            Json::Bool(b) => Ok(Some(*b)),
            other => Err(self.err(key, format!("must be a boolean, not {other}"))),
        }
    }

    /// A list of strings.
    pub(crate) fn strings(&self, key: &str) -> Result<Option<Vec<String>>, ResourceError> {
        match self.raw(key) {
            Json::Null => Ok(None),
            Json::Array(items) => items
                .iter()
                .map(|v| match v {
                    Json::String(s) => Ok(s.clone()),
                    other => Err(self.err(key, format!("must hold strings, not {other}"))),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            other => Err(self.err(key, format!("must be a list of strings, not {other}"))),
        }
    }

    /// A non-empty list of strings (`GetOk`).
    pub(crate) fn ok_strings(&self, key: &str) -> Result<Option<Vec<String>>, ResourceError> {
        Ok(self.strings(key)?.filter(|v| !v.is_empty()))
    }

    /// A map of strings.
    pub(crate) fn string_map(
        &self,
        key: &str,
    ) -> Result<Option<BTreeMap<String, String>>, ResourceError> {
        match self.raw(key) {
            Json::Null => Ok(None),
            Json::Object(items) => items
                .iter()
                .map(|(k, v)| match v {
                    Json::String(s) => Ok((k.clone(), s.clone())),
                    // Values are never echoed: secret maps go through here too.
                    _ => Err(self.err(key, format!("value of `{k}` must be a string"))),
                })
                .collect::<Result<BTreeMap<_, _>, _>>()
                .map(Some),
            _ => Err(self.err(key, "must be a map of strings")),
        }
    }

    /// A non-empty map of strings (`GetOk`).
    pub(crate) fn ok_string_map(
        &self,
        key: &str,
    ) -> Result<Option<BTreeMap<String, String>>, ResourceError> {
        Ok(self.string_map(key)?.filter(|m| !m.is_empty()))
    }

    /// The single object of a `MaxItems: 1` block (a list of at most one object).
    pub(crate) fn block(&self, key: &str) -> Result<Option<&'a Map<String, Json>>, ResourceError> {
        match self.raw(key) {
            Json::Null => Ok(None),
            Json::Array(items) => match items.as_slice() {
                [] | [Json::Null] => Ok(None),
                [Json::Object(o)] => Ok(Some(o)),
                [_] => Err(self.err(key, "must hold an object")),
                _ => Err(self.err(key, "may appear at most once")),
            },
            // A bare object is accepted too: some callers do not wrap single blocks.
            Json::Object(o) => Ok(Some(o)),
            _ => Err(self.err(key, "must be a block")),
        }
    }
}

/// `null`, `""`, `[]` or `{}`.
pub(crate) fn is_empty(v: &Json) -> bool {
    match v {
        Json::Null => true,
        Json::String(s) => s.is_empty(),
        Json::Array(a) => a.is_empty(),
        Json::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// A whole non-negative JSON number (integral floats accepted).
pub(crate) fn json_u64(v: &Json) -> Result<Option<u64>, String> {
    match v {
        Json::Null => Ok(None),
        Json::Number(n) => {
            if let Some(u) = n.as_u64() {
                return Ok(Some(u));
            }
            match n.as_f64() {
                Some(f) if f >= 0.0 && f.fract() == 0.0 && f < 1.8e19 => {
                    // Checked above: non-negative, integral and below u64::MAX.
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    Ok(Some(f as u64))
                }
                _ => Err(format!("must be a whole non-negative number, not {n}")),
            }
        }
        other => Err(format!("must be a number, not {other}")),
    }
}

/// A JSON value for an optional collection the user did not configure: the API's empty answer
/// (`[]`, `{}`) is recorded as `null`, as the provider's apply keeps a collection planned null
/// that comes back empty, so the next plan sees no change. (Strings are recorded as the
/// provider's Read sets them: `""` when unset.)
pub(crate) fn unless_unset(base: &Attributes, key: &str, api: Json) -> Json {
    if is_empty(&api) && base.get(key).is_none_or(Json::is_null) {
        Json::Null
    } else {
        api
    }
}

/// Strings as a JSON list.
pub(crate) fn json_strings(items: &[String]) -> Json {
    Json::Array(items.iter().cloned().map(Json::String).collect())
}

/// A string map as a JSON object.
pub(crate) fn json_map(map: &BTreeMap<String, String>) -> Json {
    Json::Object(
        map.iter()
            .map(|(k, v)| (k.clone(), Json::String(v.clone())))
            .collect(),
    )
}

/// Checks a region's form (`fr-par`, [`crate::locality::is_region`]), which keeps request
/// paths well formed whatever the attributes say.
pub(crate) fn check_region(ty: &'static str, region: &str) -> Result<(), ResourceError> {
    if crate::locality::is_region(region) {
        Ok(())
    } else {
        Err(ResourceError::invalid(
            ty,
            "region",
            format!("{region:?} is not a region (expected a name such as fr-par)"),
        ))
    }
}

/// Splits a regional id `{region}/{uuid}`.
pub(crate) fn parse_regional_id(
    ty: &'static str,
    attribute: &str,
    id: &str,
) -> Result<(String, Uuid), ResourceError> {
    let bad = || {
        ResourceError::invalid(
            ty,
            attribute,
            format!("{id:?} is not a regional id (expected {{region}}/{{uuid}})"),
        )
    };
    let (region, uuid) = id.split_once('/').ok_or_else(bad)?;
    check_region(ty, region)?;
    let uuid = Uuid::parse_str(uuid).map_err(|_| bad())?;
    Ok((region.to_owned(), uuid))
}

/// A reference given as `uuid` or `{region}/{uuid}`: the UUID, and the region when present.
pub(crate) fn expand_id(
    ty: &'static str,
    attribute: &str,
    value: &str,
) -> Result<(Option<String>, Uuid), ResourceError> {
    if value.contains('/') {
        let (region, uuid) = parse_regional_id(ty, attribute, value)?;
        Ok((Some(region), uuid))
    } else {
        Uuid::parse_str(value).map(|u| (None, u)).map_err(|_| {
            ResourceError::invalid(
                ty,
                attribute,
                format!("{value:?} is not an id (expected a UUID or {{region}}/{{uuid}})"),
            )
        })
    }
}

/// `{region}/{uuid}`.
pub(crate) fn regional_id(region: &str, id: impl std::fmt::Display) -> String {
    format!("{region}/{id}")
}

/// A timestamp as the provider stores it (Go's `time.RFC3339`: UTC, whole seconds).
pub(crate) fn timestamp(ts: jiff::Timestamp) -> Json {
    Json::String(ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// Parses a Go duration string (`"10s"`, `"1m30s"`, `"1.5s"`, `"500ms"`), the form of probe
/// intervals in configuration and state; negative durations are refused.
pub(crate) fn parse_go_duration(text: &str) -> Option<Duration> {
    crate::timefmt::parse_go_duration(text).and_then(|d| Duration::try_from(d).ok())
}

/// Formats a duration as Go's `time.Duration.String()` does (`"10s"`, `"1m30s"`, `"1.5s"`,
/// `"500ms"`, `"0s"`), the form the provider writes to state.
pub(crate) fn format_go_duration(d: Duration) -> String {
    fn trim_fraction(whole: u128, frac: u128, digits: usize) -> String {
        if frac == 0 {
            whole.to_string()
        } else {
            let frac = format!("{frac:0digits$}");
            format!("{whole}.{}", frac.trim_end_matches('0'))
        }
    }
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".to_owned();
    }
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    if nanos < 1_000_000 {
        return format!("{}µs", trim_fraction(nanos / 1_000, nanos % 1_000, 3));
    }
    if nanos < 1_000_000_000 {
        return format!(
            "{}ms",
            trim_fraction(nanos / 1_000_000, nanos % 1_000_000, 6)
        );
    }
    let total_secs = nanos / 1_000_000_000;
    let frac = nanos % 1_000_000_000;
    let hours = total_secs / 3600;
    let minutes = (total_secs % 3600) / 60;
    let secs = trim_fraction(total_secs % 60, frac, 9);
    if hours > 0 {
        format!("{hours}h{minutes}m{secs}s")
    } else if minutes > 0 {
        format!("{minutes}m{secs}s")
    } else {
        format!("{secs}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_round_trip() {
        for (text, secs, nanos) in [
            ("10s", 10, 0),
            ("1m30s", 90, 0),
            ("1.5s", 1, 500_000_000),
            ("500ms", 0, 500_000_000),
            ("1h0m0s", 3600, 0),
            ("0s", 0, 0),
        ] {
            let d = Duration::new(secs, nanos);
            assert_eq!(parse_go_duration(text), Some(d), "{text}");
            assert_eq!(format_go_duration(d), text);
        }
        assert_eq!(parse_go_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_go_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_go_duration("0"), Some(Duration::ZERO));
        for bad in ["", "10", "s", "1x", "-1s", "1..5s"] {
            assert_eq!(parse_go_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn ids_accept_both_forms_and_refuse_others() {
        let uuid = "11111111-2222-3333-4444-555555555555";
        let (region, id) = expand_id("t", "namespace_id", &format!("nl-ams/{uuid}")).unwrap();
        assert_eq!(region.as_deref(), Some("nl-ams"));
        assert_eq!(id.to_string(), uuid);
        assert_eq!(expand_id("t", "x", uuid).unwrap().0, None);
        assert!(expand_id("t", "x", "fr-par/not-a-uuid").is_err());
        assert!(expand_id("t", "x", &format!("../{uuid}")).is_err());
        assert!(parse_regional_id("t", "id", uuid).is_err());
        assert!(check_region("t", "fr-par").is_ok());
        assert!(check_region("t", "FR-par").is_err());
        assert!(check_region("t", "fr-par/x").is_err());
    }

    #[test]
    fn numbers_may_be_integral_floats() {
        assert_eq!(json_u64(&Json::from(300.0)), Ok(Some(300)));
        assert_eq!(json_u64(&Json::from(7)), Ok(Some(7)));
        assert!(json_u64(&Json::from(1.5)).is_err());
        assert!(json_u64(&Json::from(-1)).is_err());
        assert!(json_u64(&Json::from("1")).is_err());
    }

    #[test]
    fn timestamps_are_whole_seconds_in_utc() {
        let ts: jiff::Timestamp = "2026-05-06T16:42:11.123456+02:00".parse().unwrap();
        assert_eq!(timestamp(ts), Json::from("2026-05-06T14:42:11Z"));
    }

    proptest::proptest! {
        #[test]
        fn duration_parsing_never_panics_and_formatting_round_trips(text in "\\PC{0,12}", nanos in 0u64..400_000_000_000_000) {
            let _ = parse_go_duration(&text);
            let d = Duration::from_nanos(nanos);
            proptest::prop_assert_eq!(parse_go_duration(&format_go_duration(d)), Some(d));
        }
    }
}
