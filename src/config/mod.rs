//! Settings: the Scaleway credentials and defaults a run uses, resolved the way the Terraform
//! provider does.
//!
//! Precedence, lowest to highest (the provider's `internal/meta/meta.go`): built-in defaults
//! (`fr-par`, `fr-par-1`, `https://api.scaleway.com`) < the scw config file's active profile
//! (`SCW_PROFILE` > the file's `active_profile` > the top level) < the profile the
//! `provider "scaleway"` block names in `profile` < the provider block's own values <
//! environment variables.
//!
//! [`resolve`] is a pure function of an environment map, the config file's text and the provider
//! block's values, so every rule is unit-tested without touching the process. [`from_process`]
//! gathers those inputs for the CLI. This file holds the settings' types; `resolve.rs` the
//! resolution, step by step; `scw.rs` the scw config file.
//!
//! Invariants: the secret key is only held as `SecretString` and never appears in `Debug`, error
//! messages or warnings (errors say where a bad value came from, never the value).
//! Depends on `diag` (warnings) only.

mod resolve;
pub mod scw;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use secrecy::SecretString;

use crate::diag::Diagnostic;
pub use resolve::{from_process, resolve};
pub use scw::{ConfigFileSource, Profile, ScwConfig};

/// The default API endpoint.
pub const DEFAULT_API_URL: &str = "https://api.scaleway.com";
/// The default region.
pub const DEFAULT_REGION: &str = "fr-par";
/// The default zone.
pub const DEFAULT_ZONE: &str = "fr-par-1";

/// A Scaleway organization ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrganizationId(pub uuid::Uuid);

/// A Scaleway project ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProjectId(pub uuid::Uuid);

impl fmt::Display for OrganizationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl fmt::Display for ProjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// A region such as `fr-par` (syntax `xx-yyy`, 3 to 7 letters after the dash).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Region(String);

/// A zone such as `fr-par-1`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Zone(String);

impl Region {
    /// The region's name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Zone {
    /// The zone's name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The region the zone is in: the zone without its last `-N`.
    #[must_use]
    pub fn region(&self) -> Region {
        let cut = self.0.rfind('-').unwrap_or(self.0.len());
        Region(self.0[..cut].to_owned())
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Region {
    type Err = ();

    /// Accepts the syntax and the legacy aliases `par1` and `ams1`.
    fn from_str(s: &str) -> Result<Self, ()> {
        let s = match s {
            "par1" => "fr-par",
            "ams1" => "nl-ams",
            s => s,
        };
        if crate::locality::is_region(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(())
        }
    }
}

impl FromStr for Zone {
    type Err = ();

    /// Accepts `<region>-<n>` and the legacy aliases `par1` and `ams1`.
    fn from_str(s: &str) -> Result<Self, ()> {
        let s = match s {
            "par1" => "fr-par-1",
            "ams1" => "nl-ams-1",
            s => s,
        };
        if crate::locality::is_zone(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(())
        }
    }
}

/// The values of the `provider "scaleway"` block, already evaluated (by the model layer).
#[derive(Clone, Default)]
pub struct ProviderBlock {
    /// `access_key`.
    pub access_key: Option<String>,
    /// `secret_key`.
    pub secret_key: Option<String>,
    /// `organization_id`.
    pub organization_id: Option<String>,
    /// `project_id`.
    pub project_id: Option<String>,
    /// `region`.
    pub region: Option<String>,
    /// `zone`.
    pub zone: Option<String>,
    /// `api_url`.
    pub api_url: Option<String>,
    /// `profile`: a profile of the scw config file.
    pub profile: Option<String>,
}

impl fmt::Debug for ProviderBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderBlock")
            .field("access_key", &self.access_key)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "[REDACTED]"),
            )
            .field("organization_id", &self.organization_id)
            .field("project_id", &self.project_id)
            .field("region", &self.region)
            .field("zone", &self.zone)
            .field("api_url", &self.api_url)
            .field("profile", &self.profile)
            .finish()
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// scwform's built-in default.
    Default,
    /// A profile of the scw config file.
    ConfigFile {
        /// The file.
        path: String,
        /// The profile (`default` for the top level).
        profile: String,
    },
    /// The `provider "scaleway"` block.
    ProviderBlock,
    /// An environment variable.
    Env(&'static str),
    /// Worked out from another setting (the region from the zone, or the reverse).
    Inferred,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Default => f.write_str("the built-in default"),
            Self::ConfigFile { path, profile } => {
                write!(f, "profile `{profile}` of the config file {path}")
            }
            Self::ProviderBlock => f.write_str("the provider \"scaleway\" block"),
            Self::Env(name) => write!(f, "the environment variable {name}"),
            Self::Inferred => f.write_str("inferred"),
        }
    }
}

