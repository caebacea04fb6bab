//! Checks on known attribute values, declared in schemas and applied by the lowering code.
//!
//! Each check takes a primitive (`&str`, `f64`) and returns `Ok` or a sentence saying what is
//! wrong; the caller attaches the span. Regions are classified by
//! [`crate::locality::check_region`] instead, because the provider only warns about regions it
//! does not know.
//!
//! Invariant: no check panics, whatever the input. Depends on `locality` only.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// A validation attached to an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    /// A Scaleway region, offered by the resource's product.
    Region,
    /// A UUID.
    Uuid,
    /// A UUID, or `{region}/{uuid}`.
    UuidOrRegional,
    /// An RFC 3339 timestamp.
    Rfc3339,
    /// A Go duration string (`10s`, `1m30s`).
    Duration,
    /// A string matching a regular expression.
    Regex {
        /// The pattern (anchored by the author).
        pattern: &'static str,
        /// What the pattern means, in words.
        description: &'static str,
    },
    /// One of a fixed set of strings.
    OneOf(&'static [&'static str]),
    /// An integer in `min..=max`.
    Range {
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
    },
    /// A map whose keys and values have bounded lengths (in characters).
    MapLengths {
        /// Longest key.
        key_max: usize,
        /// Longest value.
        value_max: usize,
    },
}

/// Whether `s` is a UUID in its canonical 8-4-4-4-12 hexadecimal form (either case), the only
/// form the provider and the Scaleway SDK accept (the `uuid` crate alone also reads the simple,
/// braced and URN forms).
#[must_use]
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
}

/// How a checked value appears in a message: quoted, or `(sensitive value)` when it comes from
/// something sensitive (then nothing of it is shown, not even a part such as a region).
fn shown(value: &str, sensitive: bool) -> String {
    if sensitive {
        "(sensitive value)".to_owned()
    } else {
        format!("{value:?}")
    }
}

