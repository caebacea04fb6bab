//! Shapes shared by every product: typed IDs, timestamps, durations, secrets, list ordering.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // Scaleway always writes IDs as lowercase hyphenated UUIDs.
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    )*};
}

typed_id!(
    /// An organization (the default project of an organization has the same UUID).
    OrganizationId,
    /// An account project.
    ProjectId,
    /// A Serverless Containers or Functions namespace.
    NamespaceId,
    /// A Serverless container.
    ContainerId,
    /// A Serverless function.
    FunctionId,
    /// A Cockpit, container or function token.
    TokenId,
    /// A VPC private network.
    PrivateNetworkId,
);

/// A secret string (secret key, token, secret environment value): serialized as is (except
/// inside [`redacting`]), never shown by `Debug`.
#[derive(Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

thread_local! {
    /// Set while [`redacting`] runs on this thread.
    static REDACTING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with every [`Secret`] serialized on this thread as `"<redacted>"`: how a dump meant
/// for people is made, so that what is hidden follows the type, not a list of field names.
pub fn redacting<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            REDACTING.set(self.0);
        }
    }
    let _restore = Restore(REDACTING.replace(true));
    f()
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if REDACTING.get() {
            serializer.serialize_str("<redacted>")
        } else {
            serializer.serialize_str(&self.0)
        }
    }
}

impl Secret {
    /// Wraps a secret value.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; callers must not log or print it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A duration on the wire: seconds with an `s` suffix (`"300s"`, `"2.5s"`,
/// `"300.000000000s"` as the Go SDK sends it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScwDuration(pub Duration);

impl ScwDuration {
    /// A whole number of seconds.
    #[must_use]
    pub const fn from_secs(secs: u64) -> Self {
        Self(Duration::from_secs(secs))
    }
}

impl fmt::Display for ScwDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.as_secs();
        let nanos = self.0.subsec_nanos();
        if nanos == 0 {
            write!(f, "{secs}s")
        } else {
            // Shortest exact decimal form, as the API answers (`"2.5s"`).
            let frac = format!("{nanos:09}");
            write!(f, "{secs}.{}s", frac.trim_end_matches('0'))
        }
    }
}

/// Why a duration string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration {0:?}: expected seconds with an `s` suffix, such as \"300s\"")]
pub struct DurationError(pub String);

impl FromStr for ScwDuration {
    type Err = DurationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || DurationError(s.to_owned());
        let num = s.strip_suffix('s').ok_or_else(err)?;
        let (whole, frac) = num.split_once('.').unwrap_or((num, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 9 {
            return Err(err());
        }
        let secs: u64 = whole.parse().map_err(|_| err())?;
        let nanos: u32 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<9}").parse().map_err(|_| err())?
        };
        Ok(Self(Duration::new(secs, nanos)))
    }
}

impl Serialize for ScwDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ScwDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Formats a timestamp the way the API does: UTC, `Z`, microseconds, and no fraction at all when
/// it is zero (`2026-05-06T14:42:11Z`, as Python's `isoformat` writes it).
#[must_use]
pub fn format_timestamp(ts: jiff::Timestamp) -> String {
    if ts.subsec_microsecond() == 0 && ts.subsec_millisecond() == 0 {
        ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        ts.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }
}

/// Serde helpers for `jiff::Timestamp` fields: written as UTC with microseconds, read from any
/// RFC 3339 form (0 to 9 fractional digits, any offset).
pub mod rfc3339 {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes as the API writes timestamps.
    ///
    /// # Errors
    /// Those of the serializer.
    #[allow(clippy::trivially_copy_pass_by_ref)]
    pub fn serialize<S: Serializer>(ts: &jiff::Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_timestamp(*ts))
    }

    /// Parses any RFC 3339 timestamp.
    ///
    /// # Errors
    /// When the string is not RFC 3339.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<jiff::Timestamp, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Like [`rfc3339`], for nullable timestamps (`null` = not set).
pub mod rfc3339_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes `None` as `null`.
    ///
    /// # Errors
    /// Those of the serializer.
    #[allow(clippy::ref_option)]
    pub fn serialize<S: Serializer>(ts: &Option<jiff::Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match ts {
            Some(ts) => s.serialize_str(&super::format_timestamp(*ts)),
            None => s.serialize_none(),
        }
    }

    /// Parses `null` or any RFC 3339 timestamp.
    ///
    /// # Errors
    /// When the string is not RFC 3339.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<jiff::Timestamp>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(s) => s.parse().map(Some).map_err(serde::de::Error::custom),
            None => Ok(None),
        }
    }
}

/// Sort order of list endpoints (`order_by`); v1beta1 tokens accept only the `created_at_*`
/// values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListOrder {
    /// Oldest first (the default).
    #[default]
    CreatedAtAsc,
    /// Newest first.
    CreatedAtDesc,
    /// By name, A to Z.
    NameAsc,
    /// By name, Z to A.
    NameDesc,
}

impl ListOrder {
    /// The wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CreatedAtAsc => "created_at_asc",
            Self::CreatedAtDesc => "created_at_desc",
            Self::NameAsc => "name_asc",
            Self::NameDesc => "name_desc",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_accepts_go_sdk_form_and_prints_short_form() {
        let d: ScwDuration = "300.000000000s".parse().unwrap();
        assert_eq!(d.to_string(), "300s");
        let d: ScwDuration = "2.5s".parse().unwrap();
        assert_eq!(d.to_string(), "2.5s");
        assert!("300".parse::<ScwDuration>().is_err());
        assert!("-1s".parse::<ScwDuration>().is_err());
        assert!("1.0000000001s".parse::<ScwDuration>().is_err());
    }

    #[test]
    fn timestamps_are_written_in_utc_with_microseconds() {
        let ts: jiff::Timestamp = "2026-05-06T16:42:11+02:00".parse().unwrap();
        assert_eq!(format_timestamp(ts), "2026-05-06T14:42:11Z");
        let ts: jiff::Timestamp = "2026-07-03T15:01:47.243240681Z".parse().unwrap();
        assert_eq!(format_timestamp(ts), "2026-07-03T15:01:47.243240Z");
    }

    #[test]
    fn secrets_serialize_as_is_except_when_redacting() {
        let s = Secret::new("hunter2");
        assert_eq!(serde_json::to_value(&s).expect("json"), "hunter2");
        assert_eq!(
            redacting(|| serde_json::to_value(&s)).expect("json"),
            "<redacted>"
        );
        assert_eq!(serde_json::to_value(&s).expect("json"), "hunter2");
    }

    #[test]
    fn secret_debug_is_redacted() {
        let s = Secret::new("hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"hunter2\"");
    }
}