/// The resolved settings of a run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Access key (`SCW` + 17 characters). Not sent to the API; kept for messages.
    pub access_key: Option<String>,
    /// Secret key, sent as `X-Auth-Token`.
    pub secret_key: SecretString,
    /// Default organization.
    pub organization_id: Option<OrganizationId>,
    /// Default project.
    pub project_id: Option<ProjectId>,
    /// Default region.
    pub region: Region,
    /// Default zone.
    pub zone: Zone,
    /// API base URL, without a trailing slash.
    pub api_url: String,
    /// The config file profile used, if a config file was read.
    pub profile: Option<String>,
}

/// Settings plus where each came from and what looked wrong.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The settings.
    pub settings: Settings,
    /// Where each setting came from, by setting name (`secret_key`, `region`...).
    pub sources: BTreeMap<&'static str, Source>,
    /// Things worth telling the user that do not stop the run (config file permissions,
    /// unknown regions...), code `scw::config::*`.
    pub warnings: Vec<Diagnostic>,
}

/// One problem with the settings.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SettingsError {
    /// No secret key anywhere.
    #[error("no Scaleway secret key is configured")]
    #[diagnostic(
        code(scw::config::missing_secret_key),
        help(
            "give one in any of these ways:\n  \
             - the environment variable SCW_SECRET_KEY\n  \
             - `secret_key` in the scw config file ({config_hint})\n  \
             - `secret_key` in the provider \"scaleway\" block\n\
             or run with --sandbox to use the local emulator instead of the real API"
        )
    )]
    MissingSecretKey {
        /// Where the config file was looked for.
        config_hint: String,
    },
    /// A value with the wrong format.
    #[error("the {setting} from {origin} is not valid: {expected}")]
    #[diagnostic(code(scw::config::invalid_value))]
    Invalid {
        /// The setting's name.
        setting: &'static str,
        /// Where the value came from.
        origin: Source,
        /// What was expected.
        expected: &'static str,
    },
    /// A profile that the config file does not define.
    #[error("the profile `{name}` (from {origin}) is not defined in {file}")]
    #[diagnostic(code(scw::config::unknown_profile))]
    UnknownProfile {
        /// The profile asked for.
        name: String,
        /// Who asked for it.
        origin: Source,
        /// The config file, or a note that there is none.
        file: String,
        /// A did-you-mean and the list of known profiles.
        #[help]
        help: Option<String>,
    },
    /// The config file is not valid YAML of the expected shape.
    #[error("cannot read the scw config file {path}: {message}")]
    #[diagnostic(code(scw::config::file))]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// Every problem found with the settings (resolution does not stop at the first one).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("invalid Scaleway settings ({} problem{})", .errors.len(), if .errors.len() == 1 { "" } else { "s" })]
#[diagnostic(code(scw::config::invalid))]
pub struct SettingsErrors {
    /// The problems.
    #[related]
    pub errors: Vec<SettingsError>,
}

#[cfg(test)]
mod tests {
    use super::resolve::is_access_key;
    use super::*;

    #[test]
    fn regions_and_zones_accept_aliases_and_syntax_only() {
        assert_eq!("par1".parse::<Region>(), Ok(Region("fr-par".into())));
        assert_eq!("ams1".parse::<Zone>(), Ok(Zone("nl-ams-1".into())));
        assert!("fr-par".parse::<Region>().is_ok());
        assert!("xx-abcdefg".parse::<Region>().is_ok());
        for bad in ["FR-PAR", "fr-pa", "fr-par-1", "fr", "f-par", ""] {
            assert!(bad.parse::<Region>().is_err(), "{bad}");
        }
        for bad in ["fr-par", "fr-par-", "fr-par-x", "fr-par-1-2"] {
            assert!(bad.parse::<Zone>().is_err(), "{bad}");
        }
        assert_eq!(
            "pl-waw-3".parse::<Zone>().map(|z| z.region()),
            Ok(Region("pl-waw".into()))
        );
    }

    #[test]
    fn access_keys_have_a_fixed_shape() {
        assert!(is_access_key("SCWABCDEFGHIJ0123456"));
        assert!(!is_access_key("SCWabcdefghij0123456"));
        assert!(!is_access_key("SCW123"));
    }
}
