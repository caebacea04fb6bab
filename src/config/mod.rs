//! Settings: the Scaleway credentials and defaults a run uses, resolved the way the Terraform
//! provider does.
//!
//! Precedence, lowest to highest: built-in defaults (`fr-par`, `fr-par-1`,
//! `https://api.scaleway.com`) < the scw config file's chosen profile < the `provider "scaleway"`
//! block < environment variables. The profile is chosen by `SCW_PROFILE` > the provider block's
//! `profile` > the file's `active_profile` > the top level.
//!
//! [`resolve`] is a pure function of an environment map, the config file's text and the provider
//! block's values, so every rule is unit-tested without touching the process. [`from_process`]
//! gathers those inputs for the CLI.
//!
//! Invariants: the secret key is only held as `SecretString` and never appears in `Debug`, error
//! messages or warnings (errors say where a bad value came from, never the value).
//! Depends on `diag` (warnings) only.

pub mod scw;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};

use crate::diag::Diagnostic;
pub use scw::{ConfigFileSource, Profile, ScwConfig};

/// The default API endpoint.
pub const DEFAULT_API_URL: &str = "https://api.scaleway.com";
/// The default region.
pub const DEFAULT_REGION: &str = "fr-par";
/// The default zone.
pub const DEFAULT_ZONE: &str = "fr-par-1";
/// Regions Scaleway is known to offer; others are accepted with a warning.
pub const KNOWN_REGIONS: &[&str] = &["fr-par", "nl-ams", "pl-waw", "it-mil"];

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

