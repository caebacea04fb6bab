//! Resolution of the settings, in named steps: read the config file, choose its active profile,
//! build one layer of candidate values per origin (active profile, the provider block's profile,
//! provider block, environment),
//! pick each setting from the highest layer that has it, check each value's shape, then settle
//! region and zone together.
//!
//! Invariants: pure (no process environment, no file system: [`from_process`] gathers those);
//! every problem is collected, none stops resolution early; secret values are only held as
//! `SecretString` outside the single pick that compares layers.

use std::collections::BTreeMap;

use secrecy::{ExposeSecret, SecretString};

use super::scw::{self, ConfigFileSource, ScwConfig};
use super::{
    DEFAULT_API_URL, DEFAULT_REGION, DEFAULT_ZONE, OrganizationId, ProjectId, ProviderBlock,
    Region, Resolved, Settings, SettingsError, SettingsErrors, Source, Zone,
};
use crate::diag::Diagnostic;
use crate::locality::{self, ALL_REGIONS, RegionCheck};

/// One layer's candidate values.
#[derive(Default)]
struct Layer {
    /// Where the whole layer comes from (`None` for the environment, where each setting has
    /// its own variable).
    source: Option<Source>,
    access_key: Option<String>,
    secret_key: Option<SecretString>,
    organization_id: Option<String>,
    project_id: Option<String>,
    region: Option<String>,
    zone: Option<String>,
    api_url: Option<String>,
}

/// Each setting's winning value and where it came from, before its shape is checked.
struct Candidates {
    access_key: Option<(String, Source)>,
    secret_key: Option<(String, Source)>,
    organization_id: Option<(String, Source)>,
    project_id: Option<(String, Source)>,
    region: Option<(String, Source)>,
    zone: Option<(String, Source)>,
    api_url: Option<(String, Source)>,
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

    let config = read_config_file(file, &mut errors, &mut warnings);
    let (active_name, active_source) = active_profile(env, config.as_ref());
    let (active_layer, active_used) = profile_layer(
        env,
        file,
        config.as_ref(),
        active_name,
        active_source,
        &mut errors,
    );
    let (named_layer, named_used) = match non_empty(provider.profile.as_ref()) {
        Some(name) => profile_layer(
            env,
            file,
            config.as_ref(),
            Some(name),
            Source::ProviderBlock,
            &mut errors,
        ),
        None => (Layer::default(), None),
    };
    let used_profile = named_used.or(active_used);
    let provider_layer = provider_layer(provider);
    let (env_layer, env_sources) = env_layer(env);

    let mut sources = BTreeMap::new();
    let candidates = pick(
        [&env_layer, &provider_layer, &named_layer, &active_layer],
        &env_sources,
        &mut sources,
    );
    let secret_key_given = candidates.secret_key.is_some();
    let checked = check_shapes(candidates, &mut errors);
    if !secret_key_given {
        errors.push(SettingsError::MissingSecretKey {
            config_hint: display_paths(&scw::locate(env)),
        });
    }
    let (region, zone) = region_and_zone(checked.region, checked.zone, &mut sources);
    if locality::check_region(region.as_str()) != RegionCheck::Known {
        warnings.push(
            Diagnostic::warning(
                "scw::config::unknown_region",
                format!("Scaleway has no region `{region}` that scwform knows of"),
            )
            .with_help(format!("known regions: {}", ALL_REGIONS.join(", "))),
        );
    }
    let api_url = checked.api_url.unwrap_or_else(|| {
        sources.insert("api_url", Source::Default);
        DEFAULT_API_URL.to_owned()
    });

