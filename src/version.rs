//! The Terraform release scwform behaves as, and Terraform's version constraints
//! (`required_version = ">= 1.5, < 2.0"`), as hashicorp/go-version reads and checks them.
//!
//! [`TERRAFORM_VERSION`] is the one place the release is named: the state's and the JSON
//! plan's `terraform_version`, saved plans, the `-json` UI's version message and the
//! `required_version` check all use it.
//!
//! Depends on nothing else in the crate.

use std::cmp::Ordering;
use std::fmt;

/// The Terraform release whose behaviour scwform follows (recorded from it, see
/// `tests/fixtures/values`), which `required_version` constraints are checked against and
/// which state files and plans name. Terraform reads a state written by any release.
pub const TERRAFORM_VERSION: &str = "1.11.4";

/// A version: numeric segments, optionally a prerelease (`1.12.0-beta1`); build metadata is
/// ignored.
#[derive(Debug, Clone)]
pub struct Version {
    segments: Vec<u64>,
    prerelease: Option<String>,
}

impl Version {
    /// Parses `1`, `1.2`, `v1.2.3`, `1.2.3-beta1`, `1.2.3+meta` (go-version's forms).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.strip_prefix('v').unwrap_or(text);
        let text = text.split_once('+').map_or(text, |(v, _)| v);
        let (core, prerelease) = match text.split_once('-') {
            Some((core, pre)) if !pre.is_empty() && pre.split('.').all(valid_identifier) => {
                (core, Some(pre.to_owned()))
            }
            Some(_) => return None,
            None => (text, None),
        };
        let segments = core
            .split('.')
            .map(|s| {
                (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| s.parse().ok())
                    .flatten()
            })
            .collect::<Option<Vec<u64>>>()?;
        (1..=3).contains(&segments.len()).then_some(Self {
            segments,
            prerelease,
        })
    }

    /// The release scwform behaves as.
    #[must_use]
    pub fn terraform() -> Self {
        Self::parse(TERRAFORM_VERSION).unwrap_or(Self {
            segments: vec![1, 11],
            prerelease: None,
        })
    }

    fn segment(&self, i: usize) -> u64 {
        self.segments.get(i).copied().unwrap_or(0)
    }
}

fn valid_identifier(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Equal when the segments are (`1.11` is `1.11.0`) and so is the prerelease.
impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (0..3)
            .map(|i| self.segment(i).cmp(&other.segment(i)))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| match (&self.prerelease, &other.prerelease) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => compare_prerelease(a, b),
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Semantic versioning's precedence of prereleases: identifier by identifier, numbers by value
/// and below words, a longer list above its prefix.
fn compare_prerelease(left: &str, right: &str) -> Ordering {
    let mut lefts = left.split('.');
    let mut rights = right.split('.');
    loop {
        match (lefts.next(), rights.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(l), Some(r)) => {
                let order = match (l.parse::<u64>(), r.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => l.cmp(r),
                };
                if order.is_ne() {
                    return order;
                }
            }
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let core: Vec<String> = self.segments.iter().map(u64::to_string).collect();
        f.write_str(&core.join("."))?;
        if let Some(pre) = &self.prerelease {
            write!(f, "-{pre}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    NotEq,
    Gt,
    Lt,
    GtEq,
    LtEq,
    /// `~>`: at least the version, below the next release of its second-to-last segment.
    Pessimistic,
}

/// One `OP VERSION` of a constraint list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Constraint {
    op: Op,
    version: Version,
}

impl Constraint {
    fn allows(&self, v: &Version) -> bool {
        match self.op {
            Op::Eq => v == &self.version,
            Op::NotEq => v != &self.version,
            Op::Gt => v > &self.version,
            Op::Lt => v < &self.version,
            Op::GtEq => v >= &self.version,
            Op::LtEq => v <= &self.version,
            Op::Pessimistic => {
                let c = &self.version;
                if v < c {
                    return false;
                }
                // `~> 1.2.3` keeps 1.2; `~> 1.2` keeps 1; `~> 1` keeps 1.
                let fixed = c.segments.len().saturating_sub(1).max(1);
                (0..fixed).all(|i| v.segment(i) == c.segment(i))
            }
        }
    }
}

/// Why a constraint string is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstraintError {
    /// Not go-version's syntax.
    Syntax,
    /// A version with a prerelease part, which Terraform does not accept in `required_version`.
    Prerelease(String),
}

/// A `required_version` constraint: comma-separated `OP VERSION` items, all of which must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraints(Vec<Constraint>);

impl Constraints {
    /// Parses a constraint string as Terraform does for `required_version`.
    ///
    /// # Errors
    /// [`ConstraintError::Syntax`] for anything go-version refuses, and
    /// [`ConstraintError::Prerelease`] (naming the item) for a prerelease version.
    pub fn parse(text: &str) -> Result<Self, ConstraintError> {
        let mut out = Vec::new();
        for item in text.split(',') {
            let item = item.trim();
            let (op, rest) = [
                ("~>", Op::Pessimistic),
                (">=", Op::GtEq),
                ("<=", Op::LtEq),
                ("!=", Op::NotEq),
                (">", Op::Gt),
                ("<", Op::Lt),
                ("=", Op::Eq),
            ]
            .iter()
            .find_map(|(sym, op)| item.strip_prefix(sym).map(|rest| (*op, rest)))
            .unwrap_or((Op::Eq, item));
            let version = Version::parse(rest.trim()).ok_or(ConstraintError::Syntax)?;
            if version.prerelease.is_some() {
                return Err(ConstraintError::Prerelease(item.to_owned()));
            }
            out.push(Constraint { op, version });
        }
        Ok(Self(out))
    }

    /// Whether `version` satisfies every item.
    #[must_use]
    pub fn allows(&self, version: &Version) -> bool {
        self.0.iter().all(|c| c.allows(version))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Terraform 1.11.4's answers for `required_version` (recorded by hand with the binary).
    #[test]
    fn constraints_check_as_terraform() {
        let tf = Version::parse("1.11.4").expect("version");
        for (text, allowed) in [
            ("< 1.0", false),
            ("~> 1.11.0", true),
            (">= 1.5, < 2", true),
            ("~> 1.12", false),
            ("1.11.4", true),
            ("= 1.11", false),
            ("!= 1.11.4", false),
            (">=1.11.5", false),
            ("~> 1.0", true),
            ("~> 1", true),
            ("~> 1.11.5", false),
            ("> 1.11.3", true),
            ("<= 1.11.4", true),
            ("v1.11.4", true),
        ] {
            let c = Constraints::parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            assert_eq!(c.allows(&tf), allowed, "{text}");
        }
        for bad in ["foo", "", ">= ", "1.2.3.4", ">= 1,", "=> 1.0", "1.x"] {
            assert_eq!(
                Constraints::parse(bad),
                Err(ConstraintError::Syntax),
                "{bad}"
            );
        }
        assert_eq!(
            Constraints::parse("> 1.11.0-beta1"),
            Err(ConstraintError::Prerelease("> 1.11.0-beta1".to_owned()))
        );
    }

    #[test]
    fn versions_order_as_semver() {
        let v = |s: &str| Version::parse(s).expect(s);
        assert!(v("1.11.4") > v("1.11.4-rc1"));
        assert!(v("1.11.4-rc2") > v("1.11.4-rc1"));
        assert!(v("1.11.4-alpha.2") < v("1.11.4-alpha.10"));
        assert!(v("1.10") < v("1.11.0"));
        assert_eq!(v("1.11").cmp(&v("1.11.0")), Ordering::Equal);
        assert_eq!(Version::terraform().to_string(), TERRAFORM_VERSION);
    }
}