fn is_region_syntax(s: &str) -> bool {
    let mut parts = s.split('-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(country), Some(city), None) => {
            country.len() == 2
                && country.bytes().all(|b| b.is_ascii_lowercase())
                && (3..=7).contains(&city.len())
                && city.bytes().all(|b| b.is_ascii_lowercase())
        }
        _ => false,
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
        if is_region_syntax(s) {
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
        match s.rsplit_once('-') {
            Some((region, n))
                if is_region_syntax(region)
                    && !n.is_empty()
                    && n.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Ok(Self(s.to_owned()))
            }
            _ => Err(()),
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

/// One layer's candidate values.
#[derive(Default)]
struct Layer {
    source: Option<Source>,
    access_key: Option<String>,
    secret_key: Option<SecretString>,
    organization_id: Option<String>,
    project_id: Option<String>,
    region: Option<String>,
    zone: Option<String>,
    api_url: Option<String>,
}

/// The first non-empty value among environment variables, with its name.
fn env_first(
    env: &BTreeMap<String, String>,
    names: &[&'static str],
) -> Option<(&'static str, String)> {
    names.iter().find_map(|name| {
        env.get(*name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(|v| (*name, v.to_owned()))
    })
}

fn non_empty(value: Option<&String>) -> Option<String> {
    value
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Resolves the settings from the environment, the config file and the provider block.
///
/// # Errors
/// Every invalid or missing value at once.
pub fn resolve(
    env: &BTreeMap<String, String>,
    file: Option<&ConfigFileSource>,
    provider: &ProviderBlock,
) -> Result<Resolved, SettingsErrors> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();

    // The config file layer.
    let config = match file.map(|f| (f, ScwConfig::parse(&f.contents))) {
        Some((f, Ok(config))) => Some((f, config)),
        Some((f, Err(message))) => {
            errors.push(SettingsError::File {
                path: f.path.display().to_string(),
                message,
            });
            None
        }
        None => None,
    };
    if let Some(f) = file {
        permission_warning(f, &mut warnings);
    }
    let (profile_name, profile_source) =
        if let Some((name, value)) = env_first(env, &["SCW_PROFILE"]) {
            (Some(value), Source::Env(name))
        } else if let Some(name) = non_empty(provider.profile.as_ref()) {
            (Some(name), Source::ProviderBlock)
        } else {
            let active = config
                .as_ref()
                .and_then(|(_, c)| non_empty(c.active_profile.as_ref()));
            let source = config
                .as_ref()
                .map_or(Source::Default, |(f, _)| Source::ConfigFile {
                    path: f.path.display().to_string(),
                    profile: "active_profile".into(),
                });
            (active, source)
        };
    let mut file_layer = Layer::default();
    let mut used_profile = None;
    match (&config, &profile_name) {
        (Some((f, config)), name) => {
            let name = name
                .clone()
                .unwrap_or_else(|| scw::DEFAULT_PROFILE.to_owned());
            if let Some(profile) = config.profile(&name) {
                file_layer = Layer {
                    source: Some(Source::ConfigFile {
                        path: f.path.display().to_string(),
                        profile: name.clone(),
                    }),
                    access_key: profile.access_key,
                    secret_key: profile.secret_key,
                    organization_id: profile.default_organization_id,
                    project_id: profile.default_project_id,
                    region: profile.default_region,
                    zone: profile.default_zone,
                    api_url: profile.api_url,
                };
                used_profile = Some(name);
            } else {
                let names = config.profile_names();
                let mut help = crate::diag::suggest::did_you_mean(&name, names.iter().copied())
                    .map(|s| format!("{s} "))
                    .unwrap_or_default();
                help.push_str("Known profiles: ");
                help.push_str(&names.join(", "));
                help.push('.');
                errors.push(SettingsError::UnknownProfile {
                    name,
                    origin: profile_source,
                    file: f.path.display().to_string(),
                    help: Some(help),
                });
            }
        }
        (None, Some(name)) if file.is_none() => {
            errors.push(SettingsError::UnknownProfile {
                name: name.clone(),
                origin: profile_source,
                file: "the scw config file, which does not exist".into(),
                help: Some(format!("looked for {}", display_paths(&scw::locate(env)))),
            });
        }
        (None, _) => {}
    }

    let provider_layer = Layer {
        source: Some(Source::ProviderBlock),
        access_key: non_empty(provider.access_key.as_ref()),
        secret_key: non_empty(provider.secret_key.as_ref()).map(SecretString::from),
        organization_id: non_empty(provider.organization_id.as_ref()),
        project_id: non_empty(provider.project_id.as_ref()),
        region: non_empty(provider.region.as_ref()),
        zone: non_empty(provider.zone.as_ref()),
        api_url: non_empty(provider.api_url.as_ref()),
    };

    // The environment layer; each setting remembers which variable it came from.
    let mut env_sources: BTreeMap<&'static str, Source> = BTreeMap::new();
    let mut env_get = |setting: &'static str, names: &[&'static str]| {
        env_first(env, names).map(|(name, value)| {
            env_sources.insert(setting, Source::Env(name));
            value
        })
    };
    // Very old tools kept the token (a UUID) in SCALEWAY_ACCESS_KEY; newer ones keep an access
    // key (SCW...) there, which must not shadow a real secret key.
    let legacy_token = env_first(env, &["SCALEWAY_ACCESS_KEY"])
        .is_some_and(|(_, v)| uuid::Uuid::parse_str(&v).is_ok());
    let secret_names: &[&'static str] = if legacy_token {
        &[
            "SCW_SECRET_KEY",
            "SCW_TOKEN",
            "SCALEWAY_TOKEN",
            "SCALEWAY_ACCESS_KEY",
        ]
    } else {
        &["SCW_SECRET_KEY", "SCW_TOKEN", "SCALEWAY_TOKEN"]
    };
    let secret_from_env = env_get("secret_key", secret_names);
    let env_layer = Layer {
        source: None,
        access_key: env_get(
            "access_key",
            if legacy_token {
                &["SCW_ACCESS_KEY"]
            } else {
                &["SCW_ACCESS_KEY", "SCALEWAY_ACCESS_KEY"]
            },
        ),
        secret_key: secret_from_env.map(SecretString::from),
        organization_id: env_get(
            "organization_id",
            &[
                "SCW_DEFAULT_ORGANIZATION_ID",
                "SCW_ORGANIZATION",
                "SCALEWAY_ORGANIZATION",
            ],
        ),
        project_id: env_get("project_id", &["SCW_DEFAULT_PROJECT_ID"]),
        region: env_get(
            "region",
            &["SCW_DEFAULT_REGION", "SCW_REGION", "SCALEWAY_REGION"],
        ),
        zone: env_get("zone", &["SCW_DEFAULT_ZONE"]),
        api_url: env_get("api_url", &["SCW_API_URL"]),
    };

    // Highest layer first.
    let layers = [&env_layer, &provider_layer, &file_layer];
    let mut sources = BTreeMap::new();
    let mut pick = |setting: &'static str, get: &dyn Fn(&Layer) -> Option<String>| {
        layers.iter().find_map(|layer| {
            get(layer).map(|value| {
                let source = layer
                    .source
                    .clone()
                    .or_else(|| env_sources.get(setting).cloned())
                    .unwrap_or(Source::Default);
                sources.insert(setting, source.clone());
                (value, source)
            })
        })
    };

    let access_key = pick("access_key", &|l| l.access_key.clone());
    let secret_key = pick("secret_key", &|l| {
        l.secret_key.as_ref().map(|s| s.expose_secret().to_owned())
    });
    let organization_id = pick("organization_id", &|l| l.organization_id.clone());
    let project_id = pick("project_id", &|l| l.project_id.clone());
    let region = pick("region", &|l| l.region.clone());
    let zone = pick("zone", &|l| l.zone.clone());
    let api_url = pick("api_url", &|l| l.api_url.clone());

    if let Some((key, source)) = &access_key
        && !is_access_key(key)
    {
        errors.push(SettingsError::Invalid {
            setting: "access key",
            origin: source.clone(),
            expected: "expected `SCW` followed by 17 upper-case letters or digits",
        });
    }
    let mut check = |value: Option<(String, Source)>,
                     setting: &'static str,
                     expected: &'static str,
                     valid: &dyn Fn(&str) -> bool| {
        value.and_then(|(v, origin)| {
            if valid(&v) {
                Some(v)
            } else {
                errors.push(SettingsError::Invalid {
                    setting,
                    origin,
                    expected,
                });
                None
            }
        })
    };
    let is_uuid = |v: &str| uuid::Uuid::parse_str(v).is_ok();
    let secret_key_given = secret_key.is_some();
    let secret_key = check(
        secret_key,
        "secret key",
        "expected a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
        &is_uuid,
    )
    .map(SecretString::from);
    let organization_id = check(
        organization_id,
        "organization ID",
        "expected a UUID",
        &is_uuid,
    )
    .and_then(|v| uuid::Uuid::parse_str(&v).ok())
    .map(OrganizationId);
    let project_id = check(project_id, "project ID", "expected a UUID", &is_uuid)
        .and_then(|v| uuid::Uuid::parse_str(&v).ok())
        .map(ProjectId);
    let zone = check(zone, "zone", "expected a zone such as fr-par-1", &|v| {
        v.parse::<Zone>().is_ok()
    })
    .and_then(|v| v.parse::<Zone>().ok());
    let region = check(region, "region", "expected a region such as fr-par", &|v| {
        v.parse::<Region>().is_ok()
    })
    .and_then(|v| v.parse::<Region>().ok());
    let api_url = check(
        api_url.map(|(url, origin)| (url.trim_end_matches('/').to_owned(), origin)),
        "API URL",
        "expected an http:// or https:// URL",
        &|v| {
            reqwest::Url::parse(v)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
        },
    );
    if !secret_key_given {
        errors.push(SettingsError::MissingSecretKey {
            config_hint: display_paths(&scw::locate(env)),
        });
    }

    // A zone alone implies its region, and a region alone its first zone, so that setting just
    // one of them never yields a mismatched pair.
    let (region, zone) = match (region, zone) {
        (Some(r), Some(z)) => (r, z),
        (Some(r), None) => {
            sources.insert("zone", Source::Inferred);
            let z = Zone(format!("{r}-1"));
            (r, z)
        }
        (None, Some(z)) => {
            sources.insert("region", Source::Inferred);
            (z.region(), z)
        }
        (None, None) => {
            sources.insert("region", Source::Default);
            sources.insert("zone", Source::Default);
            (Region(DEFAULT_REGION.into()), Zone(DEFAULT_ZONE.into()))
        }
    };
    if !KNOWN_REGIONS.contains(&region.as_str()) {
        warnings.push(
            Diagnostic::warning(
                "scw::config::unknown_region",
                format!("Scaleway has no region `{region}` that scwform knows of"),
            )
            .with_help(format!("known regions: {}", KNOWN_REGIONS.join(", "))),
        );
    }
    let api_url = api_url.unwrap_or_else(|| {
        sources.insert("api_url", Source::Default);
        DEFAULT_API_URL.to_owned()
    });

    match secret_key {
        Some(secret_key) if errors.is_empty() => Ok(Resolved {
            settings: Settings {
                access_key: access_key.map(|(k, _)| k),
                secret_key,
                organization_id,
                project_id,
                region,
                zone,
                api_url,
                profile: used_profile,
            },
            sources,
            warnings,
        }),
        _ => Err(SettingsErrors { errors }),
    }
}

/// Reads the process environment and the config file, then [`resolve`]s.
///
/// # Errors
/// As [`resolve`], plus a config file that exists but cannot be read.
pub fn from_process(provider: &ProviderBlock) -> Result<Resolved, SettingsErrors> {
    let env: BTreeMap<String, String> = std::env::vars()
        .filter(|(k, _)| {
            k.starts_with("SCW_")
                || k.starts_with("SCALEWAY_")
                || matches!(k.as_str(), "HOME" | "XDG_CONFIG_HOME" | "USERPROFILE")
        })
        .collect();
    let file = scw::read(&env).map_err(|(path, e)| SettingsErrors {
        errors: vec![SettingsError::File {
            path: path.display().to_string(),
            message: e.to_string(),
        }],
    })?;
    resolve(&env, file.as_ref(), provider)
}

fn is_access_key(key: &str) -> bool {
    key.len() == 20
        && key.starts_with("SCW")
        && key[3..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn display_paths(paths: &[std::path::PathBuf]) -> String {
    if paths.is_empty() {
        return "set SCW_CONFIG_PATH or HOME to locate it".into();
    }
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" or ")
}

fn permission_warning(file: &ConfigFileSource, warnings: &mut Vec<Diagnostic>) {
    // Owner-only access (0600, or stricter such as 0400) is what the file's secrets need.
    if let Some(mode) = file.mode
        && mode & 0o077 != 0
    {
        let path = file.path.display();
        warnings.push(
            Diagnostic::warning(
                "scw::config::permissions",
                format!(
                    "the scw config file {path} is readable by other users (mode {:04o})",
                    mode & 0o7777
                ),
            )
            .with_detail("it holds your secret key")
            .with_help(format!("run `chmod 600 {path}`")),
        );
    }
}

#[cfg(test)]
mod tests {
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