/// Checks a string against a validation. Non-string validations accept any string. A
/// `sensitive` value is not quoted in the message.
///
/// # Errors
/// A sentence describing the problem.
pub fn check_str(validation: &Validation, value: &str, sensitive: bool) -> Result<(), String> {
    let quoted = shown(value, sensitive);
    match validation {
        Validation::Uuid => {
            if is_uuid(value) {
                Ok(())
            } else {
                Err(format!(
                    "{quoted} is not a UUID (expected the form 11111111-2222-3333-4444-555555555555)"
                ))
            }
        }
        Validation::UuidOrRegional => {
            let id = match value.split_once('/') {
                Some((region, id)) => {
                    if !crate::locality::is_region(region) {
                        return Err(if sensitive {
                            format!("{quoted} is neither a UUID nor {{region}}/{{uuid}}")
                        } else {
                            format!(
                                "{quoted} is neither a UUID nor {{region}}/{{uuid}}: {region:?} is not a region"
                            )
                        });
                    }
                    id
                }
                None => value,
            };
            if is_uuid(id) {
                Ok(())
            } else {
                Err(format!(
                    "{quoted} is neither a UUID nor {{region}}/{{uuid}}"
                ))
            }
        }
        Validation::Rfc3339 => crate::timefmt::parse_rfc3339(value)
            .map(|_| ())
            .ok_or_else(|| {
                format!("{quoted} is not an RFC 3339 timestamp (for example 2030-01-31T12:00:00Z)")
            }),
        Validation::Duration => crate::timefmt::parse_go_duration(value)
            .map(|_| ())
            .ok_or_else(|| format!("{quoted} is not a duration (for example 10s, 1m30s)")),
        Validation::Regex {
            pattern,
            description,
        } => {
            if regex_matches(pattern, value) {
                Ok(())
            } else {
                Err(format!("{quoted} is invalid: {description}"))
            }
        }
        Validation::OneOf(allowed) => {
            if allowed.contains(&value) {
                Ok(())
            } else {
                let list = allowed
                    .iter()
                    .map(|a| format!("{a:?}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                Err(format!("{quoted} is not allowed; expected one of {list}"))
            }
        }
        // Regions are classified by `locality::check_region`; the rest are not strings.
        Validation::Region | Validation::Range { .. } | Validation::MapLengths { .. } => Ok(()),
    }
}

/// Checks a number against a validation. Non-numeric validations accept any number. A
/// `sensitive` value is not shown in the message.
///
/// # Errors
/// A sentence describing the problem.
pub fn check_number(validation: &Validation, value: f64, sensitive: bool) -> Result<(), String> {
    match validation {
        #[allow(clippy::cast_precision_loss)]
        Validation::Range { min, max } if value < *min as f64 || value > *max as f64 => {
            let shown = if sensitive {
                "(sensitive value)".to_owned()
            } else {
                crate_format(value)
            };
            Err(format!("{shown} is out of range: expected {min} to {max}"))
        }
        _ => Ok(()),
    }
}

/// Checks one entry of a map against [`Validation::MapLengths`]. The key of a `sensitive`
/// map is not shown in the message.
///
/// # Errors
/// A sentence describing the problem.
pub fn check_map_entry(
    validation: &Validation,
    key: &str,
    value: &str,
    sensitive: bool,
) -> Result<(), String> {
    if let Validation::MapLengths { key_max, value_max } = validation {
        let (k, v) = (key.chars().count(), value.chars().count());
        if sensitive && (k > *key_max || v > *value_max) {
            return Err(format!(
                "an entry of this sensitive map is too long: keys may have at most {key_max} characters, values {value_max}"
            ));
        }
        if k > *key_max {
            return Err(format!(
                "key {key:?} is {k} characters long; at most {key_max} are allowed"
            ));
        }
        if v > *value_max {
            return Err(format!(
                "the value of {key:?} is {v} characters long; at most {value_max} are allowed"
            ));
        }
    }
    Ok(())
}

fn crate_format(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        #[allow(clippy::cast_possible_truncation)]
        let i = n as i64;
        i.to_string()
    } else {
        n.to_string()
    }
}

/// Matches `value` against a schema pattern, compiling each pattern once per process.
fn regex_matches(pattern: &'static str, value: &str) -> bool {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Option<regex::Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    // A poisoned lock only means another thread panicked mid-insert; the map is still usable.
    let mut guard = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let compiled = guard
        .entry(pattern)
        .or_insert_with(|| regex::Regex::new(pattern).ok());
    // A schema pattern that does not compile accepts everything rather than failing users;
    // the unit tests compile every pattern of every schema.
    compiled.as_ref().is_none_or(|re| re.is_match(value))
}

/// Whether a pattern compiles (used by the schema tests).
#[must_use]
pub fn pattern_compiles(pattern: &str) -> bool {
    regex::Regex::new(pattern).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::RESOURCES;

    #[test]
    fn uuids_and_regional_ids() {
        let id = "11111111-2222-3333-4444-555555555555";
        assert!(check_str(&Validation::Uuid, id, false).is_ok());
        assert!(
            check_str(
                &Validation::Uuid,
                "fr-par/11111111-2222-3333-4444-555555555555",
                false
            )
            .is_err()
        );
        assert!(
            check_str(
                &Validation::Uuid,
                "1111111-2222-3333-4444-5555555555556",
                false
            )
            .is_err()
        );
        assert!(check_str(&Validation::UuidOrRegional, id, false).is_ok());
        assert!(check_str(&Validation::UuidOrRegional, &format!("fr-par/{id}"), false).is_ok());
        assert!(check_str(&Validation::UuidOrRegional, &format!("Paris/{id}"), false).is_err());
        assert!(check_str(&Validation::UuidOrRegional, "fr-par/nope", false).is_err());
    }

    #[test]
    fn timestamps_must_be_rfc3339() {
        assert!(check_str(&Validation::Rfc3339, "2022-10-18T11:35:15+02:00", false).is_ok());
        assert!(check_str(&Validation::Rfc3339, "2022-10-18T09:35:15Z", false).is_ok());
        assert!(check_str(&Validation::Rfc3339, "2022-10-18", false).is_err());
        assert!(check_str(&Validation::Rfc3339, "tomorrow", false).is_err());
    }

    #[test]
    fn durations_are_checked_as_go_reads_them() {
        for good in ["10s", "1m30s", "1.5h", "0"] {
            assert!(
                check_str(&Validation::Duration, good, false).is_ok(),
                "{good}"
            );
        }
        for bad in ["10", "s", "", "5x", "1 m"] {
            assert!(
                check_str(&Validation::Duration, bad, false).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn one_of_range_and_map_lengths() {
        let v = Validation::OneOf(&["public", "private"]);
        assert!(check_str(&v, "public", false).is_ok());
        assert_eq!(
            check_str(&v, "open", false).unwrap_err(),
            "\"open\" is not allowed; expected one of \"public\", \"private\""
        );
        // A sensitive value is never quoted, nor is any part of it.
        for (v, text) in [
            (Validation::OneOf(&["public", "private"]), "hunter2"),
            (Validation::UuidOrRegional, "hunter2/x"),
            (Validation::Duration, "hunter2"),
        ] {
            let message = check_str(&v, text, true).unwrap_err();
            assert!(!message.contains("hunter"), "{message}");
            assert!(message.starts_with("(sensitive value)"), "{message}");
        }
        let r = Validation::Range { min: 0, max: 10 };
        assert!(check_number(&r, 10.0, false).is_ok());
        assert!(check_number(&r, 11.0, false).is_err());
        let m = Validation::MapLengths {
            key_max: 3,
            value_max: 2,
        };
        assert!(check_map_entry(&m, "abc", "de", false).is_ok());
        assert!(check_map_entry(&m, "abcd", "", false).is_err());
        assert!(check_map_entry(&m, "a", "éèà", false).is_err());
    }

    fn patterns(block: &crate::schema::BlockSchema, out: &mut Vec<&'static str>) {
        for a in block.attributes {
            if let Some(Validation::Regex { pattern, .. }) = a.validation {
                out.push(pattern);
            }
        }
        for b in block.blocks {
            patterns(b, out);
        }
    }

    #[test]
    fn every_schema_pattern_compiles() {
        let mut all = Vec::new();
        for schema in RESOURCES {
            patterns(&schema.as_block(), &mut all);
        }
        assert!(!all.is_empty());
        for p in all {
            assert!(pattern_compiles(p), "{p}");
        }
    }

    #[test]
    fn cockpit_token_names_are_checked() {
        let token = crate::schema::resource("scaleway_cockpit_token").expect("registered");
        let v = token
            .attribute("name")
            .and_then(|a| a.validation)
            .expect("name has a validation");
        assert!(check_str(&v, "my-awesome-token", false).is_ok());
        assert!(check_str(&v, "ab", false).is_err());
        assert!(check_str(&v, "has space", false).is_err());
        assert!(check_str(&v, &"a".repeat(51), false).is_err());
        assert!(check_str(&v, &"a".repeat(50), false).is_ok());
    }
}