    match checked.secret_key {
        Some(secret_key) if errors.is_empty() => Ok(Resolved {
            settings: Settings {
                access_key: checked.access_key,
                secret_key,
                organization_id: checked.organization_id,
                project_id: checked.project_id,
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

/// Step 1: the config file, parsed (a parse error is recorded and the file ignored), with a
/// warning when others can read it.
fn read_config_file<'f>(
    file: Option<&'f ConfigFileSource>,
    errors: &mut Vec<SettingsError>,
    warnings: &mut Vec<Diagnostic>,
) -> Option<(&'f ConfigFileSource, ScwConfig)> {
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
        permission_warning(f, warnings);
    }
    config
}

/// Step 2: the file's active profile, and who chose it: `SCW_PROFILE`, else the file's
/// `active_profile`, else the top level (`scw.Config.GetActiveProfile`). The provider block's
/// `profile` does not replace it: that profile is a layer of its own, merged over this one
/// (`internal/meta/meta.go` `LoadProfile`), so `profile = "prod"` in the block beats
/// `SCW_PROFILE=stage` for every key `prod` (or the top level it inherits) sets.
fn active_profile(
    env: &BTreeMap<String, String>,
    config: Option<&(&ConfigFileSource, ScwConfig)>,
) -> (Option<String>, Source) {
    if let Some((name, value)) = env_first(env, &["SCW_PROFILE"]) {
        (Some(value), Source::Env(name))
    } else {
        let active = config.and_then(|(_, c)| non_empty(c.active_profile.as_ref()));
        let source = config.map_or(Source::Default, |(f, _)| Source::ConfigFile {
            path: f.path.display().to_string(),
            profile: "active_profile".into(),
        });
        (active, source)
    }
}

/// Step 3: a profile's values (and its name), or an error naming the profiles that exist when
/// it is not defined. Used for the active profile and for the provider block's.
fn profile_layer(
    env: &BTreeMap<String, String>,
    file: Option<&ConfigFileSource>,
    config: Option<&(&ConfigFileSource, ScwConfig)>,
    profile_name: Option<String>,
    profile_source: Source,
    errors: &mut Vec<SettingsError>,
) -> (Layer, Option<String>) {
    match (config, profile_name) {
        (Some((f, config)), name) => {
            let name = name.unwrap_or_else(|| scw::DEFAULT_PROFILE.to_owned());
            if let Some(profile) = config.profile(&name) {
                let layer = Layer {
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
                return (layer, Some(name));
            }
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
        (None, Some(name)) if file.is_none() => {
            errors.push(SettingsError::UnknownProfile {
                name,
                origin: profile_source,
                file: "the scw config file, which does not exist".into(),
                help: Some(format!("looked for {}", display_paths(&scw::locate(env)))),
            });
        }
        (None, _) => {}
    }
    (Layer::default(), None)
}

/// Step 4: the provider block's values.
fn provider_layer(provider: &ProviderBlock) -> Layer {
    Layer {
        source: Some(Source::ProviderBlock),
        access_key: non_empty(provider.access_key.as_ref()),
        secret_key: non_empty(provider.secret_key.as_ref()).map(SecretString::from),
        organization_id: non_empty(provider.organization_id.as_ref()),
        project_id: non_empty(provider.project_id.as_ref()),
        region: non_empty(provider.region.as_ref()),
        zone: non_empty(provider.zone.as_ref()),
        api_url: non_empty(provider.api_url.as_ref()),
    }
}

/// Step 5: the environment's values, and which variable each setting came from.
fn env_layer(env: &BTreeMap<String, String>) -> (Layer, BTreeMap<&'static str, Source>) {
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
    let layer = Layer {
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
    (layer, env_sources)
}

/// Step 6: each setting from the first layer (highest first) that has it, its origin recorded
/// in `sources`.
fn pick(
    layers: [&Layer; 4],
    env_sources: &BTreeMap<&'static str, Source>,
    sources: &mut BTreeMap<&'static str, Source>,
) -> Candidates {
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
    Candidates {
        access_key: pick("access_key", &|l| l.access_key.clone()),
        secret_key: pick("secret_key", &|l| {
            l.secret_key.as_ref().map(|s| s.expose_secret().to_owned())
        }),
        organization_id: pick("organization_id", &|l| l.organization_id.clone()),
        project_id: pick("project_id", &|l| l.project_id.clone()),
        region: pick("region", &|l| l.region.clone()),
        zone: pick("zone", &|l| l.zone.clone()),
        api_url: pick("api_url", &|l| l.api_url.clone()),
    }
}

/// The settings whose shape is right (a wrong one is an error and left out).
struct Checked {
    access_key: Option<String>,
    secret_key: Option<SecretString>,
    organization_id: Option<OrganizationId>,
    project_id: Option<ProjectId>,
    region: Option<Region>,
    zone: Option<Zone>,
    api_url: Option<String>,
}

/// Step 7: each value's shape (keys and IDs, region and zone syntax, URL scheme).
fn check_shapes(candidates: Candidates, errors: &mut Vec<SettingsError>) -> Checked {
    if let Some((key, source)) = &candidates.access_key
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
    let is_uuid = crate::schema::validation::is_uuid;
    let secret_key = check(
        candidates.secret_key,
        "secret key",
        "expected a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
        &is_uuid,
    )
    .map(SecretString::from);
    let organization_id = check(
        candidates.organization_id,
        "organization ID",
        "expected a UUID",
        &is_uuid,
    )
    .and_then(|v| uuid::Uuid::parse_str(&v).ok())
    .map(OrganizationId);
    let project_id = check(
        candidates.project_id,
        "project ID",
        "expected a UUID",
        &is_uuid,
    )
    .and_then(|v| uuid::Uuid::parse_str(&v).ok())
    .map(ProjectId);
    let zone = check(
        candidates.zone,
        "zone",
        "expected a zone such as fr-par-1",
        &|v| v.parse::<Zone>().is_ok(),
    )
    .and_then(|v| v.parse::<Zone>().ok());
    let region = check(
        candidates.region,
        "region",
        "expected a region such as fr-par",
        &|v| v.parse::<Region>().is_ok(),
    )
    .and_then(|v| v.parse::<Region>().ok());
    let api_url = check(
        candidates
            .api_url
            .map(|(url, origin)| (url.trim_end_matches('/').to_owned(), origin)),
        "API URL",
        "expected an http:// or https:// URL",
        &|v| {
            reqwest::Url::parse(v)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
        },
    );
    Checked {
        access_key: candidates.access_key.map(|(k, _)| k),
        secret_key,
        organization_id,
        project_id,
        region,
        zone,
        api_url,
    }
}

/// Step 8: region and zone as a pair. A zone alone implies its region, and a region alone its
/// first zone, so that setting just one of them never yields a mismatched pair.
fn region_and_zone(
    region: Option<Region>,
    zone: Option<Zone>,
    sources: &mut BTreeMap<&'static str, Source>,
) -> (Region, Zone) {
    match (region, zone) {
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

pub(super) fn is_access_key(key: &str) -> bool {
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
